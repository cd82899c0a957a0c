"""Starting the window: create the ledger on first run (in a worker, with progress), then show it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, QObject, QThread, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from db.engine import Ledger, open_ledger
from db.errors import UserError
from db.ledger import init_from_bundled_plan, list_plans

CJK_FONTS = ["Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Sans Serif"]


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
        from desktop.main_window import MainWindow

        window = MainWindow(ledger)
        window.load()
    except UserError as exc:
        QMessageBox.critical(None, "督办台账", exc.message)
        return 2
    if args.screenshot:
        return _screenshot(app, window, args)
    window.show()
    return app.exec()


def _screenshot(app: QApplication, window, args) -> int:
    """Render one view of the window to a PNG (for the docs and for checks) and exit."""
    window.show()
    app.processEvents()
    views = {"annexes": (0, 0), "units": (1, 0), "warnings": (2, 0), "dashboard": (0, 1), "compare": (0, 2)}
    tree_tab, main_tab = views[args.view]
    window.nav_tabs.setCurrentIndex(tree_tab)
    tree = window.nav_tabs.currentWidget()
    tree.expand(tree.model().index(0, 0))
    if args.select:
        with window.ledger.Session() as session:
            from db.ledger import get_task

            window.open_task(get_task(session, args.select).id)
    else:
        window.table.selectRow(0)
    window.tabs.setCurrentIndex(main_tab)
    app.processEvents()
    return 0 if window.grab().save(args.screenshot) else 1
