"""The tag, schema, es-mapping, index and search commands: exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from batch_support import BATCH, SKIPPED, SUPPORTED, duty_model_dir
from mfa_nlp.cli import app
from mfa_nlp.export import record_schema

runner = CliRunner()


@pytest.fixture(scope="module")
def model_args(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    model = duty_model_dir(tmp_path_factory.getbasetemp())
    return ["--model-dir", model] if model else []


def test_cli_schema_and_es_mapping_print_json() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and json.loads(result.stdout) == record_schema()
    result = runner.invoke(app, ["es-mapping", "--index", "press"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["template"]["mappings"]["properties"]["passages"]["type"] == "nested"


def test_cli_tag_usage_errors_exit_2(tmp_path: Path) -> None:
    out = str(tmp_path / "o.jsonl")
    assert runner.invoke(app, ["tag", str(BATCH), "-o", out, "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["tag", str(BATCH), "-o", out, "--workers", "0"]).exit_code == 2
    assert runner.invoke(app, ["tag", str(BATCH)]).exit_code == 2  # no -o
    assert runner.invoke(app, ["tag", str(tmp_path / "nothing*.html"), "-o", out]).exit_code == 2
    bad_model = runner.invoke(app, ["tag", str(BATCH), "-o", out, "--model-dir", str(tmp_path)])
    assert bad_model.exit_code == 2 and "duties.skops" in bad_model.stderr
    assert "Exit codes" in runner.invoke(app, ["tag", "--help"]).stdout


def test_cli_tag_index_search_round_trip(tmp_path: Path, model_args: list[str]) -> None:
    import resource

    out = tmp_path / "o.jsonl"
    limit = resource.getrlimit(resource.RLIMIT_AS)
    failing = runner.invoke(app, ["tag", str(BATCH), "-o", str(out), "--workers", "1", *model_args])
    # Only the `mfa-nlp` command's own process takes a worker's memory cap, never a caller's.
    assert resource.getrlimit(resource.RLIMIT_AS) == limit
    assert failing.exit_code == 3  # empty.txt and broken.pdf fail; the run goes on
    errors = [json.loads(line) for line in (tmp_path / "o.errors.jsonl").read_text().splitlines()]
    records = out.read_text(encoding="utf-8").splitlines()
    assert len(records) + len(errors) + len(SKIPPED) == len(SUPPORTED) + len(SKIPPED)
    assert {"source", "error", "message"} <= set(errors[0])
    assert "inputs" in failing.stderr

    good = [str(p) for p in SUPPORTED if p.name.startswith(("en_visa", "sq_"))]
    ok = runner.invoke(app, ["tag", *good, "-o", str(tmp_path / "ok.jsonl"), "--workers", "1", *model_args])
    assert ok.exit_code == 0, ok.stderr

    db = tmp_path / "a.db"
    first = runner.invoke(app, ["index", str(out), "--db", str(db)])
    assert first.exit_code == 0 and f"{len(records)} documents added" in first.stdout
    assert "0 documents added" in runner.invoke(app, ["index", str(out), "--db", str(db)]).stdout
    shown = runner.invoke(app, ["search", str(db), "visa liberalisation", "--limit", "3"])
    assert shown.exit_code == 0 and "en_visa_liberalisation.txt" in shown.stdout
    rows = json.loads(runner.invoke(app, ["search", str(db), "Kosoves", "--json"]).stdout)
    assert rows and any("sq_mbeshtetja_gjermanise.txt" in r["source"] for r in rows)
    assert all("[" in r["snippet"] for r in rows)
    assert runner.invoke(app, ["search", str(db), "visa", "--since", "June 2018"]).exit_code == 2
    assert runner.invoke(app, ["search", str(tmp_path / "none.db"), "visa"]).exit_code == 2
    _assert_light(["search", str(db), "visa liberalisation", "--limit", "3"])


_PROBE = """
import atexit, sys
def report():
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"spacy", "sklearn", "skops", "thinc", "langdetect"})
    print("HEAVY", ",".join(heavy), file=sys.stderr)
atexit.register(report)
from mfa_nlp.cli import main
sys.argv = ["mfa-nlp", *sys.argv[1:]]
main()
"""


def _assert_light(argv: list[str]) -> None:
    """Issue 11: a command that needs no model runs without importing spaCy or scikit-learn."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "HEAVY \n" in done.stderr, done.stderr


def test_cli_schema_and_version_load_no_models() -> None:
    _assert_light(["schema"])
    _assert_light(["--version"])


def test_cli_main_leaves_loaded_objects_out_of_the_exit_collection(tmp_path: Path) -> None:
    # CPython's last collection at exit walks every live object (~0.3 s once spaCy is loaded):
    # the console script freezes them once its outputs are closed, and the output is complete.
    import subprocess
    import sys

    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('FROZEN', gc.get_freeze_count(), file=sys.stderr))\n"
        "from mfa_nlp.cli import main\n"
        "sys.argv = ['mfa-nlp', *sys.argv[1:]]\n"
        "main()\n"
    )
    out = tmp_path / "out.jsonl"
    argv = ["tag", str(BATCH / "en_nato_statement.html"), "-o", str(out), "--workers", "1", "--no-progress"]
    done = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    frozen = int(done.stderr.split("FROZEN")[1].split()[0])
    assert frozen > 100_000, done.stderr
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert record["passages"]
