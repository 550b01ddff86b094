from django.db import migrations

from codes.search import postgres, sqlite


# Each title and inclusion term as its own row in the search index, defined beside each backend.
def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0009_search_index"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": sqlite.LINE_SCHEMA, "postgresql": postgres.LINE_SCHEMA}),
            _run({"sqlite": sqlite.DROP_LINE_SCHEMA, "postgresql": postgres.DROP_LINE_SCHEMA}),
        ),
    ]
