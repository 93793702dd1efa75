"""A self-contained HTML report of a tagged archive: counts, charts and a document table.

Charts are embedded as PNG data URIs; the page loads nothing from the network.

>>> build_report("out/samples.jsonl", "out/report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import plots
from .document import DUTIES
from .notebook import document_html, passage_anchor, to_dataframe

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{margin-bottom:.2rem} table{border-collapse:collapse;margin:1rem 0;width:100%}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;font-size:90%}
.charts{display:flex;flex-wrap:wrap;gap:1rem} .charts figure{margin:0;flex:1 1 480px}
.charts img{max-width:100%} .counts td:last-child{text-align:right}
.ledger img{max-width:100%} .doc{border-top:2px solid #31688e;margin-top:1.5rem;padding-top:.5rem}
"""


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def build_report(records: str | os.PathLike[str], output: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Write the HTML report of a tagged JSONL file and return its path."""
    from .export import load_records

    docs = list(load_records(records))
    passages = to_dataframe(docs, level="passage")
    documents = to_dataframe(docs, level="document")
    statements = to_dataframe(docs, level="statement")
    title = title or f"mfa_nlp report: {Path(records).name}"

    counts = [
        ("statements (versions of one statement counted once; see `mfa-nlp link`)", len(statements)),
        ("  in several languages", int((statements["langs"].map(len) > 1).sum())),
        ("documents", len(documents)),
        ("passages", len(passages)),
        *((f"passages in {lang}", n) for lang, n in passages["lang"].value_counts().items()),
        *((f"statements: {d}", int(statements[d].sum())) for d in DUTIES),
        *((f"passages: {d}", int(passages[d].sum())) for d in DUTIES),
        ("distinct states", passages["states"].explode().dropna().nunique()),
        ("distinct organisations", passages["orgs"].explode().dropna().nunique()),
    ]
    charts = [
        ("Duties per language", plots.duties_by_language(passages)),
        ("Most named states", plots.top_entities(passages, "states")),
        ("Most named organisations", plots.top_entities(passages, "orgs")),
        ("Most named values", plots.top_entities(passages, "values")),
        ("Duties over time (statements)", plots.duties_over_time(statements, unit="statements")),
        ("States and duties", plots.state_duty_heatmap(passages)),
    ]
    from . import events

    ledger = events.to_dataframe(docs)
    latest = _latest_by_state(ledger)
    rows = "".join(
        f"<tr><td><a href='#doc-{html.escape(d.id[:16])}'>{html.escape(d.title or Path(d.source).name)}</a></td>"
        f"<td>{html.escape(d.statement_id or '')}</td>"
        f"<td>{html.escape(d.date or '')}</td><td>{html.escape(d.lang or '')}</td><td>{len(d.passages)}</td>"
        f"<td>{html.escape(', '.join(d.duties))}</td>"
        f"<td>{html.escape(', '.join(d.entities.get('STATE', [])))}</td></tr>"
        for d in docs
    )
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
        "<h2>Counts</h2><table class='counts'>",
        *(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in counts),
        "</table><h2>Charts</h2><div class='charts'>",
        *(
            f"<figure><img alt='{html.escape(name)}' src='{_png(fig)}'><figcaption>{html.escape(name)}</figcaption>"
            "</figure>"
            for name, fig in charts
        ),
        "</div><h2>Recognition ledger</h2><div class='ledger'>",
        f"<figure><img alt='Recognition timeline' src='{_png(plots.recognition_timeline(ledger))}'>"
        "<figcaption>Recognition timeline: cumulative events by kind (mfa-nlp events)</figcaption></figure>",
        "<table class='states'><tr><th>state / organisation</th><th>latest event</th><th>event date</th>"
        f"<th>claimant</th><th>reports</th><th>evidence</th></tr>{latest}</table></div>",
        "<h2>Documents</h2><table><tr><th>title</th><th>statement</th><th>date</th><th>lang</th><th>passages</th>"
        f"<th>duties</th><th>states</th></tr>{rows}</table><h2>Passages</h2>",
        *(
            f"<section class='doc' id='doc-{html.escape(d.id[:16])}'>{document_html(d, anchors=True)}</section>"
            for d in docs
        ),
        "</body></html>",
    ]
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(parts), encoding="utf-8")
    return out


def _text(value: object) -> str:
    """'' for None and pandas' NaN, else the value as text."""
    return "" if value is None or value != value else str(value)


def _latest_by_state(ledger: pd.DataFrame) -> str:
    """Table rows: each state (or organisation) with its latest ledger event, linked to the passage."""
    if ledger.empty:
        return "<tr><td colspan='6'>no recognition or membership events found</td></tr>"
    frame = ledger.assign(
        subject=ledger["org"].where(ledger["org"].notna(), ledger["state"]),
        when=ledger["event_date"].where(ledger["event_date"].notna(), ledger["doc_date"]).fillna(""),
    )
    latest = frame.sort_values("when").groupby("subject", sort=True).tail(1).sort_values("subject")
    out = []
    for row in latest.itertuples():
        link = f"#{passage_anchor(row.doc_id, int(row.passage))}"
        evidence = row.evidence if len(row.evidence) <= 160 else row.evidence[:157] + "…"
        out.append(
            f"<tr><td>{html.escape(str(row.subject))}</td><td>{html.escape(row.kind)}</td>"
            f"<td>{html.escape(str(row.when))}</td><td>{html.escape(_text(row.claimant))}</td>"
            f"<td>{row.mentions}</td><td><a href='{link}'>{html.escape(evidence)}</a></td></tr>"
        )
    return "".join(out)


__all__ = ["build_report"]
