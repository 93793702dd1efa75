"""Human labels: the analysts' corrections, keyed by the content hash of a passage's text.

A labels file is JSONL, one label per line, appended by the review page (``mfa-nlp review
--serve``) or by hand; ``mfa-nlp review`` also writes a CSV that can come back as labels::

    {"passage": "<passage_id(text)>", "duties": ["eu_integration"], "analyst": "ana",
     "time": "2025-05-02T10:31:07Z", "text": "...", "lang": "sq", "script": "Latn",
     "doc": "<record id>", "source": "statements/a.html",
     "entities": {"add": [{"label": "STATE", "id": "DEU", "text": "Gjermanisë"}], "remove": ["SRB"]}}

``duties`` (the full set for the passage; ``[]`` means "no duty") or ``entities`` (ids to add
or remove) may be left out, but not both. ``text`` lets ``mfa-nlp train --add`` learn from
the label without the records. The passage id is :func:`mfa_nlp.document.passage_id`, so a
label follows its passage into a re-ingested document.

Reading never raises for bad content: a torn last line (an interrupted write), a line that
is not JSON, unknown duties or entity labels are skipped with a message; a passage labelled
twice with different duties keeps the newest label (by ``time``, then by line) and the
conflict is reported.

>>> labels = read_labels("labels.jsonl")  # doctest: +SKIP
>>> labels.problems  # doctest: +SKIP
[]
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .document import DUTIES, ENTITY_LABELS, Document, Entity, passage_id

#: Examples of each kind of problem printed before "... and N more".
SHOWN = 5


@dataclass
class Label:
    """One analyst's word on one passage (the newest, when there were several)."""

    passage: str
    duties: list[str] | None = None
    add: list[dict[str, str]] = field(default_factory=list)
    remove: list[dict[str, str | None]] = field(default_factory=list)
    analyst: str = ""
    time: str = ""
    text: str = ""
    lang: str | None = None
    script: str | None = None
    doc: str = ""
    source: str = ""
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The labels-file line of this label."""
        out: dict[str, Any] = {"passage": self.passage}
        if self.duties is not None:
            out["duties"] = list(self.duties)
        if self.add or self.remove:
            out["entities"] = {"add": list(self.add), "remove": list(self.remove)}
        out.update(analyst=self.analyst, time=self.time, text=self.text, lang=self.lang, script=self.script)
        out.update(doc=self.doc, source=self.source)
        return out


@dataclass
class Labels:
    """The labels of a file: the newest duty label and entity override per passage, and what was wrong."""

    path: str = ""
    duties: dict[str, Label] = field(default_factory=dict)
    entities: dict[str, Label] = field(default_factory=dict)
    lines: int = 0
    problems: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.duties.keys() | self.entities.keys())

    @property
    def digest(self) -> str:
        """A short hash of what the labels say: goes into ``pipeline.labels`` of every record."""
        h = hashlib.sha256()
        for pid in sorted(self.duties):
            h.update(json.dumps(["d", pid, self.duties[pid].duties]).encode())
        for pid in sorted(self.entities):
            lab = self.entities[pid]
            h.update(json.dumps(["e", pid, lab.add, lab.remove], ensure_ascii=False).encode())
        return h.hexdigest()[:12]

    def messages(self) -> list[str]:
        """Everything worth telling the user about the file, one line each (problems, then conflicts)."""
        out = _capped(self.problems, f"{self.path}: {{n}} more problem lines")
        if self.conflicts:
            out.append(
                f"{self.path}: {len(self.conflicts)} passage(s) labelled more than once with different duties; "
                "the newest label was kept:"
            )
            out += ["  " + c for c in _capped(self.conflicts, "{n} more")]
        return out

    def unmatched(self, seen: Iterable[str]) -> list[Label]:
        """Labels whose passage is not among ``seen`` passage ids (it no longer exists, or was edited)."""
        ids = set(seen)
        out = {pid: lab for pid, lab in (self.duties | self.entities).items() if pid not in ids}
        return sorted(out.values(), key=lambda lab: lab.line)


def _capped(items: list[str], more: str) -> list[str]:
    return items[:SHOWN] + ([more.format(n=len(items) - SHOWN)] if len(items) > SHOWN else [])


def now() -> str:
    """The current UTC time as the labels file writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- reading --------------------------------------------------------------------------------------
def _rows(path: Path, problems: list[str]) -> list[tuple[int, Any]]:
    """(line number, parsed object) of a JSONL or CSV labels file; bad lines become problems."""
    if path.suffix.lower() == ".csv":
        return _csv_rows(path, problems)
    raw = path.read_bytes()
    lines = raw.decode("utf-8", errors="replace").split("\n")
    torn = not raw.endswith(b"\n") and bool(raw)
    out: list[tuple[int, Any]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append((n, json.loads(line)))
        except ValueError:
            if torn and n == len(lines):
                problems.append(f"{path}:{n}: the last line is cut short (an interrupted write); it was ignored")
            else:
                problems.append(f"{path}:{n}: not a JSON object; line skipped (fix or delete it)")
    return out


def _csv_rows(path: Path, problems: list[str]) -> list[tuple[int, Any]]:
    """Rows of the queue CSV edited in a spreadsheet: a duty column holding 1/x/yes is a duty."""
    out: list[tuple[int, Any]] = []
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("passage", *DUTIES) if c not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path}: no column {', '.join(missing)}; use the queue.csv that `mfa-nlp review` writes")
            return out
        for n, row in enumerate(reader, 2):
            marks = {d: str(row.get(d) or "").strip().lower() for d in DUTIES}
            odd = sorted({v for v in marks.values() if v not in ("", "0", "1", "x", "yes", "no", "true", "false")})
            if odd:
                problems.append(f"{path}:{n}: duty cells {odd} are not 1/0, x or yes/no; row skipped")
                continue
            obj = {k: row.get(k) for k in ("passage", "analyst", "text", "lang", "script", "doc", "source")}
            obj["duties"] = [d for d in DUTIES if marks[d] in ("1", "x", "yes", "true")]
            obj["time"] = row.get("time") or stamp
            out.append((n, obj))
    return out


def _entity_ops(obj: Any, where: str, problems: list[str]) -> tuple[list[dict[str, str]], list[dict[str, Any]]] | None:
    """The add/remove lists of an entity override, checked; None when the override is malformed."""
    if not isinstance(obj, dict) or set(obj) - {"add", "remove"}:
        problems.append(f'{where}: "entities" must be {{"add": [...], "remove": [...]}}; line skipped')
        return None
    add: list[dict[str, str]] = []
    for item in obj.get("add") or []:
        if not isinstance(item, dict) or not item.get("id") or item.get("label") not in ENTITY_LABELS:
            problems.append(
                f"{where}: entity to add {item!r} needs a label ({', '.join(ENTITY_LABELS)}) and an id; line skipped"
            )
            return None
        add.append({k: str(item[k]) for k in ("label", "id", "text") if item.get(k)})
    remove: list[dict[str, Any]] = []
    for item in obj.get("remove") or []:
        entry = {"id": item, "label": None} if isinstance(item, str) else item
        if not isinstance(entry, dict) or not entry.get("id") or entry.get("label") not in (None, *ENTITY_LABELS):
            problems.append(f'{where}: entity to remove {item!r} must be an id or {{"label", "id"}}; line skipped')
            return None
        remove.append({"id": str(entry["id"]), "label": entry.get("label")})
    return add, remove


def _parse(n: int, obj: Any, path: Path, problems: list[str]) -> Label | None:
    where = f"{path}:{n}"
    if not isinstance(obj, dict):
        problems.append(f"{where}: not a JSON object; line skipped")
        return None
    text = obj.get("text") if isinstance(obj.get("text"), str) else ""
    pid = obj.get("passage") or (passage_id(text) if text else "")
    if not isinstance(pid, str) or not pid:
        problems.append(f'{where}: no "passage" id (or "text" to compute it from); line skipped')
        return None
    if text and passage_id(text) != pid:
        problems.append(f'{where}: "passage" is not the hash of "text" (the text was edited?); using the text\'s hash')
        pid = passage_id(text)
    duties = obj.get("duties")
    if duties is not None:
        if not isinstance(duties, list) or not all(isinstance(d, str) for d in duties):
            problems.append(f'{where}: "duties" must be a list of duty ids; line skipped')
            return None
        unknown = sorted(set(duties) - set(DUTIES))
        if unknown:
            problems.append(f"{where}: unknown duties {unknown} (valid: {', '.join(DUTIES)}); line skipped")
            return None
        duties = [d for d in DUTIES if d in duties]
    ops = _entity_ops(obj["entities"], where, problems) if obj.get("entities") is not None else ([], [])
    if ops is None:
        return None
    if duties is None and not (ops[0] or ops[1]):
        problems.append(f'{where}: neither "duties" nor "entities"; nothing to apply, line skipped')
        return None
    return Label(
        passage=pid, duties=duties, add=ops[0], remove=ops[1], analyst=str(obj.get("analyst") or ""),
        time=str(obj.get("time") or ""), text=text, lang=_str(obj.get("lang")), script=_str(obj.get("script")),
        doc=str(obj.get("doc") or ""), source=str(obj.get("source") or ""), line=n,
    )  # fmt: skip


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def read_labels(path: str | os.PathLike[str]) -> Labels:
    """Read a labels file (JSONL, or the review CSV); the newest label per passage wins.

    A missing file gives empty labels with one problem. See the module docstring for the format.

    >>> read_labels("labels.jsonl").duties  # doctest: +SKIP
    {'9f2c…': Label(passage='9f2c…', duties=['eu_integration'], ...)}
    """
    path = Path(path)
    out = Labels(path=str(path))
    if not path.is_file():
        out.problems.append(f"{path}: no such labels file; label passages with `mfa-nlp review --serve QUEUE` first")
        return out
    rows = _rows(path, out.problems)
    out.lines = len(rows)
    parsed = [lab for n, obj in rows if (lab := _parse(n, obj, path, out.problems)) is not None]
    # Newest wins: by time (ISO strings sort), then by position in the file.
    parsed.sort(key=lambda lab: (lab.time, lab.line))
    for lab in parsed:
        if lab.duties is not None:
            old = out.duties.get(lab.passage)
            if old is not None and old.duties != lab.duties:
                out.conflicts.append(
                    f"passage {lab.passage[:12]} ({_snippet(lab.text or old.text)}): "
                    f"{_who(old)} said {old.duties or '[] (no duty)'}, {_who(lab)} said {lab.duties or '[] (no duty)'}"
                )
            out.duties[lab.passage] = lab
        if lab.add or lab.remove:
            out.entities[lab.passage] = lab
    return out


def _who(lab: Label) -> str:
    return f"{lab.analyst or 'someone'} ({lab.time or 'no time'}, line {lab.line})"


def _snippet(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


# --- writing --------------------------------------------------------------------------------------
def append_label(path: str | os.PathLike[str], label: Label) -> None:
    """Append one label line and make it durable (flush + fsync) before returning.

    A torn last line left by an earlier crash is ended first, so the new line stays whole.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as fh:
        if fh.seek(0, os.SEEK_END) > 0:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
        fh.write((json.dumps(label.to_dict(), ensure_ascii=False) + "\n").encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


# --- applying -------------------------------------------------------------------------------------
def apply_entities(docs: list[Document], labels: Labels) -> int:
    """Apply entity overrides (add/remove an id) to the passages they name; return how many passages changed.

    An added entity is placed on its ``text`` when the passage contains it, else it is an empty
    span at 0 (the id still counts for the document and the duty model); it is marked
    ``"source": "human"``.
    """
    changed = 0
    for doc in docs:
        for passage in doc.passages:
            lab = labels.entities.get(passage_id(passage.text))
            if lab is None:
                continue
            drop = [(r["label"], r["id"]) for r in lab.remove]
            passage.entities = [
                e for e in passage.entities if not any(e.id == i and label in (None, e.label) for label, i in drop)
            ]
            have = {(e.label, e.id) for e in passage.entities}
            for item in lab.add:
                if (item["label"], item["id"]) in have:
                    continue
                surface = item.get("text") or ""
                at = passage.text.find(surface) if surface else -1
                start, end = (at, at + len(surface)) if at >= 0 else (0, 0)
                passage.entities.append(
                    Entity(passage.text[start:end], item["label"], item["id"], start, end, source="human")
                )
            passage.entities.sort(key=lambda e: (e.start, e.end))
            changed += 1
    return changed


def apply_duties(docs: list[Document], labels: Labels) -> int:
    """Set the duties of labelled passages to the analysts' and mark them ``"source": "human"``.

    The model's ``scores`` stay as they were. Returns how many passages were labelled.
    """
    applied = 0
    for doc in docs:
        for passage in doc.passages:
            lab = labels.duties.get(passage_id(passage.text))
            if lab is not None and lab.duties is not None:
                passage.duties = list(lab.duties)
                passage.source = "human"
                applied += 1
    return applied


_CACHE: dict[tuple[str, int, int], Labels] = {}


def load_labels(path: str | os.PathLike[str]) -> Labels:
    """:func:`read_labels`, cached while the file's size and mtime stay the same."""
    p = Path(path)
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    except OSError:
        return read_labels(p)
    if key not in _CACHE:
        _CACHE[key] = read_labels(p)
    return _CACHE[key]


__all__ = ["Label", "Labels", "append_label", "apply_duties", "apply_entities", "load_labels", "now", "read_labels"]
