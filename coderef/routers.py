"""Read replica routing: search reads go to the `replica` database when one is configured.

Only code that opts in with `replica_reads()` reads from the replica (the search, whose results
may lag a moment behind an edit); everything else, and every write, uses the primary.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

REPLICA = "replica"
_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads go to the replica database if there is one."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica gets its schema by replication, never by migrate.
        return db == "default"


def read_connection() -> BaseDatabaseWrapper:
    """The connection for raw reads that follow `replica_reads()` like the ORM's reads do."""
    from django.db import connections

    use = _use_replica.get() and REPLICA in settings.DATABASES
    return connections[REPLICA if use else "default"]
