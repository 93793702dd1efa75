"""Benchmark the duty classifier: passages/s on one core (entity stage excluded) and model load time.

Run: .venv/bin/python bench/duties.py [--repeat 20]
Goals (issue 4): >= 5,000 passages/s, load < 0.5 s.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10, help="passes over the corpus texts")
    args = parser.parse_args()

    from mfa_nlp.duties import DutyClassifier, _load, default_model_dir

    folder = default_model_dir()
    t0 = time.perf_counter()
    _load(folder)  # uncached: the real cost of a first load
    load_s = time.perf_counter() - t0
    clf = DutyClassifier.load(folder)

    texts: list[str] = []
    for path in sorted((ROOT / "corpus" / "duties").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    clf.predict(texts[:100])  # warm-up
    batch = texts * args.repeat
    t0 = time.perf_counter()
    for i in range(0, len(batch), 2000):
        clf.predict(batch[i : i + 2000])
    elapsed = time.perf_counter() - t0
    words = sum(len(t.split()) for t in batch)
    print(f"model load            {load_s:8.3f} s   (goal < 0.5 s)")
    print(f"classification        {len(batch) / elapsed:8.0f} passages/s on one core (goal >= 5,000)")
    print(f"                      {words / elapsed:8.0f} words/s; {len(batch)} passages, mean {words / len(batch):.0f} words")


if __name__ == "__main__":
    main()
