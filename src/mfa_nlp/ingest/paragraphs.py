"""Lines in reading order -> title, dateline and text blocks (shared by PDF text layers and OCR).

Lines are merged into paragraphs by vertical gap, indent, short last lines and bullets;
hyphenated line breaks are joined ("integ-" + "rimit") while real hyphens stay ("NATO-s").
The title is the first bold or large line on page 1; the letterhead above it (state and
institution names) is dropped. A table row and a footnote are blocks of their own.
"""

from __future__ import annotations

import re
import statistics

from .layout import FOOTNOTE_MARK, Line
from .types import Block, Parsed

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
        if ln.page > 0 or ln.kind != "text":
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


def to_parsed(lines: list[Line]) -> Parsed:
    """Title, date, place and blocks from lines in reading order."""
    if not lines:
        return Parsed()
    body = (
        statistics.median(ln.size for ln in lines if ln.kind == "text")
        if any(ln.kind == "text" for ln in lines)
        else statistics.median(ln.size for ln in lines)
    )
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
        if ln.kind != "text":
            # A table row is a block of its own; a footnote starts at its mark and runs on over its lines.
            if ln.kind == "footnote" and blocks and blocks[-1].kind == "footnote" and not FOOTNOTE_MARK.match(text):
                blocks[-1].text = _join(blocks[-1].text, text)
            else:
                blocks.append(Block(text=text, kind="table_row" if ln.kind == "table" else "footnote"))
            prev = ln
            continue
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
            or blocks[-1].kind in ("table_row", "footnote")
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


__all__ = ["to_parsed"]
