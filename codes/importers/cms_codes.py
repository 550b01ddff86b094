"""The CMS ICD-10-CM / ICD-10-PCS code-title files (`icd10cm-codes-2024.txt` and the like).

One code a line, without the ICD-10-CM dot, then spaces, then its title:

    A000    Cholera due to Vibrio cholerae 01, biovar cholerae
    0016070 Bypass Cerebral Ventricle to Nasopharynx with Autologous Tissue Substitute, Open...

The files list every valid code of a fiscal year (the year in the file name; FY N starts on
1 October of N-1), so a code missing from a newer file is deleted. They carry no hierarchy:
ICD-10-PCS codes get their section (and, for Medical and Surgical, body system) from the
code's characters; ICD-10-CM codes keep the section path an XML import gave them.
"""

import re
from pathlib import Path

from codes.importers.base import (
    CodeRecord,
    ImportFileError,
    Release,
    fiscal_year_start,
    layout_lines,
    year_in_name,
)
from codes.models import Code, CodeSystem

LINE = re.compile(r"(?P<code>[0-9A-Z]{3,7}) +(?P<title>\S.*)")

PCS_SECTIONS = {
    "0": "Medical and Surgical",
    "1": "Obstetrics",
    "2": "Placement",
    "3": "Administration",
    "4": "Measurement and Monitoring",
    "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies",
    "7": "Osteopathic",
    "8": "Other Procedures",
    "9": "Chiropractic",
    "B": "Imaging",
    "C": "Nuclear Medicine",
    "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology",
    "G": "Mental Health",
    "H": "Substance Abuse Treatment",
    "X": "New Technology",
}
PCS_MEDICAL_SURGICAL_BODY_SYSTEMS = {
    "0": "Central Nervous System and Cranial Nerves",
    "1": "Peripheral Nervous System",
    "2": "Heart and Great Vessels",
    "3": "Upper Arteries",
    "4": "Lower Arteries",
    "5": "Upper Veins",
    "6": "Lower Veins",
    "7": "Lymphatic and Hemic Systems",
    "8": "Eye",
    "9": "Ear, Nose, Sinus",
    "B": "Respiratory System",
    "C": "Mouth and Throat",
    "D": "Gastrointestinal System",
    "F": "Hepatobiliary System and Pancreas",
    "G": "Endocrine System",
    "H": "Skin and Breast",
    "J": "Subcutaneous Tissue and Fascia",
    "K": "Muscles",
    "L": "Tendons",
    "M": "Bursae and Ligaments",
    "N": "Head and Facial Bones",
    "P": "Upper Bones",
    "Q": "Lower Bones",
    "R": "Upper Joints",
    "S": "Lower Joints",
    "T": "Urinary System",
    "U": "Female Reproductive System",
    "V": "Male Reproductive System",
    "W": "Anatomical Regions, General",
    "X": "Anatomical Regions, Upper Extremities",
    "Y": "Anatomical Regions, Lower Extremities",
}


def read(path: Path, system: CodeSystem) -> Release:
    """Read a code-title file for ICD-10-CM or ICD-10-PCS."""
    records = []
    expected = "a code (3-7 letters and digits), spaces, then its title"
    for number, found in layout_lines(path, LINE, expected):
        code = found["code"]
        records.append(
            CodeRecord(
                code=code,
                title=found["title"],
                line=number,
                section_path=section_for(system, code),
            )
        )
    if not records:
        raise ImportFileError(path, None, "wrong layout: no codes in the file")
    return fiscal_release(path, records)


def fiscal_release(path: Path, records: list[CodeRecord]) -> Release:
    """A full release of the fiscal year the file name carries."""
    year = year_in_name(path)
    return Release(
        path=path,
        records=records,
        version=f"FY{year}" if year else path.stem,
        starts=fiscal_year_start(year),
    )


def section_for(system: CodeSystem, code: str) -> str | None:
    """ICD-10-PCS: "Section > Body system" (body system for Medical and Surgical) from the
    code's characters. Other systems: None, the file says nothing about sections."""
    if system.slug != "icd10pcs":
        return None
    parts = [PCS_SECTIONS.get(code[:1], "")]
    if code[:1] == "0":
        parts.append(PCS_MEDICAL_SURGICAL_BODY_SYSTEMS.get(code[1:2], ""))
    return Code.SECTION_SEPARATOR.join(part for part in parts if part)
