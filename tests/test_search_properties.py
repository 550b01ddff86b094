"""Whatever is typed, search answers: never an exception, never a 500, on either database."""

import re
from html import unescape

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codes.models import Code, CodeSystem
from codes.search import search
from tests.errors import shown_error

OPERATORS = ['"', "*", "^", ":", "(", ")", "NEAR", "AND", "OR", "NOT", "-", "+", "'", "\\", "%"]
PIECES = OPERATORS + ["csf", "63709", "E11.", "6370*", "vs", "hcpcs:", " ", "\x00", "é", "&", "!"]

queries = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join),
    st.builds(lambda piece, n: piece * n, st.sampled_from(PIECES + ["lami "]), st.just(10_240)),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: '"' + s),
)
examples = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@examples
@given(text=queries)
def test_search_never_raises(sample, text):
    result = search(text, include_deleted=True)
    assert result.count >= len(result.hits)
    for hit in result.hits:
        assert hit.match in {"code", "prefix", "range", "text", "fuzzy"}


# Markup an editor or an imported file could put into a code's texts.
HOSTILE = [
    "<script>alert(1)</script>", "<script", '"><img src=x onerror=alert(1)>', "</mark>", "<mark>",
    "&lt;script&gt;", "&amp;", "<b>", "'", '"', "<!--", "-->", "<svg onload=alert(1)>", "&",
]  # fmt: skip
hostile_texts = st.lists(st.sampled_from([*HOSTILE, "frame", "walking", "of"]), max_size=8).map(
    " ".join
)


def _unmarked(html: str) -> str:
    return unescape(re.sub(r"</?mark>", "", html))


@examples
@given(before=hostile_texts, after=hostile_texts, terms=hostile_texts)
def test_hostile_text_in_a_code_reaches_the_highlights_escaped(db, before, after, terms):
    with transaction.atomic():
        Code.objects.create(
            system=CodeSystem.objects.get(slug="hcpcs"),
            code="E0999",
            title=f"{before} quokka {after}",
            inclusion_terms=f"{terms} wombat {terms}",
            section_path="E0100-E9999",
        )
        by_title = search("quokka").hits
        by_term = search("wombat").hits
        transaction.set_rollback(True)
    assert [hit.code.code for hit in by_title] == ["E0999"]
    assert [hit.code.code for hit in by_term] == ["E0999"]
    for hit in (*by_title, *by_term):
        for html in (hit.highlight, hit.title_highlight):
            assert "<script" not in html and "<img" not in html and "<svg" not in html
            # Only the marks are markup: every other < of the texts arrives escaped.
            assert "<" not in re.sub(r"</?mark>", "", html)
    # Read with its marks, the title says exactly what the code's title says.
    assert _unmarked(by_title[0].title_highlight) == f"{before} quokka {after}"
    assert "<mark>quokka</mark>" in by_title[0].title_highlight
    assert "wombat" in _unmarked(by_term[0].highlight)


@examples
@given(text=queries, path=st.sampled_from(["/", "/api/search"]), htmx=st.booleans())
def test_the_page_and_api_never_answer_500(coder_client, sample, text, path, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = coder_client.get(path, {"q": text}, headers=headers)
    assert response.status_code in {200, 302, 400}, text
    if response.status_code == 400:
        # The page shows the reader the message the API gives a client, and it says something.
        other = "/" if path.startswith("/api") else "/api/search"
        elsewhere = coder_client.get(other, {"q": text}, headers=headers)
        assert elsewhere.status_code == 400, text
        assert shown_error(response) == shown_error(elsewhere) != "", text


@pytest.mark.parametrize(
    "text",
    ['"csf leak', "csf* leak^", "(csf) leak:", "NEAR(csf leak)", "csf -leak", "csf: leak"],
)
def test_operators_typed_are_read_as_punctuation_or_words(sample, text):
    first = search(text).hits[0].code.code
    assert first.startswith("G96.0"), first
