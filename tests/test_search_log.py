"""Writes on a read request's path (a search that found nothing, a recent code) never hold up
or fail the page that asked."""

import sqlite3
import time

import psycopg
import pytest
from django.db import OperationalError, connection

from codes import favourites
from codes.models import RecentCode, ZeroResultQuery
from codes.services import read_path, search_log


def test_a_busy_database_skips_the_count_and_the_search_still_answers(
    coder_client, sample, monkeypatch
):
    def busy(query: str) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(search_log, "_count", busy)
    response = coder_client.get("/", {"q": "xylophone"})
    assert response.status_code == 200
    assert "xylophone" in response.content.decode()
    assert response.context["result"].count == 0
    assert not ZeroResultQuery.objects.exists()


@pytest.mark.postgres_only
def test_a_locked_log_table_costs_the_search_a_brief_wait_not_a_failure(coder_client, sample):
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        # Another session holds the table (as a long import's transaction could hold its rows).
        other.execute("LOCK TABLE codes_zeroresultquery IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = coder_client.get("/", {"q": "xylophone"})
        waited = time.monotonic() - started
        other.rollback()
    assert response.status_code == 200
    assert response.context["result"].count == 0
    assert waited < read_path.BUSY_WAIT_MS / 1000 + 3
    # The count was skipped; the next search that finds nothing is counted again.
    coder_client.get("/", {"q": "xylophone"})
    assert ZeroResultQuery.objects.get(query="xylophone").count == 1


def test_a_busy_database_skips_the_recent_code_and_the_code_page_still_opens(
    coder_client, sample, monkeypatch
):
    def busy(user, code) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(favourites, "_recent_code_write", busy)
    response = coder_client.get("/codes/cpt/63709/")
    assert response.status_code == 200
    assert "63709" in response.content.decode()
    assert not RecentCode.objects.exists()


@pytest.mark.sqlite_only
@pytest.mark.django_db(transaction=True)
def test_while_another_process_holds_sqlites_write_lock_pages_open_and_skip_their_writes(
    coder, sample
):
    """An import (or any writer) holding the write lock makes BEGIN IMMEDIATE itself wait: the
    code page and a search that finds nothing wait briefly, skip their writes and answer 200."""
    from django.test import Client

    client = Client()
    client.force_login(coder)
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # the write lock, as an import's transaction holds it
        started = time.monotonic()
        code_page = client.get("/codes/cpt/63709/")
        search = client.get("/", {"q": "xylophone"})
        waited = time.monotonic() - started
    finally:
        other.rollback()
        other.close()
    assert code_page.status_code == 200 and "63709" in code_page.content.decode()
    assert search.status_code == 200 and search.context["result"].count == 0
    assert waited < 2 * read_path.BUSY_WAIT_MS / 1000 + 2
    assert not RecentCode.objects.exists() and not ZeroResultQuery.objects.exists()
    client.get("/codes/cpt/63709/")  # the lock gone, the next opening is recorded
    assert RecentCode.objects.filter(user=coder, code__code="63709").exists()
