"""The search page `/` and `/api/search`: what a coder and an integrator see."""

import re

import pytest
from django.contrib.auth.models import Group

from codes.models import Code, CodeSystem, Synonym, ZeroResultQuery
from codes.roles import EDITORS


@pytest.fixture
def get(coder_client, sample):
    def _get(path, data=None, **headers):
        response = coder_client.get(path, data, headers=headers)
        return response, response.content.decode()

    return _get


def result_codes(html: str) -> list[str]:
    return re.findall(r'<li class="result[^"]*">.*?<span class="code">([^<]+)</span>', html, re.S)


def test_the_page_shows_results_with_highlights_and_compare_boxes(get):
    response, html = get("/", {"q": "csf lami"})
    assert response.status_code == 200
    assert result_codes(html)[0] == "63709"
    assert '<form id="compare-form" action="/compare/" method="get">' in html
    assert '<input type="checkbox" name="codes" value="cpt:63709" class="compare-box">' in html
    assert "Compare selected" in html
    assert '<a href="/codes/cpt/63709/" class="code-ref">' in html
    assert "<mark>laminectomy</mark>" in html
    assert "8 results" in html
    assert "American Medical Association" in html  # CPT codes shown: the AMA notice too


def test_htmx_history_restore_gets_the_whole_page(get):
    response, html = get("/", {"q": "6370"}, HX_Request="true", HX_History_Restore_Request="true")
    assert 'id="search-form"' in html and "<html" in html


def test_htmx_gets_only_the_results_fragment(get):
    response, html = get("/", {"q": "6370"}, HX_Request="true", HX_Target="search-results")
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="search-results"')
    assert "<html" not in html and 'id="search-form"' not in html
    assert result_codes(html)[:2] == ["63700", "63702"]
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_more_results_continue_where_the_page_stopped(get, coder_client):
    for n in range(30):
        Code.objects.create(system_id=2, code=f"E09{n:02d}", title=f"Walker model {n}")
    response, html = get("/", {"q": "walker"})
    first_page = result_codes(html)
    assert len(first_page) == 20
    assert "30 results" in html
    more = re.search(r'<li id="more-results".*?href="([^"]+)"', html, re.S).group(1)
    response, html = get(more.replace("&amp;", "&"), HX_Request="true", HX_Target="more-results")
    second_page = result_codes(html)
    assert len(second_page) == 10
    assert not set(first_page) & set(second_page)
    assert "more-results" not in html  # nothing left to load


def test_a_vs_query_opens_the_comparison(get):
    response, _ = get("/", {"q": "63707 vs 63709"})
    assert response.status_code == 302
    assert response["Location"] == "/compare/?codes=63707,63709"
    response, _ = get("/", {"q": "63707 v. 63709"}, HX_Request="true", X_Search_Submit="true")
    assert response["HX-Redirect"] == "/compare/?codes=63707,63709"
    response, _ = get("/", {"q": "G96.00 versus icd10cm:G96.09"})
    assert response["Location"] == "/compare/?codes=G96.00,icd10cm:G96.09"


def test_a_vs_query_typed_offers_the_comparison_and_never_redirects(get):
    """Typing (an htmx request without the submit header) never leaves the page."""
    for typed in ["63707 vs 6", "63707 vs 63", "63707 vs 6370", "63707 vs 63709"]:
        response, html = get("/", {"q": typed}, HX_Request="true")
        assert response.status_code == 200, typed
        assert "HX-Redirect" not in response, typed
    assert 'class="compare-link">Compare <span class="code">63707</span> with ' in html
    assert '<a href="/compare/?codes=63707,63709" class="compare-link">' in html
    assert result_codes(html) == ["63707", "63709"]
    response, html = get("/", {"q": "63707 vs 6370"}, HX_Request="true")
    assert "compare-link" not in html  # 6370 is no code: nothing to open yet
    response, html = get("/", {"q": "63704 vs 63707 vs 63709"}, HX_Request="true")
    assert 'with <span class="code">63707</span> and <span class="code">63709</span>' in html


def test_a_reversed_range_shows_one_message_with_the_corrected_range(get):
    response, html = get("/", {"q": "63710-63700"}, HX_Request="true")
    assert response.status_code == 400
    assert html.count('role="alert"') == 1
    assert '<a href="?q=63700-63710">Search 63700-63710</a>' in html
    assert "Nothing found" not in html


def test_one_character_asks_to_keep_typing_not_nothing_found(get):
    response, html = get("/", {"q": "c"}, HX_Request="true")
    assert "Nothing found" not in html
    assert "Keep typing" in html


def test_bad_input_gets_a_message_and_400(get):
    response, html = get("/", {"q": "63710-63700"})
    assert response.status_code == 400
    assert "ends before it starts" in html
    response, html = get("/", {"q": "x" * 10_240})
    assert response.status_code == 400
    assert "at most 500 characters" in html
    response, html = get("/", {"q": "csf", "system": "nosuch"})
    assert response.status_code == 400
    assert "nosuch is not one of the available choices" in html


def test_nothing_found_offers_what_to_try(get):
    response, html = get("/", {"q": "63708"})
    assert response.status_code == 200
    assert "Nothing found for “63708”" in html
    assert 'href="?q=6370%2A"' in html
    assert "Include deleted codes</a>" in html


def test_a_typed_code_s_own_family_comes_before_other_systems_prefixes(get):
    hcpcs = CodeSystem.objects.get(slug="hcpcs")
    icd = CodeSystem.objects.get(slug="icd10cm")
    for code in ("E1100", "E1110", "E1130"):
        Code.objects.create(system=hcpcs, code=code, title=f"Wheelchair {code}")
    Code.objects.create(system=icd, code="E11", title="Type 2 diabetes mellitus")
    _, html = get("/", {"q": "E11"})
    found = result_codes(html)
    assert found[:3] == ["E11", "E11.65", "E11.9"]
    assert found[3:6] == ["E1100", "E1110", "E1130"]


def test_a_deleted_code_appears_only_when_asked_and_marked(get):
    _, html = get("/", {"q": "mammography"})
    assert "G0202" not in html
    _, html = get("/", {"q": "mammography", "status": "all"})
    assert result_codes(html) == ["G0202"]
    assert '<span class="status deleted">Deleted</span>' in html


def test_system_filter_and_typo_notice(get):
    _, html = get("/", {"q": "leak", "system": "cpt"})
    assert result_codes(html) == ["63707", "63709"]
    _, html = get("/", {"q": "lamnectomy"})
    assert "Showing results for <strong>laminectomy</strong>" in html


def test_texts_are_escaped_before_highlighting(get):
    Code.objects.filter(code="63710").update(
        lay_description='A graft <script>alert("x")</script> sewn into the dura.'
    )
    _, html = get("/", {"q": "alert graft"})
    assert result_codes(html)[0] == "63710"
    assert "<script>alert" not in html
    assert "&lt;script&gt;<mark>alert</mark>" in html


def test_the_page_works_without_javascript_and_without_inline_code(get):
    _, html = get("/", {"q": "csf"})
    assert 'action="/" method="get"' in html
    assert 'name="q"' in html and 'name="system"' in html and 'name="status"' in html
    # Ready for a strict CSP: scripts only from files, no inline handlers or styles.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=|\shx-on|\sstyle=", html)


def test_searches_that_find_nothing_are_counted_for_editors(
    get, client, editor, sample, django_user_model
):
    get("/", {"q": "xylo"})
    get("/", {"q": "Xylophone  "})  # typed on: the partial word is dropped
    get("/", {"q": "xylophone"})
    get("/api/search", {"q": "zzzq"})
    get("/", {"q": "csf"})  # found something: not counted
    assert dict(ZeroResultQuery.objects.values_list("query", "count")) == {
        "xylophone": 2,
        "zzzq": 1,
    }
    client.force_login(editor)
    response = client.get("/admin/codes/zeroresultquery/")
    assert response.status_code == 200
    assert "xylophone" in response.content.decode()
    assert "/admin/codes/synonym/add/?term=xylophone" in response.content.decode()
    assert "view_zeroresultquery" in set(
        Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True)
    )


def test_only_queries_a_coder_settled_on_are_counted(get):
    typing = {"HX-Request": "true", "HX-Target": "search-results"}
    for prefix in ("/6370x", "x", "xy", "xylop", "zith"):  # type-ahead: never counted
        get("/", {"q": prefix}, **typing)
    get("/", {"q": "xylophone"}, **typing, **{"X-Search-Settled": "true"})  # stood a moment
    get("/", {"q": "zither"}, **typing, **{"X-Search-Submit": "true"})  # Enter
    assert dict(ZeroResultQuery.objects.values_list("query", "count")) == {
        "xylophone": 1,
        "zither": 1,
    }


def test_a_search_a_synonym_now_answers_drops_out_of_the_editors_list(get, client, editor, sample):
    get("/", {"q": "xylophone"})
    get("/", {"q": "zither"})
    client.force_login(editor)
    html = client.get("/admin/codes/zeroresultquery/").content.decode()
    assert "xylophone" in html and "zither" in html
    Synonym.objects.create(term="xylophone", meaning="cerebrospinal fluid")
    html = client.get("/admin/codes/zeroresultquery/").content.decode()
    assert "zither" in html and "xylophone" not in html
    html = client.get("/admin/codes/zeroresultquery/?answered=yes").content.decode()
    assert "xylophone" in html and "zither" not in html
    assert "Answered now: finds" in html


def test_api_search_answers_the_contract(get):
    response, _ = get("/api/search", {"q": "csf lami", "limit": "2"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"query", "count", "results"}
    assert data["query"] == "csf lami"
    assert data["count"] == 8
    assert len(data["results"]) == 2
    first = data["results"][0]
    assert set(first) == {
        "system",
        "code",
        "title",
        "url",
        "match",
        "score",
        "highlight",
        "matched_via",
    }
    assert first["system"] == "cpt" and first["code"] == "63709"
    assert first["url"] == "http://testserver/codes/cpt/63709/"
    assert first["match"] == "text" and 0 < first["score"] <= 1
    assert "<mark>" in first["highlight"]
    data = get("/api/search", {"q": "crutch", "system": "hcpcs", "offset": "2"})[0].json()
    assert {r["system"] for r in data["results"]} == {"hcpcs"}
    assert len(data["results"]) == data["count"] - 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "csf", "limit": "0"}, "limit"),
        ({"q": "csf", "limit": "ten"}, "limit"),
        ({"q": "csf", "offset": "-1"}, "offset"),
        ({"q": "csf", "offset": "100000"}, "offset"),
        ({"q": "csf", "system": "dental"}, "system"),
        ({"q": "q" * 10_240}, "at most 500 characters"),
        ({"q": "63710-63700"}, "ends before it starts"),
    ],
)
def test_api_search_refuses_bad_input_with_a_message(get, params, message):
    response, _ = get("/api/search", params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_api_search_caps_the_limit(get):
    for n in range(120):
        Code.objects.create(system_id=2, code=f"K{n:04d}", title=f"Wheelchair part {n}")
    data = get("/api/search", {"q": "wheelchair", "limit": "500"})[0].json()
    assert data["count"] == 120
    assert len(data["results"]) == 100


def test_api_search_scores_never_rise_down_the_list(get):
    # Results are ranked in blocks of 50: the 50 shortest lines holding `walker` rank first, and
    # here each is a short inclusion term under a title about something else, which scores less
    # than the longer `Walker, ...` titles of the next block.
    for n in range(60):
        Code.objects.create(
            system_id=2, code=f"K{n:04d}", title=f"Frame part {n}", inclusion_terms=f"Walker {n}"
        )
    for n in range(20):
        Code.objects.create(
            system_id=2, code=f"K1{n:03d}", title=f"Walker, rigid, adjustable, folding model {n}"
        )
    results = get("/api/search", {"q": "walker", "limit": "100"})[0].json()["results"]
    scores = [result["score"] for result in results]
    assert len(scores) == 80
    assert scores == sorted(scores, reverse=True)
    # A client paging through gets the same scores: page 2 starts no higher than page 1 ends.
    page = {"q": "walker", "limit": "50"}
    first = get("/api/search", page)[0].json()["results"]
    second = get("/api/search", {**page, "offset": "50"})[0].json()["results"]
    assert [r["score"] for r in first + second] == scores
