"""CSV and JSON Lines files with coderef's own columns: any code system, including licensed CPT.

Columns (CSV: a header row naming them, UTF-8; JSON Lines: one object a line with these keys):

    code            required; ICD-10-CM with or without its dot
    title           required
    descriptor      official long descriptor
    lay_description plain-words description; used only when the code is new (editors own it)
    section         "Chapter > Section > Group" (JSON Lines: a string or a list)
    synonyms        one per line or separated by "|" (JSON Lines: a string or a list)
    status          active (default) or deleted
    effective_date  YYYY-MM-DD
    end_date        YYYY-MM-DD

A column the file leaves out keeps what is stored, and an empty cell of a column it has clears
it; status and end date are the exception: a listed code is active, without an end date, unless
its row says otherwise.
"""

import csv
import json
import re
from pathlib import Path

from codes.importers.base import CodeRecord, ImportFileError, Release, decode_text, parse_date
from codes.models import Code

REQUIRED = ("code", "title")
OPTIONAL = (
    "descriptor",
    "lay_description",
    "section",
    "synonyms",
    "status",
    "effective_date",
    "end_date",
)
COLUMNS = REQUIRED + OPTIONAL
SECTION_BREAK = re.compile(r"\n| > ")
STATUSES = {status.value for status in Code.Status}


def read_csv(path: Path) -> Release:
    """Read a CSV file whose header row names the columns."""
    text = decode_text(path, path.read_bytes(), "utf-8")
    rows = csv.reader(text.splitlines(keepends=True))
    try:
        header = [name.strip().lower() for name in next(rows)]
    except StopIteration:
        raise ImportFileError(path, None, "the file is empty") from None
    except csv.Error as exc:
        raise ImportFileError(path, 1, f"not valid CSV: {exc}") from None
    _check_columns(path, 1, header, header_row=True)
    records = []
    line = rows.line_num
    try:
        for values in rows:
            row_line, line = line + 1, rows.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                raise ImportFileError(
                    path,
                    row_line,
                    f"wrong layout: {len(values)} cells, the header has {len(header)}",
                )
            records.append(_record(path, row_line, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        raise ImportFileError(path, rows.line_num, f"not valid CSV: {exc}") from None
    return Release(path=path, records=records, version=path.stem)


def read_jsonl(path: Path) -> Release:
    """Read a JSON Lines file: one JSON object a line."""
    text = decode_text(path, path.read_bytes(), "utf-8")
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFileError(path, number, f"not valid JSON: {exc.msg}") from None
        if not isinstance(row, dict):
            raise ImportFileError(path, number, "wrong layout: each line must be a JSON object")
        _check_columns(path, number, list(row))
        records.append(_record(path, number, {key: _text(value) for key, value in row.items()}))
    return Release(path=path, records=records, version=path.stem)


def _text(value: object) -> str:
    """A JSON value as a cell: lists become lines, null becomes empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def _check_columns(path: Path, line: int, names: list[str], header_row: bool = False) -> None:
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(f"unknown column {', '.join(map(repr, unknown))}")
        if missing:
            problems.append(f"no {' or '.join(missing)} column")
        where = "header row" if header_row else "object"
        raise ImportFileError(
            path,
            line,
            f"wrong layout: {'; '.join(problems)} in the {where} "
            f"(columns are {', '.join(COLUMNS)})",
        )


def _record(path: Path, line: int, row: dict[str, str]) -> CodeRecord:
    status = row.get("status", "").strip().lower() or Code.Status.ACTIVE
    if status not in STATUSES:
        raise ImportFileError(
            path, line, f"status {status!r} is not one of {', '.join(sorted(STATUSES))}"
        )
    section = row.get("section")
    synonyms = row.get("synonyms")
    return CodeRecord(
        code=row["code"],
        title=" ".join(row["title"].split()),
        line=line,
        descriptor=_optional(row.get("descriptor")),
        lay_description=_optional(row.get("lay_description")),
        section_path=(
            None
            if section is None
            else Code.SECTION_SEPARATOR.join(
                part.strip() for part in SECTION_BREAK.split(section) if part.strip()
            )
        ),
        inclusion_terms=(
            None
            if synonyms is None
            else "\n".join(
                term.strip() for term in synonyms.replace("|", "\n").splitlines() if term.strip()
            )
        ),
        status=status,
        effective_date=parse_date(
            path, line, row.get("effective_date", ""), "%Y-%m-%d", "effective_date"
        ),
        end_date=parse_date(path, line, row.get("end_date", ""), "%Y-%m-%d", "end_date"),
    )


def _optional(value: str | None) -> str | None:
    return None if value is None else value.strip()
