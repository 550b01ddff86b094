"""What both backends share: concepts to find, the backend interface, ranking and highlights.

A backend only answers boolean questions over its index (how many codes match, which ids in its
own order, which vocabulary words look like a typo). Ranking within a block of candidates,
highlights and the choice of a typo's correction happen here, so both backends agree.
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape

from coderef.routers import read_connection
from codes.models import Code
from codes.search.query import Term, normalize_text, words_of

# Joining words: a line says nothing more by holding them.
FILLER_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"}
    | {"to", "with"}
)
# Words too common to find anything on their own: kept when all words must match, left out when
# some may. Negations are not among them: `without laminectomy` is the whole point of 63707.
FUNCTION_WORDS = FILLER_WORDS | {"nos", "other", "unspecified", "specified"}
# What a code says when it is the default, the one a coder picks when nothing more is known
# (`Asthma NOS`, `Heart failure, unspecified`); `other` is not among them: it is a choice.
GENERAL_WORDS = frozenset({"unspecified", "nos", "uncomplicated"})
# Said of these, `unspecified` or `not specified` is still general: `site not specified`.
GENERAL_NOUNS = frozenset({"site", "organism", "type", "part", "cause", "side", "laterality"})
NEGATIONS = frozenset({"without", "no", "not", "non", "except", "excluding", "excludes"})
_CLAUSE_BREAK = re.compile(r"[,.;:()\[\]\n]")
_QUALIFIERS_START = re.compile(r"[,;:]")
_WORD_SPAN = re.compile(r"[^\W_]+")

# How much a match in each field counts, and how good each kind of match is. A synonym counts as
# much as the words it stands for: `COPD` is what the coder means by the disease's name.
FIELD_WEIGHTS = {"title": 1.0, "inclusion_terms": 0.9, "descriptor": 0.5, "lay_description": 0.4}
TYPED, FORM, PREFIX = 1.0, 0.8, 0.7
# A title or one inclusion term holding the query (a line): how much each kind counts, and what a
# line saying it is the general, default code adds. `Fracture of hip NOS` (an inclusion term) is
# as good an answer to `hip fracture` as a title would be.
LINE_WEIGHTS = {"title": 0.97, "inclusion_terms": 0.95}
GENERAL_BONUS = 0.03
# A word the query does not explain counts less after the line's first comma: `Walker, rigid,
# adjustable` is a walker with qualifiers, `Seat attachment, walker` is about something else.
QUALIFIER = 0.25


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
    """A way a concept may be written: one word, or several words found together in one title,
    inclusion term or description (`resection appendix` for `appendectomy`), or a quoted phrase:
    these words in this order."""

    words: tuple[WordMatcher, ...]
    phrase: bool = False


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


def _alternative(words: tuple[str, ...], *, prefix: bool, literal: bool) -> Alternative:
    # A lone letter or digit means something only beside its neighbours: `I&D`, `w/c`,
    # `type 1 diabetes` are phrases, `resection appendix` words found together.
    phrase = len(words) > 1 and any(len(word) == 1 for word in words)
    return Alternative(
        tuple(
            _matcher(word, prefix=prefix and n == len(words) - 1, literal=literal or phrase)
            for n, word in enumerate(words)
        ),
        phrase=phrase,
    )


def build_concepts(terms: Sequence[Term], synonyms: Iterable[tuple[str, str]]) -> list[Concept]:
    """Concepts for the typed terms, each synonym span expanded both ways.

    `synonyms` are (term, meaning) pairs; `CSF` finds `cerebrospinal fluid` and the other way round,
    and a multi-word synonym matches consecutive typed words (`cerebrospinal fluid leak`).
    A multi-word side is found when its words are together in one line, in any order.
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
            concepts.append(Concept(" ".join(term.words), (Alternative(words, phrase=True),)))
            i += 1
            continue
        span = _synonym_span(terms, i, sides, longest)
        typed = tuple(term.words[0] for term in terms[i : i + span])
        # A typed word that is a synonym (`MI`, `lami`) is taken as finished, not as the start of
        # `migraine` or `laminotomy`.
        prefix = terms[i + span - 1].prefix and typed not in sides
        alternatives = [_alternative(typed, prefix=prefix, literal=False)]
        alternatives += [
            _alternative(other, prefix=False, literal=len(other) > 1)
            for other in sorted(sides.get(typed, ()))
        ]
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


# What a search reads: a change to any of these renews the search token (codes.models.SearchToken).
SEARCHED_TABLES = ("codes_code", "codes_synonym", "codes_codesystem")
TOKEN_TABLE = "codes_searchtoken"


def vendor_sql(statements_by_vendor: dict[str, list[str]]) -> Callable:
    """A RunPython function for a migration: the statements for the database's vendor, if any.

    The search index is vendor-specific SQL, defined beside each backend.
    """

    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class SearchBackend(ABC):
    """Boolean questions over one vendor's full-text index; see sqlite.py and postgres.py."""

    # Above this many matches a query is broad: ranked by a stored order, never scored in full.
    COUNT_CAP = 500

    def count(self, concepts: Sequence[Concept], scope: Scope, *, every: bool) -> int:
        """How many codes match all concepts (`every`) or some but not all; at most COUNT_CAP+1."""
        if not every and not any(concept.significant for concept in concepts):
            return 0
        where, params = self._where(concepts, scope, every)
        with read_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {self._from()} WHERE {where} LIMIT %s) m",
                [*params, self.COUNT_CAP + 1],
            )
            return cursor.fetchone()[0]

    @abstractmethod
    def _from(self) -> str:
        """The FROM clause of a match query: the index joined to `codes_code c` as needed."""

    @abstractmethod
    def _where(self, concepts: Sequence[Concept], scope: Scope, every: bool) -> tuple[str, list]:
        """The WHERE clause and its parameters for codes matching the concepts in scope."""

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

    def line_ids(
        self, concepts: Sequence[Concept], scope: Scope, *, start: int, size: int
    ) -> list[int]:
        """Ids of codes whose title or one inclusion term holds every concept, the code with the
        shortest such line first (ties by id)."""
        # A code may have several matching lines: read lines until enough distinct codes.
        wanted = start + size
        limit = 2 * wanted
        while True:
            lines = self.line_codes(concepts, scope, limit=limit)
            ids = list(dict.fromkeys(lines))
            if len(ids) >= wanted or len(lines) < limit:
                return ids[start:wanted]
            limit *= 4

    @abstractmethod
    def line_codes(self, concepts: Sequence[Concept], scope: Scope, *, limit: int) -> list[int]:
        """The code id of each of the first `limit` lines (a title or one inclusion term) in scope
        that hold every concept, shortest line first, ties by code id."""

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
    negated: list[bool]  # after `without`, `no`, `other than`, up to the end of the clause
    aside: list[bool]  # in parentheses or brackets: ICD's nonessential modifiers
    head: list[bool]  # before the first comma (or ; :) of its line: what the line is about
    lines: list[range]  # the word positions of each line (an inclusion term, a paragraph)
    text: str


def _analyse(text: str, *, negations: bool) -> _Field:
    words, spans, negated, aside, head, lines = [], [], [], [], [], []
    in_negation = False
    in_head = True
    depth = 0
    line_start = 0
    previous_end = 0
    previous = ""
    ascii_only = text.isascii()  # most texts: no accents to take off word by word
    for match in _WORD_SPAN.finditer(text):
        between = text[previous_end : match.start()]
        if "\n" in between:
            lines.append(range(line_start, len(words)))
            line_start, depth, in_head = len(words), 0, True
        elif _QUALIFIERS_START.search(between) and not depth:
            in_head = False
        if _CLAUSE_BREAK.search(between):
            in_negation = False
        for ch in between:
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(depth - 1, 0)
        word = match.group().lower() if ascii_only else "".join(words_of(match.group()))
        words.append(word)
        spans.append(match.span())
        negated.append(in_negation)
        aside.append(depth > 0)
        head.append(in_head)
        if negations and (word in NEGATIONS or (word == "than" and previous == "other")):
            in_negation = True
        previous, previous_end = word, match.end()
    lines.append(range(line_start, len(words)))
    return _Field(words, spans, negated, aside, head, [line for line in lines if line], text)


def _match(field: _Field, line: range, alternative: Alternative) -> tuple[float, list[int]]:
    """How well the alternative matches in one line (0: not at all), and the positions it marks.

    A match right after a negation is marked but does not count.
    """
    quality, marked = 0.0, []
    if alternative.phrase:
        size = len(alternative.words)
        for start in range(line.start, line.stop - size + 1):
            found = min(
                matcher.quality(field.words[start + offset])
                for offset, matcher in enumerate(alternative.words)
            )
            if found:
                marked.extend(range(start, start + size))
                if not field.negated[start]:
                    quality = max(quality, found)
        return quality, marked
    quality = 1.0
    for matcher in alternative.words:
        best, seen = 0.0, False
        for i in line:
            found = matcher.quality(field.words[i])
            if found:
                seen = True
                marked.append(i)
                if not field.negated[i]:
                    best = max(best, found)
        if not seen:
            return 0.0, []
        quality = min(quality, best)
    return quality, marked


def _line_fit(
    field: _Field, line: range, marked: set[int], qualities: list[float], weight: float
) -> float:
    """How well one line answers the query: how many of the concepts it holds and how well,
    times the share of what it says that the query explains, times the line's weight.

    Joining words, parenthesized nonessential modifiers, `unspecified`/`NOS` (and the site,
    organism ... said to be unspecified) and what a negation excludes say nothing more than the
    query: `Fracture of hip NOS` is all explained by `hip fracture`, `Stress fracture, hip,
    unspecified` only in part. A line that holds every concept and says it is unspecified gets
    GENERAL_BONUS.
    """
    explained = unexplained = 0
    general = False
    for i in line:
        word = field.words[i]
        if word in GENERAL_WORDS or (word == "specified" and field.negated[i]):
            general = True  # `unspecified`, `NOS`, `not (otherwise) specified`
            continue
        if word in NEGATIONS or field.negated[i]:
            continue
        if word in GENERAL_NOUNS and any(
            j in line and (field.words[j] in GENERAL_WORDS or field.words[j] in NEGATIONS)
            for j in (i - 1, i + 1)
        ):
            continue
        if i in marked:
            explained += 1
        elif not (field.aside[i] or word in FILLER_WORDS):
            unexplained += 1 if field.head[i] else QUALIFIER
    if not explained:
        return 0.0
    fit = weight * sum(qualities) / len(qualities) * explained / (explained + unexplained)
    return fit + (GENERAL_BONUS if general and all(qualities) else 0.0)


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
    """Score a block of candidates, best first; ties shortest title first, then in code order.

    Half the score is how well each concept matches anywhere (its best match: title > inclusion
    terms > descriptor > lay description, typed word or synonym > a word form > a prefix), half
    how well the best single title or inclusion term answers the whole query (_line_fit): the
    line that holds every concept and says least besides wins, so the general code comes before
    the specific ones and a short `COPD, unspecified` before a long text that mentions COPD.
    A match right after `without`, `no`, `other than` (up to the next comma) does not count
    unless the coder typed a negation too.
    """
    typed_negation = any(concept.label in NEGATIONS for concept in concepts)
    ranked = []
    for code in codes:
        fields = {
            name: _analyse(getattr(code, name), negations=not typed_negation)
            for name in FIELD_WEIGHTS
        }
        marked: dict[str, set[int]] = {name: set() for name in fields}
        best = [0.0] * len(concepts)
        fit = 0.0
        for name, weight in FIELD_WEIGHTS.items():
            field = fields[name]
            for line in field.lines:
                qualities = []
                for n, concept in enumerate(concepts):
                    quality = 0.0
                    for alternative in concept.alternatives:
                        found, positions = _match(field, line, alternative)
                        marked[name].update(positions)
                        quality = max(quality, found)
                    best[n] = max(best[n], weight * quality)
                    qualities.append(quality)
                if name in LINE_WEIGHTS:
                    line_fit = _line_fit(field, line, marked[name], qualities, LINE_WEIGHTS[name])
                    fit = max(fit, line_fit)
        score = 0.5 * sum(best) / len(concepts) + 0.5 * fit
        ranked.append(Ranked(code, round(score, 4), fields, marked))
    ranked.sort(key=lambda r: (-r.score, len(r.code.title), r.code.system.position, r.code.code))
    return ranked


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
