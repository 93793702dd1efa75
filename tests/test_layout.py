"""Reading order on generated layouts (issue 13): >= 0.98 token sequence ratio on each."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from layout_pdfs import LAYOUTS
from mfa_nlp.ingest import Document, read_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from layout import order_ratio  # noqa: E402


@pytest.fixture(scope="module")
def read() -> dict[str, tuple[Document, list[str]]]:
    out = {}
    for name, make in LAYOUTS.items():
        data, written = make()
        out[name] = (read_bytes(data, source=f"{name}.pdf"), written)
    return out


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_reading_order(read: dict[str, tuple[Document, list[str]]], name: str) -> None:
    doc, written = read[name]
    got = ([doc.title] if doc.title else []) + [p.text for p in doc.passages]
    assert order_ratio(got, written) >= 0.98, "\n".join(got)
    assert doc.title == written[0]


def test_layout_title_and_dateline_above_columns(read: dict[str, tuple[Document, list[str]]]) -> None:
    doc, written = read["title_over_two_columns"]
    assert (doc.date, doc.place) == ("2021-03-04", "Prishtina")
    assert [p.text for p in doc.passages] == written[1:]  # every paragraph whole, none interleaved


def test_layout_footnotes_last_as_own_passages(read: dict[str, tuple[Document, list[str]]]) -> None:
    doc, written = read["footnotes"]
    notes = [p for p in doc.passages if p.kind == "footnote"]
    assert [p.text for p in notes] == written[-4:]
    assert all(p.kind == "footnote" for p in doc.passages[-4:])


def test_layout_table_rows_are_passages_cells_in_order(read: dict[str, tuple[Document, list[str]]]) -> None:
    doc, written = read["table"]
    rows = [p.text for p in doc.passages if p.kind == "table_row"]
    assert rows[0] == "Country | Date | City | Topic of the talks"
    assert [r.replace(" | ", " ") for r in rows] == written[2:-1]
    assert rows[1].startswith("State0 | 3 March 2021 | Capital0 | ")
