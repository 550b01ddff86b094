import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from codes.codebook.claim import claim_facts, msdrg_version_on
from codes.codebook.models import HccMapping, MsDrgDiagnosis, MsDrgVersion
from codes.importers.msdrg import effective_date
from codes.models import Code
from tests.codebook import MSDRG, claim_data, page_getter, pcs_db, pcs_table, tabular  # noqa: F401


@pytest.fixture
def code_page(coder_client, tabular, claim_data):  # noqa: F811
    # Today (no date given) the latest version loaded, v43.1, is in force.
    return page_getter(coder_client)


def test_an_mcc_code_shows_its_level_version_hac_and_an_excluding_pdx(code_page):
    html = code_page("/codes/icd10cm/E11.00/")
    assert "MS-DRG v43.1 <span" in html and "(in force from 2026-04-01)" in html
    assert '<dd class="severity"><strong>MCC</strong></dd>' in html
    assert (
        "Does not count as MCC when the principal diagnosis is one of 352 codes "
        "(PDX collection 0530)" in html
    )
    assert '<a href="/codes/icd10cm/E09.00/">E09.00</a>' in html
    assert "HAC category 09: Manifestations of poor glycemic control" in html
    assert (
        "<td>2026</td><td>V28</td><td>HCC 36 Diabetes with Severe Acute Complications</td>" in html
    )
    assert "<td>2025</td><td>V24</td><td>HCC 17 Diabetes with Acute Complications</td>" in html


def test_a_cc_code_shows_its_level(code_page):
    html = code_page("/codes/icd10cm/E11.52/")
    assert '<dd class="severity"><strong>CC</strong></dd>' in html
    assert "PDX collection 0535" in html


def test_a_code_that_is_neither_says_so(code_page):
    assert "Neither CC nor MCC" in code_page("/codes/icd10cm/E11.65/")


def test_the_excluding_pdx_list_is_searchable(code_page):
    html = code_page("/codes/icd10cm/E11.00/pdx-exclusions/")
    assert "MS-DRG v43.1" in html and "one of these 352 codes" in html
    assert '<a href="/codes/icd10cm/E11.00/"><span class="code">E11.00</span></a>' in html
    html = code_page("/codes/icd10cm/E11.00/pdx-exclusions/?q=E11.0")
    assert "2 of 352 match" in html  # E11.00 and E11.01
    html = code_page("/codes/icd10cm/E11.00/pdx-exclusions/?q=type+2+hyperosmolarity")
    listed = html[html.index('class="pdx-list"') :]
    assert "E11.01" in listed and "E10.01" not in listed and "E09.01" not in listed


def test_the_version_in_force_is_chosen_by_date(tabular, claim_data):  # noqa: F811
    assert msdrg_version_on(date(2026, 3, 31)).label == "v43"
    assert msdrg_version_on(date(2026, 4, 1)).label == "v43.1"
    assert msdrg_version_on(date(2025, 9, 30)) is None
    code = Code.objects.get(system__slug="icd10cm", code="E11.00")
    assert claim_facts(code, on=date(2026, 1, 15)).msdrg_version == "v43"
    assert claim_facts(code, on=date(2026, 1, 15)).hac == ""  # v43 has no HAC flags
    assert claim_facts(code, on=date(2026, 5, 1)).hac == "09"


def test_effective_dates_of_the_versions():
    assert effective_date("v36") == date(2018, 10, 1)
    assert effective_date("v43") == date(2025, 10, 1)
    assert effective_date("v43.1") == date(2026, 4, 1)


def test_a_pcs_code_shows_o_r_or_non_o_r(coder_client, pcs_table, claim_data):  # noqa: F811
    html = coder_client.get("/codes/icd10pcs/0DTJ4ZZ/").content.decode()
    assert "<strong>O.R. procedure</strong>" in html
    Code.objects.create(system=Code.objects.first().system, code="0DTJ4ZX", title="not grouped")
    html = coder_client.get("/codes/icd10pcs/0DTJ4ZX/").content.decode()
    assert "Non-O.R. procedure" in html


def test_imports_are_idempotent_and_a_broken_file_changes_nothing(claim_data, tmp_path):  # noqa: F811
    counts = (
        MsDrgVersion.objects.count(),
        MsDrgDiagnosis.objects.count(),
        HccMapping.objects.count(),
    )
    call_command("import_reference", "msdrg", str(MSDRG[0]), stdout=io.StringIO())
    assert (
        MsDrgVersion.objects.count(),
        MsDrgDiagnosis.objects.count(),
        HccMapping.objects.count(),
    ) == counts
    broken = tmp_path / "v44.json"
    broken.write_text(
        '{"version": "v44", "ccmap": {"A000": {"level": "XX"}},'
        ' "exmap": {}, "prmap": {}, "orpcsmap": {}}'
    )
    with pytest.raises(CommandError, match=r"v44.json: ccmap A000: level is not CC or MCC"):
        call_command("import_reference", "msdrg", str(broken), stdout=io.StringIO())
    broken.write_text("{not json")
    with pytest.raises(CommandError, match=r"v44.json, line 1: not JSON"):
        call_command("import_reference", "msdrg", str(broken), stdout=io.StringIO())
    csv_file = tmp_path / "ra_dx_to_cc_2030.csv"
    csv_file.write_text("diagnosis_code,cc,model_name\nE1100,36,CMS-HCC Model V28\nE11\n")
    with pytest.raises(CommandError, match=r"ra_dx_to_cc_2030.csv, line 3: wrong layout"):
        call_command("import_reference", "hcc", str(csv_file), stdout=io.StringIO())
    assert not HccMapping.objects.filter(year=2030).exists()
    assert MsDrgDiagnosis.objects.count() == counts[1]


def test_load_public_codes_loads_the_msdrg_versions_and_hcc_years():
    from codes.importers.public import reference_sets

    kinds = [(item.kind, item.path.name) for item in reference_sets()]
    assert ("msdrg", "v43.1.json.xz") in kinds and ("msdrg", "v41.json.xz") in kinds
    assert ("hcc", "ra_dx_to_cc_2027.csv") in kinds
