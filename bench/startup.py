"""Where the start-up of a first ``analyze_text`` goes, stage by stage, in fresh interpreters (issue 11).

Run: .venv/bin/python bench/startup.py [--repeat 5]

Each repetition runs one fresh interpreter that loads the stages in the order a first
``mfa_nlp.analyze_text`` needs them and times each step with ``perf_counter``:
``import mfa_nlp``, ``import spacy``, langdetect's profiles, the English pipeline (spaCy package
load, then our gazetteer and components on top), the duty model, and the analysis itself.
The best time of each step over the repetitions is printed (a neighbour's load only adds time).

It also times the end of ``mfa-nlp tag ONE_FILE``: from ``main()`` returning to the process's exit
(interpreter teardown, which walked every loaded object before the CLI froze them out of it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import json, time
laps = {}
t = time.perf_counter()
def lap(name):
    global t
    now = time.perf_counter()
    laps[name] = now - t
    t = now
import mfa_nlp
lap("import mfa_nlp")
import spacy
lap("import spacy")
from mfa_nlp import language
language._factory()
lap("langdetect profiles")
from mfa_nlp.entities import get_nlp
get_nlp("en")
lap("English pipeline (package + gazetteer)")
nlp = mfa_nlp.Pipeline()
nlp.classifier
lap("duty model")
nlp.analyze_text("Prishtina, 12 May 2022 - The Minister thanked Germany for its support.")
lap("first analysis")
print(json.dumps(laps))
"""


_EXIT_PROBE = """
import sys, time
from mfa_nlp.cli import main
sys.argv = ["mfa-nlp", "tag", sys.argv[1], "-o", sys.argv[2], "--workers", "1", "--no-progress"]
try:
    main()
finally:
    print(time.time(), file=sys.stderr)
"""


def exit_time() -> float:
    """Seconds from ``main()`` returning to the exit of a ``tag ONE_FILE`` process."""
    sample = ROOT / "corpus" / "samples" / "en_recognition_barbados.html"
    with tempfile.TemporaryDirectory(prefix="mfa-startup-") as tmp:
        cmd = [sys.executable, "-c", _EXIT_PROBE, str(sample), str(Path(tmp) / "out.jsonl")]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        ended = time.time()
    return ended - float(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True).stdout
        for name, seconds in json.loads(out.strip().splitlines()[-1]).items():
            best[name] = min(best.get(name, seconds), seconds)
    for name, seconds in best.items():
        print(f"{name:42s} {seconds:6.3f} s")
    print(f"{'sum of the best steps':42s} {sum(best.values()):6.3f} s")
    print(f"{'tag ONE_FILE: main() returned to exit':42s} {min(exit_time() for _ in range(args.repeat)):6.3f} s")


if __name__ == "__main__":
    main()
