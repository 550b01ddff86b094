"""Word-level diff of two texts, as HTML."""

import re
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words, runs of whitespace, and single punctuation marks: "leak," differs from "leak" by ",".
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
_WORD = re.compile(r"\w")


def _word_count(tokens: list[str]) -> int:
    return sum(1 for token in tokens if _WORD.match(token))


def word_diff_html(old: str, new: str) -> SafeString:
    """`new` as escaped HTML, with words dropped since `old` in <del> and words added in <ins>.

    Changes separated only by whitespace or punctuation are joined into one <del>/<ins> pair,
    so a rewritten phrase reads as one replacement rather than alternating single words; a
    text keeping less than a third of its words is shown as replaced whole.
    """
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    opcodes = SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    kept = sum(_word_count(before[i1:i2]) for tag, i1, i2, _, _ in opcodes if tag == "equal")
    longest = max(_word_count(before), _word_count(after))
    if kept * 3 < longest:
        opcodes = [("replace", 0, len(before), 0, len(after))]
    parts: list[str] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        removed_text, added_text = "".join(removed), "".join(added)
        if removed_text.strip():
            parts.append(f"<del>{escape(removed_text)}</del>")
        if added_text.strip():
            parts.append(f"<ins>{escape(added_text)}</ins>")
        else:
            parts.append(escape(added_text))
        removed.clear()
        added.clear()

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            removed.extend(before[i1:i2])
            added.extend(after[j1:j2])
            continue
        same = "".join(before[i1:i2])
        if not _WORD.search(same) and 0 < index < len(opcodes) - 1:
            removed.append(same)
            added.append(same)
            continue
        flush()
        parts.append(escape(same))
    flush()
    return mark_safe("".join(parts))
