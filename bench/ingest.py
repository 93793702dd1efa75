"""Benchmark ingestion: documents/s and MB/s for HTML and PDF, and language passages/s.

Run: .venv/bin/python bench/ingest.py [--repeat 20]

Reads every .html/.htm/.pdf file in corpus/samples/ into memory once, then parses the
bytes ``--repeat`` times per format (one process, one core) so file I/O is not timed.
The language stage (``mfa_nlp.language.annotate``) is timed on the passages of all the
documents; if it is not importable, its row says so.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"


def bench_format(files: list[tuple[str, bytes]], repeat: int) -> tuple[int, int, float, str]:
    """Parse every file ``repeat`` times; return (documents, bytes, seconds, note)."""
    from mfa_nlp.ingest import read_bytes

    if not files:
        return 0, 0, 0.0, "no sample files"
    try:
        for name, data in files:  # warm-up: imports, caches
            read_bytes(data, source=name)
    except ImportError as exc:
        return 0, 0, 0.0, f"parser not available ({exc})"
    docs = size = 0
    t0 = time.perf_counter()
    for _ in range(repeat):
        for name, data in files:
            read_bytes(data, source=name)
            docs += 1
            size += len(data)
    return docs, size, time.perf_counter() - t0, ""


def bench_language(files: list[tuple[str, bytes]], repeat: int) -> tuple[int, float, str]:
    """Time ``mfa_nlp.language.annotate`` over the passages of the parsed samples."""
    from mfa_nlp.ingest import read_bytes

    try:
        from mfa_nlp import language
    except ImportError as exc:
        return 0, 0.0, f"language stage not available ({exc})"
    docs = []
    for name, data in files:
        try:
            docs.append(read_bytes(data, source=name))
        except ImportError:
            continue
    if not docs:
        return 0, 0.0, "no documents"
    for d in docs:  # warm-up: profile loading
        language.annotate(d)
    n = 0
    t0 = time.perf_counter()
    for _ in range(repeat):
        for d in docs:
            language.annotate(d)
            n += len(d.passages)
    note = "" if any(p.lang for d in docs for p in d.passages) else "language stage is a placeholder (sets no lang)"
    return n, time.perf_counter() - t0, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the sample files")
    args = parser.parse_args()

    by_fmt: dict[str, list[tuple[str, bytes]]] = {"html": [], "pdf": []}
    for path in sorted(SAMPLES.iterdir()):
        fmt = {".html": "html", ".htm": "html", ".pdf": "pdf"}.get(path.suffix.lower())
        if fmt:
            by_fmt[fmt].append((str(path.relative_to(ROOT)), path.read_bytes()))

    print(f"{'stage':<10} {'files':>5} {'docs':>6} {'MB':>7} {'seconds':>8} {'docs/s':>8} {'MB/s':>7}  note")
    for fmt, files in by_fmt.items():
        docs, size, secs, note = bench_format(files, args.repeat)
        rate = f"{docs / secs:8.1f} {size / 1e6 / secs:7.2f}" if secs else f"{'-':>8} {'-':>7}"
        print(f"{fmt:<10} {len(files):>5} {docs:>6} {size / 1e6:>7.2f} {secs:>8.2f} {rate}  {note}")
    n, secs, note = bench_language(by_fmt["html"] + by_fmt["pdf"], args.repeat)
    rate = f"{n / secs:,.0f} passages/s" if secs else "-"
    print(f"{'language':<10} {n:>6} passages in {secs:.2f} s: {rate}  {note}")


if __name__ == "__main__":
    main()
