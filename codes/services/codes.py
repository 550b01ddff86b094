"""Writes of codes: an editor's save, marking codes deleted, and an import's bulk write.

Each records the baseline of a code without history before changing it, writes a revision with
its reason, and stamps `Code.texts_changed_at` when a text coders read changes, which is what
flags the comparison notes naming the code (`ComparisonNoteQuerySet.with_review_flag`).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from codes.models import Code, StaleEditError
from codes.search.backends import get_backend
from codes.services.rows import Editor, row_save, rows_insert_with_history, rows_record_baselines

Progress = Callable[[str, int, int], None]  # (stage, done, total)
BATCH_SIZE = 1000
UPDATE_BATCH_SIZE = 100


def _changes_any(code: Code, names: Sequence[str], fields: Iterable[str] | None) -> bool:
    """Whether the save of `fields` (all when None) changes one of the stored `names` of `code`."""
    if code._state.adding:
        return False
    names = list(names) if fields is None else [n for n in names if n in fields]
    stored = Code.objects.filter(pk=code.pk).values(*names).first() if names else None
    return stored is not None and any(stored[name] != getattr(code, name) for name in names)


@transaction.atomic
def code_save(
    *, code: Code, user: Editor, reason: str = "", fields: Iterable[str] | None = None
) -> Code:
    """Save `code` as filled in (new, or an edit of a stored one) as a revision by `user`.

    An edit from a version somebody replaced since raises StaleEditError and writes nothing.
    `fields` saves only those; the version, `updated_at` and, when a text changes,
    `texts_changed_at` are written with them.
    """
    fields = None if fields is None else set(fields)
    if _changes_any(code, Code.TEXT_FIELDS, fields):
        code.texts_changed_at = timezone.now()
        if fields is not None:
            fields.add("texts_changed_at")
    if code.lay_review and _changes_any(code, ["lay_description"], fields):
        # The editor has rewritten the lay text a release asked them to check.
        code.lay_review = ""
        if fields is not None:
            fields.add("lay_review")
    return row_save(row=code, user=user, reason=reason, fields=fields)


@transaction.atomic
def codes_mark_deleted(
    *, codes: "models.QuerySet[Code]", end_date: date, user: Editor, reason: str = ""
) -> list[Code]:
    """Mark the active codes among `codes` deleted with `end_date`, each as a new revision.

    All or nothing: ValidationError naming every code that cannot take that end date.
    Codes already deleted keep their end date and are not returned.
    """
    changed: list[Code] = []
    errors: list[str] = []
    for code in codes.select_related("system").filter(status=Code.Status.ACTIVE):
        code.status, code.end_date = Code.Status.DELETED, end_date
        try:
            code.full_clean()
        except ValidationError as exc:
            errors += [f"{code.code}: {message}" for message in exc.messages]
            continue
        code_save(
            code=code,
            user=user,
            reason=reason or f"Marked deleted, end date {end_date.isoformat()}",
            fields=["status", "end_date"],
        )
        changed.append(code)
    if errors:
        raise ValidationError(errors)
    return changed


@transaction.atomic
def codes_import(
    *,
    new: Sequence[Code],
    changes: Mapping[int, Mapping[str, Any]],
    versions: Mapping[int, int],
    reason: str,
    progress: Progress | None = None,
) -> None:
    """Write an import in bulk, all or nothing: add the `new` codes and apply `changes` (code pk
    -> the fields that change, with their new values), each code with a revision `reason`.

    `versions` holds the version each changed code had when the import compared it: should an
    editor have saved one since, StaleEditError is raised for it and nothing is written.
    """
    when = timezone.now()
    total = len(new) + len(changes)
    done = 0
    # An import that adds nothing (a re-import, a release of changes only) touches no triggers.
    with get_backend().codes_added_in_bulk() if new else nullcontext():
        for start in range(0, len(new), BATCH_SIZE):
            batch = new[start : start + BATCH_SIZE]
            for code in batch:
                code.updated_at = when
            rows_insert_with_history(rows=batch, reason=reason, when=when)
            done += len(batch)
            if progress:
                progress("writing", done, total)

    # Rows changing the same fields are updated together: bulk_update's CASE per field costs
    # batch size x fields for every row, so fewer fields and small batches keep it linear.
    groups: dict[tuple[str, ...], list[int]] = {}
    for pk, values in sorted(changes.items()):
        groups.setdefault(tuple(values), []).append(pk)
    for names, pks in groups.items():
        stamped = ["texts_changed_at"] if set(names) & set(Code.TEXT_FIELDS) else []
        for start in range(0, len(pks), UPDATE_BATCH_SIZE):
            chunk = pks[start : start + UPDATE_BATCH_SIZE]
            batch = _locked_at(chunk, versions)
            rows_record_baselines(rows=Code.objects.filter(pk__in=chunk))
            for code in batch:
                for name, value in changes[code.pk].items():
                    setattr(code, name, value)
                code.version += 1
                code.updated_at = when
                if stamped:
                    code.texts_changed_at = when
            bulk_update_with_history(
                batch,
                Code,
                [*names, "version", "updated_at", *stamped],
                batch_size=UPDATE_BATCH_SIZE,
                default_change_reason=reason,
                default_date=when,
            )
            done += len(batch)
            if progress:
                progress("writing", done, total)
    get_backend().codes_written_in_bulk(total)


def _locked_at(pks: list[int], versions: Mapping[int, int]) -> list[Code]:
    """The rows, locked, as long as nobody saved them since they were compared: an editor's
    save in between would otherwise be overwritten without a trace."""
    rows = list(Code.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    for code in rows:
        if code.version != versions[code.pk]:
            raise StaleEditError(code, versions[code.pk], code.version)
    return rows
