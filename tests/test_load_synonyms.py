"""manage.py load_synonyms: the starter list goes in once, beside the editors' own synonyms."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from codes.management.commands.load_synonyms import STARTER_LIST, read_synonyms
from codes.models import Synonym
from codes.search import search


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
