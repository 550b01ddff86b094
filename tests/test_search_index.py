"""The search index follows every save and delete, and can be rebuilt."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from codes.models import Code, SearchToken, Synonym
from codes.search import search
from codes.search.backends.sqlite import FTS5
from codes.search.concepts import concepts_for
from codes.search.query import parse
from codes.services.rows import rows_insert_with_history
from tests.admin_forms import code_form_data


def found(query: str) -> list[str]:
    return [hit.code.code for hit in search(query).hits]


def test_an_admin_edit_is_found_at_once_and_a_deleted_code_is_gone(editor_client, sample):
    code = Code.objects.get(code="63710")
    assert found("xenograft") == []
    response = editor_client.post(
        f"/admin/codes/code/{code.pk}/change/",
        code_form_data(code, lay_description="A bovine xenograft patch sewn into the dura."),
    )
    assert response.status_code == 302
    assert found("xenograft") == ["63710"]
    assert "63710" not in found("manufactured substitute")  # the old words left the index

    response = editor_client.post(f"/admin/codes/code/{code.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Code.objects.filter(pk=code.pk).exists()
    assert found("xenograft") == []
    assert found("63710") == []


def test_titles_terms_and_bulk_updates_are_indexed(sample):
    code = Code.objects.create(
        system_id=2, code="E0130", title="Walker, rigid", inclusion_terms="Zimmer frame"
    )
    assert found("zimmer frame")[0] == "E0130"
    Code.objects.filter(pk=code.pk).update(title="Walker, rigid, adjustable or fixed height")
    assert found("adjustable height walker")[0] == "E0130"
    Code.objects.filter(pk=code.pk).delete()
    assert found("zimmer") == []


def test_codes_an_import_inserts_in_one_statement_are_indexed_like_one_saved(sample):
    codes = [
        Code(
            system_id=2, code=f"E01{n}", title=f"Quokka walker {n}", inclusion_terms="Wombat frame"
        )
        for n in (40, 41, 42)
    ]
    rows_insert_with_history(rows=codes, reason="import test", when=timezone.now())
    assert sorted(found("wombat frame")[:3]) == ["E0140", "E0141", "E0142"]
    assert search("quoka").corrected_query == "quokka"


def test_an_import_s_new_codes_are_found_and_codes_saved_after_it_are_indexed(db, tmp_path):
    release = tmp_path / "hcpcs.csv"
    rows = "".join(f"E01{n},Quokka walker {n},Wombat frame numbat {n}\n" for n in range(40, 60))
    release.write_text("code,title,descriptor\n" + rows)
    call_command("import_codes", str(release), system="hcpcs", stdout=io.StringIO())
    assert found("quokka walker 47")[0] == "E0147"  # the title's line
    assert found("numbat 51")[0] == "E0151"  # the descriptor
    assert len(search("wombat frame", limit=50).hits) == 20
    assert search("quoka").corrected_query == "quokka"
    # The sync triggers are back: a code saved after the import is indexed, and an edit too.
    Code.objects.create(system_id=2, code="E0160", title="Bilby walker")
    Code.objects.filter(code="E0140").update(title="Dunnart walker")
    assert found("bilby") == ["E0160"]
    assert found("dunnart") == ["E0140"]


def _pending_entries() -> list[int]:
    """The entries waiting in the pending list of each search GIN index (pgstattuple)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        cursor.execute(
            "SELECT (pgstatginindex(%s)).pending_tuples, (pgstatginindex(%s)).pending_tuples",
            ["codes_code_search_vector", "codes_search_line_vector"],
        )
        return list(cursor.fetchone())


@pytest.mark.postgres_only
def test_an_import_leaves_no_search_entries_waiting_in_a_pending_list(db, tmp_path):
    release = tmp_path / "hcpcs.csv"
    rows = "".join(f"E02{n},Potoroo walker {n},Bettong frame {n}\n" for n in range(10, 90))
    release.write_text("code,title,descriptor\n" + rows)
    call_command("import_codes", str(release), system="hcpcs", stdout=io.StringIO())
    assert _pending_entries() == [0, 0]
    assert len(search("bettong frame", limit=100).hits) == 80
    # An edit's entries wait in the pending lists (fastupdate, migration 0021) until merged.
    Code.objects.create(system_id=2, code="E0290", title="Quoll walker")
    assert all(_pending_entries())
    assert found("quoll") == ["E0290"]


def test_a_code_marked_deleted_leaves_the_results_at_once(sample):
    assert found("cerebrospinal fluid leak")[0] == "G96.00"
    Code.objects.filter(code="G96.00").update(status=Code.Status.DELETED)
    assert "G96.00" not in found("cerebrospinal fluid leak")
    deleted_too = search("cerebrospinal fluid leak", include_deleted=True).hits
    assert deleted_too[0].code.code == "G96.00"
    Code.objects.filter(code="G96.00").update(status=Code.Status.ACTIVE)
    assert found("cerebrospinal fluid leak")[0] == "G96.00"


def test_a_new_synonym_works_at_once(sample):
    assert "L0650" not in found("back corset")
    Synonym.objects.create(term="back corset", meaning="lumbar-sacral orthosis")
    assert found("back corset")[0] == "L0650"


def _break_the_index():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM codes_code_fts")
            cursor.execute("DELETE FROM codes_code_line_fts")
        else:
            cursor.execute("UPDATE codes_code SET search_vector = NULL")
            cursor.execute("TRUNCATE codes_search_line")


def test_rebuild_search_index_restores_a_broken_index(sample, capsys):
    _break_the_index()
    assert found("csf leak") == []
    call_command("rebuild_search_index")
    assert "Search index rebuilt: 61 codes." in capsys.readouterr().out
    assert found("csf leak")[0] == "G96.00"
    assert found("lamnectomy")[0] == "63709"  # the typo vocabulary too


@pytest.mark.sqlite_only
def test_sync_triggers_dropped_by_a_table_remake_come_back_after_migrate(sample):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER codes_code_fts_update")
        cursor.execute("DROP TRIGGER codes_code_search_token_update")
    call_command("migrate", verbosity=0)  # post_migrate puts the triggers back
    before = SearchToken.objects.get().token
    Code.objects.filter(code="63710").update(lay_description="A pericardial patch.")
    assert found("pericardial") == ["63710"]
    assert SearchToken.objects.get().token != before  # cached results are left behind


def test_a_correction_is_offered_only_when_it_finds_something(sample):
    code = Code.objects.create(system_id=2, code="E0135", title="Zimmer walker")
    assert search("zimmr").corrected_query == "zimmer"
    code.delete()  # PostgreSQL's typo vocabulary still holds `zimmer` until a rebuild
    result = search("zimmr")
    assert (result.corrected_query, result.hits) == (None, [])


def _vocabulary_starting(vocabulary: list[str]):
    return lambda prefix: [word for word in sorted(vocabulary) if word.startswith(prefix)][:40]


def test_a_word_still_being_typed_is_asked_for_by_its_completions_when_they_are_few():
    vocabulary = ["laminectomy", "laminotomy", "lamina", "leak", "fluid"]
    vocabulary += [f"open{n:02}" for n in range(45)]
    starting = _vocabulary_starting(vocabulary)
    (csf, lam) = concepts_for(parse("csf lami").terms, [], starting)
    # `lami` is being typed: the index is asked for the three words starting so, by name.
    text = FTS5.text([lam], every=True)
    assert '"laminectomy"' in text and '"laminotomy"' in text and "*" not in text
    assert '"lamina"' in text and '"leak"' not in text
    # A start with more words than are read (45 start `open`) is asked for as a prefix.
    (opens,) = concepts_for(parse("open").terms, [], starting)
    assert FTS5.text([opens], every=True).endswith('"open"*)')


@pytest.mark.django_db
def test_a_word_still_being_typed_finds_what_its_prefix_found(sample):
    typed = search("repair of dural csf lea").hits
    assert typed and typed[0].code.code == search("repair of dural csf leak").hits[0].code.code


def _hcpcs_release(tmp_path, label: str, title: str) -> None:
    """An HCPCS release of E0140-E0159 with these titles, imported."""
    release = tmp_path / f"hcpcs-{label}.csv"
    rows = "".join(f"E01{n},{title} {n},Frame {n}\n" for n in range(40, 60))
    release.write_text("code,title,descriptor\n" + rows)
    call_command("import_codes", str(release), system="hcpcs", release=label, stdout=io.StringIO())


def _statements_of(work) -> list[str]:
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        work()
    return statements


@pytest.mark.sqlite_only
def test_a_release_of_many_revisions_merges_the_full_text_segments_it_left(
    db, tmp_path, monkeypatch
):
    monkeypatch.setattr("codes.search.backends.sqlite.TIDY_AFTER", 20)
    _hcpcs_release(tmp_path, "2019", "Quokka walker")
    # 20 revisions: as many as TIDY_AFTER (here), so the index is merged after them.
    written = _statements_of(lambda: _hcpcs_release(tmp_path, "2020", "Dunnart walker"))
    assert sum("VALUES ('optimize')" in sql for sql in written) == 2
    assert found("dunnart walker 47")[0] == "E0147"
    assert not search("quokka").hits
    # Fewer revisions than that: no merge (each revision is indexed as it is written).
    monkeypatch.setattr("codes.search.backends.sqlite.TIDY_AFTER", 21)
    written = _statements_of(lambda: _hcpcs_release(tmp_path, "2021", "Bilby walker"))
    assert not any("'optimize'" in sql for sql in written)
    assert found("bilby walker 51")[0] == "E0151"


@pytest.mark.postgres_only
def test_a_release_of_many_revisions_leaves_no_search_entries_waiting(db, tmp_path, monkeypatch):
    monkeypatch.setattr("codes.search.backends.postgres.TIDY_AFTER", 20)
    _hcpcs_release(tmp_path, "2019", "Quokka walker")
    _hcpcs_release(tmp_path, "2020", "Dunnart walker")
    assert _pending_entries() == [0, 0]
    assert found("dunnart walker 47")[0] == "E0147"
    assert not search("quokka").hits


def test_a_lone_letter_typed_last_is_a_word_not_the_start_of_one():
    for typed in ("hep C", "hep c", "HEP C"):
        terms = parse(typed).terms
        assert [(term.words, term.prefix) for term in terms] == [(("hep",), False), (("c",), False)]
    assert [term.words for term in parse("vitamin d").terms] == [("vitamin",), ("d",)]
    # A word typed last is still being typed: it finds the words it starts.
    assert parse("csf le").terms[-1].prefix


def test_an_abbreviation_typed_in_the_plural_is_the_abbreviation():
    assert [term.words for term in parse("UTIs").terms] == [("uti",)]
    assert [term.words for term in parse("hx of CVA's").terms] == [("hx",), ("of",), ("cva",)]
    # Not a word in small letters, nor one typed all in capitals: `ulcers`, `ICD10 CODES`.
    assert [term.words for term in parse("ulcers").terms] == [("ulcers",)]
    assert [term.words for term in parse("CODES").terms] == [("codes",)]
