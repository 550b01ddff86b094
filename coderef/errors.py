"""Error pages that must work when the database does not."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader


def server_error(request):
    """500, or 503 when the cause is a lost database: rendered without touching the database."""
    _, exc, _ = sys.exc_info()
    # OperationalError / InterfaceError: the server is down, unreachable or the connection broke.
    if isinstance(exc, OperationalError | InterfaceError):
        body = loader.get_template("503.html").render()
        return HttpResponse(body, status=503, headers={"Retry-After": "30"})
    return HttpResponseServerError(loader.get_template("500.html").render())
