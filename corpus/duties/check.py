"""Check duty-corpus files: format, label mix, lengths, registers, near-duplicates and templates.

Usage (from the repository root)::

    .venv/bin/python corpus/duties/check.py corpus/duties/en_news.jsonl   # one file against the rest
    .venv/bin/python corpus/duties/check.py                               # the whole training corpus
    .venv/bin/python corpus/duties/check.py --folder corpus/duties/blind  # the blind set on its own

Two passages are near-duplicates when their folded texts reach a character-4-gram TF-IDF cosine
of 0.85; a *template* is the same check after every capitalised word and number is masked, so
"Germany thanked X for Y" and "France thanked X for Y" are caught. Exit status 1 when a file
breaks the format or adds near-duplicates or templates.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

from mfa_nlp.document import DUTIES
from mfa_nlp.duties.corpus import NEAR_DUPLICATE as NEAR
from mfa_nlp.duties.corpus import TEMPLATE, mask_names, similar_pairs
from mfa_nlp.translit import fold

REGISTERS = ("press", "news", "interview", "serbian_media", "partner", "consular")


def read(path: Path) -> tuple[list[dict], list[str]]:
    rows, errors = [], []
    for n, line in enumerate(path.open(encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{n}: not JSON ({exc})")
            continue
        for key in ("text", "lang", "script", "duties", "doc"):
            if key not in row:
                errors.append(f"{path}:{n}: missing {key!r}")
        if set(row.get("duties", [])) - set(DUTIES):
            errors.append(f"{path}:{n}: unknown duty in {row.get('duties')}")
        if len(set(row.get("duties", []))) != len(row.get("duties", [])):
            errors.append(f"{path}:{n}: a duty twice")
        if row.get("lang") not in ("en", "sq", "sr"):
            errors.append(f"{path}:{n}: lang must be en, sq or sr")
        if row.get("script") not in ("Latn", "Cyrl"):
            errors.append(f"{path}:{n}: script must be Latn or Cyrl")
        if row.get("register") is not None and row["register"] not in REGISTERS:
            errors.append(f"{path}:{n}: register must be one of {REGISTERS}")
        row["_where"] = f"{path.name}:{n}"
        rows.append(row)
    return rows, errors


def stats(rows: list[dict], name: str) -> None:
    n = len(rows)
    if not n:
        print(f"{name}: empty")
        return
    lengths = [len(r["text"]) for r in rows]
    k = Counter(min(len(r["duties"]), 3) for r in rows)
    duty = Counter(d for r in rows for d in r["duties"])
    reg = Counter(r.get("register", "-") for r in rows)
    conf = sum(bool(r.get("confounder")) for r in rows)
    lang = Counter(f"{r['lang']}-{r['script']}" if r["lang"] == "sr" else r["lang"] for r in rows)
    print(
        f"{name}: {n} passages, {len({r['doc'] for r in rows})} docs; " + ", ".join(f"{a} {b}" for a, b in lang.items())
    )
    short, long = sum(x < 150 for x in lengths), sum(x > 700 for x in lengths)
    print(f"  length median {statistics.median(lengths):.0f}, <150: {short}, >700: {long}")
    print("  labels: " + ", ".join(f"{t}: {k[i] / n:.0%}" for i, t in enumerate(("none", "one", "two", "three+"))))
    print("  duties: " + ", ".join(f"{d} {duty[d]}" for d in DUTIES))
    print("  registers: " + ", ".join(f"{r} {reg[r]} ({reg[r] / n:.0%})" for r in sorted(reg)))
    print(f"  confounders: {conf} ({conf / n:.0%})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--folder", type=Path, default=Path(__file__).parent)
    args = ap.parse_args()
    folder_files = sorted(f.resolve() for f in args.folder.glob("*.jsonl"))
    targets = [f.resolve() for f in args.files] or folder_files
    pool = sorted(set(folder_files) | set(targets))
    rows, errors, new = [], [], set()
    for f in pool:
        r, e = read(f)
        if f in targets:
            new.update(range(len(rows), len(rows) + len(r)))
            errors += e
        rows += r
    for e in errors[:50]:
        print("ERROR", e)
    stats([rows[i] for i in sorted(new)], "checked")
    if args.files:
        stats(rows, "with the rest of the folder")
    bad = 0
    seen: dict[str, int] = {}
    for i in sorted(new):
        key = fold(rows[i]["text"])
        if key in seen:
            print(f"EXACT {rows[i]['_where']} = {rows[seen[key]]['_where']}")
            bad += 1
        seen.setdefault(key, i)
    for what, texts, threshold in (
        ("NEAR-DUPLICATE", [fold(r["text"]) for r in rows], NEAR),
        ("TEMPLATE", [mask_names(r["text"]) for r in rows], TEMPLATE),
    ):
        pairs = similar_pairs(texts, threshold, among=sorted(new), groups=[r.get("lang", "") for r in rows])
        bad += len(pairs)
        for a, b, v in pairs[:40]:
            where = f"{rows[a]['_where']} ~ {rows[b]['_where']}"
            print(f"{what} {v:.2f} {where}: {rows[a]['text'][:70]!r} ~ {rows[b]['text'][:70]!r}")
        if len(pairs) > 40:
            print(f"... {len(pairs) - 40} more {what} pairs")
    print("OK" if not (bad or errors) else f"FAIL: {len(errors)} format errors, {bad} duplicate/template pairs")
    return 1 if bad or errors else 0


if __name__ == "__main__":
    sys.exit(main())
