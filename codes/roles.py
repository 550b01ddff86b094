"""The three roles as groups, and the permissions each one carries.

Used by `manage.py setup_roles` and after every migrate (so permissions of models added later
reach the groups too); migration 0002 keeps its own frozen copy of the roles it created.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

CODERS, EDITORS, AUDITORS = "Coders", "Editors", "Auditors"

CONTENT_MODELS = ["code", "comparisonnote", "differentiator", "synonym", "codesystem"]
HISTORY_MODELS = [f"historical{name}" for name in CONTENT_MODELS]

# The permission that every page of the app needs: a signed-in user without a role sees 403.
VIEW_PERMISSION = "codes.view_code"
EXPORT_PERMISSION = "codes.export_comparison"


def role_permissions() -> dict[str, set[str]]:
    """Codenames (all in the `codes` app) for each group."""
    coder = {f"view_{name}" for name in CONTENT_MODELS}
    editor = coder | {
        f"{action}_{name}"
        for name in ["code", "comparisonnote", "differentiator", "synonym"]
        for action in ("add", "change", "delete")
    }
    editor |= {f"view_{name}" for name in HISTORY_MODELS}
    # Searches that found nothing: editors read them to add synonyms, and clear them when done.
    editor |= {"view_zeroresultquery", "delete_zeroresultquery"}
    auditor = coder | {f"view_{name}" for name in HISTORY_MODELS}
    auditor |= {"view_exportrecord", "export_comparison"}
    return {CODERS: coder, EDITORS: editor, AUDITORS: auditor}


def sync_roles(using: str = "default") -> None:
    """Create the groups if missing and set their permissions to exactly what the roles give."""
    # Idempotent: the codes permissions exist whatever order post_migrate's receivers run in.
    create_permissions(apps.get_app_config("codes"), verbosity=0, interactive=False, using=using)
    for group_name, codenames in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        perms = Permission.objects.using(using).filter(
            content_type__app_label="codes", codename__in=codenames
        )
        group.permissions.set(perms)
