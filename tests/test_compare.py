"""The comparison page: columns, notes aligned to them, word marks, its links and bad input."""

import re

import pytest

from codes.models import Code, CodeSystem, ComparisonNote, Differentiator
from codes.search import search


@pytest.fixture
def get(coder_client, sample):
    def _get(path, **headers):
        response = coder_client.get(path, headers=headers)
        return response, response.content.decode()

    return _get


def columns(html: str) -> list[str]:
    return re.findall(r'<article class="card column".*?</article>', html, re.S)


def row_cells(html: str, label: str) -> list[str]:
    row = re.search(rf'<tr><th scope="row">{label}</th>(.*?)</tr>', html, re.S)
    assert row, f"no differentiator row {label!r}"
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)


def notes(html: str) -> list[str]:
    return re.findall(r'<section class="card note".*?</section>', html, re.S)


def test_63707_vs_63709_shows_the_laminectomy_row_one_cell_per_code_and_the_summary(get):
    response, html = get("/compare/?codes=63707,63709")
    assert response.status_code == 200
    assert "Same condition; 63709 adds a laminectomy to reach the leak." in html
    assert row_cells(html, "Laminectomy") == ["Not done", "Done to reach the leak, included"]
    assert "Do not add a separate laminectomy code to 63709." in html  # body
    assert "Source: CPT descriptors 63707 and 63709 (paraphrased)" in html
    assert [re.search(r'class="code">(\d+)<', column).group(1) for column in columns(html)] == [
        "63707",
        "63709",
    ]


def test_the_order_in_the_url_is_the_order_of_columns_and_cells(get):
    _, html = get("/compare/?codes=63709,63707")
    assert [re.search(r'class="code">(\d+)<', column).group(1) for column in columns(html)] == [
        "63709",
        "63707",
    ]
    assert row_cells(html, "Laminectomy") == ["Done to reach the leak, included", "Not done"]
    assert '<h1>Compare <span class="code">63709</span>' in html


def test_three_codes_show_three_columns_and_every_note_between_them(get):
    myelo, dural = Code.objects.get(code="63706"), Code.objects.get(code="63707")
    note = ComparisonNote.objects.create(
        code_a=myelo, code_b=dural, summary="A leak repair is not a myelomeningocele closure."
    )
    Differentiator.objects.create(
        note=note, label="Sac contents", value_a="Spinal cord or roots", value_b="No sac"
    )
    _, html = get("/compare/?codes=63704,63706,63707")
    assert len(columns(html)) == 3
    assert len(notes(html)) == 2
    assert "Same repair; the code turns on the width of the defect" in html
    assert "A leak repair is not a myelomeningocele closure." in html
    # Each row has one cell per shown code, in column order; a code the note skips shows "-".
    assert row_cells(html, "Defect width") == [
        "Less than 5 cm",
        "Larger than 5 cm",
        "-",
    ]
    assert row_cells(html, "Sac contents") == ["-", "Spinal cord or roots", "No sac"]
    assert '<td data-code="63707" class="not-covered">-</td>' in html
    assert 'No curated note compares <span class="code">63704</span> and' in html


def test_a_note_with_a_code_not_shown_is_offered_to_add(get):
    _, html = get("/compare/?codes=63704,63706,63707")
    related = re.search(r'<section class="related".*?</section>', html, re.S).group(0)
    assert '<a href="/compare/?codes=63707,63709">63707 vs 63709</a>' in related
    assert 'href="/compare/?codes=63704,63706,63707,cpt:63709"' in related
    _, html = get("/compare/?codes=63700,63702,63704,63707")
    assert "Add 63709 here" not in html  # four codes: full
    assert "remove one to add another" in html


def test_columns_show_system_texts_breadcrumb_status_and_dates(get):
    Code.objects.filter(code="63710").update(
        status=Code.Status.DELETED, effective_date="2010-01-01", end_date="2025-12-31"
    )
    _, html = get("/compare/?codes=63709,63710")
    first, second = columns(html)
    assert '<span class="system-name">CPT</span>' in first
    assert "Repair of dural or cerebrospinal fluid leak or pseudomeningocele" in first
    assert "where a laminectomy is done to reach it" in first  # official descriptor
    assert "removes the lamina (the back arch" in first  # lay description
    assert "<li>Spine and spinal cord</li>" in first  # breadcrumb
    assert '<span class="status">Active</span>' in first
    assert '<span class="status deleted">Deleted</span>' in second
    assert "from 2010-01-01" in second and "until 2025-12-31" in second
    assert "version 1, updated 2026-01-01" in second


def test_the_footer_carries_the_notice_of_each_shown_system(get):
    _, html = get("/compare/?codes=63707,G96.00")
    footer = html[html.index('<footer class="site-footer">') :]
    assert "American Medical Association" in footer
    assert "National Center for Health Statistics" in footer
    _, html = get("/compare/?codes=G96.00,G96.01")
    assert "American Medical Association" not in html


def test_later_columns_mark_the_words_that_differ_from_the_first(get):
    _, html = get("/compare/?codes=63707,63709")
    first, second = columns(html)
    assert "<ins" not in first and "<del" not in first
    title = re.search(r'<p class="title">(.*?)</p>', second, re.S).group(1)
    assert '<ins><span class="visually-hidden">inserted: </span>with</ins>' in title
    assert '<del><span class="visually-hidden">removed: </span>without</del>' in title
    assert "Word marks compare each code with" in html
    # The lay descriptions are written independently: no stripes, a hint instead.
    lay = re.search(r'<p class="lay">(.*?)</p>\s*(<p class="unmarked muted">.*?</p>)', second, re.S)
    assert "<ins" not in lay.group(1)
    assert "Worded too differently from 63707 to mark word by word." in lay.group(2)
    toggle = re.search(r'<a class="button marks-toggle" href="([^"]+)"', html).group(1)
    assert toggle == "/compare/?codes=63707,63709&amp;marks=off"


def test_marks_off_shows_each_code_in_its_own_words(get):
    _, html = get("/compare/?codes=63707,63709&marks=off")
    second = columns(html)[1]
    assert "<ins" not in second and "<del" not in second
    assert "Repair of dural or cerebrospinal fluid leak or pseudomeningocele, with laminectomy" in (
        second
    )
    assert 'href="/compare/?codes=63707,63709" data-marks-toggle="off">Show word marks' in html
    # The column moves keep the marks off.
    assert 'href="/compare/?codes=63709,63707&amp;marks=off"' in html


def test_more_than_two_codes_are_marked_against_the_first(get):
    _, html = get("/compare/?codes=63702,63700,63704")
    first, second, third = columns(html)
    assert "<ins" not in first
    # 63704 against 63702 (the first column), not against 63700 beside it.
    third_title = re.search(r'<p class="title">(.*?)</p>', third, re.S).group(1)
    assert "myelomeningocele</ins>" in third_title
    assert "smaller</ins>" in third_title and "larger</del>" in third_title


def test_each_column_can_move_left_or_go_unless_two_remain(get):
    _, html = get("/compare/?codes=63704,63706,63707")
    first, second, third = columns(html)
    assert 'Move <span class="visually-hidden">63704 </span>left' not in first
    assert 'Move <span class="visually-hidden">63706 </span>left' in second
    assert 'href="/compare/?codes=63706,63707"' in first  # remove 63704
    assert 'href="/compare/?codes=63706,63704,63707"' in second  # move 63706 left
    assert 'href="/compare/?codes=63704,63707,63706"' in third
    for column in (first, second, third):
        assert 'hx-target="#comparison"' in column and 'hx-push-url="true"' in column
    _, html = get("/compare/?codes=63704,63706")
    assert "Remove" not in "".join(columns(html))


def test_a_pair_without_a_note_says_so_and_an_editor_gets_the_admin_form(
    client, coder, editor, sample
):
    a, b = Code.objects.get(code="63700"), Code.objects.get(code="63710")
    client.force_login(coder)
    html = client.get("/compare/?codes=63700,63710").content.decode()
    assert "No curated note compares" in html
    assert "/admin/codes/comparisonnote/add/" not in html
    client.force_login(editor)
    html = client.get("/compare/?codes=63700,63710").content.decode()
    link = f"/admin/codes/comparisonnote/add/?code_a={a.pk}&amp;code_b={b.pk}"
    assert f'href="{link}"' in html
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{a.pk}" selected>63700</option>' in form
    assert f'<option value="{b.pk}" selected>63710</option>' in form


def test_the_address_is_made_canonical(get):
    response, _ = get("/compare/?codes=cpt:63707&codes=cpt:63709")
    assert response.status_code == 302
    assert response["Location"] == "/compare/?codes=63707,63709"
    response, _ = get("/compare/?codes=63707%20%2063709&marks=off")
    assert response["Location"] == "/compare/?codes=63707,63709&marks=off"
    response, _ = get("/compare/?codes=g9600,G96.01")
    assert response["Location"] == "/compare/?codes=G96.00,G96.01"


def test_htmx_swaps_the_comparison_and_pushes_the_canonical_url(get):
    response, html = get(
        "/compare/?codes=63707,63709,cpt:63704", HX_Request="true", HX_Target="comparison"
    )
    assert response.status_code == 200
    # The new title (htmx takes it from the top level), then the comparison alone.
    title, rest = html.strip().split("\n", 1)
    assert title == "<title>Compare 63707 vs 63709 vs 63704 · coderef</title>"
    assert rest.startswith('<div id="comparison"')
    assert "<html" not in html and "<footer" not in html
    assert response["HX-Push-Url"] == "/compare/?codes=63707,63709,63704"
    assert len(columns(html)) == 3


def test_an_htmx_history_restore_gets_the_whole_page(get):
    response, html = get(
        "/compare/?codes=63707,63709", HX_Request="true", HX_History_Restore_Request="true"
    )
    assert "<html" in html and '<div id="comparison"' in html
    assert {"HX-Request", "HX-Target"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_user_without_a_role_gets_403(client, nobody, sample):
    client.force_login(nobody)
    assert client.get("/compare/?codes=63707,63709").status_code == 403


def test_the_add_box_suggests_codes_through_the_search_entry_point(get):
    response, html = get(
        "/compare/?codes=63707,63709&add=6370", HX_Request="true", HX_Target="add-results"
    )
    # The box offers what a search for the same words finds (its first ten), less the codes shown.
    offered = re.findall(r'Add <span class="code">([^<]+)</span>', html)
    found = [hit.code.code for hit in search("6370", limit=10).hits]
    assert offered == [code for code in found if code not in {"63707", "63709"}]
    assert html.lstrip().startswith('<div id="add-results"')
    assert 'href="/compare/?codes=63707,63709,cpt:63704"' in html
    assert 'Add <span class="code">63707</span>' not in html  # already shown
    assert "HX-Push-Url" not in response


def test_the_add_box_works_without_javascript(get):
    _, html = get("/compare/?codes=63707,63709")
    form = re.search(r'<form class="add-code".*?</form>', html, re.S).group(0)
    assert 'action="/compare/" method="get"' in form or 'method="get" action="/compare/"' in form
    assert '<input type="hidden" name="codes" value="63707,63709">' in form
    _, html = get("/compare/?codes=63707,63709&add=myelomeningocele")
    assert len(columns(html)) == 2
    assert 'href="/compare/?codes=63707,63709,cpt:63704"' in html
    _, html = get("/compare/?codes=63707,63709&add=qqzzxx")
    assert "No other code found for “qqzzxx”." in html


def test_the_code_page_offers_compare_with(get):
    _, html = get("/codes/cpt/63709/")
    form = re.search(r'<form class="compare-with".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="codes" value="cpt:63709">' in form
    assert 'name="codes" placeholder="63707"' in form
    response, _ = get("/compare/?codes=cpt:63709&codes=63710")
    assert response["Location"] == "/compare/?codes=63709,63710"


def test_search_results_carry_compare_boxes(get):
    _, html = get("/?q=6370")
    form = re.search(
        r'<form id="compare-form" action="/compare/" method="get">.*?</form>', html, re.S
    )
    assert form
    assert (
        '<input type="checkbox" name="codes" value="cpt:63707" class="compare-box"' in form.group(0)
    )
    assert "Compare selected</button>" in form.group(0)


# Bad input: every case a 400 page that names the problem and says what to type; never a 500.
BAD_INPUT = [
    ("63707,63708", "No code '63708' was found."),
    ("63707", "You named only '63707'. Name at least two codes"),
    ("", "Name at least two codes to compare"),
    ("63700,63702,63704,63706,63707", "at most 4 codes; you named 5"),
    ("63707,63707", "63707 is named twice; name each code once"),
    ("63707,cpt:63707", "63707 is named twice"),
    ("nosuch:63707,63709", "unknown code system 'nosuch'"),
    ("63707," + "9" * 5000, "is too long to be a code"),
]


@pytest.mark.parametrize(("codes", "message"), BAD_INPUT)
def test_bad_input_is_a_400_page_that_says_what_to_type(get, codes, message):
    response, html = get(f"/compare/?codes={codes}")
    assert response.status_code == 400
    assert message in html.replace("&#x27;", "'")
    assert "Type 2 to 4 different codes separated by commas" in html
    assert "9" * 201 not in html  # a huge token is not echoed back in full


@pytest.fixture
def local_63707(sample):
    """A custom system that also has a code 63707."""
    local = CodeSystem.objects.create(
        slug="local", name="Local procedures", code_pattern=r"\d{5}", position=9
    )
    return Code.objects.create(system=local, code="63707", title="Local dural repair bundle")


def test_a_code_in_two_systems_needs_its_system(get, local_63707):
    response, html = get("/compare/?codes=63707,63709")
    assert response.status_code == 400
    assert "exists in more than one code system; write one of cpt:63707, local:63707" in (
        html.replace("&#x27;", "'")
    )
    response, html = get("/compare/?codes=local:63707,63709")
    assert response.status_code == 200
    assert "Local dural repair bundle" in html
    # Links keep the prefix where the bare code would be ambiguous.
    assert 'href="/compare/?codes=63709,local:63707"' in html


def test_pairs_without_a_note_make_one_line_with_the_editors_links(client, coder, editor, sample):
    client.force_login(editor)
    html = client.get("/compare/?codes=63700,63702,63710").content.decode()
    missing = html.split('class="missing-notes"')[1].split("</section>")[0]
    assert missing.count("No curated note compares") == 1
    assert (
        'No curated note compares <span class="code">63700</span> and <span class="code">63702'
        '</span>, <span class="code">63700</span> and <span class="code">63710</span> or '
        '<span class="code">63702</span> and <span class="code">63710</span> yet.'
    ) in missing
    assert missing.count('class="write-note"') == 3
    assert ">63702 vs 63710</a>." in missing
    client.force_login(coder)
    html = client.get("/compare/?codes=63700,63702,63710").content.decode()
    assert "write-note" not in html and "No curated note compares" in html
