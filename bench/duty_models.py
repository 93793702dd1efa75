"""Choose the duty model by group cross-validation on the training split of corpus v2 (issue 10).

Run: .venv/bin/python bench/duty_models.py [--folds 5] [--only NAME ...]

Every candidate is scored on out-of-fold predictions (folds grouped by document, so passages of
one statement never straddle train and validation), with per-duty thresholds tuned on those
out-of-fold scores, as training does. The blind set and the test split are never read here.
Candidates vary how much the entity ids may decide (weight, none, dropout during training,
ids conjoined with the cue words of their sentence) and the linear model (logistic regression at
two strengths, calibrated linear SVM, SGD with log loss).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path("/tmp/mfa-duty-entities.json")


def load_rows():
    """The training split with entity ids (cached in /tmp between runs: the entity stage is slow)."""
    from mfa_nlp.duties.corpus import add_entities, read_corpus, split

    rows, _ = split(read_corpus(ROOT / "corpus" / "duties"))
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    todo = [r for r in rows if r.text not in cache]
    if todo:
        add_entities(todo)
        cache.update({r.text: r.entities for r in todo})
        CACHE.write_text(json.dumps(cache, ensure_ascii=False))
    for r in rows:
        r.entities = cache[r.text]
    return rows


def candidates():
    from mfa_nlp.duties.train import build_model

    return {
        "lr_C8_ent0.6 (v1)": lambda: build_model(classifier="lr", C=8.0, ent_weight=0.6),
        "lr_C8_ent0.3": lambda: build_model(classifier="lr", C=8.0, ent_weight=0.3),
        "lr_C8_no_ent": lambda: build_model(classifier="lr", C=8.0, ent_weight=0.0),
        "lr_C2_ent0.3": lambda: build_model(classifier="lr", C=2.0, ent_weight=0.3),
        "lr_C4_ent0.3": lambda: build_model(classifier="lr", C=4.0, ent_weight=0.3),
        "svm_ent0.3": lambda: build_model(classifier="svm", C=0.5, ent_weight=0.3),
        "sgd_ent0.3": lambda: build_model(classifier="sgd", C=1e-5, ent_weight=0.3),
    }


def oof_scores(make, rows, folds: int, *, dropout: float = 0.0):
    from sklearn.model_selection import GroupKFold

    from mfa_nlp.duties.corpus import frame, labels
    from mfa_nlp.duties.train import augment

    y = labels(rows)
    oof = np.zeros(y.shape)
    for train_idx, val_idx in GroupKFold(n_splits=folds).split(rows, y, groups=[r.doc for r in rows]):
        train_rows = [rows[i] for i in train_idx]
        if dropout:
            train_rows = augment(train_rows, dropout)
        model = make().fit(frame(train_rows), labels(train_rows))
        oof[val_idx] = model.predict_proba(frame([rows[i] for i in val_idx]))
    return y, oof


def summarise(rows, y, oof) -> dict:
    from mfa_nlp.document import DUTIES
    from mfa_nlp.duties.metrics import binary_f1
    from mfa_nlp.duties.train import THRESHOLD_GRID

    pred = np.zeros_like(y)
    for k in range(len(DUTIES)):
        f1s = [binary_f1(y[:, k], oof[:, k] >= t) for t in THRESHOLD_GRID]
        pred[:, k] = oof[:, k] >= THRESHOLD_GRID[int(np.argmax(f1s))]
    out = {}
    for lang in ("all", "en", "sq", "sr"):
        idx = [i for i, r in enumerate(rows) if lang in ("all", r.lang)]
        out[lang] = float(np.mean([binary_f1(y[idx, k], pred[idx, k].astype(bool)) for k in range(len(DUTIES))]))
    per = {d: binary_f1(y[:, k], pred[:, k].astype(bool)) for k, d in enumerate(DUTIES)}
    out["worst duty"] = min(per.items(), key=lambda kv: kv[1])
    conf = [i for i, r in enumerate(rows) if r.register == "consular" or not r.duties]
    out["no-duty kept clean"] = float(np.mean(pred[conf].sum(axis=1) == 0)) if conf else float("nan")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    rows = load_rows()
    print(f"training split: {len(rows)} passages, {len({r.doc for r in rows})} documents; {args.folds} group folds")
    runs = dict(candidates())
    runs["lr_C8_ent0.3 + dropout0.5"] = ("dropout", runs["lr_C8_ent0.3"], 0.5)
    runs["lr_C4_ent0.3 + dropout0.5"] = ("dropout", runs["lr_C4_ent0.3"], 0.5)
    runs["svm_ent0.3 + dropout0.5"] = ("dropout", runs["svm_ent0.3"], 0.5)
    runs["lr_C8_ent0.6 + dropout0.5"] = ("dropout", runs["lr_C8_ent0.6 (v1)"], 0.5)
    print(f"{'candidate':32} {'macro':>6} {'en':>6} {'sq':>6} {'sr':>6}  {'no-duty clean':>13}  worst duty  seconds")
    for name, make in runs.items():
        if args.only and not any(o in name for o in args.only):
            continue
        t0 = time.perf_counter()
        if isinstance(make, tuple):
            _, make, p = make
            y, oof = oof_scores(make, rows, args.folds, dropout=p)
        else:
            y, oof = oof_scores(make, rows, args.folds)
        s = summarise(rows, y, oof)
        worst = f"{s['worst duty'][0]} {s['worst duty'][1]:.3f}"
        print(
            f"{name:32} {s['all']:6.3f} {s['en']:6.3f} {s['sq']:6.3f} {s['sr']:6.3f}  "
            f"{s['no-duty kept clean']:13.3f}  {worst}  {time.perf_counter() - t0:.0f}",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
