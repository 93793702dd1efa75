"""One writer per output: an exclusive ``fcntl`` lock held for the whole run.

A run that writes a file (the records, the error log, the SQLite index) first locks a
sidecar ``NAME.lock`` beside it; the lock file is never renamed over, so the lock holds
even while the output itself is replaced atomically. The lock is ``flock(2)``: the kernel
drops it when its holder exits for any reason, SIGKILL included, so a lock left by a dead
run never blocks the next one. The holder writes its pid into the lock file for the
message a second run prints; the pid is information only, never what decides.

The lock file is removed when the run ends. A run that was waiting on the old file sees
that its path now names another file (or none), and locks again.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .errors import OutputLockedError, OutputWriteError

#: Seconds between two tries while waiting for a lock (``wait=True``).
POLL = 0.1


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The sidecar lock file of ``path``: ``NAME.lock`` in the same folder."""
    p = Path(path)
    return p.with_name(p.name + ".lock")


def _holder(fd: int) -> str:
    """Who holds the lock, from what the holder wrote into the lock file."""
    for _ in range(10):  # the holder writes its pid right after locking: give it a moment
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"null")
        except (OSError, ValueError):
            info = None
        if isinstance(info, dict) and info.get("pid"):
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.get("since", 0)))
            return f"pid {info['pid']} on {info.get('host', '?')}, since {since}"
        time.sleep(0.02)
    return "another process (pid not known yet)"


def _try_lock(target: Path, what: str) -> tuple[int | None, str]:
    """Lock ``target``'s sidecar without blocking: (fd, "") or (None, who holds it)."""
    path = lock_path(target)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise OutputWriteError(path, exc, f"cannot create the lock file for {what}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            return None, holder
        except OSError as exc:
            os.close(fd)
            raise OutputWriteError(path, exc, f"cannot lock {what}") from exc
        # The previous holder may have removed the file between our open and our lock: then
        # the lock we hold is on a file nobody else will look at. Lock the current one instead.
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
            return fd, ""
        os.close(fd)


@contextmanager
def exclusive(*targets: str | os.PathLike[str], wait: bool | float = False, what: str = "the output") -> Iterator[None]:
    """Hold exclusive locks on ``targets`` (their ``.lock`` sidecars) for the block.

    ``wait=False`` raises :class:`OutputLockedError` naming the holder at once;
    ``wait=True`` waits as long as it takes, a number waits that many seconds at most.
    Locks are taken in the order given and all released (and their files removed) at the end.

    >>> with exclusive("out/samples.jsonl"):  # doctest: +SKIP
    ...     pass
    """
    paths = [Path(t) for t in targets]
    deadline = None if wait is True or not wait else time.monotonic() + float(wait)
    with ExitStack() as stack:
        for target in paths:
            while True:
                fd, holder = _try_lock(target, what)
                if fd is not None:
                    break
                if not wait or (deadline is not None and time.monotonic() >= deadline):
                    hint = "wait for it to finish, or add --wait to queue behind it"
                    raise OutputLockedError(f"{target}: {what} is in use by another mfa-nlp run ({holder}); {hint}")
                time.sleep(POLL)
            stack.callback(_release, fd, lock_path(target))
        yield


def _release(fd: int, path: Path) -> None:
    try:
        path.unlink()  # while still locked, so that a waiter re-checks and locks the next file
    except OSError:
        pass  # a read-only or vanished folder: the stale file never blocks anyone
    os.close(fd)


__all__ = ["exclusive", "lock_path"]
