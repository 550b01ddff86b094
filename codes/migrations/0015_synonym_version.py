import django.utils.timezone
from django.db import migrations, models

# Adding a column makes SQLite rebuild the synonym table, which drops the triggers that renew
# the search token on it: they are made again after the rebuild, whichever way it runs. The SQL
# is frozen here as 0012_search_token wrote it (a migration imports no code that can change).
SQLITE_SYNONYM_TOKEN_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS codes_synonym_search_token_{event.lower()}
    AFTER {event} ON codes_synonym
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END"""
    for event in ("INSERT", "UPDATE", "DELETE")
]


def _token_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_SYNONYM_TOKEN_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    """Synonyms get the version (and the time of their last save) that stale edits are refused by."""

    dependencies = [
        ("codes", "0014_descriptor_kind"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _token_triggers),
        migrations.AddField(
            model_name="synonym",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="synonym",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalsynonym",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalsynonym",
            name="updated_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, editable=False
            ),
            preserve_default=False,
        ),
        migrations.RunPython(_token_triggers, migrations.RunPython.noop),
    ]
