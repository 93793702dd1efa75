"""Evaluate HTML extraction against hand-written gold: our engine vs trafilatura.

For every ``tests/data/html_gold/*.json`` (expected title, date and body passages
of a page in ``corpus/samples``) this computes token precision, recall and F1 of
the body (multiset of lower-cased word tokens), title accuracy and date accuracy,
for ``mfa_nlp.ingest.read_file`` and for ``trafilatura.extract`` with metadata.

``samples`` are the corpus pages (written alongside the engine); ``heldout`` are
three pages of other CMS layouts (WordPress, Drupal, a 2000s table site).

Usage: ``.venv/bin/python bench/eval_html.py [--set samples|heldout|all] [--per-page]``
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {"samples": ROOT / "tests" / "data" / "html_gold", "heldout": ROOT / "tests" / "data" / "html_heldout"}


def tokens(text: str) -> Counter[str]:
    """Lower-cased word tokens (letters/digits), NFC-normalised."""
    return Counter(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def prf(got: str, gold: str) -> tuple[float, float, float]:
    g, e = tokens(got), tokens(gold)
    overlap = sum((g & e).values())
    p = overlap / max(sum(g.values()), 1)
    r = overlap / max(sum(e.values()), 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def norm(s: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", s or "").split()).casefold()


def ours(path: Path) -> tuple[str, str | None, str | None]:
    from mfa_nlp.ingest import read_file

    doc = read_file(path)
    return "\n".join(p.text for p in doc.passages), doc.title, doc.date


def trafilatura_run(path: Path) -> tuple[str, str | None, str | None]:
    import trafilatura

    raw = trafilatura.extract(path.read_bytes(), output_format="json", with_metadata=True, include_comments=False)
    if not raw:
        return "", None, None
    data = json.loads(raw)
    return data.get("text") or "", data.get("title"), data.get("date")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-page", action="store_true", help="print one row per page and engine")
    ap.add_argument("--set", choices=[*SETS, "all"], default="all", help="which gold set to score")
    args = ap.parse_args()
    dirs = list(SETS.values()) if args.set == "all" else [SETS[args.set]]
    golds = sorted(g for d in dirs for g in d.glob("*.json"))
    engines = {"mfa_nlp": ours, "trafilatura": trafilatura_run}
    print(f"{len(golds)} pages with gold in {', '.join(str(d.relative_to(ROOT)) for d in dirs)}\n")
    if args.per_page:
        print(f"{'page':34} {'engine':12} {'P':>5} {'R':>5} {'F1':>5} title date")
    rows = []
    for name, fn in engines.items():
        ps, rs, fs, titles, dates, secs = [], [], [], 0, 0, 0.0
        for g in golds:
            gold = json.loads(g.read_text(encoding="utf-8"))
            body = "\n".join(p["text"] for p in gold["passages"])
            t0 = time.perf_counter()
            text, title, date = fn(ROOT / gold["file"])
            secs += time.perf_counter() - t0
            p, r, f = prf(text, body)
            ps.append(p), rs.append(r), fs.append(f)
            t_ok, d_ok = norm(title) == norm(gold["title"]), (date or "")[:10] == gold["date"]
            titles += t_ok
            dates += d_ok
            if args.per_page:
                print(
                    f"{g.stem:34} {name:12} {p:5.3f} {r:5.3f} {f:5.3f} "
                    f"{'ok' if t_ok else '--':5} {'ok' if d_ok else '--'}"
                )
        n = len(golds)
        rows.append((name, sum(ps) / n, sum(rs) / n, sum(fs) / n, titles / n, dates / n, 1000 * secs / n))
    print("\n| engine | body P | body R | body F1 | title acc. | date acc. | ms/page |")
    print("|---|---|---|---|---|---|---|")
    for name, p, r, f, t, d, ms in rows:
        print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {t:.2f} | {d:.2f} | {ms:.1f} |")


if __name__ == "__main__":
    main()
