"""MonthEdit: the one field for a reporting month, typed in any form a clerk writes it, stepped with the keys and wheel."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QStyle, QStyleOptionSpinBox, QToolTip, QWidget

from db.errors import UserError
from db.periods import FIRST_YEAR, LAST_YEAR, MONTH_FORMS, parse_period, shift_period

FIRST, LAST = f"{FIRST_YEAR:04d}-01", f"{LAST_YEAR:04d}-12"
MAX_TYPED = 30  # longer than any month form; a paste of a paragraph is refused, not stored
INVALID_STYLE = "color: #c0392b;"  # on the line edit only: a style sheet on the spin box itself flattens its arrows


class MonthEdit(QAbstractSpinBox):
    """A month field: shows 2023年01月 (or 2023-01), accepts db.periods.parse_period's forms.

    Up/Down and the mouse wheel step by a month and roll over the year; PageUp/PageDown step by a year.
    Typed text is taken on Enter or when the field loses focus.  Text that is not a month leaves
    the value as it was and says so: message_changed carries the Chinese message (and '' once the
    text is a month again), the text turns red and the field shows the message as a tooltip.

    Signals:
        period_changed: the new month as canonical "YYYY-MM", whenever the value changes.
        message_changed: why the typed text is not a month, or '' when it is one again.
    """

    period_changed = Signal(str)
    message_changed = Signal(str)

    def __init__(self, period: str, parent: QWidget | None = None, *, chinese: bool = True):
        super().__init__(parent)
        self._chinese = chinese
        self._period = parse_period(period)
        self._message = ""
        self.setAccelerated(False)
        self.setToolTip(f"可输入 {MONTH_FORMS}；↑↓ 或滚轮按月，PageUp/PageDown 按年。")
        self._hint = self.toolTip()
        self.lineEdit().setText(self.display(self._period))
        self.lineEdit().setMaxLength(MAX_TYPED)
        self.lineEdit().textEdited.connect(self._on_text_edited)
        self.editingFinished.connect(self._on_editing_finished)

    # ----- the value ------------------------------------------------------------------------

    def period(self) -> str:
        """The month shown, as canonical YYYY-MM (the last valid one while the typed text is not a month)."""
        return self._period

    def set_period(self, period: str) -> None:
        """Show another month (any accepted form); emits period_changed if it differs.  Raises UserError for a non-month."""
        self._set(parse_period(period))

    def message(self) -> str:
        """Why the text in the field is not a month; '' when it is one (callers refuse to save while it is not)."""
        return self._message

    def display(self, period: str) -> str:
        return f"{period[:4]}年{period[5:7]}月" if self._chinese else period

    def _set(self, period: str) -> None:
        self._show_message("")
        self.lineEdit().setText(self.display(period))
        if period != self._period:
            self._period = period
            self.period_changed.emit(period)
        self.update()  # the arrows' enabled state follows the value

    # ----- typing ---------------------------------------------------------------------------

    def validate(self, text: str, pos: int) -> object:  # noqa: D401 - Qt API
        """Any text may be typed (it is judged when taken); only a month is Acceptable."""
        try:
            parse_period(text)
        except UserError:
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        """Nothing is corrected behind the clerk's back: a non-month stays as typed and is reported."""
        return text

    def _on_text_edited(self, text: str) -> None:
        if self._message:  # the mistake is being corrected: clear the red once the text is a month
            try:
                parse_period(text)
            except UserError:
                return
            self._show_message("")

    def _on_editing_finished(self) -> None:
        self.commit()

    def commit(self) -> bool:
        """Take the typed text: a month becomes the value (shown in the field's own form); else say why. True if taken."""
        text = self.lineEdit().text()
        try:
            period = parse_period(text)
        except UserError as exc:
            self._show_message(exc.message)
            return False
        self._set(period)
        return True

    def _show_message(self, message: str) -> None:
        if message == self._message:
            return
        self._message = message
        self.lineEdit().setStyleSheet(INVALID_STYLE if message else "")
        self.setToolTip(message or self._hint)
        if message and self.isVisible():
            QToolTip.showText(self.mapToGlobal(QPoint(0, self.height())), message, self)
        elif not message:
            QToolTip.hideText()
        self.message_changed.emit(message)

    # ----- stepping -------------------------------------------------------------------------

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt API
        """Step from the month in the field (typed but not yet taken counts), clamped to 2000-01…2100-12."""
        try:
            start = parse_period(self.lineEdit().text())
        except UserError:
            start = self._period
        target = min(max(shift_period(start, steps), FIRST), LAST)
        self._set(target)
        self.lineEdit().selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802 - Qt API
        if self.isReadOnly():
            return QAbstractSpinBox.StepEnabledFlag.StepNone
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self._period < LAST:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self._period > FIRST:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        """PageUp/PageDown step by a year (a spin box's big step is otherwise ten).

        Enter after typing takes the month and stays in the field: it is not also the dialog's 保存 or
        确定, which would save a form the clerk only meant to move to another month.  Enter on a month
        already taken goes on to the dialog as usual.
        """
        if event.key() in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown) and not self.isReadOnly():
            self.stepBy(12 if event.key() == Qt.Key.Key_PageUp else -12)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.lineEdit().text() != self.display(self._period):
            self.commit()
            self.lineEdit().selectAll()
            event.accept()
            return
        super().keyPressEvent(event)

    # ----- size -----------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Room for the widest month (2000年12月) and the arrows, whatever the font."""
        option = QStyleOptionSpinBox()
        self.initStyleOption(option)
        text = QSize(self.fontMetrics().horizontalAdvance(self.display("2000-12")) + 12, self.lineEdit().sizeHint().height())
        return self.style().sizeFromContents(QStyle.ContentsType.CT_SpinBox, option, text, self).expandedTo(super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.sizeHint()

