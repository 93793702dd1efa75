"""The review queue: the tagged passages most worth an analyst's look.

:func:`build_queue` reads tagged records and ranks their passages by

- **uncertainty**: a duty's score close to its threshold (the model nearly decided otherwise);
- **disagreement** between the duty and the entity cues: a passage names NATO or KFOR but is
  not ``nato_security``, names Serbia but is not ``regional_dialogue`` (:data:`CUES`);

then gives every language and every duty a share of the queue (**coverage**), leaves out
near-duplicates (the corpus checks' character-4-gram cosine, :data:`corpus.NEAR_DUPLICATE`)
and passages already in a labels file. :func:`write_queue` writes ``queue.jsonl`` (for the
review page, :mod:`mfa_nlp.review_server`) and ``queue.csv`` (for a spreadsheet: one column
per duty with the predicted labels pre-filled; it reads back as a labels file).

>>> items = build_queue("out/samples.jsonl", n=50)  # doctest: +SKIP
>>> write_queue(items, "out/queue.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import DUTIES, Document, passage_id

#: Entity ids that point at a duty (taxonomy.md's "typical content"). A passage that names one but
#: does not get that duty is a disagreement between the two stages, worth a human look.
CUES: dict[str, frozenset[str]] = {
    "sovereignty": frozenset({"VALUE=sovereignty", "VALUE=territorial_integrity", "VALUE=independence"}),
    "recognition": frozenset({"ORG=UNESCO", "ORG=INTERPOL", "ORG=COE", "ORG=UNGA"}),
    "eu_integration": frozenset({"ORG=EU", "ORG=EC", "ORG=EP"}),
    "nato_security": frozenset({"ORG=NATO", "ORG=KFOR"}),
    "regional_dialogue": frozenset(
        {"STATE=SRB", "STATE=ALB", "STATE=MKD", "STATE=MNE", "STATE=BIH", "STATE=HRV", "ORG=CEFTA"}
    ),
    "strategic_partners": frozenset({"STATE=USA", "STATE=DEU", "STATE=GBR", "STATE=FRA", "STATE=ITA"}),
    "global_agenda": frozenset({"VALUE=human_rights", "VALUE=sustainable_development", "ORG=WHO", "STATE=UKR"}),
}
#: A duty whose score is this close to its threshold counts as "near" it (uncertain, and in its coverage bucket).
NEAR = 0.15
#: Disagreement weighs half as much as uncertainty in the ranking: the cues are hints, not labels.
DISAGREEMENT_WEIGHT = 0.5
#: Passages shorter than this (headings, datelines, signatures) are not worth a reviewer's time.
MIN_WORDS = 6
#: Share of the queue reserved for coverage (every language and duty gets an equal part of it).
COVERAGE_SHARE = 0.5


@dataclass
class Candidate:
    """A passage that may go into the queue, with why."""

    passage: str
    doc: str
    source: str
    title: str | None
    index: int
    text: str
    lang: str | None
    script: str | None
    entities: list[dict[str, Any]]
    duties: list[str]
    scores: dict[str, float]
    thresholds: dict[str, float]
    uncertainty: float = 0.0
    disagreement: float = 0.0
    why: list[str] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)

    @property
    def priority(self) -> float:
        return round(self.uncertainty + DISAGREEMENT_WEIGHT * self.disagreement, 4)

    @property
    def group(self) -> str:
        """Language with script for Serbian, as the duty reports group it."""
        return f"{self.lang}-{self.script}" if self.lang == "sr" else str(self.lang or "und")

    def to_dict(self) -> dict[str, Any]:
        return {
            "passage": self.passage, "doc": self.doc, "source": self.source, "title": self.title,
            "index": self.index, "text": self.text, "lang": self.lang, "script": self.script,
            "entities": self.entities, "duties": self.duties, "scores": self.scores,
            "thresholds": self.thresholds, "priority": self.priority, "why": self.why,
        }  # fmt: skip


def _thresholds(model_dir: str | os.PathLike[str] | None) -> dict[str, float]:
    """The duty thresholds from the model card (no model load); 0.5 each when there is no card."""
    from .duties import CARD_FILE, default_model_dir

    folder = Path(model_dir) if model_dir is not None else default_model_dir()
    try:
        card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
        return {d: float(card["thresholds"][d]) for d in DUTIES}
    except (OSError, ValueError, KeyError, TypeError):
        return dict.fromkeys(DUTIES, 0.5)


def _score(c: Candidate) -> None:
    """Fill uncertainty, disagreement, the reasons and the coverage buckets of a candidate."""
    gaps = {d: abs(c.scores.get(d, 0.0) - c.thresholds[d]) for d in DUTIES}
    near = sorted((d for d in DUTIES if gaps[d] < NEAR), key=lambda d: gaps[d])
    c.uncertainty = round(1.0 - min(min(gaps.values()) / 0.5, 1.0), 4)
    for d in near:
        c.why.append(f"uncertain: {d} {c.scores.get(d, 0.0):.2f} vs threshold {c.thresholds[d]:.2f}")
    ids = {f"{e['label']}={e['id']}" for e in c.entities if e.get("id")}
    cued = {d: sorted(ids & CUES[d]) for d in DUTIES if ids & CUES[d]}
    missed = [d for d in cued if d not in c.duties]
    c.disagreement = round(len(missed) / len(cued), 4) if cued else 0.0
    for d in missed:
        names = ", ".join(i.split("=", 1)[1] for i in cued[d])
        c.why.append(f"entities {names} suggest {d}, scored {c.scores.get(d, 0.0):.2f}")
    c.buckets = [f"lang:{c.group}", *(f"duty:{d}" for d in DUTIES if d in c.duties or d in near)]


def candidates(
    docs: Sequence[Document], thresholds: dict[str, float], *, reviewed: set[str] | frozenset[str] = frozenset()
) -> list[Candidate]:
    """Every scored passage worth reviewing (long enough, not reviewed, first copy of its text), scored."""
    out: list[Candidate] = []
    seen = set(reviewed)
    for doc in docs:
        for p in doc.passages:
            pid = passage_id(p.text)
            if pid in seen or not p.scores or p.words < MIN_WORDS or p.source == "human":
                continue
            seen.add(pid)
            c = Candidate(
                pid, doc.id, doc.source, doc.title, p.index, p.text, p.lang, p.script,
                [e.to_dict() for e in p.entities], list(p.duties), dict(p.scores), thresholds,
            )  # fmt: skip
            _score(c)
            out.append(c)
    return out


def _near_duplicates(items: Sequence[Candidate]) -> dict[int, set[int]]:
    """For each candidate, the others it nearly duplicates (inside one language group)."""
    from .duties.corpus import NEAR_DUPLICATE, similar_pairs

    near: dict[int, set[int]] = {}
    if len(items) < 2:
        return near
    for i, j, _ in similar_pairs([c.text for c in items], NEAR_DUPLICATE, groups=[c.group for c in items]):
        near.setdefault(i, set()).add(j)
        near.setdefault(j, set()).add(i)
    return near


def select(items: Sequence[Candidate], n: int) -> list[Candidate]:
    """Pick ``n``: a coverage share round-robin over the language and duty buckets, then by priority.

    A candidate that nearly duplicates one already picked is never picked.
    """
    order = sorted(range(len(items)), key=lambda i: (-items[i].priority, items[i].doc, items[i].index))
    near = _near_duplicates(items)
    chosen: list[int] = []
    blocked: set[int] = set()

    def take(i: int, reason: str | None = None) -> None:
        chosen.append(i)
        blocked.add(i)
        blocked.update(near.get(i, ()))
        if reason:
            items[i].why.append(reason)

    buckets = sorted({b for c in items for b in c.buckets}, key=lambda b: (not b.startswith("lang:"), b))
    quota = max(1, int(n * COVERAGE_SHARE) // max(len(buckets), 1))
    queues = {b: [i for i in order if b in items[i].buckets] for b in buckets}
    taken = dict.fromkeys(buckets, 0)
    progress = True
    while progress and len(chosen) < n:
        progress = False
        for b in buckets:
            if len(chosen) >= n or taken[b] >= quota:
                continue
            pick = next((i for i in queues[b] if i not in blocked), None)
            if pick is None:
                continue
            take(pick, f"coverage: {b.split(':', 1)[1]}")
            for other in items[pick].buckets:
                taken[other] = taken.get(other, 0) + 1
            progress = True
    for i in order:
        if len(chosen) >= n:
            break
        if i not in blocked:
            take(i)
    return sorted((items[i] for i in chosen), key=lambda c: -c.priority)


def build_queue(
    records: str | os.PathLike[str],
    *,
    n: int = 200,
    labels: str | os.PathLike[str] | None = None,
    model_dir: str | os.PathLike[str] | None = None,
) -> list[Candidate]:
    """The ``n`` passages of a tagged JSONL file most worth a human look (see the module docstring).

    Passages named in ``labels`` (already reviewed) are left out; thresholds come from the card
    of the model in ``model_dir`` (default: the one tagging uses).
    """
    from .export import _scan
    from .labels import read_labels

    reviewed: set[str] = set()
    if labels is not None and Path(labels).is_file():
        done = read_labels(labels)
        reviewed = set(done.duties)
    docs = [Document.from_dict(json.loads(line)) for _, _, line in _scan(Path(records))]
    return select(candidates(docs, _thresholds(model_dir), reviewed=reviewed), n)


def csv_path(queue: str | os.PathLike[str]) -> Path:
    """``queue.csv`` beside ``queue.jsonl``."""
    q = Path(queue)
    return q.with_suffix(".csv") if q.suffix != ".csv" else q.with_name(q.stem + ".queue.csv")


def write_queue(items: Sequence[Candidate], output: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``queue.jsonl`` and ``queue.csv`` beside it; return both paths."""
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in items), encoding="utf-8")
    table = csv_path(out)
    with table.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["passage", "source", "index", "lang", "script", "priority", *DUTIES, "analyst", "text", "why"])
        for c in items:
            marks = ["1" if d in c.duties else "0" for d in DUTIES]
            row = [c.passage, c.source, c.index, c.lang, c.script, c.priority, *marks, "", c.text, "; ".join(c.why)]
            writer.writerow(row)
    return out, table


def read_queue(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The items of a ``queue.jsonl`` (a torn last line is dropped)."""
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("passage") and obj.get("text"):
            items.append(obj)
    return items


def coverage(items: Sequence[Candidate]) -> dict[str, dict[str, int]]:
    """Passages of the queue per language group and per predicted duty."""
    langs: dict[str, int] = {}
    duties = dict.fromkeys(DUTIES, 0)
    for c in items:
        langs[c.group] = langs.get(c.group, 0) + 1
        for d in c.duties:
            duties[d] += 1
    return {"languages": dict(sorted(langs.items())), "duties": duties}


__all__ = ["CUES", "Candidate", "build_queue", "candidates", "coverage", "read_queue", "select", "write_queue"]
