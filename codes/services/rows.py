"""Any history-tracked row (code, note, difference row, synonym, code system): the baseline
recorded before its first edit, and its save as a revision with a reason and a user.

Every write of a tracked row goes through here (directly or through the entity's service), so
no path can write a row whose earlier state was never recorded.
"""

from collections.abc import Iterable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import OperationalError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from codes.models import BASELINE_REASON
from codes.text import clean_text

# Who writes: an editor, or None for a command (an import, load_synonyms).
Editor = AbstractBaseUser | AnonymousUser | None
Row = TypeVar("Row", bound=models.Model)


# PostgreSQL's SQLSTATE for a lock not granted within lock_timeout (lock_not_available).
LOCK_NOT_AVAILABLE = "55P03"


def lock_wait_timed_out(error: OperationalError) -> bool:
    """Whether `error` says a write gave up waiting for a lock another writer held (SQLite's
    busy timeout, PostgreSQL's lock_timeout), rather than that the database is gone."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    return type(cause).__module__ == "sqlite3" and "locked" in str(error)


def _bound_lock_waits() -> None:
    """On PostgreSQL, make the rest of the current transaction wait at most
    EDITOR_LOCK_TIMEOUT_SECONDS for a lock: an editor facing an import's locked rows is
    answered while the form can still be shown, instead of waiting until the worker is killed.
    (SQLite's writers wait for its busy timeout.)"""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        milliseconds = round(settings.EDITOR_LOCK_TIMEOUT_SECONDS * 1000)
        with connection.cursor() as cursor:
            # set_config(..., true) is SET LOCAL: it ends with the transaction.
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"])


def rows_record_baselines(*, rows: "models.QuerySet[Row]") -> None:
    """Record the stored state of the rows in `rows` that have no history yet.

    Fixtures and bulk imports write rows without history. Recording their state just before
    their first edit lets that edit be diffed and reverted like any other, so it loses nothing.
    """
    history = rows.model.history  # type: ignore[attr-defined]
    unrecorded = list(rows.filter(~Exists(history.filter(id=OuterRef("pk")))))
    for row in unrecorded:
        # Dated when the row was last written, and by nobody: not the editor who edits it now.
        when = getattr(row, "updated_at", None) or timezone.now()
        row._history_user, row._history_date = None, when  # type: ignore[attr-defined]
    history.bulk_history_create(unrecorded, update=True, default_change_reason=BASELINE_REASON)


def _clean_texts(row: models.Model) -> None:
    """Take control characters (a vertical tab pasted from Word ...) out of the row's texts."""
    for field in row._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(row, field.attname)
            if isinstance(value, str):
                setattr(row, field.attname, clean_text(value))


@transaction.atomic
def row_save(
    *, row: Row, user: Editor, reason: str = "", fields: Iterable[str] | None = None
) -> Row:
    """Save `row` as a new revision by `user` with `reason`: a stored row without history
    gets its baseline first. `fields` saves only those (the version still goes up).

    The baseline and the save are one transaction: a save refused as stale (StaleEditError)
    takes its baseline with it, so of two editors racing only the winner's is kept. A lock held
    by another writer longer than the editor's lock timeout raises OperationalError (see
    `lock_wait_timed_out`) and writes nothing.
    """
    _bound_lock_waits()
    if not row._state.adding:
        rows_record_baselines(rows=type(row)._default_manager.filter(pk=row.pk))
    _clean_texts(row)
    row._change_reason = reason  # type: ignore[attr-defined]
    row._history_user = user  # type: ignore[attr-defined]
    row.save(update_fields=None if fields is None else list(fields))
    return row
