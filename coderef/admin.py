from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBadRequest

# Date-hierarchy filters (`?last_seen__year=2026&last_seen__month=5`): the largest value each part
# takes. Django turns a larger number into an OverflowError (a 500) rather than a bad filter.
DATE_PARTS = {"year": 9999, "month": 12, "day": 31}


def unreadable_filter(request: HttpRequest) -> str | None:
    """Why the admin cannot read this request's query string, or None when it can."""
    for name, values in request.GET.lists():
        for value in values:
            if "\x00" in name or "\x00" in value:
                return "The address holds a NUL character, which no filter or search can match."
            part = name.rpartition("__")[2]
            if (
                part in DATE_PARTS
                and value
                and not (value.isdigit() and 1 <= int(value[:5]) <= DATE_PARTS[part])
            ):
                return f"{name}={value[:20]!r} is not a {part} (1 to {DATE_PARTS[part]})."
    return None


class CoderefAdminSite(AdminSite):
    """Django's admin, but a signed-in user without staff status gets 403, not a login form, and
    a filter no database can read gets 400, not a 500."""

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not request.user.is_staff:
                raise PermissionDenied
            if problem := unreadable_filter(request):
                return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
            return inner(request, *args, **kwargs)

        guarded.__dict__.update(inner.__dict__)
        return guarded


class CoderefAdminConfig(AdminConfig):
    default_site = "coderef.admin.CoderefAdminSite"
