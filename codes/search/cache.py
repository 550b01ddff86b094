"""The result cache: a search's result is kept under the current search token, which every
committed change to codes, synonyms or code systems replaces (codes.models.SearchToken), so no
process serves a result from before an edit."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from codes.models import SearchToken
from codes.search.results import SearchResult

# How long a result stays cached; an edit replaces the search token at once, so this bounds memory
# use only, never staleness.
CACHE_SECONDS = 600


def cached(arguments: tuple[object, ...], compute: Callable[[], SearchResult]) -> SearchResult:
    """The cached result of a search with these arguments, or `compute()`'s, cached."""
    key = _cache_key(arguments)
    result = cache.get(key) if key else None
    if result is None:
        result = compute()
        if key:
            cache.set(key, result, CACHE_SECONDS)
    return result


def _cache_key(arguments: tuple[object, ...]) -> str | None:
    """Where a search's result is cached, or None (no caching) inside a transaction, whose own
    uncommitted writes a search may see and whose token PostgreSQL renews only at commit, and
    while the token row is missing (a test database emptied by flush until its next write)."""
    if connection.in_atomic_block:
        return None
    token = SearchToken.objects.values_list("token", flat=True).first()
    if token is None:
        return None
    return f"search:{token}:{hashlib.sha256(repr(arguments).encode()).hexdigest()}"
