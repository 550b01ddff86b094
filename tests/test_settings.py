import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_production_without_a_secret_key_fails_with_one_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "coderef: DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
        "(set DJANGO_DEBUG=true for local development)."
    ]


def test_bootstrap_local_is_idempotent(db, capsys):
    from django.core.management import call_command

    from codes.models import Code

    call_command("bootstrap_local")
    first = capsys.readouterr().out
    count = Code.objects.count()
    call_command("bootstrap_local")
    second = capsys.readouterr().out
    assert "Created local admin user" in first and "password" in first
    assert "already holds codes" in second
    assert Code.objects.count() == count > 50
