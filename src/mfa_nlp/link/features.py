"""What a document brings to the comparison (a profile), and the pair features of two profiles.

Translations of one statement share what survives translation: the day, the canonical entity
ids, the numbers and dates in the text, the names of people (transliterated, folded, reduced to
a consonant key so that "Ashkenazi", "Aškenazija" and "Ашкеназија" meet), the duties, and
a length of the same order. Profiles are built from tagged records (plain dicts), so linking
needs no spaCy and no duty model.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..document import DUTIES
from ..ingest.dateline import MONTHS
from ..translit import fold

#: Pair features, in the scorer's column order (models/link.json repeats them).
FEATURES: tuple[str, ...] = (
    "same_day",
    "one_day_apart",
    "jaccard_state",
    "jaccard_org",
    "jaccard_value",
    "jaccard_numbers",
    "shared_numbers",
    "numbers_missing",
    "overlap_names",
    "jaccard_names",
    "shared_names",
    "duty_cosine",
    "length_ratio",
    "same_language",
)
#: Entity ids that nearly every statement of the ministry names: no evidence of a link.
UBIQUITOUS_IDS = frozenset({"XKX", "MFA"})

# Capitals (Latin, Latin-1/Extended-A, Cyrillic), so that the regex engine, not Python, skips lower-case words.
_UPPER = "".join(chr(c) for c in range(0x41, 0x530) if chr(c).isupper() and chr(c).isalpha())
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SEPARATORS = re.compile(r"[.,]")
_DATE_DM = re.compile(r"\b(\d{1,2})\.?\s+(?:e\s+)?([^\W\d_]{3,10})\b")
_DATE_MD = re.compile(f"\\b([{_UPPER}][^\\W\\d_]{{2,9}})\\s+(\\d{{1,2}})\\b")
_WORD = re.compile(f"[{_UPPER}][^\\W\\d_'’-]*(?:-[^\\W\\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:;…]\s*$")
# Capitalised words that head sentences or name institutions in every statement (folded keys).
_STOP_KEYS = frozenset(
    {"mnst", "mnsr", "rpbl", "gvrn", "qvrn", "vlad", "prsd", "asmb", "kvnd", "skps", "ambs", "kosv", "kosov", "kosf"}
)
# Albanian and English digraphs for one sound, to their Serbian-Latin letter (after folding).
_DIGRAPHS = (("sch", "s"), ("sh", "s"), ("zh", "z"), ("xh", "dz"), ("ch", "c"), ("gj", "dj"), ("th", "t"),
             ("dh", "d"), ("ph", "f"), ("q", "c"), ("w", "v"), ("x", "dz"))  # fmt: skip
_VOWELS = frozenset("aeiouyjh")


def name_key(word: str) -> str:
    """A spelling-independent key of a proper noun: folded, digraphs merged, first letter + 3 consonants.

    >>> name_key("Ashkenazi"), name_key("Aškenazija"), name_key("Ашкеназија")
    ('askn', 'askn', 'askn')
    """
    s = fold(word)
    for a, b in _DIGRAPHS:
        s = s.replace(a, b)
    if not s:
        return ""
    out = [s[0]]
    for ch in s[1:]:
        if ch in _VOWELS or not ch.isalpha() or ch == out[-1]:
            continue
        out.append(ch)
        if len(out) == 4:
            break
    return "".join(out)


def numbers(text: str) -> set[str]:
    """Numbers (separators dropped: 1,300 = 1.300 = 1300) and day-month dates ("d12-6") in a text."""
    raw = _NUMBER.findall(text)
    found = {m.replace(".", "").replace(",", "") for m in raw}
    # A date names its day with a digit run of one or two digits; without one, neither pattern can match.
    if not any(len(run) <= 2 for m in raw for run in _SEPARATORS.split(m)):
        return found
    for day, month in _DATE_DM.findall(text):
        if month.lower() in MONTHS:
            found.add(f"d{int(day)}-{MONTHS[month.lower()]}")
    for month, day in _DATE_MD.findall(text):
        if month.lower() in MONTHS:
            found.add(f"d{int(day)}-{MONTHS[month.lower()]}")
    return found


def proper_names(text: str, spans: Sequence[tuple[int, int]] = ()) -> set[str]:
    """Keys of capitalised words that do not open a sentence and lie outside entity spans."""
    keys: set[str] = set()
    for m in _WORD.finditer(text):
        word = m.group()
        if m.start() == 0 or _SENTENCE_END.search(text[max(0, m.start() - 3) : m.start()]):
            continue
        if any(s <= m.start() < e for s, e in spans):
            continue
        for part in word.split("-"):
            key = name_key(part)
            if len(key) >= 3 and key not in _STOP_KEYS:
                keys.add(key)
    return keys


@dataclass(frozen=True)
class Profile:
    """What linking needs of one document."""

    id: str
    day: int | None
    lang: str
    ids: dict[str, frozenset[str]]
    numbers: frozenset[str]
    names: frozenset[str]
    duties: np.ndarray
    length: int
    date: str | None = None


def profile(record: dict[str, Any]) -> Profile:
    """The profile of a tagged record (a dict as in record.md, or ``Document.to_dict()``)."""
    date = record.get("date")
    try:
        day = dt.date.fromisoformat(date).toordinal() if date else None
    except ValueError:
        day = None
    nums: set[str] = set()
    names: set[str] = set()
    duties = np.zeros(len(DUTIES))
    length = 0
    texts = [((record.get("title") or ""), ())]
    for p in record.get("passages") or ():
        spans = tuple((e["start"], e["end"]) for e in p.get("entities") or ())
        texts.append((p["text"], spans))
        length += len(p["text"])
        scores = p.get("scores") or {}
        duties = np.maximum(duties, [scores.get(d, 0.0) for d in DUTIES])
    for text, spans in texts:
        nums |= numbers(text)
        names |= proper_names(text, spans)
    ents = record.get("entities") or {}
    ids = {label: frozenset(ents.get(label) or ()) - UBIQUITOUS_IDS for label in ("STATE", "ORG", "VALUE")}
    return Profile(
        id=record["id"], day=day, lang=record.get("lang") or "?", ids=ids, numbers=frozenset(nums),
        names=frozenset(names), duties=duties, length=length, date=date,
    )  # fmt: skip


def _dense(rows: list[list[int]], width: int) -> np.ndarray:
    """Binary rows over the block's own vocabulary."""
    out = np.zeros((len(rows), width + 1), dtype=np.float32)
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    cols = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(lengths.sum()))
    out[np.repeat(np.arange(len(rows)), lengths), cols] = 1.0
    return out


def _sparse(rows: list[list[int]], width: int) -> Any:
    from scipy.sparse import csr_matrix

    indptr = np.cumsum([0, *(len(r) for r in rows)])
    indices = np.array([c for r in rows for c in sorted(r)], dtype=np.int64)
    data = np.ones(len(indices), dtype=np.float32)
    return csr_matrix((data, indices, indptr), shape=(len(rows), width + 1))


def pair_features(left: Sequence[Profile], right: Sequence[Profile], ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
    """Feature rows (FEATURES order) of the pairs ``(left[ii[k]], right[jj[k]])``, computed block-wise.

    Set intersections come from sparse products of hashed binary matrices, so a day with
    ``k`` documents costs a few matrix products rather than ``k²`` Python set operations.
    """
    out = np.zeros((len(ii), len(FEATURES)))
    if not len(ii):
        return out
    days_l = np.array([p.day if p.day is not None else -(10**9) for p in left])
    days_r = np.array([p.day if p.day is not None else -(10**9) for p in right])
    gap = np.abs(days_l[ii] - days_r[jj])
    out[:, 0] = gap == 0
    out[:, 1] = gap == 1

    def family(get) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        vocab: dict[str, int] = {}
        rows_l = [[vocab.setdefault(t, len(vocab)) for t in get(p)] for p in left]
        rows_r = [[vocab.setdefault(t, len(vocab)) for t in get(p)] for p in right]
        if (len(left) + len(right)) * (len(vocab) + 1) <= 8_000_000:  # a typical day: small dense matrices
            a, b = _dense(rows_l, len(vocab)), _dense(rows_r, len(vocab))
            inter = (a @ b.T)[ii, jj]
        else:  # a very busy day (a bulk import): sparse, pair by pair
            a, b = _sparse(rows_l, len(vocab)), _sparse(rows_r, len(vocab))
            inter = _rowwise(a, b, ii, jj)
        na = np.array([len(r) for r in rows_l], dtype=float)[ii]
        nb = np.array([len(r) for r in rows_r], dtype=float)[jj]
        return inter, na, nb

    for col, label in ((2, "STATE"), (3, "ORG"), (4, "VALUE")):
        inter, na, nb = family(lambda p, label=label: p.ids[label])
        out[:, col] = _jaccard(inter, na, nb)
    inter, na, nb = family(lambda p: p.numbers)
    out[:, 5] = _jaccard(inter, na, nb)
    out[:, 6] = np.minimum(inter, 3) / 3
    out[:, 7] = (na == 0) | (nb == 0)
    inter, na, nb = family(lambda p: p.names)
    out[:, 8] = np.divide(inter, np.minimum(na, nb), out=np.zeros(len(ii)), where=np.minimum(na, nb) > 0)
    out[:, 9] = _jaccard(inter, na, nb)
    out[:, 10] = np.minimum(inter, 3) / 3
    dl = np.array([p.duties for p in left])[ii]
    dr = np.array([p.duties for p in right])[jj]
    norm = np.linalg.norm(dl, axis=1) * np.linalg.norm(dr, axis=1)
    out[:, 11] = np.divide((dl * dr).sum(axis=1), norm, out=np.zeros(len(ii)), where=norm > 0)
    ll = np.array([p.length for p in left], dtype=float)[ii]
    lr = np.array([p.length for p in right], dtype=float)[jj]
    hi = np.maximum(ll, lr)
    out[:, 12] = np.divide(np.minimum(ll, lr), hi, out=np.zeros(len(ii)), where=hi > 0)
    codes: dict[str, int] = {}
    lang_l = np.array([codes.setdefault(p.lang, len(codes)) for p in left])
    lang_r = np.array([codes.setdefault(p.lang, len(codes)) for p in right])
    out[:, 13] = lang_l[ii] == lang_r[jj]
    return out


def _rowwise(a: Any, b: Any, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
    """Intersections pair by pair (for blocks too large for a dense product)."""
    return np.asarray(a[ii].multiply(b[jj]).sum(axis=1)).ravel()


def _jaccard(inter: np.ndarray, na: np.ndarray, nb: np.ndarray) -> np.ndarray:
    union = na + nb - inter
    return np.divide(inter, union, out=np.zeros(len(inter)), where=union > 0)


def evidence(a: Profile, b: Profile) -> dict[str, Any]:
    """What two linked documents share: entity ids, numbers and dates, name keys, and the days between them."""
    shared: dict[str, Any] = {label: sorted(a.ids[label] & b.ids[label]) for label in ("STATE", "ORG", "VALUE")}
    shared["numbers"] = sorted(a.numbers & b.numbers)
    shared["names"] = sorted(a.names & b.names)
    days = abs(a.day - b.day) if a.day is not None and b.day is not None else None
    return {"days_apart": days, "shared": {k: v for k, v in shared.items() if v}}


__all__ = ["FEATURES", "Profile", "evidence", "name_key", "numbers", "pair_features", "profile", "proper_names"]
