"""Train the duty classifier on the team's corpus (``corpus/duties``) and write model + card.

Thresholds are tuned per duty for F1 on 5 group folds of the training split. Everything is
seeded: the same corpus gives the same model, the same thresholds and the same predictions.
"""

from __future__ import annotations

import json
import platform
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..document import DUTIES
from ..errors import MfaNlpError
from . import CARD_FILE, MODEL_FILE, TRUSTED_TYPES, DutyClassifier, file_sha256
from .baseline import keyword_predict
from .corpus import TEST_BUCKETS, Example, add_entities, corpus_digest, counts, frame, labels, read_corpus, split
from .metrics import binary_f1, report

SEED = 0
FOLDS = 5
THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)
#: Hashed feature space per text group: no vocabulary to store, so the model loads fast.
HASH_FEATURES = 2**18


def _hashed(**options: Any):
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.pipeline import Pipeline

    hasher = HashingVectorizer(n_features=HASH_FEATURES, alternate_sign=False, norm=None, **options)
    return Pipeline([("hash", hasher), ("tfidf", TfidfTransformer(sublinear_tf=True))])


def build_model(*, word_only: bool = False):
    """The unfitted scikit-learn pipeline (``word_only`` gives the TF-IDF baseline).

    Word 1-2-grams and character 3-5-grams (inside word boundaries: they absorb Albanian and
    Serbian inflection) are hashed, then TF-IDF weighted; entity ids get their own small
    vocabulary. The settings were chosen by group cross-validation on the training split.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    word = _hashed(ngram_range=(1, 2), token_pattern=r"(?u)\b\w\w+\b")
    clf = LogisticRegression(C=8.0, class_weight="balanced", solver="liblinear", random_state=SEED)
    if word_only:
        features = ColumnTransformer([("word", word, "text")])
    else:
        features = ColumnTransformer(
            [
                ("word", word, "text"),
                ("char", _hashed(analyzer="char_wb", ngram_range=(3, 5)), "text"),
                ("ent", TfidfVectorizer(token_pattern=r"\S+", lowercase=False, binary=True), "entities"),
            ],
            transformer_weights={"word": 1.0, "char": 1.0, "ent": 0.6},
        )
    return Pipeline([("features", features), ("classifier", OneVsRestClassifier(clf))])


def tune_thresholds(rows: Sequence[Example]) -> dict[str, float]:
    """Per-duty thresholds maximising F1 on out-of-fold scores (group folds by document)."""
    from sklearn.model_selection import GroupKFold

    y = labels(rows)
    x = frame(rows)
    oof = np.zeros(y.shape, dtype=float)
    for train_idx, val_idx in GroupKFold(n_splits=FOLDS).split(x, y, groups=[r.doc for r in rows]):
        model = build_model().fit(x.iloc[train_idx], y[train_idx])
        oof[val_idx] = model.predict_proba(x.iloc[val_idx])
    thresholds = {}
    for k, duty in enumerate(DUTIES):
        f1s = [binary_f1(y[:, k], oof[:, k] >= t) for t in THRESHOLD_GRID]
        thresholds[duty] = float(THRESHOLD_GRID[int(np.argmax(f1s))])
    return thresholds


def train(corpus: str | Path, out_dir: str | Path, *, english_model: str | None = None) -> dict[str, Any]:
    """Train on the corpus' train split, evaluate on its test split, write model and card; return the card.

    >>> card = train("corpus/duties", "models")  # doctest: +SKIP
    """
    import scipy
    import sklearn
    import skops
    import skops.io as sio

    from .._version import __version__

    rows = read_corpus(corpus)
    add_entities(rows, english_model=english_model)
    train_rows, test_rows = split(rows)
    thresholds = tune_thresholds(train_rows)
    model = build_model().fit(frame(train_rows), labels(train_rows))
    clf = DutyClassifier(model, thresholds)
    test_scores = clf.predict_proba([r.text for r in test_rows], [r.entities for r in test_rows])
    pred = np.array([[d in ds for d in DUTIES] for ds in clf.assign(test_scores)], dtype=int)

    word = build_model(word_only=True).fit(frame(train_rows), labels(train_rows))
    word_pred = (word.predict_proba(frame(test_rows)) >= 0.5).astype(int)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / MODEL_FILE
    tmp = model_path.with_suffix(".skops.tmp")
    sio.dump(model, tmp, compression=zipfile.ZIP_DEFLATED)
    unexpected = sorted(set(sio.get_untrusted_types(file=tmp)) - set(TRUSTED_TYPES))
    if unexpected:
        tmp.unlink()
        raise MfaNlpError(f"the trained model holds types not in TRUSTED_TYPES: {unexpected}; add them after review.")
    tmp.replace(model_path)
    digest = corpus_digest(rows)
    card = {
        "model_id": f"duties-{digest[:12]}",
        "task": "multi-label classification of passages against the seven duties (taxonomy.md)",
        "corpus": {"path": str(corpus), "sha256": digest, "train": counts(train_rows), "test": counts(test_rows)},
        "split": f"by document: sha1(doc) % 100 < {TEST_BUCKETS} is test",
        "thresholds": thresholds,
        "test": report(test_rows, pred),
        "baselines": {
            "keyword_rule": report(test_rows, keyword_predict(test_rows))["overall"]
            | {
                "by_lang": {
                    k: v["macro_f1"] for k, v in report(test_rows, keyword_predict(test_rows))["by_lang"].items()
                }
            },
            "word_tfidf_logreg": report(test_rows, word_pred)["overall"]
            | {"by_lang": {k: v["macro_f1"] for k, v in report(test_rows, word_pred)["by_lang"].items()}},
        },
        "versions": {
            "mfa_nlp": __version__,
            "scikit-learn": sklearn.__version__,
            "skops": skops.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "python": platform.python_version(),
        },
        "sha256": file_sha256(model_path),
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card
