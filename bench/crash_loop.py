"""Crash loop: SIGKILL a template import and a packet merge at random moments; the ledger must hold all of a write or none.

    python bench/crash_loop.py [--trials 500] [--jobs 2] [--seed 1] [--case import|merge] [--keep DIR]

Each trial copies a pristine ledger (and the file the write reads), runs tests/crash_worker.py on the
copy and kills the worker with SIGKILL.  Most kills come a random 0–1.1 T after the worker prints
"started" (T: the write uninterrupted); some are aimed inside the write's transaction (a random
moment after it began), at its commit, or right after the commit (the worker holding there), so the
narrow windows that matter are hit too.  The worker reports how far it got, so each kill is placed:
before the transaction, inside it, during the commit, after it, or not at all (the write finished).

Then the files as the kill left them (ledger and WAL) are copied twice.  One copy is opened with
plain sqlite3 (which recovers the WAL): integrity_check and foreign_key_check must pass, and every
table must differ from the pristine ledger either not at all (none) or exactly as much as after an
uninterrupted run (all), anything else is partial; none is required of a kill before the commit
began, all of one after it returned.  The other copy must open in duban as it lies, hot WAL and
all, and the same write run again must leave it as an uninterrupted run does.

tests/test_crash.py runs this loop with kills spread evenly over the write, few enough for CI; this
script prints the figures of a long run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORKER = ROOT / "tests" / "crash_worker.py"
UNIT = "市发展改革委"  # the unit with the most tasks (82): the biggest template and packet
PERIOD = "2022-06"
OVERSHOOT = 1.1  # kills up to 10 % after T also catch the commit's last moments
NONE, ALL, PARTIAL, BROKEN = "none", "all", "partial", "broken"
ERROR = "error"  # the worker failed by itself (refused the write, could not open the ledger): no crash outcome
# Where a kill landed, from the last event the worker reported before it.
BEFORE, INSIDE, COMMITTING, AFTER, FINISHED = "before the transaction", "inside the transaction", "during the commit", "after the commit", "finished"
PHASES = (BEFORE, INSIDE, COMMITTING, AFTER, FINISHED)
ANCHORS = ("started", "begin", "commit", "committed")
EVENTS = ANCHORS[1:]
WAIT_LIMIT = 120  # seconds a trial waits for the worker's next line before it counts as hung

def ledger_files(path: Path) -> list[Path]:
    """The file and its WAL, if that holds anything (a read-only look at a WAL ledger leaves an empty one)."""
    wal = Path(f"{path}-wal")
    return [path] + ([wal] if wal.exists() and wal.stat().st_size else [])


def copy_ledger(source: Path, target: Path) -> None:
    """Copy the file and its WAL as they lie on disk, as a crash leaves them (no SQLite backup)."""
    for part in ledger_files(source):
        shutil.copyfile(part, target.with_name(target.name + part.name.removeprefix(source.name)))


def changes(pristine: Path, path: Path) -> dict[str, int]:
    """Rows added, changed or removed per table against the pristine ledger (a changed row counts twice).

    Compared in SQLite (EXCEPT both ways), which is fast; every table has a primary key, so rows are
    unique and set difference is exact.  The pristine ledger is opened read-only and never changes.
    """
    conn = sqlite3.connect(path.resolve().as_uri(), uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS pristine", (f"{pristine.resolve().as_uri()}?mode=ro",))
        tables = {}
        for schema in ("main", "pristine"):
            for (name,) in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'"):
                tables.setdefault(name, set()).add(schema)
        out = {}
        for name in sorted(tables):
            if tables[name] != {"main", "pristine"}:
                raise RuntimeError(f"table {name} is only in {tables[name]}: a schema change is no crash outcome")
            differ = sum(
                conn.execute(f'SELECT count(*) FROM (SELECT * FROM {a}."{name}" EXCEPT SELECT * FROM {b}."{name}")').fetchone()[0]
                for a, b in (("main", "pristine"), ("pristine", "main"))
            )
            if differ:
                out[name] = differ
        return out
    finally:
        conn.close()


def integrity_problems(path: Path) -> list[str]:
    """What PRAGMA integrity_check and foreign_key_check find; opening with sqlite3 replays the WAL first."""
    conn = sqlite3.connect(path)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        problems += [f"foreign_key_check: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
        return problems
    finally:
        conn.close()


def write_in_process(kind: str, path: Path, source: Path) -> dict:
    """The worker's write, run here on a ledger duban opens itself."""
    from db.engine import open_ledger
    from tests.crash_worker import WRITES

    ledger = open_ledger(path)
    try:
        return WRITES[kind]()(ledger, str(source))
    finally:
        ledger.close()


@dataclass
class Case:
    """A write to crash: the pristine ledger, the file the write reads, and what an uninterrupted run does."""

    kind: str
    pristine: Path
    source: Path
    full: dict[str, int] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    duration: float = 0.0
    events: dict[str, float] = field(default_factory=dict)  # begin, commit, committed, closed: seconds after "started"
    commits: int = 0  # transactions the uninterrupted write commits on the ledger

    @property
    def transaction(self) -> float:
        """From the write transaction's begin to its commit."""
        return self.events["commit"] - self.events["begin"]

    @property
    def committing(self) -> float:
        """The commit itself: last flush, COMMIT, fsync."""
        return self.events["committed"] - self.events["commit"]

    @property
    def closing(self) -> float:
        """From the commit's return to the ledger closed (its WAL checkpointed)."""
        return self.events["closed"] - self.events["committed"]


@dataclass
class Kill:
    """When to kill: `delay` seconds after the worker reports `anchor`; with hold, the worker stops there for the kill."""

    anchor: str
    delay: float
    hold: bool = False

    def __str__(self) -> str:
        return f"{self.delay * 1000:.1f} ms after {self.anchor}" + (" (worker holding)" if self.hold else "")


@dataclass
class Trial:
    number: int
    kill: Kill
    killed: bool  # False: the write finished before the kill
    phase: str
    outcome: str
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0
    events: dict[str, float] = field(default_factory=dict)  # the worker's events as it reported them (the last of each)


def _spawn(case: Case, ledger: Path, source: Path, hold: str | None = None) -> subprocess.Popen:
    """Start the worker; its stderr goes to a file next to the ledger (a pipe left unread could block it)."""
    command = [sys.executable, str(WORKER), case.kind, str(ledger), str(source)] + (["--hold", hold] if hold else [])
    with open(ledger.with_name("worker-stderr.txt"), "w") as err:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True)


class WorkerFailed(RuntimeError):
    pass


def _worker_failed(proc: subprocess.Popen, ledger: Path, out: str) -> WorkerFailed:
    err = ledger.with_name("worker-stderr.txt").read_text()
    return WorkerFailed(f"crash worker failed (exit {proc.returncode}):\n{out}{err}")


def _read_until(proc: subprocess.Popen, ledger: Path, anchor: str, seen: list[str]) -> bool:
    """Read the worker's lines up to the one starting with `anchor`; False if the write finished first."""
    while True:
        line = proc.stdout.readline()
        if not line:
            proc.wait()
            raise _worker_failed(proc, ledger, "".join(seen))
        seen.append(line)
        word = line.split(" ", 1)[0].strip()
        if word == anchor:
            return True
        if word == "done":
            return False
        if not seen[0].startswith("started"):
            proc.wait()
            raise _worker_failed(proc, ledger, "".join(seen) + proc.stdout.read())


def _events(lines: list[str]) -> list[str]:
    return [line.split(" ", 1)[0].strip() for line in lines if line.strip()]


def _phase(words: list[str], case: Case) -> str:
    """Where the write was when it was killed, from the events it reported."""
    if "done" in words:
        return FINISHED
    committed, commit = words.count("committed"), words.count("commit")
    if committed >= case.commits:
        return AFTER
    if commit > committed:
        return COMMITTING
    return INSIDE if words.count("begin") > committed else BEFORE


def measure(case: Case, workdir: Path, runs: int = 2) -> Case:
    """Run the write uninterrupted `runs` times at once (the load the trials run under): its effect, T and its events."""
    folders = [Path(tempfile.mkdtemp(prefix=f"{case.kind}-full-", dir=workdir)) for _ in range(runs)]
    ledgers = [folder / "ledger.sqlite" for folder in folders]
    sources = [folder / case.source.name for folder in folders]
    for ledger, source in zip(ledgers, sources):
        copy_ledger(case.pristine, ledger)
        copy_ledger(case.source, source)
    procs = [_spawn(case, ledger, source) for ledger, source in zip(ledgers, sources)]
    summaries, effects = [], []
    for proc, ledger in zip(procs, ledgers):
        out = proc.stdout.read()
        proc.wait()
        last = out.strip().splitlines()[-1] if out.strip() else ""
        if proc.returncode != 0 or not last.startswith("done "):
            raise _worker_failed(proc, ledger, out)
        summaries.append(json.loads(last.removeprefix("done ")))
        effects.append(changes(case.pristine, ledger))
    durations = [s.pop("seconds") for s in summaries]
    closed = [s.pop("closed") for s in summaries]
    events = [s.pop("events") for s in summaries]
    if any(s != summaries[0] for s in summaries) or any(e != effects[0] for e in effects):
        raise RuntimeError(f"uninterrupted runs differ: {summaries} {effects}")
    names = [[name for name, _ in e] for e in events]
    if any(n != names[0] for n in names) or names[0][-3:] != ["begin", "commit", "committed"]:
        raise RuntimeError(f"uninterrupted runs report unexpected transaction events: {events}")
    case.summary, case.full, case.duration = summaries[0], effects[0], max(durations)
    case.commits = names[0].count("committed")
    # The write's own transaction is the last one; its moments are the mean over the runs.
    case.events = {name: statistics.mean(e[len(e) - 3 + i][1] for e in events) for i, name in enumerate(("begin", "commit", "committed"))}
    case.events["closed"] = statistics.mean(closed)
    if not case.full:
        raise RuntimeError(f"the uninterrupted {case.kind} changed nothing: {case.summary}")
    for folder in folders:
        shutil.rmtree(folder)
    return case


def _expected(phase: str) -> tuple[str, ...]:
    if phase in (BEFORE, INSIDE):
        return (NONE,)
    if phase == COMMITTING:
        return (NONE, ALL)
    return (ALL,)


def run_trial(case: Case, number: int, kill: Kill, workdir: Path) -> Trial:
    """Kill the write as planned, then check the ledger holds all of it or none, and that it completes."""
    began = time.perf_counter()
    try:
        trial = _run_trial(case, number, kill, workdir)
    except WorkerFailed as exc:  # one failing worker must not end a long run: it is reported with the trial
        trial = Trial(number, kill, False, BEFORE, ERROR, [f"ledger kept at {workdir / f'{case.kind}-{number:04d}'}", *str(exc).splitlines()[-6:]])
    trial.seconds = time.perf_counter() - began
    return trial


def _run_trial(case: Case, number: int, kill: Kill, workdir: Path) -> Trial:
    folder = workdir / f"{case.kind}-{number:04d}"
    folder.mkdir()
    ledger = folder / "ledger.sqlite"
    source = folder / case.source.name
    copy_ledger(case.pristine, ledger)
    copy_ledger(case.source, source)
    proc = _spawn(case, ledger, source, hold=kill.anchor if kill.hold else None)
    seen: list[str] = []
    try:
        if _read_until(proc, ledger, "started", seen) and (kill.anchor == "started" or _read_until(proc, ledger, kill.anchor, seen)):
            time.sleep(kill.delay)
    finally:
        proc.kill()  # SIGKILL; Popen skips it if the worker already exited and was reaped
        proc.wait()
    out = proc.stdout.read()
    proc.stdout.close()
    killed = proc.returncode == -signal.SIGKILL
    if not killed and proc.returncode != 0:
        raise _worker_failed(proc, ledger, "".join(seen) + out)
    lines = seen + out.splitlines(keepends=True)
    phase = _phase(_events(lines), case)
    trial = Trial(number, kill, killed, phase, NONE)
    for line in lines:
        name, _, value = line.strip().partition(" ")
        if name in EVENTS:
            trial.events[name] = float(value)
    # The files as the kill left them, twice: one for plain sqlite3's checks, one for duban to open as it lies.
    reopen = folder / "reopen"
    reopen.mkdir()
    copy_ledger(ledger, reopen / ledger.name)
    problems = integrity_problems(ledger)
    if problems:
        trial.outcome, trial.details = BROKEN, problems[:20]
    else:
        found = changes(case.pristine, ledger)
        if found == case.full:
            trial.outcome = ALL
        elif found:
            trial.outcome = PARTIAL
            trial.details = [f"{name}: {found.get(name, 0)} of {case.full.get(name, 0)} rows changed" for name in sorted(found.keys() | case.full.keys())]
        if trial.outcome in (NONE, ALL) and trial.outcome not in _expected(phase):
            trial.details.append(f"killed {phase}, yet the ledger holds {trial.outcome} of the write")
    try:
        write_in_process(case.kind, reopen / ledger.name, source)
        after = changes(case.pristine, reopen / ledger.name)
        if after != case.full:
            trial.details.append(f"running the write again left {after}, an uninterrupted run leaves {case.full}")
    except Exception as exc:  # noqa: BLE001 - any failure to open or complete is the finding
        trial.details.append(f"opening the ledger in duban and running the write again failed: {exc!r}")
    if trial.outcome in (NONE, ALL) and not trial.details:
        shutil.rmtree(folder)  # a failed trial's ledger stays for a post-mortem
    else:
        trial.details.insert(0, f"ledger kept at {ledger}")
    return trial


@dataclass
class Tally:
    case: Case
    trials: list[Trial]
    jobs: int

    def count(self, outcome: str | None = None, killed: bool | None = None, phase: str | None = None) -> int:
        return sum(
            (outcome is None or t.outcome == outcome) and (killed is None or t.killed == killed) and (phase is None or t.phase == phase)
            for t in self.trials
        )

    @property
    def kills(self) -> int:
        """Kills while the write ran (not after it printed done, when only the interpreter's exit was cut short)."""
        return sum(t.killed and t.phase != FINISHED for t in self.trials)

    @property
    def failures(self) -> list[Trial]:
        """Trials with a torn write, a damaged file, a lost commit, or a ledger the write could not complete."""
        return [t for t in self.trials if t.outcome in (PARTIAL, BROKEN, ERROR) or any(not d.startswith("ledger kept") for d in t.details)]

    def lines(self) -> list[str]:
        case = self.case
        lines = [
            f"{case.kind}: {len(self.trials)} trials, {self.kills} killed during the write, in {sum(t.seconds for t in self.trials) / self.jobs:.1f} s; uninterrupted write T = {case.duration * 1000:.0f} ms "
            f"(its transaction {case.events['begin'] * 1000:.0f}–{case.events['commit'] * 1000:.0f} ms, commit {case.committing * 1000:.1f} ms, "
            f"closed at {case.events['closed'] * 1000:.0f} ms), "
            f"changes {sum(case.full.values())} rows ({', '.join(f'{k} {v}' for k, v in case.full.items())}); {json.dumps(case.summary, ensure_ascii=False)}",
            f"  killed before commit (none written): {self.count(NONE, True)}",
            f"  killed after commit (all written):   {self.count(ALL, True) - self.count(ALL, True, FINISHED)}",
            f"  finished before the kill (all written): {self.count(ALL, phase=FINISHED)}",
            f"  partial: {self.count(PARTIAL)}",
            f"  integrity failures: {self.count(BROKEN)}",
            f"  worker errors (no crash outcome): {self.count(ERROR)}",
            f"  failures of any kind: {len(self.failures)}",
            "  where the kills landed: " + "; ".join(f"{phase} {self.count(phase=phase)} (none {self.count(NONE, phase=phase)}, all {self.count(ALL, phase=phase)})" for phase in PHASES),
        ]
        for trial in self.failures:
            lines.append(f"  trial {trial.number} (kill {trial.kill}, {trial.phase}, killed={trial.killed}): {trial.outcome}")
            lines += [f"    {d}" for d in trial.details]
        return lines


def random_plan(case: Case, trials: int, seed: int) -> list[Kill]:
    """Mostly a random moment of the whole write (0–1.1 T); every tenth trial inside its transaction, every
    tenth at its commit, every twentieth while the ledger closes after it, every fiftieth holding right after it."""
    plan = []
    for n in range(trials):
        rng = random.Random(f"{seed}-{case.kind}-{n}")
        if n % 50 == 49:
            plan.append(Kill("committed", 0.0, hold=True))
        elif n % 20 == 9:
            plan.append(Kill("committed", rng.uniform(0, case.closing)))
        elif n % 10 == 3:
            plan.append(Kill("begin", rng.uniform(0, case.transaction)))
        elif n % 10 == 7:
            plan.append(Kill("commit", rng.uniform(0, 2 * case.committing)))
        else:
            plan.append(Kill("started", rng.uniform(0, OVERSHOOT * case.duration)))
    return plan


def observed_transaction(tally: Tally) -> float:
    """The shortest write transaction the trials saw (begin to commit), or the measured one if none reached its commit."""
    seen = [t.events["commit"] - t.events["begin"] for t in tally.trials if {"begin", "commit"} <= t.events.keys()]
    return min(seen, default=tally.case.transaction)


def spread(anchor: str, span: float, count: int) -> list[Kill]:
    """`count` kills evenly over the first 95 % of `span` after `anchor` (the margin absorbs a faster run)."""
    return [Kill(anchor, 0.95 * span * i / count) for i in range(count)]


def even_plan(case: Case, trials: int) -> list[Kill]:
    """Kills spread evenly over the whole write, no luck involved, each phase timed from its own start.

    Before the transaction (from "started") and inside it (from "begin") in proportion to their
    lengths, at least three each; three over the commit; two while the ledger closes after it (its
    WAL checkpoint); one with the worker holding just after the commit.  Timing each phase from the
    event that opens it keeps the kills where they are meant to land on a slower or faster machine.
    """
    fixed = spread("commit", case.committing, 3) + spread("committed", case.closing, 2) + [Kill("committed", 0.0, hold=True)]
    rest = max(6, trials - len(fixed))
    before = min(rest - 3, max(3, round(rest * case.events["begin"] / case.events["commit"])))
    return spread("started", case.events["begin"], before) + spread("begin", case.transaction, rest - before) + fixed


_CASES: dict[str, Case] = {}


def _pool_setup(cases: dict[str, Case]) -> None:
    _CASES.update(cases)


def _pool_trial(task: tuple[str, int, Kill, Path]) -> Trial:
    kind, number, kill, workdir = task
    return run_trial(_CASES[kind], number, kill, workdir)


def run_trials(cases: list[Case], plans: dict[str, list[Kill]], workdir: Path, *, jobs: int = 2, first: int = 0) -> dict[str, Tally]:
    """Every case's planned trials, `jobs` at once, each in a process of its own (the checks are Python-heavy: no GIL to share).

    Trials are numbered from `first` (a later round continues the numbering, so no folder is reused).
    """
    tasks = [(case.kind, number, kill, workdir) for case in cases for number, kill in enumerate(plans.get(case.kind, []), start=first)]
    context = multiprocessing.get_context("spawn")  # never fork a parent that may hold threads (pytest, Qt)
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_pool_setup, initargs=({c.kind: c for c in cases},)) as pool:
        done = list(pool.map(_pool_trial, tasks))
    return {case.kind: Tally(case, [t for task, t in zip(tasks, done) if task[0] == case.kind], jobs) for case in cases}


def fill_template(template: Path, out: Path) -> int:
    """Fill every row of a template's input columns, as a unit reporting on all its tasks would; returns the rows."""
    from openpyxl import load_workbook

    wb = load_workbook(template)
    ws = wb["进展报送"]
    header = next(r for r in range(1, 10) if ws.cell(r, 3).value == "任务编号")
    column = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    filled = 0
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(r, column["任务编号"]).value:
            values = {
                "完成状态": "推进中",
                "进度": 40 + r % 50,
                "进展情况": f"第 {r} 行：已召开专题推进会，印发工作方案，明确责任分工和时间节点，" * 4,
                "存在问题": "部分事项涉及多部门协同，推进节奏不一。",
                "下步计划": "下月完成系统联调并组织验收。",
                "填报人": "王五",
            }
            for name, value in values.items():
                ws.cell(r, column[name]).value = value
            filled += 1
    wb.save(out)
    return filled


def fill_base(base: Path) -> Path:
    """Five months of demo reports (Jan–May 2022) in a ledger initialised from the bundled plan: both cases start here."""
    from db.demo import fill_demo, year_entries
    from db.engine import open_ledger

    ledger = open_ledger(base)
    with ledger.Session.begin() as session:
        fill_demo(session, entries=year_entries(session) * 5 // 12, seed=1, last_period="2022-05", today=dt.date(2022, 6, 20))
    ledger.close()
    return base


def _open_copy(base: Path, target: Path):
    from db.engine import open_ledger

    copy_ledger(base, target)
    return open_ledger(target)


def prepare_import(base: Path, workdir: Path) -> Case:
    """A ledger with five months of reports and half of the unit's June reports in; a template filling every June row.

    The import then adds one half of the rows and updates the other: both kinds of write are torn at.
    """
    from db.ledger import list_tasks
    from db.progress import ProgressInput, add_progress
    from exports.unit_template import export_templates

    pristine = workdir / "import-pristine.sqlite"
    ledger = _open_copy(base, pristine)
    with ledger.Session.begin() as session:
        for task in list_tasks(session, unit=UNIT)[::2]:
            add_progress(session, ProgressInput(task.code, UNIT, PERIOD, "推进中", 30, "已启动。"), operator="准备")
    (template,) = export_templates(ledger, workdir, period=PERIOD, unit=UNIT)
    ledger.close()
    source = workdir / "import-filled.xlsx"
    fill_template(template, source)
    return Case("import", pristine, source)


def _field_text(code: str, n: int) -> str:
    return f"外勤核查（{code}）：现场查看项目推进情况，核对台账资料 {n} 份，与承办科室逐项复核时间节点和责任分工。" * 2


def prepare_merge(base: Path, workdir: Path) -> Case:
    """A packet of the unit's tasks for June, much edited in the field, and the office's few edits of the same reports.

    In the packet: a June report for every task of the unit (new), its May reports rewritten, and
    some of its April reports deleted.  In the office meanwhile: a few of those May reports changed
    too, two of the deleted April ones edited, and a few June reports entered first; all of these
    are conflicts.  The merge then adds, updates, deletes and records conflicts in one transaction.
    """
    from db.engine import open_ledger
    from db.ledger import list_tasks
    from db.packets import export_packet
    from db.progress import ProgressInput, add_progress, delete_progress

    pristine = workdir / "merge-pristine.sqlite"
    ledger = _open_copy(base, pristine)
    source = workdir / "merge-packet.duban"
    export_packet(ledger, source, period=PERIOD, units=[UNIT], operator="准备")
    with ledger.Session() as session:
        codes = [task.code for task in list_tasks(session, unit=UNIT)]
    ledger.close()
    may, april = "2022-05", "2022-04"

    packet = open_ledger(source)
    with packet.Session.begin() as session:
        for n, code in enumerate(codes):
            add_progress(session, ProgressInput(code, UNIT, PERIOD, "推进中", 60, _field_text(code, n), "现场发现部分资料未归档。", "月底前补齐资料。", "外勤组"), operator="外勤")
            add_progress(session, ProgressInput(code, UNIT, may, "推进中", 50, _field_text(code, n + 100), None, None, "外勤组"), operator="外勤")
        for code in codes[::10]:
            delete_progress(session, code, UNIT, april, operator="外勤")
    packet.close()

    ledger = open_ledger(pristine)
    with ledger.Session.begin() as session:
        for code in codes[1:40:6]:  # the same May reports, changed differently in the office
            add_progress(session, ProgressInput(code, UNIT, may, "滞后", 35, f"办公室核实：{code} 进度慢于计划。"), operator="办公室")
        for code in codes[10:30:10]:  # April reports the field deleted
            add_progress(session, ProgressInput(code, UNIT, april, "推进中", 45, f"办公室补记：{code} 四月进展。"), operator="办公室")
        for code in codes[2:20:6]:  # June reports entered in the office too
            add_progress(session, ProgressInput(code, UNIT, PERIOD, "推进中", 55, f"办公室录入：{code} 六月进展。"), operator="办公室")
    ledger.close()
    return Case("merge", pristine, source)


def new_base(workdir: Path) -> Path:
    """A ledger initialised from the bundled plan, as tests/conftest.py makes one, with fill_base's demo reports."""
    from db.engine import open_ledger
    from db.ledger import init_from_bundled_plan

    path = workdir / "base.sqlite"
    ledger = open_ledger(path)
    init_from_bundled_plan(ledger, operator="准备")
    ledger.close()
    return fill_base(path)


PREPARE = {"import": prepare_import, "merge": prepare_merge}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=500, help="trials of each write")
    parser.add_argument("--jobs", type=int, default=2, help="trials run at once")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--case", choices=sorted(PREPARE), action="append", help="only this write (repeatable; default: both)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="duban-crash-"))
    workdir.mkdir(parents=True, exist_ok=True)
    failed = False
    try:
        base = new_base(workdir)
        cases = [measure(PREPARE[kind](base, workdir), workdir, runs=args.jobs) for kind in args.case or ("import", "merge")]
        started = time.perf_counter()
        tallies = run_trials(cases, {c.kind: random_plan(c, args.trials, args.seed) for c in cases}, workdir, jobs=args.jobs)
        for tally in tallies.values():
            print("\n".join(tally.lines()), flush=True)
            failed |= bool(tally.failures) or not (tally.count(NONE, True) and tally.count(ALL, True))
        print(f"{sum(len(t.trials) for t in tallies.values())} trials in {time.perf_counter() - started:.1f} s, {args.jobs} at a time")
    finally:
        if not args.keep and not failed:
            shutil.rmtree(workdir)
    if failed:
        print(f"FAILED (or a run without kills on both sides of the commit); work folder: {workdir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
