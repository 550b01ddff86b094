"""manage.py import_codes FILE --system SLUG: load a code-set file (see codes.importers)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from codes.importers import FORMATS, ImportFileError, import_file
from codes.models import CodeSystem


class Command(BaseCommand):
    help = (
        "Import a code-set release into one code system, all or nothing, and record it: new "
        "codes are added, changed ones saved with a history revision 'release <version>', "
        "codes a full release no longer lists marked deleted. Editors' lay descriptions are "
        "never overwritten. A release older than the newest recorded one needs --historical."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names the release being imported; it replaces Django's own --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--system", required=True, help="code system slug, e.g. icd10cm")
        parser.add_argument(
            "--format", default="auto", choices=["auto", *FORMATS], dest="file_format"
        )
        parser.add_argument(
            "--version",
            dest="release",
            help="release label, e.g. FY2026, 2019, 2019-Q1 (default: the file's own)",
        )
        parser.add_argument(
            "--effective-date",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="the first day the release is in force (default: from the label, FY N on "
            "N-1-10-01, N on N-01-01, N-Qk on the quarter's first day, else the file's)",
        )
        parser.add_argument(
            "--historical",
            action="store_true",
            help="a release older than the newest one recorded: add it to the timeline, "
            "keep today's texts",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change, write nothing"
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="the file lists only some codes: leave the codes it does not list alone "
            "(by default a file is a full release and codes it lacks are marked deleted)",
        )
        parser.add_argument(
            "--allow-deletions",
            type=int,
            metavar="N",
            help="a full release may mark up to N codes deleted (without it, one that would "
            "delete more than 5%% of the system's active codes is refused)",
        )

    def handle(
        self,
        *args,
        file,
        system,
        file_format,
        release,
        effective_date,
        historical,
        dry_run,
        partial,
        allow_deletions,
        **options,
    ):
        try:
            code_system = CodeSystem.objects.get(slug=system)
        except CodeSystem.DoesNotExist:
            known = ", ".join(CodeSystem.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No code system {system!r} (known: {known}).") from None
        progress = self.progress_bar if self.stdout.isatty() else None
        try:
            summary = import_file(
                file,
                system=code_system,
                file_format=file_format,
                version=release,
                effective_date=effective_date,
                historical=historical,
                dry_run=dry_run,
                partial=partial,
                allow_deletions=allow_deletions,
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(f"{exc} (nothing was imported)") from None
        finally:
            if progress:
                self.stdout.write("")
        for note in summary.notes:
            self.stdout.write(f"note: {note}")
        if summary.release_note:
            self.stdout.write(summary.release_note)
        self.stdout.write(str(summary))

    def progress_bar(self, phase: str, done: int, total: int) -> None:
        width = 40
        filled = width * done // total if total else width
        self.stdout.write(
            f"\r{phase} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}", ending=""
        )
        self.stdout.flush()
