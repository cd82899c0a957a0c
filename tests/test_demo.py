"""Demo data: the counts, stories, texts and office decisions a user would look at, and the demo command."""

import datetime as dt
import hashlib
import shutil
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from db.demo import fill_demo
from db.engine import open_ledger
from db.errors import UserError
from db.models import Assignment, AuditLog, Extension, Milestone, ProgressEntry, SignOff, Task, Unit, WarningMark
from db.periods import period_end, period_start, shift_period
from db.progress import STATUSES, ProgressInput, validate
from db.warning_rules import RED, lead_unit_ids, red_counts_by_period, task_states
from tests.ledger_state import ledger_fingerprint

N = 3600
TODAY = dt.date(2023, 6, 1)
CONTENT = (
    ProgressEntry.task_id,
    ProgressEntry.unit_id,
    ProgressEntry.period,
    ProgressEntry.status,
    ProgressEntry.percent,
    ProgressEntry.progress_text,
    ProgressEntry.problems,
    ProgressEntry.next_steps,
    ProgressEntry.reporter,
    ProgressEntry.entry_date,
)


def filled_copy(source, folder, seed=2022, entries=N):
    path = folder / f"demo-{seed}-{entries}.sqlite"
    shutil.copy(source, path)
    ledger = open_ledger(path)
    with ledger.Session.begin() as session:
        result = fill_demo(session, entries=entries, seed=seed, today=TODAY)
    return ledger, result


@pytest.fixture(scope="module")
def demo(initialised_ledger_file, tmp_path_factory):
    ledger, result = filled_copy(initialised_ledger_file, tmp_path_factory.mktemp("demo"))
    with ledger.Session() as session:
        rows = session.execute(select(*CONTENT, Task.title).join(Task, Task.id == ProgressEntry.task_id)).all()
    yield ledger, result, rows
    ledger.close()


def snapshot(ledger):
    with ledger.Session() as session:
        return (
            session.execute(select(*CONTENT).order_by(ProgressEntry.task_id, ProgressEntry.unit_id, ProgressEntry.period)).all(),
            session.execute(select(SignOff.task_id, SignOff.signed_on, SignOff.operator, SignOff.evidence_note).order_by(SignOff.task_id)).all(),
            session.execute(select(Extension.task_id, Extension.new_due, Extension.reason, Extension.approved_on).order_by(Extension.task_id)).all(),
            session.execute(select(WarningMark.task_id, WarningMark.period, WarningMark.colour).order_by(WarningMark.task_id, WarningMark.period)).all(),
        )


def test_exact_count_one_report_per_task_unit_month_ending_december(demo):
    ledger, result, rows = demo
    assert result.entries == len(rows) == N
    assert len({(r.task_id, r.unit_id, r.period) for r in rows}) == N
    with ledger.Session() as session:
        assignments = set(
            session.execute(select(Assignment.task_id, Assignment.unit_id).join(Unit, Unit.id == Assignment.unit_id).where(Unit.kind != "集合")).all()
        )
    # Only real units report: a collective's members report, never the collective itself.
    assert {(r.task_id, r.unit_id) for r in rows} <= assignments
    per_month = defaultdict(int)
    for r in rows:
        per_month[r.period] += 1
    # Every real unit's assignment reports in the later months; the earliest month takes what is left.
    assert per_month == {"2022-12": len(assignments), "2022-11": len(assignments), "2022-10": N - 2 * len(assignments)}
    assert (result.first_period, result.last_period) == ("2022-10", "2022-12")


def test_every_report_passes_the_apps_validation_and_percent_never_falls(demo):
    _, _, rows = demo
    for r in rows:
        entry = ProgressInput("X", "Y", r.period, r.status, r.percent, r.progress_text, r.problems, r.next_steps, r.reporter, r.entry_date)
        assert validate(entry) == [], r
    assert {r.status for r in rows} == set(STATUSES)
    course = defaultdict(list)
    for r in sorted(rows, key=lambda r: r.period):
        course[r.task_id, r.unit_id].append((r.status, r.percent))
    for steps in course.values():
        percents = [p for _, p in steps]
        assert percents == sorted(percents) and all(0 <= p <= 100 for p in percents)
        statuses = [s for s, _ in steps]
        if "已完成" in statuses:  # done stays done
            assert set(statuses[statuses.index("已完成"):]) == {"已完成"}


def test_texts_reporters_and_dates_look_like_real_reports(demo):
    _, _, rows = demo
    assert all(60 <= len(r.progress_text) <= 200 for r in rows)
    assert len({r.progress_text for r in rows}) > 0.95 * N
    assert sum(r.title[:6] in r.progress_text for r in rows) > 0.9 * N
    lagging = [r for r in rows if r.status == "滞后"]
    assert lagging and all(r.problems and "影响" in r.problems and r.next_steps for r in lagging)
    assert all(r.next_steps for r in rows if r.status != "已完成")
    assert all(2 <= len(r.reporter) <= 4 for r in rows)
    for r in rows:
        next_month = period_start(shift_period(r.period, 1))
        assert next_month <= r.entry_date <= next_month + dt.timedelta(days=6)


def test_tasks_without_a_dated_deadline_are_ongoing_never_done(demo):
    ledger, _, rows = demo
    with ledger.Session() as session:
        dated = set(session.scalars(select(Milestone.task_id).where(Milestone.due.is_not(None))))
    undated_statuses = {r.status for r in rows if r.task_id not in dated}
    assert "持续推进" in undated_statuses and "已完成" not in undated_statuses
    assert "持续推进" not in {r.status for r in rows if r.task_id in dated}


def test_office_signs_off_tasks_its_leads_reported_done_and_extends_late_ones(demo):
    ledger, result, rows = demo
    with ledger.Session() as session:
        plan_id = session.scalar(select(Task.plan_id))
        leads = lead_unit_ids(session, plan_id)
        sign_offs = session.execute(select(SignOff.task_id, SignOff.signed_on, SignOff.evidence_note)).all()
        extensions = session.execute(select(Extension.task_id, Extension.new_due, Extension.approved_on, Extension.document)).all()
        dues = dict(session.execute(select(Milestone.task_id, func.max(Milestone.due)).group_by(Milestone.task_id)).all())
        december = task_states(session, plan_id, "2022-12", due_soon_days=15, today=TODAY)
        audit_rows = session.scalars(select(AuditLog).where(AuditLog.action == "demo.fill")).all()
    assert len(sign_offs) == result.sign_offs >= 20
    done_by_lead = defaultdict(set)
    for r in rows:
        if r.status == "已完成":
            done_by_lead[r.task_id].add(r.unit_id)
    for task_id, signed_on, note in sign_offs:
        assert leads[task_id] <= done_by_lead[task_id] and note
        assert signed_on <= period_end("2022-12")
    assert len(extensions) == result.extensions >= 3
    assert all(new_due > dues[task_id] and doc.startswith("三营商办") for task_id, new_due, _, doc in extensions)
    colours = [s.colour for s in december.values()]
    assert colours.count(RED) == result.red_in_last_period > 0
    assert colours.count("done") == len(sign_offs)
    assert len(audit_rows) == 1 and audit_rows[0].after["entries"] == N


def test_warning_colours_recorded_for_the_last_twelve_months(demo):
    ledger, result, _ = demo
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    assert result.marked_periods == months
    with ledger.Session() as session:
        plan_id = session.scalar(select(Task.plan_id))
        tasks = session.scalar(select(func.count()).select_from(Task))
        per_month = dict(session.execute(select(WarningMark.period, func.count()).group_by(WarningMark.period)).all())
        red = red_counts_by_period(session, plan_id)
        recorded = dict(session.execute(select(WarningMark.task_id, WarningMark.colour).where(WarningMark.period == "2022-12")).all())
        now = task_states(session, plan_id, "2022-12", due_soon_days=15, today=TODAY)
    assert per_month == {m: tasks for m in months}
    assert red["2022-12"] == result.red_in_last_period and len(red) >= 6
    assert recorded == {t: s.colour for t, s in now.items()}


def test_same_seed_same_data_other_seed_other_data(demo, initialised_ledger_file, tmp_path):
    first = snapshot(demo[0])
    again, _ = filled_copy(initialised_ledger_file, tmp_path, seed=2022)
    other, _ = filled_copy(initialised_ledger_file, tmp_path, seed=7)
    try:
        assert snapshot(again) == first
        assert snapshot(other)[0] != first[0]
    finally:
        again.close()
        other.close()


def test_refuses_a_ledger_that_already_has_reports(demo):
    ledger, _, _ = demo
    with ledger.Session.begin() as session, pytest.raises(UserError) as exc:
        fill_demo(session, entries=100, today=TODAY)
    assert "已有进展" in exc.value.message
    with ledger.Session() as session:
        assert session.scalar(select(func.count()).select_from(ProgressEntry)) == N


@pytest.mark.parametrize("entries", [0, -5])
def test_refuses_a_meaningless_count(ledger, entries):
    with ledger.Session.begin() as session, pytest.raises(UserError) as exc:
        fill_demo(session, entries=entries, today=TODAY)
    assert "条数" in exc.value.message


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only  # the demo is built by copying the source ledger file; a server ledger is refused (test_pg_ledger)
def test_demo_command_fills_a_copy_and_leaves_the_source_alone(ledger, run_cli, tmp_path):
    out = tmp_path / "演示台账.sqlite"
    before = ledger_fingerprint(ledger)
    code, stdout, err = run_cli("demo", str(out))
    assert code == 0, err
    assert "已生成演示台账" in stdout and "进展 19092 条" in stdout and "2022年1月至2022年12月" in stdout
    assert ledger_fingerprint(ledger) == before
    with ledger.Session() as session:
        assert session.scalar(select(func.count()).select_from(ProgressEntry)) == 0
    copy = open_ledger(out)
    try:
        with copy.Session() as session:
            assert session.scalar(select(func.count()).select_from(ProgressEntry)) == 1591 * 12  # every real unit's assignment (each county on its own) once a month
            assert session.scalar(select(func.count()).select_from(Task)) == 373
    finally:
        copy.close()


@pytest.mark.sqlite_only  # as above
def test_demo_command_refuses_to_overwrite_unless_forced(run_cli, tmp_path):
    out = tmp_path / "demo.sqlite"
    assert run_cli("demo", str(out), "--entries", "1200")[0] == 0
    written = sha256(out)
    code, _, err = run_cli("demo", str(out), "--entries", "500")
    assert code == 2 and "已存在" in err and "--force" in err
    assert sha256(out) == written
    code, _, err = run_cli("demo", str(out), "--entries", "0", "--force")
    assert code == 2 and sha256(out) == written  # a failed fill leaves the old file as it was
    code, stdout, err = run_cli("demo", str(out), "--entries", "500", "--force")
    assert code == 0 and "进展 500 条" in stdout, err
