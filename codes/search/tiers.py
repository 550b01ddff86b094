"""The tiers of a search, best first, each scored in its band of weights.WEIGHTS.bands: the exact
code; codes in a typed prefix or range, in code order; the code or family an index entry holding
the whole query points at (`attack, heart` -> I21.9); codes whose title or one inclusion term
holds all the typed words (or their synonyms and word forms); other codes whose texts hold them
all; codes that hold some of them. A query whose words find nothing is corrected (typos) and its
hits keep their tiers, scored lower.

Text hits are taken from the backend in blocks (one title or inclusion term: shortest such line
first; all words: by the backend's relevance when a query matches more codes than one block holds
but at most COUNT_CAP, shortest title first otherwise) and each block is ranked (ranking.rank).
Blocks are ranked apart, so a later block may rank a code higher than an earlier one did: a hit
never scores above the hit before it (scores_in_order).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from html import escape

from codes.models import Code, CodeSystem
from codes.search import pcs, rows
from codes.search.backends import get_backend
from codes.search.backends.base import COUNT_CAP, Scope, SearchBackend, successor
from codes.search.concepts import (
    AXIS_WORDS,
    MAX_FORMS,
    Concept,
    IndexMatch,
    concepts_for,
    idf_weights,
    index_entries_through,
    index_matches,
    terminology_for,
)
from codes.search.headings import FAMILY, defaults_first, headings_among
from codes.search.intent import placing_implied, preferred_systems, scope_as_approach
from codes.search.query import CodeRange, ParsedQuery, Term, words_of
from codes.search.ranking import PCS, Ranked, default_key, rank
from codes.search.results import Hit
from codes.search.then import CodeSetThen
from codes.search.typos import Understood, corrected_terms
from codes.search.vocabulary import SearchWords, search_words
from codes.search.weights import WEIGHTS, Band

BLOCK = 50
# An index entry holding all of the query but NARROW_MISSING concepts at most, each a side or an
# encounter (the tabular's characters after the index's family: concepts.AXIS_WORDS), is read for
# them in its family's titles (`narrowed`): NARROW_TRIES entries a search, NARROW_READ codes each.
NARROW_MISSING = 2
NARROW_TRIES = 3
NARROW_READ = 1000
_BANDS = WEIGHTS.bands


def scores_in_order(hits: Sequence[Hit]) -> None:
    """Lower each hit's score to at most the one before it, so that scores never rise down the
    list (a client sorting by score keeps the order)."""
    ceiling = 1.0
    for hit in hits:
        hit.score = min(hit.score, ceiling)
        ceiling = hit.score


def _in_code_order(
    codes: list[Code], scope: Scope, system_ids: Sequence[int], low: str, high: str, limit: int
) -> list[Code]:
    """`codes` (of these systems from `low` up to `high`, in code order) with the codes valid as
    of the search's day whose texts then are not in the index (`scope.then`) put in place: the
    first `limit`."""
    if scope.then is None:
        return codes[:limit]
    then = scope.then.in_range(system_ids, low, high)
    return sorted([*codes, *then], key=lambda code: code.code)[:limit]


# --- codes, prefixes and ranges ----------------------------------------------------------------


def code_hits(
    parsed: ParsedQuery, systems: Sequence[CodeSystem], scope: Scope, wanted: int, *, prefixes: bool
) -> tuple[list[Hit], int]:
    """Exact codes first, then every code in a typed prefix or range, in code order: first in
    the systems where the typed code exists (E11 is an ICD-10-CM category: its family before
    HCPCS E1100-E1195), then in the others.

    Each (system, prefix or range) is one index range scan over (system, code) that stops after
    COUNT_CAP+1 ids: the count and the first ids in code order in one query.
    """
    by_id = {system.pk: system for system in systems}
    named = {
        (system.pk, system.normalize_code(code)) for system in systems for code in parsed.codes
    }
    exact = rows.codes_spelled(sorted(named), scope)
    if scope.then is not None:
        exact += [
            then.code
            for then in scope.then.in_scope(list(by_id))
            if (then.code.system_id, then.code.code) in named
        ]
    exact.sort(key=lambda code: (by_id[code.system_id].position, code.code))
    hits = [_code_hit(code, "code", _BANDS.exact_code, by_id) for code in exact]
    intervals: list[tuple[str, str | CodeRange]] = []
    if prefixes:
        intervals += [("prefix", code) for code in parsed.codes]
    intervals += [("range", code_range) for code_range in parsed.ranges]
    own = {code.system_id for code in exact}
    asked = [
        (kind, (system.pk, *bounds))
        for system in sorted(systems, key=lambda system: system.pk not in own)
        for kind, what in intervals
        if (bounds := _interval(system, what)) is not None
    ]
    listed = {code.pk for code in exact}
    wanted_ids: list[tuple[str, int]] = []
    count = len(exact)
    for (kind, (system_id, low, high)), found in zip(
        asked, rows.codes_in_intervals([a for _, a in asked], scope), strict=True
    ):
        if scope.then is not None:
            then = [(code.pk, code.code) for code in scope.then.in_range([system_id], low, high)]
            found = sorted([*found, *then], key=lambda pair: pair[1])[: COUNT_CAP + 1]
        new = [pk for pk, _ in found if pk not in listed]
        listed.update(new)
        count += len(new)
        wanted_ids += [(kind, pk) for pk in new[: max(wanted - len(hits) - len(wanted_ids), 0)]]
    codes = rows.codes_by_id([pk for _, pk in wanted_ids], scope)
    if scope.then is not None:
        codes |= {then.code.pk: then.code for then in scope.then.codes}
    hits += [_code_hit(codes[pk], kind, _BANDS.code_interval, by_id) for kind, pk in wanted_ids]
    return hits, count


def _interval(system: CodeSystem, what: str | CodeRange) -> tuple[str, str] | None:
    """[low, high) of the codes a typed prefix or range covers in one system."""
    if isinstance(what, str):
        low = _code_prefix(system, what)
        if len(low.replace(".", "")) < 2:
            return None
        return low, successor(low)
    return _code_prefix(system, what.low), successor(_code_prefix(system, what.high))


def _code_prefix(system: CodeSystem, raw: str) -> str:
    """A typed code beginning as the system writes it: `e116` -> `E11.6` in ICD-10-CM."""
    code = raw.upper().rstrip("*")
    if code.endswith("."):
        return code
    return system.normalize_code(code) if len(code) > 3 else code


def _code_hit(code: Code, match: str, band: Band, systems_by_id: dict[int, CodeSystem]) -> Hit:
    code.system = systems_by_id[code.system_id]
    title = escape(code.title)
    return Hit(
        code=code, match=match, score=band.score(1.0), highlight=title, title_highlight=title
    )


# --- words ------------------------------------------------------------------------------------


@dataclass
class TextHits:
    """The word tiers' hits (as many as wanted), their count, and the corrected query if any."""

    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    corrected: str | None = None
    # The typed words the terminology reads (`dm2` -> `type 2 diabetes mellitus`, `cabg x3`):
    # a code prefix typed so is shorthand first (search._search lists its codes after).
    read_as_terms: frozenset[str] = frozenset()


def text_hits(
    parsed: ParsedQuery, scope: Scope, wanted: int, *, systems_by_id: dict[int, CodeSystem]
) -> TextHits:
    """The codes an index entry holding the whole query points at, then codes whose title or one
    inclusion term holds all the typed words, then the other codes whose texts hold them all,
    then those with some of them."""
    if not parsed.terms:
        return TextHits()
    backend = get_backend()
    found = TextHits()
    match, scale = "text", 1.0
    words = search_words()
    terms = words.spelt_as_indexed(parsed.terms)
    query = _understood(terms, backend, scope, words)
    # The index knows what the titles do not say (`appendectomy`): no typo to correct then.
    if not query.finds or query.doubtful:
        fixed = corrected_terms(
            backend, query, scope, words, lambda terms: _understood(terms, backend, scope, words)
        )
        # A correction is shown only when it finds something (PostgreSQL's vocabulary keeps the
        # words of deleted codes until the index is rebuilt).
        if fixed is not None:
            match, scale, query = "fuzzy", _BANDS.corrected, fixed
            found.corrected = " ".join(" ".join(term.words) for term in fixed.terms)
        elif not query.finds and len(query.concepts) == 1:
            # One phrase the terminology knows (`total laparoscopic hysterectomy`) that no code
            # holds whole, and no other concept for codes to hold some of: its words one by one.
            apart = _understood(terms, backend, scope, words, phrases=False)
            if len(apart.concepts) > 1:
                query = apart
    concepts, every_count = query.concepts, query.every_count
    matches = narrowed(
        query.index, scope, [pk for pk, system in systems_by_id.items() if system.slug != PCS]
    )
    found.read_as_terms = frozenset(
        m.typed
        for concept in concepts
        if any(alternative.via for alternative in concept.alternatives[1:])
        for m in concept.alternatives[0].words
    )
    # Past COUNT_CAP codes with every word, codes with only some are never reached: not counted.
    some_count = 0
    if len(concepts) > 1 and every_count <= COUNT_CAP:
        some_count = backend.count(concepts, scope, every=False)
    found.count = every_count + some_count
    seen: set[int] = set()
    overlap: set[int] = set()
    prefer = preferred_systems(concepts)
    ranking = concepts  # weighted by rarity once the codes holding only some are reached

    def add(
        codes: list[Code], band: Band, via: dict[int, str] | None = None, by_term: bool = False
    ) -> None:
        codes = [code for code in codes if code.pk not in seen]
        for code in codes:
            code.system = systems_by_id[code.system_id]
            seen.add(code.pk)
        ranked_codes = rank(codes, ranking, prefer)
        if via:
            ranked_codes = in_family_order(ranked_codes, via, by_term=by_term)
        found.hits += _hits(ranked_codes, band, match, scale, via or {})

    def add_ids(ids: list[int], band: Band) -> None:
        overlap.update(pk for pk in ids if pk in indexed_via)
        add(list(rows.codes_by_id([pk for pk in ids if pk not in seen], scope).values()), band)

    # The starter list's and editors' index entries, then those of imported files that point at
    # one code a claim can carry; imported entries pointing at a family come after the codes
    # holding every word (their families' first codes in code order are no answer of their own).
    indexed, indexed_via = index_codes(
        [entry for entry in matches if not entry.imported], scope, list(systems_by_id)
    )
    add(indexed, _BANDS.index_entry, indexed_via)
    one_code, families, imported_via = imported_index_codes(
        [entry for entry in matches if entry.imported], scope, list(systems_by_id)
    )
    add(one_code, _BANDS.imported_index_code, imported_via, by_term=True)
    indexed += [code for code in one_code + families if code.pk not in indexed_via]
    indexed_via = imported_via | indexed_via
    # Then the codes with all words in their title or one inclusion term, shortest line first,
    # then the other codes with all words, then those with some.
    start = 0
    in_lines = 0  # codes read with every concept in one line, while there may be more
    while every_count and len(found.hits) < wanted:
        ids = backend.line_ids(concepts, scope, start=start, size=BLOCK)
        add_ids(ids, _BANDS.all_words_in_line)
        if len(ids) < BLOCK:
            in_lines = start + len(ids)
            break
        start += BLOCK

    def add_tier(asked: list[Concept], every: bool, count: int, band: Band) -> None:
        start = 0
        while len(found.hits) < wanted and start < count:
            ids = backend.ids(
                asked,
                scope,
                every=every,
                # One block holds every match: no need to order them (bm25 must read every
                # document list of a common word for its statistics, even for 3 matches).
                by_relevance=BLOCK < count <= COUNT_CAP,
                start=start,
                size=BLOCK,
            )
            add_ids(ids, band)
            start += BLOCK

    # Every code with all words has them in one line when the lines read hold as many codes:
    # nothing is left for the next tier to find.
    if in_lines != every_count:
        add_tier(concepts, True, every_count, _BANDS.all_words)
    add(families, _BANDS.imported_index_family, imported_via)
    if some_count and len(found.hits) < wanted:
        # Where codes hold only some concepts, a rare one counts more (and, past COUNT_CAP such
        # codes, those holding a rare one come first); counted only when this tier is reached.
        held = backend.held(concepts, scope)
        ranking = idf_weights(concepts, held, COUNT_CAP)
        rare = [
            replace(c, significant=c.significant and n <= COUNT_CAP)
            for c, n in zip(concepts, held, strict=True)
        ]
        if some_count > COUNT_CAP and any(c.significant for c in rare):
            add_tier(rare, False, backend.count(rare, scope, every=False), _BANDS.some_words)
        add_tier(concepts, False, some_count, _BANDS.some_words)
    # The index's codes the words found too are counted once (as far as the blocks read show).
    found.count += len(indexed) - len(overlap)
    if scope.then is not None:
        # Ranked only where they may come among the first `wanted` (a later page ranks more).
        floor = found.hits[wanted - 1].score if len(found.hits) >= wanted else 0.0
        then, count = _then_hits(scope.then, concepts, scope, seen, prefer, match, scale, floor)
        found.hits = _merged(found.hits, then)
        found.count += count
    else:
        # A heading's default code goes before it (a code found through its heading counts too;
        # as of a past day its codes then are not read: the headings stay as found).
        found.hits = defaults_first(found.hits, ranking, prefer, scope, systems_by_id)
        found.count += len({hit.code.pk for hit in found.hits} - seen)
    return found


def _hits(
    ranked: list[Ranked], band: Band, match: str, scale: float, via: dict[int, str]
) -> list[Hit]:
    """Ranked candidates as hits scored in `band` (scaled for a corrected query), each saying
    why it matched: `via` (by code id, where given), then the terminology that led to it."""
    hits = []
    for each in ranked:
        hit = Hit(each.code, match, round(scale * band.score(each.score), 4), "")
        hit.ranked = each
        hit.matched_via = ([via[each.code.pk]] if each.code.pk in via else []) + list(
            each.matched_via
        )
        hits.append(hit)
    return hits


def _then_hits(
    then: CodeSetThen,
    concepts: list[Concept],
    scope: Scope,
    seen: set[int],
    prefer: frozenset[str],
    match: str,
    scale: float,
    floor: float,
) -> tuple[list[Hit], int]:
    """The codes valid as of the search's day whose texts then are not in the index, found by
    those texts in the tier they reach (title holding every concept, texts holding every
    concept, texts holding some), each saying it matched by its texts of that release; those
    of a tier whose band cannot score above `floor` are counted, not ranked. With how many
    were found."""
    tiers: dict[str, list[Code]] = {"line": [], "every": [], "some": []}
    for code in then.in_scope(scope.system_ids):
        if code.code.pk in seen:
            continue
        held = [code.holds(concept) for concept in concepts]
        if all(held):
            title = all(code.holds(concept, title_only=True) for concept in concepts)
            tiers["line" if title else "every"].append(code.code)
        elif len(concepts) > 1 and any(
            h and c.significant for h, c in zip(held, concepts, strict=True)
        ):
            tiers["some"].append(code.code)
    hits = []
    for tier, band, what in (
        ("line", _BANDS.all_words_in_line, "title"),
        ("every", _BANDS.all_words, "texts"),
        ("some", _BANDS.some_words, "texts"),
    ):
        if scale * band.score(1.0) <= floor:
            continue
        via = {code.pk: f"{what} as of {code.release_label}" for code in tiers[tier]}
        hits += _hits(rank(tiers[tier], concepts, prefer), band, match, scale, via)
    return hits, sum(map(len, tiers.values()))


def _merged(hits: list[Hit], more: list[Hit]) -> list[Hit]:
    """`hits` (best first) with each of `more` put before the first hit that scores lower."""
    merged = list(hits)
    for hit in sorted(more, key=lambda hit: -hit.score):
        at = next((n for n, other in enumerate(merged) if other.score < hit.score), len(merged))
        merged.insert(at, hit)
    return merged


def _understood(
    terms: list[Term],
    backend: SearchBackend,
    scope: Scope,
    words: SearchWords,
    *,
    phrases: bool = True,
) -> Understood:
    """The typed terms as concepts (`phrases`: concepts.build_concepts), with the index entries
    they hold and how many codes hold them all."""
    entries = terminology_for(terms)
    concepts = scope_as_approach(
        placing_implied(
            concepts_for(
                terms,
                entries,
                lambda prefix: words.indexed.starting(prefix, MAX_FORMS),
                phrases=phrases,
            )
        )
    )
    matches = pcs.axes(index_matches(concepts, entries + index_entries_through(concepts, entries)))
    then = 0
    if scope.then is not None:
        then = sum(
            all(code.holds(concept) for concept in concepts)
            for code in scope.then.in_scope(scope.system_ids)
        )
    return Understood(terms, concepts, matches, backend.count(concepts, scope, every=True), then)


def index_codes(
    matches: Sequence[IndexMatch], scope: Scope, system_ids: Sequence[int]
) -> tuple[list[Code], dict[int, str]]:
    """The codes the index entries holding the whole query point at (each target code and the
    codes of its family, the first FAMILY in code order), with why each was found."""
    codes: dict[int, Code] = {}
    via: dict[int, str] = {}
    for entry, family in _families(matches, scope, system_ids):
        for code in family[:FAMILY]:
            codes.setdefault(code.pk, code)
            via.setdefault(code.pk, entry.via)
    return list(codes.values()), via


def imported_index_codes(
    matches: Sequence[IndexMatch], scope: Scope, system_ids: Sequence[int]
) -> tuple[list[Code], list[Code], dict[int, str]]:
    """The codes imported index entries holding the whole query point at: those of entries
    pointing at one code with no codes under it, those of entries pointing at a family of at
    most FAMILY codes (a larger one's first codes in code order say nothing), why each."""
    one_code: dict[int, Code] = {}
    families: dict[int, Code] = {}
    via: dict[int, str] = {}
    for entry, family in _families(matches, scope, system_ids):
        if len(family) > FAMILY:
            continue
        kept = one_code if len(family) == 1 and family[0].code == entry.target else families
        for code in family:
            if code.pk not in via:
                kept[code.pk] = code
                via[code.pk] = entry.via
    return list(one_code.values()), list(families.values()), via


def _families(
    matches: Sequence[IndexMatch], scope: Scope, system_ids: Sequence[int]
) -> Iterator[tuple[IndexMatch, list[Code]]]:
    """Each index entry holding the whole query with the first FAMILY+1 codes of its family in
    code order: one range scan of the (system, code) index in each system."""
    for entry in matches:
        if not entry.covers_all:
            continue
        if entry.only is not None:
            found = rows.codes_by_id(entry.only[: FAMILY + 1], scope)
            yield entry, [found[pk] for pk in entry.only if pk in found]
            continue
        high = successor(entry.target)
        ranges = [(pk, entry.target, high) for pk in system_ids]
        family = rows.codes_in_ranges(ranges, scope, limit=FAMILY + 1)
        yield entry, _in_code_order(family, scope, system_ids, entry.target, high, FAMILY + 1)


def narrowed(
    matches: Sequence[IndexMatch], scope: Scope, system_ids: Sequence[int]
) -> list[IndexMatch]:
    """The index matches, where none holds the whole query, with those that hold all of it but
    a side or an encounter (AXIS_WORDS) their family's codes say in their titles read as those
    codes, as a coder goes from the index to the tabular (`left hip fracture`: `fracture, hip`
    -> S72.0, and S72.002A `... neck of left femur, initial encounter ...`): at most
    NARROW_TRIES entries, each over its family's first NARROW_READ codes (ICD-10-PCS's sides
    are body parts of their own, read by the translations); not as of a past day (the index
    does not hold the codes then)."""
    if scope.then is not None or any(match.covers_all for match in matches):
        return list(matches)
    read = []
    tries = NARROW_TRIES
    for match in matches:
        if (
            tries
            and 0 < len(match.missing) <= NARROW_MISSING
            and all(_an_axis(concept) for concept in match.missing)
        ):
            tries -= 1
            high = successor(match.target)
            ranges = [(pk, match.target, high) for pk in system_ids]
            only = tuple(
                pk
                for pk, title in rows.titles_in_ranges(ranges, scope, limit=NARROW_READ)
                if all(concept.held_in(frozenset(words_of(title))) for concept in match.missing)
            )
            if only:
                said = ", ".join(concept.label for concept in match.missing)
                via = f"{match.via}; {said}: in its codes' titles"
                match = replace(match, covers_all=True, only=only, via=via)
        read.append(match)
    return read


def _an_axis(concept: Concept) -> bool:
    """Whether a way of writing the concept names a side or an encounter (`left`, `lt`, `RLE`)."""
    return any(
        any(matcher.typed in AXIS_WORDS for matcher in alternative.words)
        for alternative in concept.alternatives
    )


def in_family_order(
    ranked: list[Ranked], via: dict[int, str], *, by_term: bool = False
) -> list[Ranked]:
    """Codes of index entries' families, best first: those of the entry that came first
    (`via`, in the order of index_matches: the deeper subterm first; with `by_term`, the
    entries of one term as one: an imported GEM maps one ICD-9 title to several codes, in no
    order a coder picks by), then a code with no codes under it (a code a claim can carry)
    before the headings, the default (ranking.default_key: the general one, that says
    `unspecified` or `NOS` most, and the initial encounter) before the others, then by
    relevance, then in code order."""
    headings = headings_among([item.code.code for item in ranked])
    terms = {pk: why.partition(" -> ")[0].casefold() if by_term else why for pk, why in via.items()}
    entries = {term: n for n, term in enumerate(dict.fromkeys(terms.values()))}
    return sorted(
        ranked,
        key=lambda item: (
            entries[terms[item.code.pk]],
            item.code.code in headings,
            default_key(item.code.title, item.code.inclusion_terms),
            -item.score,
            item.code.code,
        ),
    )


def code_suggestions(parsed: ParsedQuery) -> list[str]:
    """Shorter code families to try when a code finds nothing: 63708 -> 6370*."""
    suggestions = []
    for code in parsed.codes:
        family = code.rstrip(".*")[:-1].rstrip(".")
        if len(family) >= 3:
            suggestions.append(f"{family}*")
    return suggestions
