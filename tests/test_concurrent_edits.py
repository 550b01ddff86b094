"""Editors writing at the same time as an import or as each other: nobody's text is lost.

A save that cannot get the database (SQLite's write lock, a PostgreSQL row lock) is shown again
with the text kept; the loser of a race sees the winner's changes; synonyms are versioned like
codes and notes; a revert must say which version it was asked from.
"""

import threading

import pytest
from django.db import connections
from django.test import Client

from codes.forms import ChangeReasonForm, VersionedForm
from codes.models import Code, Synonym
from codes.services import code_save, row_save
from tests.admin_forms import code_form_data, synonym_form_data
from tests.marks import plain_marks


def _code_case():
    code = Code.objects.get(code="63709")
    url = f"/admin/codes/code/{code.pk}/change/"
    data = code_form_data(code, lay_description="my careful rewording")
    return code, url, data, "lay_description"


def _synonym_case():
    synonym = Synonym.objects.get(term="CHF")
    url = f"/admin/codes/synonym/{synonym.pk}/change/"
    return synonym, url, synonym_form_data(synonym, meaning="my careful rewording"), "meaning"


CASES = {"code": _code_case, "synonym": _synonym_case}


def _stored(obj, field):
    return getattr(type(obj)._default_manager.get(pk=obj.pk), field)


def _edit(code: Code, text: str) -> tuple[str, dict]:
    return f"/admin/codes/code/{code.pk}/change/", code_form_data(code, lay_description=text)


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
    response = editor_client.post(url, loser)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this code after you opened it" in html
    assert "Changed by someone since you opened version 1" in html
    assert "the winner&#x27;s reason" in html
    assert "<del>sutures</del><ins>stitches</ins>" in plain_marks(html)
    assert "the loser&#x27;s text</textarea>" in html
    assert 'name="opened_version" value="2"' in html
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

    response = editor_client.post(url, opened)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this synonym after you opened it" in html
    assert "first editor&#x27;s reason" in html
    assert 'value="congestive cardiac failure"' in html
    assert _stored(synonym, "meaning") == "chronic heart failure"
    assert 'name="opened_version" value="2"' in html


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
