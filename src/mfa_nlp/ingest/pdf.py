"""PDF ingestion with pdfplumber: words -> lines in reading order -> paragraphs.

Steps, per page: group words into rows by their baseline; drop running headers,
footers and page numbers (rows at the top/bottom of a page whose text, digits
masked, repeats on other pages, or that are only a page number); find a vertical
gutter from the wide gaps that many rows share and read a two-column region left
column first; drop the letterhead above the title on page 1. Lines are then
merged into paragraphs by vertical gap, short last lines and bullets; hyphenated
line breaks are joined ("integ-" + "rimit") while real hyphens stay ("NATO-s").
"""

from __future__ import annotations

import io
import re
import statistics
import struct
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedPDFError,
    LimitExceededError,
    NoTextLayerError,
)
from . import Block, Limits, Parsed

#: Rows within this fraction of the page height from the top/bottom may be running headers/footers.
EDGE = 0.12
#: Inflated page content above this is refused (a dense text page is ~50 KB; this stops decompression bombs).
MAX_PAGE_CONTENT = 8 * 1024 * 1024
#: A gap between words wider than this (points) can be a column gutter; spaces are ~3 pt.
GUTTER_MIN_GAP = 12.0

_PAGE_NO = re.compile(
    r"^[\W_]*(?:page|faqe|faqja|strana|str\.?|страна|стр\.?|seite|p\.)?\s*\d{1,4}"
    r"(?:\s*(?:of|nga|od|од|/|von)\s*\d{1,4})?[\W_]*$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[•●▪■◦·\-–—*]\s+|\(?\d{1,2}[.)]\s+|\(?[a-zа-я][.)]\s+)")
_SYMBOL_BULLET = re.compile(r"^[•●▪■◦·\-–—*]\s+")
#: Words that mark a letterhead line (state and institution names), all three languages.
_LETTERHEAD = re.compile(
    r"\b(?:republika|republic|република|qeveria|government|vlada|влада|ministria|ministry|ministarstvo|"
    r"министарство|kabineti|cabinet|kabinet|кабинет|zyra|office|kancelarija|канцеларија|ambasada|embassy|"
    r"амбасада|diaspor|dijaspor|дијаспор)",
    re.IGNORECASE,
)
_TERMINAL = tuple('.!?:;…»"”')


@dataclass
class Line:
    """One line of text in reading order, with the layout facts paragraphing needs."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    page: int
    col_left: float = 0.0
    col_right: float = 0.0
    region: int = 0
    words: list[dict[str, Any]] = field(default_factory=list, repr=False)


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
        NoTextLayerError: pages carry only images (a scan): needs OCR.
        LimitExceededError: more pages than ``limits.max_pages`` or slower than ``limits.timeout``.
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
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            n = len(pdf.pages)
            if n > limits.max_pages:
                raise LimitExceededError(source, f"the PDF has {n} pages, over the limit of {limits.max_pages}")
            pages: list[tuple[float, float, list[dict[str, Any]]]] = []
            images = 0
            for page in pdf.pages:
                if time.monotonic() - started > limits.timeout:
                    raise LimitExceededError(source, f"reading took over {limits.timeout:g} s")
                _check_content(page.page_obj, source, page.page_number)
                words = page.extract_words(
                    x_tolerance=1.5, extra_attrs=["fontname", "size"], use_text_flow=False, keep_blank_chars=False
                )
                images += len(page.images)
                pages.append((float(page.width), float(page.height), words))
                page.close()
    except (EncryptedPDFError, LimitExceededError):
        raise
    except readers as exc:  # pdfminer raises these on damaged or encrypted input
        raise _open_error(source, exc) from exc
    chars = sum(len(w["text"]) for _, _, words in pages for w in words)
    if images and chars < 20 * len(pages):  # a scan, with at most a stray page number or stamp
        raise NoTextLayerError(source, f"the PDF has {len(pages)} page(s) of images and no text layer; it needs OCR")
    if not chars:
        raise EmptyDocumentError(source, "the PDF has no text")
    lines = _reading_order(pages)
    return _to_parsed(lines)


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


# ----------------------------------------------------------------------------- layout


def _rows(words: list[dict[str, Any]], tol: float = 2.5) -> list[list[dict[str, Any]]]:
    """Group words into rows sharing a baseline (within ``tol`` points), top to bottom."""
    rows: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["bottom"], 1), w["x0"])):
        if rows and abs(rows[-1][0]["bottom"] - w["bottom"]) <= tol:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(r, key=lambda w: w["x0"]) for r in rows]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _row_text(row: list[dict[str, Any]]) -> str:
    return " ".join(w["text"] for w in row)


def _drop_furniture(pages: list[tuple[float, float, list[list[dict[str, Any]]]]]) -> None:
    """Remove running headers, footers and page numbers in place (repeat across pages, digits masked)."""

    def edge_rows(height: float, rows: list[list[dict[str, Any]]]) -> list[int]:
        idx = [i for i in range(min(3, len(rows))) if rows[i][0]["top"] < height * EDGE]
        idx += [i for i in range(max(0, len(rows) - 3), len(rows)) if rows[i][0]["bottom"] > height * (1 - EDGE)]
        return sorted(set(idx))

    seen: Counter[str] = Counter()
    for _, h, rows in pages:
        seen.update({_norm(_row_text(rows[i])) for i in edge_rows(h, rows)})
    for _, h, rows in pages:
        drop = set()
        for i in edge_rows(h, rows):
            text = _row_text(rows[i])
            if (len(pages) > 1 and seen[_norm(text)] > 1) or _PAGE_NO.match(text):
                drop.add(i)
            elif any(_PAGE_NO.match(_row_text(part)) for part in _split_wide(rows[i])):
                drop.add(i)  # a footer text with a page number beside it ("... Page 1 of 1")
        if len(drop) < len(rows):  # a page that is all "furniture" is really body text
            rows[:] = [r for i, r in enumerate(rows) if i not in drop]


def _split_wide(row: list[dict[str, Any]], gap: float = 30.0) -> list[list[dict[str, Any]]]:
    parts = [[row[0]]]
    for a, b in zip(row, row[1:], strict=False):
        if b["x0"] - a["x1"] > gap:
            parts.append([])
        parts[-1].append(b)
    return parts


def _spans(row: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """The x-intervals a row's text runs across: words joined where the space between them is normal."""
    spans = [(row[0]["x0"], row[0]["x1"])]
    for w in row[1:]:
        if w["x0"] - spans[-1][1] < GUTTER_MIN_GAP:
            spans[-1] = (spans[-1][0], max(spans[-1][1], w["x1"]))
        else:
            spans.append((w["x0"], w["x1"]))
    return spans


def _covers(row: list[dict[str, Any]], x: float) -> bool:
    """True if the row's text runs across ``x`` (a word on it, or a normal word space around it)."""
    return any(a <= x <= b for a, b in _spans(row))


def _gutter(width: float, rows: list[list[dict[str, Any]]], hint: float | None = None) -> float | None:
    """The x of a column gutter, or None for a one-column page.

    Baselines of two columns are often not aligned, so this looks at the x-profile of
    whole rows: a gutter is an x in the middle of the page that few rows run across,
    with at least three rows wholly to its left and three wholly to its right. The
    gutter is the middle of the widest such band with the fewest crossing rows.
    """
    spans = [_spans(r) for r in rows]
    scored: list[tuple[int, int, int]] = []  # (x, crossing rows, min(left, right))
    for x in range(int(width * 0.3), int(width * 0.7)):
        cover = left = right = 0
        for sp in spans:
            if any(a <= x <= b for a, b in sp):
                cover += 1
            elif sp[-1][1] < x:
                left += 1
            elif sp[0][0] > x:
                right += 1
        if left >= 3 and right >= 3 and cover <= (left + right) / 2:
            scored.append((x, cover, min(left, right)))
    if not scored:
        # A last page whose right column has only a line or two: reuse the previous page's gutter.
        if hint is not None and not any(any(a <= hint <= b for a, b in sp) for sp in spans):
            if any(sp[0][0] > hint for sp in spans):
                return hint
        return None
    best = min(c for _, c, _ in scored)
    xs = [x for x, c, _ in scored if c == best]
    # Split into contiguous bands and take the widest.
    bands: list[list[int]] = [[xs[0]]]
    for x in xs[1:]:
        if x == bands[-1][-1] + 1:
            bands[-1].append(x)
        else:
            bands.append([x])
    band = max(bands, key=len)
    return (band[0] + band[-1]) / 2


def _make_line(words: list[dict[str, Any]], page: int) -> Line:
    sizes = [float(w["size"]) for w in words]
    bold = sum(len(w["text"]) for w in words if "bold" in str(w["fontname"]).lower())
    return Line(
        text=" ".join(w["text"] for w in words),
        x0=min(w["x0"] for w in words),
        x1=max(w["x1"] for w in words),
        top=min(w["top"] for w in words),
        bottom=max(w["bottom"] for w in words),
        size=statistics.median(sizes),
        bold=bold * 2 > sum(len(w["text"]) for w in words),
        page=page,
        words=words,
    )


def _reading_order(raw: list[tuple[float, float, list[dict[str, Any]]]]) -> list[Line]:
    """Lines of all pages in reading order, without headers, footers and page numbers."""
    pages = [(w, h, _rows(words)) for w, h, words in raw]
    _drop_furniture(pages)
    out: list[Line] = []
    region = 0
    gx: float | None = None
    for pno, (width, _, rows) in enumerate(pages):
        gx = _gutter(width, rows, hint=gx)
        # Split the page into regions: full-width rows, and runs of rows that fit a column each.
        segments: list[tuple[str, list[list[dict[str, Any]]]]] = []
        for row in rows:
            spans = gx is not None and _covers(row, gx)
            kind = "full" if gx is None or spans else "cols"
            if segments and segments[-1][0] == kind:
                segments[-1][1].append(row)
            else:
                segments.append((kind, [row]))
        for kind, seg in segments:
            region += 1
            if kind == "full":
                cols = [seg]
            else:
                assert gx is not None
                left = [[w for w in r if w["x1"] <= gx] for r in seg]
                right = [[w for w in r if w["x0"] >= gx] for r in seg]
                cols = [[r for r in left if r], [r for r in right if r]]
            for ci, col in enumerate(cols):
                if not col:
                    continue
                lines = [_make_line(r, pno) for r in col]
                cl, cr = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
                for ln in lines:
                    ln.col_left, ln.col_right, ln.region = cl, cr, region * 2 + ci
                out.extend(lines)
    return out


# ----------------------------------------------------------------------------- paragraphs


def _join(prev: str, nxt: str) -> str:
    """Join two lines of one paragraph, undoing a hyphenated line break but keeping real hyphens."""
    if prev.endswith("\u00ad"):
        return prev[:-1] + nxt
    if prev.endswith("-") and len(prev) > 1 and not prev.endswith((" -", "--")):
        before = prev[-2]
        if before.isalpha() and before.islower() and nxt[:1].isalpha() and nxt[:1].islower():
            # "integ-" + "rimit": a break, unless the word before the hyphen is an acronym ("BE-", "NATO-").
            word = prev.rsplit(" ", 1)[-1][:-1]
            if not (len(word) > 1 and word[:-1].isupper()):
                return prev[:-1] + nxt
        return prev + nxt  # "Euro-" + "Atlantic", "NATO-" + "s": a real hyphen
    return f"{prev} {nxt}"


def _title_lines(lines: list[Line], body: float) -> int:
    """Index of the first title line on page 1 (bold or larger than body text), or -1.

    Letterhead lines (all caps, or institution names no larger than body text) are not titles.
    """
    for i, ln in enumerate(lines):
        if ln.page > 0:
            break
        if _is_letterhead(ln) and (ln.text.isupper() or ln.size < body * 1.15):
            continue
        if ln.size >= body * 1.15 or (ln.bold and ln.size >= body):
            return i
    return -1


def _is_letterhead(ln: Line) -> bool:
    """A page-1 line that names the state or an institution: all caps, or a short, unpunctuated name line."""
    if ln.page != 0:
        return False
    if ln.text.isupper() and len(ln.text) > 3:
        return True
    narrow = ln.x1 - ln.x0 < 0.85 * max(ln.col_right - ln.col_left, 1.0) or ln.x0 > ln.col_left + 20
    return bool(_LETTERHEAD.search(ln.text)) and narrow and not ln.text.endswith((*_TERMINAL, "-", ","))


def _drop_letterhead(lines: list[Line], first_title: int) -> tuple[list[Line], int]:
    """Drop the letterhead: name lines above the title on page 1, or leading name lines if there is no title."""
    if first_title >= 0:
        keep = [ln for i, ln in enumerate(lines) if i >= first_title or not _is_letterhead(ln)]
        return keep, first_title - (len(lines) - len(keep))
    n = 0
    while n < len(lines) and _is_letterhead(lines[n]):
        n += 1
    return lines[n:], -1


def _to_parsed(lines: list[Line]) -> Parsed:
    if not lines:
        return Parsed()
    body = statistics.median(ln.size for ln in lines)
    title_i = _title_lines(lines, body)
    lines, title_i = _drop_letterhead(lines, title_i)
    spacing = statistics.median(
        [
            b.top - a.top
            for a, b in zip(lines, lines[1:], strict=False)
            if a.region == b.region and 0 < b.top - a.top < 3 * body
        ]
        or [body * 1.3]
    )
    blocks: list[Block] = []
    title_parts: list[str] = []
    prev: Line | None = None
    in_title = False
    for i, ln in enumerate(lines):
        in_title = i == title_i or (in_title and prev is not None and _same_style(prev, ln))
        if in_title:
            title_parts.append(ln.text)
            prev = ln
            continue
        text = ln.text
        bullet = _BULLET.match(text)
        if bullet and not text.startswith(("•", "●", "▪", "■", "◦")) and prev is not None:
            # "– sot ..." or "17. februar ..." may just continue a sentence: a dash or number is a
            # bullet only after a line that ended a sentence, a colon or another item, or after a gap.
            ended = prev.text.endswith(_TERMINAL) or (blocks and blocks[-1].kind == "list_item")
            if not (ended or _para_break(prev, ln, spacing)):
                bullet = None
        heading = ln.size >= body * 1.15 or (ln.bold and not (prev is not None and prev.bold))
        if heading and prev is not None and blocks and blocks[-1].kind == "heading" and _same_style(prev, ln):
            heading = False  # the second line of a wrapped heading
        starts = (
            prev is None
            or not blocks
            or bullet is not None
            or heading
            or (prev.bold != ln.bold)
            or _para_break(prev, ln, spacing)
        )
        if starts:
            kind = "list_item" if bullet else ("heading" if heading else "paragraph")
            if bullet and _SYMBOL_BULLET.match(text):
                text = text[bullet.end() :]
            blocks.append(Block(text=text, kind=kind))
        else:
            blocks[-1].text = _join(blocks[-1].text, text)
        prev = ln
    title = None
    for part in title_parts:
        title = part if title is None else _join(title, part)
    parsed = Parsed(title=title, blocks=blocks)
    _apply_dateline(parsed)
    return parsed


def _same_style(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) < 0.5 and a.bold == b.bold and 0 < b.top - a.top < a.size * 2.2


def _para_break(prev: Line, ln: Line, spacing: float) -> bool:
    """True if ``ln`` starts a new paragraph after ``prev``."""
    width = max(prev.col_right - prev.col_left, 1.0)
    short = prev.x1 < prev.col_right - 0.15 * width and prev.text.endswith(_TERMINAL)
    if prev.region == ln.region:
        gap = ln.top - prev.top
        if gap > spacing * 1.35:
            return True
        # A list item's wrapped lines are indented past the marker; a paragraph's first line may be indented.
        if (
            ln.x0 > ln.col_left + 8
            and not (prev.x0 < ln.x0 and _BULLET.match(prev.text))
            and prev.x0 <= ln.col_left + 8
        ):
            return True
        return short
    # Column or page break: continue only if the previous line ran to the column edge.
    return short or prev.x1 < prev.col_right - 0.15 * width


def _apply_dateline(parsed: Parsed) -> None:
    """Take date and place from a dateline at the start of the first paragraph, as for HTML."""
    from .dateline import split_dateline

    for block in parsed.blocks[:2]:
        if block.kind != "paragraph":
            continue
        date, place, rest = split_dateline(block.text)
        if date or place:
            parsed.date, parsed.place = date, place
            block.text = rest
            if not rest.strip():
                parsed.blocks.remove(block)
        break


__all__ = ["parse_pdf"]
