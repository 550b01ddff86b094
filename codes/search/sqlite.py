"""SQLite: an FTS5 table kept in sync with codes_code by triggers (migration 0009_search_index).

The FTS rowid is `length(title) << 32 | code id`, so the index's own order is shortest title
first: a broad query (`fracture`, 20,000 matches) takes its first rows in that order instead of
scoring every match with bm25.

A second FTS5 table holds each line a coder reads as one answer, the title and each inclusion
term, as its own row (migration 0011_search_lines), with rowid `length(line) << 44 | code id << 12
| line number`: codes whose one line holds the whole query come shortest line first.
"""

from collections.abc import Sequence

from django.db import connection

from coderef.routers import read_connection
from codes.search.base import (
    SEARCHED_TABLES,
    TOKEN_TABLE,
    Alternative,
    Concept,
    Scope,
    SearchBackend,
    WordMatcher,
    correction_starts,
)

TABLE = "codes_code_fts"
ID_MASK = 0xFFFFFFFF
_ROW = "(length({0}.title) << 32) | {0}.id"
_INSERT = f"""INSERT INTO {TABLE}(rowid, title, inclusion_terms, descriptor, lay_description)
    VALUES ({_ROW.format("new")}, new.title, new.inclusion_terms, new.descriptor,
            new.lay_description);"""
_DELETE = f"DELETE FROM {TABLE} WHERE rowid = {_ROW.format('old')};"


def _sync_triggers(table: str, columns: str, insert: str, delete: str) -> list[str]:
    """Triggers keeping an FTS table in step with codes_code, its `columns` and its rows."""
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_insert AFTER INSERT ON codes_code
    BEGIN {insert} END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_delete AFTER DELETE ON codes_code
    BEGIN {delete} END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_update
    AFTER UPDATE OF {columns} ON codes_code
    BEGIN {delete} {insert} END""",
    ]


# Django remakes a SQLite table (dropping its triggers) for some column changes, so the triggers
# are created again after every migrate (see CodesConfig.ready) as well as by the migration.
TRIGGERS = _sync_triggers(
    TABLE, "title, inclusion_terms, descriptor, lay_description", _INSERT, _DELETE
)
REBUILD = [
    f"DELETE FROM {TABLE}",
    # Fires the insert half of the update trigger for every code.
    "UPDATE codes_code SET title = title",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')",
]
SCHEMA = [
    f"""CREATE VIRTUAL TABLE {TABLE} USING fts5(
        title, inclusion_terms, descriptor, lay_description,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')""",
    f"CREATE VIRTUAL TABLE {TABLE}_vocab USING fts5vocab({TABLE}, 'row')",
    *TRIGGERS,
    *REBUILD,
]
DROP_SCHEMA = [
    f"DROP TRIGGER {TABLE}_update",
    f"DROP TRIGGER {TABLE}_delete",
    f"DROP TRIGGER {TABLE}_insert",
    f"DROP TABLE {TABLE}_vocab",
    f"DROP TABLE {TABLE}",
]

LINES = "codes_code_line_fts"
LINE_SHIFT = 12  # line numbers below 4096 in the low bits of the rowid, then the code id
_LINE_ROW = f"(min(length(value), 65535) << 44) | ({{0}}.id << {LINE_SHIFT}) | key"
# The title and each inclusion term of a code as JSON array elements (json_quote writes a line
# break as \n; a backslash, a word separator anyway, becomes a space so no \\n is mistaken for one).
_LINES_OF = (
    "json_each('[' || json_quote({0}.title) || ',' || "
    "replace(json_quote(replace({0}.inclusion_terms, char(92), ' ')), '\\n', '\",\"') || ']')"
)
_LINES_WHERE = f"value <> '' AND key < {1 << LINE_SHIFT}"
_INSERT_LINES = (
    f"INSERT INTO {LINES}(rowid, line) SELECT {_LINE_ROW.format('new')}, value "
    f"FROM {_LINES_OF.format('new')} WHERE {_LINES_WHERE};"
)
_DELETE_LINES = (
    f"DELETE FROM {LINES} WHERE rowid IN (SELECT {_LINE_ROW.format('old')} "
    f"FROM {_LINES_OF.format('old')} WHERE {_LINES_WHERE});"
)
LINE_TRIGGERS = _sync_triggers(LINES, "title, inclusion_terms", _INSERT_LINES, _DELETE_LINES)
_OPTIMIZE_LINES = f"INSERT INTO {LINES}({LINES}) VALUES ('optimize')"
LINE_SCHEMA = [
    f"""CREATE VIRTUAL TABLE {LINES} USING fts5(
        line, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')""",
    *LINE_TRIGGERS,
    f"INSERT INTO {LINES}(rowid, line) SELECT {_LINE_ROW.format('c')}, value "
    f"FROM codes_code c, {_LINES_OF.format('c')} WHERE {_LINES_WHERE}",
    _OPTIMIZE_LINES,
]
DROP_LINE_SCHEMA = [
    f"DROP TRIGGER {LINES}_update",
    f"DROP TRIGGER {LINES}_delete",
    f"DROP TRIGGER {LINES}_insert",
    f"DROP TABLE {LINES}",
]
# A new random search token after every row written to a searched table (SQLite has one writer at
# a time, so the token row is no point of contention; a rolled-back write takes its token with it).
_RENEW_TOKEN = f"INSERT OR REPLACE INTO {TOKEN_TABLE} (id, token) VALUES (1, random());"
TOKEN_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_search_token_{event.lower()} AFTER {event} ON {table}
    BEGIN {_RENEW_TOKEN} END"""
    for table in SEARCHED_TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]
TOKEN_SCHEMA = [*TOKEN_TRIGGERS, _RENEW_TOKEN]
DROP_TOKEN_SCHEMA = [
    f"DROP TRIGGER IF EXISTS {table}_search_token_{event}"
    for table in SEARCHED_TABLES
    for event in ("insert", "update", "delete")
]
# Column weights for bm25: title, inclusion terms, descriptor, lay description.
BM25 = f"bm25({TABLE}, 10.0, 8.0, 3.0, 2.0)"


def _word(matcher: WordMatcher) -> str:
    options = [f'"{form}"' for form in sorted(matcher.forms)]
    if matcher.prefix:
        options.append(f'"{matcher.prefix}"*')
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


def _alternative(alternative: Alternative) -> str:
    if alternative.phrase:
        phrase = " ".join(matcher.typed for matcher in alternative.words)
        return f'"{phrase}"' + ("*" if alternative.words[-1].prefix else "")
    words = [_word(matcher) for matcher in alternative.words]
    return words[0] if len(words) == 1 else "(" + " AND ".join(words) + ")"


def _concept(concept: Concept) -> str:
    parts = [_alternative(alternative) for alternative in concept.alternatives]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def match_expression(concepts: Sequence[Concept], *, every: bool) -> str:
    """An FTS5 query built only from index words, each quoted: no operator a user typed survives."""
    every_part = " AND ".join(_concept(concept) for concept in concepts)
    if every:
        return every_part
    some = [_concept(concept) for concept in concepts if concept.significant]
    return "(" + " OR ".join(some) + f") NOT ({every_part})"


class SQLiteBackend(SearchBackend):
    def _where(self, concepts, scope: Scope, every: bool, table: str = TABLE) -> tuple[str, list]:
        sql = f"{table} MATCH %s"
        params: list = [match_expression(concepts, every=every)]
        if scope.system_ids is not None:
            sql += f" AND c.system_id IN ({', '.join(['%s'] * len(scope.system_ids))})"
            params.extend(scope.system_ids)
        if not scope.include_deleted:
            sql += " AND c.status <> 'deleted'"
        return sql, params

    def _from(self) -> str:
        return f"{TABLE} f JOIN codes_code c ON c.id = (f.rowid & {ID_MASK})"

    def ids(self, concepts, scope, *, every, by_relevance, start, size):
        where, params = self._where(concepts, scope, every)
        order = f"{BM25}, f.rowid" if by_relevance else "f.rowid"
        with read_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT c.id FROM {self._from()} WHERE {where} "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, size, start],
            )
            return [row[0] for row in cursor.fetchall()]

    def line_codes(self, concepts, scope, *, limit):
        where, params = self._where(concepts, scope, True, LINES)
        code_id = f"((f.rowid >> {LINE_SHIFT}) & {ID_MASK})"
        with read_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT c.id FROM {LINES} f JOIN codes_code c ON c.id = {code_id} "
                f"WHERE {where} ORDER BY f.rowid LIMIT %s",
                [*params, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def vocabulary_near(self, word):
        # A few short range scans of the FTS vocabulary instead of reading all of it.
        found: list[str] = []
        with read_connection().cursor() as cursor:
            for start in sorted(correction_starts(word)):
                cursor.execute(
                    f"SELECT term FROM {TABLE}_vocab WHERE term >= %s AND term < %s "
                    "AND length(term) BETWEEN %s AND %s",
                    [start, start[0] + chr(ord(start[1]) + 1), len(word) - 3, len(word) + 3],
                )
                found.extend(row[0] for row in cursor.fetchall())
        return found

    def rebuild(self):
        with connection.cursor() as cursor:
            # REBUILD's update fires the line triggers too.
            for statement in [f"DELETE FROM {LINES}", *REBUILD, _OPTIMIZE_LINES]:
                cursor.execute(statement)

    def repair(self):
        with connection.cursor() as cursor:
            for table, triggers in (
                (TABLE, TRIGGERS),
                (LINES, LINE_TRIGGERS),
                (TOKEN_TABLE, TOKEN_TRIGGERS),
            ):
                cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [table])
                if cursor.fetchone() is not None:  # migrated this far
                    for statement in triggers:
                        cursor.execute(statement)
