"""Monthly batch entry: every task of one unit for one month in one keyboard-driven grid, saved at once."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QDate, QEvent, QModelIndex, QObject, QRect, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from db.errors import UserError
from db.ledger import find_unit, list_units
from db.periods import check_period, chinese_period
from db.progress import STATUSES, BatchRow, ProgressInput, batch_rows, save_batch, validate

COLUMNS = ("附件", "序号", "任务", "角色", "状态", "进度", "进展情况", "存在问题", "下步计划")
STATUS_COLUMN, PERCENT_COLUMN = 4, 5
TEXT_COLUMNS = (6, 7, 8)
FIRST_EDITABLE = STATUS_COLUMN
COLUMN_WIDTHS = (60, 52, 250, 76, 86, 66, 250, 210, 230)
# Per row: status, percent, progress_text, problems, next_steps; a row nobody reported is BLANK.
BLANK = ("", None, "", "", "")
CHANGED_TINT = QColor("#fff3c4")
ERROR_TINT = QColor("#f8d0d0")
TEXT_EDITOR_LINES = 5
PROBLEM_LINES = 5
ERROR_STYLE = "color: #c0392b;"
HINT_STYLE = "color: #666;"


def _values(entry: ProgressInput | None) -> tuple:
    if entry is None:
        return BLANK
    return (entry.status, entry.percent, entry.progress_text or "", entry.problems or "", entry.next_steps or "")


class BatchTableModel(QAbstractTableModel):
    """One unit's tasks for one month; keeps what was loaded so only the rows a clerk changed are saved."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.unit = ""
        self.period = ""
        self._rows: list[BatchRow] = []
        self._original: list[tuple] = []
        self._values: list[list] = []
        self._errors: set[int] = set()

    def load(self, rows: list[BatchRow], unit: str, period: str) -> None:
        self.beginResetModel()
        self.unit, self.period, self._rows = unit, period, rows
        self._original = [_values(r.current) for r in rows]
        self._values = [list(v) for v in self._original]
        self._errors = set()
        self.endResetModel()

    def batch_row(self, row: int) -> BatchRow:
        return self._rows[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None

    def flags(self, index):
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and index.column() >= FIRST_EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _changed_cell(self, row: int, column: int) -> bool:
        field = column - FIRST_EDITABLE
        return field >= 0 and self._values[row][field] != self._original[row][field]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        task, values = self._rows[row], self._values[row]
        field = column - FIRST_EDITABLE
        if role == Qt.ItemDataRole.DisplayRole:
            if column < FIRST_EDITABLE:
                return (f"附件{task.annex}", task.label, task.title, task.role)[column]
            if column == PERCENT_COLUMN:
                return "" if values[field] is None else f"{values[field]}%"
            return values[field]
        if role == Qt.ItemDataRole.EditRole:
            return values[field] if field >= 0 else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column < FIRST_EDITABLE:
                return f"{task.task_code}  附件{task.annex} {task.label}{task.title}（{task.role}）"
            last = _values(task.previous)[field]
            parts = [str(values[field])] if values[field] not in ("", None) else []
            if last not in ("", None):
                parts.append(f"上月（{task.previous.period}）：{last}{'%' if column == PERCENT_COLUMN else ''}")
            return "\n\n".join(parts) or None
        if role == Qt.ItemDataRole.FontRole and self._changed_cell(row, column):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            if row in self._errors:
                return QBrush(ERROR_TINT)
            if self._changed_cell(row, column):
                return QBrush(CHANGED_TINT)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 1, 3, STATUS_COLUMN, PERCENT_COLUMN):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() < FIRST_EDITABLE:
            return False
        row = index.row()
        values = self._values[row]
        values[index.column() - FIRST_EDITABLE] = value.strip() if isinstance(value, str) else value
        self._normalise(values)
        self._errors.discard(row)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return True

    @staticmethod
    def _normalise(values: list) -> None:
        """A row someone writes in starts at 0%; a row emptied again is blank, not a 0% report."""
        others_blank = values[0] == "" and not any(values[2:])
        if values[1] is None and not others_blank:
            values[1] = 0
        elif values[1] == 0 and others_blank:
            values[1] = None

    def changed_rows(self) -> list[int]:
        return [r for r in range(len(self._rows)) if tuple(self._values[r]) != self._original[r]]

    def is_dirty(self) -> bool:
        return bool(self.changed_rows())

    def entries(self, reporter: str, entry_date: dt.date) -> tuple[list[int], list[ProgressInput]]:
        """The changed rows (0-based) and the reports they make."""
        rows = self.changed_rows()
        return rows, [
            ProgressInput(
                task_code=self._rows[r].task_code,
                unit=self.unit,
                period=self.period,
                status=self._values[r][0],
                percent=self._values[r][1],
                progress_text=self._values[r][2],
                problems=self._values[r][3],
                next_steps=self._values[r][4],
                reporter=reporter,
                entry_date=entry_date,
            )
            for r in rows
        ]

    def copy_previous(self) -> int:
        """Fill rows nobody has written in this month from last month's report; returns how many."""
        copied = 0
        for r, task in enumerate(self._rows):
            if task.previous is None or self._original[r] != BLANK or tuple(self._values[r]) != BLANK:
                continue
            self._values[r] = list(_values(task.previous))
            copied += 1
        if copied:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))
        return copied

    def mark_errors(self, rows: set[int]) -> None:
        self._errors = set(rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))


class GridDelegate(QStyledItemDelegate):
    """Spreadsheet keys in every editor: Enter commits and asks for the cell below, Tab/Shift+Tab commit and move."""

    enter_pressed = Signal()

    def eventFilter(self, editor, event):  # noqa: N802
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(editor, event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.enter_pressed.emit()
            return True
        hint = {
            Qt.Key.Key_Tab: QAbstractItemDelegate.EndEditHint.EditNextItem,
            Qt.Key.Key_Backtab: QAbstractItemDelegate.EndEditHint.EditPreviousItem,
        }.get(event.key())
        if hint is None:
            return super().eventFilter(editor, event)
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, hint)
        return True


class StatusDelegate(GridDelegate):
    """状态 is picked from the ledger's statuses (Up/Down or the popup)."""

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QComboBox(parent)
        editor.addItems(STATUSES)
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setCurrentIndex(editor.findText(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class PercentDelegate(GridDelegate):
    """进度 is a whole percentage."""

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QSpinBox(parent)
        editor.setRange(0, 100)
        editor.setSuffix("%")
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setValue(index.data(Qt.ItemDataRole.EditRole) or 0)

    def setModelData(self, editor, model, index):  # noqa: N802
        editor.interpretText()
        model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


class TextDelegate(GridDelegate):
    """Narrative text in a taller editor; Shift+Enter or Alt+Enter starts a new line."""

    def createEditor(self, parent, option, index):  # noqa: N802
        return QPlainTextEdit(parent)

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setPlainText(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.moveCursor(editor.textCursor().MoveOperation.End)

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor, option, index):  # noqa: N802
        rect = QRect(option.rect)
        rect.setHeight(max(rect.height(), editor.fontMetrics().lineSpacing() * TEXT_EDITOR_LINES + 12))
        area = editor.parentWidget().rect()
        if rect.bottom() > area.bottom():
            rect.moveBottom(area.bottom())
        editor.setGeometry(rect)

    def eventFilter(self, editor, event):  # noqa: N802
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier)
        ):
            editor.insertPlainText("\n")
            return True
        return super().eventFilter(editor, event)


class BatchTableView(QTableView):
    """Spreadsheet keys: Tab walks the editable cells row after row; Enter commits and edits the cell below."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabKeyNavigation(True)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

    def moveCursor(self, action, modifiers):  # noqa: N802
        if action not in (QAbstractItemView.CursorAction.MoveNext, QAbstractItemView.CursorAction.MovePrevious):
            return super().moveCursor(action, modifiers)
        model, current = self.model(), self.currentIndex()
        columns = model.columnCount()
        step = 1 if action == QAbstractItemView.CursorAction.MoveNext else -1
        position = current.row() * columns + current.column() + step if current.isValid() else 0
        while 0 <= position < model.rowCount() * columns:
            index = model.index(*divmod(position, columns))
            if index.flags() & Qt.ItemFlag.ItemIsEditable:
                return index
            position += step
        return QModelIndex()

    def edit_below(self) -> None:
        """After Enter: the same column of the next row, already open for typing."""
        current = self.currentIndex()
        below = current.sibling(current.row() + 1, current.column())
        if below.isValid():
            self.setCurrentIndex(below)
            self.edit(below)

    def keyPressEvent(self, event):  # noqa: N802
        current = self.currentIndex()
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
            and current.flags() & Qt.ItemFlag.ItemIsEditable
        ):
            self.edit(current)
            event.accept()
            return
        super().keyPressEvent(event)

    def commit_editor(self) -> None:
        """Write an open editor's text to the model, as leaving the cell would."""
        editor = self.indexWidget(self.currentIndex())
        if editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)


class UnitCompleter(QCompleter):
    """Matches any part of a unit's name or aliases (住建 → 市住房和城乡建设局) and fills in the canonical name."""

    def pathFromIndex(self, index):  # noqa: N802
        return index.data(Qt.ItemDataRole.DisplayRole)


class BatchEntryDialog(QDialog):
    """A unit's monthly reports typed in one grid and written in one transaction, all or nothing."""

    def __init__(
        self, ledger: Ledger, *, unit: str, period: str, operator: str, units: list[str], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ledger = ledger
        self.operator = operator
        self.setWindowTitle("按月批量填报进展")
        self.resize(1440, 780)
        with ledger.Session() as session:
            unit = find_unit(session, unit).name
            aliases = {u.name: u.aliases for u in list_units(session)}
        period = check_period(period)

        self.unit_box = QComboBox()
        self.unit_box.setEditable(True)
        self.unit_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit_box.setMinimumContentsLength(16)
        for name in units if unit in units else [unit, *units]:
            self.unit_box.addItem(name, " ".join([name, *aliases.get(name, [])]))
        completer = UnitCompleter(self.unit_box.model(), self.unit_box)
        completer.setCompletionRole(Qt.ItemDataRole.UserRole)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.unit_box.setCompleter(completer)
        self.period_edit = QDateEdit()
        self.period_edit.setDisplayFormat("yyyy-MM")
        self.period_edit.setKeyboardTracking(False)
        self.period_edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
        self.copy_button = QPushButton("复制上月内容")
        self.copy_button.setToolTip("把上月的状态、进度和文字填入本月尚未填写的行，作为修改的起点；已填写的行不动。")
        self.summary = QLabel()
        hint = QLabel(
            "Tab / Shift+Tab 在可填列间移动，Enter 确认并下移，Shift+Enter 换行，F2 或直接打字开始编辑，"
            "Ctrl+S 保存，Esc 关闭。有改动的格子以黄色粗体显示。"
        )
        hint.setStyleSheet(HINT_STYLE)
        hint.setWordWrap(True)

        self.model = BatchTableModel(self)
        self.view = BatchTableView()
        self.view.setModel(self.model)
        for columns, delegate in (
            ((STATUS_COLUMN,), StatusDelegate(self.view)),
            ((PERCENT_COLUMN,), PercentDelegate(self.view)),
            (TEXT_COLUMNS, TextDelegate(self.view)),
        ):
            delegate.enter_pressed.connect(self.view.edit_below)
            for column in columns:
                self.view.setItemDelegateForColumn(column, delegate)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.view.setColumnWidth(column, width)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().lineSpacing() * 2 + 12)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        self.problem_title = QLabel()
        self.problem_title.setStyleSheet(ERROR_STYLE + "font-weight: bold;")
        self.problem_list = QListWidget()
        self.problem_list.setStyleSheet(ERROR_STYLE)
        self.problem_list.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton("保存（Ctrl+S）")
        close_button = QPushButton("关闭")
        for button in (self.copy_button, self.save_button, close_button):
            button.setAutoDefault(False)

        top = QHBoxLayout()
        top.addWidget(QLabel("单位："))
        top.addWidget(self.unit_box, 2)
        top.addSpacing(16)
        top.addWidget(QLabel("报送期间："))
        top.addWidget(self.period_edit)
        top.addSpacing(16)
        top.addWidget(self.summary, 3)
        top.addWidget(self.copy_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problem_title)
        layout.addWidget(self.problem_list)
        layout.addLayout(bottom)

        self.unit_box.activated.connect(self._on_unit_chosen)
        self.unit_box.lineEdit().editingFinished.connect(self._on_unit_chosen)
        self.period_edit.dateChanged.connect(self._on_period_chosen)
        self.copy_button.clicked.connect(self.copy_previous)
        self.save_button.clicked.connect(self.save)
        close_button.clicked.connect(self.reject)
        self.model.dataChanged.connect(self._show_dirty)
        self.model.modelReset.connect(self._show_dirty)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

        self.unit = ""
        self.period = ""
        self.load(unit, period)
        self.view.setFocus()

    def load(self, unit: str, period: str) -> None:
        """Fill the grid from the ledger for the unit and month, dropping any unsaved edits."""
        with self.ledger.Session() as session:
            rows = batch_rows(session, unit, period)
        current = self.view.currentIndex()
        self.unit, self.period = unit, period
        self._show_choice()
        self.model.load(rows, unit, period)
        self._show_problems(None)
        lead = sum(r.role == "牵头" for r in rows)
        reported = sum(r.current is not None for r in rows)
        before = sum(r.previous is not None for r in rows)
        self.summary.setText(
            f"{chinese_period(period)}：共 {len(rows)} 项任务（牵头 {lead} 项），本月已报 {reported} 项，上月已报 {before} 项"
        )
        self.setWindowTitle(f"按月批量填报进展 — {unit} {chinese_period(period)}")
        target = self.model.index(current.row(), current.column()) if current.isValid() else QModelIndex()
        self.view.setCurrentIndex(target if target.isValid() else self.model.index(0, FIRST_EDITABLE))

    def copy_previous(self) -> int:
        """Fill this month's empty rows from last month as a starting point; returns how many rows."""
        self.view.commit_editor()
        copied = self.model.copy_previous()
        if copied:
            self.message.setText(f"已从上月复制 {copied} 行，请逐行核对修改后保存。")
        else:
            self.message.setText("没有可复制的行：上月没有填报，或本月这些行已经填写。")
        return copied

    def save(self) -> bool:
        """Write every changed row in one transaction; on any problem write nothing and list them all."""
        self.view.commit_editor()
        rows, entries = self.model.entries(reporter=self.operator, entry_date=dt.date.today())
        if not entries:
            self.message.setText("没有需要保存的修改。")
            return True
        try:
            with self.ledger.Session.begin() as session:
                added, updated, _ = save_batch(
                    session, entries, operator=self.operator, row_numbers=[r + 1 for r in rows]
                )
        except UserError as exc:
            self.model.mark_errors({r for r, entry in zip(rows, entries) if validate(entry)})
            self._show_problems(exc)
            self.message.setText("")
            return False
        self.load(self.unit, self.period)
        self.message.setText(f"已保存：新增 {added} 条，更新 {updated} 条。")
        return True

    def ask_unsaved(self) -> str:
        """Ask what to do with unsaved edits: "save", "discard" or "keep" (stay and go on editing)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("有未保存的修改")
        box.setText(f"本表有 {len(self.model.changed_rows())} 行修改尚未保存。")
        save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("放弃修改", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("继续编辑", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return {save: "save", discard: "discard"}.get(box.clickedButton(), "keep")

    def _may_leave(self) -> bool:
        """Whether the grid may be replaced or closed: nothing unsaved, or the clerk saved or discarded it."""
        self.view.commit_editor()
        if not self.model.is_dirty():
            return True
        answer = self.ask_unsaved()
        return answer == "discard" or (answer == "save" and self.save())

    def reject(self) -> None:
        if self._may_leave():
            super().reject()

    def _on_unit_chosen(self, *_args) -> None:
        text = self.unit_box.currentText().strip()
        try:
            with self.ledger.Session() as session:
                unit = find_unit(session, text).name
        except UserError as exc:
            self._show_choice()
            self.message.setText(exc.message)
            return
        self._switch(unit, self.period)

    def _on_period_chosen(self, date: QDate) -> None:
        self._switch(self.unit, date.toString("yyyy-MM"))

    def _switch(self, unit: str, period: str) -> None:
        if (unit, period) == (self.unit, self.period):
            self._show_choice()
            return
        if self._may_leave():
            self.load(unit, period)
        else:
            self._show_choice()

    def _show_choice(self) -> None:
        """Put the unit and month the grid shows back into the selectors."""
        for widget in (self.unit_box, self.period_edit):
            widget.blockSignals(True)
        index = self.unit_box.findText(self.unit)
        if index >= 0:
            self.unit_box.setCurrentIndex(index)
        else:
            self.unit_box.setEditText(self.unit)
        self.period_edit.setDate(QDate(int(self.period[:4]), int(self.period[5:7]), 1))
        for widget in (self.unit_box, self.period_edit):
            widget.blockSignals(False)

    def _show_problems(self, error: UserError | None) -> None:
        self.problem_list.clear()
        if error is not None:
            count = len(error.details) or 1
            self.problem_title.setText(f"{error.message}共 {count} 处问题，本批一条也没有写入，请改正后再保存。")
            self.problem_list.addItems(error.details)
            shown = min(len(error.details), PROBLEM_LINES) or 1
            frame = 2 * self.problem_list.frameWidth()
            self.problem_list.setFixedHeight(shown * self.problem_list.sizeHintForRow(0) + frame + 4)
        self.problem_title.setVisible(error is not None)
        self.problem_list.setVisible(bool(error and error.details))

    def _show_dirty(self, *_args) -> None:
        changed = len(self.model.changed_rows())
        self.save_button.setText(f"保存 {changed} 行（Ctrl+S）" if changed else "保存（Ctrl+S）")
