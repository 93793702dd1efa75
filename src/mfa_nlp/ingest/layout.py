"""Page layout: positioned words -> lines in reading order (shared by PDF text layers and OCR).

Per page: group words into rows by their baseline (a superscript joins its row);
drop running headers, footers and page numbers (rows at the top/bottom of a page whose
text, digits masked, repeats on other pages, or that are only a page number); set the
footnotes at the foot of a page aside, to come after the body. Then find regions:
first the full-width rows (a title, a dateline, a paragraph across the page, a table
row), then, in each band of rows between them, column gutters: an x that few rows
run across with text wholly left and right of it. A band is read column by column,
and each column is searched again for gutters, so three columns, unequal columns and
a page that goes from two columns back to one all come out in the written order.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: Rows within this fraction of the page height from the top/bottom may be running headers/footers.
EDGE = 0.12
#: A gap between words wider than this (points) can be a column gutter; spaces are ~3 pt.
GUTTER_MIN_GAP = 12.0
#: A row that is one run of text at least this share of the text width is full-width (not in a column).
FULL_WIDTH = 0.75
#: Footnotes are set smaller than body text: at most this share of the body size.
FOOTNOTE_SIZE = 0.88

Word = dict[str, Any]
Row = list[Word]

_PAGE_NO = re.compile(
    r"^[\W_]*(?:page|faqe|faqja|strana|str\.?|страна|стр\.?|seite|p\.)?\s*\d{1,4}"
    r"(?:\s*(?:of|nga|od|од|/|von)\s*\d{1,4})?[\W_]*$",
    re.IGNORECASE,
)
#: A footnote starts with its number or a symbol ("1 ", "¹", "* ", "[2]").
FOOTNOTE_MARK = re.compile(r"^(?:\d{1,2}[.)]?\s|[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s?|[*†‡]\s?|\[\d{1,2}\]\s?)")


@dataclass
class Line:
    """One line of text in reading order, with the layout facts paragraphing needs.

    ``kind`` is ``text``, ``table`` (one table row, cells joined by `` | ``) or ``footnote``.
    """

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
    kind: str = "text"
    words: list[Word] = field(default_factory=list, repr=False)


@dataclass
class Page:
    """The positioned words of one page (from a text layer or from OCR), in points."""

    width: float
    height: float
    words: list[Word]


def _rows(words: list[Word], tol: float = 2.5) -> list[Row]:
    """Group words into rows sharing a baseline (within ``tol`` points), top to bottom.

    A table row (words flagged ``table``) is always a row of its own; a raised small word
    (a footnote reference) joins the row it sits in.
    """
    rows: list[Row] = []
    for w in sorted(words, key=lambda w: (round(w["bottom"], 1), w["x0"])):
        if w.get("table") or (rows and rows[-1][0].get("table")):
            rows.append([w])
        elif rows and abs(rows[-1][0]["bottom"] - w["bottom"]) <= tol:
            rows[-1].append(w)
        else:
            rows.append([w])
    rows = [sorted(r, key=lambda w: w["x0"]) for r in rows]
    return _attach_superscripts(rows)


def _attach_superscripts(rows: list[Row]) -> list[Row]:
    """Move rows of only small words that sit inside a neighbouring row's height into that row."""
    if len(rows) < 2:
        return rows
    out: list[Row] = []
    for i, row in enumerate(rows):
        size = max(float(w.get("size", 0)) for w in row)
        host = None
        for j in (i + 1, i - 1):
            if 0 <= j < len(rows) and not rows[j][0].get("table"):
                other = rows[j]
                osize = statistics.median(float(w.get("size", 0)) for w in other)
                top, bottom = min(w["top"] for w in other), max(w["bottom"] for w in other)
                mid = (row[0]["top"] + row[0]["bottom"]) / 2
                if size < 0.8 * osize and top <= mid <= bottom and len(row) <= 2:
                    host = j
                    break
        if host is None:
            out.append(row)
        elif host < i:
            out[-1] = sorted(out[-1] + row, key=lambda w: w["x0"])
        else:
            rows[host] = sorted(rows[host] + row, key=lambda w: w["x0"])
    return out


def _norm(text: str) -> str:
    """Text of a running header or footer for comparing pages: digits masked, punctuation dropped (OCR varies it)."""
    return re.sub(r"[\W_]+", " ", re.sub(r"\d+", "0", text.lower())).strip()


def _row_text(row: Row) -> str:
    return " ".join(w["text"] for w in row)


def _drop_furniture(pages: list[tuple[float, float, list[Row]]]) -> None:
    """Remove running headers, footers and page numbers in place (repeat across pages, digits masked)."""

    def edge_rows(height: float, rows: list[Row]) -> list[int]:
        idx = [i for i in range(min(3, len(rows))) if rows[i][0]["top"] < height * EDGE]
        idx += [i for i in range(max(0, len(rows) - 3), len(rows)) if rows[i][0]["bottom"] > height * (1 - EDGE)]
        return sorted(set(idx))

    def key(row: Row) -> str:  # the row without its page number ("Page 2 of 3", "- 2 -", or OCR's "=")
        return _norm(" ".join(_row_text(p) for p in _split_wide(row) if not _PAGE_NO.match(_row_text(p))))

    seen: Counter[str] = Counter()
    for _, h, rows in pages:
        seen.update({key(rows[i]) for i in edge_rows(h, rows)})
    for _, h, rows in pages:
        drop = set()
        for i in edge_rows(h, rows):
            text = _row_text(rows[i])
            if (len(pages) > 1 and key(rows[i]) and seen[key(rows[i])] > 1) or _PAGE_NO.match(text):
                drop.add(i)
            elif any(_PAGE_NO.match(_row_text(part)) for part in _split_wide(rows[i])):
                drop.add(i)  # a footer text with a page number beside it ("... Page 1 of 1")
        if len(drop) < len(rows):  # a page that is all "furniture" is really body text
            rows[:] = [r for i, r in enumerate(rows) if i not in drop]


def _split_wide(row: Row, gap: float = 30.0) -> list[Row]:
    parts: list[Row] = [[row[0]]]
    for a, b in zip(row, row[1:], strict=False):
        if b["x0"] - a["x1"] > gap:
            parts.append([])
        parts[-1].append(b)
    return parts


def _spans(row: Row) -> list[tuple[float, float]]:
    """The x-intervals a row's text runs across: words joined where the space between them is normal."""
    spans = [(row[0]["x0"], row[0]["x1"])]
    for w in row[1:]:
        if w["x0"] - spans[-1][1] < GUTTER_MIN_GAP:
            spans[-1] = (spans[-1][0], max(spans[-1][1], w["x1"]))
        else:
            spans.append((w["x0"], w["x1"]))
    return spans


def _covers(row: Row, x: float) -> bool:
    """True if the row's text runs across ``x`` (a word on it, or a normal word space around it)."""
    return any(a <= x <= b for a, b in _spans(row))


def _gutter(rows: list[Row], hint: float | None = None) -> float | None:
    """The x of a column gutter in these rows, or None for one column.

    Baselines of two columns are often not aligned, so this looks at the x-profile of
    whole rows: a gutter is an x inside the rows' extent (15% in from either edge, so a
    third of the width is a column too) that few rows run across, with text on its left
    in at least three rows and on its right in at least three. The gutter is the middle of
    the widest such band with the fewest crossing rows.
    """
    spans = [_spans(r) for r in rows]
    lo, hi = min(sp[0][0] for sp in spans), max(sp[-1][1] for sp in spans)
    scored: list[tuple[int, int]] = []  # (x, crossing rows)
    for x in range(int(lo + 0.15 * (hi - lo)), int(hi - 0.15 * (hi - lo)) + 1):
        cover = left = right = 0
        for sp in spans:
            if any(a <= x <= b for a, b in sp):
                cover += 1
                continue
            left += sp[0][0] < x  # a row with text on both sides (aligned baselines) supports both
            right += sp[-1][1] > x
        if left >= 3 and right >= 3 and cover <= (left + right) / 4:
            scored.append((x, cover))
    if not scored:
        # A last page whose right column has only a line or two: reuse the previous page's gutter.
        if hint is not None and not any(any(a <= hint <= b for a, b in sp) for sp in spans):
            if any(sp[0][0] > hint for sp in spans) and any(sp[-1][1] < hint for sp in spans):
                return hint
        return None
    best = min(c for _, c in scored)
    xs = [x for x, c in scored if c == best]
    bands: list[list[int]] = [[xs[0]]]
    for x in xs[1:]:
        if x == bands[-1][-1] + 1:
            bands[-1].append(x)
        else:
            bands.append([x])
    band = max(bands, key=len)
    return (band[0] + band[-1]) / 2


def _columns(
    rows: list[Row], hint: float | None = None, depth: int = 0
) -> tuple[list[tuple[str, list[Row]]], float | None]:
    """Cut a band of rows into chunks in reading order: runs across the gutter, and columns one after another.

    A chunk is ``("full", rows)`` for rows that run across the band's gutter at the top level
    (measured against the page's text width), else ``("text", rows)``.
    """
    gx = _gutter(rows, hint) if rows and depth < 4 else None
    if gx is None:
        return [("text", rows)], None
    segments: list[tuple[bool, list[Row]]] = []  # (runs across the gutter, rows)
    for row in rows:
        full = _covers(row, gx)
        if segments and segments[-1][0] == full:
            segments[-1][1].append(row)
        else:
            segments.append((full, [row]))
    chunks: list[tuple[str, list[Row]]] = []
    for full, seg in segments:
        if full:
            sub = _columns(seg, None, depth + 1)[0]
            chunks.extend(("full" if depth == 0 and len(sub) == 1 else kind, c) for kind, c in sub)
            continue
        for side in (
            ([w for w in r if (w["x0"] + w["x1"]) / 2 < gx] for r in seg),
            ([w for w in r if (w["x0"] + w["x1"]) / 2 >= gx] for r in seg),
        ):
            col = [r for r in side if r]
            if col:
                chunks.extend(_columns(col, None, depth + 1)[0])
    return chunks, gx


def _regions(rows: list[Row], hint: float | None) -> tuple[list[tuple[str, list[Row]]], float | None]:
    """A page's rows as chunks in reading order, each ``(kind, rows)``; also the page's main gutter.

    ``kind`` is ``full`` (rows across the text width), ``text`` (a column or a one-column band) or ``table``.
    """
    if not rows:
        return [], hint
    spans = [_spans(r) for r in rows]
    lo, hi = min(sp[0][0] for sp in spans), max(sp[-1][1] for sp in spans)
    width = max(hi - lo, 1.0)

    def full(i: int) -> bool:
        return bool(rows[i][0].get("table")) or (
            len(spans[i]) == 1 and spans[i][0][1] - spans[i][0][0] >= FULL_WIDTH * width
        )

    out: list[tuple[str, list[Row]]] = []
    gutter: float | None = None

    def add_flow(seg: list[Row]) -> None:
        if out and out[-1][0] == "full":
            out[-1][1].extend(seg)
        else:
            out.append(("full", list(seg)))

    runs: list[tuple[str, list[Row]]] = []  # ("table" | "full" | "band", rows)
    for i, row in enumerate(rows):
        kind = "table" if row[0].get("table") else ("full" if full(i) else "band")
        if runs and runs[-1][0] == kind != "table":
            runs[-1][1].append(row)
        else:
            runs.append((kind, [row]))
    for kind, seg in runs:
        if kind == "table":
            out.append(("table", seg))
        elif kind == "full":
            add_flow(seg)
        else:
            chunks, gx = _columns(seg, hint)
            if gx is None:  # no gutter: short lines of the one-column flow (a paragraph's last line)
                add_flow(seg)
                continue
            gutter = gx
            for kind, chunk in chunks:
                if kind == "full":
                    add_flow(chunk)
                else:
                    out.append((kind, chunk))
    return out, gutter


def _make_line(words: list[Word], page: int, kind: str = "text") -> Line:
    sizes = [float(w["size"]) for w in words]
    bold = sum(len(w["text"]) for w in words if "bold" in str(w.get("fontname", "")).lower())
    return Line(
        text=" ".join(w["text"] for w in words),
        x0=min(w["x0"] for w in words),
        x1=max(w["x1"] for w in words),
        top=min(w["top"] for w in words),
        bottom=max(w["bottom"] for w in words),
        size=statistics.median(sizes),
        bold=bold * 2 > sum(len(w["text"]) for w in words),
        page=page,
        kind=kind,
        words=words,
    )


def _split_footnotes(rows: list[Row], height: float, body: float) -> list[Row]:
    """Remove and return the footnotes at the foot of a page: a trailing run of small rows, the first marked."""
    start = len(rows)
    while start > 0:
        row = rows[start - 1]
        size = statistics.median(float(w["size"]) for w in row)
        if size > body * FOOTNOTE_SIZE or row[0].get("table") or row[0]["top"] < height * 0.45:
            break
        start -= 1
    notes = rows[start:]
    while notes and not FOOTNOTE_MARK.match(_row_text(notes[0])):
        notes = notes[1:]  # a small caption above the notes stays in the body
    if not notes:
        return []
    del rows[len(rows) - len(notes) :]
    return notes


def reading_order(raw: list[Page]) -> list[Line]:
    """Lines of all pages in reading order, without headers, footers and page numbers; footnotes last."""
    pages = [(p.width, p.height, _rows(p.words)) for p in raw]
    _drop_furniture(pages)
    sizes = [float(w["size"]) for _, _, rows in pages for r in rows for w in r if not w.get("table")]
    body = statistics.median(sizes) if sizes else 10.0
    out: list[Line] = []
    notes: list[Line] = []
    region = 0
    gx: float | None = None
    for pno, (_, height, rows) in enumerate(pages):
        for row in _split_footnotes(rows, height, body):
            notes.append(_make_line(row, pno, "footnote"))
        chunks, page_gx = _regions(rows, gx)
        gx = page_gx if page_gx is not None else gx
        extent = [w for r in rows for w in r]
        for kind, chunk in chunks:
            if not chunk:
                continue
            region += 1
            lines = [_make_line(r, pno, "text" if kind == "full" else kind) for r in chunk]
            cl, cr = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
            if kind == "full":  # measured against the page's text width, like a one-column page
                cl, cr = min(w["x0"] for w in extent), max(w["x1"] for w in extent)
            for ln in lines:
                ln.col_left, ln.col_right, ln.region = cl, cr, region
            out.extend(lines)
    for ln in notes:
        region += 1
        ln.col_left, ln.col_right, ln.region = ln.x0, ln.x1, region
    return out + notes


__all__ = ["EDGE", "FOOTNOTE_MARK", "GUTTER_MIN_GAP", "Line", "Page", "reading_order"]
