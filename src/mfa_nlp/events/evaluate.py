"""Score the recognition ledger against hand-written gold passages (``corpus/events/gold``).

Each gold line is ``{"text", "lang", "script", "doc", "date", "events": [{"kind", "state",
"org", "claimant", "event_date"}]}``. Every passage runs through the full pipeline as a
one-passage document dated ``date`` (language detected, entities, duties), then through
:func:`mfa_nlp.events.extract`. An event matches on its kind plus its state (or, for
membership events, its organisation); precision, recall and F1 are counted per passage,
micro-averaged per language, per script and per kind.

>>> result = evaluate_events("corpus/events/gold")  # doctest: +SKIP
>>> print(format_events_report(result))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from ..document import Document, Passage, content_id
from .rules import KINDS, MEMBERSHIP_KINDS

DEFAULT_GOLD = Path(__file__).resolve().parents[3] / "corpus" / "events" / "gold"


def event_key(kind: str, state: str | None, org: str | None) -> tuple[str, str | None]:
    """What an event is matched on: kind + organisation for membership events, else kind + state."""
    return (kind, org if kind in MEMBERSHIP_KINDS else state)


def load_gold(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Gold passages from a folder of ``*.jsonl`` files or one file."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    rows = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def tag_gold(rows: list[dict[str, Any]]) -> list[Document]:
    """One tagged Document per gold passage (the passage's date as the document's)."""
    from ..pipeline import default_pipeline

    docs = [
        Document(
            id=content_id(f"{i}\n{row['text']}".encode()),
            source=f"gold:{row.get('doc') or i}",
            format="txt",
            date=row.get("date"),
            passages=[Passage(0, row["text"])],
        )
        for i, row in enumerate(rows)
    ]
    return default_pipeline().annotate(docs)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def score(rows: list[dict[str, Any]], docs: list[Document], *, gate: float | None = None) -> dict[str, Any]:
    """Precision/recall/F1 of the extracted events against the gold rows (same order as ``docs``)."""
    from . import GATE, extract

    counts: dict[str, Counter[str]] = {}
    errors = []
    for row, doc in zip(rows, docs, strict=True):
        got = Counter(event_key(m.kind, m.state, m.org) for m in extract(doc, gate=GATE if gate is None else gate))
        want = Counter(event_key(e["kind"], e.get("state"), e.get("org")) for e in row.get("events") or [])
        lang = row.get("lang") or "?"
        groups = ["all", f"lang:{lang}"]
        if lang == "sr":
            groups.append(f"script:sr-{row.get('script') or '?'}")
        for key in got | want:
            tp, fp, fn = min(got[key], want[key]), max(got[key] - want[key], 0), max(want[key] - got[key], 0)
            for group in [*groups, f"kind:{key[0]}"]:
                c = counts.setdefault(group, Counter())
                c["tp"] += tp
                c["fp"] += fp
                c["fn"] += fn
        if got != want:
            errors.append({"text": row["text"], "lang": lang, "missed": sorted(map(list, want - got)),
                           "spurious": sorted(map(list, got - want))})  # fmt: skip
    result = {group: _prf(c["tp"], c["fp"], c["fn"]) for group, c in sorted(counts.items())}
    return {"passages": len(rows), "scores": result, "errors": errors}


def evaluate_events(gold: str | os.PathLike[str] | None = None, *, gate: float | None = None) -> dict[str, Any]:
    """Tag the gold passages and score the ledger's rules on them."""
    rows = load_gold(gold or DEFAULT_GOLD)
    return score(rows, tag_gold(rows), gate=gate)


def format_events_report(result: dict[str, Any]) -> str:
    """A plain-text table of the scores: all, per language, per script, per kind."""
    lines = [
        f"{result['passages']} gold passages",
        f"{'group':32} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}",
    ]
    scores = result["scores"]
    order = ["all", *(g for g in scores if g.startswith("lang:")), *(g for g in scores if g.startswith("script:")),
             *(f"kind:{k}" for k in KINDS if f"kind:{k}" in scores)]  # fmt: skip
    for group in order:
        s = scores[group]
        lines.append(
            f"{group:32} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {s['tp']:4d} {s['fp']:4d} {s['fn']:4d}"
        )
    return "\n".join(lines)


__all__ = ["DEFAULT_GOLD", "evaluate_events", "event_key", "format_events_report", "load_gold", "score", "tag_gold"]
