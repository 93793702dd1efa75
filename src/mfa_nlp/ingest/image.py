"""Scanned statements as images (.png, .jpg, .tif with one page per frame): OCR -> layout -> paragraphs."""

from __future__ import annotations

import io
import time
import warnings

from ..errors import CorruptFileError, LimitExceededError, NoTextLayerError
from .layout import Page, reading_order
from .paragraphs import to_parsed
from .types import Limits, Parsed

#: Resolution assumed for an image that does not say (a typical office scan).
DEFAULT_DPI = 300.0


def parse_image(data: bytes, *, source: str, limits: Limits) -> Parsed:
    """OCR a scanned image (every frame of a multi-page TIFF) into a title, date, place and text blocks.

    Raises:
        CorruptFileError: the image cannot be decoded.
        NoTextLayerError: ``limits.ocr`` is ``never``, or OCR found no text.
        OcrUnavailableError: Tesseract or a language pack is missing.
        LimitExceededError: more frames than ``limits.max_pages``, a giant image, or slower than ``limits.timeout``.
    """
    from PIL import Image, UnidentifiedImageError

    from .ocr import MAX_PIXELS, ocr_images, tessdata

    if limits.ocr == "never":
        raise NoTextLayerError(source, "the file is a scanned image and OCR is off (--ocr never)")
    started = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            frames = int(getattr(img, "n_frames", 1))
            if frames > limits.max_pages:
                raise LimitExceededError(source, f"the image has {frames} pages, over the limit of {limits.max_pages}")
            pages = []
            for n in range(frames):
                img.seek(n)
                if img.width * img.height > MAX_PIXELS:
                    raise LimitExceededError(
                        source,
                        f"page {n + 1} is a {img.width}x{img.height} image, over {MAX_PIXELS // 2**20} M pixels "
                        "(a decompression bomb or a scan at far too high a resolution)",
                        "scan at 300 dpi; a statement page is far smaller",
                    )
                dpi = float((img.info.get("dpi") or (DEFAULT_DPI,))[0] or DEFAULT_DPI)
                pages.append((img.convert("L"), dpi if 72 <= dpi <= 1200 else DEFAULT_DPI))
    except LimitExceededError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise LimitExceededError(source, f"the image is too large to open safely ({exc})") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptFileError(source, f"the image cannot be read ({type(exc).__name__}: {exc})") from exc
    tessdata(source)  # after the checks above: a bomb or a damaged file is that, with or without Tesseract
    deadline = started + limits.timeout if limits.timeout else None
    ocr = ocr_images(pages, source=source, deadline=deadline, timeout=limits.timeout)
    confs = [w["conf"] for p in ocr for w in p.words]
    if not confs:
        raise NoTextLayerError(source, "OCR found no text in the image", "check that it is a scanned statement")
    parsed = to_parsed(reading_order([Page(p.width, p.height, p.words) for p in ocr]))
    parsed.ocr_pages = [n + 1 for n, p in enumerate(ocr)]
    parsed.ocr_confidence = round(sum(confs) / len(confs), 1)
    return parsed


__all__ = ["parse_image"]
