"""Search results are cached per process under a token the database renews on every committed
change to codes, synonyms and code systems: whoever makes the change, through whichever process,
the next search shows it. Run with real commits (a search inside a transaction is not cached)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from codes.models import Code, CodeSystem, SearchToken, Synonym
from codes.search import search
from tests.admin_forms import code_form_data

pytestmark = pytest.mark.django_db(transaction=True)


def found(query: str) -> list[str]:
    return [hit.code.code for hit in search(query).hits]


def test_a_repeated_search_is_answered_from_the_cache(sample, django_assert_num_queries):
    first = search("csf leak")
    assert first.hits[0].code.code == "G96.00"
    with django_assert_num_queries(1):  # the search token, nothing else
        again = search("csf leak")
    assert [(hit.code.code, hit.highlight) for hit in again.hits] == [
        (hit.code.code, hit.highlight) for hit in first.hits
    ]
    assert again.count == first.count
    # Other arguments are other results.
    assert [hit.code.code for hit in search("csf leak", systems=["cpt"]).hits][0] == "63707"


def test_an_admin_edit_shows_in_the_next_search(editor_client, sample):
    code = Code.objects.get(code="63710")
    assert found("63710") == ["63710"]
    assert found("xenograft") == []
    response = editor_client.post(
        f"/admin/codes/code/{code.pk}/change/",
        code_form_data(code, title=code.title + " with xenograft"),
    )
    assert response.status_code == 302
    assert found("xenograft") == ["63710"]
    assert "xenograft" in search("63710").hits[0].code.title


def test_writes_that_bypass_django_signals_show_in_the_next_search(sample):
    assert found("cerebrospinal fluid leak")[0] == "G96.00"
    Code.objects.filter(code="G96.00").update(status=Code.Status.DELETED)
    assert "G96.00" not in found("cerebrospinal fluid leak")

    assert "L0650" not in found("back corset")
    Synonym.objects.bulk_create([Synonym(term="back corset", meaning="lumbar-sacral orthosis")])
    assert found("back corset")[0] == "L0650"

    assert search("crutches").hits[0].code.get_absolute_url().startswith("/codes/hcpcs/")
    CodeSystem.objects.filter(slug="hcpcs").update(slug="level2")
    assert search("crutches").hits[0].code.get_absolute_url().startswith("/codes/level2/")


def test_a_write_by_another_connection_shows_in_the_next_search(sample):
    """Another app instance, an import run elsewhere, psql: the triggers renew the token."""
    assert search("G96.00").hits[0].code.title.startswith("Cerebrospinal fluid leak")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "UPDATE codes_code SET title = %s WHERE code = %s",
                ["Cerebrospinal fluid leak, renamed elsewhere", "G96.00"],
            )
        if not other.get_autocommit():
            other.commit()
    finally:
        other.close()
    assert search("G96.00").hits[0].code.title == "Cerebrospinal fluid leak, renamed elsewhere"


def test_an_import_shows_in_the_next_search(sample, tmp_path):
    assert found("E0130") == []
    path = tmp_path / "walkers.csv"
    path.write_text('code,title\nE0130,"Walker, rigid"\n')
    call_command("import_codes", str(path), system="hcpcs", partial=True, stdout=io.StringIO())
    assert found("E0130") == ["E0130"]


def test_a_rolled_back_write_leaves_the_token_and_a_search_inside_a_transaction_sees_its_own_write(
    sample,
):
    before = SearchToken.objects.get().token
    assert found("quokka") == []
    with pytest.raises(RuntimeError), transaction.atomic():
        Code.objects.filter(code="63710").update(title="Quokka repair")
        assert connection.in_atomic_block
        assert found("quokka") == ["63710"]  # not cached: nobody else may see it
        raise RuntimeError("rolled back")
    assert SearchToken.objects.get().token == before
    assert found("quokka") == []


def test_the_vocabulary_is_read_once_a_change_and_follows_every_edit(editor_client, sample):
    from django.test.utils import CaptureQueriesContext

    assert search("xenogarft").corrected_query is None  # no such word anywhere yet
    code = Code.objects.get(code="63710")
    response = editor_client.post(
        f"/admin/codes/code/{code.pk}/change/",
        code_form_data(code, title=code.title + " with xenograft"),
    )
    assert response.status_code == 302
    corrected = search("xenogarft")  # the edit's new word is a correction at once
    assert (corrected.corrected_query, corrected.hits[0].code.code) == ("xenograft", "63710")
    with CaptureQueriesContext(connection) as statements:
        assert search("dural grafft").corrected_query == "dural graft"
        assert found("cerebrospin fluid")[0] == "G96.00"
    vocabulary = [s["sql"] for s in statements if "vocab" in s["sql"] or "source <>" in s["sql"]]
    assert vocabulary == []  # kept since the edit: no statement reads it again
