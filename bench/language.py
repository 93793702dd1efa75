"""Language detection: accuracy on the team's test set (ours vs plain langdetect) and speed.

Run: ``.venv/bin/python bench/language.py`` (add ``--errors`` to list the misses).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from mfa_nlp.language import _WORD, MIN_LETTERS, detect, plain_langdetect

TESTSET = Path(__file__).resolve().parent.parent / "tests" / "data" / "language_testset.jsonl"


def main(show_errors: bool = False) -> None:
    rows = [json.loads(line) for line in TESTSET.read_text(encoding="utf-8").splitlines() if line.strip()]
    detect(rows[0]["text"])  # load profiles outside the timing
    start = time.perf_counter()
    ours = [detect(r["text"]) for r in rows]
    elapsed = time.perf_counter() - start
    plain = [plain_langdetect(r["text"]) for r in rows]
    groups: dict[str, Counter[str]] = {}
    for r, o, p in zip(rows, ours, plain, strict=True):
        key = f"{r['lang']}-{r['script']}"
        c = groups.setdefault(key, Counter())
        c["n"] += 1
        c["short"] += len(r["text"]) < 60
        c["ours"] += o.lang == r["lang"]
        c["script"] += o.script == r["script"]
        c["plain"] += p == r["lang"]
        c[f"plain:{p}"] += 1
        if show_errors and o.lang != r["lang"]:
            print(f"MISS {r['lang']}->{o.lang} (plain {p}): {r['text']}")
    print(f"{'group':10} {'n':>4} {'short':>5} {'ours':>7} {'plain':>7} {'script':>7}  plain langdetect said")
    core = Counter()
    for key, c in groups.items():
        said = ", ".join(f"{k[6:]}:{v}" for k, v in c.most_common() if k.startswith("plain:"))
        print(
            f"{key:10} {c['n']:4} {c['short']:5} {c['ours'] / c['n']:7.3f} {c['plain'] / c['n']:7.3f} "
            f"{c['script'] / c['n']:7.3f}  {said}"
        )
        if key.split("-")[0] in {"en", "sq", "sr"}:
            core.update({k: c[k] for k in ("n", "ours", "plain")})
    print(f"en/sq/sr   {core['n']:4}       {core['ours'] / core['n']:7.3f} {core['plain'] / core['n']:7.3f}")
    # Where langdetect alone becomes unreliable: accuracy by letters, on rows it has a profile for.
    buckets: dict[str, list[int]] = {}
    for r, p in zip(rows, plain, strict=True):
        if r["lang"] == "sr":
            continue
        n = sum(len(w) for w in _WORD.findall(r["text"]))
        b = buckets.setdefault(f"< {MIN_LETTERS} letters" if n < MIN_LETTERS else f">= {MIN_LETTERS} letters", [0, 0])
        b[0] += 1
        b[1] += p == r["lang"]
    print("plain langdetect by length:", {k: f"{v[1] / v[0]:.3f} (n={v[0]})" for k, v in sorted(buckets.items())})
    print(f"speed: {len(rows) / elapsed:,.0f} passages/s ({len(rows)} passages, {elapsed * 1000:.0f} ms)")


if __name__ == "__main__":
    main("--errors" in sys.argv)
