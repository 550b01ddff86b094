import io
import re

import pytest
from django.core.management import CommandError, call_command

from codes.codebook.links import Segment, linked
from codes.codebook.models import TabularLevel, TabularNote
from codes.models import CodeSystem
from tests.codebook import TABULAR, page_getter, tabular  # noqa: F401 (a fixture)


@pytest.fixture
def code_page(coder_client, tabular):  # noqa: F811
    return page_getter(coder_client, "/codes/icd10cm/")


def _group(html, label):
    """The notes listed under the heading "from <label>"."""
    found = re.search(rf'from <a href="[^"]*">{re.escape(label)}</a>.*?</ul>', html, re.DOTALL)
    assert found, f"no notes from {label}"
    return found.group(0)


def test_e11_65_shows_e11s_excludes1_and_use_additional_code_labelled_from_e11(code_page):
    html = code_page("E11.65/")
    from_e11 = _group(html, "E11")
    assert "Excludes1:</span> type 1 diabetes mellitus (" in from_e11
    assert '<a href="/?q=E10.&amp;system=icd10cm">E10.-</a>' in from_e11
    assert "Use additional code:</span> insulin (" in from_e11
    assert '<a href="/codes/icd10cm/Z79.4/">Z79.4</a>' in from_e11  # a code in the set: its page
    assert '<a href="/?q=P70.2&amp;system=icd10cm">P70.2</a>' in from_e11  # not loaded: search
    # The section's and the chapter's notes come too, each under its own label.
    assert "Excludes1:</span> transitory endocrine" in _group(html, "Chapter 4")
    assert '<a href="/?q=P70-P74&amp;system=icd10cm">P70-P74</a>' in _group(html, "Chapter 4")
    assert "Billable:" in html


def test_the_breadcrumb_and_the_parent_are_links(code_page):
    html = code_page("E11.65/")
    assert '<a href="/?q=E00-E89&amp;system=icd10cm" title="Endocrine' in html
    assert '<a href="/?q=E08-E13&amp;system=icd10cm" title="Diabetes mellitus (E08-E13)">' in html
    assert '<a href="/codes/icd10cm/E11/" title="Type 2 diabetes mellitus">E11</a>' in html
    assert 'Parent: <a rel="up" href="/codes/icd10cm/E11.6/">E11.6</a>' in html


def test_a_header_is_not_billable_and_lists_its_children(code_page):
    html = code_page("E11/")
    assert "Not billable: a header." in html
    assert "10 codes directly below it" in html  # E11.0 ... E11.9
    assert '<a href="/codes/icd10cm/E11.0/"><span class="code">E11.0</span></a>' in html
    assert '<a class="all-children" href="/?q=E11.&amp;system=icd10cm">' in html
    assert "Billable:" not in html


def test_s72_001_lists_its_7th_characters_and_says_it_needs_one(code_page):
    html = code_page("S72.001/")
    assert "Not billable: S72.001 needs a 7th character." in html
    assert "7th characters (from S72)" in html
    assert "initial encounter for closed fracture" in html
    assert "(initial encounter for open fracture NOS)" in html  # the note under B
    assert '<a href="/codes/icd10cm/S72.001A/"><span class="code">S72.001A</span></a>' in html
    assert '<a href="/codes/icd10cm/S72.001S/">' in html
    assert "The X is a placeholder" not in html  # six characters already: no X needed


def test_s72_001a_is_billable_with_its_7th_character_marked(code_page):
    html = code_page("S72.001A/")
    assert "Billable:</strong> S72.001A can be reported" in html
    assert '<tr class="current" aria-current="true"><td class="code">A</td>' in html
    assert 'Parent: <a rel="up" href="/codes/icd10cm/S72.001/">S72.001</a>' in html
    assert "from <a" in html and "S72</a>" in html  # S72's notes come down to it


def test_the_placeholder_x_is_explained_where_it_is_used(code_page):
    assert "The X is a placeholder" in code_page("S02.0XXA/")
    html = code_page("S02.0/")
    assert "needs a 7th character" in html
    assert "S02.0XXA" in html and "The X is a placeholder" in html


def test_notes_stay_out_of_the_searched_texts(coder_client, tabular):  # noqa: F811
    response = coder_client.get("/api/search", {"q": "transitory endocrine", "system": "icd10cm"})
    assert response.json()["count"] == 0


def test_code_references_become_links():
    system = CodeSystem(slug="icd10cm")
    assert linked("gestational diabetes (O24.4-)", system, set()) == [
        Segment("gestational diabetes ("),
        Segment("O24.4-", "/?q=O24.4%2A&system=icd10cm"),
        Segment(")"),
    ]
    assert linked("stage (N18.1-N18.6)", system, {"N18.1"})[1] == Segment(
        "N18.1-N18.6", "/?q=N18.1-N18.6&system=icd10cm"
    )
    # Outside parentheses a code-like word is text.
    assert linked("hemoglobin A1C above 9", system, set()) == [Segment("hemoglobin A1C above 9")]


def test_the_import_replaces_the_reference_data_and_can_run_again(tabular):  # noqa: F811
    counts = (TabularLevel.objects.count(), TabularNote.objects.count())
    out = io.StringIO()
    call_command("import_reference", "icd10cm-tabular", str(TABULAR), stdout=out)
    assert (TabularLevel.objects.count(), TabularNote.objects.count()) == counts
    assert "levels" in out.getvalue()


def test_a_broken_file_names_file_and_line_and_keeps_the_data(tabular, tmp_path):  # noqa: F811
    broken = tmp_path / "tabular.xml"
    text = TABULAR.read_text().replace("<desc>Diabetes mellitus (E08-E13)</desc>", "", 1)
    broken.write_text(text)
    before = TabularLevel.objects.count()
    with pytest.raises(
        CommandError, match=r"tabular.xml, line \d+: wrong layout: <section> without <desc>"
    ):
        call_command("import_reference", "icd10cm-tabular", str(broken), stdout=io.StringIO())
    assert TabularLevel.objects.count() == before


def test_load_public_codes_loads_the_codebook_reference_data_it_ships():
    from codes.importers.public import reference_sets

    sets = reference_sets()
    assert [item.kind for item in sets][:1] == ["icd10cm-tabular"]
    assert all(item.path.is_file() for item in sets)
