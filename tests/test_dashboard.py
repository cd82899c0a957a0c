"""The 仪表盘 tab: what a clerk reads on the four charts, and that clicking a bar asks for the right filter."""

import datetime as dt

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from db.decisions import sign_off
from db.ledger import get_task, resolve_plan_id
from db.progress import ProgressInput, add_progress
from db.review import completion_by_annex, completion_by_lead_unit, status_distribution
from db.settings import load_settings, save_settings
from db.warning_rules import record_marks, red_counts_by_period, task_states
from desktop.dashboard import ANNEX, PERIOD, STATUS, UNIT, ClickableBars, DashboardWidget

pytestmark = pytest.mark.gui

TODAY = dt.date(2022, 6, 30)


@pytest.fixture
def figures(ledger):
    """The review figures of June 2022 after a few reports, one sign-off and two months of recorded colours."""
    with ledger.Session.begin() as session:  # June is the reporting period, so changes record June's colours
        settings = load_settings(session)
        settings.current_period = "2022-06"
        save_settings(session, settings, operator="测试")
    with ledger.Session.begin() as session:
        reports = [
            ("A03-01", "市住房和城乡建设局", "已完成", 100),
            ("A03-04", "市住房和城乡建设局", "滞后", 30),
            ("A01-01", "市政务服务和大数据管理局", "推进中", 50),
        ]
        for code, unit, status, percent in reports:
            add_progress(session, ProgressInput(code, unit, "2022-06", status, percent, "按计划推进"), operator="测试")
        sign_off(session, get_task(session, "A03-02"), signed_on=dt.date(2022, 6, 20), operator="测试", note="验收材料已归档")
    with ledger.Session.begin() as session:  # the colours as they were on 30 June, not as seen today
        plan_id = resolve_plan_id(session, None)
        for period in ("2022-05", "2022-06"):
            record_marks(session, period, task_states(session, plan_id, period, due_soon_days=15, today=TODAY))
    with ledger.Session() as session:
        states = task_states(session, plan_id, "2022-06", due_soon_days=15, today=TODAY)
        return (
            completion_by_annex(session, plan_id, states),
            completion_by_lead_unit(session, plan_id, states),
            status_distribution(states),
            red_counts_by_period(session, plan_id),
        )


@pytest.fixture
def dashboard(qtbot, figures):
    widget = DashboardWidget()
    qtbot.addWidget(widget)
    widget.show_figures(*figures)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)
    QApplication.processEvents()
    return widget


def drawn_labels(widget: DashboardWidget, kind: str, side: str) -> list[tuple[str, object]]:
    """The tick labels pyqtgraph actually draws on an axis (it leaves out those that do not fit), with their boxes."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setFont(widget.font())
    try:
        _axis, _ticks, texts = widget.charts[kind].getPlotItem().getAxis(side).generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(text, rect) for rect, _flags, text in texts]


def assert_apart(labels) -> None:
    rects = [rect for _text, rect in labels]
    touching = [(labels[i][0], labels[j][0]) for i in range(len(rects)) for j in range(i + 1, len(rects)) if rects[i].intersects(rects[j])]
    assert not touching


def click_bar(qtbot, widget: DashboardWidget, kind: str, point: QPointF) -> None:
    """A real left click at a point given in the chart's data coordinates."""
    chart = widget.charts[kind]
    scene_pos = chart.getPlotItem().getViewBox().mapViewToScene(point)
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=chart.mapFromScene(scene_pos))


def value_labels(widget: DashboardWidget, kind: str) -> list[str]:
    return [item.toPlainText() for item in widget.charts[kind].getPlotItem().items if isinstance(item, pg.TextItem)]


def test_annex_chart_has_a_bar_per_annex_named_in_chinese(dashboard, figures):
    by_annex = figures[0]
    assert dashboard.titles[ANNEX].text() == "各附件完成情况（不含持续推进任务）"
    assert len(by_annex) == 21 and len(dashboard.bars[ANNEX].rects) == 21
    labels = drawn_labels(dashboard, ANNEX, "bottom")
    assert [text.replace("\n", "") for text, _rect in labels] == [f"附件{n}" for n in range(1, 22)]
    assert_apart(labels)
    tip = dashboard.bars[ANNEX].tips[2]
    assert tip.startswith("附件3：有时限任务 ")
    assert "已销号 1 项（8%）" in tip and "已报完成待销号 1 项" in tip


def test_clicking_the_bar_of_annex_3_asks_for_annex_3_and_a_gap_asks_nothing(qtbot, dashboard):
    third = dashboard.bars[ANNEX].rects[2]
    with qtbot.waitSignal(dashboard.filter_requested, timeout=2000) as signal:
        click_bar(qtbot, dashboard, ANNEX, third.center())
    assert signal.args == [ANNEX, "3"]
    # A pixel right of the bar: near enough for pyqtgraph to offer the click to the bars, but outside them.
    pixel_width, _height = dashboard.charts[ANNEX].getPlotItem().getViewBox().viewPixelSize()
    with qtbot.assertNotEmitted(dashboard.filter_requested, wait=200):
        click_bar(qtbot, dashboard, ANNEX, QPointF(third.right() + pixel_width, third.center().y()))


def test_hovering_a_bar_shows_its_figures(qtbot, dashboard):
    chart = dashboard.charts[ANNEX]
    centre = dashboard.bars[ANNEX].rects[2].center()
    qtbot.mouseMove(chart.viewport(), chart.mapFromScene(chart.getPlotItem().getViewBox().mapViewToScene(centre)))
    assert dashboard.bars[ANNEX].toolTip().startswith("附件3：")


def test_unit_chart_names_the_15_units_with_most_lead_tasks_and_a_click_asks_for_one(qtbot, dashboard, figures):
    top = sorted(figures[1], key=lambda c: (-c.total, c.label))[:15]
    labels = drawn_labels(dashboard, UNIT, "left")
    assert [text for text, _rect in labels] == [c.label for c in top]
    assert top[0].label == "市发展改革委"
    assert_apart(labels)
    housing = next(i for i, c in enumerate(top) if c.label == "市住房和城乡建设局")
    with qtbot.waitSignal(dashboard.filter_requested, timeout=2000) as signal:
        click_bar(qtbot, dashboard, UNIT, dashboard.bars[UNIT].rects[housing].center())
    assert signal.args == [UNIT, "市住房和城乡建设局"]


def test_status_chart_counts_each_status_and_a_click_asks_for_it(qtbot, dashboard, figures):
    statuses = figures[2]
    assert {"已销号", "已完成", "滞后", "推进中", "未报送"} <= set(statuses)
    assert [text for text, _rect in drawn_labels(dashboard, STATUS, "left")] == list(statuses)
    assert value_labels(dashboard, STATUS) == [str(n) for n in statuses.values()]
    # A status with one task has a sliver of a bar; its whole lane takes the click.
    signed = list(statuses).index("已销号")
    (_left, right), _rows = dashboard.charts[STATUS].getPlotItem().getViewBox().viewRange()
    with qtbot.waitSignal(dashboard.filter_requested, timeout=2000) as signal:
        click_bar(qtbot, dashboard, STATUS, QPointF(right * 0.6, signed))
    assert signal.args == [STATUS, "已销号"]


def test_overdue_chart_has_a_red_bar_per_recorded_month(qtbot, dashboard, figures):
    red_by_period = figures[3]
    assert list(red_by_period) == ["2022-05", "2022-06"]
    assert [text for text, _rect in drawn_labels(dashboard, PERIOD, "bottom")] == ["5月\n2022年", "6月"]
    assert value_labels(dashboard, PERIOD) == [str(n) for n in red_by_period.values()]
    assert dashboard.bars[PERIOD].tips[1].startswith(f"2022年6月：逾期任务 {red_by_period['2022-06']} 项")
    with qtbot.waitSignal(dashboard.filter_requested, timeout=1000) as signal:
        dashboard.bar_clicked(PERIOD, 1)
    assert signal.args == [PERIOD, "2022-06"]


def test_a_narrow_window_numbers_the_annexes_rather_than_overlapping_their_names(qtbot, dashboard):
    dashboard.resize(900, 600)
    QApplication.processEvents()
    labels = drawn_labels(dashboard, ANNEX, "bottom")
    assert [text for text, _rect in labels] == [str(n) for n in range(1, 22)]
    assert_apart(labels)
    axis = dashboard.charts[ANNEX].getPlotItem().getAxis("bottom")
    assert axis.labelText == "附件" and axis.label.isVisible()


def test_redrawing_replaces_the_bars_and_an_empty_month_list_says_so(dashboard, figures):
    by_annex, by_unit, statuses, _red = figures
    dashboard.show_figures(by_annex, by_unit, statuses, {})
    annex_items = dashboard.charts[ANNEX].getPlotItem().items
    assert sum(isinstance(item, ClickableBars) for item in annex_items) == 1
    assert PERIOD not in dashboard.bars
    assert value_labels(dashboard, PERIOD) == ["尚无逾期记录"]
    assert drawn_labels(dashboard, PERIOD, "bottom") == []
