"""HTML ingestion on the sample corpus, held-out layouts and encoding fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mfa_nlp.errors import EmptyDocumentError
from mfa_nlp.ingest import read_bytes, read_file
from mfa_nlp.ingest.html import parse_html

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
GOLDS = sorted((DATA / "html_gold").glob("*.json")) + sorted((DATA / "html_heldout").glob("*.json"))

#: Page furniture that must never reach a passage.
FURNITURE = [
    "Lajme të fundit",
    "Latest news",
    "Najnovije vesti",
    "Најновије вести",
    "Foto Galeria",
    "Photo Gallery",
    "cookies",
    "kolačiće",
    "колачиће",
    "Shpërndaje",
    "Podeli",
    "Подели",
    "Tweet",
    "All rights reserved",
    "Të gjitha të drejtat",
    "Sva prava",
    "Сва права",
    "Ballina",
    "Početna",
    "Почетна",
    "Shqip",
    "English",
    "Recent Posts",
    "Lajmet e tjera",
    "Related",
    "Most read",
    "Advertisement",
    "Skip to content",
    "Printo",
]


def _gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem)
def test_ingest_html_matches_gold(gold_path: Path) -> None:
    gold = _gold(gold_path)
    doc = read_file(ROOT / gold["file"])
    assert doc.format == "html"
    assert (doc.title, doc.date, doc.place) == (gold["title"], gold["date"], gold["place"])
    assert [(p.kind, p.text) for p in doc.passages] == [(p["kind"], p["text"]) for p in gold["passages"]]


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem)
def test_ingest_html_drops_page_furniture(gold_path: Path) -> None:
    doc = read_file(ROOT / _gold(gold_path)["file"])
    for passage in doc.passages:
        for phrase in FURNITURE:
            assert phrase.lower() not in passage.text.lower(), (phrase, passage.text)


def test_ingest_html_headings_and_bullets_are_own_passages() -> None:
    doc = read_file(ROOT / "corpus/samples/sr-cyrl_sovereignty.html")
    kinds = [p.kind for p in doc.passages]
    assert kinds == ["paragraph", "paragraph", "heading", "list_item", "list_item", "list_item", "paragraph"]
    assert doc.passages[2].text == "Постигнућа у првој деценији"
    assert doc.passages[0].text.startswith("Министарство спољних послова")  # dateline stripped


def test_ingest_html_cp1250_old_cms_with_br_paragraphs() -> None:
    data = (ROOT / "corpus/samples/sr-latn_dialogue.html").read_bytes()
    assert b"windows-1250" in data and "međusobnom".encode() not in data
    doc = read_bytes(data, source="sr-latn_dialogue.html")
    assert len(doc.passages) == 4
    assert "međusobnom priznanju" in doc.passages[0].text
    assert "uključujući sporazum o energetici" in doc.passages[1].text


def test_ingest_html_cp1252_without_declaration_and_bom() -> None:
    undeclared = (ROOT / "corpus/samples/sq_partnership_usa_germany.html").read_bytes()
    assert b"charset" not in undeclared.lower()
    doc = read_bytes(undeclared, source="a.html")
    assert doc.title is not None and doc.title.startswith("Ministri Pacolli në Uashington")
    assert "Gjermanisë" in doc.passages[0].text
    bom = (ROOT / "corpus/samples/sq_nato_kfor.html").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf")
    assert read_bytes(bom, source="b.html").passages[0].text.startswith("Ministri i Punëve të Jashtme, z. Enver Hoxhaj")


def test_ingest_html_page_without_class_hints_and_wrong_declaration() -> None:
    doc = read_file(DATA / "no_hints_sr-latn.html")  # declares iso-8859-1, bytes are windows-1250
    assert (doc.title, doc.date, doc.place) == (
        "Ministarka Gërvalla-Schwarz u poseti Vašingtonu",
        "2022-06-15",
        "Vašington",
    )
    assert len(doc.passages) == 2
    assert "strateškom partnerstvu između Kosova" in doc.passages[0].text
    assert not any("Najnovije" in p.text or "Cirihu" in p.text for p in doc.passages)


def test_ingest_html_repairs_mojibake_page() -> None:
    clean = read_file(DATA / "no_hints_sr-latn.html")
    broken = read_file(DATA / "mojibake_sr-latn.html")
    assert (broken.title, broken.place) == (clean.title, clean.place)
    assert [p.text for p in broken.passages] == [p.text for p in clean.passages]


def test_ingest_html_title_from_title_tag_without_site_suffix() -> None:
    page = (
        "<html><head><title>Kosovo welcomes the decision of the Council | Ministry of Foreign Affairs</title></head>"
        "<body><div><p>Prishtina, 5 May 2021 – The Ministry welcomes today's decision of the Council of the "
        "European Union on visa liberalisation for the citizens of Kosovo.</p></div></body></html>"
    ).encode()
    parsed = parse_html(page, source="t.html")
    assert (parsed.title, parsed.date, parsed.place) == (
        "Kosovo welcomes the decision of the Council",
        "2021-05-05",
        "Prishtina",
    )


def test_ingest_html_only_furniture_is_empty_document() -> None:
    page = b"<html><body><nav><a href='/'>Home</a></nav><footer>All rights reserved</footer></body></html>"
    with pytest.raises(EmptyDocumentError):
        read_bytes(page, source="empty.html")


def test_ingest_html_deeply_nested_markup() -> None:
    page = (
        "<div>" * 1500 + "<p>The Ministry condemns the attack on the border police in the north.</p>" + "</div>" * 1500
    ).encode()
    doc = read_bytes(page, source="deep.html")
    assert [p.text for p in doc.passages] == ["The Ministry condemns the attack on the border police in the north."]


def test_ingest_html_list_of_links_inside_article_is_dropped() -> None:
    page = (
        "<html><body><article><h1>Kosovo and Albania hold joint government meeting</h1>"
        "<p>Tirana, 26 November 2019 – The two governments signed eleven agreements on energy, "
        "transport and education.</p>"
        "<p>The Minister said the meeting confirmed the strategic partnership between the two countries.</p>"
        "<ul><li><a href='/1'>Minister meets the Ambassador of Italy</a></li>"
        "<li><a href='/2'>Consular day in Zurich</a></li></ul>"
        "<ul><li>energy interconnection;</li><li>a joint border crossing point.</li></ul>"
        "</article></body></html>"
    ).encode()
    doc = read_bytes(page, source="t.html")
    assert doc.title == "Kosovo and Albania hold joint government meeting"
    assert (doc.date, doc.place) == ("2019-11-26", "Tirana")
    assert [p.kind for p in doc.passages] == ["paragraph", "paragraph", "list_item", "list_item"]
    assert doc.passages[0].text.startswith("The two governments signed")


def test_ingest_html_lead_and_body_in_sibling_containers() -> None:
    page = (
        "<html><head><title>Ministria e Punëve të Jashtme</title></head><body>"
        "<div class='menu'><a href='/'>Ballina</a> <a href='/lajme'>Lajme</a> <a href='/en'>English</a></div>"
        "<div class='wrap'><h1>Kosova dhe Gjermania nënshkruajnë marrëveshjen për punësim</h1>"
        "<div class='lead'>Prishtinë, 12 prill 2023 – Kosova dhe Gjermania nënshkruan sot marrëveshjen për "
        "migrimin e rregullt të punës, e cila u hap rrugë qindra të rinjve për punë të ligjshme.</div>"
        "<div class='col'><p>Ministrja falënderoi Qeverinë gjermane për mbështetjen e vazhdueshme, nga njohja e "
        "pavarësisë deri te liberalizimi i vizave.</p><p>Marrëveshja hyn në fuqi pas ratifikimit në Kuvend, "
        "ndërsa zbatimi i saj do të përcillet nga një komision i përbashkët.</p></div>"
        "<div class='col'><a href='/1'>Lajmi tjetër</a> <a href='/2'>Lajmi i mëparshëm</a></div></div></body></html>"
    ).encode()
    doc = read_bytes(page, source="lead.html")
    assert doc.title == "Kosova dhe Gjermania nënshkruajnë marrëveshjen për punësim"
    assert (doc.date, doc.place) == ("2023-04-12", "Prishtinë")
    assert [p.text.split()[0] for p in doc.passages] == ["Kosova", "Ministrja", "Marrëveshja"]


def test_ingest_html_yearless_news_dateline_takes_year_from_metadata() -> None:
    """Issue 12: "PRISTINA, March 7 (Reuters) –" with a published date in the page's metadata."""
    page = (
        "<html><head><title>Kosovo votes</title>"
        "<meta property='article:published_time' content='2019-03-08T09:12:00Z'></head><body><article>"
        "<h1>Kosovo parliament votes on the army</h1><p>PRISTINA, March 7 (Reuters) – Kosovo's parliament voted "
        "on Thursday to turn its lightly armed security force into an army.</p>"
        "<p>Serbia said the move threatens peace in the region.</p></article></body></html>"
    )
    doc = read_bytes(page.encode(), source="reuters.html")
    assert (doc.date, doc.place) == ("2019-03-07", "Pristina")
    assert doc.passages[0].text.startswith("Kosovo's parliament voted")
    undated = read_bytes(page.replace("2019-03-08T09:12:00Z", "").encode(), source="undated.html")
    assert undated.date is None and undated.passages[0].text.startswith("PRISTINA, March 7")


def test_ingest_peek_text_keeps_words_and_drops_markup(tmp_path: Path) -> None:
    from mfa_nlp.ingest import peek_text

    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><style>p { color: red }</style><script>var x = '<p>hidden</p>';</script></head>"
        "<body><!-- menu --><p>Ministria e Punëve t&euml; Jashtme</p><p>Министарство</p></body></html>",
        encoding="utf-8",
    )
    text = peek_text(page)
    assert text is not None
    assert text.split() == ["Ministria", "e", "Punëve", "të", "Jashtme", "Министарство"]
    pdf = tmp_path / "renamed.html"
    pdf.write_bytes((DATA / "three_pages.pdf").read_bytes())
    assert peek_text(pdf) is None  # a PDF under an HTML name is not text
    assert peek_text(DATA / "three_pages.pdf") is None
    assert peek_text(tmp_path / "missing.html") is None
