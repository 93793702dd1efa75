"""Features that carry across languages and scripts.

The classifier sees two columns per passage:

- ``text``: the passage folded to one alphabet (Serbian Cyrillic transliterated to
  Latin, diacritics removed, lower case), so "Србија", "Srbija" and "SRBIJA" are one
  token and Albanian written without ë/ç matches Albanian written with them;
- ``entities``: the canonical ids from the entity stage as tokens
  (``ORG=NATO STATE=SRB VALUE=rule_of_law``), which say the same thing in every language.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..document import Entity

if TYPE_CHECKING:
    import pandas as pd

# Serbian Cyrillic -> Latin (Gaj's alphabet), the standard one-to-one-or-two mapping.
_CYR = "абвгдђежзијклљмнњопрстћуфхцчџш"
_LAT = ["a", "b", "v", "g", "d", "đ", "e", "ž", "z", "i", "j", "k", "l", "lj", "m", "n", "nj", "o", "p", "r", "s", "t", "ć", "u", "f", "h", "c", "č", "dž", "š"]
_TRANSLIT = {ord(c): lat for c, lat in zip(_CYR, _LAT, strict=True)}
_TRANSLIT.update({ord(c.upper()): lat.capitalize() for c, lat in zip(_CYR, _LAT, strict=True)})
# Letters NFKD does not decompose into base + mark.
_FOLD_EXTRA = str.maketrans({"đ": "dj", "ß": "ss", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "ı": "i"})


def transliterate(text: str) -> str:
    """Serbian Cyrillic to Latin script; other characters unchanged.

    >>> transliterate("Република Косово")
    'Republika Kosovo'
    """
    return text.translate(_TRANSLIT)


def fold(text: str) -> str:
    """Lower case, Latin script, no diacritics: the form the classifier reads.

    >>> fold("Kosovës и Србија, Gjermanisë")
    'kosoves i srbija, gjermanise'
    """
    text = transliterate(text).lower().translate(_FOLD_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def entity_tokens(entities: Iterable[Entity]) -> str:
    """Canonical entity ids as space-separated ``LABEL=id`` tokens (spans without an id skipped)."""
    return " ".join(f"{e.label}={e.id}" for e in entities if e.id)


def to_frame(texts: Sequence[str], entities: Sequence[str]) -> pd.DataFrame:
    """The two-column input of the model pipeline."""
    import pandas as pd

    # A constant marker keeps the entity vocabulary non-empty when no passage names an entity.
    return pd.DataFrame({"text": [fold(t) for t in texts], "entities": [f"ENT {e}".strip() for e in entities]})
