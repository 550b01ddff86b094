"""SQLite: FTS5 tables kept in step with codes_code by triggers (made by migrations 0009, 0011
and 0012, whose SQL is frozen there; the triggers are owned here, for the repair after migrate).

The FTS rowid is `length(title) << 32 | code id`, so the index's own order is shortest title
first: a broad query (`fracture`, 20,000 matches) takes its first rows in that order instead of
scoring every match with bm25.

A second FTS5 table holds each line a coder reads as one answer, the title and each inclusion
term, as its own row, with rowid `length(line) << 44 | code id << 12 | line number`: codes whose
one line holds the whole query come shortest line first.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

from coderef.routers import read_connection
from codes.search.backends.base import (
    COUNT_CAP,
    SEARCHED_TABLES,
    TIDY_AFTER,
    TOKEN_TABLE,
    Params,
    QuerySyntax,
    Scope,
    SearchBackend,
)
from codes.search.concepts import Concept
from codes.search.weights import WEIGHTS

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
# are created again after every migrate (see CodesConfig.ready).
TRIGGERS = _sync_triggers(
    TABLE, "title, inclusion_terms, descriptor, lay_description", _INSERT, _DELETE
)

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

# A new random search token after every row written to a searched table (SQLite has one writer at
# a time, so the token row is no point of contention; a rolled-back write takes its token with it).
_RENEW_TOKEN = f"INSERT OR REPLACE INTO {TOKEN_TABLE} (id, token) VALUES (1, random());"
TOKEN_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_search_token_{event.lower()} AFTER {event} ON {table}
    BEGIN {_RENEW_TOKEN} END"""
    for table in SEARCHED_TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
]

# Codes added in bulk (`codes_added_in_bulk`) go into the FTS tables by one statement each, in rowid
# order, which FTS5 appends to its index; row by row, a rowid lower than the one before makes it
# write out a new index segment, which it then has to merge.
INSERT_TRIGGERS = [f"{TABLE}_insert", f"{LINES}_insert", "codes_code_search_token_insert"]
_ADDED = "c.id > %s"
INDEX_ADDED = [
    f"""INSERT INTO {TABLE}(rowid, title, inclusion_terms, descriptor, lay_description)
    SELECT {_ROW.format("c")}, c.title, c.inclusion_terms, c.descriptor, c.lay_description
    FROM codes_code c WHERE {_ADDED} ORDER BY 1""",
    f"""INSERT INTO {LINES}(rowid, line) SELECT {_LINE_ROW.format("c")}, value
    FROM codes_code c, {_LINES_OF.format("c")} WHERE {_ADDED} AND {_LINES_WHERE} ORDER BY 1""",
]

REBUILD = [
    f"DELETE FROM {TABLE}",
    f"DELETE FROM {LINES}",
    # Fires the insert half of both update triggers for every code.
    "UPDATE codes_code SET title = title",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')",
    f"INSERT INTO {LINES}({LINES}) VALUES ('optimize')",
]
# bm25's column weights, in the FTS table's column order.
BM25 = f"bm25({TABLE}, {', '.join(str(weight) for _, weight in WEIGHTS.fields.items())})"


class _FTS5(QuerySyntax):
    AND, OR, AND_NOT = " AND ", " OR ", " NOT "

    def word(self, word: str, *, prefix: bool) -> str:
        return f'"{word}"*' if prefix else f'"{word}"'

    def phrase(self, words: Sequence[str], *, prefix: bool) -> str:
        return '"' + " ".join(words) + '"' + ("*" if prefix else "")


FTS5 = _FTS5()


class SQLiteBackend(SearchBackend):
    """FTS5 MATCH queries over the code and line tables."""

    def _where(
        self, concepts: Sequence[Concept], scope: Scope, every: bool, table: str = TABLE
    ) -> tuple[str, Params]:
        sql = f"{table} MATCH %s"
        params: Params = [FTS5.text(concepts, every=every)]
        if scope.system_ids is not None:
            sql += f" AND c.system_id IN ({', '.join(['%s'] * len(scope.system_ids))})"
            params.extend(scope.system_ids)
        if not scope.include_deleted:
            sql += " AND c.status <> 'deleted'"
        then, then_params = scope.then_sql(
            code_id="c.id", system_id="c.system_id", active="c.status <> 'deleted'"
        )
        return sql + then, [*params, *then_params]

    def held(self, concepts: Sequence[Concept], scope: Scope) -> list[int]:
        """Over every system and today's codes, counted in the index alone, one statement for
        all: a deleted code's row counts too (a few in a hundred of any word's), which tells a
        rare concept from a common one as well, at a third of the cost of reading each code's
        status."""
        if scope.system_ids is not None or scope.then is not None:
            return super().held(concepts, scope)
        each = f"(SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s))"
        params: Params = []
        for concept in concepts:
            params += [FTS5.text([concept], every=True), COUNT_CAP + 1]
        with read_connection().cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([each] * len(concepts)), params)
            return [int(n) for n in cursor.fetchone()]

    def _from(self) -> str:
        return f"{TABLE} f JOIN codes_code c ON c.id = (f.rowid & {ID_MASK})"

    def _order(self, where_params: Params, *, by_relevance: bool) -> tuple[str, Params]:
        # The rowid order is shortest title first.
        return (f"{BM25}, f.rowid" if by_relevance else "f.rowid"), []

    def line_codes(self, concepts: Sequence[Concept], scope: Scope, *, limit: int) -> list[int]:
        """Code ids of the first matching lines in the line table's rowid order."""
        where, params = self._where(concepts, scope, True, LINES)
        code_id = f"((f.rowid >> {LINE_SHIFT}) & {ID_MASK})"
        return self._ids(
            f"SELECT c.id FROM {LINES} f JOIN codes_code c ON c.id = {code_id} "
            f"WHERE {where} ORDER BY f.rowid LIMIT %s",
            [*params, limit],
        )

    def vocabulary(self) -> list[str]:
        """The FTS vocabulary's words: one scan of the index's terms."""
        with read_connection().cursor() as cursor:
            cursor.execute(f"SELECT term FROM {TABLE}_vocab")
            return [row[0] for row in cursor.fetchall()]

    def codes_written_in_bulk(self, count: int) -> None:
        """Merge each FTS table's segments into one (FTS5's `optimize`; under a second on the
        full public sets) after an import of at least TIDY_AFTER codes: each revision writes
        the code's index rows anew, and a release's thousands of them leave segments that every
        search would read (the search mix's p95 was 13% higher for it)."""
        if count < TIDY_AFTER:
            return
        with connection.cursor() as cursor:
            for table in (TABLE, LINES):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")

    def rebuild(self) -> None:
        """Empty both FTS tables and index every code again."""
        with connection.cursor() as cursor:
            for statement in REBUILD:
                cursor.execute(statement)

    @contextmanager
    def codes_added_in_bulk(self) -> Iterator[None]:
        """Without the insert triggers inside the block (SQLite's DDL is transactional and the
        write transaction keeps other writers out), then the codes past the highest id before
        it are indexed by one statement a table."""
        assert connection.in_atomic_block, "codes are added in bulk inside a transaction"
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM codes_code")
            (highest,) = cursor.fetchone()
            for trigger in INSERT_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {trigger}")
        try:
            yield
            with connection.cursor() as cursor:
                for statement in INDEX_ADDED:
                    cursor.execute(statement, [highest])
                cursor.execute(_RENEW_TOKEN)
        finally:
            self.repair()

    def repair(self) -> None:
        """Create again the sync and token triggers of each table migrated this far."""
        with connection.cursor() as cursor:
            for table, triggers in (
                (TABLE, TRIGGERS),
                (LINES, LINE_TRIGGERS),
                (TOKEN_TABLE, TOKEN_TRIGGERS),
            ):
                cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [table])
                if cursor.fetchone() is not None:
                    for statement in triggers:
                        cursor.execute(statement)
