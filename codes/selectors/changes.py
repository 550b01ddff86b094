"""Revisions: an object's timeline, one revision, what changed between two states, edit
conflicts, and the /changes/ list of every code, note and row revision."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404

from codes.history import FieldChange, Revision, field_changes, pair_with_previous, row_changes
from codes.models import BASELINE_REASON, Code, ComparisonNote, Differentiator
from codes.selectors.as_of import history_of, start_of


def _history(model: type[models.Model]) -> QuerySet[Any]:
    history = history_of(model)
    related = [field.name for field in history.model.tracked_fields if field.is_relation]
    return history.select_related("history_user", *related)


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


def _with_previous(
    model: type[models.Model], records: QuerySet[Any]
) -> list[tuple[Any, Any | None]]:
    """(record, the record before it of the same row) for each of `records`, in two queries."""
    earlier = (
        history_of(model)
        .filter(id=OuterRef("id"))
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
    current: Any = model._default_manager.get(pk=obj.pk)
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


@dataclass
class Change(Revision):
    """A revision listed on /changes/, with the note it is about (for a note or row revision;
    None for a code's, or when the note has been deleted). Its `url` and `admin_url` are set
    by `codes.presenters.link_changes`."""

    note: Any | None = None


def _note_of_row(record: Any) -> Any | None:
    """The row's note, or the last revision of it when the note has been deleted."""
    try:
        note = record.note
    except ObjectDoesNotExist:
        note = None
    if note is None:
        note = (
            _history(ComparisonNote)
            .select_related("code_a__system", "code_b__system")
            .filter(id=record.note_id)
            .first()
        )
    return note


def _listed(kind: str, record: Any, previous: Any | None) -> Change:
    """The revision as /changes/ lists it, titled with what it is about."""
    change = Change(record, previous, kind=kind)
    if kind == "code":
        change.title = f"{record.code} ({record.system.name})"
        return change
    change.note = note = record if kind == "note" else _note_of_row(record)
    if note is None:
        change.title = f"a deleted comparison note, difference row “{record.label}”"
        return change
    change.title = f"{note.code_a} vs {note.code_b}"
    if kind == "row":
        change.title += f", difference row “{record.label}”"
    return change


def _shown(kind: str, model: type[models.Model]) -> QuerySet[Any]:
    """The records of `kind` with what their titles and links read, in one query."""
    if kind == "note":
        return _history(model).select_related("code_a__system", "code_b__system")
    if kind == "row":
        return _history(model).select_related("note__code_a__system", "note__code_b__system")
    return _history(model)


def recent_changes(
    *, since: date | None, until: date | None, page_number: Any, per_page: int = 50
) -> Page[Change]:
    """A page of revisions of codes, notes and their rows, newest first, each a Change
    with `kind` and `title` (see `codes.presenters.link_changes` for its links).

    `since` and `until` are whole days (UTC), both included. Baselines recorded before a
    first edit are not changes and are left out.
    """
    kinds = {}
    for kind, model in CHANGE_KINDS.items():
        records = history_of(model).exclude(history_change_reason=BASELINE_REASON)
        if since:
            records = records.filter(history_date__gte=start_of(since))
        if until and until < date.max:  # the last day there is bounds nothing
            records = records.filter(history_date__lt=start_of(until + timedelta(days=1)))
        kinds[kind] = records
    listings = [
        records.annotate(kind=Value(kind, output_field=CharField()))
        .values_list("kind", "history_id", "history_date")
        .order_by()
        for kind, records in kinds.items()
    ]
    merged = listings[0].union(*listings[1:], all=True).order_by("-history_date", "-history_id")
    paginator = Paginator(merged, per_page)
    # Counted kind by kind, each one scan of its history table's index on the reason and the date
    # (migration 0025); a count of the union would read every row of every table.
    paginator.count = sum(records.count() for records in kinds.values())
    page = paginator.get_page(page_number)
    wanted = defaultdict(set)
    for kind, history_id, _ in page.object_list:
        wanted[kind].add(history_id)
    changes = {}
    for kind, history_ids in wanted.items():
        model = CHANGE_KINDS[kind]
        shown = _shown(kind, model).filter(history_id__in=history_ids)
        for record, previous in _with_previous(model, shown):
            changes[kind, record.history_id] = _listed(kind, record, previous)
    page.object_list = [changes[kind, history_id] for kind, history_id, _ in page.object_list]
    return page


def change_get(*, kind: str, history_id: int) -> Change:
    """One revision listed on /changes/ with what it changed; 404 for an unknown one."""
    model = CHANGE_KINDS.get(kind)
    if model is None:
        raise Http404(f"No kind of change called {kind!r}.")
    found = _with_previous(model, _shown(kind, model).filter(history_id=history_id))
    if not found:
        raise Http404(f"No {kind} change {history_id}.")
    return _listed(kind, *found[0])
