"""CSV: a row per code per comparison, with its notes, its system's notice and the stamp."""

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from codes.exports.cells import neutralised
from codes.exports.document import (
    Document,
    Export,
    claim_cells,
    comparison_title,
    lines,
    pair,
    timestamp,
    utc,
    yes_no,
)
from codes.exports.signature import PLACEHOLDER, Seal, bytes_seal, signed_bytes


def _notes_naming(comparison: Document, index: int) -> list[Document]:
    key = {
        "system": comparison["codes"][index]["system"],
        "code": comparison["codes"][index]["code"],
    }
    return [note for note in comparison["notes"] if key in note["codes"]]


def _per_note(notes: list[Document], value: Callable[[Document], str]) -> str:
    """Each note's value; where a code has several notes, every line starts with its pair."""
    if len(notes) == 1:
        return value(notes[0])
    return "\n".join(
        f"[{pair(note)}] {line}" for note in notes for line in value(note).splitlines() or [""]
    )


def _differences(note: Document, index: int) -> str:
    return "\n".join(
        f"{row['label']}: {row['values'][index] or '(blank)'}" for row in note["differentiators"]
    )


# The columns: a header, and the value of a row from (export, comparison, index of code).
Value = Callable[[Export, Document, int], Any]


def _code(field: str) -> Value:
    return lambda export, comparison, index: comparison["codes"][index][field]


def _code_lines(field: str) -> Value:
    return lambda export, comparison, index: lines(comparison["codes"][index][field])


def _note(value: Callable[[Document, int], str]) -> Value:
    def cell(export: Export, comparison: Document, index: int) -> str:
        notes = _notes_naming(comparison, index)
        return _per_note(notes, lambda note: value(note, index)) if notes else ""

    return cell


def _claim(export: Export, comparison: Document, index: int) -> str:
    first = comparison["codes"][0]["code"]
    return "\n".join(
        f"{label}: {cells[index][0]}" + (f" (differs from {first})" if cells[index][1] else "")
        for label, cells in claim_cells(comparison)
    )


def _notice(export: Export, comparison: Document, index: int) -> str:
    system = comparison["codes"][index]["system"]
    return next((n["notice"] for n in comparison["notices"] if n["system"] == system), "")


COLUMNS: list[tuple[str, Value]] = [
    ("comparison", lambda export, comparison, index: comparison_title(comparison)),
    ("position", lambda export, comparison, index: index + 1),
    ("system", _code("system")),
    ("code", _code("code")),
    # The release whose official texts the row shows; empty: today's.
    ("release", lambda export, c, i: c["codes"][i]["release"] or ""),
    ("title", _code("title")),
    ("descriptor", _code("descriptor")),
    ("descriptor_kind", _code("descriptor_kind")),
    ("lay_description", _code("lay_description")),
    ("inclusion_terms", _code_lines("inclusion_terms")),
    ("instructional_notes", _code_lines("instructional_notes")),
    ("status", _code("status")),
    ("effective_date", _code("effective_date")),
    ("end_date", _code("end_date")),
    ("code_version", _code("version")),
    ("code_updated_at", lambda export, c, i: timestamp(c["codes"][i]["updated_at"])),
    ("claim", _claim),
    ("note", _note(lambda note, index: pair(note))),
    ("note_summary", _note(lambda note, index: note["summary"])),
    ("differences", _note(_differences)),
    ("note_body", _note(lambda note, index: note["body"])),
    ("note_source", _note(lambda note, index: note["source"])),
    ("note_version", _note(lambda note, index: str(note["version"]))),
    ("note_updated_at", _note(lambda note, index: timestamp(note["updated_at"]))),
    ("note_needs_review", _note(lambda note, index: yes_no(note["needs_review"]))),
    ("copyright_notice", _notice),
    ("export_id", lambda export, c, i: str(export.stamp.export_id)),
    ("generated_at", lambda export, c, i: utc(export.stamp.generated_at)),
    ("generated_by", lambda export, c, i: export.stamp.generated_by),
    ("app_version", lambda export, c, i: export.stamp.app_version),
    (
        "as_of",
        lambda export, c, i: export.stamp.as_of.isoformat() if export.stamp.as_of else "",
    ),
    ("signature", lambda export, c, i: PLACEHOLDER),
]


def _rows(export: Export) -> Iterator[list[Any]]:
    for comparison in export.comparisons:
        for index in range(len(comparison["codes"])):
            yield [neutralised(value(export, comparison, index)) for _, value in COLUMNS]


def to_csv(export: Export) -> bytes:
    """CSV, UTF-8 with a byte order mark (so Excel reads accents right): a header row, then one
    row per code per comparison with its notes, its difference rows (`Label: value` lines),
    the copyright notice of its system, the stamp and the signature."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([header for header, _ in COLUMNS])
    writer.writerows(_rows(export))
    return signed_bytes(("\ufeff" + out.getvalue()).encode("utf-8"), export.stamp.export_id)


def seal_of(data: bytes) -> Seal | None:
    """The seal of a CSV export (from its first row), or None when it carries none."""
    try:
        first = next(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))), None)
        if first is None:
            return None
        return bytes_seal(data, UUID(first["export_id"]), first["signature"] or "")
    except (UnicodeDecodeError, csv.Error, KeyError, TypeError, ValueError):
        return None
