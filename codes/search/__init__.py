"""The one search entry point: `search(text, ...)` -> SearchResult.

Tiers, best first: the exact code; codes in a typed prefix or range, in code order; codes whose
texts hold all the typed words (or their synonyms and word forms); codes that hold some of them.
When a word finds nothing at all, it is corrected against the index vocabulary (never a word with
digits: 63708 finds nothing rather than 63707) and the corrected query is searched instead.
Text hits are taken from the backend in blocks (by its relevance when a query matches at most
COUNT_CAP codes, shortest title first when it matches more) and each block is ranked in base.rank.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import escape

from codes.models import Code, CodeSystem, Synonym, ZeroResultQuery
from codes.search.base import (
    Concept,
    Scope,
    SearchBackend,
    best_correction,
    build_concepts,
    normalized_label,
    query_words,
    rank,
)
from codes.search.query import ParsedQuery, Term, parse
from codes.selectors import normalize_code

BLOCK = 100
MAX_OFFSET = 1000


@dataclass
class Hit:
    code: Code
    match: str  # code / prefix / range / text / fuzzy
    score: float
    highlight: str  # escaped HTML with <mark> around matched words
    title_highlight: str = ""  # the title, escaped, with <mark> around matched words


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    corrected_query: str | None = None  # "showing results for ..."
    compare_codes: list[str] | None = None  # `A vs B` queries: the codes to compare
    count_capped: bool = False  # count is a lower bound: the query matches more codes
    system: str | None = None  # a system filter typed inline (`hcpcs: crutches`)
    error: str | None = None  # why the query cannot be answered (a reversed range ...)
    suggestions: list[str] = field(default_factory=list)  # queries to try when nothing is found


def get_backend() -> SearchBackend:
    """The full-text backend for the default database's vendor."""
    if connection.vendor == "postgresql":
        from codes.search.postgres import PostgresBackend

        return PostgresBackend()
    from codes.search.sqlite import SQLiteBackend

    return SQLiteBackend()


def search(
    text: str,
    *,
    systems: list[str] | None = None,
    include_deleted: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Find codes for what a coder typed, best first.

    `systems` limits the search to these system slugs (a system typed inline, `hcpcs: crutches`,
    takes precedence); deleted codes are found only with `include_deleted`. At most `limit` hits
    from `offset` (capped at MAX_OFFSET); `count` counts every tier, capped per tier.
    """
    known = {system.slug: system for system in CodeSystem.objects.all()}
    parsed = parse(text, system_slugs=frozenset(known))
    result = SearchResult(query=parsed.text, system=parsed.system, error=parsed.error)
    if parsed.compare_codes:
        # The page opens the comparison; the API lists the codes named.
        result.compare_codes = parsed.compare_codes
        parsed.codes = [token.rpartition(":")[2].upper() for token in parsed.compare_codes]
    if parsed.is_empty or result.error:
        return result
    slugs = [parsed.system] if parsed.system else systems
    in_scope = [s for slug, s in known.items() if slugs is None or slug in slugs]
    if not in_scope:
        return result
    scope = Scope(
        None if slugs is None else tuple(s.pk for s in in_scope),
        include_deleted,
    )
    wanted = min(max(offset, 0), MAX_OFFSET) + max(limit, 0)
    hits, count = _code_hits(parsed, in_scope, scope, wanted, prefixes=not result.compare_codes)
    text_hits, text_count, capped, corrected = (
        ([], 0, False, None) if result.compare_codes else _text_hits(parsed, scope, wanted)
    )
    seen = {hit.code.pk for hit in hits}
    hits += [hit for hit in text_hits if hit.code.pk not in seen]
    result.hits = hits[min(max(offset, 0), MAX_OFFSET) : wanted]
    result.count = count + text_count
    result.count_capped = capped
    if corrected:
        result.corrected_query = corrected
    if not result.count:
        result.suggestions = _suggestions(parsed)
    return result


# --- codes, prefixes and ranges ----------------------------------------------------------------


def _code_hits(
    parsed: ParsedQuery, systems: Sequence[CodeSystem], scope: Scope, wanted: int, *, prefixes: bool
):
    """Exact codes first, then every code in a typed prefix or range, in code order."""
    visible = Code.objects.select_related("system")
    if not scope.include_deleted:
        visible = visible.exclude(status=Code.Status.DELETED)
    exact: list[Code] = []
    if parsed.codes:
        spellings = [
            Q(system=system, code=normalize_code(system, code))
            for system in systems
            for code in parsed.codes
        ]
        exact = list(visible.filter(Q(*spellings, _connector=Q.OR)))
        exact.sort(key=lambda code: (code.system.position, code.code))
    hits = [_code_hit(code, "code", 1.0) for code in exact]
    count = len(exact)
    intervals = [("prefix", code) for code in parsed.codes] if prefixes else []
    intervals += [("range", code_range) for code_range in parsed.ranges]
    for system in systems:
        for kind, what in intervals:
            if kind == "prefix":
                low = _code_prefix(system, what)
                if len(low.replace(".", "")) < 2:
                    continue
                high = _successor(low)
            else:
                low = _code_prefix(system, what.low)
                high = _successor(_code_prefix(system, what.high))
            within = visible.filter(system=system, code__gte=low, code__lt=high).exclude(
                pk__in=[code.pk for code in exact]
            )
            count += within[: SearchBackend.COUNT_CAP + 1].count()
            if len(hits) < wanted:
                hits += [
                    _code_hit(code, kind, 0.9)
                    for code in within.order_by("code")[: wanted - len(hits)]
                ]
    return hits, min(count, SearchBackend.COUNT_CAP + 1)


def _code_prefix(system: CodeSystem, raw: str) -> str:
    """A typed code beginning as the system writes it: `e116` -> `E11.6` in ICD-10-CM."""
    code = raw.upper().rstrip("*")
    if code.endswith("."):
        return code
    return normalize_code(system, code) if len(code) > 3 else code


def _successor(prefix: str) -> str:
    """The first string after every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _code_hit(code: Code, match: str, score: float) -> Hit:
    title = escape(code.title)
    return Hit(code=code, match=match, score=score, highlight=title, title_highlight=title)


# --- words ------------------------------------------------------------------------------------


def _synonym_pairs(terms: Sequence[Term]) -> list[tuple[str, str]]:
    words = query_words(terms)
    if not words:
        return []
    starts = Q(
        *[Q(term__istartswith=w) | Q(meaning__istartswith=w) for w in words], _connector=Q.OR
    )
    return list(Synonym.objects.filter(starts).values_list("term", "meaning"))


def _text_hits(parsed: ParsedQuery, scope: Scope, wanted: int):
    """(hits, count, count capped, corrected query) for the typed words."""
    if not parsed.terms:
        return [], 0, False, None
    backend = get_backend()
    terms = parsed.terms
    concepts = build_concepts(terms, _synonym_pairs(terms))
    match, corrected = "text", None
    every_count = backend.count(concepts, scope, every=True)
    if not every_count:
        fixed = _corrected_terms(backend, terms, concepts, scope)
        if fixed != terms:
            terms, match = fixed, "fuzzy"
            corrected = " ".join(" ".join(term.words) for term in terms)
            concepts = build_concepts(terms, _synonym_pairs(terms))
            every_count = backend.count(concepts, scope, every=True)
    some_count = backend.count(concepts, scope, every=False) if len(concepts) > 1 else 0
    hits: list[Hit] = []
    # Scores: all words 0.5-0.99, some words 0.1-0.49 (codes 1.0, prefixes and ranges 0.9).
    tiers = ((True, every_count, 0.5, 0.49), (False, some_count, 0.1, 0.39))
    for every, count, base, spread in tiers:
        hits += _ranked_block_hits(
            backend, concepts, scope, every, count, wanted - len(hits), match, base, spread
        )
    capped = max(every_count, some_count) > backend.COUNT_CAP
    return hits, min(every_count + some_count, backend.COUNT_CAP + 1), capped, corrected


def _ranked_block_hits(backend, concepts, scope, every, count, wanted, match, base, spread):
    hits: list[Hit] = []
    start = 0
    while len(hits) < wanted and start < count:
        ids = backend.ids(
            concepts,
            scope,
            every=every,
            by_relevance=count <= backend.COUNT_CAP,
            start=start,
            size=BLOCK,
        )
        if not ids:
            break
        codes = list(Code.objects.select_related("system").filter(pk__in=ids))
        for ranked in rank(codes, concepts):
            hits.append(
                Hit(
                    code=ranked.code,
                    match=match,
                    score=round(base + spread * ranked.score, 4),
                    highlight=ranked.fragment_html,
                    title_highlight=ranked.title_html,
                )
            )
        start += BLOCK
    return hits[:wanted]


def _corrected_terms(backend, terms: list[Term], concepts: list[Concept], scope: Scope):
    """The terms with each correctable word that finds nothing replaced by its nearest word."""
    fixed = list(terms)
    by_label = {concept.label: concept for concept in concepts}
    for i, term in enumerate(terms):
        concept = by_label.get(term.words[0])
        if term.quoted or concept is None or not concept.correctable:
            continue
        if backend.count([concept], scope, every=True):
            continue
        word = term.words[0]
        better = best_correction(word, backend.vocabulary_near(word), prefix=term.prefix)
        if better:
            fixed[i] = replace(term, words=(better,), prefix=False)
    return fixed


def _suggestions(parsed: ParsedQuery) -> list[str]:
    """Shorter code families to try when a code finds nothing: 63708 -> 6370*."""
    suggestions = []
    for code in parsed.codes:
        family = code.rstrip(".*")[:-1].rstrip(".")
        if len(family) >= 3:
            suggestions.append(f"{family}*")
    return suggestions


def record_zero_result(text: str) -> None:
    """Count a query that found nothing, for the editors' list. Stores no user and no address.

    Words typed on the way to this query (`mammogr` before `mammography`) were logged a moment ago
    by search-as-you-type; they are dropped so the list shows what coders meant.
    """
    query = normalized_label(text)[: ZeroResultQuery._meta.get_field("query").max_length]
    if not any(ch.isalnum() for ch in query):
        return
    now = timezone.now()
    ZeroResultQuery.objects.filter(
        query__in=[query[:n] for n in range(1, len(query))],
        count=1,
        last_seen__gte=now - timedelta(seconds=30),
    ).delete()
    entry, created = ZeroResultQuery.objects.get_or_create(query=query, defaults={"last_seen": now})
    if not created:
        ZeroResultQuery.objects.filter(pk=entry.pk).update(count=F("count") + 1, last_seen=now)
