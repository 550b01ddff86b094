"""Typo corrections: a plain word that finds nothing is replaced by the nearest word of the index
or of the terminology, the one that finds something beside the other words (`artrial
fibrilation` is `atrial fibrillation`, not `arterial`). Never a word with digits: 63708 finds
nothing rather than 63707."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import islice, product

from rapidfuzz import process
from rapidfuzz.distance import OSA

from codes.search.backends.base import Scope, SearchBackend
from codes.search.concepts import Concept, IndexMatch
from codes.search.query import Term
from codes.search.vocabulary import SearchWords, correction_starts

# How many corrections of one word are tried beside the others, nearest first.
CHOICES = 4
# How many combinations of corrections are tried at most.
TRIES = 8


@dataclass(frozen=True)
class Understood:
    """Typed terms as search reads them: concepts, index entries held, codes holding them all."""

    terms: list[Term]
    concepts: list[Concept]
    index: list[IndexMatch]
    every_count: int
    # As of a past day: the codes holding them all by their texts then, which the index has not.
    then_count: int = 0

    @property
    def finds(self) -> bool:
        """True when some code holds every concept or an index entry holds the whole query."""
        return bool(self.every_count or self.then_count) or any(
            entry.covers_all for entry in self.index
        )

    @property
    def doubtful(self) -> bool:
        """True when it finds something only through a word that is no index word, though
        other words of its stem are (`migrane` finds `migrans`): worth a correction that finds
        more."""
        return any(_doubtful(concept) for concept in self.concepts)


def _doubtful(concept: Concept) -> bool:
    """A correctable concept whose one word is neither an index word nor the start of one."""
    return (
        concept.correctable
        and len(concept.alternatives) == 1
        and not concept.alternatives[0].words[0].indexed
    )


def corrected_terms(
    backend: SearchBackend,
    query: Understood,
    scope: Scope,
    words: SearchWords,
    understand: Callable[[list[Term]], Understood],
) -> Understood | None:
    """The query with each correctable word that finds nothing (or is doubtful: no index word,
    Understood.doubtful) replaced by a near word, nearest first among the combinations that find
    something (more than the query as typed, when it found something); None when none does."""
    by_label = {concept.label: concept for concept in query.concepts}
    choices: list[list[str]] = []
    for term in query.terms:
        concept = by_label.get(term.words[0])
        word = term.words[0]
        stuck = (
            not term.quoted
            and concept is not None
            and concept.correctable
            and len(concept.alternatives) == 1
            # With one concept the caller's count already said it finds nothing.
            and (
                len(query.concepts) == 1
                or _doubtful(concept)
                or not backend.count([concept], scope, every=True)
            )
        )
        near = []
        if stuck:
            lexicon = words.terminology.near(word)
            candidates = [*words.indexed.near(word), *lexicon]
            near = best_corrections(word, candidates, prefix=term.prefix, preferred=lexicon)
            near = near[:CHOICES]
            if near and concept is not None and _doubtful(concept):
                # It finds something as typed: tried as typed first beside other corrections.
                near = [word, *near]
        choices.append(near or [word])
    typed = tuple(term.words[0] for term in query.terms)
    combinations = (words for words in product(*choices) if words != typed)
    for combination in islice(combinations, TRIES):
        terms = [
            term if word == term.words[0] else replace(term, words=(word,), prefix=False)
            for term, word in zip(query.terms, combination, strict=True)
        ]
        fixed = understand(terms)
        if fixed.finds and (not query.finds or fixed.every_count > query.every_count):
            return fixed
    return None


def best_corrections(
    word: str, candidates: Iterable[str], *, prefix: bool, preferred: Iterable[str] = ()
) -> list[str]:
    """The alphabetic candidates within a distance that grows with the word's length, closest
    first (then a `preferred` one, the coders' own words of the terminology, before an index
    word as near: `sezure` is `seizure`, not `secure`; then nearest in length, then
    alphabetically). A candidate begins as correction_starts says, or as the word would with its
    second letter dropped (`siatica` for `sciatica`).

    For a word still being typed, the candidate's beginning of the same length counts too.
    """
    limit = 1 if len(word) <= 5 else 2 if len(word) <= 9 else 3
    starts = correction_starts(word)
    liked = frozenset(preferred)
    pool = list(set(candidates))
    # Damerau-Levenshtein (optimal string alignment) over them all at once, those within limit.
    near = {pool[n]: d for _, d, n in _within(word, pool, limit)}
    if prefix:
        for _, d, n in _within(word, [candidate[: len(word)] for candidate in pool], limit):
            near[pool[n]] = min(near.get(pool[n], d), d)
    scored = [
        (distance, candidate not in liked, abs(len(candidate) - len(word)), candidate)
        for candidate, distance in near.items()
        if candidate != word
        and candidate.isalpha()
        and (
            candidate[:2] in starts
            or (candidate[:1] == word[:1] and candidate[2:3] == word[1:2])  # dropped
        )
    ]
    return [candidate for *_, candidate in sorted(scored)]


def _within(word: str, candidates: list[str], limit: int) -> list[tuple[str, int, int]]:
    """(candidate, distance, position) of the candidates within `limit` edits of the word."""
    return process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None)
