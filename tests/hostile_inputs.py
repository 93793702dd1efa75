"""Writes the hostile input suite (bad, broken, huge and odd files) into a folder at test time.

Run directly to inspect it: ``python tests/hostile_inputs.py tests/hostile``.
Each kind maps to what the tool must do with it: ``"record"`` (a correct record),
``"error"`` (one clear error row), ``"either"`` or ``"skipped"`` (another file type).
"""

from __future__ import annotations

import os
import random
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

GOOD_HTML = (
    "<html><head><meta charset='utf-8'><title>Statement | Ministry of Foreign Affairs</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/en'>EN</a></nav><article><h1>Minister meets the Ambassador of Norway</h1>"
    "<p>Prishtina, 3 May 2021 – The Minister of Foreign Affairs received the Ambassador of Norway and thanked "
    "Norway for its steady support for the rule of law and the European path of Kosovo.</p>"
    "<p>Both sides agreed to deepen cooperation in energy, education and the fight against organised crime.</p>"
    "</article><footer>© Ministry of Foreign Affairs</footer></body></html>"
)
GOOD_TEXT = (
    "The Ministry of Foreign Affairs welcomes the decision of the Council of Europe.\n\n"
    "Kosovo remains committed to human rights, democracy and the rule of law."
)


def _pdf(pages: int = 1, text: str = "Statement of the Ministry of Foreign Affairs on regional cooperation.") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for n in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"{text} Page {n + 1}.")
    return bytes(pdf.output())


def _encrypted_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Confidential note on consular cooperation.")
    return bytes(pdf.output())


def _png(width: int = 64, height: int = 64) -> bytes:
    raw = b"".join(
        b"\x00" + bytes(c for x in range(width) for c in (x * 4 % 256, y * 4 % 256, 128)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _image_only_pdf(folder: Path) -> bytes:
    from fpdf import FPDF

    png = folder / ".scan.png"
    png.write_bytes(_png())
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(png), x=10, y=10, w=180)
    png.unlink()
    return bytes(pdf.output())


def bomb_pdf(inflated: int = 512 * 1024 * 1024, text: bytes = b"Ministria") -> bytes:
    """A one-page PDF whose content stream inflates to about ``inflated`` bytes of text operators."""
    op = b"BT /F1 12 Tf 72 712 Td (" + text + b") Tj ET\n"
    count = max(1, inflated // len(op))
    comp = zlib.compressobj(9)
    block = op * 4096
    parts = [comp.compress(block) for _ in range(count // 4096)]
    parts.append(comp.compress(op * (count % 4096)))
    stream = b"".join(parts) + comp.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


Kinds = dict[str, tuple[Callable[[], bytes | None], str]]


def _kinds(root: Path) -> Kinds:
    """{relative path: (make the bytes, expectation)}; nothing is built until a maker is called."""
    rng = random.Random(7)
    pdf = _pdf
    return {
        "empty.txt": (lambda: b"", "error"),
        "zero_bytes.pdf": (lambda: b"", "error"),
        "whitespace_only.txt": (lambda: b" \n\n\t \r\n", "error"),
        # Content wins over the name: a renamed file is read as what it is.
        "html_renamed.pdf": (lambda: GOOD_HTML.encode(), "record"),
        "pdf_renamed.html": (lambda: pdf(), "record"),
        "truncated.pdf": (lambda: pdf()[: len(pdf()) // 2], "error"),
        "broken_xref.pdf": (lambda: pdf().replace(b"xref", b"xrfe").replace(b"startxref", b"startxrfe"), "either"),
        "encrypted.pdf": (_encrypted_pdf, "error"),
        "image_only.pdf": (lambda: _image_only_pdf(root), "error"),
        "thousand_pages.pdf": (lambda: _pdf(1000), "error"),
        "decompression_bomb.pdf": (bomb_pdf, "error"),
        "not_a_pdf_zip.pdf": (lambda: b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(2000)), "error"),
        "huge_single_line.txt": (lambda: ("Kosovo and Albania signed an agreement " * 60_000).encode(), "error"),
        "invalid_utf8.txt": (lambda: GOOD_TEXT.encode() + b"\n\n\xff\xfe\xfa broken \xc3\x28 bytes \xa0\xa1", "record"),
        "utf16_bom.txt": (lambda: GOOD_TEXT.encode("utf-16"), "record"),
        "cp1250_no_declaration.html": (
            lambda: (
                "<html><body><h1>Saopštenje</h1><p>Ministarstvo spoljnih poslova pozdravlja odluku Savjeta "
                "Evrope o članstvu; čestitke građanima, šefovima misija i svim službenicima.</p></body></html>".encode(
                    "cp1250"
                )
            ),
            "record",
        ),
        "nul_bytes.txt": (lambda: GOOD_TEXT.encode().replace(b" ", b"\x00 ", 5), "record"),
        "nul_only.txt": (lambda: b"\x00" * 4096, "error"),
        "deep_nesting.html": (
            lambda: (
                "<div>" * 100_000 + "<p>Deep text about the dialogue with Serbia.</p>" + "</div>" * 100_000
            ).encode(),
            "either",
        ),
        "entity_bomb.html": (
            lambda: (
                b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;'
                b'&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;'
                b'&lol3;&lol3;">]><html><body><p>&lol4; Statement on the rule of law and human rights in the region.'
                b"</p></body></html>"
            ),
            "record",
        ),
        "no_body.html": (lambda: b"<html><head><title>Only a title here</title></head></html>", "either"),
        "only_scripts.html": (
            lambda: (
                b"<html><head><script>var a = 1;</script></head><body><script>alert(1)"
                b"</script><style>p{}</style></body></html>"
            ),
            "error",
        ),
        "broken_markup.html": (
            lambda: (
                b"<html><body><p>Unclosed <b>bold <i>italic <div>The Ministry condemns the "
                b"attack.<p>Another <<<>>> paragraph & stray ampersand"
            ),
            "record",
        ),
        "binary_noise.txt": (lambda: bytes(rng.randrange(256) for _ in range(50_000)), "error"),
        "gzip_as_html.html": (lambda: zlib.compress(GOOD_HTML.encode() * 50), "error"),
        "name with spaces.txt": (lambda: GOOD_TEXT.encode(), "record"),
        "name\nwith newline.txt": (lambda: GOOD_TEXT.encode(), "record"),
        "Изјава министра — ünïcödé.txt": (lambda: GOOD_TEXT.encode(), "record"),
        ("x" * 200) + ".txt": (lambda: GOOD_TEXT.encode(), "record"),
        # Readable when the tests run as root; an IngestError naming the permissions otherwise.
        "unreadable.txt": (lambda: GOOD_TEXT.encode(), "either"),
        "sub/dir/nested_good.html": (lambda: GOOD_HTML.encode(), "record"),
        "big_200mb.txt": (lambda: None, "error"),
        "mojibake.html": (
            lambda: GOOD_HTML.replace("Norway", "Norvegjisë").encode("utf-8").decode("latin-1").encode("utf-8"),
            "record",
        ),
        "ignored.docx": (lambda: b"PK\x03\x04 not a real docx", "skipped"),
    }


#: {relative path: expectation}, without writing anything (for test parametrisation).
EXPECTATIONS: dict[str, str] = {name: expect for name, (_, expect) in _kinds(Path(".")).items()}


def generate(folder: str | os.PathLike[str], *, big_bytes: int = 200 * 1024 * 1024) -> dict[str, str]:
    """Write the suite into ``folder`` (plus a symlink loop ``loop/back``); return {relative path: expectation}."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    expectations: dict[str, str] = {}
    for name, (make, expect) in _kinds(root).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = make()
        if data is None:  # a sparse file: big on disk listing, cheap to make
            with path.open("wb") as fh:
                fh.seek(big_bytes - 1)
                fh.write(b"\0")
        else:
            path.write_bytes(data)
        expectations[name] = expect
    os.chmod(root / "unreadable.txt", 0)
    loop = root / "loop"
    loop.mkdir(exist_ok=True)
    if not (loop / "back").is_symlink():
        (loop / "back").symlink_to(root, target_is_directory=True)
    return expectations


if __name__ == "__main__":
    for name, expect in generate(sys.argv[1] if len(sys.argv) > 1 else "tests/hostile").items():
        print(f"{expect:8} {name!r}")
