"""What spreadsheet cells (CSV and XLSX) share."""

from typing import Any

# A cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """A cell value that a spreadsheet shows as text: one starting like a formula gets a
    leading apostrophe (OWASP's advice against CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
