from django.db import migrations

# Releases and their changes show on code pages (the timeline, the release in force as of a day):
# a committed change to them renews the content token (0012, 0022) like one to codes. A release
# import writes codes too, but a historical one may add only its release and changes.
# The SQL this migration runs, frozen as it was written, as 0022's.
TABLES = ["codes_release", "codes_releasecode"]
EVENTS = ["insert", "update", "delete"]

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_content_token_{event} AFTER {event.upper()} ON {table}
    BEGIN INSERT OR REPLACE INTO codes_searchtoken (id, token) VALUES (1, random()); END"""
    for table in TABLES
    for event in EVENTS
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_content_token_{event}" for table in TABLES for event in EVENTS
]
POSTGRESQL = [
    f"""CREATE CONSTRAINT TRIGGER {table}_content_token
        AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION codes_search_token_renew()"""
    for table in TABLES
]
POSTGRESQL_DROP = [f"DROP TRIGGER {table}_content_token ON {table}" for table in TABLES]


def _on_vendor(statements_by_vendor):
    """Run the statements for the database's vendor (none on another vendor)."""

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0026_releases"),
    ]

    operations = [
        migrations.RunPython(
            _on_vendor({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _on_vendor({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
