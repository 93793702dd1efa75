"""Per-document resource limits: stop a hang or a memory blow-up without killing the batch.

:func:`time_limit` interrupts work that runs too long: with SIGALRM in a process's main
thread (the serial run and the process-pool workers) and, when asked with ``threads=True``,
with an exception raised asynchronously in any other thread (Dask worker threads). Either
way it interrupts Python code only: a call stuck in C code is caught by :func:`backstop`,
which ends the worker process so that its executor replaces it.
:func:`memory_limit` caps a worker process's address space, so that a decompression
bomb ends in a MemoryError for that document instead of the machine swapping;
:func:`memory_guard` turns that MemoryError into a :class:`LimitExceededError`.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from .errors import LimitExceededError, UnsafeOutputError

log = logging.getLogger(__name__)


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _limit_error(source: str, seconds: float, what: str) -> LimitExceededError:
    return LimitExceededError(
        source,
        f"{what} took longer than the time limit of {seconds:g} s",
        "raise --timeout if the file is genuine, or check it for damage",
    )


@contextmanager
def time_limit(
    seconds: float | None, source: str = "<document>", *, what: str = "reading", threads: bool = False
) -> Iterator[None]:
    """Raise :class:`LimitExceededError` naming ``source`` if the block runs longer than ``seconds``.

    ``None`` or ``0`` disables the limit. Outside a main thread the limit is enforced only
    with ``threads=True`` (see :func:`_thread_limit`); otherwise it is not. ``what`` names
    the work in the message ("reading", "analysis").

    >>> with time_limit(5, "a.txt"):
    ...     pass
    """
    if not seconds or seconds <= 0:
        yield
        return
    if not _can_alarm():
        if threads:
            with _thread_limit(seconds, source, what):
                yield
            return
        log.debug("time limit for %s not enforced: not in the main thread", source)
        yield
        return

    def _expired(signum: int, frame: FrameType | None) -> None:
        raise _limit_error(source, seconds, what)

    previous = signal.signal(signal.SIGALRM, _expired)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:  # an outer limit is still running: re-arm what is left of it
            signal.setitimer(signal.ITIMER_REAL, old_delay, old_interval)


class _Expired(LimitExceededError):
    """Raised asynchronously in a thread whose block ran past its time limit (made without arguments)."""

    def __init__(self, *_: object) -> None:
        super().__init__("<document>", "ran past its time limit")


_ASYNC = threading.Lock()
#: Seconds between two reminders to a thread that swallowed its first timeout exception.
_REMIND = 0.5


@contextmanager
def _thread_limit(seconds: float, source: str, what: str) -> Iterator[None]:
    """The time limit in a non-main thread: a watcher raises :class:`_Expired` in it when time is up.

    CPython checks for such an exception between bytecodes, so pure-Python work (langdetect,
    the duty model's glue, parsing loops) stops within moments; a long C call finishes first.
    The watcher repeats the exception until the block ends, in case code in between swallowed it.
    """
    import ctypes

    target = threading.get_ident()
    stop = threading.Event()
    state = {"done": False}

    def raise_in_target(exc: type[BaseException] | None) -> None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(exc) if exc else None)

    def watch() -> None:
        delay = seconds
        while not stop.wait(delay):
            with _ASYNC:
                if state["done"]:
                    return
                raise_in_target(_Expired)
            delay = _REMIND

    def finish() -> None:
        stop.set()
        with _ASYNC:
            if not state["done"]:
                state["done"] = True
                raise_in_target(None)  # drop an exception sent but not yet delivered

    watcher = threading.Thread(target=watch, name=f"time-limit {source}", daemon=True)
    watcher.start()
    try:
        yield
    except _Expired:
        finish()
        raise _limit_error(source, seconds, what) from None
    finally:
        finish()


_BACKSTOPS: dict[int, float] = {}  # thread id -> monotonic time at which the process gives up
_BACKSTOP_LOCK = threading.Lock()


def _arm_backstop() -> None:
    if _BACKSTOPS:
        left = max(0.1, min(_BACKSTOPS.values()) - time.monotonic())
        faulthandler.dump_traceback_later(left, exit=True)
    else:
        faulthandler.cancel_dump_traceback_later()


@contextmanager
def backstop(seconds: float | None) -> Iterator[None]:
    """End this process (exit code 1, tracebacks on stderr) if the block runs past ``seconds``.

    The last resort for work stuck where :func:`time_limit` cannot reach (a C call that never
    returns): faulthandler's watchdog runs without the GIL. Use it only in worker processes
    that their executor replaces (process pool, Dask worker under a nanny), never in a main
    process. ``None`` or ``0`` disables it. Several threads may hold one each: the earliest wins.
    """
    if not seconds or seconds <= 0:
        yield
        return
    me = threading.get_ident()
    with _BACKSTOP_LOCK:
        _BACKSTOPS[me] = time.monotonic() + seconds
        _arm_backstop()
    try:
        yield
    finally:
        with _BACKSTOP_LOCK:
            _BACKSTOPS.pop(me, None)
            _arm_backstop()


@contextmanager
def memory_guard(source: str, max_memory: int = 0) -> Iterator[None]:
    """Turn a MemoryError raised inside the block into :class:`LimitExceededError` for ``source``."""
    try:
        yield
    except MemoryError as exc:
        cap = f" (cap {max_memory:,} bytes)" if max_memory else ""
        raise LimitExceededError(
            source,
            f"reading ran out of memory{cap}",
            "raise --max-memory if the file is genuine; it may be a decompression bomb",
        ) from exc


#: glibc malloc settings for a worker (see :func:`tune_allocator`): blocks up to this size come
#: from the heap, and this much free heap is kept before memory is handed back to the system.
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 128 * 2**20


def tune_allocator() -> bool:
    """Let a worker process reuse freed memory for spaCy's per-batch arrays; return True if applied.

    glibc serves large blocks with fresh ``mmap`` pages and gives them back on ``free``, so each
    NER batch page-faults its arrays in again: measured 0.4-0.5 s of system time per 1,200
    passages, about a tenth of the NER's own time. With these thresholds the blocks stay in the
    heap and are reused. Call it only in processes that exist for a run (pool workers, the CLI);
    it changes nothing but speed, and does nothing without glibc.
    """
    try:
        import ctypes

        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    return bool(mallopt(m_mmap_threshold, MMAP_THRESHOLD)) and bool(mallopt(m_trim_threshold, TRIM_THRESHOLD))


#: Cyclic-GC thresholds for a worker (see :func:`tune_process`), against Python's (700, 10, 10).
GC_THRESHOLDS = (20_000, 50, 100)


def tune_process() -> bool:
    """Settings for a process that exists for a run: :func:`tune_allocator`, and a lazier cyclic GC.

    Tagging allocates many short-lived objects and few cycles. Tagging 600 short statements
    in-process, the collector ran 356 times with Python's thresholds (32 of them over older
    generations; 0.19 s of a 13 s run) and 9 times with these (0.04 s). Reference counting
    still frees at once everything that is not in a cycle. Like :func:`tune_allocator`, call
    it only in pool workers, their forkserver and the CLI, never in a caller's process.
    Returns what :func:`tune_allocator` returns.
    """
    import gc

    gc.set_threshold(*GC_THRESHOLDS)
    return tune_allocator()


def memory_limit(max_bytes: int) -> bool:
    """Cap this process's address space at ``max_bytes`` (RLIMIT_AS); return True if applied.

    Call it in worker processes only (e.g. a pool initializer), never in the main
    process of an interactive session. ``0`` means no cap. Never raises the
    hard limit; where ``resource`` is unavailable (Windows) it does nothing.
    """
    if not max_bytes or max_bytes <= 0:
        return False
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        log.debug("memory limit not applied: no resource module")
        return False
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    new = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (new, hard))
    except (ValueError, OSError) as exc:
        log.debug("memory limit not applied: %s", exc)
        return False
    return True


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(device, inode) of the file a path leads to, links followed; None if there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def check_outputs(
    inputs: Iterable[str | os.PathLike[str]],
    outputs: Iterable[str | os.PathLike[str]],
    *,
    stats: Mapping[str, os.stat_result | None] | None = None,
) -> None:
    """Raise :class:`UnsafeOutputError` if any output path is (or links to) one of the inputs.

    Called before anything is opened for writing, so a refused run leaves every input untouched.
    Files are compared by device and inode (one ``stat`` per path), which also catches symbolic
    and hard links. ``stats`` holds ``os.stat`` results the caller already took (None: no file),
    keyed by the input as a string; those inputs are not stat'ed again.

    >>> check_outputs(["a.txt"], ["out/records.jsonl"])
    """
    existing = {ident: Path(o) for o in outputs if (ident := _identity(o)) is not None}
    if not existing:
        return  # no output exists yet, so none can be an input
    known = stats or {}
    for raw in inputs:
        key = str(raw)
        if key in known:
            st = known[key]
            ident = None if st is None else (st.st_dev, st.st_ino)
        else:
            ident = _identity(raw)
        hit = existing.get(ident)
        if hit is not None:
            raise UnsafeOutputError(
                f"{hit}: this output path is also an input ({raw}); writing it would destroy the input. "
                "Choose an output (-o / --errors) outside the inputs"
            )


__all__ = ["UnsafeOutputError", "backstop", "check_outputs", "memory_guard", "memory_limit", "time_limit"]
