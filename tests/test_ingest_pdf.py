"""PDF ingestion on the committed sample PDFs (corpus/samples/) and fixtures (tests/data/).

Both are built by corpus/build_pdfs.py; the PDFs are committed so these tests need no fonts.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from hostile_inputs import bomb_pdf
from mfa_nlp.errors import CorruptFileError, EncryptedPDFError, LimitExceededError, NoTextLayerError
from mfa_nlp.ingest import Limits, Parsed, read_file
from mfa_nlp.ingest.paragraphs import _join
from mfa_nlp.ingest.pdf import MAX_PAGE_CONTENT, parse_pdf

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"
DATA = Path(__file__).resolve().parent / "data"


def _parse(path: Path, limits: Limits | None = None) -> Parsed:
    return parse_pdf(path.read_bytes(), source=str(path), limits=limits or Limits())


@pytest.fixture(scope="module")
def sq() -> Parsed:
    return _parse(SAMPLES / "sq_speech_two_column.pdf")


@pytest.fixture(scope="module")
def sq_text(sq: Parsed) -> str:
    return "\n".join(b.text for b in sq.blocks)


def test_ingest_pdf_two_column_reading_order(sq_text: str) -> None:
    # Page 1: the left column ends "... pa e humbur", the right column starts "asnjëherë tonin ...".
    assert "pa e humbur asnjëherë tonin e respektit reciprok." in sq_text
    # Page 1 -> page 2 inside one paragraph, with a hyphenated break ("shërbi-" / "meve").
    assert "Digjitalizimi i shërbimeve konsullore do të vazhdojë këtë vit" in sq_text
    # The paragraphs come in the order of the speech, none interleaved with another.
    starts = [
        "Të nderuar ambasadorë",
        "Prioriteti ynë i parë",
        "Prioriteti i dytë",
        "I treti është",
        "Për vitin që vjen",
        "Diaspora jonë",
        "Në fund, dua",
        "Ju uroj punë",
    ]
    positions = [sq_text.index(s) for s in starts]
    assert positions == sorted(positions)
    first = sq_text.split("\n")[1]
    assert first.startswith("Të nderuar") and first.endswith("qytetarëve tanë jashtë vendit.")


def test_ingest_pdf_drops_header_footer_page_numbers_and_letterhead(sq: Parsed, sq_text: str) -> None:
    for furniture in (
        "Konferenca e Ambasadorëve 2021",
        "www.mfa-ks.net",
        "Zyra për Informim",
        "Faqe",
        "REPUBLIKA",
        "РЕПУБЛИКА",
        "Ministarstvo Spoljnih",
        "Qeveria – Vlada",
    ):
        assert furniture not in sq_text, furniture
    assert not re.search(r"\b\d+ nga \d+\b", sq_text)
    en = _parse(SAMPLES / "en_press_release_japan.pdf")
    en_text = "\n".join(b.text for b in en.blocks)
    assert "Page 1 of 1" not in en_text and "Press Office" not in en_text and "REPUBLIC OF KOSOVO" not in en_text
    sr = _parse(SAMPLES / "sr-cyrl_independence_statement.pdf")
    sr_text = "\n".join(b.text for b in sr.blocks)
    assert "- 1 -" not in sr_text and "- 2 -" not in sr_text and "Канцеларија за информисање" not in sr_text
    assert "Саопштења за јавност" not in sr_text


def test_ingest_pdf_joins_hyphenated_breaks_keeps_real_hyphens(sq_text: str) -> None:
    for joined in ("integrimi evropian", "përgjithshëm", "falënderoj", "qytetarëve", "institucionet", "diasporën"):
        assert joined in sq_text, joined
    for real in ("Euro-Atlantikë", "NATO-n", "BE-ja", "Stabilizim-Asociimit"):
        assert real in sq_text, real
    assert not re.search(r"\w- \w", sq_text.replace("– ", ""))  # no "integ- rimit" left behind
    parsed = _parse(DATA / "hyphens.pdf")
    text = " ".join(b.text for b in parsed.blocks)
    assert "procesin e integrimit evropian" in text
    assert "partneritetin strategjik Euro-Atlantik te" in text
    assert "ne NATO-s dhe ne BE-se mbetet" in text
    assert "vazhdueshme" in text
    # A line that starts with a dash or "17." inside a sentence is not a list item.
    assert "ne selin e Ministrise me – sipas protokollit – nderime te plota" in text
    assert "do te nenshkruhet me 17. shkurt 2022 ne Bruksel" in text


def test_ingest_pdf_join_rule() -> None:
    assert _join("procesin e integ-", "rimit") == "procesin e integrimit"
    assert _join("partneritetin Euro-", "Atlantik") == "partneritetin Euro-Atlantik"
    assert _join("anëtarësimi në NATO-", "s") == "anëtarësimi në NATO-s"
    assert _join("në BE-", "së") == "në BE-së"
    assert _join("Prishtinë -", "sot") == "Prishtinë - sot"
    assert _join("tekst", "tjetër") == "tekst tjetër"


def test_ingest_pdf_bullets_are_list_items(sq: Parsed) -> None:
    items = [b.text for b in sq.blocks if b.kind == "list_item"]
    assert len(items) == 3
    assert items[0].startswith("një plan vjetor") and items[0].endswith("deri në fund të tetorit;")
    assert items[2] == "shërbim konsullor më të shpejtë për diasporën, sidomos gjatë muajve të verës."
    en = _parse(SAMPLES / "en_press_release_japan.pdf")
    numbered = [b.text for b in en.blocks if b.kind == "list_item"]
    assert [t[:3] for t in numbered] == ["1. ", "2. ", "3. "]
    fx = _parse(DATA / "hyphens.pdf")
    assert [b.text for b in fx.blocks if b.kind == "list_item"] == [
        "a) bashkepunimi ekonomik dhe tregtar me vendet e rajonit;",
        "liberalizimi i vizave per qytetaret e Kosoves;",
    ]


def test_ingest_pdf_title_date_place(sq: Parsed) -> None:
    assert sq.title == (
        "Fjalimi i Ministres së Punëve të Jashtme në Konferencën Vjetore të Ambasadorëve të Republikës së Kosovës"
    )
    assert (sq.date, sq.place) == ("2021-09-14", "Prishtinë")
    assert sq.blocks[0].text.startswith("Ministrja e Punëve të Jashtme dhe Diasporës mbajti sot")
    en = _parse(SAMPLES / "en_press_release_japan.pdf")
    assert en.title == "Minister meets the Ambassador of Japan to discuss economic cooperation and recognition"
    assert (en.date, en.place) == ("2020-02-03", "Prishtina")
    sr = _parse(SAMPLES / "sr-cyrl_independence_statement.pdf")
    assert sr.title is not None and sr.title.startswith("Саопштење Министарства спољних послова")
    assert (sr.date, sr.place) == ("2022-02-17", "Приштина")
    assert "интеграцију." in sr.blocks[1].text


def test_ingest_pdf_read_file_gives_passages() -> None:
    doc = read_file(SAMPLES / "sq_speech_two_column.pdf")
    assert doc.format == "pdf"
    assert sum(p.kind == "list_item" for p in doc.passages) == 3
    assert len(doc.passages) >= 10


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("encrypted.pdf", EncryptedPDFError, "password"),
        ("image_only.pdf", NoTextLayerError, "OCR"),
        ("truncated.pdf", CorruptFileError, "cannot be read"),
    ],
)
def test_ingest_pdf_errors(name: str, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words) as info:
        _parse(DATA / name)
    assert name in str(info.value)


def test_ingest_pdf_errors_not_a_pdf_and_page_limit() -> None:
    with pytest.raises(CorruptFileError, match="not a PDF"):
        parse_pdf(b"<html><body>not a pdf</body></html>", source="fake.pdf", limits=Limits())
    with pytest.raises(CorruptFileError, match="fake2.pdf"):
        parse_pdf(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF", source="fake2.pdf", limits=Limits())
    with pytest.raises(LimitExceededError, match="3 pages"):
        _parse(DATA / "three_pages.pdf", Limits(max_pages=2))
    assert _parse(DATA / "three_pages.pdf", Limits(max_pages=3)).blocks


def test_ingest_pdf_decompression_bomb_is_refused_fast() -> None:
    bomb = bomb_pdf(MAX_PAGE_CONTENT + 2**20)
    assert len(bomb) < MAX_PAGE_CONTENT // 50  # small on disk, huge when inflated
    started = time.monotonic()
    with pytest.raises(LimitExceededError, match="decompression"):
        parse_pdf(bomb, source="bomb.pdf", limits=Limits())
    assert time.monotonic() - started < 5
    # The same construction under the limit is read normally.
    small = parse_pdf(bomb_pdf(1), source="small.pdf", limits=Limits())
    assert small.blocks and "Ministria" in small.blocks[0].text
