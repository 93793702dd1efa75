"""Charts of a tagged archive, from the DataFrames of :func:`mfa_nlp.to_dataframe`.

Each function returns a matplotlib ``Figure`` (built without pyplot, so it works in
notebooks, scripts and the HTML report alike).

>>> df = to_dataframe("out/samples.jsonl")  # doctest: +SKIP
>>> duties_by_language(df)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .document import DUTIES

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


def _figure(width: float = 7.0, height: float = 3.6) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _empty(fig: Figure, message: str) -> Figure:
    ax = fig.subplots()
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#666")
    ax.set_axis_off()
    return fig


def duties_by_language(passages: pd.DataFrame) -> Figure:
    """Passages per duty, one bar per language (passage-level frame)."""
    fig = _figure()
    counts = passages.groupby("lang")[list(DUTIES)].sum().T
    if counts.empty or counts.to_numpy().sum() == 0:
        return _empty(fig, "no passage has a duty")
    ax = fig.subplots()
    counts.plot.bar(ax=ax, width=0.8)
    ax.set_title("Passages per duty and language")
    ax.set_ylabel("passages")
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend(title="language")
    return fig


def top_entities(passages: pd.DataFrame, column: str = "states", n: int = 15) -> Figure:
    """The ``n`` ids most often named (in passages) of one entity column: states, orgs or values."""
    fig = _figure(6.0, 0.3 * n + 1.2)
    counts = passages[column].explode().dropna().value_counts().head(n)
    if counts.empty:
        return _empty(fig, f"no {column} found")
    ax = fig.subplots()
    counts.iloc[::-1].plot.barh(ax=ax, color="#31688e")
    ax.set_title(f"Most named {column}")
    ax.set_xlabel("passages")
    return fig


def duties_over_time(documents: pd.DataFrame, unit: str = "documents") -> Figure:
    """Documents (or statements, from the statement-level frame) per duty per month; undated ones left out."""
    fig = _figure()
    dated = documents.dropna(subset=["date"])
    if dated.empty:
        return _empty(fig, "no dated documents")
    monthly = dated.set_index("date")[list(DUTIES)].astype(int).resample("MS").sum()
    ax = fig.subplots()
    monthly.plot(ax=ax, marker="o")
    ax.set_title(f"{unit.capitalize()} per duty by month")
    ax.set_ylabel(unit)
    ax.legend(fontsize="small", ncols=2)
    return fig


def state_duty_heatmap(passages: pd.DataFrame, n: int = 15) -> Figure:
    """Passages naming each of the ``n`` most named states, by duty."""
    fig = _figure(7.5, 0.32 * n + 1.8)
    exploded = passages.explode("states").dropna(subset=["states"])
    if exploded.empty:
        return _empty(fig, "no states found")
    top = exploded["states"].value_counts().head(n).index
    table = exploded[exploded["states"].isin(top)].groupby("states")[list(DUTIES)].sum().loc[top]
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(), cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(DUTIES)), DUTIES, rotation=35, ha="right")
    ax.set_yticks(range(len(top)), top)
    ax.set_title("States × duties (passages)")
    fig.colorbar(image, ax=ax, label="passages")
    return fig


def recognition_timeline(events: pd.DataFrame) -> Figure:
    """Cumulative count of ledger events over time, one line per event kind.

    ``events`` is the frame of :func:`mfa_nlp.events.to_dataframe`; an event counts from the date
    the text gives for it, else from the date of its first report (undated events are left out).
    """
    import pandas as pd

    fig = _figure()
    if events.empty:
        return _empty(fig, "no recognition or membership events found")
    when = events["event_date"].where(events["event_date"].notna(), events["doc_date"])
    # a year or a month alone ("2008", "2018-11") counts from its first day
    dates = pd.to_datetime(when.fillna("").astype(str).str.pad(10, side="right", fillchar="-")
                           .str.replace(r"^(\d{4})------$", r"\1-01-01", regex=True)
                           .str.replace(r"^(\d{4}-\d{2})---$", r"\1-01", regex=True),
                           format="%Y-%m-%d", errors="coerce")  # fmt: skip
    dated = pd.DataFrame({"date": dates, "kind": events["kind"]}).dropna()
    if dated.empty:
        return _empty(fig, "no dated events")
    counts = dated.groupby(["date", "kind"]).size().unstack(fill_value=0).sort_index().cumsum()
    ax = fig.subplots()
    counts.plot(ax=ax, drawstyle="steps-post", marker="o")
    ax.set_title("Recognition ledger: cumulative events by kind")
    ax.set_ylabel("events")
    ax.legend(fontsize="small", ncols=2)
    return fig


__all__ = ["duties_by_language", "duties_over_time", "recognition_timeline", "state_duty_heatmap", "top_entities"]
