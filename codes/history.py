"""Revisions and what they changed, field by field; no queries beyond related names."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, cached_property
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from codes.diff import word_diff_html


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after, as text; `html` shows the words that changed."""

    name: str
    label: str
    old: str
    new: str

    @property
    def html(self) -> SafeString:
        return word_diff_html(self.old, self.new)


@cache  # a model's fields are fixed once the apps are loaded
def content_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """The fields an editor writes and a revert restores (not ids, versions, timestamps)."""
    history = model.history  # type: ignore[attr-defined]
    tracked = {field.name for field in history.model.tracked_fields}
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name in tracked
    )


def _display(obj: Any, field: models.Field) -> str:
    value = getattr(obj, field.attname)
    if value is None:
        return ""
    if field.is_relation:
        try:
            return str(getattr(obj, field.name))
        except ObjectDoesNotExist:
            return f"#{value} (deleted)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def field_changes(model: type[models.Model], old: Any | None, new: Any | None) -> list[FieldChange]:
    """What differs between two states of a `model` row (live objects or historical records).

    `old=None` means the row did not exist before: every field with a value is new.
    """
    changes = []
    for field in content_fields(model):
        before = getattr(old, field.attname) if old is not None else None
        after = getattr(new, field.attname) if new is not None else None
        if before != after and (before or after):
            changes.append(
                FieldChange(
                    name=field.name,
                    label=str(capfirst(field.verbose_name)),
                    old=_display(old, field) if old is not None else "",
                    new=_display(new, field) if new is not None else "",
                )
            )
    return changes


def _row_text(row: Any) -> str:
    return f"{row.label}: {row.value_a or '-'} | {row.value_b or '-'}"


def row_changes(old_rows: Mapping[int, Any], new_rows: Mapping[int, Any]) -> list[FieldChange]:
    """What differs between two sets of a note's difference rows (rows or their historical
    instances, keyed by row id): rows added or removed whole, changed rows field by field."""
    changes = []
    rows = {**old_rows, **new_rows}
    for row_id in sorted(rows, key=lambda row_id: (rows[row_id].position, row_id)):
        before, after = old_rows.get(row_id), new_rows.get(row_id)
        name = rows[row_id].label
        if before is None or after is None:
            changes.append(
                FieldChange(
                    name="differentiators",
                    label=f"Row “{name}” {'added' if before is None else 'removed'}",
                    old=_row_text(before) if before is not None else "",
                    new=_row_text(after) if after is not None else "",
                )
            )
            continue
        changes += [
            replace(change, label=f"Row “{name}”: {change.label.lower()}")
            for change in field_changes(type(after), before, after)
        ]
    return changes


def revision_label(record: Any) -> str:
    """How editors name a revision: its version where the model has one, else its date."""
    if hasattr(record, "version"):
        return f"version {record.version}"
    return f"the revision of {record.history_date:%Y-%m-%d %H:%M} UTC"


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Revision:
    """One historical record with the record before it (same row), and what changed between."""

    record: Any
    previous: Any | None
    title: str = ""  # what the revision is about, where the page does not say it already
    kind: str = ""  # on /changes/: code, note or row
    url: str = ""  # the page showing what the revision is about
    admin_url: str = ""  # its history in the admin

    @property
    def model(self) -> type[models.Model]:
        return self.record.instance_type

    @property
    def action(self) -> str:
        if self.previous is None and self.record.history_type == "~":
            return "first recorded state"
        return ACTIONS[self.record.history_type]

    @property
    def label(self) -> str:
        return revision_label(self.record)

    @cached_property
    def changes(self) -> list[FieldChange]:
        if self.record.history_type == "-":
            return []
        previous = self.previous
        if previous is not None and previous.history_type == "-":
            previous = None  # recreated (by a revert): show it whole
        return field_changes(self.model, previous, self.record)


def pair_with_previous(records: Iterable[Any]) -> list[tuple[Any, Any | None]]:
    """(record, the record before it of the same row) for records of one model, any order."""
    ordered = sorted(records, key=lambda record: (record.history_date, record.history_id))
    last_seen: dict[Any, Any] = {}
    pairs = []
    for record in ordered:
        pairs.append((record, last_seen.get(record.id)))
        last_seen[record.id] = record
    return pairs
