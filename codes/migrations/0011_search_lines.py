from django.db import migrations

from codes.search import postgres, sqlite
from codes.search.base import vendor_sql


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0010_exports_record_stamp"),
    ]

    # Each title and inclusion term as its own row in the search index.
    operations = [
        migrations.RunPython(
            vendor_sql({"sqlite": sqlite.LINE_SCHEMA, "postgresql": postgres.LINE_SCHEMA}),
            vendor_sql({"sqlite": sqlite.DROP_LINE_SCHEMA, "postgresql": postgres.DROP_LINE_SCHEMA}),
        ),
    ]
