"""Writers for tagged records (JSONL for now) and the reader back into Documents."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from .document import Document


def load_records(path: str | os.PathLike[str]) -> Iterator[Document]:
    """Read a tagged JSONL file back into Documents without re-running the pipeline.

    >>> docs = list(load_records("out/samples.jsonl"))  # doctest: +SKIP
    """
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Document.from_dict(json.loads(line))
