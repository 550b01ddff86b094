"""Exports of comparisons and of a release's changes, each logged as an ExportRecord holding
the sha256 of its bytes."""

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import metadata
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

from django.utils import timezone

from codes import exports
from codes.exports import Document
from codes.exports.releases import RENDERERS as RELEASE_RENDERERS
from codes.exports.releases import ReleaseExport
from codes.models import ExportRecord
from codes.presenters import comparison_document
from codes.selectors import Comparison


@cache
def app_version() -> str:
    """The installed coderef release (pyproject.toml's version), as stamped in exports."""
    return metadata.version("coderef")


@dataclass(frozen=True)
class ExportedFile:
    record: ExportRecord
    data: bytes
    filename: str
    content_type: str


def comparisons_export(
    *,
    comparisons: list[Comparison],
    fmt: str,
    user: Any,
    paper: str = "a4",
    filters: Mapping[str, str | None] | None = None,
    progress: Callable[[int], None] | None = None,
    time_limit: float | None = None,
) -> ExportedFile:
    """Render `comparisons` in format `fmt`, stamped, and log it: the ExportRecord holds the
    sha256 of exactly the bytes returned.

    Without `filters` it is the export of one comparison (its JSON is the /api/compare
    document); with `filters` (possibly all empty) a list export of comparison notes.
    `progress` and `time_limit` are for a PDF's layout (see `exports.render`); nothing is
    logged when it fails.
    """
    bulk = filters is not None
    as_of = None if bulk else comparisons[0].as_of
    used = {name: value for name, value in (filters or {}).items() if value}
    tokens = "" if bulk else ",".join(comparisons[0].tokens)
    if not bulk:
        scope = f"The comparison of {', '.join(comparisons[0].tokens)}"
    elif used:
        scope = "Comparison notes matching " + ", ".join(f"{k}={v}" for k, v in used.items())
    else:
        scope = "All comparison notes"
    releases = () if bulk else tuple(comparisons[0].releases)
    stamp = _stamp(user, scope=scope, as_of=as_of, releases=releases)
    export = exports.Export(
        stamp=stamp, comparisons=[comparison_document(c) for c in comparisons], bulk=bulk
    )
    data = exports.render(export, fmt, paper=paper, progress=progress, time_limit=time_limit)
    name = exports.filename(export, fmt, paper=paper)
    return _logged(
        stamp, user, data, fmt, name, codes=tokens, filters=used, row_count=export.row_count
    )


def release_export(*, release: Document, fmt: str, user: Any) -> ExportedFile:
    """Render a release's changes (`presenters.release_document`, as filtered) as CSV or XLSX,
    stamped, and log it like a comparison export (its filters name the release)."""
    shown = {"release": f"{release['system']} {release['label']}"}
    shown |= {name: value for name, value in release["filters"].items() if value}
    scope = f"What changed in {release['system_name']} {release['label']}"
    stamp = _stamp(user, scope=scope)
    export = ReleaseExport(stamp=stamp, release=release)
    data = RELEASE_RENDERERS[fmt](export)
    day = stamp.generated_at.date().isoformat()
    name = f"coderef-{release['system']}-{release['label']}-changes-{day}.{fmt}"
    return _logged(stamp, user, data, fmt, name, filters=shown, row_count=export.row_count)


def _stamp(
    user: Any, *, scope: str, as_of: date | None = None, releases: tuple[str, ...] = ()
) -> exports.Stamp:
    return exports.Stamp(
        export_id=uuid4(),
        generated_at=timezone.now(),
        generated_by=user.get_username(),
        app_version=app_version(),
        as_of=as_of,
        scope=scope,
        releases=releases,
    )


def _logged(
    stamp: exports.Stamp,
    user: Any,
    data: bytes,
    fmt: str,
    name: str,
    *,
    filters: Mapping[str, str | None],
    row_count: int,
    codes: str = "",
) -> ExportedFile:
    """The file, logged as an ExportRecord holding the sha256 of exactly its bytes."""
    record = ExportRecord.objects.create(
        export_id=stamp.export_id,
        user=user,
        username=stamp.generated_by,
        created_at=stamp.generated_at,
        codes=codes,
        filters=urlencode(filters),
        as_of=stamp.as_of,
        releases=", ".join(stamp.releases),
        format=fmt,
        filename=name,
        app_version=stamp.app_version,
        sha256=hashlib.sha256(data).hexdigest(),
        row_count=row_count,
    )
    return ExportedFile(record, data, name, exports.FORMATS[fmt].content_type)
