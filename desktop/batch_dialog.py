"""Monthly batch entry: every task of one unit for one month in one spreadsheet-like grid, saved at once."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from db.errors import UserError
from db.indicator_batch import save_unit_month, unit_indicator_rows
from db.ledger import find_unit, list_units
from db.periods import check_period, chinese_period
from db.progress import (
    STATUSES,
    BatchRow,
    ProgressInput,
    batch_rows,
    field_problems,
    percent_from_text,
    repeats_last_month,
    settle_changed,
    status_from_text,
)
from db.transactions import run_transaction
from desktop.batch_indicators import HEADERS as INDICATOR_HEADERS
from desktop.batch_indicators import VALUE as INDICATOR_VALUE
from desktop.batch_indicators import IndicatorGridModel, IndicatorGridView
from desktop.grid import (
    CHANGED_TINT,
    ERROR_TINT,
    GREY_TEXT,
    READ_ONLY_TINT,
    ChoiceDelegate,
    LineDelegate,
    SpreadsheetView,
    TextDelegate,
    parse_block,
)
from desktop.month_edit import MonthEdit
from desktop.screen import fit_to_screen, is_small_screen

(SEQ, TITLE, ROLE, MARK, LAST_STATUS, LAST_PERCENT, LAST_TEXT, STATUS, PERCENT, PROGRESS, PROBLEMS, NEXT, REPORTER) = range(13)
HEADERS = (
    "序号", "任务", "角色", "核对", "上月\n状态", "上月\n进度", "上月进展",
    "状态", "进度", "进展情况", "存在问题", "下步计划", "填报人",
)  # fmt: skip
# The editable columns, in the order of the unit 报送模板's input columns, so its block pastes straight in.
FIELDS = ("status", "percent", "progress_text", "problems", "next_steps", "reporter")
FIRST_EDITABLE = STATUS
EDITABLE = tuple(range(STATUS, REPORTER + 1))
LAST_MONTH = (LAST_STATUS, LAST_PERCENT, LAST_TEXT)
CENTRED = (SEQ, ROLE, MARK, LAST_STATUS, LAST_PERCENT, STATUS, PERCENT, REPORTER)
# Column widths in characters: fixed ones, and the share of the rest each text column takes.
FIXED_CHARS = {SEQ: 3.6, ROLE: 2.8, MARK: 6.6, LAST_STATUS: 4.6, LAST_PERCENT: 3.4, STATUS: 4.6, PERCENT: 3.6, REPORTER: 4.2}
TEXT_SHARES = {TITLE: 1.25, LAST_TEXT: 1.0, PROGRESS: 1.5, PROBLEMS: 1.0, NEXT: 1.0}
MIN_TEXT_CHARS = 5
# Per row: status, percent, progress_text, problems, next_steps, reporter; a row nobody reported is BLANK.
BLANK = ("", None, "", "", "", "")
FIELD_COLUMN = {"status": STATUS, "percent": PERCENT, "progress_text": PROGRESS, "problems": PROBLEMS, "next_steps": NEXT, "reporter": REPORTER}
SIGNED_TINT = QColor("#e4e4e4")
COPY_TINT = QColor("#ffe2b8")
CONFIRMED_TINT = QColor("#d9f0d9")
PROBLEM_LINES = 5
UNDO_DEPTH = 20
ERROR_STYLE = "color: #c0392b;"
HINT_STYLE = "color: #666;"
REPORTS_TAB, INDICATORS_TAB = 0, 1
INDICATOR_HINT = (
    "本单位负责的指标，每行一项。从 WPS/Excel 复制一列实际值（可连同说明列）后点“本期实际值”格按 Ctrl+V 粘贴；"
    "照填原样，如“25个工作日”“≤20”“96%”。F2 或直接打字编辑，Delete 清空，Ctrl+Z 撤销，Ctrl+S 与任务进展一并保存。"
    "清空本月已报的值不会删除它，保存时保留原值。黄底为改动，红色为错误。"
)
POSITION = Qt.ItemDataRole.UserRole + 1


def _values(entry: ProgressInput | None) -> tuple:
    if entry is None:
        return BLANK
    return (entry.status, entry.percent, entry.progress_text or "", entry.problems or "", entry.next_steps or "", entry.reporter or "")


def cell_name(row: int, column: int) -> str:
    return f"第 {row + 1} 行“{HEADERS[column].replace(chr(10), '')}”"


class BatchTableModel(QAbstractTableModel):
    """One unit's tasks for one month; keeps what was loaded so only the rows a clerk changed are saved.

    A value typed or pasted is parsed as the ledger's rules read it (db.progress.status_from_text,
    percent_from_text); a value they refuse stays in its cell as typed, marked, with the reason in
    `problems()`, and blocks saving.  Rows that repeat last month's report word for word (复制上月内容)
    are flagged in 核对 and count only once confirmed there.  Signed-off tasks are read-only.
    """

    problems_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.unit = ""
        self.period = ""
        self.operator = ""
        self._rows: list[BatchRow] = []
        self._original: list[tuple] = []
        self._values: list[list] = []
        self._cell_errors: dict[tuple[int, int], str] = {}  # values the rules refuse, as typed
        self._save_errors: dict[tuple[int, int], str] = {}  # problems the last save found
        self._confirmed: set[int] = set()
        self._undo: list[tuple] = []
        self._copy_cache: dict[int, bool] = {}

    def load(self, rows: list[BatchRow], unit: str, period: str, operator: str = "") -> None:
        self.beginResetModel()
        self.unit, self.period, self.operator, self._rows = unit, period, operator, rows
        self._copy_cache = {}
        self._original = [_values(r.current) for r in rows]
        self._values = [list(v) for v in self._original]
        self._cell_errors, self._save_errors, self._confirmed, self._undo = {}, {}, set(), []
        self.endResetModel()
        self.problems_changed.emit()

    def batch_row(self, row: int) -> BatchRow:
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
            if section in LAST_MONTH:
                return "上月报送的内容，只读"
            if section == MARK:
                return "已销号：任务已销号，本月不填。\n沿用上月：与上月完全相同，勾选确认后才计入本月报送。"
            if section == REPORTER:
                return "单位填报人；不填则记为当前操作员"
        if role == Qt.ItemDataRole.ForegroundRole and section in LAST_MONTH:
            return QBrush(GREY_TEXT)
        return None

    # --- what a row is -------------------------------------------------------------------------

    def is_signed_off(self, row: int) -> bool:
        return self._rows[row].signed_off is not None

    def _input(self, row: int, reporter: str = "", entry_date: dt.date | None = None) -> ProgressInput:
        values = self._values[row]
        return ProgressInput(
            task_code=self._rows[row].task_code,
            unit=self.unit,
            period=self.period,
            status=values[0],
            percent=values[1],
            progress_text=values[2],
            problems=values[3],
            next_steps=values[4],
            reporter=values[5] or reporter,
            entry_date=entry_date,
            version=self._rows[row].current_version,  # the save is refused if someone saved this report since the grid loaded
        )

    def is_copy(self, row: int) -> bool:
        """The row repeats last month's report word for word and is not yet this month's (db rule)."""
        if row not in self._copy_cache:  # asked for every cell painted: worked out once per change
            task = self._rows[row]
            self._copy_cache[row] = (
                task.signed_off is None
                and tuple(self._values[row]) != self._original[row]
                and not self._row_has_cell_error(row)
                and repeats_last_month(self._input(row), task.previous, task.current)
            )
        return self._copy_cache[row]

    def is_confirmed(self, row: int) -> bool:
        return row in self._confirmed and self.is_copy(row)

    def _row_has_cell_error(self, row: int) -> bool:
        return any(r == row for r, _c in self._cell_errors)

    def _changed_cell(self, row: int, column: int) -> bool:
        field = column - FIRST_EDITABLE
        return field >= 0 and self._values[row][field] != self._original[row][field]

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_signed_off(index.row()):
            return flags
        if index.column() in EDITABLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        elif index.column() == MARK and self.is_copy(index.row()):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    # --- showing -------------------------------------------------------------------------------

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        task, values = self._rows[row], self._values[row]
        last = _values(task.previous)
        field = column - FIRST_EDITABLE
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column, task, values, last)
        if role == Qt.ItemDataRole.EditRole:
            return values[field] if field >= 0 else None
        if role == Qt.ItemDataRole.CheckStateRole and column == MARK and self.is_copy(row):
            return Qt.CheckState.Checked if row in self._confirmed else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column, task, values, last)
        if role == Qt.ItemDataRole.FontRole:
            # Bold marks what the clerk changed; an untouched copy of last month is marked by its tint instead.
            if (self._changed_cell(row, column) and not self.is_copy(row)) or (column == MARK and (task.signed_off or self.is_copy(row))):
                font = QFont()
                font.setBold(True)
                return font
            if column == REPORTER and not values[5] and tuple(values) != self._original[row]:
                font = QFont()
                font.setItalic(True)
                return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if task.signed_off is not None or column in LAST_MONTH:
                return QBrush(GREY_TEXT)
            if column == REPORTER and not values[5]:
                return QBrush(GREY_TEXT)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row, column, task)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in CENTRED:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, row, column, task, values, last):
        if column == SEQ:
            return f"附件{task.annex}\n{task.label}"
        if column == TITLE:
            return task.title
        if column == ROLE:
            return task.role
        if column == MARK:
            if task.signed_off is not None:
                return "已销号"
            if self.is_copy(row):
                return "已确认" if row in self._confirmed else "沿用上月"
            return None
        if column == LAST_STATUS:
            return last[0]
        if column == LAST_PERCENT:
            return "" if last[1] is None else f"{last[1]}%"
        if column == LAST_TEXT:
            return last[2]
        value = values[column - FIRST_EDITABLE]
        if column == PERCENT:
            return "" if value is None else (f"{value}%" if isinstance(value, int) else str(value))
        if column == REPORTER and not value and tuple(values) != self._original[row]:
            return self.operator  # who will be recorded if nobody is typed
        return value

    def _tooltip(self, row, column, task, values, last):
        problem = self._cell_errors.get((row, column)) or self._save_errors.get((row, column))
        if column in (SEQ, TITLE, ROLE):
            return f"{task.task_code}  附件{task.annex} {task.label}{task.title}（{task.role}）"
        if column == MARK:
            if task.signed_off is not None:
                return f"任务已于 {task.signed_off.isoformat()} 销号，本月不再填报，不计入本月报送。"
            if self.is_copy(row):
                return "本行与上月报送完全相同。勾选（或按空格）确认沿用上月后，保存时才计入本月报送。"
            return None
        if column in LAST_MONTH:
            if task.previous is None:
                return "上月没有报送"
            return (
                f"上月（{chinese_period(task.previous.period)}）：{last[0]}，{last[1]}%\n\n进展情况：{last[2]}"
                + (f"\n\n存在问题：{last[3]}" if last[3] else "")
                + (f"\n\n下步计划：{last[4]}" if last[4] else "")
            )
        value = values[column - FIRST_EDITABLE]
        parts = [problem] if problem else []
        if value not in ("", None):
            parts.append(str(value) + ("%" if column == PERCENT and isinstance(value, int) else ""))
        elif column == REPORTER:
            parts.append(f"未填写：保存时记为操作员 {self.operator}")
        return "\n\n".join(parts) or None

    def _background(self, row, column, task):
        if task.signed_off is not None:
            return QBrush(SIGNED_TINT)
        if (row, column) in self._cell_errors or (row, column) in self._save_errors:
            return QBrush(ERROR_TINT)
        if column == SEQ and any(r == row for r, _c in [*self._cell_errors, *self._save_errors]):
            return QBrush(ERROR_TINT)
        if column == MARK and self.is_copy(row):
            return QBrush(CONFIRMED_TINT if row in self._confirmed else COPY_TINT)
        if column in LAST_MONTH:
            return QBrush(READ_ONLY_TINT)
        if self._changed_cell(row, column):
            return QBrush(CONFIRMED_TINT if self.is_confirmed(row) else COPY_TINT if self.is_copy(row) else CHANGED_TINT)
        return None

    # --- editing -------------------------------------------------------------------------------

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or self.is_signed_off(index.row()):
            return False
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == MARK:
            if not self.is_copy(row):
                return False
            self._remember()
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
            (self._confirmed.add if checked else self._confirmed.discard)(row)
            self._row_changed(row)
            return True
        if role != Qt.ItemDataRole.EditRole or column not in EDITABLE:
            return False
        self._remember()
        if self._put(row, column, value):
            self._row_changed(row)
        else:
            self._undo.pop()  # leaving a cell as it was is nothing to undo
        return True

    def _put(self, row: int, column: int, value) -> bool:
        """Store one cell's value as parsed by the ledger's rules, or as typed with the rules' objection.

        Returns whether anything changed: walking through a cell and leaving it as it was keeps the
        row's confirmation and its marks.
        """
        text = "" if value is None else str(value)
        error = None
        try:
            if column == STATUS:
                parsed = status_from_text(text)
            elif column == PERCENT:
                parsed = percent_from_text(text)
            else:
                parsed = text.strip()
        except UserError as exc:
            parsed, error = text.strip(), exc.message
        values = list(self._values[row])
        values[column - FIRST_EDITABLE] = parsed
        self._normalise(values)
        if values == self._values[row] and error == self._cell_errors.get((row, column)):
            return False
        self._values[row] = values
        self._copy_cache.pop(row, None)
        if error is None:
            self._cell_errors.pop((row, column), None)
        else:
            self._cell_errors[(row, column)] = error
        self._confirmed.discard(row)
        for key in [k for k in self._save_errors if k[0] == row]:
            del self._save_errors[key]
        return True

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        self.problems_changed.emit()

    @staticmethod
    def _normalise(values: list) -> None:
        """A row someone writes in starts at 0%; a row emptied again is blank, not a 0% report."""
        others_blank = values[0] == "" and not any(values[2:5])
        if values[1] is None and not others_blank:
            values[1] = 0
        elif values[1] == 0 and others_blank:
            values[1] = None

    def paste(self, top: int, left: int, block: list[list[str]]) -> str:
        """Paste a block with its top-left cell at (top, left); returns what happened, in Chinese.

        Each value goes through the same parsing as a typed one.  Cells falling on read-only
        columns and on signed-off rows are skipped (and counted); a block that does not fit below
        and to the right is refused whole with a UserError, the grid unchanged.
        """
        if not block:
            raise UserError("剪贴板里没有可粘贴的文字。")
        height, width = len(block), len(block[0])
        room_rows, room_columns = len(self._rows) - top, len(HEADERS) - left
        if height > room_rows or width > room_columns or left + width - 1 < FIRST_EDITABLE:
            if left + width - 1 < FIRST_EDITABLE:
                raise UserError(f"粘贴的 {width} 列全部落在只读列上，未粘贴：请从“状态”列开始粘贴。")
            raise UserError(
                f"剪贴板里有 {height} 行 {width} 列，从{cell_name(top, left)}起表格只放得下 "
                f"{min(height, room_rows)} 行 {min(width, room_columns)} 列，未粘贴。请检查复制的范围或粘贴的起点。"
            )
        self._remember()
        written, read_only, signed = 0, 0, []
        for offset, cells in enumerate(block):
            row = top + offset
            if self.is_signed_off(row):
                if any(c.strip() for c in cells):
                    signed.append(row + 1)
                continue
            for shift, text in enumerate(cells):
                column = left + shift
                if column not in EDITABLE:
                    read_only += bool(text.strip())
                    continue
                self._put(row, column, text)
                written += 1
        self.dataChanged.emit(self.index(top, 0), self.index(top + height - 1, len(HEADERS) - 1))
        self.problems_changed.emit()
        bad = sum(1 for r, _c in self._cell_errors if top <= r < top + height)
        parts = [f"已粘贴 {height} 行 {width} 列（{written} 格）。"]
        if signed:
            parts.append(f"第 {'、'.join(map(str, signed[:10]))}{' 等' if len(signed) > 10 else ''} 行任务已销号，其内容已跳过。")
        if read_only:
            parts.append(f"{read_only} 格落在只读列上，已跳过。")
        if bad:
            parts.append(f"其中 {bad} 格不符合要求，已标红，见下方错误列表。")
        return "".join(parts)

    def fill(self, indexes: list[QModelIndex], text: str) -> int:
        """One pasted value into every selected editable cell; returns how many cells took it."""
        targets = [i for i in indexes if i.flags() & Qt.ItemFlag.ItemIsEditable]
        if not targets:
            return 0
        self._remember()
        for index in targets:
            self._put(index.row(), index.column(), text)
        rows = [i.row() for i in targets]
        self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(HEADERS) - 1))
        self.problems_changed.emit()
        return len(targets)

    def confirm(self, rows) -> int:
        """Confirm that the given rows' copies of last month stand for this month; returns how many."""
        picked = [r for r in sorted(set(rows)) if self.is_copy(r) and r not in self._confirmed]
        if picked:
            self._remember()
            self._confirmed.update(picked)
            self.dataChanged.emit(self.index(picked[0], 0), self.index(picked[-1], len(HEADERS) - 1))
            self.problems_changed.emit()
        return len(picked)

    def copy_previous(self) -> int:
        """Fill rows nobody has written in this month from last month's report; returns how many.

        The copies are flagged 沿用上月 and count as this month's reports only once confirmed or changed.
        """
        picked = [
            r
            for r, task in enumerate(self._rows)
            if task.previous is not None and task.signed_off is None and self._original[r] == BLANK and tuple(self._values[r]) == BLANK
        ]
        if picked:
            self._remember()
            self._copy_cache = {}
            for r in picked:
                self._values[r] = [*_values(self._rows[r].previous)[:5], ""]
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))
            self.problems_changed.emit()
        return len(picked)

    def restore(self, values_by_code: dict[str, list]) -> None:
        """Put rows' unsaved values back after a reload (the copies a save left for confirmation)."""
        self._copy_cache = {}
        for r, task in enumerate(self._rows):
            if task.task_code in values_by_code and task.signed_off is None:
                self._values[r] = list(values_by_code[task.task_code])
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))
        self.problems_changed.emit()

    def _remember(self) -> None:
        self._undo.append(([list(v) for v in self._values], dict(self._cell_errors), dict(self._save_errors), set(self._confirmed)))
        del self._undo[:-UNDO_DEPTH]

    def undo(self) -> bool:
        """Take back the last paste, fill, copy or confirmation."""
        if not self._undo:
            return False
        self._values, self._cell_errors, self._save_errors, self._confirmed = self._undo.pop()
        self._copy_cache = {}
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))
        self.problems_changed.emit()
        return True

    # --- saving --------------------------------------------------------------------------------

    def changed_rows(self) -> list[int]:
        return [r for r in range(len(self._rows)) if tuple(self._values[r]) != self._original[r]]

    def is_dirty(self) -> bool:
        return bool(self.changed_rows())

    def copies(self) -> list[int]:
        """Rows repeating last month that are not confirmed yet."""
        return [r for r in self.changed_rows() if self.is_copy(r) and r not in self._confirmed]

    def values_of(self, row: int) -> list:
        return list(self._values[row])

    def entries(self, reporter: str, entry_date: dt.date) -> tuple[list[int], list[ProgressInput]]:
        """The changed rows (0-based) and the reports they make; an empty 填报人 is the reporter given."""
        rows = self.changed_rows()
        return rows, [self._input(r, reporter, entry_date) for r in rows]

    def confirmed_codes(self) -> set[str]:
        return {self._rows[r].task_code for r in self._confirmed if self.is_copy(r)}

    def check_rows(self, rows: list[int], entries: list[ProgressInput]) -> bool:
        """The report rules on each changed row, put on their cells; True if all rows pass."""
        self._save_errors = {}
        for row, entry in zip(rows, entries):
            for field, message in field_problems(entry).items():
                self._save_errors[(row, FIELD_COLUMN.get(field, SEQ))] = message
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))
        self.problems_changed.emit()
        return not self._save_errors

    def problems(self) -> list[tuple[int, int, str]]:
        """Every marked cell's problem as (row, column, message), top to bottom, left to right."""
        found = {**self._save_errors, **self._cell_errors}
        return [(r, c, found[(r, c)]) for r, c in sorted(found)]

    def has_cell_errors(self) -> bool:
        return bool(self._cell_errors)


class UnitCompleter(QCompleter):
    """Matches any part of a unit's name or aliases (住建 → 市住房和城乡建设局) and fills in the canonical name."""

    def pathFromIndex(self, index):  # noqa: N802
        return index.data(Qt.ItemDataRole.DisplayRole)


class BatchEntryDialog(QDialog):
    """A unit's monthly reports typed or pasted in one grid and written in one transaction, all or nothing."""

    def __init__(
        self, ledger: Ledger, *, unit: str, period: str, operator: str, units: list[str], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.ledger = ledger
        self.operator = operator
        self.setWindowTitle("按单位批量录入")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        with ledger.Session() as session:
            unit = find_unit(session, unit).name
            aliases = {u.name: u.aliases for u in list_units(session)}
        period = check_period(period)

        self.unit_box = QComboBox()
        self.unit_box.setEditable(True)
        self.unit_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit_box.setMinimumContentsLength(14)
        for name in units if unit in units else [unit, *units]:
            self.unit_box.addItem(name, " ".join([name, *aliases.get(name, [])]))
        completer = UnitCompleter(self.unit_box.model(), self.unit_box)
        completer.setCompletionRole(Qt.ItemDataRole.UserRole)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.unit_box.setCompleter(completer)
        self.period_edit = MonthEdit(period)
        self.copy_button = QPushButton("复制上月内容")
        self.copy_button.setToolTip(
            "把上月的状态、进度和文字填入本月尚未填写的行，作为修改的起点；已填写的行和已销号的任务不动。\n"
            "原样未改的行标为“沿用上月”，确认后才计入本月报送。"
        )
        self.confirm_button = QPushButton("确认沿用上月")
        self.confirm_button.setToolTip("把选中行（Ctrl+A 全选）中原样沿用上月的内容确认为本月报送。")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.reports_hint = (
            "从 WPS/Excel 复制整块（如报送模板的黄底列）后点“状态”格按 Ctrl+V 粘贴；Tab 右移，Enter 下移，"
            "F2 或直接打字编辑，Shift+Enter 换行，Delete 清空，Ctrl+Z 撤销，Ctrl+S 保存，Esc 关闭。"
            "黄底为改动，橙色“沿用上月”需确认，灰色为上月内容和已销号任务（只读），红色为错误。"
        )
        self.hint = QLabel(self.reports_hint)
        self.hint.setStyleSheet(HINT_STYLE)
        self.hint.setWordWrap(True)

        self.model = BatchTableModel(self)
        self.view = SpreadsheetView()
        self.view.setModel(self.model)
        for columns, delegate in (
            ((STATUS,), ChoiceDelegate(STATUSES, self.view)),
            ((PERCENT, REPORTER), LineDelegate(self.view)),
            ((PROGRESS, PROBLEMS, NEXT), TextDelegate(self.view)),
        ):
            delegate.enter_pressed.connect(self.view.edit_below)
            for column in columns:
                self.view.setItemDelegateForColumn(column, delegate)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumHeight(self.view.fontMetrics().lineSpacing() * 2 + 8)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().lineSpacing() * 2 + 10)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.indicator_model = IndicatorGridModel(self)
        self.indicator_view = IndicatorGridView(self.indicator_model)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.view, "任务进展")
        self.tabs.addTab(self.indicator_view, "指标")

        self.problem_title = QLabel()
        self.problem_title.setStyleSheet(ERROR_STYLE + "font-weight: bold;")
        self.problem_title.setWordWrap(True)
        self.problem_list = QListWidget()
        self.problem_list.setStyleSheet(ERROR_STYLE)
        self.problem_list.setToolTip("单击或按 Enter 跳到出错的格子")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton("保存（Ctrl+S）")
        self.close_button = QPushButton("关闭（Esc）")
        for button in (self.copy_button, self.confirm_button, self.save_button, self.close_button):
            button.setAutoDefault(False)

        top = QHBoxLayout()
        top.addWidget(QLabel("单位："))
        top.addWidget(self.unit_box, 2)
        top.addSpacing(12)
        top.addWidget(QLabel("报送期间："))
        top.addWidget(self.period_edit)
        top.addSpacing(12)
        top.addWidget(self.summary, 4)
        top.addWidget(self.copy_button)
        top.addWidget(self.confirm_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem_title)
        layout.addWidget(self.problem_list)
        layout.addLayout(bottom)

        self.unit_box.activated.connect(self._on_unit_chosen)
        self.unit_box.lineEdit().editingFinished.connect(self._on_unit_chosen)
        self.unit_box.lineEdit().returnPressed.connect(self._on_unit_return)
        self.unit_box.installEventFilter(self)
        self.unit_box.lineEdit().installEventFilter(self)
        self.period_edit.period_changed.connect(self._on_period_chosen)
        self.copy_button.clicked.connect(self.copy_previous)
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        self.view.paste_requested.connect(self.paste)
        self.view.clear_requested.connect(self._on_view_clear)
        self.view.undo_requested.connect(self._on_view_undo)
        self.indicator_view.paste_requested.connect(self.paste)
        self.indicator_view.clear_requested.connect(self._on_view_clear)
        self.indicator_view.undo_requested.connect(self._on_view_undo)
        self.tabs.currentChanged.connect(self._on_tabs_changed)
        self.problem_list.itemClicked.connect(self.go_to_problem)
        self.problem_list.itemActivated.connect(self.go_to_problem)
        self.model.dataChanged.connect(self._show_state)
        self.model.modelReset.connect(self._show_state)
        self.model.problems_changed.connect(self._show_problems)
        self.indicator_model.dataChanged.connect(self._show_state)
        self.indicator_model.modelReset.connect(self._show_state)
        self.indicator_model.problems_changed.connect(self._show_problems)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

        self.unit = ""
        self.period = ""
        self._general_problems: list[str] = []
        self.load(unit, period)
        # The unit first: type part of its name and Enter (or just Enter), and the grid's first cell takes over.
        self.unit_box.setFocus()
        self.unit_box.lineEdit().selectAll()
        # The whole screen on office PCs (1366×768, 1280×720); a large share of a bigger one.
        if is_small_screen(self):
            fit_to_screen(self, 1.0, 1.0)
        else:
            fit_to_screen(self, 0.92, 0.9, most=(1700, 1000))

    # --- loading -------------------------------------------------------------------------------

    def load(self, unit: str, period: str) -> None:
        """Fill the grid from the ledger for the unit and month, dropping any unsaved edits."""
        with self.ledger.Session() as session:
            rows = batch_rows(session, unit, period)
            indicators = unit_indicator_rows(session, unit, period)
        current = self.view.currentIndex()
        self.unit, self.period = unit, period
        self._show_choice()
        self._general_problems = []
        self.model.load(rows, unit, period, self.operator)
        self.indicator_model.load(indicators, period)
        self.tabs.setTabVisible(INDICATORS_TAB, bool(indicators))
        self.tabs.tabBar().setVisible(bool(indicators))  # one tab alone needs no tab bar
        if not indicators:
            self.tabs.setCurrentIndex(REPORTS_TAB)
        signed = sum(r.signed_off is not None for r in rows)
        open_rows = [r for r in rows if r.signed_off is None]
        lead = sum(r.role == "牵头" for r in rows)
        reported = sum(r.current is not None for r in open_rows)
        before = sum(r.previous is not None for r in open_rows)
        self.summary.setText(
            f"{chinese_period(period)}：共 {len(rows)} 项任务（牵头 {lead} 项）"
            + (f"，已销号 {signed} 项不需填报" if signed else "")
            + f"；需报 {len(open_rows)} 项，本月已报 {reported} 项，上月已报 {before} 项"
            + (f"；指标 {len(indicators)} 项，本月已填 {sum(i.current is not None for i in indicators)} 项" if indicators else "")
        )
        self.setWindowTitle(f"按单位批量录入 — {unit} {chinese_period(period)}")
        target = self.model.index(current.row(), current.column()) if current.isValid() else QModelIndex()
        self.view.setCurrentIndex(target if target.isValid() else self.model.index(0, FIRST_EDITABLE))
        self.indicator_view.setCurrentIndex(self.indicator_model.index(0, INDICATOR_VALUE))

    def _grid(self) -> tuple[SpreadsheetView, BatchTableModel | IndicatorGridModel]:
        """The grid of the tab shown: pasting, clearing and undoing act on it."""
        if self.tabs.currentIndex() == INDICATORS_TAB:
            return self.indicator_view, self.indicator_model
        return self.view, self.model

    # --- actions -------------------------------------------------------------------------------

    def paste(self, text: str | None = None) -> bool:
        """Paste the clipboard's block at the current cell of the tab shown (or one value into every selected cell)."""
        view, model = self._grid()
        view.commit_editor()
        if text is None:
            text = QApplication.clipboard().text()
        current = view.currentIndex()
        if not current.isValid():
            self._say("请先点选要开始粘贴的格子。")
            return False
        try:
            block = parse_block(text)
            selected = view.selectionModel().selectedIndexes()
            if len(block) == 1 and len(block[0]) == 1 and len(selected) > 1:
                filled = model.fill(selected, block[0][0])
                self._say(f"已把“{block[0][0][:20]}”填入选中的 {filled} 格。")
                return filled > 0
            self._say(model.paste(current.row(), current.column(), block))
        except UserError as exc:
            self._say(exc.message, error=True)
            return False
        # The cursor stays on the block's first cell, unselected, so the marks of refused values show.
        view.setCurrentIndex(current)
        return True

    def _say(self, text: str, *, error: bool = False) -> None:
        """The line above the buttons: what the last action did, in red when it was refused."""
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def copy_previous(self) -> int:
        """Fill this month's empty rows from last month as a starting point; returns how many rows."""
        self.view.commit_editor()
        self.view.setFocus()  # the button acts on the grid; the keys go back to it (Ctrl+A, typing)
        copied = self.model.copy_previous()
        if copied:
            self._say(
                f"已从上月复制 {copied} 行，标为“沿用上月”。改过的行照常保存；原样不改的行请核对后在“核对”列勾选"
                "或选中后点“确认沿用上月”，确认后才计入本月报送。"
            )
        else:
            self._say("没有可复制的行：上月没有填报，或本月这些行已经填写，或任务已销号。")
        return copied

    def confirm_selected(self) -> int:
        """Confirm the selected rows' unchanged copies of last month as this month's reports."""
        self.view.commit_editor()
        self.view.setFocus()
        rows = {i.row() for i in self.view.selectionModel().selectedIndexes()} or {self.view.currentIndex().row()}
        confirmed = self.model.confirm(rows)
        pending = len(self.model.copies())
        self._say(
            f"已确认 {confirmed} 行沿用上月。" + (f"还有 {pending} 行沿用上月待确认。" if pending else "")
            if confirmed
            else "选中的行中没有待确认的“沿用上月”行（Ctrl+A 可全选）。"
        )
        return confirmed

    def save(self) -> bool:
        """Write every changed row of both tabs in one transaction; on any problem write nothing and list them all.

        Rows that only repeat last month and are not confirmed are left unsaved (db.progress.save_batch)
        and stay in the grid, flagged, for the clerk to confirm or change.  An indicator value cleared
        where the month had one is not deleted (the ledger has no deletion of actuals): it stays.
        """
        self.view.commit_editor()
        self.indicator_view.commit_editor()
        self._general_problems = []
        if self.model.has_cell_errors() or self.indicator_model.has_cell_errors():
            self._show_problems()
            self._say("")
            return False
        rows, entries = self.model.entries(reporter=self.operator, entry_date=dt.date.today())
        indicator_rows, actuals = self.indicator_model.inputs()
        kept = len(self.indicator_model.kept_rows())
        kept_text = f"清空的 {kept} 项指标本月已报值不会删除，保留原值。" if kept else ""
        if not entries and not actuals:
            if kept:  # the cleared cells show the values the ledger keeps
                self.load(self.unit, self.period)
            self._say("没有需要保存的修改。" + kept_text)
            return True
        if not self.model.check_rows(rows, entries):
            self._say("")
            return False
        confirmed = self.model.confirmed_codes()
        try:
            outcome, values = run_transaction(
                self.ledger,
                lambda session: save_unit_month(
                    session, self.unit, self.period, entries, actuals, operator=self.operator,
                    report_rows=[r + 1 for r in rows], actual_rows=[r + 1 for r in indicator_rows], confirmed=confirmed,
                ),
            )
        except UserError as exc:
            self._general_problems = list(exc.details) or [exc.message]
            self._show_problems()
            self._say("")
            return False
        kept = {self.model.batch_row(n - 1).task_code: self.model.values_of(n - 1) for n in outcome.unconfirmed}
        pending = self._settle(outcome.changed)
        self.load(self.unit, self.period)
        self.model.restore(kept)
        text = f"已保存：新增 {outcome.added} 条，更新 {outcome.updated} 条。"
        if actuals:
            text += f"指标实际值：新填 {values.added} 项，更新 {values.updated} 项。"
        text += kept_text
        if outcome.changed:
            text += f"另有 {len(outcome.changed)} 行在您编辑期间已被他人修改，未覆盖对方的版本"
            text += f"（其中 {pending} 行留作待处理冲突，可在“处理合并冲突”中决定）。" if pending else "，已按您的选择处理。"
        if outcome.unconfirmed:
            text += (
                f"另有 {len(outcome.unconfirmed)} 行与上月完全相同、尚未确认，没有保存，也不计入本月报送："
                "请核对后勾选“核对”列或点“确认沿用上月”，再保存。"
            )
        self.message.setText(text)
        if self._general_problems:  # a row that moved on again while the clerk decided
            self._show_problems()
        return True

    def _settle(self, changed: list) -> int:
        """Each row someone saved meanwhile: both versions side by side, keep mine or take theirs; returns how many were left pending."""
        from desktop.merge_dialogs import ReportChangedDialog

        pending = 0
        for _line, report in changed:
            choice = ReportChangedDialog.ask(report, self)
            if choice is None:
                pending += 1
                continue
            try:
                with self.ledger.Session.begin() as session:
                    settle_changed(session, report, choice, operator=self.operator)
            except UserError as exc:
                self._general_problems.append(exc.message)
                pending += 1
        return pending

    def go_to_problem(self, item: QListWidgetItem) -> None:
        """Put the cursor on the cell a problem is about and open it for correcting."""
        position = item.data(POSITION)
        if not position:
            return
        tab, row, column = position
        self.tabs.setCurrentIndex(tab)
        view, model = self._grid()
        index = model.index(row, column)
        view.setCurrentIndex(index)
        view.scrollTo(index)
        view.setFocus()
        if index.flags() & Qt.ItemFlag.ItemIsEditable:
            view.edit(index)

    def ask_unsaved(self) -> str:
        """Ask what to do with unsaved edits: "save", "discard" or "keep" (stay and go on editing)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("有未保存的修改")
        copies = len(self.model.copies())
        indicators = len(self.indicator_model.changed_rows())
        box.setText(
            f"本表有 {len(self.model.changed_rows())} 行修改尚未保存。"
            + (f"\n另有 {indicators} 项指标实际值尚未保存。" if indicators else "")
            + (f"\n其中 {copies} 行原样沿用上月、尚未确认，保存时不会写入。" if copies else "")
        )
        save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("放弃修改", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("继续编辑", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return {save: "save", discard: "discard"}.get(box.clickedButton(), "keep")

    def _may_leave(self) -> bool:
        """Whether the grid may be replaced or closed: nothing unsaved, or the clerk saved or discarded it."""
        self.view.commit_editor()
        self.indicator_view.commit_editor()
        if not self.model.is_dirty() and not self.indicator_model.is_dirty():
            return True
        answer = self.ask_unsaved()
        return answer == "discard" or (answer == "save" and self.save())

    def reject(self) -> None:
        if self._may_leave():
            super().reject()

    # --- slots ---------------------------------------------------------------------------------

    def _on_view_clear(self) -> None:
        view, model = self._grid()
        indexes = view.selectionModel().selectedIndexes() or [view.currentIndex()]
        cleared = model.fill(indexes, "")
        if cleared:
            kept = model is self.indicator_model and any(model.is_kept(i.row()) for i in indexes)
            self._say(f"已清空 {cleared} 格（Ctrl+Z 撤销）。" + ("本月已报的指标实际值不会因清空而删除，保存时保留原值。" if kept else ""))

    def _on_view_undo(self) -> None:
        self._say("已撤销上一步。" if self._grid()[1].undo() else "没有可撤销的操作。")

    def _on_tabs_changed(self, index: int) -> None:
        """Each tab its own keys in the hint; the buttons about last month's copies belong to the reports."""
        on_reports = index != INDICATORS_TAB
        self.hint.setText(self.reports_hint if on_reports else INDICATOR_HINT)
        self.copy_button.setVisible(on_reports)
        self.confirm_button.setVisible(on_reports)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt API
        """Ctrl+V of a block (tabs or lines) in the unit box goes to the grid, where it belongs."""
        if (
            watched in (self.unit_box, self.unit_box.lineEdit())
            and event.type() == QEvent.Type.KeyPress
            and event.matches(QKeySequence.StandardKey.Paste)
            and any(mark in QApplication.clipboard().text() for mark in "\t\n")
        ):
            self._on_unit_chosen()
            self._grid()[0].setFocus()
            self.paste()
            return True
        return super().eventFilter(watched, event)

    def _on_unit_return(self) -> None:
        self._on_unit_chosen()
        if self.unit_box.currentText() == self.unit:
            view, model = self._grid()
            view.setFocus()
            view.setCurrentIndex(model.index(0, FIRST_EDITABLE if model is self.model else INDICATOR_VALUE))

    def _on_unit_chosen(self, *_args) -> None:
        text = self.unit_box.currentText().strip()
        if text == self.unit:
            return
        completer = self.unit_box.completer()
        try:
            with self.ledger.Session() as session:
                try:
                    unit = find_unit(session, text).name
                except UserError:
                    # Part of a name or alias (住建): the first unit the list offers for it.
                    completer.setCompletionPrefix(text)
                    if not text or completer.completionCount() == 0:
                        raise
                    unit = completer.completionModel().index(0, 0).data()
        except UserError as exc:
            self._show_choice()
            self._say(exc.message, error=True)
            return
        offered = [self.unit_box.itemText(i) for i in range(self.unit_box.count())]
        if unit not in offered:  # a unit login is offered its own units only; typing another's name is not a way round
            self._show_choice()
            self._say(f"不能为“{unit}”填报：这里只能填报{'、'.join(offered[:5])}{'等单位' if len(offered) > 5 else ''}。", error=True)
            return
        completer.popup().hide()
        self._switch(unit, self.period)

    def _on_period_chosen(self, period: str) -> None:
        self._switch(self.unit, period)

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
        self.period_edit.set_period(self.period)
        for widget in (self.unit_box, self.period_edit):
            widget.blockSignals(False)

    def _show_problems(self) -> None:
        """The error list: every marked cell (click or Enter jumps to it) and problems of no cell."""
        self.problem_list.clear()
        problems = self.model.problems()
        for row, column, message in problems:
            task = self.model.batch_row(row).task_code
            item = QListWidgetItem(f"第 {row + 1} 行（任务 {task}）{HEADERS[column].replace(chr(10), '')}：{message}")
            item.setData(POSITION, (REPORTS_TAB, row, column))
            self.problem_list.addItem(item)
        indicator_problems = self.indicator_model.problems()
        for row, column, message in indicator_problems:
            code = self.indicator_model.indicator_row(row).code
            item = QListWidgetItem(f"指标第 {row + 1} 行（{code}）{INDICATOR_HEADERS[column].replace(chr(10), '')}：{message}")
            item.setData(POSITION, (INDICATORS_TAB, row, column))
            self.problem_list.addItem(item)
        self.problem_list.addItems(self._general_problems)
        count = len(problems) + len(indicator_problems) + len(self._general_problems)
        if count:
            self.problem_title.setText(f"共 {count} 处问题，改正前本批一条也不会写入。单击或按 Enter 跳到出错的格子。")
            shown = min(count, PROBLEM_LINES)
            frame = 2 * self.problem_list.frameWidth()
            self.problem_list.setFixedHeight(shown * max(self.problem_list.sizeHintForRow(0), 1) + frame + 4)
        self.problem_title.setVisible(bool(count))
        self.problem_list.setVisible(bool(count))

    def _show_state(self, *_args) -> None:
        changed = len(self.model.changed_rows())
        copies = len(self.model.copies())
        to_save = changed - copies
        values = len(self.indicator_model.changed_rows())
        parts = ([f"{to_save} 行"] if to_save else []) + ([f"{values} 项指标"] if values else [])
        self.save_button.setText(f"保存 {'、'.join(parts)}（Ctrl+S）" if parts else "保存（Ctrl+S）")
        self.confirm_button.setEnabled(bool(copies))
        self.confirm_button.setText(f"确认沿用上月（{copies} 行待确认）" if copies else "确认沿用上月")

    # --- layout --------------------------------------------------------------------------------

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit_columns()

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Every column on screen without scrolling sideways: fixed ones by their words, text ones share the rest."""
        char = self.view.fontMetrics().horizontalAdvance("国")
        available = self.view.viewport().width()
        if self.view.verticalScrollBar().isVisible() is False and self.model.rowCount() * self.view.verticalHeader().defaultSectionSize() > self.view.height():
            available -= self.view.style().pixelMetric(self.view.style().PixelMetric.PM_ScrollBarExtent)
        widths = {c: int(chars * char + 10) for c, chars in FIXED_CHARS.items()}
        rest = max(available - sum(widths.values()) - 2, 0)
        share = sum(TEXT_SHARES.values())
        for column, part in TEXT_SHARES.items():
            widths[column] = max(int(rest * part / share), MIN_TEXT_CHARS * char)
        for column, width in widths.items():
            self.view.setColumnWidth(column, width)
