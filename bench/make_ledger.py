"""Build a benchmark ledger: the bundled 2022 plan in a new file, filled with demo progress.

    python bench/make_ledger.py OUT [--entries 100000] [--seed 2022] [--force]

100,000 entries reach back to late 2015 (one report per assignment per month); see db/demo.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ensure_ledger(path: Path, entries: int) -> Path:
    """The benchmark ledger at path, built first (in a separate process, as a user would) if it does not exist."""
    import subprocess

    if not path.exists():
        subprocess.run([sys.executable, str(Path(__file__)), str(path), "--entries", str(entries)], check=True)
    return path


def main() -> int:
    from db.demo import build_demo_ledger
    from db.errors import UserError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="output ledger file")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--force", action="store_true", help="replace an existing OUT")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        result = build_demo_ledger(None, Path(args.out), entries=args.entries, seed=args.seed, force=args.force)
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(
        f"{args.out}: {result.entries} entries {result.first_period}..{result.last_period}, "
        f"{result.sign_offs} sign-offs, {result.extensions} extensions, marks for {len(result.marked_periods)} months; "
        f"{time.perf_counter() - started:.1f} s (plan import included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
