"""The batch dialog's 指标 tab: a unit's indicators for one month, their actual values typed or pasted in a grid."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QWidget

from db.errors import UserError
from db.indicator_actuals import actual_note, actual_text
from db.indicator_batch import ActualInput, IndicatorEntryRow
from db.periods import chinese_period
from desktop.grid import CHANGED_TINT, ERROR_TINT, GREY_TEXT, READ_ONLY_TINT, LineDelegate, SpreadsheetView, TextDelegate

(CODE, NAME, MEASURE, DIRECTION, TARGET, LAST, VALUE, NOTE) = range(8)
HEADERS = ("编号", "指标", "计量\n单位", "方向", "本期应达到", "上期实际值", "本期实际值", "说明")
EDITABLE = (VALUE, NOTE)
CENTRED = (CODE, MEASURE, DIRECTION, LAST, VALUE)
FIXED_CHARS = {CODE: 5.2, MEASURE: 4.4, DIRECTION: 4.6, LAST: 6.5, VALUE: 7.5}
TEXT_SHARES = {NAME: 2.0, TARGET: 1.2, NOTE: 1.4}
MIN_TEXT_CHARS = 5
UNDO_DEPTH = 20


def cell_name(row: int, column: int) -> str:
    return f"指标第 {row + 1} 行“{HEADERS[column].replace(chr(10), '')}”"


class IndicatorGridModel(QAbstractTableModel):
    """The unit's indicators for the month; keeps what was loaded, so only the values a clerk changed are saved.

    A value typed or pasted is checked by the rules report_actual applies (db.indicator_actuals.actual_text,
    actual_note); a refused one stays in its cell as typed, marked, with the reason, and blocks saving.
    A value cleared where the month already has one is not a change: the ledger deletes no reported
    actual, so the stored one stays (is_kept).
    """

    problems_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.period = ""
        self._rows: list[IndicatorEntryRow] = []
        self._original: list[tuple[str, str]] = []
        self._values: list[list[str]] = []
        self._errors: dict[tuple[int, int], str] = {}
        self._undo: list[tuple] = []

    def load(self, rows: list[IndicatorEntryRow], period: str) -> None:
        self.beginResetModel()
        self.period, self._rows = period, rows
        self._original = [(r.current.value_text, r.current.note or "") if r.current else ("", "") for r in rows]
        self._values = [list(v) for v in self._original]
        self._errors, self._undo = {}, []
        self.endResetModel()
        self.problems_changed.emit()

    def indicator_row(self, row: int) -> IndicatorEntryRow:
        return self._rows[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return {
                TARGET: "本月应达到的阶段目标；尚无到期目标时为下一个阶段目标及其月份",
                LAST: "本单位本月之前最近一次填报的实际值，只读",
                VALUE: "照填原样，如“25个工作日”“≤20”“96%”；清空不会删除本月已报的值",
            }.get(section)
        if role == Qt.ItemDataRole.ForegroundRole and section == LAST:
            return QBrush(GREY_TEXT)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() in EDITABLE else flags

    # --- what a row is -------------------------------------------------------------------------

    def _stripped(self, row: int) -> tuple[str, str]:
        return self._values[row][0].strip(), self._values[row][1].strip()

    def is_kept(self, row: int) -> bool:
        """The month's stored value was cleared in the grid: nothing to delete it with, so it stays."""
        return self._rows[row].current is not None and not self._stripped(row)[0]

    def _changed_cell(self, row: int, column: int) -> bool:
        return column in EDITABLE and self._stripped(row)[column - VALUE] != self._original[row][column - VALUE]

    # --- showing -------------------------------------------------------------------------------

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        line = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, row, column)
        if role == Qt.ItemDataRole.EditRole:
            return self._values[row][column - VALUE] if column in EDITABLE else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(line, row, column)
        if role == Qt.ItemDataRole.FontRole and self._changed_cell(row, column) and not self.is_kept(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == LAST:
            return QBrush(GREY_TEXT)
        if role == Qt.ItemDataRole.BackgroundRole:
            if (row, column) in self._errors or (column == CODE and any(r == row for r, _c in self._errors)):
                return QBrush(ERROR_TINT)
            if column == LAST:
                return QBrush(READ_ONLY_TINT)
            if self._changed_cell(row, column) and not self.is_kept(row):
                return QBrush(CHANGED_TINT)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in CENTRED:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, line: IndicatorEntryRow, row: int, column: int):
        if column == CODE:
            return f"{line.code}\n附件{line.annex}"
        if column == NAME:
            return line.name
        if column == MEASURE:
            return line.measure_unit or "—"
        if column == DIRECTION:
            return line.direction
        if column == TARGET:
            if line.target_period is None:
                return "（原文未列目标）"
            return f"{line.target_text}\n{chinese_period(line.target_period)}{'目标' if line.target_in_force else '到期'}"
        if column == LAST:
            return "" if line.previous is None else f"{line.previous.value_text}\n{chinese_period(line.previous.period)}"
        return self._values[row][column - VALUE]

    def _tooltip(self, line: IndicatorEntryRow, row: int, column: int):
        problem = self._errors.get((row, column))
        if column in (CODE, NAME, TARGET):
            targets = "；".join(f"{chinese_period(p)}：{t}" for p, t in line.targets) or "原文未列阶段目标"
            return f"{line.code}　附件{line.annex}　{line.name}\n阶段目标：{targets}"
        if column == LAST:
            if line.previous is None:
                return "本月之前没有填报"
            note = f"\n说明：{line.previous.note}" if line.previous.note else ""
            return f"{chinese_period(line.previous.period)}：{line.previous.value_text}{note}"
        parts = [problem] if problem else []
        if column == VALUE and self.is_kept(row):
            parts.append(f"本月已报“{line.current.value_text}”。清空不会删除已报的实际值，保存时保留原值。")
        elif column in EDITABLE and self._values[row][column - VALUE].strip():
            parts.append(self._values[row][column - VALUE])
        return "\n\n".join(parts) or None

    # --- editing -------------------------------------------------------------------------------

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or index.column() not in EDITABLE:
            return False
        self._remember()
        if self._put(index.row(), index.column(), value):
            self._row_changed(index.row())
        else:
            self._undo.pop()  # leaving a cell as it was is nothing to undo
        return True

    def _put(self, row: int, column: int, value) -> bool:
        """Store one cell as typed and check its row by report_actual's rules; returns whether anything changed."""
        text = "" if value is None else str(value)
        if self._values[row][column - VALUE] == text:
            return False
        self._values[row][column - VALUE] = text
        self._check(row)
        return True

    def _check(self, row: int) -> None:
        """The row's cells against the rules: a value too long, a 说明 too long, or a 说明 with no value to go with it."""
        code = self._rows[row].code
        value, note = self._stripped(row)
        self._errors.pop((row, VALUE), None)
        self._errors.pop((row, NOTE), None)
        changed = (value, note) != self._original[row]
        if changed and (value or (note and not self.is_kept(row))):
            try:
                actual_text(code, value)
            except UserError as exc:
                self._errors[(row, VALUE)] = exc.message
        try:
            actual_note(code, note)
        except UserError as exc:
            self._errors[(row, NOTE)] = exc.message

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        self.problems_changed.emit()

    def _all_changed(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))
        self.problems_changed.emit()

    def paste(self, top: int, left: int, block: list[list[str]]) -> str:
        """Paste a block with its top-left cell at (top, left); returns what happened, in Chinese.

        Cells on read-only columns are skipped (and counted); a block that does not fit below and to
        the right is refused whole with a UserError, the grid unchanged.
        """
        if not block:
            raise UserError("剪贴板里没有可粘贴的文字。")
        height, width = len(block), len(block[0])
        room_rows, room_columns = len(self._rows) - top, len(HEADERS) - left
        if left + width - 1 < VALUE:
            raise UserError(f"粘贴的 {width} 列全部落在只读列上，未粘贴：请从“本期实际值”列开始粘贴。")
        if height > room_rows or width > room_columns:
            raise UserError(
                f"剪贴板里有 {height} 行 {width} 列，从{cell_name(top, left)}起表格只放得下 "
                f"{min(height, room_rows)} 行 {min(width, room_columns)} 列，未粘贴。请检查复制的范围或粘贴的起点。"
            )
        self._remember()
        written, read_only = 0, 0
        for offset, cells in enumerate(block):
            for shift, text in enumerate(cells):
                column = left + shift
                if column not in EDITABLE:
                    read_only += bool(text.strip())
                    continue
                self._put(top + offset, column, text)
                written += 1
        self._all_changed()
        bad = sum(1 for r, _c in self._errors if top <= r < top + height)
        parts = [f"已粘贴 {height} 行 {width} 列（{written} 格）。"]
        if read_only:
            parts.append(f"{read_only} 格落在只读列上，已跳过。")
        if bad:
            parts.append(f"其中 {bad} 格不符合要求，已标红，见下方错误列表。")
        return "".join(parts)

    def fill(self, indexes: list[QModelIndex], text: str) -> int:
        """One value (or "" to clear) into every selected editable cell; returns how many cells took it."""
        targets = [i for i in indexes if i.flags() & Qt.ItemFlag.ItemIsEditable]
        if not targets:
            return 0
        self._remember()
        for index in targets:
            self._put(index.row(), index.column(), text)
        self._all_changed()
        return len(targets)

    def _remember(self) -> None:
        self._undo.append(([list(v) for v in self._values], dict(self._errors)))
        del self._undo[:-UNDO_DEPTH]

    def undo(self) -> bool:
        """Take back the last edit, paste or clearing."""
        if not self._undo:
            return False
        self._values, self._errors = self._undo.pop()
        self._all_changed()
        return True

    # --- saving --------------------------------------------------------------------------------

    def changed_rows(self) -> list[int]:
        """Rows whose value or 说明 differs from the ledger's and that have a value to save."""
        return [r for r in range(len(self._rows)) if self._stripped(r) != self._original[r] and not self.is_kept(r) and self._stripped(r)[0]]

    def kept_rows(self) -> list[int]:
        """Rows whose stored value for the month was cleared and stays."""
        return [r for r in range(len(self._rows)) if self.is_kept(r)]

    def is_dirty(self) -> bool:
        return bool(self.changed_rows()) or bool(self._errors)

    def inputs(self) -> tuple[list[int], list[ActualInput]]:
        """The changed rows (0-based) and the values they save."""
        rows = self.changed_rows()
        out = []
        for r in rows:
            value, note = self._stripped(r)
            current = self._rows[r].current
            out.append(ActualInput(self._rows[r].indicator_id, value, note or None, current.version if current else None))
        return rows, out

    def problems(self) -> list[tuple[int, int, str]]:
        """Every marked cell's problem as (row, column, message), top to bottom, left to right."""
        return [(r, c, self._errors[(r, c)]) for r, c in sorted(self._errors)]

    def has_cell_errors(self) -> bool:
        return bool(self._errors)


class IndicatorGridView(SpreadsheetView):
    """The 指标 grid: its editors, and every column on screen without scrolling sideways."""

    def __init__(self, model: IndicatorGridModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        for column, delegate in ((VALUE, LineDelegate(self)), (NOTE, TextDelegate(self))):
            delegate.enter_pressed.connect(self.edit_below)
            self.setItemDelegateForColumn(column, delegate)
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 8)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() * 2 + 10)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Fixed columns by their words; the text columns share the rest."""
        char = self.fontMetrics().horizontalAdvance("国")
        widths = {c: int(chars * char + 10) for c, chars in FIXED_CHARS.items()}
        rest = max(self.viewport().width() - sum(widths.values()) - 2, 0)
        share = sum(TEXT_SHARES.values())
        for column, part in TEXT_SHARES.items():
            widths[column] = max(int(rest * part / share), MIN_TEXT_CHARS * char)
        for column, width in widths.items():
            self.setColumnWidth(column, width)
