"""Optional single sign-on through a header set by a trusted authenticating proxy."""

from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.middleware import PersistentRemoteUserMiddleware
from django.contrib.auth.models import Group


class TrustedHeaderMiddleware(PersistentRemoteUserMiddleware):
    """Logs in the user named by settings.REMOTE_USER_HEADER (e.g. HTTP_X_REMOTE_USER)."""

    @property
    def header(self) -> str:
        return settings.REMOTE_USER_HEADER


class TrustedHeaderBackend(RemoteUserBackend):
    """Creates a user the proxy vouches for on first sight, in the configured read-only group."""

    def configure_user(self, request, user, created=True):
        if created and settings.REMOTE_USER_GROUP:
            group = Group.objects.filter(name=settings.REMOTE_USER_GROUP).first()
            if group:
                user.groups.add(group)
        return user
