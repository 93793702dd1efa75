"""Where the per-document work runs: in-process, in a process pool, or on a Dask cluster.

:func:`tag_chunk` reads and analyses a few inputs with a :class:`~mfa_nlp.pipeline.Pipeline`
built once per process, turning any failure into an error row for its input; the executors
below feed it and stream result chunks back as they complete. :mod:`mfa_nlp.batch` sits on
top: it decides what to tag, writes the records and keeps the accounts.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .document import Document
from .errors import MfaNlpWarning
from .guard import backstop, time_limit
from .ingest import Limits, peek_text, read_file
from .pipeline import Pipeline

if TYPE_CHECKING:  # the pool machinery is imported when a pool starts: a rerun with nothing to do needs none of it
    import multiprocessing.context
    from concurrent.futures import Future

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
    labels: str | None = None


# --- the per-document work (runs in a worker) ------------------------------------------------
_PIPELINES: dict[Options, Any] = {}


#: One short passage per language: analysing it once loads every stage (models, language
#: profiles), so that loading never counts against a document's time limit.
def _pipeline(options: Options) -> Any:
    """The worker's Pipeline, built once per process (module-level cache; also used by Dask).

    Its models load on first use (:meth:`~mfa_nlp.pipeline.Pipeline.prepare`, outside the time
    limit); in a process pool the forkserver has usually loaded them already.
    """
    nlp = _PIPELINES.get(options)
    if nlp is None:
        nlp = Pipeline(
            entities=options.entities,
            duties=options.duties,
            model_dir=options.model_dir,
            limits=options.limits,
            labels=options.labels,
        )
        _PIPELINES[options] = nlp
    return nlp


def _error_row(source: str, exc: BaseException) -> dict[str, Any]:
    return {"source": source, "error": type(exc).__name__, "message": str(exc) or repr(exc)}


def _init_worker(options: Options) -> None:
    warnings.simplefilter("ignore", MfaNlpWarning)
    from .guard import memory_limit, tune_process

    memory_limit(options.limits.max_memory)  # a bomb fails its document, not the machine
    tune_process()
    _pipeline(options)


def tag_chunk(items: list[tuple[str, str]], options: Options) -> list[tuple[str, dict[str, Any]]]:
    """Tag a chunk of ``(path, expected id)``; return ``("ok", record)`` or ``("error", row)`` per item.

    Never raises for a bad input: any exception becomes an error row for that input.
    The time limit (``options.limits.timeout``) covers each document's reading and its
    analysis, in a process's main thread and in Dask worker threads alike: the chunk is
    analysed in one batch within one document's limit (far more than a chunk of real
    statements needs), and if that fails or runs out, one document at a time within its own
    limit, so only the culprit gets the error row.
    """
    nlp = _pipeline(options)
    timeout = options.limits.timeout
    out: list[tuple[str, dict[str, Any]]] = [("error", {})] * len(items)
    docs: list[tuple[int, Document]] = []
    for i, (path, _) in enumerate(items):
        try:
            with time_limit(timeout, path, threads=True):
                docs.append((i, read_file(path, limits=options.limits)))  # size checked before reading
        except Exception as exc:  # noqa: BLE001 - one bad input must not stop the batch
            out[i] = ("error", _error_row(path, exc))
    try:  # models load outside the time limit: only what these documents' languages need
        nlp.prepare([d for _, d in docs])
    except Exception:  # noqa: BLE001 - the timed analysis below reports it per document
        pass
    alone = items[docs[0][0]][0] if len(docs) == 1 else "<chunk>"
    try:
        with time_limit(timeout, alone, what="analysis", threads=True):
            nlp.annotate([d for _, d in docs])
        for i, doc in docs:
            out[i] = ("ok", doc.to_dict())
    except Exception as exc:  # noqa: BLE001 - find the culprit: annotate one by one
        if len(docs) == 1:
            out[docs[0][0]] = ("error", _error_row(alone, exc))
            return out
        for i, doc in docs:
            try:
                with time_limit(timeout, items[i][0], what="analysis", threads=True):
                    out[i] = ("ok", nlp.annotate([doc])[0].to_dict())
            except Exception as exc:  # noqa: BLE001
                out[i] = ("error", _error_row(items[i][0], exc))
    return out


def guarded_chunk(fn: Any, items: list[tuple[str, str]], options: Options) -> list[tuple[str, dict[str, Any]]]:
    """Run ``fn(items, options)`` in a worker process under :func:`~mfa_nlp.guard.backstop`.

    The per-document time limit interrupts Python code; a worker stuck in C code past
    ``(3 * len(items) + 1) * timeout`` (reading, batch analysis, one-by-one analysis, slack)
    exits, and its pool or Dask nanny starts a fresh one. The pipeline is built first, so
    loading models never counts against the limit.
    """
    _pipeline(options)
    timeout = options.limits.timeout
    with backstop((3 * len(items) + 1) * timeout if timeout else 0):
        return fn(items, options)


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


#: Languages whose spaCy pipelines the forkserver loads before workers fork, unless a sample
#: of the archive shows fewer (:func:`preload_languages`): the archive's three.
PRELOAD_LANGS = ("en", "sq", "sr")
#: Inputs sampled, spread evenly over the archive, to guess which pipelines to preload.
PRELOAD_SAMPLE = 24


def preload_languages(paths: Sequence[str], sample: int = PRELOAD_SAMPLE) -> tuple[str, ...]:
    """The spaCy pipelines worth preloading for an archive, guessed from up to ``sample`` of its inputs.

    The sample is spread evenly over ``paths``, first and last included, so an archive kept in
    one folder per language is seen whole; each input is only peeked at (:func:`~mfa_nlp.ingest.peek_text`, no parsing).
    Any sampled input that cannot be peeked (a PDF, an image) gives all of :data:`PRELOAD_LANGS`.
    A language the sample missed is not an error: the workers that meet it load it themselves.
    """
    from . import language

    if not paths:
        return PRELOAD_LANGS
    n = len(paths)
    picks = range(n) if n <= sample else sorted({round(k * (n - 1) / (sample - 1)) for k in range(sample)})
    langs: set[str] = set()
    for i in picks:  # the first and the last input are always among them
        text = peek_text(paths[i])
        if text is None:
            return PRELOAD_LANGS
        langs |= language.likely_languages(text)
    return tuple(lang for lang in PRELOAD_LANGS if lang in langs) or PRELOAD_LANGS[:1]


def pool_context(options: Options, langs: Sequence[str] = PRELOAD_LANGS) -> multiprocessing.context.BaseContext:
    """The start method for worker processes: a forkserver with the stages preloaded, else spawn.

    fork is unsafe with spaCy/BLAS threads. The forkserver imports :mod:`mfa_nlp._preload`
    once, so workers fork with the duty model and the spaCy pipelines of ``langs`` already in
    memory (shared copy-on-write) instead of each loading them. The forkserver lives as long
    as this process; the first pool's options decide what it loads.
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    spec = {
        "model_dir": options.model_dir,
        "entities": options.entities,
        "duties": options.duties,
        "langs": list(langs),
    }
    os.environ.setdefault("MFA_NLP_PRELOAD", json.dumps(spec))  # read by the forkserver when it starts
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["mfa_nlp._preload"])
    return ctx


def _run_pool(
    items: Iterable[tuple[str, str]],
    options: Options,
    workers: int,
    fn: Any = tag_chunk,
    archive: Sequence[str] | None = None,
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
    langs = preload_languages(archive) if archive else PRELOAD_LANGS
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    todo: list[list[tuple[str, str]]] = [first]
    suspects: list[tuple[str, str]] = []
    window = workers * 3
    while True:
        ctx = pool_context(options, langs)
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(options,))
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
                        alone = pool.submit(guarded_chunk, fn, chunk, options)
                        pending[alone] = chunk
                        break
                    elif len(pending) < window:
                        chunk = todo.pop() if todo else next(source, None)
                    else:
                        break
                    if chunk is None:
                        break
                    pending[pool.submit(guarded_chunk, fn, chunk, options)] = chunk
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


def _run_dask(
    items: Iterable[tuple[str, str]],
    options: Options,
    address: str,
    workers: int,
    fn: Any = tag_chunk,
    chunk: int = CHUNK,
) -> Iterator[list[Result]]:
    """Stream results from a Dask distributed cluster (``address`` or ``"local"``), in bounded windows.

    Each task runs under :func:`guarded_chunk`, so the time limit holds on the workers and a
    worker stuck past it exits and is replaced by its nanny. Dask reruns the tasks of a dead
    worker elsewhere; a task that still fails (``KilledWorker``: its workers kept dying) is
    split and its inputs rerun one by one, so only an input that fails alone gets the error
    row. Every input ends as exactly one record or one error row.
    """
    from itertools import chain

    from distributed import Client, LocalCluster, as_completed

    chunks = _chunks(items, chunk)
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

        def submit(part: list[tuple[str, str]]) -> None:
            fut = client.submit(guarded_chunk, fn, part, options, pure=False)
            pending[fut.key] = part
            ac.add(fut)

        def refill() -> None:
            while len(pending) < window:
                part = next(source, None)
                if part is None:
                    return
                submit(part)

        refill()
        for fut in ac:
            part = pending.pop(fut.key)
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker and friends
                if len(part) > 1:
                    for item in part:  # find the culprit: each input alone
                        submit([item])
                else:
                    yield [("error", _lost_row(part[0][0], exc, options))]
            else:
                yield result
            refill()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _lost_row(path: str, exc: BaseException, options: Options) -> dict[str, Any]:
    """The error row of an input whose task failed even alone (its workers died or hung)."""
    timeout = options.limits.timeout
    limit = f" or was stuck past the time limit ({timeout:g} s per document)" if timeout else ""
    return {
        "source": path,
        "error": type(exc).__name__,
        "message": f"{path}: its Dask worker died{limit} on every try, and was replaced "
        f"(check the file; the worker logs say more): {str(exc)[:300]}",
    }


def iter_results(
    items: Iterable[tuple[str, str]],
    options: Options,
    *,
    workers: int = 1,
    dask: str | None = None,
    archive: Sequence[str] | None = None,
) -> Iterator[list[Result]]:
    """Tag ``(path, id)`` items with the chosen executor, yielding result chunks as they complete.

    ``archive``: every input path of the run; a process pool preloads the spaCy pipelines of the
    languages a sample of them shows (:func:`preload_languages`), else all three.
    """
    if dask:
        return _run_dask(items, options, dask, workers)
    if workers <= 1:
        return _run_serial(items, options)
    return _run_pool(items, options, workers, archive=archive)
