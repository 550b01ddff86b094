import io
import re

import pytest
from django.core.management import CommandError, call_command

from codes.codebook.models import PcsValue
from tests.codebook import page_getter, pcs_db, pcs_table  # noqa: F401 (fixtures)


@pytest.fixture
def code_page(coder_client, pcs_table):  # noqa: F811
    return page_getter(coder_client, "/codes/icd10pcs/")


def _axis(html, name):
    found = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', html, re.DOTALL)
    assert found, name
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_0dtj4zz_shows_resection_with_its_definition_appendix_and_percutaneous_endoscopic(
    code_page,
):
    html = code_page("0DTJ4ZZ/")
    assert "Billable:" in html
    assert _axis(html, "Section") == "0 Medical and Surgical"
    assert _axis(html, "Root operation") == (
        "T Resection Cutting out or off, without replacement, all of a body part "
        "Examples: Total nephrectomy, total lobectomy of lung"
    )
    assert _axis(html, "Body part") == (
        "J Appendix Body part key: Appendiceal orifice; Vermiform appendix — coded to Appendix"
    )
    assert _axis(html, "Approach").startswith(
        "4 Percutaneous Endoscopic Entry, by puncture or minor incision"
    )
    assert _axis(html, "Device") == "Z No Device"


def test_the_table_row_links_the_valid_codes_the_other_values_make(code_page):
    html = code_page("0DTJ4ZZ/")
    row = html[html.index("The table row") :]
    assert '<a href="/codes/icd10pcs/0DTJ0ZZ/"><span class="code">0DTJ0ZZ</span></a> 0 Open' in row
    assert '<a href="/codes/icd10pcs/0DTJ8ZZ/">' in row
    assert (
        '<a href="/codes/icd10pcs/0DT64ZZ/"><span class="code">0DT64ZZ</span></a> 6 Stomach' in row
    )
    assert "0DTJ4ZG" in row  # the hand-assisted qualifier
    assert "0DTJ3ZZ" not in row  # percutaneous is not a valid approach for this row


def test_a_broken_database_names_the_file_and_keeps_the_data(pcs_table, tmp_path):  # noqa: F811
    before = PcsValue.objects.count()
    broken = tmp_path / "broken.db"
    broken.write_text("not a database")
    with pytest.raises(CommandError, match=r"broken.db: not an SQLite database"):
        call_command("import_reference", "icd10pcs-definitions", str(broken), stdout=io.StringIO())
    assert PcsValue.objects.count() == before


def test_a_code_outside_the_defined_tables_still_says_it_can_be_reported(coder_client, pcs_table):  # noqa: F811
    from codes.models import Code, CodeSystem

    Code.objects.create(
        system=CodeSystem.objects.get(slug="icd10pcs"),
        code="BW03ZZZ",
        title="Plain Radiography of Abdomen",
    )
    html = coder_client.get("/codes/icd10pcs/BW03ZZZ/").content.decode()
    assert "Billable:" in html
    assert "No character definitions are loaded for table BW0." in html
