"""PDF ingestion: pdfplumber words (or OCR words for scanned pages) -> layout -> paragraphs.

Per page the text layer is read with pdfplumber, ruled tables are found and each of
their rows becomes one unit with its cells in order. A page without a usable text
layer (only images, or a garbage layer: ``(cid:NN)`` glyph soup, a broken OCR layer)
is rendered with pdfium and read by Tesseract (:mod:`.ocr`) when ``Limits.ocr`` is
``auto``; ``force`` OCRs every page, ``never`` none. Both kinds of words then go
through the same reading order (:mod:`.layout`) and paragraphing (:mod:`.paragraphs`).
"""

from __future__ import annotations

import io
import re
import struct
import time
import zlib
from typing import Any

from ..errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedPDFError,
    LimitExceededError,
    NoTextLayerError,
)
from .layout import Page, reading_order
from .paragraphs import to_parsed
from .types import Limits, Parsed

#: Inflated page content above this is refused (a dense text page is ~50 KB; this stops decompression bombs).
MAX_PAGE_CONTENT = 8 * 1024 * 1024
#: A page with fewer characters than this in its text layer has no text worth keeping (a page number, a stamp).
MIN_PAGE_CHARS = 20
#: OCR modes: ``auto`` reads pages without a usable text layer, ``force`` every page, ``never`` none.
OCR_MODES = ("auto", "never", "force")

_CID = re.compile(r"\(cid:\d+\)")
_VOWELS = set("aeiouyëAEIOUYËаеиоуАЕИОУ")


def text_layer_usable(text: str) -> bool:
    """True if a page's text layer reads as text: not (cid:NN) glyph soup, not symbol noise, not a broken OCR layer.

    The thresholds sit far from both sides: the sample PDFs score 0 % cid, 80 %+ letters and 95 %+ words
    with a vowel; glyph soup is mostly (cid:NN) and a broken OCR layer is mostly symbols or consonant runs.

    >>> text_layer_usable("(cid:12)(cid:45)(cid:3) (cid:88)(cid:21)")
    False
    """
    cid = sum(len(m) for m in _CID.findall(text))
    chars = [ch for ch in _CID.sub("", text) if not ch.isspace()]
    if len(chars) < MIN_PAGE_CHARS or cid > 0.2 * (cid + len(chars)):
        return False
    letters = sum(ch.isalpha() for ch in chars)
    odd = sum(ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" for ch in chars)
    if letters < 0.55 * len(chars) or odd > 0.05 * len(chars):
        return False
    words = [w for w in re.findall(r"[^\W\d_]{3,}", text)]
    voiced = sum(any(ch in _VOWELS for ch in w) for w in words)
    return not words or voiced >= 0.6 * len(words)


def _needs_ocr(text: str, images: int) -> bool:
    """A page to OCR in ``auto`` mode: images with no usable text, or a text layer that is garbage (not just short)."""
    if text_layer_usable(text):
        return False
    return bool(images) or "(cid:" in text or len(text.replace(" ", "")) >= MIN_PAGE_CHARS


def _open_error(source: str, exc: Exception) -> Exception:
    """Map a pdfplumber/pdfminer exception to one of ours."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
        return EncryptedPDFError(source, "the PDF is encrypted and needs a password")
    return CorruptFileError(source, f"the PDF cannot be read ({type(inner).__name__}: {inner})".rstrip())


def parse_pdf(data: bytes, *, source: str, limits: Limits) -> Parsed:
    """Parse PDF bytes into a title, date, place and text blocks in reading order.

    Raises:
        EncryptedPDFError: the PDF needs a password.
        CorruptFileError: damaged, truncated or not a PDF.
        NoTextLayerError: pages carry only images (a scan) and OCR is off or found no text.
        OcrUnavailableError: OCR is needed but Tesseract or a language pack is missing.
        LimitExceededError: more pages than ``limits.max_pages``, a giant page, or slower than ``limits.timeout``.
    """
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    if not data.lstrip()[:1024].count(b"%PDF-"):
        raise CorruptFileError(source, "no PDF header: this is not a PDF file")
    readers = (
        PdfminerException,
        PDFSyntaxError,
        PSException,
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        AssertionError,
        OverflowError,
        RecursionError,
        struct.error,
        zlib.error,
    )
    started = time.monotonic()
    mode = limits.ocr
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n = len(pdf.pages)
            if n > limits.max_pages:
                raise LimitExceededError(source, f"the PDF has {n} pages, over the limit of {limits.max_pages}")
            pages: list[Page] = []
            images: list[int] = []
            for page in pdf.pages:
                if limits.timeout and time.monotonic() - started > limits.timeout:
                    raise LimitExceededError(source, f"reading took over {limits.timeout:g} s")
                _check_content(page.page_obj, source, page.page_number)
                words = page.extract_words(
                    x_tolerance=1.5, extra_attrs=["fontname", "size"], use_text_flow=False, keep_blank_chars=False
                )
                if len(page.lines) + len(page.rects) >= 6 and words:
                    words = _tables_as_rows(page, words)
                images.append(len(page.images))
                pages.append(Page(float(page.width), float(page.height), words))
                page.close()
    except (EncryptedPDFError, LimitExceededError):
        raise
    except readers as exc:  # pdfminer raises these on damaged or encrypted input
        raise _open_error(source, exc) from exc
    texts = [" ".join(w["text"] for w in p.words) for p in pages]
    if mode == "force":
        todo = list(range(len(pages)))
    elif mode == "auto":
        todo = [i for i, t in enumerate(texts) if _needs_ocr(t, images[i])]
    else:
        todo = []
    chars = sum(len(t) for i, t in enumerate(texts) if i not in todo)
    if not todo and any(images) and chars < MIN_PAGE_CHARS * len(pages):  # a scan, with at most a page number
        raise NoTextLayerError(source, f"the PDF has {len(pages)} page(s) of images and no text layer; it needs OCR")
    parsed = Parsed()
    if todo:
        deadline = started + limits.timeout if limits.timeout else None
        ocr = _ocr_pages(data, todo, source=source, deadline=deadline, timeout=limits.timeout)
        confs: list[float] = []
        for i, page in zip(todo, ocr, strict=True):
            pages[i] = Page(page.width, page.height, page.words)
            confs.extend(w["conf"] for w in page.words)
        parsed.ocr_pages = [i + 1 for i in todo]
        parsed.ocr_confidence = round(sum(confs) / len(confs), 1) if confs else None
        if not confs and not chars:
            raise NoTextLayerError(
                source, f"OCR found no text on the {len(todo)} image page(s) of the PDF", "check that it is a statement"
            )
    if not any(p.words for p in pages):
        raise EmptyDocumentError(source, "the PDF has no text")
    out = to_parsed(reading_order(pages))
    out.ocr_pages, out.ocr_confidence = parsed.ocr_pages, parsed.ocr_confidence
    return out


def _ocr_pages(data: bytes, numbers: list[int], *, source: str, deadline: float | None, timeout: float) -> list[Any]:
    """Render the given pages (0-based) with pdfium and OCR them."""
    import pypdfium2 as pdfium

    from .ocr import DPI, MAX_PIXELS, ocr_images, tessdata

    tessdata(source)  # fail early, naming the package to install, before rendering anything
    doc = pdfium.PdfDocument(data)
    try:
        images = []
        for i in numbers:
            page = doc[i]
            w, h = page.get_size()
            if w * h * (DPI / 72) ** 2 > MAX_PIXELS:
                raise LimitExceededError(
                    source,
                    f"page {i + 1} is {w:.0f} x {h:.0f} points, over {MAX_PIXELS // 2**20} M pixels at {DPI} dpi",
                    "check the file; a statement page is A4 or Letter",
                )
            images.append((page.render(scale=DPI / 72, grayscale=True).to_pil(), float(DPI)))
            page.close()
    finally:
        doc.close()
    return ocr_images(images, source=source, deadline=deadline, timeout=timeout)


def _tables_as_rows(page: Any, words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace the words inside ruled tables by one word per table row: its cells in order, joined by " | "."""
    tables = page.find_tables()
    if not tables:
        return words
    inside: set[int] = set()
    rows: list[dict[str, Any]] = []
    for table in tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell is None:
                    continue
                x0, top, x1, bottom = cell
                got = [
                    (k, w)
                    for k, w in enumerate(words)
                    if x0 <= (w["x0"] + w["x1"]) / 2 <= x1 and top <= (w["top"] + w["bottom"]) / 2 <= bottom
                ]
                inside.update(k for k, _ in got)
                text = " ".join(w["text"] for _, w in sorted(got, key=lambda kw: (round(kw[1]["bottom"]), kw[1]["x0"])))
                if text:
                    cells.append((x0, text, [w for _, w in got]))
            if cells:
                ws = [w for _, _, cw in cells for w in cw]
                rows.append(
                    {
                        "text": " | ".join(t for _, t, _ in sorted(cells, key=lambda c: c[0])),
                        "x0": min(w["x0"] for w in ws),
                        "x1": max(w["x1"] for w in ws),
                        "top": min(w["top"] for w in ws),
                        "bottom": max(w["bottom"] for w in ws),
                        "size": ws[0]["size"],
                        "fontname": ws[0]["fontname"],
                        "table": True,
                    }
                )
    return [w for k, w in enumerate(words) if k not in inside] + rows


def _check_content(page_obj: Any, source: str, number: int) -> None:
    """Refuse a page whose Flate content streams inflate past MAX_PAGE_CONTENT, without inflating them fully."""
    from pdfminer.pdftypes import PDFStream, resolve1

    total = 0
    for ref in page_obj.contents:
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream) or stream.rawdata is None:
            continue
        filters = [f for f, _ in stream.get_filters()]
        if not filters or str(filters[0]).strip("/'") not in ("FlateDecode", "Fl"):
            total += len(stream.rawdata)
        else:
            inflater = zlib.decompressobj()
            data = stream.rawdata
            while data and total <= MAX_PAGE_CONTENT:
                try:
                    total += len(inflater.decompress(data, 1024 * 1024))
                except zlib.error:
                    break  # pdfminer reports damaged streams itself
                data = inflater.unconsumed_tail
        if total > MAX_PAGE_CONTENT:
            raise LimitExceededError(
                source,
                f"page {number} has over {MAX_PAGE_CONTENT // 2**20} MB of content after decompression "
                "(a decompression bomb or a damaged file)",
                "check the file; a real statement page is far smaller",
            )


__all__ = ["MAX_PAGE_CONTENT", "OCR_MODES", "parse_pdf", "text_layer_usable"]
