"""Build the sample PDFs in corpus/samples/ and the PDF test fixtures in tests/data/.

Run from the repository root (the outputs are committed, so tests do not need fonts)::

    .venv/bin/python corpus/build_pdfs.py

Uses fpdf2 and the DejaVu TTF fonts from the system (/usr/share/fonts/truetype/dejavu/).
All statement texts below were written for this project. Line breaking is done here,
not by fpdf2, so that words marked with a soft hyphen (U+00AD) break with a visible
hyphen, and real hyphens ("Euro-Atlantike") may also end a line, as in real layouts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"
TESTDATA = ROOT / "tests" / "data"
SHY = "\u00ad"

# A4 in points.
PAGE_W, PAGE_H = 595.28, 841.89
MARGIN = 56.0
BODY_SIZE = 10.0
LEADING = 13.0


@dataclass
class Para:
    """One paragraph of a sample: ``kind`` is ``p``, ``bullet`` or ``num``."""

    text: str
    kind: str = "p"
    marker: str = ""


def _pdf() -> FPDF:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVuSerif", "", str(FONT_DIR / "DejaVuSerif.ttf"))
    pdf.set_creator("mfa_nlp corpus/build_pdfs.py")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))  # reproducible output
    return pdf


VOWELS = set("aeiouyëAEIOUYаеиоуАЕИОУ")


def syllabify(word: str) -> str:
    """Mark soft hyphens in a long lowercase word after a vowel followed by a consonant (rough, enough for layout)."""
    core = word.rstrip(".,;:!?")
    if SHY in word or "-" in word or len(core) < 8 or not core.isalpha() or not core.islower():
        return word
    out = [core[0]]
    for i in range(1, len(core)):
        if 3 <= i <= len(core) - 3 and core[i - 1] in VOWELS and core[i] not in VOWELS:
            out.append(SHY)
        out.append(core[i])
    return "".join(out) + word[len(core) :]


def wrap(pdf: FPDF, text: str, width: float, *, hyphenate: bool = True) -> list[str]:
    """Break ``text`` into lines of at most ``width`` points, hyphenating at soft hyphens."""
    lines: list[str] = []
    cur = ""
    for word in map(syllabify if hyphenate else str, text.split()):
        plain = word.replace(SHY, "")
        trial = f"{cur} {plain}" if cur else plain
        if pdf.get_string_width(trial) <= width:
            cur = trial
            continue
        # Try to break the word: at a soft hyphen (adds "-") or after a real hyphen.
        best: tuple[str, str] | None = None
        for i, ch in enumerate(word):
            if ch == SHY:
                head, tail = word[:i].replace(SHY, "") + "-", word[i + 1 :]
            elif ch == "-" and 0 < i < len(word) - 1:
                head, tail = word[: i + 1].replace(SHY, ""), word[i + 1 :]
            else:
                continue
            if pdf.get_string_width(f"{cur} {head}" if cur else head) <= width:
                best = (head, tail)
        if best:
            lines.append(f"{cur} {best[0]}" if cur else best[0])
            cur = best[1].replace(SHY, "")
        else:
            lines.append(cur)
            cur = plain
    if cur:
        lines.append(cur)
    return [ln for ln in lines if ln]


class Layout:
    """Places paragraphs into one or two columns over as many pages as needed."""

    def __init__(self, pdf: FPDF, *, columns: int, header: str, footer: str, top: float) -> None:
        self.pdf, self.columns, self.header, self.footer = pdf, columns, header, footer
        self.gutter = 22.0
        self.col_w = (PAGE_W - 2 * MARGIN - (columns - 1) * self.gutter) / columns
        self.col = 0
        self.y = top
        self.top = top
        self.bottom = PAGE_H - 80

    def new_page(self) -> None:
        self.pdf.add_page()
        self._furniture()
        self.col, self.y, self.top = 0, 90.0, 90.0

    def _furniture(self) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_text_color(90, 90, 90)
        pdf.text(MARGIN, 40, self.header)
        pdf.line(MARGIN, 46, PAGE_W - MARGIN, 46)
        pdf.set_text_color(0, 0, 0)

    def x(self) -> float:
        return MARGIN + self.col * (self.col_w + self.gutter)

    def _advance(self) -> None:
        self.col += 1
        self.y = self.top
        if self.col >= self.columns:
            self.new_page()

    def para(self, p: Para, *, gap: float = 7.0) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "", BODY_SIZE)
        indent = 16.0 if p.kind in ("bullet", "num") else 0.0
        lines = wrap(pdf, p.text, self.col_w - indent)
        for i, line in enumerate(lines):
            if self.y + LEADING > self.bottom:
                self._advance()
            if i == 0 and indent:
                pdf.text(self.x() + 2, self.y, p.marker)
            pdf.text(self.x() + indent, self.y, line)
            self.y += LEADING
        self.y += gap

    def finish_footers(self) -> None:
        """Write "Faqe N nga M"-style footers on every page (after the page count is known)."""
        pdf = self.pdf
        total = pdf.pages_count
        for n in range(1, total + 1):
            pdf.page = n
            pdf.set_font("DejaVu", "", 7.5)
            pdf.set_text_color(90, 90, 90)
            pdf.line(MARGIN, PAGE_H - 58, PAGE_W - MARGIN, PAGE_H - 58)
            pdf.text(MARGIN, PAGE_H - 46, self.footer)
            label = self.page_label(n, total)
            pdf.text(PAGE_W - MARGIN - pdf.get_string_width(label), PAGE_H - 46, label)
            pdf.set_text_color(0, 0, 0)

    page_label_tpl = "Faqe {n} nga {total}"

    def page_label(self, n: int, total: int) -> str:
        return self.page_label_tpl.format(n=n, total=total)


def centered(pdf: FPDF, y: float, text: str, size: float, style: str = "") -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.text((PAGE_W - pdf.get_string_width(text)) / 2, y, text)


def title_block(pdf: FPDF, y: float, title: str, size: float = 14.0) -> float:
    """Write a bold, full-width title (wrapped) from ``y``; return the y below it."""
    pdf.set_font("DejaVu", "B", size)
    for line in wrap(pdf, title, PAGE_W - 2 * MARGIN, hyphenate=False):
        pdf.text(MARGIN, y, line)
        y += size * 1.3
    return y + 6


# --------------------------------------------------------------------------------------
# (a) Albanian speech, two columns, letterhead, running header, footer, page numbers.
# --------------------------------------------------------------------------------------

SQ_TITLE = "Fjalimi i Ministres së Punëve të Jashtme në Konferencën Vjetore të Ambasadorëve të Republikës së Kosovës"
SQ_DATELINE = (
    "Prishtinë, 14 shtator 2021 – Ministrja e Punëve të Jashtme dhe Diasporës mbajti sot fjalimin hyrës "
    "para shefave të misioneve diplomatike e konsullore, të mbledhur në kryeqytet për konferencën e tyre vjetore."
)
SQ_PARAS = [
    Para(
        "Të nderuar ambasadorë, konsuj të përgjithshëm dhe kolegë të ministrisë, ju falënderoj që jeni këtu. "
        "Viti që lamë pas ishte i vështirë për diplomacinë tonë, por edhe vit kur vendi ynë tregoi se di të "
        "qëndrojë në këmbë. Pandemia na detyroi të punojmë ndryshe, shpesh nga larg, me më pak burime dhe me "
        "më shumë përgjegjësi ndaj qytetarëve tanë jashtë vendit."
    ),
    Para(
        "Prioriteti ynë i parë mbetet integ\u00adrimi evropian. Marrëveshja e Stabilizim-Asociimit është baza e "
        "marrëdhënieve tona me Bashkimin Evropian dhe ne do ta zbatojmë atë me përkushtim. Liberalizimi i vizave "
        "për qytetarët e Kosovës nuk është favor, por e drejtë e fituar, sepse të gjitha kriteret e vendosura nga "
        "BE-ja janë përmbushur prej kohësh. Kjo duhet të thuhet qartë në çdo kryeqytet ku punoni."
    ),
    Para(
        "Prioriteti i dytë është njohja ndërkombëtare. Çdo njohje e re forcon subjektivitetin tonë dhe hap "
        "rrugën drejt anëtarësimit në organizata ndërkombëtare. Ju kërkoj që në takimet tuaja me ministritë "
        "homologe të ngrini këtë çështje në mënyrë të vazhdueshme, me durim dhe me argu\u00admente, pa e "
        "humbur asnjëherë tonin e respektit reciprok."
    ),
    Para(
        "I treti është partneriteti ynë strategjik me Shtetet e Bashkuara të Amerikës dhe me aleatët "
        "Euro-Atlantikë. Anëtarësimi në NATO mbetet synim afatgjatë i Republikës së Kosovës, ndërsa "
        "bashkëpunimi me NATO-n dhe me misionin KFOR vazhdon të jetë garanci e paqes dhe e stabilitetit "
        "në të gjithë rajonin e Ballkanit Perëndimor."
    ),
    Para("Për vitin që vjen, nga secili mision pres tre gjëra konkrete:"),
    Para(
        "një plan vjetor të takimeve me institucionet e vendit pritës, të dorëzuar deri në fund të tetorit;",
        "bullet",
        "•",
    ),
    Para(
        "raportim të rregullt, të paktën një herë në muaj, mbi qëndrimet e vendit pritës ndaj Kosovës;",
        "bullet",
        "•",
    ),
    Para(
        "shërbim konsullor më të shpejtë për diasporën, sidomos gjatë muajve të verës.",
        "bullet",
        "•",
    ),
    Para(
        "Diaspora jonë është ura më e fortë që kemi me botën. Bashkatdhetarët tanë në Gjermani, Zvicër, "
        "Austri dhe gjetkë kontribuojnë çdo vit në ekonominë e vendit dhe meritojnë shërbime dinjitoze. "
        "Digjitalizimi i shërbimeve konsullore do të vazhdojë këtë vit, në mënyrë që aplikimi për pasaporta "
        "dhe dokumente civile të bëhet pa pritje të gjata në sportel."
    ),
    Para(
        "Në fund, dua të theksoj se dialogu i lehtësuar nga Bashkimi Evropian duhet të përfundojë me "
        "marrëveshje ligjërisht detyruese, me njohje reciproke në qendër të saj. Kosova është e "
        "gatshme për zgjidhje që respektojnë sovranitetin dhe integritetin territorial të saj, por nuk do të "
        "pranojë asnjë ide që cenon rendin kushtetues."
    ),
    Para(
        "Ju uroj punë të mbarë dhe suksese në misionet tuaja. Ministria do të jetë gjithmonë në krah tuaj, "
        "ashtu siç pres që edhe ju të jeni zëri i Republikës së Kosovës në çdo tryezë ku vendoset për të ardhmen "
        "e rajonit tonë."
    ),
]


def build_sq_two_column(path: Path) -> None:
    pdf = _pdf()
    lay = Layout(
        pdf,
        columns=2,
        header="Ministria e Punëve të Jashtme dhe Diasporës · Konferenca e Ambasadorëve 2021",
        footer="www.mfa-ks.net · Zyra për Informim",
        top=0,
    )
    pdf.add_page()
    lay._furniture()
    # Letterhead: state names in three languages and the ministry, centred.
    centered(pdf, 72, "REPUBLIKA E KOSOVËS / REPUBLIC OF KOSOVO / РЕПУБЛИКА КОСОВО", 9, "B")
    centered(pdf, 86, "Qeveria – Vlada – Government", 8.5)
    centered(pdf, 99, "Ministria e Punëve të Jashtme dhe Diasporës / Ministry of Foreign Affairs and Diaspora", 8.5)
    centered(pdf, 111, "Ministarstvo Spoljnih Poslova i Dijaspore", 8.5)
    pdf.line(MARGIN, 120, PAGE_W - MARGIN, 120)
    y = title_block(pdf, 146, SQ_TITLE)
    # The dateline paragraph runs full width under the title.
    pdf.set_font("DejaVu", "", BODY_SIZE)
    for line in wrap(pdf, SQ_DATELINE, PAGE_W - 2 * MARGIN):
        pdf.text(MARGIN, y, line)
        y += LEADING
    lay.top = lay.y = y + 14
    lay.col = 0
    lay.bottom = 600  # leave the lower page free for a photo caption area, as the CMS prints do
    for p in SQ_PARAS:
        lay.para(p)
    lay.finish_footers()
    pdf.output(str(path))


# --------------------------------------------------------------------------------------
# (b) English press release, one column.
# --------------------------------------------------------------------------------------

EN_TITLE = "Minister meets the Ambassador of Japan to discuss economic cooperation and recognition"
EN_PARAS = [
    Para(
        "Prishtina, 3 February 2020 – The Minister of Foreign Affairs received today the Ambassador of Japan "
        "to the Republic of Kosovo at the premises of the Ministry. The two interlocutors reviewed the state of "
        "bilateral relations and agreed that there is considerable room for deeper economic cooperation."
    ),
    Para(
        "The Minister thanked the Government of Japan for its long-standing support to Kosovo's develop\u00adment, "
        "in particular through the Japan International Cooperation Agency, whose projects in energy efficiency "
        "and waste management have improved the daily lives of citizens in several municipalities."
    ),
    Para("The sides agreed on the following next steps:"),
    Para("a joint business forum in Tokyo in the second half of the year;", "num", "1."),
    Para("an exchange of letters on the avoidance of double taxation;", "num", "2."),
    Para("a scholarship scheme for young Kosovo diplomats at Japanese universities.", "num", "3."),
    Para(
        "The Minister also briefed the Ambassador on the EU-facilitated dialogue with Serbia and on Kosovo's "
        "Euro-Atlantic agenda, underlining that mutual recognition remains the only sustainable outcome. "
        "She asked for Japan's continued support for Kosovo's membership in international organisations, "
        "including UNESCO and the Council of Europe."
    ),
    Para(
        "The Ambassador conveyed the greetings of the Japanese Foreign Minister and confirmed Japan's "
        "readiness to support reforms in the rule of law and the economy."
    ),
]


def build_en_press_release(path: Path) -> None:
    pdf = _pdf()
    lay = Layout(
        pdf,
        columns=1,
        header="Ministry of Foreign Affairs – Press Office",
        footer="Press releases are issued by the Office for Public Communication",
        top=0,
    )
    lay.page_label_tpl = "Page {n} of {total}"
    pdf.add_page()
    lay._furniture()
    centered(pdf, 72, "REPUBLIKA E KOSOVËS / REPUBLIC OF KOSOVO", 9, "B")
    centered(pdf, 86, "Ministry of Foreign Affairs", 8.5)
    y = title_block(pdf, 122, EN_TITLE, 15)
    lay.top = lay.y = y + 6
    for p in EN_PARAS:
        lay.para(p)
    lay.finish_footers()
    pdf.output(str(path))


# --------------------------------------------------------------------------------------
# (c) Serbian (Cyrillic, ijekavian forms in a quoted passage), one column, two pages.
# --------------------------------------------------------------------------------------

SR_TITLE = "Саопштење Министарства спољних послова поводом годишњице проглашења независности"
SR_PARAS = [
    Para(
        "Приштина, 17. фебруар 2022. – Министарство спољних послова Републике Косово честита свим грађанима "
        "годишњицу проглашења независности и захваљује државама које су признале Републику Косово на "
        "њиховој подршци током протеклих година."
    ),
    Para(
        "Министарство подсјећа да је до сада Републику Косово признало више од стотину држава чланица "
        "Уједињених нација и да се процес признавања наставља. Дипломатска мрежа Косова данас обухвата "
        "амбасаде и конзулате на свим континентима, а њихов рад је усмјерен на економску сарадњу, "
        "заштиту интереса дијаспоре и међународну интег\u00adрацију."
    ),
    Para(
        "Посебна пажња биће посвећена односима са државама региона. Министарство поздравља сваки "
        "корак ка добросусједским односима и подржава регионалне иницијативе, укључујући Берлински "
        "процес и Заједничко регионално тржиште, под условом да поштују равноправност свих учесника."
    ),
    Para(
        "Министарство позива и државе које још нису признале Републику Косово да то учине, у интересу "
        "мира и стабилности на Западном Балкану. Признање не угрожава никога, а доприноси томе да "
        "регион коначно затвори поглавље сукоба и окрене се заједничкој европској будућности."
    ),
    Para(
        "У наредном периоду Министарство ће организовати низ догађаја у дипломатским мисијама широм "
        "свијета, на којима ће бити представљена култура, привреда и туристички потенцијали Косова."
    ),
    Para(
        "Grad Priština i ove godine organizuje centralnu proslavu na trgu, uz učešće predstavnika diplomatskog "
        "kora, a Ministarstvo poziva građane da se pridruže obilježavanju ovog praznika."
    ),
]


def build_sr_statement(path: Path) -> None:
    pdf = _pdf()
    lay = Layout(
        pdf,
        columns=1,
        header="Министарство спољних послова · Саопштења за јавност",
        footer="Канцеларија за информисање",
        top=0,
    )
    lay.page_label_tpl = "- {n} -"
    lay.bottom = 420  # a short text area, so the statement runs over two pages
    pdf.add_page()
    lay._furniture()
    centered(pdf, 72, "РЕПУБЛИКА КОСОВО / REPUBLIKA KOSOVO", 9, "B")
    centered(pdf, 86, "Министарство спољних послова / Ministarstvo spoljnih poslova", 8.5)
    y = title_block(pdf, 122, SR_TITLE, 14)
    lay.top = lay.y = y + 6
    for p in SR_PARAS:
        lay.para(p)
    lay.finish_footers()
    pdf.output(str(path))


# --------------------------------------------------------------------------------------
# Test fixtures: encrypted, image-only (no text layer), truncated, two short pages.
# --------------------------------------------------------------------------------------


def build_fixtures(two_column: Path) -> None:
    TESTDATA.mkdir(parents=True, exist_ok=True)

    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "", 11)
    pdf.text(MARGIN, 100, "Deklaratë e mbrojtur me fjalëkalim.")
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")
    pdf.output(str(TESTDATA / "encrypted.pdf"))

    from PIL import Image, ImageDraw

    img = Image.new("L", (240, 120), 255)
    draw = ImageDraw.Draw(img)
    for i in range(8):
        draw.line((10, 12 + i * 13, 230 - (i % 3) * 30, 12 + i * 13), fill=0, width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pdf = _pdf()
    pdf.add_page()
    pdf.image(io.BytesIO(buf.getvalue()), x=MARGIN, y=80, w=300)
    pdf.set_font("DejaVu", "", 8)
    pdf.text(PAGE_W / 2, PAGE_H - 40, "1")  # scanners often add only a page number as text
    pdf.output(str(TESTDATA / "image_only.pdf"))

    data = two_column.read_bytes()
    (TESTDATA / "truncated.pdf").write_bytes(data[: len(data) // 3])

    pdf = _pdf()
    for n in (1, 2, 3):
        pdf.add_page()
        pdf.set_font("DejaVu", "", 11)
        pdf.text(MARGIN, 100, f"Faqja {n}: tekst i shkurtër për kufirin e faqeve.")
    pdf.output(str(TESTDATA / "three_pages.pdf"))


HYPHEN_LINES = [
    # Albanian typed without ë/ç, as in many archive files; lines are broken by hand.
    [
        "Ministria e Puneve te Jashtme mbeshtet fuqimisht procesin e integ-",
        "rimit evropian dhe partneritetin strategjik Euro-",
        "Atlantik te Republikes se Kosoves. Anetaresimi ne NATO-",
        "s dhe ne BE-",
        "se mbetet synim afatgjate i Qeverise dhe i te gjithe qytetareve.",
    ],
    [
        "Ministri e priti ambasadorin ne selin e Ministrise me",
        "– sipas protokollit – nderime te plota, ndersa marreveshja do te nenshkruhet me",
        "17. shkurt 2022 ne Bruksel, ne prani te perfaqesuesve te BE-se.",
    ],
    ["Ne takim u diskutuan keto pika:"],
    ["a) bashkepunimi ekonomik dhe tregtar me vendet e rajonit;"],
    ["– liberalizimi i vizave per qytetaret e Kosoves;"],
    [
        "Ministri falenderoi partneret nderkombetare per mbeshtetjen e vazhdu-",
        "eshme dhe per ndihmen ne forcimin e institucioneve demokratike.",
    ],
]


def build_hyphen_fixture(path: Path) -> None:
    """One column with hand-made line breaks: hyphenated words, real hyphens, bullets."""
    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.text(MARGIN, 70, "Njoftim per shtyp")
    pdf.set_font("DejaVu", "", BODY_SIZE)
    y = 100.0
    for para in HYPHEN_LINES:
        for line in para:
            pdf.text(MARGIN, y, line)
            y += LEADING
        y += 8
    pdf.output(str(path))


def main() -> None:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    two_col = SAMPLES / "sq_speech_two_column.pdf"
    build_sq_two_column(two_col)
    build_en_press_release(SAMPLES / "en_press_release_japan.pdf")
    build_sr_statement(SAMPLES / "sr-cyrl_independence_statement.pdf")
    build_fixtures(two_col)
    build_hyphen_fixture(TESTDATA / "hyphens.pdf")
    for p in sorted([*SAMPLES.glob("*.pdf"), *TESTDATA.glob("*.pdf")]):
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
