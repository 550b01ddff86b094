"""A process-memory cache that keeps the values themselves, not pickled copies.

Django's local-memory cache pickles every value it stores and unpickles it on every read, so that
a caller changing what it got cannot change what the next caller gets. A search result is never
changed once search() returns it (its hits' highlights are filled before it is cached), so the
search cache keeps the result itself: a search not cached yet saves the pickling of its codes, a
cached one their unpickling."""

import time
from collections import OrderedDict
from threading import Lock
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

# The stores by LOCATION, shared by the process's threads (Django makes a backend per thread).
_STORES: dict[str, tuple["OrderedDict[str, tuple[float | None, Any]]", Lock]] = {}


class ObjectCache(BaseCache):
    """Values as they were set, per process (one store per LOCATION, as LocMemCache), least
    recently used first out past MAX_ENTRIES (OPTIONS), each until its timeout."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._values, self._lock = _STORES.setdefault(name, (OrderedDict(), Lock()))

    def _live(self, key: str) -> bool:
        """Whether the key holds a value not expired (an expired one is dropped); under the lock."""
        held = self._values.get(key)
        if held is None:
            return False
        expires = held[0]
        if expires is not None and expires <= time.time():
            del self._values[key]
            return False
        return True

    def _store(self, key: str, value: Any, timeout: float | None) -> None:
        self._values[key] = (self.get_backend_timeout(timeout), value)
        self._values.move_to_end(key)
        while len(self._values) > self._max_entries:
            self._values.popitem(last=False)

    def add(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._live(key):
                return False
            self._store(key, value, timeout)
            return True

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if not self._live(key):
                return default
            self._values.move_to_end(key)
            return self._values[key][1]

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._store(key, value, timeout)

    def touch(
        self, key: str, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if not self._live(key):
                return False
            self._values[key] = (self.get_backend_timeout(timeout), self._values[key][1])
            return True

    def delete(self, key: str, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            return self._values.pop(key, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
