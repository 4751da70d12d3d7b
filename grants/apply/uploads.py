"""Supporting documents: checked by their content (magic bytes), not their name; stored outside static."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
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


# An office document is a zip: what it holds is bounded before any of it is read, so a small upload
# cannot expand to gigabytes in a worker (a "zip bomb"), now or when an officer opens it.
MAX_MEMBERS = 2_000  # a long Word document has a few dozen parts
MAX_EXPANDED = 200 * 1024 * 1024  # all parts together, as the archive declares them
MAX_RATIO = 200  # a part larger than RATIO_FLOOR may expand at most this many times
RATIO_FLOOR = 1024 * 1024
MIMETYPE_BYTES = 100  # an OpenDocument's "mimetype" part is one short line
_END_OF_DIRECTORY = b"PK\x05\x06"


class UnsafeArchive(UploadError):
    pass


def _declared_members(content: bytes) -> int | None:
    """The number of parts the archive's end record declares (read before the directory is parsed)."""
    at = content.rfind(_END_OF_DIRECTORY, max(0, len(content) - 65_557))
    if at < 0 or at + 12 > len(content):
        return None
    return int.from_bytes(content[at + 10 : at + 12], "little")


def _open_archive(content: bytes) -> zipfile.ZipFile | None:
    """The zip, once its declared parts are few enough, small enough and not compressed past reason."""
    members = _declared_members(content)
    if members is None:
        return None
    if members >= min(MAX_MEMBERS, 0xFFFF):
        raise UnsafeArchive(f"it holds more than {MAX_MEMBERS:,} parts")
    try:
        archive = zipfile.ZipFile(BytesIO(content))
    except (zipfile.BadZipFile, ValueError, NotImplementedError):
        return None
    try:
        _check_parts(archive.infolist())
    except UnsafeArchive:
        archive.close()
        raise
    return archive


def _check_parts(infos: list[zipfile.ZipInfo]) -> None:
    """UnsafeArchive when the directory (which may disagree with the end record) is past the bounds."""
    if len(infos) > MAX_MEMBERS:
        raise UnsafeArchive(f"it holds more than {MAX_MEMBERS:,} parts")
    if sum(info.file_size for info in infos) > MAX_EXPANDED:
        raise UnsafeArchive(f"it expands to more than {MAX_EXPANDED // (1024 * 1024)}MB")
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeArchive(f"a part of it expands {info.file_size // max(info.compress_size, 1):,} times")


def _read_at_most(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` bytes of a part, decompressed as they are read (a part may lie about its size)."""
    with archive.open(name) as part:
        return part.read(limit)


def sniff(content: bytes) -> str | None:
    """The file's real kind from its first bytes (and, for zip-based formats, its parts' names).

    UnsafeArchive for a zip whose parts are too many, too large or compressed past reason."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if not content.startswith(b"PK\x03\x04"):
        return None
    archive = _open_archive(content)
    if archive is None:
        return None
    try:
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "mimetype" in names:
            declared = _read_at_most(archive, "mimetype", MIMETYPE_BYTES).strip()
            return "odt" if declared == b"application/vnd.oasis.opendocument.text" else None
        return None
    except (zipfile.BadZipFile, ValueError, NotImplementedError, OSError, EOFError):
        return None
    finally:
        archive.close()


def check(stream: IO[bytes], allowed: tuple[str, ...], label: str) -> CheckedFile:
    content = stream.read(MAX_BYTES + 1)
    if not content:
        raise UploadError(f"The selected file for ‘{label}’ is empty")
    if len(content) > MAX_BYTES:
        raise UploadError(f"The file for ‘{label}’ must be smaller than 10MB")
    try:
        kind = sniff(content)
    except UnsafeArchive as exc:
        raise UploadError(f"The file for ‘{label}’ cannot be accepted: {exc}. Save it again and upload that") from None
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


def discard(folder: str, stored_names: list[str]) -> None:
    """Remove stored files: those of documents removed or replaced (after the change is committed), or
    those written for a save that then failed (so no file is left that no document names)."""
    for name in stored_names:
        try:
            path_of(folder, name).unlink(missing_ok=True)
        except (OSError, UploadError):
            continue  # a file that cannot be removed is left, never a failed request


def download_name(original: str, content_type: str) -> str:
    """The name a document is served under: what the uploader called it, without control or direction
    characters (a right-to-left override can make "cod.exe" show as "exe.doc"), without folders,
    and ending in the extension of the kind its content was checked to be (so "report.pdf.exe" that is
    a PDF is served as "report_pdf.pdf")."""
    kind = next((k for k, t in CONTENT_TYPES.items() if t == content_type), "bin")
    shown = "".join(ch for ch in original if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    shown = " ".join(shown.replace("\\", "/").rsplit("/", 1)[-1].split())
    stem = shown.rsplit(".", 1)[0] if "." in shown else shown
    stem = stem.replace(".", "_").strip(" _-")[:100] or "document"
    return f"{stem}.{kind}"


def path_of(folder: str, stored_name: str) -> Path:
    path = (Path(folder) / stored_name).resolve()
    if path.parent != Path(folder).resolve():
        raise UploadError("bad stored name")
    return path
