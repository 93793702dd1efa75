"""Batch tagging: accounting, resume, re-tagging, worker pools and crashes, a killed run, Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from batch_support import BATCH, SKIPPED, SUPPORTED, crash_on_marker, duty_model_dir, write_archive
from mfa_nlp.batch import collect_inputs, iter_documents, tag_paths
from mfa_nlp.document import content_id
from mfa_nlp.errors import MfaNlpWarning
from mfa_nlp.export import record_schema
from mfa_nlp.workers import Options, _run_pool


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    return duty_model_dir(tmp_path_factory.getbasetemp())


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_batch_collect_inputs_folders_globs_and_skips(tmp_path: Path) -> None:
    files, skipped = collect_inputs([BATCH, str(BATCH / "*.txt"), tmp_path / "missing.txt"])
    assert sorted(files[: len(SUPPORTED)]) == SUPPORTED
    assert files[-1] == tmp_path / "missing.txt"  # kept, so it gets an error row
    assert len(files) == len(SUPPORTED) + 1  # the glob adds nothing twice
    assert sorted(skipped) == SKIPPED


def test_batch_every_input_accounted_for(tmp_path: Path, model_dir: str | None) -> None:
    out = tmp_path / "out.jsonl"
    summary = tag_paths([BATCH, tmp_path / "gone.html"], out, workers=1, progress=False, model_dir=model_dir)
    records = _lines(out)
    errors = _lines(tmp_path / "out.errors.jsonl")
    assert summary["inputs"] == len(SUPPORTED) + len(SKIPPED) + 1
    assert len(records) + len(errors) + summary["skipped"] == summary["inputs"]
    assert (summary["tagged"], summary["errors"], summary["skipped"]) == (len(records), len(errors), len(SKIPPED))
    assert {r["source"] for r in records} | {e["source"] for e in errors} == {str(p) for p in SUPPORTED} | {
        str(tmp_path / "gone.html")
    }
    failed = {Path(e["source"]).name: e for e in errors}
    assert failed["empty.txt"]["error"] == "EmptyDocumentError"
    assert failed["broken.pdf"]["error"] == "CorruptFileError"
    assert "gone.html" in failed and failed["gone.html"]["message"]
    assert summary["passages"] == sum(len(r["passages"]) for r in records)
    assert sum(summary["languages"].values()) == summary["passages"]
    schema = record_schema()
    for record in records:
        jsonschema.validate(record, schema)
        assert record["id"] == content_id(Path(record["source"]).read_bytes())


def test_batch_rerun_skips_unchanged_and_retags_on_new_pipeline(tmp_path: Path, model_dir: str | None) -> None:
    out = tmp_path / "out.jsonl"
    first = tag_paths([BATCH], out, workers=1, progress=False, model_dir=model_dir)
    before = out.read_bytes()
    again = tag_paths([BATCH], out, workers=1, progress=False, model_dir=model_dir)
    assert again["tagged"] == 0 and again["unchanged"] == first["tagged"]
    assert out.read_bytes() == before
    # Pretend the records came from an older release: all must be re-tagged and replaced.
    old = [dict(r, pipeline={**r["pipeline"], "version": "0.0.1"}) for r in _lines(out)]
    out.write_text("".join(json.dumps(r) + "\n" for r in old), encoding="utf-8")
    third = tag_paths([BATCH], out, workers=1, progress=False, model_dir=model_dir)
    records = _lines(out)
    assert third["tagged"] == first["tagged"]
    assert len(records) == first["tagged"] == len({r["id"] for r in records})
    assert all(r["pipeline"]["version"] != "0.0.1" for r in records)


def test_batch_torn_last_line_is_dropped_on_resume(tmp_path: Path, model_dir: str | None) -> None:
    paths = write_archive(tmp_path / "in", 6)
    out = tmp_path / "out.jsonl"
    tag_paths(paths[:3], out, workers=1, progress=False, model_dir=model_dir)
    with out.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "half a rec')  # what a kill in the middle of a write leaves
    summary = tag_paths(paths, out, workers=1, progress=False, model_dir=model_dir)
    records = _lines(out)  # every line parses
    assert (summary["tagged"], summary["unchanged"]) == (3, 3)
    assert sorted(r["id"] for r in records) == sorted(content_id(p.read_bytes()) for p in paths)


def test_batch_identical_bytes_tagged_once(tmp_path: Path, model_dir: str | None) -> None:
    paths = write_archive(tmp_path / "in", 2)
    copy = tmp_path / "in" / "copy_of_first.txt"
    copy.write_bytes(paths[0].read_bytes())
    summary = tag_paths([tmp_path / "in"], tmp_path / "o.jsonl", workers=1, progress=False, model_dir=model_dir)
    assert (summary["inputs"], summary["tagged"], summary["unchanged"]) == (3, 2, 1)


@pytest.mark.slow
def test_batch_process_pool_matches_serial(tmp_path: Path, model_dir: str | None) -> None:
    serial = tag_paths([BATCH], tmp_path / "a.jsonl", workers=1, progress=False, model_dir=model_dir)
    pooled = tag_paths([BATCH], tmp_path / "b.jsonl", workers=2, progress=False, model_dir=model_dir)
    key = ("inputs", "tagged", "errors", "skipped", "passages", "languages")
    assert {k: serial[k] for k in key} == {k: pooled[k] for k in key}
    a = {r["id"]: r for r in _lines(tmp_path / "a.jsonl")}
    b = {r["id"]: r for r in _lines(tmp_path / "b.jsonl")}
    assert a == b


@pytest.mark.slow
def test_batch_worker_crash_becomes_error_row(tmp_path: Path, model_dir: str | None) -> None:
    paths = write_archive(tmp_path / "in", 10)
    crash = tmp_path / "in" / "crash_me.txt"
    crash.write_text("The Ministry condemns the attack.\n", encoding="utf-8")
    items = [(str(p), "") for p in [*paths[:5], crash, *paths[5:]]]
    results = [
        r for chunk in _run_pool(items, Options(entities=False, model_dir=model_dir), 2, crash_on_marker) for r in chunk
    ]
    assert len(results) == len(items)
    errors = [row for kind, row in results if kind == "error"]
    assert [e["source"] for e in errors] == [str(crash)]
    assert errors[0]["error"] == "BrokenProcessPool"
    assert sorted(r["source"] for kind, r in results if kind == "ok") == sorted(str(p) for p in paths)


def test_batch_iter_documents_yields_documents(model_dir: str | None) -> None:
    with pytest.warns(MfaNlpWarning) as caught:  # unreadable inputs are skipped with a warning
        docs = list(iter_documents([BATCH], workers=1, model_dir=model_dir))
    warned = " ".join(str(w.message) for w in caught)
    assert "empty.txt" in warned and "broken.pdf" in warned
    assert {d.source for d in docs} <= {str(p) for p in SUPPORTED}
    assert any(d.source.endswith("en_visa_liberalisation.txt") for d in docs)
    assert all(d.pipeline.get("version") for d in docs)


@pytest.mark.slow
def test_batch_sigkill_then_resume_loses_and_duplicates_nothing(tmp_path: Path, model_dir: str | None) -> None:
    paths = write_archive(tmp_path / "archive", 400)
    out = tmp_path / "out.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "mfa_nlp.cli",
        "tag",
        str(tmp_path / "archive"),
        "-o",
        str(out),
        "--workers",
        "2",
        "--no-progress",
        "--no-entities",
    ]
    if model_dir:
        cmd += ["--model-dir", model_dir]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 40):
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; make the archive bigger"
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its workers, as an OOM killer or kill -9 would
    proc.wait()
    written = out.read_bytes().count(b"\n")
    assert 40 <= written < len(paths)

    resumed = subprocess.run(cmd, capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr.decode()
    records = _lines(out)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == len(paths)
    assert set(ids) == {content_id(p.read_bytes()) for p in paths}


@pytest.mark.slow
def test_batch_dask_local_cluster(tmp_path: Path, model_dir: str | None) -> None:
    pytest.importorskip("distributed")
    paths = write_archive(tmp_path / "in", 12)
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = tag_paths(
        [tmp_path / "in"], out, workers=2, dask="local", progress=False, entities=False, model_dir=model_dir
    )
    assert (summary["tagged"], summary["errors"]) == (len(paths), 1)
    assert sorted(r["id"] for r in _lines(out)) == sorted(content_id(p.read_bytes()) for p in paths)
    again = tag_paths(
        [tmp_path / "in"], out, workers=2, dask="local", progress=False, entities=False, model_dir=model_dir
    )
    assert (again["tagged"], again["unchanged"]) == (0, len(paths))


def test_batch_rerun_skips_unchanged_files_by_stat_without_reading_them(tmp_path, monkeypatch, model_dir):
    """Issue 11: size + mtime + inode decide before any hashing; --verify hashes every file."""
    import os

    from mfa_nlp import batch

    paths = write_archive(tmp_path / "in", 6)
    out = tmp_path / "out.jsonl"
    first = tag_paths([tmp_path / "in"], out, workers=1, progress=False, entities=False, model_dir=model_dir)
    assert first["tagged"] == 6
    hashed: list[Path] = []
    real = batch._hash_file
    monkeypatch.setattr(batch, "_hash_file", lambda path, *a, **k: hashed.append(path) or real(path, *a, **k))
    again = tag_paths([tmp_path / "in"], out, workers=1, progress=False, entities=False, model_dir=model_dir)
    assert (again["tagged"], again["unchanged"], hashed) == (0, 6, [])
    # Same size and mtime but other bytes: only --verify sees it.
    st = paths[0].stat()
    paths[0].write_bytes(paths[0].read_bytes().replace(b"a", b"e", 1))
    os.utime(paths[0], ns=(st.st_atime_ns, st.st_mtime_ns))
    assert paths[0].stat().st_size == st.st_size
    quick = tag_paths([tmp_path / "in"], out, workers=1, progress=False, entities=False, model_dir=model_dir)
    assert (quick["tagged"], quick["unchanged"]) == (0, 6)
    checked = tag_paths(
        [tmp_path / "in"], out, workers=1, progress=False, entities=False, model_dir=model_dir, verify=True
    )
    assert (checked["tagged"], checked["unchanged"]) == (1, 5)
    assert len(hashed) == 6
    # A touched file (new mtime, same bytes) is hashed again and found unchanged.
    os.utime(paths[1])
    hashed.clear()
    touched = tag_paths([tmp_path / "in"], out, workers=1, progress=False, entities=False, model_dir=model_dir)
    assert (touched["tagged"], touched["unchanged"], hashed) == (0, 6, [str(paths[1])])


def _scans(monkeypatch) -> list[str]:
    """Record every full read of a checkpoint by the record store."""
    from mfa_nlp import export

    read: list[str] = []
    real = export._scan
    monkeypatch.setattr(export, "_scan", lambda path: read.append(Path(path).name) or real(path))
    return read


def _sealed(out: Path) -> bool:
    """Does the manifest end with a seal that holds for the checkpoint as it is now?"""
    last = json.loads(out.with_name(out.name + ".files").read_text(encoding="utf-8").splitlines()[-1])
    st = out.stat()
    return isinstance(last, dict) and last["sealed"]["checkpoint"] == [st.st_size, st.st_mtime_ns, st.st_ino]


def test_batch_sealed_rerun_reads_no_input_and_no_record(tmp_path: Path, monkeypatch, model_dir) -> None:
    paths = write_archive(tmp_path / "in", 6)
    out = tmp_path / "out.jsonl"
    tag = lambda: tag_paths([tmp_path / "in"], out, workers=1, progress=False, entities=False, model_dir=model_dir)  # noqa: E731
    assert tag()["tagged"] == 6
    assert _sealed(out)
    st = out.stat()
    read = _scans(monkeypatch)
    again = tag()
    assert (again["tagged"], again["unchanged"], read) == (0, 6, [])
    assert out.stat().st_mtime_ns == st.st_mtime_ns
    # A new file: the records are read once (is its content already tagged?), then it is tagged.
    write_archive(tmp_path / "in", 1, start=6)
    grown = tag()
    assert (grown["tagged"], grown["unchanged"], read) == (1, 6, ["out.jsonl"])
    read.clear()
    assert tag()["tagged"] == 0 and read == []
    # Someone else's edit of the output breaks the seal: the next run reads the records again.
    records = _lines(out)
    out.write_text("".join(json.dumps(r) + "\n" for r in records[1:]), encoding="utf-8")
    healed = tag()
    assert (healed["tagged"], healed["unchanged"], read) == (1, 6, ["out.jsonl"])
    every = [*paths, tmp_path / "in" / "statement_0006.txt"]
    assert sorted(r["id"] for r in _lines(out)) == sorted(content_id(p.read_bytes()) for p in every)


def test_batch_no_seal_while_records_of_another_pipeline_remain(tmp_path: Path, monkeypatch, model_dir) -> None:
    paths = write_archive(tmp_path / "in", 6)
    out = tmp_path / "out.jsonl"
    tag = lambda files: tag_paths(files, out, workers=1, progress=False, entities=False, model_dir=model_dir)  # noqa: E731
    tag(paths)
    # The output as an older release left it; then only half the archive is tagged again.
    old = [dict(r, pipeline={**r["pipeline"], "version": "0.0.1"}) for r in _lines(out)]
    out.write_text("".join(json.dumps(r) + "\n" for r in old), encoding="utf-8")
    assert tag(paths[:3])["tagged"] == 3
    assert not _sealed(out)  # three records of 0.0.1 are still there
    # The other half, unchanged on disk and listed in the manifest, is still re-tagged.
    read = _scans(monkeypatch)
    rest = tag(paths)
    assert (rest["tagged"], rest["unchanged"], read) == (3, 3, ["out.jsonl", "out.jsonl"])  # read, then compacted
    records = _lines(out)
    assert len(records) == 6 and all(r["pipeline"]["version"] != "0.0.1" for r in records)
    assert _sealed(out)


def test_batch_unchanged_rerun_leaves_parquet_and_bulk_outputs_alone(tmp_path: Path, model_dir) -> None:
    write_archive(tmp_path / "in", 3)
    pq_out, bulk = tmp_path / "out.parquet", tmp_path / "out.ndjson"
    docs = tmp_path / "out.documents.parquet"

    def tag(output: Path, **kw):
        options = {"workers": 1, "progress": False, "entities": False, "model_dir": model_dir}
        return tag_paths([tmp_path / "in"], output, **options, **kw)

    tag(pq_out)
    before = [(p.stat().st_mtime_ns, p.stat().st_ino) for p in (pq_out, docs)]
    assert tag(pq_out)["unchanged"] == 3
    assert [(p.stat().st_mtime_ns, p.stat().st_ino) for p in (pq_out, docs)] == before  # not converted again
    docs.unlink()
    assert tag(pq_out)["unchanged"] == 3 and docs.exists()  # a missing table is written again
    tag(bulk, index_name="first")
    tag(bulk, index_name="second")  # another index name: the bulk file is written again
    assert '"_index": "second"' in bulk.read_text(encoding="utf-8").splitlines()[0]


def test_batch_walk_lists_files_in_pathlib_order_without_following_folder_links(tmp_path: Path) -> None:
    from mfa_nlp.batch import _walk

    for rel in ("a/z.html", "a-b/y.html", "a.html", "b/c/d.txt", "B.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)  # followed, it would never end
    (tmp_path / "link.html").symlink_to(tmp_path / "a.html")
    (tmp_path / "dangling.html").symlink_to(tmp_path / "nowhere.html")
    expected = [q for q in sorted(tmp_path.rglob("*")) if q.is_file()]
    assert [Path(p) for p, ok in _walk(str(tmp_path)) if ok] == expected
    assert tmp_path / "link.html" in expected and tmp_path / "dangling.html" not in expected


def test_batch_few_inputs_are_tagged_in_process_many_in_a_pool(tmp_path: Path, monkeypatch, model_dir) -> None:
    """Issue 11: with workers=None, a pool's start-up is not paid for a handful of files."""
    from mfa_nlp import workers

    pools: list[int] = []

    def fake_pool(items, options, n, fn=workers.tag_chunk, archive=None):
        pools.append(n)
        return workers._run_serial(items, options)

    monkeypatch.setattr(workers, "_run_pool", fake_pool)
    write_archive(tmp_path / "few", 3)
    few = tag_paths([tmp_path / "few"], tmp_path / "few.jsonl", progress=False, entities=False, model_dir=model_dir)
    assert (few["tagged"], pools) == (3, [])
    write_archive(tmp_path / "many", 9)
    many = tag_paths([tmp_path / "many"], tmp_path / "many.jsonl", progress=False, entities=False, model_dir=model_dir)
    if (os.cpu_count() or 1) > 1:
        assert (many["tagged"], pools) == (9, [os.cpu_count()])


def test_batch_in_process_run_of_the_command_gets_a_workers_memory_cap(tmp_path: Path, model_dir) -> None:
    """The `mfa-nlp` process that tags in-process is capped like a pool worker; a library caller is not."""
    write_archive(tmp_path / "in", 2)
    code = (
        "import resource, sys; from mfa_nlp.batch import tag_paths; from mfa_nlp.ingest import Limits; "
        f"s = tag_paths([{str(tmp_path / 'in')!r}], {str(tmp_path / 'o.jsonl')!r}, progress=False, entities=False, "
        f"model_dir={model_dir!r}, limits=Limits(max_memory=3 * 2**30), worker_process=sys.argv[1] == 'own'); "
        "import gc; print(s['tagged'], resource.getrlimit(resource.RLIMIT_AS)[0], gc.get_threshold()[0])"
    )
    own = subprocess.run([sys.executable, "-c", code, "own"], capture_output=True, text=True, check=True).stdout
    assert own.split() == ["2", str(3 * 2**30), "20000"]  # and a worker's lazier garbage collector
    (tmp_path / "o.jsonl").unlink()
    caller = subprocess.run([sys.executable, "-c", code, "library"], capture_output=True, text=True, check=True)
    import resource

    assert caller.stdout.split() == ["2", str(resource.getrlimit(resource.RLIMIT_AS)[0]), "700"]


SAMPLES = Path(__file__).parents[1] / "corpus" / "samples"


def test_batch_pool_preloads_the_pipelines_a_sample_of_the_archive_shows(tmp_path: Path) -> None:
    from mfa_nlp.workers import PRELOAD_LANGS, preload_languages

    html = sorted(str(p) for p in SAMPLES.glob("*.html"))
    english = [p for p in html if Path(p).name.startswith("en_")]
    assert preload_languages(english) == ("en",)
    assert preload_languages([p for p in html if "sr-" in p]) == ("sr",)
    assert preload_languages(html) == ("en", "sq", "sr")
    # A PDF is not peeked at: with one in the sample, every pipeline is preloaded.
    assert preload_languages([*english, str(SAMPLES / "en_press_release_japan.pdf")]) == PRELOAD_LANGS
    # One folder per language: the sample is spread over the whole archive, so the last folder counts too.
    (tmp_path / "a_en").mkdir()
    plain = [tmp_path / "a_en" / f"e{i}.txt" for i in range(60)]
    for p in plain:
        p.write_text("The Minister met the Ambassador of Germany in Prishtina to discuss the dialogue.", "utf-8")
    cyrillic = tmp_path / "z_sr" / "s.txt"
    cyrillic.parent.mkdir()
    cyrillic.write_text("Министар спољних послова примио је амбасадора Немачке у Приштини.", encoding="utf-8")
    assert preload_languages([*map(str, plain), str(cyrillic)]) == ("en", "sr")
    assert preload_languages([]) == PRELOAD_LANGS


_PRELOAD_PROBE = """
import json, os, sys
from mfa_nlp.batch import tag_paths
summary = tag_paths([sys.argv[1]], sys.argv[2], workers=2, progress=False, duties=False)
print(json.dumps({"preload": json.loads(os.environ["MFA_NLP_PRELOAD"])["langs"], "tagged": summary["tagged"]}))
"""


@pytest.mark.slow
def test_batch_pool_of_an_english_archive_loads_a_missed_language_in_the_worker(tmp_path: Path) -> None:
    # 30 English statements and a Serbian one, third in the archive, that the 24-input sample
    # steps over: the forkserver preloads English only; the worker that meets the Serbian loads it.
    folder = tmp_path / "archive"
    folder.mkdir()
    for i in range(30):
        (folder / f"a{i:02d}.txt").write_text(
            f"Statement {i}. The Minister met the Ambassador of Germany in Prishtina to discuss NATO.", "utf-8"
        )
    (folder / "a01s.txt").write_text("Министар спољних послова примио је амбасадора Немачке у Приштини.", "utf-8")
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "MFA_NLP_PRELOAD"}
    done = subprocess.run(
        [sys.executable, "-c", _PRELOAD_PROBE, str(folder), str(out)],
        capture_output=True, text=True, timeout=600, env=env,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"preload": ["en"], "tagged": 31}
    records = {Path(r["source"]).name: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert records["a01s.txt"]["lang"] == "sr"
    assert records["a01s.txt"]["entities"]["STATE"] == ["DEU"]  # Немачке: found by the Serbian pipeline
    assert (records["a00.txt"]["entities"]["STATE"], records["a00.txt"]["entities"]["ORG"]) == (["DEU"], ["NATO"])
