"""/comparisons/: every curated note, filterable, each row opening its comparison."""

import re

import pytest

from codes.models import Code, ComparisonNote
from codes.selectors import comparison_notes_filtered


@pytest.fixture
def icd_note(sample):
    a, b = Code.objects.get(code="G96.00"), Code.objects.get(code="G96.01")
    return ComparisonNote.objects.create(
        code_a=a, code_b=b, summary="Unspecified vs spontaneous leak", body="Check the cause."
    )


def pairs(notes) -> list[str]:
    return [str(note) for note in notes]


def test_the_filter_narrows_by_system_code_and_words(icd_note):
    assert pairs(comparison_notes_filtered()) == ["63704 vs 63706", "63707 vs 63709", str(icd_note)]
    assert pairs(comparison_notes_filtered(system="icd10cm")) == ["G96.00 vs G96.01"]
    assert pairs(comparison_notes_filtered(system="hcpcs")) == []
    assert pairs(comparison_notes_filtered(code="63709")) == ["63707 vs 63709"]
    assert pairs(comparison_notes_filtered(code="6370")) == ["63704 vs 63706", "63707 vs 63709"]
    assert pairs(comparison_notes_filtered(code="g9601")) == ["G96.00 vs G96.01"]  # no dot
    assert pairs(comparison_notes_filtered(text="LAMINECTOMY")) == ["63707 vs 63709"]
    # Words are found in differentiator values and code titles too, and must all appear.
    assert pairs(comparison_notes_filtered(text="flaps")) == ["63704 vs 63706"]
    assert pairs(comparison_notes_filtered(text="pseudomeningocele")) == ["63707 vs 63709"]
    assert pairs(comparison_notes_filtered(text="leak width")) == []
    assert pairs(comparison_notes_filtered(system="cpt", text="cause")) == []


def test_the_page_lists_filtered_notes_each_linking_to_its_comparison(coder_client, icd_note):
    html = coder_client.get("/comparisons/?system=icd10cm").content.decode()
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>", html, re.S)
    assert rows == ['<a href="/compare/?codes=G96.00,G96.01">G96.00 vs G96.01</a>']
    assert "1 note matches the filter." in html
    assert '<option value="icd10cm" selected>ICD-10-CM</option>' in html
    html = coder_client.get("/comparisons/?text=laminectomy&code=63707").content.decode()
    assert '<a href="/compare/?codes=63707,63709">63707 vs 63709</a>' in html
    assert "63704 vs 63706" not in html
    html = coder_client.get("/comparisons/?text=nothing+like+this").content.decode()
    assert "No comparison note matches these filters." in html


def test_an_unknown_system_is_a_400_with_the_form(coder_client, sample):
    response = coder_client.get("/comparisons/?system=nosuch")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
