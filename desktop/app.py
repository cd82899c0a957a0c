"""The workbook window: annexes on the left, the task table with search on the right.

This is the first cut the window issue builds on: browsing the plan as the ledger holds it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractTableModel, QEventLoop, QModelIndex, QObject, QSortFilterProxyModel, Qt, QThread, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSplitter,
    QTableView,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger, open_ledger
from db.errors import UserError
from db.ledger import TaskView, init_from_bundled_plan, list_plans, list_tasks

CJK_FONTS = ["Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Sans Serif"]
COLUMNS = ("附件", "序号", "任务", "牵头单位", "配合单位", "时间节点")


class TaskTableModel(QAbstractTableModel):
    """The plan's tasks as rows; holds TaskView dataclasses, never ORM objects."""

    def __init__(self, tasks: list[TaskView], parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = tasks

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._tasks)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        task = self._tasks[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"附件{task.annex}",
                task.label,
                task.title,
                "、".join(task.lead) or "、".join(u.name for u in task.units if u.role != "配合"),
                "、".join(task.support),
                task.deadline or "—",
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return task.text
        if role == Qt.ItemDataRole.UserRole:
            return task
        if role == SEARCH_ROLE:
            return " ".join([task.code, task.title, task.text, *(u.name for u in task.units), *(u.as_printed for u in task.units)])
        return None


SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1


class TaskFilterProxy(QSortFilterProxyModel):
    """Filters by annex (from the tree) and by a substring of task text and unit names."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.annex: int | None = None
        self.text = ""
        self.setFilterRole(SEARCH_ROLE)

    def set_annex(self, annex: int | None) -> None:
        self._refilter(lambda: setattr(self, "annex", annex))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "text", text.strip()))

    def _refilter(self, change) -> None:
        """Qt ≥ 6.10 brackets a filter change; 6.9 (glibc 2.28 systems) only has invalidateRowsFilter."""
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row, parent) -> bool:  # noqa: N802
        task: TaskView = self.sourceModel().index(row, 0, parent).data(Qt.ItemDataRole.UserRole)
        if self.annex is not None and task.annex != self.annex:
            return False
        if self.text:
            return self.text in self.sourceModel().index(row, 0, parent).data(SEARCH_ROLE)
        return True


class InitWorker(QObject):
    """Creates the ledger from the bundled plan off the GUI thread."""

    finished = Signal(str)

    def __init__(self, ledger: Ledger):
        super().__init__()
        self.ledger = ledger

    def run(self) -> None:
        try:
            init_from_bundled_plan(self.ledger)
            self.finished.emit("")
        except UserError as exc:
            self.finished.emit(exc.message)


class MainWindow(QMainWindow):
    """The workbook's main window."""

    def __init__(self, ledger: Ledger):
        super().__init__()
        self.ledger = ledger
        self.setWindowTitle("督办台账")
        self.resize(1280, 800)
        self.tree = QTreeView()
        self.tree.setHeaderHidden(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索任务内容或单位（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.detail = QTextBrowser()
        right = QWidget()
        layout = QVBoxLayout(right)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.detail, 2)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(right)
        splitter.setSizes([300, 980])
        central = QWidget()
        QHBoxLayout(central).addWidget(splitter)
        self.setCentralWidget(central)
        self.proxy = TaskFilterProxy(self)
        self.search.textChanged.connect(self.proxy.set_text)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.search.setFocus)

    def load(self) -> None:
        with self.ledger.Session() as session:
            tasks = list_tasks(session)
            plan = next(p for p in list_plans(session) if p.current)
        self.setWindowTitle(f"督办台账 — {plan.title}")
        self.model = TaskTableModel(tasks, self)
        self.proxy.setSourceModel(self.model)
        self.table.setModel(self.proxy)
        self.table.setColumnWidth(0, 60)
        self.table.setColumnWidth(1, 60)
        self.table.setColumnWidth(2, 420)
        self.table.setColumnWidth(3, 220)
        self.table.setColumnWidth(4, 200)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        tree = QStandardItemModel(self)
        root = QStandardItem(f"全部任务（{len(tasks)}）")
        root.setData(None, Qt.ItemDataRole.UserRole)
        tree.appendRow(root)
        annexes: dict[int, tuple[str, int]] = {}
        for t in tasks:
            title, n = annexes.get(t.annex, (t.annex_title, 0))
            annexes[t.annex] = (title, n + 1)
        for number, (title, n) in sorted(annexes.items()):
            item = QStandardItem(f"附件{number} {title.removeprefix('三门峡市')}（{n}）")
            item.setData(number, Qt.ItemDataRole.UserRole)
            root.appendRow(item)
        self.tree.setModel(tree)
        self.tree.expandAll()
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)

    def _on_tree_current_changed(self, current, _previous) -> None:
        self.proxy.set_annex(current.data(Qt.ItemDataRole.UserRole))

    def _on_table_current_changed(self, current, _previous) -> None:
        task: TaskView | None = current.data(Qt.ItemDataRole.UserRole)
        if task is None:
            return
        units = "<br>".join(f"{u.name}（{u.role}）" for u in task.units)
        stages = "<br>".join(f"{m.wording} → {m.due or ('持续推进' if m.ongoing else '无日期')}" for m in task.milestones)
        self.detail.setHtml(
            f"<h3>{task.code} 附件{task.annex} {task.label} {task.title}</h3>"
            f"<p>{task.text.replace(chr(10), '<br>')}</p>"
            f"<p><b>时间节点：</b>{stages or '（原文未列时间节点）'}</p>"
            f"<p><b>责任单位：</b>{task.responsibility or ''}<br>{units}</p>"
            f"<p style='color:gray'>原文位置：第 {task.source_line}–{task.source_line_end} 行</p>"
        )


def _ensure_initialised(ledger: Ledger, show_progress: bool) -> None:
    """On first run, build the ledger from the bundled plan in a worker, with visible progress."""
    with ledger.Session() as session:
        if list_plans(session):
            return
    dialog = QProgressDialog("正在从内置的2022年行动方案创建台账……", None, 0, 0)
    dialog.setWindowTitle("督办台账")
    if show_progress:
        dialog.show()
    thread = QThread()
    worker = InitWorker(ledger)
    worker.moveToThread(thread)
    errors: list[str] = []
    loop = QEventLoop()
    thread.started.connect(worker.run)
    worker.finished.connect(errors.append)
    worker.finished.connect(thread.quit)
    thread.finished.connect(loop.quit)
    thread.start()
    loop.exec()
    dialog.close()
    if errors and errors[0]:
        raise UserError(errors[0])


def run_gui(args) -> int:
    """Open the window (or render it to a PNG with --screenshot and exit)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(QFont(CJK_FONTS, 10))
    try:
        ledger = open_ledger(args.db)
        _ensure_initialised(ledger, show_progress=not args.screenshot)
        window = MainWindow(ledger)
        window.load()
    except UserError as exc:
        QMessageBox.critical(None, "督办台账", exc.message)
        return 2
    if args.screenshot:
        window.show()
        app.processEvents()
        window.table.selectRow(0)
        app.processEvents()
        ok = window.grab().save(args.screenshot)
        return 0 if ok else 1
    window.show()
    return app.exec()
