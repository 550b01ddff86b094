"""The CMS HCPCS Level II file: fixed-width text (ISO-8859-1, CRLF) or the same data as xlsx.

Record layout (HCPCS2019_recordlayout.txt), 320 characters a record:

    1-5     code (a modifier sits in 4-5)       6-10    sequence number
    11      record identification: 3 = first line of a procedure, 4 = its continuation,
            7 = first line of a modifier, 8 = its continuation
    12-91   long description (continues over the 4 records)
    92-119  short description                  269-276 date added (YYYYMMDD)
    285-292 termination date (YYYYMMDD)        293     action code (D = discontinued)

Mapping: title = the long description, inclusion_terms = the short description (the abbreviated
words coders type), section_path = the HCPCS letter range. Modifiers are not codes and are
skipped. A code with a termination date (or action D) is imported as deleted, ending that day.
CPT (starting with a digit) and CDT (starting with D) codes do not belong in a Level II import.
"""

import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from codes.importers.base import (
    CodeRecord,
    ImportFileError,
    Release,
    decode_text,
    parse_date,
    year_in_name,
)
from codes.models import Code

ENCODING = "iso-8859-1"
RECORD_LENGTH = 320
LONG_DESCRIPTION_END = 91  # the last column of the long description
PROCEDURE, CONTINUATION, MODIFIER, MODIFIER_CONTINUATION = "3", "4", "7", "8"
RECORD_KINDS = (PROCEDURE, CONTINUATION, MODIFIER, MODIFIER_CONTINUATION)
PREAMBLE_LINES = 20  # the CMS files open with a short disclaimer before the first record

SECTIONS = {
    "A": "Transport, medical and surgical supplies (A0021-A9999)",
    "B": "Enteral and parenteral therapy (B4034-B9999)",
    "C": "Outpatient prospective payment system, temporary (C1300-C9899)",
    "E": "Durable medical equipment (E0100-E8002)",
    "G": "Procedures and professional services, temporary (G0008-G9987)",
    "H": "Alcohol and drug abuse treatment services (H0001-H2037)",
    "J": "Drugs administered other than oral method, chemotherapy drugs (J0120-J9999)",
    "K": "Durable medical equipment, temporary (K0001-K0903)",
    "L": "Orthotic and prosthetic procedures and devices (L0112-L9900)",
    "M": "Medical services (M0064-M1071)",
    "P": "Pathology and laboratory services (P2028-P9615)",
    "Q": "Temporary codes (Q0035-Q9995)",
    "R": "Diagnostic radiology services (R0070-R0076)",
    "S": "Temporary national codes, non-Medicare (S0012-S9999)",
    "T": "National codes for state Medicaid agencies (T1000-T5999)",
    "V": "Vision and hearing services (V2020-V5364)",
}

XLSX_COLUMNS = {
    "code": "HCPC",
    "kind": "RECID",
    "long": "LONG DESCRIPTION",
    "short": "SHORT DESCRIPTION",
    "added": "ADD DT",
    "terminated": "TERM DT",
    "action": "ACTION CD",
}


@dataclass(slots=True)
class _Row:
    """One HCPCS record, whichever file it came from."""

    line: int
    code: str
    kind: str
    long: str
    short: str
    added: str
    terminated: str
    action: str
    record: str = ""  # the whole fixed-width record, for the fields read elsewhere


def read(path: Path) -> Release:
    """Read the fixed-width text file or, for a .xlsx name, the workbook."""
    rows = _xlsx_rows(path) if path.suffix.lower() == ".xlsx" else _text_rows(path)
    unit = "row" if path.suffix.lower() == ".xlsx" else "line"
    year = year_in_name(path)
    return Release(
        path=path,
        records=list(_records(path, rows, unit)),
        version=str(year) if year else path.stem,
        starts=date(year, 1, 1) if year else None,
    )


def looks_like(head: bytes) -> bool:
    """True when the first lines of a text file hold a fixed-width HCPCS record."""
    lines = head.decode(ENCODING).splitlines()[:PREAMBLE_LINES]
    return any(_is_record(line) for line in lines)


def _is_record(line: str) -> bool:
    return len(line) > 11 and line[10] in RECORD_KINDS and line[5:10].isdigit()


def _text_rows(path: Path) -> Iterator[_Row]:
    data = path.read_bytes()
    _refuse_utf8(path, data)
    seen_record = False
    for number, line in enumerate(decode_text(path, data, ENCODING).splitlines(), start=1):
        if not line.strip():
            continue
        if not _is_record(line):
            if not seen_record and number <= PREAMBLE_LINES:
                continue
            raise ImportFileError(
                path,
                number,
                "wrong layout: not a CMS HCPCS record (expected 320 fixed-width characters "
                "with record type 3, 4, 7 or 8 in column 11)",
            )
        seen_record = True
        if not _complete(line):
            # A record cut short would be padded into blank descriptions and dates.
            raise ImportFileError(
                path,
                number,
                f"wrong layout: {len(line)} characters, an HCPCS record has {RECORD_LENGTH} "
                "(is the file cut short?)",
            )
        line = line.ljust(RECORD_LENGTH)
        yield _Row(
            line=number,
            code=line[0:5],
            kind=line[10],
            long=line[11:91],
            short=line[91:119],
            added=line[268:276],
            terminated=line[284:292],
            action=line[292],
            record=line,
        )
    if not seen_record:
        raise ImportFileError(
            path, None, "wrong layout: no CMS HCPCS fixed-width record in the file"
        )


def _complete(line: str) -> bool:
    """A first record (a code's or a modifier's) holds every field, all RECORD_LENGTH columns;
    a continuation holds only more of the long description (columns 12-91), and CMS writes some
    without their trailing blanks (one in the 2019 file)."""
    if line[10] in (CONTINUATION, MODIFIER_CONTINUATION):
        return LONG_DESCRIPTION_END <= len(line) <= RECORD_LENGTH
    return len(line) == RECORD_LENGTH


def _refuse_utf8(path: Path, data: bytes) -> None:
    """The CMS file is ISO-8859-1; a UTF-8 copy would shift every column after an accent."""
    if data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    first = next(i for i, byte in enumerate(data) if byte > 127)
    raise ImportFileError(
        path,
        data.count(b"\n", 0, first) + 1,
        "wrong encoding: the file is UTF-8; the CMS HCPCS file is ISO-8859-1 (Latin-1)",
    )


def _xlsx_rows(path: Path) -> Iterator[_Row]:
    columns = None
    for number, values in enumerate(_xlsx_values(path), start=1):
        cells = ["" if value is None else str(value) for value in values]
        if columns is None:
            if cells and cells[0].strip() == XLSX_COLUMNS["code"]:
                columns = _xlsx_columns(path, number, cells)
            elif number >= PREAMBLE_LINES:
                break
            continue
        if not any(cell.strip() for cell in cells):
            continue
        cells += [""] * (len(columns) - len(cells))
        yield _Row(line=number, **{name: cells[index] for name, index in columns.items()})
    if columns is None:
        raise ImportFileError(
            path,
            None,
            f"wrong layout: no header row starting with {XLSX_COLUMNS['code']!r} in the "
            f"first {PREAMBLE_LINES} rows",
        )


def _xlsx_values(path: Path) -> list[tuple[Any, ...]]:
    """Every row of the first sheet, as cell values."""
    with warnings.catch_warnings():
        # CMS workbooks carry page headers openpyxl cannot parse; they do not matter here.
        warnings.filterwarnings("ignore", "Cannot parse header or footer", UserWarning)
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
            raise ImportFileError(path, None, f"not a readable xlsx workbook ({exc})") from None
        try:
            return list(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()


def _xlsx_columns(path: Path, number: int, header: list[str]) -> dict[str, int]:
    positions = {title.strip(): index for index, title in enumerate(header)}
    missing = [title for title in XLSX_COLUMNS.values() if title not in positions]
    if missing:
        raise ImportFileError(
            path, number, f"wrong layout: no column {', '.join(missing)}", unit="row"
        )
    return {name: positions[title] for name, title in XLSX_COLUMNS.items()}


def _records(path: Path, rows: Iterable[_Row], unit: str) -> Iterator[CodeRecord]:
    current: CodeRecord | None = None
    for row in rows:
        code = row.code.strip().upper()
        if row.kind not in RECORD_KINDS:
            raise ImportFileError(
                path, row.line, f"wrong layout: record type {row.kind!r} (3, 4, 7 or 8)", unit=unit
            )
        if row.kind in (MODIFIER, MODIFIER_CONTINUATION):
            continue
        long = row.long.strip()
        if row.kind == CONTINUATION:
            if current is None or current.code != code:
                raise ImportFileError(
                    path,
                    row.line,
                    f"continuation of {code} without its first line (record type 3)",
                    unit=unit,
                )
            current.title = " ".join(f"{current.title} {long}".split())
            continue
        if current is not None:
            yield current
        current = _first_record(path, row, code, long, unit)
    if current is not None:
        yield current


def _first_record(path: Path, row: _Row, code: str, long: str, unit: str) -> CodeRecord:
    if code[:1].isdigit():
        raise ImportFileError(
            path,
            row.line,
            f"code {code} is a CPT code (starts with a digit): CPT is not part of an HCPCS "
            "Level II import; load it from your AMA licence file as CSV",
            unit=unit,
        )
    if code[:1] == "D":
        raise ImportFileError(
            path,
            row.line,
            f"code {code} is a CDT (dental, ADA) code: not part of an HCPCS Level II import",
            unit=unit,
        )
    terminated = parse_date(path, row.line, row.terminated, "%Y%m%d", "termination date", unit)
    discontinued = terminated is not None or row.action.strip().upper() == "D"
    return CodeRecord(
        code=code,
        title=" ".join(long.split()),
        line=row.line,
        inclusion_terms=row.short.strip(),
        section_path=SECTIONS.get(code[:1], ""),
        status=Code.Status.DELETED if discontinued else Code.Status.ACTIVE,
        effective_date=parse_date(path, row.line, row.added, "%Y%m%d", "date added", unit),
        end_date=terminated,
    )
