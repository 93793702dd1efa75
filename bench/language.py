"""Language detection: accuracy on the team's test set (ours vs plain langdetect) and speed.

Run: ``.venv/bin/python bench/language.py`` (add ``--errors`` to list the misses).

Two paths are measured: :func:`detect` on every passage alone, and :func:`annotate` on documents
made of consecutive test-set passages of one language (4 a document), some with a passage of
another language inserted, as real statements quote. The document path calls langdetect once
per document and confirms passages by their marker words; it must give every passage the same
label as detect alone would (short passages take the document's language in both).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from mfa_nlp import language
from mfa_nlp.document import Document, Passage
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
    document_path(rows, show_errors)


def _documents(rows: list[dict]) -> list[list[dict]]:
    """Documents of 4 consecutive passages per language/script; every third gets a foreign passage."""
    by_group: dict[str, list[dict]] = {}
    for r in rows:
        by_group.setdefault(f"{r['lang']}-{r['script']}", []).append(r)
    groups = sorted(by_group)
    docs = []
    for g, key in enumerate(groups):
        members = by_group[key]
        foreign = by_group[groups[(g + 1) % len(groups)]]
        for k in range(0, len(members), 4):
            doc = list(members[k : k + 4])
            if (k // 4) % 3 == 2:
                doc.insert(1, foreign[(k // 4) % len(foreign)])
            docs.append(doc)
    return docs


def _reference(doc: Document) -> list[str | None]:
    """The per-passage path (detect on every passage), with the same short-passage fallback."""
    results = [detect(p.text) for p in doc.passages]
    weight: Counter[str] = Counter()
    for p, r in zip(doc.passages, results, strict=True):
        if r.reliable and r.lang:
            weight[r.lang] += len(p.text)
    if weight:
        fallback = min(weight.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    else:  # nothing long enough: the whole document decides
        fallback = detect("\n".join(p.text for p in doc.passages)).lang
    return [r.lang if r.reliable else (fallback or r.lang) for r in results]


def document_path(rows: list[dict], show_errors: bool) -> None:
    docs = _documents(rows)
    calls = Counter()
    real = language._langdetect

    def counting(text: str, trials: int = language.TRIALS) -> dict[str, float]:
        calls["n"] += 1
        return real(text, trials)

    language._langdetect = counting
    try:
        made = [
            Document(id=str(i), source="bench", format="txt", passages=[Passage(k, r["text"]) for k, r in enumerate(d)])
            for i, d in enumerate(docs)
        ]
        start = time.perf_counter()
        for doc in made:
            language.annotate(doc)
        elapsed = time.perf_counter() - start
        fast_calls, calls["n"] = calls["n"], 0
        start = time.perf_counter()
        reference = [_reference(doc) for doc in made]
        ref_elapsed = time.perf_counter() - start
        ref_calls = calls["n"]
    finally:
        language._langdetect = real
    n = same = right = ref_right = 0
    for d, doc, ref in zip(docs, made, reference, strict=True):
        for r, p, q in zip(d, doc.passages, ref, strict=True):
            n += 1
            same += p.lang == q
            right += p.lang == r["lang"]
            ref_right += q == r["lang"]
            if show_errors and p.lang != q:
                print(f"DIFF doc path {p.lang} vs per passage {q} (gold {r['lang']}): {r['text'][:80]}")
    print(
        f"document path: {len(docs)} documents, {n} passages; same label as per-passage detect {same}/{n}; "
        f"gold {right / n:.3f} (per passage {ref_right / n:.3f}); langdetect calls {fast_calls} vs {ref_calls}; "
        f"{n / elapsed:,.0f} vs {n / ref_elapsed:,.0f} passages/s"
    )


if __name__ == "__main__":
    main("--errors" in sys.argv)
