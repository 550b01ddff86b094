"""HTML to PDF with WeasyPrint; a long document in parts, laid out in parallel.

WeasyPrint lays out some 20 to 25 comparison pages a second on one core, so a list export of a
thousand notes would take most of a minute. Such a document comes here as several HTML parts
(each starting on a new page), laid out by worker processes, one per core, and joined in
order with pypdf, which also writes the document's metadata. The workers import this module,
so the package's modules import nothing that needs Django set up (see `pdf`).

No worker outlives its document: the pool is terminated when the document is done, has failed
or ran out of time, and a worker is killed by the kernel when the process that started it dies
(a killed web or task worker would otherwise leave its layout workers waiting for ever).
"""

import ctypes
import gc
import io
import os
import signal
import time
from collections.abc import Callable, Iterable
from itertools import chain
from multiprocessing import TimeoutError as PoolTimeout
from multiprocessing import get_context
from multiprocessing.pool import AsyncResult
from typing import Any

# prctl(2): the signal a process gets when the thread that started it ends.
PR_SET_PDEATHSIG = 1


class LayoutTimeout(TimeoutError):
    """The layout of a document took longer than it was given."""


def _refuse_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Export templates load nothing; should a text ever smuggle a URL in, it is not fetched.
    raise ValueError(f"PDF exports load no resources (asked for {url[:60]!r})")


def html_to_pdf(html: str) -> bytes:
    """One HTML document as PDF bytes."""
    from weasyprint import HTML  # loads Pango: only where a PDF is made

    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetching).write_pdf()
    return pdf


def _start_worker(parent: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not on Linux: the pool's terminate() still applies
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    # Layout allocates millions of short-lived objects that are freed by reference counting;
    # fewer cyclic collections make it about a quarter faster. A worker lives for one export.
    gc.set_threshold(100_000, 50, 100)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parts_to_pdf(
    parts: Iterable[str],
    metadata: dict[str, str],
    *,
    laid_out: Callable[[int], None] | None = None,
    time_limit: float | None = None,
) -> bytes:
    """One PDF of the HTML documents `parts`, their pages in order, with the first one's
    metadata and `metadata` (`{"/Key": "value"}`), which pypdf writes uncompressed. Several
    parts are laid out by worker processes, one per core, each taken up as soon as it is made.

    `laid_out(n)` is called as the first n parts are laid out. With `time_limit` (seconds),
    a layout by workers that takes longer raises LayoutTimeout; the workers are stopped.
    """
    report = laid_out or (lambda count: None)
    parts = iter(parts)
    first = next(parts)
    second = next(parts, None)
    if second is None:
        pdfs = [html_to_pdf(first)]
        report(1)
        return _joined(pdfs, metadata)
    parts = chain([first, second], parts)
    workers = _cores()
    if workers == 1:
        pdfs = []
        for part in parts:
            pdfs.append(html_to_pdf(part))
            report(len(pdfs))
        return _joined(pdfs, metadata)
    deadline = None if time_limit is None else time.monotonic() + time_limit
    context = get_context("spawn")  # forking a threaded server process is unsafe
    # Leaving the block terminates the workers, whether the layout is done or failed.
    with context.Pool(workers, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
        pending: list[AsyncResult[bytes]] = [pool.apply_async(html_to_pdf, (p,)) for p in parts]
        pdfs = []
        for result in pending:
            pdfs.append(_result(result, deadline, time_limit))
            report(len(pdfs))
    return _joined(pdfs, metadata)


def _result(result: AsyncResult[bytes], deadline: float | None, limit: float | None) -> bytes:
    try:
        return result.get(None if deadline is None else max(0.0, deadline - time.monotonic()))
    except PoolTimeout:
        raise LayoutTimeout(f"the PDF layout took longer than {limit:g} seconds") from None


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
