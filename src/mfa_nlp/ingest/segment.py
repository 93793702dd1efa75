"""Blocks -> passages: clean whitespace, drop boilerplate, split long paragraphs.

A passage is a paragraph, heading or list item. Paragraphs over
:data:`MAX_CHARS` characters are split at sentence ends (abbreviations such as
"Mr.", "p.sh.", "tj." and ordinals such as "7. mart" are not sentence ends).
Fragments under three words are dropped when they are share/print/photo
boilerplate and merged into the next paragraph otherwise.
"""

from __future__ import annotations

import re
import unicodedata

from ..document import Passage
from .types import Block

#: Paragraphs longer than this are split at sentence ends.
MAX_CHARS = 1200

#: Short fragments that are page furniture, in the three languages (lower case).
BOILERPLATE = frozenset(
    """
    share print tweet email e-mail facebook twitter linkedin whatsapp viber foto photo photos gallery
    shpërndaje shperndaje shpërndaj printo printoni cicëro galeria fotogaleria
    podeli podelite podijeli štampaj stampaj štampa odštampaj galerija fotogalerija
    подели поделите штампај штампа галерија фотографије фото
    back kthehu nazad назад top lart more më shumë više више read opširnije опширније
    """.split()
) | {
    "foto galeria",
    "photo gallery",
    "read more",
    "lexo më shumë",
    "lexo me shume",
    "pročitaj više",
    "прочитај више",
    "back to top",
    "share this",
    "shpërndaje këtë",
    "foto galerija",
    "фото галерија",
}

_BOILER_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)

#: Words that end with a full stop without ending a sentence (lower case, no dot).
ABBREVIATIONS = frozenset(
    """
    u.s u.k u.n e.u mr mrs ms dr prof st no nr nos vol art para fig etc e.g i.e vs jr sr gen col lt sgt rev hon amb
    p.sh psh z zn znj zv prof.dr dt sh
    tj npr itd br gosp gđa gđica gđ dr.sc mr.sc ul str sl čl st
    тј нпр итд бр госп гђа ул стр чл
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

_SENT_END = re.compile(r"(?<=[.!?…])[\"'»”’)\]]*\s+(?=[\"'„“«(\[]?[^\W\d_]|\d)")


def clean_text(text: str) -> str:
    """Normalise Unicode (NFC), drop soft hyphens and zero-width characters, collapse whitespace.

    >>> clean_text("Kosova\\u00a0dhe  Ser\\u00adbia\\u200b")
    'Kosova dhe Serbia'
    """
    if not text.isascii():  # ASCII is already NFC and has no zero-width characters
        text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    # str.split() splits on every character str.isspace() accepts: NBSP, the en/em/thin spaces, U+3000 ...
    return " ".join(text.split())


def is_boilerplate(text: str) -> bool:
    """True for share/print/photo fragments and text without any letter."""
    low = text.lower().strip(" .:|·•-–—»«>")
    if not any(ch.isalpha() for ch in low):
        return True
    return low in BOILERPLATE or all(m.group() in BOILERPLATE for m in _BOILER_WORD.finditer(low))


def _is_sentence_end(text: str, pos: int) -> bool:
    """Is the punctuation just before ``pos`` (a split point) a real sentence end?"""
    before = text[:pos].rstrip()
    before = before.rstrip("\"'»”’)]")
    if not before.endswith("."):
        return True
    word = re.search(r"([\w.]+)\.$", before)
    if not word:
        return True
    token = word.group(1).lower()
    if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return False
    # "7. mart", "1. Ministar" style ordinals: one or two digits before the dot.
    if token.isdigit() and len(token) <= 2:
        return False
    return True


def split_sentences(text: str) -> list[str]:
    """Split text at sentence ends, respecting abbreviations and ordinals."""
    out: list[str] = []
    start = 0
    for m in _SENT_END.finditer(text):
        cut = m.start() + len(m.group(0).rstrip())  # end of closing quotes
        nxt = text[m.end() : m.end() + 2].lstrip("\"'„“«([")[:1]
        if nxt.isalpha() and not nxt.isupper():
            continue  # "2018. godine", "p.sh. rasti": a sentence starts with a capital
        if _is_sentence_end(text, cut):
            out.append(text[start:cut].strip())
            start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def split_long(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Cut a paragraph longer than ``limit`` into chunks of whole sentences."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for sent in split_sentences(text):
        if current and len(current) + 1 + len(sent) > limit:
            chunks.append(current)
            current = sent
        else:
            current = f"{current} {sent}" if current else sent
    if current:
        chunks.append(current)
    return chunks


#: Passage kinds: a table row (cells joined by " | ") and a footnote come from PDF layouts.
KINDS = frozenset({"paragraph", "heading", "list_item", "table_row", "footnote"})


def make_passages(blocks: list[Block]) -> list[Passage]:
    """Turn parser blocks into numbered passages in reading order.

    >>> [p.text for p in make_passages([Block("Share"), Block("Prishtina welcomes the decision.")])]
    ['Prishtina welcomes the decision.']
    """
    out: list[Passage] = []
    carry = ""
    for block in blocks:
        text = clean_text(block.text)
        if not text or is_boilerplate(text):
            continue
        kind = block.kind if block.kind in KINDS else "paragraph"
        if kind in ("table_row", "footnote"):  # each its own passage, never merged or cut
            if carry:
                out.append(Passage(index=len(out), text=carry, kind="paragraph"))
                carry = ""
            out.append(Passage(index=len(out), text=text, kind=kind))
            continue
        if kind == "paragraph" and len(text.split()) < 3 and not text.endswith((".", "!", "?")):
            carry = f"{carry} {text}".strip()
            continue
        if carry and kind == "paragraph":
            text, carry = f"{carry} {text}", ""
        elif carry:
            out.append(Passage(index=len(out), text=carry, kind="paragraph"))
            carry = ""
        pieces = split_long(text) if kind == "paragraph" else [text]
        for piece in pieces:
            out.append(Passage(index=len(out), text=piece, kind=kind))
    if carry:
        out.append(Passage(index=len(out), text=carry, kind="paragraph"))
    return out


__all__ = [
    "ABBREVIATIONS",
    "BOILERPLATE",
    "KINDS",
    "MAX_CHARS",
    "clean_text",
    "is_boilerplate",
    "make_passages",
    "split_long",
    "split_sentences",
]
