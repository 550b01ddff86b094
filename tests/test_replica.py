"""Scaling out: with DATABASE_REPLICA_URL set, search reads the replica and all else the primary.

Run in a subprocess with two real SQLite files, since the database settings are read at start-up.
The replica is made by copying the primary (as replication would), then it alone gets a new code.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The subprocesses use SQLite files whatever the run's database: the PostgreSQL run would repeat it.
pytestmark = pytest.mark.sqlite_only

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import django, json
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username="admin"))
search = client.get("/", {"q": "replicated only"}).content.decode()
page = client.get("/codes/cpt/63711/")
print(json.dumps({"search_finds_it": "63711" in search, "page_status": page.status_code}))
"""


def _manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def test_search_reads_the_replica_and_pages_read_the_primary(tmp_path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_DEBUG="true",
        DJANGO_SETTINGS_MODULE="coderef.settings",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{primary}",
    )
    # One process: migrate, and the user the script signs in as.
    _manage(
        env,
        "shell",
        "-c",
        "from django.core.management import call_command; "
        "from django.contrib.auth import get_user_model; "
        "call_command('migrate', verbosity=0); "
        "get_user_model().objects.create_superuser('admin', '', None)",
    )
    shutil.copy(primary, replica)
    # A write that reached the replica only, as if the primary had lost it.
    _manage(
        {**env, "DATABASE_URL": f"sqlite:///{replica}"},
        "shell",
        "-c",
        "from codes.models import Code, CodeSystem; "
        "Code.objects.create(system=CodeSystem.objects.get(slug='cpt'), code='63711', "
        "title='Replicated only')",
    )
    env["DATABASE_REPLICA_URL"] = f"sqlite:///{replica}"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '{"search_finds_it": true, "page_status": 404}'
