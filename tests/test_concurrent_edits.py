"""Editors writing at the same time as an import or as each other: nobody's text is lost.

A save that cannot get the database (SQLite's write lock, a PostgreSQL row lock) is shown again
with the text kept; the loser of a race sees the winner's changes; synonyms are versioned like
codes and notes; a revert must say which version it was asked from.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test import Client

from codes.forms import ChangeReasonForm, VersionedForm
from codes.models import Code, ComparisonNote, Synonym
from codes.services import code_save, row_save
from tests.admin_forms import code_form_data, note_form_data, synonym_form_data
from tests.marks import plain_marks
from tests.test_hardening import sqlite_connection

BUSY = (
    "An import or another save is holding the database, so nothing was saved. Your text is "
    "still in the form: save again in a moment."
)


def _code_case():
    code = Code.objects.get(code="63709")
    url = f"/admin/codes/code/{code.pk}/change/"
    data = code_form_data(code, lay_description="my careful rewording")
    return code, url, data, "lay_description"


def _note_case():
    note = ComparisonNote.objects.get(code_a__code="63707", code_b__code="63709")
    url = f"/admin/codes/comparisonnote/{note.pk}/change/"
    return note, url, note_form_data(note, summary="my careful rewording"), "summary"


def _synonym_case():
    synonym = Synonym.objects.get(term="CHF")
    url = f"/admin/codes/synonym/{synonym.pk}/change/"
    return synonym, url, synonym_form_data(synonym, meaning="my careful rewording"), "meaning"


CASES = {"code": _code_case, "note": _note_case, "synonym": _synonym_case}


@contextmanager
def file_database(tmp_path: Path, busy_seconds: float) -> Iterator[Path]:
    """This thread's default database, for the block, as a file copy of the test database opened
    with the project's SQLite options (WAL, IMMEDIATE writers) and a short busy timeout: the
    in-memory test database has no file lock for another connection to hold."""
    path = tmp_path / "editing.sqlite3"
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    original = connections["default"]
    copy = sqlite_connection(path, "default")
    copy.settings_dict["OPTIONS"]["timeout"] = busy_seconds
    connections["default"] = copy
    try:
        yield path
    finally:
        copy.close()
        connections["default"] = original


@contextmanager
def sqlite_write_lock_held(path: Path) -> Iterator[None]:
    """Another connection (an import, say) holding SQLite's write lock for the block."""
    connections["holder"] = holder = sqlite_connection(path, "holder")
    try:
        with transaction.atomic(using="holder"), holder.cursor() as cursor:
            cursor.execute("UPDATE codes_searchtoken SET token = token")  # any write
            yield
    finally:
        holder.close()
        del connections["holder"]


@contextmanager
def row_lock_held(obj) -> Iterator[None]:
    """Another PostgreSQL connection (an import, say) holding `obj`'s row lock for the block."""
    default = connections["default"]
    holder = type(default)(dict(default.settings_dict), alias="holder")
    connections["holder"] = holder
    try:
        with transaction.atomic(using="holder"), holder.cursor() as cursor:
            table = obj._meta.db_table
            cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [obj.pk])
            yield
    finally:
        holder.close()
        del connections["holder"]


@pytest.fixture
def another_writer_holding(transactional_db, tmp_path, settings):
    """`another_writer_holding(obj)`: a context in which another connection holds what the
    editor's save of `obj` needs (SQLite's write lock, the row on PostgreSQL), while this
    thread's saves wait for it only a fraction of a second."""
    if connection.vendor == "postgresql":
        settings.EDITOR_LOCK_TIMEOUT_SECONDS = 0.2
        yield row_lock_held
        return
    with file_database(tmp_path, busy_seconds=0.2) as path:
        yield lambda obj: sqlite_write_lock_held(path)


def _stored(obj, field):
    return getattr(type(obj)._default_manager.get(pk=obj.pk), field)


def _edit(code: Code, text: str) -> tuple[str, dict]:
    return f"/admin/codes/code/{code.pk}/change/", code_form_data(code, lay_description=text)


@pytest.mark.parametrize("kind", CASES)
def test_a_save_while_another_writer_holds_the_database_keeps_the_text(
    editor_client, sample, another_writer_holding, kind
):
    obj, url, data, field = CASES[kind]()
    before = _stored(obj, field)
    with another_writer_holding(obj):
        assert editor_client.get(url).status_code == 200  # opening the form waits for nothing
        response = editor_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert BUSY in html.replace("&#x27;", "'")
    assert "my careful rewording" in html  # the editor's text, still in the form
    assert _stored(obj, field) == before

    # Once the other writer is done, the same form saves.
    assert editor_client.post(url, data).status_code == 302
    assert _stored(obj, field) == "my careful rewording"


def test_a_revert_while_another_writer_holds_the_database_is_refused_and_kept(
    editor_client, sample, another_writer_holding
):
    code = Code.objects.get(code="63709")
    original = code.lay_description
    assert editor_client.post(*_edit(code, "A wrong text.")).status_code == 302
    record = code.history.get(version=1)
    url = f"/admin/codes/code/{code.pk}/history/{record.history_id}/"
    with another_writer_holding(code):
        response = editor_client.post(url, {"reason": "undo my slip", "opened_version": 2})
    html = response.content.decode()
    assert response.status_code == 200
    assert "An import or another save is holding the database, so nothing was reverted." in html
    assert 'value="undo my slip"' in html
    assert _stored(code, "lay_description") == "A wrong text."

    response = editor_client.post(url, {"reason": "undo my slip", "opened_version": 2})
    assert response.status_code == 302
    assert _stored(code, "lay_description") == original


def _conflict_shown(response, *, what: str, reason: str, kept: str) -> str:
    """The page of a refused stale save: the conflict with the other save's reason, the
    editor's text (`kept`, as escaped in the page) and the version to save over now."""
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Someone else saved this {what} after you opened it" in html
    assert reason in html
    assert kept in html
    assert 'name="opened_version" value="2"' in html
    return html


def test_the_loser_of_a_race_sees_the_winners_changes_and_keeps_their_text(
    editor_client, sample, monkeypatch
):
    code = Code.objects.get(code="63709")
    url, loser = _edit(code, "the loser's text")
    winner = Code.objects.get(pk=code.pk)
    winner.lay_description = winner.lay_description.replace("sutures", "stitches")
    code_save(code=winner, user=None, reason="the winner's reason")

    # The loser's form was checked before the winner's save landed: the check found the
    # version the loser opened, and only the save itself found it replaced.
    checks, real_clean = [], VersionedForm.clean

    def checked_before_the_winner_saved(form):
        checks.append(form)
        if len(checks) > 1:
            return real_clean(form)
        cleaned = ChangeReasonForm.clean(form)
        form.instance.version = cleaned["opened_version"]
        return cleaned

    monkeypatch.setattr(VersionedForm, "clean", checked_before_the_winner_saved)
    html = _conflict_shown(
        editor_client.post(url, loser),
        what="code",
        reason="the winner&#x27;s reason",
        kept="the loser&#x27;s text</textarea>",
    )
    assert "Changed by someone since you opened version 1" in html
    assert "<del>sutures</del><ins>stitches</ins>" in plain_marks(html)
    assert _stored(code, "version") == 2 and "stitches" in _stored(code, "lay_description")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_admin_saves_at_once_the_loser_gets_the_conflict_box(editor, sample, monkeypatch):
    code = Code.objects.get(code="63709")
    both_checked = threading.Barrier(2, timeout=20)
    real_code_save = code_save

    def save_once_both_forms_are_checked(**kwargs):
        both_checked.wait()
        return real_code_save(**kwargs)

    monkeypatch.setattr("codes.services.code_save", save_once_both_forms_are_checked)
    responses: dict[str, object] = {}

    def edit(text: str) -> None:
        client = Client()
        client.force_login(editor)
        try:
            responses[text] = client.post(*_edit(code, text))
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=edit, args=(text,)) for text in ("text one", "text two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [200, 302]
    (loser_text,) = [text for text, response in responses.items() if response.status_code == 200]
    (winner_text,) = {"text one", "text two"} - {loser_text}
    html = responses[loser_text].content.decode()
    assert "Changed by editor since you opened version 1" in html
    assert f"<ins>{winner_text}</ins>" in plain_marks(html)
    assert f"{loser_text}</textarea>" in html
    assert _stored(code, "lay_description") == winner_text


def test_a_stale_synonym_save_shows_the_other_change_and_keeps_the_text(editor_client, sample):
    synonym = Synonym.objects.get(term="CHF")
    url = f"/admin/codes/synonym/{synonym.pk}/change/"
    opened = synonym_form_data(synonym, meaning="congestive cardiac failure")
    first = Synonym.objects.get(pk=synonym.pk)
    first.meaning = "chronic heart failure"
    row_save(row=first, user=None, reason="first editor's reason")

    _conflict_shown(
        editor_client.post(url, opened),
        what="terminology entry",
        reason="first editor&#x27;s reason",
        kept='value="congestive cardiac failure"',
    )
    assert _stored(synonym, "meaning") == "chronic heart failure"


@pytest.mark.parametrize("kind", ["code", "synonym"])
def test_a_revert_that_does_not_say_its_version_is_refused(editor_client, sample, kind):
    obj, url, data, field = CASES[kind]()
    assert editor_client.post(url, data).status_code == 302
    first = obj.history.order_by("history_date").first()
    revision_url = url.replace("/change/", f"/history/{first.history_id}/")
    response = editor_client.post(revision_url, {"reason": ""})
    assert response.status_code == 200
    assert (
        f"This revert does not say which version of the {obj._meta.verbose_name} you were "
        "looking at" in response.content.decode()
    )
    assert _stored(obj, field) == "my careful rewording"


def test_a_database_that_is_gone_is_still_a_503_not_a_busy_message(editor_client, sample):
    code = Code.objects.get(code="63709")
    editor_client.raise_request_exception = False  # answered as a browser would see it
    with mock.patch("codes.services.code_save", side_effect=OperationalError("server closed")):
        response = editor_client.post(*_edit(code, "my careful rewording"))
    assert response.status_code == 503
    assert "holding the database" not in response.content.decode()
