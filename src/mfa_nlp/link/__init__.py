"""Link translations: one ``statement_id`` for the versions of one statement in en, sq and sr.

Documents are compared only with documents of the same day or the next (blocking by date,
so the work grows with the archive, not with its square). Each candidate pair gets
the features of :mod:`.features`; a small logistic regression trained on the team's pairs
(``corpus/links``, :mod:`.train`) scores it, and the pairs above the threshold (chosen by
cross-validation, in the model card) are merged into statements by average-link clustering
with two guards against chaining: a merge needs the mean score over all pairs of the two
groups to pass the threshold, and two versions in one language only share a statement
when they are linked directly (a duplicate).

The scorer ships as ``models/link.skops`` with its card ``models/link.json``; it is
loaded like the duty model: sha256 checked against the card, the scikit-learn version
checked, and only the types in :data:`TRUSTED_TYPES` accepted.

>>> result = link_records("out/samples.jsonl", "out/links.jsonl")  # doctest: +SKIP
>>> result["documents"], result["statements"]  # doctest: +SKIP
(22, 17)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from .features import FEATURES, Profile, evidence, pair_features, profile

MODEL_FILE = "link.skops"
CARD_FILE = "link.json"
#: Types the scorer file may contain beyond skops' defaults; anything else is refused.
TRUSTED_TYPES: tuple[str, ...] = (
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "sklearn.linear_model._logistic.LogisticRegression",
)
#: Pairs scored at least this fraction of the threshold are kept for the average-link guard.
FLOOR = 0.5
#: Most versions one statement may have (three languages, two scripts, a duplicate or two).
MAX_VERSIONS = 6
#: Days after a document within which its versions are looked for (late translations: +1).
WINDOW_DAYS = 1


def statement_id(doc_id: str) -> str:
    """The statement id named after one member's document id.

    >>> statement_id("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    'st-ba7816bf8f01cfea'
    """
    return "st-" + doc_id[:16]


class LinkScorer:
    """The fitted pair scorer and its threshold.

    Args:
        model: a fitted scikit-learn classifier over :data:`FEATURES` (``predict_proba``).
        threshold: the score from which a pair is a link.
        card: the model card (metrics, versions); optional.
    """

    def __init__(self, model: Any, threshold: float, card: dict[str, Any] | None = None) -> None:
        self.model = model
        self.threshold = float(threshold)
        self.card = card or {}
        self._coef = np.asarray(model.coef_, dtype=float).ravel()
        self._intercept = float(np.asarray(model.intercept_).ravel()[0])

    def score(self, x: np.ndarray) -> np.ndarray:
        """Link probability per feature row (the logistic regression, evaluated with numpy)."""
        if not len(x):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(x @ self._coef + self._intercept)))

    @classmethod
    def load(cls, model_dir: str | os.PathLike[str] | None = None) -> LinkScorer:
        """Load ``link.skops`` + ``link.json`` (default: the shipped model folder), safely.

        Raises:
            ModelError: missing files, hash mismatch, other scikit-learn, untrusted types.
        """
        from ..duties import default_model_dir

        folder = Path(model_dir) if model_dir is not None else default_model_dir()
        key = str(folder.resolve())
        if key not in _CACHE:
            _CACHE[key] = _load(folder)
        return _CACHE[key]


_CACHE: dict[str, LinkScorer] = {}


def _load(folder: Path) -> LinkScorer:
    from ..safeio import load_skops, read_card

    rebuild = "Rebuild it with `make link-model` (or `mfa-nlp train-link corpus/links -o models/`)."
    card = read_card(folder, CARD_FILE, MODEL_FILE, code="L", what="link scorer", rebuild=rebuild)
    if card.get("features") != list(FEATURES):
        raise ModelError(f"[L008] {folder / CARD_FILE} lists other features than this version computes; rebuild it.")
    model = load_skops(folder / MODEL_FILE, card, TRUSTED_TYPES, code="L", rebuild=rebuild)
    return LinkScorer(model, float(card["threshold"]), card)


# --- candidates and clustering ------------------------------------------------------------------
def candidate_pairs(profiles: list[Profile]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Blocks of candidate pairs (global index arrays ``a``, ``b`` and their features) of in-memory profiles.

    Pairs are documents of the same day, or one day apart; undated documents have no candidates.
    """
    days: dict[int, list[int]] = {}
    for k, p in enumerate(profiles):
        if p.day is not None:
            days.setdefault(p.day, []).append(k)
    for day in sorted(days):
        here = days[day]
        later = [k for d in range(day + 1, day + WINDOW_DAYS + 1) for k in days.get(d, ())]
        yield _block(here, later, [profiles[k] for k in here], [profiles[k] for k in here + later])


def _block(here: list[int], later: list[int], left: list[Profile], right: list[Profile]):
    n, m = len(here), len(here) + len(later)
    ii, jj = np.triu_indices(n, k=1, m=m)
    x = pair_features(left, right, ii, jj)
    glob = np.array(here + later)
    return glob[ii], glob[jj], x


class _Clusters:
    """Guarded average-link clustering over scored pairs (union-find with member lists)."""

    def __init__(self, n: int | list[int], langs: Any, threshold: float) -> None:
        # ``n`` documents 0..n-1 (an array), or the given document numbers of one group (a dict).
        self.parent: Any = np.arange(n) if isinstance(n, int) else {k: k for k in n}
        self.members: dict[int, list[int]] = {}
        self.langs = langs
        self.threshold = threshold
        self.scores: dict[tuple[int, int], float] = {}

    def find(self, k: int) -> int:
        root = k
        while self.parent[root] != root:
            root = int(self.parent[root])
        while self.parent[k] != root:
            self.parent[k], k = root, int(self.parent[k])
        return root

    def add(self, a: int, b: int, s: float) -> None:
        self.scores[(min(a, b), max(a, b))] = s

    def run(self) -> None:
        for (a, b), s in sorted(self.scores.items(), key=lambda kv: (-kv[1], kv[0])):
            if s < self.threshold:
                break
            ra, rb = self.find(a), self.find(b)
            if ra == rb:
                continue
            ma, mb = self.members.get(ra, [ra]), self.members.get(rb, [rb])
            if len(ma) + len(mb) > MAX_VERSIONS or not self._mergeable(ma, mb):
                continue
            root, other = (ra, rb) if ra < rb else (rb, ra)
            self.parent[other] = root
            self.members[root] = sorted(ma + mb)
            self.members.pop(other, None)

    def _mergeable(self, ma: list[int], mb: list[int]) -> bool:
        total = 0.0
        for x in ma:
            for y in mb:
                s = self.scores.get((min(x, y), max(x, y)), 0.0)
                if self.langs[x] == self.langs[y] and s < self.threshold:
                    return False  # two versions in one language: only as direct duplicates
                total += s
        return total / (len(ma) * len(mb)) >= self.threshold


def cluster_profiles(profiles: list[Profile], scorer: LinkScorer) -> tuple[list[str], list[list[dict[str, Any]]]]:
    """Statement ids and links (with score and evidence) of in-memory profiles, in their order.

    >>> ids, links = cluster_profiles([profile(r) for r in records], LinkScorer.load())  # doctest: +SKIP
    """
    clusters = _Clusters(len(profiles), [p.lang for p in profiles], scorer.threshold)
    for a, b, x in candidate_pairs(profiles):
        s = scorer.score(x)
        for k in np.flatnonzero(s >= FLOOR * scorer.threshold):
            clusters.add(int(a[k]), int(b[k]), float(s[k]))
    clusters.run()
    return _assign(clusters, lambda k: profiles[k])


def _assign(clusters: _Clusters, get: Any) -> tuple[list[str], list[list[dict[str, Any]]]]:
    n = len(clusters.parent)
    roots = [clusters.find(k) for k in range(n)]
    names: dict[int, str] = {}
    for root, members in clusters.members.items():
        first = min(members, key=lambda k: (get(k).day or 0, get(k).id))
        names[root] = statement_id(get(first).id)
    ids = [names.get(roots[k]) or statement_id(get(k).id) for k in range(n)]
    links: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for (a, b), s in clusters.scores.items():
        if s >= clusters.threshold and roots[a] == roots[b]:
            pa, pb = get(a), get(b)
            ev = evidence(pa, pb)
            links[a].append({"id": pb.id, "lang": pb.lang, "score": round(s, 4), **ev})
            links[b].append({"id": pa.id, "lang": pa.lang, "score": round(s, 4), **ev})
    for row in links:
        row.sort(key=lambda link: (-link["score"], link["id"]))
    return ids, links


# --- files ----------------------------------------------------------------------------------------
def _offsets(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as fh:
        while True:
            pos = fh.tell()
            line = fh.readline()
            if not line:
                return
            if line.strip():
                try:
                    yield pos, json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line of a killed run


def link_records(
    records: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    in_place: bool = False,
    es_bulk: str | os.PathLike[str] | None = None,
    index_name: str = "mfa-statements",
    model_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Link a tagged JSONL file: write ``output`` (one line per document) and/or add the fields in place.

    Each output line is ``{"id", "source", "lang", "date", "statement_id", "links": [...]}``, a
    link being ``{"id", "lang", "score", "days_apart", "shared": {...}}``. With ``in_place`` every
    record gains ``statement_id`` and ``links`` (the file is rewritten atomically); ``es_bulk`` writes the
    linked records as Elasticsearch/OpenSearch bulk NDJSON. Memory stays flat: records are read day
    by day through their file offsets; a group of linked documents is clustered as soon as no later
    day can reach it (candidates are at most a day apart), its statement id and links go to a
    temporary file, and only a few numbers per document stay in memory.

    Returns counts: documents, statements, multilingual statements, links.

    >>> link_records("out/samples.jsonl", "out/links.jsonl")  # doctest: +SKIP
    """
    path = Path(records)
    scorer = LinkScorer.load(model_dir)
    threshold = scorer.threshold
    floor = FLOOR * threshold
    # Pass 1: where each record starts, its day and language. About 20 bytes a document.
    offsets_l: list[int] = []
    days_l: list[int] = []
    lang_codes: dict[str, int] = {}
    langs_l: list[int] = []
    for pos, rec in _offsets(path):
        offsets_l.append(pos)
        days_l.append(_day(rec.get("date")))
        langs_l.append(lang_codes.setdefault(rec.get("lang") or "?", len(lang_codes)))
    n = len(offsets_l)
    offsets = np.array(offsets_l, dtype=np.int64)
    day_arr = np.array(days_l, dtype=np.int64)
    lang_arr = np.array(langs_l, dtype=np.int32)
    del offsets_l, days_l, langs_l
    order = np.argsort(day_arr, kind="stable")
    sorted_days = day_arr[order]
    # Open groups: union-find over the pairs above the threshold, among documents that still have pairs.
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    maxday: dict[int, int] = {}
    adj: dict[int, list[tuple[int, float]]] = {}  # pairs above the floor, per document
    kept: dict[int, Profile] = {}  # profiles of documents in open groups (for names and evidence)
    counts = {"documents": n, "statements": n, "multilingual": 0, "links": 0}

    def find(k: int) -> int:
        root = k
        while parent[root] != root:
            root = parent[root]
        while parent[k] != root:
            parent[k], k = root, parent[k]
        return root

    with tempfile.TemporaryDirectory() as tmp:
        results_path = Path(tmp) / "results.jsonl"
        res_off = np.full(n, -1, dtype=np.int64)
        with results_path.open("w+b") as res:

            def close(root: int) -> None:
                group = members.pop(root)
                maxday.pop(root, None)
                gset = set(group)
                scores: dict[tuple[int, int], float] = {}
                for k in group:
                    for other, s in adj.pop(k, ()):
                        if other in gset:
                            scores[(k, other) if k < other else (other, k)] = s
                    parent.pop(k, None)
                profiles = {k: kept.pop(k) for k in group}
                if len(group) < 2:
                    return
                langs = {k: int(lang_arr[k]) for k in group}
                clusters = _Clusters(group, langs, threshold)
                clusters.scores = scores
                clusters.run()
                roots = {k: clusters.find(k) for k in group}
                names: dict[int, str] = {}
                for r, ms in clusters.members.items():
                    first = min(ms, key=lambda k: (int(day_arr[k]), profiles[k].id))
                    names[r] = statement_id(profiles[first].id)
                    counts["statements"] -= len(ms) - 1
                    if len({langs[k] for k in ms}) > 1:
                        counts["multilingual"] += 1
                links: dict[int, list[dict[str, Any]]] = {}
                for (a, b), s in scores.items():
                    if s >= threshold and roots[a] == roots[b]:
                        pa, pb = profiles[a], profiles[b]
                        ev = evidence(pa, pb)
                        links.setdefault(a, []).append({"id": pb.id, "lang": pb.lang, "score": round(s, 4), **ev})
                        links.setdefault(b, []).append({"id": pa.id, "lang": pa.lang, "score": round(s, 4), **ev})
                        counts["links"] += 1
                for k in sorted(roots):
                    name = names.get(roots[k])
                    if name is None:
                        continue
                    row = links.get(k, [])
                    row.sort(key=lambda link: (-link["score"], link["id"]))
                    res_off[k] = res.tell()
                    res.write(json.dumps([name, row], ensure_ascii=False).encode("utf-8") + b"\n")

            # Pass 2: day by day (a window of two days in memory), score the candidates, close finished groups.
            with path.open("rb") as fh:
                cache: dict[int, list[tuple[int, Profile]]] = {}

                def load_day(day: int) -> list[tuple[int, Profile]]:
                    if day not in cache:
                        lo, hi = np.searchsorted(sorted_days, [day, day + 1])
                        rows = []
                        for k in order[lo:hi].tolist():
                            fh.seek(int(offsets[k]))
                            rows.append((k, profile(json.loads(fh.readline()))))
                        cache[day] = rows
                    return cache[day]

                for day in np.unique(day_arr).tolist():
                    if day < 0:
                        continue
                    here = load_day(day)
                    later = [row for d in range(day + 1, day + WINDOW_DAYS + 1) for row in load_day(d)]
                    a, b, x = _block([k for k, _ in here], [k for k, _ in later], [p for _, p in here],
                                     [p for _, p in here + later])  # fmt: skip
                    s = scorer.score(x)
                    keep = np.flatnonzero(s >= floor)
                    if len(keep):
                        both = dict(here + later)
                        for ka, kb, sk in zip(a[keep].tolist(), b[keep].tolist(), s[keep].tolist(), strict=True):
                            for k in (ka, kb):
                                if k not in parent:
                                    parent[k] = k
                                    members[k] = [k]
                                    maxday[k] = int(day_arr[k])
                                    kept[k] = both[k]
                            adj.setdefault(ka, []).append((kb, sk))
                            adj.setdefault(kb, []).append((ka, sk))
                            if sk >= threshold:
                                ra, rb = find(ka), find(kb)
                                if ra != rb:
                                    if len(members[ra]) < len(members[rb]):
                                        ra, rb = rb, ra
                                    parent[rb] = ra
                                    members[ra].extend(members.pop(rb))
                                    maxday[ra] = max(maxday[ra], maxday.pop(rb))
                    # Groups with no document after this day are complete: no later pair can reach them.
                    for k, _ in here:
                        if k in parent:
                            r = find(k)
                            if maxday[r] <= day:
                                close(r)
                    for d in [d for d in cache if d <= day]:
                        del cache[d]
            for r in list(members):  # every group closed on its last day; this only guards that
                if r in members:
                    close(r)

            # Pass 3: write, in the input's order.
            def rows() -> Iterator[tuple[dict[str, Any], str, list[dict[str, Any]]]]:
                res.flush()
                with results_path.open("rb") as rf:
                    for k, (_, rec) in enumerate(_offsets(path)):
                        at = int(res_off[k])
                        if at >= 0:
                            rf.seek(at)
                            sid, rec_links = json.loads(rf.readline())
                            yield rec, sid, rec_links
                        else:
                            yield rec, statement_id(rec.get("id", "")), []

            targets: list[tuple[Path, bool]] = []
            if output is not None:
                targets.append((Path(output), False))
            if in_place:
                targets.append((path, True))
            bulk_source = None
            if es_bulk is not None and not in_place:
                bulk_source = Path(es_bulk).with_name(f".{Path(es_bulk).name}.{os.getpid()}.records.jsonl")
                targets.append((bulk_source, True))
            for target, full in targets:
                tmp_path = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                with tmp_path.open("w", encoding="utf-8") as out:
                    for rec, sid, rec_links in rows():
                        if full:
                            rec["statement_id"] = sid
                            rec["links"] = rec_links
                            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                        else:
                            line = {k: rec.get(k) for k in ("id", "source", "lang", "date")}
                            out.write(json.dumps(line | {"statement_id": sid, "links": rec_links},
                                                 ensure_ascii=False) + "\n")  # fmt: skip
                os.replace(tmp_path, target)
    if es_bulk is not None:
        from ..export import write_es_bulk

        write_es_bulk(path if in_place else bulk_source, es_bulk, index_name=index_name)
        if bulk_source is not None:
            bulk_source.unlink()
    return counts


def _day(date: Any) -> int:
    try:
        return dt.date.fromisoformat(date).toordinal() if date else -1
    except (TypeError, ValueError):
        return -1


def link_documents(docs: Iterable[Any], *, model_dir: str | os.PathLike[str] | None = None) -> list[Any]:
    """Set ``statement_id`` (and ``links``) on Documents in memory and return them.

    >>> docs = link_documents(mfa_nlp.load_records("out/samples.jsonl"))  # doctest: +SKIP
    """
    docs = list(docs)
    ids, links = cluster_profiles([profile(d.to_dict()) for d in docs], LinkScorer.load(model_dir))
    for doc, sid, rec_links in zip(docs, ids, links, strict=True):
        doc.statement_id = sid
        doc.links = rec_links
    return docs


__all__ = [
    "CARD_FILE",
    "FEATURES",
    "MODEL_FILE",
    "TRUSTED_TYPES",
    "LinkScorer",
    "candidate_pairs",
    "cluster_profiles",
    "link_documents",
    "link_records",
    "profile",
    "statement_id",
]
