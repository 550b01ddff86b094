"""What a release is, without the database: its effective date from its label, and which change
of a code's official texts a coder would call a revision.

Sources punctuate generated titles differently (one writes "..., sequela", another "... sequela"
for 51,000 seventh-character codes): official texts are compared with punctuation, spacing and
case set aside (`text_key`), so only a change of words is a revision.
"""

import re
from datetime import date

# A code's official texts: its title and (official) descriptor.
OfficialText = tuple[str, str]

FISCAL_YEAR = re.compile(r"FY(?P<year>\d{4})")
CALENDAR_YEAR = re.compile(r"(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?")
NOT_WORDS = re.compile(r"[\W_]+")

ADDED, REVISED, DELETED = "added", "revised", "deleted"


def effective_date_of(label: str) -> date | None:
    """The first day of a release its label names: FY N starts on 1 October of N-1 (ICD-10),
    N on 1 January, N-Qk on the first day of quarter k (HCPCS); None for any other label."""
    fiscal = FISCAL_YEAR.fullmatch(label)
    if fiscal:
        return date(int(fiscal["year"]) - 1, 10, 1)
    calendar = CALENDAR_YEAR.fullmatch(label)
    if calendar:
        quarter = int(calendar["quarter"] or 1)
        return date(int(calendar["year"]), 3 * quarter - 2, 1)
    return None


def text_key(text: str) -> str:
    """`text` as releases are compared: its words, without punctuation, spacing or case."""
    return NOT_WORDS.sub(" ", text).strip().casefold()


def same_text(old: str, new: str) -> bool:
    return text_key(old) == text_key(new)


def change_kind(old: OfficialText | None, new: OfficialText | None) -> str | None:
    """What a release did to a code that had official texts `old` before it (None: not in the
    code set) and `new` after it: added, revised, deleted, or None (nothing a coder would call
    a change)."""
    if old is None:
        return None if new is None else ADDED
    if new is None:
        return DELETED
    if not all(same_text(before, after) for before, after in zip(old, new, strict=True)):
        return REVISED
    return None
