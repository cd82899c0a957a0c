"""Spreadsheet behaviour for editable tables: cell editors, keys, and blocks copied from WPS or Excel."""

from __future__ import annotations

import csv
import io

from PySide6.QtCore import QEvent, QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from db.errors import UserError

TEXT_EDITOR_LINES = 5
# A pasted block larger than this is not a unit's month: refuse it before parsing (the clipboard is outside input).
MAX_PASTE_CHARS = 2_000_000
MAX_PASTE_ROWS = 2_000
MAX_PASTE_COLUMNS = 64
# The grids' marks: a changed cell, a refused value, a read-only column and its text.
CHANGED_TINT = QColor("#fff3c4")
ERROR_TINT = QColor("#f8d0d0")
READ_ONLY_TINT = QColor("#eef0f3")
GREY_TEXT = QColor("#8a8a8a")


def parse_block(text: str) -> list[list[str]]:
    """The cells of a block copied from WPS or Excel: tab-separated lines, a cell holding a tab, a line
    break or a quote written "…" with "" for a quote.  Trailing empty lines and columns are dropped."""
    if len(text) > MAX_PASTE_CHARS:
        raise UserError(f"剪贴板内容有 {len(text)} 个字符，超过 {MAX_PASTE_CHARS} 字符上限，未粘贴。")
    rows = []
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), dialect="excel-tab"):
            rows.append(cells)
            if len(rows) > MAX_PASTE_ROWS:
                raise UserError(f"剪贴板内容超过 {MAX_PASTE_ROWS} 行，未粘贴。")
    except csv.Error as exc:  # a cell over csv's field size limit (128 K characters), or a stray NUL
        raise UserError(f"剪贴板内容无法按表格读取（{exc}），未粘贴。") from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    while width and not any(len(r) >= width and r[width - 1].strip() for r in rows):
        width -= 1
    if width > MAX_PASTE_COLUMNS:
        raise UserError(f"剪贴板内容有 {width} 列，超过 {MAX_PASTE_COLUMNS} 列上限，未粘贴。")
    return [(r + [""] * width)[:width] for r in rows]


def format_block(rows: list[list[str]]) -> str:
    """Cells as WPS and Excel put them on the clipboard (the inverse of parse_block)."""
    out = io.StringIO()
    csv.writer(out, dialect="excel-tab", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


class GridDelegate(QStyledItemDelegate):
    """Spreadsheet keys in every editor: Enter commits and asks for the cell below, Tab/Shift+Tab commit and move."""

    enter_pressed = Signal()

    def eventFilter(self, editor, event):  # noqa: N802 - Qt API
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


class ChoiceDelegate(GridDelegate):
    """A cell picked from a fixed list (Up/Down, the popup, or typing its first characters)."""

    def __init__(self, choices, parent=None):
        super().__init__(parent)
        self.choices = tuple(choices)

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QComboBox(parent)
        editor.setEditable(True)  # typing 滞 completes 滞后; what is typed is checked by the model, never dropped
        editor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        editor.addItems(self.choices)
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        value = str(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.setCurrentIndex(editor.findText(value))
        editor.setEditText(value)
        editor.lineEdit().selectAll()

    def setModelData(self, editor, model, index):  # noqa: N802
        text = editor.currentText().strip()
        # The combo box's own completion, for text an input method commits at once: 滞 → 滞后 when only one fits.
        starting = [c for c in self.choices if c.startswith(text)] if text and text not in self.choices else []
        model.setData(index, starting[0] if len(starting) == 1 else text, Qt.ItemDataRole.EditRole)


class LineDelegate(GridDelegate):
    """A one-line cell typed as text; the model parses and validates it, so nothing typed is cut or changed."""

    def createEditor(self, parent, option, index):  # noqa: N802
        return QLineEdit(parent)

    def setEditorData(self, editor, index):  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.setText("" if value is None else str(value))
        editor.selectAll()

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class TextDelegate(GridDelegate):
    """Narrative text in a taller editor; Shift+Enter or Alt+Enter starts a new line."""

    def createEditor(self, parent, option, index):  # noqa: N802
        return QPlainTextEdit(parent)

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setPlainText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        editor.moveCursor(editor.textCursor().MoveOperation.End)

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor, option, index):  # noqa: N802
        rect = QRect(option.rect)
        rect.setHeight(max(rect.height(), editor.fontMetrics().lineSpacing() * TEXT_EDITOR_LINES + 12))
        rect.setWidth(max(rect.width(), editor.fontMetrics().horizontalAdvance("国") * 16))
        area = editor.parentWidget().rect()
        if rect.bottom() > area.bottom():
            rect.moveBottom(area.bottom())
        if rect.right() > area.right():
            rect.moveRight(area.right())
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


class SpreadsheetView(QTableView):
    """A table with spreadsheet keys.

    Tab/Shift+Tab walk the editable cells row after row and leave the table past its last (or first)
    one; Enter moves down (in an editor: commits, then edits the cell below); Ctrl+V asks to paste the
    clipboard's text (paste_requested), Delete to clear the selection (clear_requested), Ctrl+Z to undo
    (undo_requested); Ctrl+C copies the selected cells as WPS and Excel do.
    """

    paste_requested = Signal(str)
    clear_requested = Signal()
    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabKeyNavigation(True)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
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

    def focusNextPrevChild(self, next_):  # noqa: N802
        """Tab past the last editable cell (Shift+Tab before the first) leaves the table, as in a form."""
        if self.tabKeyNavigation() and self.state() != QAbstractItemView.State.EditingState:
            action = QAbstractItemView.CursorAction.MoveNext if next_ else QAbstractItemView.CursorAction.MovePrevious
            if not self.moveCursor(action, Qt.KeyboardModifier.NoModifier).isValid():
                return QWidget.focusNextPrevChild(self, next_)
        return super().focusNextPrevChild(next_)

    def closeEditor(self, editor, hint):  # noqa: N802
        """Tab out of the last editable cell's editor leaves the table instead of staying on the cell."""
        leaves = hint in (QAbstractItemDelegate.EndEditHint.EditNextItem, QAbstractItemDelegate.EndEditHint.EditPreviousItem)
        if leaves:
            action = (
                QAbstractItemView.CursorAction.MoveNext
                if hint == QAbstractItemDelegate.EndEditHint.EditNextItem
                else QAbstractItemView.CursorAction.MovePrevious
            )
            leaves = not self.moveCursor(action, Qt.KeyboardModifier.NoModifier).isValid()
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint if leaves else hint)
        if leaves:
            QWidget.focusNextPrevChild(self, hint == QAbstractItemDelegate.EndEditHint.EditNextItem)

    def edit_below(self) -> None:
        """After Enter in an editor: the same column of the next row, already open for typing."""
        current = self.currentIndex()
        below = current.sibling(current.row() + 1, current.column())
        if below.isValid():
            self.setCurrentIndex(below)
            if below.flags() & Qt.ItemFlag.ItemIsEditable:
                self.edit(below)

    def keyPressEvent(self, event):  # noqa: N802
        current = self.currentIndex()
        if self.state() != QAbstractItemView.State.EditingState:
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste_requested.emit(QApplication.clipboard().text())
                event.accept()
                return
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_selection()
                event.accept()
                return
            if event.matches(QKeySequence.StandardKey.Undo):
                self.undo_requested.emit()
                event.accept()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
                self.clear_requested.emit()
                event.accept()
                return
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and current.isValid():
                below = current.sibling(current.row() + 1, current.column())
                if below.isValid():
                    self.setCurrentIndex(below)
                event.accept()
                return
        super().keyPressEvent(event)

    def copy_selection(self) -> None:
        """The selected rectangle's shown text on the clipboard, tab-separated."""
        indexes = self.selectedIndexes() or ([self.currentIndex()] if self.currentIndex().isValid() else [])
        if not indexes:
            return
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        model = self.model()
        cells = [[str(model.index(r, c).data(Qt.ItemDataRole.EditRole) or model.index(r, c).data() or "") for c in columns] for r in rows]
        QApplication.clipboard().setText(format_block(cells))

    def commit_editor(self) -> None:
        """Write an open editor's text to the model, as leaving the cell would."""
        editor = self.indexWidget(self.currentIndex())
        if editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
