"""Score the recognition ledger on the gold set, and choose the recognition gate by measurement.

Tags every gold passage once (``corpus/events/gold``), then scores the rules with each gate
(the ``recognition`` score a passage needs) and prints the table for the shipped gate.

Usage: ``.venv/bin/python bench/events.py [GOLD] [--gates 0,0.1,0.2,...] [--errors N]``
(``mfa-nlp evaluate-events`` prints the same table for one gate.)
"""

from __future__ import annotations

import argparse
import time

from mfa_nlp import events
from mfa_nlp.events.evaluate import DEFAULT_GOLD, format_events_report, load_gold, score, tag_gold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", default=str(DEFAULT_GOLD))
    ap.add_argument("--gates", default="0,0.05,0.1,0.15,0.2,0.3,0.4,0.5", help="comma-separated gates to try")
    ap.add_argument("--errors", type=int, default=0, help="print this many passages the rules got wrong")
    args = ap.parse_args()
    rows = load_gold(args.gold)
    t0 = time.perf_counter()
    docs = tag_gold(rows)
    print(f"tagged {len(rows)} gold passages in {time.perf_counter() - t0:.1f} s\n")
    print(f"{'gate':>5} {'F1 all':>7} {'en':>6} {'sq':>6} {'sr':>6}  worst kind")
    for gate in (float(g) for g in args.gates.split(",")):
        s = score(rows, docs, gate=gate)["scores"]
        kinds = {k: v["f1"] for k, v in s.items() if k.startswith("kind:")}
        worst = min(kinds, key=kinds.get) if kinds else "-"
        langs = " ".join(f"{s.get(f'lang:{lang}', {}).get('f1', float('nan')):6.3f}" for lang in ("en", "sq", "sr"))
        print(f"{gate:5.2f} {s['all']['f1']:7.3f} {langs}  {worst} {kinds.get(worst, float('nan')):.3f}")
    result = score(rows, docs)
    print(f"\nshipped gate {events.GATE}:\n{format_events_report(result)}")
    for err in result["errors"][: args.errors]:
        print(f"\n[{err['lang']}] {err['text']}\n   missed {err['missed']}  spurious {err['spurious']}")


if __name__ == "__main__":
    main()
