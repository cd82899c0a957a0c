"""Plans side by side: the current plan is switched, and a finished plan archived stays readable but out of the warnings."""

import datetime as dt
import json

import pytest
from sqlalchemy import select

from db.errors import UserError
from db.ledger import list_tasks, load_directory, resolve_plan_id
from db.models import AuditLog, WarningMark
from db.plan_import import import_plan
from db.plans import archive_plan, current_plan, list_plans, set_current_plan, unarchive_plan
from db.report_data import period_report
from db.warning_rules import ARCHIVED_REASON, GREEN, RED, task_states
from exports.plan_reading import read_plan_document
from tests.ledger_state import ledger_fingerprint

COUNTY_PLAN = """渑池县2023年优化营商环境重点任务
一、优化政务服务
1.推行“一网通办”，实现政务服务事项全程网办。(牵头单位:市政务服务和大数据管理局,6月底前完成)
2.压缩工程建设项目审批时间。(牵头单位:市住建局,9月底前完成)
"""


def _second_plan(ledger, tmp_path) -> int:
    path = tmp_path / "county.txt"
    path.write_text(COUNTY_PLAN, encoding="utf-8")
    with ledger.Session.begin() as s:
        return import_plan(s, read_plan_document(path).draft, load_directory(), make_current=False, operator="测试").plan_id


def _red_tasks(session, plan_id):
    states = task_states(session, plan_id, "2022-12", due_soon_days=7, today=dt.date(2023, 1, 15))
    return {tid for tid, st in states.items() if st.colour == RED}, states


def test_the_current_plan_is_switched_and_audited(ledger, tmp_path):
    county = _second_plan(ledger, tmp_path)
    with ledger.Session.begin() as s:
        assert [(p.id, p.is_current, p.archived) for p in list_plans(s)] == [(1, True, False), (county, False, False)]
        set_current_plan(s, county, "测试")
    with ledger.Session() as s:
        assert current_plan(s).id == county and resolve_plan_id(s, None) == county
        assert [t.code for t in list_tasks(s)] == ["A01-01.01", "A01-01.02"]  # commands without --plan follow it
        row = s.scalar(select(AuditLog).where(AuditLog.action == "plan.set_current"))
        assert row.before == {"current": 1} and row.after == {"current": county} and row.operator == "测试"
        with pytest.raises(UserError, match="没有编号为 99 的计划"):
            set_current_plan(s, 99, "测试")


def test_archiving_drops_the_plan_out_of_the_warnings_but_keeps_it_readable(ledger, tmp_path):
    county = _second_plan(ledger, tmp_path)
    with ledger.Session() as s:
        red_before, _ = _red_tasks(s, 1)
    assert red_before  # the 2022 plan has overdue tasks by January 2023
    with ledger.Session.begin() as s:
        with pytest.raises(UserError, match="是当前计划，不能归档") as refused:
            archive_plan(s, 1, "测试")
        assert f"{county}《渑池县2023年优化营商环境重点任务》" in str(refused.value)
    with ledger.Session.begin() as s:
        summary = archive_plan(s, 1, "测试", make_current=county)
        assert summary.archived and not summary.is_current
    with ledger.Session() as s:
        red_after, states = _red_tasks(s, 1)
        assert red_after == set()
        assert {st.reason for tid, st in states.items() if tid in red_before} == {ARCHIVED_REASON}
        assert all(states[tid].colour == GREEN for tid in red_before)
        assert len(list_tasks(s, plan_id=1)) == 373  # still readable, task by task
        report = period_report(s, "2022-12", plan_id=1, today=dt.date(2023, 1, 15))
        assert report.warnings == []
        assert current_plan(s).id == county
        actions = [a.action for a in s.scalars(select(AuditLog).where(AuditLog.entity == "plan").order_by(AuditLog.id))]
        assert actions[-2:] == ["plan.set_current", "plan.archive"]
    with ledger.Session.begin() as s:
        with pytest.raises(UserError, match="已归档，不能设为当前计划"):
            set_current_plan(s, 1, "测试")
    with ledger.Session.begin() as s:
        unarchive_plan(s, 1, "测试")
    with ledger.Session() as s:
        assert _red_tasks(s, 1)[0] == red_before


def test_the_only_plan_cannot_be_archived(ledger):
    with ledger.Session.begin() as s:
        with pytest.raises(UserError, match="没有其他未归档的计划"):
            archive_plan(s, 1, "测试")


def test_switching_records_the_new_plans_colours_for_the_month(ledger, tmp_path):
    county = _second_plan(ledger, tmp_path)
    with ledger.Session.begin() as s:
        set_current_plan(s, county, "测试")
    with ledger.Session() as s:
        marked = set(s.scalars(select(WarningMark.task_id)))
        county_tasks = {t.id for t in list_tasks(s, plan_id=county)}
        assert county_tasks <= marked


def test_cli_lists_switches_and_archives_plans(run_cli, ledger, tmp_path):
    county = _second_plan(ledger, tmp_path)
    code, out, err = run_cli("plans", "archive", "1")
    assert code == 2 and "是当前计划，不能归档" in err
    code, out, err = run_cli("plans", "archive", "1", "--use", str(county))
    assert code == 0, err
    assert "已归档" in out
    plans = json.loads(run_cli("plans", "--json")[1])
    assert [(p["id"], p["current"], p["archived"]) for p in plans] == [(1, False, True), (county, True, False)]
    code, out, _ = run_cli("plans")
    assert "（已归档）" in out.splitlines()[0] and out.splitlines()[1].split("\t")[1] == "*"
    assert run_cli("plans", "unarchive", "1")[0] == 0
    code, out, err = run_cli("plans", "use", "1")
    assert code == 0 and "当前计划：1" in out
    plans = json.loads(run_cli("plans", "--json")[1])
    assert [(p["id"], p["current"], p["archived"]) for p in plans] == [(1, True, False), (county, False, False)]


def test_cli_refuses_an_unknown_plan_and_changes_nothing(run_cli, ledger):
    before = ledger_fingerprint(ledger)
    for args in (("plans", "use", "99"), ("plans", "archive", "99"), ("plans", "unarchive", "99"), ("plans", "archive", "1", "--use", "1")):
        code, _, err = run_cli(*args)
        assert code == 2 and ("没有编号为 99 的计划" in err or "不能既归档又设为当前计划" in err), (args, err)
    assert ledger_fingerprint(ledger) == before
