"""Per-document resource limits: stop a hang or a memory blow-up without killing the batch.

:func:`time_limit` interrupts a parse that runs too long (SIGALRM, so it only works in a
process's main thread: the serial run and the process-pool workers; in other threads,
e.g. Dask worker threads, it is a no-op and Dask's own timeouts apply).
:func:`memory_limit` caps a worker process's address space, so that a decompression
bomb ends in a MemoryError for that document instead of the machine swapping;
:func:`memory_guard` turns that MemoryError into a :class:`LimitExceededError`.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from .errors import LimitExceededError, UnsafeOutputError

log = logging.getLogger(__name__)


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, source: str = "<document>") -> Iterator[None]:
    """Raise :class:`LimitExceededError` naming ``source`` if the block runs longer than ``seconds``.

    ``None`` or ``0`` disables the limit. Outside a main thread the limit is not enforced.

    >>> with time_limit(5, "a.txt"):
    ...     pass
    """
    if not seconds or seconds <= 0:
        yield
        return
    if not _can_alarm():
        log.debug("time limit for %s not enforced: not in the main thread", source)
        yield
        return

    def _expired(signum: int, frame: FrameType | None) -> None:
        raise LimitExceededError(
            source,
            f"reading took longer than the time limit of {seconds:g} s",
            "raise --timeout if the file is genuine, or check it for damage",
        )

    previous = signal.signal(signal.SIGALRM, _expired)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:  # an outer limit is still running: re-arm what is left of it
            signal.setitimer(signal.ITIMER_REAL, old_delay, old_interval)


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


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(inputs: Iterable[str | os.PathLike[str]], outputs: Iterable[str | os.PathLike[str]]) -> None:
    """Raise :class:`UnsafeOutputError` if any output path is (or links to) one of the inputs.

    Called before anything is opened for writing, so a refused run leaves every input untouched.

    >>> check_outputs(["a.txt"], ["out/records.jsonl"])
    """
    outs = [Path(o) for o in outputs]
    resolved = {o.resolve(): o for o in outs}
    for raw in inputs:
        path = Path(raw)
        hit = resolved.get(path.resolve())
        if hit is None:
            hit = next((o for o in outs if _same(path, o)), None)
        if hit is not None:
            raise UnsafeOutputError(
                f"{hit}: this output path is also an input ({path}); writing it would destroy the input. "
                "Choose an output (-o / --errors) outside the inputs"
            )


__all__ = ["UnsafeOutputError", "check_outputs", "memory_guard", "memory_limit", "time_limit"]
