"""The task table: a QAbstractTableModel over the plan's tasks and their state, and the filter proxy.

Rows are built once per load from plain dataclasses (TaskView + TaskState); refreshing the state
after an entry replaces only the state columns.  Search text is prepared per row up front so a
keystroke costs one substring test per task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from db.ledger import TaskView
from db.vocabulary import Role, Standing
from db.warning_rules import COLOUR_NAMES, COLOUR_ORDER, DONE, GREEN, GREY, RED, YELLOW, TaskState
from resources.first_letters import first_letters

COLUMNS = ("预警", "附件", "序号", "任务", "牵头单位", "配合单位", "时间节点", "状态", "进度", "最近报送")
(COL_LIGHT, COL_ANNEX, COL_LABEL, COL_TITLE, COL_LEAD, COL_SUPPORT, COL_DEADLINE, COL_STATUS, COL_PERCENT, COL_LAST) = range(len(COLUMNS))
LIGHT_COLOURS = {RED: "#d64541", YELLOW: "#f0b429", GREY: "#9aa0a6", GREEN: "#3aa76d", DONE: "#2b6cb0"}
# An indicator's standing in the warning colours: behind red, met green, not reported grey, not comparable yellow.
STANDING_COLOURS = {
    Standing.BEHIND: LIGHT_COLOURS[RED],
    Standing.MET: LIGHT_COLOURS[GREEN],
    Standing.NOT_REPORTED: LIGHT_COLOURS[GREY],
    Standing.UNKNOWN: LIGHT_COLOURS[YELLOW],
    Standing.NOT_DUE: "#7a8794",
}
TASK_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
# The unit tree and the role filter: the units that answer for a task (db.answerable), its 配合 units, the rest.
ROLE_LEAD, ROLE_SUPPORT, ROLE_OTHER = "牵头/负责", "配合", "其他"


def initials(name: str) -> str:
    """Pinyin initials of a unit name, so typing zjj finds 住建局 (a per-character table: pypinyin's phrase
    dictionary would cost a quarter second at start-up)."""
    return first_letters(name)


def unit_roles(task: TaskView) -> dict[str, str]:
    """Each assigned unit's group: answerable (牵头/负责), 配合, or 其他 (落实 beside a 牵头, collectives)."""
    answerable = set(task.answerable)
    return {
        name: ROLE_LEAD if name in answerable else ROLE_SUPPORT if role == Role.SUPPORT else ROLE_OTHER
        for name, role in task.assigned.items()
    }


@dataclass
class TaskRow:
    """One row of the table: the task as the plan gives it and where it stands this period."""

    task: TaskView
    state: TaskState | None
    haystack: str
    unit_roles: dict[str, str] = field(default_factory=dict)

    @property
    def lead_text(self) -> str:
        """The lead units; where the text names no 牵头, the units that carry it (负责/落实/责任单位)."""
        if self.task.lead:
            return "、".join(self.task.lead)
        return "、".join(u.name for u in self.task.units if u.role != ROLE_SUPPORT)


def build_rows(tasks: list[TaskView], states: dict[int, TaskState], aliases: dict[str, list[str]]) -> list[TaskRow]:
    """Rows with their search text: code, title, text, unit names as printed and canonical, aliases and their initials."""
    spelled_cache: dict[str, str] = {}

    def unit_words(name: str) -> str:
        if name not in spelled_cache:
            spellings = [name, *aliases.get(name, [])]
            spelled_cache[name] = " ".join(spellings + [initials(s) for s in spellings])
        return spelled_cache[name]

    rows = []
    for task in tasks:
        words = [task.code, task.title, task.text, task.deadline or ""]
        for unit in task.units:
            words.append(unit.as_printed)
        for name in task.assigned:
            words.append(unit_words(name))
        rows.append(
            TaskRow(
                task=task,
                state=states.get(task.id),
                haystack=" ".join(words).lower(),
                unit_roles=unit_roles(task),
            )
        )
    return rows


def _light_icon(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(LIGHT_COLOURS[colour]))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 12, 12)
    painter.end()
    return QIcon(pixmap)


class TaskTableModel(QAbstractTableModel):
    """The plan's tasks as rows; holds dataclasses, never ORM objects."""

    def __init__(self, rows: list[TaskRow], parent: QObject | None = None):
        super().__init__(parent)
        self.rows = rows
        self._icons = {colour: _light_icon(colour) for colour in LIGHT_COLOURS}
        self._corrected_font = QFont()
        self._corrected_font.setItalic(True)
        self._row_of = {row.task.id: i for i, row in enumerate(rows)}

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def row_of(self, task_id: int) -> int | None:
        return self._row_of.get(task_id)

    def set_states(self, states: dict[int, TaskState]) -> None:
        """New period figures for every row; the rows themselves (plan data) stay."""
        for row in self.rows:
            row.state = states.get(row.task.id)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == TASK_ROLE:
            return row
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == COL_LIGHT and row.state:
            return self._icons[row.state.colour]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_LIGHT and row.state:
                return f"{COLOUR_NAMES[row.state.colour]}：{row.state.reason}"
            if column == COL_DEADLINE and row.state and row.state.extended:
                return f"原定：{row.task.deadline}\n已批准延期至 {row.state.due.isoformat()}"
            if column == COL_TITLE:
                return (
                    row.task.text
                    + ("\n（已人工更正）" if row.task.corrected else "")
                    + ("\n（与印发原文不同，原文见任务详情）" if row.task.differs_from_printed else "")
                )
            return self._display(row, column)
        if role == Qt.ItemDataRole.FontRole and column == COL_TITLE and row.task.corrected:
            return self._corrected_font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_ANNEX, COL_LABEL, COL_PERCENT):
            return Qt.AlignmentFlag.AlignCenter
        return None

    @staticmethod
    def _display(row: TaskRow, column: int) -> str:
        task, state = row.task, row.state
        if column == COL_LIGHT:
            return COLOUR_NAMES[state.colour] if state else ""
        if column == COL_ANNEX:
            return f"附件{task.annex}"
        if column == COL_LABEL:
            return task.label
        if column == COL_TITLE:
            return ("✎ " if task.corrected else "") + task.title
        if column == COL_LEAD:
            return row.lead_text
        if column == COL_SUPPORT:
            return "、".join(task.support)
        if column == COL_DEADLINE:
            deadline = (task.deadline or "—").replace("\n", "；")
            if state and state.extended:  # the date the task is judged by first: a narrow column elides the rest
                return f"{state.due.isoformat()}（已延期，原{deadline}）"
            return deadline
        if column == COL_STATUS:
            return state.status if state else ""
        if column == COL_PERCENT:
            return f"{state.percent}%" if state and state.percent is not None else ""
        if column == COL_LAST:
            if state and state.last_period:
                return f"{state.last_period}（{state.last_date.isoformat()}）"
            return "—"
        return ""

    @staticmethod
    def _sort_key(row: TaskRow, column: int):
        task, state = row.task, row.state
        if column == COL_LIGHT:
            return COLOUR_ORDER.index(state.colour) if state else 99
        if column in (COL_ANNEX, COL_LABEL):
            return row.task.id if column == COL_LABEL else task.annex * 10000 + task.id
        if column == COL_DEADLINE:
            due = state.due if state else None
            return (due or dt.date.max).isoformat()
        if column == COL_PERCENT:
            return state.percent if state and state.percent is not None else -1
        if column == COL_LAST:
            return state.last_period or "" if state else ""
        return TaskTableModel._display(row, column)


@dataclass
class TaskFilter:
    """What the table shows: the tree's choice, the filter bar's combos and the search text."""

    annex: int | None = None
    section: str | None = None
    unit: str | None = None
    role: str | None = None
    status: str | None = None
    colour: str | None = None
    due_month: str | None = None
    task_ids: frozenset[int] | None = None
    text: str = ""  # words separated by spaces (full-width too): a task must contain every one

    def accepts(self, row: TaskRow) -> bool:
        task, state = row.task, row.state
        if self.annex is not None and task.annex != self.annex:
            return False
        if self.section is not None and task.section != self.section:
            return False
        if self.unit is not None:
            role = row.unit_roles.get(self.unit)
            if role is None or (self.role is not None and role != self.role):
                return False
        elif self.role is not None and self.role not in row.unit_roles.values():
            return False
        if self.status is not None and (state is None or state.status != self.status):
            return False
        if self.colour is not None and (state is None or state.colour != self.colour):
            return False
        if self.due_month is not None and (state is None or state.due is None or state.due.isoformat()[:7] != self.due_month):
            return False
        if self.task_ids is not None and task.id not in self.task_ids:
            return False
        return all(word in row.haystack for word in self.text.split())

    def active(self) -> dict:
        """The fields that narrow the table, by name (what the filter bar shows as chips)."""
        return {name: value for name, value in self.__dict__.items() if value not in (None, "")}


class TaskFilterProxy(QSortFilterProxyModel):
    """Applies a TaskFilter; sorting uses each column's natural key (dates, numbers, document order).

    Signals:
        filter_changed: the TaskFilter changed (the filter bar redraws its chips).
    """

    filter_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.filter = TaskFilter()
        self.setSortRole(SORT_ROLE)

    def update_filter(self, **changes) -> None:
        """Change some filter fields and re-filter once."""
        if "text" in changes:
            changes["text"] = changes["text"].strip().lower()
        if all(getattr(self.filter, k) == v for k, v in changes.items()):
            return
        self._refilter(lambda: self.filter.__dict__.update(changes))
        self.filter_changed.emit()

    def _refilter(self, change) -> None:
        """Qt ≥ 6.10 brackets a filter change; 6.9 (glibc 2.28 systems) has beginFilterChange but no end, so invalidate."""
        if hasattr(self, "endFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:  # noqa: N802
        return self.filter.accepts(self.sourceModel().rows[source_row])
