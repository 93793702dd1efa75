"""The duty corpus (``corpus/duties``): reading it, the fixed split by document, and its counts.

The split is fixed by document: a passage is in the test split when the hash of its
``doc`` id falls in the first 20 of 100 buckets, so no statement leaks across, and the
split does not move when passages are added elsewhere. The blind set (``corpus/duties/blind``)
is read the same way but never split, trained on or used to pick anything.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..document import DUTIES, Document, Passage
from ..errors import MfaNlpError
from .features import entity_tokens, fold, to_frame

TEST_BUCKETS = 20  # of 100: a 20% test split
#: The blind set's folder inside a corpus folder.
BLIND = "blind"


@dataclass
class Example:
    """One labelled passage of the corpus."""

    text: str
    lang: str
    script: str
    duties: list[str]
    doc: str
    entities: str = ""
    register: str = ""
    confounder: bool = False

    @property
    def group(self) -> str:
        """Language with script for Serbian (``sr-Latn``/``sr-Cyrl``)."""
        return f"{self.lang}-{self.script}" if self.lang == "sr" else self.lang


def read_corpus(folder: str | Path) -> list[Example]:
    """Read every ``*.jsonl`` file of a corpus folder into Examples, checking each line."""
    folder = Path(folder)
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise MfaNlpError(f"{folder}: no .jsonl files; the duty corpus is one JSON object per line (see GUIDE.md).")
    rows: list[Example] = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                duties = list(obj["duties"])
                unknown = set(duties) - set(DUTIES)
                if unknown:
                    raise ValueError(f"unknown duties {sorted(unknown)}")
                rows.append(
                    Example(
                        obj["text"],
                        obj["lang"],
                        obj.get("script") or "Latn",
                        duties,
                        str(obj["doc"]),
                        register=str(obj.get("register") or ""),
                        confounder=bool(obj.get("confounder")),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise MfaNlpError(f"{path}:{n}: bad corpus line ({exc}); fix it and rerun.") from exc
    return rows


def is_test(doc: str) -> bool:
    """The fixed train/test split by document id."""
    return int(hashlib.sha1(doc.encode("utf-8")).hexdigest(), 16) % 100 < TEST_BUCKETS


def split(rows: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(train, test) by document."""
    train = [r for r in rows if not is_test(r.doc)]
    test = [r for r in rows if is_test(r.doc)]
    return train, test


def add_entities(rows: Sequence[Example], *, english_model: str | None = None) -> None:
    """Run the entity stage over the corpus so the model learns from canonical ids."""
    from .. import entities

    docs = [
        Document(id=str(i), source="corpus", format="txt", passages=[Passage(0, r.text, lang=r.lang, script=r.script)])
        for i, r in enumerate(rows)
    ]
    entities.annotate_docs(docs, english_model=english_model)
    for row, doc in zip(rows, docs, strict=True):
        row.entities = entity_tokens(doc.passages[0].entities)


def labels(rows: Sequence[Example]) -> np.ndarray:
    """Indicator matrix, one column per duty."""
    return np.array([[d in r.duties for d in DUTIES] for r in rows], dtype=int)


def frame(rows: Sequence[Example]):
    """Model input for examples."""
    return to_frame([r.text for r in rows], [r.entities for r in rows])


def corpus_digest(rows: Sequence[Example]) -> str:
    """A hash of the corpus content: the same corpus gives the same model id."""
    h = hashlib.sha256()
    for r in rows:
        h.update(json.dumps([r.text, r.lang, r.script, r.duties, r.doc], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def counts(rows: Sequence[Example]) -> dict[str, Any]:
    """Passages per language/script, positives per duty, multi-label and no-duty shares."""
    return {
        "passages": len(rows),
        "documents": len({r.doc for r in rows}),
        "by_lang": dict(sorted(Counter(r.group for r in rows).items())),
        "positives": {d: sum(d in r.duties for r in rows) for d in DUTIES},
        "multi_label": sum(len(r.duties) > 1 for r in rows),
        "no_duty": sum(not r.duties for r in rows),
    }


#: Two passages whose folded texts reach this character-4-gram TF-IDF cosine are near-duplicates.
NEAR_DUPLICATE = 0.85
#: The same cosine after names and numbers are masked: one template with the names swapped.
TEMPLATE = 0.90


def mask_names(text: str) -> str:
    """The folded text with every capitalised word after the first and every number masked.

    >>> mask_names("Germany thanked France for 3 grants")
    'germany thanked n for 0 grants'
    """
    words = text.split()
    out = words[:1] + ["N" if w[:1].isupper() else "0" if any(c.isdigit() for c in w) else w for w in words[1:]]
    return fold(" ".join(out))


def similar_pairs(
    texts: Sequence[str],
    threshold: float,
    among: Sequence[int] | None = None,
    groups: Sequence[str] | None = None,
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, cosine)`` of texts at or above ``threshold`` (character 4-grams, TF-IDF).

    With ``among``, only pairs with at least one side in it (e.g. newly added passages); with
    ``groups`` (e.g. the language of each text), only pairs inside one group, which is faster.
    """
    if groups is not None:
        out = []
        for group in sorted(set(groups)):
            index = [i for i, g in enumerate(groups) if g == group]
            local = {i: k for k, i in enumerate(index)}
            sub_among = None if among is None else [local[i] for i in among if i in local]
            if sub_among == []:
                continue
            out += [
                (index[a], index[b], v) for a, b, v in similar_pairs([texts[i] for i in index], threshold, sub_among)
            ]
        return out
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), dtype=np.float32).fit_transform(list(texts))
    rows = sorted(set(among)) if among is not None else list(range(len(texts)))
    new = set(rows)
    sims = (x[rows] @ x.T).tocoo()
    out = []
    for i, j, v in zip(sims.row, sims.col, sims.data, strict=True):
        a, b = rows[i], int(j)
        if a != b and v >= threshold and (b not in new or a < b):
            out.append((a, b, float(v)))
    return out
