"""Every page and API endpoint, fed arbitrary query strings and path values: a clear 4xx or a
normal answer, never a 500, on either database.

Query strings are built by hand so that they can repeat parameters and carry arbitrary unicode,
NUL bytes, 5,000-character values and values of the wrong type.
"""

from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.errors import shown_error

# Every query parameter any view reads, plus one no view reads.
PARAMS = [
    "q", "system", "status", "limit", "offset", "codes", "add", "marks", "as_of", "format",
    "paper", "code", "text", "since", "until", "page", "kind", "next", "unknown",
]  # fmt: skip
ENDPOINTS = [
    "/",
    "/api/search",
    "/compare/",
    "/api/compare",
    "/comparisons/",
    "/changes/",
    "/codes/cpt/63709/",
    "/api/codes/cpt/63709",
]

values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["63707,63709", "cpt:63707,icd10cm:G96.00", "-1", "0", "1e9", "2026-02-30", "9999-12-31",
         "", " ", "null", "[]", "{}", "%00", "../../etc/passwd", "<script>alert(1)</script>",
         "csv", "pdf", "xlsx", "json", "letter", "all", "deleted", "hcpcs", "ICD10CM"]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.builds(lambda s: s * 5_000, st.sampled_from(["a", "6", ",", "é", " ", "%"])),
)  # fmt: skip
query_strings = st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=6).map(
    lambda pairs: urlencode(pairs, doseq=True)
)
fuzz = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _no_server_error(response, what):
    assert response.status_code < 500, what
    if response.status_code >= 400:
        # Where the reader looks: the alert on the page, the JSON `error`, the 404 page's text.
        assert shown_error(response), f"{what}: an error without a message"


@fuzz
@given(path=st.sampled_from(ENDPOINTS), query=query_strings, htmx=st.booleans())
def test_no_query_string_breaks_a_page(coder_client, sample, path, query, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = coder_client.get(f"{path}?{query}", headers=headers)
    _no_server_error(response, f"{path}?{query[:200]}")


path_values = st.one_of(
    st.text(min_size=1, max_size=30),
    st.sampled_from(["63709", "G96.00", "g9600", "E0601", "00Q20ZZ", "..", "%2F", "0" * 500]),
)


@fuzz
@given(system=path_values, code=path_values, kind=path_values, number=st.integers(0, 10**15))
def test_no_path_value_breaks_a_page(coder_client, sample, system, code, kind, number):
    for path in [
        f"/codes/{quote(system, safe='')}/{quote(code, safe='')}/",
        f"/api/codes/{quote(system, safe='')}/{quote(code, safe='')}",
        f"/changes/{quote(kind, safe='')}/{number}/",
    ]:
        _no_server_error(coder_client.get(path), path)


@fuzz
@given(query=query_strings)
def test_an_editor_and_an_auditor_get_no_500_either(client, editor, auditor, sample, query):
    for user in (editor, auditor):
        client.force_login(user)
        for path in ["/compare/", "/comparisons/", "/changes/", "/compare/export/",
                     "/comparisons/export/"]:  # fmt: skip
            _no_server_error(client.get(f"{path}?{query}"), f"{user}: {path}?{query[:200]}")


def test_a_nul_byte_in_a_code_is_a_clear_4xx(coder_client, sample):
    # Found by the fuzzer on PostgreSQL, which refuses NUL bytes in text.
    response = coder_client.get("/compare/?codes=%00,63709")
    assert response.status_code == 400
    assert "is not a code" in response.content.decode()
    assert coder_client.get("/api/compare?codes=63707,%00").status_code == 400
    assert coder_client.get("/codes/cpt/%00/").status_code == 404
    assert coder_client.get("/api/codes/cpt/6370%009").status_code == 404
