"""The codebook blocks of a code page, by code system, and what the code does to a claim."""

from datetime import date
from typing import Any

from django.utils import timezone

from codes.codebook import hcpcs, icd10cm, icd10pcs
from codes.codebook.claim import ClaimFacts, claim_facts
from codes.models import Code

READERS = {"icd10cm": icd10cm.codebook, "icd10pcs": icd10pcs.codebook, "hcpcs": hcpcs.codebook}


def codebook_for(code: Code) -> Any:
    """The codebook facts of `code` for its system's partial, or None when there are none."""
    reader = READERS.get(code.system.slug)
    return reader(code) if reader else None


def claim_for(code: Code, codebook: Any = None, *, on: date | None = None) -> ClaimFacts:
    """What `code` does to a claim on `on` (today by default); `codebook` is its
    `codebook_for`, passed when the caller has it already."""
    if codebook is None:
        codebook = codebook_for(code)
    return claim_facts(
        code,
        on=on or timezone.localdate(),
        billable=codebook.billable if codebook is not None else None,
    )
