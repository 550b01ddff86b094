"""What a query asks for: each typed word or phrase as a concept, with the terminology that applies
(synonyms both ways, translations into the classification's words one way) and word forms, and
the index entries whose words the query holds. Knows no database vendor; the terminology is read
from the Synonym table (its enabled entries)."""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from math import log
from typing import NamedTuple

from coderef.routers import read_connection
from codes.cache import kept
from codes.models import Synonym
from codes.search.morphology import stem, stem_forms, stem_prefix
from codes.search.query import Term, words_of
from codes.search.weights import WEIGHTS

# Index words starting with a prefix (vocabulary.Words.starting), at most MAX_FORMS of them.
WordsStarting = Callable[[str], list[str]]
MAX_FORMS = 40
COMPOUND = "one word or two, the index writes both"
SYNONYM = Synonym.Kind.SYNONYM.value
INDEX = Synonym.Kind.INDEX.value
# The index words of a typed word's other forms (its stem's words).
Widen = Callable[[str], frozenset[str]]

# Joining words: a line says nothing more by holding them.
FILLER_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"}
    | {"to", "with"}
)
# Words too common to find anything on their own: kept when all words must match, left out when
# some may. Negations are not among them: `without laminectomy` is the whole point of 63707.
FUNCTION_WORDS = FILLER_WORDS | {"nos", "other", "unspecified", "specified"}
# Words that negate what follows them, in a code's text and in a query, up to the end of the
# clause or the next `with` (`without perforation or abscess with bleeding`).
NEGATIONS = frozenset({"without", "no", "not", "non", "except", "excluding", "excludes"})
NEGATION_ENDS = frozenset({"with"})
# A side or an encounter: the tabular's characters after a code's family (tiers.narrowed), never
# what a negation governs (`concussion without loss of consciousness subsequent encounter`).
AXIS_WORDS = frozenset(
    {"left", "right", "bilateral", "unilateral", "initial", "subsequent", "sequela"}
)
# The ICD-10-PCS root operations of the Medical and Surgical section (the third axis).
ROOT_OPERATIONS = frozenset(
    {"alteration", "bypass", "change", "control", "creation", "destruction", "detachment"}
    | {"dilation", "division", "drainage", "excision", "extirpation", "extraction", "fragmentation"}
    | {"fusion", "insertion", "inspection", "map", "occlusion", "reattachment", "release"}
    | {"removal", "repair", "replacement", "reposition", "resection", "restriction", "revision"}
    | {"supplement", "transfer", "transplantation"}
)
# What a coder writes before a diagnosis not yet confirmed (`r/o` is its shorthand).
RULE_OUT = ("rule", "out")
# A negation joined to one word (`non-ST elevation`, `non-pressure ulcer`) governs that word only.
WORD_NEGATIONS = frozenset({"non"})
# The stems of words that say nothing of their own beside an index entry's: joining words and
# negations (what `w/`, `w/o` stand for).
_QUIET_WORDS = FUNCTION_WORDS | NEGATIONS
_QUIET_STEMS = frozenset(stem(word) for word in _QUIET_WORDS)
_NEGATION_STEMS = frozenset(stem(word) for word in NEGATIONS)
_OPERATION_STEMS = frozenset(stem(word) for word in ROOT_OPERATIONS)


@dataclass(frozen=True)
class WordMatcher:
    """One position of what is searched for: any of these word forms, or words starting so."""

    typed: str
    forms: frozenset[str]
    prefix: str | None = None
    # Every index word starting with `prefix`, when there are fewer than MAX_FORMS: the index is
    # asked for them by name (a prefix query merges the lists of all of them before it answers:
    # `open*` reads the 40,000 ICD-10-PCS codes of the open approach at once).
    completions: frozenset[str] | None = None
    # Typed inside a negation's scope (`without` `exacerbation`): found only where the code's
    # text negates it too, never where it says it (`with exacerbation`).
    negated: bool = False
    # False when the word neither is nor begins an index word, though other words of its stem
    # are (`migrane` reaches `migrans`): a typo may have made it (typos.corrected_terms).
    indexed: bool = True

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
    # Why this way of writing it applies: `heart attack -> myocardial infarction (lay term,
    # starter list)`; empty for what the coder typed.
    via: str = ""


@dataclass(frozen=True)
class Concept:
    """One thing the coder asked for (`csf`), with every way of writing it."""

    label: str
    alternatives: tuple[Alternative, ...]
    significant: bool = True
    correctable: bool = False  # a plain word a typo might have spoiled
    # How much it counts beside the others: a rare concept more than a common one (idf_weights).
    weight: float = 1.0

    @property
    def absent(self) -> bool:
        """Whether the query says it is absent: every word typed is in a negation's scope, or
        is the negation (`without`, `w/o`)."""
        return any(
            all(m.negated or m.typed in NEGATIONS for m in alternative.words)
            for alternative in self.alternatives
        )

    @property
    def joining(self) -> bool:
        """Whether every way of writing it is a joining word (`with`, `w`): it joins the
        concepts beside it and says nothing a code must hold (ranking still reads it)."""
        return _joining(self.alternatives)

    def held_in(self, words: frozenset[str]) -> bool:
        """Whether a text of these words holds the concept: every word of one of its ways of
        writing, as the index's boolean match would find it."""
        return any(
            all(_held(words, matcher) for matcher in alternative.words)
            for alternative in self.alternatives
        )


def _joining(alternatives: Iterable["Alternative"]) -> bool:
    return all(
        all(m.typed in FILLER_WORDS or len(m.typed) == 1 for m in alternative.words)
        for alternative in alternatives
    )


def _held(words: frozenset[str], matcher: WordMatcher) -> bool:
    if matcher.forms & words:
        return True
    prefix = matcher.prefix
    return prefix is not None and any(word.startswith(prefix) for word in words)


def singular(word: str) -> str:
    """A plural's singular (`fractures` -> fracture, `arteries` -> artery), else the word."""
    if len(word) < 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def word_forms(word: str) -> frozenset[str]:
    """The word with its plural or singular and its -ed/-ing base: `fractures` -> fracture."""
    forms = {word, singular(word)}
    if len(word) < 3 or not word.isalpha():
        return frozenset(forms)
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


def _matcher(
    word: str, *, prefix: bool, literal: bool = False, widen: Widen | None = None
) -> WordMatcher:
    forms = frozenset({word}) if literal else word_forms(word)
    indexed = True
    if widen is not None and not literal and word.isalpha() and word not in FUNCTION_WORDS:
        widened = widen(word)
        # A plural or a possessive typed without its apostrophe (`crohns`) is its index word.
        indexed = not widened or any(
            other.startswith(word) or other == singular(word) for other in widened
        )
        forms |= widened
    return WordMatcher(word, forms, word if prefix and len(word) >= 2 else None, indexed=indexed)


def _alternative(
    words: tuple[str, ...], *, prefix: bool, literal: bool, widen: Widen | None = None
) -> Alternative:
    # A lone letter or digit means something only beside its neighbours: `I&D`, `w/c`,
    # `type 1 diabetes` are phrases, `resection appendix` words found together.
    phrase = len(words) > 1 and any(len(word) == 1 for word in words)
    return Alternative(
        tuple(
            _matcher(
                word, prefix=prefix and n == len(words) - 1, literal=literal or phrase, widen=widen
            )
            for n, word in enumerate(words)
        ),
        phrase=phrase,
    )


class Entry(NamedTuple):
    """A terminology entry as search reads it (a tuple: a search may read a thousand)."""

    term: str
    meaning: str
    kind: str  # Synonym.Kind
    why: str  # its kind and where it came from, as a coder reads them: `lay term, starter list`
    # From an imported file (Synonym.Source.IMPORT), not the starter list or an editor: its
    # index entries rank below theirs (tiers.text_hits).
    imported: bool = False

    def via(self, said: str, means: str) -> str:
        """Why it applies, from the side typed to the other: `MI -> myocardial infarction
        (synonym, starter list)`."""
        return f"{said} -> {means} ({self.why})"


@dataclass(frozen=True)
class IndexMatch:
    """An index entry whose words the query holds: the code or code family it points at."""

    target: str
    via: str
    covers_all: bool  # the entry's words explain every significant concept of the query
    imported: bool = False  # the entry's
    # The significant concepts the entry's words do not explain (pcs.axes may read them as
    # the axes of an ICD-10-PCS code the entry points into: its approach, its extent).
    missing: tuple[Concept, ...] = ()
    # The ids, in code order, of the family's codes whose titles say the missing concepts
    # (tiers.narrowed): the codes it points at then, not the whole family.
    only: tuple[int, ...] | None = None


Words = tuple[str, ...]


ARTICLES = frozenset({"a", "an", "the"})


def _as_side(words: Words) -> Words:
    """Words as a side is looked up: in the singular, without articles (`ringing in ears` is
    `ringing in the ears`)."""
    return tuple(singular(word) for word in words if word not in ARTICLES) or words


def _orderless(words: Words) -> bool:
    """True when the words mean the same in any order: two or more, each a word of substance
    (letters, three or more, no joining word or negation)."""
    return len(words) > 1 and all(
        word.isalpha() and len(word) > 2 and word not in _QUIET_WORDS for word in words
    )


class Sides(dict[Words, dict[Words, str]]):
    """The entries' sides (their words), each with the other sides it stands for and why.

    `find` reads a typed span as a side written so, in the singular or without its articles: a
    plural typed finds the side in the singular (`kidney stones`, `PICC lines`, `UTIs`), words
    typed find a side written in the plural (`hot flash`, `hot flashes`) or with an article
    they leave out (`ringing in ears`); one word typed in the singular finds no plural side
    (`aid` is not `AIDS`). Words of substance typed in another order find the side too, as a
    coder types the index's order (`hernia repair inguinal`, `amputation below knee`); a joining
    word, a negation or a number keeps the order (`blood in urine` is not `urine in blood`)."""

    def __init__(self) -> None:
        super().__init__()
        self._singular: dict[Words, Words] | None = None
        self._unordered: dict[Words, Words] = {}

    def find(self, typed: Words) -> dict[Words, str] | None:
        side = self.side_of(typed)
        return None if side is None else self[side]

    def side_of(self, typed: Words) -> Words | None:
        """The side the typed words are, as `find` reads them."""
        if typed in self:
            return typed
        read = _as_side(typed)
        if len(typed) == 1 and read == typed:
            return None
        if self._singular is None:  # filled once all sides are in
            self._singular = {}
            for side in self:
                as_side = _as_side(side)
                self._singular.setdefault(as_side, side)
                if _orderless(as_side):
                    self._unordered.setdefault(tuple(sorted(as_side)), side)
        found = self._singular.get(read)
        if found is None and _orderless(read):
            found = self._unordered.get(tuple(sorted(read)))
        return found

    def of_one_word(self) -> "Sides":
        single = Sides()
        single.update((side, others) for side, others in self.items() if len(side) == 1)
        return single


def terminology_for(terms: Sequence[Term]) -> list[Entry]:
    """The enabled entries that may apply to the typed terms: those with a side starting as a
    typed word's stem does."""
    return _entries_starting([w for term in terms if not term.quoted for w in term.words])


def index_entries_through(concepts: Sequence[Concept], entries: Sequence[Entry]) -> list[Entry]:
    """The index entries that may apply through the words the entries gave the concepts (`broken
    hip` -> `fracture of neck of femur` reaches `fracture, femur, neck`), beyond those already
    read, in the order the concepts' ways of writing give their words (a phrase's own
    translation before its words read one by one)."""
    typed = {m.typed for concept in concepts for m in concept.alternatives[0].words}
    said = [m.typed for c in concepts for alt in c.alternatives[1:] for m in alt.words]
    known = set(entries)
    more = _entries_starting([w for w in said if w not in typed and w not in FUNCTION_WORDS], INDEX)
    return [entry for entry in more if entry not in known]


# The starts (stem prefixes) of the words that say nothing on their own.
_SAY_NOTHING = frozenset(stem_prefix(word) for word in FUNCTION_WORDS)


# The entries of each word start, read once per content token (codes.cache.kept): a coder's words
# recur (`left`, `fracture`, `injection`), and a common start reads a thousand imported entries.
# At most this many entries are held (some 15 MB); past it the memo starts afresh.
MEMO_ENTRIES = 50_000


class _StartMemo(dict[tuple[str, str | None], tuple[tuple[int, Entry], ...]]):
    """Each (start, kind)'s entries with their ids, and how many entries it holds in all."""

    held = 0

    def entries(self, start: str, kind: str | None) -> tuple[tuple[int, Entry], ...]:
        if (start, kind) not in self:
            read = _read_start(start, kind)
            if self.held + len(read) > MEMO_ENTRIES:
                self.clear()
                self.held = 0
            self[start, kind] = read
            self.held += len(read)
        return self[start, kind]


def _entries_starting(words: Sequence[str], kind: str | None = None) -> list[Entry]:
    """The enabled entries (of `kind`, or of every kind) with a side starting as one of the
    words' stems does: those of the first word's start first, each start's in the order they
    were written."""
    memo = kept("terminology-starts", _StartMemo)
    found: dict[int, Entry] = {}
    for start in dict.fromkeys(stem_prefix(word) for word in words):
        for pk, entry in memo.entries(start, kind):
            found.setdefault(pk, entry)
    return list(found.values())


def _read_start(start: str, kind: str | None) -> tuple[tuple[int, Entry], ...]:
    """The entries (with their ids) of one start: by their term; a synonym by its meaning too,
    when entries of every kind are read."""
    # A lone letter (`w/o`, `r/o`) starts abbreviations, not index entries: read as a start of
    # every index entry, it would read thousands (`Other ...`, `Open ...`).
    # Only a synonym is read from its meaning's side too (an index entry's is a code), and only
    # when entries of every kind are read: those of one kind are picked from the rows read by
    # their term (filtered by kind in SQL, the planner would read every entry of the kind).
    # So is a word that says nothing on its own (`other`, `unspecified`): thousands of imported
    # index entries (ICD-9-CM titles) start `Other ...`, and none of them is found by its start.
    longer = len(start) > 1 and start not in _SAY_NOTHING
    if kind == INDEX and not longer:
        return ()
    connection = read_connection()
    sql = _entries_sql(connection.vendor, longer, kind is None)
    pattern = connection.ops.prep_for_like_query(start) + "%"
    with connection.cursor() as cursor:
        cursor.execute(sql, [pattern] * (1 + (kind is None)))
        rows = cursor.fetchall()
    return tuple(
        (pk, Entry(term, meaning, row_kind, *_why(row_kind, source, source_file, release)))
        for pk, term, meaning, row_kind, source, source_file, release in rows
        if kind is None or row_kind == kind
    )


@lru_cache(maxsize=256)
def _why(kind: str, source: str, source_file: str, release: str) -> tuple[str, bool]:
    """An entry's `why` (its kind and where it came from) and whether an imported file gave it."""
    label = Synonym(source=source, source_file=source_file, release=release).source_label
    return f"{dict(Synonym.Kind.choices)[kind]}, {label}", source == Synonym.Source.IMPORT


def starts_like(column: str) -> str:
    """`column` starts with the parameter (a LIKE pattern ending in `%`), case aside, as the
    read connection's vendor writes istartswith (which 0023's indexes serve)."""
    connection = read_connection()
    cast = connection.ops.lookup_cast("istartswith") % column
    return f"{cast} {connection.operators['istartswith'] % '%s'}"


@lru_cache(maxsize=16)
def _entries_sql(vendor: str, longer: bool, meanings: bool) -> str:
    """The terminology look-up of one word start: every entry whose term starts so (`longer`) or
    only those that are no index entries, and with `meanings`, the synonyms whose meaning starts
    so too (starts_like: written per vendor)."""
    term, meaning = starts_like("term"), starts_like("meaning")
    said = [term if longer else f"({term} AND kind <> '{INDEX}')"]
    if meanings:
        said.append(f"({meaning} AND kind = '{SYNONYM}')")
    return (
        "SELECT id, term, meaning, kind, source, source_file, release FROM codes_synonym"
        f" WHERE enabled AND ({' OR '.join(said)}) ORDER BY id"
    )


def concepts_for(
    terms: Sequence[Term],
    entries: Sequence[Entry],
    words_starting: WordsStarting,
    *,
    phrases: bool = True,
) -> list[Concept]:
    """Concepts for the typed terms, with the terminology entries (terminology_for) that apply,
    the compounds the index writes in one word or two, and each word widened to the index words
    of its stem (`words_starting(prefix)`: index words starting so); `phrases` as
    build_concepts takes it."""
    entries = [entry for entry in entries if entry.kind != INDEX]
    # A phrase the starter list or an editor says how to read is read their way only.
    curated = {tuple(words_of(entry.term)) for entry in entries if not entry.imported}
    entries = [e for e in entries if not e.imported or tuple(words_of(e.term)) not in curated]
    entries += compounds(terms, words_starting)
    concepts = build_concepts(
        terms, entries, lambda word: stem_forms(word, words_starting), phrases=phrases
    )
    return [_completed(concept, words_starting) for concept in concepts]


def _completed(concept: Concept, starting: WordsStarting) -> Concept:
    """The concept with each prefix matcher's completions (WordMatcher.completions) read."""

    def complete(matcher: WordMatcher) -> WordMatcher:
        if matcher.prefix is None:
            return matcher
        found = starting(matcher.prefix)
        if len(found) >= MAX_FORMS:
            return matcher
        return replace(matcher, completions=frozenset(found))

    return replace(
        concept,
        alternatives=tuple(
            alternative
            if alternative.phrase
            else replace(alternative, words=tuple(complete(m) for m in alternative.words))
            for alternative in concept.alternatives
        ),
    )


def compounds(terms: Sequence[Term], words_starting: WordsStarting) -> list[Entry]:
    """`gastro esophageal` typed for the index's `gastroesophageal`, and the other way round: a
    typed pair whose joined word is an index word, a typed word that splits after a combining `o`
    into two index words."""

    def known(word: str) -> bool:
        return word in words_starting(word)[:1]

    typed = [t.words[0] for t in terms if not t.quoted and t.words[0].isalpha()]
    found = []
    for first, second in zip(typed, typed[1:], strict=False):
        if len(first) >= 3 and len(second) >= 3 and known(first + second):
            found.append(Entry(f"{first} {second}", first + second, SYNONYM, COMPOUND))
    for word in typed:
        for i in range(3, len(word) - 3):
            if word[i - 1] == "o" and known(word[:i]) and known(word[i:]):
                found.append(Entry(f"{word[:i]} {word[i:]}", word, SYNONYM, COMPOUND))
    return found


@lru_cache(maxsize=65536)
def _index_stems(term: str) -> tuple[str, ...]:
    """The stems of an index entry's words but the joining ones (an entry is read by many
    searches: its words are stemmed once)."""
    return tuple(stem(word) for word in words_of(term) if word not in FILLER_WORDS)


@lru_cache(maxsize=65536)
def _index_negated(term: str) -> frozenset[str]:
    """The stems an index entry says are absent: its words after a negation, up to the next
    comma (`hernia, inguinal, without obstruction`)."""
    negated: set[str] = set()
    for part in term.split(","):
        words = words_of(part)
        for n, word in enumerate(words):
            if word in NEGATIONS:
                negated.update(stem(w) for w in words[n + 1 :] if w not in FILLER_WORDS)
    return frozenset(negated - _NEGATION_STEMS)


_DIABETES, _TYPE = stem("diabetes"), stem("type")
_DEFAULT_TYPE = frozenset({_TYPE, "2"})


def index_matches(concepts: Sequence[Concept], entries: Sequence[Entry]) -> list[IndexMatch]:
    """The index entries every word of which the query holds, as typed, in another form or
    through a translation: `femur neck fractures` and `broken hip` (`broken` -> `fracture`) hold
    `fracture, femur, neck` and `fracture, hip`. A word holds only as the query says it: negated
    where the entry negates it, not where the entry says it is there (`asthma without
    exacerbation` does not hold `asthma, with exacerbation`)."""
    said = [
        [frozenset(stem(m.typed) for m in alternative.words) for alternative in c.alternatives]
        for c in concepts
    ]
    pool = frozenset().union(*(ways for concept in said for ways in concept))
    if _DIABETES in pool and _TYPE not in pool:
        pool |= _DEFAULT_TYPE  # OCG I.C.4.a.2: diabetes of no type documented is type 2
    # As the coder typed them (another way of writing a concept may not carry the negation:
    # `w/o` read word by word).
    typed = [m for c in concepts for m in c.alternatives[0].words]
    said_so = {stem(m.typed) for m in typed if not m.negated}
    only_negated = frozenset({stem(m.typed) for m in typed if m.negated} - said_so)
    found = []
    depth: list[int] = []
    for entry in entries:
        if entry.kind != INDEX:
            continue
        words = _index_stems(entry.term)
        # Most entries read hold a word the query lacks: stop at the first.
        if (
            words
            and all(word in pool for word in words)
            and only_negated & set(words) == _index_negated(entry.term)
        ):
            stems = frozenset(words)
            # Each significant typed word is the entry's own, or its concept's other way of
            # writing shares a word with the entry (`broken` -> `fracture` for `fracture, hip`).
            missing = tuple(
                concept
                for concept, concept_ways in zip(concepts, said, strict=True)
                if not _explained(concept, concept_ways, stems) or _type_unsaid(concept, entry.term)
            )
            via = entry.via(entry.term, entry.meaning)
            found.append(
                IndexMatch(entry.meaning.upper(), via, not missing, entry.imported, missing)
            )
            depth.append(len(words))
    # The deeper subterm first: `infarction, myocardial, old` before `infarction, myocardial`
    # when the query holds both (`h/o MI`), as a coder follows the index down.
    return [match for _, match in sorted(zip(depth, found, strict=True), key=lambda m: -m[0])]


# A stage, grade or ordinal written with digits (`3a`, `2nd`): a word of its own an entry must
# say (`disease, kidney, chronic` is not `CKD 3a`), where a number alone (`type 2`) need not be.
_GRADE = re.compile(r"[0-9]+[a-z]+")


# Words that make a condition another chapter's subject (a Z code): `history of stroke` is Z86.73,
# not `infarction, cerebral`; an index entry must say them itself (or what their shorthand means).
_TOPIC_STEMS = frozenset(
    stem(word)
    for word in ("history", "hx", "screening", "family", "exposure", "carrier", "observation")
)


def _type_unsaid(concept: Concept, term: str) -> bool:
    """True when the concept ends with a letter naming a type after a word (`flu A`, `hep C`:
    query._split_terms keeps it) that the index entry does not say (`influenza`)."""
    typed = [m.typed for m in concept.alternatives[0].words]
    return (
        len(typed) > 1
        and len(typed[-1]) == 1
        and typed[-1].isalpha()
        and len(typed[-2]) > 1
        and typed[-1] not in _index_words(term)
    )


@lru_cache(maxsize=65536)
def _index_words(term: str) -> frozenset[str]:
    return frozenset(words_of(term))


def _explained(concept: Concept, ways: Sequence[frozenset[str]], stems: frozenset[str]) -> bool:
    """True when an index entry of these word stems explains the concept: each significant typed
    word is the entry's own, or the concept's other way of writing shares a word with the entry;
    a concept of one typed word only through a way of writing it all of whose words the entry
    holds (`broken` -> `fracture` for `fracture, hip`; `NSTEMI` is not `infarction,
    myocardial`). Shorthand of lone letters (`s/p`) is explained
    by a word of one of its readings (`status`), unless those say only joining words or negations
    (`w/`, `w/o`): `s/p CABG` is not `bypass, coronary artery`."""
    words = [
        m.typed
        for m in concept.alternatives[0].words
        if m.typed.isalpha() or _GRADE.fullmatch(m.typed) or m.typed.isdigit()
    ]
    typed = [
        word for word in words if (len(word) > 1 or word.isdigit()) and word not in FUNCTION_WORDS
    ]
    # A topic the entry says as typed or as a way of writing it says it (`hx` -> `history`).
    topic_said = any(way & _TOPIC_STEMS & stems for way in ways[1:])
    if not topic_said and any(stem(word) in _TOPIC_STEMS - stems for word in typed):
        return False
    if len(typed) == 1 and stem(typed[0]) not in stems:
        # One word (`NSTEMI`) stands for the whole of what it means: an entry holding part of
        # it (`infarction, myocardial`) is broader, not it.
        return any(way - _QUIET_STEMS <= stems for way in ways[1:])
    if typed:
        # A word the entry lacks is explained by a way of writing that says it in other words
        # the entry shares (`heart attack` -> `acute myocardial infarction`), not by one still
        # saying it (`diabetic retinopathy` -> `diabetes mellitus with diabetic retinopathy` is
        # not `diabetes mellitus, type 2`).
        return all(
            stem(word) in stems
            or any(stem(word) not in way and _shares(way, stems) for way in ways[1:])
            for word in typed
        )
    if any(len(word) > 1 for word in words):  # joining words (`with`, `of`) say nothing
        return True
    readings = [way - _QUIET_STEMS for way in ways[1:]]
    return not any(readings) or any(reading & stems for reading in readings)


def _shares(way: frozenset[str], stems: frozenset[str]) -> bool:
    """True when an index entry of these word stems says at least half of what a way of writing
    a concept says (`acute myocardial infarction` for `infarction, myocardial`): an entry
    sharing one word of a long translation (`measurement` of `measurement cardiac sampling and
    pressure left heart`) is about something else."""
    said = way - _QUIET_STEMS or way
    return 2 * len(said & stems) > len(said) and not (said - stems) & _OPERATION_STEMS


def build_concepts(
    terms: Sequence[Term],
    entries: Iterable[Entry],
    widen: Widen | None = None,
    *,
    phrases: bool = True,
) -> list[Concept]:
    """Concepts for the typed terms, each span of an entry's words expanded (with `phrases`
    false, each typed word a concept of its own: only entries of one word apply).

    A synonym goes both ways (`CSF` finds `cerebrospinal fluid` and the other way round), a
    translation one way (`heart attack` finds `myocardial infarction`); a multi-word side matches
    consecutive typed words (`cerebrospinal fluid leak`) and is found when its words are together
    in one line, in any order. A typed word also matches the index words `widen` gives it.
    """
    sides = Sides()
    translated: set[Words] = set()  # the sides a translation writes in the classification's words
    for entry in entries:
        a, b = tuple(words_of(entry.term)), tuple(words_of(entry.meaning))
        if a and b and a != b:
            sides.setdefault(a, {}).setdefault(b, entry.via(" ".join(a), " ".join(b)))
            if entry.kind == Synonym.Kind.TRANSLATION:
                translated.add(a)
            if entry.kind == Synonym.Kind.SYNONYM:
                sides.setdefault(b, {}).setdefault(a, entry.via(" ".join(b), " ".join(a)))
    if not phrases:
        sides = sides.of_one_word()
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
        span, others = _shorthand_reading(terms, i, _synonym_span(terms, i, sides, longest), sides)
        typed = tuple(spanned.words[0] for spanned in terms[i : i + span])
        if _rules_out(typed, others) and concepts:
            # `chest pain r/o MI`: what is ruled out is not coded (OCG IV.H), the symptoms are.
            break
        # A typed word that is a synonym (`MI`, `lami`) is taken as finished, not as the start of
        # `migraine` or `laminotomy`.
        prefix = terms[i + span - 1].prefix and sides.find(typed) is None
        alternatives = [_alternative(typed, prefix=prefix, literal=False, widen=widen)]
        alternatives += [
            replace(_alternative(other, prefix=False, literal=len(other) > 1), via=others[other])
            for other in sorted(others)
        ]
        if span > 1 and sides.side_of(typed) not in translated:
            # A phrase a translation writes in the classification's words (`coronary angiography`
            # -> `fluoroscopy coronary arteries`) is not also read word by word.
            alternatives += _word_by_word(typed, sides)
        label = " ".join(typed)
        concepts.append(
            Concept(
                label,
                tuple(alternatives),
                # Alone, `of` or `2` would find half the index, and `with` (`w`) too.
                significant=(len(alternatives) > 1 and not _joining(alternatives))
                or any(
                    word.isalpha() and len(word) > 1 and word not in FUNCTION_WORDS
                    for word in typed
                ),
                correctable=len(typed) == 1 and typed[0].isalpha() and len(typed[0]) >= 4,
            )
        )
        i += span
    return negation_scoped(concepts)


def negation_scoped(concepts: Sequence[Concept]) -> list[Concept]:
    """The concepts with what a typed negation (`without`, `w/o`, `no`, `not`) governs marked
    negated, up to the next `with` (`non` governs the next word only): in `asthma without
    exacerbation`, `exacerbation` is what the code must say is absent. Within one way of writing
    a concept (`without complication`, the synonym of `uncomplicated`) its own negation governs
    the words after it."""
    scoped = []
    scope: str | None = None  # the negation governing the next concept: one word or a clause
    for concept in concepts:
        typed = [m.typed for m in concept.alternatives[0].words]
        ends = any(word in NEGATION_ENDS or word in AXIS_WORDS for word in typed)
        negation = next(
            (
                alternative.words[0].typed
                for alternative in concept.alternatives
                if alternative.words[0].typed in NEGATIONS
            ),
            next((word for word in reversed(typed) if word in NEGATIONS), None),
        )
        governed = scope is not None and negation is None and not ends
        alternatives = tuple(_negated(alt, governed) for alt in concept.alternatives)
        if negation is not None and not any(word in NEGATIONS for word in typed):
            # Shorthand for a negation (`w/o exacerbation`, read `without exacerbation`): the
            # words typed after it are what its reading says is absent.
            absent = {
                m.typed for alternative in alternatives[1:] for m in alternative.words if m.negated
            }
            first = alternatives[0]
            words = tuple(replace(m, negated=m.negated or m.typed in absent) for m in first.words)
            alternatives = (replace(first, words=words), *alternatives[1:])
        scoped.append(replace(concept, alternatives=alternatives))
        if ends or (scope in WORD_NEGATIONS and negation is None):
            scope = None
        elif negation is not None:
            scope = negation
    return scoped


def _negated(alternative: Alternative, governed: bool) -> Alternative:
    """The alternative with its words negated where a negation before them (`governed`: one
    typed before the concept) governs them; negation words themselves are not."""
    words = []
    negating = governed
    for matcher in alternative.words:
        if matcher.typed in NEGATIONS:
            words.append(matcher)
            negating = True
            continue
        words.append(replace(matcher, negated=True) if negating else matcher)
        negating = negating and not (len(words) > 1 and words[-2].typed in WORD_NEGATIONS)
    return replace(alternative, words=tuple(words))


def _word_by_word(typed: Words, sides: Sides) -> list[Alternative]:
    """A phrase that is an entry of its own (`laparoscopic cholecystectomy` <-> `lap chole`) may
    also be written word by word in the classification's words (`percutaneous endoscopic`
    `resection gallbladder`): each word's longest entry (the classification's words rather than
    another abbreviation), or the word, all in one line."""
    words: list[str] = []
    vias: list[str] = []
    for word in typed:
        others = sides.find((word,))
        if others:
            longest = max(others, key=lambda other: (len(other), other))
            words.extend(longest)
            vias.append(others[longest])
        else:
            words.append(word)
    if not vias:
        return []
    alternative = _alternative(tuple(dict.fromkeys(words)), prefix=False, literal=True)
    return [replace(alternative, via="; ".join(vias))]


def _shorthand_reading(
    terms: Sequence[Term],
    start: int,
    span: int,
    sides: Sides,
) -> tuple[int, dict[Words, str]]:
    """The typed span from `start` and its other ways of writing, read through shorthand first:
    `h/o MI` is `history of MI`, an entry of its own (`old myocardial infarction`). A span whose
    expansion with the words typed after it is an entry takes those words too (the longest)."""
    typed = tuple(term.words[0] for term in terms[start : start + span])
    found = sides.find(typed) or {}
    for expansion, via in sorted(found.items()):
        for end in range(len(terms), start + span, -1):
            rest = terms[start + span : end]
            key = expansion + tuple(term.words[0] for term in rest)
            further = sides.find(key)
            if further is not None and not any(term.quoted for term in rest):
                reading = {key: via} | {
                    other: f"{via}; {more}" for other, more in further.items() if other != typed
                }
                return end - start, reading
    return span, found


def _rules_out(typed: tuple[str, ...], others: dict[tuple[str, ...], str]) -> bool:
    """True for `rule out` and its shorthand (`r/o`)."""
    return typed == RULE_OUT or RULE_OUT in others


def _synonym_span(
    terms: Sequence[Term],
    start: int,
    sides: Sides,
    longest: int,
) -> int:
    for span in range(min(longest, len(terms) - start), 1, -1):
        chunk = terms[start : start + span]
        if not any(t.quoted for t in chunk) and sides.find(tuple(t.words[0] for t in chunk)):
            return span
    return 1


# The units a dose is written in (`1 gram`, `50 mg`, `10 units`).
DOSE_UNITS = frozenset(
    {"mg", "mcg", "g", "gm", "gram", "grams", "ml", "cc", "unit", "units", "iu", "meq", "mgs"}
)


def idf_weights(concepts: Sequence[Concept], counts: Sequence[int], cap: int) -> list[Concept]:
    """The concepts weighted by how rare each is: `counts` codes hold each (at most cap+1), so a
    concept held by few codes counts up to WEIGHTS.idf_scale * log(cap+1) more than one held by
    more than cap (`rotator`, `cuff` beside `left` in `rotator cuff tear left`); a dose (a unit
    and the number before it: `Rocephin 1 gram`) counts WEIGHTS.dose of that beside the drug."""
    labels = [concept.label for concept in concepts]
    units = {n for n, label in enumerate(labels) if label in DOSE_UNITS}
    dose = units | {n - 1 for n in units if n and labels[n - 1].replace(".", "").isdigit()}
    return [
        replace(
            concept,
            weight=(WEIGHTS.dose if n in dose else 1.0)
            * (1.0 + WEIGHTS.idf_scale * log((cap + 2) / (count + 1))),
        )
        for n, (concept, count) in enumerate(zip(concepts, counts, strict=True))
    ]
