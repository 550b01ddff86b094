"""The CMS ICD-10-CM / ICD-10-PCS order files (`icd10cm_order_2024.txt`, `icd10pcs_order_2024.txt`).

Fixed columns, one code a line in tabular order:

    1-5   order number (zero filled)       7-13  code, no dot
    15    1 = valid for claims, 0 = header   17-76 short description   78-   long description

Headers are the non-billable levels above the codes. An ICD-10-CM header is a real category
or subcategory (J44, J44.8) and is imported like any code; an ICD-10-PCS header is a three or
four character table heading (001), not a code, and is skipped. The title is the long
description; the short one adds nothing coders do not find in it.
"""

import re
from pathlib import Path

from codes.importers.base import CodeRecord, ImportFileError, Release, layout_lines
from codes.importers.cms_codes import fiscal_release, section_for
from codes.models import CodeSystem

LINE = re.compile(
    r"(?P<order>\d{5}) (?P<code>[0-9A-Z][0-9A-Z ]{6}) (?P<flag>[01]) "
    r"(?P<short>.{60}) (?P<long>\S.*)"
)
HEADER = "0"
EXPECTED = (
    "order number (5 digits), code (7 columns, left-aligned), header flag 0/1, "
    "short description (60 columns) and long description"
)


def read(path: Path, system: CodeSystem) -> Release:
    """Read an order file for ICD-10-CM or ICD-10-PCS."""
    records = []
    for number, found in layout_lines(path, LINE, EXPECTED):
        code = found["code"].strip()
        if found["flag"] == HEADER and not system.matches(system.normalize_code(code)):
            continue
        records.append(
            CodeRecord(
                code=code,
                title=found["long"].strip(),
                line=number,
                section_path=section_for(system, code),
            )
        )
    if not records:
        raise ImportFileError(path, None, "wrong layout: no codes in the file")
    return fiscal_release(path, records)
