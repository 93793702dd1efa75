"""Serbian script conversion and diacritic folding: the one table every stage shares.

Serbian is written in Cyrillic and in Latin (Gaj's alphabet), letter for letter; Albanian
and Serbian texts on the web often drop diacritics. Matching, classifying and indexing
compare text in one folded form.
"""

from __future__ import annotations

import re
import unicodedata

_CYR = "абвгдђежзијклљмнњопрстћуфхцчџш"
_LAT = "a b v g d đ e ž z i j k l lj m n nj o p r s t ć u f h c č dž š".split()
#: Serbian Cyrillic -> Latin, for ``str.translate``.
CYR_TO_LAT: dict[int, str] = {ord(c): lat for c, lat in zip(_CYR, _LAT, strict=True)}
CYR_TO_LAT.update({ord(c.upper()): lat.capitalize() for c, lat in zip(_CYR, _LAT, strict=True)})
# Latin -> Cyrillic: digraphs (lj, nj, dž) before single letters.
_LAT_TO_CYR = sorted(
    [(lat, c) for c, lat in zip(_CYR, _LAT, strict=True)]
    + [(lat.capitalize(), c.upper()) for c, lat in zip(_CYR, _LAT, strict=True)],
    key=lambda pair: -len(pair[0]),
)
# Letters that NFKD does not split into base letter + combining mark.
_UNSPLIT = str.maketrans(
    {"đ": "dj", "Đ": "Dj", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i", "æ": "ae", "œ": "oe"}
)


def to_latin(text: str) -> str:
    """Serbian Cyrillic to Latin; everything else unchanged.

    >>> to_latin("Република Косово, Љубљана")
    'Republika Kosovo, Ljubljana'
    """
    return text.translate(CYR_TO_LAT)


_LAT_TO_CYR_TABLE = dict(_LAT_TO_CYR)
# Alternatives are tried in order at each position: longest (digraphs) first, as in _LAT_TO_CYR.
_LATIN_LETTER = re.compile("|".join(re.escape(lat) for lat, _ in _LAT_TO_CYR))


def to_cyrillic(text: str) -> str:
    """Serbian Latin to Cyrillic (lj, nj, dž as single letters); other characters unchanged.

    >>> to_cyrillic("Srbija")
    'Србија'
    """
    return _LATIN_LETTER.sub(lambda m: _LAT_TO_CYR_TABLE[m.group()], text)


_FOLD: dict[int, str] = {}  # code point -> Latin letters without combining marks (only those that change)
_SEEN: set[str] = set()  # characters already looked at


def _fold_char(ch: str) -> str:
    """One character through to_latin, the unsplit table and NFKD with the marks dropped."""
    latin = to_latin(ch).translate(_UNSPLIT)
    return "".join(c for c in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(c))


def strip_diacritics(text: str) -> str:
    """Latin script without diacritics (case kept): "Kosovës" -> "Kosoves", "Đakovica" -> "Djakovica"."""
    if text.isascii():
        return text
    for ch in set(text) - _SEEN:  # each character is worked out once, then it is one table look-up
        if ord(ch) > 127:
            folded = _fold_char(ch)
            if folded != ch:
                _FOLD[ord(ch)] = folded
        _SEEN.add(ch)
    return text.translate(_FOLD)


def fold(text: str) -> str:
    """Lower case, Latin script, no diacritics.

    >>> fold("Kosovës и Србија")
    'kosoves i srbija'
    """
    return strip_diacritics(text).lower()


__all__ = ["CYR_TO_LAT", "fold", "strip_diacritics", "to_cyrillic", "to_latin"]
