"""The codebook block of a code page, by code system."""

from typing import Any

from codes.codebook import icd10cm, icd10pcs
from codes.models import Code

READERS = {"icd10cm": icd10cm.codebook, "icd10pcs": icd10pcs.codebook}


def codebook_for(code: Code) -> Any:
    """The codebook facts of `code` for its system's partial, or None when there are none."""
    reader = READERS.get(code.system.slug)
    return reader(code) if reader else None
