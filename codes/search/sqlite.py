"""SQLite: an FTS5 table kept in sync with codes_code by triggers (migration 0009_search_index).

The FTS rowid is `length(title) << 32 | code id`, so the index's own order is shortest title
first: a broad query (`fracture`, 20,000 matches) takes its first rows in that order instead of
scoring every match with bm25.
"""

from collections.abc import Sequence

from django.db import connection

from coderef.routers import read_connection
from codes.search.base import Alternative, Concept, Scope, SearchBackend, correction_starts

TABLE = "codes_code_fts"
ID_MASK = 0xFFFFFFFF
_ROW = "(length({0}.title) << 32) | {0}.id"
_INSERT = f"""INSERT INTO {TABLE}(rowid, title, inclusion_terms, descriptor, lay_description)
    VALUES ({_ROW.format("new")}, new.title, new.inclusion_terms, new.descriptor,
            new.lay_description);"""
_DELETE = f"DELETE FROM {TABLE} WHERE rowid = {_ROW.format('old')};"

# Django remakes a SQLite table (dropping its triggers) for some column changes, so the triggers
# are created again after every migrate (see CodesConfig.ready) as well as by the migration.
TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON codes_code
    BEGIN {_INSERT} END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON codes_code
    BEGIN {_DELETE} END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_update
    AFTER UPDATE OF title, inclusion_terms, descriptor, lay_description ON codes_code
    BEGIN {_DELETE} {_INSERT} END""",
]
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
# Column weights for bm25: title, inclusion terms, descriptor, lay description.
BM25 = f"bm25({TABLE}, 10.0, 8.0, 3.0, 2.0)"


def _alternative(alternative: Alternative) -> str:
    *head, last = alternative.words
    if not head:
        options = [f'"{form}"' for form in sorted(last.forms)]
        if last.prefix:
            options.append(f'"{last.prefix}"*')
        return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"
    phrase = " ".join(matcher.typed for matcher in alternative.words)
    return f'"{phrase}"' + ("*" if last.prefix else "")


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
    def _where(self, concepts, scope: Scope, every: bool) -> tuple[str, list]:
        sql = f"{TABLE} MATCH %s"
        params: list = [match_expression(concepts, every=every)]
        if scope.system_ids is not None:
            sql += f" AND c.system_id IN ({', '.join(['%s'] * len(scope.system_ids))})"
            params.extend(scope.system_ids)
        if not scope.include_deleted:
            sql += " AND c.status <> 'deleted'"
        return sql, params

    def _from(self) -> str:
        return f"{TABLE} f JOIN codes_code c ON c.id = (f.rowid & {ID_MASK})"

    def count(self, concepts, scope, *, every):
        if not every and not any(concept.significant for concept in concepts):
            return 0
        where, params = self._where(concepts, scope, every)
        with read_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {self._from()} WHERE {where} LIMIT %s)",
                [*params, self.COUNT_CAP + 1],
            )
            return cursor.fetchone()[0]

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
            for statement in REBUILD:
                cursor.execute(statement)

    def repair(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [TABLE])
            if cursor.fetchone() is None:  # not migrated this far
                return
            for statement in TRIGGERS:
                cursor.execute(statement)
