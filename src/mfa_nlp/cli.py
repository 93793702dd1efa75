"""The ``mfa-nlp`` command line: thin typer wrappers over plain functions.

Exit codes: 0 every document tagged; 3 some inputs failed (see the errors file);
2 usage errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ._version import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Tag a foreign ministry's press archive.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mfa-nlp {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """Tag statements (HTML, PDF, TXT) with language, entities and foreign-policy duties."""


# --- tag (batch) -------------------------------------------------------------------------
@app.command("tag")
def tag_cli(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) or globs.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file (.jsonl).")],
) -> None:
    """Tag documents into records (record.md)."""
    from .batch import tag_paths

    summary = tag_paths([str(p) for p in paths], str(output))
    typer.echo(json.dumps(summary, ensure_ascii=False))
    raise typer.Exit(3 if summary["errors"] else 0)


# --- duties (train / evaluate / explain) --------------------------------------------------
@app.command("train")
def train_cli(
    corpus: Annotated[Path, typer.Argument(help="Folder of labelled JSONL passages (corpus/duties).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for duties.skops and duties.json.")] = Path(
        "models"
    ),
) -> None:
    """Train the duty classifier (deterministic) and write the model and its card."""
    from .duties.train import format_report, train

    card = train(corpus, output)
    typer.echo(format_report(card["test"]))
    typer.echo(f"\nmodel {card['model_id']} written to {output}/ (thresholds: {card['thresholds']})")


@app.command("evaluate")
def evaluate_cli(
    corpus: Annotated[Path, typer.Argument(help="Folder of labelled JSONL passages (corpus/duties).")],
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="Model folder (default: shipped).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Per-duty and per-language precision/recall/F1, macro-F1 and the duty confusion on the test split."""
    from .duties.train import evaluate, format_report

    result = evaluate(corpus, model_dir)
    typer.echo(json.dumps(result, indent=2) if as_json else format_report(result))


@app.command("explain")
def explain_cli(
    path: Annotated[Path, typer.Argument(help="A statement (.html, .pdf, .txt).")],
    top: Annotated[int, typer.Option(help="Features per duty.")] = 8,
) -> None:
    """Show each passage's duties with the features that pushed them most."""
    from .pipeline import analyze_file

    doc = analyze_file(path)
    for passage in doc.passages:
        if not passage.duties:
            continue
        typer.echo(f"[{passage.index}] {passage.text[:100]}{'…' if len(passage.text) > 100 else ''}")
        for duty, reasons in passage.explain(top=top).items():
            why = ", ".join(f"{r.feature} (+{r.weight:.2f})" for r in reasons)
            typer.echo(f"    {duty} {passage.scores.get(duty, 0):.2f}: {why}")


# --- report ---------------------------------------------------------------------------------
@app.command("report")
def report_cli(
    records: Annotated[Path, typer.Argument(help="A tagged JSONL file (from `mfa-nlp tag`).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")] = Path("report.html"),
) -> None:
    """Write a self-contained HTML report (counts, charts, documents) of a tagged archive."""
    from .report import build_report

    if not records.is_file():
        typer.echo(f"error: {records}: no such file; tag an archive first (mfa-nlp tag ... -o {records})", err=True)
        raise typer.Exit(2)
    typer.echo(f"report written to {build_report(records, output)}")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
