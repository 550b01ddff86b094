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

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone

from codes.models import Code, CodeSystem, StaleEditError
from codes.models import Release as ReleaseRow
from codes.releases import (
    ADDED,
    DELETED,
    REVISED,
    OfficialText,
    change_kind,
    effective_date_of,
    same_text,
)
from codes.selectors.releases import newest_release, official_state, releases_around
from codes.services.codes import Progress
from codes.services.releases import (
    CodeChange,
    ReleaseRecord,
    release_import,
    release_insert_historical,
)
from codes.text import clean_text

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
# The official texts: a change of their words is a revision (`codes.releases`).
OFFICIAL_FIELDS = ("title", "descriptor")
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
    covers: str = ""  # the start of the codes a full release lists all of ("": every code)
    unit: str = "line"  # what a record's number counts in the file (an entry, a row)
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
    release_note: str = ""  # the release recorded, with its counts

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
    effective_date: date | None = None,
    historical: bool = False,
    dry_run: bool = False,
    allow_deletions: int | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Bring the system's codes in line with the release, all or nothing, and record it.

    Returns the counts; with dry_run the database is not written to at all. A release with no
    records is refused, and so is a full release that would mark more than MAX_DELETED_SHARE of
    the system's active codes deleted, unless `allow_deletions` is at least that count. A
    release older than the newest recorded one is refused unless `historical`, which records
    it in the timeline without changing today's texts (see `services.releases`).
    """
    label = version or release.version
    release.starts = effective_date or effective_date_of(label) or release.starts
    starts = release.starts or timezone.localdate()
    summary = ImportSummary(system=system.name, version=label, dry_run=dry_run, notes=release.notes)
    records = _checked_records(system, release)
    record = ReleaseRecord(
        system=system,
        label=label,
        effective_date=starts,
        source_name=release.path.name,
        source_sha256=hashlib.sha256(release.path.read_bytes()).hexdigest(),
    )
    recorded = ReleaseRow.objects.filter(system=system, label=label).first()
    newest = newest_release(system)
    if recorded is not None and recorded != newest:
        if recorded.source_sha256 != record.source_sha256:
            raise ImportFileError(
                release.path,
                None,
                f"{system.name} {label} is recorded from another file ({recorded.source_name}, "
                f"sha256 {recorded.source_sha256[:12]}...); only the newest release "
                f"({newest.label if newest else label}) can be imported again",
            )
        summary.unchanged = len(records)
        summary.release_note = f"release {label} is recorded already from this file: nothing to do"
        return summary
    if recorded is None and newest is not None and starts < newest.effective_date:
        if not historical:
            raise ImportFileError(
                release.path,
                None,
                f"{system.name} {label} (in force from {starts.isoformat()}) is older than "
                f"{newest.label} (from {newest.effective_date.isoformat()}), the newest release "
                "recorded: importing it would turn today's texts back. Run again with "
                "--historical to add it to the timeline without changing today's texts",
            )
        if not release.full or release.covers:
            raise ImportFileError(
                release.path,
                None,
                "--historical takes a release of the whole code set, not --partial or one section",
            )
        record.historical = True
        return _apply_historical(system, release, records, record, summary)
    if historical:
        summary.notes.append(f"--historical: {label} is the newest release, imported as such")
    return _apply_in_date_order(
        system,
        release,
        records,
        record,
        summary,
        correcting=recorded,
        allow_deletions=allow_deletions,
        progress=progress,
    )


def _official(values: Mapping[str, Any]) -> OfficialText:
    return (values["title"] or "", values["descriptor"] or "")


def _apply_in_date_order(
    system: CodeSystem,
    release: Release,
    records: list[CodeRecord],
    record: ReleaseRecord,
    summary: ImportSummary,
    *,
    correcting: ReleaseRow | None,
    allow_deletions: int | None,
    progress: Progress | None,
) -> ImportSummary:
    """The release as the newest one: today's codes take its texts (see `apply_release`)."""
    existing = {
        row["code"]: row
        for row in Code.objects.filter(system=system).values(
            "pk", "code", "version", "lay_description", *IMPORTED_FIELDS
        )
    }
    label = record.label
    new_records: list[CodeRecord] = []
    # pk -> the imported fields that change, with their new values
    changes: dict[int, dict[str, Any]] = {}
    for item in records:
        stored = existing.get(item.code)
        if stored is None:
            new_records.append(item)
            continue
        wanted = _wanted_values(item, stored)
        for name in OFFICIAL_FIELDS:
            # A change of punctuation or spacing only is none: the stored text stays.
            if wanted[name] != stored[name] and same_text(wanted[name], stored[name]):
                wanted[name] = stored[name]
        differing = {name: value for name, value in wanted.items() if stored[name] != value}
        if not differing:
            summary.unchanged += 1
            continue
        changes[stored["pk"]] = differing
        was = _official(stored) if stored["status"] != Code.Status.DELETED else None
        now = _official(wanted) if wanted["status"] != Code.Status.DELETED else None
        kind = change_kind(was, now)
        if kind:
            record.changes.append(CodeChange(item.code, kind, was, now))
        if kind == REVISED and stored["lay_description"]:
            differing["lay_review"] = (
                f"The official text changed in {label}: check the lay description."
            )
    record.unchanged = len(records) - len(new_records) - len(record.changes)
    if release.full:
        listed = {item.code for item in records}
        end_date = release.end_date_for_missing
        for code, stored in existing.items():
            if (
                code not in listed
                and code.startswith(release.covers)
                and stored["status"] != Code.Status.DELETED
            ):
                changes[stored["pk"]] = {"status": Code.Status.DELETED, "end_date": end_date}
                record.changes.append(CodeChange(code, DELETED, _official(stored), None))
                summary.deleted += 1
        _check_deletions(system, release, summary.deleted, allow_deletions)
    summary.added = len(new_records)
    summary.changed = len(changes) - summary.deleted
    versions = {stored["pk"]: stored["version"] for stored in existing.values()}
    new_codes = [
        Code(
            system=system,
            code=item.code,
            lay_description=item.lay_description or "",
            **_wanted_values(item, None),
        )
        for item in new_records
    ]
    added = [code for code in new_codes if code.status != Code.Status.DELETED]
    # The first release of a system without codes is its starting point: its codes are not
    # listed one by one as added.
    record.baseline = not existing and correcting is None
    if not record.baseline:
        record.changes += [
            CodeChange(code.code, ADDED, None, (code.title, code.descriptor)) for code in added
        ]
    summary.release_note = _release_note(record, len(added), correcting)
    if summary.dry_run:
        return summary
    try:
        release_import(
            record=record,
            added=len(added),
            new=new_codes,
            changes=changes,
            versions=versions,
            progress=progress,
            correcting=correcting,
        )
    except StaleEditError as exc:
        raise ImportFileError(
            release.path,
            None,
            f"code {exc.obj} was edited while the import ran; nothing was written, run it again",
        ) from None
    return summary


def _release_note(record: ReleaseRecord, added: int, correcting: ReleaseRow | None) -> str:
    counts = (
        f"{added:,} added, {record.count(REVISED):,} revised, "
        f"{record.count(DELETED):,} deleted, {record.unchanged:,} unchanged"
    )
    if correcting is None:
        what = "historical release" if record.historical else "release"
        start = "the first one recorded, " if record.baseline else ""
        return (
            f"{what} {record.label} recorded ({start}effective "
            f"{record.effective_date.isoformat()}): {counts}"
        )
    if correcting.source_sha256 == record.source_sha256:
        return f"release {record.label} is recorded already from this file: no second one"
    return f"release {record.label} corrected from {record.source_name}: {counts}"


def _apply_historical(
    system: CodeSystem,
    release: Release,
    records: list[CodeRecord],
    record: ReleaseRecord,
    summary: ImportSummary,
) -> ImportSummary:
    """The release slotted in before a newer one: today's codes keep their texts (see
    `services.releases.release_insert_historical`)."""
    previous, following = releases_around(system, record.effective_date)
    before = official_state(system, previous)
    after = official_state(system, following)
    mine = {
        item.code: (
            item.title,
            item.descriptor
            if item.descriptor is not None
            else (before.get(item.code) or after.get(item.code) or ("", ""))[1],
        )
        for item in records
        if item.status != Code.Status.DELETED
    }
    record.changes = _changes_between(before, mine)
    following_changes = _changes_between(mine, after)
    record.unchanged = len(mine) - record.count(ADDED) - record.count(REVISED)
    record.baseline = previous is None
    if record.baseline:
        record.changes = [change for change in record.changes if change.kind != ADDED]
    known = set(Code.objects.filter(system=system).values_list("code", flat=True))
    assert following is not None  # the release is older than the newest one
    end_date = following.effective_date - timedelta(days=1)
    by_code = {item.code: item for item in records}
    gone = [
        Code(
            system=system,
            code=code,
            title=title,
            descriptor=descriptor,
            section_path=by_code[code].section_path or "",
            status=Code.Status.DELETED,
            end_date=end_date,
        )
        for code, (title, descriptor) in mine.items()
        if code not in known
    ]
    summary.added, summary.changed = record.count(ADDED), record.count(REVISED)
    summary.deleted, summary.unchanged = record.count(DELETED), record.unchanged
    added = len(mine) if record.baseline else summary.added
    summary.release_note = _release_note(record, added, None)
    summary.notes.append(
        f"today's texts are kept; {following.label} is now compared with {record.label}"
    )
    if not summary.dry_run:
        release_insert_historical(
            record=record,
            added=added,
            gone=gone,
            following=following,
            following_changes=following_changes,
            following_unchanged=len(after)
            - sum(1 for change in following_changes if change.kind != DELETED),
        )
    return summary


def _changes_between(
    before: Mapping[str, OfficialText], after: Mapping[str, OfficialText]
) -> list[CodeChange]:
    """What a release changed, from the codes in force before it to those after it."""
    changes = []
    for code in sorted(before.keys() | after.keys()):
        kind = change_kind(before.get(code), after.get(code))
        if kind:
            changes.append(CodeChange(code, kind, before.get(code), after.get(code)))
    return changes


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
    active = (
        Code.objects.filter(system=system, code__startswith=release.covers)
        .exclude(status=Code.Status.DELETED)
        .count()
    )
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
                release.path,
                record.line,
                unit=release.unit,
                reason=f"{name} of code {record.code} holds a NUL byte",
            )
        value = clean_text(value)
        setattr(record, name, value)
        if name in limits and len(value) > limits[name]:
            raise ImportFileError(
                release.path,
                record.line,
                unit=release.unit,
                reason=f"{name} of code {record.code} is {len(value):,} characters long, "
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
                unit=release.unit,
                reason=f"code {raw.strip()!r} does not fit the {system.name} pattern "
                f"{system.code_pattern}",
            )
        if not record.title.strip():
            raise ImportFileError(
                release.path,
                record.line,
                unit=release.unit,
                reason=f"code {record.code} has no title",
            )
        if record.code in seen:
            raise ImportFileError(
                release.path,
                record.line,
                unit=release.unit,
                reason=f"code {record.code} is listed twice (first on line {seen[record.code]})",
            )
        if record.end_date and record.effective_date and record.end_date < record.effective_date:
            raise ImportFileError(
                release.path,
                record.line,
                unit=release.unit,
                reason=f"code {record.code} ends before it takes effect",
            )
        if record.status == Code.Status.DELETED and not record.end_date:
            raise ImportFileError(
                release.path,
                record.line,
                unit=release.unit,
                reason=f"code {record.code} is deleted without an end date (the last date it could "
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
