"""XLSX: an "About this export" sheet, an index when there are several comparisons, then a
sheet per comparison with the codes side by side."""

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from codes.exports.cells import neutralised
from codes.exports.document import (
    Document,
    Export,
    Stamp,
    claim_cells,
    comparison_title,
    lines,
    pair,
    timestamp,
    yes_no,
)
from codes.exports.signature import PLACEHOLDER, Seal, signed_zip, zip_seal

# Every cell is one of two named styles: set by name, a style is looked up once per cell,
# which keeps a thousand sheets within a few seconds.
WRAPPED = NamedStyle("coderef text", alignment=Alignment(wrap_text=True, vertical="top"))
WRAPPED_BOLD = NamedStyle(
    "coderef bold", alignment=Alignment(wrap_text=True, vertical="top"), font=Font(bold=True)
)
INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31
SIGNATURE_PROPERTY = "coderef signature"


class Sheet:
    """A worksheet written row by row: wrapped text, bold where asked, no cell for a blank."""

    def __init__(self, workbook: Workbook, title: str, widths: list[int]):
        self.sheet: Worksheet = workbook.create_sheet(title)
        for number, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(number)].width = width

    def _cell(self, value: Any, bold: bool) -> Cell | None:
        if value is None or value == "":
            return None
        cell = Cell(self.sheet, value=neutralised(value))
        cell.style = WRAPPED_BOLD.name if bold else WRAPPED.name
        return cell

    def row(
        self, values: Iterable[Any] = (), *, bold: bool = False, bold_first: bool = False
    ) -> None:
        """Append a row of `values`: all bold, or only the first (a label) bold."""
        self.sheet.append(
            [
                self._cell(value, bold or (bold_first and number == 0))
                for number, value in enumerate(values)
            ]
        )


def _sheet_titles(comparisons: list[Document]) -> list[str]:
    """A sheet name per comparison: its codes, within Excel's rules (31 characters, no
    []:*?/\\, unique whatever the case)."""
    titles: list[str] = []
    taken: set[str] = set()
    for comparison in comparisons:
        base = INVALID_SHEET_CHARACTERS.sub("-", comparison_title(comparison))
        if len(base) > SHEET_NAME_LENGTH:
            base = INVALID_SHEET_CHARACTERS.sub(
                "-", ", ".join(code["code"] for code in comparison["codes"])
            )
        title, number = base[:SHEET_NAME_LENGTH], 1
        while title.lower() in taken:
            number += 1
            suffix = f" ({number})"
            title = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        taken.add(title.lower())
        titles.append(title)
    return titles


CODE_FIELDS: list[tuple[str, Callable[[Document], Any]]] = [
    ("System", lambda code: code["system_name"]),
    ("Title", lambda code: code["title"]),
    ("Descriptor", lambda code: code["descriptor"]),
    ("Descriptor is", lambda code: code["descriptor_kind"]),
    ("What it involves", lambda code: code["lay_description"]),
    ("Inclusion terms", lambda code: lines(code["inclusion_terms"])),
    ("Instructional notes", lambda code: lines(code["instructional_notes"])),
    ("Status", lambda code: code["status"]),
    ("Effective date", lambda code: code["effective_date"] or ""),
    ("End date", lambda code: code["end_date"] or ""),
    ("Version", lambda code: code["version"]),
    ("Updated at (UTC)", lambda code: timestamp(code["updated_at"])),
]

NEEDS_REVIEW = "yes: a text of these codes changed after the note was last reviewed"


def _comparison_sheet(workbook: Workbook, title: str, comparison: Document, export: Export) -> None:
    codes = comparison["codes"]
    sheet = Sheet(workbook, title, [24] + [48] * len(codes))
    # The header (the codes) and the labels stay in view while scrolling.
    sheet.sheet.freeze_panes = "B2"
    sheet.row(["", *(f"{code['code']} ({code['system']})" for code in codes)], bold=True)
    for label, value in CODE_FIELDS:
        values = [value(code) for code in codes]
        if any(values):
            sheet.row([label, *values], bold_first=True)
    claim = claim_cells(comparison)
    if claim:
        sheet.row()
        sheet.row(["What it does to the claim", *(code["code"] for code in codes)], bold=True)
        first = codes[0]["code"]
        for label, cells in claim:
            marked = [f"{value} (differs from {first})" if d else value for value, d in cells]
            sheet.row([label, *marked], bold_first=True)
    for note in comparison["notes"]:
        sheet.row()
        sheet.row([f"Note: {pair(note)}", note["summary"]], bold=True)
        sheet.row(["Needs review", NEEDS_REVIEW if note["needs_review"] else "no"], bold_first=True)
        sheet.row(["What differs", *(code["code"] for code in codes)], bold=True)
        for row in note["differentiators"]:
            sheet.row(
                [row["label"], *("" if v is None else v for v in row["values"])], bold_first=True
            )
        for label, value in [
            ("Body", note["body"]),
            ("Source", note["source"]),
            ("Note version", note["version"]),
            ("Note updated at (UTC)", timestamp(note["updated_at"])),
        ]:
            sheet.row([label, value], bold_first=True)
    for a, b in comparison["pairs_without_note"]:
        sheet.row()
        sheet.row(
            ["No note", f"No curated note compares {a['code']} and {b['code']} yet."],
            bold_first=True,
        )
    sheet.row()
    for notice in comparison["notices"]:
        sheet.row(["Copyright", notice["notice"]], bold_first=True)
    sheet.row(["Export id", str(export.stamp.export_id)], bold_first=True)


def to_xlsx(export: Export) -> bytes:
    """An Excel workbook: "About this export" (the stamp and the notices), a "Comparisons"
    index when there are several, then a sheet per comparison with the codes side by side
    (bold header row and label column frozen, text wrapped) and each note's differences as
    their own table. The export id is the workbook's identifier; a custom document property
    holds the signature."""
    workbook, about = stamped_workbook(export.stamp, export.stamp_lines())
    for notice in export.notices:
        about.row(["Copyright", notice["notice"]], bold_first=True)
    titles = _sheet_titles(export.comparisons)
    if len(export.comparisons) > 1:
        index = Sheet(workbook, "Comparisons", [24, 30, 70, 14])
        index.sheet.freeze_panes = "A2"
        index.row(["Sheet", "Codes", "The difference", "Needs review"], bold=True)
        for title, comparison in zip(titles, export.comparisons, strict=True):
            notes = comparison["notes"]
            index.row(
                [
                    title,
                    ", ".join(f"{code['system']}:{code['code']}" for code in comparison["codes"]),
                    "\n".join(note["summary"] for note in notes) or "No curated note",
                    yes_no(any(note["needs_review"] for note in notes)),
                ]
            )
    for title, comparison in zip(titles, export.comparisons, strict=True):
        _comparison_sheet(workbook, title, comparison, export)
    return signed_workbook(workbook, export.stamp)


def stamped_workbook(stamp: Stamp, lines: list[tuple[str, str]]) -> tuple[Workbook, Sheet]:
    """A workbook with the export's identifier, a placeholder for its signature and the
    "About this export" sheet of the stamp's `lines` (which the caller may add to)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.add_named_style(WRAPPED)
    workbook.add_named_style(WRAPPED_BOLD)
    workbook.properties.identifier = str(stamp.export_id)
    workbook.properties.creator = stamp.generated_by
    workbook.custom_doc_props.append(StringProperty(name=SIGNATURE_PROPERTY, value=PLACEHOLDER))
    about = Sheet(workbook, "About this export", [22, 90])
    about.row(["About this export", ""], bold=True)
    for label, value in lines:
        about.row([label, value], bold_first=True)
    return workbook, about


def signed_workbook(workbook: Workbook, stamp: Stamp) -> bytes:
    """The workbook's bytes, signed (see `signature.signed_zip`)."""
    out = io.BytesIO()
    workbook.save(out)
    return signed_zip(out.getvalue(), stamp.export_id)


def seal_of(data: bytes) -> Seal | None:
    """The seal of an XLSX export (its identifier and signature property), or None when it
    carries none or cannot be read."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        signature = next(
            (str(p.value) for p in workbook.custom_doc_props if p.name == SIGNATURE_PROPERTY), ""
        )
        export_id = UUID(workbook.properties.identifier or "")
        workbook.close()
        return zip_seal(data, export_id, signature)
    except (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError):
        return None
    except (TypeError, ValueError):  # no identifier, or not a UUID
        return None
