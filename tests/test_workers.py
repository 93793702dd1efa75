"""Where the work runs under faults (issue 12): the time limit on every executor, a real Dask cluster losing workers.

The cluster is real: a `dask scheduler` and two `dask worker --nthreads 1` processes (each with
its nanny) on 127.0.0.1, started by the module fixture. The tests run in file order: a stuck
worker is replaced, a slow analysis gets its error row, and a worker SIGKILLed halfway through
a `mfa-nlp tag --dask` run leaves the other to finish it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from batch_support import duty_model_dir, jsonl_ids, stall_on_marker, tag_command, wait_for, write_archive
from mfa_nlp.batch import tag_paths
from mfa_nlp.document import content_id
from mfa_nlp.ingest import Limits
from mfa_nlp.workers import Options, _run_dask

TESTS = Path(__file__).parent
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    return duty_model_dir(tmp_path_factory.getbasetemp())


def _slow_archive(folder: Path) -> tuple[list[Path], Path]:
    """Three short statements and one that reads fast but takes seconds to analyse.

    Its 3,000 passages of shuffled words are each sent to language detection (marker words
    alone cannot tell), many seconds in all: far over the 3 s limit the tests set.
    """
    import random

    paths = write_archive(folder, 3)
    rng = random.Random(12)
    words = (
        "Kosovo ministry dialogue Serbia NATO visa liberalisation Germany support sovereignty recognition "
        "partners human rights agenda security cooperation Prishtina Brussels agreement"
    ).split()
    slow = folder / "long_digest.txt"
    slow.write_text("\n\n".join(" ".join(rng.choices(words, k=25)) + "." for _ in range(3000)), encoding="utf-8")
    return paths, slow


def _check_slow_run(summary: dict, out: Path, paths: list[Path], slow: Path) -> None:
    rows = [json.loads(line) for line in out.with_name(out.stem + ".errors.jsonl").read_text().splitlines()]
    assert [r["source"] for r in rows] == [str(slow)]
    assert rows[0]["error"] == "LimitExceededError"
    assert "analysis took longer than the time limit of 3 s" in rows[0]["message"]
    assert (summary["tagged"], summary["errors"]) == (len(paths), 1)
    assert sorted(jsonl_ids(out)) == sorted(content_id(p.read_bytes()) for p in paths)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2], ids=["serial", "process-pool"])
def test_workers_time_limit_covers_the_analysis(tmp_path: Path, model_dir: str | None, workers: int) -> None:
    paths, slow = _slow_archive(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    summary = tag_paths(
        [tmp_path / "in"], out, workers=workers, limits=Limits(timeout=3), progress=False, entities=False,
        model_dir=model_dir,
    )  # fmt: skip
    _check_slow_run(summary, out, paths, slow)


# --- a real Dask cluster -----------------------------------------------------------------------
@dataclass
class Cluster:
    address: str
    workers: list[subprocess.Popen[bytes]]
    client: object


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    distributed = pytest.importorskip("distributed")
    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p),
        # One retry after a worker death instead of three: the same outcome, found faster.
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
    }
    log = (folder / "cluster.log").open("wb")
    common = {"stdout": log, "stderr": subprocess.STDOUT, "env": env, "start_new_session": True}
    procs = [
        subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
             str(file)], **common,
        )  # fmt: skip
    ]
    try:
        wait_for(lambda: file.exists() and file.stat().st_size > 0, what="the scheduler")
        for name in ("w1", "w2"):
            procs.append(
                subprocess.Popen(
                    [str(DASK), "worker", "--scheduler-file", str(file), "--nthreads", "1", "--host", "127.0.0.1",
                     "--no-dashboard", "--name", name], **common,
                )  # fmt: skip
            )
        address = json.loads(file.read_text())["address"]
        client = distributed.Client(address, timeout=60)
        client.wait_for_workers(2, timeout=180)
        yield Cluster(address, procs[1:], client)
        client.close()
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _worker_count(cluster: Cluster) -> int:
    return len(cluster.client.scheduler_info()["workers"])  # type: ignore[attr-defined]


@pytest.mark.slow
def test_workers_dask_stuck_worker_gets_an_error_row_and_is_replaced(
    cluster: Cluster, tmp_path: Path, model_dir: str | None
) -> None:
    paths = write_archive(tmp_path / "in", 4)
    stall = tmp_path / "in" / "stall_me.txt"  # its worker hangs in a C call the time limit cannot interrupt
    stall.write_text("The Ministry of Foreign Affairs condemns the attack.\n", encoding="utf-8")
    items = [(str(p), "") for p in [*paths, stall]]
    options = Options(entities=False, model_dir=model_dir, limits=Limits(timeout=1))
    results = [r for chunk in _run_dask(items, options, cluster.address, 2, stall_on_marker, chunk=1) for r in chunk]
    assert len(results) == len(items)
    errors = [row for kind, row in results if kind == "error"]
    assert [e["source"] for e in errors] == [str(stall)]
    assert errors[0]["error"] == "KilledWorker"
    assert errors[0]["message"].startswith(f"{stall}: its Dask worker died or was stuck past the time limit (1 s")
    assert sorted(r["source"] for kind, r in results if kind == "ok") == sorted(str(p) for p in paths)
    # The nannies started fresh workers in place of the stuck ones.
    cluster.client.wait_for_workers(2, timeout=180)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_workers_dask_time_limit_covers_the_analysis(cluster: Cluster, tmp_path: Path, model_dir: str | None) -> None:
    paths, slow = _slow_archive(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    summary = tag_paths(
        [tmp_path / "in"], out, dask=cluster.address, limits=Limits(timeout=3), progress=False, entities=False,
        model_dir=model_dir,
    )  # fmt: skip
    _check_slow_run(summary, out, paths, slow)
    assert _worker_count(cluster) == 2  # a document over the limit does not cost its worker


@pytest.mark.slow
def test_workers_dask_worker_sigkilled_halfway_the_other_finishes(
    cluster: Cluster, tmp_path: Path, model_dir: str | None
) -> None:
    cluster.client.wait_for_workers(2, timeout=180)  # type: ignore[attr-defined]
    paths = write_archive(tmp_path / "in", 300)
    out = tmp_path / "out.jsonl"
    cmd = tag_command(tmp_path / "in", out, "--dask", cluster.address, model_dir=model_dir)
    run = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: run.poll() is not None or (out.exists() and out.read_bytes().count(b"\n") >= 60))
    assert run.poll() is None, "the run finished before a worker could be killed; make the archive bigger"
    victim = cluster.workers[0]
    os.killpg(victim.pid, signal.SIGKILL)  # the worker and its nanny: gone for good
    victim.wait()
    _, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr[-3000:]
    assert not out.with_name("out.errors.jsonl").read_text()  # every input a record, no error row
    ids = jsonl_ids(out)
    assert len(ids) == len(set(ids)) == len(paths)  # none lost, none twice
    assert set(ids) == {content_id(p.read_bytes()) for p in paths}
    assert _worker_count(cluster) == 1
