"""Layout test PDFs, made at test time with fpdf2 (core Helvetica, so no font files are needed).

Each maker returns ``(pdf bytes, written order)``: the passages in the order a reader takes
them, which the reading-order test compares with what ingestion returns (issue 13).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from fpdf import FPDF

BODY, LEADING = 10.0, 13.0
_WORDS = (
    "ministry minister kosovo government embassy cooperation agreement dialogue partners security union council "
    "region citizens support recognition sovereignty development democracy economy trade energy visa process "
    "meeting statement ambassador delegation institutions reform integration stability peace europe future "
    "talks summit capital mission diplomacy relations border treaty parliament"
).split()


def sentence_source(seed: int) -> Callable[[int], str]:
    """Deterministic pseudo-English paragraphs of ``n`` words, each word numbered so the order is checkable."""
    rng = random.Random(seed)
    counter = iter(range(10_000))  # short numbered words: "trade17"

    def para(n: int) -> str:
        words = [f"{rng.choice(_WORDS)}{next(counter)}" for _ in range(n)]
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    return para


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines, cur = [], ""
    for word in text.split():
        trial = f"{cur} {word}" if cur else word
        if pdf.get_string_width(trial) <= width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    return [*lines, cur] if cur else lines


class Sheet:
    """An fpdf2 document in points with helpers to set text in blocks and columns."""

    def __init__(self, orientation: str = "P") -> None:
        self.pdf = FPDF(orientation=orientation, unit="pt", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
        self.pdf.add_page()
        self.w, self.h = self.pdf.w, self.pdf.h
        self.margin = 56.0
        self.end = (0.0, 0.0)

    def block(self, text: str, x: float, y: float, width: float, size: float = BODY, style: str = "") -> float:
        """Set one paragraph from ``y``; return the y below it."""
        self.pdf.set_font("Helvetica", style, size)
        for line in _wrap(self.pdf, text, width):
            self.pdf.text(x, y, line)
            self.end = (x + self.pdf.get_string_width(line), y)
            y += size * 1.3
        return y

    def flow(self, paras: list[str], cols: list[tuple[float, float, float, float]], gap: float = 7.0) -> float:
        """Flow paragraphs through column boxes ``(x, top, width, bottom)`` in order; return the last y."""
        self.pdf.set_font("Helvetica", "", BODY)
        ci = 0
        x, y, width, bottom = cols[0]
        for para in paras:
            for line in _wrap(self.pdf, para, width):
                if y > bottom:
                    ci += 1
                    if ci == len(cols):
                        raise ValueError("the text does not fit the columns")
                    x, y, width, bottom = cols[ci]
                self.pdf.text(x, y, line)
                y += LEADING
            y += gap
        return y

    def columns(
        self,
        n: int,
        top: float,
        bottom: float,
        gutter: float = 20.0,
        left: float | None = None,
        right: float | None = None,
    ) -> list[tuple[float, float, float, float]]:
        left = self.margin if left is None else left
        right = self.w - self.margin if right is None else right
        width = (right - left - (n - 1) * gutter) / n
        return [(left + i * (width + gutter), top, width, bottom) for i in range(n)]

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def title_over_two_columns() -> tuple[bytes, list[str]]:
    para = sentence_source(1)
    s = Sheet()
    title, dateline = "Minister meets the delegation of partners on visa and trade", para(40)
    y = s.block(title, s.margin, 80, s.w - 2 * s.margin, 16, "B")
    y = s.block("Prishtina, 4 March 2021 - " + dateline, s.margin, y + 8, s.w - 2 * s.margin) + 14
    body = [para(40) for _ in range(5)]
    s.flow(body, s.columns(2, y, 700))
    return s.bytes(), [title, dateline, *body]  # the dateline goes to the record's date and place


def columns_then_full() -> tuple[bytes, list[str]]:
    para = sentence_source(2)
    s = Sheet()
    title = "Statement on the regional dialogue"
    y = s.block(title, s.margin, 80, s.w - 2 * s.margin, 16, "B") + 10
    cols = [para(32) for _ in range(4)]
    end = s.flow(cols, s.columns(2, y, 420))
    full = [para(60), para(45)]
    y = max(end, 433) + 16
    for p in full:
        y = s.block(p, s.margin, y, s.w - 2 * s.margin) + 7
    return s.bytes(), [title, *cols, *full]


def unequal_columns() -> tuple[bytes, list[str]]:
    para = sentence_source(3)
    s = Sheet()
    title = "Ministry welcomes the decision of the council"
    y = s.block(title, s.margin, 80, s.w - 2 * s.margin, 16, "B") + 10
    body = [para(45) for _ in range(5)] + [para(25)]
    s.flow(body, s.columns(2, y, 760))  # the left column is full; the right one ends about halfway
    return s.bytes(), [title, *body]


def three_columns() -> tuple[bytes, list[str]]:
    para = sentence_source(4)
    s = Sheet()
    title = "Newsletter of the diplomatic mission"
    y = s.block(title, s.margin, 80, s.w - 2 * s.margin, 16, "B") + 10
    body = [para(28) for _ in range(8)]
    s.flow(body, s.columns(3, y, 740, gutter=16))
    return s.bytes(), [title, *body]


def pull_quote() -> tuple[bytes, list[str]]:
    para = sentence_source(5)
    s = Sheet()
    title = "Interview with the minister on integration"
    y = s.block(title, s.margin, 80, s.w - 2 * s.margin, 16, "B") + 10
    cols = s.columns(2, y, 740)
    x, top, width, _ = cols[0]
    first = para(45)
    yy = s.flow([first], [(x, top, width, 740)])
    quote = '"' + para(16) + '"'
    s.pdf.set_draw_color(0, 0, 0)
    qy = yy + 6
    end = s.block(quote, x + 14, qy + 14, width - 28, 12, "I")
    s.pdf.rect(x + 6, qy, width - 12, end - qy + 2)
    rest = [para(35), para(40), para(40), para(35)]
    s.flow(rest, [(x, end + 20, width, 740), cols[1]])
    return s.bytes(), [title, first, quote, *rest]


def footnotes() -> tuple[bytes, list[str]]:
    para = sentence_source(6)
    s = Sheet()
    title = "Note on the treaty process"
    body: list[str] = []  # with the reference numbers, which are part of the text
    notes: list[str] = []
    y = s.block(title, s.margin, 80, s.w - 2 * s.margin, 16, "B") + 10
    for page in range(2):
        if page:
            s.pdf.add_page()
            y = 80.0
        for k in range(3):
            text = para(55)
            body.append(f"{text} {page * 2 + k + 1}" if k < 2 else text)
            y = s.block(text, s.margin, y, s.w - 2 * s.margin)
            if k < 2:  # a raised reference number after the paragraph's last word
                s.pdf.set_font("Helvetica", "", 6)
                s.pdf.text(s.end[0] + 1, s.end[1] - 4, str(page * 2 + k + 1))
            y += 7
        s.pdf.line(s.margin, 700, s.margin + 150, 700)
        for k in range(2):
            note = f"{page * 2 + k + 1} " + para(22)
            notes.append(note)
            s.block(note, s.margin, 716 + k * 26, s.w - 2 * s.margin, 8)
    return s.bytes(), [title, *body, *notes]


def simple_table() -> tuple[bytes, list[str]]:
    para = sentence_source(7)
    s = Sheet()
    title = "Visits of the minister in the first quarter"
    y = s.block(title, s.margin, 80, s.w - 2 * s.margin, 16, "B") + 10
    intro = para(50)
    y = s.block(intro, s.margin, y, s.w - 2 * s.margin) + 14
    rows = [["Country", "Date", "City", "Topic of the talks"]] + [
        [f"State{i}", f"{i + 3} March 2021", f"Capital{i}", " ".join(para(4).split()[:4]).rstrip(".")] for i in range(5)
    ]
    widths = [90.0, 100.0, 90.0, s.w - 2 * s.margin - 280]
    s.pdf.set_font("Helvetica", "", 9)
    for r, cells in enumerate(rows):
        x = s.margin
        s.pdf.set_font("Helvetica", "B" if r == 0 else "", 9)
        for cell, w in zip(cells, widths, strict=True):
            s.pdf.rect(x, y, w, 20)
            s.pdf.text(x + 4, y + 13, cell)
            x += w
        y += 20
    outro = para(40)
    s.block(outro, s.margin, y + 20, s.w - 2 * s.margin)
    return s.bytes(), [title, intro, *(" ".join(r) for r in rows), outro]


def landscape() -> tuple[bytes, list[str]]:
    para = sentence_source(8)
    s = Sheet("L")
    title = "Joint declaration of the foreign ministers"
    y = s.block(title, s.margin, 70, s.w - 2 * s.margin, 16, "B") + 10
    body = [para(50) for _ in range(5)]
    s.flow(body, s.columns(2, y, 520, gutter=28))
    return s.bytes(), [title, *body]


LAYOUTS: dict[str, Callable[[], tuple[bytes, list[str]]]] = {
    "title_over_two_columns": title_over_two_columns,
    "columns_then_full_width": columns_then_full,
    "unequal_columns": unequal_columns,
    "three_columns": three_columns,
    "pull_quote_in_column": pull_quote,
    "footnotes": footnotes,
    "table": simple_table,
    "landscape": landscape,
}
