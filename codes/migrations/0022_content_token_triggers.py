from django.db import migrations

# The token of 0012 (codes_searchtoken) becomes the content token: besides codes, synonyms and code
# systems, a committed change to comparison notes, their differentiators or the codebook's
# reference data renews it, and pages and the API cache what they show under it (codes.cache).
# Each codebook import replaces its rows of one of these tables (codes.codebook.store); the tables
# that depend on them (Tabular notes and 7th characters, MS-DRG diagnoses, collections and
# procedures) are only ever replaced with them, so their own writes need no trigger.
# The SQL this migration runs, frozen as it was written, as 0012's.
TABLES = [
    "codes_comparisonnote",
    "codes_differentiator",
    "codes_tabularlevel",
    "codes_pcsvalue",
    "codes_msdrgversion",
    "codes_hccmapping",
    "codes_hcpcsfacts",
]
EVENTS = ["insert", "update", "delete"]


def token_triggers(tables):
    """(forward, backward) RunPython functions: triggers on `tables` that renew the content token
    on every committed change (0027 uses them for the release tables)."""
    sqlite = [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_content_token_{event} AFTER {event.upper()} ON {table}
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END"""
        for table in tables
        for event in EVENTS
    ]
    sqlite_drop = [
        f"DROP TRIGGER IF EXISTS {table}_content_token_{event}" for table in tables for event in EVENTS
    ]
    # 0012's function renews the token once per transaction, at commit (deferred constraint
    # triggers).
    postgresql = [
        f"""CREATE CONSTRAINT TRIGGER {table}_content_token
        AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION codes_search_token_renew()"""
        for table in tables
    ]
    postgresql_drop = [f"DROP TRIGGER {table}_content_token ON {table}" for table in tables]
    return (
        _on_vendor({"sqlite": sqlite, "postgresql": postgresql}),
        _on_vendor({"sqlite": sqlite_drop, "postgresql": postgresql_drop}),
    )


def _on_vendor(statements_by_vendor):
    """Run the statements for the database's vendor (none on another vendor)."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0021_search_index_pending_list"),
    ]

    operations = [migrations.RunPython(*token_triggers(TABLES))]
