from django.db import migrations

# The SQL this migration runs, frozen as it was written (see 0011). PostgreSQL only: rows inserted
# by one statement (an import's COPY) get their search lines and new vocabulary words in one
# statement-level trigger over the inserted rows, instead of one trigger call per row; updates
# and deletes keep the row triggers of 0009 and 0011.

# The row's weighted tsvector, as 0009 computes it (both directions keep it).
_SEARCH_VECTOR = """        NEW.search_vector :=
            setweight(to_tsvector('simple', codes_search_words(NEW.title)), 'A')
            || setweight(to_tsvector('simple', codes_search_words(NEW.inclusion_terms)), 'B')
            || setweight(to_tsvector('simple', codes_search_words(NEW.descriptor)), 'C')
            || setweight(to_tsvector('simple', codes_search_words(NEW.lay_description)), 'D');
"""

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION codes_code_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
    """
    + _SEARCH_VECTOR
    + """        IF TG_OP = 'UPDATE' THEN
            INSERT INTO codes_search_vocabulary(term)
                SELECT unnest(tsvector_to_array(NEW.search_vector)) ON CONFLICT DO NOTHING;
        END IF;
        RETURN NEW;
    END
    $$""",
    'DROP TRIGGER codes_search_lines_sync ON codes_code',
    """CREATE TRIGGER codes_search_lines_sync
    AFTER DELETE OR UPDATE OF title, inclusion_terms, system_id, status ON codes_code
    FOR EACH ROW EXECUTE FUNCTION codes_search_lines_sync()""",
    """CREATE FUNCTION codes_code_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO codes_search_vocabulary(term)
            SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM inserted
            ON CONFLICT DO NOTHING;
        INSERT INTO codes_search_line
            SELECT n.id, n.system_id, n.status <> 'deleted', l.*
            FROM inserted n, codes_search_lines(n.title, n.inclusion_terms) l;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER codes_code_inserted AFTER INSERT ON codes_code
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION codes_code_inserted()""",
]

POSTGRESQL_DROP = [
    'DROP TRIGGER codes_code_inserted ON codes_code',
    'DROP FUNCTION codes_code_inserted()',
    'DROP TRIGGER codes_search_lines_sync ON codes_code',
    """CREATE TRIGGER codes_search_lines_sync
    AFTER INSERT OR DELETE OR UPDATE OF title, inclusion_terms, system_id, status ON codes_code
    FOR EACH ROW EXECUTE FUNCTION codes_search_lines_sync()""",
    """CREATE OR REPLACE FUNCTION codes_code_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
    """
    + _SEARCH_VECTOR
    + """        INSERT INTO codes_search_vocabulary(term)
            SELECT unnest(tsvector_to_array(NEW.search_vector)) ON CONFLICT DO NOTHING;
        RETURN NEW;
    END
    $$""",
]


def _on_vendor(statements_by_vendor):
    """Run the statements for the database's vendor (none on another vendor)."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0018_terminology"),
    ]

    operations = [
        migrations.RunPython(
            _on_vendor({"postgresql": POSTGRESQL}), _on_vendor({"postgresql": POSTGRESQL_DROP})
        ),
    ]
