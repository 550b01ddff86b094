"""Writes of terminology entries beyond an editor's save (which is `rows.row_save`): a list
imported, and the entries it wrote following what the list holds now."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from codes.models import Synonym
from codes.search.query import words_of
from codes.services.rows import row_save, rows_insert_with_history


@dataclass(frozen=True)
class Entry:
    """One row of a terminology list: its kind, what is typed, what it stands for, a note."""

    kind: str
    term: str
    meaning: str
    note: str = ""


def entry_key(term: str, meaning: str) -> str:
    """What makes two entries the same: the words of their two sides, in either order."""
    return "|".join(sorted((" ".join(words_of(term)), " ".join(words_of(meaning)))))


@transaction.atomic
def synonyms_add_missing(
    *,
    entries: Iterable[Entry],
    source: str,
    reason: str,
    source_file: str = "",
    release: str = "",
) -> int:
    """Add the entries the terminology table lacks; returns how many were added.

    An entry is already there when one with the same words on its two sides exists, in either
    order and whatever the case or punctuation (`copd` -> `Chronic obstructive pulmonary
    disease` is `COPD` -> `chronic obstructive pulmonary disease`), or when an import wrote it
    once and an editor has since changed or switched it off (its `imported_key`). Existing
    entries, editors' own included, are never changed or deleted. The new rows name their
    `source` (and file and release) and get a history revision `reason`.
    """
    known = set()
    for term, meaning, imported in Synonym.objects.values_list("term", "meaning", "imported_key"):
        known.add(entry_key(term, meaning))
        if imported:
            known.add(imported)
    new = []
    for entry in entries:
        key = entry_key(entry.term, entry.meaning)
        if key not in known:
            known.add(key)
            new.append(
                Synonym(
                    term=entry.term,
                    meaning=entry.meaning,
                    kind=entry.kind,
                    note=entry.note,
                    source=source,
                    source_file=source_file,
                    release=release,
                    imported_key=key,
                )
            )
    rows_insert_with_history(rows=new, reason=reason, when=timezone.now())
    return len(new)


@transaction.atomic
def synonyms_follow_list(
    *, keys: Collection[str], written_by: Q, reason_off: str, reason_on: str
) -> tuple[int, int]:
    """Make the entries a list wrote (`written_by`) follow what it holds now (`keys`, its
    entries' `entry_key`s): one it no longer holds is switched off (a revision `reason_off`),
    one it switched off so and holds again is switched back on (`reason_on`). An entry that is
    no longer as the list wrote it (its words changed), or that a user has changed or switched
    (any revision by a user), is left as it is, and so is one switched off otherwise.
    Returns how many were switched off and how many back on.
    """
    edited = set(Synonym.history.filter(history_user__isnull=False).values_list("id", flat=True))
    off = on = 0
    for entry in Synonym.objects.filter(written_by).exclude(pk__in=edited).order_by("pk"):
        if entry.imported_key != entry_key(entry.term, entry.meaning):
            continue
        listed = entry.imported_key in keys
        if entry.enabled and not listed:
            entry.enabled = False
            row_save(row=entry, user=None, reason=reason_off, fields=["enabled"])
            off += 1
        elif (
            listed
            and not entry.enabled
            and entry.history.latest().history_change_reason == reason_off
        ):
            entry.enabled = True
            row_save(row=entry, user=None, reason=reason_on, fields=["enabled"])
            on += 1
    return off, on
