"""Train the duty classifier on the team's corpus (``corpus/duties``) and write model + card.

Thresholds are tuned per duty for F1 on 5 group folds of the training split. Everything is
seeded: the same corpus gives the same model, the same thresholds and the same predictions.
"""

from __future__ import annotations

import json
import platform
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..document import DUTIES
from ..errors import MfaNlpError
from . import CARD_FILE, INFERENCE_FILE, MODEL_FILE, TRUSTED_TYPES, DutyClassifier, file_sha256
from .baseline import keyword_predict
from .corpus import BLIND, TEST_BUCKETS, Example, add_entities, corpus_digest, counts, frame, labels, read_corpus, split
from .metrics import binary_f1, predict_rows, read_blind, report

SEED = 0
#: The model chosen by group cross-validation on corpus v2 (``bench/duty_models.py``).
CLASSIFIER = "lr"
C_VALUE = 8.0
ENT_WEIGHT = 0.3
#: Share of entity ids dropped from a second copy of each training passage (0: no copies).
DROPOUT = 0.5
FOLDS = 5
THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)
#: Hashed feature space per text group: no vocabulary to store, so the model loads fast.
HASH_FEATURES = 2**18


def _hashed(**options: Any):
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.pipeline import Pipeline

    hasher = HashingVectorizer(n_features=HASH_FEATURES, alternate_sign=False, norm=None, **options)
    return Pipeline([("hash", hasher), ("tfidf", TfidfTransformer(sublinear_tf=True))])


def build_model(
    *,
    word_only: bool = False,
    classifier: str = CLASSIFIER,
    C: float = C_VALUE,  # noqa: N803 - scikit-learn's name
    ent_weight: float = ENT_WEIGHT,
):
    """The unfitted scikit-learn pipeline (``word_only`` gives the TF-IDF baseline).

    Word 1-2-grams and character 3-5-grams (inside word boundaries: they absorb Albanian and
    Serbian inflection) are hashed, then TF-IDF weighted; entity ids get their own small
    vocabulary, weighted by ``ent_weight`` (0 leaves them out). ``classifier`` is ``lr``
    (logistic regression), ``svm`` (linear SVM with sigmoid calibration) or ``sgd`` (log loss;
    ``C`` is then its alpha). The defaults were chosen by ``bench/duty_models.py``.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    word = _hashed(ngram_range=(1, 2), token_pattern=r"(?u)\b\w\w+\b")
    if word_only:
        features = ColumnTransformer([("word", word, "text")])
    else:
        blocks = [("word", word, "text"), ("char", _hashed(analyzer="char_wb", ngram_range=(3, 5)), "text")]
        weights = {"word": 1.0, "char": 1.0}
        if ent_weight > 0:
            blocks.append(("ent", TfidfVectorizer(token_pattern=r"\S+", lowercase=False, binary=True), "entities"))
            weights["ent"] = ent_weight
        features = ColumnTransformer(blocks, transformer_weights=weights)
    return Pipeline([("features", features), ("classifier", OneVsRestClassifier(_classifier(classifier, C)))])


def _classifier(kind: str, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression, SGDClassifier

    if kind == "lr":
        return LogisticRegression(C=c, class_weight="balanced", solver="liblinear", random_state=SEED)
    if kind == "svm":
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        svm = LinearSVC(C=c, class_weight="balanced", random_state=SEED)
        return CalibratedClassifierCV(svm, method="sigmoid", cv=3, ensemble=False)
    if kind == "sgd":
        return SGDClassifier(
            loss="log_loss", alpha=c, class_weight="balanced", max_iter=50, tol=1e-4, random_state=SEED
        )
    raise ValueError(f"unknown classifier {kind!r}: use lr, svm or sgd")


def augment(rows: Sequence[Example], dropout: float) -> list[Example]:
    """The rows plus a copy of each whose entity ids are dropped at random (seeded).

    The copies teach the model to score a passage from its words when the entity stage
    misses a name, so the ids help the decision without making it.
    """
    rng = np.random.default_rng(SEED)
    copies = []
    for r in rows:
        kept = [t for t in r.entities.split() if rng.random() >= dropout]
        copies.append(replace(r, entities=" ".join(kept)))
    return [*rows, *copies]


def fit(rows: Sequence[Example]) -> Any:
    """The chosen model fitted on rows (plus their entity-dropout copies when DROPOUT > 0)."""
    rows = augment(rows, DROPOUT) if DROPOUT else list(rows)
    return build_model().fit(frame(rows), labels(rows))


def tune_thresholds(rows: Sequence[Example]) -> dict[str, float]:
    """Per-duty thresholds maximising F1 on out-of-fold scores (group folds by document)."""
    from sklearn.model_selection import GroupKFold

    y = labels(rows)
    oof = np.zeros(y.shape, dtype=float)
    for train_idx, val_idx in GroupKFold(n_splits=FOLDS).split(rows, y, groups=[r.doc for r in rows]):
        oof[val_idx] = fit([rows[i] for i in train_idx]).predict_proba(frame([rows[i] for i in val_idx]))
    thresholds = {}
    for k, duty in enumerate(DUTIES):
        f1s = [binary_f1(y[:, k], oof[:, k] >= t) for t in THRESHOLD_GRID]
        thresholds[duty] = float(THRESHOLD_GRID[int(np.argmax(f1s))])
    return thresholds


def _pin_zip_times(path: Path) -> None:
    """Rewrite a zip with every entry dated 1980-01-01, so the same model gives the same bytes."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as dst:
        for info, data in entries:
            pinned = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            pinned.compress_type = info.compress_type
            pinned.external_attr = info.external_attr
            dst.writestr(pinned, data)


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
    model = fit(train_rows)
    clf = DutyClassifier(model, thresholds)
    test_scores = clf.predict_proba([r.text for r in test_rows], [r.entities for r in test_rows])
    pred = np.array([[d in ds for d in DUTIES] for ds in clf.assign(test_scores)], dtype=int)

    word = build_model(word_only=True).fit(frame(train_rows), labels(train_rows))
    word_pred = (word.predict_proba(frame(test_rows)) >= 0.5).astype(int)
    # The blind set is only scored here, after every choice was made: never trained on or tuned to.
    blind_rows = read_blind(corpus)
    add_entities(blind_rows, english_model=english_model)
    blind = report(blind_rows, predict_rows(clf, blind_rows)) | {"passages": len(blind_rows)} if blind_rows else None
    first_run = Path(corpus) / BLIND / "first_run.json"

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model_path = out / MODEL_FILE
    tmp = model_path.with_suffix(".skops.tmp")
    sio.dump(model, tmp, compression=zipfile.ZIP_DEFLATED)
    unexpected = sorted(set(sio.get_untrusted_types(file=tmp)) - set(TRUSTED_TYPES))
    if unexpected:
        tmp.unlink()
        raise MfaNlpError(f"the trained model holds types not in TRUSTED_TYPES: {unexpected}; add them after review.")
    _pin_zip_times(tmp)
    tmp.replace(model_path)
    from .compiled import FORMAT, export

    try:  # the arrays tagging reads; checked against the estimator on the test split
        export(model, out / INFERENCE_FILE, [r.text for r in test_rows], [r.entities for r in test_rows])
    except ValueError as exc:
        raise MfaNlpError(f"could not write {INFERENCE_FILE}: {exc}") from exc
    digest = corpus_digest(rows)
    card = {
        "model_id": f"duties-{digest[:12]}",
        "task": "multi-label classification of passages against the seven duties (taxonomy.md)",
        "corpus": {"path": str(corpus), "sha256": digest, "train": counts(train_rows), "test": counts(test_rows)},
        "split": f"by document: sha1(doc) % 100 < {TEST_BUCKETS} is test",
        "model": {"classifier": CLASSIFIER, "C": C_VALUE, "entity_weight": ENT_WEIGHT, "entity_dropout": DROPOUT},
        "thresholds": thresholds,
        "test": report(test_rows, pred),
        "blind": blind,
        "blind_first_run": json.loads(first_run.read_text(encoding="utf-8")) if first_run.is_file() else None,
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
        "inference": {"file": INFERENCE_FILE, "format": FORMAT, "sha256": file_sha256(out / INFERENCE_FILE)},
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return card
