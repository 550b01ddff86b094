"""A coder's own starred codes and comparisons, and the codes they opened last.

Reads and writes for one user at a time: nothing here returns another user's rows. The admin
gets counts only (`favourite_counts`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from codes import presenters
from codes.models import Code, Favourite, RecentCode, code_url
from codes.services.read_path import unless_busy

RECENT_CODES_KEPT = 20
# What a list of a user's codes reads of each (ListedCode's fields): not the long texts.
LISTED_CODE_FIELDS = ("code_id", "code__system__slug", "code__code", "code__title")
SHORT_TITLE = 70  # characters of a title a list shows

AnyUser = User | AnonymousUser


def comparison_title(tokens: Sequence[str]) -> str:
    """How a comparison reads: its codes without system prefixes, `63707 vs 63709`."""
    return " vs ".join(token.rpartition(":")[2] for token in tokens)


@dataclass(frozen=True)
class StarredComparison:
    """A starred comparison: its URL tokens, how it reads, where it is."""

    tokens: list[str]
    starred_at: datetime

    @property
    def title(self) -> str:
        return comparison_title(self.tokens)

    @property
    def url(self) -> str:
        return presenters.compare_url(self.tokens)


@dataclass(frozen=True)
class ListedCode:
    """A code as a user's lists show it: its system, code, title and page (not its texts)."""

    pk: int
    system_slug: str
    code: str
    title: str

    @property
    def url(self) -> str:
        return code_url(self.system_slug, self.code)

    @property
    def short_title(self) -> str:
        return self.title if len(self.title) <= SHORT_TITLE else self.title[: SHORT_TITLE - 1] + "…"

    @property
    def html(self) -> SafeString:
        """Its line in a list (built here, not by an include per line: a list has 20 or more)."""
        return format_html(
            '<a href="{}" class="code-ref"><span class="code">{}</span> '
            '<span class="system-tag">{}</span></a> <span class="muted">{}</span>',
            self.url,
            self.code,
            self.system_slug,
            self.short_title,
        )


@dataclass(frozen=True)
class MyCodes:
    """What a user keeps at hand: starred codes (with when), starred comparisons, recent codes
    (with when opened), newest first."""

    codes: list[tuple[ListedCode, datetime]]
    comparisons: list[StarredComparison]
    recent: list[tuple[ListedCode, datetime]]

    def __bool__(self) -> bool:
        return bool(self.codes or self.comparisons or self.recent)

    def starred(self, code: Code) -> bool:
        return any(listed.pk == code.pk for listed, _ in self.codes)


def my_codes(*, user: AnyUser, recent_limit: int = RECENT_CODES_KEPT) -> MyCodes:
    """The user's favourites and recent codes; empty for a user not signed in."""
    if not user.is_authenticated:
        return MyCodes([], [], [])
    favourites = Favourite.objects.filter(user=user).values_list(
        "comparison", "created_at", *LISTED_CODE_FIELDS
    )
    recent = RecentCode.objects.filter(user=user).values_list("opened_at", *LISTED_CODE_FIELDS)
    return MyCodes(
        codes=[
            (ListedCode(*listed), created_at)
            for comparison, created_at, *listed in favourites
            if not comparison
        ],
        comparisons=[
            StarredComparison(comparison.split(","), created_at)
            for comparison, created_at, *_ in favourites
            if comparison
        ],
        recent=[(ListedCode(*listed), opened_at) for opened_at, *listed in recent[:recent_limit]],
    )


def comparison_is_starred(*, user: AnyUser, tokens: Sequence[str]) -> bool:
    """Whether this user starred the comparison of these tokens (in this order)."""
    return (
        user.is_authenticated
        and Favourite.objects.filter(user=user, comparison=",".join(tokens)).exists()
    )


def favourite_set(
    *, user: User, starred: bool, code: Code | None = None, tokens: Sequence[str] = ()
) -> None:
    """Star (or unstar) one code or one comparison for this user; starring twice is a no-op."""
    if (code is None) == (not tokens):
        raise ValueError("Name either a code or a comparison's tokens.")
    match: dict[str, Any] = {"code": code} if code is not None else {"comparison": ",".join(tokens)}
    if not starred:
        Favourite.objects.filter(user=user, **match).delete()
        return
    try:
        with transaction.atomic():
            Favourite.objects.get_or_create(user=user, **match)
    except IntegrityError:  # the same star from another tab a moment ago
        pass


def recent_code_record(*, user: AnyUser, code: Code) -> None:
    """Remember that the user opened this code now; keep only their newest RECENT_CODES_KEPT."""
    if not user.is_authenticated:
        return
    # A convenience, recorded on the way to the page: never worth holding the page up for.
    unless_busy("a recent code", lambda: _recent_code_write(user, code))


def _recent_code_write(user: User, code: Code) -> None:
    # One statement whether the code is new to the list or opened again (and so no race between
    # two tabs), then one to drop what falls off the end.
    RecentCode.objects.bulk_create(
        [RecentCode(user=user, code=code, opened_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "code"],
        update_fields=["opened_at"],
    )
    stale = RecentCode.objects.filter(user=user).values("pk")[RECENT_CODES_KEPT:]
    RecentCode.objects.filter(pk__in=stale).delete()


def favourite_counts(*, code: Code) -> tuple[int, int]:
    """How many users starred the code and how many have it among their recent codes: the
    admin's view, with no names."""
    counts = Code.objects.filter(pk=code.pk).aggregate(
        starred=Count("favourites__user", distinct=True),
        recent=Count("recent_openings__user", distinct=True),
    )
    return counts["starred"], counts["recent"]


def favourites_document(mine: MyCodes, absolute: Callable[[str], str]) -> dict:
    """`/api/me/favourites`: the user's starred codes and comparisons and recent codes, times in
    ISO 8601; `absolute` turns a path into a full URL."""

    def code_entry(code: ListedCode) -> dict:
        return {
            "system": code.system_slug,
            "code": code.code,
            "title": code.title,
            "url": absolute(code.url),
        }

    return {
        "codes": [
            {**code_entry(code), "starred_at": when.isoformat()} for code, when in mine.codes
        ],
        "comparisons": [
            {
                "codes": comparison.tokens,
                "title": comparison.title,
                "url": absolute(comparison.url),
                "starred_at": comparison.starred_at.isoformat(),
            }
            for comparison in mine.comparisons
        ],
        "recent": [
            {**code_entry(code), "opened_at": when.isoformat()} for code, when in mine.recent
        ],
    }
