"""Any history-tracked row (code, note, difference row, synonym, code system): the baseline
recorded before its first edit, and its save as a revision with a reason and a user.

Every write of a tracked row goes through here (directly or through the entity's service), so
no path can write a row whose earlier state was never recorded.
"""

from collections.abc import Iterable
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from codes.models import BASELINE_REASON

# Who writes: an editor, or None for a command (an import, load_synonyms).
Editor = AbstractBaseUser | AnonymousUser | None
Row = TypeVar("Row", bound=models.Model)


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


@transaction.atomic
def row_save(
    *, row: Row, user: Editor, reason: str = "", fields: Iterable[str] | None = None
) -> Row:
    """Save `row` as a new revision by `user` with `reason`: a stored row without history
    gets its baseline first. `fields` saves only those (the version still goes up).

    The baseline and the save are one transaction: a save refused as stale (StaleEditError)
    takes its baseline with it, so of two editors racing only the winner's is kept.
    """
    if not row._state.adding:
        rows_record_baselines(rows=type(row)._default_manager.filter(pk=row.pk))
    row._change_reason = reason  # type: ignore[attr-defined]
    row._history_user = user  # type: ignore[attr-defined]
    row.save(update_fields=None if fields is None else list(fields))
    return row
