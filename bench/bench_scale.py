"""The performance record: how each cost grows from 10,000 to 1,000,000 progress entries.

    python bench/bench_scale.py [--sizes 10000 100000 1000000] [--runs 5] [--runs-large 3]
                                [--only NAME ...] [--cache-dir /tmp] [--quiet-wait 120]

For each size the ledger is built once with bench/make_ledger.py (or reused from
CACHE_DIR/duban-bench-<N>.sqlite) and copied to a scratch folder, so its backups and locks stay there.
Every measurement runs in a fresh process, so its peak memory (the child's ru_maxrss from os.wait4) is
its own; what it needs prepared (filled templates, a changed packet) is made by another process first.

Measurements (NAME for --only): window (start to window shown, a fresh `duban gui --screenshot` per
run, timed from outside), filter, search, detail (in a window built from the snapshot, as
bench/bench_window.py does), excel (whole-plan 工作台账), pdf (monthly 通报), import (every unit's
template exported, filled, imported into a fresh copy: the import is timed), merge (a packet with 5,000
changed reports merged into a fresh copy, as bench/bench_merge.py does).

Prints the machine, one table (median ms and peak MB per size, ratio of the largest size to 100,000),
the issue's targets at 100,000 and the 5x growth rule, with failures marked, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

MEASUREMENTS = {  # NAME: (label, target ms at 100,000 or None)
    "window": ("启动到窗口显示", 2000),
    "filter": ("筛选（附件/单位/状态）", 100),
    "search": ("搜索按键", None),
    "detail": ("打开任务详情", None),
    "excel": ("Excel 工作台账（全部任务）", 3000),
    "pdf": ("月度通报 PDF", 5000),
    "import": ("导入报送模板（全部单位）", None),
    "merge": ("合并数据包（5000 条变更）", 2000),
}
TARGET_SIZE = 100_000
MEMORY_TARGET_MB = 400
GROWTH_LIMIT = 5.0
BUSY_LOAD = 1.5
CHANGED = 5000


# ---------------------------------------------------------------- children (one measurement each)


class Clock:
    """Wall and CPU time of each timed step (CPU time shows the work itself when other jobs share the cores)."""

    def __init__(self):
        self.samples: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.samples.append(time.perf_counter() - self._wall)
        self.cpu.append(time.process_time() - self._cpu)

    def scaled(self, k: float) -> "Clock":
        self.samples[-1] /= k
        self.cpu[-1] /= k
        return self

    def result(self, **more) -> dict:
        return {"samples": self.samples, "cpu": self.cpu, **more}

    def timed(self, fn, runs: int) -> dict:
        for _ in range(runs):
            with self:
                fn()
        return self.result()


def _open(ledger_path: Path):
    from db.engine import open_ledger
    from db.settings import load_settings

    ledger = open_ledger(ledger_path)
    with ledger.Session() as session:
        period = load_settings(session).current_period
    return ledger, period


def _window(ledger_path: Path):
    """A window with the ledger's snapshot applied, driven as bench/bench_window.py drives it."""
    from desktop.window_driver import WindowDriver

    ledger, _ = _open(ledger_path)
    driver = WindowDriver(ledger, ledger_path.parent / "bench-prefs.ini")
    driver.build(driver.read())
    return driver


def child_window(ledger_path: Path, work: Path, runs: int) -> dict:
    """Fresh processes timed by bench/bench_window.py's time_start; their CPU and peak memory from RUSAGE_CHILDREN."""
    import resource

    from bench_window import time_start

    samples, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples += time_start(ledger_path, 1, work / "window.png")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {"samples": samples, "cpu": cpu, "children_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def child_filter(ledger_path: Path, work: Path, runs: int) -> dict:
    driver = _window(ledger_path)
    clock = Clock()
    for i in range(runs * 3):
        with clock:
            driver.filter_step(i)
        clock.scaled(3)
        driver.clear_filters()
    return clock.result()


def child_search(ledger_path: Path, work: Path, runs: int) -> dict:
    from desktop.window_driver import SEARCH_KEYSTROKES

    driver = _window(ledger_path)
    clock = Clock()
    for _ in range(runs):
        for text in SEARCH_KEYSTROKES:
            with clock:
                driver.search(text)
        driver.search("")
    return clock.result()


def child_detail(ledger_path: Path, work: Path, runs: int) -> dict:
    driver = _window(ledger_path)
    clock = Clock()
    for i in range(runs * 3):
        with clock:
            driver.open_detail(i)
    return clock.result()


def child_excel(ledger_path: Path, work: Path, runs: int) -> dict:
    from exports import actions

    ledger, period = _open(ledger_path)
    return Clock().timed((lambda: actions.write_ledger(ledger, work / "ledger.xlsx", period=period)), runs)


def child_pdf(ledger_path: Path, work: Path, runs: int) -> dict:
    from exports import actions

    ledger, period = _open(ledger_path)
    return Clock().timed((lambda: actions.write_monthly_report(ledger, work / "report.pdf", period=period)), runs)


def child_prepare_import(ledger_path: Path, work: Path, runs: int) -> dict:
    """Every unit's template, exported from the ledger and filled as the units would."""
    from bench_exports import fill_all

    from exports import actions

    ledger, period = _open(ledger_path)
    folder = work / "templates"
    shutil.rmtree(folder, ignore_errors=True)
    actions.write_templates(ledger, folder, period=period)
    fill_all(folder)
    return {"files": len(list(folder.glob("*.xlsx")))}


def _fresh_copy(ledger_path: Path, work: Path, run: int) -> Path:
    target = work / f"run-{run}" / "ledger.sqlite"
    shutil.rmtree(target.parent, ignore_errors=True)
    target.parent.mkdir()
    shutil.copy(ledger_path, target)
    return target


def child_import(ledger_path: Path, work: Path, runs: int) -> dict:
    from db.engine import open_ledger
    from exports.unit_template import import_templates

    clock = Clock()
    for run in range(runs):
        target = _fresh_copy(ledger_path, work, run)
        ledger = open_ledger(target)
        with clock:
            report = import_templates(ledger, work / "templates", operator="bench")
        ledger.close()
        shutil.rmtree(target.parent)
        if not report.ok:
            raise SystemExit("\n".join(report.lines()[:20]))
    return clock.result()


def child_prepare_merge(ledger_path: Path, work: Path, runs: int) -> dict:
    """A packet of every unit, 5,000 reports changed in it, and the office's 1 % meanwhile (bench/bench_merge.py)."""
    from bench_merge import change_packet

    from db.packets import export_packet
    from db.progress import ProgressInput, add_progress

    pristine = work / "merge" / "ledger.sqlite"
    shutil.rmtree(pristine.parent, ignore_errors=True)
    pristine.parent.mkdir()
    shutil.copy(ledger_path, pristine)
    ledger, period = _open(pristine)
    packet = export_packet(ledger, work / "merge" / "packet.duban", period=period, operator="bench")
    updated = change_packet(packet, CHANGED, period)
    with ledger.Session.begin() as session:
        for i, (code, unit, month) in enumerate(updated[::100]):
            add_progress(session, ProgressInput(code, unit, month, "推进中", 33, f"办公室更正 {i}"), operator="办公室")
    ledger.close()
    return {"packet_mb": packet.stat().st_size / 1e6}


def child_merge(ledger_path: Path, work: Path, runs: int) -> dict:
    from db.engine import open_ledger
    from db.packets import merge_packet

    clock, counts = Clock(), None
    for run in range(runs):
        target = _fresh_copy(work / "merge" / "ledger.sqlite", work, run)
        ledger = open_ledger(target)
        with clock:
            report = merge_packet(ledger, work / "merge" / "packet.duban", operator="bench")
        counts = report.counts()
        ledger.close()
        shutil.rmtree(target.parent)
    return clock.result(counts=counts)


CHILDREN = {
    "window": child_window,
    "filter": child_filter,
    "search": child_search,
    "detail": child_detail,
    "excel": child_excel,
    "pdf": child_pdf,
    "prepare-import": child_prepare_import,
    "import": child_import,
    "prepare-merge": child_prepare_merge,
    "merge": child_merge,
}
PREPARE = {"import": "prepare-import", "merge": "prepare-merge"}


def run_child(name: str, ledger_path: Path, work: Path, runs: int, timeout: float) -> dict:
    """Run one measurement in a fresh process; its result with the peak memory (MB) added."""
    out = work / f"{name}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--child", name, "--ledger", str(ledger_path), "--work", str(work), "--runs", str(runs), "--out", str(out)]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return {"error": f"stopped after {timeout:.0f} s", "load": load_before}
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    # The load our own child added (about 1 while it ran) is not the others' load: count it out of the end figure.
    result = {"load": max(load_before, os.getloadavg()[0] - 1), "wall": time.perf_counter() - started}
    if proc.returncode != 0 or not out.exists():
        result["error"] = f"exit {proc.returncode}"
        return result
    result.update(json.loads(out.read_text()))
    # ru_maxrss is in KiB on Linux.  For `window` the measured programs are the child's own children.
    result["peak_mb"] = max(usage.ru_maxrss, result.get("children_rss_kb", 0)) / 1024
    return result


# ---------------------------------------------------------------- the parent


def machine() -> list[str]:
    from importlib.metadata import version

    import sqlalchemy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    try:
        os_name = next(line.split("=", 1)[1].strip('"') for line in Path("/etc/os-release").read_text().splitlines() if line.startswith("PRETTY_NAME="))
    except (OSError, StopIteration):
        os_name = platform.platform()
    return [
        f"CPU：{cpu}，{os.cpu_count()} 核；内存 {mem_kb / 1024 / 1024:.1f} GiB",
        f"系统：{os_name}（{platform.release()}）；Python {platform.python_version()}；PySide6 {version('PySide6-Essentials')}；SQLAlchemy {sqlalchemy.__version__}",
    ]


def count_entries(path: Path) -> int | None:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM progress_entry WHERE deleted_at IS NULL").fetchone()[0]
    except sqlite3.Error:
        return None


def ledger_for(size: int, cache_dir: Path) -> Path:
    cached = cache_dir / f"duban-bench-{size}.sqlite"
    if cached.exists() and count_entries(cached) == size:
        return cached
    print(f"构建 {size} 条进展记录的台账 → {cached}", flush=True)
    subprocess.run([sys.executable, str(BENCH / "make_ledger.py"), str(cached), "--entries", str(size), "--force"], check=True)
    return cached


def wait_for_quiet(limit: float) -> float:
    """Wait up to `limit` s for the 1-minute load average to drop below BUSY_LOAD; returns it."""
    end = time.monotonic() + limit
    load = os.getloadavg()[0]
    while load > BUSY_LOAD and time.monotonic() < end:
        time.sleep(5)
        load = os.getloadavg()[0]
    return load


def fmt_size(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k" if size % 1000 == 0 else str(size)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--runs-large", type=int, default=3, help="runs at 1,000,000 entries and more (default 3)")
    parser.add_argument("--only", nargs="+", choices=list(MEASUREMENTS), metavar="NAME", help=f"only these: {' '.join(MEASUREMENTS)}")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp"), help="where the built ledgers are kept (duban-bench-<N>.sqlite)")
    parser.add_argument("--quiet-wait", type=float, default=120, help="wait up to this many s for the load average to drop below 1.5 before a measurement, and rerun one measured under load")
    parser.add_argument("--timeout", type=float, default=900, help="stop a measurement after this many s")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    parser.add_argument("--child", choices=list(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--ledger", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        result = CHILDREN[args.child](args.ledger, args.work, args.runs)
        args.out.write_text(json.dumps(result, ensure_ascii=False))
        return 0

    names = args.only or list(MEASUREMENTS)
    load_start = os.getloadavg()
    print("\n".join(machine()))
    print(f"开始时负载（1/5/15 分钟）：{load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}", flush=True)
    results: dict[int, dict[str, dict]] = {}
    runs_at: dict[int, int] = {}
    for size in args.sizes:
        cached = ledger_for(size, args.cache_dir)
        work = Path(tempfile.mkdtemp(prefix=f"duban-bench-scale-{size}-", dir=args.cache_dir))
        ledger_path = work / "ledger.sqlite"
        shutil.copy(cached, ledger_path)
        runs = args.runs_large if size >= 1_000_000 else args.runs
        runs_at[size] = runs
        # The first open checks the copy and takes its routine backup: pay for that before timing.
        subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[2]); from db.engine import open_ledger; open_ledger(sys.argv[1]).close()", str(ledger_path), str(ROOT)], check=True)
        results[size] = {}
        for name in names:
            for step in ([PREPARE[name]] if name in PREPARE else []) + [name]:
                wait_for_quiet(args.quiet_wait)
                result = run_child(step, ledger_path, work, runs, args.timeout)
                if step == name and "error" not in result and result["load"] > BUSY_LOAD and args.quiet_wait > 0:
                    if wait_for_quiet(args.quiet_wait) <= BUSY_LOAD:  # quieter now: measure again, keep the quieter run
                        again = run_child(step, ledger_path, work, runs, args.timeout)
                        if "error" not in again and again["load"] < result["load"]:
                            result = again
                if "error" in result:
                    print(f"  {fmt_size(size)} {step}: 失败（{result['error']}）", flush=True)
                    if step != name:
                        results[size][name] = result
                        break
                if step == name:
                    results[size][name] = result
                    if "samples" in result:
                        print(f"  {fmt_size(size)} {MEASUREMENTS[name][0]}: {statistics.median(result['samples']) * 1000:.0f} ms（CPU {statistics.median(result['cpu']) * 1000:.0f} ms），峰值 {result['peak_mb']:.0f} MB，负载 {result['load']:.2f}", flush=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    load_end = os.getloadavg()
    print_table(results, names, args.sizes, runs_at, load_start, load_end)
    if args.json:
        args.json.write_text(json.dumps({"results": {str(k): v for k, v in results.items()}, "load_start": load_start, "load_end": load_end}, ensure_ascii=False, indent=1))
    return 0


def print_table(results, names, sizes, runs_at, load_start, load_end) -> None:
    big = max(sizes)
    ratio = TARGET_SIZE in sizes and big > TARGET_SIZE
    fails = []
    busy = False
    print()
    print("每次运行次数：" + "，".join(f"{fmt_size(s)} {runs_at[s]} 次" for s in sizes) + "（取中位数；筛选/任务详情为 3 倍次数，搜索为 6 倍次数的按键）")
    head = "| 操作 | " + " | ".join(f"{fmt_size(s)} ms | {fmt_size(s)} MB" for s in sizes) + (f" | {fmt_size(big)}/100k ms | {fmt_size(big)}/100k MB" if ratio else "") + " | 目标（100k） |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name in names:
        label, target = MEASUREMENTS[name]
        cells = []
        for size in sizes:
            r = results.get(size, {}).get(name)
            if r is None or "samples" not in r:
                cells += [f"失败：{r['error']}" if r else "—", "—"]
                continue
            ms = statistics.median(r["samples"]) * 1000
            mark = "⚠" if r["load"] > BUSY_LOAD else ""
            busy = busy or bool(mark)
            ms_cell, mb_cell = f"{ms:.0f}{mark}", f"{r['peak_mb']:.0f}"
            if size == TARGET_SIZE and target and ms >= target:
                ms_cell += " ✗"
                fails.append(f"{label} 在 100k：{ms:.0f} ms ≥ 目标 {target} ms")
            if size == TARGET_SIZE and r["peak_mb"] >= MEMORY_TARGET_MB:
                mb_cell += " ✗"
                fails.append(f"{label} 在 100k：峰值内存 {r['peak_mb']:.0f} MB ≥ {MEMORY_TARGET_MB} MB")
            cells += [ms_cell, mb_cell]
        if ratio:
            a, b = results.get(TARGET_SIZE, {}).get(name), results.get(big, {}).get(name)
            if a and b and "samples" in a and "samples" in b:
                rt = statistics.median(b["samples"]) / statistics.median(a["samples"])
                rm = b["peak_mb"] / a["peak_mb"]
                cells += [f"{rt:.2f}" + (" ✗" if rt > GROWTH_LIMIT else ""), f"{rm:.2f}" + (" ✗" if rm > GROWTH_LIMIT else "")]
                if rt > GROWTH_LIMIT:
                    fails.append(f"{label}：{fmt_size(big)} 耗时是 100k 的 {rt:.1f} 倍（> {GROWTH_LIMIT:.0f} 倍）")
                if rm > GROWTH_LIMIT:
                    fails.append(f"{label}：{fmt_size(big)} 峰值内存是 100k 的 {rm:.1f} 倍（> {GROWTH_LIMIT:.0f} 倍）")
            else:
                cells += ["—", "—"]
        cells.append(f"< {target} ms" if target else "—")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("\nCPU 时间中位数（ms；不含等待 CPU 与磁盘的时间，其他任务占用本机时更能反映操作本身）")
    head = "| 操作 | " + " | ".join(fmt_size(s) for s in sizes) + (f" | {fmt_size(big)}/100k |" if ratio else " |")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name in names:
        cpu = {s: statistics.median(r["cpu"]) * 1000 for s in sizes if (r := results.get(s, {}).get(name)) and "cpu" in r}
        cells = [f"{cpu[s]:.0f}" if s in cpu else "—" for s in sizes]
        if ratio:
            cells.append(f"{cpu[big] / cpu[TARGET_SIZE]:.2f}" if big in cpu and cpu.get(TARGET_SIZE) else "—")
        print(f"| {MEASUREMENTS[name][0]} | " + " | ".join(cells) + " |")
    print(f"\n目标：100k 时 窗口 < 2 s、筛选 < 100 ms、Excel < 3 s、PDF < 5 s、合并 < 2 s、各项峰值内存 < {MEMORY_TARGET_MB} MB；1M 各项不超过 100k 的 {GROWTH_LIMIT:.0f} 倍。")
    if TARGET_SIZE not in sizes:
        print("（未测 100k，目标未检查）")
    elif fails:
        print("未达标 ✗：")
        for line in fails:
            print(f"  ✗ {line}")
    else:
        print("全部达标 ✓")
    print(f"负载（1/5/15 分钟）：开始 {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}，结束 {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    if busy:
        print(f"⚠ = 该项测量时 1 分钟负载 > {BUSY_LOAD}（本机 2 核，有其他测试在运行），数字偏大，仅供参考。")


if __name__ == "__main__":
    sys.exit(main())
