"""Hostile inputs: every bad file ends in a clear error row or a correct record, never a crash or a loss."""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mfa_nlp import errors
from mfa_nlp.errors import IngestError, LimitExceededError, MfaNlpWarning, UnsupportedFormatError
from mfa_nlp.guard import UnsafeOutputError, check_outputs, memory_guard, time_limit
from mfa_nlp.ingest import Limits, read_bytes, read_file

sys.path.insert(0, str(Path(__file__).parent))
from hostile_inputs import EXPECTATIONS, _pdf, generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"
MFA_NLP = Path(sys.executable).with_name("mfa-nlp")
ERROR_CLASSES = set(errors.__all__)
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    assert generate(root) == EXPECTATIONS
    yield root
    os.chmod(root / "unreadable.txt", 0o644)  # let pytest clean up


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """{relative path: (size, mtime_ns)} of every file under root, symlinks not followed."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            p = Path(dirpath, name)
            st = p.lstat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_hostile_read_file_kind(suite: Path, name: str) -> None:
    expect = EXPECTATIONS[name]
    path = suite / name
    start = time.perf_counter()
    try:
        if name == "invalid_utf8.txt":  # issue 12: stray bytes become U+FFFD, with a warning
            with pytest.warns(MfaNlpWarning, match=r"6 byte\(s\) that are not UTF-8 replaced by U\+FFFD"):
                doc = read_file(path)
        else:
            doc = read_file(path)
    except IngestError as exc:
        assert expect in ("error", "either", "skipped"), f"{name}: {type(exc).__name__}: {exc}"
        assert exc.source == str(path) and str(path) in str(exc)
        assert exc.reason and exc.hint and type(exc).__name__ in ERROR_CLASSES
        if expect == "skipped":
            assert isinstance(exc, UnsupportedFormatError)
    else:
        assert expect in ("record", "either"), f"{name}: read as a record, expected {expect}"
        assert doc.passages and all(p.text.strip() for p in doc.passages)
        assert not any(CONTROL.search(p.text) for p in doc.passages), "control characters left in a passage"
    assert time.perf_counter() - start < 30


def test_hostile_content_decides_format(suite: Path) -> None:
    assert read_file(suite / "pdf_renamed.html").format == "pdf"
    html = read_file(suite / "html_renamed.pdf")
    assert html.format == "html" and html.title == "Minister meets the Ambassador of Norway"


def test_hostile_entities_never_expanded(suite: Path) -> None:
    doc = read_file(suite / "entity_bomb.html")
    text = " ".join(p.text for p in doc.passages)
    assert "lollol" not in text and "ENTITY" not in text and "]>" not in (doc.title or "")
    assert "rule of law" in text


def test_hostile_stray_bytes_in_utf8_become_replacement_characters(suite: Path) -> None:
    """Issue 12: not windows-1251 mojibake ("яюъ broken Г(") in the last passage."""
    with pytest.warns(MfaNlpWarning, match="invalid_utf8.txt: 6 byte"):
        doc = read_file(suite / "invalid_utf8.txt")
    assert doc.passages[-1].text == "\ufffd\ufffd\ufffd broken \ufffd( bytes \ufffd\ufffd"
    assert not re.search("[\u0400-\u04ff]", " ".join(p.text for p in doc.passages))
    from mfa_nlp.ingest.text import decode_bytes

    # Code-page text still reads as code-page text: a letter inside a word, a lone dash, Cyrillic words.
    assert decode_bytes("Priština".encode("cp1250")) == "Priština"
    assert decode_bytes("Kosovo \u2013 statement".encode("cp1252")) == "Kosovo \u2013 statement"
    assert decode_bytes("Министарство спољних послова".encode("cp1251")) == "Министарство спољних послова"


def test_hostile_deep_nesting_names_the_depth(suite: Path) -> None:
    """Issue 12: markup nested deeper than libxml2 keeps is "nesting too deep", not "no text found"."""
    with pytest.raises(LimitExceededError, match=r"deep_nesting.html: nesting too deep \(100,001 levels"):
        read_file(suite / "deep_nesting.html")
    shallow = ("<div>" * 2000 + "<p>Deep text about the dialogue with Serbia.</p>" + "</div>" * 2000).encode()
    assert read_bytes(shallow, source="ok.html").passages[0].text == "Deep text about the dialogue with Serbia."


def test_hostile_nul_bytes_removed(suite: Path) -> None:
    doc = read_file(suite / "nul_bytes.txt")
    assert doc.passages[0].text.startswith("The Ministry of Foreign Affairs welcomes")


def test_hostile_limits_are_options(suite: Path) -> None:
    with pytest.raises(LimitExceededError, match="a.txt: the file is 2,000 bytes, over the limit of 1,000"):
        read_bytes(b"x " * 1000, source="a.txt", limits=Limits(max_bytes=1000))
    with pytest.raises(LimitExceededError, match="characters, over the limit of 50"):
        read_file(suite / "name with spaces.txt", limits=Limits(max_chars=50))
    three = _pdf(3)
    with pytest.raises(LimitExceededError, match="the PDF has 3 pages, over the limit of 2"):
        read_bytes(three, source="three.pdf", limits=Limits(max_pages=2))
    assert "Page 3." in " ".join(
        p.text for p in read_bytes(three, source="three.pdf", limits=Limits(max_pages=3)).passages
    )


def test_hostile_time_limit_names_the_file() -> None:
    with pytest.raises(LimitExceededError, match=r"slow\.html: reading took longer than the time limit of 0\.2 s"):
        with time_limit(0.2, "slow.html"):
            while True:
                pass
    with time_limit(0, "off.txt"), time_limit(None, "off.txt"):
        pass


def test_hostile_time_limit_restores_outer_limit() -> None:
    with pytest.raises(LimitExceededError, match="outer"):
        with time_limit(0.3, "outer"):
            with time_limit(5, "inner"):
                pass
            while True:
                pass


def test_hostile_time_limit_is_a_no_op_outside_the_main_thread() -> None:
    import threading

    outcome: list[str] = []

    def work() -> None:
        with time_limit(0.05, "thread.txt"):
            time.sleep(0.2)
        outcome.append("finished")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["finished"]


def test_hostile_memory_error_becomes_limit_error() -> None:
    with pytest.raises(LimitExceededError, match="bomb.pdf: reading ran out of memory"):
        with memory_guard("bomb.pdf", 1024):
            raise MemoryError


def test_hostile_memory_limit_in_a_worker_process() -> None:
    code = (
        "from mfa_nlp.guard import memory_guard, memory_limit\n"
        "assert memory_limit(512 * 1024 * 1024)\n"
        "try:\n"
        "    with memory_guard('x.pdf', 1):\n"
        "        b = bytearray(2 * 1024 * 1024 * 1024)\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "LimitExceededError", out.stderr


def test_hostile_check_outputs(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("x")
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    check_outputs([src], [tmp_path / "out.jsonl"])
    for out in (src, tmp_path / "." / "a.txt", link):
        with pytest.raises(UnsafeOutputError, match="also an input"):
            check_outputs([src], [out])


def _tag(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(MFA_NLP), "tag", *args, "--no-progress"], capture_output=True, text=True, timeout=600, cwd=cwd, env=env
    )


def _records(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["id"]: r for r in rows}


@pytest.mark.slow
def test_hostile_tag_whole_suite(suite: Path, tmp_path: Path) -> None:
    from mfa_nlp.batch import collect_inputs
    from mfa_nlp.document import content_id

    before_suite, before_samples = _tree(suite), _tree(SAMPLES)
    out = tmp_path / "hostile" / "records.jsonl"
    run = _tag(str(suite), str(SAMPLES), "-o", str(out), "--workers", "2")
    assert run.returncode == 3, run.stderr[-3000:]  # documented: 3 = some inputs failed
    assert "Traceback" not in run.stderr

    records = _records(out)
    error_rows = [json.loads(line) for line in out.with_name("records.errors.jsonl").read_text().splitlines()]
    files, skipped = collect_inputs([suite, SAMPLES])
    unchanged = int(re.search(r"unchanged\)\s*[│|]\s*(\d+)", run.stderr).group(1))
    assert len(records) + len(error_rows) + unchanged + len(skipped) == len(files) + len(skipped)

    # Nothing lost: every input has a record (its own, or a byte-identical copy's) or an error row.
    sources = {r["source"] for r in records.values()} | {e["source"] for e in error_rows}
    for path in files:
        if str(path) not in sources:
            assert content_id(path.read_bytes()) in records, f"{path} lost"
    for row in error_rows:  # a named error class, the file and what to do
        assert row["error"] in ERROR_CLASSES and row["message"].startswith(row["source"]), row
        assert "(" in row["message"], row
    by_name = {
        Path(e["source"]).relative_to(suite).as_posix(): e for e in error_rows if e["source"].startswith(str(suite))
    }
    for name, expect in EXPECTATIONS.items():
        if expect == "error":
            assert name in by_name, f"{name}: expected an error row"
        elif expect == "record":
            assert name not in by_name, f"{name}: {by_name.get(name)}"

    # The good documents come out exactly as in a clean run of the samples alone.
    clean = tmp_path / "clean" / "records.jsonl"
    assert _tag(str(SAMPLES), "-o", str(clean), "--workers", "1").returncode == 0
    clean_records = _records(clean)
    assert clean_records and all(records[i] == r for i, r in clean_records.items())

    # No stray temporary files, inputs untouched.
    written = sorted(p.name for p in out.parent.iterdir())
    assert written == ["records.errors.jsonl", "records.jsonl", "records.jsonl.files"]
    assert _tree(suite) == before_suite and _tree(SAMPLES) == before_samples


def test_hostile_output_equal_to_input_refused(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    doc = inputs / "statement.txt"
    doc.write_text("The Ministry of Foreign Affairs welcomes the agreement.\n", encoding="utf-8")
    before = doc.read_bytes()
    for args in (["-o", str(doc)], ["-o", str(tmp_path / "r.jsonl"), "--errors", str(doc)]):
        run = _tag(str(inputs), *args, "--workers", "1", "--no-entities")
        assert run.returncode == 2, run.stderr
        assert "also an input" in run.stderr and doc.read_bytes() == before
    assert not (tmp_path / "r.jsonl").exists()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "es-bulk"])
def test_hostile_writes_only_into_output_folder(tmp_path: Path, fmt: str) -> None:
    """Titles, file names and places that look like paths never steer where anything is written."""
    from mfa_nlp.batch import tag_paths

    inputs = tmp_path / "in" / "deep"
    inputs.mkdir(parents=True)
    (inputs / "..%2F..%2Fetc%2Fx.html").write_text(
        "<html><head><title>../../etc/x</title></head><body><h1>../../../tmp/evil</h1>"
        "<p>/etc/passwd, 3 May 2021 – The Ministry of Foreign Affairs condemns the attack on the border "
        "crossing and calls for calm.</p></body></html>",
        encoding="utf-8",
    )
    (inputs / "x.txt").write_text("~/.bashrc\n\nC:\\Windows\\x The Ministry welcomes the decision.\n")
    os.chdir(inputs)  # relative paths in content would land here if used
    before = _tree(tmp_path)
    ext = {"jsonl": "jsonl", "parquet": "parquet", "es-bulk": "ndjson"}[fmt]
    try:
        summary = tag_paths(
            [str(inputs)], tmp_path / "out" / f"r.{ext}", fmt=fmt, workers=1, progress=False, entities=False
        )
    finally:
        os.chdir(ROOT)
    assert summary["tagged"] == 2 and summary["errors"] == 0
    after = _tree(tmp_path)
    new = {p for p in after if p not in before}
    assert {p for p in before if after.get(p) != before[p]} == set()
    assert new and all(p.startswith("out/r.") for p in new), new


def test_guard_allocator_settings_apply_where_there_is_glibc() -> None:
    """Issue 11: workers keep spaCy's per-batch arrays in the heap (no page faults per batch)."""
    import platform

    from mfa_nlp.guard import GC_THRESHOLDS, tune_allocator, tune_process

    assert tune_allocator() is (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")
    before = gc.get_threshold()
    try:
        assert tune_process() is tune_allocator()
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.set_threshold(*before)
