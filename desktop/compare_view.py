"""月度对比: what changed between the previous period and this one, as a four-part list."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QTreeView, QVBoxLayout, QWidget

from db.periods import chinese_period
from db.review import MonthComparison, TaskLine

TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class MonthComparisonView(QWidget):
    """Newly done, newly overdue, tasks without a new report, units that have not reported."""

    task_requested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold;")
        self.tree = QTreeView()
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.tree.doubleClicked.connect(self._open)
        self.tree.activated.connect(self._open)
        self.model = QStandardItemModel(self)
        self.tree.setModel(self.model)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(QLabel("双击任务可在任务表中打开。"))
        layout.addWidget(self.tree)

    def show_comparison(self, comparison: MonthComparison) -> None:
        self.heading.setText(f"{chinese_period(comparison.period)} 与 {chinese_period(comparison.previous)} 对比")
        self.model.clear()
        self.model.setHorizontalHeaderLabels(["任务 / 单位", "说明"])
        self._group("新办结（含牵头单位新报已完成）", comparison.newly_done)
        self._group("新增逾期", comparison.newly_overdue)
        self._group("本期无新报送的任务", comparison.no_new_report)
        units = QStandardItem(f"本期未报送的单位（{len(comparison.units_not_reported)}）")
        units.setEditable(False)
        for name, open_tasks in comparison.units_not_reported:
            units.appendRow([_cell(name), _cell(f"在办任务 {open_tasks} 项")])
        self.model.appendRow([units, _cell("")])
        for row in range(self.model.rowCount()):
            self.tree.expand(self.model.index(row, 0))
        self.tree.setColumnWidth(0, 520)

    def group_sizes(self) -> list[int]:
        """How many lines each of the four groups holds, in display order."""
        return [self.model.item(row).rowCount() for row in range(self.model.rowCount())]

    def _group(self, label: str, lines: list[TaskLine]) -> None:
        group = _cell(f"{label}（{len(lines)}）")
        for line in lines:
            item = _cell(f"{line.code} {line.title}")
            item.setData(line.task_id, TASK_ID_ROLE)
            group.appendRow([item, _cell(line.why)])
        self.model.appendRow([group, _cell("")])

    def _open(self, index) -> None:
        task_id = index.siblingAtColumn(0).data(TASK_ID_ROLE)
        if task_id is not None:
            self.task_requested.emit(task_id)


def _cell(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item
