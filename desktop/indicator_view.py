"""The 指标 tab: the plan's indicators for the current period against their targets, and a trend chart per indicator.

The window reads the standings and an indicator's actuals on the op runner's worker and hands them in
(show_standing, show_trend); this module only shows them and says which indicator the clerk picked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.indicator_actuals import ActualView, IndicatorStanding
from db.indicators import read_number
from db.periods import chinese_period, periods_between
from db.vocabulary import Standing
from desktop.task_model import STANDING_COLOURS

pg.setConfigOptions(antialias=True, background="w", foreground="k")

ALL = "全部"
COLUMNS = ("附件", "编号", "指标", "计量单位", "方向", "现状", "目标（本期应达到）", "实际值", "达标情况", "国内前沿", "责任单位")
(COL_ANNEX, COL_CODE, COL_NAME, COL_MEASURE, COL_DIRECTION, COL_BASELINE, COL_TARGET, COL_ACTUAL, COL_STANDING, COL_FRONTIER, COL_UNITS) = range(len(COLUMNS))
# Widths in characters of the window's font; 指标 takes what is left.
COLUMN_CHARS = {COL_ANNEX: 3.5, COL_CODE: 6, COL_MEASURE: 4.5, COL_DIRECTION: 4.5, COL_BASELINE: 6, COL_TARGET: 9, COL_ACTUAL: 9, COL_STANDING: 6.5, COL_FRONTIER: 6, COL_UNITS: 10}
LINE_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
STANDING_ORDER = {s: i for i, s in enumerate((Standing.BEHIND, Standing.NOT_REPORTED, Standing.UNKNOWN, Standing.MET, Standing.NOT_DUE))}

ACTUAL_COLOURS = ("#2b6cb0", "#8e44ad", "#16a085", "#d35400", "#2c3e50", "#c0392b")
TARGET_COLOUR = "#e67e22"
BASELINE_COLOUR = "#7f8c8d"
FRONTIER_COLOUR = "#27ae60"
MAX_MONTH_LABELS = 13


def _text(value: str | None) -> str:
    return value or "—"


def _target(line: IndicatorStanding) -> str:
    if line.target_text is None:
        first = min((p for p, _text, _value in line.targets), default=None)
        return f"（{chinese_period(first)}起考核）" if first else "—"
    return line.target_text


def _actual(line: IndicatorStanding) -> str:
    """The latest actual with its month, short when it is of the year shown: 26个工作日（10月）."""
    if line.actual is None:
        return "—"
    year, month = line.actual.period.split("-")
    return f"{line.actual.value_text}（{int(month)}月）" if line.target_period is None or line.target_period[:4] == year else f"{line.actual.value_text}（{chinese_period(line.actual.period)}）"


class IndicatorTableModel(QAbstractTableModel):
    """The indicators of one month, one row each, over the db's IndicatorStanding lines."""

    def __init__(self, lines: list[IndicatorStanding], parent: QObject | None = None):
        super().__init__(parent)
        self.lines = lines

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def cell(self, line: IndicatorStanding, column: int) -> str:
        """The text a cell shows (the whole of it; the view elides and the tooltip has it all)."""
        return {
            COL_ANNEX: str(line.annex),
            COL_CODE: line.code,
            COL_NAME: line.name,
            COL_MEASURE: line.measure_unit or "—",
            COL_DIRECTION: line.direction,
            COL_BASELINE: _text(line.baseline_text),
            COL_TARGET: _target(line),
            COL_ACTUAL: _actual(line),
            COL_STANDING: line.standing.value,
            COL_FRONTIER: _text(line.frontier_text),
            COL_UNITS: "、".join(line.units) or "—",
        }[column]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line, column = self.lines[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(line, column)
        if role == LINE_ROLE:
            return line
        if role == SORT_ROLE:
            if column == COL_ANNEX:
                return line.annex
            if column == COL_STANDING:
                return STANDING_ORDER[line.standing]
            return self.cell(line, column)
        if column == COL_STANDING and role == Qt.ItemDataRole.DecorationRole:
            return QColor(STANDING_COLOURS[line.standing])
        if column == COL_STANDING and role == Qt.ItemDataRole.ForegroundRole:
            return QColor(STANDING_COLOURS[line.standing])
        return None


class IndicatorFilterProxy(QSortFilterProxyModel):
    """Rows of one annex, one responsible unit and one standing (None: any)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.annex: int | None = None
        self.unit: str | None = None
        self.standing: Standing | None = None
        self.setSortRole(SORT_ROLE)

    def set_filter(self, *, annex: int | None, unit: str | None, standing: Standing | None) -> None:
        # As TaskFilterProxy does: Qt ≥ 6.10 brackets a filter change; 6.9 has no endFilterChange.
        if hasattr(self, "endFilterChange"):
            self.beginFilterChange()
            self.annex, self.unit, self.standing = annex, unit, standing
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.annex, self.unit, self.standing = annex, unit, standing
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802 - Qt API
        line: IndicatorStanding = self.sourceModel().lines[source_row]
        return (
            (self.annex is None or line.annex == self.annex)
            and (self.unit is None or self.unit in line.units)
            and (self.standing is None or line.standing == self.standing)
        )


@dataclass(frozen=True)
class TargetSegment:
    """A staged target drawn as a level from the month after the previous target's up to its own month."""

    period: str
    first: int
    last: int
    value: float


def month_label(period: str, first: bool) -> str:
    """6月, with the year under the first month shown and under each January."""
    year, month = period.split("-")
    return f"{int(month)}月\n{year}年" if first or month == "01" else f"{int(month)}月"


class TrendChart(QWidget):
    """One indicator month by month: actuals as lines with points, staged targets as levels, baseline and frontier dashed.

    Values with no number in them (已完成50件…) are listed beside the chart instead of drawn.

    Attributes (for tests and the screenshot check): months on the x axis, the actual series per unit
    as (period, value) pairs, the target segments, the reference lines by name, and the unplotted values.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.months: list[str] = []
        self.series: dict[str, list[tuple[str, float]]] = {}
        self.segments: list[TargetSegment] = []
        self.references: dict[str, float] = {}
        self.unplotted: list[str] = []
        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.chart = pg.PlotWidget()
        plot = self.chart.getPlotItem()
        plot.setMouseEnabled(x=False, y=False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        for name in ("left", "bottom"):
            plot.getAxis(name).setStyle(tickFont=self.font())
        self.side = QLabel()
        self.side.setWordWrap(True)
        self.side.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.side.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.side.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 14)
        self.side.setMaximumWidth(self.fontMetrics().horizontalAdvance("中") * 22)
        body = QHBoxLayout()
        body.addWidget(self.chart, 1)
        body.addWidget(self.side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)
        self.show_trend(None, [], "")

    def show_trend(self, line: IndicatorStanding | None, actuals: list[ActualView], period: str) -> None:
        """Draw one indicator up to the month shown; None clears the chart."""
        plot = self.chart.getPlotItem()
        plot.clear()
        self.series, self.segments, self.references, self.unplotted, self.months = {}, [], {}, [], []
        self._legend: list[str] = []
        if line is None:
            self.title.setText("在上表中选中一项指标，这里显示它逐月的实际值、阶段目标、现状和国内前沿水平。")
            self.side.setText("")
            self._note(plot, "未选中指标")
            return
        measure = f"（{line.measure_unit}，{line.direction}）" if line.measure_unit else f"（{line.direction}）"
        self.title.setText(f"{line.code}　{line.name}{measure}")
        periods = [a.period for a in actuals] + [p for p, _t, _v in line.targets] + ([period] if period else [])
        self.months = periods_between(min(periods), max(periods)) if periods else []
        x_of = {p: i for i, p in enumerate(self.months)}
        values: list[float] = []
        for unit in dict.fromkeys(a.unit for a in actuals):
            points = [(a.period, a.value) for a in actuals if a.unit == unit and a.value is not None]
            self.unplotted += [f"{chinese_period(a.period)} {a.unit}：{a.value_text}" for a in actuals if a.unit == unit and a.value is None]
            if points:
                self.series[unit] = points
                values += [v for _p, v in points]
        for n, (unit, points) in enumerate(self.series.items()):
            colour = ACTUAL_COLOURS[n % len(ACTUAL_COLOURS)]
            plot.plot(
                [x_of[p] for p, _v in points], [v for _p, v in points],
                pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=8, symbolBrush=colour, symbolPen=colour,
            )
            self._legend.append(f"<span style='color:{colour}'>—●—</span> 实际值" + (f"（{unit}）" if len(self.series) > 1 else ""))
        start = 0
        for target_period, text, value in sorted(line.targets):
            end = x_of[target_period]
            if value is None:
                self.unplotted.append(f"{chinese_period(target_period)}目标：{text}")
            else:
                self.segments.append(TargetSegment(target_period, start, end, value))
                values.append(value)
            start = end
        for n, segment in enumerate(self.segments):
            plot.plot(
                [segment.first - 0.3 if segment.first == segment.last else segment.first, segment.last + 0.3 if segment.first == segment.last else segment.last],
                [segment.value, segment.value],
                pen=pg.mkPen(TARGET_COLOUR, width=4),
            )
            label = pg.TextItem(f"{int(segment.period[5:])}月目标 {segment.value:g}", color=TARGET_COLOUR, anchor=(1, 1))
            label.setFont(self.font())
            label.setPos(segment.last + 0.3, segment.value)
            plot.addItem(label)
        for name, text, colour in (("现状", line.baseline_text, BASELINE_COLOUR), ("国内前沿", line.frontier_text, FRONTIER_COLOUR)):
            number = read_number(text)
            if number is None:
                if text:
                    self.unplotted.append(f"{name}：{text}")
                continue
            self.references[name] = number
            values.append(number)
            pen = pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine)
            plot.addItem(pg.InfiniteLine(pos=number, angle=0, pen=pen))
            mark = pg.TextItem(f"{name} {text}", color=colour, anchor=(0, 1))
            mark.setFont(self.font())
            mark.setPos(-0.4, number)
            plot.addItem(mark)
            self._legend.append(f"<span style='color:{colour}'>- - -</span> {name}")
        self._side_text(line)
        if not values or not self.months:
            self._note(plot, "暂无可绘制的数值")
            return
        self._axes(plot, values)

    def _axes(self, plot: pg.PlotItem, values: list[float]) -> None:
        low, high = min(values), max(values)
        pad = (high - low) * 0.15 or max(abs(high) * 0.2, 1)
        step = max(1, math.ceil(len(self.months) / MAX_MONTH_LABELS))
        ticks = [(i, month_label(p, i == 0)) for i, p in enumerate(self.months) if i % step == 0]
        bottom = plot.getAxis("bottom")
        bottom.setTicks([ticks])
        bottom.setHeight(int(3 * QFontMetrics(self.font()).lineSpacing()))
        plot.getAxis("left").setTicks(None)
        plot.showGrid(x=True, y=True, alpha=0.2)
        bottom_value = max(0.0, low - pad) if low >= 0 else low - pad  # a count or a time is never drawn below zero
        plot.setRange(xRange=(-0.6, len(self.months) - 0.4), yRange=(bottom_value, high + pad), padding=0)

    def _side_text(self, line: IndicatorStanding) -> None:
        if self.segments:
            self._legend.insert(len(self.series), f"<span style='color:{TARGET_COLOUR}'><b>——</b></span> 阶段目标")
        parts = ["<br>".join(self._legend), f"<b>本期</b>：{line.standing.value}"] if self._legend else [f"<b>本期</b>：{line.standing.value}"]
        if line.target_text:
            parts.append(f"应达到（{chinese_period(line.target_period)}目标）：{line.target_text}")
        if line.actual:
            parts.append(f"最新实际值（{chinese_period(line.actual.period)}，{line.actual.unit}）：{line.actual.value_text}")
        if self.unplotted:
            parts.append("<b>未绘入图中</b>（没有可读的数值）：<br>" + "<br>".join(self.unplotted))
        self.side.setText("<br>".join(parts))

    def _note(self, plot: pg.PlotItem, text: str) -> None:
        note = pg.TextItem(text, color="#707070", anchor=(0.5, 0.5))
        note.setFont(self.font())
        plot.addItem(note)
        plot.getAxis("bottom").setTicks([[]])
        plot.getAxis("left").setTicks([[]])
        plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)


class IndicatorPanel(QWidget):
    """The 指标 tab: filters, the table of indicators and the chart of the one selected.

    Signals:
        indicator_selected: the indicator id the chart should show (the window reads its actuals).
        entry_requested: 填报实际值 (button or double-click) for the selected indicator.
        correction_requested: 更正指标 for the selected indicator.
    """

    indicator_selected = Signal(int)
    entry_requested = Signal()
    correction_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.period = ""
        self.model = IndicatorTableModel([], self)
        self.proxy = IndicatorFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.annex_combo, self.unit_combo, self.standing_combo = QComboBox(), QComboBox(), QComboBox()
        self.unit_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit_combo.setMinimumContentsLength(12)
        self.standing_combo.addItem(ALL, None)
        for standing in Standing:
            self.standing_combo.addItem(standing.value, standing)
        self.period_label = QLabel()
        self.count_label = QLabel()
        self.entry_button = QPushButton("填报实际值…")
        self.correct_button = QPushButton("更正指标…")
        self.entry_button.clicked.connect(self.entry_requested)
        self.correct_button.clicked.connect(self.correction_requested)
        bar = QHBoxLayout()
        bar.addWidget(self.period_label)
        for label, combo in (("附件", self.annex_combo), ("责任单位", self.unit_combo), ("达标情况", self.standing_combo)):
            bar.addWidget(QLabel(label))
            bar.addWidget(combo)
            combo.currentIndexChanged.connect(self._filter_changed)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.entry_button)
        bar.addWidget(self.correct_button)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        char = self.fontMetrics().horizontalAdvance("中")
        for column, chars in COLUMN_CHARS.items():
            header.resizeSection(column, int(chars * char) + 12)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(lambda _index: self.entry_requested.emit())
        self.chart = TrendChart()
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.table)
        self.split.addWidget(self.chart)
        self.split.setStretchFactor(0, 5)
        self.split.setStretchFactor(1, 4)
        self.split.setSizes([500, 400])  # scaled to the room there is: some ten rows above a readable chart
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.split, 1)

    # ----- data in -----------------------------------------------------------------------------

    def show_standing(self, period: str, lines: list[IndicatorStanding]) -> None:
        """A month's indicators: the filters keep their choice, and the selected indicator stays selected."""
        keep = self.current_line().code if self.current_line() else None
        self.period = period
        self.period_label.setText(f"{chinese_period(period)}　")
        choices = (self.annex_combo.currentData(), self.unit_combo.currentData())
        self.model.beginResetModel()
        self.model.lines = lines
        self.model.endResetModel()
        self._fill(self.annex_combo, [(f"附件{n}", n) for n in sorted({line.annex for line in lines})], choices[0])
        self._fill(self.unit_combo, [(u, u) for u in sorted({u for line in lines for u in line.units})], choices[1])
        self._filter_changed()
        self.select(keep)

    def show_trend(self, indicator_id: int, actuals: list[ActualView]) -> None:
        """The selected indicator's actuals have arrived (ignored when another was picked meanwhile)."""
        line = self.current_line()
        if line is not None and line.indicator_id == indicator_id:
            self.chart.show_trend(line, actuals, self.period)

    # ----- selection and filters -----------------------------------------------------------------

    def current_line(self) -> IndicatorStanding | None:
        return self.table.currentIndex().data(LINE_ROLE)

    def select(self, code: str | None) -> bool:
        """Select an indicator by code (the first row when None or not shown); False when nothing is shown."""
        row = next((r for r in range(self.proxy.rowCount()) if self.proxy.index(r, COL_CODE).data() == code), 0)
        if self.proxy.rowCount() == 0:
            self.chart.show_trend(None, [], self.period)
            return False
        index = self.proxy.index(row, COL_NAME)
        if index == self.table.currentIndex():
            self._row_changed(index, QModelIndex())  # the same row with new data: its chart is read again
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def set_filter(self, *, annex: int | None = None, unit: str | None = None, standing: Standing | None = None) -> None:
        """Choose the filters as the combos would (a unit login starts on its own unit)."""
        for combo, value in ((self.annex_combo, annex), (self.unit_combo, unit), (self.standing_combo, standing)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
            combo.blockSignals(False)
        self._filter_changed()

    def _fill(self, combo: QComboBox, items: list[tuple[str, object]], keep) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(ALL, None)
        for text, data in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(0, combo.findData(keep)) if keep is not None else 0)
        combo.blockSignals(False)

    def _filter_changed(self, *_args) -> None:
        keep = self.current_line().code if self.current_line() else None
        self.proxy.set_filter(annex=self.annex_combo.currentData(), unit=self.unit_combo.currentData(), standing=self.standing_combo.currentData())
        self.count_label.setText(f"显示 {self.proxy.rowCount()} / {self.model.rowCount()} 项指标")
        if self.current_line() is None or self.current_line().code != keep or not self.table.currentIndex().isValid():
            self.select(keep)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        line = current.data(LINE_ROLE)
        if line is None:
            self.chart.show_trend(None, [], self.period)
            return
        self.indicator_selected.emit(line.indicator_id)
