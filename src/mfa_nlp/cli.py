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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
