"""Any history-tracked row (code, note, difference row, synonym, code system): the baseline
recorded before its first edit, and its save as a revision with a reason and a user.

Every write of a tracked row goes through here (directly or through the entity's service), so
no path can write a row whose earlier state was never recorded.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache, partial
from operator import attrgetter, itemgetter
from typing import Any, TypeVar

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


@cache
def _text_attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    )


def _clean_texts(row: models.Model) -> None:
    """Take control characters (a vertical tab pasted from Word ...) out of the row's texts."""
    for attname in _text_attnames(type(row)):
        value = getattr(row, attname)
        if isinstance(value, str):
            setattr(row, attname, clean_text(value))


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


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """value -> database value for `field`: dates, times and JSON through the backend's own
    adapters; None for plain values (text, numbers, ids), which the drivers take as they are."""
    if field.get_internal_type() in PLAIN_FIELD_TYPES or isinstance(field, models.AutoField):
        return None
    connection = transaction.get_connection()
    return _last_one_kept(partial(field.get_db_prep_save, connection=connection))


def _last_one_kept(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert`, answering again without converting when given the value it was last given:
    the rows of one insert mostly share their dates (`when`), and a date's conversion is the
    costliest part of preparing a row."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, convert(value)]
        return last[1]

    return converted


# Field types whose Python values the database drivers take unchanged.
PLAIN_FIELD_TYPES = frozenset(
    {
        "CharField",
        "TextField",
        "BooleanField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "ForeignKey",
    }
)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys for new rows of `model`, nobody else's, taken inside the current
    write transaction (PostgreSQL's sequence; on SQLite past the table's highest id, under the
    write lock the transaction holds)."""
    connection = transaction.get_connection()
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {connection.ops.quote_name(table)}), 0),"
            " coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def _insert(
    model: type[models.Model], attnames: Sequence[str], values: Iterable[Sequence[Any]]
) -> None:
    """INSERT the rows (values in the order of `attnames`) into `model`'s table in one
    statement; an auto-assigned primary key among them was reserved (see `_reserve_ids`)."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    fields = {field.attname: field for field in model._meta.concrete_fields}
    converted = [
        (index, convert)
        for index, name in enumerate(attnames)
        if (convert := _converter(fields[name])) is not None
    ]

    def prepared(row: Sequence[Any]) -> Sequence[Any]:
        if not converted:
            return row
        values = list(row)
        for index, convert in converted:
            values[index] = convert(values[index])
        return values

    columns = ", ".join(quote(fields[name].column) for name in attnames)
    table = f"{quote(model._meta.db_table)} ({columns})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one statement for all the rows, where executemany sends one per row.
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(prepared(row))
        else:
            cursor.executemany(
                f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(attnames))})",
                map(prepared, values),
            )


def rows_insert_with_history(
    *, rows: Sequence[Row], reason: str, when: datetime, user_id: int | None = None
) -> None:
    """Insert the new `rows` (all of one model) with their first revision (`reason`, dated
    `when`), as `bulk_create_with_history` does but in plain executemany statements, which an
    import of a whole code set (over 100,000 rows) needs to stay within a minute. The rows get
    their primary keys; `auto_now` fields take `when`."""
    if not rows:
        return
    model = type(rows[0])
    history = model.history.model  # type: ignore[attr-defined]
    stamped = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    alias = transaction.get_connection().alias
    for row, pk in zip(rows, _reserve_ids(model, len(rows)), strict=True):
        row.pk = pk
        for attname in stamped:
            setattr(row, attname, when)
        _clean_texts(row)
        row._state.adding = False
        row._state.db = alias
    tracked = [f.attname for f in model._meta.concrete_fields]  # the key and one field at least
    values = list(map(attrgetter(*tracked), rows))
    _insert(model, tracked, values)
    revision = {
        "history_date": when,
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": user_id,
    }
    # The history table keeps the fields history tracks (not, say, texts_changed_at).
    kept = [f.attname for f in history._meta.concrete_fields if f.attname in tracked]
    if kept != tracked:
        values = list(map(itemgetter(*(tracked.index(name) for name in kept)), values))
    tail = tuple(revision.values())
    _insert(history, [*kept, *revision], (row + tail for row in values))
