"""Which part of an HTML page is the statement: page furniture removed, containers scored.

Furniture goes by tag (script, nav, footer, forms ...) and by class/id hints in English,
Albanian and Serbian (cookie, share, breadcrumb, menu, galeria, lajme-te-fundit, najnovije ...);
the remaining containers are scored by text and link density (readability-style), and the
best one is kept with the siblings that continue its text. :mod:`.html` linearises it.
"""

from __future__ import annotations

import re

from lxml import etree

from .segment import clean_text

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
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: lxml's HTML parser with plain elements: ``lxml.html``'s element classes are looked up in Python
#: for every element touched (about 6 % of reading a short page) and nothing here needs their methods.
PARSER = etree.HTMLParser(huge_tree=True, remove_comments=True)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def _hint_tokens(el: etree._Element) -> list[str]:
    attrib = el.attrib
    if not attrib:
        return []
    return f"{attrib.get('class', '')} {attrib.get('id', '')} {attrib.get('role', '')}".lower().split()


def _has_hint(tokens: list[str], hints: tuple[str, ...]) -> bool:
    for tok in tokens:
        parts = [tok, *re.split(r"[-_]", tok)]
        if any(p.startswith(h) for p in parts if p for h in hints):
            return True
    return False


def text_len(el: etree._Element) -> int:
    return len(" ".join(el.itertext()).split())


def _link_density(el: etree._Element) -> float:
    words = text_len(el)
    if not words:
        return 1.0
    linked = sum(text_len(a) for a in el.iter("a"))
    return linked / words


def remove(el: etree._Element) -> None:
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


def strip_furniture(root: etree._Element) -> None:
    """Remove tags and hinted containers that are page furniture."""
    for el in list(root.iter(*DROP_TAGS)):
        if el.getparent() is not None:
            remove(el)
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        remove(el)
    for el in list(root.iter()):
        if el.getparent() is None or not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        tokens = _hint_tokens(el)
        if not tokens:
            continue
        if _has_hint(tokens, NEGATIVE_HINTS) and not _has_hint(tokens, ("article", "entry", "story", "lajm", "clanak")):
            remove(el)
    # Furniture sections introduced by a heading ("Lajme të fundit" + its list).
    for h in list(root.iter(*HEADINGS, "strong", "b", "p", "div")):
        if h.getparent() is None:
            continue
        text = clean_text(" ".join(h.itertext()))
        if text and FURNITURE_HEADINGS.match(text):
            nxt = h.getnext()
            if nxt is not None and nxt.tag in ("ul", "ol", "div", "table") and _link_density(nxt) > 0.3:
                remove(nxt)
            remove(h)
    # Lists and boxes of links (menus without hints, related items).
    for el in list(root.iter("ul", "ol", "div", "table", "section", "header", "p", "td", "tr", "font", "center")):
        if el.getparent() is None:
            continue
        links = sum(1 for _ in el.iter("a"))
        if el.tag != "p" and links >= 2 and text_len(el) and _link_density(el) > 0.5:
            remove(el)
        elif el.tag == "p" and text_len(el) < 12 and _link_density(el) > 0.7:
            remove(el)


def score_candidates(root: etree._Element) -> list[etree._Element]:
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
        if not isinstance(sib.tag, str) or sib.tag in HEADINGS:
            continue
        text = clean_text(" ".join(sib.itertext()))
        density = _link_density(sib)
        if scores.get(sib, 0.0) >= max(0.3 * best_score, 5.0) and density < 0.25:
            out.append(sib)
        elif sib.tag == "p" and len(text) >= 80 and density < 0.25 and text[-1:] in '.!?”"»':
            out.append(sib)
    return out
