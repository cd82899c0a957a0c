"""The batch dialog's 指标 tab: a unit's indicator actuals for the month typed or pasted, saved with its reports, all or nothing.

On the bundled 2022 plan, 市住房和城乡建设局 answers for 32 indicators; ZB03-02 is 附件3's 时间 (工作日), its
targets 26 from 2022-06 and 25 from 2022-12; ZB03-04 (工程地质勘察时间) has one target, 7 at 2022-12.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit
from sqlalchemy import func, select

from db.decisions import sign_off
from db.errors import UserError
from db.indicator_actuals import actuals_of, indicator_standing, report_actual
from db.indicator_batch import ActualInput, save_actuals, unit_indicator_rows
from db.indicators import find_indicator
from db.ledger import find_unit, get_task, resolve_plan_id
from db.models import AuditLog
from db.progress import batch_rows, list_progress
from desktop.batch_dialog import INDICATORS_TAB, REPORTS_TAB
from desktop.batch_indicators import CODE, DIRECTION, LAST, MEASURE, NAME, NOTE, TARGET, VALUE
from tests.batch_support import PROGRESS, STATUS, UNIT, focused, ime, open_dialog

pytestmark = pytest.mark.gui
PERIOD = "2022-06"


def report(ledger, code: str, period: str, value: str, note: str | None = None, unit: str = UNIT) -> None:
    with ledger.Session.begin() as session:
        ind = find_indicator(session, resolve_plan_id(session, None), code)
        report_actual(session, ind, find_unit(session, unit), period, value, note=note, operator="测试")


def actual(ledger, code: str, period: str = PERIOD):
    """The unit's stored actual of an indicator for the month, read through the service (None if none)."""
    with ledger.Session() as session:
        ind = find_indicator(session, resolve_plan_id(session, None), code)
        return next((a for a in actuals_of(session, ind.id) if a.unit == UNIT and a.period == period), None)


def actual_audits(ledger) -> int:
    with ledger.Session() as session:
        return session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "indicator.actual"))


def reports(ledger) -> int:
    with ledger.Session() as session:
        return len(list_progress(session, unit=UNIT, period=PERIOD))


def row_of(dialog, code: str) -> int:
    model = dialog.indicator_model
    return next(r for r in range(model.rowCount()) if model.indicator_row(r).code == code)


def cell(dialog, code: str, column: int) -> str:
    return dialog.indicator_model.index(row_of(dialog, code), column).data()


def on_indicators(dialog, code: str, column: int = VALUE) -> None:
    dialog.tabs.setCurrentIndex(INDICATORS_TAB)
    dialog.indicator_view.setCurrentIndex(dialog.indicator_model.index(row_of(dialog, code), column))
    dialog.indicator_view.setFocus()


def problems(dialog) -> list[str]:
    return [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]


def write_report(dialog, row: int = 0) -> str:
    """A report typed on the reports tab's row; returns its task code."""
    model = dialog.model
    model.setData(model.index(row, STATUS), "推进中")
    model.setData(model.index(row, PROGRESS), "已完成方案起草")
    return model.batch_row(row).task_code


def test_the_tab_lists_the_units_indicators_with_targets_and_last_actuals(qtbot, ledger):
    report(ledger, "ZB03-02", "2022-04", "28")
    report(ledger, "ZB03-02", "2022-05", "27", note="5月抽样")
    report(ledger, "ZB03-01", PERIOD, "7", note="6月已报")
    dialog = open_dialog(qtbot, ledger)
    assert dialog.tabs.isTabVisible(INDICATORS_TAB) and dialog.tabs.tabText(INDICATORS_TAB) == "指标"
    with ledger.Session() as session:
        expected = [s.code for s in indicator_standing(session, resolve_plan_id(session, None), PERIOD, unit=UNIT)]
    shown = [dialog.indicator_model.indicator_row(r).code for r in range(dialog.indicator_model.rowCount())]
    assert shown == expected and len(shown) == 32
    assert cell(dialog, "ZB03-02", CODE) == "ZB03-02\n附件3"
    assert cell(dialog, "ZB03-02", NAME) == "时间 (工作日)"
    assert (cell(dialog, "ZB03-02", MEASURE), cell(dialog, "ZB03-02", DIRECTION)) == ("工作日", "越低越好")
    assert cell(dialog, "ZB03-02", TARGET) == "26(不动产登记 单独 1 个工作 日)\n2022年6月目标"
    assert cell(dialog, "ZB03-04", TARGET) == "7\n2022年12月到期"  # none due yet: the next one, with its month
    assert cell(dialog, "ZB03-02", LAST) == "27\n2022年5月"  # the latest before June, not April's
    assert "5月抽样" in dialog.indicator_model.index(row_of(dialog, "ZB03-02"), LAST).data(Qt.ItemDataRole.ToolTipRole)
    assert (cell(dialog, "ZB03-01", VALUE), cell(dialog, "ZB03-01", NOTE)) == ("7", "6月已报")  # this month's, prefilled
    assert (cell(dialog, "ZB03-02", VALUE), cell(dialog, "ZB03-04", LAST)) == ("", "")
    assert "指标 32 项，本月已填 1 项" in dialog.summary.text()
    # December: the 2022-12 target is in force; June's actual is the last one.
    dialog.period_edit.set_period("2022-12")
    dialog._on_period_chosen("2022-12")
    assert cell(dialog, "ZB03-02", TARGET) == "25\n2022年12月目标"
    assert cell(dialog, "ZB03-01", LAST) == "7\n2022年6月" and cell(dialog, "ZB03-01", VALUE) == ""


def test_typed_and_pasted_values_are_saved_with_their_audit(qtbot, ledger):
    before = actual_audits(ledger)
    dialog = open_dialog(qtbot, ledger)
    on_indicators(dialog, "ZB03-02")
    qtbot.keyClick(dialog.indicator_view, Qt.Key.Key_F2)
    assert isinstance(focused(), QLineEdit)
    qtbot.keyClicks(focused(), "25.5")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert isinstance(focused(), QPlainTextEdit)  # 说明 of the same row
    ime(focused(), "不动产登记中心抽样")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert isinstance(focused(), QLineEdit)  # the next row's 本期实际值, left as it was
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    # A column copied from Excel: 环节 and 时间 of 附件5's 用水 (ZB05-01, ZB05-02), the second with its 说明.
    on_indicators(dialog, "ZB05-01")
    assert dialog.paste("2\r\n1.5\t含周末\r\n")
    assert "已粘贴 2 行 2 列" in dialog.message.text()
    assert dialog.save_button.text() == "保存 3 项指标（Ctrl+S）"
    assert dialog.save()
    assert "指标实际值：新填 3 项，更新 0 项" in dialog.message.text()
    stored = actual(ledger, "ZB03-02")
    assert (stored.value_text, stored.value, stored.note, stored.version) == ("25.5", 25.5, "不动产登记中心抽样", 1)
    assert (actual(ledger, "ZB05-01").value, actual(ledger, "ZB05-02").note) == (2.0, "含周末")
    assert actual_audits(ledger) == before + 3
    with ledger.Session() as session:
        row = session.scalars(select(AuditLog).where(AuditLog.action == "indicator.actual").order_by(AuditLog.id.desc())).first()
        assert row.operator == "李四" and row.entity_key.endswith(f"/{UNIT}/{PERIOD}")
    assert cell(dialog, "ZB03-02", VALUE) == "25.5"  # reloaded from the ledger
    assert not dialog.indicator_model.is_dirty()


def test_a_refused_value_blocks_saving_and_writes_neither_reports_nor_values(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    write_report(dialog)
    on_indicators(dialog, "ZB03-01")
    dialog.paste("6\r\n" + "很" * 201 + "\r\n")  # ZB03-01 fine, ZB03-02 too long
    dialog.indicator_model.setData(dialog.indicator_model.index(row_of(dialog, "ZB03-04"), NOTE), "只有说明没有数值")
    assert "其中 1 格不符合要求" in dialog.message.text()
    assert not dialog.save()
    listed = problems(dialog)
    assert any(p.startswith("指标第") and "（ZB03-02）本期实际值" in p and "过长（201 字）" in p for p in listed)
    assert any("（ZB03-04）本期实际值" in p and "实际值不能为空" in p for p in listed)
    assert "一条也不会写入" in dialog.problem_title.text()
    assert reports(ledger) == 0 and actual(ledger, "ZB03-01") is None
    # The problem list takes the clerk to the cell; corrected, the batch saves.
    dialog.tabs.setCurrentIndex(REPORTS_TAB)
    dialog.go_to_problem(dialog.problem_list.item(0))
    assert dialog.tabs.currentIndex() == INDICATORS_TAB
    assert dialog.indicator_view.currentIndex().row() == row_of(dialog, "ZB03-02")
    dialog.indicator_view.commit_editor()
    dialog.indicator_model.setData(dialog.indicator_model.index(row_of(dialog, "ZB03-02"), VALUE), "26")
    dialog.indicator_model.setData(dialog.indicator_model.index(row_of(dialog, "ZB03-04"), VALUE), "8")
    assert dialog.save(), problems(dialog)
    assert reports(ledger) == 1 and [actual(ledger, c).value for c in ("ZB03-01", "ZB03-02", "ZB03-04")] == [6, 26, 8]


def test_a_report_the_rules_refuse_rolls_back_the_indicator_values(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    code = write_report(dialog)
    on_indicators(dialog, "ZB03-02")
    dialog.paste("25")
    with ledger.Session.begin() as session:  # the office signs the task off while the clerk types
        sign_off(session, get_task(session, code), signed_on=dt.date(2022, 6, 20), operator="测试", note="已办结")
    audits = actual_audits(ledger)
    assert not dialog.save()
    assert any(f"任务 {code}）：任务已于 2022-06-20 销号" in p for p in problems(dialog)), problems(dialog)
    assert actual(ledger, "ZB03-02") is None and actual_audits(ledger) == audits and reports(ledger) == 0
    assert cell(dialog, "ZB03-02", VALUE) == "25"  # the clerk's value stays in the grid


def test_a_value_someone_saved_meanwhile_is_refused_and_the_reports_with_it(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    write_report(dialog)
    on_indicators(dialog, "ZB03-02")
    dialog.paste("25")
    report(ledger, "ZB03-02", PERIOD, "24")  # another clerk, after the grid loaded
    assert not dialog.save()
    assert any("ZB03-02" in p and "已被他人修改" in p for p in problems(dialog))
    assert actual(ledger, "ZB03-02").value_text == "24" and reports(ledger) == 0


def test_saving_unchanged_values_writes_no_audit_and_a_cleared_value_stays(qtbot, ledger):
    report(ledger, "ZB03-02", PERIOD, "25", note="抽样")
    report(ledger, "ZB03-01", PERIOD, "6")
    audits = actual_audits(ledger)
    dialog = open_dialog(qtbot, ledger)
    on_indicators(dialog, "ZB03-01")
    dialog.paste("6\t\r\n 25 \t抽样\r\n")  # what is stored already, spaces and all
    assert not dialog.indicator_model.is_dirty()
    assert dialog.save() and "没有需要保存的修改" in dialog.message.text()
    assert actual_audits(ledger) == audits
    # The service says the same: an unchanged value is not saved again.
    with ledger.Session.begin() as session:
        ind = find_indicator(session, resolve_plan_id(session, None), "ZB03-02")
        outcome = save_actuals(session, UNIT, PERIOD, [ActualInput(ind.id, "25", "抽样", 1)])
    assert (outcome.added, outcome.updated, outcome.unchanged) == (0, 0, 1) and actual_audits(ledger) == audits
    # Delete on a stored value: nothing deletes actuals, so it stays, and the clerk is told.
    on_indicators(dialog, "ZB03-02")
    qtbot.keyClick(dialog.indicator_view, Qt.Key.Key_Delete)
    assert "不会因清空而删除" in dialog.message.text()
    assert "保留原值" in dialog.indicator_model.index(row_of(dialog, "ZB03-02"), VALUE).data(Qt.ItemDataRole.ToolTipRole)
    assert dialog.save() and "保留原值" in dialog.message.text()
    assert actual(ledger, "ZB03-02").value_text == "25" and actual_audits(ledger) == audits
    assert cell(dialog, "ZB03-02", VALUE) == "25"


def test_a_changed_value_is_a_new_version(qtbot, ledger):
    report(ledger, "ZB03-02", PERIOD, "25")
    dialog = open_dialog(qtbot, ledger)
    on_indicators(dialog, "ZB03-02")
    dialog.paste("24\t复核后更正")
    assert dialog.save() and "新填 0 项，更新 1 项" in dialog.message.text()
    stored = actual(ledger, "ZB03-02")
    assert (stored.value_text, stored.note, stored.version) == ("24", "复核后更正", 2)


def test_a_unit_without_indicators_has_no_tab_and_switching_units_reloads_it(qtbot, ledger):
    plain = "市城市管理局"
    with ledger.Session() as session:
        assert batch_rows(session, plain, PERIOD) and not unit_indicator_rows(session, plain, PERIOD)
    dialog = open_dialog(qtbot, ledger, unit=plain)
    assert not dialog.tabs.isTabVisible(INDICATORS_TAB) and not dialog.tabs.tabBar().isVisible()
    assert "指标" not in dialog.summary.text()
    dialog.unit_box.setEditText("住建局")
    dialog._on_unit_chosen()
    assert dialog.unit == UNIT and dialog.tabs.isTabVisible(INDICATORS_TAB) and dialog.indicator_model.rowCount() == 32
    dialog.tabs.setCurrentIndex(INDICATORS_TAB)
    assert "本期实际值" in dialog.hint.text() and not dialog.copy_button.isVisible()
    dialog.unit_box.setEditText(plain)
    dialog._on_unit_chosen()
    assert dialog.tabs.currentIndex() == REPORTS_TAB and not dialog.tabs.isTabVisible(INDICATORS_TAB)
    assert dialog.indicator_model.rowCount() == 0


def test_unsaved_values_are_asked_about_before_the_unit_changes(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    on_indicators(dialog, "ZB03-02")
    dialog.paste("25")
    dialog.unit_box.setEditText("市城市管理局")
    dialog._on_unit_chosen()
    assert dialog.asked == ["asked"]  # answered 放弃 (batch_support): nothing written
    assert actual(ledger, "ZB03-02") is None


def test_the_service_refuses_an_indicator_the_unit_does_not_answer_for(ledger):
    with ledger.Session.begin() as session:
        other = next(s for s in indicator_standing(session, resolve_plan_id(session, None), PERIOD) if UNIT not in s.units)
        with pytest.raises(UserError) as refused:
            save_actuals(session, UNIT, PERIOD, [ActualInput(other.indicator_id, "5", None, None)], row_numbers=[4])
    assert refused.value.details == [f"指标第 4 行（{other.code}）：“{UNIT}”不是指标 {other.code} 的责任单位（责任单位：{'、'.join(other.units)}），未作任何更改。"]
    assert actual_audits(ledger) == 0


def test_a_unit_login_on_a_server_saves_its_month_and_a_refused_report_keeps_the_values_out(qtbot, pg_cluster, pg_initialised_url, monkeypatch):
    """With the server's real grants (server init, user add): the unit's own values go in with its reports, under its login."""
    import io

    from sqlalchemy.engine import make_url

    from db.engine import open_ledger
    from db.indicator_batch import save_unit_month
    from db.progress import ProgressInput
    from desktop.cli import main
    from tests.pg_server import template_copy

    url = template_copy(pg_cluster, pg_initialised_url, prefix="grid")
    login, password = f"grid_unit_{url[-6:]}", "住建-pw-9"
    assert main(["--db", url, "--operator", "测试", "server", "init"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    assert main(["--db", url, "--operator", "测试", "user", "add", login, "--role", "unit", "--unit", UNIT, "--password-stdin"]) == 0
    ledger = open_ledger(make_url(url).set(username=login, password=password).render_as_string(hide_password=False))
    try:
        dialog = open_dialog(qtbot, ledger)
        write_report(dialog)
        on_indicators(dialog, "ZB03-02")
        dialog.paste("25\t单位自报")
        assert dialog.save(), problems(dialog)
        assert actual(ledger, "ZB03-02").note == "单位自报" and reports(ledger) == 1
        with ledger.Session() as session:
            row = session.scalars(select(AuditLog).where(AuditLog.action == "indicator.actual")).one()
            assert row.login == login
        # Another unit's report in the same batch: the server refuses it, and the unit's value goes with it.
        with ledger.Session() as session:
            other_task = next(r.task_code for r in batch_rows(session, "市商务局", PERIOD) if r.task_code not in {b.task_code for b in batch_rows(session, UNIT, PERIOD)})
            ind = find_indicator(session, resolve_plan_id(session, None), "ZB03-01")
        with pytest.raises(UserError) as refused, ledger.Session.begin() as session:
            save_unit_month(session, UNIT, PERIOD, [ProgressInput(other_task, "市商务局", PERIOD, "推进中", 10, "越权")], [ActualInput(ind.id, "6", None, None)])
        assert any("服务器拒绝" in p for p in refused.value.details)
        assert actual(ledger, "ZB03-01") is None
    finally:
        ledger.close()
