"""Linking translations (issue 15): the sample corpus tagged by the real pipeline, then linked."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from mfa_nlp import to_dataframe
from mfa_nlp.errors import MfaNlpError, ModelError
from mfa_nlp.link import LinkScorer, link_records
from mfa_nlp.link.features import name_key, numbers
from mfa_nlp.link.train import cluster_metrics
from mfa_nlp.search import build_index, search

BARBADOS = {"en_recognition_barbados.html", "sq_recognition_barbados.txt", "sr-cyrl_recognition_barbados.txt"}
ISRAEL = {"sr-latn_recognition.txt", "en_recognition_israel.txt"}


@pytest.fixture(scope="module")
def tagged(tmp_path_factory, samples_dir):
    out = tmp_path_factory.mktemp("link") / "samples.jsonl"
    subprocess.run([sys.executable, "-m", "mfa_nlp.cli", "tag", str(samples_dir), "-o", str(out), "--workers", "1"],
                   check=False, capture_output=True)  # fmt: skip
    assert out.stat().st_size > 0
    return out


@pytest.fixture(scope="module")
def linked(tagged, tmp_path_factory):
    folder = tmp_path_factory.mktemp("linked")
    records = folder / "samples.jsonl"
    shutil.copy(tagged, records)
    counts = link_records(records, folder / "links.jsonl", in_place=True)
    return records, folder / "links.jsonl", counts


def _by_source(path):
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {row["source"].rsplit("/", 1)[-1]: row for row in rows}


def test_link_samples_group_translations_only(linked):
    records, links, counts = linked
    rows = _by_source(links)
    for statement in (BARBADOS, ISRAEL):
        assert len({rows[name]["statement_id"] for name in statement}) == 1
    barbados = rows["en_recognition_barbados.html"]["statement_id"]
    israel = rows["en_recognition_israel.txt"]["statement_id"]
    others = {name: row["statement_id"] for name, row in rows.items() if name not in BARBADOS | ISRAEL}
    assert barbados not in others.values() and israel not in others.values()
    assert len(set(others.values())) == len(others)  # every other sample is a statement of its own
    assert counts["statements"] == len(rows) - 3 and counts["multilingual"] == 2


def test_link_each_link_has_score_and_evidence(linked):
    _, links, _ = linked
    row = _by_source(links)["sq_recognition_barbados.txt"]
    assert {link["lang"] for link in row["links"]} == {"en", "sr"}
    for link in row["links"]:
        assert 0.5 <= link["score"] <= 1
        assert "BRB" in link["shared"]["STATE"] and "2008" in link["shared"]["numbers"]
        assert link["days_apart"] == 0


def test_link_in_place_records_validate_and_roundtrip(linked):
    import jsonschema

    from mfa_nlp.export import load_records, record_schema

    records, _, _ = linked
    schema = record_schema()
    for line in records.read_text(encoding="utf-8").splitlines():
        jsonschema.validate(json.loads(line), schema)
    docs = list(load_records(records))
    assert all(d.statement_id and d.statement_id.startswith("st-") for d in docs)
    assert docs[0].to_dict()["statement_id"] == docs[0].statement_id


def test_link_statement_level_counts_statements(linked):
    records, _, counts = linked
    statements = to_dataframe(records, level="statement")
    documents = to_dataframe(records, level="document")
    assert len(statements) == counts["statements"] < len(documents)
    row = statements[statements["documents"] == 3].iloc[0]
    assert row["langs"] == ["en", "sq", "sr"] and row["recognition"]


def test_link_search_collapse_lists_other_languages(linked, tmp_path):
    records, _, _ = linked
    db = tmp_path / "archive.db"
    build_index(records, db)
    query = "Barbados OR Barbadosit OR Barbadosa"  # the inflected forms: sq, sr
    flat = search(db, query)
    collapsed = search(db, query, collapse=True)
    assert len(set(flat["doc_id"])) == 3  # the en, sq and sr versions all match
    assert len(collapsed) == collapsed["statement_id"].nunique()
    top = collapsed.iloc[0]
    assert {v["lang"] for v in top["versions"]} | {top["lang"]} == {"en", "sq", "sr"}


def test_link_old_index_is_upgraded_or_refused(linked, tmp_path):
    records, _, _ = linked
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)  # schema 1: no statement_id, user_version 0
    con.execute("CREATE TABLE documents (id TEXT PRIMARY KEY, version TEXT, model TEXT, source TEXT, format TEXT, "
                "title TEXT, date TEXT, place TEXT, lang TEXT, duties TEXT, entities TEXT)")  # fmt: skip
    con.execute("CREATE VIRTUAL TABLE passages_fts USING fts5(text, latin)")
    con.execute("CREATE TABLE passages (rowid INTEGER PRIMARY KEY, doc_id TEXT, idx INTEGER, text TEXT, lang TEXT, "
                "script TEXT, duties TEXT)")  # fmt: skip
    con.commit()
    con.close()
    with pytest.raises(MfaNlpError, match="predates statement ids"):
        search(db, "Barbados")
    build_index(records, db)  # upgrades in place
    assert search(db, "Barbados", collapse=True)["statement_id"].notna().all()
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    with pytest.raises(MfaNlpError, match="newer"):
        build_index(records, db)


def test_link_cli_prints_statements_against_documents(tagged, tmp_path):
    out = tmp_path / "links.jsonl"
    bulk = tmp_path / "linked.ndjson"
    proc = subprocess.run([sys.executable, "-m", "mfa_nlp.cli", "link", str(tagged), "-o", str(out),
                           "--es-bulk", str(bulk)], capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "statements" in proc.stderr and "documents" in proc.stderr
    docs = [json.loads(line) for line in bulk.read_text(encoding="utf-8").splitlines()[1::2]]
    assert all(d["statement_id"].startswith("st-") for d in docs)
    same = subprocess.run([sys.executable, "-m", "mfa_nlp.cli", "link", str(tagged), "-o", str(tagged)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert same.returncode == 2


def test_link_scorer_refuses_tampered_file(tmp_path):
    from mfa_nlp.duties import default_model_dir

    for name in ("link.skops", "link.json"):
        shutil.copy(default_model_dir() / name, tmp_path / name)
    with (tmp_path / "link.skops").open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelError, match="L003"):
        LinkScorer.load(tmp_path)


def test_link_card_meets_the_targets():
    card = LinkScorer.load().card
    held = card["held_out"]["clusters"]
    assert held["precision"] >= 0.95 and held["f1"] >= 0.90
    assert card["set"]["test"]["multilingual"] >= 20


@pytest.mark.parametrize(
    ("forms", "key"),
    [(("Ashkenazi", "Aškenazija", "Ашкеназија"), "askn"), (("Pacolli", "Pacoli", "Пацоли"), "pcl"),
     (("Borrell", "Borelj", "Борељ"), "brl")],
)  # fmt: skip
def test_link_name_keys_meet_across_scripts(forms, key):
    assert {name_key(f) for f in forms} == {key}


def test_link_numbers_fold_separators_and_dates():
    assert {"1300", "d17-2", "2008"} <= numbers("1,300 people since 17 February 2008") == numbers(
        "1.300 njerëz që nga 17 shkurt 2008"
    ) - set()


def test_link_cluster_metrics_pairwise_and_purity():
    m = cluster_metrics(["a", "a", "b", "c"], ["x", "x", "x", "y"])
    assert (m["tp"], m["fp"], m["fn"]) == (1, 0, 2) and m["purity"] == 1.0
