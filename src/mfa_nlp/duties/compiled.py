"""The duty model's inference form: plain arrays, scored with numpy and mmh3.

Training writes the fitted scikit-learn pipeline twice: ``duties.skops`` (the estimator, for
inspection and retraining) and ``duties.npz`` (this form: the hashing settings, the IDF
vectors, the entity vocabulary and the linear weights of each duty). Tagging needs only the
second, so neither scikit-learn, skops nor scipy is imported on the hot path, and the file is loaded
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
            return [g for word in text.split() for g in self._word_grams(word)]
        lo, hi = self.ngram_range
        tokens = self._token_re.findall(text)
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

    def _keys(self, text: str) -> list[str]:
        """What the column cache is keyed by: words (``char_wb``; their n-grams are cached together) or n-grams."""
        text = text.lower()
        if self.analyzer == "char_wb":
            return text.split()  # scikit-learn collapses runs of white space, then splits on it: the same words
        if self.ngram_range == (1, 2):  # the shipped model's word block: the common case, made fast
            tokens = self._token_re.findall(text)
            return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
        return self.grams(text)

    @cached_property
    def _token_re(self) -> re.Pattern[str]:
        return re.compile(self.token_pattern or r"(?u)\b\w\w+\b")

    def _miss(self, key: str) -> Any:
        """The column(s) of a key not in the cache, computed and cached."""
        if len(self.cache) > CACHE_SIZE:
            self.cache.clear()
        if self.analyzer == "char_wb":
            value: Any = np.array([self.index(g) for g in self._word_grams(key)], dtype=np.int64)
        else:
            value = self.index(key)
        self.cache[key] = value
        return value

    def columns(self, text: str) -> np.ndarray:
        """The hashed columns of every n-gram of ``text``, repeats included (cached per word or n-gram)."""
        return self._columns([text])[1]

    def _columns(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(n-grams per text, their hashed columns concatenated in text order)."""
        cache, miss = self.cache, self._miss
        hits: list[Any] = []
        lengths: list[int] = []
        for text in texts:
            keys = self._keys(text)
            try:
                found = [cache[k] for k in keys]
            except KeyError:
                found = [cache[k] if k in cache else miss(k) for k in keys]
            hits += found
            lengths.append(sum(map(len, found)) if self.analyzer == "char_wb" else len(found))
        if self.analyzer == "char_wb":
            flat = np.concatenate(hits) if hits else np.zeros(0, dtype=np.int64)
        else:
            flat = np.array(hits, dtype=np.int64)
        return np.array(lengths, dtype=np.int64), flat

    def entries(self, texts: Sequence[str]) -> Entries:
        """The non-zero TF-IDF entries of this block for the texts: L2-normalised rows, times the weight."""
        lengths, flat = self._columns(texts)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        return _tfidf(rows, flat, len(texts), self.n_features, self.idf, self.weight, sublinear=self.sublinear_tf)

    def matrix(self, texts: Sequence[str]) -> Any:
        """TF-IDF rows (CSR) of this block for the texts, L2-normalised and weighted."""
        return self.entries(texts).csr(len(texts), self.n_features)


@dataclass(frozen=True)
class Entries:
    """Non-zero entries of a feature block, sorted by (row, column): a CSR matrix without scipy."""

    rows: np.ndarray
    cols: np.ndarray
    data: np.ndarray

    def csr(self, n_rows: int, n_cols: int) -> Any:
        from scipy.sparse import csr_matrix

        return csr_matrix((self.data, (self.rows, self.cols)), shape=(n_rows, n_cols))

    def scores(self, weights: np.ndarray, n_rows: int) -> np.ndarray:
        """``X @ weights`` (rows x duties) for this block's columns of the weight matrix."""
        out = np.zeros((n_rows, weights.shape[1]))
        if len(self.rows):
            starts = np.flatnonzero(np.r_[True, self.rows[1:] != self.rows[:-1]])
            contrib = weights.take(self.cols, axis=0)  # (take is several times faster than fancy indexing here)
            contrib *= self.data[:, None]
            out[self.rows[starts]] = np.add.reduceat(contrib, starts, axis=0)
        return out


def _tfidf(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, idf: np.ndarray, weight: float, *, sublinear: bool
) -> Entries:
    """Counts of the (row, column) pairs: TF (log-scaled if ``sublinear``) times IDF, rows L2-normalised, weighted."""
    keys, counts = np.unique(rows * n_cols + cols, return_counts=True)
    rows, cols = np.divmod(keys, n_cols)
    data = counts.astype(np.float64)
    if sublinear:
        data = np.log(data) + 1.0
    data *= idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=data**2, minlength=n_rows))
    norms[norms == 0] = 1.0
    data *= weight / norms[rows]
    return Entries(rows, cols, data)


@dataclass(frozen=True)
class EntityVocabulary:
    """The entity-id block: binary tokens, a fixed vocabulary, smoothed IDF, L2 norm."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    weight: float


class CompiledModel:
    """Linear one-vs-rest duty scores from arrays: ``sigmoid(x @ coef.T + intercept)`` per duty."""

    def __init__(
        self, blocks: list[HashedText], entities: EntityVocabulary, dense_coef: np.ndarray, intercept: np.ndarray
    ) -> None:
        self.blocks = blocks
        self.entities = entities
        self.dense_coef = dense_coef  # (features x duties): one column of weights per duty
        self.intercept = intercept
        self.offsets = np.cumsum([0, *[b.n_features for b in blocks], len(entities.vocabulary)])

    # -- features -------------------------------------------------------------------------------
    def _blocks(self, texts: Sequence[str], entities: Sequence[str]) -> list[Entries]:
        """The feature blocks of the passages: one per hashed text block, then the entity ids."""
        folded = [fold(t) for t in texts]
        parts = [block.entries(folded) for block in self.blocks]
        vocab = self.entities.vocabulary
        ids = [{vocab[t] for t in f"ENT {e}".split() if t in vocab} for e in entities]  # binary: each id once
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        rows = np.repeat(np.arange(len(ids), dtype=np.int64), lengths)
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
        parts.append(_tfidf(rows, flat, len(ids), len(vocab), self.entities.idf, self.entities.weight, sublinear=False))
        return parts

    def transform(self, texts: Sequence[str], entities: Sequence[str]) -> Any:
        """The CSR feature matrix of the passages (the same matrix the scikit-learn pipeline builds)."""
        from scipy.sparse import hstack

        sizes = np.diff(self.offsets)
        return hstack(
            [part.csr(len(texts), int(n)) for part, n in zip(self._blocks(texts, entities), sizes, strict=True)],
            format="csr",
        )

    def predict_proba(self, texts: Sequence[str], entities: Sequence[str]) -> np.ndarray:
        """Scores in [0, 1], one row per passage, one column per duty (numpy only: no scipy import)."""
        if not len(texts):
            return np.zeros((0, len(DUTIES)))
        z = np.tile(self.intercept, (len(texts), 1))
        for part, start, stop in zip(self._blocks(texts, entities), self.offsets[:-1], self.offsets[1:], strict=True):
            z += part.scores(self.dense_coef[start:stop], len(texts))
        return 1.0 / (1.0 + np.exp(-z))

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
            n_duties, n_features = (int(n) for n in z["coef_shape"])
            indptr, indices, data = z["coef_indptr"], z["coef_indices"], z["coef_data"]
            # one row of weights per duty (stored sparse) -> a dense (features x duties) array
            coef = np.zeros((n_features, n_duties))
            for k in range(n_duties):
                coef[indices[indptr[k] : indptr[k + 1]], k] = data[indptr[k] : indptr[k + 1]]
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
