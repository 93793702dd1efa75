"""The duty model's inference form: plain arrays, scored with numpy, scipy.sparse and mmh3.

Training writes the fitted scikit-learn pipeline twice: ``duties.skops`` (the estimator, for
inspection and retraining) and ``duties.npz`` (this form: the hashing settings, the IDF
vectors, the entity vocabulary and the linear weights of each duty). Tagging needs only the
second, so neither scikit-learn nor skops is imported on the hot path, and the file is loaded
with ``numpy.load(allow_pickle=False)``: no code runs when it is read. The features are
computed exactly as scikit-learn's ``HashingVectorizer`` / ``TfidfTransformer`` /
``TfidfVectorizer`` compute them (MurmurHash3, ``abs(h) % n_features``); :func:`export`
checks the scores against the estimator before the file is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from ..document import DUTIES
from .features import fold

#: Version of the array layout below; a file of another version is refused (rebuild the model).
FORMAT = 1
_WHITE = re.compile(r"\s\s+")


#: Entries kept per cache before it is emptied (words and n-grams repeat: the caches make hashing cheap).
CACHE_SIZE = 300_000


@dataclass(frozen=True)
class HashedText:
    """One hashed text block: word or character n-grams of the folded text, TF-IDF weighted."""

    name: str
    analyzer: str  # "word" or "char_wb"
    ngram_range: tuple[int, int]
    token_pattern: str | None
    n_features: int
    idf: np.ndarray
    weight: float
    sublinear_tf: bool
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def _word_grams(self, word: str) -> list[str]:
        """Character n-grams of one word padded with spaces, as scikit-learn's ``char_wb`` makes them."""
        lo, hi = self.ngram_range
        w = f" {word} "
        out: list[str] = []
        for n in range(lo, hi + 1):
            if len(w) <= n:  # a word no longer than n: counted once, and no longer n-grams
                out.append(w)
                break
            out += [w[i : i + n] for i in range(len(w) - n + 1)]
        return out

    def grams(self, text: str) -> list[str]:
        """The n-grams scikit-learn's analyzer yields for ``text``."""
        text = text.lower()
        if self.analyzer == "char_wb":
            return [g for word in _WHITE.sub(" ", text).split() for g in self._word_grams(word)]
        lo, hi = self.ngram_range
        tokens = re.findall(self.token_pattern or r"(?u)\b\w\w+\b", text)
        out = list(tokens) if lo == 1 else []
        for n in range(max(lo, 2), min(hi + 1, len(tokens) + 1)):
            out += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return out

    def index(self, gram: str) -> int:
        """The hashed column of one n-gram (scikit-learn's ``murmurhash3_32`` with seed 0)."""
        import mmh3

        h = mmh3.hash(gram, 0, signed=True)
        if h == -(2**31):  # abs() would overflow in scikit-learn's C code; it uses this column
            return (2**31 - 1 - (self.n_features - 1)) % self.n_features
        return abs(h) % self.n_features

    def columns(self, text: str) -> list[int]:
        """The hashed columns of every n-gram of ``text``, repeats included (cached per word or gram)."""
        cache = self.cache
        if len(cache) > CACHE_SIZE:
            cache.clear()
        if self.analyzer == "char_wb":
            keys = _WHITE.sub(" ", text.lower()).split()
            hits = list(map(cache.get, keys))
            for i, hit in enumerate(hits):
                if hit is None:
                    hits[i] = cache[keys[i]] = [self.index(g) for g in self._word_grams(keys[i])]
            return list(chain.from_iterable(hits))
        keys = self.grams(text)
        hits = list(map(cache.get, keys))
        for i, hit in enumerate(hits):
            if hit is None:
                hits[i] = cache[keys[i]] = self.index(keys[i])
        return hits

    def matrix(self, texts: Sequence[str]) -> Any:
        """TF-IDF rows (CSR) of this block for the texts, L2-normalised and weighted."""
        from scipy.sparse import csr_matrix

        cols = [self.columns(t) for t in texts]
        lengths = np.fromiter((len(c) for c in cols), dtype=np.int64, count=len(cols))
        rows = np.repeat(np.arange(len(texts)), lengths)
        flat = np.fromiter(chain.from_iterable(cols), dtype=np.int64, count=int(lengths.sum()))
        # COO -> CSR sums repeated n-grams into counts (no sorting needed: the product below takes any order)
        counts = csr_matrix((np.ones(len(flat)), (rows, flat)), shape=(len(texts), self.n_features))
        return _tfidf(counts, self.idf, self.weight, sublinear=self.sublinear_tf)


def _tfidf(counts: Any, idf: np.ndarray, weight: float, *, sublinear: bool) -> Any:
    """TF (log-scaled if ``sublinear``) times IDF, each row L2-normalised, times the block weight."""
    x = counts.tocsr()
    if sublinear:
        x.data = np.log(x.data) + 1.0
    x.data *= idf[x.indices]
    sq = np.bincount(np.repeat(np.arange(x.shape[0]), np.diff(x.indptr)), weights=x.data**2, minlength=x.shape[0])
    norms = np.sqrt(sq)
    norms[norms == 0] = 1.0
    x.data *= weight / np.repeat(norms, np.diff(x.indptr))
    return x


@dataclass(frozen=True)
class EntityVocabulary:
    """The entity-id block: binary tokens, a fixed vocabulary, smoothed IDF, L2 norm."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    weight: float


class CompiledModel:
    """Linear one-vs-rest duty scores from arrays: ``sigmoid(x @ coef.T + intercept)`` per duty."""

    def __init__(self, blocks: list[HashedText], entities: EntityVocabulary, coef: Any, intercept: np.ndarray) -> None:
        self.blocks = blocks
        self.entities = entities
        self.coef = coef  # scipy.sparse CSR, one row per duty
        self.intercept = intercept
        self.offsets = np.cumsum([0, *[b.n_features for b in blocks], len(entities.vocabulary)])

    # -- features -------------------------------------------------------------------------------
    def _blocks(self, texts: Sequence[str], entities: Sequence[str]) -> list[Any]:
        """The CSR feature blocks of the passages: one per hashed text block, then the entity ids."""
        from scipy.sparse import csr_matrix

        folded = [fold(t) for t in texts]
        parts = [block.matrix(folded) for block in self.blocks]
        vocab = self.entities.vocabulary
        ids = [sorted({vocab[t] for t in f"ENT {e}".split() if t in vocab}) for e in entities]
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        rows = np.repeat(np.arange(len(ids)), lengths)
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
        binary = csr_matrix((np.ones(len(flat)), (rows, flat)), shape=(len(ids), len(vocab)))
        parts.append(_tfidf(binary, self.entities.idf, self.entities.weight, sublinear=False))
        return parts

    def transform(self, texts: Sequence[str], entities: Sequence[str]) -> Any:
        """The CSR feature matrix of the passages (the same matrix the scikit-learn pipeline builds)."""
        from scipy.sparse import hstack

        return hstack(self._blocks(texts, entities), format="csr")

    def predict_proba(self, texts: Sequence[str], entities: Sequence[str]) -> np.ndarray:
        """Scores in [0, 1], one row per passage, one column per duty."""
        if not len(texts):
            return np.zeros((0, len(DUTIES)))
        z = np.tile(self.intercept, (len(texts), 1))
        for part, start, stop in zip(self._blocks(texts, entities), self.offsets[:-1], self.offsets[1:], strict=True):
            z += part @ self.dense_coef[start:stop]
        return 1.0 / (1.0 + np.exp(-z))

    @cached_property
    def dense_coef(self) -> np.ndarray:
        """The weights as a dense (features x duties) array: sparse rows times it need no index sorting."""
        return np.ascontiguousarray(self.coef.T.toarray())

    def feature_names(self, text: str, entities: str) -> dict[int, str]:
        """Readable names of a passage's feature columns (the n-grams that hash there)."""
        folded = fold(text)
        names: dict[int, str] = {}
        for block, offset in zip(self.blocks, self.offsets, strict=False):
            for gram in set(block.grams(folded)):
                col = int(offset + block.index(gram))
                names[col] = f"{block.name}: {gram}" if col not in names else f"{names[col]} | {gram}"
        base = int(self.offsets[len(self.blocks)])
        for token in set(entities.split()):
            if token in self.entities.vocabulary:
                names[base + self.entities.vocabulary[token]] = f"ent: {token}"
        return names

    # -- file -----------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> CompiledModel:
        """Read a ``duties.npz`` written by :func:`export` (no pickle: arrays and JSON only)."""
        from scipy.sparse import csr_matrix

        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format") != FORMAT:
                raise ValueError(f"format {meta.get('format')} (this version reads {FORMAT})")
            blocks = [
                HashedText(
                    name=b["name"],
                    analyzer=b["analyzer"],
                    ngram_range=tuple(b["ngram_range"]),
                    token_pattern=b["token_pattern"],
                    n_features=int(b["n_features"]),
                    idf=z[f"idf_{b['name']}"],
                    weight=float(b["weight"]),
                    sublinear_tf=bool(b["sublinear_tf"]),
                )
                for b in meta["blocks"]
            ]
            vocab = [str(t) for t in z["ent_vocabulary"]]
            entities = EntityVocabulary({t: i for i, t in enumerate(vocab)}, z["idf_ent"], float(meta["ent_weight"]))
            coef = csr_matrix((z["coef_data"], z["coef_indices"], z["coef_indptr"]), shape=tuple(z["coef_shape"]))
            return cls(blocks, entities, coef, z["intercept"])


def _linear(estimator: Any) -> tuple[np.ndarray, float]:
    """(coef, intercept) of a binary linear scorer whose probability is ``sigmoid(x @ coef + b)``."""
    if hasattr(estimator, "calibrated_classifiers_"):  # CalibratedClassifierCV(sigmoid, ensemble=False)
        (cal,) = estimator.calibrated_classifiers_
        (sig,) = cal.calibrators
        inner = cal.estimator
        # scikit-learn: p = expit(-(a * f(x) + b)) with f(x) = w.x + c
        w, c = np.ravel(inner.coef_), float(np.ravel(inner.intercept_)[0])
        return -sig.a_ * w, -(sig.a_ * c + sig.b_)
    return np.ravel(estimator.coef_), float(np.ravel(estimator.intercept_)[0])


def export(model: Any, path: Path, texts: Sequence[str], entities: Sequence[str]) -> None:
    """Write the inference arrays of a fitted duty pipeline and check them against it.

    Raises:
        ValueError: the arrays do not reproduce the pipeline's scores on the check passages.
    """
    from scipy.sparse import csr_matrix, vstack

    from .features import to_frame

    features = model.named_steps["features"]
    weights = features.transformer_weights or {}
    blocks, arrays = [], {}
    ent_vocab, ent_idf, ent_weight = [], np.zeros(0), 0.0
    for name, transformer, _ in features.transformers_:
        if name == "remainder":
            continue
        if "hash" in getattr(transformer, "named_steps", {}):
            hasher, tfidf = transformer.named_steps["hash"], transformer.named_steps["tfidf"]
            blocks.append(
                {
                    "name": name,
                    "analyzer": hasher.analyzer,
                    "ngram_range": list(hasher.ngram_range),
                    "token_pattern": hasher.token_pattern,
                    "n_features": hasher.n_features,
                    "weight": float(weights.get(name, 1.0)),
                    "sublinear_tf": bool(tfidf.sublinear_tf),
                }
            )
            arrays[f"idf_{name}"] = np.asarray(tfidf.idf_, dtype=np.float64)
        else:
            order = sorted(transformer.vocabulary_.items(), key=lambda kv: kv[1])
            ent_vocab = [t for t, _ in order]
            ent_idf = np.asarray(transformer.idf_, dtype=np.float64)
            ent_weight = float(weights.get(name, 1.0))
    pairs = [_linear(e) for e in model.named_steps["classifier"].estimators_]
    coef = vstack([csr_matrix(c) for c, _ in pairs]).tocsr()
    coef.eliminate_zeros()
    meta = {"format": FORMAT, "blocks": blocks, "ent_weight": ent_weight, "duties": list(DUTIES)}
    with path.open("wb") as fh:
        np.savez_compressed(
            fh,
            meta=np.asarray(json.dumps(meta)),
            ent_vocabulary=np.asarray(ent_vocab, dtype=str),
            idf_ent=ent_idf,
            coef_data=coef.data,
            coef_indices=coef.indices,
            coef_indptr=coef.indptr,
            coef_shape=np.asarray(coef.shape),
            intercept=np.asarray([b for _, b in pairs]),
            **arrays,
        )
    if not len(texts):
        return
    compiled = CompiledModel.load(path)
    ours = compiled.predict_proba(texts, entities)
    theirs = np.asarray(model.predict_proba(to_frame(texts, entities)))
    gap = float(np.max(np.abs(ours - theirs))) if len(ours) else 0.0
    if gap > 1e-6:
        path.unlink()
        raise ValueError(f"the inference arrays differ from the estimator by {gap:.2e}")
