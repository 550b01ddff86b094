"""A search as of a past day (`as_of=`): the code set of the releases in force that day.

In a system with a release in force on the day, the codes valid then are
- today's active codes that no later release changed: their texts then are today's, so the
  index finds them as it finds them today;
- the codes a later release revised or deleted, with their official texts then
  (`selectors.releases.codes_changed_since`, from the releases' changes: a few hundred codes a
  system, kept per release under the content token), which are matched here word by word and
  ranked by `ranking.rank` like any other candidate, in the tier their texts then reach.
Every code a later release added, revised or deleted is left out of the index's answers
(`CodeSetThen.sql`, in the backends and `search/rows.py`): a code is found by the words it had
then, never by words only today's text has, and a code added later is not found at all. A
system with no release in force that day is searched as today.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from codes.cache import ContentCache
from codes.models import Code, CodeSystem, Release
from codes.search.concepts import Concept
from codes.search.query import words_of
from codes.selectors.releases import codes_changed_since, release_in_force


@dataclass(frozen=True)
class CodeThen:
    """A code valid on the day whose texts a later release changed, as it was then."""

    code: Code  # an unsaved copy with the texts then (`Code.release_label` names the release)
    words: frozenset[str]  # the words of all its texts then
    title_words: frozenset[str]

    def holds(self, concept: Concept, *, title_only: bool = False) -> bool:
        """Whether its texts (or its title alone) hold the concept: every word of one of its
        alternatives, as the index's boolean match would find it."""
        return concept.held_in(self.title_words if title_only else self.words)


def _code_then(code: Code) -> CodeThen:
    texts = (code.title, code.descriptor, code.inclusion_terms, code.lay_description)
    return CodeThen(
        code,
        frozenset(word for text in texts for word in words_of(text)),
        frozenset(words_of(code.title)),
    )


@dataclass(frozen=True)
class CodeSetThen:
    """The code set of a past day, in the systems that had a release in force then."""

    day: date
    releases: tuple[Release, ...]  # the release in force, one per such system
    codes: tuple[CodeThen, ...]  # their codes whose texts a later release changed, in code order

    def label(self, system_id: int) -> str:
        return next(release.label for release in self.releases if release.system_id == system_id)

    def sql(self, *, code_id: str, system_id: str, active: str) -> tuple[str, list[Any]]:
        """The WHERE condition over these columns (of a code or the backend's line table) that
        leaves out the codes the index must not find as of the day: in a system with a release
        then, every code deleted today or changed by a later release (a seek of the release
        changes' code index per candidate, so a search reading few candidates reads few)."""
        systems = [release.system_id for release in self.releases]
        later = " OR ".join(["(r.system_id = %s AND r.effective_date > %s)"] * len(systems))
        return (
            f"({system_id} NOT IN ({', '.join(['%s'] * len(systems))}) OR ({active} AND "
            "NOT EXISTS (SELECT 1 FROM codes_releasecode rc JOIN codes_release r "
            f"ON r.id = rc.release_id WHERE rc.code_id = {code_id} AND ({later}))))",
            [
                *systems,
                *(value for r in self.releases for value in (r.system_id, r.effective_date)),
            ],
        )

    def in_scope(self, system_ids: Sequence[int] | None) -> list[CodeThen]:
        return [
            then for then in self.codes if system_ids is None or then.code.system_id in system_ids
        ]

    def in_range(self, system_ids: Sequence[int] | None, low: str, high: str) -> list[Code]:
        """Its codes of these systems from `low` up to (not including) `high`, in code order."""
        return [then.code for then in self.in_scope(system_ids) if low <= then.code.code < high]


def code_set_then(day: date, systems: Sequence[CodeSystem]) -> CodeSetThen | None:
    """The code set of `day` in these systems; None when none had a release in force then."""
    releases = [
        release for release in (release_in_force(system, day) for system in systems) if release
    ]
    if not releases:
        return None
    token = ContentCache().token
    codes = [then for release in releases for then in _codes_then(token, release)]
    return CodeSetThen(day, tuple(releases), tuple(codes))


def _codes_then(token: int | None, release: Release) -> tuple[CodeThen, ...]:
    """`codes_changed_since(release)` as CodeThen, kept per process under the content token
    (as codes.cache keeps values, but unpickled: a search reads every one of them)."""
    if token is None:  # nothing is kept inside a transaction (see ContentCache)
        return _read_codes_then(release)
    return _kept_codes_then(token, release)


def _read_codes_then(release: Release) -> tuple[CodeThen, ...]:
    return tuple(map(_code_then, codes_changed_since(release)))


# Releases are few, and the token changes with every write: old entries fall out.
@lru_cache(maxsize=16)
def _kept_codes_then(token: int, release: Release) -> tuple[CodeThen, ...]:
    return _read_codes_then(release)
