"""Word forms by the Snowball English stemmer, the same for both databases: the index keeps words
as written, and a query word is widened to the index words sharing its stem (`hypertension` meets
`hypertensive`, `infected` meets `infection`)."""

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from os.path import commonprefix

import snowballstemmer

# Snowball stemmers keep state while they work: one per thread.
_local = threading.local()
# Shorter stems are too loose to widen a word by (`ear` and `earlier`).
MIN_STEM = 4
# Words that keep their own stem: Snowball joins them to another word a coder keeps apart
# (`opening`, ICD-10-PCS's `Via Natural or Artificial Opening` approach and ICD-10-CM's artificial
# openings, is not `open`: the Open approach, an open wound or fracture).
OWN_STEM = frozenset({"opening", "openings"})
# An inflammation (`esophagitis`, `hepatitis`, `sinusitis`) is a concept of its own, which Snowball
# joins to its organ's words (`esophageal`, `hepatic`, `sinus`): it keeps its own stem.
INFLAMMATION = "itis"


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a lower-case word (the word itself if not alphabetic)."""
    if not word.isalpha():
        return word
    if word in OWN_STEM:
        return "opening"
    if word.endswith(INFLAMMATION) and len(word) > len(INFLAMMATION) + 2:
        return word
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


def stem_prefix(word: str) -> str:
    """What every word of the word's stem starts with: the stem, less a letter Snowball changed
    (`durotomy` -> `durotomi`: `durotom`)."""
    root = stem(word)
    return word[: len(root)] if word.startswith(root) else commonprefix([word, root])


def stem_forms(word: str, words_starting: Callable[[str], list[str]]) -> frozenset[str]:
    """The index words (`words_starting(prefix)`: those starting so) that share the word's stem,
    when that stem is long enough to say something."""
    root = stem(word)
    if len(root) < MIN_STEM:
        return frozenset()
    start = stem_prefix(word)
    return frozenset(w for w in words_starting(start) if w.startswith(start) and stem(w) == root)


# British spellings and their American ones, as the code sets write them (ICD-10-CM, PCS and
# HCPCS are American): haemorrhage, oesophagus, tumour, centre, catheterisation, sulphate.
_BRITISH = (
    (re.compile(r"ae"), "e"),
    (re.compile(r"oe"), "e"),
    (re.compile(r"our(s?)$"), r"or\1"),
    (re.compile(r"([^aeiou])tre(s?)$"), r"\1ter\2"),
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"sulph"), "sulf"),
    (re.compile(r"aluminium"), "aluminum"),
)


def american_spelling(word: str) -> str:
    """The word spelt as in American English where it has a British spelling (`oedema` ->
    edema, `paediatric` -> pediatric), else the word. Read only for a word the index lacks:
    `Haemophilus` is an organism's name, `shoe` no British `she`."""
    for pattern, american in _BRITISH:
        word = pattern.sub(american, word)
    return word
