"""Batch tagging: many inputs -> records, in parallel, resumable, every input accounted for.

The per-document work is :class:`mfa_nlp.pipeline.Pipeline`; this module only
feeds it (in-process, in a process pool, or on a Dask cluster), catches failures
per input and streams the records to a writer (:mod:`mfa_nlp.export`).

Accounting: ``tagged + unchanged + errors + skipped == inputs``, where
``unchanged`` are inputs whose bytes were already tagged by the same pipeline
(a resumed run, an unchanged archive, or a byte-identical copy) and
``skipped`` are files of another type.
"""

from __future__ import annotations

import glob
import json
import multiprocessing
import os
import sys
import time
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .document import Document, content_id
from .errors import MfaNlpWarning
from .ingest import EXTENSIONS, Limits, read_file
from .pipeline import Pipeline

#: Paths per task sent to a worker: big enough to amortise the round trip and let
#: spaCy batch, small enough that a crash or a kill loses little work.
CHUNK = 8


@dataclass(frozen=True)
class Options:
    """What a worker needs to build its Pipeline (picklable, sent once per worker)."""

    limits: Limits = field(default_factory=Limits)
    entities: bool = True
    duties: bool = True
    model_dir: str | None = None


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def collect_inputs(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Path]]:
    """Expand files, folders (recursive) and globs into (supported files, skipped files).

    A path that does not exist is kept as an input so that it produces an error row.

    >>> files, skipped = collect_inputs(["corpus/samples"])  # doctest: +SKIP
    """
    files: list[Path] = []
    skipped: list[Path] = []
    seen: set[Path] = set()

    def add(q: Path, *, missing: bool = False) -> None:
        if q in seen:
            return
        seen.add(q)
        # A missing path stays an input so that it gets an error row instead of vanishing.
        (files if missing or q.suffix.lower() in EXTENSIONS else skipped).append(q)

    for raw in paths:
        text = str(raw)
        candidates = [Path(m) for m in sorted(glob.glob(text, recursive=True))] if _is_glob(text) else [Path(text)]
        for p in candidates:
            if p.is_dir():
                for q in sorted(p.rglob("*")):
                    if q.is_file():
                        add(q)
            else:
                add(p, missing=not p.exists())
    return files, skipped


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Yield the supported files among files, folders (recursive) and globs."""
    yield from collect_inputs(paths)[0]


# --- the per-document work (runs in a worker) ------------------------------------------------
_PIPELINES: dict[Options, Any] = {}


def _pipeline(options: Options) -> Any:
    """The worker's Pipeline, built once per process (module-level cache; also used by Dask)."""
    nlp = _PIPELINES.get(options)
    if nlp is None:
        nlp = Pipeline(
            entities=options.entities, duties=options.duties, model_dir=options.model_dir, limits=options.limits
        )
        _PIPELINES[options] = nlp
    return nlp


def _error_row(source: str, exc: BaseException) -> dict[str, Any]:
    return {"source": source, "error": type(exc).__name__, "message": str(exc) or repr(exc)}


def _init_worker(options: Options) -> None:
    warnings.simplefilter("ignore", MfaNlpWarning)
    from .guard import memory_limit

    memory_limit(options.limits.max_memory)  # a bomb fails its document, not the machine
    _pipeline(options)


def tag_chunk(items: list[tuple[str, str]], options: Options) -> list[tuple[str, dict[str, Any]]]:
    """Tag a chunk of ``(path, expected id)``; return ``("ok", record)`` or ``("error", row)`` per item.

    Never raises for a bad input: any exception becomes an error row for that input.
    """
    nlp = _pipeline(options)
    out: list[tuple[str, dict[str, Any]]] = [("error", {})] * len(items)
    docs: list[tuple[int, Document]] = []
    for i, (path, _) in enumerate(items):
        try:
            docs.append((i, read_file(path, limits=options.limits)))  # size checked before reading
        except Exception as exc:  # noqa: BLE001 - one bad input must not stop the batch
            out[i] = ("error", _error_row(path, exc))
    try:
        nlp.annotate([d for _, d in docs])
        for i, doc in docs:
            out[i] = ("ok", doc.to_dict())
    except Exception:  # noqa: BLE001 - find the culprit: annotate one by one
        for i, doc in docs:
            try:
                out[i] = ("ok", nlp.annotate([doc])[0].to_dict())
            except Exception as exc:  # noqa: BLE001
                out[i] = ("error", _error_row(items[i][0], exc))
    return out


# --- executors ---------------------------------------------------------------------------
Result = tuple[str, dict[str, Any]]


def _chunks(items: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    chunk: list[tuple[str, str]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run_serial(items: Iterable[tuple[str, str]], options: Options) -> Iterator[list[Result]]:
    for chunk in _chunks(items, CHUNK):
        yield tag_chunk(chunk, options)


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork is unsafe with spaCy/BLAS threads; forkserver where available, spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _run_pool(
    items: Iterable[tuple[str, str]], options: Options, workers: int, fn: Any = tag_chunk
) -> Iterator[list[Result]]:
    """Stream results from a process pool; a crashed worker becomes error rows, never lost inputs.

    When a worker dies (BrokenProcessPool) every task in flight fails with it, so the inputs
    of those tasks become suspects: they are rerun one at a time, alone in a fresh pool, and
    only the one that breaks the pool again gets the error row.
    """
    source = _chunks(items, CHUNK)
    first = next(source, None)
    if first is None:
        return  # nothing to tag (e.g. an unchanged archive): do not start any worker
    todo: list[list[tuple[str, str]]] = [first]
    suspects: list[tuple[str, str]] = []
    window = workers * 3
    while True:
        pool = ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_init_worker, initargs=(options,))
        pending: dict[Future[list[Result]], list[tuple[str, str]]] = {}
        alone: Future[list[Result]] | None = None  # a suspect running with nothing else in the pool
        broken = False
        try:
            while True:
                while not broken:
                    if suspects:
                        if pending:
                            break
                        chunk: list[tuple[str, str]] | None = [suspects.pop(0)]
                        alone = pool.submit(fn, chunk, options)
                        pending[alone] = chunk
                        break
                    elif len(pending) < window:
                        chunk = todo.pop() if todo else next(source, None)
                    else:
                        break
                    if chunk is None:
                        break
                    pending[pool.submit(fn, chunk, options)] = chunk
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    chunk = pending.pop(fut)
                    try:
                        yield fut.result()
                    except BrokenProcessPool as exc:
                        if fut is alone:
                            yield [("error", _error_row(chunk[0][0], exc))]
                        else:
                            suspects.extend(chunk)
                        broken = True
                    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                        yield [("error", _error_row(path, exc)) for path, _ in chunk]
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
        if not broken and not suspects and not todo:
            return


def _run_dask(items: Iterable[tuple[str, str]], options: Options, address: str, workers: int) -> Iterator[list[Result]]:
    """Stream results from a Dask distributed cluster (``address`` or ``"local"``), in bounded windows."""
    from itertools import chain

    from distributed import Client, LocalCluster, as_completed

    chunks = _chunks(items, CHUNK)
    first = next(chunks, None)
    if first is None:
        return  # nothing to tag: do not connect or start a cluster
    cluster = None
    if address == "local":
        with warnings.catch_warnings():  # another cluster on this machine: its HTTP port moves, harmlessly
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = LocalCluster(
                processes=True, n_workers=max(1, workers), threads_per_worker=1, dashboard_address=None
            )
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        source = chain([first], chunks)
        window = max(2, len(client.scheduler_info().get("workers", {})) or 1) * 3
        pending: dict[Any, list[tuple[str, str]]] = {}
        ac = as_completed()
        for chunk in source:
            fut = client.submit(tag_chunk, chunk, options, pure=False)
            pending[fut.key] = chunk
            ac.add(fut)
            if len(pending) >= window:
                break
        for fut in ac:
            chunk = pending.pop(fut.key)
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker and friends become error rows
                yield [("error", _error_row(path, exc)) for path, _ in chunk]
            nxt = next(source, None)
            if nxt is not None:
                new = client.submit(tag_chunk, nxt, options, pure=False)
                pending[new.key] = nxt
                ac.add(new)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def iter_results(
    items: Iterable[tuple[str, str]], options: Options, *, workers: int = 1, dask: str | None = None
) -> Iterator[list[Result]]:
    """Tag ``(path, id)`` items with the chosen executor, yielding result chunks as they complete."""
    if dask:
        return _run_dask(items, options, dask, workers)
    if workers <= 1:
        return _run_serial(items, options)
    return _run_pool(items, options, workers)


def iter_documents(
    paths: Iterable[str | os.PathLike[str]],
    *,
    workers: int = 1,
    limits: Limits | None = None,
    dask: str | None = None,
    **options: Any,
) -> Iterator[Document]:
    """Analyse many files or folders, yielding Documents; unreadable inputs are skipped with a warning.

    >>> for doc in iter_documents(["corpus/samples"], workers=2):  # doctest: +SKIP
    ...     print(doc.id[:8], doc.title)
    """
    opts = Options(limits=limits or Limits(), **options)
    items = ((str(p), "") for p in expand_paths(paths))
    for chunk in iter_results(items, opts, workers=workers, dask=dask):
        for kind, payload in chunk:
            if kind == "ok":
                yield Document.from_dict(payload)
            else:
                warnings.warn(payload["message"], MfaNlpWarning, stacklevel=2)


# --- the tag command -------------------------------------------------------------------------
@dataclass
class Summary:
    """What a run did; ``tagged + unchanged + errors + skipped == inputs``."""

    inputs: int = 0
    tagged: int = 0
    unchanged: int = 0
    errors: int = 0
    skipped: int = 0
    passages: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    output: str = ""
    errors_file: str = ""

    @property
    def documents(self) -> int:
        return self.tagged

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "documents": self.tagged}


def _hash_file(path: Path, max_bytes: int = 0, stat: os.stat_result | None = None) -> str:
    try:
        if max_bytes and (stat or path.stat()).st_size > max_bytes:
            return ""  # too big to read here: the worker reports the limit without reading it
        return content_id(path.read_bytes())
    except OSError:
        return ""  # the worker reports the read error


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def tag_paths(
    paths: list[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    index_name: str = "mfa-statements",
    workers: int | None = None,
    errors_file: str | os.PathLike[str] | None = None,
    limits: Limits | None = None,
    dask: str | None = None,
    progress: bool = True,
    entities: bool = True,
    duties: bool = True,
    model_dir: str | None = None,
    verify: bool = False,
) -> dict[str, Any]:
    """Tag files, folders and globs into ``output`` (JSONL, Parquet or ES bulk); return the summary.

    Resumable: documents already in the output (same bytes, same pipeline version and
    model) are not tagged again; records from another pipeline are re-tagged and replaced.
    A file whose size, mtime and inode are those recorded when it was tagged is skipped
    without reading it; ``verify=True`` hashes every file instead.

    >>> tag_paths(["corpus/samples"], "out/samples.jsonl", workers=2)["errors"]  # doctest: +SKIP
    0
    """
    from .export import RecordStore, infer_format

    start = time.perf_counter()
    fmt = fmt or infer_format(output)
    opts = Options(limits=limits or Limits(), entities=entities, duties=duties, model_dir=model_dir)
    workers = workers or os.cpu_count() or 1
    info = _pipeline_info(opts)
    files, skipped = collect_inputs(paths)
    summary = Summary(inputs=len(files) + len(skipped), skipped=len(skipped))
    store = RecordStore(output, fmt=fmt, index_name=index_name, pipeline=info)
    summary.output = str(store.output)
    err_path = Path(errors_file) if errors_file else store.default_errors_path()
    summary.errors_file = str(err_path)
    from .export import documents_parquet_path
    from .guard import check_outputs

    check_outputs(
        [*files, *skipped],
        [store.output, store.checkpoint, store.manifest, err_path, documents_parquet_path(store.output)],
    )

    bar = _progress(progress, len(files))
    # The error log is this run's: failed inputs are retried on a rerun, so old rows would mislead.
    with store, err_path.open("w", encoding="utf-8") as errors:
        seen_now: dict[str, str] = {}  # digest -> path of its first copy in this run
        copies: list[tuple[str, str]] = []  # later byte-identical copies: settled once the first is done
        failed: dict[str, dict[str, Any]] = {}  # path -> error row
        stats: dict[str, os.stat_result] = {}  # path -> stat taken before hashing, for the manifest
        settled: list[tuple[str, os.stat_result, str]] = []  # unchanged files to remember

        def todo() -> Iterator[tuple[str, str]]:
            for path in files:
                st = _stat(path)
                if st is not None and not verify and store.known(str(path), st):
                    summary.unchanged += 1
                    bar.advance()
                    continue
                digest = _hash_file(path, opts.limits.max_bytes, st)
                if st is not None and digest:
                    stats[str(path)] = st
                if digest and digest in store.done:
                    summary.unchanged += 1
                    if st is not None:
                        settled.append((str(path), st, digest))
                    bar.advance()
                    continue
                if digest in seen_now:
                    copies.append((str(path), seen_now[digest]))
                    bar.advance()
                    continue
                if digest:
                    seen_now[digest] = str(path)
                yield str(path), digest

        for chunk in iter_results(todo(), opts, workers=workers, dask=dask):
            records = []
            for kind, payload in chunk:
                if kind == "ok":
                    records.append(payload)
                    summary.tagged += 1
                    summary.passages += len(payload["passages"])
                    for p in payload["passages"]:
                        lang = p.get("lang") or "und"
                        summary.languages[lang] = summary.languages.get(lang, 0) + 1
                else:
                    errors.write(json.dumps(payload, ensure_ascii=False) + "\n")
                    summary.errors += 1
                    failed[payload.get("source", "")] = payload
            store.append(records)
            store.remember(
                [(r["source"], stats[r["source"]], r["id"]) for r in records if r.get("source") in stats] + settled
            )
            settled.clear()
            errors.flush()
            bar.advance(len(chunk))
        store.remember(settled)
        for path, first in copies:  # a copy of a failed input fails too: it gets its own error row
            row = failed.get(first)
            if row is None:
                summary.unchanged += 1
            else:
                copy = {**row, "source": path, "message": row["message"].replace(first, path, 1)}
                errors.write(json.dumps(copy, ensure_ascii=False) + "\n")
                summary.errors += 1
    bar.stop()
    summary.seconds = round(time.perf_counter() - start, 3)
    return summary.as_dict()


def _pipeline_info(opts: Options) -> dict[str, Any]:
    """The ``pipeline`` field the workers will write, read from the model card (no model or spaCy load).

    Loading the duty model takes seconds; reading its card keeps a rerun over an unchanged
    archive down to hashing the files. A missing or unreadable card falls back to a full load,
    which raises the ModelError that explains what to do.
    """
    if opts in _PIPELINES:  # already loaded in this process: what it writes is what counts
        return dict(_PIPELINES[opts].info)
    from ._version import __version__

    model = None
    if opts.duties:
        from .duties import CARD_FILE, MODEL_FILE, DutyClassifier, default_model_dir

        folder = Path(opts.model_dir) if opts.model_dir else default_model_dir()
        try:
            if not (folder / MODEL_FILE).is_file():
                raise FileNotFoundError(folder / MODEL_FILE)
            model = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))["model_id"]
        except (OSError, ValueError, KeyError):
            model = DutyClassifier.load(opts.model_dir).model_id
    return {"version": __version__, "model": model}


class _Bar:
    """A rich progress bar on stderr (docs/s, ETA), or nothing when stderr is not a terminal."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.progress = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(
                TextColumn("tagging"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} docs/s"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.start = time.perf_counter()
            self.task = self.progress.add_task("tag", total=total, rate="-")
            self.progress.start()

    def advance(self, n: int = 1) -> None:
        if self.progress is not None:
            self.progress.advance(self.task, n)
            done = self.progress.tasks[0].completed
            self.progress.update(self.task, rate=f"{done / max(time.perf_counter() - self.start, 1e-6):.1f}")

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _progress(enabled: bool, total: int) -> _Bar:
    return _Bar(enabled, total)


def format_summary(summary: dict[str, Any]) -> Any:
    """A small rich table of a run's summary."""
    from rich.table import Table

    table = Table(title="mfa-nlp tag", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("inputs", summary["inputs"]),
        ("documents tagged", summary["tagged"]),
        ("already tagged (unchanged)", summary["unchanged"]),
        ("passages", summary["passages"]),
        *((f"  passages in {lang}", n) for lang, n in sorted(summary["languages"].items())),
        ("errors", summary["errors"]),
        ("skipped (other file types)", summary["skipped"]),
        ("time", f"{summary['seconds']:.1f} s"),
        ("output", summary["output"]),
    ]
    if summary["errors"]:
        rows.append(("error log", summary["errors_file"]))
    for what, value in rows:
        table.add_row(what, str(value))
    return table


def analyze_files(paths: Iterable[str | os.PathLike[str]], **options: Any) -> Iterator[Document]:
    """Analyse many files or folders, yielding Documents; unreadable inputs are skipped with a warning.

    ``options`` are those of :func:`mfa_nlp.batch.iter_documents` (``workers``, ``limits``, ...).

    >>> for doc in analyze_files(["corpus/samples"]):  # doctest: +SKIP
    ...     print(doc.title)
    """
    yield from iter_documents(paths, **options)
