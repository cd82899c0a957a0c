"""督查督办 in the window: recording an act, the list of the plan's acts and their results.

Every write goes through its db service (record_act, update_act_result) on the op runner's worker in one
transaction; a refusal stays in the dialog with the service's Chinese message and nothing written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.acts import MAX_EVIDENCE_FILES, ActInput, ActView, list_acts, record_act, update_act_result
from db.answerable import is_real_unit
from db.engine import Ledger
from db.ledger import list_units
from db.periods import chinese_period, periods_between
from db.vocabulary import ActKind
from desktop.forms import FieldForm, SavingDialog, fact_label, text_area
from desktop.list_model import ROW_ROLE, RowsModel
from desktop.ops import runner
from desktop.screen import fit_to_screen

ALL = "全部"
# 回头看 is drawn from the signed-off tasks (desktop.recheck_dialogs), not typed in.
RECORDED_KINDS = tuple(k for k in ActKind if k is not ActKind.RECHECK)
CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")
ACT_COLUMNS = ("日期", "类别", "涉及单位", "涉及任务", "依据", "结果", "列入通报")
ACT_CHARS = (6.5, 5, 12, 9, 0, 12, 4.5)  # 依据 (0) takes what is left


def date_edit(day: dt.date) -> QDateEdit:
    """A date field with the calendar, as yyyy-MM-dd."""
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("2023-12-31") + 60)
    return edit


def task_codes(text: str) -> list[str]:
    """Task codes as typed, separated by spaces, commas or 、."""
    return [code for code in CODE_SEPARATORS.split(text.strip()) if code]


def act_cells(act: ActView) -> list[str]:
    """An act as one row of the list."""
    return [
        act.act_date.isoformat(), act.kind.value, "、".join(act.units) or "—", "、".join(act.tasks) or "—",
        act.basis, act.result or "（未填写）", "是" if act.in_circular else "",
    ]


def fit_columns(table: QTableView, chars: tuple[float, ...]) -> None:
    """Widths in characters of the table's font; the column given 0 stretches."""
    header = table.horizontalHeader()
    char = table.fontMetrics().horizontalAdvance("中")
    for column, width in enumerate(chars):
        if width:
            header.resizeSection(column, int(width * char) + 12)
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


def rows_table(model: RowsModel) -> QTableView:
    """A read-only, single-row-selecting table over a RowsModel."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    return table


class ActDialog(SavingDialog):
    """记录督查督办事项: kind, date, the units and tasks it concerns, basis, follow-up, result and files.

    Attributes:
        act: the act as recorded (set when saved).
    """

    def __init__(self, ledger: Ledger, plan_id: int, operator: str, *, task_code: str | None = None, parent: QWidget | None = None):
        super().__init__("记录督查督办事项", parent)
        self.ledger, self.plan_id, self.operator = ledger, plan_id, operator
        self.act: ActView | None = None
        self.buttons.button(self.buttons.StandardButton.Save).setText("保存（Ctrl+S）")
        with ledger.Session() as session:
            units = list_units(session, plan_id)
        self.kind = QComboBox()
        self.kind.addItems([k.value for k in RECORDED_KINDS])
        self.date = date_edit(dt.date.today())
        self.tasks = QLineEdit(task_code or "")
        self.tasks.setPlaceholderText("选填，任务编号，多个用空格或顿号分隔，如 A03-01 A03-02")
        self.basis = text_area(2, "必填：依据的文件、会议或问题线索")
        self.follow_up = text_area(2, "选填：整改或跟进要求、期限")
        self.result = text_area(2, "选填：结果可稍后在“督查督办记录”中填写")
        self.in_circular = QCheckBox("列入当月通报")
        self.evidence = QListWidget()
        self.evidence.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        add_file, remove_file = QPushButton("添加文件…"), QPushButton("移除")
        add_file.clicked.connect(self._on_add_file_clicked)
        remove_file.clicked.connect(lambda: [self.evidence.takeItem(self.evidence.row(i)) for i in self.evidence.selectedItems()])
        files = QHBoxLayout()
        files.addWidget(self.evidence, 1)
        file_buttons = QVBoxLayout()
        file_buttons.addWidget(add_file)
        file_buttons.addWidget(remove_file)
        file_buttons.addStretch(1)
        files.addLayout(file_buttons)
        self.units = QListWidget()
        for unit in units:
            item = QListWidgetItem(unit.name if is_real_unit(unit.kind) else f"{unit.name}（集合）")
            item.setData(ROW_ROLE, unit.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.units.addItem(item)
        self.unit_filter = QLineEdit()
        self.unit_filter.setPlaceholderText("筛选单位")
        self.unit_filter.textChanged.connect(self._on_unit_filter_text_changed)
        self.form = FieldForm()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind)
        kind_row.addWidget(QLabel("日期"))
        kind_row.addWidget(self.date)
        kind_row.addStretch(1)
        self.form.addRow("类别", kind_row)
        self.form.add_field("tasks", "涉及任务", self.tasks)
        self.form.add_field("basis", "依据", self.basis)
        self.form.add_field("follow_up", "整改要求", self.follow_up)
        self.form.add_field("result", "结果", self.result)
        self.form.addRow("", self.in_circular)
        self.form.addRow("证明材料", files)
        self.form.addRow("操作员", fact_label(operator))
        right = QVBoxLayout()
        right.addWidget(QLabel("涉及单位（勾选）"))
        right.addWidget(self.unit_filter)
        right.addWidget(self.units, 1)
        right.addWidget(fact_label("表扬、通报批评、约谈只能针对具体单位；回头看请用“督查督办 → 回头看…”。"))
        columns = QHBoxLayout()
        columns.addLayout(self.form, 3)
        columns.addSpacing(12)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.basis.setFocus()
        fit_to_screen(self, 0.75, 0.8, most=(920, 560))

    def check_units(self, names: list[str]) -> None:
        """Tick these units (tests, and a unit filter of the window)."""
        for row in range(self.units.count()):
            item = self.units.item(row)
            if item.data(ROW_ROLE) in names:
                item.setCheckState(Qt.CheckState.Checked)

    def add_files(self, paths: list[str | Path]) -> None:
        for path in paths:
            self.evidence.addItem(str(path))

    def data(self) -> ActInput:
        """The form as the service takes it (the service checks every value)."""
        units = [self.units.item(r).data(ROW_ROLE) for r in range(self.units.count()) if self.units.item(r).checkState() == Qt.CheckState.Checked]
        return ActInput(
            kind=self.kind.currentText(), act_date=self.date.date().toPython(), basis=self.basis.toPlainText(), units=units,
            tasks=task_codes(self.tasks.text()), follow_up=self.follow_up.toPlainText(), result=self.result.toPlainText(),
            in_circular=self.in_circular.isChecked(), evidence=[self.evidence.item(r).text() for r in range(self.evidence.count())],
        )

    def save(self) -> None:
        """Queue record_act; nothing is written unless every value passes."""
        ledger, plan_id, data, operator = self.ledger, self.plan_id, self.data(), self.operator

        def work(_control) -> ActView:
            with ledger.Session.begin() as session:
                return record_act(session, plan_id, data, operator=operator)

        self._run(work, ledger)

    def _saved(self, act: ActView) -> None:
        self.act = act
        self.accept()

    def _on_add_file_clicked(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, "选择证明材料", "", "证明材料 (*.pdf *.jpg *.jpeg *.png *.doc *.docx *.xls *.xlsx *.ofd);;所有文件 (*)")
        room = MAX_EVIDENCE_FILES - self.evidence.count()
        self.add_files(paths[:room])
        if len(paths) > room:
            self.show_error(f"一次最多附 {MAX_EVIDENCE_FILES} 个证明材料，多出的 {len(paths) - room} 个未添加。")

    def _on_unit_filter_text_changed(self, text: str) -> None:
        for row in range(self.units.count()):
            item = self.units.item(row)
            item.setHidden(bool(text.strip()) and text.strip() not in item.text())


class ActResultDialog(SavingDialog):
    """填写结果: what came of an act; the earlier result stays in the audit log."""

    def __init__(self, ledger: Ledger, act: ActView, operator: str, parent: QWidget | None = None):
        super().__init__("填写督查督办结果", parent)
        self.ledger, self.act_id, self.operator = ledger, act.id, operator
        self.result = text_area(4, "必填：约谈后的整改情况、督查发现的问题及处理等")
        self.result.setPlainText(act.result or "")
        form = FieldForm()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("事项", fact_label(f"{act.act_date.isoformat()} {act.kind.value}：{'、'.join(act.units + act.tasks)}"))
        form.addRow("依据", fact_label(act.basis))
        form.add_field("result", "结果", self.result)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.result.setFocus()
        fit_to_screen(self, 0.5, 0.5, most=(620, 340))

    def save(self) -> None:
        ledger, act_id, result, operator = self.ledger, self.act_id, self.result.toPlainText(), self.operator

        def work(_control) -> ActView:
            with ledger.Session.begin() as session:
                return update_act_result(session, act_id, result, operator=operator)

        self._run(work, ledger)


class ActListDialog(QDialog):
    """督查督办记录: the plan's acts by kind, month and unit (a unit's history of acts); 填写结果… for one, 复核… for a 回头看.

    Attributes:
        changed: whether anything was written from here (the window refreshes then).
    """

    def __init__(
        self, ledger: Ledger, plan_id: int, operator: str, *, period: str, may_write: bool,
        on_rechecked: Callable[[], None] | None = None, units: list[str] = (), unit: str | None = None,
        parent: QWidget | None = None,
    ):
        """on_rechecked: called after each re-check recorded from here (a failed one reopens a task: the window refreshes)."""
        super().__init__(parent)
        self.setWindowTitle("督查督办记录")
        self.ledger, self.plan_id, self.operator, self.may_write = ledger, plan_id, operator, may_write
        self.on_rechecked = on_rechecked
        self.changed = False
        self.kind = QComboBox()
        self.kind.addItem(ALL, None)
        for kind in ActKind:
            self.kind.addItem(kind.value, kind.value)
        self.month = QComboBox()
        self.month.addItem("全部月份", None)
        for month in reversed(periods_between(f"{period[:4]}-01", period)):
            self.month.addItem(chinese_period(month), month)
        self.unit = QComboBox()
        self.unit.addItem("全部单位", None)
        for name in units:
            self.unit.addItem(name, name)
        self.unit.setCurrentIndex(max(0, self.unit.findData(unit)))
        self.count = QLabel()
        self.model = RowsModel(ACT_COLUMNS, act_cells, self)
        self.table = rows_table(self.model)
        fit_columns(self.table, ACT_CHARS)
        self.table.doubleClicked.connect(lambda _index: self._on_result_clicked())
        self.result_button = QPushButton("填写结果…")
        self.recheck_button = QPushButton("回头看复核…")
        close = QPushButton("关闭")
        self.result_button.clicked.connect(self._on_result_clicked)
        self.recheck_button.clicked.connect(self._on_recheck_clicked)
        close.clicked.connect(self.accept)
        bar = QHBoxLayout()
        for label, combo in (("类别", self.kind), ("月份", self.month), ("单位", self.unit)):
            bar.addWidget(QLabel(label))
            bar.addWidget(combo)
            combo.currentIndexChanged.connect(lambda _i: self.load())
        bar.addStretch(1)
        bar.addWidget(self.count)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result_button)
        buttons.addWidget(self.recheck_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        self.detail = fact_label("")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._on_selection_changed())
        self._on_selection_changed()
        fit_to_screen(self, 0.9, 0.8, most=(1180, 600))
        self.load()

    def load(self) -> None:
        """Read the acts the filters ask for on the worker."""
        ledger, plan_id, kind, month, unit = self.ledger, self.plan_id, self.kind.currentData(), self.month.currentData(), self.unit.currentData()

        def read() -> list[ActView]:
            with ledger.Session() as session:
                return list_acts(session, plan_id, kind=kind, period=month, unit=unit)

        runner().query(read, self._show, parent=self)

    def _show(self, acts: list[ActView]) -> None:
        keep = self.current_act().id if self.current_act() else None
        self.model.set_rows(list(reversed(acts)))  # newest first
        self.count.setText(f"共 {len(acts)} 项")
        row = next((r for r, act in enumerate(self.model.rows) if act.id == keep), 0)
        if self.model.rows:
            self.table.selectRow(row)
        self._on_selection_changed()

    def current_act(self) -> ActView | None:
        return self.table.currentIndex().data(ROW_ROLE)

    def select(self, act_id: int) -> None:
        row = next(r for r, act in enumerate(self.model.rows) if act.id == act_id)
        self.table.selectRow(row)

    def _on_selection_changed(self) -> None:
        act = self.current_act()
        self.result_button.setEnabled(self.may_write and act is not None)
        self.recheck_button.setEnabled(act is not None and act.kind is ActKind.RECHECK)
        if act is None:
            self.detail.setText("")
            return
        parts = [f"依据：{act.basis}"]
        if act.follow_up:
            parts.append(f"整改要求：{act.follow_up}")
        if act.sample_rule:
            parts.append(f"抽取规则：{act.sample_rule}")
        if act.evidence:
            parts.append("证明材料：" + "、".join(e.name for e in act.evidence))
        parts.append(f"操作员：{act.operator}")
        self.detail.setText("\n".join(parts))

    def _on_result_clicked(self) -> None:
        act = self.current_act()
        if act is None or not self.result_button.isEnabled():
            return
        if ActResultDialog(self.ledger, act, self.operator, self).exec() == QDialog.DialogCode.Accepted:
            self.changed = True
            self.load()

    def _on_recheck_clicked(self) -> None:
        from desktop.recheck_dialogs import RecheckItemsDialog

        act = self.current_act()
        if act is None or act.kind is not ActKind.RECHECK:
            return
        dialog = RecheckItemsDialog(self.ledger, act.id, self.operator, may_write=self.may_write, on_recorded=self.on_rechecked, parent=self)
        dialog.exec()
        if dialog.changed:
            self.changed = True
            self.load()
