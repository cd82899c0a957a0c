"""The 综合考评 tab: a month's ranking of the real units, each component's figure and points, and why a unit scored so.

The window reads the month (db.assessment.month_assessment: the stored month, or worked out now by the
scheme in force) on the op runner's worker and hands it in (show_month); storing it is the office's
(store_requested → assess_month).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from db.assessment import ComponentScore, MonthAssessment, UnitScore
from db.periods import chinese_period
from desktop.act_dialogs import rows_table
from desktop.forms import fact_label
from desktop.list_model import ROW_ROLE, RowsModel
from desktop.month_edit import MonthEdit

NOT_APPLICABLE = "不适用"
COL_RANK, COL_UNIT = 0, 1


def _points(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace("-", "−")


def component_cell(part: ComponentScore) -> str:
    """A component as its cell shows it: points, then the figure they came from (28.57（50%）, −6（3项）); the counts are in the sentence."""
    if not part.applicable:
        return NOT_APPLICABLE
    if part.out_of is not None:
        return f"{_points(part.points)}（{part.raw:.0%}）"
    if not part.counted:
        return "—"
    item = "项" if part.label.startswith("逾期") else "次"
    return f"{_points(part.points)}（{part.counted}{item}）"


def unit_cells(unit: UnitScore) -> list[str]:
    """A unit's row: 名次, 单位, each component, 总分."""
    return [
        str(unit.rank) if unit.rank is not None else "不排名", unit.unit, *(component_cell(c) for c in unit.components),
        _points(unit.score) if unit.score is not None else "—",
    ]


class AssessmentPanel(QWidget):
    """The 综合考评 tab.

    Signals:
        period_requested: another month picked (the window reads it).
        store_requested: 保存本月结果, or 按现行方案重新计算 (the window confirms replacing a stored month).

    Attributes:
        month: the month shown (None before the first read).
    """

    period_requested = Signal(str)
    store_requested = Signal()

    def __init__(self, period: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.month: MonthAssessment | None = None
        self.writable = True
        self.period = MonthEdit(period)
        self.period.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.period.setMinimumWidth(self.period.sizeHint().width() + 30)
        self.period.period_changed.connect(self.period_requested)
        self.status = QLabel()
        self.save_button = QPushButton("保存本月结果")
        self.recompute_button = QPushButton("按现行方案重新计算…")
        self.save_button.clicked.connect(self.store_requested)
        self.recompute_button.clicked.connect(self.store_requested)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("月份"))
        bar.addWidget(self.period)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.save_button)
        bar.addWidget(self.recompute_button)
        self.scheme = fact_label("")
        self.scheme.setStyleSheet("color: #555;")
        self.model = RowsModel(("名次", "单位", "总分"), unit_cells, self)
        self.table = rows_table(self.model)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._on_selection_changed())
        self.sentence = fact_label("")
        self.sentence.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.sentence.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 8)
        self.sentence.setStyleSheet("QLabel { background: #f7f7f2; border: 1px solid #ddd; padding: 4px; }")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scheme)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.sentence)

    def show_month(self, month: MonthAssessment) -> None:
        """A month has been read (or stored): the ranking, whether it is stored, and the scheme it was scored by."""
        keep = self.current_unit().unit if self.current_unit() else None
        self.month = month
        self.period.blockSignals(True)
        self.period.set_period(month.period)
        self.period.blockSignals(False)
        scheme = month.scheme
        if month.stored:
            when = month.computed_local.strftime("%Y-%m-%d %H:%M")
            self.status.setText(f"　{chinese_period(month.period)}：已保存（{when}，{month.operator}），按{scheme.describe()}计算")
        else:
            self.status.setText(f"　{chinese_period(month.period)}：未保存，按现行{scheme.describe()}即时计算")
        self._enable_buttons()
        rules = "；".join(f"{c.label}{c.rule_text()}" for c in scheme.components)
        self.scheme.setText(f"考评方案（满分 {_points(scheme.full_marks)}）：{rules}。不适用的比率项目，其权重按比例分给该单位适用的比率项目。")
        columns = ["名次", "单位", *(c.label for c in scheme.components), "总分"]
        self.model.set_rows(month.units, columns)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        header.setSectionResizeMode(COL_UNIT, QHeaderView.ResizeMode.Stretch)
        row = next((r for r, unit in enumerate(month.units) if unit.unit == keep), 0)
        if month.units:
            self.table.selectRow(row)
        else:
            self.sentence.setText("本月没有可考评的单位。")
        self._on_selection_changed()

    def set_store_allowed(self, visible: bool, writable: bool) -> None:
        """The buttons are the office's (shown as its menu action is), and wait while the ledger cannot be written."""
        self.writable = writable
        for button in (self.save_button, self.recompute_button):
            button.setVisible(visible)
        self._enable_buttons()

    def _enable_buttons(self) -> None:
        stored = self.month is not None and self.month.stored
        self.save_button.setEnabled(self.writable and self.month is not None and not stored)
        self.recompute_button.setEnabled(self.writable and stored)

    def current_unit(self) -> UnitScore | None:
        return self.table.currentIndex().data(ROW_ROLE)

    def select(self, unit: str) -> None:
        self.table.selectRow(next(r for r, score in enumerate(self.model.rows) if score.unit == unit))

    def _on_selection_changed(self) -> None:
        unit = self.current_unit()
        if unit is not None:
            self.sentence.setText(unit.sentence())
