"""Releases: the list per system, one release's changes (filtered by kind and code prefix) and the
notes naming the codes it revised or deleted, a code's timeline, and the official texts in
force after any release (rebuilt from today's codes by undoing the releases after it)."""

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from codes.models import (
    Code,
    CodeSystem,
    ComparisonNote,
    ComparisonNoteQuerySet,
    Release,
    ReleaseCode,
)
from codes.releases import ADDED, DELETED, REVISED, OfficialText

KINDS = (ADDED, REVISED, DELETED)


def releases_by_system() -> list[tuple[CodeSystem, list[Release]]]:
    """Every system with releases, each with its releases newest first."""
    by_system: dict[int, tuple[CodeSystem, list[Release]]] = {}
    for release in Release.objects.select_related("system"):
        by_system.setdefault(release.system_id, (release.system, []))[1].append(release)
    return list(by_system.values())


def release_get(*, system_slug: str, label: str) -> Release:
    """The release of that system and label (any case); 404 if there is none."""
    found = (
        Release.objects.select_related("system")
        .filter(system__slug=system_slug.lower()[:32], label__iexact=label[:32])
        .first()
    )
    if found is None:
        raise Http404(f"No release “{label[:32]}” of the system “{system_slug[:32]}”.")
    return found


def release_changes(release: Release, *, kind: str = "", prefix: str = "") -> QuerySet[ReleaseCode]:
    """The release's changes in code order, of one kind and under one code prefix if given
    (a prefix is matched as the system spells codes: `s62` finds S62.90XA)."""
    changes = release.changes.select_related("code__system").order_by("code__code")
    if kind:
        changes = changes.filter(kind=kind)
    if prefix:
        changes = changes.filter(code__code__startswith=release.system.normalize_code(prefix))
    return changes


def release_counts(release: Release, *, prefix: str = "") -> dict[str, int]:
    """How many codes of each kind the release changed (under `prefix`, if given)."""
    if not prefix:
        return {kind: getattr(release, kind) for kind in KINDS}
    counts = dict.fromkeys(KINDS, 0)
    for kind in release_changes(release, prefix=prefix).values_list("kind", flat=True):
        counts[kind] += 1
    return counts


def release_flagged_notes(release: Release) -> ComparisonNoteQuerySet:
    """The comparison notes naming a code the release revised or deleted, with their review
    flag (cleared once an editor has reviewed the note since)."""
    changed = release.changes.filter(kind__in=[REVISED, DELETED]).values("code")
    return (
        ComparisonNote.objects.filter(Q(code_a__in=changed) | Q(code_b__in=changed))
        .with_review_flag()
        .select_related("code_a__system", "code_b__system")
        .order_by("code_a__code", "code_b__code")
    )


@dataclass(frozen=True)
class TimelineEntry:
    release: Release
    change: ReleaseCode | None  # None: in the code set since this (baseline) release


def code_timeline(code: Code) -> list[TimelineEntry]:
    """What the releases did to the code, oldest first; the system's baseline release first
    when the code was in it (not added by a later release)."""
    changes = list(
        ReleaseCode.objects.filter(code=code)
        .select_related("release__system")
        .order_by("release__effective_date")
    )
    baseline = Release.objects.filter(system=code.system_id, baseline=True).first()
    entries = [TimelineEntry(change.release, change) for change in changes]
    if baseline and not (changes and changes[0].kind == ADDED):
        entries.insert(0, TimelineEntry(baseline, None))
    return entries


def releases_around(system: CodeSystem, day: date) -> tuple[Release | None, Release | None]:
    """The newest release of the system that took effect before `day`, and the oldest after."""
    releases = Release.objects.filter(system=system)
    before = releases.filter(effective_date__lt=day).order_by("-effective_date").first()
    after = releases.filter(effective_date__gt=day).order_by("effective_date").first()
    return before, after


def newest_release(system: CodeSystem) -> Release | None:
    """The release in force today: the latest to take effect (of two on one day, the later
    import)."""
    return Release.objects.filter(system=system).order_by("-effective_date", "-imported_at").first()


def official_state(system: CodeSystem, after: Release | None) -> dict[str, OfficialText]:
    """The codes in force after release `after` with their official texts; None: before every
    release (nothing: a system's first release is taken to start it). Today's active codes,
    with the releases after `after` undone newest first."""
    if after is None:
        return {}
    state = {
        code: (title, descriptor)
        for code, title, descriptor in Code.objects.filter(system=system)
        .exclude(status=Code.Status.DELETED)
        .values_list("code", "title", "descriptor")
    }
    later = later_changes(after).order_by("-release__effective_date")
    for code, kind, old_title, old_descriptor in later.values_list(
        "code__code", "kind", "old_title", "old_descriptor"
    ):
        if kind == ADDED:
            state.pop(code, None)
        else:
            state[code] = (old_title, old_descriptor)
    return state


def later_changes(release: Release) -> QuerySet[ReleaseCode]:
    """What the releases of the same system that took effect after `release` changed."""
    return ReleaseCode.objects.filter(
        release__system=release.system_id, release__effective_date__gt=release.effective_date
    )


def release_in_force(system: CodeSystem, day: date) -> Release | None:
    """The system's release in force on `day`: the latest to take effect by then."""
    return (
        Release.objects.filter(system=system, effective_date__lte=day)
        .order_by("-effective_date", "-imported_at")
        .first()
    )


@dataclass(frozen=True)
class CodeInForce:
    """A code as the release in force on a day had it: its official texts then, or None when
    the code was not in the code set (not added yet, or deleted by then)."""

    release: Release
    text: OfficialText | None


def code_in_force(code: Code, day: date) -> CodeInForce | None:
    """The code on `day` by the releases recorded; None when no release was in force then."""
    return codes_in_force([code], day)[code.pk]


def codes_in_force(codes: Sequence[Code], day: date) -> dict[int, CodeInForce | None]:
    """`code_in_force` for many codes (a page of search hits) in a few queries: by code id."""
    systems = {code.system_id: code.system for code in codes}
    in_force = {pk: release_in_force(system, day) for pk, system in systems.items()}
    changes = _changes_by_code(Q(code__in=[code.pk for code in codes]))
    found: dict[int, CodeInForce | None] = {}
    for code in codes:
        release = in_force[code.system_id]
        text = None if release is None else _text_in(code, release, changes.get(code.pk, []))
        found[code.pk] = None if release is None else CodeInForce(release, text)
    return found


def code_in_release(code: Code, release: Release) -> CodeInForce:
    """The code as `release` (of its system) had it, by the releases recorded."""
    return CodeInForce(
        release, _text_in(code, release, _changes_by_code(Q(code=code)).get(code.pk, []))
    )


def code_with_text(code: Code, label: str, text: OfficialText) -> Code:
    """An unsaved copy of the code carrying the official texts of its system's release `label`
    (`Code.release_label`)."""
    then = copy(code)
    then.title, then.descriptor = text
    then.release_label = label
    return then


def codes_changed_since(release: Release) -> list[Code]:
    """The codes of `release` whose official texts are not today's: those a later release of
    the system changed (revised or deleted) that `release` had, each a `code_with_text` copy
    with its texts in `release`, in code order. Every other code `release` had is today's
    active code with today's texts; the codes later releases added were not in it."""
    changes = _changes_by_code(Q(code__in=later_changes(release).values("code")))
    then = []
    for code_changes in changes.values():
        code = code_changes[0].code
        text = _text_in(code, release, code_changes)
        if text is not None:
            then.append(code_with_text(code, release.label, text))
    return sorted(then, key=lambda code: code.code)


def releases_in_force(day: date) -> list[tuple[CodeSystem, Release | None]]:
    """Each system with the release in force on `day` (None: none recorded by then)."""
    return [(system, release_in_force(system, day)) for system in CodeSystem.objects.all()]


def _changes_by_code(codes: Q) -> dict[int, list[ReleaseCode]]:
    """The release changes of the codes `codes` selects, oldest first, by code id."""
    changes: dict[int, list[ReleaseCode]] = {}
    for change in (
        ReleaseCode.objects.filter(codes)
        .select_related("release", "code__system")
        .order_by("release__effective_date", "release__imported_at")
    ):
        changes.setdefault(change.code_id, []).append(change)
    return changes


def _text_in(code: Code, release: Release, changes: list[ReleaseCode]) -> OfficialText | None:
    """The code's official texts in `release` from its changes (oldest first): the last
    change by then, else the first one after it, else (no change recorded) today's."""
    by_then = [c for c in changes if c.release.effective_date <= release.effective_date]
    later = [c for c in changes if c.release.effective_date > release.effective_date]
    if by_then:
        last = by_then[-1]
        return None if last.kind == DELETED else (last.new_title, last.new_descriptor)
    if later:
        first = later[0]
        return None if first.kind == ADDED else (first.old_title, first.old_descriptor)
    return None if code.is_deleted else (code.title, code.descriptor)
