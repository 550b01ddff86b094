from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied


class CoderefAdminSite(AdminSite):
    """Django's admin, but a signed-in user without staff status gets 403, not a login form."""

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not request.user.is_staff:
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        guarded.__dict__.update(inner.__dict__)
        return guarded


class CoderefAdminConfig(AdminConfig):
    default_site = "coderef.admin.CoderefAdminSite"
