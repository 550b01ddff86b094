from django.db import migrations

# Search reads the terminology entries whose term (or a synonym's meaning) starts with a typed
# word (`istartswith`, codes.search.concepts). With the public sources imported (some 60,000
# entries) a scan of the table for each read costs about 20 ms, several times per query. These
# indexes serve that prefix look-up on each vendor: SQLite's LIKE uses an index in NOCASE
# collation; PostgreSQL's UPPER(col) LIKE UPPER('x%') one on UPPER(col) with text_pattern_ops.
SQL = {
    "sqlite": (
        [
            "CREATE INDEX codes_synonym_term_prefix ON codes_synonym (term COLLATE NOCASE)",
            "CREATE INDEX codes_synonym_meaning_prefix ON codes_synonym (meaning COLLATE NOCASE)",
        ],
        ["DROP INDEX codes_synonym_term_prefix", "DROP INDEX codes_synonym_meaning_prefix"],
    ),
    "postgresql": (
        [
            "CREATE INDEX codes_synonym_term_prefix"
            " ON codes_synonym (UPPER(term::text) text_pattern_ops)",
            "CREATE INDEX codes_synonym_meaning_prefix"
            " ON codes_synonym (UPPER(meaning::text) text_pattern_ops)",
        ],
        ["DROP INDEX codes_synonym_term_prefix", "DROP INDEX codes_synonym_meaning_prefix"],
    ),
}


def _run(direction):
    def run(apps, schema_editor):
        for statement in SQL.get(schema_editor.connection.vendor, ([], []))[direction]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0022_content_token_triggers"),
    ]

    operations = [
        migrations.RunPython(_run(0), _run(1)),
    ]
