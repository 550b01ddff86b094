"""Writes of releases: a release's codes through `codes_import`, and its `Release` record with
the codes it added, revised and deleted (`ReleaseCode`), in one transaction.

A release in date order changes today's codes (history "release FY2026"); one slotted in
before a newer release (`historical`) changes no text of today's: it adds the codes it alone
listed (deleted since) and takes its place in the timeline, the newer release's changes
worked out again against it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from codes.models import Code, CodeSystem, Release, ReleaseCode
from codes.releases import OfficialText
from codes.services.codes import Progress, codes_import


@dataclass(frozen=True)
class CodeChange:
    """What a release did to one code (`codes.releases.change_kind`), with its official texts
    before and after (None where the code was not in the code set)."""

    code: str
    kind: str
    old: OfficialText | None
    new: OfficialText | None


@dataclass
class ReleaseRecord:
    """The release an import records, with its counts and changes."""

    system: CodeSystem
    label: str
    effective_date: date
    source_name: str
    source_sha256: str
    historical: bool = False
    baseline: bool = False
    unchanged: int = 0
    changes: list[CodeChange] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)


def release_reason(label: str) -> str:
    """The history reason of the codes a release writes."""
    return f"release {label}"


@transaction.atomic
def release_import(
    *,
    record: ReleaseRecord,
    added: int,
    new: Sequence[Code],
    changes: Mapping[int, Mapping[str, Any]],
    versions: Mapping[int, int],
    progress: Progress | None = None,
    correcting: Release | None = None,
) -> Release:
    """Write a release in date order, all or nothing: its codes (see `codes_import`), then its
    record. `added` counts the codes it added (a baseline lists none of them one by one).

    `correcting` is the recorded release of the same label that a corrected file replaces:
    it takes the new file's name and checksum, and the changes are added to its own.
    """
    codes_import(
        new=new,
        changes=changes,
        versions=versions,
        reason=release_reason(record.label),
        progress=progress,
    )
    counts = {
        "added": added,
        "revised": record.count("revised"),
        "deleted": record.count("deleted"),
        "unchanged": record.unchanged,
    }
    if correcting is None:
        release = _release_create(record, **counts)
    else:
        release = correcting
        release.source_name, release.source_sha256 = record.source_name, record.source_sha256
        for name, value in counts.items():
            if name != "unchanged":
                value += getattr(release, name)
            setattr(release, name, value)
        release.save()
        release.changes.filter(code__code__in=[change.code for change in record.changes]).delete()
    _changes_create(release, record.changes)
    return release


@transaction.atomic
def release_insert_historical(
    *,
    record: ReleaseRecord,
    added: int,
    gone: Sequence[Code],
    following: Release | None,
    following_changes: Sequence[CodeChange],
    following_unchanged: int,
) -> Release:
    """Slot an older release into the timeline without changing today's texts: add the codes
    only it lists (`gone`: deleted since, as the next release deleted them), record it, and
    record the next release's changes again, now against it. `added` counts the codes it
    added (all it lists, when it is the system's oldest release: its baseline)."""
    if gone:
        codes_import(new=gone, changes={}, versions={}, reason=release_reason(record.label))
    release = _release_create(
        record,
        added=added,
        revised=record.count("revised"),
        deleted=record.count("deleted"),
        unchanged=record.unchanged,
    )
    _changes_create(release, record.changes)
    if following is not None:
        following.changes.all().delete()
        _changes_create(following, following_changes)
        following.baseline = False
        following.unchanged = following_unchanged
        for kind in ("added", "revised", "deleted"):
            setattr(following, kind, sum(1 for c in following_changes if c.kind == kind))
        following.save()
    return release


def _release_create(record: ReleaseRecord, **counts: int) -> Release:
    return Release.objects.create(
        system=record.system,
        label=record.label,
        effective_date=record.effective_date,
        source_name=record.source_name,
        source_sha256=record.source_sha256,
        historical=record.historical,
        baseline=record.baseline,
        **counts,
    )


def _changes_create(release: Release, changes: Sequence[CodeChange]) -> None:
    # The system's codes whole: a list of thousands of codes would pass SQLite's variable limit.
    pks = dict(Code.objects.filter(system=release.system).values_list("code", "pk"))
    ReleaseCode.objects.bulk_create(
        [
            ReleaseCode(
                release=release,
                code_id=pks[change.code],
                kind=change.kind,
                old_title=change.old[0] if change.old else "",
                old_descriptor=change.old[1] if change.old else "",
                new_title=change.new[0] if change.new else "",
                new_descriptor=change.new[1] if change.new else "",
            )
            for change in changes
        ],
        batch_size=1000,
    )
