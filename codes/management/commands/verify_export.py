"""manage.py verify_export FILE: is this file, byte for byte, an export coderef logged?"""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from codes.exports import export_ids_in
from codes.models import ExportRecord


def describe(record: ExportRecord) -> str:
    """One export record as an auditor reads it."""
    what = f"codes {record.codes}" if record.codes else "comparison notes"
    if record.filters:
        what += f" matching {record.filters}"
    as_of = f", texts as of {record.as_of.isoformat()}" if record.as_of else ""
    return (
        f"export {record.export_id}: {record.format.upper()} of {what}{as_of}, made by "
        f"{record.username or record.user or 'an unknown user'} at "
        f"{record.created_at:%Y-%m-%d %H:%M:%S} UTC (coderef {record.app_version or '?'}, "
        f"{record.row_count} rows, file {record.filename or '?'})"
    )


class Command(BaseCommand):
    help = (
        "Tell whether FILE is byte-identical to an export coderef logged, and which one. "
        "Exit status 0 when it is, 1 when it is not."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the exported file (CSV, XLSX, PDF or JSON)")

    def handle(self, *args, file: str, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        digest = hashlib.sha256(data).hexdigest()
        record = ExportRecord.objects.select_related("user").filter(sha256=digest).first()
        if record is not None:
            self.stdout.write(
                f"VERIFIED: {file} is byte-identical to {describe(record)}.\nsha256 {digest}"
            )
            return
        named = ExportRecord.objects.filter(export_id__in=export_ids_in(data)).first()
        if named is not None:
            raise CommandError(
                f"NOT VERIFIED: {file} names {describe(named)}, but its bytes differ from that "
                f"export (sha256 {digest}, logged {named.sha256}): it was changed after export."
            )
        raise CommandError(
            f"NOT VERIFIED: no export coderef logged has these bytes (sha256 {digest}), and "
            "the file names no logged export: it is not an unaltered coderef export."
        )
