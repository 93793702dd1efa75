"""Evaluate the entity stage on a gold test set: precision, recall and F1 per label per language.

The test set is JSONL, one passage a line: ``{"text", "lang", "script", "gold": {"STATE": [ids],
"ORG": [ids], "VALUE": [ids]}}``. Scoring compares the *set of ids* per passage and label (what
users search and facet on), micro-averaged over passages.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from . import annotate_texts
from .nlp import LABELS, english_model_name

DEFAULT_TESTSET = Path(__file__).resolve().parents[3] / "tests" / "data" / "entities_testset.jsonl"


def load_testset(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Read the gold passages (default: ``tests/data/entities_testset.jsonl`` of the source tree)."""
    path = Path(path) if path is not None else DEFAULT_TESTSET
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such test set; pass the path of an entities JSONL test set")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def _score(rows: list[dict[str, Any]], predicted: list[dict[str, set[str]]], labels: tuple[str, ...]) -> dict:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    errors = []
    for row, pred in zip(rows, predicted, strict=True):
        for label in labels:
            gold = set(row["gold"].get(label, []))
            got = pred.get(label, set())
            c = counts[(row["lang"], label)]
            c[0] += len(gold & got)
            c[1] += len(got - gold)
            c[2] += len(gold - got)
            if gold != got:
                errors.append(
                    {"text": row["text"], "label": label, "missed": sorted(gold - got), "extra": sorted(got - gold)}
                )
    table = {f"{lang}/{label}": _prf(*c) for (lang, label), c in sorted(counts.items())}
    return {"scores": table, "errors": errors}


def _ids(ents: list[Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for e in ents:
        if e.id is not None:
            out[e.label].add(e.id)
    return out


def evaluate_entities(
    path: str | Path | None = None, *, english_model: str | None = None, raw: bool = True
) -> dict[str, Any]:
    """P/R/F1 per ``lang/label`` for the entity stage, and for the raw English model (GPE/ORG mapped to ids).

    >>> result = evaluate_entities()  # doctest: +SKIP
    >>> result["pipeline"]["scores"]["en/STATE"]["f1"]  # doctest: +SKIP
    0.98
    """
    rows = load_testset(path)
    predicted: list[dict[str, set[str]]] = [{} for _ in rows]
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_lang[row["lang"]].append(i)
    for lang, idx in by_lang.items():
        for i, ents in zip(
            idx, annotate_texts([rows[i]["text"] for i in idx], lang, english_model=english_model), strict=True
        ):
            predicted[i] = _ids(ents)
    result: dict[str, Any] = {"testset": str(path or DEFAULT_TESTSET), "passages": len(rows)}
    result["pipeline"] = _score(rows, predicted, LABELS)
    if raw:
        result["raw_english"] = raw_english(rows, english_model=english_model)
    return result


def raw_english(rows: list[dict[str, Any]], *, english_model: str | None = None) -> dict[str, Any] | None:
    """The statistical English model alone: GPE -> STATE and ORG -> ORG ids through the same normaliser."""
    import spacy

    from .nlp import get_nlp

    name = english_model_name(english_model)
    try:
        nlp = spacy.load(name)
    except OSError:
        return None
    lookup = get_nlp("xx").get_pipe("mfa_entities")
    en_rows = [r for r in rows if r["lang"] == "en"]
    predicted = []
    for doc in nlp.pipe([r["text"] for r in en_rows]):
        ids: dict[str, set[str]] = defaultdict(set)
        for ent in doc.ents:
            if ent.label_ in ("GPE", "ORG"):
                hit = lookup.lookup.get(lookup.key(ent))
                if hit is not None:
                    ids[hit[0]].add(hit[1])
        predicted.append(ids)
    out = _score(en_rows, predicted, ("STATE", "ORG"))
    out["model"] = name
    return out


def format_entity_report(result: dict[str, Any]) -> str:
    """A plain-text table: one row per language and label, plus the raw English model rows."""
    lines = [f"{'system':<32}{'lang':<6}{'label':<7}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}"]

    def rows(system: str, table: dict[str, dict[str, Any]]) -> None:
        for key, s in table.items():
            lang, label = key.split("/")
            lines.append(
                f"{system:<32}{lang:<6}{label:<7}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}{s['support']:>6}"
            )

    rows("mfa_nlp", result["pipeline"]["scores"])
    if result.get("raw_english"):
        rows(f"raw {result['raw_english']['model']}", result["raw_english"]["scores"])
    lines.append(f"({result['passages']} passages from {result['testset']})")
    return "\n".join(lines)
