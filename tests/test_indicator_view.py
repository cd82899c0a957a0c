"""The 指标 tab as a clerk uses it: standings after actuals are reported, filters, the trend chart, entering and correcting.

On the bundled 2022 plan; ZB03-02 is 附件3's 时间 (工作日): 现状 27.5, targets 26 (2022-06) and 25 (2022-12),
国内前沿 17 (上海), answered for by 市住房和城乡建设局 and five other units.
"""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from db.indicator_actuals import indicator_standing, report_actual
from db.indicators import find_indicator
from db.ledger import find_unit, resolve_plan_id
from db.models import AuditLog, IndicatorActual
from db.settings import load_settings, save_settings
from db.vocabulary import Standing
from desktop.indicator_view import COL_CODE, COL_STANDING

pytestmark = pytest.mark.gui
PERIOD = "2022-12"
HOUSING = "市住房和城乡建设局"
POWER = "三门峡供电公司"


def report(ledger, code: str, unit: str, period: str, value: str) -> None:
    with ledger.Session.begin() as session:
        ind = find_indicator(session, resolve_plan_id(session, None), code)
        report_actual(session, ind, find_unit(session, unit), period, value, operator="测试")


def set_period(ledger, period: str) -> None:
    with ledger.Session.begin() as session:
        settings = load_settings(session)
        settings.current_period = period
        save_settings(session, settings, operator="测试")


def wait_idle(qtbot) -> None:
    from desktop.ops import runner

    qtbot.waitUntil(lambda: not runner().busy, timeout=30000)


def open_indicators(qtbot, ledger, tmp_path):
    """The window started as app.py does, then its 指标 tab opened (Ctrl+7)."""
    from desktop.main_window import MainWindow

    window = MainWindow(ledger, QSettings(str(tmp_path / f"prefs-{uuid.uuid4().hex[:6]}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.start_loading()
    wait_idle(qtbot)
    next(a for a in window.actions() if a.text() == "指标").trigger()
    wait_idle(qtbot)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "指标"
    return window


def shown(panel) -> dict[str, str]:
    """The rows the table shows: code → 达标情况."""
    return {panel.proxy.index(r, COL_CODE).data(): panel.proxy.index(r, COL_STANDING).data() for r in range(panel.proxy.rowCount())}


def when_modal(kind, act):
    def look():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            act(widget)
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


@pytest.fixture
def reported(ledger):
    """December 2022 current; ZB03-02 reported monthly (behind its 25 at year end), ZB04-01 met (18 ≤ 20)."""
    set_period(ledger, PERIOD)
    for period, value in (("2022-03", "27"), ("2022-06", "26"), ("2022-09", "25.5"), ("2022-11", "26个工作日")):
        report(ledger, "ZB03-02", HOUSING, period, value)
    report(ledger, "ZB03-03", HOUSING, "2022-10", "配套费标准调整已报市政府审定")
    report(ledger, "ZB04-01", POWER, "2022-10", "18个工作日")
    return ledger


def test_the_view_lists_the_plans_indicators_with_their_standing_and_filters_them(qtbot, reported, tmp_path):
    window = open_indicators(qtbot, reported, tmp_path)
    panel = window.indicators
    with reported.Session() as session:
        expected = indicator_standing(session, resolve_plan_id(session, None), PERIOD)
    rows = shown(panel)
    assert len(rows) == len(expected) > 100
    assert rows["ZB03-02"] == "未达标" and rows["ZB04-01"] == "达标" and rows["ZB03-03"] == "无法比较"
    assert rows["ZB04-02"] == "未填报"  # due at year end, nothing reported
    assert panel.period_label.text().startswith("2022年12月")

    panel.set_filter(annex=4)
    assert set(shown(panel)) == {s.code for s in expected if s.annex == 4}
    panel.set_filter(annex=4, standing=Standing.MET)
    assert shown(panel) == {"ZB04-01": "达标"}
    panel.set_filter(unit=HOUSING, standing=Standing.BEHIND)
    assert "ZB03-02" in shown(panel) and all(v == "未达标" for v in shown(panel).values())
    assert all(HOUSING in panel.proxy.index(r, 0).data(0x0100).units for r in range(panel.proxy.rowCount()))
    assert panel.count_label.text() == f"显示 {len(shown(panel))} / {len(expected)} 项指标"


def test_the_chart_shows_the_monthly_actuals_the_staged_targets_and_the_reference_lines(qtbot, reported, tmp_path):
    window = open_indicators(qtbot, reported, tmp_path)
    panel = window.indicators
    assert panel.select("ZB03-02")
    wait_idle(qtbot)
    chart = panel.chart
    assert chart.series == {HOUSING: [("2022-03", 27.0), ("2022-06", 26.0), ("2022-09", 25.5), ("2022-11", 26.0)]}
    assert chart.months[0] == "2022-03" and chart.months[-1] == "2022-12" and len(chart.months) == 10
    # 26 from the first month up to June, then 25 from June up to December.
    assert [(s.period, chart.months[s.first], chart.months[s.last], s.value) for s in chart.segments] == [
        ("2022-06", "2022-03", "2022-06", 26.0),
        ("2022-12", "2022-06", "2022-12", 25.0),
    ]
    assert chart.references == {"现状": 27.5, "国内前沿": 17.0}
    drawn = [item.getData() for item in chart.chart.getPlotItem().listDataItems()]
    assert any(list(x) == [0, 3, 6, 8] and list(y) == [27, 26, 25.5, 26] for x, y in drawn)  # the line with its points
    assert "未达标" in chart.side.text() and "26个工作日" in chart.side.text()

    # A value with no number is listed beside the chart, not drawn.
    assert panel.select("ZB03-03")
    wait_idle(qtbot)
    assert panel.chart.series == {} and any("配套费标准调整已报市政府审定" in t for t in panel.chart.unplotted)
    assert "配套费标准调整已报市政府审定" in panel.chart.side.text()


def test_the_entry_dialog_saves_through_report_actual_and_refuses_a_bad_value_writing_nothing(qtbot, reported, tmp_path):
    from desktop.indicator_dialogs import ActualEntryDialog

    window = open_indicators(qtbot, reported, tmp_path)
    panel = window.indicators
    panel.select("ZB04-02")
    wait_idle(qtbot)
    seen = {}

    def refuse_then_save(dialog):
        seen["units"] = [dialog.unit.itemText(i) for i in range(dialog.unit.count())]
        dialog.value.setText("很长" * 101)  # 202 characters: refused by report_actual
        dialog.save()
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
        seen["error"] = dialog.error.text()
        with reported.Session() as session:
            seen["rows"] = session.scalar(select(IndicatorActual.id).where(IndicatorActual.value_text.like("很长%")))
        dialog.period.set_period("2022-11")
        dialog.value.setText("28个工作日")
        dialog.note.setPlainText("两项工程待验收")
        dialog.save()

    when_modal(ActualEntryDialog, refuse_then_save)
    panel.entry_button.click()
    wait_idle(qtbot)
    assert seen["units"] == [POWER]
    assert "实际值过长" in seen["error"] and "不能超过 200 字" in seen["error"]
    assert seen["rows"] is None
    with reported.Session() as session:
        row = session.scalar(select(IndicatorActual).where(IndicatorActual.value_text == "28个工作日"))
        assert (row.period, row.value, row.note, row.operator) == ("2022-11", 28.0, "两项工程待验收", window.operator)
        assert session.scalar(select(AuditLog).where(AuditLog.action == "indicator.actual", AuditLog.entity_key == "ZB04-02/三门峡供电公司/2022-11"))
    assert shown(panel)["ZB04-02"] == "达标"  # the view is read again: 28 meets its ≤30


def test_the_correction_dialog_records_the_change_and_keeps_the_printed_wording(qtbot, reported, tmp_path):
    from desktop.indicator_dialogs import IndicatorCorrectionDialog

    window = open_indicators(qtbot, reported, tmp_path)
    panel = window.indicators
    panel.select("ZB03-02")
    wait_idle(qtbot)
    seen = {}

    def correct(dialog):
        seen["printed"] = [label.text() for label in dialog.printed_labels.findChildren(type(dialog.error))]
        dialog.targets.setPlainText("2022-06 26\n2022-12 24")
        dialog.save()  # no reason: refused by correct_indicator
        qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10000)
        seen["error"] = dialog.error.text()
        dialog.reason.setText("与原文第 9 页核对")
        dialog.save()

    when_modal(IndicatorCorrectionDialog, correct)
    panel.correct_button.click()
    wait_idle(qtbot)
    assert "请填写更正原因" in seen["error"]
    assert "2022-06 26(不动产登记 单独 1 个工作 日)\n2022-12 25" in seen["printed"]
    with reported.Session() as session:
        ind = find_indicator(session, resolve_plan_id(session, None), "ZB03-02")
        assert {t.period: t.text for t in ind.targets} == {"2022-06": "26", "2022-12": "24"}
        assert ind.printed["targets"]["2022-12"] == "25" and ind.corrected_by == window.operator
        entry = session.scalar(select(AuditLog).where(AuditLog.action == "indicator.correct", AuditLog.entity_key == "ZB03-02"))
        assert entry.note == "与原文第 9 页核对"
    assert panel.current_line().code == "ZB03-02" and panel.current_line().target_text == "24"


def test_the_task_detail_lists_its_annexs_indicators_in_short(qtbot, reported, tmp_path):
    from db.ledger import get_task
    from db.task_detail import task_detail
    from desktop.detail_view import render_detail

    with reported.Session() as session:
        detail = task_detail(session, get_task(session, "A03-01").id)
    assert {s.code for s in detail.indicators} >= {"ZB03-01", "ZB03-02"} and all(s.annex == 3 for s in detail.indicators)
    html = render_detail(detail, None)
    assert "本附件指标（当前报送期间）" in html
    row = html[html.index("<td>ZB03-02</td>"):]
    row = row[: row.index("</tr>")]
    assert "<td>25</td>" in row and "26个工作日" in row and "未达标" in row



def test_a_unit_login_on_a_server_enters_actuals_for_its_own_units_only(qtbot, pg_cluster, pg_initialised_url, tmp_path):
    from db.engine import open_ledger
    from desktop.indicator_dialogs import ActualEntryDialog
    from tests.pg_server import template_copy
    from tests.test_server_window import make_login

    url = template_copy(pg_cluster, pg_initialised_url, prefix="indicators")
    unit = "市发展改革委"
    ledger = open_ledger(make_login(pg_cluster, url, "unit", (unit,)))
    try:
        window = open_indicators(qtbot, ledger, tmp_path)
        panel = window.indicators
        assert panel.unit_combo.currentText() == unit  # it opens on its own indicators
        assert panel.entry_button.isVisible() and not panel.correct_button.isVisible()
        shared = next(line for line in panel.model.lines if unit in line.units and len(line.units) > 1)
        seen = {}

        def look(dialog):
            seen["units"] = [dialog.unit.itemText(i) for i in range(dialog.unit.count())]
            dialog.reject()

        panel.set_filter()
        panel.select(shared.code)
        when_modal(ActualEntryDialog, look)
        panel.entry_button.click()
        assert seen["units"] == [unit]
        other = next(line for line in panel.model.lines if unit not in line.units)
        panel.select(other.code)
        panel.entry_button.click()
        assert QApplication.activeModalWidget() is None
        assert "不由本单位填报" in window.statusBar().currentMessage()
        window.poll_timer.stop()
    finally:
        ledger.close()


def test_a_reader_login_on_a_server_only_reads_the_indicators(qtbot, pg_cluster, pg_initialised_url, tmp_path):
    from db.engine import open_ledger
    from tests.pg_server import template_copy
    from tests.test_server_window import make_login

    url = template_copy(pg_cluster, pg_initialised_url, prefix="indicators")
    ledger = open_ledger(make_login(pg_cluster, url, "reader"))
    try:
        window = open_indicators(qtbot, ledger, tmp_path)
        panel = window.indicators
        assert panel.model.rowCount() > 100
        assert not panel.entry_button.isVisible() and not panel.correct_button.isVisible()
        panel.table.doubleClicked.emit(panel.table.currentIndex())  # a double-click opens no form
        assert QApplication.activeModalWidget() is None
        window.poll_timer.stop()
    finally:
        ledger.close()
