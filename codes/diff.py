"""Word-level differences between two texts, as escaped HTML with <ins> and <del> marks."""

import re
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A word (letters and digits, with inner hyphens or apostrophes) or a run of punctuation, each
# with the whitespace after it: "leak, without" is `leak` `,` `without`, so a changed comma does
# not mark the word before it.
TOKEN = re.compile(r"(\w+(?:[-'’]\w+)*|[^\w\s]+)(\s*)")

# Inside each mark for screen readers: the underline or strike-through alone says nothing to them.
CUES = {"ins": "inserted: ", "del": "removed: "}

Token = tuple[str, str]  # the word or punctuation, the whitespace after it


def _tokens(text: str) -> list[Token]:
    return [(match.group(1), match.group(2)) for match in TOKEN.finditer(text)]


def _segments(
    base: str, text: str, min_similarity: float
) -> list[tuple[str | None, list[Token]]] | None:
    """Runs of tokens, each unmarked (None) or marked "ins" / "del", in reading order; None
    when fewer than `min_similarity` of the words match."""
    old, new = _tokens(base), _tokens(text)
    # No automatic junk: in a long text the common words would be left unmatched.
    matcher = SequenceMatcher(
        None, [word for word, _ in old], [word for word, _ in new], autojunk=False
    )
    if (old or new) and matcher.ratio() < min_similarity:
        return None
    segments: list[tuple[str | None, list[Token]]] = []
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op in ("delete", "replace"):
            segments.append(("del", old[a_start:a_end]))
        if op in ("insert", "replace"):
            segments.append(("ins", new[b_start:b_end]))
        if op == "equal":
            segments.append((None, new[b_start:b_end]))
    return segments


def _words(tokens: list[Token]) -> str:
    return "".join(word + space for word, space in tokens[:-1]) + tokens[-1][0]


def word_diff(
    base: str, text: str, *, min_similarity: float = 0.0, cues: bool = True
) -> SafeString | None:
    """`text` with the words it adds to `base` in <ins> and the words it drops in <del>.

    Both texts are HTML-escaped; only the marks (and a visually hidden "inserted:"/"removed:"
    cue inside each) are markup. Without the <del> elements the result reads exactly as `text`
    (its whitespace and line breaks kept), so hiding the marks shows each code's own words.
    None when the texts share less than `min_similarity` (0 to 1) of their words: marks all
    over two differently written texts say nothing. `cues=False` leaves the spoken cues out
    (print, where nothing reads them).
    """
    segments = _segments(base, text, min_similarity)
    if segments is None:
        return None
    html: list[str] = []
    for index, (mark, tokens) in enumerate(segments):
        words = escape(_words(tokens))
        if mark != "del":
            marked = _mark("ins", words, cue=cues) if mark else words
            html.append(marked + escape(tokens[-1][1]))
            continue
        # Removed words sit between two parts of `text`. Where `text` has no space there
        # ("dura," or "<script"), the spaces that keep them apart go inside the <del>, so that
        # hidden they leave no gap; where it has one, a space after them may stay outside.
        previous = segments[index - 1][1][-1] if index else ("", "")
        following = segments[index + 1][1][0][0] if index + 1 < len(segments) else ""
        spaced = bool(previous[1])
        joined = not spaced and previous[0][-1:].isalnum() and tokens[0][0][:1].isalnum()
        before = " " if joined else ""
        after = " " if following[:1].isalnum() else ""
        inside, outside = ("", after) if spaced else (after, "")
        html.append(_mark("del", words, before=before, after=inside, cue=cues) + outside)
    return mark_safe("".join(html).rstrip())


def _mark(kind: str, escaped: str, *, before: str = "", after: str = "", cue: bool = True) -> str:
    spoken = f'<span class="visually-hidden">{CUES[kind]}</span>' if cue else ""
    return f"<{kind}>{before}{spoken}{escaped}{after}</{kind}>"


def word_diff_html(old: str, new: str) -> SafeString:
    """One field's change in a revision: `new` marked against `old` as `word_diff` marks it.

    A text rewritten so far that under a third of its words still match is shown removed and
    added whole: word marks all through it would be harder to read than the two texts.
    """
    marked = word_diff(old or "", new or "", min_similarity=1 / 3)
    if marked is not None:
        return marked
    return mark_safe(
        (_mark("del", escape(old)) if old else "")
        + (" " if old and new else "")
        + (_mark("ins", escape(new)) if new else "")
    )
