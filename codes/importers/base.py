"""What every importer shares: the record a reader yields, file errors, and the upsert.

A reader (one module per file format) turns a file into a `Release`: the codes it lists as
`CodeRecord`s, each with the line it came from. `apply_release` then compares the release with
the database and writes the difference in one transaction:

- a code not in the database is added;
- a code whose imported fields differ is saved with a history revision "import <version>"
  (after its baseline, when it had no history; a changed text flags the notes naming it);
- a code whose imported fields are the same is not touched (no save, no history, no new version);
- a code missing from a full release is marked deleted with an end date, never removed;
- lay descriptions belong to the editors: an import writes one only when it adds the code.

A record field left at None means "the file does not say": the stored value is kept.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone

from codes.models import Code, CodeSystem, StaleEditError
from codes.services.codes import Progress, codes_import

# Fields an import owns. lay_description is not among them: it is written for new codes only.
IMPORTED_FIELDS = (
    "title",
    "descriptor",
    "section_path",
    "inclusion_terms",
    "instructional_notes",
    "status",
    "effective_date",
    "end_date",
)
# A full release that would mark more than this share of a system's active codes deleted is
# refused unless the one running it says how many deletions to expect: a file cut short, or the
# wrong file, must not wipe a code set.
MAX_DELETED_SHARE = 0.05
# Text a database would refuse or cut: a NUL byte (PostgreSQL refuses it, SQLite stores it).
NUL = "\x00"
RECORD_TEXT_FIELDS = (
    "code",
    "title",
    "descriptor",
    "lay_description",
    "section_path",
    "inclusion_terms",
    "instructional_notes",
)


class ImportFileError(Exception):
    """A file that cannot be imported: names the file, the line and the reason."""

    def __init__(self, path: Path | str, line: int | None, reason: str, *, unit: str = "line"):
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path.name}, {unit} {line}" if line else self.path.name
        super().__init__(f"{where}: {reason}")


@dataclass(slots=True)
class CodeRecord:
    """One code as a file states it. None means the file says nothing about that field."""

    code: str
    title: str
    line: int
    descriptor: str | None = None
    lay_description: str | None = None
    section_path: str | None = None
    inclusion_terms: str | None = None
    instructional_notes: str | None = None
    status: str = Code.Status.ACTIVE
    effective_date: date | None = None
    end_date: date | None = None


@dataclass
class Release:
    """What a reader found in one file."""

    path: Path
    records: list[CodeRecord]
    version: str  # label for history reasons, e.g. "FY2026"
    full: bool = True  # a full release: codes it does not list are deleted
    starts: date | None = None  # first day the release is valid, if the file tells
    notes: list[str] = field(default_factory=list)  # worth telling whoever runs the import

    @property
    def end_date_for_missing(self) -> date:
        """The end date given to codes a full release no longer lists."""
        return self.starts - timedelta(days=1) if self.starts else timezone.localdate()


@dataclass
class ImportSummary:
    """Counts of what an import did (or, on a dry run, would do)."""

    system: str
    version: str
    added: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0
    dry_run: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        counts = (
            f"{self.added:,} added, {self.changed:,} changed, {self.deleted:,} deleted, "
            f"{self.unchanged:,} unchanged"
        )
        tail = " (dry run: nothing written)" if self.dry_run else ""
        return f"{self.system} {self.version}: {counts} in {self.seconds:.1f} s{tail}"


def decode_text(path: Path, data: bytes, encoding: str) -> str:
    """The file's text; a decoding failure names the line of the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf") and encoding == "utf-8":
        data = data[3:]
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            path, 1, f"wrong encoding: NUL bytes (UTF-16?); the file must be {encoding} text"
        )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise ImportFileError(
            path, line, f"wrong encoding: byte 0x{byte} is not {encoding} text"
        ) from None


def read_lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, line without its end of line) for each line of a text file."""
    text = decode_text(path, path.read_bytes(), encoding)
    yield from enumerate(text.splitlines(), start=1)


def layout_lines(
    path: Path, pattern: re.Pattern[str], expected: str
) -> Iterator[tuple[int, re.Match[str]]]:
    """(line number, match) for each non-blank line of a UTF-8 fixed-layout file; a line the
    pattern does not match in full stops the import, saying what was `expected`."""
    for number, line in read_lines(path, "utf-8"):
        if not line.strip():
            continue
        found = pattern.fullmatch(line.rstrip())
        if not found:
            raise ImportFileError(path, number, f"wrong layout: expected {expected}")
        yield number, found


def year_in_name(path: Path) -> int | None:
    """The release year a CMS/CDC file name carries (HCPC2019..., icd10pcs-codes-2024.txt)."""
    found = re.search(r"(20\d\d)", path.name)
    return int(found.group(1)) if found else None


def fiscal_year_start(year: int | None) -> date | None:
    """ICD-10 fiscal year N starts on 1 October of year N-1."""
    return date(year - 1, 10, 1) if year else None


def parse_date(
    path: Path, line: int, text: str, fmt: str, what: str, unit: str = "line"
) -> date | None:
    """A date written in `fmt`, None when blank, or an error naming the line."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, fmt).date()
    except ValueError:
        shown = fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
        raise ImportFileError(
            path, line, f"{what} {text!r} is not a date ({shown})", unit=unit
        ) from None


def apply_release(
    system: CodeSystem,
    release: Release,
    *,
    version: str | None = None,
    dry_run: bool = False,
    allow_deletions: int | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Bring the system's codes in line with the release, all or nothing.

    Returns the counts; with dry_run the database is not written to at all. A release with no
    records is refused, and so is a full release that would mark more than MAX_DELETED_SHARE of
    the system's active codes deleted, unless `allow_deletions` is at least that count.
    """
    label = version or release.version
    summary = ImportSummary(system=system.name, version=label, dry_run=dry_run, notes=release.notes)
    records = _checked_records(system, release)
    existing = {
        row["code"]: row
        for row in Code.objects.filter(system=system).values(
            "pk", "code", "version", *IMPORTED_FIELDS
        )
    }

    new_records: list[CodeRecord] = []
    # pk -> the imported fields that change, with their new values
    changes: dict[int, dict[str, Any]] = {}
    for record in records:
        stored = existing.get(record.code)
        if stored is None:
            new_records.append(record)
            continue
        wanted = _wanted_values(record, stored)
        differing = {name: value for name, value in wanted.items() if stored[name] != value}
        if differing:
            changes[stored["pk"]] = differing
        else:
            summary.unchanged += 1
    if release.full:
        listed = {record.code for record in records}
        end_date = release.end_date_for_missing
        for code, stored in existing.items():
            if code not in listed and stored["status"] != Code.Status.DELETED:
                changes[stored["pk"]] = {"status": Code.Status.DELETED, "end_date": end_date}
                summary.deleted += 1
        _check_deletions(system, release, summary.deleted, allow_deletions)
    summary.added = len(new_records)
    summary.changed = len(changes) - summary.deleted
    versions = {stored["pk"]: stored["version"] for stored in existing.values()}

    if not dry_run:
        new_codes = [
            Code(
                system=system,
                code=record.code,
                lay_description=record.lay_description or "",
                **_wanted_values(record, None),
            )
            for record in new_records
        ]
        try:
            codes_import(
                new=new_codes,
                changes=changes,
                versions=versions,
                reason=f"import {label}",
                progress=progress,
            )
        except StaleEditError as exc:
            raise ImportFileError(
                release.path,
                None,
                f"code {exc.obj} was edited while the import ran; nothing was written, "
                "run it again",
            ) from None
    return summary


def _check_deletions(
    system: CodeSystem, release: Release, deleted: int, allowed: int | None
) -> None:
    """Refuse a full release that would delete more codes than expected (see apply_release)."""
    if allowed is not None:
        if deleted > allowed:
            raise ImportFileError(
                release.path,
                None,
                f"the release would mark {deleted:,} {system.name} codes deleted, more than "
                f"the {allowed:,} --allow-deletions allows",
            )
        return
    active = Code.objects.filter(system=system).exclude(status=Code.Status.DELETED).count()
    if deleted > active * MAX_DELETED_SHARE:
        raise ImportFileError(
            release.path,
            None,
            f"the release would mark {deleted:,} of the {active:,} active {system.name} codes "
            f"deleted (more than {MAX_DELETED_SHARE:.0%}): is the file complete? If the "
            f"deletions are meant, run again with --allow-deletions {deleted}",
        )


def _field_limits() -> dict[str, int]:
    """The longest value each length-limited text column of Code takes."""
    limits = {}
    for name in RECORD_TEXT_FIELDS:
        field = Code._meta.get_field(name)
        if isinstance(field, models.Field) and field.max_length:
            limits[name] = field.max_length
    return limits


def _check_texts(release: Release, record: CodeRecord, limits: dict[str, int]) -> None:
    """Refuse text either database would refuse or cut, the same way on both."""
    for name in RECORD_TEXT_FIELDS:
        value = getattr(record, name)
        if value is None:
            continue
        if NUL in value:
            raise ImportFileError(
                release.path, record.line, f"{name} of code {record.code} holds a NUL byte"
            )
        if name in limits and len(value) > limits[name]:
            raise ImportFileError(
                release.path,
                record.line,
                f"{name} of code {record.code} is {len(value):,} characters long, "
                f"at most {limits[name]:,} fit",
            )


def _checked_records(system: CodeSystem, release: Release) -> list[CodeRecord]:
    """The release's records with codes as stored, refused whole when one is invalid."""
    if not release.records:
        raise ImportFileError(
            release.path, None, "the file lists no codes (only a header, or nothing at all)"
        )
    seen: dict[str, int] = {}
    limits = _field_limits()
    for record in release.records:
        _check_texts(release, record, limits)
        raw = record.code
        record.code = system.normalize_code(raw)
        if not system.matches(record.code):
            raise ImportFileError(
                release.path,
                record.line,
                f"code {raw.strip()!r} does not fit the {system.name} pattern "
                f"{system.code_pattern}",
            )
        if not record.title.strip():
            raise ImportFileError(release.path, record.line, f"code {record.code} has no title")
        if record.code in seen:
            raise ImportFileError(
                release.path,
                record.line,
                f"code {record.code} is listed twice (first on line {seen[record.code]})",
            )
        if record.end_date and record.effective_date and record.end_date < record.effective_date:
            raise ImportFileError(
                release.path, record.line, f"code {record.code} ends before it takes effect"
            )
        if record.status == Code.Status.DELETED and not record.end_date:
            raise ImportFileError(
                release.path,
                record.line,
                f"code {record.code} is deleted without an end date (the last date it could "
                "be reported)",
            )
        seen[record.code] = record.line
    return release.records


def _wanted_values(record: CodeRecord, stored: dict[str, Any] | None) -> dict[str, Any]:
    """The imported fields as the record wants them.

    None keeps the stored value (or the empty default for a new code); the end date is the
    exception: a code the release lists without an end date has none.
    """
    values = {}
    for name in IMPORTED_FIELDS:
        value = getattr(record, name)
        if value is None and name != "end_date":
            if stored is not None:
                value = stored[name]
            elif name != "effective_date":
                value = ""
        values[name] = value
    return values
