"""Form helpers shared by the dialogs: a red message under each field, cleared when it is fixed."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

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

    def error_text(self, key: str) -> str:
        return self.errors[key].text()
