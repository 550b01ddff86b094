"""The administrative facts of each HCPCS Level II code in the CMS fixed-width file (its
procedure records, type 3), with the meanings of their values as the CMS record layout
(`HCPCS2019_recordlayout.txt`, beside the file) lists them under each field's CODES.

Fields (1-based columns): pricing indicators 120-127 (up to four of two characters), multiple
pricing indicator 128, coverage code 230, BETOS 257-259, date added 269-276, action effective
date 277-284, termination date 285-292, action code 293.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from codes.importers.base import ImportFileError, decode_text, parse_date
from codes.importers.cms_hcpcs import ENCODING, PROCEDURE, _text_rows

# Field numbers in the record layout.
PRICING, MULTIPLE_PRICING, COVERAGE, ACTION = 9, 10, 16, 30
_FIELD = re.compile(r"^\s{1,4}(\d{1,2})\.\s+\S")
_VALUE = re.compile(r"^\s+([0-9A-Z]{1,2}) = (.*)$")
_RULE = re.compile(r"^\s*-{5,}\s*$")


@dataclass
class Facts:
    code: str
    pricing: list[tuple[str, str]]
    multiple_pricing: tuple[str, str]
    coverage: tuple[str, str]
    betos: str
    action: tuple[str, str]
    added: date | None
    action_effective: date | None
    terminated: date | None


@dataclass
class HcpcsFacts:
    path: Path
    facts: list[Facts] = field(default_factory=list)


def layout_meanings(path: Path) -> dict[int, dict[str, str]]:
    """Each field's value meanings as the record layout lists them: {field: {value: meaning}}."""
    lines = decode_text(path, path.read_bytes(), ENCODING).expandtabs(8).splitlines()
    meanings: dict[int, dict[str, str]] = {}
    current: dict[str, str] | None = None
    value = ""
    for index, line in enumerate(lines):
        starts = _FIELD.match(line)
        if starts:
            current, value = meanings.setdefault(int(starts.group(1)), {}), ""
            continue
        if current is None or not line.strip() or _RULE.match(line):
            continue
        entry = _VALUE.match(line)
        if entry:
            value = entry.group(1)
            current[value] = entry.group(2).strip()
        elif value and not (index + 1 < len(lines) and _RULE.match(lines[index + 1])):
            if line.strip().startswith(("OCCURS", "DB2", "SAS", "STANDARD", "LENGTH", "CODE")):
                value = ""
            else:
                current[value] = f"{current[value]} {line.strip()}"
    for needed in (PRICING, MULTIPLE_PRICING, COVERAGE, ACTION):
        if not meanings.get(needed):
            raise ImportFileError(path, None, f"wrong layout: no CODES listed for field {needed}")
    return meanings


def read(path: Path) -> HcpcsFacts:
    """The facts of every procedure record of the file."""
    layouts = sorted(path.parent.glob("*recordlayout*.txt"))
    if len(layouts) != 1:
        raise ImportFileError(path, None, "no single *recordlayout*.txt beside the file")
    meanings = layout_meanings(layouts[0])

    def meant(number: int, value: str) -> tuple[str, str]:
        return value, meanings[number].get(value, "") if value else ""

    result = HcpcsFacts(path)
    for row in _text_rows(path):
        if row.kind != PROCEDURE:  # continuations and modifiers
            continue
        record = row.record
        pricing = [record[at : at + 2].strip() for at in range(119, 127, 2)]
        result.facts.append(
            Facts(
                code=row.code.strip().upper(),
                pricing=[meant(PRICING, value) for value in pricing if value],
                multiple_pricing=meant(MULTIPLE_PRICING, record[127].strip()),
                coverage=meant(COVERAGE, record[229].strip()),
                betos=record[256:259].strip(),
                action=meant(ACTION, record[292].strip()),
                added=parse_date(path, row.line, record[268:276], "%Y%m%d", "date added", "line"),
                action_effective=parse_date(
                    path, row.line, record[276:284], "%Y%m%d", "action effective date", "line"
                ),
                terminated=parse_date(
                    path, row.line, record[284:292], "%Y%m%d", "termination date", "line"
                ),
            )
        )
    return result
