"""The three roles as groups, and the permissions each one carries.

Used by the data migration that creates the groups, by `manage.py setup_roles`, and after every
migrate (so permissions of models added later reach the groups too).
"""

from django.apps import apps as global_apps

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


def sync_roles(apps=global_apps, using: str = "default") -> None:
    """Create the groups if missing and set their permissions to exactly what the roles give."""
    from django.contrib.auth.management import create_permissions

    codes_config = apps.get_app_config("codes")
    if not getattr(codes_config, "models_module", None):
        # Inside a migration the app config is a stub; create_permissions needs it marked.
        codes_config.models_module = True
    create_permissions(codes_config, verbosity=0, interactive=False, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        perms = Permission.objects.using(using).filter(
            content_type__app_label="codes", codename__in=codenames
        )
        group.permissions.set(perms)
