"""One writer per output (issue 12): real `mfa-nlp tag` processes racing for the same output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from batch_support import duty_model_dir, jsonl_ids, lock_holder, tag_command, wait_for, write_archive
from mfa_nlp.errors import OutputLockedError
from mfa_nlp.lock import exclusive, lock_path

ENV = {**os.environ, "COLUMNS": "200"}  # rich's summary table on one line per row


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    return duty_model_dir(tmp_path_factory.getbasetemp())


def _unchanged(stderr: str) -> int:
    return int(re.search(r"unchanged\)\s*[│|]\s*(\d+)", stderr).group(1))


def test_lock_second_holder_refused_then_free_after_release(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    with exclusive(out):
        assert lock_holder(out) == os.getpid()
        with pytest.raises(OutputLockedError, match=rf"o.jsonl: the output is in use .*\(pid {os.getpid()} on "):
            with exclusive(out):
                pass
        start = time.monotonic()
        with pytest.raises(OutputLockedError):
            with exclusive(out, wait=0.3):
                pass
        assert 0.3 <= time.monotonic() - start < 5
    assert not lock_path(out).exists()  # removed at the end
    with exclusive(out):  # and free again
        pass


@pytest.mark.slow
def test_lock_two_runs_started_together_one_exits_2(tmp_path: Path, model_dir: str | None) -> None:
    """The cron-job-overlaps-a-manual-run case: before issue 12 the output held every record twice."""
    paths = write_archive(tmp_path / "in", 150)
    out = tmp_path / "out" / "records.jsonl"
    cmd = tag_command(tmp_path / "in", out, model_dir=model_dir)
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV) for _ in "ab"]
    outputs = [p.communicate(timeout=600) for p in procs]
    codes = [p.returncode for p in procs]
    assert sorted(codes) == [0, 2], outputs
    loser, winner = codes.index(2), codes.index(0)
    stderr = outputs[loser][1]
    assert f"the output is in use by another mfa-nlp run (pid {procs[winner].pid} on" in stderr
    assert "--wait" in stderr and "Traceback" not in stderr
    ids = jsonl_ids(out)
    assert len(ids) == len(set(ids)) == len(paths)  # nothing doubled, nothing lost
    assert not lock_path(out).exists() and not lock_path(out.with_name("records.errors.jsonl")).exists()


@pytest.mark.slow
def test_lock_wait_queues_behind_the_running_tag(tmp_path: Path, model_dir: str | None) -> None:
    paths = write_archive(tmp_path / "in", 60)
    out = tmp_path / "records.jsonl"
    cmd = tag_command(tmp_path / "in", out, model_dir=model_dir)
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    wait_for(lambda: lock_holder(out) == first.pid or first.poll() is not None, what="the first run's lock")
    assert first.poll() is None, "the first run ended before the second started; make the archive bigger"
    second = subprocess.Popen([*cmd, "--wait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    first_out = first.communicate(timeout=600)
    second_out = second.communicate(timeout=600)
    assert (first.returncode, second.returncode) == (0, 0), (first_out, second_out)
    # The second run started tagging only once the first had finished: everything was already there.
    assert _unchanged(second_out[1]) == len(paths)
    ids = jsonl_ids(out)
    assert len(ids) == len(set(ids)) == len(paths)


@pytest.mark.slow
def test_lock_of_a_sigkilled_run_never_blocks(tmp_path: Path, model_dir: str | None) -> None:
    paths = write_archive(tmp_path / "in", 150)
    out = tmp_path / "records.jsonl"
    cmd = tag_command(tmp_path / "in", out, model_dir=model_dir)
    killed = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for(
        lambda: killed.poll() is not None or (out.exists() and out.read_bytes().count(b"\n") >= 16),
        what="the first records",
    )
    assert killed.poll() is None, "the run finished before it could be killed; make the archive bigger"
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    assert lock_holder(out) == killed.pid  # the lock file stays behind, naming a dead process

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=ENV)  # no --wait
    assert rerun.returncode == 0, rerun.stderr
    ids = jsonl_ids(out)
    assert len(ids) == len(set(ids)) == len(paths)
    assert not lock_path(out).exists()
