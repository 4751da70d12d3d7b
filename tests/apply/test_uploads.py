"""A supporting document is judged by its content; an office document is a zip, and what it holds is
bounded before any of it is read: a small upload that would expand to gigabytes (a "zip bomb"), or
that holds thousands of parts, is refused saying why, and checking it keeps the worker's memory flat."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from grants.apply import uploads

pytestmark = pytest.mark.unit
ODT = b"application/vnd.oasis.opendocument.text"
ALL = tuple(uploads.CONTENT_TYPES)


def _zip(parts: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _bomb(name: str, size: int) -> bytes:
    """A part of `size` zero bytes, written in 1MB pieces so making it costs no memory either."""
    buffer = io.BytesIO()
    piece = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=True) as part,
    ):
        for _ in range(size // len(piece)):
            part.write(piece)
    return buffer.getvalue()


def _checked(content: bytes, allowed: tuple[str, ...] = ALL) -> uploads.CheckedFile:
    return uploads.check(io.BytesIO(content), allowed, "Latest accounts")


@pytest.mark.parametrize(
    ("parts", "kind"),
    [
        ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 500}, "docx"),
        ({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}, "xlsx"),
        ({"mimetype": ODT, "content.xml": b"<office:document-content/>"}, "odt"),
    ],
)
def test_office_documents_are_known_by_their_parts(parts, kind):
    assert _checked(_zip(parts)).kind == kind


def test_a_zip_that_is_not_an_office_document_is_refused_naming_the_kinds_allowed():
    with pytest.raises(uploads.UploadError) as refused:
        _checked(_zip({"mimetype": b"application/x-something-else", "payload.exe": b"MZ"}))

    assert str(refused.value) == f"The file for ‘Latest accounts’ must be a {uploads.KIND_NAMES}"


@pytest.mark.parametrize("member", ["mimetype", "word/document.xml", "content.xml"])
def test_a_part_that_expands_to_hundreds_of_megabytes_is_refused_without_reading_it(member):
    bomb = _bomb(member, 300 * 1024 * 1024)  # 300MB of zeros in about 300KB
    assert len(bomb) < uploads.MAX_BYTES

    tracemalloc.start()
    try:
        with pytest.raises(uploads.UploadError) as refused:
            _checked(bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "cannot be accepted: it expands to more than 200MB" in str(refused.value)
    assert peak < 3 * len(bomb) + 1024 * 1024, f"checking took {peak:,} bytes"


def test_a_part_compressed_past_reason_is_refused_though_the_whole_is_small():
    bomb = _bomb("word/document.xml", 64 * 1024 * 1024)  # 64MB from about 64KB: 1,000 times

    with pytest.raises(uploads.UploadError) as refused:
        _checked(bomb)

    assert "cannot be accepted: a part of it expands" in str(refused.value)


def test_an_archive_of_thousands_of_parts_is_refused_before_its_directory_is_read():
    crowded = _zip({f"word/part{n}.xml": b"" for n in range(uploads.MAX_MEMBERS + 1)}, compression=zipfile.ZIP_STORED)

    with pytest.raises(uploads.UploadError) as refused:
        _checked(crowded)

    assert "cannot be accepted: it holds more than 2,000 parts" in str(refused.value)


def test_only_the_start_of_an_opendocuments_mimetype_part_is_read():
    padded = _zip({"mimetype": ODT + b" " * (uploads.RATIO_FLOOR - 100)})  # 1MB, from about 1KB

    tracemalloc.start()
    try:
        kind = _checked(padded).kind
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert kind == "odt"
    assert peak < 256 * 1024, f"checking took {peak:,} bytes"


def test_a_truncated_or_corrupt_zip_is_refused_as_the_wrong_kind():
    whole = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})

    for broken in (whole[: len(whole) // 2], whole[:-30] + b"\x00" * 30, b"PK\x03\x04" + b"\xff" * 100):
        with pytest.raises(uploads.UploadError) as refused:
            _checked(broken)
        assert "must be a PDF" in str(refused.value)


@pytest.mark.parametrize(
    ("original", "content_type", "served"),
    [
        ("Accounts 2024.pdf", "application/pdf", "Accounts 2024.pdf"),
        ("report.pdf.exe", "application/pdf", "report_pdf.pdf"),
        ("invoice\u202efdp.exe", "application/pdf", "invoicefdp.pdf"),  # a right-to-left override
        ("..\\\\..\\\\windows\\\\system32\\\\evil.docx", uploads.CONTENT_TYPES["docx"], "evil.docx"),
        ("/etc/passwd", "application/pdf", "passwd.pdf"),
        ("photo.JPG", "image/jpeg", "photo.jpg"),
        ("line\nbreak\x00.png", "image/png", "linebreak.png"),
        ("\u200f\u202e.pdf", "application/pdf", "document.pdf"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 100 + ".pdf"),
    ],
)
def test_a_document_is_served_under_a_safe_name_ending_in_its_checked_kind(original, content_type, served):
    assert uploads.download_name(original, content_type) == served
