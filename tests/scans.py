"""Scanned statements made at test time (issue 13): sample PDFs rasterised, tilted, noised and JPEG-compressed.

Nothing here is committed as an image: each scan is rebuilt from a committed sample in
corpus/samples/. The sr-Latn statement has no sample PDF, so its text sample is first set as
a one-column PDF with fpdf2 and the DejaVu fonts that matplotlib ships.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"

#: language -> the born-digital source of its scan.
SOURCES = {
    "en": "en_press_release_japan.pdf",
    "sq": "sq_speech_two_column.pdf",
    "sr-Latn": "sr-latn_recognition.txt",
    "sr-Cyrl": "sr-cyrl_independence_statement.pdf",
}
#: How each scan is made: dpi, tilt in degrees, JPEG quality (a spread of office-scanner settings).
SETTINGS = {"en": (300, 1.2, 70), "sq": (250, -0.8, 65), "sr-Latn": (200, 1.5, 75), "sr-Cyrl": (300, -1.6, 70)}


def text_pdf(path: Path) -> bytes:
    """A text sample (title line, blank-line paragraphs) set as a one-column A4 PDF."""
    import matplotlib
    from fpdf import FPDF

    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    title, *paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(62, 60, 62)
    pdf.set_auto_page_break(True, 60)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 18, title)
    pdf.ln(10)
    pdf.set_font("DejaVu", "", 10)
    for para in paras:
        pdf.multi_cell(0, 13, para)
        pdf.ln(7)
    return bytes(pdf.output())


def source_pdf(lang: str) -> bytes:
    path = SAMPLES / SOURCES[lang]
    return path.read_bytes() if path.suffix == ".pdf" else text_pdf(path)


def scan_pages(pdf: bytes, *, dpi: int, angle: float, quality: int, seed: int = 13) -> list:
    """Each page of ``pdf`` as a grey scan: rendered at ``dpi``, tilted by ``angle``, speckled, JPEG-compressed."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(seed)
    doc = pdfium.PdfDocument(pdf)
    out = []
    for page in doc:
        img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        img = img.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
        arr = np.asarray(img, dtype=np.float32)
        arr = arr * 0.92 + 10 + rng.normal(0, 9, arr.shape)  # grey paper, sensor noise
        specks = rng.random(arr.shape) < 0.0006
        arr[specks] = 40  # dust
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        out.append(Image.open(io.BytesIO(buf.getvalue())))
        page.close()
    doc.close()
    return out


def scan(lang: str, *, fmt: str = "pdf", rotate90: bool = False) -> bytes:
    """The scan of ``lang``'s sample as an image-only PDF, or as .tif (all pages) / .png / .jpg (page 1)."""
    dpi, angle, quality = SETTINGS[lang]
    pages = scan_pages(source_pdf(lang), dpi=dpi, angle=angle, quality=quality, seed=random.Random(lang).randrange(99))
    if rotate90:
        pages = [p.rotate(90, expand=True) for p in pages]
    buf = io.BytesIO()
    if fmt == "pdf":
        pages[0].save(buf, "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
    elif fmt == "tif":
        pages[0].save(
            buf, "TIFF", dpi=(dpi, dpi), save_all=True, append_images=pages[1:], compression="jpeg", quality=quality
        )
    elif fmt == "png":
        pages[0].save(buf, "PNG", dpi=(dpi, dpi))
    else:
        pages[0].save(buf, "JPEG", dpi=(dpi, dpi), quality=quality)
    return buf.getvalue()


def main() -> None:
    """``python tests/scans.py LANG OUT.(pdf|tif|png|jpg)``: write one scan (used by ``make demo``)."""
    import sys

    lang, out = sys.argv[1], Path(sys.argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(scan(lang, fmt=out.suffix.lstrip(".").replace("tiff", "tif")))
    print(f"wrote {out} ({out.stat().st_size:,} bytes), a scan of {SOURCES[lang]}")


if __name__ == "__main__":
    main()
