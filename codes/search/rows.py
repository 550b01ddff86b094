"""The codes a search reads, by statements written once: a search reads codes several times (the
exact codes, each typed prefix or range, each block of text hits), and building each as an ORM
query cost more than running it. Rows become `Code` instances as the ORM makes them
(`Model.from_db`), on the connection the ORM would read from (coderef.routers)."""

from collections.abc import Sequence
from typing import Any

from coderef.routers import read_connection
from codes.models import Code
from codes.search.backends.base import COUNT_CAP, Scope

_COLUMNS = [field.get_col(Code._meta.db_table) for field in Code._meta.concrete_fields]
_FIELDS = [field.attname for field in Code._meta.concrete_fields]
_SELECT = "SELECT " + ", ".join(f"c.{name}" for name in _FIELDS) + " FROM codes_code c"
_VISIBLE = f"c.status <> '{Code.Status.DELETED.value}'"  # not deleted


def _visible(scope: Scope) -> tuple[str, list[Any]]:
    """` AND ` what leaves out the codes a search in `scope` may not list: deleted ones unless
    asked for; as of a day, those the index must not find then (codes.search.then)."""
    sql, params = scope.then_sql(code_id="c.id", system_id="c.system_id", active=_VISIBLE)
    return ("" if scope.include_deleted else f" AND {_VISIBLE}") + sql, params


def _codes(where: str, params: Sequence[Any], scope: Scope, *, then: str = "") -> list[Code]:
    connection = read_connection()
    visible, visible_params = _visible(scope)
    with connection.cursor() as cursor:
        cursor.execute(f"{_SELECT} WHERE ({where}){visible} {then}", [*params, *visible_params])
        rows = cursor.fetchall()
    # What the ORM would apply to each column (SQLite's datetimes made aware, say).
    converters = [
        (n, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)], col)
        for n, col in enumerate(_COLUMNS)
    ]
    converters = [(n, funcs, col) for n, funcs, col in converters if funcs]
    codes = []
    for row in rows:
        values = list(row)
        for n, funcs, col in converters:
            for convert in funcs:
                values[n] = convert(values[n], col, connection)
        codes.append(Code.from_db(connection.alias, _FIELDS, values))
    return codes


def codes_by_id(ids: Sequence[int], scope: Scope) -> dict[int, Code]:
    """The codes with these ids (those the search may list), by id."""
    if not ids:
        return {}
    where = f"c.id IN ({', '.join(['%s'] * len(ids))})"
    found = _codes(where, ids, scope)
    return {code.pk: code for code in found}


def codes_spelled(spellings: Sequence[tuple[int, str]], scope: Scope) -> list[Code]:
    """The codes of these (system id, code) pairs."""
    if not spellings:
        return []
    where = " OR ".join(["(c.system_id = %s AND c.code = %s)"] * len(spellings))
    return _codes(where, [v for pair in spellings for v in pair], scope)


def codes_in_ranges(
    ranges: Sequence[tuple[int, str, str]], scope: Scope, *, limit: int
) -> list[Code]:
    """The first `limit` codes in code order of these (system id, low, high) ranges together."""
    where, params = _in_ranges(ranges)
    return _codes(where, params, scope, then=f"ORDER BY c.code LIMIT {limit}")


def _in_ranges(ranges: Sequence[tuple[int, str, str]]) -> tuple[str, list[Any]]:
    where = " OR ".join(["(c.system_id = %s AND c.code >= %s AND c.code < %s)"] * len(ranges))
    return where, [v for interval in ranges for v in interval]


def titles_in_ranges(
    ranges: Sequence[tuple[int, str, str]], scope: Scope, *, limit: int
) -> list[tuple[int, str]]:
    """The (id, title) of the first `limit` codes in code order of these (system id, low, high)
    ranges together, without making a Code of each."""
    where, params = _in_ranges(ranges)
    visible, visible_params = _visible(scope)
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.title FROM codes_code c WHERE ({where}){visible} "
            f"ORDER BY c.code LIMIT {limit}",
            [*params, *visible_params],
        )
        return list(cursor.fetchall())


def codes_in_intervals(
    intervals: Sequence[tuple[int, str, str]], scope: Scope, *, limit: int = COUNT_CAP + 1
) -> list[list[tuple[int, str]]]:
    """For each (system id, low, high), the (id, code) of its first `limit` codes in [low, high)
    in code order: one range scan of the (system, code) index each, all in one statement."""
    if not intervals:
        return []
    visible, visible_params = _visible(scope)
    parts = [
        f"SELECT * FROM (SELECT {n} AS n, c.id, c.code FROM codes_code c WHERE c.system_id = %s"
        f" AND c.code >= %s AND c.code < %s{visible} ORDER BY c.code LIMIT {limit}) p{n}"
        for n in range(len(intervals))
    ]
    found: list[list[tuple[int, str]]] = [[] for _ in intervals]
    with read_connection().cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(parts) + " ORDER BY 1, 3",
            [v for interval in intervals for v in (*interval, *visible_params)],
        )
        for n, pk, code in cursor.fetchall():
            found[n].append((pk, code))
    return found


def code_titles(ids: Sequence[int]) -> list[tuple[int, str, str, str]]:
    """The (id, code, title, inclusion terms) of these codes: what picking one among them reads
    (headings), without making a Code of each."""
    if not ids:
        return []
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.code, c.title, c.inclusion_terms FROM codes_code c "
            f"WHERE c.id IN ({', '.join(['%s'] * len(ids))})",
            list(ids),
        )
        return list(cursor.fetchall())
