"""Benchmark of field packets: export, and the merge of a packet holding 5,000 changed reports.

    python bench/bench_merge.py [LEDGER] [--entries 100000] [--changed 5000] [--runs 5]

The packet covers every unit with 12 months of history.  In it, 80 % of the changes update existing
reports and 20 % add reports for a new month; the office meanwhile changes 1 % of the same reports, so
the merge also records conflicts.  Each run merges into a fresh copy of the ledger.  Prints medians (ms)
and the ratio to the 2 s target.
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

TARGET_MS = 2000


def change_packet(packet_path: Path, changed: int, period: str) -> list:
    """Change `changed` reports in the packet as field work would; returns the updated ones' keys."""
    from sqlalchemy import select

    from db.engine import open_ledger
    from db.models import Assignment, ProgressEntry, Task, Unit
    from db.periods import shift_period
    from db.progress import ProgressInput, add_progress

    packet = open_ledger(packet_path)
    updates = changed * 4 // 5
    with packet.Session.begin() as session:
        rows = session.execute(
            select(Task.code, Unit.name, ProgressEntry.period)
            .join(Task, Task.id == ProgressEntry.task_id)
            .join(Unit, Unit.id == ProgressEntry.unit_id)
            .where(ProgressEntry.deleted_at.is_(None))
            .order_by(ProgressEntry.period.desc(), Task.position, Unit.name)
            .limit(updates)
        ).all()
        if len(rows) < updates:
            raise SystemExit(f"the packet holds only {len(rows)} reports; use a bigger ledger")
        for i, (code, unit, month) in enumerate(rows):
            add_progress(session, ProgressInput(code, unit, month, "推进中", 50 + i % 40, f"外勤核查记录 {i}：现场查看台账资料，约谈责任科室，问题已当场交办。"), operator="外勤")
        new_month = shift_period(period, 1)
        pairs = session.execute(select(Task.code, Unit.name).join(Assignment, Assignment.task_id == Task.id).join(Unit, Unit.id == Assignment.unit_id).order_by(Task.position, Unit.name)).all()
        for i, (code, unit) in enumerate(pairs[: changed - updates]):
            add_progress(session, ProgressInput(code, unit, new_month, "推进中", 60, f"外勤新增 {i}：本月现场督查情况。"), operator="外勤")
    packet.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", nargs="?", default="/tmp/duban-bench-100k.sqlite")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = ensure_ledger(Path(args.ledger), args.entries)

    from db.engine import open_ledger
    from db.packets import export_packet, merge_packet
    from db.progress import ProgressInput, add_progress
    from db.settings import load_settings

    work = Path(tempfile.mkdtemp(prefix="duban-bench-merge-"))
    pristine = work / "pristine" / "ledger.sqlite"
    pristine.parent.mkdir()
    shutil.copy(source, pristine)
    ledger = open_ledger(pristine)
    with ledger.Session() as session:
        period = load_settings(session).current_period
    exports = []
    for run in range(args.runs):
        started = time.perf_counter()
        packet = export_packet(ledger, work / f"packet-{run}.duban", period=period, operator="bench")
        exports.append(time.perf_counter() - started)
    size_mb = packet.stat().st_size / 1e6
    updated = change_packet(packet, args.changed, period)
    with ledger.Session.begin() as session:  # the office keeps working meanwhile: 1 % of the same reports
        for i, (code, unit, month) in enumerate(updated[:: 100]):
            add_progress(session, ProgressInput(code, unit, month, "推进中", 33, f"办公室更正 {i}"), operator="办公室")
    ledger.close()

    merges, report = [], None
    for run in range(args.runs):
        target = work / f"run-{run}" / "ledger.sqlite"
        target.parent.mkdir()
        shutil.copy(pristine, target)
        copy = open_ledger(target)
        started = time.perf_counter()
        report = merge_packet(copy, packet, operator="bench")
        merges.append(time.perf_counter() - started)
        copy.close()
        shutil.rmtree(target.parent)
    counts = report.counts()
    print(f"台账：{source}；数据包 {size_mb:.1f} MB（全部单位，12 个月）；每项 {args.runs} 次取中位数")
    print(f"合并结果：新增 {counts['added']}，更新 {counts['updated']}，冲突 {counts['conflicts']}，无变化 {counts['unchanged']}")
    print(f"{'操作':<24}{'中位数 ms':>12}{'最大 ms':>10}{'目标 ms':>10}{'中位数/目标':>12}")
    for name, samples, target in (("导出外勤数据包", exports, None), (f"合并（{args.changed} 条变更）", merges, TARGET_MS)):
        median = statistics.median(samples) * 1000
        print(f"{name:<24}{median:>12.0f}{max(samples) * 1000:>10.0f}{target or '—':>10}{(f'{median / target:.2f}' if target else '—'):>12}")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
