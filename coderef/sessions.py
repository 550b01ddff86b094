"""Sessions in the database, as django.contrib.sessions.backends.db keeps them, read by a
statement written once: every request reads its session, and the ORM's query, built anew each
time, cost more than reading it."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.contrib.sessions.models import Session
from django.utils import timezone

_READ = (
    f"SELECT session_key, session_data, expire_date FROM {Session._meta.db_table}"
    " WHERE session_key = %s AND expire_date > %s"
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> AbstractBaseSession | None:
        found = list(self.model.objects.raw(_READ, [self.session_key, timezone.now()]))
        if found:
            return found[0]
        self._session_key = None  # as db.SessionStore does for a key it does not know
        return None
