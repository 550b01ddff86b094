"""PostgreSQL: a weighted tsvector column on codes_code filled by a trigger, a GIN index over it,
a table of the index's words (codes.search.vocabulary), and a table of lines (the title and each
inclusion term, with its length, tsvector and its code's system and status) kept in step by
triggers (one a statement for inserts, which an import's COPY makes in one go, one a row for
updates and deletes); made by migrations 0009, 0011, 0012 and 0019, whose SQL is frozen there.

Texts are indexed with accents removed and every run of punctuation made a space, with the `simple`
configuration: the default parser reads `dural/CSF` as one file-path token and `E11.65` as a
version number, and English stemming and stop words would make PostgreSQL find other codes than
SQLite. Word forms and synonyms are expanded in the query instead, the same way for both.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection

from coderef.routers import read_connection
from codes.search.backends.base import (
    TIDY_AFTER,
    Params,
    QuerySyntax,
    Scope,
    SearchBackend,
)
from codes.search.concepts import Concept
from codes.search.weights import WEIGHTS

# ts_rank's weights array is in label order D, C, B, A; migration 0009 labels the fields A, B, C,
# D in WEIGHTS.fields' order (title A ... lay description D).
# The GIN indexes whose pending lists an import merges when it ends (migration 0021).
PENDING_LIST_INDEXES = ["codes_code_search_vector", "codes_search_line_vector"]

RANK_WEIGHTS = "{" + ", ".join(str(weight) for _, weight in reversed(WEIGHTS.fields.items())) + "}"


def _merge_pending_lists() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join("gin_clean_pending_list(%s::regclass)" for _ in PENDING_LIST_INDEXES),
            PENDING_LIST_INDEXES,
        )


class _Tsquery(QuerySyntax):
    AND, OR, AND_NOT = " & ", " | ", " & !"

    def word(self, word: str, *, prefix: bool) -> str:
        return f"'{word}':*" if prefix else f"'{word}'"

    def phrase(self, words: Sequence[str], *, prefix: bool) -> str:
        last = len(words) - 1
        quoted = [self.word(word, prefix=prefix and n == last) for n, word in enumerate(words)]
        return "(" + " <-> ".join(quoted) + ")"


TSQUERY = _Tsquery()


def _matching(
    vector: str,
    concepts: Sequence[Concept],
    scope: Scope,
    *,
    every: bool,
    system: str,
    active: str,
    code_id: str,
) -> tuple[str, Params]:
    """The WHERE clause (and its parameters) for rows whose `vector` matches, in scope."""
    sql = f"{vector} @@ to_tsquery('simple', %s)"
    params: Params = [TSQUERY.text(concepts, every=every)]
    if scope.system_ids is not None:
        sql += f" AND {system} = ANY(%s)"
        params.append(list(scope.system_ids))
    if not scope.include_deleted:
        sql += f" AND {active}"
    then, then_params = scope.then_sql(code_id=code_id, system_id=system, active=active)
    return sql + then, [*params, *then_params]


class PostgresBackend(SearchBackend):
    """tsquery matches over the code vectors and the line table."""

    def _where(self, concepts: Sequence[Concept], scope: Scope, every: bool) -> tuple[str, Params]:
        return _matching(
            "c.search_vector",
            concepts,
            scope,
            every=every,
            system="c.system_id",
            active="c.status <> 'deleted'",
            code_id="c.id",
        )

    def _from(self) -> str:
        return "codes_code c"

    def _order(self, where_params: Params, *, by_relevance: bool) -> tuple[str, Params]:
        shortest = "length(c.title), c.id"
        if not by_relevance:
            return shortest, []
        # Ranked against the WHERE clause's own query text, its first parameter.
        rank = f"ts_rank('{RANK_WEIGHTS}', c.search_vector, to_tsquery('simple', %s), 1)"
        return f"{rank} DESC, {shortest}", [where_params[0]]

    def line_codes(self, concepts: Sequence[Concept], scope: Scope, *, limit: int) -> list[int]:
        """Code ids of the first matching lines, shortest first."""
        # The line table carries each code's system and status: no join, which would make the
        # planner sort every match in parallel workers, slower to start than the query itself.
        where, params = _matching(
            "vector",
            concepts,
            scope,
            every=True,
            system="system_id",
            active="active",
            code_id="code_id",
        )
        return self._ids(
            f"SELECT code_id FROM codes_search_line WHERE {where} "
            "ORDER BY length, code_id LIMIT %s",
            [*params, limit],
        )

    def vocabulary(self) -> list[str]:
        """The vocabulary table's words (its triggers add a code's new words)."""
        with read_connection().cursor() as cursor:
            cursor.execute("SELECT term FROM codes_search_vocabulary")
            return [row[0] for row in cursor.fetchall()]

    def repair(self) -> None:
        """Nothing to put back: triggers survive ALTER TABLE on PostgreSQL."""

    @contextmanager
    def codes_added_in_bulk(self) -> Iterator[None]:
        """The statement trigger indexes the added codes; when the block ends, the entries
        waiting in the GIN indexes' pending lists are merged into their trees, so the first
        searches after an import do not read them one by one."""
        yield
        _merge_pending_lists()

    def codes_written_in_bulk(self, count: int) -> None:
        """An import's revisions wait in the GIN indexes' pending lists too: merged into their
        trees after an import of at least TIDY_AFTER codes."""
        if count >= TIDY_AFTER:
            _merge_pending_lists()

    def rebuild(self) -> None:
        """Empty the vocabulary and line tables and let the triggers index every code again."""
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE codes_search_vocabulary, codes_search_line")
            cursor.execute("UPDATE codes_code SET title = title")
