"""Against PostgreSQL: a database outage answers 503 and heals by itself; concurrent editors."""

import os
import subprocess
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connections

from codes.models import BASELINE_REASON, Code, StaleEditError
from codes.services import code_save

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _pg_ctl(*args: str) -> None:
    data = os.environ.get("CODEREF_PG_DATA")
    if not data:
        pytest.skip("needs the throwaway cluster of scripts/with-postgres")
    command = [os.path.join(os.environ["CODEREF_PG_BIN"], "pg_ctl"), "-D", data, "-w", *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def _get(url: str, session: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_database_outage_gives_503_pages_and_heals_without_a_restart(
    live_server, client, coder, sample
):
    client.force_login(coder)
    session = client.cookies["sessionid"].value
    page = f"{live_server.url}/codes/cpt/63709/"
    assert _get(page, session)[0] == 200

    _pg_ctl("-m", "fast", "stop")
    try:
        status, body = _get(f"{live_server.url}/healthz", session)
        assert status == 503
        status, body = _get(page, session)
        assert status == 503
        assert "temporarily unavailable" in body
        assert "Traceback" not in body and "DATABASES" not in body and "SECRET" not in body
    finally:
        socket_dir = os.environ["CODEREF_PG_SOCKET_DIR"]
        port = os.environ["CODEREF_PG_PORT"]
        _pg_ctl(
            "-l",
            os.path.join(socket_dir, "server.log"),
            "-o",
            f"-k {socket_dir} -p {port} -c listen_addresses='' -c fsync=off",
            "start",
        )
        for alias in connections:
            connections[alias].close()

    assert _get(f"{live_server.url}/healthz", session)[0] == 200
    status, body = _get(page, session)
    assert status == 200
    assert "63709" in body


def test_two_editors_saving_at_once_one_wins_one_gets_the_conflict(sample):
    revisions = Code.history.filter(code="63709")
    before = revisions.count()
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []

    def edit(text: str) -> None:
        try:
            code = Code.objects.get(code="63709")
            barrier.wait()
            code.lay_description = text
            code_save(code=code, user=None)
            outcomes.append("saved")
        except StaleEditError:
            outcomes.append("conflict")
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=edit, args=(f"text {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "saved"]
    code = Code.objects.get(code="63709")
    assert code.version == 2
    assert code.lay_description in {"text 1", "text 2"}
    # One new revision, plus the state it came from (the sample has no history of its own).
    assert revisions.exclude(history_change_reason=BASELINE_REASON).count() == before + 1
    assert revisions.filter(history_change_reason=BASELINE_REASON).count() == 1
