"""The review page: a small local web server where an analyst labels the queue, one passage at a time.

Standard library only (``http.server``), bound to 127.0.0.1; the page is one HTML file with
inline script and style (``resources/review.html``), no build step and nothing from the network.
Every accepted passage is appended to the labels file (flush + fsync) before the page moves
on, so closing the browser, or killing the server, loses nothing; reopening the page starts
at the first passage not yet labelled. Requests must come from the page itself: the Host must
be the server's own address (no DNS rebinding) and labels are posted as JSON (a cross-site
form cannot send that without the browser asking first).

>>> server = make_server("out/queue.jsonl", "out/labels.jsonl", analyst="ana", port=0)  # doctest: +SKIP
>>> server.serve_forever()  # doctest: +SKIP
"""

from __future__ import annotations

import getpass
import json
import os
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from .document import DUTIES
from .labels import Label, append_label, now, read_labels
from .review import read_queue

#: Largest request body accepted (a label is a few hundred bytes).
MAX_BODY = 64 * 1024


class ReviewApp:
    """The queue, the labels file and the analyst's name behind the page."""

    def __init__(self, queue: str | os.PathLike[str], labels: str | os.PathLike[str], *, analyst: str = "") -> None:
        self.queue_path = Path(queue)
        self.labels_path = Path(labels)
        self.items = read_queue(self.queue_path)
        self.by_id = {item["passage"]: item for item in self.items}
        self.analyst = analyst or _default_analyst()
        self.lock = threading.Lock()

    def state(self) -> dict[str, Any]:
        """What the page loads: the items, the labels already saved for them, the duties, the analyst."""
        saved = read_labels(self.labels_path) if self.labels_path.is_file() else None
        labels = {}
        if saved is not None:
            for pid, lab in saved.duties.items():
                if pid in self.by_id:
                    labels[pid] = {"duties": lab.duties, "analyst": lab.analyst, "time": lab.time}
        return {
            "items": self.items, "labels": labels, "duties": list(DUTIES), "analyst": self.analyst,
            "labels_file": str(self.labels_path), "queue": str(self.queue_path),
        }  # fmt: skip

    def save(self, body: dict[str, Any]) -> dict[str, Any]:
        """Append one label from the page; raise ValueError with a message for a bad request."""
        item = self.by_id.get(str(body.get("passage")))
        if item is None:
            raise ValueError("passage not in this queue")
        duties = body.get("duties")
        if not isinstance(duties, list) or set(duties) - set(DUTIES):
            raise ValueError(f"duties must be a list of {', '.join(DUTIES)}")
        analyst = str(body.get("analyst") or self.analyst).strip()[:80] or self.analyst
        label = Label(
            passage=item["passage"], duties=[d for d in DUTIES if d in duties], analyst=analyst, time=now(),
            text=item["text"], lang=item.get("lang"), script=item.get("script"), doc=item.get("doc") or "",
            source=item.get("source") or "",
        )  # fmt: skip
        with self.lock:
            append_label(self.labels_path, label)
        return {"ok": True, "passage": label.passage, "duties": label.duties, "analyst": analyst, "time": label.time}


def _default_analyst() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def _page() -> bytes:
    return resources.files("mfa_nlp.resources").joinpath("review.html").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; "
                         "style-src 'unsafe-inline'; img-src data:")  # fmt: skip
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _host_ok(self) -> bool:
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if not self._host_ok():
            return self._json(HTTPStatus.FORBIDDEN, {"error": "unexpected Host header"})
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            return self._send(HTTPStatus.OK, _page(), "text/html; charset=utf-8")
        if path == "/api/state":
            return self._json(HTTPStatus.OK, self.server.app.state())
        return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page {path}"})

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_ok():
            return self._json(HTTPStatus.FORBIDDEN, {"error": "unexpected Host header"})
        if self.path != "/api/label":
            return self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {self.path}"})
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send the label as application/json"})
        size = int(self.headers.get("Content-Length") or 0)
        if not 0 < size <= MAX_BODY:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "empty or oversized body"})
        try:
            body = json.loads(self.rfile.read(size))
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            result = self.server.app.save(body)
        except ValueError as exc:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        except OSError as exc:  # disk full, read-only folder: tell the page, which keeps the label unsaved
            return self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"could not write the labels file: {exc}"})
        self._json(HTTPStatus.OK, result)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: ReviewApp, *, verbose: bool = False) -> None:
        self.app = app
        self.verbose = verbose
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def make_server(
    queue: str | os.PathLike[str],
    labels: str | os.PathLike[str],
    *,
    analyst: str = "",
    port: int = 8765,
    verbose: bool = False,
) -> _Server:
    """A review server for ``queue`` writing to ``labels``, bound to 127.0.0.1:``port`` (0: any free port).

    Call ``serve_forever()`` on it (or run it in a thread); ``.url`` is the page's address.
    """
    return _Server(("127.0.0.1", port), ReviewApp(queue, labels, analyst=analyst), verbose=verbose)


__all__ = ["ReviewApp", "make_server"]
