"""What both backends share: concepts to find, the backend interface, ranking and highlights.

A backend only answers boolean questions over its index (how many codes match, which ids in its
own order, which vocabulary words look like a typo). Ranking within a block of candidates,
highlights and the choice of a typo's correction happen here, so both backends agree.
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape

from codes.models import Code
from codes.search.query import Term, normalize_text, words_of

# Words too common to find anything on their own: kept when all words must match, left out when
# some may. Negations are not among them: `without laminectomy` is the whole point of 63707.
FUNCTION_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"}
    | {"to", "with", "nos", "other", "unspecified", "specified"}
)
NEGATIONS = frozenset({"without", "no", "not", "non", "except", "excluding", "excludes"})
_CLAUSE_BREAK = re.compile(r"[,.;:()\[\]\n]")
_WORD_SPAN = re.compile(r"[^\W_]+")

# How much a match in each field counts, and how good each kind of match is.
FIELD_WEIGHTS = {"title": 1.0, "inclusion_terms": 0.9, "descriptor": 0.5, "lay_description": 0.4}
TYPED, FORM, PREFIX, SYNONYM = 1.0, 0.9, 0.7, 0.9


@dataclass(frozen=True)
class WordMatcher:
    """One position of what is searched for: any of these word forms, or words starting so."""

    typed: str
    forms: frozenset[str]
    prefix: str | None = None

    def quality(self, word: str) -> float:
        """How well an index word matches: 1 as typed, less for a form or prefix, 0 not at all."""
        if word == self.typed:
            return TYPED
        if word in self.forms:
            return FORM
        if self.prefix and word.startswith(self.prefix):
            return PREFIX
        return 0.0


@dataclass(frozen=True)
class Alternative:
    """A way a concept may be written: one word or a phrase; synonyms count a little less."""

    words: tuple[WordMatcher, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Concept:
    """One thing the coder asked for (`csf`), with every way of writing it."""

    label: str
    alternatives: tuple[Alternative, ...]
    significant: bool = True
    correctable: bool = False  # a plain word a typo might have spoiled


@dataclass(frozen=True)
class Scope:
    system_ids: tuple[int, ...] | None
    include_deleted: bool


def word_forms(word: str) -> frozenset[str]:
    """The word with its plural or singular and its -ed/-ing base: `fractures` -> fracture."""
    forms = {word}
    if len(word) < 3 or not word.isalpha():
        return frozenset(forms)
    if word.endswith("ies") and len(word) > 4:
        forms.add(word[:-3] + "y")
    elif word.endswith(("ches", "shes", "sses", "xes", "zes")):
        forms.add(word[:-2])
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        forms.add(word[:-1])
    if word.endswith("y") and word[-2] not in "aeiou":
        forms.add(word[:-1] + "ies")
    elif word.endswith(("ch", "sh", "ss", "x", "z")):
        forms.add(word + "es")
    elif not word.endswith("s"):
        forms.add(word + "s")
    for suffix in ("ed", "ing"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3:
            forms.update({base, base + "e"})
    return frozenset(forms)


def _matcher(word: str, *, prefix: bool, literal: bool = False) -> WordMatcher:
    forms = frozenset({word}) if literal else word_forms(word)
    return WordMatcher(word, forms, word if prefix and len(word) >= 2 else None)


def build_concepts(terms: Sequence[Term], synonyms: Iterable[tuple[str, str]]) -> list[Concept]:
    """Concepts for the typed terms, each synonym span expanded both ways.

    `synonyms` are (term, meaning) pairs; `CSF` finds `cerebrospinal fluid` and the other way round,
    and a multi-word synonym matches consecutive typed words (`cerebrospinal fluid leak`).
    """
    sides: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for term, meaning in synonyms:
        a, b = tuple(words_of(term)), tuple(words_of(meaning))
        if a and b and a != b:
            sides.setdefault(a, set()).add(b)
            sides.setdefault(b, set()).add(a)
    longest = max((len(side) for side in sides), default=0)
    concepts: list[Concept] = []
    i = 0
    while i < len(terms):
        term = terms[i]
        if term.quoted:
            words = tuple(_matcher(word, prefix=False, literal=True) for word in term.words)
            concepts.append(Concept(" ".join(term.words), (Alternative(words),)))
            i += 1
            continue
        span = _synonym_span(terms, i, sides, longest)
        typed = tuple(term.words[0] for term in terms[i : i + span])
        prefix = terms[i + span - 1].prefix
        alternatives = [
            Alternative(
                tuple(
                    _matcher(word, prefix=prefix and n == len(typed) - 1)
                    for n, word in enumerate(typed)
                )
            )
        ]
        for other in sorted(sides.get(typed, ())):
            matchers = tuple(_matcher(word, prefix=False, literal=len(other) > 1) for word in other)
            alternatives.append(Alternative(matchers, SYNONYM))
        label = " ".join(typed)
        concepts.append(
            Concept(
                label,
                tuple(alternatives),
                # Alone, `of` or `2` would find half the index.
                significant=len(alternatives) > 1
                or any(
                    word.isalpha() and len(word) > 1 and word not in FUNCTION_WORDS
                    for word in typed
                ),
                correctable=len(typed) == 1 and typed[0].isalpha() and len(typed[0]) >= 4,
            )
        )
        i += span
    return concepts


def _synonym_span(terms, start, sides, longest) -> int:
    for span in range(min(longest, len(terms) - start), 1, -1):
        chunk = terms[start : start + span]
        if not any(t.quoted for t in chunk) and tuple(t.words[0] for t in chunk) in sides:
            return span
    return 1


def query_words(terms: Sequence[Term]) -> list[str]:
    """Every word typed, for finding the synonyms that may apply."""
    return sorted({word for term in terms for word in term.words})


class SearchBackend(ABC):
    """Boolean questions over one vendor's full-text index; see sqlite.py and postgres.py."""

    # Above this many matches a query is broad: ranked by a stored order, never scored in full.
    COUNT_CAP = 500

    @abstractmethod
    def count(self, concepts: Sequence[Concept], scope: Scope, *, every: bool) -> int:
        """How many codes match all concepts (`every`) or some but not all; at most COUNT_CAP+1."""

    @abstractmethod
    def ids(
        self,
        concepts: Sequence[Concept],
        scope: Scope,
        *,
        every: bool,
        by_relevance: bool,
        start: int,
        size: int,
    ) -> list[int]:
        """Code ids in the backend's relevance order, or shortest title first."""

    @abstractmethod
    def vocabulary_near(self, word: str) -> list[str]:
        """Index words that may be what a misspelt `word` meant (a superset; ranked here)."""

    @abstractmethod
    def rebuild(self) -> None:
        """Rebuild the index from the codes table."""

    @abstractmethod
    def repair(self) -> None:
        """Put back sync machinery a schema change may have dropped (after every migrate)."""


# --- ranking -----------------------------------------------------------------------------------


@dataclass
class _Field:
    words: list[str]
    spans: list[tuple[int, int]]
    negated: list[bool]
    text: str


def _analyse(text: str, *, negations: bool) -> _Field:
    words, spans, negated = [], [], []
    in_negation = False
    previous_end = 0
    previous = ""
    ascii_only = text.isascii()  # most texts: no accents to take off word by word
    for match in _WORD_SPAN.finditer(text):
        if _CLAUSE_BREAK.search(text, previous_end, match.start()):
            in_negation = False
        word = match.group().lower() if ascii_only else "".join(words_of(match.group()))
        words.append(word)
        spans.append(match.span())
        negated.append(in_negation)
        if negations and (word in NEGATIONS or (word == "than" and previous == "other")):
            in_negation = True
        previous, previous_end = word, match.end()
    return _Field(words, spans, negated, text)


def _occurrences(field: _Field, alternative: Alternative) -> Iterable[tuple[int, float]]:
    """(start position, quality) of each place the alternative matches in the field."""
    size = len(alternative.words)
    for start in range(len(field.words) - size + 1):
        quality = 1.0
        for offset, matcher in enumerate(alternative.words):
            quality = min(quality, matcher.quality(field.words[start + offset]))
            if not quality:
                break
        if quality:
            yield start, quality * alternative.weight


@dataclass
class Ranked:
    code: Code
    score: float
    fields: dict[str, _Field]
    marked: dict[str, set[int]]

    def highlights(self) -> tuple[str, str]:
        """(title, fragment) as escaped HTML with <mark> around matched words; made only for the
        hits shown, not for every candidate ranked."""
        title = _mark(self.fields["title"], self.marked["title"])
        return title, _fragment(self.fields, self.marked)


def rank(codes: Sequence[Code], concepts: Sequence[Concept]) -> list[Ranked]:
    """Score a block of candidates, best first; ties in code order.

    Per concept, the best match counts: title > inclusion terms > descriptor > lay description,
    typed word > its plural or synonym > a prefix. A match right after `without`, `no`, `other than`
    (up to the next comma) does not count unless the coder typed a negation too. How much of the
    title the query explains breaks near-ties: `Dural tear` before a long title that mentions one.
    """
    typed_negation = any(concept.label in NEGATIONS for concept in concepts)
    ranked = []
    for code in codes:
        fields = {
            name: _analyse(getattr(code, name), negations=not typed_negation)
            for name in FIELD_WEIGHTS
        }
        marked: dict[str, set[int]] = {name: set() for name in fields}
        total = 0.0
        for concept in concepts:
            best = 0.0
            for name, weight in FIELD_WEIGHTS.items():
                field = fields[name]
                for alternative in concept.alternatives:
                    for start, quality in _occurrences(field, alternative):
                        positions = range(start, start + len(alternative.words))
                        marked[name].update(positions)
                        if not field.negated[start]:
                            best = max(best, weight * quality)
            total += best
        score = 0.75 * total / len(concepts) + 0.25 * _coverage(fields, marked)
        ranked.append(Ranked(code, round(score, 4), fields, marked))
    ranked.sort(key=lambda r: (-r.score, r.code.system.position, r.code.code))
    return ranked


def _coverage(fields: dict[str, _Field], marked: dict[str, set[int]]) -> float:
    title = fields["title"]
    best = len(marked["title"]) / len(title.words) if title.words else 0.0
    terms = fields["inclusion_terms"]
    line_start = 0
    for line in terms.text.split("\n"):
        line_end = line_start + len(line)
        positions = [i for i, (s, _) in enumerate(terms.spans) if line_start <= s < line_end]
        if positions:
            hit = sum(1 for i in positions if i in marked["inclusion_terms"])
            best = max(best, FIELD_WEIGHTS["inclusion_terms"] * hit / len(positions))
        line_start = line_end + 1
    return best


def _mark(field: _Field, positions: set[int], start: int = 0, end: int | None = None) -> str:
    """The text from character `start` to `end`, escaped, with <mark> around matched words."""
    end = len(field.text) if end is None else end
    out, cursor = [], start
    for i, (s, e) in enumerate(field.spans):
        if i in positions and start <= s and e <= end:
            out.append(escape(field.text[cursor:s]))
            out.append(f"<mark>{escape(field.text[s:e])}</mark>")
            cursor = e
    out.append(escape(field.text[cursor:end]))
    return "".join(out)


FRAGMENT_WORDS = 24


def _fragment(fields: dict[str, _Field], marked: dict[str, set[int]]) -> str:
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


# --- typos -------------------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or limit+1 when larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def correction_starts(word: str) -> set[str]:
    """How a correction of `word` may begin: its first two letters, or those with a typo in the
    second letter (dropped, doubled, swapped). Typos in the first letter are not guessed at."""
    return {s for s in (word[:2], word[0] + word[2:3], word[1:2] + word[0]) if len(s) == 2}


def best_correction(word: str, candidates: Iterable[str], *, prefix: bool) -> str | None:
    """The closest alphabetic candidate within a distance that grows with the word's length.

    For a word still being typed, the candidate's beginning of the same length counts too.
    """
    limit = 1 if len(word) <= 5 else 2 if len(word) <= 9 else 3
    starts = correction_starts(word)
    scored = []
    for candidate in set(candidates):
        if candidate == word or not candidate.isalpha() or candidate[:2] not in starts:
            continue
        distance = edit_distance(word, candidate, limit)
        if prefix:
            distance = min(distance, edit_distance(word, candidate[: len(word)], limit))
        if distance <= limit:
            scored.append((distance, abs(len(candidate) - len(word)), candidate))
    return min(scored)[2] if scored else None


def normalized_label(text: str) -> str:
    """A query as stored in the zero-result log: lower case, no accents, single spaces."""
    return " ".join(normalize_text(text).split())
