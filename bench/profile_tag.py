"""Where `tag` spends its time: each stage's share of the spaCy NER's own time (issue 11).

Run: .venv/bin/python bench/profile_tag.py [--docs 600]

Tags ``--docs`` generated English statements (the same archive as ``bench/batch.py``) with
``mfa-nlp tag --workers 1`` under cProfile, and a one-document archive the same way; each stage's
cumulative time in the second run is taken from the first, which leaves the work per document
(start-up, model loading and imports cancel out). cProfile slows pure-Python code more than
spaCy's compiled code, so our stages' shares here are upper bounds; the ranking is what to read.
"""

from __future__ import annotations

import argparse
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import make_archive  # noqa: E402 - the bench's own archive generator

#: Entry points whose cumulative time is summed: (file suffix, function name).
POINTS: dict[str, list[tuple[str, str]]] = {
    "pipe": [("spacy/language.py", "pipe")],
    "components": [("entities/nlp.py", "__call__")],
    "entities": [("entities/__init__.py", "annotate_texts")],
    "read + extract": [("ingest/__init__.py", "read_file")],
    "duty model": [("duties/__init__.py", "annotate_docs")],
    "language": [("mfa_nlp/language.py", "annotate")],
    "records out": [("mfa_nlp/export.py", "append"), ("mfa_nlp/document.py", "to_dict")],
}


def cumulative(stats: pstats.Stats, points: list[tuple[str, str]]) -> float:
    """Summed cumulative seconds of the functions named by ``points`` (cProfile counts a recursive call once)."""
    total = 0.0
    for (filename, _, func), (_, _, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        if any(func == name and filename.endswith(suffix) for suffix, name in points):
            total += ct
    return total


def profile(folder: Path, out: Path) -> pstats.Stats:
    prof = out.with_suffix(".prof")
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "mfa_nlp.cli", "tag", str(folder)]
    cmd += ["-o", str(out), "--workers", "1", "--no-progress"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return pstats.Stats(str(prof))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mfa-profile-") as tmp:
        base = Path(tmp)
        make_archive(base / "one", 1)
        make_archive(base / "many", args.docs)
        one, many = profile(base / "one", base / "one.jsonl"), profile(base / "many", base / "many.jsonl")
    per_doc = {k: cumulative(many, pts) - cumulative(one, pts) for k, pts in POINTS.items()}
    total = many.total_tt - one.total_tt  # type: ignore[attr-defined]
    ner = per_doc["pipe"] - per_doc["components"]  # the components run inside spaCy's pipe
    rows = {
        "spaCy NER (with its tokenizer)": ner,
        "our spaCy components": per_doc["components"],
        "entity objects": per_doc["entities"] - per_doc["pipe"],
        **{k: per_doc[k] for k in ("read + extract", "duty model", "language", "records out")},
    }
    rows["everything else"] = total - sum(rows.values())
    print(f"{args.docs} documents minus 1, cProfile, `tag --workers 1`\n")
    print(f"{'stage':32s} {'seconds':>8s} {'of total':>9s} {'vs NER':>8s}")
    for stage, seconds in rows.items():
        print(f"{stage:32s} {seconds:8.2f} {seconds / total:9.1%} {seconds / ner:8.1%}")
    print(f"{'total':32s} {total:8.2f}")
    print("\ntop ten by own time (the whole run):")
    many.sort_stats("tottime").print_stats(10)


if __name__ == "__main__":
    main()
