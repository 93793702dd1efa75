"""The recognition ledger: who recognised Kosovo, who joined what, who claims a withdrawal.

A stage after the duties: it reads tagged records (never re-runs the pipeline) and finds
events in the passages whose ``recognition`` duty passes the gate, with rules over the
folded text (:mod:`.rules`) tied to the entity stage's canonical ids (:mod:`.extract`).

- :func:`extract` gives one :class:`Mention` per event per passage;
- :func:`aggregate` merges the mentions of one event (kind + state/organisation) across the
  archive into one ledger row with all the evidence and the earliest date;
- :func:`to_dataframe` and :func:`write_events` give a pandas frame and CSV/Parquet/JSONL.

>>> rows = to_dataframe("out/samples.jsonl")  # doctest: +SKIP
>>> rows[["kind", "state", "org", "event_date", "mentions"]]  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import Document, Passage
from ..errors import MfaNlpWarning, OutputFormatError, RecordError
from .extract import Mention, passage_mentions
from .rules import KINDS, MEMBERSHIP_KINDS

if TYPE_CHECKING:
    import pandas as pd

#: A passage yields events when its ``recognition`` score reaches this value (or the duty is
#: assigned). Measured on the gold set (bench/events.py): 0.05 scores as no gate at all (F1 0.984) while
#: 0.1 loses recall (0.964) and 0.2 more (0.931); passages about other matters score below 0.05.
GATE = 0.05

#: Columns of the unaggregated ledger (one row per event per passage).
MENTION_COLUMNS: tuple[str, ...] = (
    "kind", "state", "org", "claimant", "event_date", "doc_date", "doc_id", "source", "passage", "lang",
    "script", "evidence", "start", "end", "trigger", "confidence", "history",
)  # fmt: skip
#: Columns of the ledger: the earliest report's fields plus the count and all evidence.
LEDGER_COLUMNS: tuple[str, ...] = (
    *MENTION_COLUMNS[:6], "last_reported", "mentions", "documents", *MENTION_COLUMNS[6:], "evidence_all",
)  # fmt: skip
OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".json": "jsonl"}


def passes_gate(passage: Passage, *, gate: float = GATE) -> bool:
    """Whether a passage is about recognition: the duty is assigned or its score reaches ``gate``.

    Records tagged without the duty stage (no scores) pass: there is nothing to gate on.
    """
    if not passage.scores:
        return True
    return "recognition" in passage.duties or passage.scores.get("recognition", 0.0) >= gate


def extract(doc: Document, *, gate: float = GATE) -> list[Mention]:
    """The events of one tagged Document, one :class:`Mention` per event per passage.

    >>> import mfa_nlp
    >>> doc = mfa_nlp.analyze_text("Prishtina, 14 February 2018 - Barbados recognised the Republic of Kosovo today.")
    >>> [(m.kind, m.state, m.event_date) for m in extract(doc)]
    [('recognised', 'BRB', '2018-02-14')]
    """
    out: list[Mention] = []
    for passage in doc.passages:
        if passes_gate(passage, gate=gate):
            out.extend(passage_mentions(doc, passage))
    return out


def read_records(path: str | os.PathLike[str]) -> Iterator[Document]:
    """Tagged Documents of a JSONL file; a bad line is skipped with a warning naming it (the run goes on).

    >>> docs = list(read_records("out/samples.jsonl"))  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise RecordError(f"{path}: no such file; tag an archive first (mfa-nlp tag ... -o {path})")
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise TypeError(f"a {type(data).__name__}, not a JSON object")
                doc = Document.from_dict(data)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)[:200]
                warnings.warn(
                    f"{path}:{number}: not a tagged record ({reason}); line skipped, the others are read "
                    "(re-tag the document or remove the line)",
                    MfaNlpWarning,
                    stacklevel=2,
                )
                continue
            yield doc


def _documents(docs: Iterable[Document] | str | os.PathLike[str]) -> Iterable[Document]:
    return read_records(docs) if isinstance(docs, str | os.PathLike) else docs


def mentions(docs: Iterable[Document] | str | os.PathLike[str], *, gate: float = GATE) -> list[Mention]:
    """All event mentions of many Documents (or a tagged JSONL path), in archive order."""
    return [m for doc in _documents(docs) for m in extract(doc, gate=gate)]


def _key(m: Mention) -> tuple[str, str | None]:
    return (m.kind, m.org if m.kind in MEMBERSHIP_KINDS else m.state)


def _earliest(values: Iterable[str | None]) -> str | None:
    dated = sorted(v for v in values if v)
    return dated[0] if dated else None


def aggregate(items: Iterable[Mention]) -> list[dict[str, Any]]:
    """One ledger row per event (kind + state, or kind + organisation for membership events).

    The row carries the earliest report's fields, the earliest event date any report gives,
    every claimant, the count of mentions and documents, and all evidence.

    >>> rows = aggregate(mentions("out/samples.jsonl"))  # doctest: +SKIP
    """
    groups: dict[tuple[str, str | None], list[Mention]] = {}
    for m in items:
        groups.setdefault(_key(m), []).append(m)
    rows = []
    for group in groups.values():
        group.sort(key=lambda m: (m.doc_date or "9999", m.doc_id, m.passage))
        first = group[0]
        row = first.to_dict()
        row["event_date"] = _earliest(m.event_date for m in group)
        row["claimant"] = ";".join(sorted({m.claimant for m in group if m.claimant})) or None
        row["confidence"] = round(1 - _prod(1 - m.confidence for m in group), 3)
        row["history"] = all(m.history for m in group)
        row["last_reported"] = max((m.doc_date for m in group if m.doc_date), default=None)
        row["mentions"] = len(group)
        row["documents"] = len({m.doc_id for m in group})
        row["evidence_all"] = [
            {k: getattr(m, k) for k in ("doc_id", "source", "passage", "doc_date", "lang", "evidence", "start", "end")}
            for m in group
        ]
        rows.append(row)
    order = {k: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: (r["event_date"] or r["doc_date"] or "9999", order.get(r["kind"], 99), r["state"] or ""))
    return rows


def _prod(values: Iterable[float]) -> float:
    out = 1.0
    for v in values:
        out *= v
    return out


def to_dataframe(
    docs: Iterable[Document] | str | os.PathLike[str], *, aggregated: bool = True, gate: float = GATE
) -> pd.DataFrame:
    """The ledger as a pandas frame: one row per event (``aggregated=False``: per mention).

    ``docs`` is an iterable of tagged Documents or the path of a tagged JSONL file.

    >>> import mfa_nlp
    >>> frame = to_dataframe([mfa_nlp.analyze_text("Barbados recognised the Republic of Kosovo.")])
    >>> frame[["kind", "state", "mentions"]].to_dict("records")
    [{'kind': 'recognised', 'state': 'BRB', 'mentions': 1}]
    """
    import pandas as pd

    found = mentions(docs, gate=gate)
    if aggregated:
        return pd.DataFrame(aggregate(found), columns=list(LEDGER_COLUMNS))
    return pd.DataFrame([m.to_dict() for m in found], columns=list(MENTION_COLUMNS))


def output_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``csv``, ``parquet`` or ``jsonl``, from ``fmt`` or the file name; raises :class:`OutputFormatError`."""
    if fmt is None:
        fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt not in ("csv", "parquet", "jsonl"):
        raise OutputFormatError(
            f"{path}: cannot tell the events format from the name; end it in .csv, .parquet or .jsonl "
            "(or pass --format csv|parquet|jsonl)"
        )
    return fmt


def write_events(frame: pd.DataFrame, path: str | os.PathLike[str], *, fmt: str | None = None) -> Path:
    """Write a ledger frame as CSV (evidence lists as JSON text), Parquet or JSONL; return the path."""
    fmt = output_format(path, fmt)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    if fmt == "jsonl":
        with tmp.open("w", encoding="utf-8") as fh:
            for row in frame.to_dict("records"):
                fh.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        flat = frame.copy()
        if "evidence_all" in flat:
            flat["evidence_all"] = [json.dumps(v, ensure_ascii=False) for v in flat["evidence_all"]]
        flat.to_csv(tmp, index=False)
    else:
        frame.to_parquet(tmp, index=False)
    os.replace(tmp, out)
    return out


def _plain(value: Any) -> Any:
    """None for pandas' missing values, so JSON gets null."""
    if isinstance(value, float) and value != value:
        return None
    return value


__all__ = [
    "GATE",
    "KINDS",
    "LEDGER_COLUMNS",
    "MENTION_COLUMNS",
    "Mention",
    "aggregate",
    "extract",
    "mentions",
    "output_format",
    "passes_gate",
    "read_records",
    "to_dataframe",
    "write_events",
]
