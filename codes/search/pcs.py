"""ICD-10-PCS procedure phrasing read axis by axis: an index entry that points at a table's body
part (`cholecystectomy` -> 0FT4: Resection, Gallbladder) and holds every word of the query but an
approach (`laparoscopic` -> Percutaneous Endoscopic) or an extent (`total`, `partial`) is read
with them as the codes built from those axis values (0FT44: 0FT44ZZ). The approaches are the
values of the table's fifth axis and the extents what its root operation's definition says
(Resection: `all of a body part`, Excision: `a portion of`), as the codebook's reference tables
hold them (codes.codebook.models.PcsValue, import_reference icd10pcs-definitions)."""

import re
from collections.abc import Sequence
from dataclasses import replace

from django.db.models import Q

from codes.codebook.models import PcsValue
from codes.search.concepts import Concept, IndexMatch
from codes.search.query import words_of

# A table and body part: section, body system, root operation, body part (`0FT4`).
_BODY_PART = re.compile(r"^[0-9A-HX][0-9A-Z]{3}$")
APPROACH = 5
ROOT_OPERATION = 3
# What a coder says of how much of the body part comes out, and the words of a root operation's
# definition that say the same: Resection `all of a body part`, Excision `a portion of`.
EXTENTS = {"total": "all", "complete": "all", "partial": "portion", "subtotal": "portion"}


def axes(matches: Sequence[IndexMatch]) -> list[IndexMatch]:
    """The index matches, those pointing at an ICD-10-PCS body part that lack only an approach
    or extent the query names read with it (covering the whole query, narrowed to the approach
    value's codes); an -ectomy said without extent is the whole body part, so among entries for
    one body part the root operation taking all of it comes first."""
    open_ = [m for m in matches if m.missing and _BODY_PART.match(m.target)]
    if not open_:
        return list(matches)
    tables = {m.target[:3] for m in open_}
    rows = PcsValue.objects.filter(
        Q(position=APPROACH, prefix__in=tables)
        | Q(position=ROOT_OPERATION, prefix__in={t[:2] for t in tables})
    ).values_list("prefix", "position", "value", "meaning", "definition")
    approaches: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}
    definitions: dict[str, frozenset[str]] = {}
    for prefix, position, value, meaning, definition in rows:
        if position == APPROACH:
            approaches[prefix, tuple(words_of(meaning))] = (value, meaning)
        else:
            definitions[prefix + value] = frozenset(words_of(definition))
    read = [
        _read(m, approaches, definitions.get(m.target[:3], frozenset())) if m in open_ else m
        for m in matches
    ]
    return sorted(read, key=lambda m: not _takes_all(m, definitions))


def _read(
    match: IndexMatch,
    approaches: dict[tuple[str, tuple[str, ...]], tuple[str, str]],
    definition: frozenset[str],
) -> IndexMatch:
    """The match read with its missing concepts as its table's approach and its root
    operation's extent, or unchanged when one of them is neither."""
    table = match.target[:3]
    approach = ""
    why = []
    for concept in match.missing:
        value = _approach(concept, table, approaches)
        if value is not None and approach in ("", value[0]):
            approach = value[0]
            why.append(f"{concept.label} -> {value[1]} (approach, ICD-10-PCS table {table})")
        elif EXTENTS.get(concept.label) in definition:
            why.append(f"{concept.label}: {EXTENTS[concept.label]} (root operation's definition)")
        else:
            return match
    target = match.target + approach
    return replace(match, target=target, via="; ".join([match.via, *why]), covers_all=True)


def _approach(
    concept: Concept,
    table: str,
    approaches: dict[tuple[str, tuple[str, ...]], tuple[str, str]],
) -> tuple[str, str] | None:
    """The approach value (and its name) a concept names in a table, as typed or translated."""
    for alternative in concept.alternatives:
        found = approaches.get((table, tuple(m.typed for m in alternative.words)))
        if found is not None:
            return found
    return None


def _takes_all(match: IndexMatch, definitions: dict[str, frozenset[str]]) -> bool:
    """True for a read PCS match whose root operation takes all of the body part (Resection)."""
    return match.covers_all and "all" in definitions.get(match.target[:3], frozenset())
