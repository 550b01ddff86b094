"""manage.py verify_export FILE: is this file an unaltered coderef export, and which one?"""

import hashlib
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlencode

from django.core.management.base import BaseCommand, CommandParser

from codes.exports.signature import Seal
from codes.exports.verify import seal_of
from codes.models import ExportRecord


def describe(record: ExportRecord, seal: Seal | None = None) -> str:
    """One export record as an auditor reads it; what a PDF holds (pages, notes) is read from
    the file's `seal`, what another format holds is its rows."""
    filters = parse_qs(record.filters)
    release = filters.pop("release", None)
    if release:
        # A release page's changes (services.release_export): the release, then its filters.
        what = f"the changes of release {release[0]}"
        shown = urlencode(filters, doseq=True)
        what += f" matching {shown}" if shown else ""
    else:
        # Codes as the comparison's URL names them: `I71.61@FY2023` is its FY2023 text.
        what = f"codes {record.codes}" if record.codes else "comparison notes"
        what += f" matching {record.filters}" if record.filters else ""
    as_of = f", texts as of {record.as_of.isoformat()}" if record.as_of else ""
    as_of += f", official texts of {record.releases}" if record.releases else ""
    if record.format != "pdf":
        holds = f"{record.row_count} rows, "
    else:
        holds = f"{seal.holds}, " if seal and seal.holds else ""
    return (
        f"export {record.export_id}: {record.format.upper()} of {what}{as_of}, made by "
        f"{record.username or record.user or 'an unknown user'} at "
        f"{record.created_at:%Y-%m-%d %H:%M:%S} UTC (coderef {record.app_version or '?'}, "
        f"{holds}file {record.filename or '?'})"
    )


def verdict(file: str, data: bytes) -> tuple[bool, str]:
    """Whether `data` (the bytes of `file`) is an unaltered coderef export, and why, in words:
    byte-identical to a logged export; or, when the log does not have it, carrying a valid
    signature (a restored or another instance's database)."""
    digest = hashlib.sha256(data).hexdigest()
    seal = seal_of(data)
    record = ExportRecord.objects.select_related("user").filter(sha256=digest).first()
    if record is not None:
        return (
            True,
            f"VERIFIED: {file} is byte-identical to {describe(record, seal)}.\nsha256 {digest}",
        )
    if seal is None:
        return False, (
            f"NOT VERIFIED: {file} names no logged export and carries no signature coderef can "
            f"read, and no export coderef logged has these bytes (sha256 {digest}): it is not "
            "an unaltered coderef export."
        )
    named = ExportRecord.objects.select_related("user").filter(export_id=seal.export_id).first()
    if named is not None and seal.valid:
        return True, (
            f"VERIFIED: {file} has the content of {describe(named, seal)} (signature valid), "
            f"though not its bytes (sha256 {digest}, logged {named.sha256}): repacked, not "
            "altered."
        )
    if named is not None:
        return False, (
            f"NOT VERIFIED: {file} names {describe(named, seal)}, but its bytes differ from that "
            f"export (sha256 {digest}, logged {named.sha256}): it was changed after export."
        )
    holds = f" ({seal.holds})" if seal.holds else ""
    if seal.valid:
        return True, (
            f"VERIFIED: {file} is export {seal.export_id}{holds}: export id not in this "
            "database's log (restored or another instance's database?) — signature valid: the "
            f"file is unaltered.\nsha256 {digest}"
        )
    return False, (
        f"NOT VERIFIED: {file} names export {seal.export_id}, which is not in this database's "
        f"log, and its signature does not match its content (sha256 {digest}): it was changed "
        "after export, or signed with another CODEREF_EXPORT_SIGNING_KEY."
    )


class Command(BaseCommand):
    help = (
        "Tell whether FILE is an unaltered coderef export, and which one: byte-identical to a "
        "logged export, or, when this database's log does not have it, signed by this "
        "instance's CODEREF_EXPORT_SIGNING_KEY. Exit status 0 when it is, 1 when it is not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the exported file (CSV, XLSX, PDF or JSON)")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            self._refuse(f"NOT VERIFIED: Cannot read {file}: {exc.strerror or exc}.")
        verified, message = verdict(file, data)
        if not verified:
            self._refuse(message)
        self.stdout.write(message)

    def _refuse(self, message: str) -> NoReturn:
        # One line and exit status 1: a CommandError would print "CommandError: " before it.
        self.stderr.write(message)
        raise SystemExit(1)
