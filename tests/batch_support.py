"""Helpers shared by the batch, export, search and CLI tests (not a test module)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BATCH = Path(__file__).parent / "data" / "batch"

#: Inputs of tests/data/batch: tagged or failed (.txt/.html/.pdf) and skipped (other types).
SUPPORTED = sorted(p for p in BATCH.iterdir() if p.suffix in {".txt", ".html", ".pdf"})
SKIPPED = sorted(p for p in BATCH.iterdir() if p.suffix not in {".txt", ".html", ".pdf"})


def duty_model_dir(base: Path) -> str | None:
    """The shipped duty model if there is one, else one trained once from corpus/duties into ``base``."""
    from mfa_nlp.errors import ModelError

    try:
        from mfa_nlp.duties import DutyClassifier

        DutyClassifier.load()
        return None
    except ModelError:
        pass
    # Training takes a minute: cache it beside the pytest temp dirs, keyed by the corpus content.
    import hashlib

    corpus = ROOT / "corpus" / "duties"
    key = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(corpus.glob("*.jsonl")))).hexdigest()[:12]
    target = base.parent / f"mfa-duty-model-{key}"
    if not (target / "duties.skops").exists():
        from mfa_nlp.duties.train import train

        train(corpus, target)
    return str(target)


def crash_on_marker(items: list[tuple[str, str]], options: Any) -> list[tuple[str, dict[str, Any]]]:
    """Stand-in for workers.tag_chunk that kills its worker process on a file named crash*."""
    from mfa_nlp.workers import tag_chunk

    if any(Path(path).name.startswith("crash") for path, _ in items):
        os._exit(13)
    return tag_chunk(items, options)


def write_archive(folder: Path, n: int, *, start: int = 0) -> list[Path]:
    """n distinct short statements (distinct bytes, so distinct ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        p = folder / f"statement_{i:04d}.txt"
        p.write_text(
            f"Prishtina, {1 + i % 28} May 2020\n\nThe Ministry of Foreign Affairs welcomed meeting no. {i} "
            f"with the ambassador on visa liberalisation and regional cooperation.\n\n"
            f"Ministria e Puneve te Jashtme mirepret takimin {i} per integrimin evropian.\n",
            encoding="utf-8",
        )
        paths.append(p)
    return paths


def tag_command(inputs: Path, out: Path, *extra: str, model_dir: str | None = None) -> list[str]:
    """`mfa-nlp tag` in a fresh interpreter: one worker, no entity stage (the pipeline is not what is tested)."""
    import sys

    cmd = [sys.executable, "-m", "mfa_nlp.cli", "tag", str(inputs), "-o", str(out), "--no-progress", "--no-entities"]
    cmd += ["--workers", "1", *extra]
    return cmd + (["--model-dir", model_dir] if model_dir else [])


def wait_for(condition: Any, timeout: float = 120, what: str = "condition") -> None:
    """Poll ``condition()`` every 20 ms until it is true; fail the test after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def lock_holder(path: Path) -> int | None:
    """The pid written into ``path``'s lock file by the run that holds it, if any."""
    import json

    from mfa_nlp.lock import lock_path

    try:
        return int(json.loads(lock_path(path).read_text() or "null")["pid"])
    except (OSError, ValueError, TypeError, KeyError):
        return None


def jsonl_ids(path: Path) -> list[str]:
    """The ids of a JSONL output, failing on any line that does not parse (a torn line)."""
    import json

    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def stall_on_marker(items: list[tuple[str, str]], options: Any) -> list[tuple[str, dict[str, Any]]]:
    """Stand-in for workers.tag_chunk whose worker gets stuck in a C call (sleep) on a file named stall*."""
    import time

    from mfa_nlp.workers import tag_chunk

    if any(Path(path).name.startswith("stall") for path, _ in items):
        time.sleep(3600)  # not interruptible by the time limit's exception: only the backstop ends it
    return tag_chunk(items, options)
