"""HTML statements: main text only, with title, date and place.

The engine (lxml) finds the statement's container (:mod:`.content`: furniture removed by tag
and by class/id hints in three languages, containers scored by text and link density) and
linearises it into heading, paragraph and list-item blocks. ``<br><br>`` paragraphs and layout
tables of old CMS pages are handled by the same code path.
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import CorruptFileError, EmptyDocumentError, LimitExceededError
from .content import (
    BLOCK_TAGS,
    HEADINGS,
    META_CHARSET,
    PARSER,
    SITE_NAME,
    SITE_WORDS,
    remove,
    score_candidates,
    strip_furniture,
    text_len,
)
from .dateline import parse_date, split_dateline
from .segment import clean_text, is_boilerplate
from .text import decode_bytes
from .types import Block, Parsed

#: libxml2 drops what is nested deeper than this (its limit with XML_PARSE_HUGE, which PARSER sets).
LIBXML_MAX_DEPTH = 2048
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*?(/?)>")


def _tree_depth(root: etree._Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        el, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in el)
    return deepest


def _text_content(el: etree._Element) -> str:
    """All the text inside ``el``, as ``lxml.html``'s ``text_content()`` gives it."""
    return "".join(el.itertext())


def _markup_depth(text: str) -> int:
    """How deep the source markup nests: open tags minus close tags, void elements left out."""
    depth = deepest = 0
    for m in _TAG.finditer(text):
        closing, name, self_closing = m.groups()
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name.lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _check_depth(root: etree._Element, text: str, source: str) -> None:
    """Raise LimitExceededError when libxml2 cut off markup nested deeper than it keeps.

    What lies below its limit is silently dropped, which would otherwise read as
    "no text found" or as a document missing its text.
    """
    if text.count("<") < LIBXML_MAX_DEPTH or _tree_depth(root) < LIBXML_MAX_DEPTH:
        return  # (a page with fewer tags than that cannot nest that deep)
    levels = _markup_depth(text)
    if levels >= LIBXML_MAX_DEPTH - 1:  # <html> and <body> take two of the parser's levels
        raise LimitExceededError(
            source,
            f"nesting too deep ({levels:,} levels; the HTML parser keeps {LIBXML_MAX_DEPTH - 2:,} inside <body>)",
            "the page is damaged or built to break parsers; re-export it, or tag its text as .txt",
        )


def _linearise(el: etree._Element) -> list[Block]:
    """Heading, paragraph and list-item blocks of ``el`` in document order."""
    blocks: list[Block] = []
    buf: list[str] = []

    def flush(kind: str = "paragraph") -> None:
        joined = "".join(buf)
        buf.clear()
        for piece in re.split(r"\n[ \t\u00a0]*\n", joined):
            text = clean_text(piece)
            if text:
                blocks.append(Block(text, kind))

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "br":
            buf.append("\n")
        elif tag in HEADINGS or tag == "li" or tag == "dt":
            flush()
            kind = "heading" if tag in HEADINGS else "list_item"
            if tag == "li" and any(c.tag in ("ul", "ol") for c in node):
                # nested list: own text first, then the sub-items
                buf.append(node.text or "")
                for child in node:
                    if child.tag in ("ul", "ol"):
                        flush("list_item")
                        walk(child)
                    else:
                        walk(child)
                flush("list_item")
            else:
                buf.append(" ".join(node.itertext()).replace("\n", " "))
                flush(kind)
        elif tag in BLOCK_TAGS:
            flush()
            buf.append(node.text or "")
            for child in node:
                walk(child)
            flush()
        else:
            buf.append(node.text or "")
            for child in node:
                walk(child)
        if node.tail:
            buf.append(node.tail)

    buf.append(el.text or "")
    for child in el:
        walk(child)
    flush()
    return blocks


def _clean_title(title: str) -> str:
    """Strip the site name from a <title>: keep the part that is not the ministry/portal name."""
    title = clean_text(title)
    parts = [p.strip() for p in re.split(r"\s+[|–—»:-]\s+|\s+-\s+", title) if p.strip()]
    if len(parts) > 1:
        content = [p for p in parts if not SITE_WORDS.search(p) or len(p.split()) > 9]
        if content:
            return max(content, key=len)
        return parts[0]
    return title


def _find_title(root: etree._Element, content: etree._Element, html_title: str | None) -> etree._Element | str | None:
    h1s = [h for h in root.iter("h1") if clean_text(" ".join(h.itertext()))]
    inside = [h for h in h1s if content in h.iterancestors() or h is content]
    if inside:
        return inside[0]
    stripped = _clean_title(html_title) if html_title else None
    for h in h1s:
        text = clean_text(" ".join(h.itertext()))
        if stripped and (text.lower() in stripped.lower() or stripped.lower() in text.lower()):
            return h
    # the heading closest before the content
    before = None
    for h in root.iter("h1", "h2"):
        if h is content or content in h.iterancestors():
            break
        if not SITE_WORDS.search(clean_text(" ".join(h.itertext()))) or len(" ".join(h.itertext()).split()) > 6:
            before = h
    if before is not None and len(" ".join(before.itertext()).split()) >= 3:
        return before
    return stripped


def _is_site_name(title: str) -> bool:
    """True when a title is only the ministry/site name (old CMS pages)."""
    return bool(SITE_NAME.search(title)) and len(title.split()) <= 9


def _meta(root: etree._Element, *names: str) -> str | None:
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").lower()
        if key in names and m.get("content"):
            return m.get("content")
    return None


def parse_html(data: bytes, *, source: str) -> Parsed:
    """Parse an HTML statement into title, date, place and text blocks (main text only).

    >>> page = b"<html><body><nav><a href='/'>Home</a> <a href='/en'>EN</a></nav><article><h1>Kosovo and Ghana</h1>"
    >>> page += b"<p>Prishtina, 7 March 2018 - The two ministers signed a joint communique today.</p></article>"
    >>> p = parse_html(page, source="a.html")
    >>> p.title, p.date, p.place, [b.text for b in p.blocks]
    ('Kosovo and Ghana', '2018-03-07', 'Prishtina', ['The two ministers signed a joint communique today.'])
    """
    declared = None
    m = META_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii", "ignore")
    text = decode_bytes(data, declared, source=source)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise CorruptFileError(source, "the HTML file is empty", "check the download")
    try:
        root = etree.fromstring(text, parser=PARSER)
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError) as exc:
        if "empty" in str(exc).lower():
            raise EmptyDocumentError(source, "the HTML page has no content") from exc
        raise CorruptFileError(source, f"the HTML cannot be parsed ({exc})", "check the file") from exc
    _check_depth(root, text, source)

    title_el = root.find(".//title")
    html_title = clean_text(_text_content(title_el)) if title_el is not None else None
    meta_title = _meta(root, "og:title", "twitter:title", "dc.title")
    meta_date = None
    for t in root.iter("time"):
        meta_date = parse_date(t.get("datetime") or "") or parse_date(_text_content(t))
        if meta_date:
            break
    if not meta_date:
        meta_date = parse_date(
            _meta(
                root,
                "article:published_time",
                "date",
                "dc.date",
                "datepublished",
                "pubdate",
                "publish-date",
                "og:article:published_time",
            )
            or ""
        )

    head = root.find("head")
    if head is not None:
        head.getparent().remove(head)
    strip_furniture(root)
    parts = score_candidates(root)
    content = max(parts, key=text_len)
    title_node = _find_title(root, content, meta_title or html_title)
    title: str | None
    if isinstance(title_node, str) or title_node is None:
        title = title_node or (_clean_title(meta_title) if meta_title else None)
    else:
        title = clean_text(" ".join(title_node.itertext()))
        # A title heading outside the content is dropped; inside it, it is filtered from the blocks below.
        if (
            title_node.getparent() is not None
            and title_node is not content
            and content not in title_node.iterancestors()
        ):
            remove(title_node)

    try:
        blocks = [b for part in parts for b in _linearise(part)]
    except RecursionError:
        # Pathologically deep markup: fall back to flat paragraph-like elements.
        blocks = [
            Block(
                clean_text(_text_content(el)),
                "heading" if el.tag in HEADINGS else "list_item" if el.tag == "li" else "paragraph",
            )
            for part in parts
            for el in part.iter("p", "li", *HEADINGS)
        ]
    if not title or _is_site_name(title):
        first = next((b for b in blocks[:3] if not parse_date(b.text) or len(b.text.split()) > 6), None)
        if first is not None and len(first.text.split()) <= 25 and not first.text.endswith("."):
            title = first.text
            blocks.remove(first)
    if title:
        blocks = [b for b in blocks if not (b.kind == "heading" and clean_text(b.text) == title)]

    date = place = None
    # Date lines before the body: "07.03.2018", "Published: 07.03.2018", "New York, 23 nëntor 2016".
    kept: list[Block] = []
    for i, b in enumerate(blocks):
        found = parse_date(b.text) if len(b.text.split()) <= 6 and i < 4 else None
        if found and not b.text.rstrip().endswith(("!", "?")) and not re.search(r"[a-zà-žа-я]{3,}\.$", b.text):
            iso, where, rest = split_dateline(b.text)
            if iso and not rest.strip():
                date, place = iso, where or place
            else:
                date = date or found
            continue
        kept.append(b)
    blocks = kept
    for i, b in enumerate(blocks[:3]):
        if b.kind != "paragraph":
            continue
        iso, where, rest = split_dateline(b.text, published=meta_date)
        if iso:
            date, place = iso, where or place
            if rest.strip():
                blocks[i] = Block(rest, b.kind)
            else:
                del blocks[i]
        break
    blocks = [b for b in blocks if not is_boilerplate(b.text)]
    return Parsed(title=title or None, date=date or meta_date, place=place, blocks=blocks)


__all__ = ["parse_html"]
