"""Codes and notes as they were at the end of a day, rebuilt from their history."""

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone

from codes.models import Code, CodeSystem, ComparisonNote, Differentiator
from codes.selectors.codes import CodeLookupError

NoteWithRows = tuple[ComparisonNote, list[Differentiator]]


class NotRecordedYet(CodeLookupError):
    """A comparison asked for as of a day when one of its codes was not in coderef yet."""


def start_of(day: date) -> datetime:
    """The first moment of `day` (UTC)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of_day(day: date) -> datetime:
    """The first moment after `day` (UTC): a state "as of" that day is the last one before."""
    return start_of(day + timedelta(days=1))


def history_of(model: type[models.Model]) -> Any:
    """The model's historical records (its `history` manager, which simple_history adds when
    the class is created, out of the type checker's sight)."""
    return model.history  # type: ignore[attr-defined]


def _records_by_row(model: type[models.Model], rows: Q) -> dict[int, list[Any]]:
    """The historical records of the rows `rows` selects, oldest first, by row id."""
    by_row: dict[int, list[Any]] = defaultdict(list)
    for record in history_of(model).filter(rows).order_by("history_date", "history_id"):
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


def _state_instance(record: Any) -> Any:
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


def codes_as_of(
    codes: list[Code], moment: datetime, day: date, *, released: Collection[int] = ()
) -> tuple[list[Code], dict[int, datetime | None]]:
    """Each code as it was just before `moment`, and when its texts last changed by then.

    A code without history has been as stored since its `updated_at` (a baseline revision,
    recorded before its first edit, carries that date too); before it, the code was not in
    coderef and NotRecordedYet is raised, except for the codes `released` (ids of codes a
    release had then, imported later), which are taken as coderef first recorded them.
    """
    systems = CodeSystem.objects.in_bulk()
    histories = _records_by_row(Code, Q(id__in=[code.pk for code in codes]))
    states, texts_changed = [], {}
    for code in codes:
        records = histories.get(code.pk)
        if records:
            record = _state_at(records, moment)
            if record is None and code.pk in released:
                record = records[0]
            state = _state_instance(record) if record is not None else None
            first_known = records[0].history_date
            texts_changed[code.pk] = _texts_changed_at(records, moment)
        else:
            state = code if code.updated_at < moment or code.pk in released else None
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


def notes_as_of(
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
