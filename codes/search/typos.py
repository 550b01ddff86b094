"""Typo corrections: a plain word that finds nothing is replaced by the nearest word of the index
or of the terminology, the one that finds something beside the other words (`artrial
fibrilation` is `atrial fibrillation`, not `arterial`). Never a word with digits: 63708 finds
nothing rather than 63707."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import islice, product

from django.db.models import Q
from rapidfuzz.distance import OSA

from codes.models import Synonym
from codes.search.backends.base import Scope, SearchBackend
from codes.search.concepts import Concept, IndexMatch
from codes.search.query import Term, words_of

VOWELS = "aeiouy"
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


def corrected_terms(
    backend: SearchBackend,
    query: Understood,
    scope: Scope,
    understand: Callable[[list[Term]], Understood],
) -> Understood | None:
    """The query with each correctable word that finds nothing replaced by a near word, nearest
    first among the combinations that find something; None when none does."""
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
            and (len(query.concepts) == 1 or not backend.count([concept], scope, every=True))
        )
        near = []
        if stuck:
            candidates = [*backend.vocabulary_near(word), *terminology_near(word)]
            near = best_corrections(word, candidates, prefix=term.prefix)[:CHOICES]
        choices.append(near or [word])
    typed = tuple(term.words[0] for term in query.terms)
    combinations = (words for words in product(*choices) if words != typed)
    for combination in islice(combinations, TRIES):
        terms = [
            term if word == term.words[0] else replace(term, words=(word,), prefix=False)
            for term, word in zip(query.terms, combination, strict=True)
        ]
        fixed = understand(terms)
        if fixed.finds:
            return fixed
    return None


def terminology_near(word: str) -> set[str]:
    """The words of the enabled entries of the starter list and editors that begin as a
    correction of `word` may. (An imported file's thousands of titles say words the code sets'
    vocabulary has: reading them for every typo would cost more than they find.)"""
    starts = Q(*[Q(term__istartswith=s) for s in sorted(correction_starts(word))], _connector=Q.OR)
    found = set()
    entries = Synonym.objects.filter(starts, enabled=True).exclude(source=Synonym.Source.IMPORT)
    entries = entries.order_by()
    for term in entries.values_list("term", flat=True):
        found.update(words_of(term))
    return found


def correction_starts(word: str) -> set[str]:
    """How a correction of `word` may begin: its first two letters, or those with a typo in the
    second letter (dropped, doubled, swapped, or another vowel for a vowel: `dimentia` is
    `dementia`). Typos in the first letter are not guessed at."""
    starts = {word[:2], word[0] + word[2:3], word[1:2] + word[0]}
    if word[1:2] and word[1] in VOWELS:
        starts.update(word[0] + vowel for vowel in VOWELS)
    return {s for s in starts if len(s) == 2}


def best_corrections(word: str, candidates: Iterable[str], *, prefix: bool) -> list[str]:
    """The alphabetic candidates within a distance that grows with the word's length, closest
    first (then nearest in length, then alphabetically).

    For a word still being typed, the candidate's beginning of the same length counts too.
    """
    limit = 1 if len(word) <= 5 else 2 if len(word) <= 9 else 3
    starts = correction_starts(word)
    scored = []
    for candidate in set(candidates):
        if candidate == word or not candidate.isalpha() or candidate[:2] not in starts:
            continue
        # Damerau-Levenshtein (optimal string alignment), limit + 1 when larger.
        distance = OSA.distance(word, candidate, score_cutoff=limit)
        if prefix:
            distance = min(distance, OSA.distance(word, candidate[: len(word)], score_cutoff=limit))
        if distance <= limit:
            scored.append((distance, abs(len(candidate) - len(word)), candidate))
    return [candidate for *_, candidate in sorted(scored)]
