"""Byte decoding, mojibake repair and .txt statements."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from mfa_nlp.ingest import read_bytes, read_file
from mfa_nlp.ingest.text import decode_bytes, parse_txt, repair_mojibake

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
SR = "Priština, Đakovica i Čačak: međusobno priznanje, uključujući Šabac i Žabljak."
SQ = "Ministria e Punëve të Jashtme të Kosovës: Çështja e njohjes dhe marrëveshja me Serbinë."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (SR, "cp1250"),
        (SR, "iso-8859-2"),
        (SQ, "cp1250"),
        (SQ, "cp1252"),
        (SQ, "utf-8"),
        ("Приштина, 7. март 2018. Министарство", "cp1251"),
        ("Приштина, Kosovës", "utf-8"),
    ],
)
def test_ingest_text_decodes_undeclared_encodings(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)) == text


@pytest.mark.parametrize("bom_encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_ingest_text_decodes_boms(bom_encoding: str) -> None:
    data = SR.encode(bom_encoding)
    if bom_encoding in ("utf-16-le", "utf-16-be"):
        data = (codecs.BOM_UTF16_LE if bom_encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    assert decode_bytes(data) == SR


def test_ingest_text_overrules_a_wrong_declaration() -> None:
    # Old CMS pages declare iso-8859-1 but are written in windows-1250.
    assert decode_bytes(SR.encode("cp1250"), declared="iso-8859-1") == SR
    assert decode_bytes(SQ.encode("cp1252"), declared="windows-1252") == SQ


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("KosovÃ«s", "Kosovës"),
        ("Ministria e PunÃ«ve tÃ« Jashtme", "Ministria e Punëve të Jashtme"),
        ("PriÅ¡tina i Ä\u008dak", "Priština i čak"),
        ("ÃŠÃ§shtja â€“ njohja", "Êçshtja – njohja"),
        ("ÐŸÑ€Ð¸ÑˆÑ‚Ð¸Ð½Ð°", "Приштина"),
    ],
)
def test_ingest_text_repairs_mojibake(broken: str, fixed: str) -> None:
    assert repair_mojibake(broken) == fixed
    assert decode_bytes(broken.encode("utf-8")) == fixed


def test_ingest_text_leaves_correct_text_alone() -> None:
    text = "Ã la carte is not Albanian; Kosovës, Приштина, Priština."
    assert repair_mojibake(text) == text


@pytest.mark.parametrize(
    ("name", "title", "date", "place", "first_words", "n"),
    [
        (
            "en_ukraine_statement.txt",
            "Statement on the humanitarian situation in Ukraine",
            "2022-03-03",
            "Prishtina",
            "The Ministry of Foreign",
            5,
        ),
        (
            "sq_dialogue_brussels.txt",
            "Deklaratë e Ministrisë së Punëve të Jashtme pas raundit të ri të dialogut në Bruksel",
            "2021-07-19",
            "Prishtinë",
            "Ministria e Punëve",
            4,
        ),
        (
            "sr-latn_recognition.txt",
            "Saopštenje povodom priznanja Republike Kosovo od strane Izraela",
            "2021-02-01",
            "Priština",
            "Ministarstvo inostranih poslova",
            5,
        ),
    ],
)
def test_ingest_text_sample_statements(name: str, title: str, date: str, place: str, first_words: str, n: int) -> None:
    doc = read_file(SAMPLES / name)
    assert (doc.format, doc.title, doc.date, doc.place) == ("txt", title, date, place)
    assert len(doc.passages) == n
    assert doc.passages[0].text.startswith(first_words)
    assert all(p.kind == "paragraph" for p in doc.passages)


def test_ingest_text_without_title_or_dateline_crlf_cp1250() -> None:
    raw = "Ministar je primio ambasadora.\r\n\r\nRazgovarali su o dijalogu sa Srbijom i o liberalizaciji.\r\n".encode(
        "cp1250"
    )
    parsed = parse_txt(raw, source="x.txt")
    assert (parsed.title, parsed.date, parsed.place) == (None, None, None)
    assert [b.text for b in parsed.blocks] == [
        "Ministar je primio ambasadora.",
        "Razgovarali su o dijalogu sa Srbijom i o liberalizaciji.",
    ]


def test_ingest_text_wrapped_lines_join_into_one_passage() -> None:
    doc = read_bytes(
        "Prishtinë, 7 mars 2018\n\nMinistria mirëpret\nvendimin e Këshillit\npër liberalizimin e vizave.".encode(),
        source="y.txt",
    )
    assert (doc.date, doc.place, doc.title) == ("2018-03-07", "Prishtinë", None)
    assert [p.text for p in doc.passages] == ["Ministria mirëpret vendimin e Këshillit për liberalizimin e vizave."]
