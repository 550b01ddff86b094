from django.contrib.auth.management import create_permissions
from django.db import migrations

# The roles as this migration creates them, frozen here (codes.roles may change later; its
# sync_roles runs after every migrate and brings the groups up to date, later models included).
CONTENT = ["view_code", "view_codesystem", "view_comparisonnote", "view_differentiator", "view_synonym"]
HISTORY = [
    "view_historicalcode",
    "view_historicalcodesystem",
    "view_historicalcomparisonnote",
    "view_historicaldifferentiator",
    "view_historicalsynonym",
]
ROLES = {
    "Coders": CONTENT,
    "Editors": [
        *CONTENT,
        *HISTORY,
        *(
            f"{action}_{name}"
            for name in ("code", "comparisonnote", "differentiator", "synonym")
            for action in ("add", "change", "delete")
        ),
    ],
    "Auditors": [*CONTENT, *HISTORY, "view_exportrecord", "export_comparison"],
}


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    codes_config = apps.get_app_config("codes")
    # Inside a migration the app config is a stub; create_permissions needs it marked.
    codes_config.models_module = True
    create_permissions(codes_config, verbosity=0, interactive=False, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(
            Permission.objects.using(using).filter(
                content_type__app_label="codes", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
