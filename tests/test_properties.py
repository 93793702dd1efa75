"""Property-based tests: segmentation, language detection and entity offsets never fail on any string."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfa_nlp.document import Document, Passage
from mfa_nlp.ingest import Block, read_bytes
from mfa_nlp.ingest.segment import make_passages

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Words and names from real statements, in the three languages and both Serbian scripts,
#: with the archive's usual damage (no ë/ç, mojibake), so that entities actually fire.
WORDS = [
    "Kosovo",
    "Kosova",
    "Kosovë",
    "Republika e Kosoves",
    "Srbija",
    "Србија",
    "Косово",
    "Shqipëria",
    "Shqiperia",
    "Albania",
    "NATO",
    "EU",
    "BE-ja",
    "Evropska unija",
    "Европска унија",
    "United Nations",
    "OSBE",
    "OSCE",
    "Ministry of Foreign Affairs",
    "Ministria e Punëve të Jashtme",
    "Министарство спољних послова",
    "Ministarstvo spoljnih poslova",
    "Njemačka",
    "Francuska",
    "Gjermania",
    "Norway",
    "Norvegjisë",
    "Ukraine",
    "Україна",
    "Prishtina",
    "Prishtinë",
    "Beograd",
    "Београд",
    "Brussels",
    "KFOR",
    "UNMIK",
    "human rights",
    "rule of law",
    "sundimi i ligjit",
    "vladavina prava",
    "NorvegjisÃ«",
    "MinistarstvoÂ",
    ".",
    ",",
    "–",
    "\n",
    "\t",
    "\x00",
    "\x1b",
    "\u200b",
    "\u202e",
    "\ufeff",
    "🇽🇰",
    "(",
    ")",
    '"',
    "'",
    "  ",
]
MIXED = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=40).map(" ".join)
ANY_TEXT = st.one_of(st.text(max_size=300), MIXED)
KINDS = st.sampled_from(["paragraph", "heading", "list_item", "caption", ""])


@SETTINGS
@given(st.lists(st.builds(Block, ANY_TEXT, KINDS), max_size=12))
def test_properties_segmentation_never_fails(blocks: list[Block]) -> None:
    passages = make_passages(blocks)
    assert [p.index for p in passages] == list(range(len(passages)))
    for p in passages:
        assert p.text and p.text == p.text.strip()
        assert p.kind in {"paragraph", "heading", "list_item"}


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.html", "a.pdf", "a"]))
def test_properties_read_bytes_only_ingest_errors(data: bytes, name: str) -> None:
    import warnings

    from mfa_nlp.errors import IngestError, MfaNlpWarning

    try:
        with warnings.catch_warnings():  # recoverable oddities (stray non-UTF-8 bytes) warn: allowed
            warnings.simplefilter("ignore", MfaNlpWarning)
            doc = read_bytes(data, source=name)
    except IngestError as exc:
        assert exc.source == name and exc.hint
    else:
        assert doc.passages and all(p.text for p in doc.passages)


@SETTINGS
@given(ANY_TEXT)
def test_properties_language_detect_never_fails(text: str) -> None:
    from mfa_nlp import language

    result = language.detect(text)
    assert 0.0 <= result.confidence <= 1.0
    assert result.lang is None or isinstance(result.lang, str)
    assert not result.reliable or result.lang


@SETTINGS
@given(st.lists(ANY_TEXT.filter(str.strip), min_size=1, max_size=6))
def test_properties_language_annotate_never_fails(texts: list[str]) -> None:
    from mfa_nlp import language

    doc = Document(id="x", source="<text>", format="txt", passages=[Passage(i, t) for i, t in enumerate(texts)])
    language.annotate(doc)
    assert len(doc.passages) == len(texts)
    if doc.lang is not None:
        assert all(p.lang is not None for p in doc.passages)


@SETTINGS
@given(st.lists(MIXED.filter(str.strip), min_size=1, max_size=4), st.sampled_from(["en", "sq", "sr", None, "de"]))
def test_properties_entity_offsets(texts: list[str], lang: str | None) -> None:
    from mfa_nlp.entities import annotate_docs

    doc = Document(
        id="x", source="<text>", format="txt", passages=[Passage(i, t, lang=lang) for i, t in enumerate(texts)]
    )
    annotate_docs([doc])
    for p in doc.passages:
        for e in p.entities:
            assert 0 <= e.start < e.end <= len(p.text)
            assert p.text[e.start : e.end] == e.text


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8), st.integers(0, 10**6))
def test_properties_damaged_pdf_only_ingest_errors(flips: list[tuple[int, int]], cut: int) -> None:
    """A real PDF with bytes flipped and its tail cut off reads or fails with an IngestError."""
    from mfa_nlp.errors import IngestError

    data = bytearray(_PDF)
    for pos, value in flips:
        data[pos % len(data)] = value
    data = data[: max(16, cut % (len(data) + 1))]
    try:
        read_bytes(bytes(data), source="damaged.pdf")
    except IngestError as exc:
        assert exc.source == "damaged.pdf"


def _make_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "The Ministry of Foreign Affairs welcomes the agreement on energy cooperation.")
    pdf.set_compression(False)
    return bytes(pdf.output())


_PDF = _make_pdf()
