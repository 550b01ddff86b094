from django.conf import settings
from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path

# Django's login, logout and password-change pages; the password-reset pages send mail, so they
# exist only where mail is configured (settings.PASSWORD_RESET_ENABLED).
accounts = [
    pattern
    for pattern in auth_urls.urlpatterns
    if settings.PASSWORD_RESET_ENABLED or not (pattern.name or "").startswith("password_reset")
]

urlpatterns = [
    path("accounts/", include(accounts)),
    path("admin/", admin.site.urls),
    path("", include("codes.urls")),
]

handler500 = "coderef.errors.server_error"
