"""Writes beyond a plain admin save: revert to a revision, mark reviewed, mark deleted, add
synonyms from a list, and exports (each logged as an ExportRecord)."""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import metadata
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from codes import exports
from codes.history import content_fields, revision_label
from codes.models import Code, ComparisonNote, Differentiator, ExportRecord, Synonym
from codes.presenters import comparison_document
from codes.search.query import words_of
from codes.selectors import Comparison, note_rows_at


def revert_reason(record: Any) -> str:
    """The change reason a revert to `record` gets unless the editor writes another."""
    return f"Revert to {revision_label(record)}"


@transaction.atomic
def revision_revert(
    *, record: Any, user: Any, opened_version: int | None = None, reason: str = ""
) -> models.Model:
    """Save the object as it was at `record`, as a new revision; a note gets its rows back too.

    `opened_version` is the version the editor looked at when asking for the revert: when
    someone saved since, StaleEditError is raised and nothing changes. ValidationError when
    the old state is no longer valid (its code now used by another row, say).
    """
    model = record.instance_type
    obj = model._default_manager.get(pk=record.id)
    if opened_version is not None:
        obj.version = opened_version  # the save refuses it when it is not current any more
    for field in content_fields(model):
        setattr(obj, field.attname, getattr(record, field.attname))
    obj.full_clean()
    reason = reason or revert_reason(record)
    obj._change_reason = reason
    obj._history_user = user
    obj.save()
    if isinstance(obj, ComparisonNote):
        _restore_rows(obj, note_rows_at(record), reason=reason, user=user)
    return obj


def _restore_rows(note: ComparisonNote, wanted: dict[int, Any], *, reason: str, user: Any) -> None:
    current = {row.pk: row for row in note.differentiators.all()}
    for row_id, row in current.items():
        if row_id not in wanted:
            row._change_reason, row._history_user = reason, user
            row.delete()
    fields = content_fields(Differentiator)
    for row_id, old in wanted.items():
        row = current.get(row_id) or Differentiator(pk=row_id, note=note)
        if row_id in current and all(
            getattr(row, field.attname) == getattr(old, field.attname) for field in fields
        ):
            continue
        for field in fields:
            setattr(row, field.attname, getattr(old, field.attname))
        row._change_reason, row._history_user = reason, user
        row.save()


def notes_mark_reviewed(*, notes: Iterable[ComparisonNote], user: Any) -> int:
    """Record that `user` reviewed these notes now; clears their "needs review" flag.

    A review changes no text: it bumps no version and writes no revision.
    """
    return ComparisonNote.objects.filter(pk__in=[note.pk for note in notes]).update(
        reviewed_at=timezone.now(), reviewed_by=user
    )


@transaction.atomic
def codes_mark_deleted(
    *, codes: models.QuerySet, end_date: date, user: Any, reason: str = ""
) -> list[Code]:
    """Mark the active codes among `codes` deleted with `end_date`, each as a new revision.

    All or nothing: ValidationError naming every code that cannot take that end date.
    Codes already deleted keep their end date and are not returned.
    """
    changed, errors = [], []
    for code in codes.select_related("system").filter(status=Code.Status.ACTIVE):
        code.status, code.end_date = Code.Status.DELETED, end_date
        try:
            code.full_clean()
        except ValidationError as exc:
            errors += [f"{code.code}: {message}" for message in exc.messages]
            continue
        code._change_reason = reason or f"Marked deleted, end date {end_date.isoformat()}"
        code._history_user = user
        code.save()
        changed.append(code)
    if errors:
        raise ValidationError(errors)
    return changed


@cache
def app_version() -> str:
    """The installed coderef release (pyproject.toml's version), as stamped in exports."""
    return metadata.version("coderef")


@dataclass(frozen=True)
class ExportedFile:
    record: ExportRecord
    data: bytes
    filename: str
    content_type: str


def comparisons_export(
    *,
    comparisons: list[Comparison],
    fmt: str,
    user: Any,
    paper: str = "a4",
    filters: Mapping[str, str | None] | None = None,
) -> ExportedFile:
    """Render `comparisons` in format `fmt`, stamped, and log it: the ExportRecord holds the
    sha256 of exactly the bytes returned.

    Without `filters` it is the export of one comparison (its JSON is the /api/compare
    document); with `filters` (possibly all empty) a list export of comparison notes.
    """
    bulk = filters is not None
    as_of = None if bulk else comparisons[0].as_of
    used = {name: value for name, value in (filters or {}).items() if value}
    tokens = "" if bulk else ",".join(comparisons[0].tokens)
    if not bulk:
        scope = f"The comparison of {', '.join(comparisons[0].tokens)}"
    elif used:
        scope = "Comparison notes matching " + ", ".join(f"{k}={v}" for k, v in used.items())
    else:
        scope = "All comparison notes"
    stamp = exports.Stamp(
        export_id=uuid4(),
        generated_at=timezone.now(),
        generated_by=user.get_username(),
        app_version=app_version(),
        as_of=as_of,
        scope=scope,
    )
    export = exports.Export(
        stamp=stamp, comparisons=[comparison_document(c) for c in comparisons], bulk=bulk
    )
    data = exports.render(export, fmt, paper=paper)
    name = exports.filename(export, fmt)
    record = ExportRecord.objects.create(
        export_id=stamp.export_id,
        user=user,
        username=stamp.generated_by,
        created_at=stamp.generated_at,
        codes=tokens,
        filters=urlencode(used),
        as_of=as_of,
        format=fmt,
        filename=name,
        app_version=stamp.app_version,
        sha256=hashlib.sha256(data).hexdigest(),
        row_count=export.row_count,
    )
    return ExportedFile(record, data, name, exports.FORMATS[fmt].content_type)


def _synonym_key(term: str, meaning: str) -> frozenset[str]:
    return frozenset({" ".join(words_of(term)), " ".join(words_of(meaning))})


@transaction.atomic
def synonyms_add_missing(*, pairs: Iterable[tuple[str, str]], reason: str) -> int:
    """Add the (term, meaning) pairs the synonym table lacks; returns how many were added.

    A pair is already there when a synonym with the same words on its two sides exists, in either
    order and whatever the case or punctuation (`copd` -> `Chronic obstructive pulmonary
    disease` is `COPD` -> `chronic obstructive pulmonary disease`). Existing synonyms, editors'
    own included, are never changed or deleted. The new rows get a history revision `reason`.
    """
    existing = Synonym.objects.values_list("term", "meaning")
    known = {_synonym_key(term, meaning) for term, meaning in existing}
    new = []
    for term, meaning in pairs:
        key = _synonym_key(term, meaning)
        if key not in known:
            known.add(key)
            new.append(Synonym(term=term, meaning=meaning))
    bulk_create_with_history(new, Synonym, default_change_reason=reason)
    return len(new)
