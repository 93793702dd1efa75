"""HTML statements: main text only, with title, date and place.

The engine (lxml) removes page furniture by tag (script, nav, footer, forms ...)
and by class/id hints in English, Albanian and Serbian (cookie, share, breadcrumb,
menu, galeria, lajme-te-fundit, najnovije ...), scores the remaining containers by
text and link density (readability-style) and linearises the best one into
heading, paragraph and list-item blocks. ``<br><br>`` paragraphs and layout
tables of old CMS pages are handled by the same code path.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ..errors import CorruptFileError, EmptyDocumentError
from . import Block, Parsed
from .dateline import parse_date, split_dateline
from .segment import clean_text, is_boilerplate
from .text import decode_bytes

#: Tags that never hold statement text.
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "template",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "map",
    "figure",
    "img",
    "input",
)

#: class/id tokens (prefixes) of page furniture, in the three languages.
NEGATIVE_HINTS = (
    "nav",
    "menu",
    "breadcrumb",
    "cookie",
    "consent",
    "gdpr",
    "share",
    "social",
    "sharing",
    "footer",
    "sidebar",
    "widget",
    "banner",
    "related",
    "latest",
    "recent",
    "gallery",
    "galeri",
    "galerij",
    "foto",
    "photo",
    "lang",
    "language",
    "gjuh",
    "jezik",
    "search",
    "kerko",
    "pretrag",
    "print",
    "tags",
    "comment",
    "pagination",
    "pager",
    "subscribe",
    "newsletter",
    "popup",
    "modal",
    "skip",
    "toolbar",
    "masthead",
    "logo",
    "topbar",
    "lajme-te-fundit",
    "najnovij",
    "fundit",
    "advert",
    "promo",
    "header-",
    "site-header",
    "copyright",
    "shperndaj",
    "podel",
)
#: class/id tokens (prefixes) of the article body.
POSITIVE_HINTS = (
    "article",
    "content",
    "entry",
    "post",
    "story",
    "body",
    "text",
    "main",
    "lajm",
    "vest",
    "clanak",
    "sadrzaj",
    "permbajtj",
    "tekst",
    "news-detail",
    "single",
    "statement",
    "komunikat",
    "saopst",
)

#: Headings that open a furniture section (the section is dropped with them).
FURNITURE_HEADINGS = re.compile(
    r"^(lajme(t)? e (fundit|tjera)|lajme të fundit|lajme te fundit|latest news|related( news| articles)?|more news|"
    r"najnovije vesti|najnovije vijesti|povezane vesti|ostale vesti|најновије вести|повезане вести|остале вести|"
    r"foto ?gal[eé]ri[ae]?|foto galerija|фото ?галерија|photo gallery|gallery|galeria|share( this)?|"
    r"shpërndaje|shperndaje|podeli|подели|tags|etiketat|oznake)\W*$",
    re.IGNORECASE,
)

#: Site suffixes stripped from <title>.
SITE_WORDS = re.compile(
    r"ministr|ministry|mfa|mpj|mip|punëve të jashtme|puneve te jashtme|spoljnih poslova|спољних послова|"
    r"republika|republic|republic of kosovo|government|qeveria|vlada|влада|portal|news|lajme|vesti|вести|"
    r"\.com|\.net|\.org",
    re.IGNORECASE,
)

#: The ministry's own name, as a whole <title> on old pages.
SITE_NAME = re.compile(
    r"ministria e pun[eë]ve t[eë] jashtme|ministry of foreign affairs|ministarstvo (spoljnih|inostranih) poslova|"
    r"министарство (спољних|иностраних) послова|^(mpj|mfa|mip|мсп|мип)\b",
    re.IGNORECASE,
)

BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "tbody",
    "thead",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "center",
    "address",
    "body",
    "html",
    "hr",
    "figcaption",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_PARSER = lxml.html.HTMLParser(huge_tree=True, remove_comments=True)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def _hint_tokens(el: etree._Element) -> list[str]:
    raw = f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}".lower()
    return [t for t in re.split(r"[\s]+", raw) if t]


def _has_hint(tokens: list[str], hints: tuple[str, ...]) -> bool:
    for tok in tokens:
        parts = [tok, *re.split(r"[-_]", tok)]
        if any(p.startswith(h) for p in parts if p for h in hints):
            return True
    return False


def _text_len(el: etree._Element) -> int:
    return len(" ".join(el.itertext()).split())


def _link_density(el: etree._Element) -> float:
    words = _text_len(el)
    if not words:
        return 1.0
    linked = sum(_text_len(a) for a in el.iter("a"))
    return linked / words


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + " " + tail
        else:
            parent.text = (parent.text or "") + " " + tail
    parent.remove(el)


def _strip_furniture(root: etree._Element) -> None:
    """Remove tags and hinted containers that are page furniture."""
    for el in list(root.iter(*DROP_TAGS)):
        if el.getparent() is not None:
            _remove(el)
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove(el)
    for el in list(root.iter()):
        if el.getparent() is None or not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        tokens = _hint_tokens(el)
        if not tokens:
            continue
        if _has_hint(tokens, NEGATIVE_HINTS) and not _has_hint(tokens, ("article", "entry", "story", "lajm", "clanak")):
            _remove(el)
    # Furniture sections introduced by a heading ("Lajme të fundit" + its list).
    for h in list(root.iter(*_HEADINGS, "strong", "b", "p", "div")):
        if h.getparent() is None:
            continue
        text = clean_text(" ".join(h.itertext()))
        if text and FURNITURE_HEADINGS.match(text):
            nxt = h.getnext()
            if nxt is not None and nxt.tag in ("ul", "ol", "div", "table") and _link_density(nxt) > 0.3:
                _remove(nxt)
            _remove(h)
    # Lists and boxes of links (menus without hints, related items).
    for el in list(root.iter("ul", "ol", "div", "table", "section", "header", "p", "td", "tr", "font", "center")):
        if el.getparent() is None:
            continue
        links = sum(1 for _ in el.iter("a"))
        if el.tag != "p" and links >= 2 and _text_len(el) and _link_density(el) > 0.5:
            _remove(el)
        elif el.tag == "p" and _text_len(el) < 12 and _link_density(el) > 0.7:
            _remove(el)


def _score_candidates(root: etree._Element) -> list[etree._Element]:
    """The container with the most paragraph-like text (readability-style scoring) and its text siblings."""
    scores: dict[etree._Element, float] = {}
    for el in root.iter("p", "td", "pre", "blockquote", "div", "li", "font", "span", "center", "section", "article"):
        own = clean_text((el.text or "") + " " + " ".join((c.tail or "") for c in el))
        if el.tag in ("p", "pre", "blockquote", "li"):
            own = clean_text(" ".join(el.itertext()))
        if len(own) < 25:
            continue
        score = 1 + own.count(",") + own.count("،") + min(len(own) / 100, 3)
        # <br><br> text directly in a div/td: count each piece.
        if el.tag not in ("p", "pre", "blockquote", "li"):
            score += sum(1 for br in el.iter("br"))
        parent = el.getparent()
        if el.tag not in ("p", "pre", "blockquote", "li"):
            scores[el] = scores.get(el, 0.0) + score
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + score
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0.0) + score / 2
    best, best_score = None, 0.0
    final: dict[etree._Element, float] = {}
    for el, score in scores.items():
        tokens = _hint_tokens(el)
        if _has_hint(tokens, POSITIVE_HINTS):
            score *= 1.25
        if el.tag in ("article", "main"):
            score *= 1.25
        score *= 1 - min(_link_density(el), 0.9)
        final[el] = score
        if score > best_score:
            best, best_score = el, score
    if best is None:
        body = root.find(".//body")
        return [body if body is not None else root]
    return _with_siblings(best, best_score, final)


def _with_siblings(
    best: etree._Element, best_score: float, scores: dict[etree._Element, float]
) -> list[etree._Element]:
    """``best`` plus siblings that continue the text (a lead paragraph or a second body div)."""
    parent = best.getparent()
    if parent is None or best.tag in ("body", "html"):
        return [best]
    out = []
    for sib in parent:
        if sib is best:
            out.append(sib)
            continue
        if not isinstance(sib.tag, str) or sib.tag in _HEADINGS:
            continue
        text = clean_text(" ".join(sib.itertext()))
        density = _link_density(sib)
        if scores.get(sib, 0.0) >= max(0.3 * best_score, 5.0) and density < 0.25:
            out.append(sib)
        elif sib.tag == "p" and len(text) >= 80 and density < 0.25 and text[-1:] in '.!?”"»':
            out.append(sib)
    return out


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
        elif tag in _HEADINGS or tag == "li" or tag == "dt":
            flush()
            kind = "heading" if tag in _HEADINGS else "list_item"
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
    m = _META_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii", "ignore")
    text = decode_bytes(data, declared)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise CorruptFileError(source, "the HTML file is empty", "check the download")
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        if "empty" in str(exc).lower():
            raise EmptyDocumentError(source, "the HTML page has no content") from exc
        raise CorruptFileError(source, f"the HTML cannot be parsed ({exc})", "check the file") from exc

    title_el = root.find(".//title")
    html_title = clean_text(title_el.text_content()) if title_el is not None else None
    meta_title = _meta(root, "og:title", "twitter:title", "dc.title")
    meta_date = None
    for t in root.iter("time"):
        meta_date = parse_date(t.get("datetime") or "") or parse_date(t.text_content())
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
    _strip_furniture(root)
    parts = _score_candidates(root)
    content = max(parts, key=_text_len)
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
            _remove(title_node)

    try:
        blocks = [b for part in parts for b in _linearise(part)]
    except RecursionError:
        # Pathologically deep markup: fall back to flat paragraph-like elements.
        blocks = [
            Block(
                clean_text(el.text_content()),
                "heading" if el.tag in _HEADINGS else "list_item" if el.tag == "li" else "paragraph",
            )
            for part in parts
            for el in part.iter("p", "li", *_HEADINGS)
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
        iso, where, rest = split_dateline(b.text)
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
