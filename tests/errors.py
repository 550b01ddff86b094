"""What an error answer shows its reader: the message of a 4xx, read where a user reads it."""

import re
from html import unescape

_ALERT = re.compile(r'<(p|span)\b[^>]*\brole="alert"[^>]*>(.*?)</\1>', re.S)
_HEADING = re.compile(r"<h1\b[^>]*>(.*?)</h1>\s*<p\b[^>]*>(.*?)</p>", re.S)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def shown_error(response) -> str:
    """The message of an error response: the JSON `error`, a plain-text body, the page's alerts,
    or, on a page without one (404, 403), its heading and the sentence under it."""
    content_type = response["Content-Type"]
    if content_type.startswith("application/json"):
        return response.json()["error"]
    body = response.content.decode()
    if content_type.startswith("text/plain"):
        return body.strip()
    alerts = [_text(match.group(2)) for match in _ALERT.finditer(body)]
    if alerts:
        return " ".join(alerts)
    heading = _HEADING.search(body)
    return f"{_text(heading.group(1))}: {_text(heading.group(2))}" if heading else ""
