"""Reads that span models: a code, its neighbours, the comparison notes that name it,
revisions and what they changed."""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import combinations
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from codes.codebook.claim import ClaimRow, claim_rows
from codes.codebook.pages import claim_for
from codes.diff import word_diff
from codes.history import FieldChange, Revision, field_changes, pair_with_previous, row_changes
from codes.models import BASELINE_REASON, Code, CodeSystem, ComparisonNote, Differentiator

# What any code looks like, whatever its system: checked before a value reaches a query (a NUL
# byte, say, is an error in PostgreSQL, not a miss).
CODE_SHAPE = re.compile(r"[0-9A-Za-z.]{1,16}")


def code_get(*, system_slug: str, code: str) -> Code:
    """The code of that system, whatever the case or dot spelling; 404 if there is none."""
    if not CODE_SHAPE.fullmatch(code.strip()):
        raise Http404("Not a code.")
    system = get_object_or_404(CodeSystem, slug=system_slug.lower())
    return get_object_or_404(
        Code.objects.select_related("system"), system=system, code=system.normalize_code(code)
    )


def code_neighbours(*, code: Code) -> tuple[Code | None, Code | None]:
    """The previous and next code in the same section, in code order."""
    same_section = Code.objects.filter(system=code.system_id, section_path=code.section_path)
    previous = same_section.filter(code__lt=code.code).order_by("-code").first()
    following = same_section.filter(code__gt=code.code).order_by("code").first()
    return previous, following


def notes_for_codes(*, codes: Iterable[Code]) -> QuerySet[ComparisonNote]:
    """Every comparison note between two of the given codes."""
    ids = [code.pk for code in codes]
    return (
        ComparisonNote.objects.filter(code_a__in=ids, code_b__in=ids)
        .with_review_flag()
        .select_related("code_a__system", "code_b__system")
        .prefetch_related("differentiators")
    )


def notes_naming(*, code: Code) -> QuerySet[ComparisonNote]:
    """Every comparison note that names this code, on either side."""
    return ComparisonNote.objects.filter(Q(code_a=code) | Q(code_b=code)).select_related(
        "code_a__system", "code_b__system"
    )


def notices_for(codes: Iterable[Code]) -> list[CodeSystem]:
    """The code systems whose copyright notices a page showing these codes must carry."""
    systems = {code.system.pk: code.system for code in codes}
    return sorted(
        (system for system in systems.values() if system.copyright_notice),
        key=lambda system: (system.position, system.slug),
    )


class CodeLookupError(ValueError):
    """A comparison request that cannot be answered; the message says what to type instead."""


MIN_COMPARE, MAX_COMPARE = 2, 4
# Longer than any system slug, colon and code together: not worth a query, nor echoing in full.
MAX_TOKEN_LENGTH = 50


def codes_for_tokens(raw: str) -> list[Code]:
    """The codes named by `63707,63709` or `icd10cm:G96.00,...`, in the order given.

    Raises CodeLookupError with a message for a coder when a token is unknown or ambiguous,
    when a code is named twice, or when there are fewer than 2 or more than 4 codes.
    """
    tokens = [token.strip() for token in raw.replace(" ", ",").split(",") if token.strip()]
    if len(tokens) < MIN_COMPARE:
        named = f"You named only {tokens[0]!r}. " if tokens else ""
        raise CodeLookupError(
            f"{named}Name at least two codes to compare, separated by commas, "
            "for example 63707,63709."
        )
    if len(tokens) > MAX_COMPARE:
        raise CodeLookupError(
            f"A comparison shows at most {MAX_COMPARE} codes; you named {len(tokens)}. "
            "Leave out the ones you do not need."
        )
    systems = {system.slug: system for system in CodeSystem.objects.all()}
    found: list[Code] = []
    for token in tokens:
        found.append(_code_for_token(token, systems))
    seen: set[int] = set()
    for code in found:
        if code.pk in seen:
            raise CodeLookupError(
                f"{code.code} is named twice; name each code once, for example "
                f"?codes={code.code},<another code>."
            )
        seen.add(code.pk)
    return found


def _spellings(value: str, systems: Iterable[CodeSystem]) -> Q:
    """Matches the code `value` names in any of these systems, in each system's spelling."""
    return Q(
        *[Q(system=system, code=system.normalize_code(value)) for system in systems],
        _connector=Q.OR,
    )


def _code_for_token(token: str, systems: dict[str, CodeSystem]) -> Code:
    if len(token) > MAX_TOKEN_LENGTH:
        raise CodeLookupError(f"{token[:20]!r}... is too long to be a code.")
    slug, sep, value = token.partition(":")
    if sep:
        system = systems.get(slug.strip().lower())
        if system is None:
            known = ", ".join(sorted(systems))
            raise CodeLookupError(f"{token!r}: unknown code system {slug!r} (known: {known}).")
        candidates = [system]
    else:
        value = token
        candidates = list(systems.values())
    if not CODE_SHAPE.fullmatch(value.strip()):
        raise CodeLookupError(
            f"{token!r} is not a code: codes are letters, digits and dots, like 63709 or E11.65."
        )
    matches = list(Code.objects.select_related("system").filter(_spellings(value, candidates)))
    if not matches:
        raise CodeLookupError(f"No code {token!r} was found. Check the code and its system.")
    if len(matches) > 1:
        options = ", ".join(f"{code.system.slug}:{code.code}" for code in matches)
        raise CodeLookupError(
            f"{token!r} exists in more than one code system; write one of {options}."
        )
    return matches[0]


def compare_tokens(codes: Sequence[Code]) -> list[str]:
    """How each code is written in a comparison URL: the bare code where that names only this
    code, `system:code` where the bare code exists in another system too."""
    token_of = _tokens_by_code(codes)
    return [token_of[code.pk] for code in codes]


def _tokens_by_code(codes: Iterable[Code]) -> dict[int, str]:
    """`compare_tokens` for any number of codes, in two queries: {code id: token}."""
    codes = list(codes)
    systems = list(CodeSystem.objects.all())
    named = {
        code.pk: {(system.pk, system.normalize_code(code.code)) for system in systems}
        for code in codes
    }
    spellings = {spelling for pairs in named.values() for _, spelling in pairs}
    existing = set(Code.objects.filter(code__in=spellings).values_list("system_id", "code"))
    return {
        code.pk: code.code
        if len(named[code.pk] & existing) == 1
        else f"{code.system.slug}:{code.code}"
        for code in codes
    }


def compare_url(tokens: Sequence[str], **params: str) -> str:
    """The comparison page for these code tokens, in this order, with extra query parameters."""
    query = urlencode({"codes": ",".join(tokens), **params}, safe=",:")
    return f"{reverse('codes:compare')}?{query}"


def _marks_params(marks: bool) -> dict[str, str]:
    return {} if marks else {"marks": "off"}


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
    add_url: str | None  # the comparison with `other` added; None when it is full


@dataclass
class ColumnText:
    html: SafeString
    too_different: bool = False  # from the first column's text to be marked word by word


def marked_text(base: str, text: str, *, cues: bool = True) -> ColumnText:
    """`text` with the words it adds to or drops from `base` marked (escaped HTML), unless
    either is blank or they are worded too differently for word marks to help. `cues`: see
    `word_diff`."""
    if base.strip() and text.strip():
        marked = word_diff(base, text, min_similarity=MIN_SIMILARITY, cues=cues)
        return ColumnText(marked) if marked else ColumnText(escape(text), too_different=True)
    return ColumnText(escape(text))


@dataclass
class Column:
    """One code as the page shows it: texts marked against the first column, and its moves."""

    code: Code
    title: ColumnText
    descriptor: ColumnText
    lay_description: ColumnText
    remove_url: str | None
    move_left_url: str | None


DIFFERED_FIELDS = ("title", "descriptor", "lay_description")
# Look-alike titles and descriptors share well over half their words; independently written
# lay descriptions share under a third, and marking those would stripe the whole text.
MIN_SIMILARITY = 0.4


@dataclass
class Comparison:
    """Everything one comparison shows, built once for the page, the API and the exports.

    With `as_of`, the codes and notes are their states at the end of that day (UTC), rebuilt
    from history (see `comparison_for`), and every URL keeps the date.
    """

    codes: list[Code]
    tokens: list[str]
    notes: list[NoteInComparison]
    pairs_without_note: list[tuple[Code, Code]]
    related: list[RelatedNote]
    notice_systems: list[CodeSystem]
    as_of: date | None = None

    @property
    def url(self) -> str:
        return self.page_url()

    def _params(self, *, marks: bool = True) -> dict[str, str]:
        as_of = {"as_of": self.as_of.isoformat()} if self.as_of else {}
        return {**_marks_params(marks), **as_of}

    def page_url(self, *, marks: bool = True) -> str:
        return compare_url(self.tokens, **self._params(marks=marks))

    def current_url(self) -> str:
        """The same comparison with today's texts."""
        return compare_url(self.tokens)

    @property
    def is_full(self) -> bool:
        return len(self.codes) >= MAX_COMPARE

    def url_adding(self, code: Code) -> str:
        return compare_url([*self.tokens, f"{code.system.slug}:{code.code}"], **self._params())

    def columns(self, *, marks: bool = True) -> list[Column]:
        """The codes as columns; with `marks`, each text after the first column's marks the
        words it adds to or drops from the first column's text."""
        params = self._params(marks=marks)
        first = self.codes[0]
        columns = []
        for index, code in enumerate(self.codes):
            texts = {}
            for field in DIFFERED_FIELDS:
                base, text = getattr(first, field), getattr(code, field)
                marked = marks and index > 0
                texts[field] = marked_text(base, text) if marked else ColumnText(escape(text))
            others = self.tokens[:index] + self.tokens[index + 1 :]
            remove_url = compare_url(others, **params) if len(others) >= MIN_COMPARE else None
            move_left_url = None
            if index:
                moved = list(self.tokens)
                moved[index - 1], moved[index] = moved[index], moved[index - 1]
                move_left_url = compare_url(moved, **params)
            columns.append(
                Column(code, **texts, remove_url=remove_url, move_left_url=move_left_url)
            )
        return columns

    @cached_property
    def claim(self) -> list[ClaimRow]:
        """What each code does to a claim on the comparison's day, aligned to the columns."""
        on = self.as_of or timezone.localdate()
        return claim_rows([claim_for(code, on=on) for code in self.codes])

    def as_document(self) -> dict[str, Any]:
        """The comparison as plain data (the JSON API; exports serialise the same document).

        Each differentiator's `values` has one entry per code in `codes`, in that order, and
        null where the note does not cover that code. `as_of` is the day the texts are from
        (null: the current texts).
        """
        return {
            "url": self.url,
            "as_of": _isoformat(self.as_of),
            "codes": [code_document(code) for code in self.codes],
            "notes": [
                {
                    "codes": [_code_key(entry.note.code_a), _code_key(entry.note.code_b)],
                    "summary": entry.note.summary,
                    "body": entry.note.body,
                    "source": entry.note.source,
                    "version": entry.note.version,
                    "updated_at": entry.note.updated_at.isoformat(),
                    "needs_review": entry.note.needs_review,
                    "reviewed_at": _isoformat(entry.note.reviewed_at),
                    "differentiators": [
                        {"label": row.label, "values": row.values} for row in entry.rows
                    ],
                }
                for entry in self.notes
            ],
            "pairs_without_note": [
                [_code_key(a), _code_key(b)] for a, b in self.pairs_without_note
            ],
            "claim": [row.as_json() for row in self.claim],
            "notices": [
                {"system": system.slug, "notice": system.copyright_notice}
                for system in self.notice_systems
            ],
        }


def _code_key(code: Code) -> dict[str, str]:
    return {"system": code.system.slug, "code": code.code}


def _isoformat(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def code_document(code: Code) -> dict[str, Any]:
    """A code's fields as plain data: the API's and the exports' shape of a code."""
    return {
        **_code_key(code),
        "system_name": code.system.name,
        "title": code.title,
        "descriptor": code.descriptor,
        "lay_description": code.lay_description,
        "sections": code.sections,
        "inclusion_terms": [term for term in code.inclusion_terms.splitlines() if term.strip()],
        "status": code.status,
        "instructional_notes": code.instructional_notes,
        "effective_date": _isoformat(code.effective_date),
        "end_date": _isoformat(code.end_date),
        "version": code.version,
        "updated_at": code.updated_at.isoformat(),
        "url": code.get_absolute_url(),
    }


NoteWithRows = tuple[ComparisonNote, list[Differentiator]]


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
            (a, b) for a, b in combinations(codes, 2) if frozenset((a.pk, b.pk)) not in covered
        ],
        related=[],
        notice_systems=notices_for(codes),
        as_of=as_of,
    )


def comparison_for(codes: Sequence[Code], *, as_of: date | None = None) -> Comparison:
    """The comparison of these codes (from `codes_for_tokens`), in this order: the notes
    between them with differentiators aligned to the columns, the pairs no note covers yet,
    and the notes that lead from a shown code to one not shown.

    With `as_of`, every text (codes, notes, differentiators) is as it was at the end of that
    day (UTC), from history, and no notes leading out are listed; NotRecordedYet when a code
    has no recorded state by then. See `_codes_as_of` and `_notes_as_of` for how history is
    read.
    """
    codes = list(codes)
    if as_of is not None:
        moment = end_of_day(as_of)
        codes, texts_changed = _codes_as_of(codes, moment, as_of)
        return _comparison(
            codes, _notes_as_of(codes, moment, texts_changed), compare_tokens(codes), as_of
        )
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
        other = note.other_code(shown)
        add_url = None if comparison.is_full else comparison.url_adding(other)
        comparison.related.append(RelatedNote(note, shown, other, add_url))
    comparison.related.sort(key=lambda related: (column[related.shown.pk], related.other.code))
    return comparison


def comparisons_for_notes(notes: QuerySet[ComparisonNote]) -> list[Comparison]:
    """One comparison per note (its two codes, in stored order), in the queryset's order, in
    a fixed number of queries however many notes there are (bulk exports)."""
    notes = list(
        notes.with_review_flag()
        .select_related("code_a__system", "code_b__system")
        .prefetch_related("differentiators")
    )
    token_of = _tokens_by_code(code for note in notes for code in (note.code_a, note.code_b))
    return [
        _comparison(
            [note.code_a, note.code_b],
            [(note, list(note.differentiators.all()))],
            [token_of[note.code_a_id], token_of[note.code_b_id]],
            None,
        )
        for note in notes
    ]


# --- A comparison as it was at the end of a day ---------------------------------------------


class NotRecordedYet(CodeLookupError):
    """A comparison asked for as of a day when one of its codes was not in coderef yet."""


def end_of_day(day: date) -> datetime:
    """The first moment after `day` (UTC): a state "as of" that day is the last one before."""
    return _start_of(day + timedelta(days=1))


def _records_by_row(model: type[models.Model], rows: Q) -> dict[int, list[Any]]:
    """The historical records of the rows `rows` selects, oldest first, by row id."""
    by_row: dict[int, list[Any]] = defaultdict(list)
    for record in model.history.filter(rows).order_by("history_date", "history_id"):
        by_row[record.id].append(record)
    return by_row


def _state_at(records: list[Any], moment: datetime, *, undated: bool = False) -> Any | None:
    """Of one row's records (oldest first), the one in force just before `moment`; None when
    the row did not exist then.

    `undated`: the row keeps no timestamp of its own (a difference row), so a first record
    that is not its creation (the baseline recorded before its first edit, or its deletion)
    also stands for the state it had before it was recorded.
    """
    earlier = [record for record in records if record.history_date < moment]
    if earlier:
        return earlier[-1] if earlier[-1].history_type != "-" else None
    if undated and records[0].history_type != "+":
        return records[0]
    return None


def _state_instance(record: Any) -> models.Model:
    """The row as a historical record holds it, without a query (fields the history leaves
    out keep their defaults)."""
    model = record.instance_type
    tracked = model.history.model.tracked_fields
    return model(**{field.attname: getattr(record, field.attname) for field in tracked})


def _texts_changed_at(records: list[Any], moment: datetime) -> datetime | None:
    """When a text of a code last changed before `moment`, from its records (the stored
    `Code.texts_changed_at` is today's answer and is not kept in history)."""
    earlier = [record for record in records if record.history_date < moment]
    changed = None
    for previous, record in zip(earlier, earlier[1:], strict=False):
        if any(getattr(previous, name) != getattr(record, name) for name in Code.TEXT_FIELDS):
            changed = record.history_date
    return changed


def _codes_as_of(
    codes: list[Code], moment: datetime, day: date
) -> tuple[list[Code], dict[int, datetime | None]]:
    """Each code as it was just before `moment`, and when its texts last changed by then.

    A code without history has been as stored since its `updated_at` (a baseline revision,
    recorded before its first edit, carries that date too); before it, the code was not in
    coderef and NotRecordedYet is raised.
    """
    systems = CodeSystem.objects.in_bulk()
    histories = _records_by_row(Code, Q(id__in=[code.pk for code in codes]))
    states, texts_changed = [], {}
    for code in codes:
        records = histories.get(code.pk)
        if records:
            record = _state_at(records, moment)
            state = _state_instance(record) if record is not None else None
            first_known = records[0].history_date
            texts_changed[code.pk] = _texts_changed_at(records, moment)
        else:
            state = code if code.updated_at < moment else None
            first_known, texts_changed[code.pk] = code.updated_at, code.texts_changed_at
        if state is None:
            raise NotRecordedYet(
                f"{code.code} was not in coderef yet at the end of {day.isoformat()} (UTC): "
                f"its first recorded state is from {first_known:%Y-%m-%d %H:%M} UTC. "
                "Choose that day or a later one."
            )
        state.system = systems[state.system_id]
        states.append(state)
    return states, texts_changed


def _notes_as_of(
    codes: list[Code], moment: datetime, texts_changed: dict[int, datetime | None]
) -> list[NoteWithRows]:
    """The notes between `codes` as they were just before `moment`, each with its difference
    rows as they were then.

    A note without history has been as stored since its `updated_at`. A difference row keeps
    no date of its own: one without history, or whose first record is its baseline, is taken
    to have been as first recorded for as long as its note existed. A note's review flag is
    worked out as the page would have shown it then, except that only the latest review is
    known: a review after that day counts as none (so the flag errs towards "needs review").
    """
    code_of = {code.pk: code for code in codes}
    between = Q(code_a__in=list(code_of), code_b__in=list(code_of))
    ever_between = Q(id__in=Subquery(ComparisonNote.history.filter(between).values("id")))
    current = ComparisonNote.objects.filter(between | ever_between).in_bulk()
    histories = _records_by_row(ComparisonNote, ever_between | Q(id__in=list(current)))
    notes = {}
    for note_id in set(current) | set(histories):
        if note_id in histories:
            record = _state_at(histories[note_id], moment)
            note = _state_instance(record) if record is not None else None
        else:
            note = current[note_id] if current[note_id].updated_at < moment else None
        if note is None or not {note.code_a_id, note.code_b_id} <= set(code_of):
            continue
        note.code_a, note.code_b = code_of[note.code_a_id], code_of[note.code_b_id]
        reviewed_at = current[note_id].reviewed_at if note_id in current else None
        note.reviewed_at = reviewed_at if reviewed_at and reviewed_at < moment else None
        basis = note.reviewed_at or note.updated_at
        note.review_flag = any(
            (texts_changed[code_id] or basis) > basis
            for code_id in (note.code_a_id, note.code_b_id)
        )
        notes[note_id] = note
    rows = _rows_as_of(list(notes), moment)
    return [(note, rows[note_id]) for note_id, note in notes.items()]


def _rows_as_of(note_ids: list[int], moment: datetime) -> dict[int, list[Differentiator]]:
    """The difference rows of these notes just before `moment`, by note id, in row order."""
    rows: dict[int, list[Differentiator]] = defaultdict(list)
    histories = _records_by_row(Differentiator, Q(note_id__in=note_ids))
    for row in Differentiator.objects.filter(note__in=note_ids):
        if row.pk not in histories:
            rows[row.note_id].append(row)
    for records in histories.values():
        record = _state_at(records, moment, undated=True)
        if record is not None and record.note_id in note_ids:
            rows[record.note_id].append(_state_instance(record))
    for note_rows in rows.values():
        note_rows.sort(key=lambda row: (row.position, row.pk))
    return rows


def comparison_notes_filtered(
    *, system: str | None = None, code: str | None = None, text: str | None = None
) -> QuerySet[ComparisonNote]:
    """Comparison notes, narrowed by a system slug, a code (or its start, either side of the
    pair, ICD-10-CM with or without its dot) and words that must all appear in the summary,
    body, source, either code's title or a differentiator."""
    notes = ComparisonNote.objects.select_related("code_a__system", "code_b__system")
    if system:
        notes = notes.filter(Q(code_a__system__slug=system) | Q(code_b__system__slug=system))
    if code:
        code = code.strip().upper()
        spellings = [code]
        if len(code) > 3 and "." not in code:
            spellings.append(f"{code[:3]}.{code[3:]}")  # ICD-10-CM typed without its dot
        notes = notes.filter(
            Q(
                *[
                    Q(code_a__code__startswith=spelling) | Q(code_b__code__startswith=spelling)
                    for spelling in spellings
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


# --- History: timelines, conflicts, what changed ---------------------------------------------


def _history(model: type[models.Model]) -> QuerySet:
    related = [field.name for field in model.history.model.tracked_fields if field.is_relation]
    return model.history.select_related("history_user", *related)


def object_revisions(obj: models.Model) -> list[Revision]:
    """Every revision of `obj`, newest first; a note's include its difference rows' revisions."""
    model = type(obj)
    revisions = [
        Revision(record, previous)
        for record, previous in pair_with_previous(_history(model).filter(id=obj.pk))
    ]
    if isinstance(obj, ComparisonNote):
        rows = _history(Differentiator).filter(note_id=obj.pk)
        revisions += [
            Revision(record, previous, title=f"Difference row “{record.label}”")
            for record, previous in pair_with_previous(rows)
        ]
    revisions.sort(key=lambda rev: (rev.record.history_date, rev.record.history_id), reverse=True)
    return revisions


def _with_previous(model: type[models.Model], records: QuerySet) -> list[tuple[Any, Any | None]]:
    """(record, the record before it of the same row) for each of `records`, in two queries."""
    earlier = (
        model.history.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    shown = list(records.annotate(previous_id=Subquery(earlier)))
    previous = _history(model).in_bulk([record.previous_id for record in shown])
    return [(record, previous.get(record.previous_id)) for record in shown]


def revision_get(*, obj: models.Model, history_id: int) -> Revision:
    """One revision of `obj` with the one before it; 404 when `obj` has no such revision."""
    model = type(obj)
    found = _with_previous(model, _history(model).filter(id=obj.pk, history_id=history_id))
    if not found:
        raise Http404(f"{obj} has no revision {history_id}.")
    return Revision(*found[0])


def note_rows_at(record: Any) -> dict[int, Any]:
    """A note's difference rows as they were at this revision of the note, by row id.

    The admin saves a note before its rows, so a revision's rows are those recorded before
    the note's next revision (or the current rows when there is none).
    """
    following = (
        ComparisonNote.history.filter(id=record.id, history_date__gt=record.history_date)
        .order_by("history_date")
        .first()
    )
    if following is None:
        rows = Differentiator.objects.filter(note_id=record.id)
    else:
        rows = Differentiator.history.as_of(following.history_date).filter(note_id=record.id)
    return {row.pk: row for row in rows}


def _rows_of(state: Any) -> dict[int, Any]:
    if isinstance(state, ComparisonNote):
        return {row.pk: row for row in state.differentiators.all()}
    return note_rows_at(state)


def changes_between(old: Any, new: Any) -> list[FieldChange]:
    """What changed from one state of a row to another (each the live object or a revision);
    for a comparison note, its difference rows too."""
    model = getattr(old, "instance_type", type(old))
    changes = field_changes(model, old, new)
    if model is ComparisonNote:
        changes += row_changes(_rows_of(old), _rows_of(new))
    return changes


@dataclass
class EditConflict:
    """What others saved since an editor opened a versioned object."""

    opened_version: int | None
    saves: list[Any]  # the revisions saved since, oldest first
    changes: list[FieldChange]  # from the opened version to the current one
    current_version: int

    @property
    def editors(self) -> str:
        names = {str(record.history_user or "someone") for record in self.saves}
        return ", ".join(sorted(names)) or "someone"


def edit_conflict(*, obj: models.Model, opened_version: int | None) -> EditConflict:
    """Who saved `obj` after `opened_version` and what they changed (empty changes when that
    version left no revision to compare with)."""
    model = type(obj)
    current = model._default_manager.get(pk=obj.pk)
    revisions = _history(model).filter(id=obj.pk).order_by("history_date", "history_id")
    opened = revisions.filter(version=opened_version).last() if opened_version else None
    saves = list(revisions.filter(version__gt=opened_version or 0))
    return EditConflict(
        opened_version=opened_version,
        saves=saves,
        changes=changes_between(opened, current) if opened is not None else [],
        current_version=current.version,
    )


# /changes/ lists revisions of these, newest first.
CHANGE_KINDS: dict[str, type[models.Model]] = {
    "code": Code,
    "note": ComparisonNote,
    "row": Differentiator,
}


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _note_of_row(record: Any) -> Any | None:
    """The row's note, or the last revision of it when the note has been deleted."""
    try:
        note = record.note
    except ObjectDoesNotExist:
        note = None
    if note is None:
        note = _history(ComparisonNote).filter(id=record.note_id).first()
    return note


def _describe(revision: Revision) -> None:
    """Set the title, page URL and admin history URL of what a revision is about."""
    record = revision.record
    if revision.kind == "code":
        revision.title = f"{record.code} ({record.system.name})"
        revision.url = reverse("codes:code-detail", args=[record.system.slug, record.code])
        revision.admin_url = reverse("admin:codes_code_history", args=[record.id])
        return
    note = record if revision.kind == "note" else _note_of_row(record)
    if note is None:
        revision.title = f"a deleted comparison note, difference row “{record.label}”"
        return
    revision.title = f"{note.code_a} vs {note.code_b}"
    if revision.kind == "row":
        revision.title += f", difference row “{record.label}”"
    revision.url = f"{reverse('codes:compare')}?codes={note.code_a.code},{note.code_b.code}"
    revision.admin_url = reverse("admin:codes_comparisonnote_history", args=[note.id])


def _listed(kind: str, record: Any, previous: Any | None) -> Revision:
    revision = Revision(record, previous, kind=kind)
    _describe(revision)
    return revision


def recent_changes(
    *, since: date | None, until: date | None, page_number: Any, per_page: int = 50
) -> Page:
    """A page of revisions of codes, notes and their rows, newest first, each a Revision
    with `kind`, `title`, `url` (the page showing it) and `admin_url`.

    `since` and `until` are whole days (UTC), both included. Baselines recorded before a
    first edit are not changes and are left out.
    """
    listings = []
    for kind, model in CHANGE_KINDS.items():
        records = model.history.exclude(history_change_reason=BASELINE_REASON)
        if since:
            records = records.filter(history_date__gte=_start_of(since))
        if until and until < date.max:  # the last day there is bounds nothing
            records = records.filter(history_date__lt=_start_of(until + timedelta(days=1)))
        listings.append(
            records.annotate(kind=Value(kind, output_field=CharField()))
            .values_list("kind", "history_id", "history_date")
            .order_by()
        )
    merged = listings[0].union(*listings[1:], all=True).order_by("-history_date", "-history_id")
    page = Paginator(merged, per_page).get_page(page_number)
    wanted = defaultdict(set)
    for kind, history_id, _ in page.object_list:
        wanted[kind].add(history_id)
    revisions = {}
    for kind, history_ids in wanted.items():
        model = CHANGE_KINDS[kind]
        shown = _history(model).filter(history_id__in=history_ids)
        if kind == "row":
            shown = shown.select_related("note__code_a", "note__code_b")
        for record, previous in _with_previous(model, shown):
            revisions[kind, record.history_id] = _listed(kind, record, previous)
    page.object_list = [revisions[kind, history_id] for kind, history_id, _ in page.object_list]
    return page


def change_get(*, kind: str, history_id: int) -> Revision:
    """One revision listed on /changes/ with what it changed; 404 for an unknown one."""
    model = CHANGE_KINDS.get(kind)
    if model is None:
        raise Http404(f"No kind of change called {kind!r}.")
    found = _with_previous(model, _history(model).filter(history_id=history_id))
    if not found:
        raise Http404(f"No {kind} change {history_id}.")
    return _listed(kind, *found[0])
