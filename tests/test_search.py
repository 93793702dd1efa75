"""The embedded SQLite FTS5 index: diacritics, Cyrillic, facets, incremental updates, safe queries."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from mfa_nlp.document import DUTIES, Document, Entity, Passage, content_id
from mfa_nlp.search import build_index, fts_query, search, to_latin


def _doc(texts: list[tuple[str, str, list[str], list[tuple[str, str, str]]]], date: str | None, version: str = "1"):
    """A record from (text, lang, duties, [(surface, label, id)]) passages."""
    passages = []
    for i, (text, lang, duties, ents) in enumerate(texts):
        found = [Entity(s, label, ent_id, text.index(s), text.index(s) + len(s)) for s, label, ent_id in ents]
        scores = {d: (0.8 if d in duties else 0.1) for d in DUTIES}
        passages.append(
            Passage(i, text, lang, "Cyrl" if lang == "sr" and text[0] > "z" else "Latn", found, duties, scores)
        )
    doc = Document(
        id=content_id("".join(t[0] for t in texts).encode()),
        source=f"{date}.html",
        format="html",
        title=texts[0][0][:40],
        date=date,
        passages=passages,
        pipeline={"version": version, "model": "m"},
    )
    doc.collect()
    return doc.to_dict()


RECORDS = [
    _doc(
        [
            (
                "Ministria mirëpret vendimin e Gjermanisë për liberalizimin e vizave për qytetarët e Kosovës.",
                "sq",
                ["eu_integration"],
                [("Gjermanisë", "STATE", "DEU")],
            ),
            ("Anëtarësimi në NATO mbetet synim strategjik.", "sq", ["nato_security"], [("NATO", "ORG", "NATO")]),
        ],
        "2019-10-02",
    ),
    _doc(
        [
            (
                "The Ministry welcomes the Commission's proposal on visa liberalisation for Kosovo.",
                "en",
                ["eu_integration"],
                [("Commission", "ORG", "EU")],
            )
        ],
        "2018-07-18",
    ),
    _doc(
        [
            (
                "Министарство поздравља одлуку Барбадоса о признању независности Косова.",
                "sr",
                ["recognition"],
                [("Барбадоса", "STATE", "BRB")],
            )
        ],
        "2017-11-21",
    ),
    _doc(
        [
            (
                "Visa liberalisation was discussed with the ambassador of France.",
                "en",
                ["eu_integration"],
                [("France", "STATE", "FRA")],
            )
        ],
        "2016-03-01",
    ),
]


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    records = tmp_path / "r.jsonl"
    records.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    path = tmp_path / "archive.db"
    build_index(records, path)
    return path


def test_search_diacritics_do_not_matter(db: Path) -> None:
    hits = search(db, "Kosoves Gjermanise")
    assert list(hits["doc_id"]) == [RECORDS[0]["id"]]
    assert "[Kosovës]" in hits["snippet"][0] and "[Gjermanisë]" in hits["snippet"][0]


def test_search_latin_query_finds_cyrillic(db: Path) -> None:
    assert to_latin("Барбадоса") == "Barbadosa"
    assert list(search(db, "Barbadosa")["doc_id"]) == [RECORDS[2]["id"]]
    assert list(search(db, "Барбадоса")["doc_id"]) == [RECORDS[2]["id"]]


def test_search_ranked_dataframe_with_facet_filters(db: Path) -> None:
    hits = search(db, "visa liberalisation")
    assert isinstance(hits, pd.DataFrame)
    assert set(hits["doc_id"]) == {RECORDS[1]["id"], RECORDS[3]["id"]}
    assert hits["score"].is_monotonic_decreasing
    assert {"snippet", "source", "date", "title", "duties", "entities", "lang"} <= set(hits.columns)
    assert list(search(db, "visa liberalisation", state="FRA")["doc_id"]) == [RECORDS[3]["id"]]
    assert list(search(db, "visa", since="2017-01-01")["doc_id"]) == [RECORDS[1]["id"]]
    assert list(search(db, "visa", until="2017-01-01")["doc_id"]) == [RECORDS[3]["id"]]
    assert search(db, "NATO", duty="nato_security", org="NATO", lang="sq")["passage"].tolist() == [1]
    assert search(db, "NATO", duty="eu_integration").empty
    assert len(search(db, "", duty="eu_integration")) == 3  # facets alone, newest first
    assert search(db, "", duty="eu_integration")["date"].tolist() == ["2019-10-02", "2018-07-18", "2016-03-01"]


@pytest.mark.parametrize("query", ['"unbalanced', "NEAR(a b", "visa AND OR", "col:val", "*", "a) OR (b", "-x ^y"])
def test_search_user_syntax_cannot_break_fts(db: Path, query: str) -> None:
    search(db, query)  # must not raise sqlite3.OperationalError
    assert re.fullmatch(r'(?:(?:"[\w ]+"|OR)(?: |$))*', fts_query(query))  # only quoted terms and OR


def test_search_phrase_and_or(db: Path) -> None:
    assert fts_query('"visa liberalisation" OR Barbados') == '"visa liberalisation" OR "Barbados"'
    assert len(search(db, '"visa liberalisation" OR Barbadosa')) == 3
    assert search(db, '"liberalisation visa"').empty


def test_search_index_is_incremental(tmp_path: Path, db: Path) -> None:
    records = tmp_path / "r.jsonl"
    again = build_index(records, db)
    assert again == {"added": 0, "replaced": 0, "unchanged": len(RECORDS), "relinked": 0, "passages": 0}
    assert len(search(db, "visa")) == 2
    newer = [dict(r, pipeline={"version": "2", "model": "m"}) for r in RECORDS[:1]]
    records.write_text(json.dumps(newer[0], ensure_ascii=False) + "\n", encoding="utf-8")
    assert build_index(records, db)["replaced"] == 1
    assert len(search(db, "Kosoves")) == 1  # replaced, not duplicated
