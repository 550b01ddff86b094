"""A coder's own search settings: the code systems the search page searches by default.

Reads and writes for one user at a time, like `codes.favourites`; no page shows one user's
settings to another.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from codes.favourites import AnyUser
from codes.models import CodeSystem, SearchPreference


def search_systems(*, user: AnyUser) -> list[CodeSystem]:
    """The systems the user searches by default, in the systems' order; empty: every system."""
    if not user.is_authenticated:
        return []
    chosen = SearchPreference.systems.through.objects.filter(
        searchpreference__user=user
    ).select_related("codesystem")
    return sorted(
        (row.codesystem for row in chosen), key=lambda system: (system.position, system.slug)
    )


@transaction.atomic
def search_systems_set(*, user: User, systems: Iterable[CodeSystem]) -> None:
    """Make these the user's default systems; none: search every system again."""
    systems = list(systems)
    if not systems:
        SearchPreference.objects.filter(user=user).delete()
        return
    preference, _ = SearchPreference.objects.get_or_create(user=user)
    preference.systems.set(systems)
