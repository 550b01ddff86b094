"""Login throttling behind the TLS proxy, password reset only with mail, admin filters that
no database can read, SQLite writers that wait."""

import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import override_settings

from tests.conftest import PASSWORD

PROXY = "10.0.0.5"


def bad_logins(client, count: int, **headers: str) -> int:
    status = 0
    for _ in range(count):
        response = client.post(
            "/accounts/login/", {"username": "coder", "password": "wrong"}, **headers
        )
        status = response.status_code
    return status


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_the_proxy_a_lockout_keys_on_the_real_client_address(client, coder):
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert bad_logins(client, settings.AXES_FAILURE_LIMIT, **attacker) == 429
    # The same user from another client behind the same proxy still logs in.
    response = client.post(
        "/accounts/login/",
        {"username": "coder", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302
    # The attacker, whatever it writes in front of the proxy's entry, stays locked out.
    response = client.post(
        "/accounts/login/",
        {"username": "coder", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.9",
    )
    assert response.status_code == 429


def test_a_forwarded_address_from_an_untrusted_sender_is_ignored(client, coder):
    # No trusted proxy configured: X-Forwarded-For is the client's own word, not believed.
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "coder", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "coder", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_password_reset_pages_are_not_there_without_mail(client):
    assert not settings.PASSWORD_RESET_ENABLED
    response = client.get("/accounts/password_reset/")
    assert response.status_code == 404
    response = client.post("/accounts/password_reset/", {"email": "coder@example.org"})
    assert response.status_code == 404
    assert client.get("/accounts/login/").status_code == 200


def sqlite_connection(path: Path, alias: str) -> DatabaseWrapper:
    """A connection to `path` with the project's SQLite options (settings.DATABASES)."""
    options = settings.DATABASES["default"]["OPTIONS"]
    return DatabaseWrapper(
        {
            **settings.DATABASES["default"],
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {**options},
        },
        alias=alias,
    )


@pytest.mark.sqlite_only
def test_sqlite_write_transactions_begin_immediate_and_wait_for_the_lock(
    tmp_path, django_db_blocker
):
    with django_db_blocker.unblock():
        two_editors_save_at_once(tmp_path)


def two_editors_save_at_once(tmp_path: Path) -> None:
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    path = tmp_path / "two-editors.sqlite3"
    holding, failures = threading.Event(), []

    def first_editor() -> None:
        # Connections belong to their thread: this one is made and registered here.
        connections["first"] = first = sqlite_connection(path, "first")
        try:
            with transaction.atomic(using="first"), first.cursor() as cursor:
                cursor.execute("UPDATE code SET title = 'first', version = 2 WHERE id = 1")
                holding.set()
                time.sleep(0.5)
        except OperationalError as exc:
            failures.append(exc)
        finally:
            first.close()
            del connections["first"]

    connections["second"] = second = sqlite_connection(path, "second")
    try:
        with second.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE code (id integer primary key, title text, version integer)"
            )
            cursor.execute("INSERT INTO code VALUES (1, 'old', 1)")
        thread = threading.Thread(target=first_editor)
        thread.start()
        assert holding.wait(5)
        # The second editor's save starts while the first holds the write lock: it waits for
        # the lock instead of failing with "database is locked", then finds version 2.
        try:
            with transaction.atomic(using="second"), second.cursor() as cursor:
                cursor.execute("SELECT version FROM code WHERE id = 1")
                (version,) = cursor.fetchone()
                cursor.execute(
                    "UPDATE code SET title = 'second', version = 3 WHERE id = 1 AND version = 2"
                )
                saved = cursor.rowcount
        except OperationalError as exc:
            failures.append(exc)
        thread.join()
    finally:
        second.close()
        del connections["second"]
    assert not failures, f"a writer failed instead of waiting: {failures}"
    assert version == 2 and saved == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/admin/codes/zeroresultquery/?last_seen__year=99999999999999999999999", "not a year"),
        (
            "/admin/codes/zeroresultquery/?last_seen__year=2026&last_seen__month=99999999999",
            "not a month",
        ),
        ("/admin/codes/zeroresultquery/?last_seen__year=2026&last_seen__month=13", "not a month"),
        ("/admin/codes/code/?status=a%00b", "NUL character"),
        ("/admin/codes/code/?q=a%00b", "NUL character"),
        (
            "/admin/autocomplete/?term=a%00b&app_label=codes&model_name=comparisonnote"
            "&field_name=code_a",
            "NUL character",
        ),
    ],
)
def test_an_admin_filter_no_database_can_read_is_a_400(admin_client, sample, url, message):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_real_date_filter_still_works(admin_client, sample):
    response = admin_client.get("/admin/codes/zeroresultquery/?last_seen__year=2026")
    assert response.status_code == 200
