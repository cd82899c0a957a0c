"""The workbook's main window: navigation tree, filtered task table, detail, dashboard and monthly review.

Widgets only show and collect; every rule (warnings, completion, validation) is a db/ service.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from db.audit import default_operator
from db.drafts import list_drafts
from db.engine import Ledger
from db.errors import UserError
from db.ledger import UnitView, list_plans, list_tasks, list_units, resolve_plan_id
from db.models import LedgerInfo, Task, WarningMark
from db.periods import chinese_period
from db.progress import STATUSES
from db.review import compare_months, completion_by_annex, completion_by_lead_unit, status_distribution
from db.settings import OfficeSettings, load_settings
from db.task_detail import task_detail
from db.warning_rules import NOT_REPORTED, RED, SIGNED_OFF, TaskState, record_marks, red_counts_by_period, task_states
from desktop.compare_view import MonthComparisonView
from desktop.detail_view import EVIDENCE_DELETE_LINK, EVIDENCE_LINK, SHOW_ALL_LINK, render_detail
from desktop.navigation import FILTER_ROLE, TASK_ID_ROLE, annex_tree, unit_tree, warning_tree
from desktop.task_model import COL_TITLE, ROLE_LEAD, ROLE_OTHER, ROLE_SUPPORT, TASK_ROLE, TaskFilterProxy, TaskRow, TaskTableModel, build_rows

ALL = "全部"
TREE_FIELDS = ("annex", "section", "unit", "role", "colour", "task_ids")
COLUMN_WIDTHS = (100, 62, 56, 380, 190, 170, 150, 70, 56, 150)
SEARCH_DELAY_MS = 120


@dataclass
class LedgerSnapshot:
    """Everything the window shows, read in one go (off the GUI thread at start-up)."""

    plan_id: int
    plan_title: str
    settings: OfficeSettings
    units: list[UnitView]
    rows: list[TaskRow]
    packet_period: str | None = None


def current_states(session, plan_id: int, settings: OfficeSettings, *, record: bool = True) -> dict[int, TaskState]:
    """This period's state of every task; its colours are kept as the month's marks (unless the ledger is read-only)."""
    states = task_states(session, plan_id, settings.current_period, due_soon_days=settings.due_soon_days)
    if record:
        record_marks(session, settings.current_period, states)
    return states


def read_snapshot(ledger: Ledger) -> LedgerSnapshot:
    with ledger.Session.begin() as session:
        plan_id = resolve_plan_id(session, None)
        settings = load_settings(session)
        plan = next(p for p in list_plans(session) if p.id == plan_id)
        tasks = list_tasks(session, plan_id=plan_id)
        units = list_units(session, plan_id)
        states = current_states(session, plan_id, settings, record=not ledger.read_only)
        packet = session.get(LedgerInfo, "packet.period")
    rows = build_rows(tasks, states, {u.name: u.aliases for u in units})
    return LedgerSnapshot(plan_id, plan.title, settings, units, rows, packet.value if packet else None)


class MainWindow(QMainWindow):
    """督办台账 main window over one ledger."""

    def __init__(self, ledger: Ledger, prefs: QSettings | None = None):
        super().__init__()
        self.ledger = ledger
        self.prefs = prefs or QSettings("duban", "duban")
        self.operator = self.prefs.value("operator", "") or default_operator()
        self.settings = OfficeSettings()
        self.plan_id: int | None = None
        self.packet_period: str | None = None
        self.setWindowTitle("督办台账")
        self.resize(1400, 860)
        self._build_navigation()
        self._build_task_tab()
        self.dashboard_holder = QWidget()  # pyqtgraph (and numpy) load when the tab is first opened
        QVBoxLayout(self.dashboard_holder).setContentsMargins(0, 0, 0, 0)
        self.dashboard = None
        self.comparison = MonthComparisonView()
        self.comparison.task_requested.connect(self.open_task)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.task_tab, "任务台账")
        self.tabs.addTab(self.dashboard_holder, "仪表盘")
        self.tabs.addTab(self.comparison, "月度对比")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.outer = QSplitter()
        self.outer.addWidget(self.nav_tabs)
        self.outer.addWidget(self.tabs)
        self.outer.setStretchFactor(1, 1)
        self.outer.setSizes([330, 1070])
        self.setCentralWidget(self.outer)
        self.period_label = QLabel()
        self.count_label = QLabel()
        self.statusBar().addWidget(self.period_label)
        self.statusBar().addPermanentWidget(self.count_label)
        self.write_actions: list[QAction] = []  # disabled while the ledger is open read-only
        self._build_actions()
        self._enable_writing()

    # ----- layout -------------------------------------------------------------------------

    def _build_navigation(self) -> None:
        self.nav_tabs = QTabWidget()
        self.annex_view, self.unit_view, self.warning_view = QTreeView(), QTreeView(), QTreeView()
        for view, label in ((self.annex_view, "按附件"), (self.unit_view, "按单位"), (self.warning_view, "按预警")):
            view.setHeaderHidden(True)
            view.setUniformRowHeights(True)
            view.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
            self.nav_tabs.addTab(view, label)

    def _build_task_tab(self) -> None:
        self.annex_combo = QComboBox()
        self.unit_combo = QComboBox()
        self.unit_combo.setEditable(True)
        self.unit_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit_combo.setMinimumContentsLength(12)
        self.role_combo = QComboBox()
        self.role_combo.addItems([ALL, ROLE_LEAD, ROLE_SUPPORT, ROLE_OTHER])
        self.status_combo = QComboBox()
        self.status_combo.addItems([ALL, NOT_REPORTED, *STATUSES, SIGNED_OFF])
        self.due_combo = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索任务内容或单位，可用拼音首字母（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.clear_button = QPushButton("清除筛选")
        bar = QHBoxLayout()
        for label, widget in (("附件", self.annex_combo), ("单位", self.unit_combo), ("角色", self.role_combo), ("状态", self.status_combo), ("时限", self.due_combo)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.clear_button)
        self.proxy = TaskFilterProxy(self)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset, self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.selectionModel().currentRowChanged.connect(self._table_row_changed)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(lambda _index: self.enter_progress())
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._detail_link)
        self.task_split = QSplitter(Qt.Orientation.Vertical)
        self.task_split.addWidget(self.table)
        self.task_split.addWidget(self.detail)
        self.task_split.setSizes([480, 320])
        self.task_tab = QWidget()
        layout = QVBoxLayout(self.task_tab)
        layout.addLayout(bar)
        layout.addWidget(self.task_split)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.proxy.update_filter(text=self.search.text()))
        self.search.textChanged.connect(self._search_timer.start)
        self.annex_combo.currentIndexChanged.connect(lambda _i: self.proxy.update_filter(annex=self.annex_combo.currentData(), section=None))
        self.unit_combo.activated.connect(lambda _i: self._unit_combo_changed())
        self.unit_combo.lineEdit().editingFinished.connect(self._unit_combo_changed)
        self.role_combo.currentIndexChanged.connect(lambda _i: self.proxy.update_filter(role=_choice(self.role_combo)))
        self.status_combo.currentIndexChanged.connect(lambda _i: self.proxy.update_filter(status=_choice(self.status_combo)))
        self.due_combo.currentIndexChanged.connect(lambda _i: self.proxy.update_filter(due_month=self.due_combo.currentData()))
        self.clear_button.clicked.connect(self.clear_filters)

    def _build_actions(self) -> None:
        def action(menu, text, slot, shortcut=None, *, writes=False):
            act = QAction(text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            menu.addAction(act)
            self.addAction(act)
            if writes:
                self.write_actions.append(act)
            return act

        ledger_menu = self.menuBar().addMenu("台账(&L)")
        action(ledger_menu, "打开台账或外勤数据包…", self.open_other_ledger, QKeySequence.StandardKey.Open)
        action(ledger_menu, "设置…", self.edit_settings, "Ctrl+,", writes=True)
        action(ledger_menu, "刷新", self.refresh, QKeySequence.StandardKey.Refresh)
        ledger_menu.addSeparator()
        action(ledger_menu, "退出", self.close, QKeySequence.StandardKey.Quit)
        task_menu = self.menuBar().addMenu("任务(&T)")
        self.entry_action = action(task_menu, "录入进展…", self.enter_progress, "Ctrl+N", writes=True)
        action(task_menu, "按单位批量录入…", self.batch_entry, "Ctrl+B", writes=True)
        action(task_menu, "附上证明材料…", self.attach_evidence, "Ctrl+Shift+A", writes=True)
        action(task_menu, "未完成的草稿…", self.open_drafts, "Ctrl+D", writes=True)
        task_menu.addSeparator()
        action(task_menu, "办结销号…", self.sign_off, "Ctrl+K", writes=True)
        action(task_menu, "撤销销号…", self.revoke_sign_off, writes=True)
        action(task_menu, "批准延期…", self.extend, "Ctrl+L", writes=True)
        action(task_menu, "更正任务数据…", self.correct_task, "Ctrl+E", writes=True)
        exchange_menu = self.menuBar().addMenu("导出与导入(&E)")
        action(exchange_menu, "导出台账、通报、通知单或报送模板…", self.export, "Ctrl+Shift+S")
        action(exchange_menu, "导入单位报送模板…", self.import_templates, "Ctrl+I", writes=True)
        exchange_menu.addSeparator()
        action(exchange_menu, "合并带回的外勤数据包…", self.merge_packet, "Ctrl+M", writes=True)
        action(exchange_menu, "处理合并冲突…", self.show_conflicts, writes=True)
        view_menu = self.menuBar().addMenu("视图(&V)")
        action(view_menu, "查找", self._focus_search, QKeySequence.StandardKey.Find)
        action(view_menu, "清除筛选", self.clear_filters, "Ctrl+Shift+F")
        for number, label in enumerate(("按附件", "按单位", "按预警"), start=1):
            action(view_menu, label, lambda _=False, i=number - 1: self.nav_tabs.setCurrentIndex(i), f"Ctrl+{number}")
        for number, label in enumerate(("任务台账", "仪表盘", "月度对比"), start=4):
            action(view_menu, label, lambda _=False, i=number - 4: self.tabs.setCurrentIndex(i), f"Ctrl+{number}")

    def _enable_writing(self) -> None:
        """A read-only ledger (another duban is writing it) can be browsed and exported, not changed."""
        for act in self.write_actions:
            act.setEnabled(not self.ledger.read_only)

    # ----- data ---------------------------------------------------------------------------

    def load(self) -> None:
        """Read the ledger and build every view (tests and reloads; start-up reads in a worker)."""
        self.apply_snapshot(read_snapshot(self.ledger))

    def apply_snapshot(self, snapshot: LedgerSnapshot) -> None:
        """Build the views from data read off the GUI thread."""
        self.plan_id, self.settings, self.plan_title = snapshot.plan_id, snapshot.settings, snapshot.plan_title
        self.packet_period = snapshot.packet_period
        rows, units = snapshot.rows, snapshot.units
        self.model = TaskTableModel(rows, self)
        self.proxy.setSourceModel(self.model)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self._fill_combos(rows, units)
        self.annex_view.setModel(annex_tree(rows, self))
        self.annex_view.expand(self.annex_view.model().index(0, 0))
        self.unit_view.setModel(unit_tree(rows, units, self))
        self._rebuild_warning_tree()
        for view in (self.annex_view, self.unit_view):
            view.selectionModel().currentChanged.connect(self._tree_changed)
        self._show_period()
        self._update_count()
        self._restore_layout()

    def refresh(self) -> None:
        """Re-read the period's states after a change (the plan data stays as loaded)."""
        with self.ledger.Session.begin() as session:
            self.settings = load_settings(session)
            states = current_states(session, self.plan_id, self.settings, record=not self.ledger.read_only)
        self.model.set_states(states)
        self._rebuild_warning_tree()
        self._show_period()
        self._show_detail(self.current_task_id())
        if self.tabs.currentIndex() != 0:
            self._tab_changed(self.tabs.currentIndex())

    def reload(self) -> None:
        """Re-read everything (after a correction changed plan data)."""
        current = self.current_task_id()
        self.load()
        if current is not None:
            self.open_task(current)

    def _rebuild_warning_tree(self) -> None:
        self.warning_view.setModel(warning_tree(self.model.rows, self))
        self.warning_view.selectionModel().currentChanged.connect(self._tree_changed)

    def _fill_combos(self, rows, units) -> None:
        for combo in (self.annex_combo, self.unit_combo, self.due_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(ALL, None)
        annexes = sorted({(r.task.annex, r.task.annex_title) for r in rows})
        for number, title in annexes:
            self.annex_combo.addItem(f"附件{number} {title.removeprefix('三门峡市')}", number)
        used = {name for r in rows for name in r.unit_roles}
        for unit in units:
            if unit.name in used:
                self.unit_combo.addItem(unit.name, unit.name)
        completer = QCompleter([u.name for u in units if u.name in used], self.unit_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.unit_combo.setCompleter(completer)
        months = sorted({r.state.due.isoformat()[:7] for r in rows if r.state and r.state.due})
        for month in months:
            self.due_combo.addItem(chinese_period(month), month)
        for combo in (self.annex_combo, self.unit_combo, self.due_combo):
            combo.blockSignals(False)

    def _show_period(self) -> None:
        drafts = self._draft_count()
        self.period_label.setText(
            f"{self.settings.office_name}　当前报送期间：{chinese_period(self.settings.current_period)}　"
            f"操作员：{self.operator}" + (f"　未完成草稿 {drafts} 份（Ctrl+D）" if drafts else "")
            + ("　只读：另一个督办台账正在使用此台账，只能查看和导出" if self.ledger.read_only else "")
            + (f"　外勤数据包：{self.ledger.path.name}，填报后带回办公室合并" if self.packet_period else "")
        )
        where = f"外勤数据包（{self.packet_period}，{self.ledger.path.name}）" if self.packet_period else str(self.ledger.path.name)
        self.setWindowTitle(f"督办台账 — {where} — {self.plan_title}" + ("（只读）" if self.ledger.read_only else ""))

    def _draft_count(self) -> int:
        with self.ledger.Session() as session:
            return len(list_drafts(session))

    def _update_count(self, *_args) -> None:
        if self.proxy.sourceModel() is None:
            return
        self.count_label.setText(f"显示 {self.proxy.rowCount()} / {self.model.rowCount()} 项任务")

    # ----- filtering and selection --------------------------------------------------------

    def apply_filter(self, **fields) -> None:
        """Replace the tree-driven part of the filter and mirror it in the filter bar."""
        changes = {name: fields.get(name) for name in TREE_FIELDS}
        changes.update({k: v for k, v in fields.items() if k not in TREE_FIELDS})
        self.proxy.update_filter(**changes)
        _select_data(self.annex_combo, changes["annex"])
        _select_data(self.unit_combo, changes["unit"])
        _select_text(self.role_combo, changes["role"] or ALL)
        if "status" in fields:
            _select_text(self.status_combo, fields["status"] or ALL)

    def clear_filters(self) -> None:
        self.search.clear()
        self.apply_filter(status=None, due_month=None, text="")
        _select_data(self.due_combo, None)
        for view in (self.annex_view, self.unit_view, self.warning_view):
            view.clearSelection()

    def _tree_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        filter_ = current.data(FILTER_ROLE)
        if filter_ is not None:
            self.apply_filter(**filter_)
        task_id = current.data(TASK_ID_ROLE)
        if task_id is not None:
            self.open_task(task_id)

    def _unit_combo_changed(self) -> None:
        text = self.unit_combo.currentText().strip()
        index = self.unit_combo.findText(text)
        self.proxy.update_filter(unit=self.unit_combo.itemData(index) if index > 0 else None)

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    def filter_from_dashboard(self, kind: str, key: str) -> None:
        """A click on a dashboard bar shows the tasks behind it in the task table."""
        if kind == "annex":
            self.apply_filter(annex=int(key), status=None)
        elif kind == "unit":
            self.apply_filter(unit=key, role=ROLE_LEAD, status=None)
        elif kind == "status":
            self.apply_filter(status=key)
        elif kind == "period":
            with self.ledger.Session() as session:
                ids = session.scalars(
                    select(WarningMark.task_id).join(Task, Task.id == WarningMark.task_id).where(
                        Task.plan_id == self.plan_id, WarningMark.period == key, WarningMark.colour == RED
                    )
                )
                self.apply_filter(task_ids=frozenset(ids), status=None)
        self.tabs.setCurrentIndex(0)

    def current_task_id(self) -> int | None:
        row = self.table.currentIndex().data(TASK_ROLE)
        return row.task.id if row else None

    def open_task(self, task_id: int) -> None:
        """Select a task in the table (clearing filters that hide it) and show its detail."""
        source_row = self.model.row_of(task_id)
        if source_row is None:
            return
        self.tabs.setCurrentIndex(0)
        index = self.proxy.mapFromSource(self.model.index(source_row, COL_TITLE))
        if not index.isValid():
            self.clear_filters()
            index = self.proxy.mapFromSource(self.model.index(source_row, COL_TITLE))
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def _table_row_changed(self, current, _previous) -> None:
        row = current.data(TASK_ROLE)
        self._show_detail(row.task.id if row else None)

    def _show_detail(self, task_id: int | None, *, full_history: bool = False) -> None:
        if task_id is None:
            self.detail.clear()
            return
        with self.ledger.Session() as session:
            detail = task_detail(session, task_id)
        state = self.model.rows[self.model.row_of(task_id)].state
        self.detail.setHtml(render_detail(detail, state, full_history=full_history))

    def _tab_changed(self, index: int) -> None:
        if self.plan_id is None:
            return
        if index == 1:
            self._show_dashboard()
        elif index == 2:
            self._show_comparison()

    def _show_dashboard(self) -> None:
        if self.dashboard is None:
            from desktop.dashboard import DashboardWidget

            self.dashboard = DashboardWidget()
            self.dashboard.filter_requested.connect(self.filter_from_dashboard)
            self.dashboard_holder.layout().addWidget(self.dashboard)
        states = {row.task.id: row.state for row in self.model.rows if row.state}
        with self.ledger.Session() as session:
            by_annex = completion_by_annex(session, self.plan_id, states)
            by_unit = completion_by_lead_unit(session, self.plan_id, states)
            red_by_period = red_counts_by_period(session, self.plan_id)
        self.dashboard.show_figures(by_annex, by_unit, status_distribution(states), red_by_period)

    def _show_comparison(self) -> None:
        with self.ledger.Session() as session:
            comparison = compare_months(session, self.plan_id, self.settings.current_period, due_soon_days=self.settings.due_soon_days)
        self.comparison.show_comparison(comparison)

    # ----- actions ------------------------------------------------------------------------

    def _need_task(self) -> int | None:
        task_id = self.current_task_id()
        if task_id is None:
            QMessageBox.information(self, "督办台账", "请先在任务表中选中一项任务。")
        return task_id

    def _run_dialog(self, dialog: QDialog, *, reload: bool = False) -> bool:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if accepted and reload:
            self.reload()
        elif accepted:
            self.refresh()
        else:
            self._show_period()
        return accepted

    def enter_progress(self, task_id: int | None = None, unit: str | None = None, period: str | None = None) -> None:
        from desktop.entry_dialog import ProgressEntryDialog

        if self.ledger.read_only:  # the table's double-click comes here too
            self.statusBar().showMessage("台账以只读方式打开，不能录入进展。", 5000)
            return
        task_id = task_id or self._need_task()
        if task_id is not None:
            dialog = ProgressEntryDialog(
                self.ledger, task_id, period=period or self.settings.current_period, operator=self.operator, unit=unit, parent=self
            )
            self._run_dialog(dialog)

    def attach_evidence(self) -> None:
        from desktop.evidence_dialogs import attach_interactively

        task_id = self._need_task()
        if task_id is not None and attach_interactively(self, self.ledger, task_id, self.settings.current_period, self.operator):
            self._show_detail(task_id)

    def _detail_link(self, url) -> None:
        link = url.toString()
        if link.startswith(EVIDENCE_LINK):
            from desktop.evidence_dialogs import open_evidence

            open_evidence(self, self.ledger, link.removeprefix(EVIDENCE_LINK))
        elif link.startswith(EVIDENCE_DELETE_LINK) and not self.ledger.read_only:
            from desktop.evidence_dialogs import delete_interactively

            if delete_interactively(self, self.ledger, link.removeprefix(EVIDENCE_DELETE_LINK), self.operator):
                self._show_detail(self.current_task_id())
        else:
            self._show_detail(self.current_task_id(), full_history=link == SHOW_ALL_LINK)

    def open_drafts(self) -> None:
        """Reopen the newest draft (the status bar says how many are waiting)."""
        with self.ledger.Session() as session:
            drafts = list_drafts(session)
        if not drafts:
            QMessageBox.information(self, "督办台账", "没有未完成的草稿。")
            return
        draft = drafts[0]
        self.open_task(draft.task_id)
        self.enter_progress(draft.task_id, draft.unit, draft.period)

    def batch_entry(self) -> None:
        from desktop.batch_dialog import BatchEntryDialog

        row = self.table.currentIndex().data(TASK_ROLE)
        unit = self.proxy.filter.unit or (row.task.lead[0] if row and row.task.lead else None) or self.unit_combo.itemData(1)
        dialog = BatchEntryDialog(self.ledger, unit=unit, period=self.settings.current_period, operator=self.operator, units=self._unit_names(), parent=self)
        dialog.exec()
        self.refresh()

    def sign_off(self) -> None:
        from desktop.decision_dialogs import SignOffDialog

        if (task_id := self._need_task()) is not None:
            self._run_dialog(SignOffDialog(self.ledger, task_id, self.operator, parent=self))

    def revoke_sign_off(self) -> None:
        from desktop.decision_dialogs import RevokeSignOffDialog

        if (task_id := self._need_task()) is not None:
            self._run_dialog(RevokeSignOffDialog(self.ledger, task_id, self.operator, parent=self))

    def extend(self) -> None:
        from desktop.decision_dialogs import ExtensionDialog

        if (task_id := self._need_task()) is not None:
            self._run_dialog(ExtensionDialog(self.ledger, task_id, self.operator, parent=self))

    def correct_task(self) -> None:
        from desktop.decision_dialogs import CorrectionDialog

        if (task_id := self._need_task()) is not None:
            self._run_dialog(CorrectionDialog(self.ledger, task_id, self.operator, parent=self), reload=True)

    def _unit_names(self) -> list[str]:
        return [self.unit_combo.itemData(i) for i in range(1, self.unit_combo.count())]

    def export(self) -> None:
        from desktop.export_dialogs import ExportDialog

        folder = self.prefs.value("export_folder", "")
        dialog = ExportDialog(
            self.ledger,
            period=self.settings.current_period,
            units=self._unit_names(),
            unit=self.proxy.filter.unit,
            folder=Path(folder) if folder else None,
            operator=self.operator,
            parent=self,
        )
        dialog.exec()
        if dialog.written:
            self.prefs.setValue("export_folder", str(dialog.written[0].parent))

    def import_templates(self) -> None:
        from desktop.export_dialogs import import_templates_interactively

        folder = self.prefs.value("export_folder", "")
        import_templates_interactively(self, self.ledger, self.operator, Path(folder) if folder else None, on_imported=lambda _reports: self.refresh())

    def open_other_ledger(self) -> None:
        """Open another ledger file, e.g. a field packet on the laptop; the current one is closed."""
        from PySide6.QtWidgets import QFileDialog

        from desktop.safety_dialogs import open_ledger_interactively

        chosen, _ = QFileDialog.getOpenFileName(self, "打开台账或外勤数据包", str(self.ledger.path.parent), "督办台账 (*.sqlite *.duban);;所有文件 (*)")
        if not chosen:
            return
        try:
            other = open_ledger_interactively(self, chosen)
        except UserError as exc:
            QMessageBox.warning(self, "无法打开", str(exc))
            return
        if other is None:
            return
        self.ledger.close()
        self.ledger = other
        self._enable_writing()
        self.load()

    def merge_packet(self) -> None:
        from desktop.merge_dialogs import merge_packet_interactively

        merge_packet_interactively(self, self.ledger, self.operator, self.ledger.path.parent, on_merged=self.refresh)

    def show_conflicts(self) -> None:
        from desktop.merge_dialogs import ConflictDialog

        ConflictDialog(self.ledger, self.operator, self).exec()
        self.refresh()

    def edit_settings(self) -> None:
        from desktop.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ledger, self.operator, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.operator = dialog.operator_name
            self.prefs.setValue("operator", self.operator)
            self.reload()

    # ----- layout memory ------------------------------------------------------------------

    def _restore_layout(self) -> None:
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("state", self.restoreState),
            ("outer", self.outer.restoreState),
            ("task_split", self.task_split.restoreState),
            ("columns", self.table.horizontalHeader().restoreState),
        ):
            value = self.prefs.value(key)
            if value is not None:
                restore(value)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.prefs.setValue("geometry", self.saveGeometry())
        self.prefs.setValue("state", self.saveState())
        self.prefs.setValue("outer", self.outer.saveState())
        self.prefs.setValue("task_split", self.task_split.saveState())
        self.prefs.setValue("columns", self.table.horizontalHeader().saveState())
        super().closeEvent(event)


def _choice(combo: QComboBox) -> str | None:
    return None if combo.currentText() == ALL else combo.currentText()


def _select_data(combo: QComboBox, value) -> None:
    combo.blockSignals(True)
    combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
    combo.blockSignals(False)


def _select_text(combo: QComboBox, text: str) -> None:
    combo.blockSignals(True)
    combo.setCurrentIndex(max(0, combo.findText(text)))
    combo.blockSignals(False)
