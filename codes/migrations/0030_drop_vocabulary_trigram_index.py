from django.db import migrations

# PostgreSQL only. Typo corrections take their candidates from the index's vocabulary held in each
# process's memory (codes.search.vocabulary), the same way as on SQLite, instead of a pg_trgm
# similarity query: the trigram index on the vocabulary table (0009) is read by nothing.
DROP = "DROP INDEX IF EXISTS codes_search_vocabulary_trgm"
CREATE = """CREATE INDEX codes_search_vocabulary_trgm
    ON codes_search_vocabulary USING gin (term gin_trgm_ops)"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0029_synonym_meaning_by_kind_index"),
    ]

    operations = [
        migrations.RunPython(_run(DROP), _run(CREATE)),
    ]
