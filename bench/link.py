"""Linking speed and memory on synthetic archives: ``mfa-nlp link`` on 10,000 and 100,000 records.

Records are generated (seeded) in the shape ``mfa-nlp tag`` writes: about a third of the
statements exist in three languages, a third in two, a third in one; dates spread over
2008-2025 with busy days; entity ids, numbers, names and duty scores drawn so that versions of
one statement share most of them. Each size runs in a fresh process, which reports its time
and peak RSS (the generated file is written first and not timed).

Usage: ``.venv/bin/python bench/link.py [--docs 10000 100000]``
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STATES = ["DEU", "USA", "SRB", "ALB", "FRA", "ITA", "GBR", "MNE", "MKD", "BRB", "ISR", "UKR", "RUS", "TUR", "JPN"]
ORGS = ["EU", "NATO", "UN", "OSCE", "COE", "KFOR", "EULEX", "EC", "EP", "CEFTA"]
VALUES = ["democracy", "peace", "security", "rule_of_law", "human_rights", "sovereignty", "cooperation"]
DUTIES = ["sovereignty", "recognition", "eu_integration", "nato_security", "regional_dialogue",
          "strategic_partners", "global_agenda"]  # fmt: skip
WORDS = {
    "en": "the ministry welcomes decision government support cooperation today minister said partners region".split(),
    "sq": "ministria mirëpret vendimin qeverisë mbështetje bashkëpunim sot ministri tha partnerët rajonin".split(),
    "sr": "ministarstvo pozdravlja odluku vlade podršku saradnju danas ministar rekao partneri region".split(),
}
NAMES = ["Pacolli", "Haradinaj", "Borrell", "Lajčák", "Merkel", "Baerbock", "Blinken", "Osmani", "Kurti", "Hoxhaj"]


def generate(path: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    start = 733_000  # 2007-11
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < n:
            day = start + int(rng.random() ** 0.8 * 6400)
            states = rng.sample(STATES, rng.randint(1, 3))
            orgs = rng.sample(ORGS, rng.randint(0, 2))
            values = rng.sample(VALUES, rng.randint(0, 2))
            nums = [str(rng.randint(2, 5000)) for _ in range(rng.randint(0, 3))]
            names = rng.sample(NAMES, rng.randint(0, 2))
            duty = rng.randrange(len(DUTIES))
            for lang in rng.sample(["en", "sq", "sr"], rng.choice([1, 2, 3])):
                if written >= n:
                    break
                d = day + (1 if rng.random() < 0.1 else 0)
                words = rng.choices(WORDS[lang], k=rng.randint(60, 160))
                text = " ".join(words[:20] + names + words[20:40] + nums + words[40:])
                scores = {k: round(rng.random() * 0.3 + (0.6 if i == duty else 0), 4) for i, k in enumerate(DUTIES)}
                date = f"{2008 + (d - 733_408) // 365:04d}-{1 + (d % 12):02d}-{1 + (d % 28):02d}"
                rec = {
                    "id": f"{rng.getrandbits(128):032x}{written:032x}", "source": f"synthetic/{written}.html",
                    "format": "html", "title": None, "date": date, "place": None, "lang": lang, "script": "Latn",
                    "passages": [{"index": 0, "text": text, "lang": lang, "script": "Latn", "entities": [],
                                  "duties": [DUTIES[duty]], "scores": scores, "kind": "paragraph"}],
                    "entities": {"STATE": sorted(states), "ORG": sorted(orgs), "VALUE": sorted(values)},
                    "duties": [DUTIES[duty]], "pipeline": {"version": "bench", "model": "bench"},
                }  # fmt: skip
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                written += 1


def child(path: str) -> None:
    from mfa_nlp.link import LinkScorer, link_records

    LinkScorer.load()  # scikit-learn import and model load are not the linking
    t0 = time.perf_counter()
    counts = link_records(path, path + ".links.jsonl")
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mb": round(rss, 1), **counts}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.docs:
            path = Path(tmp) / f"synthetic_{n}.jsonl"
            generate(path, n)
            out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                                 check=True)  # fmt: skip
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{n:>7} documents: {r['seconds']:6.1f} s  ({n / r['seconds']:,.0f} docs/s)  "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB  -> {r['statements']:,} statements, "
                  f"{r['links']:,} links")  # fmt: skip


if __name__ == "__main__":
    main()
