"""The embedded SQLite FTS5 index: diacritics, Cyrillic, facets, incremental updates, safe queries."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from batch_support import lock_holder, wait_for
from mfa_nlp.document import DUTIES, Document, Entity, Passage, content_id
from mfa_nlp.errors import IndexDatabaseError, OutputLockedError, QueryError
from mfa_nlp.search import SCHEMA_VERSION, build_index, fts_query, search, to_latin

MFA_NLP = Path(sys.executable).with_name("mfa-nlp")


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


# --- issue 12: hostile queries and databases, indexing and searching at once ----------------------
@pytest.mark.parametrize(
    "query",
    ['"', '"visa', "NEAR(", "NEAR(visa", "*", "-", "AND OR", "OR", "visa AND OR NOT", "a\x00b", "visa\x00", "''",
     "\\", "()", "{visa}", "visa^", "x" * 900],
)  # fmt: skip
def test_search_hostile_fts_syntax_is_plain_words(db: Path, query: str) -> None:
    hits = search(db, query)  # no sqlite3.OperationalError, no "fts5: syntax error"
    assert isinstance(hits, pd.DataFrame)
    assert "\x00" not in fts_query(query)


def test_search_overlong_query_gets_a_clear_message(db: Path) -> None:
    with pytest.raises(QueryError, match=r"the query is 10,000 characters long, over the limit of 1,000"):
        search(db, "visa " * 2000)
    with pytest.raises(QueryError, match=r"the query has 100 words, over the limit of 64"):
        search(db, " ".join(f"w{i}" for i in range(100)))
    run = subprocess.run([str(MFA_NLP), "search", str(db), "visa " * 2000], capture_output=True, text=True)
    assert run.returncode == 2 and "over the limit" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("hostile", ["DEU' OR 1=1 --", 'DEU" OR "1"="1', "DEU') OR ('1'='1", "%", "*", "DEU\x00"])
def test_search_facet_values_are_literals(db: Path, hostile: str) -> None:
    for facet in ("state", "org", "value", "duty"):
        assert search(db, "visa", **{facet: hostile}).empty, facet
    assert search(db, "visa", lang=hostile).empty
    assert search(db, "visa", since="2019' OR '1'='1").empty  # compared as text: after every date
    assert len(search(db, "visa")) == 2  # and the index is unharmed


def test_search_not_sqlite_or_damaged_db_gets_a_clear_error(tmp_path: Path, db: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    for call in (lambda: search(junk, "visa"), lambda: build_index(tmp_path / "r.jsonl", junk)):
        with pytest.raises(IndexDatabaseError, match=r"junk.db: not a readable SQLite index \(file is not a database"):
            call()
    damaged = tmp_path / "damaged.db"
    data = bytearray(db.read_bytes())
    data[4096:] = os.urandom(len(data) - 4096)  # header intact, every page after the first overwritten
    damaged.write_bytes(bytes(data))
    with pytest.raises(IndexDatabaseError, match=r"damaged.db: "):
        search(damaged, "visa")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(IndexDatabaseError, match="not an mfa-nlp index"):
        build_index(tmp_path / "r.jsonl", other)
    for bad in (junk, damaged, other):
        run = subprocess.run([str(MFA_NLP), "search", str(bad), "visa"], capture_output=True, text=True)
        assert run.returncode == 2 and run.stderr.startswith("error: ") and "Traceback" not in run.stderr, run.stderr


def test_search_older_schema_upgraded_or_refused(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    # Same tables, from before statement ids (schema 1, rollback journal): search says how to upgrade, index does it.
    old = tmp_path / "old.db"
    build_index(records, old)
    with sqlite3.connect(old) as con:
        con.execute("DROP INDEX documents_statement")
        con.execute("ALTER TABLE documents DROP COLUMN statement_id")
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA user_version = 1")
    with pytest.raises(IndexDatabaseError, match="index schema 1 predates statement ids; upgrade it in place with"):
        search(old, "visa")
    assert build_index(records, old)["unchanged"] == len(RECORDS)
    assert len(search(old, "visa")) == 2
    with sqlite3.connect(old) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # Tables of another layout (no Latin shadow column, no model): refused with what to do.
    older = tmp_path / "older.db"
    with sqlite3.connect(older) as con:
        con.execute("CREATE TABLE documents (id TEXT PRIMARY KEY, version TEXT, source TEXT)")
        con.execute("CREATE VIRTUAL TABLE passages_fts USING fts5(text)")
    for call in (lambda: build_index(records, older), lambda: search(older, "visa")):
        with pytest.raises(IndexDatabaseError, match=r"built by an older mfa-nlp .*documents.model.*delete it and run"):
            call()
    newer = tmp_path / "newer.db"
    build_index(records, newer)
    with sqlite3.connect(newer) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(IndexDatabaseError, match="built by a newer mfa-nlp"):
        build_index(records, newer)


def test_search_reads_while_another_connection_writes(db: Path) -> None:
    """WAL: a search in another process reads the committed index while a write transaction is open."""
    writer = sqlite3.connect(db)
    writer.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock until rollback
    writer.execute("DELETE FROM passages")
    try:
        run = subprocess.run([str(MFA_NLP), "search", str(db), "visa", "--json"], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert len(json.loads(run.stdout)) == 2
    finally:
        writer.rollback()
        writer.close()
    with pytest.raises(OutputLockedError):  # and the index lock is there for the whole build
        from mfa_nlp.lock import exclusive

        with exclusive(db, what="the index"):
            build_index(db.with_name("r.jsonl"), db)


def _synthetic_records(n: int) -> str:
    """n small records with distinct ids, each with two passages."""
    scores = {d: 0.1 for d in DUTIES}
    lines = []
    for i in range(n):
        passages = [
            {"index": k, "text": f"Statement {i} part {k} on visa liberalisation and the dialogue.", "lang": "en",
             "script": "Latn", "entities": [], "duties": ["eu_integration"], "scores": scores}
            for k in range(2)
        ]  # fmt: skip
        record = {"id": f"{i:064x}", "source": f"s{i}.txt", "format": "txt", "title": None, "date": "2020-01-01",
                  "place": None, "lang": "en", "script": "Latn", "passages": passages,
                  "entities": {"STATE": [], "ORG": [], "VALUE": []}, "duties": ["eu_integration"],
                  "pipeline": {"version": "1", "model": "m"}}  # fmt: skip
        lines.append(json.dumps(record) + "\n")
    return "".join(lines)


@pytest.mark.slow
def test_search_index_and_search_at_once_in_real_processes(tmp_path: Path, db: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(_synthetic_records(20_000), encoding="utf-8")
    writer = subprocess.Popen([str(MFA_NLP), "index", str(big), "--db", str(db)], stdout=subprocess.PIPE, text=True)
    wait_for(lambda: lock_holder(db) == writer.pid or writer.poll() is not None, what="the index lock")
    time.sleep(0.5)  # well into its first transactions
    os.kill(writer.pid, signal.SIGSTOP)  # frozen mid-write, holding the lock (and maybe SQLite's write lock)
    waiting = None
    try:
        assert writer.poll() is None, "the index finished before it could be paused; make the input bigger"
        second = subprocess.run(
            [str(MFA_NLP), "index", str(tmp_path / "r.jsonl"), "--db", str(db)], capture_output=True, text=True
        )
        assert second.returncode == 2, second.stderr
        assert f"the index is in use by another mfa-nlp run (pid {writer.pid} on" in second.stderr
        assert "Traceback" not in second.stderr
        found = subprocess.run([str(MFA_NLP), "search", str(db), "Barbadosa", "--json"], capture_output=True, text=True)
        assert found.returncode == 0, found.stderr  # not "database is locked"
        assert [r["doc_id"] for r in json.loads(found.stdout)] == [RECORDS[2]["id"]]
        waiting = subprocess.Popen(
            [str(MFA_NLP), "index", str(tmp_path / "r.jsonl"), "--db", str(db), "--wait"], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(1.0)
        assert waiting.poll() is None  # queued behind the frozen writer
    finally:
        os.kill(writer.pid, signal.SIGCONT)
    assert writer.wait(timeout=600) == 0
    out, err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0 and f"0 documents added, 0 replaced, {len(RECORDS)} unchanged" in out, err
    with sqlite3.connect(db) as con:
        docs = con.execute("SELECT count(*), count(DISTINCT id) FROM documents").fetchone()
        passages = con.execute("SELECT count(*) FROM passages").fetchone()[0]
        fts = con.execute("SELECT count(*) FROM passages_fts").fetchone()[0]
    assert docs == (20_000 + len(RECORDS), 20_000 + len(RECORDS))
    assert passages == fts == 40_000 + sum(len(r["passages"]) for r in RECORDS)
