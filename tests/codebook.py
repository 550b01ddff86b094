"""Small codebook inputs sliced from the real public files, and fixtures that load them."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).parent / "data" / "codebook"
# Chapter 4 (E10, E11 whole), chapter 19 (S02.0, S72.001-S72.002), chapter 21 (Z79.4) of the
# CDC FY2026 tabular, with the valid codes of simple-icd-10-cm's code list beside it.
TABULAR = DATA / "icd10cm-tabular-2026-codebook.xml"


@pytest.fixture
def tabular(db):
    """The sliced Tabular's codes and its reference data (notes, 7th characters)."""
    out = io.StringIO()
    call_command("import_codes", str(TABULAR), system="icd10cm", partial=True, stdout=out)
    call_command("import_reference", "icd10cm-tabular", str(TABULAR), stdout=out)
