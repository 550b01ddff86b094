"""Highlights: a ranked code's title and best fragment as escaped HTML with <mark> around the
matched words. Made only for the hits a page shows, not for every candidate ranked."""

from html import escape  # Django's escape is this one behind a lazy-string check a call

from codes.search.ranking import AnalysedText, Ranked

# How many words of a descriptor or lay description a fragment shows.
FRAGMENT_WORDS = 24


def highlights(ranked: Ranked) -> tuple[str, str]:
    """(title, fragment) of a ranked code, escaped, with <mark> around matched words."""
    title = _mark(ranked.fields["title"], ranked.marked["title"])
    return title, _fragment(ranked.fields, ranked.marked)


def _mark(field: AnalysedText, positions: set[int], start: int = 0, end: int | None = None) -> str:
    """The text from character `start` to `end`, escaped, with <mark> around matched words."""
    end = len(field.text) if end is None else end
    out: list[str] = []
    cursor = start
    for i in sorted(positions):
        s, e = field.spans[i]
        if start <= s and e <= end:
            out.append(escape(field.text[cursor:s]))
            out.append(f"<mark>{escape(field.text[s:e])}</mark>")
            cursor = e
    out.append(escape(field.text[cursor:end]))
    return "".join(out)


def _fragment(fields: dict[str, AnalysedText], marked: dict[str, set[int]]) -> str:
    """The best place outside the title that shows the matched words, or the marked title."""
    title_words = {fields["title"].words[i] for i in marked["title"]}
    best_name, best_gain = None, 0
    for name in ("inclusion_terms", "descriptor", "lay_description"):
        gain = len({fields[name].words[i] for i in marked[name]} - title_words)
        if gain > best_gain:
            best_name, best_gain = name, gain
    if best_name is None:
        return _mark(fields["title"], marked["title"])
    field, positions = fields[best_name], marked[best_name]
    first = min(i for i in positions if fields[best_name].words[i] not in title_words)
    if best_name == "inclusion_terms":
        s = field.spans[first][0]
        start = field.text.rfind("\n", 0, s) + 1
        end = field.text.find("\n", s)
        return _mark(field, positions, start, len(field.text) if end < 0 else end)
    lo = max(0, first - FRAGMENT_WORDS // 3)
    hi = min(len(field.spans), lo + FRAGMENT_WORDS)
    start = 0 if lo == 0 else field.spans[lo][0]
    end = len(field.text) if hi == len(field.spans) else field.spans[hi - 1][1]
    text = _mark(field, positions, start, end)
    return ("… " if start else "") + text + (" …" if end < len(field.text) else "")
