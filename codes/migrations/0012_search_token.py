from django.db import migrations, models

# The SQL this migration runs, frozen as it was written: a migration never imports code that can
# change later (codes.search.backends owns today's SQL for queries, rebuilds and repairs).
SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS codes_code_search_token_insert AFTER INSERT ON codes_code
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    """CREATE TRIGGER IF NOT EXISTS codes_code_search_token_update AFTER UPDATE ON codes_code
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    """CREATE TRIGGER IF NOT EXISTS codes_code_search_token_delete AFTER DELETE ON codes_code
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    """CREATE TRIGGER IF NOT EXISTS codes_synonym_search_token_insert AFTER INSERT ON codes_synonym
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    """CREATE TRIGGER IF NOT EXISTS codes_synonym_search_token_update AFTER UPDATE ON codes_synonym
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    """CREATE TRIGGER IF NOT EXISTS codes_synonym_search_token_delete AFTER DELETE ON codes_synonym
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    """CREATE TRIGGER IF NOT EXISTS codes_codesystem_search_token_insert AFTER INSERT ON codes_codesystem
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    """CREATE TRIGGER IF NOT EXISTS codes_codesystem_search_token_update AFTER UPDATE ON codes_codesystem
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    """CREATE TRIGGER IF NOT EXISTS codes_codesystem_search_token_delete AFTER DELETE ON codes_codesystem
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END""",
    'INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random());',
]

SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS codes_code_search_token_insert',
    'DROP TRIGGER IF EXISTS codes_code_search_token_update',
    'DROP TRIGGER IF EXISTS codes_code_search_token_delete',
    'DROP TRIGGER IF EXISTS codes_synonym_search_token_insert',
    'DROP TRIGGER IF EXISTS codes_synonym_search_token_update',
    'DROP TRIGGER IF EXISTS codes_synonym_search_token_delete',
    'DROP TRIGGER IF EXISTS codes_codesystem_search_token_insert',
    'DROP TRIGGER IF EXISTS codes_codesystem_search_token_update',
    'DROP TRIGGER IF EXISTS codes_codesystem_search_token_delete',
]

POSTGRESQL = [
    """CREATE FUNCTION codes_search_token_renew() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('codes.search_token_renewed', true) IS DISTINCT FROM 'on' THEN
            PERFORM set_config('codes.search_token_renewed', 'on', true);
            INSERT INTO codes_searchtoken (id, token) VALUES (1, (random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE CONSTRAINT TRIGGER codes_code_search_token
        AFTER INSERT OR UPDATE OR DELETE ON codes_code DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION codes_search_token_renew()""",
    """CREATE CONSTRAINT TRIGGER codes_synonym_search_token
        AFTER INSERT OR UPDATE OR DELETE ON codes_synonym DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION codes_search_token_renew()""",
    """CREATE CONSTRAINT TRIGGER codes_codesystem_search_token
        AFTER INSERT OR UPDATE OR DELETE ON codes_codesystem DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION codes_search_token_renew()""",
    """INSERT INTO codes_searchtoken (id, token) VALUES (1, (random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token""",
]

POSTGRESQL_DROP = [
    'DROP TRIGGER codes_code_search_token ON codes_code',
    'DROP TRIGGER codes_synonym_search_token ON codes_synonym',
    'DROP TRIGGER codes_codesystem_search_token ON codes_codesystem',
    'DROP FUNCTION codes_search_token_renew()',
]


def _on_vendor(statements_by_vendor):
    """Run the statements for the database's vendor (none on another vendor)."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0011_search_lines"),
    ]

    # The token search results are cached under, and the triggers that renew it.
    operations = [
        migrations.CreateModel(
            name="SearchToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(
            _on_vendor({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _on_vendor({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
