"""DataFrames and Jupyter display of tagged Documents."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mfa_nlp import DUTIES, Document, load_records, to_dataframe

TEXT = (
    "Prishtina, 7 March 2018 – The Minister of Foreign Affairs met the Ambassador of Germany.\n\n"
    "Germany's support for visa liberalisation and for Kosovo's membership of the Council of Europe was discussed.\n\n"
    "NATO and KFOR remain essential for the security of the Republic of Kosovo."
)


@pytest.fixture(scope="module")
def doc(pipeline):
    return pipeline.analyze_text(TEXT)


def test_notebook_passage_frame_has_duty_and_entity_columns(doc):
    df = to_dataframe([doc])
    assert len(df) == len(doc.passages)
    assert set(DUTIES) <= set(df.columns)
    assert {f"score_{d}" for d in DUTIES} <= set(df.columns)
    assert df["date"].iloc[0] == pd.Timestamp("2018-03-07")
    assert df[list(DUTIES)].dtypes.eq(bool).all()
    assert "DEU" in df["states"].iloc[0]
    assert df.loc[df["nato_security"], "text"].str.contains("NATO").all()


def test_notebook_document_and_entity_frames(doc):
    docs = to_dataframe([doc], level="document")
    assert docs.loc[0, "passages"] == len(doc.passages)
    assert docs.loc[0, "states"] == doc.entities["STATE"]
    ents = to_dataframe([doc], level="entity")
    assert len(ents) == sum(len(p.entities) for p in doc.passages)
    for row in ents.itertuples():
        assert doc.passages[row.index].text[row.start : row.end] == row.text


def test_notebook_frames_from_jsonl_without_rerunning(doc, tmp_path):
    path = tmp_path / "tagged.jsonl"
    path.write_text(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    again = list(load_records(path))
    assert again[0] == doc
    pd.testing.assert_frame_equal(to_dataframe(path), to_dataframe([doc]))


def test_notebook_empty_input_gives_typed_empty_frame():
    df = to_dataframe([], level="document")
    assert df.empty and "states" in df.columns


def test_notebook_rich_display_shows_entities_and_duties(doc):
    page = doc._repr_html_()
    assert "<mark" in page and "STATE DEU" in page
    for duty in doc.duties:
        assert duty in page
    assert "2018-03-07" in page


def test_notebook_document_roundtrip_is_lossless(doc):
    assert Document.from_dict(json.loads(json.dumps(doc.to_dict()))) == doc
