"""The task table's filter bar: combos and search in a layout that wraps, and one removable chip per active filter.

Every part of the filter the table applies, whether chosen in a tree, on the dashboard or in the bar,
is shown as a chip ("预警：逾期 ×"), so nothing hides rows without saying so.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLayoutItem, QSizePolicy, QToolButton, QWidget, QWidgetItem

CHIP_TEXT_LIMIT = 24  # a long search or section name is cut in the chip; the tooltip has it all


class FlowLayout(QLayout):
    """Lays its items out left to right and wraps to a new line when the width runs out (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt API
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _place(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x, y, line_height = area.x(), y + line_height + self._spacing, 0
            width = min(hint.width(), area.width())
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class FlowWidget(QWidget):
    """A widget whose children flow and wrap; its height follows its width."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.flow = FlowLayout(self)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def add(self, *widgets: QWidget) -> None:
        for widget in widgets:
            self.flow.addItem(QWidgetItem(widget))
            widget.setParent(self)
        self.flow.invalidate()


class Chip(QWidget):
    """One active filter: its label and a × that removes it."""

    removed = Signal(str)

    def __init__(self, key: str, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName("chip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "QWidget#chip { background: #e8eef7; border: 1px solid #9fb3d1; border-radius: 9px; }"
            "QToolButton { border: none; padding: 0 3px; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 2, 1)
        layout.setSpacing(2)
        shown = text if len(text) <= CHIP_TEXT_LIMIT else text[: CHIP_TEXT_LIMIT - 1] + "…"
        self.label = QLabel(shown)
        self.label.setToolTip(text)
        self.button = QToolButton()
        self.button.setText("×")
        self.button.setToolTip(f"取消筛选：{text}")
        self.button.setAutoRaise(True)
        self.button.clicked.connect(lambda: self.removed.emit(self.key))
        layout.addWidget(self.label)
        layout.addWidget(self.button)

    @property
    def text(self) -> str:
        return self.label.toolTip()


class ChipBar(FlowWidget):
    """The active filters as chips; removed(key) when one's × is clicked. Hidden while no filter is active."""

    removed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.heading = QLabel("当前筛选：")
        self.add(self.heading)
        self.chips: list[Chip] = []
        self.setVisible(False)

    def show_chips(self, chips: list[tuple[str, str]]) -> None:
        """Replace the chips by (key, text) pairs, in order."""
        if [(c.key, c.text) for c in self.chips] == chips:
            return
        for chip in self.chips:
            self.flow.removeWidget(chip)
            chip.hide()  # deleted later; until then it must not cover its successor
            chip.deleteLater()
        self.chips = []
        for key, text in chips:
            chip = Chip(key, text)
            chip.removed.connect(self.removed)
            self.add(chip)
            chip.show()
            self.chips.append(chip)
        self.setVisible(bool(chips))
        self.updateGeometry()

    def texts(self) -> list[str]:
        """The chips' full texts (what a clerk reads in the bar)."""
        return [chip.text for chip in self.chips]

    def chip(self, key: str) -> Chip | None:
        return next((c for c in self.chips if c.key == key), None)
