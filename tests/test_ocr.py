"""OCR of scanned statements (issue 13): scans made at test time from the committed samples.

Tests that run Tesseract are skipped, with the install line as the reason, when it or a
language pack is missing; the error-path tests run everywhere.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from mfa_nlp.errors import LimitExceededError, NoTextLayerError, OcrUnavailableError
from mfa_nlp.ingest import Document, Limits, read_bytes
from mfa_nlp.ingest import ocr as ocr_module
from mfa_nlp.ingest.pdf import text_layer_usable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from eval_html import prf  # noqa: E402

from scans import scan, source_pdf  # noqa: E402

needs_tesseract = pytest.mark.skipif(
    not ocr_module.available(), reason=f"Tesseract is not installed; to run the OCR tests: {ocr_module.INSTALL}"
)
#: Body token F1 floors against the born-digital text (issue 13).
FLOORS = {"en": 0.95, "sq": 0.95, "sr-Latn": 0.95, "sr-Cyrl": 0.92}


@pytest.fixture(scope="module")
def pairs() -> dict[str, tuple[Document, Document]]:
    """Per language: (the statement read from its text layer, the same statement read from its scan)."""
    out = {}
    for lang in FLOORS:
        gold = read_bytes(source_pdf(lang), source=f"{lang}.pdf", limits=Limits(ocr="never"))
        out[lang] = (gold, read_bytes(scan(lang), source=f"{lang}_scan.pdf"))
    return out


@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize("lang", list(FLOORS))
def test_ocr_scan_matches_born_digital(pairs: dict[str, tuple[Document, Document]], lang: str) -> None:
    gold, got = pairs[lang]
    _, _, f1 = prf("\n".join(p.text for p in got.passages), "\n".join(p.text for p in gold.passages))
    assert f1 >= FLOORS[lang], f"{lang}: body token F1 {f1:.3f}"
    assert (got.title, got.date) == (gold.title, gold.date)  # the place may lose a diacritic at 200 dpi
    assert got.ocr and got.ocr_pages == list(range(1, len(got.ocr_pages) + 1))
    assert got.ocr_confidence is not None and got.ocr_confidence > 80
    assert not gold.ocr and gold.ocr_pages == [] and gold.ocr_confidence is None


@needs_tesseract
@pytest.mark.slow
def test_ocr_record_fields_validate(pairs: dict[str, tuple[Document, Document]]) -> None:
    import jsonschema

    from mfa_nlp.export import record_schema

    record = json.loads(json.dumps(pairs["en"][1].to_dict()))
    record["pipeline"] = {"version": "0", "model": None}  # set by the pipeline, which this test does not run
    jsonschema.validate(record, record_schema())
    assert record["ocr"] is True and record["ocr_pages"] == [1]
    assert Document.from_dict(record).ocr_confidence == record["ocr_confidence"]


@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["png", "jpg", "tif"])
def test_ocr_image_inputs(fmt: str) -> None:
    doc = read_bytes(scan("sr-Cyrl", fmt=fmt), source=f"statement.{fmt}")
    assert doc.format == "image" and doc.ocr
    assert doc.title is not None and doc.title.startswith("Саопштење Министарства")
    assert doc.ocr_pages == ([1, 2] if fmt == "tif" else [1])  # a multi-page TIFF is one statement


@needs_tesseract
@pytest.mark.slow
def test_ocr_page_on_its_side_is_turned_upright() -> None:
    doc = read_bytes(scan("en", rotate90=True), source="sideways.pdf")
    assert doc.title == "Minister meets the Ambassador of Japan to discuss economic cooperation and recognition"
    assert doc.date == "2020-02-03"


@needs_tesseract
def test_ocr_modes() -> None:
    data = scan("en")
    with pytest.raises(NoTextLayerError, match="OCR"):
        read_bytes(data, source="scan.pdf", limits=Limits(ocr="never"))
    born = (Path(__file__).resolve().parents[1] / "corpus" / "samples" / "en_press_release_japan.pdf").read_bytes()
    assert not read_bytes(born, source="born.pdf").ocr  # auto: a good text layer is not OCR'd
    forced = read_bytes(born, source="born.pdf", limits=Limits(ocr="force"))
    assert forced.ocr and forced.ocr_pages == [1] and forced.date == "2020-02-03"


@needs_tesseract
def test_ocr_time_counts_against_timeout() -> None:
    with pytest.raises(LimitExceededError, match="scan.pdf"):
        read_bytes(scan("sq"), source="scan.pdf", limits=Limits(timeout=1.0))


def test_ocr_giant_image_is_refused() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(buf, "PNG")  # 81 M pixels in a few KB
    with pytest.raises(LimitExceededError, match="pixels"):
        read_bytes(buf.getvalue(), source="giant.png")


def test_ocr_tiff_over_page_limit() -> None:
    from PIL import Image

    buf = io.BytesIO()
    pages = [Image.new("L", (50, 50), 255) for _ in range(4)]
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:])
    with pytest.raises(LimitExceededError, match="4 pages"):
        read_bytes(buf.getvalue(), source="four.tif", limits=Limits(max_pages=3))


def test_ocr_missing_tesseract_names_the_packages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ocr_module, "_TESSDATA_DIRS", (str(tmp_path),))
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    from PIL import Image

    png = io.BytesIO()
    Image.new("L", (60, 40), 255).save(png, "PNG")
    with pytest.raises(OcrUnavailableError, match="apt-get install tesseract-ocr tesseract-ocr-sqi") as info:
        read_bytes(png.getvalue(), source="scan.png")
    assert "scan.png" in str(info.value)
    # Tesseract with English only: the error names exactly the missing language packs.
    for name in ("eng", "osd"):
        (tmp_path / f"{name}.traineddata").write_bytes(b"")
    with pytest.raises(OcrUnavailableError) as info:
        ocr_module.tessdata("scan.pdf")
    assert "apt-get install tesseract-ocr-sqi tesseract-ocr-srp tesseract-ocr-srp-latn)" in str(info.value)


def test_ocr_missing_tesseract_scanned_pdf_is_an_error_row(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ocr_module, "_TESSDATA_DIRS", (str(tmp_path),))
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    data = (Path(__file__).parent / "data" / "image_only.pdf").read_bytes()
    with pytest.raises(OcrUnavailableError, match="tesseract-ocr-srp-latn"):
        read_bytes(data, source="image_only.pdf")


@pytest.mark.parametrize(
    ("text", "usable"),
    [
        ("The Minister of Foreign Affairs received today the Ambassador of Japan.", True),
        ("Министарство спољних послова Републике Косово честита свим грађанима.", True),
        ("(cid:12)(cid:45)(cid:3)(cid:88) (cid:21)(cid:7)(cid:19) (cid:44)(cid:2) Ministria", False),
        ("#$%& *@!^ ~~|| ¤¤ §§ ¦¦ ¬¬ ±± ## $$ %% @@ !! ^^ ** ((", False),
        ("Tbkrw mnstr frgn ffrs rcvd tdy thr mbssdr jpn prmss mnstry wrt", False),
        ("1", False),
    ],
)
def test_ocr_text_layer_usable(text: str, usable: bool) -> None:
    assert text_layer_usable(text) is usable


def test_ocr_detect_language() -> None:
    assert ocr_module.detect_language("Министарство спољних послова Републике Косово") == "srp"
    assert (
        ocr_module.detect_language("The Minister and the Ambassador of Japan met in the capital for the talks") == "eng"
    )
    assert (
        ocr_module.detect_language(
            "Ministarstvo je pozdravilo odluku da se otvori ambasada, što je za nas od značaja i za region"
        )
        == "srp_latn"
    )
    assert ocr_module.detect_language("Kosovo") is None


@needs_tesseract
@pytest.mark.slow
def test_ocr_cli_tag_scans_and_born_digital(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from batch_support import duty_model_dir
    from mfa_nlp.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.png").write_bytes(scan("en", fmt="png"))
    (folder / "born.pdf").write_bytes(source_pdf("en"))
    model = duty_model_dir(tmp_path)
    args = ["--workers", "1", "--no-progress", *(["--model-dir", model] if model else [])]
    out = tmp_path / "o.jsonl"
    result = CliRunner().invoke(app, ["tag", str(folder), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    records = {Path(r["source"]).name: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records["scan.png"]["ocr"] and records["scan.png"]["format"] == "image"
    assert records["scan.png"]["date"] == records["born.pdf"]["date"] == "2020-02-03"
    assert not records["born.pdf"]["ocr"]
    never = CliRunner().invoke(app, ["tag", str(folder), "-o", str(tmp_path / "n.jsonl"), "--ocr", "never", *args])
    assert never.exit_code == 3
    row = json.loads((tmp_path / "n.errors.jsonl").read_text().splitlines()[0])
    assert row["error"] == "NoTextLayerError" and "--ocr auto" in row["message"]
    assert (
        CliRunner().invoke(app, ["tag", str(folder), "-o", str(tmp_path / "x.jsonl"), "--ocr", "maybe"]).exit_code == 2
    )


def test_ocr_auto_leaves_a_short_good_text_layer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from hostile_inputs import bomb_pdf

    monkeypatch.setattr(ocr_module, "_TESSDATA_DIRS", (str(tmp_path),))  # OCR would fail: it must not be tried
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    doc = read_bytes(bomb_pdf(1), source="short.pdf")
    assert not doc.ocr and "Ministria" in doc.passages[0].text
