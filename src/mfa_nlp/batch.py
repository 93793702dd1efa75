"""Batch tagging: many inputs -> records, in parallel, resumable, every input accounted for.

The per-document work is :class:`mfa_nlp.pipeline.Pipeline`, run by :mod:`mfa_nlp.workers`
(in-process, in a process pool, or on a Dask cluster); this module decides what to tag
(skipping what is already tagged), streams the records to a writer (:mod:`mfa_nlp.export`)
and keeps the accounts.

Accounting: ``tagged + unchanged + errors + skipped == inputs``, where
``unchanged`` are inputs whose bytes were already tagged by the same pipeline
(a resumed run, an unchanged archive, or a byte-identical copy) and
``skipped`` are files of another type.
"""

from __future__ import annotations

import glob
import json
import os
import sys
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .document import Document, content_id
from .errors import MfaNlpWarning
from .ingest import EXTENSIONS, Limits
from .workers import _PIPELINES, CHUNK, Options, iter_results

if TYPE_CHECKING:
    from .export import AppendFile, RecordStore


#: With ``workers=None``, runs of at most this many inputs are tagged in-process (see :func:`tag_paths`).
SERIAL_MAX = CHUNK
#: Records are made durable (one fsync) at most this often, and at the end of the run; a file enters
#: the manifest only once its record is durable. A killed process keeps what it wrote; a crash of the
#: machine loses at most this many seconds of records, which the next run tags again.
SYNC_SECONDS = 1.0


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def collect_inputs(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Path]]:
    """Expand files, folders (recursive) and globs into (supported files, skipped files).

    A path that does not exist is kept as an input so that it produces an error row.

    >>> files, skipped = collect_inputs(["corpus/samples"])  # doctest: +SKIP
    """
    files, skipped = _collect(paths)
    return [Path(f) for f in files], [Path(f) for f in skipped]


def _collect(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[str]]:
    """:func:`collect_inputs` as strings, each spelt as ``str(Path(...))`` would spell it.

    A rerun over thousands of files needs no ``Path`` object per file.
    """
    files: list[str] = []
    skipped: list[str] = []
    seen: set[str] = set()

    def add(q: str, *, missing: bool = False) -> None:
        if q in seen:
            return
        seen.add(q)
        # A missing path stays an input so that it gets an error row instead of vanishing.
        (files if missing or os.path.splitext(q)[1].lower() in EXTENSIONS else skipped).append(q)

    for raw in paths:
        text = str(raw)
        candidates = sorted(glob.glob(text, recursive=True)) if _is_glob(text) else [text]
        for c in candidates:
            top = str(Path(c))  # pathlib's spelling: no "//", no "/./", no trailing "/"
            if os.path.isdir(top):
                cut = 2 if top == "." else 0  # Path("./a.html") is "a.html"
                for q, is_file in _walk(top):
                    add(q[cut:], missing=not is_file)
            else:
                add(top, missing=not os.path.exists(top))
    return files, skipped


def _walk(top: str) -> list[tuple[str, bool]]:
    """The files under ``top``, recursively, in path order (as ``sorted(Path(top).rglob("*"))``).

    Like ``rglob`` it does not descend into symlinked folders (no loops) and skips folders it
    may not list; unlike it, it needs no extra ``stat`` per file. Each entry is (path, False)
    only when the entry could not even be checked: it stays an input, so it gets an error row.
    """
    out: list[tuple[str, bool]] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file():
                    out.append((entry.path, True))
            except OSError:
                out.append((entry.path, False))
    out.sort(key=lambda item: item[0].split(os.sep))  # pathlib's order: part by part
    return out


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Yield the supported files among files, folders (recursive) and globs."""
    yield from collect_inputs(paths)[0]


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
    inputs = [str(p) for p in expand_paths(paths)]
    for chunk in iter_results(((p, "") for p in inputs), opts, workers=workers, dask=dask, archive=inputs):
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
    #: with ``labels``: what the human labels did (see :func:`_label_accounts`)
    labels: dict[str, Any] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return self.tagged

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "documents": self.tagged}


def _hash_file(path: str, max_bytes: int = 0, stat: os.stat_result | None = None) -> str:
    try:
        if max_bytes and (stat or os.stat(path)).st_size > max_bytes:
            return ""  # too big to read here: the worker reports the limit without reading it
        with open(path, "rb") as fh:
            return content_id(fh.read())
    except OSError:
        return ""  # the worker reports the read error


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
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
    labels: str | os.PathLike[str] | None = None,
    wait: bool | float = False,
    worker_process: bool = False,
) -> dict[str, Any]:
    """Tag files, folders and globs into ``output`` (JSONL, Parquet or ES bulk); return the summary.

    One writer per output: the run holds an exclusive lock on the output and the error log
    from start to end. Another run on them raises :class:`~mfa_nlp.errors.OutputLockedError`
    naming the holder at once, or with ``wait=True`` (a number: at most that many seconds)
    waits for it. A write failure (disk full, read-only or vanished folder) raises
    :class:`~mfa_nlp.errors.OutputWriteError` with the output left valid for a rerun.

    Resumable: documents already in the output (same bytes, same pipeline version and
    model) are not tagged again; records from another pipeline are re-tagged and replaced.
    A file whose size, mtime and inode are those recorded when it was tagged is skipped
    without reading it; ``verify=True`` hashes every file instead.

    ``labels`` names a labels file (:mod:`mfa_nlp.labels`) whose duty labels and entity overrides
    are applied by passage content hash; its digest joins the records' ``pipeline``, so changed
    labels re-tag the archive. With Dask the file must be readable at the same path on the workers.

    ``workers=None`` means one per CPU core, but a run of at most :data:`SERIAL_MAX` inputs is
    tagged in-process: starting a pool (a forkserver loading every model) costs more than
    those few documents. ``worker_process=True`` says this process exists for this run (the
    CLI): when it analyses in-process it gets a pool worker's settings, the ``limits.max_memory``
    cap and :func:`~mfa_nlp.guard.tune_process`. A notebook must leave it False.

    >>> tag_paths(["corpus/samples"], "out/samples.jsonl", workers=2)["errors"]  # doctest: +SKIP
    0
    """
    from .export import AppendFile, RecordStore, infer_format
    from .lock import exclusive

    start = time.perf_counter()
    fmt = fmt or infer_format(output)
    opts = Options(
        limits=limits or Limits(), entities=entities, duties=duties, model_dir=model_dir,
        labels=str(Path(labels).resolve()) if labels is not None else None,
    )  # fmt: skip
    info = _pipeline_info(opts)
    files, skipped = _collect(paths)
    if workers is None:
        workers = 1 if len(files) <= SERIAL_MAX and not dask else os.cpu_count() or 1
    if workers <= 1 and not dask and worker_process:
        from .guard import memory_limit, tune_process

        memory_limit(opts.limits.max_memory)
        tune_process()
    summary = Summary(inputs=len(files) + len(skipped), skipped=len(skipped))
    store = RecordStore(output, fmt=fmt, index_name=index_name, pipeline=info)
    summary.output = str(store.output)
    err_path = Path(errors_file) if errors_file else store.default_errors_path()
    summary.errors_file = str(err_path)
    from .export import documents_parquet_path
    from .guard import check_outputs

    # One stat per input, taken before any of them is hashed: it serves the output check and the manifest.
    stats = {f: _stat(f) for f in files}
    check_outputs(
        [*files, *skipped],
        [store.output, store.checkpoint, store.manifest, err_path, documents_parquet_path(store.output)],
        stats=stats,
    )

    for folder in {store.output.parent, err_path.parent}:
        _make_folder(folder)
    with exclusive(store.output, err_path, wait=wait, what="the output"):
        bar = _progress(progress, len(files))
        # The error log is this run's: failed inputs are retried on a rerun, so old rows would mislead.
        errors = AppendFile(err_path, truncate=True)
        try:
            _tag_into(store, errors, stats, opts, summary, bar, workers=workers, dask=dask, verify=verify)
        finally:
            errors.close()
            bar.stop()
        if opts.labels is not None:
            summary.labels = _label_accounts(opts.labels, store)
    summary.seconds = round(time.perf_counter() - start, 3)
    return summary.as_dict()


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from .errors import OutputWriteError

        raise OutputWriteError(folder, exc, "cannot create the output folder") from exc


def _tag_into(
    store: RecordStore,
    errors: AppendFile,
    files: dict[str, os.stat_result | None],
    opts: Options,
    summary: Summary,
    bar: _Bar,
    *,
    workers: int,
    dask: str | None,
    verify: bool,
) -> None:
    """The locked part of a run: tag what is not done yet, append records and error rows as they come."""
    with store:
        seen_now: dict[str, str] = {}  # digest -> path of its first copy in this run
        copies: list[tuple[str, str]] = []  # later byte-identical copies: settled once the first is done
        failed: dict[str, dict[str, Any]] = {}  # path -> error row
        stats: dict[str, os.stat_result] = {}  # path -> stat taken before hashing, for the manifest
        settled: list[tuple[str, os.stat_result, str]] = []  # unchanged files to remember

        def todo() -> Iterator[tuple[str, str]]:
            for path, st in files.items():
                if st is not None and not verify and store.known(path, st):
                    summary.unchanged += 1
                    bar.advance()
                    continue
                digest = _hash_file(path, opts.limits.max_bytes, st)
                if st is not None and digest:
                    stats[path] = st
                if digest and digest in store.done:
                    summary.unchanged += 1
                    if st is not None:
                        settled.append((path, st, digest))
                    bar.advance()
                    continue
                if digest in seen_now:
                    copies.append((path, seen_now[digest]))
                    bar.advance()
                    continue
                if digest:
                    seen_now[digest] = path
                yield path, digest

        unsynced: list[tuple[str, os.stat_result, str]] = []  # new records' files, remembered once durable
        last_sync = time.monotonic()
        for chunk in iter_results(todo(), opts, workers=workers, dask=dask, archive=list(files)):
            records, rows = [], []
            for kind, payload in chunk:
                if kind == "ok":
                    records.append(payload)
                    summary.tagged += 1
                    summary.passages += len(payload["passages"])
                    for p in payload["passages"]:
                        lang = p.get("lang") or "und"
                        summary.languages[lang] = summary.languages.get(lang, 0) + 1
                else:
                    rows.append(json.dumps(payload, ensure_ascii=False) + "\n")
                    summary.errors += 1
                    failed[payload.get("source", "")] = payload
            store.append(records, durable=False)
            if rows:
                errors.write("".join(rows))
            unsynced += [(r["source"], stats[r["source"]], r["id"]) for r in records if r.get("source") in stats]
            if time.monotonic() - last_sync >= SYNC_SECONDS:
                store.sync()
                store.remember(unsynced)
                unsynced.clear()
                last_sync = time.monotonic()
            store.remember(settled)  # their records were already there
            settled.clear()
            bar.advance(len(chunk))
        store.sync()
        store.remember(unsynced + settled)
        for path, first in copies:  # a copy of a failed input fails too: it gets its own error row
            row = failed.get(first)
            if row is None:
                summary.unchanged += 1
            else:
                copy = {**row, "source": path, "message": row["message"].replace(first, path, 1)}
                errors.write(json.dumps(copy, ensure_ascii=False) + "\n")
                summary.errors += 1
        errors.check()


def _label_accounts(path: str, store: Any) -> dict[str, Any]:
    """What the labels did to the records now in the output, and the messages about the labels file."""
    from .document import passage_id
    from .export import _scan
    from .labels import load_labels

    labels = load_labels(path)
    seen: set[str] = set()
    human = overridden = 0
    for _, pipe, line in _scan(store.checkpoint):
        if pipe != store.pipeline:
            continue
        for p in json.loads(line)["passages"]:
            pid = passage_id(p["text"])
            seen.add(pid)
            human += p.get("source") == "human"
            overridden += pid in labels.entities
    gone = labels.unmatched(seen)
    messages = labels.messages()
    if gone:
        messages.append(
            f"{path}: {len(gone)} label(s) name passages that are not in the output (the passage no longer "
            "exists, its text was edited, or its document was not tagged in this run); they were not applied:"
        )
        messages += [f"  line {lab.line}: passage {lab.passage[:12]} {lab.source or ''}".rstrip() for lab in gone[:5]]
        if len(gone) > 5:
            messages.append(f"  ... and {len(gone) - 5} more")
    return {
        "file": path,
        "labelled_passages": len(labels),
        "human_passages": human,
        "entity_overrides": overridden,
        "unmatched": len(gone),
        "problems": len(labels.problems),
        "conflicts": len(labels.conflicts),
        "messages": messages,
    }


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
    info = {"version": __version__, "model": model}
    if opts.labels is not None:
        from .labels import load_labels

        info["labels"] = load_labels(opts.labels).digest
    return info


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
    if summary.get("labels"):
        acc = summary["labels"]
        rows.append(("passages labelled by analysts", acc["human_passages"]))
        rows.append(("labels not applied (no such passage)", acc["unmatched"]))
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
