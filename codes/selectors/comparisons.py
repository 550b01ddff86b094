"""Comparisons: the notes between 2-4 codes aligned to them as columns, the pairs no note
covers, the notes leading to codes not shown, and the filtered note list."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import combinations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from codes.codebook.claim import ClaimRow, claim_rows
from codes.codebook.pages import claim_for
from codes.models import Code, CodeSystem, ComparisonNote, ComparisonNoteQuerySet, Differentiator
from codes.selectors.as_of import NoteWithRows, codes_as_of, end_of_day, notes_as_of
from codes.selectors.codes import (
    MAX_COMPARE,
    CodeLookupError,
    compare_tokens,
    notes_for_codes,
    notices_for,
    tokens_by_code,
)
from codes.selectors.releases import CodeInForce, code_with_text, codes_in_force


@dataclass
class DifferentiatorRow:
    """One label of a note, with a cell for every shown code in column order: the code and
    its value, None where the note does not cover that code."""

    label: str
    cells: list[tuple[Code, str | None]]

    @property
    def values(self) -> list[str | None]:
        return [value for _, value in self.cells]


@dataclass
class NoteInComparison:
    note: ComparisonNote
    rows: list[DifferentiatorRow]


@dataclass
class RelatedNote:
    """A note between a shown code and a code that is not shown."""

    note: ComparisonNote
    shown: Code
    other: Code


@dataclass
class ComparisonHead:
    """Which codes a comparison shows (in column order), how its URL writes them and on which
    day: what its links and a page's controls need, without reading its notes."""

    codes: list[Code]
    tokens: list[str]  # how each code is written in the comparison's URL
    as_of: date | None = None

    @property
    def is_full(self) -> bool:
        return len(self.codes) >= MAX_COMPARE


def comparison_head(codes: Sequence[Code], *, as_of: date | None = None) -> ComparisonHead:
    """The head of the comparison of these codes (from `codes_for_tokens`), in this order."""
    codes = list(codes)
    return ComparisonHead(codes, compare_tokens(codes), as_of)


@dataclass
class Comparison(ComparisonHead):
    """Everything one comparison shows, built once for the page, the API and the exports
    (their URLs and marked texts: `codes.presenters`).

    With `as_of`, the codes and notes are their states at the end of that day (UTC), rebuilt
    from history (see `comparison_for`).
    """

    notes: list[NoteInComparison] = field(default_factory=list)
    pairs_without_note: list[tuple[Code, Code]] = field(default_factory=list)
    related: list[RelatedNote] = field(default_factory=list)
    notice_systems: list[CodeSystem] = field(default_factory=list)

    @property
    def releases(self) -> list[str]:
        """The releases whose official texts its columns show instead of today's ("ICD-10-CM
        FY2023": a column's `@FY2023`, or as of a day the release in force), once each."""
        return list(
            dict.fromkeys(
                f"{code.system.name} {code.release_label}"
                for code in self.codes
                if code.release_label
            )
        )

    @cached_property
    def claim(self) -> list[ClaimRow]:
        """What each code does to a claim on the comparison's day, aligned to the columns."""
        on = self.as_of or timezone.localdate()
        return claim_rows([claim_for(code, on=on) for code in self.codes])


def _comparison(
    codes: list[Code], notes: Iterable[NoteWithRows], tokens: list[str], as_of: date | None
) -> Comparison:
    """The notes between `codes` aligned to them as columns, and the pairs no note covers."""
    column = {code.pk: index for index, code in enumerate(codes)}
    notes = sorted(
        notes, key=lambda entry: sorted((column[entry[0].code_a_id], column[entry[0].code_b_id]))
    )
    entries = []
    for note, differentiators in notes:
        rows = []
        for row in differentiators:
            value_of = {note.code_a_id: row.value_a, note.code_b_id: row.value_b}
            cells = [(code, value_of.get(code.pk)) for code in codes]
            rows.append(DifferentiatorRow(label=row.label, cells=cells))
        entries.append(NoteInComparison(note=note, rows=rows))
    covered = {frozenset((note.code_a_id, note.code_b_id)) for note, _ in notes}
    return Comparison(
        codes=codes,
        tokens=tokens,
        notes=entries,
        pairs_without_note=[
            (a, b)
            for a, b in combinations(codes, 2)
            if a.pk != b.pk and frozenset((a.pk, b.pk)) not in covered
        ],
        related=[],
        notice_systems=notices_for(codes),
        as_of=as_of,
    )


def comparison_for(codes: Sequence[Code], *, as_of: date | None = None) -> Comparison:
    """The comparison of these codes (from `codes_for_tokens`), in this order: the notes
    between them with differentiators aligned to the columns, the pairs no note covers yet,
    and the notes that lead from a shown code to one not shown.

    With `as_of`, the official texts of a code whose system had a release in force that day
    are that release's (`Code.release_label`; CodeLookupError when the code was not valid
    then), a column of a release (`I71.51@FY2023`) keeps its release, and every other text
    (the other fields, notes, differentiators) is as it was at the end of that day (UTC), from
    history; no notes leading out are listed. NotRecordedYet when a code no release had then
    has no recorded state by then. See `codes_as_of` and `notes_as_of` for how history is read.
    """
    codes = list(codes)
    if as_of is not None:
        tokens = compare_tokens(codes)
        moment = end_of_day(as_of)
        in_force = codes_in_force([code for code in codes if not code.release_label], as_of)
        released = {code.pk for code in codes if code.release_label or in_force.get(code.pk)}
        states, texts_changed = codes_as_of(codes, moment, as_of, released=released)
        codes = [
            _official_then(code, state, in_force.get(code.pk), as_of)
            for code, state in zip(codes, states, strict=True)
        ]
        return _comparison(codes, notes_as_of(codes, moment, texts_changed), tokens, as_of)
    notes = [(note, list(note.differentiators.all())) for note in notes_for_codes(codes=codes)]
    comparison = _comparison(codes, notes, compare_tokens(codes), as_of)
    column = {code.pk: index for index, code in enumerate(codes)}
    ids = list(column)
    leading_out = (
        ComparisonNote.objects.filter(Q(code_a__in=ids) | Q(code_b__in=ids))
        .exclude(code_a__in=ids, code_b__in=ids)
        .select_related("code_a__system", "code_b__system")
    )
    for note in leading_out:
        shown = note.code_a if note.code_a_id in column else note.code_b
        comparison.related.append(RelatedNote(note, shown, note.other_code(shown)))
    comparison.related.sort(key=lambda related: (column[related.shown.pk], related.other.code))
    return comparison


def _official_then(code: Code, state: Code, then: CodeInForce | None, day: date) -> Code:
    """A code's state at the end of `day` (`state`) with the official texts it had then: those
    of its column's release (`code`, from `I71.51@FY2023`), else of the release in force."""
    if code.release_label:
        return code_with_text(state, code.release_label, (code.title, code.descriptor))
    if then is None:
        return state
    if then.text is None:
        raise CodeLookupError(
            f"{code.code} was not a valid code on {day.isoformat()}: {code.system.name} "
            f"{then.release.label} was in force then. Its page lists the releases that had it; "
            "choose a day of one of them, or leave out the date."
        )
    return code_with_text(state, then.release.label, then.text)


def comparisons_for_notes(notes: ComparisonNoteQuerySet) -> list[Comparison]:
    """One comparison per note (its two codes, in stored order), in the queryset's order, in
    a fixed number of queries however many notes there are (bulk exports)."""
    listed = list(
        notes.with_review_flag()
        .select_related("code_a__system", "code_b__system")
        .prefetch_related("differentiators")
    )
    token_of = tokens_by_code(code for note in listed for code in (note.code_a, note.code_b))
    return [
        _comparison(
            [note.code_a, note.code_b],
            [(note, list(note.differentiators.all()))],
            [token_of[note.code_a_id], token_of[note.code_b_id]],
            None,
        )
        for note in listed
    ]


def comparison_notes_filtered(
    *, system: str | None = None, code: str | None = None, text: str | None = None
) -> ComparisonNoteQuerySet:
    """Comparison notes, narrowed by a system slug, a code (or its start, either side of the
    pair, in any system's spelling: ICD-10-CM with or without its dot) and words that must
    all appear in the summary, body, source, either code's title or a differentiator."""
    notes = ComparisonNote.objects.select_related("code_a__system", "code_b__system")
    if system:
        notes = notes.filter(Q(code_a__system__slug=system) | Q(code_b__system__slug=system))
    if code:
        spellings = {code.strip().upper()} | {
            each.normalize_code(code) for each in CodeSystem.objects.all()
        }
        notes = notes.filter(
            Q(
                *[
                    Q(code_a__code__startswith=spelling) | Q(code_b__code__startswith=spelling)
                    for spelling in sorted(spellings)
                ],
                _connector=Q.OR,
            )
        )
    for word in (text or "").split():
        in_rows = Differentiator.objects.filter(note=OuterRef("pk")).filter(
            Q(label__icontains=word) | Q(value_a__icontains=word) | Q(value_b__icontains=word)
        )
        notes = notes.filter(
            Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Q(source__icontains=word)
            | Q(code_a__title__icontains=word)
            | Q(code_b__title__icontains=word)
            | Exists(in_rows)
        )
    return notes
