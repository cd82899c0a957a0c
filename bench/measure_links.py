"""Precision of the suggested 附件1 links on the hand-read sample (tests/data/handread/measure_links_2022.json).

    python bench/measure_links.py [LEDGER] [--min-score 0.2] [--show]

Without LEDGER a fresh ledger of the bundled 2022 plan is made in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HAND_READING = ROOT / "tests" / "data" / "handread" / "measure_links_2022.json"


def hand_reading() -> dict[str, list[str]]:
    data = json.loads(HAND_READING.read_text(encoding="utf-8"))
    return {code: entry["tasks"] for code, entry in data.items() if not code.startswith("_")}


def main() -> int:
    from db.engine import open_ledger
    from db.ledger import init_from_bundled_plan
    from db.link_scoring import agreement
    from db.measure_links import MIN_SCORE, suggest_for_plan

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", nargs="?")
    parser.add_argument("--min-score", type=float, default=MIN_SCORE)
    parser.add_argument("--show", action="store_true", help="每项措施的建议与手工核定对照")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ledger = open_ledger(args.ledger or Path(folder) / "plan.sqlite")
        if not args.ledger:
            init_from_bundled_plan(ledger, operator="bench")
        with ledger.Session() as session:
            suggestions = suggest_for_plan(session, min_score=args.min_score)
        ledger.close()
    truth = hand_reading()
    codes = {m: [c.task_code for c in cands] for m, cands in suggestions.items()}
    if args.show:
        for measure, true_codes in truth.items():
            marks = [f"{c.task_code}{'✓' if c.task_code in true_codes else '✗'}{c.score:.2f}" for c in suggestions.get(measure, [])]
            missed = [c for c in true_codes if c not in codes.get(measure, [])]
            print(f"{measure}\t{' '.join(marks) or '（无建议）'}\t漏：{' '.join(missed) or '—'}")
    print(f"手工核定样本：{len(truth)} 项措施（阈值 {args.min_score}）")
    print("\n".join(agreement(codes, truth).lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
