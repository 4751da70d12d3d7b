"""Supporting documents: checked by their content (magic bytes), not their name; stored outside static."""

from __future__ import annotations

import hashlib
import os
import secrets
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO

MAX_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
KIND_NAMES = "PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), JPG or PNG"


class UploadError(ValueError):
    pass


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sniff(content: bytes) -> str | None:
    """The file's real kind from its first bytes (and, for zip-based formats, its parts)."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if (
                    "mimetype" in names
                    and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text"
                ):
                    return "odt"
        except zipfile.BadZipFile:
            return None
    return None


def check(stream: IO[bytes], allowed: tuple[str, ...], label: str) -> CheckedFile:
    content = stream.read(MAX_BYTES + 1)
    if not content:
        raise UploadError(f"The selected file for ‘{label}’ is empty")
    if len(content) > MAX_BYTES:
        raise UploadError(f"The file for ‘{label}’ must be smaller than 10MB")
    kind = sniff(content)
    if kind is None or kind not in allowed:
        raise UploadError(f"The file for ‘{label}’ must be a {KIND_NAMES}")
    return CheckedFile(kind=kind, content=content)


def store(folder: str, checked: CheckedFile) -> str:
    """Write the file under a random name; returns that name."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{checked.kind}"
    path = Path(folder) / name
    with open(path, "xb") as handle:
        handle.write(checked.content)
    os.chmod(path, 0o600)
    return name


def path_of(folder: str, stored_name: str) -> Path:
    path = (Path(folder) / stored_name).resolve()
    if path.parent != Path(folder).resolve():
        raise UploadError("bad stored name")
    return path
