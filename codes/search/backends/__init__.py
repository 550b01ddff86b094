"""The full-text backend of the default database's vendor, picked once."""

from functools import cache

from django.db import connection

from codes.search.backends.base import SearchBackend


@cache
def get_backend() -> SearchBackend:
    """The backend for the default database's vendor (PostgreSQL, or SQLite)."""
    if connection.vendor == "postgresql":
        from codes.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from codes.search.backends.sqlite import SQLiteBackend

    return SQLiteBackend()
