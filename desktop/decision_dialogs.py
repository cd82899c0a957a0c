"""The office's decisions on a task: 办结销号 and its revocation, 延期, and corrections to the plan data.

Each dialog reads what it shows in one short session and, on 确定, runs its db service in one
transaction; a refused input leaves the dialog open with each message under the field it concerns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from db.corrections import TaskCorrection, check_correction, correct_task
from db.decisions import (
    DecisionView,
    Evidence,
    current_due,
    decision_timing,
    decisions_of,
    default_decision_date,
    default_new_due,
    extend,
    overdue_despite_extension,
    revoke_sign_off,
    sign_off,
)
from db.engine import Ledger
from db.errors import UserError
from db.ledger import list_units, task_by_id
from db.responsibility import ROLES, SUPPORT
from db.settings import load_settings
from desktop.forms import ERROR_STYLE, FieldForm
from desktop.screen import fit_to_screen

CHINESE = QLocale("zh_CN")
TIMING_STYLE = "color: #555;"
LATE_STYLE = ERROR_STYLE + " font-weight: bold;"
NO_DEADLINE = "（原文未列时间节点）"
GENERAL = "task"  # the field key under the task summary, where messages about the task as a whole go


def route(messages: list[str], routes: dict[str, str], fallback: str = GENERAL) -> dict[str, str]:
    """Each service message under the field whose keyword it contains first, else under the task."""
    problems: dict[str, str] = {}
    for message in messages:
        key = next((field for word, field in routes.items() if word in message), fallback)
        problems[key] = problems.get(key, "") + message
    return problems


def messages_of(exc: UserError) -> list[str]:
    """A service's own problems are its details; a one-line refusal is its message."""
    return exc.details or [exc.message]


def date_edit(day: dt.date, display: str = "yyyy-MM-dd") -> QDateEdit:
    """A date field with a calendar popup that speaks Chinese."""
    edit = QDateEdit(QDate(day))
    edit.setLocale(CHINESE)
    edit.setDisplayFormat(display)
    edit.setCalendarPopup(True)
    edit.calendarWidget().setLocale(CHINESE)
    edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("2022年12月31日") + 40)
    return edit


def text_area(lines: int, placeholder: str = "", most: int | None = None) -> QPlainTextEdit:
    """A multi-line field `lines` lines high (growing to `most` lines, if given), where Tab moves on."""
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    spacing = edit.fontMetrics().lineSpacing()
    edit.setMinimumHeight(spacing * lines + 12)
    if most:
        edit.setMaximumHeight(spacing * most + 12)
    return edit


def add_fact(form: FieldForm, label: str, text: str, key: str | None = None) -> QLabel:
    """A read-only fact (selectable, wrapped), its row label level with the fact's first line."""
    value = QLabel(text)
    value.setWordWrap(True)
    value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if key:
        form.add_field(key, label, value)
        field = value.parentWidget()
    else:
        form.addRow(label, value)
        field = value
    if row_label := form.labelForField(field):  # none for a row without a label
        row_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return value


class FormDialog(QDialog):
    """A FieldForm with 确定/取消; subclasses define save() -> {field: message}, empty when saved.

    Enter accepts from a one-line field; a text area keeps Enter for its new line, and a list
    (the units) keeps it for its rows.  Ctrl+Enter accepts from anywhere.
    """

    def __init__(self, title: str, width_chars: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.forms: list[FieldForm] = []
        self.form = self.new_form()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addStretch(1)
        self.body.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * width_chars)
        self._fitted = False
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.submit)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Open at the size the form asks for, but never larger than the screen's free area (1366×768, 1280×720)."""
        if not self._fitted:
            self._fitted = True
            hint = self.sizeHint()
            fit_to_screen(self, 1.0, 1.0, most=(hint.width(), hint.height()))
        super().showEvent(event)

    def new_form(self) -> FieldForm:
        """Another form for a dialog laid out in blocks; its errors are shown along with the first's."""
        form = FieldForm()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.forms.append(form)
        return form

    def show_errors(self, problems: dict[str, str]) -> None:
        for form in self.forms:
            form.show_errors(problems)

    def error_text(self, key: str) -> str:
        """The message shown under a field ('' when none), whichever block the field is in."""
        return next(f for f in self.forms if key in f.errors).error_text(key)

    def submit(self) -> None:
        problems = self.save()
        self.show_errors(problems)
        if not problems:
            self.accept()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and _in_list(QApplication.focusWidget()):
            event.accept()
            return
        super().keyPressEvent(event)


def _in_list(widget: QWidget | None) -> bool:
    """An item view passes Enter on to the dialog when no cell is being edited; it is not 确定 there."""
    while widget is not None:
        if isinstance(widget, QAbstractItemView):
            return True
        widget = widget.parentWidget()
    return False


@dataclass
class TaskFacts:
    """What the decision dialogs show of a task, read once when the dialog opens."""

    heading: str
    deadline: str | None
    due: dt.date | None
    decisions: DecisionView
    period: str  # the reporting period being handled (the settings' current period unless the caller names one)

    @classmethod
    def load(cls, session: Session, task_id: int, period: str | None = None) -> TaskFacts:
        task = task_by_id(session, task_id)
        heading = f"{task.code}　附件{task.annex.number} {task.label}　{task.title}"
        period = period or load_settings(session).current_period
        return cls(heading, task.deadline_text, current_due(session, task), decisions_of(session, task_id), period)

    def summary(self) -> str:
        due = f"（现行完成时限 {self.due.isoformat()}{'，已延期' if self.decisions.extensions else ''}）" if self.due else ""
        return f"{self.heading}\n时间节点：{self.deadline or NO_DEADLINE}{due}"


def dated_field(form: FieldForm, key: str, label: str, day: dt.date, period: str, what: str) -> tuple[QDateEdit, QLabel]:
    """A decision's date with, beside it, which period the decision counts in (in red when it misses the period)."""
    edit = date_edit(day)
    timing = QLabel()
    timing.setWordWrap(True)
    timing.setObjectName(f"timing_{key}")

    def show(chosen: QDate) -> None:
        said = decision_timing(chosen.toPython(), period, what)
        timing.setText(said.text)
        timing.setStyleSheet(LATE_STYLE if said.late else TIMING_STYLE)

    edit.dateChanged.connect(show)
    show(edit.date())
    row = QWidget()
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    line.addWidget(edit, 0, Qt.AlignmentFlag.AlignTop)
    line.addWidget(timing, 1)
    form.add_field(key, label, row)
    return edit, timing


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


class SignOffDialog(FormDialog):
    """办结销号: the office signs a task off with a date and an evidence note or file."""

    ROUTES = {"销号依据": "note", "销号日期": "date", "证明材料": "evidence"}

    def __init__(
        self, ledger: Ledger, task_id: int, operator: str, parent: QWidget | None = None, *, period: str | None = None,
        today: dt.date | None = None,
    ):
        super().__init__("办结销号", 40, parent)
        self.ledger, self.task_id, self.operator = ledger, task_id, operator
        with ledger.Session() as session:
            self.facts = TaskFacts.load(session, task_id, period)
        self.evidence: Evidence | None = None
        add_fact(self.form, "任务", self.facts.summary(), GENERAL)
        day = default_decision_date(self.facts.period, today or dt.date.today())
        self.date, self.timing = dated_field(self.form, "date", "销号日期", day, self.facts.period, "销号")
        self.date.setToolTip("默认：今天；当前报送期间已结束时为其最后一天，使销号计入该期间的统计")
        self.note = self.form.add_field(
            "note", "销号依据", text_area(4, "例如：已印发《……实施方案》（三营商办〔2022〕9号），牵头单位报送完成情况")
        )
        self.evidence_label = QLabel("未选择文件")
        self.evidence_label.setWordWrap(True)  # a long scanned-file name wraps instead of widening the dialog
        self.choose_button = QPushButton("选择文件…")
        self.choose_button.clicked.connect(self.choose_evidence)
        self.clear_button = QPushButton("移除")
        self.clear_button.clicked.connect(self.clear_evidence)
        self.clear_button.setEnabled(False)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.choose_button)
        line.addWidget(self.clear_button)
        line.addWidget(self.evidence_label, 1)
        self.form.add_field("evidence", "证明材料", row)
        add_fact(self.form, "操作员", operator)
        self.note.setFocus()

    def choose_evidence(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择证明材料", "", "证明材料 (*.pdf *.jpg *.jpeg *.png *.doc *.docx *.xls *.xlsx *.ofd);;所有文件 (*)")
        if path:
            self.set_evidence_file(path)

    def set_evidence_file(self, path: str | Path) -> None:
        """Read the chosen file now, so a missing or oversized file is reported at once."""
        try:
            self.evidence = Evidence.from_file(path)
        except UserError as exc:
            self.clear_evidence()
            self.show_errors({"evidence": exc.message})
            return
        self.evidence_label.setText(f"{self.evidence.name}（{_size(len(self.evidence.data))}）")
        self.clear_button.setEnabled(True)
        self.show_errors({})

    def clear_evidence(self) -> None:
        self.evidence = None
        self.evidence_label.setText("未选择文件")
        self.clear_button.setEnabled(False)

    def save(self) -> dict[str, str]:
        try:
            with self.ledger.Session.begin() as session:
                sign_off(
                    session,
                    task_by_id(session, self.task_id),
                    signed_on=self.date.date().toPython(),
                    operator=self.operator,
                    note=self.note.toPlainText(),
                    evidence=self.evidence,
                )
        except UserError as exc:
            return route(messages_of(exc), self.ROUTES)
        return {}


class RevokeSignOffDialog(FormDialog):
    """撤销销号: undo a sign-off made in error; the reason goes to the audit log."""

    def __init__(self, ledger: Ledger, task_id: int, operator: str, parent: QWidget | None = None):
        super().__init__("撤销销号", 40, parent)
        self.ledger, self.task_id, self.operator = ledger, task_id, operator
        with ledger.Session() as session:
            self.facts = TaskFacts.load(session, task_id)
        d = self.facts.decisions
        add_fact(self.form, "任务", self.facts.summary(), GENERAL)
        if d.signed_on:
            evidence = "；".join(x for x in (d.evidence_note, d.evidence_name and f"附件：{d.evidence_name}") if x)
            add_fact(self.form, "现有销号", f"{d.signed_on.isoformat()} 由 {d.signed_by} 销号\n{evidence}")
        self.reason = self.form.add_field("reason", "撤销原因", text_area(3, "例如：牵头单位材料不全，误销号"))
        add_fact(self.form, "操作员", operator)
        self.reason.setFocus()

    def save(self) -> dict[str, str]:
        try:
            with self.ledger.Session.begin() as session:
                revoke_sign_off(session, task_by_id(session, self.task_id), operator=self.operator, reason=self.reason.toPlainText())
        except UserError as exc:
            return route(messages_of(exc), {"原因": "reason"})
        return {}


class ExtensionDialog(FormDialog):
    """延期: record an approved new due date; the plan's own deadline stays as printed."""

    ROUTES = {"新的完成时限": "new_due", "延期原因": "reason", "批准延期的文件": "document"}

    def __init__(
        self, ledger: Ledger, task_id: int, operator: str, parent: QWidget | None = None, *, period: str | None = None,
        today: dt.date | None = None,
    ):
        super().__init__("延期", 40, parent)
        self.ledger, self.task_id, self.operator = ledger, task_id, operator
        with ledger.Session() as session:
            self.facts = TaskFacts.load(session, task_id, period)
        facts = self.facts
        add_fact(self.form, "任务", facts.heading, GENERAL)
        add_fact(self.form, "原定时间节点", facts.deadline or NO_DEADLINE)
        add_fact(self.form, "现行完成时限", facts.due.isoformat() if facts.due else "无（持续推进或未定日期）")
        if facts.decisions.extensions:
            lines = [
                f"{approved.isoformat()} 批准延至 {new_due.isoformat()}（{document}；{reason}；{who}）"
                for new_due, reason, document, approved, who in facts.decisions.extensions
            ]
            add_fact(self.form, "此前延期", "\n".join(lines))
        today = today or dt.date.today()
        day = default_decision_date(facts.period, today)
        self.new_due = date_edit(default_new_due(facts.due, day))
        self.still_overdue = QLabel()
        self.still_overdue.setWordWrap(True)
        self.still_overdue.setStyleSheet(LATE_STYLE)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.new_due, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.still_overdue, 1)
        self.form.add_field("new_due", "新的完成时限", row)

        def show_overdue(chosen: QDate) -> None:
            self.still_overdue.setText(overdue_despite_extension(chosen.toPython(), facts.period, today))

        self.new_due.dateChanged.connect(show_overdue)
        show_overdue(self.new_due.date())
        self.reason = self.form.add_field("reason", "延期原因", text_area(3, "例如：省级系统对接推迟，需待省平台上线"))
        self.document = self.form.add_field("document", "批准文件", QLineEdit())
        self.document.setPlaceholderText("文号或名称，例如：三营商办〔2022〕12号")
        self.approved_on, self.timing = dated_field(self.form, "approved_on", "批准日期", day, facts.period, "批准")
        self.approved_on.setToolTip("默认：今天；当前报送期间已结束时为其最后一天，使延期计入该期间的预警")
        add_fact(self.form, "操作员", operator)
        self.new_due.setFocus()

    def save(self) -> dict[str, str]:
        try:
            with self.ledger.Session.begin() as session:
                extend(
                    session,
                    task_by_id(session, self.task_id),
                    new_due=self.new_due.date().toPython(),
                    reason=self.reason.toPlainText(),
                    document=self.document.text(),
                    approved_on=self.approved_on.date().toPython(),
                    operator=self.operator,
                )
        except UserError as exc:
            return route(messages_of(exc), self.ROUTES)
        return {}


class ChoiceDelegate(QStyledItemDelegate):
    """Edits a cell with a combo box; an editable one completes any part of a name."""

    def __init__(self, choices: list[str], editable: bool, parent=None):
        super().__init__(parent)
        self.choices, self.editable = choices, editable

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt API
        combo = QComboBox(parent)
        combo.addItems(self.choices)
        combo.setEditable(self.editable)
        if self.editable:
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = QCompleter(self.choices, combo)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            combo.setCompleter(completer)
        return combo

    def setEditorData(self, editor, index):  # noqa: N802
        text = index.data() or ""
        found = editor.findText(text)
        if found >= 0:
            editor.setCurrentIndex(found)
        else:
            editor.setEditText(text)

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentText().strip())


class UnitsEditor(QWidget):
    """The task's responsible units as an ordered, editable list of (unit, role) rows."""

    def __init__(self, units: list[tuple[str, str]], unit_names: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["单位", "角色"])
        for name, role in units:
            self.model.appendRow([QStandardItem(name), QStandardItem(role)])
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(0, ChoiceDelegate(unit_names, True, self.view))
        self.view.setItemDelegateForColumn(1, ChoiceDelegate(list(ROLES), False, self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setMinimumHeight(self.view.verticalHeader().defaultSectionSize() * 6 + header.sizeHint().height())
        self.add_button = QPushButton("添加")
        self.remove_button = QPushButton("删除")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.up_button.clicked.connect(lambda: self.move_row(-1))
        self.down_button.clicked.connect(lambda: self.move_row(1))
        column = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            column.addWidget(button)
        column.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(column)

    def commit_open_cell(self) -> None:
        """Keep what is typed in a cell still open (the dialog can be accepted with Ctrl+Enter from it)."""
        editor = self.view.indexWidget(self.view.currentIndex())
        if editor is not None:
            self.view.commitData(editor)
            self.view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def units(self) -> list[tuple[str, str]]:
        """(unit, role) in order; a row whose unit was left blank is no unit."""
        rows = ((self.model.item(r, 0).text().strip(), self.model.item(r, 1).text()) for r in range(self.model.rowCount()))
        return [(name, role) for name, role in rows if name]

    def add_row(self) -> None:
        """A new 配合 row at the end, its unit cell open for typing."""
        self.model.appendRow([QStandardItem(""), QStandardItem(SUPPORT)])
        index = self.model.index(self.model.rowCount() - 1, 0)
        self.view.setCurrentIndex(index)
        self.view.setFocus()
        self.view.edit(index)

    def remove_row(self) -> None:
        row = self.view.currentIndex().row()
        if row >= 0:
            self.model.removeRow(row)

    def move_row(self, step: int) -> None:
        current = self.view.currentIndex()
        row, target = current.row(), current.row() + step
        if row < 0 or not 0 <= target < self.model.rowCount():
            return
        self.model.insertRow(target, self.model.takeRow(row))
        self.view.setCurrentIndex(self.model.index(target, current.column(), QModelIndex()))


class CorrectionDialog(FormDialog):
    """更正: fix a task's title, text, deadline or units where the plan data is wrong.

    Laid out in two columns (the wording on the left, the units on the right) so it fits a
    1280×680 screen, which is what a 1080p laptop at 150% leaves.
    """

    def __init__(self, ledger: Ledger, task_id: int, operator: str, parent: QWidget | None = None):
        super().__init__("更正任务信息", 72, parent)
        self.ledger, self.task_id, self.operator = ledger, task_id, operator
        with ledger.Session() as session:
            task = task_by_id(session, task_id)
            heading = f"{task.code}　附件{task.annex.number} {task.label}　"
            heading += f"原文第 {task.source_line_start}–{task.source_line_end} 行" if task.source_line_start else "（无原文位置）"
            if task.corrected_at:
                heading += f"\n已于 {task.corrected_at:%Y-%m-%d} 由 {task.corrected_by or '未知操作员'} 更正过"
            title, text, deadline = task.title, task.text, task.deadline_text or ""
            responsibility = task.responsibility_text or "（原文未列责任单位）"
            units = [(a.unit.name, a.role) for a in task.assignments]
            unit_names = [u.name for u in list_units(session, task.plan_id)]
        add_fact(self.form, "任务", heading, GENERAL)
        wording, duties, closing = self.new_form(), self.new_form(), self.new_form()
        self.title = wording.add_field("title", "任务名称", QLineEdit(title))
        self.text = wording.add_field("text", "任务原文", text_area(7))
        self.text.setPlainText(text)
        self.deadline = wording.add_field("deadline", "时间节点", text_area(3, "每行一个时间节点，例如：2022年6月底前", most=5))
        self.deadline.setPlainText(deadline)
        add_fact(duties, "责任单位原文", responsibility)
        self.units = duties.add_field("units", "责任单位", UnitsEditor(units, unit_names))
        self.reason = closing.add_field("reason", "更正原因", QLineEdit())
        self.reason.setPlaceholderText("必填，例如：与原文第 5 页核对，时间节点录入有误")
        add_fact(closing, "操作员", operator)
        columns = QHBoxLayout()
        columns.addLayout(wording, 1)
        columns.addSpacing(12)
        columns.addLayout(duties, 1)
        self.body.insertLayout(1, columns, 1)
        self.body.insertLayout(2, closing)
        self.title.setFocus()

    def correction(self) -> TaskCorrection:
        self.units.commit_open_cell()
        return TaskCorrection(
            title=self.title.text(),
            text=self.text.toPlainText(),
            deadline_text=self.deadline.toPlainText().strip() or None,
            units=self.units.units(),
            reason=self.reason.text(),
        )

    def save(self) -> dict[str, str]:
        fix = self.correction()
        with self.ledger.Session.begin() as session:
            task = task_by_id(session, self.task_id)
            problems = check_correction(session, task, fix)
            if problems:
                return problems
            if not correct_task(session, task, fix, operator=self.operator):
                return {GENERAL: "内容与台账中的现有数据相同，没有需要更正的地方。"}
        return {}
