"""JSON: the /api/compare document with the stamp (and its signature) under `export`."""

import json
from typing import Any
from uuid import UUID

from codes.exports.document import Export
from codes.exports.signature import PLACEHOLDER, Seal, bytes_seal, signed_bytes


def to_json(export: Export) -> bytes:
    """JSON: the /api/compare document with the stamp under `export`; a list export is
    `{"export": stamp, "comparisons": [documents]}`. The stamp's `signature` signs the file."""
    stamp = {**export.stamp_document(), "signature": PLACEHOLDER}
    document: dict[str, Any]
    if export.bulk:
        document = {"export": stamp, "comparisons": export.comparisons}
    else:
        [comparison] = export.comparisons
        document = {**comparison, "export": stamp}
    unsigned = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return signed_bytes(unsigned, export.stamp.export_id)


def seal_of(data: bytes) -> Seal | None:
    """The seal of a JSON export, or None when it carries none."""
    try:
        stamp = json.loads(data)["export"]
        return bytes_seal(data, UUID(stamp["export_id"]), str(stamp.get("signature", "")))
    except (UnicodeDecodeError, AttributeError, KeyError, TypeError, ValueError):
        return None
