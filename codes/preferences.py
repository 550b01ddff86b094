"""A coder's own search settings: the code systems the search page searches by default.

Reads and writes for one user at a time, like `codes.favourites`; no page shows one user's
settings to another.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import connection, transaction

from codes.favourites import AnyUser
from codes.models import CodeSystem, SearchPreference
from codes.selectors.codes import code_systems


def search_systems(*, user: AnyUser) -> list[CodeSystem]:
    """The systems the user searches by default, in the systems' order; empty: every system.
    Read on every search page: the ids in one statement, the systems from those kept
    (selectors.code_systems)."""
    if not user.is_authenticated:
        return []
    through = SearchPreference.systems.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.codesystem_id FROM {through} s JOIN {SearchPreference._meta.db_table} p"
            " ON p.id = s.searchpreference_id WHERE p.user_id = %s",
            [user.pk],
        )
        chosen = {pk for (pk,) in cursor.fetchall()}
    return [system for system in code_systems() if system.pk in chosen]


@transaction.atomic
def search_systems_set(*, user: User, systems: Iterable[CodeSystem]) -> None:
    """Make these the user's default systems; none: search every system again."""
    systems = list(systems)
    if not systems:
        SearchPreference.objects.filter(user=user).delete()
        return
    preference, _ = SearchPreference.objects.get_or_create(user=user)
    preference.systems.set(systems)
