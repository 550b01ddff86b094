"""manage.py load_public_codes: import every public release in date order (ICD-10-CM FY2019 to
FY2026, ICD-10-PCS FY2024 and FY2025, HCPCS 2019), each recorded as a release, and add the
starter terminology (manage.py load_synonyms), the public terminology sources (manage.py
import_terminology: ICD-9-CM titles through the GEMs, the ICD-10-PCS Index) and the codebook
reference data (manage.py import_reference). A release recorded already from the same file is
left alone."""

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from codes.importers.public import (
    HCPCS_DIR,
    PublicDataMissing,
    import_order,
    public_releases,
    readable,
    reference_sets,
    terminology_sets,
)
from codes.management.commands.load_synonyms import TERMINOLOGY_STARTER
from codes.models import Code, Release


class Command(BaseCommand):
    help = (
        "Import the public releases from the [data] extra's packages in date order and, when "
        "present, HCPCS 2019 from data/hcpcs-2019, then the starter terminology and the public "
        "terminology sources' entries the database lacks, then the codebook reference data. "
        "Safe to run again: recorded releases, unchanged codes and existing synonyms are left "
        "alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hcpcs-dir", type=Path, default=HCPCS_DIR)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, hcpcs_dir: Path, dry_run: bool, **options: Any) -> None:
        try:
            sets = public_releases(hcpcs_dir)
        except PublicDataMissing as exc:
            raise CommandError(str(exc)) from None
        if not any(item.system == "hcpcs" for item in sets):
            self.stdout.write(f"note: no HCPCS file in {hcpcs_dir}: HCPCS skipped")
        continuing = {
            item.system
            for item in sets
            if Code.objects.filter(system__slug=item.system).exists()
            and not Release.objects.filter(system__slug=item.system).exists()
        }
        for item, historical in import_order(sets, continuing):
            with readable(item.path) as path:
                call_command(
                    "import_codes",
                    str(path),
                    system=item.system,
                    file_format=item.file_format,
                    release=item.version,
                    historical=historical,
                    dry_run=dry_run,
                    stdout=self.stdout._out,
                )
        if not dry_run:
            call_command("load_synonyms", str(TERMINOLOGY_STARTER), stdout=self.stdout._out)
            for source in terminology_sets():
                call_command(
                    "import_terminology",
                    source.kind,
                    str(source.path),
                    titles=source.titles,
                    release=source.version,
                    stdout=self.stdout._out,
                )
            for reference in reference_sets(hcpcs_dir):
                with readable(reference.path) as path:
                    call_command(
                        "import_reference",
                        reference.kind,
                        str(path),
                        release=reference.version or None,
                        stdout=self.stdout._out,
                    )
