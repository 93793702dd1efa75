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
