"""OCR with Tesseract: a page image -> positioned words, in points, as a PDF text layer gives them.

Tesseract is driven in-process through tesserocr (measured against pytesseract on a
250 dpi A4 scan: 4.1 s vs 7.0 s with all four languages, 2.5 s vs 4.5 s with one, since
no process is started and no image encoded per page; it also stops a page at a timeout).
Language data comes from the Debian packages (:data:`PACKAGES`). Per page: turn a page
lying on its side upright (Tesseract's OSD, asked only when layout analysis finds
vertical text lines), straighten a small skew (the deskew angle of layout analysis,
±3°), then recognise. Each word gets its line's baseline as ``bottom`` and a font size
from the line's ascender height, so that :mod:`.layout` groups rows and finds titles
exactly as for a text layer. The first page is read with all the archive's languages
(:data:`FIRST_PASS`), then again with the language its text shows, if that scores
better; the rest of the document is read with the winner.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import LimitExceededError, OcrUnavailableError

if TYPE_CHECKING:
    from PIL.Image import Image

#: Tesseract language -> the Debian package that ships its data, and marker words of its text.
LANGUAGES: dict[str, tuple[str, frozenset[str]]] = {
    "sqi": ("tesseract-ocr-sqi", frozenset("dhe të në për që së është nga më ka si ose".split())),
    "srp": ("tesseract-ocr-srp", frozenset("и у је да за на се од су са који као".split())),
    "srp_latn": ("tesseract-ocr-srp-latn", frozenset("je da za na se od su sa koji kao što ili".split())),
    "eng": ("tesseract-ocr-eng", frozenset("the and of to in is for with that on are by".split())),
}
#: Orientation and script detection data (installed with tesseract-ocr).
OSD_PACKAGE = "tesseract-ocr-osd"
FIRST_PASS = "sqi+srp+srp_latn+eng"
INSTALL = "apt-get install tesseract-ocr " + " ".join(pkg for pkg, _ in LANGUAGES.values())
#: Pages are rendered at this resolution for OCR (Tesseract reads 10 pt text best at 250-300 dpi).
DPI = 300
#: A page image above this many pixels is refused (an A4 page at 600 dpi is 35 M; PIL warns at 89 M).
MAX_PIXELS = 64 * 2**20
#: A page whose words average below this confidence (0-100) has no text worth keeping (a photo, a stamp).
MIN_PAGE_CONFIDENCE = 45.0
#: Skew angles Tesseract's layout analysis reports beyond this (degrees) are not corrected.
MAX_SKEW = 3.5
#: Cap height / font size for common text faces: turns a line's ascender height into a font size.
ASCENDER = 0.74
#: x-height / font size for common text faces (Helvetica 0.52, DejaVu Sans 0.55, Times 0.45).
X_HEIGHT = 0.53
#: Letters with neither ascender nor descender, whose height is the x-height (Latin and Cyrillic).
X_HEIGHT_LETTERS = frozenset("acemnorsuvwxzëçčćšžаевгикмнопстхчшњљзыьъэюя")
_TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


@dataclass
class OcrPage:
    """The words Tesseract found on one page, in points, with their mean confidence (0-100)."""

    width: float
    height: float
    words: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.0
    lang: str = FIRST_PASS


def tessdata(source: str, langs: str = FIRST_PASS) -> str:
    """The Tesseract data folder holding ``langs``; raise OcrUnavailableError naming what to install.

    >>> tessdata("scan.pdf")  # doctest: +SKIP
    '/usr/share/tesseract-ocr/5/tessdata'
    """
    try:
        import tesserocr  # noqa: F401
    except ImportError as exc:
        raise OcrUnavailableError(
            source, "OCR needs the tesserocr package, which is not installed", "pip install 'tesserocr>=2.13'"
        ) from exc
    dirs = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    found = next((d for d in (*dirs, *_TESSDATA_DIRS) if Path(d, "eng.traineddata").is_file()), None)
    if found is None:
        raise OcrUnavailableError(source, "OCR needs Tesseract, which is not installed", INSTALL)
    missing = [LANGUAGES[lang][0] for lang in langs.split("+") if not Path(found, f"{lang}.traineddata").is_file()]
    if not Path(found, "osd.traineddata").is_file():
        missing.append(OSD_PACKAGE)
    if missing:
        raise OcrUnavailableError(
            source,
            f"OCR needs Tesseract language data that is not installed ({', '.join(missing)})",
            "apt-get install " + " ".join(missing),
        )
    return found


def available() -> bool:
    """True if Tesseract and all the archive's language packs are installed."""
    try:
        tessdata("<check>")
    except OcrUnavailableError:
        return False
    return True


_apis: dict[tuple[int, str, str], Any] = {}


def _api(path: str, lang: str, psm: str = "AUTO") -> Any:
    """A tesserocr API for ``lang``, created once per thread (loading language data takes ~1 s)."""
    from tesserocr import PSM, PyTessBaseAPI

    key = (threading.get_ident(), lang, psm)
    if key not in _apis:
        _apis[key] = PyTessBaseAPI(path=path, lang=lang, psm=getattr(PSM, psm))
    return _apis[key]


def detect_language(text: str) -> str | None:
    """The Tesseract language a page's text is in, from its script and marker words, or None if unsure.

    >>> detect_language("Ministria e Punëve të Jashtme dhe Diasporës është e gatshme për dialog në Bruksel")
    'sqi'
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    if sum("\u0400" <= ch <= "\u04ff" for ch in letters) > 0.3 * len(letters):
        return "srp"
    words = re.findall(r"\w+", text.lower())
    counts = {lang: sum(w in markers for w in words) for lang, (_, markers) in LANGUAGES.items() if lang != "srp"}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    (best, n), (_, second) = ranked[0], ranked[1]
    return best if n >= 5 and n >= 1.5 * second else None


def _remaining(deadline: float | None, source: str, timeout: float) -> int:
    """Milliseconds left before ``deadline`` (0 = no limit); raise LimitExceededError if none are."""
    if deadline is None:
        return 0
    left = deadline - time.monotonic()
    if left <= 0:
        raise LimitExceededError(source, f"reading and OCR took over {timeout:g} s")
    return max(1, int(left * 1000))


def _upright(img: Image, path: str, dpi: float) -> Image:
    """Turn a page upright and straighten its skew, from Tesseract's layout analysis and OSD."""
    api = _api(path, "eng")
    for _ in range(2):  # the reported skew undershoots a little; a second look gets it within 0.2°
        api.SetImage(img)
        api.SetSourceResolution(int(dpi))
        it = api.AnalyseLayout()
        if it is None:
            return img
        _, direction, _, deskew = it.Orientation()
        if direction == 2:  # text lines run top to bottom: the page lies on its side
            osd = _api(path, "osd", "OSD_ONLY")
            osd.SetImage(img)
            osd.SetSourceResolution(int(dpi))
            found = osd.DetectOrientationScript()
            if found and found.get("orient_deg"):
                img = img.rotate(found["orient_deg"], expand=True, fillcolor=255)
            continue
        angle = math.degrees(deskew)
        if not 0.1 < abs(angle) <= MAX_SKEW:
            return img
        from PIL import Image as PILImage

        img = img.rotate(angle, expand=True, fillcolor=255, resample=PILImage.Resampling.BICUBIC)
    return img


def _recognise(img: Image, path: str, lang: str, dpi: float, source: str, deadline: float | None, timeout: float):
    """Recognise one upright page with ``lang``; return an OcrPage."""
    from tesserocr import RIL

    api = _api(path, lang)
    api.SetImage(img)
    api.SetSourceResolution(int(dpi))
    if not api.Recognize(_remaining(deadline, source, timeout)):
        raise LimitExceededError(source, f"OCR took over {timeout:g} s")
    scale = 72.0 / dpi
    page = OcrPage(width=img.width * scale, height=img.height * scale, lang=lang)
    it = api.GetIterator()
    if it is None:
        return page
    base = top = 0.0
    line = -1
    confs: list[float] = []
    heights: dict[int, list[int]] = {}
    while True:  # symbol by symbol: words and lines start where the iterator says
        if it.IsAtBeginningOf(RIL.TEXTLINE):
            line += 1
            box = it.BoundingBox(RIL.TEXTLINE)
            baseline = it.Baseline(RIL.TEXTLINE)
            top = box[1] if box else 0.0
            base = (baseline[0][1] + baseline[1][1]) / 2 if baseline else (box[3] if box else 0.0)
        if it.IsAtBeginningOf(RIL.WORD):
            text, box = _text(it, RIL.WORD), it.BoundingBox(RIL.WORD)
            if text and box:
                conf = float(it.Confidence(RIL.WORD))
                confs.append(conf)
                page.words.append(
                    {
                        "text": text,
                        "x0": box[0] * scale,
                        "x1": box[2] * scale,
                        "top": min(top, box[1]) * scale,
                        "bottom": base * scale,
                        "size": max(base - top, 1.0) * scale / ASCENDER,
                        "fontname": "",
                        "conf": conf,
                        "line": line,
                    }
                )
        box = it.BoundingBox(RIL.SYMBOL)
        if box and _text(it, RIL.SYMBOL) in X_HEIGHT_LETTERS:
            heights.setdefault(line, []).append(box[3] - box[1])
        if not it.Next(RIL.SYMBOL):
            break
    for w in page.words:  # the line's median x-height: the same in every script, with or without capitals
        h = heights.get(w.pop("line"))
        if h and len(h) >= 3:
            w["size"] = sorted(h)[len(h) // 2] * scale / X_HEIGHT
    page.confidence = sum(confs) / len(confs) if confs else 0.0
    return page


def _text(it: Any, level: int) -> str:
    try:
        return (it.GetUTF8Text(level) or "").strip()
    except RuntimeError:  # an empty box (a rule or a speck read as a word)
        return ""


def _snap_sizes(words: list[dict[str, Any]]) -> None:
    """Give lines whose sizes differ by measuring noise (under 6%) one size, so paragraphing sees one style."""
    sizes = sorted({round(w["size"], 2) for w in words})
    if not sizes:
        return
    groups: list[list[float]] = [[sizes[0]]]
    for s in sizes[1:]:
        if s - groups[-1][-1] <= 0.06 * groups[-1][-1]:
            groups[-1].append(s)
        else:
            groups.append([s])
    snap = {s: sorted(g)[len(g) // 2] for g in groups for s in g}
    for w in words:
        w["size"] = snap[round(w["size"], 2)]


def ocr_images(
    images: list[tuple[Image, float]], *, source: str, deadline: float | None = None, timeout: float = 0.0
) -> list[OcrPage]:
    """OCR page images (``(image, dpi)``) in order; choose the language on the first page with text.

    Raises:
        OcrUnavailableError: Tesseract or a language pack is missing (the message names the package).
        LimitExceededError: an image is over MAX_PIXELS, or OCR runs past ``deadline``.
    """
    path = tessdata(source)
    lang = FIRST_PASS
    chosen = False
    out: list[OcrPage] = []
    for n, (img, dpi) in enumerate(images, 1):
        if img.width * img.height > MAX_PIXELS:
            raise LimitExceededError(
                source,
                f"page {n} is a {img.width}x{img.height} image, over {MAX_PIXELS // 2**20} M pixels "
                "(a decompression bomb or a scan at far too high a resolution)",
                "scan at 300 dpi; a statement page is far smaller",
            )
        _remaining(deadline, source, timeout)
        gray = _upright(img.convert("L"), path, dpi)
        page = _recognise(gray, path, lang, dpi, source, deadline, timeout)
        if not chosen and page.words:
            chosen = True
            alone = detect_language(" ".join(w["text"] for w in page.words))
            if alone:
                again = _recognise(gray, path, alone, dpi, source, deadline, timeout)
                if again.confidence > page.confidence:
                    page, lang = again, alone
        if page.confidence < MIN_PAGE_CONFIDENCE:
            page.words = []  # noise, a photo or a stamp read as letters
        out.append(page)
    _snap_sizes([w for p in out for w in p.words])
    return out


__all__ = ["DPI", "FIRST_PASS", "INSTALL", "LANGUAGES", "MAX_PIXELS", "OcrPage", "available", "ocr_images", "tessdata"]
