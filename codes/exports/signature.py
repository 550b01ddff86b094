"""The signature every export carries, so a file can be verified without the export log
(after a database restore, or from another instance that shares the key).

A file is rendered with `PLACEHOLDER` where its signature goes; the signature is the
HMAC-SHA256, under the key `settings.EXPORT_SIGNING_KEY` (`CODEREF_EXPORT_SIGNING_KEY`), of
the export id and the sha256 of that content; then the placeholder is replaced by it. Both
are 64 characters, so a PDF's byte offsets stay right. To verify, the signature is put back
to the placeholder and the sum taken again. The content is the file's bytes, or for an XLSX
(a zip) the names and contents of its members, so that the signed member can be rewritten.
"""

import hashlib
import hmac
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings

PLACEHOLDER = "0" * 64
SIGNATURE_FORM = re.compile(r"[0-9a-f]{64}")


def sign(export_id: UUID, digest: str) -> str:
    """The signature of export `export_id` whose content has the sha256 `digest`."""
    message = f"coderef export {export_id}\nsha256 {digest}".encode()
    key = settings.EXPORT_SIGNING_KEY.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Seal:
    """What a file says of itself: the export it claims to be, the signature it carries, the
    sha256 of its content as it was signed, and what it holds ("3 pages, 2 notes"), if it
    says so."""

    export_id: UUID
    signature: str
    digest: str
    holds: str = ""

    @property
    def valid(self) -> bool:
        """Whether the signature is the key's signature of this content and export id."""
        return hmac.compare_digest(sign(self.export_id, self.digest), self.signature)


def _swapped(data: bytes, old: str, new: str) -> bytes:
    return data.replace(old.encode(), new.encode())


def signed_bytes(unsigned: bytes, export_id: UUID) -> bytes:
    """`unsigned` (with the placeholder) signed: the placeholder replaced by the signature."""
    signature = sign(export_id, hashlib.sha256(unsigned).hexdigest())
    return _swapped(unsigned, PLACEHOLDER, signature)


def bytes_seal(data: bytes, export_id: UUID, signature: str, holds: str = "") -> Seal:
    """The seal of a CSV, JSON or PDF file that names `export_id` and carries `signature`."""
    if not SIGNATURE_FORM.fullmatch(signature):
        return Seal(export_id, signature, hashlib.sha256(data).hexdigest(), holds)
    unsigned = _swapped(data, signature, PLACEHOLDER)
    return Seal(export_id, signature, hashlib.sha256(unsigned).hexdigest(), holds)


def _members_digest(members: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, content in members:
        encoded = name.encode()
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def signed_zip(unsigned: bytes, export_id: UUID) -> bytes:
    """The zip `unsigned` (a member holding the placeholder) signed: rewritten with the
    signature in place of the placeholder, each member compressed as it was."""
    members = _members(unsigned)
    signature = sign(export_id, _members_digest((i.filename, c) for i, c in members))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info, content in members:
            archive.writestr(info, _swapped(content, PLACEHOLDER, signature))
    return out.getvalue()


def zip_seal(data: bytes, export_id: UUID, signature: str) -> Seal:
    """The seal of a zip (XLSX) that names `export_id` and carries `signature`."""
    members = [(info.filename, content) for info, content in _members(data)]
    if SIGNATURE_FORM.fullmatch(signature):
        members = [(name, _swapped(content, signature, PLACEHOLDER)) for name, content in members]
    return Seal(export_id, signature, _members_digest(members))
