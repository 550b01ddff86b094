"""Rules for the texts coders and editors read, shared by every write and every export."""

import re

# C0 control characters but tab, line feed and carriage return: XML (so XLSX) cannot hold
# them, and no reader shows them. Word pastes a manual line break as a vertical tab, and a
# page break as a form feed: those two become line breaks, the rest go.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
LINE_BREAK_CONTROLS = "\x0b\x0c"


def clean_text(text: str) -> str:
    """`text` without control characters: a vertical tab or form feed becomes a line break,
    other C0 controls but tab, line feed and carriage return are removed."""
    return CONTROL_CHARACTERS.sub(
        lambda match: "\n" if match[0] in LINE_BREAK_CONTROLS else "", text
    )
