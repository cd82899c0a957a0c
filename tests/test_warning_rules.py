"""The warning rules, the colour kept per month, completion counted for lead units, and month against month."""

import datetime as dt

import pytest

from db.decisions import extend, sign_off
from db.ledger import get_task, resolve_plan_id
from db.progress import ProgressInput, add_progress
from db.review import compare_months, completion_by_annex, completion_by_lead_unit
from db.settings import load_settings
from db.vocabulary import DueCategory
from db.warning_rules import DONE, GREEN, GREY, RED, YELLOW, classify, colour_history, record_marks, task_states

LEAD, SUPPORT, TASK = "市住建局", "市自然资源和规划局", "A03-01"  # due 2022年6月前 = 2022-06-30


def report(session, period, status, percent, unit=LEAD, task=TASK):
    add_progress(session, ProgressInput(task, unit, period, status, percent, f"{period} 进展"), operator="测试")


def state_of(session, period, today, task=TASK, days=15):
    pid = resolve_plan_id(session, None)
    return task_states(session, pid, period, due_soon_days=days, today=today)[get_task(session, task).id]


@pytest.mark.parametrize(
    "due, signed, lead_status, reported, expected",
    [
        (dt.date(2022, 6, 30), dt.date(2022, 6, 1), "推进中", True, DONE),  # signed off beats everything
        (dt.date(2022, 6, 29), None, "已完成", True, RED),  # one unit's 已完成 alone is not a sign-off
        (dt.date(2022, 6, 30), None, "推进中", True, RED),  # due on a closed period's last day: overdue in it
        (dt.date(2022, 6, 15), None, "推进中", True, RED),  # due before the reference date
        (dt.date(2022, 7, 10), None, "推进中", True, YELLOW),  # due within 15 days
        (dt.date(2022, 12, 31), None, "滞后", True, YELLOW),  # lead reports 滞后
        (dt.date(2022, 12, 31), None, None, False, GREY),  # no lead report this period
        (None, None, "持续推进", True, GREEN),  # ongoing task reported
        (dt.date(2022, 12, 31), None, "推进中", True, GREEN),
    ],
)
def test_classify_follows_the_documented_order(due, signed, lead_status, reported, expected):
    colour, reason = classify(
        due=due, signed_off_on=signed, lead_status=lead_status, reported_this_period=reported, reference=dt.date(2022, 6, 30), due_soon_days=15
    )
    assert colour == expected
    assert reason  # every colour says why, in Chinese
    assert not reason.isascii()


@pytest.mark.parametrize(
    "due, closed, colour, words",
    [
        (dt.date(2022, 6, 20), False, YELLOW, "今日到期"),  # the due day of a running period: not yet overdue
        (dt.date(2022, 6, 21), False, YELLOW, "还有 1 天"),
        (dt.date(2022, 6, 19), False, RED, "逾期 1 天"),
        (dt.date(2022, 6, 20), True, RED, "已到"),
    ],
)
def test_days_left_are_counted_from_the_reference_day(due, closed, colour, words):
    got, reason = classify(
        due=due, signed_off_on=None, lead_status="推进中", reported_this_period=True, reference=dt.date(2022, 6, 20), due_soon_days=15, closed=closed
    )
    assert got == colour and words in reason


def test_a_task_every_answerable_unit_reported_done_is_never_due_soon_lagging_or_overdue():
    for due in (dt.date(2022, 6, 1), dt.date(2022, 6, 30), dt.date(2022, 7, 5), None):
        colour, reason = classify(
            due=due, signed_off_on=None, lead_status="已完成", reported_this_period=True, reference=dt.date(2022, 6, 30),
            due_soon_days=15, reported_done=True,
        )
        assert colour == GREEN and "待办公室办结销号" in reason


def test_a_task_moves_grey_green_yellow_red_done_and_keeps_its_history(ledger):
    pid_task = None
    with ledger.Session.begin() as s:
        pid = resolve_plan_id(s, None)
        pid_task = get_task(s, TASK).id
        assert state_of(s, "2022-05", dt.date(2022, 5, 20)).colour == GREY
        report(s, "2022-05", "推进中", 40)
        may = state_of(s, "2022-05", dt.date(2022, 5, 20))
        assert (may.colour, may.status, may.percent) == (GREEN, "推进中", 40)
        record_marks(s, "2022-05", task_states(s, pid, "2022-05", due_soon_days=15, today=dt.date(2022, 5, 31)))
        report(s, "2022-06", "推进中", 80)
        assert state_of(s, "2022-06", dt.date(2022, 6, 20)).colour == YELLOW
        record_marks(s, "2022-06", task_states(s, pid, "2022-06", due_soon_days=15, today=dt.date(2022, 6, 20)))
        report(s, "2022-07", "推进中", 90)
        july = state_of(s, "2022-07", dt.date(2022, 7, 20))
        assert (july.colour, july.status, july.category) == (RED, "推进中", DueCategory.OVERDUE)
        record_marks(s, "2022-07", task_states(s, pid, "2022-07", due_soon_days=15, today=dt.date(2022, 7, 20)))
        sign_off(s, get_task(s, TASK), signed_on=dt.date(2022, 8, 3), operator="办公室", note="现场核验")
        august = state_of(s, "2022-08", dt.date(2022, 8, 10))
        assert (august.colour, august.status, august.percent) == (DONE, "已销号", 100)
        assert august.category == DueCategory.LATE  # signed off after its time limit
        record_marks(s, "2022-08", task_states(s, pid, "2022-08", due_soon_days=15, today=dt.date(2022, 8, 10)))
        # Looking back at July: the sign-off came later, so July stays red.
        assert state_of(s, "2022-07", dt.date(2026, 1, 1)).colour == RED
    with ledger.Session() as s:
        history = [(period, colour) for period, colour, _ in colour_history(s, pid_task)]
        current = load_settings(s).current_period
    # The commit also kept the current reporting period's colour (db.marks), as every change does.
    assert history == [("2022-05", GREEN), ("2022-06", YELLOW), ("2022-07", RED), ("2022-08", DONE), (current, DONE)]


def test_supporting_units_report_does_not_make_the_task_done(ledger):
    with ledger.Session.begin() as s:
        report(s, "2022-06", "已完成", 100, unit=SUPPORT)
        state = state_of(s, "2022-06", dt.date(2022, 6, 10))
        assert state.status == "未报送" and state.colour == GREY  # no lead report; due in 20 days
        assert state.last_period == "2022-06"  # the report is shown as the latest one all the same
        report(s, "2022-06", "滞后", 30)
        assert state_of(s, "2022-06", dt.date(2022, 6, 10)).status == "滞后"


def test_extension_moves_the_due_date_and_keeps_the_original(ledger):
    with ledger.Session.begin() as s:
        task = get_task(s, TASK)
        extend(s, task, new_due=dt.date(2022, 9, 30), reason="疫情影响", document="三营商办〔2022〕5号", approved_on=dt.date(2022, 6, 28), operator="办公室")
        july = state_of(s, "2022-07", dt.date(2022, 7, 20))
        assert july.colour == GREY and july.extended
        assert (july.original_due, july.due) == (dt.date(2022, 6, 30), dt.date(2022, 9, 30))
        assert task.deadline_text == "2022年6月前"
        # Before the approval date the old deadline still applied.
        assert state_of(s, "2022-06", dt.date(2022, 6, 20)).colour == YELLOW


def test_completion_counts_a_task_for_its_lead_only(ledger):
    with ledger.Session.begin() as s:
        pid = resolve_plan_id(s, None)
        sign_off(s, get_task(s, TASK), signed_on=dt.date(2022, 6, 28), operator="办公室", note="已验收")
        states = task_states(s, pid, "2022-06", due_soon_days=15, today=dt.date(2022, 6, 30))
        by_unit = {c.key: c for c in completion_by_lead_unit(s, pid, states)}
        by_annex = {c.key: c for c in completion_by_annex(s, pid, states)}
    housing = by_unit["市住房和城乡建设局"]
    assert housing.signed_off == 1 and housing.total >= 10
    assert by_unit["市自然资源和规划局"].signed_off == 0  # it only supports A03-01
    assert (by_annex["3"].total, by_annex["3"].signed_off) == (12, 1)


def test_month_against_month(ledger):
    with ledger.Session.begin() as s:
        pid = resolve_plan_id(s, None)
        report(s, "2022-06", "推进中", 80)
        report(s, "2022-07", "已完成", 100)
        report(s, "2022-07", "推进中", 50, task="A03-04")
        sign_off(s, get_task(s, "A03-04"), signed_on=dt.date(2022, 7, 15), operator="办公室", note="已验收")
        july = compare_months(s, pid, "2022-07", due_soon_days=15, today=dt.date(2022, 7, 31))
        june = compare_months(s, pid, "2022-06", due_soon_days=15, today=dt.date(2022, 7, 31))
    done = {line.code: line.why for line in july.newly_done}
    assert "待销号" in done[TASK] and "办结销号" in done["A03-04"]
    overdue = {line.code for line in july.newly_overdue}
    # Reported done by its only lead unit: the office owes the sign-off, the unit is not overdue.
    assert TASK not in overdue and "A03-04" not in overdue
    # Due on 30 June and not signed off: overdue at the end of June, its own due day, not first in July.
    assert "A03-07" not in overdue and "A03-07" in {line.code for line in june.newly_overdue}
    silent = {line.code for line in july.no_new_report}
    assert TASK not in silent and "A03-07" in silent and "A03-04" not in silent
    units = dict(july.units_not_reported)
    assert "市住房和城乡建设局" not in units and units["市自然资源和规划局"] > 0
