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

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from coderef.routers import read_connection
from codes.models import Code, CodeSystem
from codes.search.backends.base import Scope, successor
from codes.search.concepts import Concept
from codes.search.ranking import default_key, rank, title_bound, title_fit
from codes.search.results import Hit

# How many of the first word hits are looked at: those a coder reads first (the top five).
WINDOW = 5
# A heading with more codes under it keeps its place (like an imported family, tiers.FAMILY).
FAMILY = 100
# No code set here writes a code under a code this long (without its dot).
LEAF_LENGTH = 7
# A code's columns, in the order the query reads them.
_FIELDS = [field.attname for field in Code._meta.concrete_fields]


def defaults_first(
    hits: list[Hit],
    concepts: Sequence[Concept],
    prefer: frozenset[str],
    scope: Scope,
    systems_by_id: dict[int, CodeSystem],
) -> list[Hit]:
    """The word hits with the default code under each heading among the first WINDOW put just
    before it, with its score: two queries for the codes under them (none when no hit there can
    have codes under it)."""
    window = [
        hit
        for hit in hits[:WINDOW]
        if hit.match in ("text", "fuzzy") and len(hit.code.code.replace(".", "")) < LEAF_LENGTH
    ]
    if not window:
        return hits
    families = _codes_under(window, scope)
    placed = {hit.code.pk: n for n, hit in enumerate(hits)}
    defaults: dict[int, Hit] = {}  # the heading's pk -> the hit of its default code
    for heading in window:
        family = families.get((heading.code.system_id, heading.code.code), [])
        code = _default(family, concepts, heading.code.system)
        if code is None or placed.get(code.pk, len(hits)) < placed[heading.code.pk]:
            continue
        if any(hit.code.pk == code.pk for hit in defaults.values()):
            continue  # the default of a heading above it too (S01.0 and S01.00: S01.00XA)
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


def _codes_under(headings: Sequence[Hit], scope: Scope) -> dict[tuple[int, str], list[Any]]:
    """The codes under each of these codes with at most FAMILY of them, by (system id, code), as
    rows of _FIELDS (a Code is made of the rows of the few picked): first at most FAMILY+1 of the
    codes under each (one range scan of the (system, code) index each, stopped there, all in one
    statement), then the rows of the families not larger."""
    keys = sorted({(hit.code.system_id, hit.code.code) for hit in headings})
    table = Code._meta.db_table
    # A LIMIT in each part of a UNION ALL needs its own subquery on SQLite; the same SQL runs on
    # PostgreSQL.
    parts = [
        f"SELECT * FROM (SELECT id, system_id, code FROM {table} WHERE system_id = %s AND "
        f"code > %s AND code < %s LIMIT {FAMILY + 1}) AS under_{n}"
        for n in range(len(keys))
    ]
    params = [value for system_id, code in keys for value in (system_id, code, successor(code))]
    lengths = sorted({len(code) for _, code in keys})
    under: dict[tuple[int, str], list[int]] = defaultdict(list)
    with read_connection().cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = cursor.fetchall()
    known = set(keys)
    seen: set[int] = set()
    for pk, system_id, code in found:
        if pk in seen:
            continue  # under two headings read: under each of them
        seen.add(pk)
        for length in lengths:  # a heading's codes are under the headings above it too
            if length < len(code) and (system_id, code[:length]) in known:
                under[(system_id, code[:length])].append(pk)
    # A family read whole has at most FAMILY codes (a larger one was stopped at FAMILY+1, and its
    # codes under a smaller heading read with it may be too few: that heading was read itself).
    families = {key: pks for key, pks in under.items() if len(pks) <= FAMILY}
    visible = Code.objects.filter(pk__in={pk for pks in families.values() for pk in pks})
    if not scope.include_deleted:
        visible = visible.exclude(status=Code.Status.DELETED)
    rows = {row.id: row for row in visible.order_by().values_list(*_FIELDS, named=True)}
    return {key: [rows[pk] for pk in pks if pk in rows] for key, pks in families.items()}


def _default(family: list[Any], concepts: Sequence[Concept], system: CodeSystem) -> Code | None:
    """The code of a heading's family (rows of _FIELDS) a coder picks: a code with no codes
    under it whose title holds most of the query (`right knee` picks the right knee's code),
    then by default_key (what is picked when the query says nothing more), then the title that
    says least besides the query (ranking.title_fit), then in code order."""
    listed = sorted(row.code for row in family)
    headings = {a for a, b in zip(listed, listed[1:], strict=False) if b.startswith(a)}
    leaves = [row for row in family if row.code not in headings]
    # title_fit for the few that may be best only: in order of what their titles may hold at
    # most (ranking.title_bound) and default_key, up to the first that cannot beat the best.
    keys = {
        row.code: (
            -round(title_bound(row.title, concepts), 4),
            default_key(row.title, row.inclusion_terms),
        )
        for row in leaves
    }
    best, best_key = None, None
    for row in sorted(leaves, key=lambda row: (keys[row.code], row.code)):
        if best_key is not None and keys[row.code] > best_key[:2]:
            break
        held, fit = title_fit(row.title, system.slug, concepts)
        key = (-round(held, 4), keys[row.code][1], -round(fit, 4), row.code)
        if best_key is None or key < best_key:
            best, best_key = row, key
    if best is None:
        return None
    code = Code.from_db(Code.objects.db, _FIELDS, best)
    code.system = system
    return code
