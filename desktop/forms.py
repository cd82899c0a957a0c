"""Form helpers shared by the dialogs: a red message under each field, a percent field that never clips, a dialog saving on the op runner."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QStyle,
    QStyleOptionSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from db.errors import known_error
from db.progress import typed_percent
from desktop.ops import report_failure, runner

ERROR_STYLE = "color: #c0392b;"


class FieldForm(QFormLayout):
    """A QFormLayout whose rows carry their own error label, addressed by a field key."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.errors: dict[str, QLabel] = {}

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        """Add a labelled field with an (initially hidden) error message under it."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = QLabel()
        error.setObjectName(f"error_{key}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.errors[key] = error
        self.addRow(label, box)
        return widget

    def show_errors(self, problems: dict[str, str]) -> None:
        """Show each problem next to its field; fields without a problem are cleared."""
        for key, label in self.errors.items():
            message = problems.get(key, "")
            label.setText(message)
            label.setVisible(bool(message))

    def show_error(self, key: str, message: str) -> None:
        """Show (or with '' clear) one field's message, leaving the others as they are."""
        self.errors[key].setText(message)
        self.errors[key].setVisible(bool(message))

    def error_text(self, key: str) -> str:
        return self.errors[key].text()


class PercentEdit(QAbstractSpinBox):
    """进度: a whole percent typed freely and judged by db.progress, never clipped to fit.

    A QSpinBox with a maximum of 100 drops the third digit of 150 and keeps 15; here 150 stays in
    the field and the form says why it cannot be saved.  Up/Down step by 1 and PageUp/PageDown by 10
    within 0–100.

    Signals:
        text_changed: the field's text, on every change (typed or stepped).
    """

    text_changed = Signal(str)

    def __init__(self, value: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.lineEdit().setMaxLength(12)
        self.lineEdit().textChanged.connect(self.text_changed)
        self.setToolTip("0 到 100 之间的整数；↑↓ 加减 1，PageUp/PageDown 加减 10。")
        self.setValue(value)

    def value(self) -> int | str:
        """The percent as an int, or the text as typed when it is not a whole number (for the rules to refuse)."""
        return typed_percent(self.lineEdit().text())

    def setValue(self, value: int | str) -> None:  # noqa: N802 - QSpinBox's name, so callers read alike
        self.lineEdit().setText(f"{value}%" if isinstance(value, int) else str(value))
        self.update()

    def validate(self, text: str, pos: int) -> object:
        """Any text may be typed; only 0–100 is Acceptable (the rest is shown and refused by the form)."""
        value = typed_percent(text)
        ok = isinstance(value, int) and 0 <= value <= 100
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def fixup(self, text: str) -> str:
        return text  # nothing corrected behind the clerk's back

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt API
        value = self.value()
        start = value if isinstance(value, int) else 0
        self.setValue(min(max(start + steps, 0), 100))
        self.lineEdit().selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802 - Qt API
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        value = self.value()
        if self.isReadOnly():
            return flags
        if not isinstance(value, int) or value < 100:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if not isinstance(value, int) or value > 0:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        option = QStyleOptionSpinBox()
        self.initStyleOption(option)
        text = QSize(self.fontMetrics().horizontalAdvance("100%") + 16, self.lineEdit().sizeHint().height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_SpinBox, option, text, self).expandedTo(super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.sizeHint()


def fact_label(text: str) -> QLabel:
    """A fact the clerk reads (and may copy) beside the fields."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def text_area(lines: int, placeholder: str = "") -> QPlainTextEdit:
    """A few lines of text whose Tab moves on, sized to its lines."""
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 12)
    edit.setMaximumHeight(edit.fontMetrics().lineSpacing() * (lines + 2) + 12)
    return edit


class SavingDialog(QDialog):
    """A form whose 保存 (a subclass's save) runs work on the op runner: accepted when it succeeds, the refusal shown when it fails."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.changed: bool | None = None  # what the service said once saved (False: nothing to change)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存（Ctrl+S）")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setShortcut("Ctrl+S")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.save)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _run(self, work, ledger: Ledger) -> None:
        """Queue the write; the buttons wait for its outcome."""
        self.show_error("")
        self.buttons.setEnabled(False)
        if not runner().run(work, self._saved, parent=self, writes=True, on_failure=lambda exc: self._failed(exc, ledger)):
            self.buttons.setEnabled(True)

    def _saved(self, changed: bool) -> None:
        self.changed = changed
        self.accept()

    def _failed(self, error: BaseException, ledger: Ledger) -> None:
        self.buttons.setEnabled(True)
        known = known_error(error, ledger.label)
        if known is None:
            report_failure(self, error)
            return
        self.show_error("\n".join([known.message, *known.details]))
