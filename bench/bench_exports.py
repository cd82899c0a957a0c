"""Benchmark of the exports and the template round trip on a large ledger.

    python bench/bench_exports.py [LEDGER] [--entries 100000] [--runs 5]

Prints medians (ms) of: the whole-plan Excel 工作台账, the monthly PDF 通报, the 督办通知单,
every unit's 报送模板, and importing every template back filled; and the ratio to each target.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from make_ledger import ensure_ledger  # noqa: E402 - bench/ is on the path when a script here runs

TARGETS_MS = {"Excel 工作台账（全部任务）": 3000, "月度通报 PDF": 5000}


def timed(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def fill_all(folder: Path) -> None:
    """Fill every input row of every template as a unit would (status, percent, text)."""
    from openpyxl import load_workbook

    for path in sorted(folder.glob("*.xlsx")):
        wb = load_workbook(path)
        ws = wb["进展报送"]
        header = next(r for r in range(1, 10) if ws.cell(r, 3).value == "任务编号")
        columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
        for r in range(header + 1, ws.max_row + 1):
            if ws.cell(r, 3).value:
                ws.cell(r, columns["完成状态"]).value = "推进中"
                ws.cell(r, columns["进度"]).value = 50
                ws.cell(r, columns["进展情况"]).value = "按计划推进，已召开专题推进会。"
        wb.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", nargs="?", default="/tmp/duban-bench-100k.sqlite")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = ensure_ledger(Path(args.ledger), args.entries)

    from db.engine import open_ledger
    from db.settings import load_settings
    from exports import actions
    from exports.unit_template import import_templates

    work = Path(tempfile.mkdtemp(prefix="duban-bench-"))
    copy = work / "ledger.sqlite"
    shutil.copy(source, copy)
    ledger = open_ledger(copy)
    with ledger.Session() as session:
        period = load_settings(session).current_period
    results = {
        "Excel 工作台账（全部任务）": timed(lambda: actions.write_ledger(ledger, work / "ledger.xlsx", period=period), args.runs),
        "预警清单": timed(lambda: actions.write_warnings(ledger, work / "warnings.xlsx", period=period), args.runs),
        "月度通报 PDF": timed(lambda: actions.write_monthly_report(ledger, work / "report.pdf", period=period), args.runs),
        "督办通知单 PDF（全部单位）": timed(lambda: actions.write_notices(ledger, work / "notices", period=period), args.runs),
        "报送模板（全部单位）": timed(lambda: actions.write_templates(ledger, work / "templates", period=period), args.runs),
    }
    fill_all(work / "templates")
    files = len(list((work / "templates").glob("*.xlsx")))
    results[f"导入报送模板（{files} 个文件，首次）"] = timed(lambda: import_templates(ledger, work / "templates", operator="bench"), 1)
    results["再次导入（无变化）"] = timed(lambda: import_templates(ledger, work / "templates", operator="bench"), args.runs)
    print(f"台账：{source}，期间 {period}，每项 {args.runs} 次取中位数（首次导入 1 次）")
    print(f"{'操作':<28}{'中位数 ms':>12}{'目标 ms':>10}{'中位数/目标':>12}")
    for name, samples in results.items():
        target = TARGETS_MS.get(name)
        median = statistics.median(samples) * 1000
        print(f"{name:<28}{median:>12.0f}{target or '—':>10}{(f'{median / target:.2f}' if target else '—'):>12}")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
