"""The relevance table: what a coder types -> what must come first. One test, run on SQLite and on
PostgreSQL by `make test`, so both backends give the same top results."""

from dataclasses import dataclass, field

import pytest

from codes.search import search


@dataclass
class Expect:
    first: str | None = None  # the code that must come first
    top: tuple[str, ...] = ()  # codes that must fill the first len(top) places, in any order
    ordered: tuple[str, ...] = ()  # codes that must come first, in exactly this order
    among: tuple[str, ...] = ()  # the first hits (as many as listed) all come from these
    nothing: bool = False
    match: str | None = None  # how the first hit matched
    corrected: str | None = None  # "showing results for ..."
    compare: tuple[str, ...] = ()
    systems: set[str] = field(default_factory=set)  # every hit must be of these systems
    kwargs: dict = field(default_factory=dict)


CSF_LEAKS = ("G96.00", "G96.01", "G96.02", "G96.08", "G96.09")
CPT_6370 = ("63700", "63702", "63704", "63706", "63707", "63709")
CRUTCHES = ("E0110", "E0112", "E0113", "E0114", "E0116", "E0117", "E0118")
RELEVANCE = [
    # exact codes, any spelling
    ("63709", Expect(first="63709", match="code")),
    ("  63709 ", Expect(first="63709", match="code")),
    ("E11.65", Expect(first="E11.65", match="code")),
    ("e1165", Expect(first="E11.65", match="code")),
    ("g96.00", Expect(first="G96.00", match="code")),
    ("00q20zz", Expect(first="00Q20ZZ", match="code")),
    # partial codes
    ("6370", Expect(ordered=CPT_6370, match="prefix")),
    ("6370*", Expect(ordered=CPT_6370)),
    ("E11.", Expect(ordered=("E11.65", "E11.9"), match="prefix")),
    ("e01", Expect(ordered=("E0100", "E0105", "E0110", "E0112"), match="prefix")),
    # ranges
    ("63700-63710", Expect(ordered=(*CPT_6370, "63710"), match="range")),
    ("G96.0-G96.1", Expect(ordered=(*CSF_LEAKS, "G96.11", "G96.12", "G96.19"), match="range")),
    ("E0110 - E0114", Expect(ordered=("E0110", "E0112", "E0113", "E0114"))),
    # abbreviations and synonyms, both ways
    ("csf lami", Expect(first="63709", match="text")),
    ("csf leak", Expect(first="G96.00", top=CSF_LEAKS)),
    ("cerebrospinal fluid leak", Expect(first="G96.00", top=CSF_LEAKS)),
    ("COPD", Expect(first="J44.9")),
    ("chf", Expect(first="I50.9")),
    ("UTI", Expect(first="N39.0")),
    ("t2dm", Expect(top=("E11.65", "E11.9"))),
    ("MMC repair", Expect(top=("63704", "63706"))),
    ("hip fx", Expect(first="S72.001A")),
    ("durotomy", Expect(top=("G96.11", "G97.41"))),
    # several words: all of them beat some of them; a negation in the title counts against it
    ("type 2 diabetes with hyperglycemia", Expect(first="E11.65")),
    ("spina bifida without hydrocephalus", Expect(top=("Q05.5", "Q05.6", "Q05.7", "Q05.8"))),
    ('"spina bifida" lumbar', Expect(top=("Q05.2", "Q05.7"))),
    ("heated humidifier", Expect(first="E0562")),
    ("wood crutches", Expect(top=("E0112", "E0113"))),
    ("cpap mask", Expect(first="A7030")),
    ("meningocele repair", Expect(top=("63700", "63702"))),
    ("open approach dura", Expect(first="00Q20ZZ")),
    ("copd exacerbation", Expect(first="J44.9")),
    # punctuation
    ("dural/CSF leak", Expect(top=("63707", "63709"))),
    ("I&D", Expect(top=("10060", "10061"))),
    ("i&d abscess", Expect(top=("10060", "10061"))),
    ("Repair, dural (CSF) leak; laminectomy.", Expect(first="63709")),
    # word forms
    ("fractures", Expect(first="S72.001A")),
    ("crutch", Expect(among=CRUTCHES, systems={"hcpcs"})),
    ("abscesses", Expect(top=("10060", "10061"))),
    # accents and case
    ("Ménière", Expect(top=("H81.01", "H81.02"))),
    ("MENIERES disease", Expect(top=("H81.01", "H81.02"))),
    ("sjögren", Expect(first="M35.00")),
    ("SJOGREN SYNDROME", Expect(first="M35.00")),
    # inline system filter
    ("hcpcs: crutches", Expect(first="E0110", systems={"hcpcs"})),
    ("icd10cm: leak", Expect(first="G96.00", systems={"icd10cm"})),
    # typos: corrected against the index words, never in a code's digits
    ("lamnectomy", Expect(first="63709", match="fuzzy", corrected="laminectomy")),
    ("diabetis", Expect(top=("E11.65", "E11.9"), corrected="diabetes")),
    # the unspecified spina bifida first: the general code
    ("hydrocefalus", Expect(first="Q05.4", corrected="hydrocephalus")),
    ("csf lamniectomy", Expect(first="63709", corrected="csf laminectomy")),
    ("63708", Expect(nothing=True)),
    ("E11.66", Expect(nothing=True)),
    # deleted codes only when asked for
    ("mammography", Expect(nothing=True)),
    ("mammography", Expect(first="G0202", kwargs={"include_deleted": True})),
    # comparisons
    ("63707 vs 63709", Expect(compare=("63707", "63709"))),
    ("63704 v. 63706", Expect(compare=("63704", "63706"))),
    ("G96.00 VERSUS icd10cm:G96.09", Expect(compare=("G96.00", "icd10cm:G96.09"))),
]


@pytest.mark.parametrize(
    ("query", "expect"), RELEVANCE, ids=[f"{q!r}{e.kwargs or ''}" for q, e in RELEVANCE]
)
def test_relevance(sample, query, expect):
    result = search(query, **expect.kwargs)
    codes = [hit.code.code for hit in result.hits]
    shown = [(hit.code.code, hit.match, hit.score) for hit in result.hits[:8]]
    if expect.compare:
        assert result.compare_codes == list(expect.compare)
        return
    if expect.nothing:
        assert codes == [] and result.count == 0, shown
        return
    assert codes, f"nothing found for {query!r}"
    if expect.first:
        assert codes[0] == expect.first, shown
    if expect.top:
        assert set(codes[: len(expect.top)]) == set(expect.top), shown
    if expect.among:
        assert set(codes[: len(expect.among)]) <= set(expect.among), shown
    if expect.ordered:
        assert codes[: len(expect.ordered)] == list(expect.ordered), shown
    if expect.match:
        assert result.hits[0].match == expect.match, shown
    assert result.corrected_query == expect.corrected
    if expect.systems:
        assert {hit.code.system.slug for hit in result.hits} <= expect.systems, shown
    scores = [hit.score for hit in result.hits]
    assert all(0 < score <= 1 for score in scores), shown


def test_a_deleted_code_is_marked_deleted(sample):
    result = search("G0202", include_deleted=True)
    assert result.hits[0].code.is_deleted
    assert search("G0202").hits == []


def test_typo_tolerance_never_touches_digits(sample):
    for query in ["63708", "63719", "E11.66", "6372*", "G96.03"]:
        result = search(query)
        assert result.hits == [], query
        assert result.corrected_query is None


def test_a_reversed_range_is_an_error_not_a_guess(sample):
    result = search("63710-63700")
    assert result.hits == []
    assert "ends before it starts" in result.error
