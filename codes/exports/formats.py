"""The formats an export comes in: rendering, file names and Content-Types."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from codes.exports.csv import to_csv
from codes.exports.document import Export
from codes.exports.json import to_json
from codes.exports.pdf import to_pdf
from codes.exports.xlsx import to_xlsx


@dataclass(frozen=True)
class Format:
    """How a format is served: the file name extension and the Content-Type."""

    extension: str
    content_type: str


FORMATS = {
    "csv": Format("csv", "text/csv; charset=utf-8"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": Format("pdf", "application/pdf"),
    "json": Format("json", "application/json"),
}

RENDERERS: dict[str, Callable[[Export], bytes]] = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}


def render(
    export: Export,
    fmt: str,
    *,
    paper: str = "a4",
    progress: Callable[[int], None] | None = None,
    time_limit: float | None = None,
) -> bytes:
    """The export in format `fmt` (a key of FORMATS), signed; `paper` (a key of PAPER_SIZES)
    is for PDFs. Control characters are taken out of every text first (XML cannot hold them).

    A PDF's layout, the one long step, reports to `progress(comparisons laid out)` and is
    bounded by `time_limit` seconds (see `pdf.to_pdf`)."""
    export = export.cleaned()
    if fmt == "pdf":
        return to_pdf(export, paper=paper, progress=progress, time_limit=time_limit)
    return RENDERERS[fmt](export)


UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9.]+")


def filename(export: Export, fmt: str, *, paper: str = "a4") -> str:
    """coderef-63707-vs-63709-2026-11-26.csv; with an as-of date, ...-as-of-2026-01-01.csv;
    a list export is coderef-comparisons-<date>; a PDF's name ends with its paper size
    (...-2026-11-26-letter.pdf)."""
    stamp = export.stamp
    if export.bulk:
        subject = "comparisons"
    else:
        subject = "-vs-".join(
            UNSAFE_IN_FILENAME.sub("-", code["code"]) for code in export.comparisons[0]["codes"]
        )
    day = f"as-of-{stamp.as_of.isoformat()}" if stamp.as_of else f"{stamp.generated_at:%Y-%m-%d}"
    size = f"-{paper}" if fmt == "pdf" else ""
    return f"coderef-{subject}-{day}{size}.{FORMATS[fmt].extension}"
