"""Reading order on generated layouts (issue 13): token sequence ratio against the written order.

Run: .venv/bin/python bench/layout.py

Each layout in tests/layout_pdfs.py is built with fpdf2, read with ``mfa_nlp.ingest.read_bytes``,
and its title + passages compared with the written order: ``difflib.SequenceMatcher`` ratio of the
lower-cased word tokens (1.0 = same words in the same order). Goal: >= 0.98 on each.
"""

from __future__ import annotations

import difflib
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def order_ratio(got: list[str], written: list[str]) -> float:
    """Token sequence ratio of two passage lists (1.0 = the same words in the same order)."""
    a, b = tokens("\n".join(got)), tokens("\n".join(written))
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def read_layout(data: bytes, name: str) -> list[str]:
    from mfa_nlp.ingest import read_bytes

    doc = read_bytes(data, source=f"{name}.pdf")
    return ([doc.title] if doc.title else []) + [p.text for p in doc.passages]


def main() -> None:
    from layout_pdfs import LAYOUTS

    print(f"{'layout':26} {'order':>6} {'passages':>8} {'seconds':>7}")
    for name, make in LAYOUTS.items():
        data, written = make()
        t0 = time.perf_counter()
        got = read_layout(data, name)
        secs = time.perf_counter() - t0
        print(f"{name:26} {order_ratio(got, written):6.3f} {len(got):>8} {secs:7.2f}")


if __name__ == "__main__":
    main()
