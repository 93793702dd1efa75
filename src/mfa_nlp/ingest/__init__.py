"""Ingestion: a path or bytes -> a Document of clean passages in reading order.

The format is chosen by content first (``%PDF-`` magic, HTML markup) and by the
file extension second, so a PDF renamed ``.html`` is still read as a PDF.
Each format module turns bytes into a :class:`Parsed` (title, date, place and
text blocks); :func:`read_bytes` then cuts the blocks into passages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..document import Document, Passage, content_id
from ..errors import EmptyDocumentError, IngestError, LimitExceededError, UnsupportedFormatError

#: File extensions the batch layer picks up, mapped to their format.
EXTENSIONS: dict[str, str] = {".html": "html", ".htm": "html", ".pdf": "pdf", ".txt": "txt"}


@dataclass(frozen=True)
class Limits:
    """Resource limits for one document (CLI: --max-bytes, --max-pages, --timeout).

    The defaults are far above a real ministry statement (a few hundred KB, a few
    pages) and stop runaway inputs before they exhaust a worker.
    """

    max_bytes: int = 64 * 1024 * 1024
    max_pages: int = 500
    timeout: float = 120.0


@dataclass
class Block:
    """A unit of text from a parser: ``kind`` is ``paragraph``, ``heading`` or ``list_item``."""

    text: str
    kind: str = "paragraph"


@dataclass
class Parsed:
    """What a format parser returns, before passage segmentation."""

    title: str | None = None
    date: str | None = None
    place: str | None = None
    blocks: list[Block] = field(default_factory=list)


def sniff_format(data: bytes, source: str = "") -> str:
    """Return ``html``, ``pdf`` or ``txt`` for the given bytes (content first, then extension).

    >>> sniff_format(b"%PDF-1.7 ...", "x.html")
    'pdf'
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if b"%PDF-" in data[:1024]:
        return "pdf"
    ext = Path(source).suffix.lower()
    looks_html = head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<div", b"<p>", b"<!--"))
    if looks_html or (b"<html" in head or b"<body" in head):
        return "html"
    if ext in EXTENSIONS and EXTENSIONS[ext] != "pdf":
        return EXTENSIONS[ext]
    if ext == ".pdf":
        # Named .pdf but no PDF header anywhere near the start: not a PDF.
        from ..errors import CorruptFileError

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
    fmt = fmt or sniff_format(data, source)
    if fmt == "html":
        from .html import parse_html

        parsed = parse_html(data, source=source)
    elif fmt == "pdf":
        from .pdf import parse_pdf

        parsed = parse_pdf(data, source=source, limits=limits)
    elif fmt == "txt":
        from .text import parse_txt

        parsed = parse_txt(data, source=source)
    else:
        raise UnsupportedFormatError(source, f"unknown format {fmt!r}")

    from .segment import make_passages

    passages = make_passages(parsed.blocks)
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
    )


def read_file(path: str | os.PathLike[str], *, limits: Limits | None = None) -> Document:
    """Read one file (.html/.htm, .pdf, .txt) into a Document.

    >>> doc = read_file("corpus/samples/en_recognition_press_release.html")  # doctest: +SKIP
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


def read_text(text: str, *, source: str = "<text>") -> Document:
    """Turn a plain string into a Document; blank lines separate passages."""
    return read_bytes(text.encode("utf-8"), source=source, fmt="txt")


__all__ = ["EXTENSIONS", "Block", "Limits", "Parsed", "read_bytes", "read_file", "read_text", "sniff_format"]
