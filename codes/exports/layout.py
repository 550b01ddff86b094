"""HTML to PDF with WeasyPrint; a long document in parts, laid out in parallel.

WeasyPrint lays out some 20 to 25 comparison pages a second on one core, so a list export of a
thousand notes would take most of a minute. Such a document comes here as several HTML parts
(each starting on a new page), laid out by worker processes, one per core, and joined in
order with pypdf, which also writes the document's metadata. The workers import this module,
so the package's modules import nothing that needs Django set up (see `pdf`).
"""

import gc
import io
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from multiprocessing import get_context
from typing import Any


def _refuse_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Export templates load nothing; should a text ever smuggle a URL in, it is not fetched.
    raise ValueError(f"PDF exports load no resources (asked for {url[:60]!r})")


def html_to_pdf(html: str) -> bytes:
    """One HTML document as PDF bytes."""
    from weasyprint import HTML  # loads Pango: only where a PDF is made

    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetching).write_pdf()
    return pdf


def _start_worker() -> None:
    # Layout allocates millions of short-lived objects that are freed by reference counting;
    # fewer cyclic collections make it about a quarter faster. A worker lives for one export.
    gc.set_threshold(100_000, 50, 100)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parts_to_pdf(parts: Iterable[str], metadata: dict[str, str]) -> bytes:
    """One PDF of the HTML documents `parts`, their pages in order, with the first one's
    metadata and `metadata` (`{"/Key": "value"}`), which pypdf writes uncompressed. Several
    parts are laid out by worker processes, one per core, each taken up as soon as it is made."""
    parts = iter(parts)
    first = next(parts)
    second = next(parts, None)
    if second is None:
        return _joined([html_to_pdf(first)], metadata)
    parts = chain([first, second], parts)
    workers = _cores()
    if workers == 1:
        return _joined([html_to_pdf(part) for part in parts], metadata)
    context = get_context("spawn")  # forking a threaded server process is unsafe
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        laid_out = [pool.submit(html_to_pdf, part) for part in parts]
        return _joined([future.result() for future in laid_out], metadata)


def _joined(pdfs: list[bytes], metadata: dict[str, str]) -> bytes:
    """The pages of `pdfs` in order, in one PDF with the first one's metadata and `metadata`."""
    from pypdf import PdfReader, PdfWriter

    readers = [PdfReader(io.BytesIO(data)) for data in pdfs]
    writer = PdfWriter()
    for reader in readers:
        writer.append(reader)
    writer.add_metadata({**(readers[0].metadata or {}), **metadata})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
