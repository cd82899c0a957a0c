"""The 仪表盘 tab: four charts of where the plan stands; clicking a bar filters the task table to it."""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from db.review import Completion

pg.setConfigOptions(antialias=True, background="w", foreground="k")

ANNEX, UNIT, STATUS, PERIOD = "annex", "unit", "status", "period"
TITLES = {
    ANNEX: "各附件完成情况（不含持续推进任务）",
    UNIT: "责任单位完成情况（牵头/负责任务最多的 15 个单位，不含持续推进）",
    STATUS: "状态分布",
    PERIOD: "逾期任务数（按月）",
}
TOP_UNITS = 15

SIGNED_COLOUR = "#4f9a76"
OVERDUE_COLOUR = "#c0392b"
OPEN_COLOUR = "#c9d4df"
NO_RATE_COLOUR = "#eef1f4"
COLUMN_COLOUR = "#eef1f5"
STATUS_COLOURS = {
    "已销号": SIGNED_COLOUR,
    "已完成": "#9cc9ae",
    "推进中": "#5b8db8",
    "持续推进": "#86a9c9",
    "未启动": "#b3bfcc",
    "滞后": "#e0a030",
    "未报送": "#a3a9b0",
}
OTHER_STATUS_COLOUR = "#5b8db8"
BAR_HALF = 0.35
LEGEND = (
    f"<span style='color:{SIGNED_COLOUR}'>■</span> 已销号　"
    f"<span style='color:{OVERDUE_COLOUR}'>■</span> 逾期未销号　"
    f"<span style='color:{OPEN_COLOUR}'>■</span> 其他在办（附件与责任单位图）　"
    "点击柱条即在任务表中筛选对应任务。"
)


class ClickableBars(pg.BarGraphItem):
    """Bars that know which one is under the mouse: its tooltip on hover, the callback on a left click."""

    def __init__(self, rects: list[QRectF], tips: list[str], on_click: Callable[[int], None], colours: list[str]):
        super().__init__(**_geometry(rects), brushes=[QColor(c) for c in colours], pen=None)
        self.rects = rects
        self.tips = tips
        self._on_click = on_click
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def bar_at(self, pos: QPointF) -> int | None:
        """The bar containing a point in data coordinates; None between bars."""
        return next((i for i, rect in enumerate(self.rects) if rect.contains(pos)), None)

    def hoverEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        index = None if ev.isExit() else self.bar_at(ev.pos())
        self.setToolTip("" if index is None else self.tips[index])
        if index is not None:
            ev.acceptClicks(Qt.MouseButton.LeftButton)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        index = self.bar_at(ev.pos())
        if index is not None:
            ev.accept()
            self._on_click(index)


def _geometry(rects: list[QRectF]) -> dict[str, list[float]]:
    return {
        "x0": [r.left() for r in rects],
        "y0": [r.top() for r in rects],
        "width": [r.width() for r in rects],
        "height": [r.height() for r in rects],
    }


def _layer(rects: list[QRectF], colours: list[str]) -> pg.BarGraphItem:
    """Bars drawn over the clickable ones (the signed-off or overdue part, or a count): clicks pass through."""
    return pg.BarGraphItem(**_geometry(rects), brushes=[QColor(c) for c in colours], pen=None)


def _count_ticks(maximum: int) -> tuple[int, list[tuple[int, str]]]:
    """The top of a count axis and its whole-number ticks (steps of 1, 2, 5, 10, 20 …), about five of them."""
    step = 1
    while maximum / step > 5:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    top = max(step, -(-maximum // step) * step)
    return top, [(v, str(v)) for v in range(0, top + 1, step)]


def _period_label(period: str, first: bool) -> str:
    """A month's tick label, 6月, with the year under the first month shown and under each January."""
    year, month = period.split("-")
    return f"{int(month)}月\n{year}年" if first or month == "01" else f"{int(month)}月"


class DashboardWidget(QWidget):
    """The office's overview: completion by annex and by lead unit, statuses, and overdue tasks month by month."""

    filter_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.charts: dict[str, pg.PlotWidget] = {}
        self.titles: dict[str, QLabel] = {}
        self.bars: dict[str, ClickableBars] = {}
        self._keys: dict[str, list[str]] = {}
        self._labels: dict[str, list[str]] = {}
        legend = QLabel(LEGEND)
        legend.setWordWrap(True)
        grid = QGridLayout()
        for kind, (row, column) in zip(TITLES, ((0, 0), (1, 0), (0, 1), (1, 1))):
            grid.addLayout(self._cell(kind), row, column)
        # The annex and unit charts need the width: 21 bars, and long unit names.
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(legend)
        layout.addLayout(grid, 1)

    def _cell(self, kind: str) -> QVBoxLayout:
        title = QLabel(TITLES[kind])
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        title.setWordWrap(True)
        chart = pg.PlotWidget()
        plot = chart.getPlotItem()
        plot.setMouseEnabled(x=False, y=False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        for name in ("left", "bottom"):
            plot.getAxis(name).setStyle(tickFont=self.font())
        if kind in (ANNEX, PERIOD):
            plot.getViewBox().sigResized.connect(self._fit_ticks)
        self.titles[kind], self.charts[kind] = title, chart
        cell = QVBoxLayout()
        cell.addWidget(title)
        cell.addWidget(chart, 1)
        return cell

    def show_figures(
        self, by_annex: list[Completion], by_unit: list[Completion], statuses: dict[str, int], red_by_period: dict[str, int]
    ) -> None:
        """Redraw the four charts from the review figures of the period shown."""
        self._show_annexes(by_annex)
        self._show_units(sorted(by_unit, key=lambda c: (-c.total, c.label))[:TOP_UNITS])
        self._show_counts(
            STATUS,
            list(statuses),
            list(statuses),
            [f"{status}：{count} 项任务\n点击筛选" for status, count in statuses.items()],
            list(statuses.values()),
            [STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR) for status in statuses],
        )
        periods = sorted(red_by_period)
        self._show_counts(
            PERIOD,
            periods,
            [_period_label(p, i == 0) for i, p in enumerate(periods)],
            [f"{p[:4]}年{int(p[5:])}月：逾期任务 {red_by_period[p]} 项\n点击筛选" for p in periods],
            [red_by_period[p] for p in periods],
            [OVERDUE_COLOUR] * len(periods),
        )

    def bar_clicked(self, kind: str, index: int) -> None:
        """Ask the window to filter the task table to the clicked bar's annex, unit, status or month."""
        self.filter_requested.emit(kind, self._keys[kind][index])

    def _reset(self, kind: str, keys: list[str], labels: list[str]) -> pg.PlotItem:
        plot = self.charts[kind].getPlotItem()
        plot.clear()
        self.bars.pop(kind, None)
        self._keys[kind], self._labels[kind] = keys, labels
        for name in ("left", "bottom"):
            plot.getAxis(name).setTicks(None)
            plot.setLabel(name, None)
        plot.getAxis("bottom").setHeight(None)
        if not keys:
            note = pg.TextItem("尚无逾期记录" if kind == PERIOD else "暂无数据", color="#707070", anchor=(0.5, 0.5))
            note.setFont(self.font())
            plot.addItem(note)
            plot.getAxis("bottom").setTicks([[]])
            plot.getAxis("left").setTicks([[]])
            plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
        return plot

    def _add_bars(self, kind: str, plot: pg.PlotItem, rects: list[QRectF], tips: list[str], colours: list[str]) -> None:
        bars = ClickableBars(rects, tips, lambda index: self.bar_clicked(kind, index), colours)
        plot.addItem(bars)
        self.bars[kind] = bars

    def _show_annexes(self, annexes: list[Completion]) -> None:
        plot = self._reset(ANNEX, [c.key for c in annexes], [f"附件\n{c.key}" for c in annexes])
        plot.invertY(False)
        if not annexes:
            return
        tracks, signed, overdue, tips = [], [], [], []
        for i, c in enumerate(annexes):
            signed_height = c.rate * 100
            tracks.append(QRectF(i - BAR_HALF, 0, 2 * BAR_HALF, 100))
            signed.append(QRectF(i - BAR_HALF, 0, 2 * BAR_HALF, signed_height))
            overdue.append(QRectF(i - BAR_HALF, signed_height, 2 * BAR_HALF, c.overdue / c.total * 100 if c.total else 0))
            tips.append(
                f"{c.label}：有时限任务 {c.total} 项\n已销号 {c.signed_off} 项（{c.rate:.0%}）\n"
                f"已报完成待销号 {c.reported_done} 项\n逾期未销号 {c.overdue} 项\n点击筛选"
                if c.total
                else f"{c.label}：任务均为持续推进，没有时限，不计完成率\n点击筛选"
            )
        # An annex of 持续推进 tasks only has no rate: a pale track, not an empty (0%) bar.
        self._add_bars(ANNEX, plot, tracks, tips, [OPEN_COLOUR if c.total else NO_RATE_COLOUR for c in annexes])
        plot.addItem(_layer(signed, [SIGNED_COLOUR] * len(signed)))
        plot.addItem(_layer(overdue, [OVERDUE_COLOUR] * len(overdue)))
        plot.getAxis("left").setTicks([[(v, f"{v}%") for v in range(0, 101, 25)]])
        plot.setLabel("left", "已销号占比")
        plot.showGrid(x=False, y=True, alpha=0.25)
        plot.setRange(xRange=(-0.6, len(annexes) - 0.4), yRange=(0, 105), padding=0)
        self._fit_ticks()

    def _show_units(self, units: list[Completion]) -> None:
        plot = self._reset(UNIT, [c.key for c in units], [c.label for c in units])
        # Horizontal bars, the unit with most tasks at the top: long names stay on one readable line.
        plot.invertY(True)
        if not units:
            return
        totals, signed, overdue, tips = [], [], [], []
        for i, c in enumerate(units):
            totals.append(QRectF(0, i - BAR_HALF, c.total, 2 * BAR_HALF))
            signed.append(QRectF(0, i - BAR_HALF, c.signed_off, 2 * BAR_HALF))
            overdue.append(QRectF(c.signed_off, i - BAR_HALF, c.overdue, 2 * BAR_HALF))
            tips.append(
                f"{c.label}：牵头/负责的有时限任务 {c.total} 项\n已销号 {c.signed_off} 项（{c.rate:.0%}）\n"
                f"已报完成待销号 {c.reported_done} 项\n逾期未销号 {c.overdue} 项\n点击筛选"
            )
        self._add_bars(UNIT, plot, totals, tips, [OPEN_COLOUR] * len(units))
        plot.addItem(_layer(signed, [SIGNED_COLOUR] * len(signed)))
        plot.addItem(_layer(overdue, [OVERDUE_COLOUR] * len(overdue)))
        maximum = max(c.total for c in units)
        top, ticks = _count_ticks(maximum)
        self._name_axis(plot, self._labels[UNIT])
        plot.getAxis("bottom").setTicks([ticks])
        plot.setLabel("bottom", "牵头/负责任务数（项）")
        plot.showGrid(x=True, y=False, alpha=0.25)
        plot.setRange(xRange=(0, max(top, maximum * 1.05)), yRange=(-0.6, len(units) - 0.4), padding=0)

    def _show_counts(self, kind: str, keys: list[str], labels: list[str], tips: list[str], counts: list[int], colours: list[str]) -> None:
        """Statuses as horizontal bars (their names read best on one line), months as vertical ones; each with its count."""
        plot = self._reset(kind, keys, labels)
        horizontal = kind == STATUS
        plot.invertY(horizontal)
        if not keys:
            return
        maximum = max(counts)
        top, value_ticks = _count_ticks(maximum)
        length = max(top, maximum * 1.15)

        def bar(i: int, value: float) -> QRectF:
            return QRectF(0, i - BAR_HALF, value, 2 * BAR_HALF) if horizontal else QRectF(i - BAR_HALF, 0, 2 * BAR_HALF, value)

        # The whole lane is the click target, so a bar of 1 beside one of 300 can still be clicked.
        self._add_bars(kind, plot, [bar(i, length) for i in range(len(keys))], tips, [COLUMN_COLOUR] * len(keys))
        plot.addItem(_layer([bar(i, n) for i, n in enumerate(counts)], colours))
        for i, count in enumerate(counts):
            number = pg.TextItem(str(count), color="k", anchor=(0, 0.5) if horizontal else (0.5, 1))
            number.setFont(self.font())
            number.setPos(*((count, i) if horizontal else (i, count)))
            plot.addItem(number)
        category_axis, value_axis = ("left", "bottom") if horizontal else ("bottom", "left")
        if horizontal:
            self._name_axis(plot, labels)
        else:
            plot.getAxis(category_axis).setTicks([list(enumerate(labels))])
        plot.getAxis(value_axis).setTicks([value_ticks])
        plot.setLabel(value_axis, "任务数（项）" if kind == STATUS else "逾期任务数（项）")
        plot.showGrid(x=horizontal, y=not horizontal, alpha=0.25)
        lanes, values = (-0.6, len(keys) - 0.4), (0, length)
        plot.setRange(xRange=values if horizontal else lanes, yRange=lanes if horizontal else values, padding=0)
        self._fit_ticks()

    def _name_axis(self, plot: pg.PlotItem, labels: list[str]) -> None:
        """Names on the left axis, which is made wide enough for the longest at once (pyqtgraph widens it only after a paint)."""
        axis = plot.getAxis("left")
        axis.setTicks([list(enumerate(labels))])
        axis.setWidth(max(QFontMetrics(self.font()).horizontalAdvance(label) for label in labels) + 16)

    def _fit_ticks(self) -> None:
        """Label the vertical bars so that no two labels touch, whatever the window's width."""
        # Annexes are named 附件N where there is room, else numbered under an axis title 附件; labels
        # that still do not fit are shown on every second (third …) bar.  Two-line labels get a taller
        # axis, as pyqtgraph underestimates their height.
        metrics = QFontMetrics(self.font())
        for kind in (ANNEX, PERIOD):
            labels = self._labels.get(kind)
            if not labels:
                continue
            plot = self.charts[kind].getPlotItem()
            per_bar = plot.getViewBox().width() / (len(labels) + 0.2)

            def needed(texts: list[str]) -> float:
                return 1.3 * max(metrics.horizontalAdvance(line) for text in texts for line in text.split("\n"))

            title = None
            if kind == ANNEX and needed(labels) > per_bar:
                labels, title = [text.split("\n")[-1] for text in labels], "附件"
            step = max(1, math.ceil(needed(labels) / per_bar)) if per_bar > 0 else 1
            shown = [text if i % step == 0 else "" for i, text in enumerate(labels)]
            axis = plot.getAxis("bottom")
            axis.setTicks([list(enumerate(shown))])
            lines = max(text.count("\n") + 1 for text in shown)
            axis.setHeight(int((lines + 1) * metrics.lineSpacing()) if lines > 1 else None)
            plot.setLabel("bottom", title)
