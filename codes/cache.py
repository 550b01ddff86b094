"""What search, pages and the API keep per process: each value is stored under the content token
(`codes.models.SearchToken`), which database triggers replace on every committed change to codes,
code systems, synonyms, comparison notes and the codebook's reference data, so no process serves
a value from before a change, whoever made it and through whichever process."""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connection

from codes.models import SearchToken

# How long a value stays cached; a change replaces the token at once, so this bounds memory use
# only, never staleness.
CACHE_SECONDS = 600

T = TypeVar("T")


class ContentCache:
    """One request's view of a cache (a CACHES alias). The token is read when it is made, before
    the request reads what it will cache: whatever is read after the token is at least as new
    as the token says, so a change that commits in between cannot be cached under the new one.

    Nothing is cached inside a transaction, whose own uncommitted writes the request may see and
    whose token PostgreSQL renews only at commit, nor while the token row is missing (a test
    database emptied by flush, until its next write)."""

    def __init__(self, alias: str = "default") -> None:
        self.store = caches[alias]
        self.token = (
            None
            if connection.in_atomic_block
            else SearchToken.objects.values_list("token", flat=True).first()
        )

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
