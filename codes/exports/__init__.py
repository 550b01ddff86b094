"""Comparisons as files: CSV, XLSX, PDF and JSON, a module per format (data in, bytes out).

Every format renders the same `Export`: the comparisons as `presenters.comparison_document()` gives
them (the /api/compare document) and the `Stamp` that proves which export a file is; every
file is signed (`signature`) and `verify` reads that back. Nothing here reads the database;
recording the export is the services' job.

    document    Stamp, Export and the helpers every format shares
    cells       what spreadsheet cells share (formula neutralising)
    csv, xlsx, json, pdf
                one renderer each, and how to read the seal back from such a file
    layout      HTML to PDF with WeasyPrint, long documents in parallel worker processes
    signature   the HMAC signature over export id and content
    formats     FORMATS, render and filename
    verify      the seal of any export file
"""

from codes.exports.document import Document, Export, Stamp
from codes.exports.formats import FORMATS, Format, filename, render
from codes.exports.pdf import PAPER_SIZES

__all__ = ["FORMATS", "PAPER_SIZES", "Document", "Export", "Format", "Stamp", "filename", "render"]
