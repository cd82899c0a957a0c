"""Start-up benchmark: duban's window with its task table drawn, against a bare PySide6 window, side by side.

    python bench/bench_startup.py [--runs 9] [--ledger DEMO.sqlite] [--importtime] [--top 25]

Each run is a fresh process timed from outside (wall clock from spawn to exit, and the child's CPU time
from os.wait4), the two kinds alternating (bare, duban, duban, bare, …) so a change in machine load hits
both alike:

- bare: a PySide6 QMainWindow with a QTreeView (21 annexes) and a QTableView of 373 rows × 10 columns
  (the 2022 plan's size), shown at 1400×860; it exits once the table's viewport has painted, after
  grabbing the window to a PNG as duban's --screenshot does;
- duban: `duban --db COPY gui --screenshot out.png` on a copy of a demo ledger (a year of reports, made by
  `duban demo` when --ledger does not exist), i.e. open the ledger, read it, draw the window and grab it.
  The child checks, at the moment of the grab, that the task table holds every task of the plan (not a
  loading state) and the run fails otherwise.

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

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 3.0
BARE_ROWS, BARE_COLUMNS, BARE_ANNEXES = 373, 10, 21


# ---------------------------------------------------------------- children


def bare_child(shot: str) -> int:
    """A bare PySide6 window with a tree and a filled table; exits once the table has painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTableView, QTreeView

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1400, 860)
    tree_model = QStandardItemModel()
    for annex in range(1, BARE_ANNEXES + 1):
        item = QStandardItem(f"附件{annex} 优化营商环境专项行动")
        item.appendRows([QStandardItem(f"（{n}）重点任务") for n in range(1, 6)])
        tree_model.appendRow(item)
    table_model = QStandardItemModel(BARE_ROWS, BARE_COLUMNS)
    for row in range(BARE_ROWS):
        for column in range(BARE_COLUMNS):
            table_model.setItem(row, column, QStandardItem(f"任务 {row + 1} 第 {column + 1} 列 推进营商环境优化提升"))
    tree, table = QTreeView(), QTableView()
    tree.setModel(tree_model)
    table.setModel(table_model)
    splitter = QSplitter()
    splitter.addWidget(tree)
    splitter.addWidget(table)
    window.setCentralWidget(splitter)

    class Painted(QObject):
        def eventFilter(self, _watched, event):
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, finish)
            return False

    def finish() -> None:
        window.grab().save(shot)
        app.quit()

    watcher = Painted()
    table.viewport().installEventFilter(watcher)
    window.show()
    return app.exec()


def duban_child(ledger: str, shot: str) -> int:
    """`duban --db LEDGER gui --screenshot SHOT`, failing unless the table holds every task when grabbed."""
    import desktop.app as app_module
    from desktop.cli import main

    grab = app_module._screenshot
    seen: dict[str, int] = {}

    def checked_grab(app, window, args):
        seen["rows"] = window.table.model().rowCount()  # what the grab below draws
        return grab(app, window, args)

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


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds from spawn to exit and the child's CPU seconds (user + system); raises if it fails."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{out.decode()}{err.decode()}")
    return wall, usage.ru_utime + usage.ru_stime


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
    parser.add_argument("--importtime", action="store_true", help="also break down the imports of one duban start")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--bare-child", metavar="PNG", help=argparse.SUPPRESS)
    parser.add_argument("--duban-child", nargs=2, metavar=("LEDGER", "PNG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_child:
        return bare_child(args.bare_child)
    if args.duban_child:
        return duban_child(*args.duban_child)

    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    demo = ensure_demo(Path(args.ledger), env)
    with tempfile.TemporaryDirectory(prefix="duban-startup-") as scratch:
        ledger = Path(scratch) / "台账.sqlite"  # a copy: its backups and lock stay in the scratch folder
        shutil.copyfile(demo, ledger)
        bare_shot, duban_shot = Path(scratch) / "bare.png", Path(scratch) / "duban.png"
        bare_cmd = [sys.executable, str(Path(__file__).resolve()), "--bare-child", str(bare_shot)]
        duban_cmd = [sys.executable, str(Path(__file__).resolve()), "--duban-child", str(ledger), str(duban_shot)]
        timed(bare_cmd, env), timed(duban_cmd, env)  # warm the file cache and the first-open backup once
        load_before = os.getloadavg()
        results: dict[str, list[tuple[float, float]]] = {"bare": [], "duban": []}
        for run in range(args.runs):
            order = ("bare", "duban") if run % 2 == 0 else ("duban", "bare")
            for kind in order:
                results[kind].append(timed(bare_cmd if kind == "bare" else duban_cmd, env))
        load_after = os.getloadavg()
        wall = {k: statistics.median(w for w, _ in v) for k, v in results.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in results.items()}
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}, {args.runs} runs each, alternating")
        print(f"ledger: copy of {demo} ({demo.stat().st_size / 1e6:.1f} MB)")
        print(f"{'':28}{'wall ms':>9}{'CPU ms':>9}   all wall ms")
        for kind, label in (("bare", "bare PySide6 window"), ("duban", "duban, task table drawn")):
            runs = " ".join(f"{w * 1000:.0f}" for w, _ in results[kind])
            print(f"{label:28}{wall[kind] * 1000:9.0f}{cpu[kind] * 1000:9.0f}   {runs}")
        ratio, cpu_ratio = wall["duban"] / wall["bare"], cpu["duban"] / cpu["bare"]
        verdict = "✓" if ratio <= TARGET_RATIO else "✗"
        print(f"ratio duban/bare: wall {ratio:.2f}×, CPU {cpu_ratio:.2f}×  (target ≤ {TARGET_RATIO:g}× {verdict})")
        print("load average (1/5/15 min): before {:.2f} {:.2f} {:.2f}, after {:.2f} {:.2f} {:.2f}".format(*load_before, *load_after))
        if args.importtime:
            import_breakdown(ledger, duban_shot, env, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
