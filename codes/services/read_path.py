"""Writes on a read request's path: the counts and conveniences a page records as it is shown
(a search that found nothing, a code opened). They give up after a brief wait when the database
is busy (an import holding the write lock, a row locked by a save), so a busy database never
holds up, or fails, the page that asked."""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

# How long such a write waits for a busy database before it is skipped.
BUSY_WAIT_MS = 200
logger = logging.getLogger(__name__)


@contextmanager
def _brief_wait() -> Iterator[None]:
    """A transaction whose lock waits end after BUSY_WAIT_MS (OperationalError)."""
    if connection.vendor == "sqlite":
        # The connection's own wait is its `timeout` option (seconds; Python's default is 5).
        usual_ms = int(float(connection.settings_dict["OPTIONS"].get("timeout", 5)) * 1000)
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_WAIT_MS}")
        try:
            with transaction.atomic():
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {usual_ms}")
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{BUSY_WAIT_MS}ms'")
        yield


def unless_busy(what: str, write: Callable[[], None]) -> None:
    """Run `write` after at most a brief lock wait; when the database is busy it is skipped
    (rolled back) and `what` is logged as not recorded. The wait may end as the transaction
    begins (SQLite's BEGIN IMMEDIATE) or at a statement inside it (a row or table lock): skipped
    either way, never an error for the page that asked."""
    try:
        with _brief_wait():
            write()
    except OperationalError as exc:
        logger.info("%s not recorded (database busy): %s", what, exc)
