"""Writers: JSONL checkpoint (torn tail), Parquet tables, Elasticsearch bulk, the schema and template."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest

from batch_support import BATCH, duty_model_dir
from mfa_nlp.batch import tag_paths
from mfa_nlp.document import DUTIES, ENTITY_LABELS, Document, Entity, Passage, content_id
from mfa_nlp.export import (
    _truncate_torn_tail,
    documents_parquet_path,
    es_template,
    infer_format,
    load_records,
    record_schema,
    write_es_bulk,
    write_parquet,
)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    return duty_model_dir(tmp_path_factory.getbasetemp())


def _record(text: str, *, date: str | None = "2019-10-02") -> dict:
    """A record shaped like the pipeline's, with entities and duties filled in."""
    at = text.index("Gjerman")
    surface = text[at:].split()[0].rstrip(".")
    passage = Passage(
        0,
        text,
        "sq",
        "Latn",
        [Entity(surface, "STATE", "DEU", at, at + len(surface))],
        ["strategic_partners"],
        {d: (0.91 if d == "strategic_partners" else 0.05) for d in DUTIES},
    )
    doc = Document(
        id=content_id(text.encode()),
        source="x.txt",
        format="txt",
        date=date,
        lang="sq",
        script="Latn",
        passages=[passage, Passage(1, "Pa entitete.", "sq", "Latn")],
        pipeline={"version": "9", "model": "m"},
    )
    doc.collect()
    return doc.to_dict()


@pytest.fixture()
def records_file(tmp_path: Path) -> Path:
    path = tmp_path / "r.jsonl"
    rows = [_record("Ministri falenderoi Gjermaninë."), _record("Mbeshtetja e Gjermanisë vazhdon.", date=None)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_export_infer_format_from_extension() -> None:
    assert [infer_format(n) for n in ("a.jsonl", "a.parquet", "a.ndjson", "a.out")] == [
        "jsonl",
        "parquet",
        "es-bulk",
        "jsonl",
    ]


def test_export_truncate_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "b"}\n{"id": "c", "pass')
    _truncate_torn_tail(path)
    assert path.read_bytes() == b'{"id": "a"}\n{"id": "b"}\n'
    path.write_bytes(b'{"id": "only half')
    _truncate_torn_tail(path)
    assert path.read_bytes() == b""


def test_export_schema_validates_records_and_rejects_bad_ones(records_file: Path) -> None:
    schema = record_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    good = json.loads(records_file.read_text(encoding="utf-8").splitlines()[0])
    jsonschema.validate(good, schema)
    for broken in (
        {**good, "date": "2 tetor 2019"},
        {k: v for k, v in good.items() if k != "passages"},
        {**good, "format": "docx"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)


def test_export_parquet_tables(records_file: Path, tmp_path: Path) -> None:
    out = write_parquet(records_file, tmp_path / "a.parquet", batch=1)
    passages = pq.read_table(out).to_pylist()
    documents = pq.read_table(documents_parquet_path(out)).to_pylist()
    records = [json.loads(line) for line in records_file.read_text(encoding="utf-8").splitlines()]
    assert len(passages) == sum(len(r["passages"]) for r in records)
    assert [d["id"] for d in documents] == [r["id"] for r in records]
    first = passages[0]
    assert first["doc_id"] == records[0]["id"] and first["passage_index"] == 0
    assert first["entities_STATE"] == ["DEU"] and first["duties"] == ["strategic_partners"]
    assert first["score_strategic_partners"] == pytest.approx(0.91)
    assert documents[1]["date"] is None and documents[0]["entities_STATE"] == ["DEU"]
    assert not list(tmp_path.glob(".*.tmp"))  # temporaries renamed away


def test_export_es_bulk_pairs(records_file: Path, tmp_path: Path) -> None:
    out = write_es_bulk(records_file, tmp_path / "a.ndjson", index_name="press")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    records = [json.loads(line) for line in records_file.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2 * len(records)
    for action, body, record in zip(lines[::2], lines[1::2], records, strict=True):
        assert action == {"index": {"_index": "press", "_id": record["id"]}}
        assert body == record


def test_export_es_template_shape() -> None:
    template = es_template("press")
    props = template["template"]["mappings"]["properties"]
    assert template["index_patterns"] == ["press*"]
    assert props["passages"]["type"] == "nested"
    assert props["date"]["type"] == "date"
    assert all(props[k]["type"] == "keyword" for k in ("id", "duties", "lang"))
    assert {props["entities"]["properties"][label]["type"] for label in ENTITY_LABELS} == {"keyword"}
    folding = template["template"]["settings"]["analysis"]["analyzer"]["folding"]
    assert folding["filter"] == ["lowercase", "asciifolding"]
    assert props["passages"]["properties"]["text"]["fields"]["folded"]["analyzer"] == "folding"


def test_export_tag_parquet_and_es_bulk_end_to_end(tmp_path: Path, model_dir: str | None) -> None:
    pq_out = tmp_path / "run.parquet"
    summary = tag_paths([BATCH], pq_out, workers=1, progress=False, model_dir=model_dir)
    assert pq.read_table(pq_out).num_rows == summary["passages"]
    assert pq.read_table(documents_parquet_path(pq_out)).num_rows == summary["tagged"]
    again = tag_paths([BATCH], pq_out, workers=1, progress=False, model_dir=model_dir)
    assert again["tagged"] == 0 and pq.read_table(pq_out).num_rows == summary["passages"]

    bulk = tmp_path / "run.ndjson"
    tag_paths([BATCH], bulk, fmt="es-bulk", index_name="mfa", workers=1, progress=False, model_dir=model_dir)
    lines = bulk.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 * summary["tagged"]
    assert {json.loads(a)["index"]["_id"] for a in lines[::2]} == {
        d.id for d in load_records(pq_out.with_name(pq_out.name + ".records.jsonl"))
    }
