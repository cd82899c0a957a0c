"""Start-up benchmark: duban's window with its task table drawn, against a bare PySide6 window, side by side.

    python bench/bench_startup.py [--runs 9] [--ledger DEMO.sqlite] [--docs-view] [--importtime] [--top 25]

Each run is a fresh process timed from outside (wall clock from spawn to exit, and the child's CPU time
from os.wait4), the two kinds alternating (bare, duban, duban, bare, …) so a change in machine load hits
both alike:

- bare: a PySide6 QMainWindow with a QTreeView (21 annexes) and a QTableView of 373 rows × 10 columns
  (the 2022 plan's size), shown at 1400×860; it exits once the table's viewport has painted, after
  grabbing the window to a PNG as duban's --screenshot does;
- duban: `duban --db COPY gui --screenshot out.png` on a copy of a demo ledger (a year of reports, made by
  `duban demo` when --ledger does not exist): the real start-up (open and check the ledger, read it,
  build and fill the window), ending as the bare one does: once the task table has painted, the window
  is grabbed.  The child checks, at the moment of the grab, that the task table holds every task of the
  plan (not a loading state) and the run fails otherwise.  --docs-view adds a third kind: the docs'
  screenshot as `gui --screenshot` makes it (tree expanded, first row's detail shown), more than a
  clerk's start-up draws.

Prints the medians, the ratio duban/bare (target ≤ 3, issue 13) and the load average before and after.
--importtime adds `python -X importtime` of one duban start: the biggest imports before the first paint
and the total by top-level package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 3.0
BARE_ROWS, BARE_COLUMNS, BARE_ANNEXES = 373, 10, 21


# ---------------------------------------------------------------- children


def duban_child(ledger: str, shot: str, docs_view: bool) -> int:
    """duban's real start-up (`duban --db LEDGER gui --screenshot SHOT`), ending as the bare child does: once the
    task table has painted, the window is grabbed.  docs_view keeps the docs' screenshot instead (tree expanded,
    first row selected and its detail shown: more than a clerk's start-up draws).  Fails unless the table
    holds every task of the plan when grabbed."""
    import desktop.app as app_module
    from desktop.cli import main
    from desktop.yardstick import grab_when_painted, report_drawn

    docs_screenshot = app_module._screenshot
    seen: dict[str, int] = {}

    def checked_grab(app, window, args):
        seen["rows"] = window.table.model().rowCount()  # what the grab below draws
        if docs_view:
            code = docs_screenshot(app, window, args)
            report_drawn()
            return code
        return grab_when_painted(app, window, window.table, args.screenshot)

    app_module._screenshot = checked_grab
    code = main(["--db", ledger, "gui", "--screenshot", shot])
    if code != 0:
        return code
    tasks = _task_count(ledger)  # counted after the timed part has ended
    if not seen or seen["rows"] != tasks or tasks == 0:
        print(f"任务表在截图时不完整：{seen.get('rows')} 行，台账有 {tasks} 项任务", file=sys.stderr)
        return 1
    return 0


def _task_count(ledger: str) -> int:
    """Tasks of the current plan (plain SQL)."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(f"{Path(ledger).resolve().as_uri()}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) FROM task JOIN plan ON plan.id = task.plan_id WHERE plan.is_current").fetchone()[0]


# ---------------------------------------------------------------- parent


class Run(NamedTuple):
    """One child: seconds from spawn to the window drawn (wall, and the child's CPU), and to its exit."""

    drawn: float
    drawn_cpu: float
    exited: float
    exited_cpu: float


def timed(command: list[str], env: dict[str, str]) -> Run:
    """Spawn the child and time it (its DRAWN line gives the moment of the grab); raises if it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()  # CLOCK_MONOTONIC: the same clock in the child
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        exited = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    drawn = [line.split() for line in stdout.splitlines() if line.startswith("DRAWN ")]
    if proc.returncode != 0 or not drawn:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{stdout}{stderr}")
    return Run(float(drawn[-1][1]) - started, float(drawn[-1][2]), exited, usage.ru_utime + usage.ru_stime)


def ensure_demo(ledger: Path, env: dict[str, str]) -> Path:
    if not ledger.exists():
        print(f"building the demo ledger {ledger} (duban demo) …", flush=True)
        subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(ledger), "demo", str(ledger)], cwd=ROOT, env=env, check=True)
    return ledger


def import_breakdown(ledger: Path, shot: Path, env: dict[str, str], top: int) -> None:
    """One duban start under -X importtime: the largest imports (cumulative, then by top-level package)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop.cli", "--db", str(ledger), "gui", "--screenshot", str(shot)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    entries = []  # (self µs, cumulative µs, depth, name)
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip())) // 2
        entries.append((int(own), int(cumulative), depth, name.strip()))
    total = sum(e[0] for e in entries)
    print(f"\nimports before the window is drawn: {len(entries)} modules, {total / 1000:.0f} ms (python -X importtime, one run)")
    print(f"largest (cumulative ms, top {top}; nested entries are included in their parents):")
    for own, cumulative, depth, name in sorted(entries, key=lambda e: -e[1])[:top]:
        print(f"  {cumulative / 1000:7.1f}  {'  ' * min(depth, 6)}{name}")
    by_package: dict[str, int] = {}
    for own, _cumulative, _depth, name in entries:
        by_package[name.split(".")[0]] = by_package.get(name.split(".")[0], 0) + own
    print("by top-level package (self ms):")
    for package, own in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {own / 1000:7.1f}  {package}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each kind (default 9)")
    parser.add_argument("--ledger", default="/tmp/duban-startup-demo.sqlite", help="demo ledger (made with duban demo if missing)")
    parser.add_argument("--docs-view", action="store_true", help="also time the docs' screenshot (first row's detail shown)")
    parser.add_argument("--importtime", action="store_true", help="also break down the imports of one duban start")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--bare-child", metavar="PNG", help=argparse.SUPPRESS)
    parser.add_argument("--duban-child", nargs=3, metavar=("LEDGER", "PNG", "VIEW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_child:
        from desktop.yardstick import bare_child

        return bare_child(args.bare_child, rows=BARE_ROWS, columns=BARE_COLUMNS, annexes=BARE_ANNEXES)
    if args.duban_child:
        ledger, shot, view = args.duban_child
        return duban_child(ledger, shot, docs_view=view == "docs")

    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    demo = ensure_demo(Path(args.ledger), env)
    with tempfile.TemporaryDirectory(prefix="duban-startup-") as scratch:
        ledger = Path(scratch) / "台账.sqlite"  # a copy: its backups and lock stay in the scratch folder
        shutil.copyfile(demo, ledger)
        me = [sys.executable, str(Path(__file__).resolve())]
        commands = {
            "bare": [*me, "--bare-child", str(Path(scratch) / "bare.png")],
            "duban": [*me, "--duban-child", str(ledger), str(Path(scratch) / "duban.png"), "start"],
        }
        labels = {"bare": "bare PySide6 window", "duban": "duban, task table drawn", "docs": "duban, docs screenshot"}
        if args.docs_view:
            commands["docs"] = [*me, "--duban-child", str(ledger), str(Path(scratch) / "docs.png"), "docs"]
        for command in commands.values():  # warm the file cache; the first open of the copy makes its backup
            timed(command, env)
        load_before = os.getloadavg()
        results: dict[str, list[Run]] = {kind: [] for kind in commands}
        for run in range(args.runs):
            order = list(commands) if run % 2 == 0 else list(reversed(commands))
            for kind in order:
                results[kind].append(timed(commands[kind], env))
        load_after = os.getloadavg()
        median = {k: Run(*(statistics.median(getattr(r, f) for r in v) for f in Run._fields)) for k, v in results.items()}
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}, {args.runs} runs each, alternating")
        print(f"ledger: copy of {demo} ({demo.stat().st_size / 1e6:.1f} MB)")
        print("medians, ms from the process's spawn:")
        print(f"{'':28}{'drawn':>8}{'CPU':>7}{'exited':>8}{'CPU':>7}   drawn, each run")
        for kind in commands:
            m = median[kind]
            runs = " ".join(f"{r.drawn * 1000:.0f}" for r in results[kind])
            print(f"{labels[kind]:28}{m.drawn * 1000:8.0f}{m.drawn_cpu * 1000:7.0f}{m.exited * 1000:8.0f}{m.exited_cpu * 1000:7.0f}   {runs}")
        bare = median["bare"]
        for kind in commands:
            if kind == "bare":
                continue
            m = median[kind]
            verdict = (" ✓" if m.drawn / bare.drawn <= TARGET_RATIO else " ✗") if kind == "duban" else ""
            print(
                f"ratio {labels[kind]} / bare: drawn {m.drawn / bare.drawn:.2f}× (CPU {m.drawn_cpu / bare.drawn_cpu:.2f}×), "
                f"exited {m.exited / bare.exited:.2f}× (CPU {m.exited_cpu / bare.exited_cpu:.2f}×)"
                + (f"; target drawn ≤ {TARGET_RATIO:g}×{verdict}" if verdict else "")
            )
        print("load average (1/5/15 min): before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(*load_before, *load_after))
        if args.importtime:
            import_breakdown(ledger, Path(scratch) / "importtime.png", env, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
