from django.db import migrations

# A synonym is read from its meaning's side too (`meaning LIKE 'x%' AND kind = 'synonym'`,
# codes.search.concepts), but 0023's index on the meaning alone served that by reading every
# entry whose meaning starts so, index entries included, whose meanings are codes: a typed `0`
# (`Q10.0`) read some 30,000 ICD-10-PCS targets, 12 ms. Indexed by kind first, the look-up reads
# the synonyms only.
SQL = {
    "sqlite": (
        [
            "DROP INDEX codes_synonym_meaning_prefix",
            "CREATE INDEX codes_synonym_kind_meaning_prefix"
            " ON codes_synonym (kind, meaning COLLATE NOCASE)",
        ],
        [
            "DROP INDEX codes_synonym_kind_meaning_prefix",
            "CREATE INDEX codes_synonym_meaning_prefix ON codes_synonym (meaning COLLATE NOCASE)",
        ],
    ),
    "postgresql": (
        [
            "DROP INDEX codes_synonym_meaning_prefix",
            "CREATE INDEX codes_synonym_kind_meaning_prefix"
            " ON codes_synonym (kind, UPPER(meaning::text) text_pattern_ops)",
        ],
        [
            "DROP INDEX codes_synonym_kind_meaning_prefix",
            "CREATE INDEX codes_synonym_meaning_prefix"
            " ON codes_synonym (UPPER(meaning::text) text_pattern_ops)",
        ],
    ),
}


def _run(direction):
    def run(apps, schema_editor):
        for statement in SQL.get(schema_editor.connection.vendor, ([], []))[direction]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0028_export_releases"),
    ]

    operations = [
        migrations.RunPython(_run(0), _run(1)),
    ]
