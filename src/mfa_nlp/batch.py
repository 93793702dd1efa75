"""Batch tagging of many inputs (serial placeholder; the batch work replaces it)."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .document import Document
from .errors import MfaNlpError, MfaNlpWarning
from .ingest import EXTENSIONS, read_file


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    for p in paths:
        p = Path(p)
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in EXTENSIONS)
        else:
            yield p


def iter_documents(paths: Iterable[str | os.PathLike[str]], **options: Any) -> Iterator[Document]:
    from .pipeline import default_pipeline

    nlp = default_pipeline()
    for path in expand_paths(paths):
        try:
            yield nlp.annotate([read_file(path)])[0]
        except MfaNlpError as exc:
            warnings.warn(str(exc), MfaNlpWarning, stacklevel=2)


def tag_paths(paths: list[str], output: str, **options: Any) -> dict[str, Any]:
    from .pipeline import default_pipeline

    nlp = default_pipeline()
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    errors_path = out.with_name(out.stem + ".errors.jsonl")
    summary: dict[str, Any] = {"documents": 0, "passages": 0, "languages": {}, "errors": 0}
    with out.open("w", encoding="utf-8") as fh, errors_path.open("w", encoding="utf-8") as eh:
        for path in expand_paths(paths):
            try:
                doc = nlp.annotate([read_file(path)])[0]
            except MfaNlpError as exc:
                eh.write(json.dumps({"source": str(path), "error": type(exc).__name__, "message": str(exc)}) + "\n")
                summary["errors"] += 1
                continue
            fh.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
            summary["documents"] += 1
            summary["passages"] += len(doc.passages)
            for p in doc.passages:
                summary["languages"][p.lang] = summary["languages"].get(p.lang, 0) + 1
    return summary
