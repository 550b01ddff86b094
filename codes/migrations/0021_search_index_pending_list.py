from django.db import migrations

# PostgreSQL only. The two GIN indexes of the search (0009, 0011) were made with fastupdate off,
# so every inserted code updated their trees entry by entry: a third of an import's time. With
# fastupdate on, new entries go to the index's pending list and are merged into the tree in
# batches; an import merges what is left when it ends (`codes_added_in_bulk`), so searches after
# it never read a long pending list, and autovacuum merges the few entries an edit adds.
INDEXES = ["codes_code_search_vector", "codes_search_line_vector"]


def _fastupdate(value):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for index in INDEXES:
                schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = {value})")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0020_code_in_section_index"),
    ]

    operations = [
        migrations.RunPython(_fastupdate("on"), _fastupdate("off")),
    ]
