"""The migrations on a database of their own, as a deployment runs them: every migration on an empty
database, and a database built at an earlier release's last migration brought forward. Each
runs in a fresh Python process (`manage.py migrate` does), against the suite's database server.
"""

import ast
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

# codes 0012_search_token was the last migration when this test was written; databases built
# there must keep their codes searchable whatever later migrations change.
EARLIER_RELEASE = "0012_search_token"

SEARCH = """
from codes.search import search
print(json.dumps([hit.code.code for hit in search(sys.argv[1]).hits]))
"""

MIGRATE_ALL = (
    """
call_command("migrate", verbosity=0)
from codes.models import Code, CodeSystem
Code.objects.create(
    system=CodeSystem.objects.get(slug="hcpcs"),
    code="E0999",
    title="Quokka-shaped walking frame",
    section_path="E0100-E9999",
)
"""
    + SEARCH
)

MIGRATE_FROM_EARLIER = (
    """
from django.db.migrations.executor import MigrationExecutor
call_command("migrate", "codes", sys.argv[2], verbosity=0)
state = MigrationExecutor(connection).loader.project_state(("codes", sys.argv[2]))
Code = state.apps.get_model("codes", "Code")
CodeSystem = state.apps.get_model("codes", "CodeSystem")
Code.objects.create(
    system=CodeSystem.objects.get(slug="hcpcs"),
    code="E0999",
    title="Quokka-shaped walking frame",
    section_path="E0100-E9999",
)
call_command("migrate", verbosity=0)
"""
    + SEARCH
)

PRELUDE = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
"""


@pytest.fixture
def fresh_database_url(tmp_path):
    """The URL of a new, empty database on the suite's database server (a file for SQLite)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    server = os.environ["DATABASE_URL"]
    name = f"coderef_migrations_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _run(script: str, database_url: str, *args: str) -> list[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "coderef.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + script, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_empty_database_migrates_from_zero_and_searches(fresh_database_url):
    assert _run(MIGRATE_ALL, fresh_database_url, "quokka frame") == ["E0999"]


def test_a_database_of_the_earlier_release_migrates_forward_and_its_codes_are_found(
    fresh_database_url,
):
    found = _run(MIGRATE_FROM_EARLIER, fresh_database_url, "quokka frame", EARLIER_RELEASE)
    assert found == ["E0999"]


def test_no_migration_imports_code_that_can_change():
    """Migrations carry their SQL and data as literals: importing codes.* (search SQL, roles)
    would make an old migration do what today's code says."""
    migrations_dir = Path(__file__).resolve().parent.parent / "codes" / "migrations"
    for path in sorted(migrations_dir.glob("0*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(name.split(".")[0] == "codes" for name in names), path.name
