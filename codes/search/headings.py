"""Headings and the code a coder picks under them.

A heading is a code with codes under it (an ICD-10-CM category or subcategory: `K80.2`, `S42.41`,
`I21`), which no claim can carry. When the words find a heading, the code under it that a coder
picks comes first, in the heading's place: of those whose titles hold most of the query, the one
that says it is unspecified (`unspecified humerus`) or is where the index sends the plain term
(an inclusion term `Pulmonary embolism NOS`), the initial encounter (ICD-10-CM I.C.19.a: what an
injury is coded as while it is treated), the one that says least besides, the first in code order (a
displaced fracture before a nondisplaced one, a closed before an open one: I.C.19.c.1). So
`cholelithiasis without cholecystitis` (an inclusion term of K80.2) lists K80.20 first, then K80.2.
"""

from collections.abc import Sequence

from codes.models import CodeSystem
from codes.search.backends.base import Scope, successor
from codes.search.concepts import Concept
from codes.search.ranking import default_key, rank, title_bound, title_fit
from codes.search.results import Hit
from codes.search.rows import code_titles, codes_by_id, codes_in_intervals

# How many of the first word hits are looked at: those a coder reads first (the top five).
WINDOW = 5
# How many codes of a family are read: an index entry's family past this says nothing by its first
# codes in code order (tiers), and a heading with more codes under it keeps its place.
FAMILY = 100
# No code set here writes a code under a code this long (without its dot).
LEAF_LENGTH = 7


def headings_among(codes: Sequence[str]) -> set[str]:
    """The codes of these that have others of them under them (`K80.2` beside `K80.20`)."""
    listed = sorted(codes)
    return {a for a, b in zip(listed, listed[1:], strict=False) if b.startswith(a)}


def defaults_first(
    hits: list[Hit],
    concepts: Sequence[Concept],
    prefer: frozenset[str],
    scope: Scope,
    systems_by_id: dict[int, CodeSystem],
) -> list[Hit]:
    """The word hits with the default code under each heading among the first WINDOW put just
    before it, with its score: a statement for the codes under them (none when no hit there can
    have codes under it), one for their titles, one for the defaults' rows."""
    window = [
        hit
        for hit in hits[:WINDOW]
        if hit.match in ("text", "fuzzy") and len(hit.code.code.replace(".", "")) < LEAF_LENGTH
    ]
    if not window:
        return hits
    families = _codes_under(window, scope)
    placed = {hit.code.pk: n for n, hit in enumerate(hits)}
    picked: dict[int, int] = {}  # the heading's pk -> its default code's
    for heading in window:
        family = families.get((heading.code.system_id, heading.code.code), [])
        pk = _default(family, concepts, heading.code.system.slug)
        if pk is None or placed.get(pk, len(hits)) < placed[heading.code.pk]:
            continue
        if pk not in picked.values():  # not the default of a heading above it too (S01.0, S01.00)
            picked[heading.code.pk] = pk
    rows = codes_by_id(list(picked.values()), scope)
    defaults: dict[int, Hit] = {}  # the heading's pk -> the hit of its default code
    for heading in window:
        code = rows.get(picked.get(heading.code.pk, 0))
        if code is None:
            continue
        code.system = heading.code.system
        hit = Hit(code, heading.match, heading.score, "")
        hit.ranked = rank([code], concepts, prefer)[0]
        why = f"{heading.code.code} -> {code.code} (the code under it, nothing more said)"
        hit.matched_via = [*heading.matched_via, why]
        defaults[heading.code.pk] = hit
    if not defaults:
        return hits
    moved = {hit.code.pk for hit in defaults.values()}
    ordered = []
    for hit in hits:
        if hit.code.pk in moved:
            continue
        if hit.code.pk in defaults:
            ordered.append(defaults[hit.code.pk])
        ordered.append(hit)
    return ordered


def _codes_under(
    headings: Sequence[Hit], scope: Scope
) -> dict[tuple[int, str], list[tuple[int, str, str, str]]]:
    """The codes under each of these codes with at most FAMILY of them (those the search may
    list), by (system id, code), as (id, code, title, inclusion terms): first at most FAMILY+1
    codes from each heading (one range scan each, in one statement: rows.codes_in_intervals),
    then the texts of the families not larger."""
    keys = sorted({(hit.code.system_id, hit.code.code) for hit in headings})
    intervals = [(system_id, code, successor(code)) for system_id, code in keys]
    read = codes_in_intervals(intervals, scope, limit=FAMILY + 2)  # the heading itself too
    families = {
        key: [pk for pk, code in found if code != key[1]]
        for key, found in zip(keys, read, strict=True)
    }
    families = {key: pks for key, pks in families.items() if len(pks) <= FAMILY}
    texts = {row[0]: row for row in code_titles([pk for pks in families.values() for pk in pks])}
    return {key: [texts[pk] for pk in pks] for key, pks in families.items()}


def _default(
    family: list[tuple[int, str, str, str]], concepts: Sequence[Concept], system: str
) -> int | None:
    """The id of the code of a heading's family (id, code, title, inclusion terms) a coder
    picks: a code with no codes under it whose title holds most of the query (`right knee`
    picks the right knee's code), then by default_key (what is picked when the query says
    nothing more), then the title that says least besides the query (ranking.title_fit), then
    in code order."""
    headings = headings_among([code for _, code, _, _ in family])
    leaves = [row for row in family if row[1] not in headings]
    # title_fit for the few that may be best only: in order of what their titles may hold at
    # most (ranking.title_bound) and default_key, up to the first that cannot beat the best.
    keys = {
        pk: (-round(title_bound(title, concepts), 4), default_key(title, terms))
        for pk, _, title, terms in leaves
    }
    best, best_key = None, None
    for pk, code, title, _ in sorted(leaves, key=lambda row: (keys[row[0]], row[1])):
        if best_key is not None and keys[pk] > best_key[:2]:
            break
        held, fit = title_fit(title, system, concepts)
        key = (-round(held, 4), keys[pk][1], -round(fit, 4), code)
        if best_key is None or key < best_key:
            best, best_key = pk, key
    return best
