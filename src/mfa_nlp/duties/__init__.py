"""The duty classifier: scores every passage against the seven duties of the taxonomy.

A scikit-learn ``Pipeline`` (word and character TF-IDF on folded text plus the
canonical entity ids as tokens, one-vs-rest logistic regression) is shipped in
``models/duties.skops`` with its model card ``models/duties.json`` (thresholds,
metrics, versions, the file's sha256). Loading checks the hash, the scikit-learn
version and the types inside the file, so a tampered or foreign file is refused
without running any of its code.

>>> clf = DutyClassifier.load()
>>> clf.predict(["Kosovo applied for membership of the Council of Europe."])[0]
['recognition']
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..document import DUTIES, Document, Passage
from ..errors import ModelError
from .features import entity_tokens, to_frame

MODEL_FILE = "duties.skops"
CARD_FILE = "duties.json"
#: Environment variable naming a folder with duties.skops and duties.json.
MODEL_ENV = "MFA_NLP_MODEL_DIR"

#: Types a model file may contain beyond skops' defaults; anything else is refused.
TRUSTED_TYPES: tuple[str, ...] = (
    "collections.defaultdict",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelBinarizer",
    "builtins.slice",
)


def default_model_dir() -> Path:
    """Where the model lives: $MFA_NLP_MODEL_DIR, the wheel's copy, or the repository's models/."""
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    packaged = Path(str(resources.files("mfa_nlp"))) / "_models"
    if (packaged / MODEL_FILE).is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "models"


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class Reason:
    """One feature that pushed a duty's score up."""

    feature: str
    weight: float


class DutyClassifier:
    """A fitted duty model with its per-duty thresholds.

    Args:
        model: the fitted scikit-learn pipeline (``predict_proba`` over DUTIES).
        thresholds: the score a duty must reach to be assigned.
        card: the model card (metrics, versions); optional.
    """

    def __init__(self, model: Any, thresholds: dict[str, float], card: dict[str, Any] | None = None) -> None:
        self.model = model
        self.thresholds = {d: float(thresholds[d]) for d in DUTIES}
        self.card = card or {}

    @property
    def model_id(self) -> str | None:
        """Short id of the model (from the card): goes into every record's ``pipeline.model``."""
        return self.card.get("model_id")

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def load(cls, model_dir: str | os.PathLike[str] | None = None) -> DutyClassifier:
        """Load ``duties.skops`` and ``duties.json`` from a folder (default: the shipped model).

        Raises:
            ModelError: the files are missing, the hash does not match the card, the file holds
                types outside TRUSTED_TYPES (e.g. a pickle renamed .skops), or scikit-learn differs.
        """
        folder = Path(model_dir) if model_dir is not None else default_model_dir()
        return _load_cached(str(folder.resolve()))

    # -- prediction -----------------------------------------------------------------------------
    def predict_proba(self, texts: Sequence[str], entities: Sequence[str] | None = None) -> np.ndarray:
        """Scores in [0, 1], one row per text, one column per duty (DUTIES order).

        ``entities`` are ``LABEL=id`` token strings (see :func:`features.entity_tokens`); when
        they are not given, the language and entity stages run on the texts first.
        """
        if not len(texts):
            return np.zeros((0, len(DUTIES)))
        ents = list(entities) if entities is not None else _entity_strings(texts)
        return np.asarray(self.model.predict_proba(to_frame(texts, ents)))

    def assign(self, scores: np.ndarray) -> list[list[str]]:
        """Duties whose score passes their threshold, per row."""
        limits = np.array([self.thresholds[d] for d in DUTIES])
        return [[d for d, hit in zip(DUTIES, row, strict=True) if hit] for row in scores >= limits]

    def predict(self, texts: Sequence[str], entities: Sequence[str] | None = None) -> list[list[str]]:
        """Assigned duties per text."""
        return self.assign(self.predict_proba(texts, entities))

    def annotate_docs(self, docs: list[Document]) -> list[Document]:
        """Fill ``duties`` and ``scores`` of every passage (entities must already be set)."""
        passages = [p for doc in docs for p in doc.passages]
        if not passages:
            return docs
        scores = self.predict_proba([p.text for p in passages], [entity_tokens(p.entities) for p in passages])
        for passage, row, duties in zip(passages, scores, self.assign(scores), strict=True):
            passage.scores = {d: round(float(s), 4) for d, s in zip(DUTIES, row, strict=True)}
            passage.duties = duties
        return docs

    # -- explanation ----------------------------------------------------------------------------
    def _names(self, frame: Any, x: Any) -> dict[int, str]:
        """Readable names of the non-zero features of one row: hashed n-grams are re-hashed from the text."""
        from sklearn.utils import murmurhash3_32

        features = self.model.named_steps["features"]
        names: dict[int, str] = {}
        offset = 0
        for (group, transformer, column), width in zip(features.transformers_, _widths(features), strict=False):
            if group == "remainder":
                continue
            value = frame[column].iloc[0]
            if "hash" in getattr(transformer, "named_steps", {}):
                hasher = transformer.named_steps["hash"]
                for gram in set(hasher.build_analyzer()(value)):
                    index = offset + abs(murmurhash3_32(gram, seed=0)) % hasher.n_features
                    names[index] = f"{group}: {gram}" if index not in names else f"{names[index]} | {gram}"
            else:
                for i, name in enumerate(transformer.get_feature_names_out()):
                    names[offset + i] = f"{group}: {name}"
            offset += width
        return names

    def explain(self, text: str, entities: str | None = None, *, top: int = 8) -> dict[str, list[Reason]]:
        """For each duty the text is given, the features that pushed its score most.

        >>> clf = DutyClassifier.load()
        >>> reasons = clf.explain("NATO and KFOR remain the guarantors of security in Kosovo.")
        >>> "nato_security" in reasons
        True
        """
        if entities is None:
            entities = _entity_strings([text])[0]
        frame = to_frame([text], [entities])
        x = self.model[:-1].transform(frame).tocsr()
        scores = self.model[-1].predict_proba(x)[0]
        names = self._names(frame, x)
        out: dict[str, list[Reason]] = {}
        for k, duty in enumerate(DUTIES):
            if scores[k] < self.thresholds[duty]:
                continue
            coef = np.asarray(self.model[-1].estimators_[k].coef_).ravel()
            contrib = x.data * coef[x.indices]
            order = np.argsort(-contrib)[:top]
            out[duty] = [
                Reason(names.get(int(x.indices[i]), f"feature {x.indices[i]}"), round(float(contrib[i]), 4))
                for i in order
                if contrib[i] > 0 and x.indices[i] in names and not names[int(x.indices[i])].endswith(": ENT")
            ]
        return out

    def explain_passage(self, passage: Passage, *, top: int = 8) -> dict[str, list[Reason]]:
        """:meth:`explain` for a tagged Passage."""
        return self.explain(passage.text, entity_tokens(passage.entities), top=top)


def _entity_strings(texts: Sequence[str]) -> list[str]:
    """Run the language and entity stages on bare texts; return their ``LABEL=id`` token strings."""
    from .. import entities, language

    docs = [Document(id=str(i), source="<text>", format="txt", passages=[Passage(0, t)]) for i, t in enumerate(texts)]
    for doc in docs:
        language.annotate(doc)
    entities.annotate_docs(docs)
    return [entity_tokens(doc.passages[0].entities) for doc in docs]


def _widths(features: Any) -> list[int]:
    """Output width of each fitted transformer of a ColumnTransformer, in order."""
    widths = []
    for _, transformer, _ in features.transformers_:
        if transformer == "drop" or transformer == "passthrough":
            widths.append(0)
        elif "hash" in getattr(transformer, "named_steps", {}):
            widths.append(transformer.named_steps["hash"].n_features)
        else:
            widths.append(len(transformer.get_feature_names_out()))
    return widths


_CACHE: dict[str, DutyClassifier] = {}


def _load_cached(folder: str) -> DutyClassifier:
    if folder not in _CACHE:
        _CACHE[folder] = _load(Path(folder))
    return _CACHE[folder]


def _load(folder: Path) -> DutyClassifier:
    import sklearn
    import skops.io as sio

    model_path, card_path = folder / MODEL_FILE, folder / CARD_FILE
    if not model_path.is_file() or not card_path.is_file():
        raise ModelError(
            f"[M001] no duty model in {folder}: {MODEL_FILE} and {CARD_FILE} are needed. "
            "Build it with `make model` (or `mfa-nlp train corpus/duties -o models/`), "
            f"or point {MODEL_ENV} at a folder that has them."
        )
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"[M002] {card_path}: the model card is not valid JSON ({exc}); rebuild with `make model`."
        ) from exc
    digest = file_sha256(model_path)
    if digest != card.get("sha256"):
        raise ModelError(
            f"[M003] {model_path}: sha256 {digest[:12]}… does not match the model card "
            f"({str(card.get('sha256'))[:12]}…): the file was modified or belongs to another card. "
            "Restore the shipped files or rebuild with `make model`."
        )
    trained_with = card.get("versions", {}).get("scikit-learn", "")
    if trained_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(
            f"[M004] {model_path} was trained with scikit-learn {trained_with}, but {sklearn.__version__} "
            f"is installed. Install scikit-learn=={trained_with} or retrain with `make model`."
        )
    try:
        untrusted = sio.get_untrusted_types(file=model_path)
    except Exception as exc:  # noqa: BLE001 - any parse failure means a foreign file
        raise ModelError(f"[M005] {model_path} is not a skops model file ({type(exc).__name__}: {exc}).") from exc
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelError(
            f"[M006] {model_path} contains types that are not trusted: {', '.join(unexpected)}. "
            "Refusing to load it; only load model files you built with `mfa-nlp train`."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=getattr(sklearn.exceptions, "InconsistentVersionWarning", Warning))
            model = sio.load(model_path, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(
            f"[M007] {model_path} could not be loaded ({type(exc).__name__}: {exc}); rebuild with `make model`."
        ) from exc
    thresholds = card.get("thresholds") or {}
    missing = [d for d in DUTIES if d not in thresholds]
    if missing:
        raise ModelError(f"[M008] {card_path} has no thresholds for {', '.join(missing)}; rebuild with `make model`.")
    return DutyClassifier(model, thresholds, card)


def annotate_docs(docs: list[Document], *, model_dir: str | os.PathLike[str] | None = None) -> list[Document]:
    """Fill passage duties/scores with the (cached) shipped model."""
    return DutyClassifier.load(model_dir).annotate_docs(docs)


__all__ = [
    "CARD_FILE",
    "MODEL_ENV",
    "MODEL_FILE",
    "TRUSTED_TYPES",
    "DutyClassifier",
    "Reason",
    "annotate_docs",
    "default_model_dir",
]
