"""The coder-shorthand parser: what a coder typed, taken apart. Knows no database vendor.

`63709`, `E11.65`, `e1165`      exact codes (in any system whose spelling fits)
`6370`, `6370*`, `E11.`         partial codes: every code that starts so
`63700-63710`, `G96.0-G96.1`    ranges, both ends included (`G96.1` covers G96.19)
`63707 vs 63709`, `A v. B`      a comparison, not a search
`"spina bifida"`                a phrase: these words, in this order
`hcpcs: crutches`               a system filter typed inline
anything else                   words
"""

import re
import unicodedata
from dataclasses import dataclass, field

# Longer queries are cut: nobody types more, and every word costs a little.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12

_WORD = re.compile(r"[^\W_]+")
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
# A code token: letters and digits with at least one digit, dots allowed, an optional final `*`.
_CODE = re.compile(r"(?=[A-Za-z0-9.]*\d)[A-Za-z0-9][A-Za-z0-9.]*\*?")
_SYSTEM_FILTER = re.compile(r"^\s*([a-z][a-z0-9_-]{1,31})\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_RANGE = re.compile(r"^\s*([A-Za-z0-9.]+)\s*-\s*([A-Za-z0-9.]+)\s*$")
_VERSUS = re.compile(r"\s+(?:vs\.?|v\.|versus)\s+", re.IGNORECASE)


def normalize_text(text: str) -> str:
    """Lower case without accents: `Ménière` -> `meniere`."""
    if text.isascii():  # nothing to decompose (most texts: read for every entry a query reads)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words_of(text: str) -> list[str]:
    """The words of a text as the search index sees them: letters and digits, lower case."""
    return _WORD.findall(normalize_text(text))


def clean_query(text: str) -> str:
    """The query with control characters dropped, spaces collapsed, cut to MAX_QUERY_LENGTH."""
    printable = "".join(
        ch if unicodedata.category(ch)[0] != "C" else " " for ch in text[: MAX_QUERY_LENGTH * 4]
    )
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def is_code_like(token: str) -> bool:
    """True for `63709`, `E11.65`, `e1165`, `6370*`, `E11.`: letters and digits with a digit."""
    significant = token.rstrip("*").replace(".", "")
    return len(significant) >= 2 and _CODE.fullmatch(token) is not None


@dataclass(frozen=True)
class Term:
    """Words the coder typed that must be found together: one word, or a quoted phrase."""

    words: tuple[str, ...]
    quoted: bool = False
    prefix: bool = False  # the coder may still be typing the last word


@dataclass(frozen=True)
class CodeRange:
    low: str
    high: str


@dataclass
class ParsedQuery:
    text: str
    system: str | None = None
    codes: list[str] = field(default_factory=list)  # upper case, without the `*`
    ranges: list[CodeRange] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    compare_codes: list[str] | None = None
    error: str | None = None
    instead: str | None = None  # the query to search instead of a malformed one

    @property
    def is_empty(self) -> bool:
        return not (self.codes or self.ranges or self.terms or self.compare_codes or self.error)


def parse(text: str, *, system_slugs: frozenset[str] | set[str] = frozenset()) -> ParsedQuery:
    """Take apart what a coder typed. `system_slugs` are the systems an inline filter may name."""
    # A query that ends inside a word is still being typed: its last word is a prefix.
    typing = bool(text) and (text[-1].isalnum() or text[-1] == "*")
    cleaned = clean_query(text)
    parsed = ParsedQuery(text=cleaned)
    body = _POSSESSIVE.sub("", cleaned)  # `Ménière's` is looked up as `Ménière`
    parts = _VERSUS.split(body)
    if len(parts) > 1:
        if all(_is_code_token(part.strip()) for part in parts):
            parsed.compare_codes = [part.strip() for part in parts]
            return parsed
        body = " ".join(parts)

    match = _SYSTEM_FILTER.match(body)
    if match and match.group(1).lower() in system_slugs:
        parsed.system = match.group(1).lower()
        body = match.group(2)

    range_match = _RANGE.match(body)
    if range_match and all(is_code_like(end) for end in range_match.groups()):
        low, high = (end.upper().rstrip(".") for end in range_match.groups())
        if low[0].isdigit() != high[0].isdigit():
            parsed.error = f"{low}-{high} is not a range: both ends must be codes of one system."
        elif _sortable(high) < _sortable(low)[: len(_sortable(high))]:
            parsed.error = f"The range {low}-{high} ends before it starts; write {high}-{low}."
            parsed.instead = f"{high}-{low}"
        else:
            parsed.ranges.append(CodeRange(low, high))
        return parsed

    _split_terms(body, parsed, typing=typing)
    return parsed


def _is_code_token(token: str) -> bool:
    """`63709` or `icd10cm:G96.00`, as the comparison page accepts them."""
    return is_code_like(token.rpartition(":")[2])


def _sortable(code: str) -> str:
    return code.replace(".", "")


_ABBREVIATION_PLURAL = re.compile(r"\b([A-Z]{2,})'?s\b")


def _split_terms(body: str, parsed: ParsedQuery, *, typing: bool) -> None:
    pieces = re.split(r'("[^"]*"?)', body)
    for piece in pieces:
        if piece.startswith('"'):
            words = tuple(words_of(piece))
            if words:
                parsed.terms.append(Term(words, quoted=True))
            continue
        for token in piece.split():
            if is_code_like(token.strip(",;")):
                parsed.codes.append(token.strip(",;").upper().rstrip("*"))
            # `UTIs`, `DVT's`: an abbreviation's plural is the abbreviation.
            token = _ABBREVIATION_PLURAL.sub(r"\1", token)
            parsed.terms.extend(Term((word,)) for word in words_of(token))
    if any(term.words[0].isalpha() for term in parsed.terms):
        # `insulin 10 units`: two digits beside words are a number, not the codes starting so.
        parsed.codes = [code for code in parsed.codes if not (code.isdigit() and len(code) < 3)]
    parsed.terms = parsed.terms[:MAX_WORDS]
    parsed.codes = parsed.codes[:MAX_WORDS]
    if typing and parsed.terms and not parsed.terms[-1].quoted:
        last = parsed.terms[-1]
        # A lone letter typed last is a word (`hep c`, `vitamin d`, `flu a`), not the start of one:
        # on the way to `csf leak`, `csf l` still finds the CSF codes first.
        if len(last.words[0]) >= 2:
            parsed.terms[-1] = Term(last.words, prefix=True)
