"""台账 → 切换计划…: the plans in the ledger side by side; make one current, archive a finished one or bring it back.

The list is read and every change written on the op runner through db.plans; the window reloads the current
plan once the dialog closes (``changed``).
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from desktop.ops import runner
from desktop.screen import fit_to_screen

HEADERS = ("编号", "计划", "年度", "文号", "任务", "状态")
PLAN_ROLE = Qt.ItemDataRole.UserRole


def plan_caption(plan) -> str:
    """How a plan is named in the window: its title, with 已归档 when it is."""
    return plan.title + ("（已归档）" if plan.archived else "")


def read_plans(ledger: Ledger) -> list:
    """Every plan as db.plans lists it (on the worker)."""
    from db.plans import list_plans

    with ledger.Session() as session:
        return list_plans(session)


class PlanSwitchDialog(QDialog):
    """Plans with 当前/已归档: 设为当前计划, 归档, 取消归档 (each confirmed where it changes the warnings).

    Attributes:
        plans: the PlanSummary rows shown.
        changed: whether the current plan or an archive flag changed (the window reloads then).
    """

    def __init__(self, ledger: Ledger, operator: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ledger, self.operator = ledger, operator
        self.plans: list = []
        self.changed = False
        self.setWindowTitle("切换计划")
        intro = QLabel("当前计划是任务台账、预警和通报所用的计划。已完成的计划可以归档：仍可查看，但不再参与预警。")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.make_current())
        self.current_button = QPushButton("设为当前计划")
        self.archive_button = QPushButton("归档…")
        self.unarchive_button = QPushButton("取消归档…")
        close = QPushButton("关闭")
        self.current_button.clicked.connect(self.make_current)
        self.archive_button.clicked.connect(self.archive)
        self.unarchive_button.clicked.connect(self.unarchive)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.current_button, self.archive_button, self.unarchive_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        for button in (self.current_button, self.archive_button, self.unarchive_button):
            button.setEnabled(False)
        read_only = ledger.read_only
        self._read_only = read_only
        fit_to_screen(self, 0.6, 0.5, most=(900, 480))
        self.load()

    def load(self) -> None:
        """Read the plans on the worker and show them."""
        ledger = self.ledger
        runner().query(lambda: read_plans(ledger), self._alive(self.show_plans), parent=self)

    def _alive(self, callback: Callable) -> Callable:
        return lambda *args: callback(*args) if shiboken6.isValid(self) else None

    def show_plans(self, plans: list) -> None:
        selected = self.selected_plan()
        self.plans = plans
        self.table.setRowCount(0)
        bold = QFont(self.font())
        bold.setBold(True)
        for row, plan in enumerate(plans):
            self.table.insertRow(row)
            state = "当前计划" if plan.is_current else ("已归档" if plan.archived else "")
            cells = (str(plan.id), plan.title, str(plan.year or ""), plan.doc_number or "", str(plan.tasks), state)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(PLAN_ROLE, plan.id)
                item.setToolTip(plan.title)
                if plan.is_current:
                    item.setFont(bold)
                if plan.archived:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
        keep = selected.id if selected is not None else next((p.id for p in plans if p.is_current), None)
        for row, plan in enumerate(plans):
            if plan.id == keep:
                self.table.selectRow(row)
        self._update_buttons()

    def selected_plan(self):
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        plan_id = self.table.item(rows[0].row(), 0).data(PLAN_ROLE)
        return next((p for p in self.plans if p.id == plan_id), None)

    def select_plan(self, plan_id: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(PLAN_ROLE) == plan_id:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        plan = self.selected_plan()
        writable = plan is not None and not self._read_only and not runner().writing
        self.current_button.setEnabled(writable and not plan.is_current and not plan.archived)
        self.archive_button.setEnabled(writable and not plan.archived and not plan.is_current)
        self.archive_button.setToolTip("当前计划不能归档：先把另一个计划设为当前计划。" if plan is not None and plan.is_current else "")
        self.unarchive_button.setEnabled(writable and plan.archived)

    def make_current(self) -> None:
        from db.plans import set_current_plan

        plan = self.selected_plan()
        if plan is None or plan.is_current or plan.archived or self._read_only:
            return
        self._write(lambda session: set_current_plan(session, plan.id, self.operator), f"正在切换到《{plan.title}》……")

    def archive(self) -> None:
        from db.plans import archive_plan

        plan = self.selected_plan()
        if plan is None or plan.archived or plan.is_current:
            return
        question = f"归档计划《{plan.title}》吗？\n归档后它的任务和报送记录仍可查看，但不再参与预警和通报。可随时取消归档。"
        if self._confirm("归档计划", question):
            self._write(lambda session: archive_plan(session, plan.id, self.operator), "正在归档……")

    def unarchive(self) -> None:
        from db.plans import unarchive_plan

        plan = self.selected_plan()
        if plan is None or not plan.archived:
            return
        if self._confirm("取消归档", f"取消归档计划《{plan.title}》吗？\n它的任务将重新参与预警。"):
            self._write(lambda session: unarchive_plan(session, plan.id, self.operator), "正在取消归档……")

    def _confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _write(self, change: Callable, label: str) -> None:
        ledger = self.ledger

        def work(_control) -> list:
            with ledger.Session.begin() as session:
                change(session)
            return read_plans(ledger)

        def done(plans: list) -> None:
            self.changed = True
            self.show_plans(plans)

        runner().run(work, self._alive(done), label=label, parent=self, writes=True, cancellable=False)
