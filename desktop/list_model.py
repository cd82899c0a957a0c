"""A read-only table model over a short list of the db's dataclasses (acts, re-checks, a month's unit scores)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt

ROW_ROLE = Qt.ItemDataRole.UserRole


class RowsModel(QAbstractTableModel):
    """Rows shown through cells(row) → one text per column; the whole text is the tooltip, the row object ROW_ROLE."""

    def __init__(self, columns: Sequence[str], cells: Callable[[Any], list[str]], parent: QObject | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.cells = cells
        self.rows: list = []
        self._texts: list[list[str]] = []

    def set_rows(self, rows: list, columns: Sequence[str] | None = None) -> None:
        """New rows (and, for a month scored by another scheme, new columns)."""
        self.beginResetModel()
        if columns is not None:
            self.columns = list(columns)
        self.rows = list(rows)
        self._texts = [self.cells(row) for row in self.rows]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._texts[index.row()][index.column()]
        if role == ROW_ROLE:
            return self.rows[index.row()]
        return None

    def text(self, row: int, column: int) -> str:
        """What a cell shows (tests and the screenshot check read it)."""
        return self._texts[row][column]
