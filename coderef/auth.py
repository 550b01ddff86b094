"""Optional single sign-on through a header set by a trusted authenticating proxy."""

from typing import TypeVar

from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.middleware import PersistentRemoteUserMiddleware
from django.contrib.auth.models import AbstractBaseUser, Group, PermissionsMixin
from django.http import HttpRequest

UserT = TypeVar("UserT", bound=AbstractBaseUser)


class TrustedHeaderMiddleware(PersistentRemoteUserMiddleware):
    """Logs in the user named by settings.REMOTE_USER_HEADER (e.g. HTTP_X_REMOTE_USER)."""

    # A property, not the class attribute django-stubs declares: the setting is read on each
    # request, so a settings override counts.
    @property
    def header(self) -> str:  # type: ignore[override]
        return settings.REMOTE_USER_HEADER


class TrustedHeaderBackend(RemoteUserBackend):
    """Creates a user the proxy vouches for on first sight, in the configured read-only group."""

    def configure_user(self, request: HttpRequest, user: UserT, created: bool = True) -> UserT:
        if created and settings.REMOTE_USER_GROUP and isinstance(user, PermissionsMixin):
            group = Group.objects.filter(name=settings.REMOTE_USER_GROUP).first()
            if group:
                user.groups.add(group)
        return user
