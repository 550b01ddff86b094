"""Reads that span models: a code, its neighbours, the comparison notes that name it,
revisions and what they changed."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from codes.history import FieldChange, Revision, field_changes, pair_with_previous, row_changes
from codes.models import BASELINE_REASON, Code, CodeSystem, ComparisonNote, Differentiator


def normalize_code(system: CodeSystem | None, raw: str) -> str:
    """A code as stored: trimmed, upper case, ICD-10-CM with its dot after the category."""
    code = raw.strip().upper()
    if system is not None and "." in system.code_pattern and "." not in code and len(code) > 3:
        dotted = f"{code[:3]}.{code[3:]}"
        if system.matches(dotted):
            return dotted
    return code


def code_get(*, system_slug: str, code: str) -> Code:
    """The code of that system, whatever the case or dot spelling; 404 if there is none."""
    system = get_object_or_404(CodeSystem, slug=system_slug.lower())
    return get_object_or_404(
        Code.objects.select_related("system"), system=system, code=normalize_code(system, code)
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


def codes_for_tokens(raw: str) -> list[Code]:
    """The codes named by `63707,63709` or `icd10cm:G96.00,...`, in the order given.

    Raises CodeLookupError with a message for a coder when a token is unknown or ambiguous,
    when a code is named twice, or when there are fewer than 2 or more than 4 codes.
    """
    tokens = [token.strip() for token in raw.replace(" ", ",").split(",") if token.strip()]
    if len(tokens) < MIN_COMPARE:
        raise CodeLookupError(
            "Name at least two codes to compare, separated by commas: ?codes=63707,63709"
        )
    if len(tokens) > MAX_COMPARE:
        raise CodeLookupError(
            f"A comparison shows at most {MAX_COMPARE} codes; you named {len(tokens)}."
        )
    systems = {system.slug: system for system in CodeSystem.objects.all()}
    found: list[Code] = []
    for token in tokens:
        found.append(_code_for_token(token, systems))
    seen: set[int] = set()
    for code in found:
        if code.pk in seen:
            raise CodeLookupError(f"{code.code} is named twice; name each code once.")
        seen.add(code.pk)
    return found


def _code_for_token(token: str, systems: dict[str, CodeSystem]) -> Code:
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
    spellings = Q(
        *[Q(system=system, code=normalize_code(system, value)) for system in candidates],
        _connector=Q.OR,
    )
    matches = list(Code.objects.select_related("system").filter(spellings))
    if not matches:
        raise CodeLookupError(f"No code {token!r} was found. Check the code and its system.")
    if len(matches) > 1:
        options = ", ".join(f"{code.system.slug}:{code.code}" for code in matches)
        raise CodeLookupError(
            f"{token!r} exists in more than one code system; write one of {options}."
        )
    return matches[0]


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
        if until:
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
