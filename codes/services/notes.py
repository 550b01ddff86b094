"""Writes of comparison notes and their difference rows, and their review."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from codes.models import ComparisonNote, Differentiator
from codes.services.rows import Editor, row_save, rows_record_baselines


@transaction.atomic
def note_save(*, note: ComparisonNote, user: Editor, reason: str = "") -> ComparisonNote:
    """Save `note` as filled in (new, or an edit of a stored one) as a revision by `user`.

    A stored note without history gets its baseline first, and so do its difference rows,
    before any of them is written. An edit from a version somebody replaced since raises
    StaleEditError and writes nothing.
    """
    if not note._state.adding:
        rows_record_baselines(rows=Differentiator.objects.filter(note=note))
    return row_save(row=note, user=user, reason=reason)


@transaction.atomic
def note_rows_save(
    *,
    note: ComparisonNote,
    saved: Iterable[Differentiator],
    deleted: Iterable[Differentiator],
    user: Editor,
    reason: str = "",
    swap_values: bool = False,
) -> None:
    """Write the difference rows of `note` an editor changed: `saved` (new or changed rows)
    and `deleted`, each as a revision by `user` with `reason`.

    `swap_values`: the note's pair was stored the other way round from how the editor typed
    it, so every row's two values change places to stay with the code they were typed for.
    """
    rows_record_baselines(rows=Differentiator.objects.filter(note=note))
    for row in deleted:
        row._change_reason, row._history_user = reason, user  # type: ignore[attr-defined]
        row.delete()
    for row in saved:
        row.note = note
        row_save(row=row, user=user, reason=reason)
    if swap_values:
        for row in note.differentiators.all():
            row.swap_values()
            row_save(row=row, user=user, reason=reason)


def notes_mark_reviewed(*, notes: Iterable[ComparisonNote], user: Editor) -> int:
    """Record that `user` reviewed these notes now; clears their "needs review" flag.

    A review changes no text: it bumps no version and writes no revision.
    """
    return ComparisonNote.objects.filter(pk__in=[note.pk for note in notes]).update(
        reviewed_at=timezone.now(), reviewed_by=user
    )
