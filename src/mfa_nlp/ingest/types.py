"""What the format parsers share: the per-document limits, text blocks and the parse result."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Resource limits for one document (CLI: --max-bytes, --max-pages, --timeout).

    The defaults are far above a real ministry statement (a few hundred KB, a few
    pages) and stop runaway inputs before they exhaust a worker. ``timeout`` (seconds,
    0 = off) is enforced where a signal can interrupt the parse (see :mod:`mfa_nlp.guard`);
    ``max_memory`` (bytes, 0 = off) is the address-space cap of a batch worker process;
    ``max_chars`` bounds the text of one document (spaCy's own limit per text is 1,000,000).
    ``ocr`` (CLI: --ocr) is ``auto`` (OCR the pages without a usable text layer, and images),
    ``force`` (OCR every page) or ``never``; OCR time counts against ``timeout``.
    """

    max_bytes: int = 64 * 1024 * 1024
    max_pages: int = 500
    timeout: float = 120.0
    max_memory: int = 4 * 1024 * 1024 * 1024
    max_chars: int = 1_000_000
    ocr: str = "auto"


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
    ocr_pages: list[int] = field(default_factory=list)
    ocr_confidence: float | None = None
