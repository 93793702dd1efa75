"""Scoring the duty classifier: per-duty and per-language F1, the confusion table, the report.

``evaluate`` scores a model on the corpus' test split and on the blind set side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..document import DUTIES
from . import DutyClassifier
from .corpus import BLIND, Example, add_entities, labels, read_corpus, split


def binary_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = int(np.sum(gold & pred))
    fp = int(np.sum(~gold.astype(bool) & pred))
    fn = int(np.sum(gold.astype(bool) & ~pred))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def scores(gold: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """Per-duty precision/recall/F1/support and macro-F1."""
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(gold, pred, average=None, zero_division=0, labels=range(len(DUTIES)))
    per = {
        d: {
            "precision": round(float(p[k]), 3),
            "recall": round(float(r[k]), 3),
            "f1": round(float(f[k]), 3),
            "support": int(s[k]),
        }
        for k, d in enumerate(DUTIES)
    }
    present = [k for k in range(len(DUTIES)) if s[k] > 0]
    macro = float(np.mean([f[k] for k in present])) if present else 0.0
    return {"per_duty": per, "macro_f1": round(macro, 3)}


def confusion(gold: np.ndarray, pred: np.ndarray) -> dict[str, dict[str, int]]:
    """For passages of each gold duty, how often each duty (or none) was predicted."""
    out: dict[str, dict[str, int]] = {}
    for k, duty in enumerate(DUTIES):
        rows = pred[gold[:, k] == 1]
        counts = {d: int(rows[:, j].sum()) for j, d in enumerate(DUTIES)}
        counts["(none)"] = int((rows.sum(axis=1) == 0).sum())
        out[duty] = counts
    return out


def report(rows: Sequence[Example], pred: np.ndarray) -> dict[str, Any]:
    """Overall, per-language and per-script scores plus the duty confusion (no-duty rows: gold none)."""
    gold = labels(rows)
    out = {"overall": scores(gold, pred), "by_lang": {}, "confusion": confusion(gold, pred)}
    for key in sorted({r.lang for r in rows} | {r.group for r in rows}):
        idx = [i for i, r in enumerate(rows) if key in (r.lang, r.group)]
        out["by_lang"][key] = scores(gold[idx], pred[idx]) | {"passages": len(idx)}
    return out


def predict_rows(clf: DutyClassifier, rows: Sequence[Example]) -> np.ndarray:
    """Indicator matrix of the duties a classifier assigns to labelled rows (entities already added)."""
    assigned = clf.predict([r.text for r in rows], [r.entities for r in rows])
    return np.array([[d in ds for d in DUTIES] for ds in assigned], dtype=int).reshape(len(rows), len(DUTIES))


def read_blind(corpus: str | Path) -> list[Example]:
    """The blind set of a corpus folder (``corpus/duties/blind``), or [] when there is none."""
    folder = Path(corpus) / BLIND
    return read_corpus(folder) if folder.is_dir() and any(folder.glob("*.jsonl")) else []


def evaluate(
    corpus: str | Path, model_dir: str | Path | None = None, *, english_model: str | None = None
) -> dict[str, Any]:
    """Score a model on the corpus' test split and on its blind set.

    Returns the test split's :func:`report` at the top level (``overall``, ``by_lang``,
    ``confusion``), plus ``model_id``, ``passages`` and ``blind`` (the blind set's report, or None).
    """
    clf = DutyClassifier.load(model_dir)
    _, test_rows = split(read_corpus(corpus))
    blind_rows = read_blind(corpus)
    add_entities(test_rows + blind_rows, english_model=english_model)
    result = report(test_rows, predict_rows(clf, test_rows)) | {"model_id": clf.model_id, "passages": len(test_rows)}
    result["blind"] = (
        report(blind_rows, predict_rows(clf, blind_rows)) | {"passages": len(blind_rows)} if blind_rows else None
    )
    return result


def _side_by_side(named: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Per-duty P/R/F1 and per-language macro-F1 of several reports in columns."""
    head = "".join(f"{name:>27}" for name, _ in named)
    lines = [f"{'':<20}{head}", f"{'duty':<20}" + f"{'P':>7}{'R':>7}{'F1':>7}{'n':>6}" * len(named)]
    for duty in DUTIES:
        cells = ""
        for _, rep in named:
            m = rep["overall"]["per_duty"][duty]
            cells += f"{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>6}"
        lines.append(f"{duty:<20}{cells}")
    lines.append(f"{'macro-F1':<20}" + "".join(f"{rep['overall']['macro_f1']:>21.3f}{'':>6}" for _, rep in named))
    lines.append("")
    lines.append(f"{'language':<20}" + f"{'macro-F1':>21}{'n':>6}" * len(named))
    langs = sorted({lang for _, rep in named for lang in rep["by_lang"]})
    for lang in langs:
        cells = ""
        for _, rep in named:
            m = rep["by_lang"].get(lang)
            cells += f"{m['macro_f1']:>21.3f}{m['passages']:>6}" if m else f"{'-':>21}{'':>6}"
        lines.append(f"{lang:<20}{cells}")
    lines.append("")
    lines.append(f"{'per-language F1':<20}" + " ".join(f"{d[:8]:>8}" for d in DUTIES))
    for name, rep in named:
        for lang, m in rep["by_lang"].items():
            lines.append(f"{name[:8] + ' ' + lang:<20}" + " ".join(f"{m['per_duty'][d]['f1']:>8.3f}" for d in DUTIES))
    return lines


def format_report(result: dict[str, Any]) -> str:
    """A plain-text table of an evaluation report: the test split and, when present, the blind set."""
    named = [("test split", result)]
    if result.get("blind"):
        named.append(("blind set", result["blind"]))
    lines = _side_by_side(named)
    cols = [*DUTIES, "(none)"]
    for name, rep in named:
        lines.append("")
        lines.append(f"confusion on the {name} (rows: gold duty; columns: predicted)")
        lines.append(f"{'':<20}" + " ".join(f"{c[:8]:>8}" for c in cols))
        for duty, row in rep["confusion"].items():
            lines.append(f"{duty:<20}" + " ".join(f"{row[c]:>8}" for c in cols))
    return "\n".join(lines)
