"""OCR of scanned statements (issue 13): body token P/R/F1 against the born-digital text, title and date.

Run: .venv/bin/python bench/ocr.py

The scans are made from the sample statements by tests/scans.py (rendered at 200-300 dpi, tilted
by up to 1.6 degrees, grey paper, noise, dust, JPEG artefacts) and read with ``read_bytes`` as
image-only PDFs; the reference is the same statement read from its text layer. Goal: F1 >= 0.95
(>= 0.92 for Cyrillic), title and date as from the text layer.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))


def compare(lang: str) -> dict[str, object]:
    """Read the born-digital statement and its scan; return the figures."""
    from eval_html import prf

    from mfa_nlp.ingest import Limits, read_bytes
    from scans import SETTINGS, scan, source_pdf

    gold = read_bytes(source_pdf(lang), source=f"{lang}.pdf", limits=Limits(ocr="never"))
    data = scan(lang)
    t0 = time.perf_counter()
    got = read_bytes(data, source=f"{lang}_scan.pdf")
    secs = time.perf_counter() - t0
    p, r, f1 = prf("\n".join(x.text for x in got.passages), "\n".join(x.text for x in gold.passages))
    return {
        "lang": lang,
        "dpi": SETTINGS[lang][0],
        "pages": len(got.ocr_pages),
        "P": p,
        "R": r,
        "F1": f1,
        "title": got.title == gold.title,
        "date": got.date == gold.date and gold.date is not None,
        "confidence": got.ocr_confidence,
        "seconds": secs,
    }


def main() -> None:
    from mfa_nlp.ingest.ocr import INSTALL, available

    if not available():
        sys.exit(f"Tesseract is not installed: {INSTALL}")
    print(
        f"{'lang':8} {'dpi':>4} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'title':>5} {'date':>5} {'conf':>5} {'s':>6}"
    )
    for lang in ("en", "sq", "sr-Latn", "sr-Cyrl"):
        m = compare(lang)
        print(
            f"{lang:8} {m['dpi']:>4} {m['pages']:>5} {m['P']:6.3f} {m['R']:6.3f} {m['F1']:6.3f} "
            f"{'yes' if m['title'] else 'no':>5} {'yes' if m['date'] else 'no':>5} {m['confidence']:5.1f} "
            f"{m['seconds']:6.1f}"
        )


if __name__ == "__main__":
    main()
