"""Features that carry across languages and scripts.

The classifier sees two columns per passage:

- ``text``: the passage folded to one alphabet (Serbian Cyrillic transliterated to
  Latin, diacritics removed, lower case), so "Србија", "Srbija" and "SRBIJA" are one
  token and Albanian written without ë/ç matches Albanian written with them;
- ``entities``: the canonical ids from the entity stage as tokens
  (``ORG=NATO STATE=SRB VALUE=rule_of_law``), which say the same thing in every language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..document import Entity
from ..translit import fold, to_latin

#: Serbian Cyrillic to Latin (kept under this name for the feature docs).
transliterate = to_latin

if TYPE_CHECKING:
    import pandas as pd


def entity_tokens(entities: Iterable[Entity]) -> str:
    """Canonical entity ids as space-separated ``LABEL=id`` tokens (spans without an id skipped)."""
    return " ".join(f"{e.label}={e.id}" for e in entities if e.id)


def to_frame(texts: Sequence[str], entities: Sequence[str]) -> pd.DataFrame:
    """The two-column input of the model pipeline."""
    import pandas as pd

    # A constant marker keeps the entity vocabulary non-empty when no passage names an entity.
    return pd.DataFrame({"text": [fold(t) for t in texts], "entities": [f"ENT {e}".strip() for e in entities]})
