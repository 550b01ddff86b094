"""What search, pages and the API keep per process: each value is stored under the content token
(`codes.models.SearchToken`), which database triggers replace on every committed change to codes,
code systems, synonyms, comparison notes and the codebook's reference data, so no process serves
a value from before a change, whoever made it and through whichever process."""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar, cast

from django.core.cache import caches
from django.db import connection

from codes.models import SearchToken

# How long a value stays cached; a change replaces the token at once, so this bounds memory use
# only, never staleness.
CACHE_SECONDS = 600

T = TypeVar("T")


# The token one read-only piece of work (a search) reads everything under, once (one_token).
_HELD: ContextVar[int | None] = ContextVar("content_token_held", default=None)


def content_token() -> int | None:
    """The content token, or None inside a transaction or while the token row is missing (see
    ContentCache)."""
    if connection.in_atomic_block:
        return None
    held = _HELD.get()
    if held is not None:
        return held
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {SearchToken._meta.db_table} ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@contextmanager
def one_token() -> Iterator[None]:
    """Inside the block, the content token is read once: a read-only piece of work (a search,
    which asks for it for its result, the code systems, the vocabulary and each word start's
    entries) reads all it keeps under one token. Nothing inside may write: a write's new token
    would not be seen."""
    held = _HELD.set(content_token())
    try:
        yield
    finally:
        _HELD.reset(held)


# Values `kept` in this process: (namespace) -> (the token they were read under, the value).
_KEPT: dict[str, tuple[int, object]] = {}


def kept(namespace: str, compute: Callable[[], T]) -> T:
    """A small value read from the content that every request needs (the code systems), kept in
    this process's memory until the content token changes; read afresh whenever there is no
    token (inside a transaction). Only what no request changes may be kept so."""
    token = content_token()
    if token is None:
        return compute()
    held = _KEPT.get(namespace)
    if held is not None and held[0] == token:
        return cast(T, held[1])
    value = compute()
    _KEPT[namespace] = (token, value)
    return value


class ContentCache:
    """One request's view of a cache (a CACHES alias). The token is read when it is made, before
    the request reads what it will cache: whatever is read after the token is at least as new
    as the token says, so a change that commits in between cannot be cached under the new one.

    Nothing is cached inside a transaction, whose own uncommitted writes the request may see and
    whose token PostgreSQL renews only at commit, nor while the token row is missing (a test
    database emptied by flush, until its next write)."""

    def __init__(self, alias: str = "default") -> None:
        self.store = caches[alias]
        self.token = content_token()

    def get_or_compute(
        self, namespace: str, arguments: tuple[object, ...], compute: Callable[[], T]
    ) -> T:
        """The value cached for `namespace` and `arguments`, or `compute()`'s, cached."""
        if self.token is None:
            return compute()
        digest = hashlib.sha256(repr(arguments).encode()).hexdigest()
        key = f"{namespace}:{self.token}:{digest}"
        value: T | None = self.store.get(key)
        if value is None:
            value = compute()
            self.store.set(key, value, CACHE_SECONDS)
        return value
