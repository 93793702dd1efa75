"""Train and evaluate the link scorer on the team's statements (``corpus/links``).

Each line of ``corpus/links/*.jsonl`` is one version of a statement: ``s`` (statement id:
versions with the same ``s`` are translations or duplicates), ``g`` (the group: a statement and
its same-day, same-topic distractors), ``lang``, ``date``, ``title``, ``text``. Versions are
tagged by the real pipeline, then split by group (``sha1(g) % 100 < TEST_BUCKETS`` is held out),
so no statement or distractor of a test group is seen in training. The threshold is chosen on
out-of-fold scores of 5 group folds of the training part. Everything is seeded.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MfaNlpError
from . import CARD_FILE, MODEL_FILE, TRUSTED_TYPES, LinkScorer, candidate_pairs, cluster_profiles
from .features import FEATURES, Profile, profile

SEED = 0
TEST_BUCKETS = 40
FOLDS = 5
C_VALUE = 1.0
#: Thresholds tried; the chosen one has the best out-of-fold F1 among those with precision >= MIN_PRECISION.
GRID = np.round(np.arange(0.30, 0.951, 0.025), 3)
MIN_PRECISION = 0.97


def read_set(folder: str | Path) -> list[dict[str, Any]]:
    """The rows of every ``*.jsonl`` in ``folder``, in file order."""
    rows = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    if not rows:
        raise MfaNlpError(f"{folder}: no *.jsonl rows; give the folder of the link set (corpus/links)")
    return rows


def tag_set(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tagged records of the rows (the real pipeline: language, entities, duties); date from the row."""
    from ..ingest import read_text
    from ..pipeline import default_pipeline

    docs = [read_text(f"{r['title']}\n\n{r['text']}", source=f"{r['s']}/{r['lang']}") for r in rows]
    default_pipeline().annotate(docs)
    records = []
    for k, (row, doc) in enumerate(zip(rows, docs, strict=True)):
        doc.date = row["date"]
        doc.title = row["title"]
        rec = doc.to_dict()
        rec["id"] = hashlib.sha256(f"{k}:{row['s']}:{row['lang']}:{row['text']}".encode()).hexdigest()
        records.append(rec)
    return records


def is_test(group: str) -> bool:
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % 100 < TEST_BUCKETS


def pairs(profiles: list[Profile], gold: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All candidate pairs (blocking as in linking) with features and gold labels."""
    a_all, b_all, x_all = [], [], []
    for a, b, x in candidate_pairs(profiles):
        a_all.append(a)
        b_all.append(b)
        x_all.append(x)
    a = np.concatenate(a_all) if a_all else np.zeros(0, dtype=int)
    b = np.concatenate(b_all) if b_all else np.zeros(0, dtype=int)
    x = np.vstack(x_all) if x_all else np.zeros((0, len(FEATURES)))
    y = np.array([gold[i] == gold[j] for i, j in zip(a, b, strict=True)], dtype=int)
    return a, b, x, y


def build_model() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C_VALUE, solver="liblinear", random_state=SEED)


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "tp": tp, "fp": fp, "fn": fn}  # fmt: skip


def cluster_metrics(pred: list[str], gold: list[str]) -> dict[str, Any]:
    """Pairwise P/R/F1 over all document pairs (same predicted vs same gold statement) and purity."""
    from collections import Counter

    def same_pairs(labels: list[str]) -> set[tuple[int, int]]:
        by: dict[str, list[int]] = {}
        for k, lab in enumerate(labels):
            by.setdefault(lab, []).append(k)
        return {(i, j) for m in by.values() for x, i in enumerate(m) for j in m[x + 1 :]}

    p, g = same_pairs(pred), same_pairs(gold)
    out = prf(len(p & g), len(p - g), len(g - p))
    clusters: dict[str, list[str]] = {}
    for lab, gl in zip(pred, gold, strict=True):
        clusters.setdefault(lab, []).append(gl)
    out["purity"] = round(sum(Counter(m).most_common(1)[0][1] for m in clusters.values()) / len(pred), 4)
    golds: dict[str, list[str]] = {}
    for lab, gl in zip(pred, gold, strict=True):
        golds.setdefault(gl, []).append(lab)
    out["inverse_purity"] = round(sum(Counter(m).most_common(1)[0][1] for m in golds.values()) / len(gold), 4)
    out["statements_gold"] = len(golds)
    out["statements_pred"] = len(clusters)
    out["documents"] = len(pred)
    return out


def choose_threshold(profiles: list[Profile], gold: list[str], groups: list[str]) -> tuple[float, dict[str, Any]]:
    """The threshold from out-of-fold pair scores over group folds (best F1 with precision >= MIN_PRECISION)."""
    from sklearn.model_selection import GroupKFold

    a, b, x, y = pairs(profiles, gold)
    pair_groups = np.array([groups[i] for i in a])
    oof = np.zeros(len(y))
    for tr, va in GroupKFold(n_splits=FOLDS).split(x, y, groups=pair_groups):
        oof[va] = build_model().fit(x[tr], y[tr]).predict_proba(x[va])[:, 1]
    best, best_key, table = float(GRID[0]), (-1, -1.0), {}
    for t in GRID:
        hit = oof >= t
        m = prf(int((hit & (y == 1)).sum()), int((hit & (y == 0)).sum()), int((~hit & (y == 1)).sum()))
        table[str(t)] = m
        key = (int(m["precision"] >= MIN_PRECISION), m["f1"])
        if key > best_key:
            best, best_key = float(t), key
    return best, {"folds": FOLDS, "pairs": int(len(y)), "positives": int(y.sum()), "at_threshold": table[str(best)]}


def evaluate_split(scorer: LinkScorer, records: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Link-level and clustering figures of ``scorer`` on tagged records with their gold rows."""
    profiles = [profile(r) for r in records]
    gold = [r["s"] for r in rows]
    a, b, x, y = pairs(profiles, gold)
    hit = scorer.score(x) >= scorer.threshold
    links = prf(int((hit & (y == 1)).sum()), int((hit & (y == 0)).sum()), int((~hit & (y == 1)).sum()))
    pred, _ = cluster_profiles(profiles, scorer)
    return {"candidate_pairs": int(len(y)), "links": links, "clusters": cluster_metrics(pred, gold)}


def train(folder: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Train on the training groups, evaluate on the held-out groups, write link.skops + link.json.

    >>> card = train("corpus/links", "models")  # doctest: +SKIP
    """
    import scipy
    import sklearn
    import skops
    import skops.io as sio

    from .._version import __version__
    from ..duties import file_sha256
    from ..duties.train import _pin_zip_times

    rows = read_set(folder)
    records = tag_set(rows)
    train_idx = [k for k, r in enumerate(rows) if not is_test(r["g"])]
    test_idx = [k for k, r in enumerate(rows) if is_test(r["g"])]
    tr_rows, tr_recs = [rows[k] for k in train_idx], [records[k] for k in train_idx]
    te_rows, te_recs = [rows[k] for k in test_idx], [records[k] for k in test_idx]
    tr_profiles = [profile(r) for r in tr_recs]
    threshold, cv = choose_threshold(tr_profiles, [r["s"] for r in tr_rows], [r["g"] for r in tr_rows])
    _, _, x, y = pairs(tr_profiles, [r["s"] for r in tr_rows])
    model = build_model().fit(x, y)
    scorer = LinkScorer(model, threshold)
    held_out = evaluate_split(scorer, te_recs, te_rows)
    train_fit = evaluate_split(scorer, tr_recs, tr_rows)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / MODEL_FILE
    tmp = path.with_suffix(".skops.tmp")
    sio.dump(model, tmp, compression=zipfile.ZIP_DEFLATED)
    unexpected = sorted(set(sio.get_untrusted_types(file=tmp)) - set(TRUSTED_TYPES))
    if unexpected:
        tmp.unlink()
        raise MfaNlpError(f"the link scorer holds types not in TRUSTED_TYPES: {unexpected}; add them after review.")
    _pin_zip_times(tmp)
    tmp.replace(path)
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def count(rs: list[dict[str, Any]]) -> dict[str, int]:
        multi = {s for s in {r["s"] for r in rs} if len({r["lang"] for r in rs if r["s"] == s}) > 1}
        return {"documents": len(rs), "statements": len({r["s"] for r in rs}), "multilingual": len(multi),
                "groups": len({r["g"] for r in rs})}  # fmt: skip

    card = {
        "model_id": f"link-{digest[:12]}",
        "task": "score pairs of tagged documents as versions of one statement (translations or duplicates)",
        "features": list(FEATURES),
        "coefficients": dict(zip(FEATURES, np.round(model.coef_.ravel(), 4).tolist(), strict=True)),
        "intercept": round(float(model.intercept_[0]), 4),
        "threshold": threshold,
        "set": {"path": str(folder), "sha256": digest, "train": count(tr_rows), "test": count(te_rows)},
        "split": f"by group: sha1(g) % 100 < {TEST_BUCKETS} is held out",
        "cross_validation": cv,
        "held_out": held_out,
        "train": train_fit,
        "versions": {"mfa_nlp": __version__, "scikit-learn": sklearn.__version__, "skops": skops.__version__,
                     "numpy": np.__version__, "scipy": scipy.__version__, "python": platform.python_version()},
        "sha256": file_sha256(path),
    }  # fmt: skip
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card


def evaluate(folder: str | Path, model_dir: str | Path | None = None) -> dict[str, Any]:
    """The shipped scorer on the held-out groups of the set (and on all of it)."""
    rows = read_set(folder)
    records = tag_set(rows)
    scorer = LinkScorer.load(model_dir)
    test = [k for k, r in enumerate(rows) if is_test(r["g"])]
    return {
        "threshold": scorer.threshold,
        "held_out": evaluate_split(scorer, [records[k] for k in test], [rows[k] for k in test]),
        "all": evaluate_split(scorer, records, rows),
    }


def format_report(result: dict[str, Any]) -> str:
    """A small text table of :func:`evaluate`'s result."""
    lines = [f"threshold {result['threshold']}", f"{'part':10} {'level':9} {'P':>6} {'R':>6} {'F1':>6} purity docs"]
    for part in ("held_out", "all"):
        if part not in result:
            continue
        r = result[part]
        lk, cl = r["links"], r["clusters"]
        lines.append(f"{part:10} {'links':9} {lk['precision']:6.3f} {lk['recall']:6.3f} {lk['f1']:6.3f}")
        lines.append(
            f"{part:10} {'clusters':9} {cl['precision']:6.3f} {cl['recall']:6.3f} {cl['f1']:6.3f} "
            f"{cl['purity']:6.3f} {cl['documents']} docs -> {cl['statements_pred']} statements "
            f"(gold {cl['statements_gold']})"
        )
    return "\n".join(lines)


__all__ = ["cluster_metrics", "evaluate", "format_report", "read_set", "tag_set", "train"]
