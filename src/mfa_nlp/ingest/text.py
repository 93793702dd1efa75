"""Plain-text statements and the shared bytes -> str decoding.

:func:`decode_bytes` handles BOMs (UTF-8, UTF-16, UTF-32), UTF-8 and the
single-byte code pages of the archive (windows-1250/1252, ISO-8859-2,
windows-1251), declared or not, and repairs UTF-8 read as windows-1252
("KosovÃ«" -> "Kosovës"). :func:`parse_txt` reads a ``.txt`` statement: blank
lines separate passages, a short first line without final punctuation is the
title and a dateline at the start gives date and place.
"""

from __future__ import annotations

import codecs
import re
import warnings

from ..errors import MfaNlpWarning
from .types import Block, Parsed

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

#: Single-byte code pages tried for undeclared non-UTF-8 bytes.
CANDIDATES = ("cp1250", "cp1252", "iso-8859-2", "cp1251")

#: Letters expected in en/sq/sr text beyond ASCII; anything else non-ASCII that is
#: not common punctuation counts against a candidate encoding.
_GOOD = set("ëçčćšžđËÇČĆŠŽĐéüöäáíóúÉ") | {chr(c) for c in range(0x0400, 0x0460)}
_PUNCT = set("–—„“”‘’‚«»•…€©®°§·\u00a0\u00ad×½")

_ALIASES = {
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1250": "cp1250",
    "windows-1252": "cp1252",
    "windows-1251": "cp1251",
    "x-cp1250": "cp1250",
    "utf8": "utf-8",
}

# UTF-8 sequences read as windows-1252/latin-1: a lead byte char then continuation chars.
_CONT = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_MOJIBAKE = re.compile(f"(?:[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}]{{2}})+")


def _score(text: str) -> int:
    good = bad = 0
    for ch in text:
        if ord(ch) < 128:
            continue
        if ch in _GOOD:
            good += 1
        elif ch not in _PUNCT:
            bad += 1
    return good - 3 * bad


def _as_cp1252_bytes(text: str) -> bytes | None:
    out = bytearray()
    for ch in text:
        if ord(ch) < 256:
            out.append(ord(ch))
        else:
            try:
                out += ch.encode("cp1252")
            except UnicodeEncodeError:
                return None
    return bytes(out)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as windows-1252 where the repair is unambiguous.

    >>> repair_mojibake("Ministria e PunÃ«ve tÃ« Jashtme tÃ« KosovÃ«s")
    'Ministria e Punëve të Jashtme të Kosovës'
    """

    def fix(m: re.Match[str]) -> str:
        raw = _as_cp1252_bytes(m.group(0))
        if raw is None:
            return m.group(0)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return m.group(0)

    return (
        _MOJIBAKE.sub(fix, text)
        if "Ã" in text or "Ä" in text or "Å" in text or "Ð" in text or "Ñ" in text or "â" in text
        else text
    )


def _normalise_label(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


#: At most this many invalid bytes, and at most 1 in this many bytes, count as stray bytes in UTF-8 text.
_STRAY_MAX, _STRAY_RATIO = 64, 20


def _stray_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 text with a few stray invalid bytes: (text with U+FFFD for them, how many); else None.

    A legacy code page fails UTF-8 too, so the bad bytes must look like noise: few, and
    either outnumbered by valid multi-byte UTF-8 characters, or each run of them standing
    apart from ASCII letters and not reading as code-page punctuation ("Pri\x9atina" in
    windows-1250 and a lone windows-1252 dash stay code-page text).
    """
    text = data.decode("utf-8", "surrogateescape")  # each invalid byte -> one lone surrogate
    runs = list(re.finditer("[\udc80-\udcff]+", text))
    bad = sum(len(m.group()) for m in runs)
    if not runs or bad > _STRAY_MAX:
        return None
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if multibyte < bad:
        if bad * _STRAY_RATIO > len(data):
            return None
        for m in runs:
            near = text[max(0, m.start() - 1) : m.start()] + text[m.end() : m.end() + 1]
            if any(ch.isascii() and ch.isalpha() for ch in near):
                return None
            raw = m.group().encode("utf-8", "surrogateescape").decode("cp1252", "replace")
            if all(ch in _PUNCT for ch in raw):
                return None
    return data.decode("utf-8", "replace"), bad


def decode_bytes(data: bytes, declared: str | None = None, *, source: str = "") -> str:
    """Decode a statement's bytes to text: BOM, then UTF-8, then the best code page.

    ``declared`` (e.g. from an HTML meta tag) is trusted unless another code page
    reads the text clearly better (old CMS pages often declare the wrong one).
    UTF-8 with a few stray invalid bytes keeps its UTF-8 reading, with U+FFFD for those
    bytes and an :class:`~mfa_nlp.errors.MfaNlpWarning` naming ``source``.

    >>> decode_bytes("Priština".encode("cp1250"))
    'Priština'
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return repair_mojibake(data[len(bom) :].decode(enc, errors="replace"))
    if len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] and data[2]:
        return data.decode("utf-16-le", errors="replace")
    declared_name = _normalise_label(declared)
    try:
        text = data.decode("utf-8")
        return repair_mojibake(text)
    except UnicodeDecodeError:
        pass
    stray = _stray_utf8(data) if declared_name in (None, "utf-8") else None
    if stray is not None:
        warnings.warn(
            f"{source or '<bytes>'}: {stray[1]} byte(s) that are not UTF-8 replaced by U+FFFD",
            MfaNlpWarning,
            stacklevel=2,
        )
        return repair_mojibake(stray[0])
    options: list[tuple[int, int, str]] = []
    for rank, enc in enumerate(
        ([declared_name] if declared_name and declared_name != "utf-8" else []) + list(CANDIDATES)
    ):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        bonus = 2 if rank == 0 and declared_name and declared_name != "utf-8" else 0
        options.append((_score(text) + bonus, -rank, text))
    if options:
        return max(options)[2]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except Exception:  # pragma: no cover - charset-normalizer failure falls back below
        pass
    return data.decode("cp1252", errors="replace")


def parse_txt(data: bytes, *, source: str) -> Parsed:
    """Read a ``.txt`` statement into a title, date, place and paragraph blocks.

    >>> raw = "Statement on Ukraine\\n\\nPrishtina, 7 March 2018 – Kosovo condemns it.".encode()
    >>> p = parse_txt(raw, source="a.txt")
    >>> p.title, p.date, p.place, [b.text for b in p.blocks]
    ('Statement on Ukraine', '2018-03-07', 'Prishtina', ['Kosovo condemns it.'])
    """
    from .dateline import split_dateline

    text = decode_bytes(data, source=source).replace("\r\n", "\n").replace("\r", "\n")
    chunks = [c.strip() for c in re.split(r"\n[ \t\u00a0]*\n", text) if c.strip()]
    title = None
    if (
        len(chunks) > 1
        and "\n" not in chunks[0]
        and len(chunks[0]) <= 200
        and not chunks[0].rstrip().endswith((".", "!", "?", ":", ";", ","))
    ):
        date_first = split_dateline(chunks[0])
        if date_first[0] is None:
            title = " ".join(chunks.pop(0).split())
    date = place = None
    if chunks:
        date, place, rest = split_dateline(chunks[0])
        if date:
            chunks[0] = rest
            if not rest.strip():
                chunks.pop(0)
    return Parsed(title=title, date=date, place=place, blocks=[Block(" ".join(c.split())) for c in chunks])


__all__ = ["CANDIDATES", "decode_bytes", "parse_txt", "repair_mojibake"]
