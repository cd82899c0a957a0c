"""Run the hostile-input suite's cases and print, per kind, how many were tried, refused cleanly, accepted correctly,
refused unclearly, crashed and wrote what they should not; with one reproducer per distinct failure.

    PYTHONPATH=. python bench/fuzz_report.py                 # the CI sizes (about 1,100 cases)
    PYTHONPATH=. python bench/fuzz_report.py --total 10000   # the long mode
    PYTHONPATH=. python bench/fuzz_report.py --kind packet_meta --seed 2 -v   # one case again

Case i of a kind is mutated by random.Random(i), so a (kind, seed) pair names a case for good.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DUBAN_LOG_DIR", tempfile.mkdtemp(prefix="duban-fuzz-logs-"))

from tests.hostile import world as sample  # noqa: E402
from tests.hostile.cases import KINDS, cases_per_kind, run_case  # noqa: E402
from tests.hostile.oracle import OUTCOMES, Bench  # noqa: E402

LABELS = {"refused": "refused cleanly", "accepted": "accepted correctly", "unclear": "refused unclearly", "crashed": "crashed",
          "bad_write": "bad writes"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, help="cases in all (default: DUBAN_FUZZ_CASES, else the CI sizes)")
    parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="only this kind (repeatable)")
    parser.add_argument("--seed", type=int, help="run only this case of each kind")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failing case")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (with --seed: the mutated file is in cases/case/)")
    args = parser.parse_args(argv)
    if args.total:
        os.environ["DUBAN_FUZZ_CASES"] = str(args.total)
    sizes = cases_per_kind()
    kinds = args.kind or list(KINDS)

    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="duban-fuzz-"))
    bench = Bench(sample.build(root / "world"), root / "cases")
    print(f"world built in {time.perf_counter() - started:.1f} s under {root}")
    header = f"{'kind':26} {'tried':>6} " + " ".join(f"{LABELS[o]:>18}" for o in OUTCOMES) + f" {'ms/case':>8}"
    print(header)
    totals: Counter = Counter()
    failures: list[str] = []
    for kind in kinds:
        counts: Counter = Counter()
        seen: set = set()
        t0 = time.perf_counter()
        seeds = [args.seed] if args.seed is not None else range(sizes[kind])
        for seed in seeds:
            verdict, what = run_case(kind, random.Random(seed), bench)
            counts[verdict.outcome] += 1
            if not verdict.ok:
                key = (kind, verdict.outcome, verdict.detail[:60])
                if args.verbose or key not in seen:
                    failures.append(f"{kind} --seed {seed}: {verdict.outcome}: {verdict.detail[:200]}\n    mutation: {what[:200]}")
                seen.add(key)
        tried = sum(counts.values())
        totals.update(counts)
        ms = 1000 * (time.perf_counter() - t0) / max(tried, 1)
        print(f"{kind:26} {tried:6} " + " ".join(f"{counts[o]:18}" for o in OUTCOMES) + f" {ms:8.0f}")
    print(f"{'total':26} {sum(totals.values()):6} " + " ".join(f"{totals[o]:18}" for o in OUTCOMES))
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    if args.keep:
        print(f"work folder kept: {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    if failures:
        print("\nDistinct failures (one reproducer each; rerun with --kind K --seed N):")
        print("\n".join(failures))
    return 1 if any(totals[o] for o in ("unclear", "crashed", "bad_write")) else 0


if __name__ == "__main__":
    sys.exit(main())
