"""The figures a 通报 states: due tasks by category for every month of a year, real units only, one ranking."""

import datetime as dt
import json
import sqlite3
from contextlib import closing

import pytest
from alembic import command
from sqlalchemy import func, select

from db.engine import alembic_config, open_ledger
from db.errors import UserError
from db.ledger import list_tasks, resolve_plan_id
from db.models import Assignment, Milestone, Task, Unit
from db.periods import period_end, periods_between
from db.progress import ProgressInput, add_progress, list_progress
from db.report_data import period_report
from db.vocabulary import DueCategory
from db.warning_rules import RED

TODAY = dt.date(2023, 6, 1)
VAGUE = ("市直相关部门", "市直各部门", "各级市场监管领域相关部门", "各金融机构", "各县（市、区）人民政府", "各县（市、区）供电公司")
COUNTIES = ("湖滨区人民政府", "陕州区人民政府", "义马市人民政府", "灵宝市人民政府", "渑池县人民政府", "卢氏县人民政府")


@pytest.fixture(scope="module")
def year(demo_year_file):
    """The shared demo year (reports, sign-offs and extensions to December 2022), opened read-only."""
    ledger = open_ledger(demo_year_file, read_only=True)
    yield ledger
    ledger.close()


def last_dated_stage(session) -> dict[int, dt.date | None]:
    """Each task's original due date, read straight from its milestones."""
    return dict(session.execute(select(Task.id, func.max(Milestone.due)).outerjoin(Milestone).group_by(Task.id)).all())


def test_every_month_every_due_task_is_in_exactly_one_category(year):
    with year.Session() as session:
        dues = last_dated_stage(session)
        for period in periods_between("2022-01", "2022-12"):
            report = period_report(session, period, today=TODAY)
            figures = report.figures
            end = period_end(period)
            # Due: the original time limit falls on or before the period's last day (its last day included).
            expected_due = sum(1 for due in dues.values() if due is not None and due <= end)
            assert figures.due == expected_due == sum(figures.due_breakdown.values()), period
            assert figures.ongoing == sum(1 for due in dues.values() if due is None)
            assert figures.tasks == len(dues) == 373
            categories = [line.state.category for line in report.lines if line.state.category is not None]
            assert len(categories) == figures.due
            for category in DueCategory:
                assert figures.count(category) == categories.count(category)
            # 到期未办结 is exactly what the warning colours call 逾期.
            assert {line.task.code for line in report.lines if line.state.colour == RED} == {
                line.task.code for line in report.lines if line.state.category == DueCategory.OVERDUE
            }
    assert figures.count(DueCategory.OVERDUE) > 0 and figures.count(DueCategory.ON_TIME) > 0


def test_a_task_due_on_the_last_day_is_overdue_in_that_month(year):
    with year.Session() as session:
        december = period_report(session, "2022-12", today=TODAY)
    year_end = [line for line in december.lines if line.state.original_due == dt.date(2022, 12, 31)]
    assert year_end, "the plan has tasks due 2022年底"
    for line in year_end:
        assert line.state.category is not None
        if line.state.category == DueCategory.OVERDUE:
            assert line.state.colour == RED and "已到" in line.state.reason


def test_only_real_units_are_ranked_and_each_county_answers_on_its_own(year):
    with year.Session() as session:
        figures = period_report(session, "2022-12", today=TODAY).figures
        kinds = dict(session.execute(select(Unit.name, Unit.kind)).all())
    names = [u.unit for u in figures.units]
    assert not set(names) & set(VAGUE)
    assert all(kinds[n] != "集合" for n in names)
    assert set(COUNTIES) <= set(names)
    ranked = [u for u in figures.units if u.rank is not None]
    assert ranked and all(u.due > 0 for u in ranked) and all(u.rank is None for u in figures.units if u.due == 0)
    for u in ranked:
        assert u.rate == pytest.approx(u.done_on_time / u.due)
        assert u.done_on_time + u.done_late + u.overdue + u.extended + u.awaiting_sign_off == u.due
    rates = [u.rate for u in ranked]
    assert rates == sorted(rates, reverse=True)
    assert [u.rank for u in ranked][0] == 1


def test_a_unit_answers_for_the_same_tasks_in_the_tree_the_ranking_and_the_task_view(year):
    with year.Session() as session:
        figures = period_report(session, "2022-12", today=TODAY).figures
        tasks = list_tasks(session)
    answered: dict[str, int] = {}
    for task in tasks:
        for name in task.answerable:
            answered[name] = answered.get(name, 0) + 1
    assert {u.unit: u.lead_tasks for u in figures.units} == answered


def test_figures_json_from_the_command_line(year, capsys):
    from desktop.cli import main

    assert main(["--db", str(year.path), "--read-only", "report", "figures", "--period", "2022-12", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"period", "tasks", "due", "due_breakdown", "ongoing", "units"}
    assert data["period"] == "2022-12" and data["tasks"] == 373
    assert list(data["due_breakdown"]) == [c.value for c in DueCategory]
    assert sum(data["due_breakdown"].values()) == data["due"]
    for unit in data["units"]:
        assert set(unit) >= {"unit", "kind", "due", "on_time", "late", "overdue", "rate", "rank"}
        assert (unit["rank"] is None) == (unit["due"] == 0)
        assert unit["kind"] != "集合"


def test_a_collective_cannot_report_for_its_members(ledger):
    with pytest.raises(UserError) as exc, ledger.Session.begin() as s:
        add_progress(s, ProgressInput("A03-01", "各县（市、区）人民政府", "2022-06", "推进中", 50, "已部署"), operator="测试")
    assert "集合单位" in " ".join(exc.value.details) and "灵宝市人民政府" in " ".join(exc.value.details)
    with ledger.Session.begin() as s:
        add_progress(s, ProgressInput("A03-01", "灵宝市", "2022-06", "推进中", 50, "已部署"), operator="测试")
        assert [(p.unit, p.progress_text) for p in list_progress(s)] == [("灵宝市人民政府", "已部署")]


OLD_LEDGER_ROWS = """
INSERT INTO plan (id, title, doc_number, year, source_name, is_current, created_at) VALUES (1, '某市行动方案', NULL, 2022, 'plan.txt', 1, '2022-03-01 09:00:00');
INSERT INTO annex (id, plan_id, number, title, topic) VALUES (1, 1, 1, '附件1', '总体');
INSERT INTO unit (id, name, kind, expands_to_kind) VALUES
  (1, '市住房和城乡建设局', '市直部门', NULL), (2, '各县（市、区）人民政府', '集合', '县（市、区）'),
  (3, '灵宝市人民政府', '县（市、区）', NULL), (4, '卢氏县人民政府', '县（市、区）', NULL);
INSERT INTO task (id, plan_id, annex_id, code, label, block, title, text, deadline_text, responsibility_text, position)
  VALUES (1, 1, 1, 'A01-01', '1', 1, '推进联合验收', '全面推行联合验收', '2022年6月底前', '市住房城乡建设局牵头，各县（市、区）政府负责落实', 1);
INSERT INTO assignment (id, task_id, unit_id, role, as_printed, position) VALUES
  (1, 1, 1, '牵头', '市住房城乡建设局', 0), (2, 1, 2, '落实', '各县（市、区）政府', 1);
INSERT INTO progress_entry (id, uuid, task_id, unit_id, period, status, percent, progress_text, entry_date, version, created_at, updated_at)
  VALUES (1, '00000000-0000-4000-8000-000000000009', 1, 2, '2022-05', '推进中', 40, '各县已部署联合验收', '2022-05-30', 1, '2022-05-30 10:00:00', '2022-05-30 10:00:00');
"""


def test_an_old_ledger_gives_each_county_its_own_assignment_and_keeps_the_collectives_report(tmp_path):
    path = tmp_path / "old.sqlite"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0003")
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(OLD_LEDGER_ROWS)
    ledger = open_ledger(path)
    try:
        with ledger.Session() as s:
            rows = s.execute(select(Unit.name, Assignment.role, Assignment.as_printed, Assignment.via_unit_id).join(Unit, Unit.id == Assignment.unit_id).order_by(Assignment.position)).all()
            [report] = list_progress(s)
            [task] = list_tasks(s, plan_id=resolve_plan_id(s, None))
    finally:
        ledger.close()
    printed = [(name, role) for name, role, _printed, via in rows if via is None]
    members = {name: (role, printed_as) for name, role, printed_as, via in rows if via is not None}
    assert printed == [("市住房和城乡建设局", "牵头"), ("各县（市、区）人民政府", "落实")]
    assert set(COUNTIES) <= set(members) and members["灵宝市人民政府"] == ("落实", "各县（市、区）政府")
    assert (report.unit, report.progress_text) == ("各县（市、区）人民政府", "各县已部署联合验收")
    # The task still reads as printed, and its lead answers for it.
    assert [u.name for u in task.units] == ["市住房和城乡建设局", "各县（市、区）人民政府"] and task.answerable == ["市住房和城乡建设局"]
