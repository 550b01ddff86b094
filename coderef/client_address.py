"""The address of the client behind the TLS proxy, for login throttling (django-axes).

Behind a proxy every request comes from the proxy's address; keyed on it, five bad passwords for a
known user would lock that user out for everyone. The proxy appends the address it saw to
X-Forwarded-For, so the client is the right-most address in it that is not one of our own
proxies. The header is read only when the request came from a trusted proxy
(DJANGO_TRUSTED_PROXIES): anyone else could write any address there.
"""

from ipaddress import ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest


def _trusted(address: str) -> bool:
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or past a trusted proxy the address it forwarded."""
    remote = request.META.get("REMOTE_ADDR")
    if not remote or not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ip_address(hop))
            except ValueError:
                return remote  # a malformed hop: the proxy's own address is all we know
    return remote
