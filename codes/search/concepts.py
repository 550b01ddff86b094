"""What a query asks for: each typed word or phrase as a concept, with its synonyms (both ways)
and word forms. Knows no database vendor; the synonyms are read from the Synonym table."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q

from codes.models import Synonym
from codes.search.query import Term, words_of
from codes.search.weights import WEIGHTS

# Joining words: a line says nothing more by holding them.
FILLER_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"}
    | {"to", "with"}
)
# Words too common to find anything on their own: kept when all words must match, left out when
# some may. Negations are not among them: `without laminectomy` is the whole point of 63707.
FUNCTION_WORDS = FILLER_WORDS | {"nos", "other", "unspecified", "specified"}


@dataclass(frozen=True)
class WordMatcher:
    """One position of what is searched for: any of these word forms, or words starting so."""

    typed: str
    forms: frozenset[str]
    prefix: str | None = None

    def quality(self, word: str) -> float:
        """How well an index word matches: best as typed, less as a form or prefix, else 0."""
        if word == self.typed:
            return WEIGHTS.matches.typed
        if word in self.forms:
            return WEIGHTS.matches.form
        if self.prefix and word.startswith(self.prefix):
            return WEIGHTS.matches.prefix
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


def concepts_for(terms: Sequence[Term]) -> list[Concept]:
    """Concepts for the typed terms, with the synonyms in the Synonym table that may apply."""
    return build_concepts(terms, _synonym_pairs(terms))


def _synonym_pairs(terms: Sequence[Term]) -> list[tuple[str, str]]:
    words = sorted({word for term in terms for word in term.words})
    if not words:
        return []
    starts = Q(
        *[Q(term__istartswith=w) | Q(meaning__istartswith=w) for w in words], _connector=Q.OR
    )
    return list(Synonym.objects.filter(starts).values_list("term", "meaning"))


def build_concepts(terms: Sequence[Term], synonyms: Iterable[tuple[str, str]]) -> list[Concept]:
    """Concepts for the typed terms, each synonym span expanded both ways.

    `synonyms` are (term, meaning) pairs; `CSF` finds `cerebrospinal fluid` and the other way round,
    and a multi-word synonym matches consecutive typed words (`cerebrospinal fluid leak`).
    A multi-word side is found when its words are together in one line, in any order.
    """
    sides: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for said, meaning in synonyms:
        a, b = tuple(words_of(said)), tuple(words_of(meaning))
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
        typed = tuple(spanned.words[0] for spanned in terms[i : i + span])
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


def _synonym_span(
    terms: Sequence[Term],
    start: int,
    sides: dict[tuple[str, ...], set[tuple[str, ...]]],
    longest: int,
) -> int:
    for span in range(min(longest, len(terms) - start), 1, -1):
        chunk = terms[start : start + span]
        if not any(t.quoted for t in chunk) and tuple(t.words[0] for t in chunk) in sides:
            return span
    return 1
