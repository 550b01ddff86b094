"""manage.py load_synonyms: the starter list goes in once, beside the editors' own synonyms."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from codes.management.commands.load_synonyms import (
    STARTER_LIST,
    TERMINOLOGY_STARTER,
    read_synonyms,
)
from codes.models import Synonym
from codes.search import search
from codes.services import Entry, row_save, synonyms_add_missing


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_synonyms", *args, stdout=out)
    return out.getvalue()


def test_the_starter_list_loads_once_with_a_history_reason(db):
    rows = read_synonyms(STARTER_LIST)
    assert len(rows) >= 80
    assert f"{len(rows)} added from synonyms.csv, 0 already there" in load()
    assert Synonym.objects.count() == len(rows)  # no pair listed twice
    copd = Synonym.objects.get(term="COPD")
    assert copd.meaning == "chronic obstructive pulmonary disease"
    assert copd.history.get().history_change_reason == "load_synonyms synonyms.csv"

    assert f"0 added from synonyms.csv, {len(rows)} already there" in load()
    assert Synonym.objects.count() == len(rows)


def test_editors_synonyms_are_neither_changed_nor_duplicated_nor_deleted(db):
    theirs = Synonym.objects.create(term="copd", meaning="Chronic Obstructive Pulmonary Disease")
    reversed_pair = Synonym.objects.create(term="urinary tract infection", meaning="UTI")
    own = Synonym.objects.create(term="copd", meaning="chronic obstructive lung disease")
    local = Synonym.objects.create(term="SNF stay", meaning="skilled nursing facility")
    load()
    for synonym in (theirs, reversed_pair, own, local):
        stored = Synonym.objects.get(pk=synonym.pk)
        assert (stored.term, stored.meaning) == (synonym.term, synonym.meaning)
    assert Synonym.objects.filter(term__iexact="copd").count() == 2
    assert not Synonym.objects.filter(term="UTI").exists()


def test_a_starter_abbreviation_finds_its_code(sample):
    # `sample` loads the starter list: COPD comes from it, not from the sample fixture.
    assert search("copd").hits[0].code.code == "J44.9"
    Synonym.objects.filter(term="COPD").delete()
    assert "J44.9" not in [hit.code.code for hit in search("copd").hits]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("code,title\nCOPD,chronic obstructive pulmonary disease\n", "header `term,meaning`"),
        ("term,meaning\nCOPD,chronic,obstructive\n", "line 2: expected 2 columns, found 3"),
        ("term,meaning\nCHF,congestive heart failure\nUTI, \n", "line 3: the meaning has no words"),
        ("term,meaning\nfx,FX\n", "line 2: 'fx' would mean itself"),
        (f"term,meaning\n{'x' * 101},long\n", "line 2: the term is longer than 100 characters"),
    ],
)
def test_a_bad_file_names_the_line_and_writes_nothing(db, tmp_path, content, reason):
    path = tmp_path / "mine.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(reason)):
        load(str(path))
    assert not Synonym.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(db, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("term,meaning\nSjögren,sicca syndrome\n".encode("latin-1"))
    with pytest.raises(CommandError, match="cannot read it as UTF-8"):
        load(str(path))


def write(path, *rows: str) -> str:
    path.write_text("\n".join(["term,meaning", *rows]) + "\n", encoding="utf-8")
    return str(path)


NSTEMI, AKI, LBP = (
    "NSTEMI,non-ST elevation myocardial infarction",
    "AKI,acute kidney injury",
    "LBP,low back pain",
)


def test_an_entry_the_file_no_longer_holds_is_switched_off_unless_an_editor_changed_it(
    db, tmp_path, django_user_model
):
    mine = tmp_path / "mine.csv"
    load(write(mine, NSTEMI, AKI, LBP))
    load(write(tmp_path / "other.csv", "ARF,acute renal failure"))
    editor = django_user_model.objects.create(username="editor")
    row_save(row=Synonym.objects.get(term="AKI"), user=editor, reason="ours", fields=["note"])

    out = load(write(mine, LBP))
    assert "0 added from mine.csv, 1 already there. 1 switched off: no longer in the list." in out
    enabled = dict(Synonym.objects.values_list("term", "enabled"))
    assert enabled == {"NSTEMI": False, "AKI": True, "LBP": True, "ARF": True}
    nstemi = Synonym.objects.get(term="NSTEMI")
    reason = nstemi.history.latest().history_change_reason
    assert reason == "load_synonyms: no longer in mine.csv"

    lbp = Synonym.objects.get(term="LBP")
    lbp.enabled = False
    row_save(row=lbp, user=editor, reason="not for us", fields=["enabled"])
    out = load(write(mine, LBP, NSTEMI))
    assert "0 added from mine.csv, 2 already there. 1 switched on again: in the list again." in out
    enabled = dict(Synonym.objects.values_list("term", "enabled"))
    assert enabled == {"NSTEMI": True, "AKI": True, "LBP": False, "ARF": True}
    assert nstemi.history.count() == 3  # written, switched off, switched on again
    assert "switched" not in load(write(mine, LBP, NSTEMI))


def test_the_starter_list_switches_off_its_own_entries_it_replaced(db):
    old = [Entry("synonym", "TKA", "replacement knee joint")]
    synonyms_add_missing(entries=old, source="starter", reason="load_synonyms synonyms.csv")
    # As migration 0018 recorded an entry the starter list wrote before it.
    synonyms_add_missing(
        entries=[Entry("synonym", "THA", "replacement hip joint")],
        source="import",
        source_file="synonyms.csv",
        reason="load_synonyms synonyms.csv",
    )
    own = Synonym.objects.create(term="TKA", meaning="knee replacement")  # an editor's own
    out = load(str(TERMINOLOGY_STARTER))
    assert "2 switched off: no longer in the list." in out
    assert not Synonym.objects.get(term="TKA", meaning="replacement knee joint").enabled
    assert not Synonym.objects.get(term="THA", meaning="replacement hip joint").enabled
    assert Synonym.objects.get(pk=own.pk).enabled
    replaced = Synonym.objects.get(
        term="TKA", meaning="replacement knee joint synthetic substitute"
    )
    assert replaced.enabled
    assert "switched" not in load()  # synonyms.csv, the other half of the starter list
