"""PostgreSQL: a weighted tsvector column on codes_code filled by a trigger, a GIN index over it,
and a vocabulary table with a pg_trgm index for the typo step (migration 0009_search_index).

Texts are indexed with accents removed and every run of punctuation made a space, with the `simple`
configuration: the default parser reads `dural/CSF` as one file-path token and `E11.65` as a
version number, and English stemming and stop words would make PostgreSQL find other codes than
SQLite. Word forms and synonyms are expanded in the query instead, the same way for both.

A second table holds each line a coder reads as one answer, the title and each inclusion term,
with its length, tsvector and its code's system and status (migration 0011_search_lines), kept in
step by a trigger.
"""

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
)

# A new random search token when a transaction that wrote to a searched table commits: the triggers
# are deferred to the commit and renew the token once, so the token row is locked only while
# committing (never while an import or an edit still takes row locks: no deadlock between them).
_RENEW_TOKEN = f"""INSERT INTO {TOKEN_TABLE} (id, token) VALUES (1, (random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token"""
TOKEN_SCHEMA = [
    f"""CREATE FUNCTION codes_search_token_renew() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('codes.search_token_renewed', true) IS DISTINCT FROM 'on' THEN
            PERFORM set_config('codes.search_token_renewed', 'on', true);
            {_RENEW_TOKEN};
        END IF;
        RETURN NULL;
    END $$""",
    *[
        f"""CREATE CONSTRAINT TRIGGER {table}_search_token
        AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION codes_search_token_renew()"""
        for table in SEARCHED_TABLES
    ],
    _RENEW_TOKEN,
]
DROP_TOKEN_SCHEMA = [
    *[f"DROP TRIGGER {table}_search_token ON {table}" for table in SEARCHED_TABLES],
    "DROP FUNCTION codes_search_token_renew()",
]

# Weights for ts_rank, in PostgreSQL's order D, C, B, A: lay description, descriptor, inclusion
# terms, title.
RANK_WEIGHTS = "{0.2, 0.3, 0.8, 1.0}"

SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE FUNCTION codes_search_words(text) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT regexp_replace(lower(unaccent(coalesce($1, ''))), '[^[:alnum:]]+', ' ', 'g')
    $$""",
    "ALTER TABLE codes_code ADD COLUMN search_vector tsvector",
    "CREATE TABLE codes_search_vocabulary (term text PRIMARY KEY)",
    """CREATE FUNCTION codes_code_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('simple', codes_search_words(NEW.title)), 'A')
            || setweight(to_tsvector('simple', codes_search_words(NEW.inclusion_terms)), 'B')
            || setweight(to_tsvector('simple', codes_search_words(NEW.descriptor)), 'C')
            || setweight(to_tsvector('simple', codes_search_words(NEW.lay_description)), 'D');
        INSERT INTO codes_search_vocabulary(term)
            SELECT unnest(tsvector_to_array(NEW.search_vector)) ON CONFLICT DO NOTHING;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER codes_code_search_sync
    BEFORE INSERT OR UPDATE OF title, inclusion_terms, descriptor, lay_description ON codes_code
    FOR EACH ROW EXECUTE FUNCTION codes_code_search_sync()""",
    "UPDATE codes_code SET title = title",
    # No pending list: a bulk import leaves the index ready to read, not waiting for a vacuum.
    """CREATE INDEX codes_code_search_vector ON codes_code USING gin (search_vector)
    WITH (fastupdate = off)""",
    """CREATE INDEX codes_search_vocabulary_trgm
    ON codes_search_vocabulary USING gin (term gin_trgm_ops)""",
]
DROP_SCHEMA = [
    "DROP TRIGGER codes_code_search_sync ON codes_code",
    "DROP FUNCTION codes_code_search_sync()",
    "DROP TABLE codes_search_vocabulary",
    "ALTER TABLE codes_code DROP COLUMN search_vector",
    "DROP FUNCTION codes_search_words(text)",
]


LINE_SCHEMA = [
    """CREATE TABLE codes_search_line (
        code_id bigint NOT NULL, system_id bigint NOT NULL, active boolean NOT NULL,
        length integer NOT NULL, vector tsvector NOT NULL)""",
    # The title and each inclusion term: (length, tsvector) of each line.
    """CREATE FUNCTION codes_search_lines(title text, terms text)
    RETURNS TABLE(length int, vector tsvector) LANGUAGE sql STABLE AS $$
        SELECT least(length(line), 65535), to_tsvector('simple', codes_search_words(line))
        FROM unnest(array_prepend(title, string_to_array(terms, E'\\n'))) line
        WHERE line <> ''
    $$""",
    """CREATE FUNCTION codes_search_lines_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM codes_search_line WHERE code_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO codes_search_line
                SELECT NEW.id, NEW.system_id, NEW.status <> 'deleted', l.*
                FROM codes_search_lines(NEW.title, NEW.inclusion_terms) l;
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER codes_search_lines_sync
    AFTER INSERT OR DELETE OR UPDATE OF title, inclusion_terms, system_id, status ON codes_code
    FOR EACH ROW EXECUTE FUNCTION codes_search_lines_sync()""",
    # A flush empties codes_code with TRUNCATE, which fires no row trigger.
    """CREATE FUNCTION codes_search_lines_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE codes_search_line;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER codes_search_lines_clear AFTER TRUNCATE ON codes_code
    FOR EACH STATEMENT EXECUTE FUNCTION codes_search_lines_clear()""",
    """INSERT INTO codes_search_line
    SELECT c.id, c.system_id, c.status <> 'deleted', l.*
    FROM codes_code c, codes_search_lines(c.title, c.inclusion_terms) l""",
    """CREATE INDEX codes_search_line_vector ON codes_search_line USING gin (vector)
    WITH (fastupdate = off)""",
    "CREATE INDEX codes_search_line_code ON codes_search_line (code_id)",
]
DROP_LINE_SCHEMA = [
    "DROP TRIGGER codes_search_lines_clear ON codes_code",
    "DROP FUNCTION codes_search_lines_clear()",
    "DROP TRIGGER codes_search_lines_sync ON codes_code",
    "DROP FUNCTION codes_search_lines_sync()",
    "DROP FUNCTION codes_search_lines(text, text)",
    "DROP TABLE codes_search_line",
]


def _word(matcher: WordMatcher) -> str:
    options = [f"'{form}'" for form in sorted(matcher.forms)]
    if matcher.prefix:
        options.append(f"'{matcher.prefix}':*")
    return options[0] if len(options) == 1 else "(" + " | ".join(options) + ")"


def _alternative(alternative: Alternative) -> str:
    if alternative.phrase:
        words = [f"'{matcher.typed}'" for matcher in alternative.words]
        if alternative.words[-1].prefix:
            words[-1] += ":*"
        return "(" + " <-> ".join(words) + ")"
    words = [_word(matcher) for matcher in alternative.words]
    return words[0] if len(words) == 1 else "(" + " & ".join(words) + ")"


def _concept(concept: Concept) -> str:
    parts = [_alternative(alternative) for alternative in concept.alternatives]
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def tsquery_text(concepts, *, every: bool) -> str:
    """A to_tsquery() text built only from quoted index words: no operator a user typed survives."""
    every_part = " & ".join(_concept(concept) for concept in concepts)
    if every:
        return every_part
    some = [_concept(concept) for concept in concepts if concept.significant]
    return "(" + " | ".join(some) + f") & !({every_part})"


def _matching(
    vector: str, concepts, scope: Scope, *, every: bool, system: str, active: str
) -> tuple[str, list]:
    """The WHERE clause (and its parameters) for rows whose `vector` matches, in scope."""
    sql = f"{vector} @@ to_tsquery('simple', %s)"
    params: list = [tsquery_text(concepts, every=every)]
    if scope.system_ids is not None:
        sql += f" AND {system} = ANY(%s)"
        params.append(list(scope.system_ids))
    if not scope.include_deleted:
        sql += f" AND {active}"
    return sql, params


class PostgresBackend(SearchBackend):
    def _where(self, concepts, scope, every) -> tuple[str, list]:
        return _matching(
            "c.search_vector",
            concepts,
            scope,
            every=every,
            system="c.system_id",
            active="c.status <> 'deleted'",
        )

    def _from(self) -> str:
        return "codes_code c"

    def ids(self, concepts, scope, *, every, by_relevance, start, size):
        where, params = self._where(concepts, scope, every)
        order = "length(c.title), c.id"
        if by_relevance:
            order = (
                f"ts_rank('{RANK_WEIGHTS}', c.search_vector, to_tsquery('simple', %s), 1) DESC, "
                + order
            )
            params = [*params, params[0]]
        with read_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT c.id FROM {self._from()} WHERE {where} "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, size, start],
            )
            return [row[0] for row in cursor.fetchall()]

    def line_codes(self, concepts, scope, *, limit):
        # The line table carries each code's system and status: no join, which would make the
        # planner sort every match in parallel workers, slower to start than the query itself.
        where, params = _matching(
            "vector", concepts, scope, every=True, system="system_id", active="active"
        )
        with read_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT code_id FROM codes_search_line WHERE {where} "
                "ORDER BY length, code_id LIMIT %s",
                [*params, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def vocabulary_near(self, word):
        with read_connection().cursor() as cursor:
            cursor.execute(
                "SELECT term FROM codes_search_vocabulary WHERE term %% %s "
                "ORDER BY term <-> %s, term LIMIT 30",
                [word, word],
            )
            return [row[0] for row in cursor.fetchall()]

    def repair(self):
        # Triggers survive ALTER TABLE on PostgreSQL: nothing to put back.
        return None

    def rebuild(self):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE codes_search_vocabulary, codes_search_line")
            cursor.execute("UPDATE codes_code SET title = title")
