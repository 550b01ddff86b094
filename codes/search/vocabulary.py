"""The words search knows, held in this process's memory until the content token changes
(codes.cache.kept): the full-text index's vocabulary, which completes a word still being typed and
widens a word to the index words of its stem, and the words of the starter list's and editors'
enabled entries; both give a typo its candidate corrections (typos). Read once after a change
(the public sets' 18,000 index words: about 50 ms on SQLite) instead of a statement for each
word of each search, the same way on both vendors."""

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import NamedTuple

from coderef.routers import read_connection
from codes.cache import kept
from codes.models import Synonym
from codes.search.backends import get_backend
from codes.search.morphology import american_spelling
from codes.search.query import Term, words_of

VOWELS = "aeiouy"
# How far a correction's length may be from the word's: typos.best_corrections' largest distance.
LENGTH_SLACK = 3


# First letters written as they sound: a silent letter left out (`neumonia`, `soriasis`,
# `reumatoid`), `ph` written `f` (`flebitis`), `c`, `k` and `x` as they sound (`cyphosis`,
# `zerosis`).
_SOUNDED_STARTS = {
    "n": ("pn", "kn", "gn"),
    "s": ("ps",),
    "t": ("pt",),
    "r": ("rh",),
    "f": ("ph",),
}
_SOUNDED_LETTERS = {"c": "k", "k": "c", "z": "x"}


def correction_starts(word: str) -> set[str]:
    """How a correction of `word` may begin: its first two letters, or those with a typo in the
    second letter (dropped, doubled, swapped, or another vowel for a vowel: `dimentia` is
    `dementia`), or the first letter written as it sounds (_SOUNDED_STARTS); other typos in
    the first letter are not guessed at."""
    starts = {word[:2], word[0] + word[2:3], word[1:2] + word[0]}
    if word[1:2] and word[1] in VOWELS:
        starts.update(word[0] + vowel for vowel in VOWELS)
    starts.update(_SOUNDED_STARTS.get(word[0], ()))
    if word[0] in _SOUNDED_LETTERS:
        starts.add(_SOUNDED_LETTERS[word[0]] + word[1:2])
    return {s for s in starts if len(s) == 2}


def _skip(word: str) -> str:
    """The word's first and third letters: what it begins as with its second letter dropped."""
    return word[:1] + word[2:3]


class Words:
    """A set of words, in code point order (UTF-8 byte order, as both vendors' indexes sort),
    and by how they begin."""

    def __init__(self, words: Iterable[str]) -> None:
        self.sorted = sorted(set(words))
        by_start: dict[str, list[str]] = defaultdict(list)
        by_skip: dict[str, list[str]] = defaultdict(list)
        for word in self.sorted:
            by_start[word[:2]].append(word)
            by_skip[_skip(word)].append(word)
        self._by_start = dict(by_start)
        self._by_skip = dict(by_skip)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        at = bisect_left(self.sorted, word)
        return at < len(self.sorted) and self.sorted[at] == word

    def starting(self, prefix: str, limit: int) -> list[str]:
        """The first `limit` words that start with `prefix`."""
        at = bisect_left(self.sorted, prefix)
        return [word for word in self.sorted[at : at + limit] if word.startswith(prefix)]

    def near(self, word: str) -> list[str]:
        """The words a misspelt `word` may have meant (a superset, ranked in typos): of about its
        length, beginning as correction_starts says or as `word` would with its second letter
        dropped (`siatica` for `sciatica`)."""
        low, high = len(word) - LENGTH_SLACK, len(word) + LENGTH_SLACK
        found = [
            candidate
            for start in sorted(correction_starts(word))
            for candidate in self._by_start.get(start, ())
            if low <= len(candidate) <= high
        ]
        found += [
            candidate
            for candidate in self._by_skip.get(word[:2], ())
            if low <= len(candidate) <= high
        ]
        return found


# Letters run into a number: shorthand and a stage or type (`CKD3`, `CKD3a`, `DM2`).
_RUN_TOGETHER = re.compile(r"([a-z]{2,})([0-9]{1,2}[a-z]?)")


class SearchWords(NamedTuple):
    """The index's words and those of the starter list's and editors' enabled entries (an
    imported file's thousands of titles say words the code sets' vocabulary has)."""

    indexed: Words
    terminology: Words

    def spelt_as_indexed(self, terms: Sequence[Term]) -> list[Term]:
        """The terms with each word the index and the terminology lack, but know in its American
        spelling, spelt so (`oesophagitis` is `esophagitis`); a word still being typed when no
        word starts as typed and some starts as spelt so (`haemorr`, not `haem`: Haemophilus).
        Such a word of letters run into a number they know apart is read as the two (`CKD3` is
        `CKD 3`, `CKD3a` `CKD 3a`)."""
        spelt = []
        for term in terms:
            if term.quoted:
                spelt.append(term)
                continue
            term = self._spelt(term)
            run = _RUN_TOGETHER.fullmatch(term.words[0]) if len(term.words) == 1 else None
            if run and not self._knows(run[0], False) and self._knows(run[1], False):
                spelt += [Term((run[1],)), replace(term, words=(run[2],))]
            else:
                spelt.append(term)
        return spelt

    def _spelt(self, term: Term) -> Term:
        words = []
        for n, word in enumerate(term.words):
            started = term.prefix and n == len(term.words) - 1
            american = american_spelling(word)
            if american != word and not self._knows(word, started):
                word = american if self._knows(american, started) else word
            words.append(word)
        return replace(term, words=tuple(words))

    def _knows(self, word: str, started: bool) -> bool:
        if started:
            return bool(self.indexed.starting(word, 1) or self.terminology.starting(word, 1))
        return word in self.indexed or word in self.terminology


def search_words() -> SearchWords:
    """The words search knows, as of the content token (read afresh inside a transaction: a
    search reads them once)."""
    return kept("search-words", _read)


def _read() -> SearchWords:
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT term FROM codes_synonym WHERE enabled AND source <> %s",
            [Synonym.Source.IMPORT.value],
        )
        entries = [word for (term,) in cursor.fetchall() for word in words_of(term)]
    return SearchWords(Words(get_backend().vocabulary()), Words(entries))
