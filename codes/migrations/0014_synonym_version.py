import django.utils.timezone
from django.db import migrations, models

from codes.search import sqlite
from codes.search.base import vendor_sql

# Adding a column makes SQLite rebuild the synonym table, which drops the triggers that renew
# the search token on it: they are made again after the rebuild, whichever way it runs.
_TOKEN_TRIGGERS = vendor_sql({"sqlite": sqlite.TOKEN_TRIGGERS})


class Migration(migrations.Migration):
    """Synonyms get the version (and the time of their last save) that stale edits are refused by."""

    dependencies = [
        ("codes", "0012_search_token"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _TOKEN_TRIGGERS),
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
        migrations.RunPython(_TOKEN_TRIGGERS, migrations.RunPython.noop),
    ]
