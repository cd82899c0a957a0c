"""The batch grid's rules in db.progress, without Qt: copies of last month, signed-off tasks, typed values."""

import datetime as dt

import pytest

from db.decisions import sign_off
from db.errors import UserError
from db.ledger import get_task
from db.progress import ProgressInput, batch_rows, list_progress, percent_from_text, save_batch, status_from_text

UNIT = "市住房和城乡建设局"


def codes(ledger, n):
    with ledger.Session() as session:
        return [r.task_code for r in batch_rows(session, UNIT, "2022-06")[:n]]


def report(code, period, status="推进中", percent=40, text="五月进展", reporter=None):
    return ProgressInput(code, UNIT, period, status, percent, text, "问题", "计划", reporter=reporter)


def saved(ledger, period):
    with ledger.Session() as session:
        return {e.task: e for e in list_progress(session, unit=UNIT, period=period)}


def test_unchanged_copies_of_last_month_are_saved_only_when_confirmed(ledger):
    first, second, third, fourth = codes(ledger, 4)
    with ledger.Session.begin() as session:
        save_batch(session, [report(c, "2022-05", text=f"五月{c}") for c in (first, second, third)], operator="测试")

    june = [
        report(first, "2022-06", text=f"五月{first}"),  # copied, untouched
        report(second, "2022-06", text=f"五月{second}"),  # copied, untouched, confirmed
        report(third, "2022-06", percent=55, text=f"五月{third}"),  # copied, then changed
        report(fourth, "2022-06", text="新任务的第一次报送"),  # nothing last month
    ]
    with ledger.Session.begin() as session:
        outcome = save_batch(session, june, operator="测试", row_numbers=[1, 2, 3, 4], confirmed={second})

    assert (outcome.added, outcome.updated, outcome.unchanged, outcome.unconfirmed) == (3, 0, 0, [1])
    assert set(saved(ledger, "2022-06")) == {second, third, fourth}

    # Confirmed later, the copy counts; saved once, a new 填报人 on it needs no second confirmation.
    with ledger.Session.begin() as session:
        outcome = save_batch(session, [june[0]], operator="测试", confirmed={first})
    assert (outcome.added, outcome.unconfirmed) == (1, [])
    with ledger.Session.begin() as session:
        outcome = save_batch(session, [report(first, "2022-06", text=f"五月{first}", reporter="王五")], operator="测试")
    assert (outcome.updated, outcome.unconfirmed) == (1, [])
    assert saved(ledger, "2022-06")[first].reporter == "王五"


def test_a_copy_differing_only_in_spacing_is_still_a_copy(ledger):
    (first,) = codes(ledger, 1)
    with ledger.Session.begin() as session:
        save_batch(session, [report(first, "2022-05")], operator="测试")
    with ledger.Session.begin() as session:
        outcome = save_batch(session, [report(first, "2022-06", text="五月进展  \n")], operator="测试")
    assert outcome.unconfirmed == [1] and saved(ledger, "2022-06") == {}


def test_a_task_signed_off_by_the_months_end_takes_no_report(ledger):
    first, second = codes(ledger, 2)
    with ledger.Session.begin() as session:
        sign_off(session, get_task(session, first), signed_on=dt.date(2022, 6, 20), operator="测试", note="已办结")
        sign_off(session, get_task(session, second), signed_on=dt.date(2022, 7, 5), operator="测试", note="已办结")
    with ledger.Session() as session:
        rows = {r.task_code: r for r in batch_rows(session, UNIT, "2022-06")}
        may = {r.task_code: r for r in batch_rows(session, UNIT, "2022-05")}
    assert rows[first].signed_off == dt.date(2022, 6, 20)
    assert rows[second].signed_off is None  # signed off in July: June is still open
    assert may[first].signed_off is None

    with pytest.raises(UserError) as caught, ledger.Session.begin() as session:
        save_batch(session, [report(second, "2022-06"), report(first, "2022-06")], operator="测试")
    assert caught.value.details == [f"第 2 行（任务 {first}）：任务已于 2022-06-20 销号，不再填报进展。"]
    assert saved(ledger, "2022-06") == {}


@pytest.mark.parametrize(
    ("typed", "value"),
    [("60", 60), ("60%", 60), (" 100 ", 100), ("６０％", 60), ("0", 0), ("", None), ("  ", None)],
)
def test_percent_as_typed_or_pasted(typed, value):
    assert percent_from_text(typed) == value


@pytest.mark.parametrize("typed", ["150", "101", "-1", "12.5", "六十", "60%%", "1e2"])
def test_percent_out_of_range_or_not_a_whole_number_is_refused_never_cut(typed):
    with pytest.raises(UserError) as caught:
        percent_from_text(typed)
    assert caught.value.message == f"进度“{typed}”无效，应为 0 到 100 之间的整数。"


def test_status_as_typed_or_pasted():
    assert status_from_text(" 滞后 ") == "滞后"
    assert status_from_text("") == ""
    with pytest.raises(UserError, match="状态“未开始”无效，应为：未启动、推进中、已完成、滞后、持续推进。"):
        status_from_text("未开始")
    with pytest.raises(UserError, match="状态“已销号”无效"):
        status_from_text("已销号")  # the office's verdict, not a unit's report
