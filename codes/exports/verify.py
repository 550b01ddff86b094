"""Reading back what an export file says of itself, for manage.py verify_export."""

import zipfile
from io import BytesIO

from codes.exports import csv, json, pdf, xlsx
from codes.exports.signature import Seal


def seal_of(data: bytes) -> Seal | None:
    """The seal (export id, signature, content sum) a file carries, read as its format is
    told by its first bytes; None when it is no export coderef signed or cannot be read."""
    if data.startswith(b"%PDF"):
        return pdf.seal_of(data)
    if zipfile.is_zipfile(BytesIO(data)):
        return xlsx.seal_of(data)
    if data.lstrip().startswith(b"{"):
        return json.seal_of(data)
    return csv.seal_of(data)
