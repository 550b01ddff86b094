"""The backend interface: boolean questions over one vendor's full-text index (how many codes
match, which ids in the index's own order, which vocabulary words look like a typo). Ranking,
highlights and the choice of a typo's correction happen outside, so both backends agree."""

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from coderef.routers import read_connection
from codes.search.concepts import FILLER_WORDS, Alternative, Concept, WordMatcher
from codes.search.then import CodeSetThen

# Above this many matches a query is broad: ranked by a stored order, never scored in full.
COUNT_CAP = 500
# An import writing at least this many codes tidies the index after it (codes_written_in_bulk).
TIDY_AFTER = 1_000
# What a search reads: a change to any of these renews the search token (codes.models.SearchToken).
SEARCHED_TABLES = ("codes_code", "codes_synonym", "codes_codesystem")
TOKEN_TABLE = "codes_searchtoken"
# The parameters of a match query: the match text, system ids, limits.
Params = list[str | int | list[int]]


def successor(prefix: str) -> str:
    """The first string after every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


@dataclass(frozen=True)
class Scope:
    """Which codes a search may find: these systems (None: all), deleted codes or not, and as
    of a past day, the codes valid then (`then`, see codes.search.then)."""

    system_ids: tuple[int, ...] | None
    include_deleted: bool
    then: CodeSetThen | None = None

    def then_sql(self, *, code_id: str, system_id: str, active: str) -> tuple[str, Params]:
        """` AND ` the condition of `then` over these columns (nothing without a day)."""
        if self.then is None:
            return "", []
        sql, params = self.then.sql(code_id=code_id, system_id=system_id, active=active)
        return f" AND {sql}", params


class QuerySyntax(ABC):
    """How one vendor writes a boolean full-text query. The query is built only from index words,
    each quoted: no operator a user typed survives."""

    AND: str
    OR: str
    AND_NOT: str  # between the `some` part and the `every` part it excludes

    @abstractmethod
    def word(self, word: str, *, prefix: bool) -> str:
        """One quoted index word, or the words starting so (`prefix`)."""

    @abstractmethod
    def phrase(self, words: Sequence[str], *, prefix: bool) -> str:
        """These words in this order; with `prefix`, the last one may be a word's beginning."""

    def text(self, concepts: Sequence[Concept], *, every: bool) -> str:
        """The query for codes matching every concept, or some significant ones but not all;
        a joining concept (`with`), or one said to be absent (`without contrast`: a code may say
        so or say nothing of it), is not asked for beside others (ranking reads them)."""
        asked = [c for c in concepts if not (c.joining or c.absent)] or concepts
        every_part = self.AND.join(self._concept(concept) for concept in asked)
        if every:
            return every_part
        some = [self._concept(concept) for concept in concepts if concept.significant]
        return f"({self.OR.join(some)}){self.AND_NOT}({every_part})"

    def _any(self, parts: Sequence[str]) -> str:
        return parts[0] if len(parts) == 1 else "(" + self.OR.join(parts) + ")"

    def _matcher(self, matcher: WordMatcher) -> str:
        named = matcher.forms | (matcher.completions or frozenset())
        options = [self.word(form, prefix=False) for form in sorted(named)]
        if matcher.prefix and matcher.completions is None:
            options.append(self.word(matcher.prefix, prefix=True))
        return self._any(options)

    def _alternative(self, alternative: Alternative) -> str:
        if alternative.phrase:
            words = [matcher.typed for matcher in alternative.words]
            return self.phrase(words, prefix=bool(alternative.words[-1].prefix))
        # Words found together in one line, in any order: a joining word (`of`, `in`, `or`) is
        # in nearly every such line, so the index is not asked for it (its list of codes is the
        # longest there is); ranking still reads it in the line.
        matchers = [m for m in alternative.words if m.typed not in FILLER_WORDS] or list(
            alternative.words
        )
        words = [self._matcher(matcher) for matcher in matchers]
        return words[0] if len(words) == 1 else "(" + self.AND.join(words) + ")"

    def _concept(self, concept: Concept) -> str:
        return self._any([self._alternative(alternative) for alternative in concept.alternatives])


class SearchBackend(ABC):
    """Boolean questions over one vendor's full-text index; see sqlite.py and postgres.py."""

    def count(self, concepts: Sequence[Concept], scope: Scope, *, every: bool) -> int:
        """How many codes match all concepts (`every`) or some but not all; at most COUNT_CAP+1."""
        if not every and not any(concept.significant for concept in concepts):
            return 0
        where, params = self._where(concepts, scope, every)
        with read_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {self._from()} WHERE {where} LIMIT %s) m",
                [*params, COUNT_CAP + 1],
            )
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def held(self, concepts: Sequence[Concept], scope: Scope) -> list[int]:
        """How many codes hold each concept, at most COUNT_CAP+1: what tells a rare concept from
        a common one (concepts.idf_weights)."""
        return [self.count([concept], scope, every=True) for concept in concepts]

    @abstractmethod
    def _from(self) -> str:
        """The FROM clause of a match query: the index joined to `codes_code c` as needed."""

    @abstractmethod
    def _where(self, concepts: Sequence[Concept], scope: Scope, every: bool) -> tuple[str, Params]:
        """The WHERE clause and its parameters for codes matching the concepts in scope."""

    def ids(
        self,
        concepts: Sequence[Concept],
        scope: Scope,
        *,
        every: bool,
        by_relevance: bool,
        start: int,
        size: int,
    ) -> list[int]:
        """Code ids in the backend's relevance order (`by_relevance`), or shortest title first."""
        where, params = self._where(concepts, scope, every)
        order, order_params = self._order(params, by_relevance=by_relevance)
        return self._ids(
            f"SELECT c.id FROM {self._from()} WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, *order_params, size, start],
        )

    @abstractmethod
    def _order(self, where_params: Params, *, by_relevance: bool) -> tuple[str, Params]:
        """The ORDER BY clause of `ids` and its parameters, given those of its WHERE clause."""

    @staticmethod
    def _ids(sql: str, params: Params) -> list[int]:
        """The first column of a query's rows: code ids."""
        with read_connection().cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def line_ids(
        self, concepts: Sequence[Concept], scope: Scope, *, start: int, size: int
    ) -> list[int]:
        """Ids of codes whose title or one inclusion term holds every concept, the code with the
        shortest such line first (ties by id)."""
        # A code may have several matching lines: read lines until enough distinct codes.
        wanted = start + size
        limit = 2 * wanted
        while True:
            lines = self.line_codes(concepts, scope, limit=limit)
            ids = list(dict.fromkeys(lines))
            if len(ids) >= wanted or len(lines) < limit:
                return ids[start:wanted]
            limit *= 4

    @abstractmethod
    def line_codes(self, concepts: Sequence[Concept], scope: Scope, *, limit: int) -> list[int]:
        """The code id of each of the first `limit` lines (a title or one inclusion term) in scope
        that hold every concept, shortest line first, ties by code id."""

    @abstractmethod
    def vocabulary(self) -> list[str]:
        """Every word of the index (PostgreSQL's may keep a deleted code's words until the index
        is rebuilt: the vocabulary is a superset, codes.search.vocabulary)."""

    @abstractmethod
    def rebuild(self) -> None:
        """Rebuild the index from the codes table."""

    @abstractmethod
    def repair(self) -> None:
        """Put back sync machinery a schema change may have dropped (after every migrate)."""

    @abstractmethod
    def codes_written_in_bulk(self, count: int) -> None:
        """After a write transaction's import added or changed `count` codes: a backend may tidy
        the index it left (SQLite merges the full-text segments a release of thousands of
        revisions leaves, which every later search would read; PostgreSQL merges the GIN
        indexes' pending lists)."""

    @contextmanager
    def codes_added_in_bulk(self) -> Iterator[None]:
        """A block of a write transaction that adds codes and writes nothing else to the codes
        table: a backend may index the added codes all at once when the block ends instead of
        one by one (PostgreSQL's insert trigger already works a statement at a time)."""
        yield
