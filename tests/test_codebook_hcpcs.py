import io
import re

import pytest
from django.core.management import CommandError, call_command

from codes.codebook.models import HcpcsFacts
from codes.importers.public import reference_sets
from tests.codebook import hcpcs_facts  # noqa: F401 (a fixture)


def _facts(html):
    found = re.search(r'<dl class="hcpcs-facts">(.*?)</dl>', html, re.DOTALL)
    assert found
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_an_hcpcs_code_shows_the_cms_files_facts_with_their_meanings(coder_client, hcpcs_facts):  # noqa: F811
    html = coder_client.get("/codes/hcpcs/A4450/").content.decode()
    facts = _facts(html)
    assert "Coverage D Special coverage instructions apply" in facts
    assert (
        "Pricing 37 Ostomy, tracheostomy and urological supplies "
        "(price subject to floors and ceilings)"
    ) in facts
    assert "BETOS D1F" in facts
    assert "Last action N No maintenance for this code" in facts
    assert "CMS HCPCS 2019 file" in html


def test_a_terminated_code_shows_its_termination_date(coder_client, hcpcs_facts):  # noqa: F811
    facts = _facts(coder_client.get("/codes/hcpcs/A4466/").content.decode())
    assert "Coverage M Non-covered by Medicare" in facts
    assert "Terminated 2016-12-31" in facts


def test_api_code_carries_the_hcpcs_facts(coder_client, hcpcs_facts):  # noqa: F811
    book = coder_client.get("/api/codes/hcpcs/A4466").json()["codebook"]
    assert book["coverage"] == {"value": "M", "meaning": "Non-covered by Medicare"}
    assert book["terminated"] == "2016-12-31"


def test_without_the_record_layout_nothing_is_imported(hcpcs_facts):  # noqa: F811
    (hcpcs_facts.parent / "HCPCS2019_recordlayout.txt").unlink()
    before = HcpcsFacts.objects.count()
    with pytest.raises(CommandError, match="no single \\*recordlayout\\*.txt beside the file"):
        call_command("import_reference", "hcpcs-facts", str(hcpcs_facts), stdout=io.StringIO())
    assert HcpcsFacts.objects.count() == before


def test_load_public_codes_loads_the_hcpcs_facts_when_the_file_is_there(hcpcs_facts):  # noqa: F811
    assert ("hcpcs-facts", "2019") in [
        (item.kind, item.version) for item in reference_sets(hcpcs_facts.parent)
    ]
    assert "hcpcs-facts" not in [item.kind for item in reference_sets(hcpcs_facts.parent / "none")]
