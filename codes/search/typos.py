"""Typo corrections: a plain word that finds nothing is replaced by the nearest index word.
Never a word with digits: 63708 finds nothing rather than 63707."""

from collections.abc import Iterable, Sequence
from dataclasses import replace

from codes.search.backends.base import Scope, SearchBackend
from codes.search.concepts import Concept
from codes.search.query import Term


def corrected_terms(
    backend: SearchBackend, terms: list[Term], concepts: Sequence[Concept], scope: Scope
) -> list[Term]:
    """The terms with each correctable word that finds nothing replaced by its nearest word."""
    fixed = list(terms)
    by_label = {concept.label: concept for concept in concepts}
    for i, term in enumerate(terms):
        concept = by_label.get(term.words[0])
        if term.quoted or concept is None or not concept.correctable:
            continue
        # With one concept the caller's count already said it finds nothing.
        if len(concepts) > 1 and backend.count([concept], scope, every=True):
            continue
        word = term.words[0]
        better = best_correction(word, backend.vocabulary_near(word), prefix=term.prefix)
        if better:
            fixed[i] = replace(term, words=(better,), prefix=False)
    return fixed


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
