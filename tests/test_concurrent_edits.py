"""Editors writing at the same time as an import or as each other: nobody's text is lost.

A save that cannot get the database (SQLite's write lock, a PostgreSQL row lock) is shown again
with the text kept; the loser of a race sees the winner's changes; synonyms are versioned like
codes and notes; a revert must say which version it was asked from.
"""

import pytest

from codes.models import Code, Synonym
from codes.services import row_save
from tests.admin_forms import code_form_data, synonym_form_data


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
