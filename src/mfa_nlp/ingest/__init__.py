"""Ingestion: a path or bytes -> a Document of clean passages in reading order.

The format is chosen by content first (``%PDF-`` magic, HTML markup) and by the
file extension second, so a PDF renamed ``.html`` is still read as a PDF.
Each format module turns bytes into a :class:`Parsed` (title, date, place and
text blocks); :func:`read_bytes` then cuts the blocks into passages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..document import Document, content_id
from ..errors import CorruptFileError, EmptyDocumentError, IngestError, LimitExceededError, UnsupportedFormatError
from .types import Block, Limits, Parsed

#: File extensions the batch layer picks up, mapped to their format.
EXTENSIONS: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".txt": "txt",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}
#: Magic numbers of the scanned-image formats read with OCR.
IMAGE_MAGIC: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def sniff_format(data: bytes, source: str = "") -> str:
    """Return ``html``, ``pdf``, ``txt`` or ``image`` for the given bytes (content first, then extension).

    >>> sniff_format(b"%PDF-1.7 ...", "x.html")
    'pdf'
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if b"%PDF-" in data[:1024]:
        return "pdf"
    ext = Path(source).suffix.lower()
    if EXTENSIONS.get(ext) == "image":
        if data.startswith(IMAGE_MAGIC):
            return "image"
        raise CorruptFileError(source, f"the file is named {ext} but is not a PNG, JPEG or TIFF image")
    looks_html = head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<div", b"<p>", b"<!--"))
    if looks_html or (b"<html" in head or b"<body" in head):
        return "html"
    if ext in EXTENSIONS and EXTENSIONS[ext] not in ("pdf", "image"):
        return EXTENSIONS[ext]
    if ext == ".pdf":
        # Named .pdf but no PDF header anywhere near the start: not a PDF.
        raise CorruptFileError(source, "the file is named .pdf but has no PDF header")
    raise UnsupportedFormatError(source, f"unsupported file type {ext or '(no extension)'!r}")


def read_bytes(
    data: bytes,
    *,
    source: str = "<bytes>",
    fmt: str | None = None,
    limits: Limits | None = None,
) -> Document:
    """Parse the bytes of one statement into a Document (no language, entities or duties yet).

    >>> doc = read_bytes(b"First passage here.\\n\\nSecond passage here.", source="a.txt")
    >>> [p.text for p in doc.passages]
    ['First passage here.', 'Second passage here.']
    """
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise LimitExceededError(source, f"the file is {len(data):,} bytes, over the limit of {limits.max_bytes:,}")
    from ..guard import memory_guard, time_limit

    with time_limit(limits.timeout, source), memory_guard(source, limits.max_memory):
        return _parse(data, source=source, fmt=fmt, limits=limits)


#: Magic numbers of binary formats that are sometimes saved under a text name.
_BINARY_MAGIC: dict[bytes, str] = {
    b"\x1f\x8b": "gzip-compressed data",
    b"PK\x03\x04": "a ZIP archive (e.g. .docx/.odt)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Office document (.doc/.xls)",
    b"{\\rtf": "an RTF document",
}
#: C0 control bytes that never occur in text (NUL is left out: UTF-16 without a BOM is half NULs).
_CONTROL_BYTES = bytes([*range(1, 9), 0x0B, *range(0x0E, 0x20), 0x7F])
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: An XML prolog and a DOCTYPE with an internal subset (entity declarations) before the markup.
_DOCTYPE_SUBSET = re.compile(rb"\A\s*(?:<\?xml[^>]{0,500}>\s*)?<!DOCTYPE[^\[>]{0,500}\[.{0,100000}?\]\s*>", re.S | re.I)


#: Longest block handed to segmentation; longer ones (a file with no line breaks) are cut at a space.
#: Far above any real paragraph, far below spaCy's 1,000,000-character limit per text.
MAX_BLOCK_CHARS = 100_000


def _split_long(block: Block) -> list[Block]:
    """Cut an overlong block into pieces of at most MAX_BLOCK_CHARS, at whitespace where possible."""
    text, out = block.text, []
    while len(text) > MAX_BLOCK_CHARS:
        cut = text.rfind(" ", MAX_BLOCK_CHARS // 2, MAX_BLOCK_CHARS)
        cut = cut if cut > 0 else MAX_BLOCK_CHARS
        out.append(Block(text[:cut], block.kind))
        text = text[cut:].lstrip()
    out.append(Block(text, block.kind))
    return out


def _check_not_binary(data: bytes, source: str) -> None:
    """Raise CorruptFileError if text-named bytes are really a binary file (archive, image, noise)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16/32 with a BOM: the text reader decodes it
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise CorruptFileError(source, f"the file is {what}, not text or HTML")
    head = data[:65536]
    if not head:
        return
    controls = sum(head.count(b) for b in _CONTROL_BYTES)
    if data[:2] in (b"x\x9c", b"x\xda", b"x\x01") or controls > 0.02 * len(head):
        raise CorruptFileError(source, "the file holds binary data (compressed, an image or noise), not text or HTML")


def _parse(data: bytes, *, source: str, fmt: str | None, limits: Limits) -> Document:
    fmt = fmt or sniff_format(data, source)
    if fmt in ("html", "txt"):
        _check_not_binary(data, source)
    if fmt == "html":
        from .html import parse_html

        # Entity declarations are never expanded; drop the DOCTYPE subset so it is not read as text.
        parsed = parse_html(_DOCTYPE_SUBSET.sub(b"", data, count=1), source=source)
    elif fmt == "pdf":
        from .pdf import parse_pdf

        parsed = parse_pdf(data, source=source, limits=limits)
    elif fmt == "image":
        from .image import parse_image

        parsed = parse_image(data, source=source, limits=limits)
    elif fmt == "txt":
        from .text import parse_txt

        parsed = parse_txt(data, source=source)
    else:
        raise UnsupportedFormatError(source, f"unknown format {fmt!r}")

    from .segment import make_passages

    blocks: list[Block] = []
    for block in parsed.blocks:  # NUL and other control characters never belong in a passage
        block.text = _CONTROL_CHARS.sub("", block.text)
        blocks.extend(_split_long(block) if len(block.text) > MAX_BLOCK_CHARS else [block])
    chars = sum(len(b.text) for b in blocks)
    if limits.max_chars and chars > limits.max_chars:
        raise LimitExceededError(
            source,
            f"the text has {chars:,} characters, over the limit of {limits.max_chars:,}",
            "split the file into statements, or raise Limits.max_chars if it is one genuine document",
        )
    passages = make_passages(blocks)
    if not passages:
        raise EmptyDocumentError(source, "no text found")
    return Document(
        id=content_id(data),
        source=source,
        format=fmt,
        title=parsed.title,
        date=parsed.date,
        place=parsed.place,
        passages=passages,
        ocr=bool(parsed.ocr_pages),
        ocr_pages=parsed.ocr_pages,
        ocr_confidence=parsed.ocr_confidence,
    )


def read_file(path: str | os.PathLike[str], *, limits: Limits | None = None) -> Document:
    """Read one file (.html/.htm, .pdf, .txt, or a scanned .png/.jpg/.tif) into a Document.

    >>> doc = read_file("corpus/samples/en_recognition_barbados.html")  # doctest: +SKIP
    """
    source = str(path)
    limits = limits or Limits()
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > limits.max_bytes:
            raise LimitExceededError(source, f"the file is {size:,} bytes, over the limit of {limits.max_bytes:,}")
        if not p.is_file():
            raise UnsupportedFormatError(source, "not a regular file")
        data = p.read_bytes()
    except IngestError:
        raise
    except PermissionError as exc:
        raise IngestError(source, f"cannot read the file: {exc.strerror}", "check the file's permissions") from exc
    except OSError as exc:
        raise IngestError(source, f"cannot read the file: {exc.strerror or exc}", "check that the path exists") from exc
    return read_bytes(data, source=source, limits=limits)


#: What :func:`peek_text` drops: script and style elements, comments and every tag.
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)


def peek_text(path: str | os.PathLike[str], limit: int = 65_536) -> str | None:
    """A rough sample of the words of a text or HTML file, from its first ``limit`` bytes.

    No parsing: the markup is cut out, so the sample is good for counting scripts and marker
    words (which languages an archive holds), not for passages. None for a file that cannot be
    sampled this cheaply (a PDF or an image, whatever its name) or cannot be read.

    >>> peek_text("statement.pdf") is None
    True
    """
    if EXTENSIONS.get(Path(path).suffix.lower()) not in ("html", "txt"):
        return None
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit)
    except OSError:
        return None
    if b"%PDF-" in data[:1024]:
        return None
    import html
    import warnings

    from ..errors import MfaNlpWarning
    from .text import decode_bytes

    with warnings.catch_warnings():  # a character cut at ``limit`` is no news about the file
        warnings.simplefilter("ignore", MfaNlpWarning)
        text = decode_bytes(data, source=str(path))
    return html.unescape(_MARKUP.sub(" ", text))


def read_text(text: str, *, source: str = "<text>") -> Document:
    """Turn a plain string into a Document; blank lines separate passages."""
    return read_bytes(text.encode("utf-8"), source=source, fmt="txt")


__all__ = [
    "EXTENSIONS",
    "Block",
    "Limits",
    "Parsed",
    "peek_text",
    "read_bytes",
    "read_file",
    "read_text",
    "sniff_format",
]
