"""The duty classifier: scores every passage against the seven duties of the taxonomy.

A scikit-learn ``Pipeline`` (word and character TF-IDF on folded text plus the
canonical entity ids as tokens, one-vs-rest linear models) is shipped in
``models/duties.skops`` with its model card ``models/duties.json`` (thresholds,
metrics, versions, the files' sha256), and its inference arrays in ``models/duties.npz``
(:mod:`.compiled`). Tagging reads only the arrays (``numpy.load(allow_pickle=False)``, no
scikit-learn or skops import); the estimator is loaded on demand (:attr:`DutyClassifier.model`)
after checking the scikit-learn version and the types inside the file, so a tampered or
foreign file is refused without running any of its code. Both files are hash-checked.

>>> clf = DutyClassifier.load()
>>> clf.predict(["Kosovo applied for membership of the Council of Europe."])[0]
['recognition']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import DUTIES, Document, Passage, register_hook
from ..errors import ModelError
from ..safeio import check_hash, file_sha256, load_skops, read_card
from .features import entity_tokens

if TYPE_CHECKING:  # numpy is imported where it is used: reading a model card needs none of it
    import numpy as np

MODEL_FILE = "duties.skops"
CARD_FILE = "duties.json"
#: The inference arrays (see :mod:`.compiled`).
INFERENCE_FILE = "duties.npz"
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

    def __init__(
        self,
        model: Any,
        thresholds: dict[str, float],
        card: dict[str, Any] | None = None,
        *,
        compiled: Any = None,
        folder: Path | None = None,
    ) -> None:
        self._model = model
        self.compiled = compiled
        self.folder = folder
        self.thresholds = {d: float(thresholds[d]) for d in DUTIES}
        self.card = card or {}

    @property
    def model(self) -> Any:
        """The fitted scikit-learn pipeline, loaded from ``duties.skops`` on first use (safely)."""
        if self._model is None:
            if self.folder is None:
                raise ModelError("[M009] this classifier has no estimator and no model folder to load it from.")
            self._model = load_estimator(self.folder)
        return self._model

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
        import numpy as np

        if not len(texts):
            return np.zeros((0, len(DUTIES)))
        ents = list(entities) if entities is not None else _entity_strings(texts)
        if self.compiled is not None:
            return self.compiled.predict_proba(texts, ents)
        from .features import to_frame

        return np.asarray(self.model.predict_proba(to_frame(texts, ents)))

    def assign(self, scores: np.ndarray) -> list[list[str]]:
        """Duties whose score passes their threshold, per row."""
        import numpy as np

        limits = np.array([self.thresholds[d] for d in DUTIES])
        return [[d for d, hit in zip(DUTIES, row, strict=True) if hit] for row in (scores >= limits).tolist()]

    def predict(self, texts: Sequence[str], entities: Sequence[str] | None = None) -> list[list[str]]:
        """Assigned duties per text."""
        return self.assign(self.predict_proba(texts, entities))

    def annotate_docs(self, docs: list[Document]) -> list[Document]:
        """Fill ``duties`` and ``scores`` of every passage (entities must already be set)."""
        passages = [p for doc in docs for p in doc.passages]
        if not passages:
            return docs
        scores = self.predict_proba([p.text for p in passages], [entity_tokens(p.entities) for p in passages])
        for passage, row, duties in zip(passages, scores.tolist(), self.assign(scores), strict=True):
            passage.scores = {d: round(s, 4) for d, s in zip(DUTIES, row, strict=True)}
            passage.duties = duties
        return docs

    # -- explanation ----------------------------------------------------------------------------
    def explain(self, text: str, entities: str | None = None, *, top: int = 8) -> dict[str, list[Reason]]:
        """For each duty the text is given, the features that pushed its score most.

        >>> clf = DutyClassifier.load()
        >>> reasons = clf.explain("NATO and KFOR remain the guarantors of security in Kosovo.")
        >>> "nato_security" in reasons
        True
        """
        import numpy as np

        if entities is None:
            entities = _entity_strings([text])[0]
        compiled = self.compiled if self.compiled is not None else _compile(self.model)
        x = compiled.transform([text], [entities]).tocsr()
        scores = compiled.predict_proba([text], [entities])[0]
        names = compiled.feature_names(text, entities)
        out: dict[str, list[Reason]] = {}
        for k, duty in enumerate(DUTIES):
            if scores[k] < self.thresholds[duty]:
                continue
            contrib = x.data * compiled.dense_coef[x.indices, k]
            order = np.argsort(-contrib, kind="stable")[:top]
            out[duty] = [
                Reason(names[int(x.indices[i])], round(float(contrib[i]), 4))
                for i in order
                if contrib[i] > 0 and int(x.indices[i]) in names
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


def _compile(model: Any) -> Any:
    """The inference arrays of an estimator (for models built before ``duties.npz`` existed)."""
    import tempfile

    from .compiled import CompiledModel, export

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / INFERENCE_FILE
        export(model, path, [], [])
        return CompiledModel.load(path)


_CACHE: dict[str, DutyClassifier] = {}


def _load_cached(folder: str) -> DutyClassifier:
    if folder not in _CACHE:
        _CACHE[folder] = _load(Path(folder))
    return _CACHE[folder]


_REBUILD = "Rebuild it with `make model` (or `mfa-nlp train corpus/duties -o models/`)."


def _card(folder: Path, *files: str) -> dict[str, Any]:
    """The model card, after checking that it and ``files`` exist (M001/M002)."""
    rebuild = f"{_REBUILD} Or point {MODEL_ENV} at a folder that has them."
    return read_card(folder, CARD_FILE, *files, code="M", what="duty model", rebuild=rebuild)


def _check_hash(path: Path, expected: Any) -> None:
    check_hash(path, expected, code="M", rebuild=_REBUILD)


def load_estimator(folder: str | os.PathLike[str]) -> Any:
    """The fitted scikit-learn pipeline in ``duties.skops``, loaded without running code from the file.

    Raises:
        ModelError: missing files (M001), a bad card (M002), a hash mismatch (M003), another
            scikit-learn version (M004), not a skops file (M005), untrusted types (M006).
    """
    folder = Path(folder)
    card = _card(folder, MODEL_FILE)
    return load_skops(folder / MODEL_FILE, card, TRUSTED_TYPES, code="M", rebuild=_REBUILD)


def _load(folder: Path) -> DutyClassifier:
    """Thresholds from the card and the inference arrays (hash-checked); the estimator stays on disk."""
    card = _card(folder, MODEL_FILE)
    thresholds = card.get("thresholds") or {}
    missing = [d for d in DUTIES if d not in thresholds]
    if missing:
        raise ModelError(
            f"[M008] {folder / CARD_FILE} has no thresholds for {', '.join(missing)}; rebuild with `make model`."
        )
    _check_hash(folder / MODEL_FILE, card.get("sha256"))
    inference = card.get("inference")
    if not inference:  # a model built before the inference arrays existed: score with the estimator
        return DutyClassifier(load_estimator(folder), thresholds, card, folder=folder)
    from .compiled import CompiledModel

    path = folder / INFERENCE_FILE
    if not path.is_file():
        raise ModelError(f"[M001] no duty model in {folder}: {INFERENCE_FILE} missing; rebuild with `make model`.")
    _check_hash(path, inference.get("sha256"))
    try:
        compiled = CompiledModel.load(path)
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign array file
        raise ModelError(
            f"[M007] {path} could not be read ({type(exc).__name__}: {exc}); rebuild with `make model`."
        ) from exc
    return DutyClassifier(None, thresholds, card, compiled=compiled, folder=folder)


def annotate_docs(docs: list[Document], *, model_dir: str | os.PathLike[str] | None = None) -> list[Document]:
    """Fill passage duties/scores with the (cached) shipped model."""
    return DutyClassifier.load(model_dir).annotate_docs(docs)


def _explain_passage(passage: Passage, *, top: int = 8) -> dict[str, list[Reason]]:
    """``Passage.explain``: the shipped model's reasons for a tagged passage."""
    return DutyClassifier.load().explain_passage(passage, top=top)


register_hook("explain", _explain_passage)


__all__ = [
    "CARD_FILE",
    "INFERENCE_FILE",
    "MODEL_ENV",
    "MODEL_FILE",
    "TRUSTED_TYPES",
    "DutyClassifier",
    "Reason",
    "annotate_docs",
    "default_model_dir",
    "file_sha256",
    "load_estimator",
]
