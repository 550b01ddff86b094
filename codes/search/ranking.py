"""Ranking a block of candidate codes for the concepts of a query, with the numbers in
weights.WEIGHTS. Both backends hand their candidates here, so they rank alike."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from codes.models import Code
from codes.search.concepts import (
    FILLER_WORDS,
    NEGATION_ENDS,
    NEGATIONS,
    WORD_NEGATIONS,
    Alternative,
    Concept,
    WordMatcher,
)
from codes.search.query import words_of
from codes.search.weights import WEIGHTS

# What a code says when it is the default, the one a coder picks when nothing more is known
# (`Asthma NOS`, `Heart failure, unspecified`); `other` is not among them: it is a choice.
GENERAL_WORDS = frozenset({"unspecified", "nos", "uncomplicated"})
# Said of these, `unspecified` or `not specified` is still general: `site not specified`.
GENERAL_NOUNS = frozenset({"site", "organism", "type", "part", "cause", "side", "laterality"})
# An ICD-10-PCS title is built from its axes: `<root operation> of <body part> with <device>,
# <approach>, <qualifier>`; what it is about ends where the device begins, like a qualifier.
PCS = "icd10pcs"
PCS_HEAD_ENDS = frozenset({"with"})
_CLAUSE_BREAK = re.compile(r"[,.;:\[\]\n]")
_QUALIFIERS_START = re.compile(r"[,;:]")
_WORD_SPAN = re.compile(r"[^\W_]+")
_FIELDS = WEIGHTS.fields.items()
_LINES = dict(WEIGHTS.lines.items())


@dataclass(frozen=True)
class AnalysedText:
    """One field of a code as words, with what ranking and highlighting need to know of each."""

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    negated: tuple[bool, ...]  # after `without`, `no`, `other than`, up to the end of the clause
    aside: tuple[bool, ...]  # in parentheses or brackets: ICD's nonessential modifiers
    head: tuple[bool, ...]  # before the first comma (or ; :) of its line: what the line is about
    lines: tuple[range, ...]  # the word positions of each line (an inclusion term, a paragraph)
    text: str


_NOTHING = AnalysedText((), (), (), (), (), (), "")


# The same codes come up search after search (a coder's day is a few families): their texts are
# analysed once while they stay among the most recently ranked.
@lru_cache(maxsize=8192)
def analyse(text: str, head_ends: frozenset[str] = frozenset()) -> AnalysedText:
    """The words of a field and where each stands (negated, aside, in its line's head).

    A negation (`without`, `no`, `other than`) governs the words after it up to the end of its
    clause (a comma, a semicolon ...), the next `with`, or the close of the parentheses it
    stands in; parenthesized words inside it are still negated (`without (acute) exacerbation`).
    A line's head ends at its first comma (or ; :), or at one of `head_ends`.
    """
    if not text:
        return _NOTHING
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    negated: list[bool] = []
    aside: list[bool] = []
    head: list[bool] = []
    lines: list[range] = []
    negation_depth: int | None = None  # the parentheses depth the negation stands at
    one_word = False  # the negation governs the next word only (`non-ST`)
    in_head = True
    depth = 0
    line_start = 0
    previous_end = 0
    previous = ""
    ascii_only = text.isascii()  # most texts: no accents to take off word by word
    for match in _WORD_SPAN.finditer(text):
        between = text[previous_end : match.start()]
        if between != " ":  # most words follow one space, which changes nothing
            if "\n" in between:
                lines.append(range(line_start, len(words)))
                line_start, depth, in_head = len(words), 0, True
            elif _QUALIFIERS_START.search(between) and not depth:
                in_head = False
            if _CLAUSE_BREAK.search(between):
                negation_depth = None
            for ch in between:
                if ch in "([":
                    depth += 1
                elif ch in ")]":
                    depth = max(depth - 1, 0)
        word = match.group().lower() if ascii_only else "".join(words_of(match.group()))
        if word in NEGATION_ENDS or (negation_depth is not None and depth < negation_depth):
            negation_depth = None
        if word in head_ends and not depth:
            in_head = False
        words.append(word)
        spans.append(match.span())
        negated.append(negation_depth is not None and word not in NEGATIONS)
        aside.append(depth > 0)
        head.append(in_head)
        if one_word:
            negation_depth, one_word = None, False
        if word in NEGATIONS or (word == "than" and previous == "other"):
            one_word = negation_depth is None and word in WORD_NEGATIONS
            negation_depth = depth if negation_depth is None else min(negation_depth, depth)
        previous, previous_end = word, match.end()
    lines.append(range(line_start, len(words)))
    return AnalysedText(
        tuple(words),
        tuple(spans),
        tuple(negated),
        tuple(aside),
        tuple(head),
        tuple(line for line in lines if line),
        text,
    )


def _match(field: AnalysedText, line: range, alternative: Alternative) -> tuple[float, list[int]]:
    """How well the alternative matches in one line (0: not at all), and the positions it marks.

    A match counts only where the code's text negates it exactly when the query does: typed
    `exacerbation` is not found in `without exacerbation`, typed `without exacerbation` not in
    `with exacerbation` (either is still marked).
    """
    quality = 0.0
    marked: list[int] = []
    if alternative.phrase:
        size = len(alternative.words)
        for start in range(line.start, line.stop - size + 1):
            found = min(
                matcher.quality(field.words[start + offset])
                for offset, matcher in enumerate(alternative.words)
            )
            if found:
                marked.extend(range(start, start + size))
                if field.negated[start] == alternative.words[-1].negated:
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
                if field.negated[i] == matcher.negated:
                    best = max(best, found)
        if not seen:
            return 0.0, []
        quality = min(quality, best)
    return quality, marked


def _concept_match(
    field: AnalysedText, line: range, concept: Concept, marked: set[int]
) -> tuple[float, str]:
    """How well a concept matches in one line (its best way of writing there) and that way's
    `via`; the positions any way of writing it marks are added to `marked`."""
    quality, via = 0.0, ""
    for alternative in concept.alternatives:
        found, positions = _match(field, line, alternative)
        marked.update(positions)
        if found > quality:
            quality, via = found, alternative.via
    return quality, via


def _silent(field: AnalysedText, line: range, concept: Concept) -> bool:
    """Whether the line names the concept nowhere, negated or not."""
    return not any(_match(field, line, alternative)[1] for alternative in concept.alternatives)


def title_fit(title: str, system: str, concepts: Sequence[Concept]) -> tuple[float, float]:
    """How much of the query a code's title holds (each concept's best match in it, as rank reads
    a match, weighted by the concept's weight) and how well the title answers it (_line_fit: what
    it holds, times the share of what it says that the query explains), both 0 to 1. Cheaper
    than rank: the title only (of a code of the system of slug `system`)."""
    head_ends = PCS_HEAD_ENDS if system == PCS else frozenset()
    field = analyse(title, head_ends)
    weights = [concept.weight for concept in concepts]
    if not field.lines or not sum(weights):
        return 0.0, 0.0
    line = field.lines[0]
    marked: set[int] = set()
    qualities = [_concept_match(field, line, concept, marked)[0] for concept in concepts]
    held = sum(q * w for q, w in zip(qualities, weights, strict=True)) / sum(weights)
    return held, _line_fit(field, line, marked, qualities, 1.0, weights)


def title_bound(title: str, concepts: Sequence[Concept]) -> float:
    """At least title_fit's share held, at a fraction of its cost: each concept's best match
    among the title's words, whatever their order and negation (which only lower a match)."""
    if title.isascii():
        words = set(_WORD_SPAN.findall(title.lower()))
    else:
        words = {"".join(words_of(word)) for word in _WORD_SPAN.findall(title)}
    weights = [concept.weight for concept in concepts]
    if not words or not sum(weights):
        return 0.0
    held = 0.0
    for concept, weight in zip(concepts, weights, strict=True):
        held += weight * max(
            min(_best_quality(matcher, words) for matcher in alternative.words)
            for alternative in concept.alternatives
        )
    return held / sum(weights)


def _best_quality(matcher: WordMatcher, words: set[str]) -> float:
    """The matcher's best quality over a set of words (WordMatcher.quality's, without a loop
    where a set answers)."""
    if matcher.typed in words:
        return WEIGHTS.matches.typed
    if not matcher.forms.isdisjoint(words):
        return WEIGHTS.matches.form
    prefix = matcher.prefix
    if prefix and any(word.startswith(prefix) for word in words):
        return WEIGHTS.matches.prefix
    return 0.0


def _line_fit(
    field: AnalysedText,
    line: range,
    marked: set[int],
    qualities: list[float],
    weight: float,
    concept_weights: list[float],
) -> float:
    """How well one line answers the query: how many of the concepts it holds and how well,
    times the share of what it says that the query explains, times the line's weight.

    Joining words, parenthesized nonessential modifiers, `unspecified`/`NOS` (and the site,
    organism ... said to be unspecified) and what a negation excludes (not `non-sterile`: a
    qualifier) say nothing more than the query: `Fracture of hip NOS` is all explained by `hip
    fracture`, `Stress fracture, hip, unspecified` only in part. A line that holds every concept
    and says it is unspecified gets the general bonus.
    """
    explained = 0
    unexplained = 0.0
    general = False
    reported = _reported_undone(field, line)
    for i in line:
        word = field.words[i]
        if word in GENERAL_WORDS or (word == "specified" and field.negated[i]):
            general = True  # `unspecified`, `NOS`, `not (otherwise) specified`
            continue
        # `non-disposable`, `non-sterile` are qualifiers like any other word, not an exclusion.
        qualifier = field.negated[i] and i > line.start and field.words[i - 1] in WORD_NEGATIONS
        if not qualifier and (word in NEGATIONS or field.negated[i]) and i not in reported:
            continue
        if word in GENERAL_NOUNS and any(
            j in line and (field.words[j] in GENERAL_WORDS or field.words[j] in NEGATIONS)
            for j in (i - 1, i + 1)
        ):
            continue
        if i in marked:
            explained += 1
        elif not (field.aside[i] or word in FILLER_WORDS):
            unexplained += 1 if field.head[i] else WEIGHTS.qualifier
    if not explained:
        return 0.0
    held = sum(q * w for q, w in zip(qualities, concept_weights, strict=True))
    fit = weight * held / sum(concept_weights) * explained / (explained + unexplained)
    return fit + (WEIGHTS.general_bonus if general and all(qualities) else 0.0)


# `not classified`, `not specified`: what a default code leaves out, not an act not done.
_NOT_ACTS = frozenset({"classified", "specified"})


def _reported_undone(field: AnalysedText, line: range) -> frozenset[int]:
    """The positions of what a line reports was not done (`not administered within 12 months`,
    `not performed`: a reporting code's point, which a query for the drug or procedure does not
    explain), unlike what a default code says is absent (`without complications`)."""
    reported: set[int] = set()
    words, negated = field.words, field.negated
    for i in line:
        after = i + 1
        if (
            words[i] == "not"
            and after in line
            and words[after].endswith("ed")
            and words[after] not in _NOT_ACTS
        ):
            while after in line and negated[after]:
                reported.add(after)
                after += 1
    return frozenset(reported)


@dataclass
class Ranked:
    """A candidate with its relevance (0 to 1) and the analysed texts its highlights are made of."""

    code: Code
    score: float
    fields: dict[str, AnalysedText]
    marked: dict[str, set[int]]
    # Why it matched where the coder's own words did not: the terminology entries (their `via`)
    # that gave a concept its best match.
    matched_via: tuple[str, ...] = ()


def rank(
    codes: Sequence[Code], concepts: Sequence[Concept], prefer: frozenset[str] = frozenset()
) -> list[Ranked]:
    """Score a block of candidates, best first; ties shortest title first, then in code order.

    WEIGHTS.concept_share of the score is how well each concept matches anywhere, a rare concept
    counting more than a common one (Concept.weight), each by its best match (title > inclusion
    terms > descriptor > lay description, typed word or synonym > a word form > a prefix); the
    rest is how well the best single title or inclusion term answers the whole query
    (_line_fit): the line that holds every concept and says least besides wins, so the general
    code comes before the specific ones and a short `COPD, unspecified` before a long text that
    mentions COPD. A match right after `without`, `no`, `other than` (in the negation's scope,
    analyse) counts only for what the coder typed in a negation's scope too
    (concepts.negation_scoped), and the other way round. A code of a system in `prefer` (the
    query's intent, intent.preferred_systems) gets WEIGHTS.intent_bonus.
    """
    share = WEIGHTS.concept_share
    weights = [concept.weight for concept in concepts]
    total = sum(weights)
    # An ICD-10-PCS title's `with` names its device, never the procedures a coder joins by it
    # (`EGD with esophageal dilation`): there a joining concept is held, whatever the title says.
    joining = [concept.joining for concept in concepts]
    absent = [concept.absent for concept in concepts]
    ranked = []
    for code in codes:
        pcs = code.system.slug == PCS
        head_ends = PCS_HEAD_ENDS if pcs else frozenset()
        fields = {name: analyse(getattr(code, name), head_ends) for name, _ in _FIELDS}
        marked: dict[str, set[int]] = {name: set() for name in fields}
        best = [0.0] * len(concepts)
        best_via = [""] * len(concepts)
        fit = 0.0
        for name, weight in _FIELDS:
            field = fields[name]
            for line in field.lines:
                qualities = []
                for n, concept in enumerate(concepts):
                    if pcs and joining[n]:
                        quality, via = 1.0, ""
                    else:
                        quality, via = _concept_match(field, line, concept, marked[name])
                        if not quality and absent[n] and _silent(field, line, concept):
                            quality = WEIGHTS.matches.silent
                    if weight * quality > best[n]:
                        best[n], best_via[n] = weight * quality, via
                    qualities.append(quality)
                if name in _LINES:
                    line_fit = _line_fit(
                        field, line, marked[name], qualities, _LINES[name], weights
                    )
                    fit = max(fit, line_fit)
        held = sum(b * w for b, w in zip(best, weights, strict=True))
        score = share * held / total + (1 - share) * fit
        if code.system.slug in prefer and score:
            score = min(score + WEIGHTS.intent_bonus, 1.0)
        vias = tuple(dict.fromkeys(via for via in best_via if via))
        ranked.append(Ranked(code, round(score, 4), fields, marked, vias))
    defaults = {id(r): default_key(r.code.title, r.code.inclusion_terms) for r in ranked}
    ranked.sort(
        key=lambda r: (
            -r.score,
            defaults[id(r)],
            len(r.code.title),
            r.code.system.position,
            r.code.code,
        )
    )
    return _siblings_in_code_order(ranked, defaults)


# How default_key orders codes: its parts, compared in turn.
DefaultKey = tuple[int, bool, bool, bool, int]


def default_key(title: str, inclusion_terms: str) -> DefaultKey:
    """How a code ranks among codes that answer the query as well, best first: the one that
    says `unspecified` most (or `uncomplicated`, or whose inclusion terms say `NOS`: where the
    index sends the plain term), then type 2 diabetes (ICD-10-CM I.C.4.a.2: diabetes of no
    type documented is type 2; a query naming a type finds that type's titles first anyway),
    then an initial encounter (I.C.19.a: what an injury is coded as while it is treated), then
    a fracture's routine healing (I.C.19.c.1: delayed healing, nonunion and malunion are coded
    when documented)."""
    title = title.lower()
    nos = (
        [
            len(line.split())
            for line in inclusion_terms.splitlines()
            if line.rstrip().endswith(" NOS")
        ]
        if " NOS" in inclusion_terms
        else []
    )
    # Of two codes saying NOS, the one with the plainer NOS term (`Inguinal hernia NOS` beside
    # `Bilateral inguinal hernia NOS`): where the index sends the plain term.
    return (
        -(title.count("unspecified") + bool(nos) + any(plain in title for plain in _PLAIN)),
        "type 2 diabetes" not in title,
        "initial encounter" not in title,
        any(healing in title for healing in _HEALING_DOCUMENTED),
        min(nos, default=0),
    )


# What a title says of the code a condition takes when nothing more is documented, as
# `unspecified` does (F12.90 `Cannabis use, unspecified, uncomplicated` under F12.9).
_PLAIN = ("uncomplicated", "without complication")
# The healing of a fracture a subsequent encounter codes only when it is documented.
_HEALING_DOCUMENTED = ("delayed healing", "nonunion", "malunion")


def _siblings_in_code_order(ranked: list[Ranked], defaults: dict[int, DefaultKey]) -> list[Ranked]:
    """Among codes that tie (score and default_key, `defaults` by id of the Ranked), siblings
    (codes that differ in their last character only) in code order, not shortest title first:
    the code set orders them as a coder picks (a closed fracture's initial encounter, A, before
    an open one's, B: I.C.19.c.1). Not ICD-10-PCS codes: their last character is a qualifier
    whose values come in no order a coder picks by, and the one that says least (`No Qualifier`,
    the shortest title: a stent placed, not a bifurcation's) is the default."""
    start = 0
    while start < len(ranked):
        tie = (ranked[start].score, defaults[id(ranked[start])])
        end = start + 1
        while end < len(ranked) and (ranked[end].score, defaults[id(ranked[end])]) == tie:
            end += 1
        if end - start > 1:
            groups: dict[tuple[int, str], list[int]] = {}
            for n in range(start, end):
                code = ranked[n].code
                if code.system.slug != PCS:
                    groups.setdefault((code.system_id, code.code[:-1]), []).append(n)
            for positions in groups.values():
                if len(positions) > 1:
                    siblings = sorted((ranked[n] for n in positions), key=lambda r: r.code.code)
                    for n, item in zip(positions, siblings, strict=True):
                        ranked[n] = item
        start = end
    return ranked
