"""Notebook helpers: tidy DataFrames and rich Jupyter display of Documents.

>>> import mfa_nlp
>>> docs = list(mfa_nlp.load_records("out/samples.jsonl"))  # doctest: +SKIP
>>> mfa_nlp.to_dataframe(docs, level="document")  # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .document import DUTIES, ENTITY_LABELS, Document, Passage, register_hook

if TYPE_CHECKING:
    import pandas as pd

#: DataFrame column holding each entity label's ids.
ENTITY_COLUMNS: dict[str, str] = {"STATE": "states", "ORG": "orgs", "VALUE": "values"}
LEVELS = ("passage", "document", "entity", "statement")


def _documents(docs: Iterable[Document] | str | os.PathLike[str]) -> Iterable[Document]:
    if isinstance(docs, str | os.PathLike):
        from .export import load_records

        return load_records(Path(docs))
    return docs


def _passage_ids(p: Passage, label: str) -> list[str]:
    return sorted({e.id for e in p.entities if e.label == label and e.id})


def to_dataframe(docs: Iterable[Document] | str | os.PathLike[str], level: str = "passage") -> pd.DataFrame:
    """Tidy pandas frame with one row per passage, document, entity or statement.

    ``level="statement"`` has one row per ``statement_id`` (set by ``mfa-nlp link``; a document
    not linked is a statement of its own): its first date and title, ``langs``, ``documents``,
    ``doc_ids``, and the union of its versions' duties and entity ids, so counts are of statements.

    ``docs`` is an iterable of Documents or the path of a tagged JSONL file. Passage and
    document frames have one boolean column per duty, ``score_<duty>`` columns (passages),
    and ``states``/``orgs``/``values`` columns with lists of canonical ids; ``date`` is a
    pandas datetime.

    >>> df = to_dataframe([analyze_text("NATO and KFOR guarantee security.")])  # doctest: +SKIP
    >>> list(df.columns[:4])  # doctest: +SKIP
    ['doc_id', 'source', 'title', 'date']
    """
    import pandas as pd

    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    if level == "statement":
        return _statements(to_dataframe(docs, level="document"))
    rows: list[dict[str, Any]] = []
    for doc in _documents(docs):
        base = {"doc_id": doc.id, "source": doc.source, "title": doc.title, "date": doc.date}
        if level == "document":
            row = base | {
                "statement_id": doc.statement_id or f"st-{doc.id[:16]}",
                "format": doc.format,
                "place": doc.place,
                "lang": doc.lang,
                "script": doc.script,
                "passages": len(doc.passages),
                "words": sum(p.words for p in doc.passages),
                "duties": list(doc.duties),
            }
            row |= {d: d in doc.duties for d in DUTIES}
            row |= {ENTITY_COLUMNS[label]: list(doc.entities.get(label, [])) for label in ENTITY_LABELS}
            rows.append(row)
            continue
        for p in doc.passages:
            if level == "passage":
                row = base | {
                    "doc_lang": doc.lang,
                    "index": p.index,
                    "kind": p.kind,
                    "text": p.text,
                    "lang": p.lang,
                    "script": p.script,
                    "words": p.words,
                    "duties": list(p.duties),
                }
                row |= {d: d in p.duties for d in DUTIES}
                row |= {f"score_{d}": p.scores.get(d, float("nan")) for d in DUTIES}
                row |= {ENTITY_COLUMNS[label]: _passage_ids(p, label) for label in ENTITY_LABELS}
                rows.append(row)
            else:
                for e in p.entities:
                    rows.append(
                        base
                        | {
                            "index": p.index,
                            "lang": p.lang,
                            "text": e.text,
                            "label": e.label,
                            "id": e.id,
                            "start": e.start,
                            "end": e.end,
                        }
                    )
    frame = pd.DataFrame(rows, columns=_columns(level))
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    return frame


def _columns(level: str) -> list[str]:
    base = ["doc_id", "source", "title", "date"]
    ents = [ENTITY_COLUMNS[label] for label in ENTITY_LABELS]
    if level == "document":
        return [*base, "statement_id", "format", "place", "lang", "script", "passages", "words", "duties", *DUTIES,
                *ents]  # fmt: skip
    if level == "statement":
        return ["statement_id", "date", "title", "langs", "documents", "doc_ids", "duties", *DUTIES, *ents]
    if level == "passage":
        return [
            *base,
            "doc_lang",
            "index",
            "kind",
            "text",
            "lang",
            "script",
            "words",
            "duties",
            *DUTIES,
            *(f"score_{d}" for d in DUTIES),
            *ents,
        ]
    return [*base, "index", "lang", "text", "label", "id", "start", "end"]


def _statements(documents: pd.DataFrame) -> pd.DataFrame:
    """One row per statement from the document frame (earliest version first)."""
    import pandas as pd

    rows = []
    ordered = documents.sort_values(["date", "doc_id"], na_position="last")
    for sid, group in ordered.groupby("statement_id", sort=False):
        first = group.iloc[0]
        present = {d for ds in group["duties"] for d in ds}
        row = {
            "statement_id": sid, "date": first["date"], "title": first["title"],
            "langs": sorted({lang for lang in group["lang"] if lang}), "documents": len(group),
            "doc_ids": list(group["doc_id"]), "duties": [d for d in DUTIES if d in present],
        }  # fmt: skip
        row |= {d: d in present for d in DUTIES}
        row |= {col: sorted({i for ids in group[col] for i in ids}) for col in ENTITY_COLUMNS.values()}
        rows.append(row)
    return pd.DataFrame(rows, columns=_columns("statement"))


# -- rich display -----------------------------------------------------------------------------------
_COLORS = {"STATE": "#9ecae1", "ORG": "#fdae6b", "VALUE": "#a1d99b"}


def passage_html(p: Passage) -> str:
    """A passage with entities highlighted by spaCy displacy (label shows the canonical id) and duty badges."""
    from spacy import displacy

    ents = [{"start": e.start, "end": e.end, "label": f"{e.label} {e.id}" if e.id else e.label} for e in p.entities]
    colors = {f"{e.label} {e.id}" if e.id else e.label: _COLORS.get(e.label, "#ddd") for e in p.entities}
    body = displacy.render(
        {"text": p.text, "ents": ents, "title": None},
        style="ent",
        manual=True,
        jupyter=False,
        options={"colors": colors},
    )
    badges = " ".join(
        f'<span style="background:#31688e;color:#fff;border-radius:4px;padding:1px 6px;margin-right:4px;'
        f'font-size:85%">{html.escape(d)} {p.scores.get(d, 0):.2f}</span>'
        for d in p.duties
    )
    meta = f'<small style="color:#666">[{p.index}] {html.escape(p.kind)} · {p.lang or "?"}-{p.script or "?"}</small>'
    return f'<div style="margin:6px 0">{meta} {badges}{body}</div>'


def passage_anchor(doc_id: str, index: int) -> str:
    """The HTML id of a passage in the report (``p-<doc id prefix>-<index>``)."""
    return f"p-{doc_id[:16]}-{index}"


def document_html(doc: Document, *, anchors: bool = False) -> str:
    """Title, date, language and passages of a Document as HTML (used by ``_repr_html_``).

    ``anchors`` gives each passage an id (:func:`passage_anchor`) that links can point at.
    """
    title = html.escape(doc.title or Path(doc.source).name)
    facts = " · ".join(html.escape(str(v)) for v in (doc.date, doc.place, f"{doc.lang}-{doc.script}", doc.format) if v)
    ents = "; ".join(f"{label}: {', '.join(ids)}" for label, ids in doc.entities.items() if ids)
    head = (
        f"<h3 style='margin-bottom:2px'>{title}</h3><div style='color:#555'>{facts}</div>"
        f"<div style='color:#555'>duties: {', '.join(doc.duties) or '—'}</div>"
        f"<div style='color:#555'>{html.escape(ents)}</div>"
    )
    if anchors:
        return head + "".join(
            f"<div id='{passage_anchor(doc.id, p.index)}'>{passage_html(p)}</div>" for p in doc.passages
        )
    return head + "".join(passage_html(p) for p in doc.passages)


__all__ = ["ENTITY_COLUMNS", "document_html", "passage_anchor", "passage_html", "to_dataframe"]


register_hook("passage_html", passage_html)
register_hook("document_html", document_html)
