"""Train, evaluate and compare the duty classifier on the team's corpus (``corpus/duties``).

The split is fixed by document: a passage is in the test split when the hash of its
``doc`` id falls in the first 20 of 100 buckets, so no statement leaks across, and the
split does not move when passages are added elsewhere. Thresholds are tuned per duty
for F1 on 5 group folds of the training split. Everything is seeded: the same corpus
gives the same model, the same thresholds and the same predictions.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..document import DUTIES, Document, Passage
from ..errors import MfaNlpError
from . import CARD_FILE, MODEL_FILE, TRUSTED_TYPES, DutyClassifier, file_sha256
from .features import entity_tokens, fold, to_frame

SEED = 0
TEST_BUCKETS = 20  # of 100: a 20% test split
FOLDS = 5
THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)


@dataclass
class Example:
    """One labelled passage of the corpus."""

    text: str
    lang: str
    script: str
    duties: list[str]
    doc: str
    entities: str = ""

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
                rows.append(Example(obj["text"], obj["lang"], obj.get("script") or "Latn", duties, str(obj["doc"])))
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
        f1s = [_f1(y[:, k], oof[:, k] >= t) for t in THRESHOLD_GRID]
        thresholds[duty] = float(THRESHOLD_GRID[int(np.argmax(f1s))])
    return thresholds


def _f1(gold: np.ndarray, pred: np.ndarray) -> float:
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
    """Overall, per-language and per-script scores plus the duty confusion."""
    gold = labels(rows)
    out = {"overall": scores(gold, pred), "by_lang": {}, "confusion": confusion(gold, pred)}
    for key in sorted({r.lang for r in rows} | {r.group for r in rows}):
        idx = [i for i, r in enumerate(rows) if key in (r.lang, r.group)]
        out["by_lang"][key] = scores(gold[idx], pred[idx]) | {"passages": len(idx)}
    return out


# Keyword rule baseline: folded stems per duty in the three languages.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "sovereignty": (
        "sovereign",
        "sovran",
        "suveren",
        "territorial integrity",
        "integritet",
        "teritorijaln",
        "constitution",
        "kushtetut",
        "ustav",
        "partition",
        "ndarj",
        "podel",
        "border",
        "kufi",
        "granic",
    ),
    "recognition": (
        "recogni",
        "njohj",
        "njoh",
        "priznan",
        "priznaj",
        "priznal",
        "unesco",
        "interpol",
        "council of europe",
        "keshill",
        "savet evrope",
        "diplomatic relations",
        "diplomatike",
        "diplomatsk",
        "membership",
        "anetaresim",
        "clanstv",
    ),
    "eu_integration": (
        "visa",
        "viz",
        "liberali",
        "stabilisation and association",
        "stabilization and association",
        "msa",
        "sss",
        "candidate",
        "kandidat",
        "accession",
        "pristupanj",
        "integrim evropian",
        "evropske integracije",
        "european integration",
        "reform agenda",
        "agjend",
    ),
    "nato_security": (
        "nato",
        "kfor",
        "security",
        "siguri",
        "bezbednost",
        "sigurnost",
        "defen",
        "mbroj",
        "odbran",
        "partnership for peace",
        "fsk",
        "ksf",
        "euro-atlantic",
        "euroatlantik",
    ),
    "regional_dialogue": (
        "dialog",
        "normali",
        "brussels agreement",
        "berlin",
        "cefta",
        "region",
        "fqinj",
        "sused",
        "albania",
        "shqiperi",
        "macedonia",
        "maqedoni",
        "makedonij",
        "montenegro",
        "mal i zi",
        "crna gora",
        "crnom gorom",
    ),
    "strategic_partners": (
        "united states",
        "shba",
        " sad ",
        "germany",
        "gjermani",
        "nemack",
        "united kingdom",
        "britani",
        "france",
        "franc",
        "italy",
        "itali",
        "quint",
        "strategic",
        "strategjik",
        "strateski",
        "ally",
        "aleat",
        "saveznik",
    ),
    "global_agenda": (
        "human rights",
        "te drejtat e njeriut",
        "ljudska prava",
        "ukrain",
        "terror",
        "humanitar",
        "climate",
        "klim",
        "peace",
        "paqe",
        " mir",
        "democra",
        "demokra",
        "development",
        "zhvillim",
        "razvoj",
    ),
}


def keyword_predict(rows: Sequence[Example]) -> np.ndarray:
    """The keyword rule baseline: a duty whenever one of its stems appears."""
    texts = [f" {fold(r.text)} " for r in rows]
    return np.array([[any(k in t for k in KEYWORDS[d]) for d in DUTIES] for t in texts], dtype=int)


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


def evaluate(
    corpus: str | Path, model_dir: str | Path | None = None, *, english_model: str | None = None
) -> dict[str, Any]:
    """Score a model on the corpus' test split; returns :func:`report`'s dict."""
    clf = DutyClassifier.load(model_dir)
    _, test_rows = split(read_corpus(corpus))
    add_entities(test_rows, english_model=english_model)
    pred = np.array(
        [[d in ds for d in DUTIES] for ds in clf.predict([r.text for r in test_rows], [r.entities for r in test_rows])],
        dtype=int,
    )
    return report(test_rows, pred) | {"model_id": clf.model_id, "passages": len(test_rows)}


def format_report(result: dict[str, Any]) -> str:
    """A plain-text table of an evaluation report."""
    lines = [f"{'duty':<20}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}"]
    for duty, m in result["overall"]["per_duty"].items():
        lines.append(f"{duty:<20}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['support']:>6}")
    lines.append(f"{'macro-F1':<20}{result['overall']['macro_f1']:>21.3f}")
    lines.append("")
    lines.append(f"{'language':<10}{'macro-F1':>9}{'n':>6}  " + " ".join(f"{d[:8]:>8}" for d in DUTIES))
    for lang, m in result["by_lang"].items():
        per = " ".join(f"{m['per_duty'][d]['f1']:>8.3f}" for d in DUTIES)
        lines.append(f"{lang:<10}{m['macro_f1']:>9.3f}{m['passages']:>6}  {per}")
    lines.append("")
    lines.append("confusion (rows: gold duty; columns: predicted)")
    cols = [*DUTIES, "(none)"]
    lines.append(f"{'':<20}" + " ".join(f"{c[:8]:>8}" for c in cols))
    for duty, row in result["confusion"].items():
        lines.append(f"{duty:<20}" + " ".join(f"{row[c]:>8}" for c in cols))
    return "\n".join(lines)
