"""PDF (WeasyPrint): per comparison the codes side by side with their word-level
differences marked, then each note; the export id and signature in the document's metadata."""

import io
import re
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from codes.exports.document import (
    Document,
    Export,
    claim_cells,
    comparison_title,
    pair,
    timestamp,
    utc,
)
from codes.exports.layout import parts_to_pdf
from codes.exports.signature import PLACEHOLDER, Seal, bytes_seal, signed_bytes

PAPER_SIZES = {"a4": "A4", "letter": "Letter"}

CODE_LABELS = {
    "title": "Title",
    "descriptor": "Descriptor (official, or our paraphrase where marked)",
    "lay_description": "What it involves",
}

# The document's own metadata keys (PDF names): what verify_export reads back with pypdf.
EXPORT_ID_KEY = "/CoderefExportId"
NOTES_KEY = "/CoderefNotes"
SIGNATURE_KEY = "/CoderefSignature"


def _pdf_comparison(comparison: Document, number: int, total: int) -> dict[str, Any]:
    """What the PDF shows of one comparison: side by side, each text after the first code's
    marked word by word against it (as on the page), then the notes."""
    # The layout workers import this package without Django set up: the presenters (and
    # through them the models) are imported only where a comparison is laid out.
    from codes.presenters import DIFFERED_FIELDS, marked_text

    codes = comparison["codes"]
    side_by_side: list[tuple[str, list[Any]]] = []
    for field in DIFFERED_FIELDS:
        base = codes[0][field]
        cells = [
            marked_text(base, code[field], cues=False).html if index else escape(base)
            for index, code in enumerate(codes)
        ]
        side_by_side.append((CODE_LABELS[field], cells))
    side_by_side.append(
        (
            "Status, revision",
            [
                f"{_status(c)}; version {c['version']}, updated {timestamp(c['updated_at'])}"
                for c in codes
            ],
        )
    )
    for label, facts in claim_cells(comparison):
        side_by_side.append(
            (label, [format_html("<ins>{}</ins>", v) if d else escape(v) for v, d in facts])
        )
    return {
        "document": comparison,
        "title": comparison_title(comparison),
        "number": number,
        "total": total,
        "first": codes[0]["code"],
        "side_by_side": side_by_side,
        "notes": [
            {"note": note, "pair": pair(note), "updated_at": timestamp(note["updated_at"])}
            for note in comparison["notes"]
        ],
    }


def _status(code: Document) -> str:
    dates = [
        f"from {code['effective_date']}" if code["effective_date"] else "",
        f"until {code['end_date']}" if code["end_date"] else "",
    ]
    return " ".join([code["status"], *filter(None, dates)])


CSS_PLAIN = re.compile(r"[\w .,;:@()/-]")


def _css_string(text: str) -> SafeString:
    """`text` as a quoted CSS string for the page margins (WeasyPrint lays these out much
    faster than running elements); everything but letters, digits and plain punctuation is
    escaped, so no text can end the string or the style sheet."""
    escaped = "".join(char if CSS_PLAIN.fullmatch(char) else f"\\{ord(char):x} " for char in text)
    return mark_safe(f'"{escaped}"')


# Comparisons per HTML part of a list export's PDF: each part is laid out by its own worker
# process (see layout); about 5 s and 200 MB of layout each.
PDF_PART_SIZE = 100


def to_pdf(
    export: Export,
    *,
    paper: str = "a4",
    progress: Callable[[int], None] | None = None,
    time_limit: float | None = None,
) -> bytes:
    """A PDF (WeasyPrint) on A4 or Letter: per comparison the codes side by side with their
    word-level differences marked, then each note with its review status and differences
    table; the export id at the top and the copyright notices at the bottom of every page.

    One comparison's pages are numbered "Page 1 of 2". A list export starts with a page
    about the export, then each comparison on new pages numbered from 1 ("Comparison 17 of
    1000: 63707 vs 63709, page 1"): so its parts can be laid out in parallel.

    `progress(n)` is called as the first n comparisons are laid out; `time_limit` (seconds)
    bounds the layout of a long document (see `layout.parts_to_pdf`).
    """
    total = len(export.comparisons)
    part_size = PDF_PART_SIZE
    context = {
        "export": export,
        "stamp": export.stamp,
        "stamp_lines": export.stamp_lines(),
        "page_header": _css_string(
            f"coderef export {export.stamp.export_id} · generated "
            f"{utc(export.stamp.generated_at)} by {export.stamp.generated_by}"
            + (
                f" · texts as of {export.stamp.as_of.isoformat()} (UTC)"
                if export.stamp.as_of
                else ""
            )
        ),
        "page_footer": _css_string("\n".join(notice["notice"] for notice in export.notices)),
        "heading": "Comparison notes"
        if export.bulk
        else f"Compare {comparison_title(export.comparisons[0])}",
        "paper": PAPER_SIZES[paper],
    }

    def parts() -> Iterator[str]:
        for start in range(0, max(total, 1), part_size):
            shown = export.comparisons[start : start + part_size]
            comparisons = [
                _pdf_comparison(comparison, number, total)
                for number, comparison in enumerate(shown, start=start + 1)
            ]
            yield render_to_string(
                "codes/exports/comparisons.html",
                {**context, "comparisons": comparisons, "with_about": start == 0},
            )

    metadata = {
        EXPORT_ID_KEY: str(export.stamp.export_id),
        NOTES_KEY: str(export.note_count),
        SIGNATURE_KEY: PLACEHOLDER,
    }

    def laid_out(count: int) -> None:
        if progress is not None:
            progress(min(count * part_size, total))

    pdf = parts_to_pdf(parts(), metadata, laid_out=laid_out, time_limit=time_limit)
    return signed_bytes(pdf, export.stamp.export_id)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def seal_of(data: bytes) -> Seal | None:
    """The seal of a PDF export, read from its metadata with pypdf; what it holds is its
    pages and notes. None when it carries none or cannot be read."""
    try:
        reader = PdfReader(io.BytesIO(data))
        metadata = reader.metadata
        if metadata is None:
            return None
        export_id = UUID(str(metadata[EXPORT_ID_KEY]))
        notes = int(str(metadata[NOTES_KEY]))
        holds = f"{_counted(len(reader.pages), 'page')}, {_counted(notes, 'note')}"
        return bytes_seal(data, export_id, str(metadata.get(SIGNATURE_KEY, "")), holds)
    except (PyPdfError, KeyError, TypeError, ValueError, OSError):
        return None
