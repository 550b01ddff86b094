"""An ICD-10-PCS code as its table presents it: the seven characters with their axis, meaning
and official definition, and the other values of characters 4-7 that make valid codes."""

from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q

from codes.codebook.definitions import Definition
from codes.codebook.models import PcsValue
from codes.models import Code, code_url

# The axes of the Medical and Surgical (0) and Obstetrics (1) sections, the ones the
# definitions cover.
AXIS_NAMES = (
    "Section",
    "Body system",
    "Root operation",
    "Body part",
    "Approach",
    "Device",
    "Qualifier",
)


@dataclass(kw_only=True)
class Axis(Definition):
    """One of the code's seven characters: its axis and value, with the definitions."""

    position: int
    name: str


@dataclass(frozen=True)
class Alternative:
    value: str
    meaning: str
    code: str
    url: str


@dataclass(frozen=True)
class RowAxis:
    """The other values one of characters 4-7 may take in this code's table row."""

    position: int
    name: str
    alternatives: list[Alternative]


@dataclass
class Codebook:
    release: str
    billable: bool
    axes: list[Axis]
    row: list[RowAxis]

    def as_json(self) -> dict[str, Any]:
        """The facts for /api/codes."""
        return asdict(self)


def _prefix(code: str, position: int) -> str:
    return code[: min(position - 1, 3)]


def codebook(code: Code) -> Codebook | None:
    """The axes and table row of `code`; without them (no definitions loaded for its table)
    only whether it can be reported."""
    value = code.code
    if len(value) != 7:
        return None
    own = Q()
    for position in range(1, 4):
        own |= Q(prefix=_prefix(value, position), position=position, value=value[position - 1])
    rows = list(PcsValue.objects.filter(own | Q(prefix=value[:3], position__gte=4)))
    by_key = {(row.prefix, row.position, row.value): row for row in rows}
    axes = []
    for position in range(1, 8):
        row = by_key.get((_prefix(value, position), position, value[position - 1]))
        if row is None:
            return Codebook("", billable=True, axes=[], row=[])
        axes.append(
            Axis(
                position=position,
                name=AXIS_NAMES[position - 1],
                value=row.value,
                meaning=row.meaning,
                definition=row.definition,
                explanation=row.explanation,
                examples=row.examples,
                key_terms=row.key_terms.splitlines(),
            )
        )
    return Codebook(rows[0].release, billable=True, axes=axes, row=_table_row(code, rows))


def _table_row(code: Code, rows: list[PcsValue]) -> list[RowAxis]:
    value = code.code
    candidates = {
        (row.position, row.value): f"{value[: row.position - 1]}{row.value}{value[row.position :]}"
        for row in rows
        if row.position >= 4 and row.value != value[row.position - 1]
    }
    valid = set(
        Code.objects.filter(system=code.system, code__in=candidates.values()).values_list(
            "code", flat=True
        )
    )
    meanings = {(row.position, row.value): row.meaning for row in rows}
    return [
        RowAxis(
            position,
            AXIS_NAMES[position - 1],
            [
                Alternative(
                    character,
                    meanings[(position, character)],
                    made,
                    code_url(code.system.slug, made),
                )
                for (at, character), made in sorted(candidates.items())
                if at == position and made in valid
            ],
        )
        for position in range(4, 8)
    ]
