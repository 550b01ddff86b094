"""The comparison's "what it does to the claim" block: page, /api/compare and every export."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.codebook import claim_data, pcs_db, pcs_table, tabular  # noqa: F401 (fixtures)

PAIR = "codes=E11.52,E11.65"


@pytest.fixture
def data(tabular, claim_data):  # noqa: F811
    """A CC code (E11.52) and a code that is neither (E11.65), with MS-DRG and HCC data."""


def test_the_comparison_of_a_cc_and_a_non_cc_code_marks_the_difference(coder_client, data):
    html = coder_client.get(f"/compare/?{PAIR}").content.decode()
    block = html[html.index('class="card claim-block"') :]
    block = block[: block.index("</section>")]
    assert (
        '<tr class="differs"><th scope="row">CC/MCC (MS-DRG v43.1)</th><td>CC</td>'
        '<td><ins><span class="visually-hidden">differs from E11.52: </span>neither</ins></td>'
    ) in block
    assert '<tr><th scope="row">Billable</th><td>yes</td><td>yes</td></tr>' in block
    assert "HCC V28 2026</th><td>HCC 37 Diabetes with Chronic Complications</td>" in block


def test_api_compare_carries_the_claim_block(coder_client, data):
    claim = coder_client.get(f"/api/compare?{PAIR}").json()["claim"]
    row = next(row for row in claim if row["label"] == "CC/MCC (MS-DRG v43.1)")
    assert row == {
        "label": "CC/MCC (MS-DRG v43.1)",
        "values": ["CC", "neither"],
        "differs": True,
        "differs_from_first": [False, True],
    }


@pytest.fixture
def export(client, auditor, data):
    client.force_login(auditor)

    def _export(fmt):
        response = client.get(f"/compare/export/?{PAIR}&format={fmt}")
        assert response.status_code == 200
        return response.content

    return _export


def test_every_export_carries_the_claim_block(export):
    rows = list(csv.DictReader(io.StringIO(export("csv").decode("utf-8-sig"))))
    assert "CC/MCC (MS-DRG v43.1): CC" in rows[0]["claim"]
    assert "CC/MCC (MS-DRG v43.1): neither (differs from E11.52)" in rows[1]["claim"]
    document = json.loads(export("json"))
    assert any(row["values"] == ["CC", "neither"] for row in document["claim"])
    book = load_workbook(io.BytesIO(export("xlsx")))
    cells = [[cell.value for cell in row] for row in book.worksheets[-1].iter_rows()]
    assert ["CC/MCC (MS-DRG v43.1)", "CC", "neither (differs from E11.52)"] in cells
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(export("pdf"))).pages)
    assert "CC/MCC (MS-DRG v43.1)" in " ".join(text.split())


def test_api_code_carries_the_code_pages_facts(coder_client, data):
    document = coder_client.get("/api/codes/icd10cm/E11.65").json()
    book = document["codebook"]
    assert book["billable"] is True and book["header"] is False
    assert book["parent"]["label"] == "E11.6"
    assert {
        "level": "E11",
        "kind": "Use additional code",
        "text": "insulin (Z79.4)",
    } in book["notes"]
    assert document["claim"]["severity"] == "neither"
    assert document["claim"]["msdrg_version"] == "v43.1"
    assert {
        "year": 2026,
        "model": "V28",
        "hcc": "38",
        "label": ("Diabetes with Glycemic, Unspecified, or No Complications"),
    } in document["claim"]["hcc"]
    book = coder_client.get("/api/codes/icd10cm/S72.001").json()["codebook"]
    assert book["billable"] is False and book["missing_seventh_character"] is True
    assert book["seventh_characters"][0] == {
        "character": "A",
        "meaning": "initial encounter for closed fracture",
        "note": "",
    }
    assert book["children"][0]["code"] == "S72.001A"


def test_api_code_of_a_pcs_code_has_its_axes(coder_client, pcs_table, claim_data):  # noqa: F811
    document = coder_client.get("/api/codes/icd10pcs/0DTJ4ZZ").json()
    axes = document["codebook"]["axes"]
    assert axes[2]["meaning"] == "Resection"
    assert axes[2]["definition"] == "Cutting out or off, without replacement, all of a body part"
    assert document["claim"]["operating_room"] is True
