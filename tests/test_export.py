"""Writers: JSONL checkpoint (torn tail), Parquet tables, Elasticsearch bulk, the schema and template."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest

from batch_support import BATCH, duty_model_dir, jsonl_ids, tag_command, wait_for, write_archive
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


# --- output failures (issue 12): a real full disk, read-only folder, vanished folder -----------------
ENV = {**os.environ, "COLUMNS": "200"}


def _all_once(out: Path, paths: list[Path]) -> None:
    ids = jsonl_ids(out)  # every line parses: no torn line
    assert len(ids) == len(set(ids)), "records doubled"
    assert set(ids) == {content_id(p.read_bytes()) for p in paths}, "records lost"


def _clean_failure(run: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and run.stderr.startswith("error: "), run.stderr
    for needle in needles:
        assert needle in run.stderr, run.stderr


@pytest.mark.slow
def test_export_disk_full_mid_run_leaves_whole_lines_and_rerun_completes(tmp_path: Path, model_dir: str | None) -> None:
    import resource

    limit = 40_000  # bytes per file (ulimit -f): a dozen records, then the "disk" is full mid-write

    def full_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    paths = write_archive(tmp_path / "in", 60)
    out = tmp_path / "out" / "records.jsonl"
    cmd = tag_command(tmp_path / "in", out, model_dir=model_dir)
    full = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=ENV, preexec_fn=full_disk)
    _clean_failure(full, "records.jsonl: cannot write: File too large", "rerun")
    written = jsonl_ids(out)  # the torn tail was cut back: every line parses
    assert 0 < len(written) < len(paths) and len(written) == len(set(written))
    assert out.stat().st_size <= limit and out.read_bytes().endswith(b"\n")

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=ENV)
    assert rerun.returncode == 0, rerun.stderr
    _all_once(out, paths)


def _as_another_user(cmd: list[str]) -> list[str]:
    """Root writes anywhere, so a read-only folder is read-only only for another user (nobody)."""
    if os.geteuid() != 0:
        return cmd
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot run as another user")
    return ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", *cmd]


@pytest.mark.slow
def test_export_read_only_output_folder_fails_cleanly_and_rerun_completes(model_dir: str | None) -> None:
    if model_dir is not None:
        pytest.skip("needs the shipped duty model (a trained one lives in a folder other users cannot read)")
    base = Path(tempfile.mkdtemp(prefix="mfa-nlp-readonly-"))  # not under pytest's 0700 temp folder
    try:
        base.chmod(0o755)
        paths = write_archive(base / "in", 10)
        out = base / "out" / "records.jsonl"
        cmd = tag_command(base / "in", out)
        assert subprocess.run(cmd, capture_output=True, timeout=600).returncode == 0
        paths += write_archive(base / "in", 10, start=10)  # new statements to tag
        before = out.read_bytes()
        out.parent.chmod(0o555)
        refused = subprocess.run(_as_another_user(cmd), capture_output=True, text=True, timeout=600, env=ENV)
        _clean_failure(refused, "Permission denied", "not writable")
        assert out.read_bytes() == before  # untouched, still valid

        out.parent.chmod(0o755)
        rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=ENV)
        assert rerun.returncode == 0, rerun.stderr
        _all_once(out, paths)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
def test_export_output_folder_vanishing_mid_run_fails_cleanly_and_rerun_completes(
    tmp_path: Path, model_dir: str | None
) -> None:
    paths = write_archive(tmp_path / "in", 150)
    out = tmp_path / "out" / "records.jsonl"
    cmd = tag_command(tmp_path / "in", out, model_dir=model_dir)
    run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    wait_for(lambda: run.poll() is not None or (out.exists() and out.read_bytes().count(b"\n") >= 16))
    assert run.poll() is None, "the run finished before its folder could be removed; make the archive bigger"
    shutil.rmtree(out.parent)  # an unmounted share, a cleanup script
    _, stderr = run.communicate(timeout=600)
    _clean_failure(subprocess.CompletedProcess(cmd, run.returncode, "", stderr), "vanished during the run")
    assert not out.parent.exists()  # nothing recreated behind the user's back

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=ENV)
    assert rerun.returncode == 0, rerun.stderr
    _all_once(out, paths)


def test_export_one_fsync_serves_many_appends_and_a_failed_one_cuts_back(tmp_path: Path, monkeypatch) -> None:
    """Group commit (issue 11): appends are made durable together; a failed fsync leaves only durable lines."""
    from mfa_nlp.errors import OutputWriteError
    from mfa_nlp.export import AppendFile

    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    f = AppendFile(tmp_path / "log.jsonl")
    f.write('{"n": 1}\n')
    f.write('{"n": 2}\n')
    assert synced == []
    f.sync()
    f.sync()  # nothing new: no second fsync
    assert len(synced) == 1 and f.synced == f.size == 18

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    f.write('{"n": 3}\n')
    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OutputWriteError, match="Input/output error"):
        f.sync()
    f.close()
    assert (tmp_path / "log.jsonl").read_text(encoding="utf-8") == '{"n": 1}\n{"n": 2}\n'  # what was durable


def test_export_tag_syncs_once_per_interval_not_per_chunk(tmp_path: Path, monkeypatch, model_dir) -> None:
    from mfa_nlp import batch

    paths = write_archive(tmp_path / "in", 40)  # 5 chunks of 8
    calls: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real_fsync(fd))
    monkeypatch.setattr(batch, "SYNC_SECONDS", 3600.0)
    out = tmp_path / "out.jsonl"
    summary = tag_paths([tmp_path / "in"], out, workers=1, progress=False, entities=False, model_dir=model_dir)
    assert summary["tagged"] == 40 and len(calls) == 1  # once, at the end
    _all_once(out, paths)
    manifest = [json.loads(line) for line in out.with_name("out.jsonl.files").read_text().splitlines()]
    assert len([row for row in manifest if isinstance(row, list)]) == 40  # every file, after its record was durable
    calls.clear()
    monkeypatch.setattr(batch, "SYNC_SECONDS", 0.0)  # every chunk
    write_archive(tmp_path / "in", 16, start=40)
    assert tag_paths([tmp_path / "in"], out, workers=1, progress=False, entities=False, model_dir=model_dir)[
        "tagged"
    ] == 16
    assert len(calls) == 2
