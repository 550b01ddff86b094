"""The permission check every page and API call makes, and optional single sign-on through a
header set by a trusted authenticating proxy."""

from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend, RemoteUserBackend
from django.contrib.auth.middleware import PersistentRemoteUserMiddleware
from django.contrib.auth.models import AbstractBaseUser, Group, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest

UserT = TypeVar("UserT", bound=AbstractBaseUser)

# A user's permissions, their own and their groups', in one statement (ModelBackend runs two
# ORM queries, built anew on every request: more than the search they guard, for the API).
_PERMISSIONS = """SELECT ct.app_label, p.codename FROM auth_permission p
    JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE p.id IN (SELECT permission_id FROM auth_user_user_permissions WHERE user_id = %s)
       OR p.id IN (SELECT gp.permission_id FROM auth_group_permissions gp
                   JOIN auth_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"""


class RolesBackend(ModelBackend):
    """ModelBackend whose set of a user's permissions (kept on the user for the request, as
    ModelBackend keeps it) is read in one statement, and whose signed-in user is read by a
    statement written once (the ORM's query, built anew on every request, cost more than it)."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        table, column = model._meta.db_table, model._meta.pk.column
        found = list(model._default_manager.raw(f"SELECT * FROM {table} WHERE {column} = %s", [pk]))
        return found[0] if found and self.user_can_authenticate(found[0]) else None

    def get_all_permissions(self, user_obj: Any, obj: object = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_PERMISSIONS, [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app}.{codename}" for app, codename in cursor.fetchall()}
        return user_obj._perm_cache


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
