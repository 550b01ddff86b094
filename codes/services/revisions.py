"""Revert a row to one of its revisions, saved as a new revision."""

from typing import Any

from django.db import models, transaction

from codes.history import content_fields, revision_label
from codes.models import Code, ComparisonNote, Differentiator, VersionedModel
from codes.selectors import note_rows_at
from codes.services.codes import code_save
from codes.services.notes import note_rows_save, note_save
from codes.services.rows import Editor, Row, row_save


def revert_reason(record: Any) -> str:
    """The change reason a revert to `record` gets unless the editor writes another."""
    return f"Revert to {revision_label(record)}"


def revision_save(*, obj: Row, user: Editor, reason: str = "") -> Row:
    """Save any tracked row as a new revision through the service of its kind (a code's
    texts stamped, a note's rows given their baselines, any other row as `row_save` does)."""
    if isinstance(obj, Code):
        code_save(code=obj, user=user, reason=reason)
    elif isinstance(obj, ComparisonNote):
        note_save(note=obj, user=user, reason=reason)
    else:
        row_save(row=obj, user=user, reason=reason)
    return obj


@transaction.atomic
def revision_revert(
    *, record: Any, user: Editor, opened_version: int | None = None, reason: str = ""
) -> models.Model:
    """Save the object as it was at `record`, as a new revision; a note gets its rows back too.

    `opened_version` is the version the editor looked at when asking for the revert: when
    someone saved since, StaleEditError is raised and nothing changes. ValidationError when
    the old state is no longer valid (its code now used by another row, say).
    """
    model: type[models.Model] = record.instance_type
    obj = model._default_manager.get(pk=record.id)
    if opened_version is not None and isinstance(obj, VersionedModel):
        obj.version = opened_version  # the save refuses it when it is not current any more
    for field in content_fields(model):
        setattr(obj, field.attname, getattr(record, field.attname))
    obj.full_clean()
    reason = reason or revert_reason(record)
    revision_save(obj=obj, user=user, reason=reason)
    if isinstance(obj, ComparisonNote):
        _restore_rows(obj, note_rows_at(record), reason=reason, user=user)
    return obj


def _restore_rows(
    note: ComparisonNote, wanted: dict[int, Any], *, reason: str, user: Editor
) -> None:
    """Give `note` back the difference rows `wanted` (row id -> its historical record)."""
    current = {row.pk: row for row in note.differentiators.all()}
    fields = content_fields(Differentiator)
    saved = []
    for row_id, old in wanted.items():
        row = current.get(row_id) or Differentiator(pk=row_id, note=note)
        if row_id in current and all(
            getattr(row, field.attname) == getattr(old, field.attname) for field in fields
        ):
            continue
        for field in fields:
            setattr(row, field.attname, getattr(old, field.attname))
        saved.append(row)
    deleted = [row for row_id, row in current.items() if row_id not in wanted]
    note_rows_save(note=note, saved=saved, deleted=deleted, user=user, reason=reason)
