from django.db import migrations

# The SQL this migration runs, frozen as it was written: a migration never imports code that can
# change later (codes.search.backends owns today's SQL for queries, rebuilds and repairs).
SQLITE = [
    """CREATE VIRTUAL TABLE codes_code_line_fts USING fts5(
        line, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')""",
    r"""CREATE TRIGGER IF NOT EXISTS codes_code_line_fts_insert AFTER INSERT ON codes_code
    BEGIN INSERT INTO codes_code_line_fts(rowid, line) SELECT (min(length(value), 65535) << 44) | (new.id << 12) | key, value FROM json_each('[' || json_quote(new.title) || ',' || replace(json_quote(replace(new.inclusion_terms, char(92), ' ')), '\n', '","') || ']') WHERE value <> '' AND key < 4096; END""",
    r"""CREATE TRIGGER IF NOT EXISTS codes_code_line_fts_delete AFTER DELETE ON codes_code
    BEGIN DELETE FROM codes_code_line_fts WHERE rowid IN (SELECT (min(length(value), 65535) << 44) | (old.id << 12) | key FROM json_each('[' || json_quote(old.title) || ',' || replace(json_quote(replace(old.inclusion_terms, char(92), ' ')), '\n', '","') || ']') WHERE value <> '' AND key < 4096); END""",
    r"""CREATE TRIGGER IF NOT EXISTS codes_code_line_fts_update
    AFTER UPDATE OF title, inclusion_terms ON codes_code
    BEGIN DELETE FROM codes_code_line_fts WHERE rowid IN (SELECT (min(length(value), 65535) << 44) | (old.id << 12) | key FROM json_each('[' || json_quote(old.title) || ',' || replace(json_quote(replace(old.inclusion_terms, char(92), ' ')), '\n', '","') || ']') WHERE value <> '' AND key < 4096); INSERT INTO codes_code_line_fts(rowid, line) SELECT (min(length(value), 65535) << 44) | (new.id << 12) | key, value FROM json_each('[' || json_quote(new.title) || ',' || replace(json_quote(replace(new.inclusion_terms, char(92), ' ')), '\n', '","') || ']') WHERE value <> '' AND key < 4096; END""",
    r"""INSERT INTO codes_code_line_fts(rowid, line) SELECT (min(length(value), 65535) << 44) | (c.id << 12) | key, value FROM codes_code c, json_each('[' || json_quote(c.title) || ',' || replace(json_quote(replace(c.inclusion_terms, char(92), ' ')), '\n', '","') || ']') WHERE value <> '' AND key < 4096""",
    "INSERT INTO codes_code_line_fts(codes_code_line_fts) VALUES ('optimize')",
]

SQLITE_DROP = [
    'DROP TRIGGER codes_code_line_fts_update',
    'DROP TRIGGER codes_code_line_fts_delete',
    'DROP TRIGGER codes_code_line_fts_insert',
    'DROP TABLE codes_code_line_fts',
]

POSTGRESQL = [
    """CREATE TABLE codes_search_line (
        code_id bigint NOT NULL, system_id bigint NOT NULL, active boolean NOT NULL,
        length integer NOT NULL, vector tsvector NOT NULL)""",
    r"""CREATE FUNCTION codes_search_lines(title text, terms text)
    RETURNS TABLE(length int, vector tsvector) LANGUAGE sql STABLE AS $$
        SELECT least(length(line), 65535), to_tsvector('simple', codes_search_words(line))
        FROM unnest(array_prepend(title, string_to_array(terms, E'\n'))) line
        WHERE line <> ''
    $$""",
    """CREATE FUNCTION codes_search_lines_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM codes_search_line WHERE code_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO codes_search_line
                SELECT NEW.id, NEW.system_id, NEW.status <> 'deleted', l.*
                FROM codes_search_lines(NEW.title, NEW.inclusion_terms) l;
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER codes_search_lines_sync
    AFTER INSERT OR DELETE OR UPDATE OF title, inclusion_terms, system_id, status ON codes_code
    FOR EACH ROW EXECUTE FUNCTION codes_search_lines_sync()""",
    """CREATE FUNCTION codes_search_lines_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE codes_search_line;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER codes_search_lines_clear AFTER TRUNCATE ON codes_code
    FOR EACH STATEMENT EXECUTE FUNCTION codes_search_lines_clear()""",
    """INSERT INTO codes_search_line
    SELECT c.id, c.system_id, c.status <> 'deleted', l.*
    FROM codes_code c, codes_search_lines(c.title, c.inclusion_terms) l""",
    """CREATE INDEX codes_search_line_vector ON codes_search_line USING gin (vector)
    WITH (fastupdate = off)""",
    'CREATE INDEX codes_search_line_code ON codes_search_line (code_id)',
]

POSTGRESQL_DROP = [
    'DROP TRIGGER codes_search_lines_clear ON codes_code',
    'DROP FUNCTION codes_search_lines_clear()',
    'DROP TRIGGER codes_search_lines_sync ON codes_code',
    'DROP FUNCTION codes_search_lines_sync()',
    'DROP FUNCTION codes_search_lines(text, text)',
    'DROP TABLE codes_search_line',
]


def _on_vendor(statements_by_vendor):
    """Run the statements for the database's vendor (none on another vendor)."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0010_exports_record_stamp"),
    ]

    # Each title and inclusion term as its own row in the search index.
    operations = [
        migrations.RunPython(
            _on_vendor({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _on_vendor({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
