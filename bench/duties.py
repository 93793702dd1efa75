"""Benchmark the duty classifier: passages/s on one core (entity stage excluded) and model load time.

Run: .venv/bin/python bench/duties.py [--repeat 20]
Goals (issues 4 and 10): >= 5,000 passages/s, load < 0.5 s.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10, help="passes over the corpus texts")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from mfa_nlp.duties import DutyClassifier, _load, default_model_dir, load_estimator

    import_s = time.perf_counter() - t0
    folder = default_model_dir()
    t0 = time.perf_counter()
    _load(folder)  # uncached: the real cost of a first load (hash checks, inference arrays)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_estimator(folder)  # the scikit-learn estimator: only explain/retraining tools need it
    estimator_s = time.perf_counter() - t0
    clf = DutyClassifier.load(folder)

    from mfa_nlp.duties.corpus import add_entities, read_corpus

    rows = read_corpus(ROOT / "corpus" / "duties")
    add_entities(rows)  # the entity stage is excluded from the timing
    texts = [r.text for r in rows]
    ents = [r.entities for r in rows]
    clf.predict(texts[:100], ents[:100])  # warm-up
    batch = texts * args.repeat
    batch_ents = ents * args.repeat
    t0 = time.perf_counter()
    for i in range(0, len(batch), 2000):
        clf.predict(batch[i : i + 2000], batch_ents[i : i + 2000])
    elapsed = time.perf_counter() - t0
    words = sum(len(t.split()) for t in batch)
    print(f"import mfa_nlp.duties {import_s:8.3f} s")
    print(f"model load            {load_s:8.3f} s   (goal < 0.5 s: hash checks and the inference arrays)")
    print(f"estimator load        {estimator_s:8.3f} s   (scikit-learn + skops with the type audit; not used to tag)")
    print(f"classification        {len(batch) / elapsed:8.0f} passages/s on one core (goal >= 5,000)")
    mean = words / len(batch)
    print(f"                      {words / elapsed:8.0f} words/s; {len(batch)} passages, mean {mean:.0f} words")

if __name__ == "__main__":
    main()
