"""The one search entry point: `search(text, ...)` -> SearchResult.

Tiers, best first: the exact code; codes in a typed prefix or range, in code order; codes whose
title or one inclusion term holds all the typed words (or their synonyms and word forms); other
codes whose texts hold them all; codes that hold some of them.
When a word finds nothing at all, it is corrected against the index vocabulary (never a word with
digits: 63708 finds nothing rather than 63707) and the corrected query is searched instead.
Text hits are taken from the backend in blocks (one title or inclusion term: shortest such line
first; all words: by the backend's relevance when a query matches more codes than one block holds
but at most COUNT_CAP, shortest title first otherwise) and each block is ranked in base.rank.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import escape

from coderef.routers import replica_reads
from codes.models import Code, CodeSystem, SearchToken, Synonym, ZeroResultQuery
from codes.search.base import (
    Concept,
    Ranked,
    Scope,
    SearchBackend,
    best_correction,
    build_concepts,
    normalized_label,
    query_words,
    rank,
)
from codes.search.query import ParsedQuery, Term, parse

BLOCK = 50
MAX_OFFSET = 500
# How long a result stays cached; an edit replaces the search token at once, so this bounds memory
# use only, never staleness.
CACHE_SECONDS = 600


@dataclass
class Hit:
    code: Code
    match: str  # code / prefix / range / text / fuzzy
    score: float
    highlight: str  # escaped HTML with <mark> around matched words
    title_highlight: str = ""  # the title, escaped, with <mark> around matched words
    ranked: Ranked | None = field(default=None, repr=False, compare=False)

    def fill_highlights(self) -> None:
        """Mark the matched words; done only for the hits a page shows, which need the ranking's
        working data no longer."""
        if self.ranked is not None:
            self.title_highlight, self.highlight = self.ranked.highlights()
            self.ranked = None


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
    # Queries to try when nothing is found, or instead of a malformed query.
    suggestions: list[str] = field(default_factory=list)


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
    from `offset` (capped at MAX_OFFSET); `count` counts every tier, capped per tier. Reads go to
    the read replica when one is configured (coderef.routers). Results are cached (_cache_key).
    """
    with replica_reads():
        scope = None if systems is None else sorted(systems)
        key = _cache_key(text, scope, include_deleted, limit, offset)
        result = cache.get(key) if key else None
        if result is None:
            result = _search(text, systems, include_deleted, limit, offset)
            if key:
                cache.set(key, result, CACHE_SECONDS)
        return result


def _cache_key(*arguments) -> str | None:
    """Where a search's result is cached: under the search token, which every committed change to
    codes, synonyms or code systems replaces (codes.models.SearchToken), so no process serves a
    result from before an edit.

    None (no caching) inside a transaction, whose own uncommitted writes a search may see and
    whose token PostgreSQL renews only at commit, and while the token row is missing (a test
    database emptied by flush until its next write).
    """
    if connection.in_atomic_block:
        return None
    token = SearchToken.objects.values_list("token", flat=True).first()
    if token is None:
        return None
    return f"search:{token}:{hashlib.sha256(repr(arguments).encode()).hexdigest()}"


def _search(text, systems, include_deleted, limit, offset) -> SearchResult:
    known = {system.slug: system for system in CodeSystem.objects.all()}
    parsed = parse(text, system_slugs=frozenset(known))
    result = SearchResult(query=parsed.text, system=parsed.system, error=parsed.error)
    if parsed.instead:
        result.suggestions = [parsed.instead]
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
    first = min(max(offset, 0), MAX_OFFSET)
    wanted = first + max(limit, 0)
    hits, count = _code_hits(parsed, in_scope, scope, wanted, prefixes=not result.compare_codes)
    text = _TextHits()
    if not result.compare_codes:
        text = _text_hits(parsed, scope, wanted, systems_by_id={s.pk: s for s in in_scope})
    seen = {hit.code.pk for hit in hits}
    hits += [hit for hit in text.hits if hit.code.pk not in seen]
    result.hits = hits[first:wanted]
    for hit in result.hits:
        hit.fill_highlights()
    result.count = min(count + text.count, SearchBackend.COUNT_CAP + 1)
    result.count_capped = result.count > SearchBackend.COUNT_CAP
    result.corrected_query = text.corrected
    if not result.count:
        result.suggestions = _suggestions(parsed)
    return result


# --- codes, prefixes and ranges ----------------------------------------------------------------


def _code_hits(
    parsed: ParsedQuery, systems: Sequence[CodeSystem], scope: Scope, wanted: int, *, prefixes: bool
) -> tuple[list[Hit], int]:
    """Exact codes first, then every code in a typed prefix or range, in code order.

    Each (system, prefix or range) is one index range scan over (system, code) that stops after
    COUNT_CAP+1 ids: the count and the first ids in code order in one query.
    """
    visible = Code.objects.all()
    if not scope.include_deleted:
        visible = visible.exclude(status=Code.Status.DELETED)
    by_id = {system.pk: system for system in systems}
    exact: list[Code] = []
    if parsed.codes:
        spellings = [
            Q(system=system, code=system.normalize_code(code))
            for system in systems
            for code in parsed.codes
        ]
        exact = list(visible.filter(Q(*spellings, _connector=Q.OR)))
        exact.sort(key=lambda code: (by_id[code.system_id].position, code.code))
    hits = [_code_hit(code, "code", 1.0, by_id) for code in exact]
    intervals = [("prefix", code) for code in parsed.codes] if prefixes else []
    intervals += [("range", code_range) for code_range in parsed.ranges]
    listed = {code.pk for code in exact}
    wanted_ids: list[tuple[str, int]] = []
    count = len(exact)
    for system in systems:
        for kind, what in intervals:
            low, high = _interval(system, kind, what)
            if low is None:
                continue
            ids = visible.filter(system=system, code__gte=low, code__lt=high).order_by("code")
            ids = list(ids.values_list("pk", flat=True)[: SearchBackend.COUNT_CAP + 1])
            new = [pk for pk in ids if pk not in listed]
            listed.update(new)
            count += len(new)
            wanted_ids += [(kind, pk) for pk in new[: max(wanted - len(hits) - len(wanted_ids), 0)]]
    codes = visible.in_bulk([pk for _, pk in wanted_ids])
    hits += [_code_hit(codes[pk], kind, 0.9, by_id) for kind, pk in wanted_ids]
    return hits, count


def _interval(system: CodeSystem, kind: str, what) -> tuple[str | None, str | None]:
    """[low, high) of the codes a typed prefix or range covers in one system."""
    if kind == "prefix":
        low = _code_prefix(system, what)
        if len(low.replace(".", "")) < 2:
            return None, None
        return low, _successor(low)
    return _code_prefix(system, what.low), _successor(_code_prefix(system, what.high))


def _code_prefix(system: CodeSystem, raw: str) -> str:
    """A typed code beginning as the system writes it: `e116` -> `E11.6` in ICD-10-CM."""
    code = raw.upper().rstrip("*")
    if code.endswith("."):
        return code
    return system.normalize_code(code) if len(code) > 3 else code


def _successor(prefix: str) -> str:
    """The first string after every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _code_hit(code: Code, match: str, score: float, systems_by_id: dict[int, CodeSystem]) -> Hit:
    code.system = systems_by_id[code.system_id]
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


@dataclass
class _TextHits:
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    corrected: str | None = None


def _text_hits(parsed: ParsedQuery, scope: Scope, wanted: int, *, systems_by_id) -> _TextHits:
    """Codes whose title or one inclusion term holds all the typed words, then the other codes
    whose texts hold them all, then those with some of them."""
    if not parsed.terms:
        return _TextHits()
    backend = get_backend()
    terms = parsed.terms
    concepts = build_concepts(terms, _synonym_pairs(terms))
    found = _TextHits()
    match = "text"
    every_count = backend.count(concepts, scope, every=True)
    if not every_count:
        fixed = _corrected_terms(backend, terms, concepts, scope)
        fixed_concepts = build_concepts(fixed, _synonym_pairs(fixed)) if fixed != terms else []
        # A correction is shown only when it finds something (PostgreSQL's vocabulary keeps the
        # words of deleted codes until the index is rebuilt).
        fixed_count = backend.count(fixed_concepts, scope, every=True) if fixed_concepts else 0
        if fixed_count:
            match, concepts, every_count = "fuzzy", fixed_concepts, fixed_count
            found.corrected = " ".join(" ".join(term.words) for term in fixed)
    # Past COUNT_CAP codes with every word, codes with only some are never reached: not counted.
    some_count = 0
    if len(concepts) > 1 and every_count <= backend.COUNT_CAP:
        some_count = backend.count(concepts, scope, every=False)
    found.count = every_count + some_count
    seen: set[int] = set()

    def add(ids: list[int], base: float, spread: float) -> None:
        codes = list(Code.objects.filter(pk__in=[pk for pk in ids if pk not in seen]))
        for code in codes:
            code.system = systems_by_id[code.system_id]
            seen.add(code.pk)
        for ranked in rank(codes, concepts):
            hit = Hit(ranked.code, match, round(base + spread * ranked.score, 4), "")
            hit.ranked = ranked
            found.hits.append(hit)

    # Scores: all words 0.5-0.99, some words 0.1-0.49 (codes 1.0, prefixes and ranges 0.9).
    # First the codes with all words in their title or one inclusion term, shortest line first,
    # then the other codes with all words, then those with some.
    start = 0
    while every_count and len(found.hits) < wanted:
        ids = backend.line_ids(concepts, scope, start=start, size=BLOCK)
        add(ids, 0.5, 0.49)
        if len(ids) < BLOCK:
            break
        start += BLOCK
    tiers = ((True, every_count, 0.5, 0.49), (False, some_count, 0.1, 0.39))
    for every, count, base, spread in tiers:
        start = 0
        while len(found.hits) < wanted and start < count:
            ids = backend.ids(
                concepts,
                scope,
                every=every,
                # One block holds every match: no need to order them (bm25 must read every
                # document list of a common word for its statistics, even for 3 matches).
                by_relevance=BLOCK < count <= backend.COUNT_CAP,
                start=start,
                size=BLOCK,
            )
            add(ids, base, spread)
            start += BLOCK
    return found


def _corrected_terms(backend, terms: list[Term], concepts: list[Concept], scope: Scope):
    """The terms with each correctable word that finds nothing replaced by its nearest word."""
    fixed = list(terms)
    by_label = {concept.label: concept for concept in concepts}
    for i, term in enumerate(terms):
        concept = by_label.get(term.words[0])
        if term.quoted or concept is None or not concept.correctable:
            continue
        # With one concept the caller's count already said it finds nothing.
        if len(concepts) > 1 and backend.count([concept], scope, every=True):
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


def record_zero_result(result: SearchResult) -> None:
    """If the search found nothing, count its query for the editors' list. Stores no user and no
    address; a comparison or a malformed query is not a search that found nothing.

    Words typed on the way to this query (`mammogr` before `mammography`) were logged a moment ago
    by search-as-you-type; they are dropped so the list shows what coders meant.
    """
    if result.count or result.error or result.compare_codes:
        return
    query = normalized_label(result.query)[: ZeroResultQuery._meta.get_field("query").max_length]
    if not any(ch.isalnum() for ch in query):
        return
    now = timezone.now()
    ZeroResultQuery.objects.filter(
        query__in=[query[:n] for n in range(1, len(query))],
        count=1,
        last_seen__gte=now - timedelta(seconds=30),
    ).delete()
    entry = ZeroResultQuery.objects.filter(query=query)
    if entry.update(count=F("count") + 1, last_seen=now):
        return
    try:
        with transaction.atomic():
            ZeroResultQuery.objects.create(query=query, last_seen=now)
    except IntegrityError:  # another request logged it first
        entry.update(count=F("count") + 1, last_seen=now)
