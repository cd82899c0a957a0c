"""Benchmark of many writers at once on a PostgreSQL ledger, and the whole-plan export on PostgreSQL against SQLite.

    python bench/pg_concurrency.py [--url postgresql://USER:PW@HOST:PORT/DB] [--clients 20] [--reports 20] [--runs 5]
                                   [--login LOGIN] [--password-env VAR]

Without --url a throwaway cluster is started with tests/pg_server.py (Debian's PostgreSQL, a temp dir,
a free local port) and removed at the end; with --url that database is used (it must be empty or a
ledger: the bench loads the bundled plan, then works on a copy per run made with CREATE DATABASE …
TEMPLATE, so the owner login needs CREATEDB).  --login runs every client as another login (made by
`duban user add`), its password taken from the environment variable --password-env; as each client
reports for a different unit, that login must be one that may write them all (an office login).

Each run: `clients` processes, each with its own engine, save a month of reports for one unit
(`reports` each, each its own transaction through db.progress.save_progress, as the window and the
command line do), while the office exports the whole-plan Excel 工作台账 (exports.actions.write_ledger,
as `duban export ledger`).  Then every report is checked to be committed with the content sent, the
same reports are saved into a SQLite ledger, and the export is timed on both.  Prints per run and the
medians over the runs: one save's median and 95th percentile, the export under load, and the export
on PostgreSQL against SQLite (target ≤ 1.5×), with the statements each export sends.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.5
EXPORT_REPEATS = 3


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[rank]


def client_url(url: str, login: str | None, password_env: str | None) -> str:
    """The ledger's address with the clients' login (and its password from the environment) in place of the owner's."""
    from sqlalchemy.engine import make_url

    if not login:
        return url
    made = make_url(url).set(username=login, password=os.environ.get(password_env or "", None) if password_env else None)
    return made.render_as_string(hide_password=False)


def work_plan(url: str, clients: int, reports: int) -> tuple[str, list[tuple[str, list[str]]]]:
    """The period and, per client, a unit and the tasks it reports: the units with the most tasks, never a collective."""
    from db.engine import open_ledger
    from db.ledger import list_units
    from db.progress import batch_rows
    from db.settings import load_settings

    ledger = open_ledger(url)
    try:
        with ledger.Session() as session:
            period = load_settings(session).current_period
            units = sorted((u for u in list_units(session) if u.kind != "集合"), key=lambda u: -(u.lead_tasks + u.support_tasks))
            plan = []
            for unit in units:
                rows = [r.task_code for r in batch_rows(session, unit.name, period) if r.signed_off is None][:reports]
                if rows:
                    plan.append((unit.name, rows))
                if len(plan) == clients:
                    break
    finally:
        ledger.close()
    return period, plan


def text_of(unit: str, code: str, run: int) -> str:
    return f"第 {run} 轮：{unit}关于{code}的本月进展，已按计划推进并召开专题会议。"


def client(url: str, unit: str, codes: list[str], period: str, run: int, ready, start, results) -> None:
    """One unit's clerk: its own engine, one report per transaction, each save timed."""
    from db.engine import open_ledger
    from db.progress import ProgressInput, save_progress

    try:
        ledger = open_ledger(url)
        with ledger.Session() as session:
            session.connection()  # connected before the start, like a clerk with the window open
    except Exception as exc:  # a login refused, say: the parent stops the run with it
        ready.put(f"{unit}：{exc!r:.300}")
        return
    ready.put(None)
    try:
        start.wait()
        began_all = time.time()
        times = []
        for code in codes:
            entry = ProgressInput(code, unit, period, "推进中", 50, text_of(unit, code, run), "暂无", "继续推进", reporter=unit[:20], version=0)
            began = time.perf_counter()
            save_progress(ledger, entry, operator=f"bench-{unit[:20]}")
            times.append(time.perf_counter() - began)
        results.put((unit, times, None, (began_all, time.time())))
    except Exception as exc:  # reported by the parent: a lost or refused save fails the run
        results.put((unit, [], repr(exc), None))
    finally:
        ledger.close()


def solo_saves(url: str, plan, period: str, run: int) -> list[float]:
    """The first client's reports saved again by it alone (an update each, checked against the version): no other writer."""
    from db.engine import open_ledger
    from db.progress import ProgressInput, save_progress

    unit, codes = plan[0]
    ledger = open_ledger(url)
    try:
        times = []
        for code in codes:
            entry = ProgressInput(code, unit, period, "推进中", 60, text_of(unit, code, run) + "（补充）", "暂无", "继续推进", reporter=unit[:20], version=1)
            began = time.perf_counter()
            save_progress(ledger, entry, operator=f"bench-{unit[:20]}")
            times.append(time.perf_counter() - began)
        return times
    finally:
        ledger.close()


def counted_export(ledger, path: Path, period: str) -> tuple[float, int]:
    """One whole-plan 工作台账 export: seconds, and the SQL statements it sent."""
    from sqlalchemy import event

    from exports import actions

    statements = [0]

    def count(*_args):
        statements[0] += 1

    event.listen(ledger.engine, "before_cursor_execute", count)
    try:
        began = time.perf_counter()
        actions.write_ledger(ledger, path, period=period)
        return time.perf_counter() - began, statements[0]
    finally:
        event.remove(ledger.engine, "before_cursor_execute", count)


def timed_read(ledger, period: str) -> float:
    """The export's reading alone (db.report_data.period_report, as write_ledger reads): the engine's share of the export."""
    from db.report_data import period_report

    began = time.perf_counter()
    with ledger.Session() as session:
        period_report(session, period)
    return time.perf_counter() - began


def verify(ledger, plan, period: str, run: int) -> int:
    """Every report sent is in the ledger once, with the content sent; returns how many."""
    from db.progress import list_progress

    with ledger.Session() as session:
        found = {(v.unit, v.task): v for v in list_progress(session, period=period)}
    expected = {(unit, code): text_of(unit, code, run) for unit, codes in plan for code in codes}
    missing = [k for k in expected if k not in found]
    wrong = [k for k, text in expected.items() if k in found and (found[k].progress_text, found[k].version) != (text, 1)]
    if missing or wrong or len(found) != len(expected):
        raise SystemExit(f"第 {run} 轮：缺少 {len(missing)} 条，内容不符 {len(wrong)} 条，台账中 {len(found)} 条，应为 {len(expected)} 条")
    return len(expected)


def sqlite_twin(source: Path, work: Path, plan, period: str, run: int):
    """A SQLite ledger with the same plan and the same reports, for the export comparison."""
    from db.engine import open_ledger
    from db.progress import ProgressInput, save_batch

    path = work / f"run{run}.sqlite"
    shutil.copy(source, path)
    ledger = open_ledger(path)
    for unit, codes in plan:
        with ledger.Session.begin() as session:
            save_batch(session, [ProgressInput(c, unit, period, "推进中", 50, text_of(unit, c, run), "暂无", "继续推进", reporter=unit[:20]) for c in codes],
                       operator="bench")
    return ledger


def one_run(args, run: int, template_url: str, make_copy, sqlite_source: Path, work: Path) -> dict:
    from db.engine import open_ledger

    url = make_copy(template_url)
    period, plan = work_plan(url, args.clients, args.reports)
    ctx = mp.get_context("spawn")
    ready, start, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    clients_url = client_url(url, args.login, args.password_env)
    procs = [ctx.Process(target=client, args=(clients_url, unit, codes, period, run, ready, start, results)) for unit, codes in plan]
    for p in procs:
        p.start()
    office = open_ledger(url)
    refused = [problem for _ in procs if (problem := ready.get(timeout=300))]  # every client imported and connected
    if refused:
        for p in procs:
            p.terminate()
        raise SystemExit(f"第 {run} 轮：{len(refused)} 个客户端未能连接，例如 {refused[0]}")
    start.set()
    under_load, _ = counted_export(office, work / "loaded.xlsx", period)
    outcomes = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(60)
    failed = [(unit, error) for unit, _times, error, _span in outcomes if error]
    if failed:
        raise SystemExit(f"第 {run} 轮有客户端失败：{failed[:3]}")
    saves = [t for _unit, times, _error, _span in outcomes for t in times]
    spans = [span for *_rest, span in outcomes]
    load_wall = max(end for _start, end in spans) - min(start for start, _end in spans)  # first save begun to last one done
    committed = verify(office, plan, period, run)
    twin = sqlite_twin(sqlite_source, work, plan, period, run)
    pg, lite, pg_read, lite_read = [], [], [], []
    for _ in range(EXPORT_REPEATS):  # alternated, so a disturbance of the machine falls on both
        pg.append(counted_export(office, work / "pg.xlsx", period))
        lite.append(counted_export(twin, work / "lite.xlsx", period))
        pg_read.append(timed_read(office, period))
        lite_read.append(timed_read(twin, period))
    twin.close()
    office.close()
    alone = solo_saves(url, plan, period, run)
    result = {
        "clients": len(plan),
        "committed": committed,
        "throughput_per_s": len(saves) / load_wall,
        "alone_median_ms": statistics.median(alone) * 1000,
        "alone_p95_ms": percentile(alone, 95) * 1000,
        "save_median_ms": statistics.median(saves) * 1000,
        "save_p95_ms": percentile(saves, 95) * 1000,
        "export_under_load_s": under_load,
        "export_pg_s": statistics.median(t for t, _n in pg),
        "export_sqlite_s": statistics.median(t for t, _n in lite),
        "read_pg_s": statistics.median(pg_read),
        "read_sqlite_s": statistics.median(lite_read),
        "statements_pg": pg[0][1],
        "statements_sqlite": lite[0][1],
    }
    result["ratio"] = result["export_pg_s"] / result["export_sqlite_s"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL database to work in (default: a throwaway cluster)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--reports", type=int, default=20, help="reports each client saves (one month of its tasks)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--login", help="the clients' login (default: the login of the URL)")
    parser.add_argument("--password-env", help="environment variable holding the clients' password")
    args = parser.parse_args()

    from contextlib import ExitStack

    from db.engine import open_ledger
    from db.ledger import init_from_bundled_plan

    load = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="duban-pgbench-"))
    with ExitStack() as stack:
        if args.url:
            template_url = args.url

            def make_copy(url):
                return _copy_on_server(url)
        else:
            from tests.pg_server import running_cluster, template_copy

            cluster = stack.enter_context(running_cluster())
            template_url = cluster.create_database("bench")

            def make_copy(url):
                return template_copy(cluster, url, "benchrun")

        began = time.perf_counter()
        ledger = open_ledger(template_url)
        init_from_bundled_plan(ledger, operator="bench")
        ledger.close()
        sqlite_source = work / "plan.sqlite"
        lite = open_ledger(sqlite_source)
        init_from_bundled_plan(lite, operator="bench")
        lite.close()
        print(f"准备：两个台账载入计划 {time.perf_counter() - began:.1f} s；{args.clients} 个客户端 × 每个 {args.reports} 条，{args.runs} 轮", flush=True)
        runs = []
        for run in range(1, args.runs + 1):
            r = one_run(args, run, template_url, make_copy, sqlite_source, work)
            runs.append(r)
            print(
                f"第 {run} 轮：{r['clients']} 个客户端共提交 {r['committed']} 条（全部核对无误，{r['throughput_per_s']:.0f} 条/秒）；"
                f"单条保存中位数 {r['save_median_ms']:.0f} ms，P95 {r['save_p95_ms']:.0f} ms（单独一个客户端：{r['alone_median_ms']:.0f} / "
                f"{r['alone_p95_ms']:.0f} ms）；并发时导出 {r['export_under_load_s']:.2f} s；导出 PG {r['export_pg_s']:.2f} s / SQLite "
                f"{r['export_sqlite_s']:.2f} s = {r['ratio']:.2f}×（其中读取 {r['read_pg_s']:.2f} / {r['read_sqlite_s']:.2f} s，"
                f"语句 {r['statements_pg']} / {r['statements_sqlite']} 条）",
                flush=True,
            )
    shutil.rmtree(work, ignore_errors=True)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"{args.runs} 轮中位数：{args.clients} 个客户端并发时单条保存中位数 {med['save_median_ms']:.0f} ms，P95 {med['save_p95_ms']:.0f} ms，"
          f"共 {med['throughput_per_s']:.0f} 条/秒；单独一个客户端 {med['alone_median_ms']:.0f} / {med['alone_p95_ms']:.0f} ms；并发时导出 {med['export_under_load_s']:.2f} s；"
          f"全计划工作台账导出 PG {med['export_pg_s']:.2f} s，SQLite {med['export_sqlite_s']:.2f} s，比值 {med['ratio']:.2f}×（目标 ≤ {TARGET_RATIO}×；"
          f"其中读取 {med['read_pg_s']:.2f} / {med['read_sqlite_s']:.2f} s）")
    print(f"机器负载（1 分钟平均）：开始 {load[0]:.1f}，结束 {os.getloadavg()[0]:.1f}（{os.cpu_count()} 核）")
    return 0 if med["ratio"] <= TARGET_RATIO else 1


def _copy_on_server(url: str) -> str:
    """A copy of the ledger at url on the same server (CREATE DATABASE … TEMPLATE), as tests.pg_server.template_copy."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    made = make_url(url)
    name = f"benchrun_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host=made.host, port=made.port, user=made.username, password=made.password, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{made.database}"')
    return made.set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    sys.exit(main())
