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
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Version.")] = False,
) -> None:
    """Tag statements (HTML, PDF, TXT, scans) with language, entities and foreign-policy duties."""


# --- tag (batch) -------------------------------------------------------------------------
_TAG_HELP = """Tag documents into records (JSONL, Parquet or Elasticsearch bulk).

Inputs are files, folders (searched recursively) and globs; .html/.htm/.pdf/.txt and
scanned .png/.jpg/.tif are tagged, other files are skipped and counted. Scans and PDF
pages without a usable text layer are read with Tesseract OCR (--ocr auto; needs the
Debian packages tesseract-ocr tesseract-ocr-sqi tesseract-ocr-srp tesseract-ocr-srp-latn
tesseract-ocr-eng); OCR time counts against --timeout. A rerun with the same output skips the
documents already tagged by the same pipeline version and model (resume after a kill,
or incremental runs over a growing archive).

Parquet writes OUT.parquet (passages) and OUT.documents.parquet (documents); Parquet and
es-bulk keep their resume checkpoint in OUT.<ext>.records.jsonl beside the output.

With --labels, the analysts' labels (from `mfa-nlp review`) are applied by passage content
hash: those passages get the analysts' duties and "source": "human"; entity overrides in the
same file add or remove ids. Problems with the file (unknown duties, conflicting labels,
passages that no longer exist, a torn last line) are reported; the rest is applied.

One writer per output: a second run on the same output (or error log) exits 2 at once,
naming the process that holds it; with --wait it waits for that run to end instead.

Exit codes: 0 every document tagged; 3 some inputs failed (one row each in the errors
file); 2 usage errors (bad option, no such model or labels file, nothing to tag) and output
errors (output in use, disk full, read-only or vanished folder: what was written is kept,
and a rerun completes it).
"""


@app.command("tag", help=_TAG_HELP)
def tag_cli(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive) or globs.", show_default=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file (.jsonl, .parquet, .ndjson).")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl, parquet or es-bulk (default: from the output's extension).")
    ] = None,
    index_name: Annotated[str, typer.Option("--index", help="Index name for es-bulk actions.")] = "mfa-statements",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes (default: CPU cores, in-process for up to 8 inputs; 1 = in-process).",
        ),
    ] = None,
    errors: Annotated[
        Path | None, typer.Option("--errors", help="Error log: a JSON row per failed input (default OUT.errors.jsonl).")
    ] = None,
    max_bytes: Annotated[int | None, typer.Option("--max-bytes", min=1, help="Largest file to read.")] = None,
    max_pages: Annotated[int | None, typer.Option("--max-pages", min=1, help="Most PDF pages to read.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", min=0.1, help="Seconds per document.")] = None,
    max_chars: Annotated[int | None, typer.Option("--max-chars", min=1, help="Most text characters.")] = None,
    ocr: Annotated[
        str,
        typer.Option(
            "--ocr", help="auto: OCR scans and pages without a usable text layer; force: every page; never: none."
        ),
    ] = "auto",
    max_memory: Annotated[
        int | None, typer.Option("--max-memory", min=0, help="Memory cap per worker process in bytes (0 = off).")
    ] = None,
    dask: Annotated[
        str | None, typer.Option("--dask", help="Dask scheduler address (tcp://host:8786) or 'local'.")
    ] = None,
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="Duty model folder (default: shipped).")] = None,
    entities: Annotated[bool, typer.Option("--entities/--no-entities", help="Run the entity stage.")] = True,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Hash every input to find unchanged ones (default: size+mtime+inode).")
    ] = False,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="Analysts' labels (labels.jsonl from `mfa-nlp review`) to apply.")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="If another run is writing the same output, wait for it (default: exit 2).")
    ] = False,
) -> None:
    from rich.console import Console

    from .batch import format_summary, tag_paths
    from .errors import ModelError, OutputLockedError, OutputWriteError, UnsafeOutputError
    from .ingest import Limits

    fmt = fmt.lower() if fmt else None
    if fmt not in (None, "jsonl", "parquet", "es-bulk"):
        typer.echo(f"error: --format {fmt!r}: use jsonl, parquet or es-bulk", err=True)
        raise typer.Exit(2)
    if ocr not in ("auto", "never", "force"):
        typer.echo(f"error: --ocr {ocr!r}: use auto, never or force", err=True)
        raise typer.Exit(2)
    if labels is not None and not labels.is_file():
        typer.echo(f"error: --labels {labels}: no such file; label passages with `mfa-nlp review --serve`", err=True)
        raise typer.Exit(2)
    defaults = Limits()
    limits = Limits(
        ocr=ocr,
        max_bytes=max_bytes or defaults.max_bytes,
        max_pages=max_pages or defaults.max_pages,
        timeout=timeout or defaults.timeout,
        max_chars=max_chars or defaults.max_chars,
        max_memory=defaults.max_memory if max_memory is None else max_memory,
    )
    try:
        summary = tag_paths(
            paths, output, fmt=fmt, index_name=index_name, workers=workers, errors_file=errors, limits=limits,
            dask=dask, progress=not no_progress, entities=entities,
            model_dir=str(model_dir) if model_dir else None, verify=verify, labels=labels, wait=wait,
            worker_process=_OWN_PROCESS,
        )  # fmt: skip
    except (ModelError, UnsafeOutputError, OutputLockedError, OutputWriteError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    Console(stderr=True).print(format_summary(summary))
    for line in summary["labels"].get("messages", []):
        typer.echo(line, err=True)
    if not summary["inputs"]:
        typer.echo(f"error: nothing to tag in {' '.join(paths)}: no such files or folders", err=True)
        raise typer.Exit(2)
    raise typer.Exit(3 if summary["errors"] else 0)


# --- schema / es-mapping ------------------------------------------------------------------
@app.command("schema")
def schema_cli() -> None:
    """Print the JSON Schema (draft 2020-12) of a tagged record."""
    from .export import record_schema

    typer.echo(json.dumps(record_schema(), indent=2, ensure_ascii=False))


@app.command("es-mapping")
def es_mapping_cli(
    index_name: Annotated[str, typer.Option("--index", help="Index name (the template matches NAME*).")] = (
        "mfa-statements"
    ),
) -> None:
    """Print an Elasticsearch/OpenSearch index template for records (PUT _index_template/NAME)."""
    from .export import es_template

    typer.echo(json.dumps(es_template(index_name), indent=2))


# --- index / search -----------------------------------------------------------------------
@app.command("index")
def index_cli(
    records: Annotated[Path, typer.Argument(help="A tagged JSONL file (from `mfa-nlp tag`).")],
    db: Annotated[Path, typer.Option("--db", help="The SQLite index to create or update.")] = Path("archive.db"),
    wait: Annotated[
        bool, typer.Option("--wait", help="If another `index` is writing the same --db, wait for it (default: exit 2).")
    ] = False,
) -> None:
    """Build or update the embedded SQLite FTS5 search index (incremental; one writer at a time)."""
    from .search import build_index

    if not records.is_file():
        typer.echo(f"error: {records}: no such file; tag an archive first (mfa-nlp tag ... -o {records})", err=True)
        raise typer.Exit(2)
    from .errors import MfaNlpError

    try:
        counts = build_index(records, db, wait=wait)
    except MfaNlpError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        f"{db}: {counts['added']} documents added, {counts['replaced']} replaced, "
        f"{counts['unchanged']} unchanged, {counts['relinked']} relinked ({counts['passages']} passages indexed)"
    )


@app.command("search")
def search_cli(
    db: Annotated[Path, typer.Argument(help="The SQLite index (from `mfa-nlp index`).")],
    query: Annotated[str, typer.Argument(help='Words, "a phrase", OR; diacritics and case do not matter.')] = "",
    duty: Annotated[list[str] | None, typer.Option("--duty", help="Passage duty (repeatable).")] = None,
    state: Annotated[list[str] | None, typer.Option("--state", help="ISO3 state id, e.g. DEU.")] = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="Organisation id, e.g. NATO.")] = None,
    value: Annotated[list[str] | None, typer.Option("--value", help="Value id, e.g. rule_of_law.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Passage language (en, sq, sr).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="From date YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Until date YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most passages to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows.")] = False,
    collapse: Annotated[
        bool, typer.Option("--collapse", help="One hit per statement, with its other languages (after `link`).")
    ] = False,
) -> None:
    """Search the index: ranked passages with highlighted snippets, source, date and facets."""
    import re

    from rich.console import Console
    from rich.markup import escape

    for name, day in (("--since", since), ("--until", until)):
        if day and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            typer.echo(f"error: {name} {day!r}: give a date as YYYY-MM-DD", err=True)
            raise typer.Exit(2)
    if not db.is_file():
        typer.echo(f"error: {db}: no such index; build it with `mfa-nlp index OUT.jsonl --db {db}`", err=True)
        raise typer.Exit(2)
    from .errors import MfaNlpError

    try:
        frame = _search(db, query, duty, state, org, value, lang, since, until, limit, as_json, collapse)
    except MfaNlpError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(frame.to_json(orient="records", force_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    if frame.empty:
        console.print(f"no passages match {query!r}")
        return
    for rank, row in enumerate(frame.itertuples(), 1):
        on, off = ("[bold yellow]", "[/bold yellow]") if console.is_terminal else ("\\[", "]")
        snippet = escape(row.snippet).replace("\x02", on).replace("\x03", off)
        console.print(f"[bold]{rank}.[/bold] {escape(row.title or row.source)} [dim]{row.date or 'undated'}[/dim]")
        console.print(f"   {snippet}")
        ents = " ".join(f"{k}:{','.join(v)}" for k, v in row.entities.items() if v)
        console.print(
            f"   [dim]{escape(row.source)} ¶{row.passage} lang={row.lang or '?'} "
            f"duties={','.join(row.duties) or '-'} {escape(ents)} score={row.score:.2f}[/dim]"
        )
        if collapse and row.versions:
            also = "; ".join(f"{v['lang'] or '?'}: {v['title'] or v['source']}" for v in row.versions)
            console.print(f"   [dim]also in {escape(also)}[/dim]")


def _search(db, query, duty, state, org, value, lang, since, until, limit, as_json, collapse):  # noqa: ANN001, ANN202
    from .search import search

    return search(
        db,
        query,
        duty=duty,
        state=state,
        org=org,
        value=value,
        lang=lang,
        since=since,
        until=until,
        limit=limit,
        marks=("\x02", "\x03") if not as_json else ("[", "]"),
        collapse=collapse,
    )


# --- link (translations -> statements) ------------------------------------------------------
@app.command("link")
def link_cli(
    records: Annotated[Path, typer.Argument(help="A tagged JSONL file (from `mfa-nlp tag`).")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Links file: one line per document with its statement_id.")
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Add statement_id and links to the records.")] = False,
    es_bulk: Annotated[
        Path | None, typer.Option("--es-bulk", help="Also write the linked records as ES/OpenSearch bulk NDJSON.")
    ] = None,
    index_name: Annotated[str, typer.Option("--index", help="Index name for es-bulk actions.")] = "mfa-statements",
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="Folder with link.skops/link.json.")] = None,
) -> None:
    """Give every document a statement_id shared by its translations (and duplicates)."""
    from rich.console import Console
    from rich.table import Table

    from .errors import ModelError
    from .link import link_records

    if not records.is_file():
        typer.echo(f"error: {records}: no such file; tag an archive first (mfa-nlp tag ... -o {records})", err=True)
        raise typer.Exit(2)
    if output is None and not in_place and es_bulk is None:
        typer.echo("error: give -o LINKS.jsonl, --in-place or --es-bulk OUT.ndjson", err=True)
        raise typer.Exit(2)
    if output is not None and output.resolve() == records.resolve():
        typer.echo(f"error: -o {output} is the input; use --in-place to add the fields to the records", err=True)
        raise typer.Exit(2)
    try:
        counts = link_records(records, output, in_place=in_place, es_bulk=es_bulk, index_name=index_name,
                              model_dir=model_dir)  # fmt: skip
    except ModelError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    table = Table(title="mfa-nlp link", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    written = ", ".join(str(p) for p in (output, records if in_place else None, es_bulk) if p)
    for what, value in (("documents", counts["documents"]), ("statements", counts["statements"]),
                        ("  in several languages", counts["multilingual"]), ("links", counts["links"]),
                        ("output", written)):  # fmt: skip
        table.add_row(what, str(value))
    Console(stderr=True).print(table)


@app.command("train-link")
def train_link_cli(
    folder: Annotated[Path, typer.Argument(help="The link set (corpus/links).")] = Path("corpus/links"),
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for link.skops and link.json.")] = Path(
        "models"
    ),
) -> None:
    """Train the link scorer (deterministic) and print its held-out figures (= make link-model)."""
    from .link.train import format_report, train

    card = train(folder, output)
    typer.echo(format_report({"threshold": card["threshold"], "held_out": card["held_out"]}))
    typer.echo(f"\nscorer {card['model_id']} written to {output}/")


@app.command("evaluate-link")
def evaluate_link_cli(
    folder: Annotated[Path, typer.Argument(help="The link set (corpus/links).")] = Path("corpus/links"),
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="Folder with link.skops/link.json.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Pairwise precision/recall/F1 and cluster purity of the shipped link scorer (held-out groups and all)."""
    from .link.train import evaluate, format_report

    result = evaluate(folder, model_dir)
    typer.echo(json.dumps(result, indent=2) if as_json else format_report(result))


# --- duties (train / evaluate / explain) --------------------------------------------------
_TRAIN_HELP = """Train the duty classifier (deterministic) and write the model and its card.

With --add labels.jsonl (from `mfa-nlp review`), train on the corpus plus the analysts' labels
(a fifth of them held out), print the old model (--model-dir, $MFA_NLP_MODEL_DIR or the shipped
one) and the new one side by side on the blind set, on the held-out labels and on the test
split, per duty and per language, and write the model (default models/local/) unless the blind
set's macro-F1 falls by more than 0.02 (--force writes anyway; exit code 1 when refused). Use it
with `mfa-nlp tag --model-dir models/local` or MFA_NLP_MODEL_DIR=models/local.
"""


@app.command("train", help=_TRAIN_HELP)
def train_cli(
    corpus: Annotated[Path, typer.Argument(help="Folder of labelled JSONL passages (corpus/duties).")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Folder for the model and its card [default: models/, with --add models/local/]."
        ),
    ] = None,  # fmt: skip
    add: Annotated[Path | None, typer.Option("--add", help="Analysts' labels to train on as well.")] = None,
    model_dir: Annotated[
        Path | None, typer.Option("--model-dir", help="With --add: the old model to compare with (default: shipped).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="With --add: write even if the blind set got worse.")] = False,
    folds: Annotated[
        int, typer.Option("--folds", min=0, help="With --add: group folds to tune thresholds (0: keep the old ones).")
    ] = 5,
) -> None:
    from .duties.metrics import format_report
    from .duties.train import train

    if add is not None:
        _retrain(corpus, add, output or Path("models/local"), model_dir, force, folds)
        return
    output = output or Path("models")
    card = train(corpus, output)
    typer.echo(format_report(card["test"] | {"blind": card.get("blind")}))
    typer.echo(f"\nmodel {card['model_id']} written to {output}/ (thresholds: {card['thresholds']})")


def _retrain(corpus: Path, add: Path, output: Path, model_dir: Path | None, force: bool, folds: int) -> None:
    from .duties import default_model_dir
    from .duties.retrain import RetrainRefused, format_comparison, retrain
    from .errors import MfaNlpError

    if not add.is_file():
        typer.echo(f"error: --add {add}: no such labels file; label passages with `mfa-nlp review --serve`", err=True)
        raise typer.Exit(2)
    base = (model_dir or default_model_dir()).resolve()
    if output.resolve() == base:
        typer.echo(f"error: -o {output} is the model it is compared with; write the retrained one elsewhere "
                   "(e.g. -o models/local)", err=True)  # fmt: skip
        raise typer.Exit(2)
    try:
        result = retrain(corpus, add, output, model_dir=model_dir, folds=folds, force=force)
    except RetrainRefused as exc:
        for line in exc.result["messages"]:  # type: ignore[attr-defined]
            typer.echo(line, err=True)
        typer.echo(format_comparison(exc.result))  # type: ignore[attr-defined]
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    except MfaNlpError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for line in result["messages"]:
        typer.echo(line, err=True)
    typer.echo(format_comparison(result))
    card = result["card"]
    labels = card["human_labels"]
    typer.echo(
        f"\nmodel {card['model_id']} written to {output}/ ({labels['trained']} human labels trained on, "
        f"{labels['held_out']} held out). Use it: mfa-nlp tag ... --model-dir {output} (or {_model_env()}={output})"
    )


def _model_env() -> str:
    from .duties import MODEL_ENV

    return MODEL_ENV


@app.command("evaluate")
def evaluate_cli(
    corpus: Annotated[Path, typer.Argument(help="Folder of labelled JSONL passages (corpus/duties).")],
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="Model folder (default: shipped).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Precision/recall/F1 per duty and language, macro-F1 and the confusion: test split and blind set side by side."""
    from .duties.metrics import evaluate, format_report

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


# --- entities (evaluate) --------------------------------------------------------------------
@app.command("evaluate-entities")
def evaluate_entities_cli(
    testset: Annotated[
        Path | None, typer.Argument(help="Gold JSONL passages (default: tests/data/entities_testset.jsonl).")
    ] = None,
    english_model: Annotated[str | None, typer.Option("--english-model", help="spaCy pipeline for English.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with the errors).")] = False,
) -> None:
    """Entity precision/recall/F1 per label per language, and the raw English model for comparison."""
    from .entities.evaluate import evaluate_entities, format_entity_report

    if testset is not None and not testset.is_file():
        typer.echo(f"error: {testset}: no such file; give an entities JSONL test set", err=True)
        raise typer.Exit(2)
    result = evaluate_entities(testset, english_model=english_model)
    typer.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else format_entity_report(result))


# --- events (the recognition ledger) -------------------------------------------------------
@app.command("events")
def events_cli(
    records: Annotated[Path, typer.Argument(help="A tagged JSONL file (from `mfa-nlp tag`).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="events.csv, events.parquet or events.jsonl.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, parquet or jsonl (default: from the output's extension).")
    ] = None,
    per_mention: Annotated[
        bool, typer.Option("--mentions", help="One row per event per passage instead of one per event.")
    ] = False,
    gate: Annotated[
        float | None, typer.Option("--gate", min=0.0, max=1.0, help="Recognition score a passage needs.")
    ] = None,
) -> None:
    """Write the recognition ledger: recognitions, withdrawals (claimed and denied), relations, memberships.

    Reads tagged records without re-running the pipeline. Lines that are not records are skipped with a
    warning; the exit code is then 3 (the ledger of the other records is still written).
    """
    import warnings

    from . import events
    from .errors import MfaNlpWarning, OutputFormatError, RecordError

    try:
        kind = events.output_format(output, fmt.lower() if fmt else None)
    except OutputFormatError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if output.resolve() == records.resolve():
        typer.echo(f"error: {output}: the output would overwrite the records; choose another name", err=True)
        raise typer.Exit(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MfaNlpWarning)
        try:
            frame = events.to_dataframe(records, aggregated=not per_mention, gate=events.GATE if gate is None else gate)
        except RecordError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
    bad = [w for w in caught if issubclass(w.category, MfaNlpWarning)]
    for w in bad:
        typer.echo(f"warning: {w.message}", err=True)
    events.write_events(frame, output, fmt=kind)
    counts = frame["kind"].value_counts().to_dict() if len(frame) else {}
    what = "mentions" if per_mention else "events"
    typer.echo(
        f"{output}: {len(frame)} {what}" + (f" ({', '.join(f'{k} {n}' for k, n in counts.items())})" if counts else "")
    )
    if bad:
        typer.echo(f"{len(bad)} bad lines in {records} skipped (see the warnings above)", err=True)
        raise typer.Exit(3)


@app.command("evaluate-events")
def evaluate_events_cli(
    gold: Annotated[Path | None, typer.Argument(help="Gold folder or file (default: corpus/events/gold).")] = None,
    gate: Annotated[float | None, typer.Option("--gate", min=0.0, max=1.0, help="Recognition score gate.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with the errors).")] = False,
) -> None:
    """Event precision/recall/F1 (kind + state/organisation) per language, script and kind on the gold set."""
    from .events.evaluate import DEFAULT_GOLD, evaluate_events, format_events_report

    target = gold or DEFAULT_GOLD
    if not target.exists() or (target.is_dir() and not any(target.glob("*.jsonl"))):
        typer.echo(f"error: {target}: no gold JSONL files; give the folder of the events gold set", err=True)
        raise typer.Exit(2)
    result = evaluate_events(target, gate=gate)
    typer.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else format_events_report(result))


# --- review (queue and page) ------------------------------------------------------------------
_REVIEW_HELP = """Pick the passages most worth a human look, or serve the page that labels them.

`mfa-nlp review OUT.jsonl -o queue.jsonl --n 200` ranks the passages of tagged records by
uncertainty (scores near a threshold) and by disagreement between the duties and the entity
cues, gives every language and duty a share, and leaves out near-duplicates and passages
already in the labels file; it writes queue.jsonl and queue.csv (one column per duty,
predicted labels pre-filled; an edited CSV can be given to --labels / --add).

`mfa-nlp review --serve queue.jsonl` starts the review page on http://127.0.0.1:PORT/: one
passage at a time, keys 1-7 toggle the duties, Enter saves and moves on, Backspace goes back.
Every passage is saved to the labels file at once (labels.jsonl beside the queue by default).
"""


@app.command("review", help=_REVIEW_HELP)
def review_cli(
    path: Annotated[Path, typer.Argument(help="Tagged records (JSONL); with --serve, the queue.", show_default=False)],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The queue to write (queue.jsonl).")] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Passages in the queue.")] = 200,
    serve: Annotated[bool, typer.Option("--serve", help="Serve the review page for the queue PATH.")] = False,
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            help="Labels file: passages in it are skipped / the page saves to it "
            "(default: labels.jsonl beside the queue).",
        ),
    ] = None,  # fmt: skip
    analyst: Annotated[str, typer.Option("--analyst", help="Analyst name saved with each label.")] = "",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free).")] = 8765,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")] = False,
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="Model whose thresholds to use.")] = None,
) -> None:
    if not path.is_file():
        typer.echo(f"error: {path}: no such file", err=True)
        raise typer.Exit(2)
    if serve:
        _serve(path, labels or path.with_name("labels.jsonl"), analyst, port, open_browser)
        return
    if output is None:
        typer.echo("error: give the queue to write with -o queue.jsonl (or --serve QUEUE to label one)", err=True)
        raise typer.Exit(2)
    from .review import build_queue, coverage, write_queue

    labels = labels or output.with_name("labels.jsonl")
    items = build_queue(path, n=n, labels=labels, model_dir=model_dir)
    queue, table = write_queue(items, output)
    cov = coverage(items)
    typer.echo(f"{queue}: {len(items)} passages (and {table} for a spreadsheet)")
    typer.echo("  languages: " + ", ".join(f"{k} {v}" for k, v in cov["languages"].items()))
    typer.echo("  predicted duties: " + ", ".join(f"{k} {v}" for k, v in cov["duties"].items()))
    if labels.is_file():
        typer.echo(f"  passages already in {labels} were left out")
    typer.echo(f"label them with: mfa-nlp review --serve {queue}")


def _serve(queue: Path, labels: Path, analyst: str, port: int, open_browser: bool) -> None:
    from .review_server import make_server

    try:
        server = make_server(queue, labels, analyst=analyst, port=port)
    except OSError as exc:
        typer.echo(f"error: cannot listen on 127.0.0.1:{port} ({exc}); try --port 0", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"review page: {server.url}  ({len(server.app.items)} passages; labels saved to {labels})")
    typer.echo("press Ctrl+C to stop; every accepted passage is already saved")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


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


#: True when this process was started as the ``mfa-nlp`` command (not a CLI call inside another
#: program, e.g. a test runner): only then may ``tag`` give it a worker's memory cap and allocator settings.
_OWN_PROCESS = False


def main() -> None:
    """Console-script entry point."""
    global _OWN_PROCESS
    _OWN_PROCESS = True
    try:
        app()
    finally:
        # On exit CPython runs one last full collection over every object still alive: once
        # spaCy and the duty model are loaded that walk alone takes ~0.3 s. Every output is
        # closed by now, so the objects are frozen out of it (and still freed as modules unload).
        import gc

        gc.freeze()


if __name__ == "__main__":
    main()
