"""One MS-DRG version's CC/MCC list, CC exclusions and procedure designations, from the JSON
that drgpy ships per version (`runtime_data/v43.json.xz`, CMS MS-DRG definitions v36-v43.1).

- `ccmap`: each CC/MCC diagnosis (codes without the dot) with its level, its PDX collection
  (the principal diagnoses that exclude it) and its HAC category;
- `exmap`: each PDX collection's diagnoses;
- `prmap`: the procedures the grouper uses, `orpcsmap` those that are O.R. procedures.
"""

import json
import lzma
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from codes.importers.base import ImportFileError

LEVELS = ("CC", "MCC")
_LABEL = re.compile(r"^v(\d{2})(\.1)?$")


@dataclass
class Diagnosis:
    code: str
    level: str
    pdx_collection: str
    hac: str


@dataclass
class Version:
    label: str
    effective: date
    diagnoses: list[Diagnosis]
    exclusions: dict[str, list[str]]
    procedures: dict[str, bool]  # code -> O.R.


def effective_date(label: str) -> date:
    """When a version came into force: vN on October 1 of fiscal year N - 36 + 2019 less one
    (v43: 2025-10-01), its `.1` update the next April 1 (v43.1: 2026-04-01)."""
    found = _LABEL.match(label)
    if found is None:
        raise ValueError(f"{label!r} is not an MS-DRG version label such as v43 or v43.1")
    fiscal_year = int(found.group(1)) - 36 + 2019
    return date(fiscal_year, 4, 1) if found.group(2) else date(fiscal_year - 1, 10, 1)


def dotted(code: str) -> str:
    """`E1165` as ICD-10-CM writes it: `E11.65`."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def read(path: Path) -> Version:
    """The version the file holds."""
    data = _load(path)
    label = data.get("version")
    label = label if isinstance(label, str) else ""
    try:
        effective = effective_date(label)
    except ValueError as exc:
        raise ImportFileError(path, None, f"wrong layout: {exc}") from None
    for key in ("ccmap", "exmap", "prmap", "orpcsmap"):
        if not isinstance(data.get(key), dict):
            raise ImportFileError(path, None, f"wrong layout: no {key} object")
    diagnoses = []
    for code, entry in data["ccmap"].items():
        if not isinstance(entry, dict) or entry.get("level") not in LEVELS:
            raise ImportFileError(path, None, f"ccmap {code}: level is not CC or MCC: {entry!r}")
        diagnoses.append(
            Diagnosis(dotted(code), entry["level"], entry.get("pdx") or "", entry.get("hac") or "")
        )
    exclusions = {
        collection: [dotted(code) for code in codes] for collection, codes in data["exmap"].items()
    }
    operating_room = data["orpcsmap"]
    procedures = {code: code in operating_room for code in {*data["prmap"], *operating_room}}
    return Version(label, effective, diagnoses, exclusions, procedures)


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = lzma.decompress(path.read_bytes()) if path.suffix == ".xz" else path.read_bytes()
        data = json.loads(raw)
    except lzma.LZMAError as exc:
        raise ImportFileError(path, None, f"not an xz file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, exc.lineno, f"not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ImportFileError(path, None, "wrong layout: not a JSON object")
    return data
