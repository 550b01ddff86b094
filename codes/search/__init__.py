"""The one search entry point: `search(text, ...)` -> SearchResult.

query.py parses what the coder typed, concepts.py expands its words (synonyms, word forms,
shorthand, the scope of a typed negation), pcs.py reads ICD-10-PCS phrasing axis by axis,
tiers.py finds and scores the hits tier by tier with the backend of the database's vendor
(backends/) and ranking.py, with every number in weights.py; highlights.py marks the hits shown,
typos.py corrects a word that finds nothing, headings.py puts the code a coder picks under a
heading before it, then.py searches the code set of a past day; results are kept until the next
change (codes.cache).
"""

from datetime import date

from coderef.routers import replica_reads
from codes.cache import ContentCache, one_token
from codes.search.backends.base import COUNT_CAP, Scope
from codes.search.query import parse
from codes.search.results import Hit, SearchResult
from codes.search.then import code_set_then
from codes.search.tiers import TextHits, code_hits, code_suggestions, scores_in_order, text_hits
from codes.selectors.codes import code_systems

__all__ = ["MAX_OFFSET", "Hit", "SearchResult", "search"]

MAX_OFFSET = 500


def search(
    text: str,
    *,
    systems: list[str] | None = None,
    include_deleted: bool = False,
    limit: int = 20,
    offset: int = 0,
    as_of: date | None = None,
) -> SearchResult:
    """Find codes for what a coder typed, best first.

    `systems` limits the search to these system slugs (a system typed inline, `hcpcs: crutches`,
    takes precedence); deleted codes are found only with `include_deleted`. At most `limit` hits
    from `offset` (capped at MAX_OFFSET); `count` counts every tier, capped per tier. `as_of`: in
    each system with a release in force that day, the codes valid then, found by their texts
    then and carrying them (codes.search.then; `include_deleted` applies to the other systems).
    Reads go to the read replica when one is configured (coderef.routers). Results are cached
    (codes.cache).
    """
    with replica_reads(), one_token():
        scope = None if systems is None else sorted(systems)
        return ContentCache().get_or_compute(
            "search",
            (text, scope, include_deleted, limit, offset, as_of),
            lambda: _search(text, systems, include_deleted, limit, offset, as_of),
        )


def _shorthand_first(codes: list[str], hits: list[Hit], words: TextHits) -> bool:
    """True when every code typed is no code but a prefix the terminology reads as shorthand,
    and its words find something."""
    return (
        bool(codes and words.hits)
        and all(hit.match == "prefix" for hit in hits)
        and all(code.lower() in words.read_as_terms for code in codes)
    )


def _search(
    text: str,
    systems: list[str] | None,
    include_deleted: bool,
    limit: int,
    offset: int,
    as_of: date | None,
) -> SearchResult:
    known = {system.slug: system for system in code_systems()}
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
        None if as_of is None else code_set_then(as_of, in_scope),
    )
    first = min(max(offset, 0), MAX_OFFSET)
    wanted = first + max(limit, 0)
    hits, count = code_hits(parsed, in_scope, scope, wanted, prefixes=not result.compare_codes)
    words = TextHits()
    if not result.compare_codes:
        words = text_hits(parsed, scope, wanted, systems_by_id={s.pk: s for s in in_scope})
    if _shorthand_first(parsed.codes, hits, words):
        # `DM2`, `CABG x3`: no such code, a prefix of some, and shorthand the terminology reads:
        # what the shorthand means first, then the codes the prefix starts.
        listed = hits
        hits = list(words.hits)
        seen = {hit.code.pk for hit in hits}
        hits += [hit for hit in listed if hit.code.pk not in seen]
    else:
        seen = {hit.code.pk for hit in hits}
        hits += [hit for hit in words.hits if hit.code.pk not in seen]
    # Over every hit from the first, so that a page starts no higher than the one before ends.
    scores_in_order(hits)
    result.hits = hits[first:wanted]
    for hit in result.hits:
        hit.fill_highlights()
    result.count = min(count + words.count, COUNT_CAP + 1)
    result.count_capped = result.count > COUNT_CAP
    result.corrected_query = words.corrected
    if not result.count:
        result.suggestions = code_suggestions(parsed)
    return result
