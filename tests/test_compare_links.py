"""Every link to a comparison opens it, also when a bare code exists in two systems.

About 470 real HCPCS codes share a spelling with an ICD-10-CM code typed without its dot
(HCPCS A0100, ICD-10-CM A01.00): such a code needs its `system:` prefix in a comparison URL.
"""

import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from codes.models import Code, CodeSystem, ComparisonNote, Differentiator


@pytest.fixture
def ambiguous_note(sample, editor):
    """HCPCS A0100 vs A0130 with a note, A0225 with none, and ICD-10-CM A01.00 beside them."""
    hcpcs = CodeSystem.objects.get(slug="hcpcs")
    icd = CodeSystem.objects.get(slug="icd10cm")
    taxi = Code.objects.create(system=hcpcs, code="A0100", title="Nonemergency transport; taxi")
    wheelchair = Code.objects.create(
        system=hcpcs, code="A0130", title="Nonemergency transport: wheelchair van"
    )
    Code.objects.create(system=hcpcs, code="A0225", title="Ambulance service, neonatal transport")
    Code.objects.create(system=icd, code="A01.00", title="Typhoid fever, unspecified")
    note = ComparisonNote(
        code_a=taxi, code_b=wheelchair, summary="A0130 is a van fitted for a wheelchair."
    )
    note._history_user = editor
    note.save()
    row = Differentiator(note=note, label="Vehicle", value_a="Taxi", value_b="Wheelchair van")
    row._history_user = editor
    row.save()
    return note


def _hrefs(page: str, text: str) -> list[str]:
    """The targets of the links on `page` whose text starts with `text`."""
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', page, re.S)
    return [html_lib.unescape(href) for href, label in links if label.strip().startswith(text)]


def _opens_the_comparison(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content.decode()[:500])
    heading = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1)
    assert re.findall(r'<span class="code">(\w+)</span>', heading) == ["A0100", "A0130"]


def test_the_code_page_links_to_the_comparison(coder_client, ambiguous_note):
    page = coder_client.get("/codes/hcpcs/A0100/").content.decode()
    (url,) = _hrefs(page, "vs A0130")
    _opens_the_comparison(coder_client, url)


def test_the_comparison_list_links_to_the_comparison(coder_client, ambiguous_note):
    page = coder_client.get("/comparisons/?code=A0100").content.decode()
    (url,) = _hrefs(page, "A0100 vs A0130")
    _opens_the_comparison(coder_client, url)


def test_the_related_notes_of_a_comparison_link_to_it(coder_client, ambiguous_note):
    page = coder_client.get("/compare/?codes=hcpcs:A0100,A0225").content.decode()
    (url,) = _hrefs(page, "A0100 vs A0130")
    _opens_the_comparison(coder_client, url)


@pytest.mark.parametrize("kind", ["note", "row"])
def test_a_change_entry_links_to_the_comparison(coder_client, ambiguous_note, kind):
    model = ComparisonNote if kind == "note" else Differentiator
    history_id = model.history.latest("history_date").history_id
    page = coder_client.get(f"/changes/{kind}/{history_id}/").content.decode()
    (url,) = _hrefs(page, "Open the current page")
    _opens_the_comparison(coder_client, url)


def test_the_code_api_links_to_the_comparison(coder_client, ambiguous_note):
    document = coder_client.get("/api/codes/hcpcs/A0100").json()
    (comparison,) = document["comparisons"]
    _opens_the_comparison(coder_client, comparison["url"])


def test_the_notes_own_url_opens_the_comparison(coder_client, ambiguous_note):
    _opens_the_comparison(coder_client, ambiguous_note.get_absolute_url())


def test_an_unambiguous_note_keeps_its_bare_codes(coder_client, sample):
    page = coder_client.get("/comparisons/").content.decode()
    assert _hrefs(page, "63707 vs 63709") == ["/compare/?codes=63707,63709"]


def test_the_comparison_list_links_cost_the_same_queries_however_many_notes(
    coder_client, ambiguous_note
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert coder_client.get("/comparisons/").status_code == 200
        return len(captured)

    before = queries()
    hcpcs = ambiguous_note.code_a.system
    for number in range(3):
        code = Code.objects.create(system=hcpcs, code=f"A02{number}0", title=f"Transport {number}")
        ComparisonNote.objects.create(code_a=ambiguous_note.code_a, code_b=code, summary="More")
    assert queries() == before
