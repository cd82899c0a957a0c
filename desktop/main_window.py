"""The workbook's main window: navigation tree, filtered task table, detail, dashboard and monthly review.

Widgets only show and collect; every rule (warnings, completion, validation) is a db/ service.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, Qt, QTimer
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
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from db.accounts import FILE_ACCESS, Access
from db.audit import default_operator
from db.drafts import list_drafts
from db.engine import Ledger
from db.errors import UserError
from db.indicator_actuals import actuals_of, indicator_standing
from db.ledger import UnitView, list_plans, list_tasks, list_units, resolve_plan_id
from db.marks import period_states
from db.measure_links import task_links
from db.packet_seal import packet_period
from db.periods import chinese_period
from db.progress import STATUSES
from db.review import compare_months, completion_by_annex, completion_by_lead_unit, status_distribution
from db.settings import OfficeSettings, load_settings
from db.task_detail import task_detail
from db.vocabulary import AccountRole
from db.warning_rules import NOT_REPORTED, SIGNED_OFF, TaskState, red_counts_by_period, red_task_ids
from desktop.act_actions import ASSESSMENT_TAB, ActWindowActions, mirror_action
from desktop.compare_view import MonthComparisonView
from desktop.detail_view import EVIDENCE_DELETE_LINK, EVIDENCE_LINK, SHOW_ALL_LINK, render_detail
from desktop.filter_bar import ChipBar, FlowWidget
from desktop.ledger_actions import LedgerFileActions
from desktop.navigation import FILTER_ROLE, TASK_ID_ROLE, WARNING_NODES, annex_tree, unit_tree, warning_tree
from desktop.ops import runner
from desktop.screen import fit_to_screen, is_small_screen
from desktop.server_window import ANYONE, BROWSING, FILE_ONLY, OFFICE, PENDING_ACCESS, REPORTING, ServerWindow, read_access
from desktop.task_model import (
    COL_ANNEX,
    COL_DEADLINE,
    COL_LABEL,
    COL_LAST,
    COL_LEAD,
    COL_LIGHT,
    COL_PERCENT,
    COL_STATUS,
    COL_SUPPORT,
    COL_TITLE,
    COLUMNS,
    ROLE_LEAD,
    ROLE_OTHER,
    ROLE_SUPPORT,
    TASK_ROLE,
    TaskFilterProxy,
    TaskRow,
    TaskTableModel,
    build_rows,
)
from desktop.view_state import filter_from_json, filter_to_json, restore_tree, tree_state

ALL = "全部"
TREE_FIELDS = ("annex", "section", "unit", "role", "colour", "task_ids")
# Column widths in characters of the window's font; 任务 takes what is left of the table's width.
COLUMN_CHARS = {COL_LIGHT: 4.5, COL_ANNEX: 3.5, COL_LABEL: 4, COL_LEAD: 10, COL_SUPPORT: 10, COL_DEADLINE: 10, COL_STATUS: 4.5, COL_PERCENT: 3.5, COL_LAST: 9}
# The columns a clerk needs at a glance come first; 配合单位 and 最近报送 follow (配合单位 is hidden on a small screen).
VISUAL_ORDER = (COL_LIGHT, COL_ANNEX, COL_LABEL, COL_TITLE, COL_LEAD, COL_DEADLINE, COL_STATUS, COL_PERCENT, COL_LAST, COL_SUPPORT)
SEARCH_DELAY_MS = 120
PLAN_LABEL_CHARS = 22  # the status bar's 当前计划 shows this much of a long title (the whole one in its tooltip)
LOADING = "正在读取台账……"
VIEW_STATE_VERSION = 1
INDICATOR_TAB = 3
FILTER_LABELS = {"annex": "附件", "section": "分组", "unit": "单位", "role": "角色", "status": "状态", "colour": "预警", "due_month": "时限", "task_ids": "指定任务", "text": "搜索"}


@dataclass
class LedgerSnapshot:
    """Everything the window shows, read in one go (off the GUI thread at start-up)."""

    plan_id: int
    plan_title: str
    settings: OfficeSettings
    units: list[UnitView]
    rows: list[TaskRow]
    packet_period: str | None = None
    # The login's access (a ledger file: the office), a unit login's unit names, and the audit mark the poll starts from.
    access: Access = FILE_ACCESS
    own_units: list[str] = field(default_factory=list)
    change_mark: int | None = None


def read_snapshot(ledger: Ledger) -> LedgerSnapshot:
    """The whole ledger as the window shows it (runs on the op runner's worker); colours are recorded by db/ on every write."""
    with ledger.Session() as session:
        access, own_units, mark = read_access(session)  # the mark first: a change made while reading is polled again
        plan_id = resolve_plan_id(session, None)
        settings = load_settings(session)
        plan = next(p for p in list_plans(session) if p.id == plan_id)
        tasks = list_tasks(session, plan_id=plan_id)
        units = list_units(session, plan_id)
        states = period_states(session, plan_id, settings, record=False)
        packet = packet_period(session)
    rows = build_rows(tasks, states, {u.name: u.aliases for u in units})
    return LedgerSnapshot(plan_id, plan.title, settings, units, rows, packet, access, own_units, mark)


def read_states(ledger: Ledger, plan_id: int) -> tuple[OfficeSettings, dict[int, TaskState]]:
    """The settings and this period's state of every task (a refresh, on the worker)."""
    with ledger.Session() as session:
        settings = load_settings(session)
        return settings, period_states(session, plan_id, settings, record=False)


class MainWindow(ServerWindow, LedgerFileActions, ActWindowActions, QMainWindow):
    """督办台账 main window over one ledger.

    Until a snapshot is applied (start_loading reads it on the op runner's worker) the table shows
    正在读取台账…… and every action that needs the tasks says so instead of acting.
    """

    def __init__(self, ledger: Ledger, prefs: QSettings | None = None):
        super().__init__()
        self.ledger = ledger
        self.prefs = prefs or QSettings("duban", "duban")
        self.operator = self.prefs.value("operator", "") or default_operator()
        self.settings = OfficeSettings()
        self.plan_id: int | None = None
        self.plan_title = ""
        self.packet_period: str | None = None
        self.model: TaskTableModel | None = None
        self._task_ids_label = ""  # what a task_ids filter stands for ("2022年6月逾期")
        self._quiet_trees = False  # restoring a tree's current node must not re-apply its filter
        self.setWindowTitle("督办台账")
        self._build_navigation()
        self._build_task_tab()
        self.dashboard_holder = QWidget()  # pyqtgraph (and numpy) load when the tab is first opened
        QVBoxLayout(self.dashboard_holder).setContentsMargins(0, 0, 0, 0)
        self.dashboard = None
        self.comparison = MonthComparisonView()
        self.comparison.task_requested.connect(self.open_task)
        self.indicator_holder = QWidget()  # like the dashboard: built (with pyqtgraph) when first opened
        QVBoxLayout(self.indicator_holder).setContentsMargins(0, 0, 0, 0)
        self.indicators = None
        self._indicator_unit: str | None = None
        self.tabs = QTabWidget()
        self.tabs.addTab(self.task_tab, "任务台账")
        self.tabs.addTab(self.dashboard_holder, "仪表盘")
        self.tabs.addTab(self.comparison, "月度对比")
        self.tabs.addTab(self.indicator_holder, "指标")
        self.tabs.addTab(self._build_act_parts(), "综合考评")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.outer = QSplitter()
        self.outer.addWidget(self.nav_tabs)
        self.outer.addWidget(self.tabs)
        self.outer.setStretchFactor(1, 1)
        self.outer.setCollapsible(1, False)
        self.setCentralWidget(self.outer)
        self.period_label = QLabel()
        self.count_label = QLabel()
        self.plan_label = QLabel()  # the current plan's title, always in sight when several plans are kept
        self.statusBar().addWidget(self.period_label, 1)
        self.statusBar().addPermanentWidget(self.plan_label)
        self.statusBar().addPermanentWidget(self.count_label)
        self.write_actions: list[QAction] = []  # disabled while the ledger is open read-only or a write runs
        self._writing = False
        self._action_roles: list[tuple[QAction, str]] = []  # who may use each action (desktop.server_window)
        self._init_server_parts()
        self.access = PENDING_ACCESS if self.ledger.server else FILE_ACCESS
        self._build_actions()
        self._gate_actions()
        runner().busy_changed.connect(self._on_runner_busy_changed)
        self._place_window()

    # ----- layout -------------------------------------------------------------------------

    def _place_window(self) -> None:
        """The saved geometry, or a share of this screen; on a small office screen the window opens maximised."""
        geometry = self.prefs.value("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            fit_to_screen(self, 0.94, 0.94)
            if is_small_screen(self):
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        nav = max(220, min(320, self.width() // 5))
        self.outer.setSizes([nav, max(1, self.width() - nav)])

    def _build_navigation(self) -> None:
        self.nav_tabs = QTabWidget()
        self.annex_view, self.unit_view, self.warning_view = QTreeView(), QTreeView(), QTreeView()
        for view, label in ((self.annex_view, "按附件"), (self.unit_view, "按单位"), (self.warning_view, "按预警")):
            view.setHeaderHidden(True)
            view.setUniformRowHeights(True)
            view.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
            # A click re-applies a node even when it is already highlighted (the bar may have changed since).
            view.clicked.connect(self._tree_activated)
            view.activated.connect(self._tree_activated)
            self.nav_tabs.addTab(view, label)

    def _build_task_tab(self) -> None:
        self.annex_combo = QComboBox()
        self.annex_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.annex_combo.setMinimumContentsLength(10)
        self.unit_combo = QComboBox()
        self.unit_combo.setEditable(True)
        self.unit_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit_combo.setMinimumContentsLength(12)
        self.role_combo = QComboBox()
        self.role_combo.addItems([ALL, ROLE_LEAD, ROLE_SUPPORT, ROLE_OTHER])
        self.status_combo = QComboBox()
        self.status_combo.addItems([ALL, NOT_REPORTED, *STATUSES, SIGNED_OFF])
        self.due_combo = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索任务、单位或拼音首字母（Ctrl+F）")
        self.search.setToolTip("多个词用空格分开，显示同时包含每个词的任务；单位可用简称或拼音首字母，如 zjj")
        self.search.setClearButtonEnabled(True)
        # The bar wraps onto a second line before the search box gets narrower than its hint.
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 24)
        self.clear_button = QPushButton("清除筛选")
        self.filter_bar = FlowWidget()
        self.filter_bar.add(self.search)
        for label, widget in (("附件", self.annex_combo), ("单位", self.unit_combo), ("角色", self.role_combo), ("状态", self.status_combo), ("时限", self.due_combo)):
            pair = QWidget()
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.setSpacing(4)
            pair_layout.addWidget(QLabel(label))
            pair_layout.addWidget(widget)
            self.filter_bar.add(pair)
        self.chips = ChipBar()
        self.chips.removed.connect(self.remove_filter)
        # 清除筛选 sits beside the chips it clears, and goes with them when no filter is active.
        self.chips_row = QWidget()
        chips_layout = QHBoxLayout(self.chips_row)
        chips_layout.setContentsMargins(0, 0, 0, 0)
        chips_layout.addWidget(self.chips, 1)
        chips_layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        self.chips_row.setVisible(False)
        self.proxy = TaskFilterProxy(self)
        self.proxy.filter_changed.connect(self._on_proxy_filter_changed)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset, self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.selectionModel().currentRowChanged.connect(self._table_row_changed)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the detail pane instead of walking 3,730 cells
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self.table.doubleClicked.connect(lambda _index: self.enter_progress())
        self.table.installEventFilter(self)
        self.loading_label = QLabel(LOADING)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.loading_label)
        self.table_stack.addWidget(self.table)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._detail_link)
        self.task_split = QSplitter(Qt.Orientation.Vertical)
        self.task_split.addWidget(self.table_stack)
        self.task_split.addWidget(self.detail)
        self.task_split.setStretchFactor(0, 2)
        self.task_split.setStretchFactor(1, 1)
        self.task_tab = QWidget()
        layout = QVBoxLayout(self.task_tab)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.chips_row)
        layout.addWidget(self.task_split, 1)
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
        def action(menu, text, slot, shortcut=None, *, writes=False, needs_tasks=True, who=None):
            act = QAction(text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(self._when_loaded(slot) if needs_tasks else (lambda _=False: slot()))
            menu.addAction(act)
            self.addAction(act)
            if writes:
                self.write_actions.append(act)
            self._tag_action(act, who or (OFFICE if writes else ANYONE))
            return act

        ledger_menu = self.menuBar().addMenu("台账(&L)")
        action(ledger_menu, "打开台账…", self.open_other_ledger, QKeySequence.StandardKey.Open, needs_tasks=False)
        action(ledger_menu, "打开外勤数据包…", self.open_packet, "Ctrl+Shift+O", needs_tasks=False)
        action(ledger_menu, "打开服务器台账…", self.open_server, needs_tasks=False)
        ledger_menu.addSeparator()
        self.import_plan_action = action(ledger_menu, "导入新计划…", self.import_plan, writes=True, needs_tasks=False)
        self.switch_plan_action = action(ledger_menu, "切换计划…", self.switch_plan, needs_tasks=False, who=OFFICE)
        ledger_menu.addSeparator()
        action(ledger_menu, "备份台账…", self.backup_ledger, needs_tasks=False, who=FILE_ONLY)
        self.restore_action = action(ledger_menu, "从备份恢复…", self.restore_ledger, writes=True, needs_tasks=False, who=FILE_ONLY)
        ledger_menu.addSeparator()
        action(ledger_menu, "设置…", self.edit_settings, "Ctrl+,", writes=True)
        action(ledger_menu, "刷新", self.refresh, QKeySequence.StandardKey.Refresh)
        ledger_menu.addSeparator()
        action(ledger_menu, "退出", self.close, QKeySequence.StandardKey.Quit, needs_tasks=False)
        task_menu = self.menuBar().addMenu("任务(&T)")
        self.entry_action = action(task_menu, "录入进展…", self.enter_progress, "Ctrl+N", writes=True, who=REPORTING)
        action(task_menu, "按单位批量录入…", self.batch_entry, "Ctrl+B", writes=True, who=REPORTING)
        action(task_menu, "附上证明材料…", self.attach_evidence, "Ctrl+Shift+A", writes=True, who=REPORTING)
        action(task_menu, "未完成的草稿…", self.open_drafts, "Ctrl+D", writes=True, who=REPORTING)
        task_menu.addSeparator()
        action(task_menu, "办结销号…", self.sign_off, "Ctrl+K", writes=True)
        action(task_menu, "撤销销号…", self.revoke_sign_off, writes=True)
        action(task_menu, "批准延期…", self.extend, "Ctrl+L", writes=True)
        action(task_menu, "更正任务数据…", self.correct_task, "Ctrl+E", writes=True)
        task_menu.addSeparator()
        self.indicator_entry_action = action(task_menu, "填报指标实际值…", self.enter_indicator_actual, writes=True, who=REPORTING)
        self.indicator_correct_action = action(task_menu, "更正指标…", self.correct_indicator, writes=True)
        action(task_menu, "总体方案措施关联…", self.review_measure_links, who=OFFICE)
        self._build_act_menu(action)
        exchange_menu = self.menuBar().addMenu("导出与导入(&E)")
        action(exchange_menu, "导出台账、通报、通知单或报送模板…", self.export, "Ctrl+Shift+S", who=BROWSING)
        action(exchange_menu, "导入单位报送模板…", self.import_templates, "Ctrl+I", writes=True)
        exchange_menu.addSeparator()
        action(exchange_menu, "合并带回的外勤数据包…", self.merge_packet, "Ctrl+M", writes=True)
        action(exchange_menu, "处理合并冲突…", self.show_conflicts, writes=True)
        view_menu = self.menuBar().addMenu("视图(&V)")
        action(view_menu, "查找", self._focus_search, QKeySequence.StandardKey.Find, needs_tasks=False)
        action(view_menu, "清除筛选", self.clear_filters, "Ctrl+Shift+F")
        for number, label in enumerate(("按附件", "按单位", "按预警"), start=1):
            action(view_menu, label, lambda i=number - 1: self.nav_tabs.setCurrentIndex(i), f"Ctrl+{number}", needs_tasks=False)
        for number, label in enumerate(("任务台账", "仪表盘", "月度对比", "指标", "综合考评"), start=4):
            action(view_menu, label, lambda i=number - 4: self.tabs.setCurrentIndex(i), f"Ctrl+{number}", needs_tasks=False)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        action(help_menu, "使用说明", self.show_guide, QKeySequence.StandardKey.HelpContents, needs_tasks=False)
        action(help_menu, "关于督办台账", self.show_about, needs_tasks=False)

    def _when_loaded(self, slot: Callable[[], None]) -> Callable[..., None]:
        """An action that needs the tasks says 正在读取 until the snapshot is applied (F5 during start-up)."""

        def guarded(_checked: bool = False) -> None:
            if self.model is None:
                self.statusBar().showMessage(LOADING + "请稍候。", 3000)
                return
            slot()

        return guarded

    def _enable_writing(self) -> None:
        """A read-only ledger (another duban is writing it) can be browsed and exported, not changed; nor while a write runs."""
        for act in self.write_actions:
            act.setEnabled(self._may_write() and not self._writing and self._action_is_allowed(act))

    def _on_runner_busy_changed(self, busy: bool) -> None:
        self._writing = busy
        self._enable_writing()

    def _column_menu(self, pos) -> None:
        """Right-click on the header: show or hide a column (remembered with the column widths)."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column, name in enumerate(COLUMNS):
            act = menu.addAction(name)
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(column))
            act.setEnabled(column != COL_TITLE)
            act.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
        menu.exec(header.mapToGlobal(pos))

    def _fit_columns(self) -> None:
        """Widths from the font, 任务 stretched over what is left, so the main columns fit without scrolling."""
        header = self.table.horizontalHeader()
        char = self.fontMetrics().horizontalAdvance("中")
        for column, chars in COLUMN_CHARS.items():
            header.resizeSection(column, int(chars * char) + 12)
        for visual, column in enumerate(VISUAL_ORDER):
            header.moveSection(header.visualIndex(column), visual)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionHidden(COL_SUPPORT, is_small_screen(self))  # in the detail pane; the header menu shows it

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Enter on a task row opens 录入进展, as a double-click does."""
        if watched is self.table and event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.current_task_id() is not None:
                self.enter_progress()
                return True
        return super().eventFilter(watched, event)

    # ----- data ---------------------------------------------------------------------------

    def start_loading(self) -> None:
        """Read the ledger on the op runner's worker and show it; the window shows 正在读取 meanwhile."""
        ledger = self.ledger
        self._ledger_opened()
        self.table_stack.setCurrentWidget(self.loading_label)
        self.statusBar().showMessage(LOADING)
        runner().query(lambda: read_snapshot(ledger), self._alive(self._on_snapshot_read), parent=self)

    def _on_snapshot_read(self, snapshot: LedgerSnapshot) -> None:
        self.statusBar().clearMessage()
        self.apply_snapshot(snapshot)

    def _alive(self, callback: Callable) -> Callable:
        """A callback that does nothing once the window is gone (closed while its op ran)."""
        return lambda *args: callback(*args) if shiboken6.isValid(self) else None

    def load(self) -> None:
        """Read the ledger on this thread and build every view (tests and the unattended screenshot)."""
        self.apply_snapshot(read_snapshot(self.ledger))

    def apply_snapshot(self, snapshot: LedgerSnapshot) -> None:
        """Build the views from data read off the GUI thread; the first time, restore how the window was left."""
        first = self.model is None
        self.plan_id, self.settings, self.plan_title = snapshot.plan_id, snapshot.settings, snapshot.plan_title
        self.packet_period = snapshot.packet_period
        rows, units = snapshot.rows, snapshot.units
        self.model = TaskTableModel(rows, self)
        self.proxy.setSourceModel(self.model)  # the header keeps its sections' widths, order and hidden ones
        self.table_stack.setCurrentWidget(self.table)
        self._fill_combos(rows, units)
        self.annex_view.setModel(annex_tree(rows, self))
        self.annex_view.expand(self.annex_view.model().index(0, 0))
        self.unit_view.setModel(unit_tree(rows, units, self))
        self._rebuild_warning_tree()
        self.annex_view.selectionModel().currentChanged.connect(self._tree_changed)
        self.unit_view.selectionModel().currentChanged.connect(self._tree_changed)
        self._show_period()
        self._update_count()
        if first:
            self._restore_layout()
            self.restore_view(self._saved_view())
            self._apply_access(snapshot.access, snapshot.own_units, snapshot.change_mark)
        self._on_proxy_filter_changed()

    def refresh(self) -> None:
        """Re-read the settings and the period's states on the worker, then show them (the plan data stays as loaded)."""
        if self.model is None:
            self.statusBar().showMessage(LOADING + "请稍候。", 3000)
            return
        ledger, plan_id = self.ledger, self.plan_id
        runner().query(lambda: read_states(ledger, plan_id), self._alive(self._apply_states), parent=self)

    def _apply_states(self, read: tuple[OfficeSettings, dict[int, TaskState]]) -> None:
        """New settings and states: trees, filters, selection and layout stay as the clerk left them."""
        self.settings, states = read
        view = self.capture_view()
        self.model.set_states(states)
        self._rebuild_warning_tree()
        self._fill_due_combo(self.model.rows)
        self.restore_view(view)
        self._show_period()
        self._show_detail(self.current_task_id())
        if self.tabs.currentIndex() != 0:
            self._tab_changed(self.tabs.currentIndex())

    def reload(self) -> None:
        """Re-read everything on the worker (after a correction changed plan data), keeping the view as it was."""
        if self.model is None:
            return
        ledger = self.ledger

        def apply(snapshot: LedgerSnapshot) -> None:
            view = self.capture_view()
            self.apply_snapshot(snapshot)
            self.restore_view(view)

        runner().query(lambda: read_snapshot(ledger), self._alive(apply), parent=self)

    def _rebuild_warning_tree(self) -> None:
        self.warning_view.setModel(warning_tree(self.model.rows, self))
        self.warning_view.selectionModel().currentChanged.connect(self._tree_changed)

    def _fill_combos(self, rows, units) -> None:
        for combo in (self.annex_combo, self.unit_combo):
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
        completer = QCompleter([self.unit_combo.itemText(i) for i in range(1, self.unit_combo.count())], self.unit_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.unit_combo.setCompleter(completer)
        for combo in (self.annex_combo, self.unit_combo):
            combo.blockSignals(False)
        self._fill_due_combo(rows)

    def _fill_due_combo(self, rows) -> None:
        self.due_combo.blockSignals(True)
        self.due_combo.clear()
        self.due_combo.addItem(ALL, None)
        for month in sorted({r.state.due.isoformat()[:7] for r in rows if r.state and r.state.due}):
            self.due_combo.addItem(chinese_period(month), month)
        _select_data(self.due_combo, self.proxy.filter.due_month)
        self.due_combo.blockSignals(False)

    def _show_period(self) -> None:
        drafts = self._draft_count()
        self.period_label.setText(
            f"{self.settings.office_name}　当前报送期间：{chinese_period(self.settings.current_period)}　"
            f"操作员：{self.operator}" + (f"　未完成草稿 {drafts} 份（Ctrl+D）" if drafts else "")
            + ("　只读：另一个督办台账正在使用此台账，只能查看和导出" if self.ledger.read_only else "")
            + (f"　外勤数据包：{self.ledger.path.name}，填报后带回办公室合并" if self.packet_period else "")
        )
        room = self.fontMetrics().horizontalAdvance("中") * PLAN_LABEL_CHARS
        self.plan_label.setText("当前计划：" + self.fontMetrics().elidedText(self.plan_title, Qt.TextElideMode.ElideMiddle, room))
        self.plan_label.setToolTip(self.plan_title)
        if self.packet_period:
            where = f"外勤数据包（{self.packet_period}，{self.ledger.path.name}）"
        else:  # a server ledger by its address (never the password), a file by its name
            where = f"服务器台账 {self.ledger.label}" if self.ledger.server else self.ledger.path.name
        self.setWindowTitle(f"督办台账 — {where} — {self.plan_title}" + ("（只读）" if self.ledger.read_only else ""))
        self._show_account()

    def _draft_count(self) -> int:
        with self.ledger.Session() as session:
            return len(list_drafts(session))

    def _update_count(self, *_args) -> None:
        if self.model is None or self.proxy.sourceModel() is None:
            return
        self.count_label.setText(f"显示 {self.proxy.rowCount()} / {self.model.rowCount()} 项任务")

    # ----- filtering and selection --------------------------------------------------------

    def apply_filter(self, **fields) -> None:
        """Replace the tree-driven part of the filter (the bar's combos and chips follow the filter)."""
        changes = {name: fields.get(name) for name in TREE_FIELDS}
        changes.update({k: v for k, v in fields.items() if k not in TREE_FIELDS})
        self.proxy.update_filter(**changes)

    def _on_proxy_filter_changed(self) -> None:
        """Mirror the filter in the combos and show every active part of it as a removable chip."""
        filter_ = self.proxy.filter
        _select_data(self.annex_combo, filter_.annex)
        _select_data(self.unit_combo, filter_.unit)
        _select_text(self.role_combo, filter_.role or ALL)
        _select_text(self.status_combo, filter_.status or ALL)
        _select_data(self.due_combo, filter_.due_month)
        self.chips.show_chips([(name, f"{FILTER_LABELS[name]}：{self._describe(name, value)}") for name, value in filter_.active().items()])
        self.chips_row.setVisible(bool(filter_.active()))

    def _describe(self, name: str, value) -> str:
        if name == "annex":
            index = self.annex_combo.findData(value)
            return self.annex_combo.itemText(index) if index > 0 else f"附件{value}"
        if name == "colour":
            return dict(WARNING_NODES).get(value, value)
        if name == "due_month":
            return chinese_period(value)
        if name == "task_ids":
            return f"{self._task_ids_label}（{len(value)} 项）" if self._task_ids_label else f"{len(value)} 项"
        return str(value)

    def remove_filter(self, name: str) -> None:
        """A chip's ×: drop that part of the filter only."""
        if name == "text":
            self._search_timer.stop()
            self.search.clear()
            self.proxy.update_filter(text="")
            return
        changes = {name: None}
        if name == "annex":
            changes["section"] = None  # a section belongs to its annex
        self.proxy.update_filter(**changes)
        if name in TREE_FIELDS:
            self._clear_tree_selection()

    def clear_filters(self) -> None:
        self._search_timer.stop()
        self.search.clear()
        self.apply_filter(status=None, due_month=None, text="")
        self._clear_tree_selection()

    def _clear_tree_selection(self) -> None:
        self._quiet_trees = True
        try:
            for view in (self.annex_view, self.unit_view, self.warning_view):
                if view.selectionModel() is not None:
                    view.selectionModel().clear()
        finally:
            self._quiet_trees = False

    def _tree_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._quiet_trees:
            self._tree_activated(current)

    def _tree_activated(self, index: QModelIndex) -> None:
        """Apply a tree node's filter (and open its task, for a task node)."""
        if not index.isValid() or self.model is None:
            return
        filter_ = index.data(FILTER_ROLE)
        if filter_ is not None:
            self.apply_filter(**filter_)
        task_id = index.data(TASK_ID_ROLE)
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
                ids = red_task_ids(session, self.plan_id, key)
            self._task_ids_label = f"{chinese_period(key)}逾期"
            self.apply_filter(task_ids=ids, status=None)
        self._clear_tree_selection()
        self.tabs.setCurrentIndex(0)

    def current_task_id(self) -> int | None:
        row = self.table.currentIndex().data(TASK_ROLE)
        return row.task.id if row else None

    def open_task(self, task_id: int) -> None:
        """Select a task in the table (clearing filters that hide it) and show its detail."""
        source_row = self.model.row_of(task_id) if self.model is not None else None
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
        states = {row.task.id: row.state for row in self.model.rows if row.state is not None}
        with self.ledger.Session() as session:
            detail = task_detail(session, task_id)
            links = task_links(session, task_id, states)
        self.detail.setHtml(render_detail(detail, states.get(task_id), full_history=full_history, links=links))

    def _tab_changed(self, index: int) -> None:
        if self.plan_id is None or self.model is None:
            return
        if index == 1:
            self._show_dashboard()
        elif index == 2:
            self._show_comparison()
        elif index == INDICATOR_TAB:
            self._show_indicators()
        elif index == ASSESSMENT_TAB:
            self._show_assessment()

    def _show_dashboard(self) -> None:
        """The figures are read on the worker; the charts are drawn when they arrive."""
        if self.dashboard is None:
            from desktop.dashboard import DashboardWidget

            self.dashboard = DashboardWidget()
            self.dashboard.filter_requested.connect(self.filter_from_dashboard)
            self.dashboard_holder.layout().addWidget(self.dashboard)
        ledger, plan_id = self.ledger, self.plan_id
        states = {row.task.id: row.state for row in self.model.rows if row.state}

        def read():
            with ledger.Session() as session:
                return (
                    completion_by_annex(session, plan_id, states),
                    completion_by_lead_unit(session, plan_id, states),
                    status_distribution(states),
                    red_counts_by_period(session, plan_id),
                )

        runner().query(read, self._alive(lambda figures: self.dashboard.show_figures(*figures)), parent=self)

    def _show_indicators(self) -> None:
        """The current period's standing of every indicator, read on the worker; the selected one's chart follows."""
        if self.indicators is None:
            from desktop.indicator_view import IndicatorPanel

            self.indicators = IndicatorPanel()
            self.indicators.indicator_selected.connect(self._show_indicator_trend)
            self.indicators.entry_requested.connect(lambda: self.indicator_entry_action.trigger())
            self.indicators.correction_requested.connect(lambda: self.indicator_correct_action.trigger())
            for button, act in ((self.indicators.entry_button, self.indicator_entry_action), (self.indicators.correct_button, self.indicator_correct_action)):
                act.changed.connect(lambda b=button, a=act: mirror_action(b, a))
                mirror_action(button, act)
            self.indicator_holder.layout().addWidget(self.indicators)
            if self.access.role is AccountRole.UNIT and self.own_units:
                self._indicator_unit = self.own_units[0]  # a unit login starts on its own indicators
        ledger, plan_id, period = self.ledger, self.plan_id, self.settings.current_period

        def read():
            with ledger.Session() as session:
                return indicator_standing(session, plan_id, period)

        def show(lines) -> None:
            self.indicators.show_standing(period, lines)
            if self._indicator_unit is not None:
                self.indicators.set_filter(unit=self._indicator_unit)
                self._indicator_unit = None

        runner().query(read, self._alive(show), parent=self)

    def _show_indicator_trend(self, indicator_id: int) -> None:
        ledger = self.ledger

        def read():
            with ledger.Session() as session:
                return actuals_of(session, indicator_id)

        runner().query(read, self._alive(lambda actuals: self.indicators.show_trend(indicator_id, actuals)), parent=self)

    def _need_indicator(self):
        """The indicator selected in the 指标 tab, or None (the tab is opened and the clerk told)."""
        line = self.indicators.current_line() if self.indicators is not None else None
        if line is None:
            self.tabs.setCurrentIndex(INDICATOR_TAB)
            self.statusBar().showMessage("请先在“指标”页中选中一项指标。", 5000)
        return line

    def enter_indicator_actual(self) -> None:
        """填报指标实际值: one unit's value for a month; a unit login offers only its own units."""
        from desktop.indicator_dialogs import ActualEntryDialog

        refusal = self._entry_refusal()  # the table's double-click comes here too
        if refusal is not None:
            self.statusBar().showMessage(refusal.replace("录入进展", "填报指标实际值"), 5000)
            return
        line = self._need_indicator()
        if line is None:
            return
        try:
            dialog = ActualEntryDialog(
                self.ledger, line, period=self.settings.current_period, operator=self.operator, only_units=self._own_unit_ids(), parent=self,
            )
        except UserError as exc:
            self.statusBar().showMessage(exc.message, 5000)
            return
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.statusBar().showMessage(f"已保存指标 {line.code} 的实际值。" if dialog.changed else f"指标 {line.code} 的实际值未变。", 5000)
            self._show_indicators()

    def correct_indicator(self) -> None:
        """更正指标: the office fixes an extracted indicator, its printed wording shown beside and kept."""
        from db.indicators import indicator_wording
        from desktop.indicator_dialogs import IndicatorCorrectionDialog

        line = self._need_indicator()
        if line is None:
            return
        with self.ledger.Session() as session:
            wording = indicator_wording(session, line.indicator_id)
        dialog = IndicatorCorrectionDialog(self.ledger, wording, self.operator, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.statusBar().showMessage(f"已更正指标 {line.code}（印发原文保留）。", 5000)
            self._show_indicators()

    def _show_comparison(self) -> None:
        ledger, plan_id, period, days = self.ledger, self.plan_id, self.settings.current_period, self.settings.due_soon_days

        def read():
            with ledger.Session() as session:
                return compare_months(session, plan_id, period, due_soon_days=days)

        runner().query(read, self._alive(self.comparison.show_comparison), parent=self)

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

        refusal = self._entry_refusal()  # the table's double-click and Enter come here too
        if refusal is not None:
            self.statusBar().showMessage(refusal, 5000)
            return
        task_id = task_id or self._need_task()
        if task_id is not None:
            try:
                dialog = ProgressEntryDialog(
                    self.ledger, task_id, period=period or self.settings.current_period, operator=self.operator, unit=unit,
                    only_units=self._own_unit_ids(), parent=self,
                )
            except UserError as exc:  # a unit login on a task none of its units reports on
                self.statusBar().showMessage(exc.message, 5000)
                return
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
        elif link.startswith(EVIDENCE_DELETE_LINK) and self._may_write():
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
        unit, units = self._batch_units(unit, self._unit_names())  # a unit login: its own units only
        if unit is None:
            self.statusBar().showMessage(f"登录 {self.access.login} 尚未指定所属单位，请联系督办办公室。", 5000)
            return
        dialog = BatchEntryDialog(self.ledger, unit=unit, period=self.settings.current_period, operator=self.operator, units=units, parent=self)
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

    def review_measure_links(self) -> None:
        """任务 → 总体方案措施关联…: confirm or reject the special-annex tasks suggested for each 附件1 measure."""
        from desktop.measure_link_dialog import MeasureLinkDialog

        dialog = MeasureLinkDialog(self.ledger, self.operator, self.settings.current_period, parent=self)
        dialog.exec()
        if dialog.changed:
            self._show_detail(self.current_task_id())

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

    def merge_packet(self) -> None:
        from desktop.merge_dialogs import merge_packet_interactively

        merge_packet_interactively(self, self.ledger, self.operator, self.ledger.folder, on_merged=self.refresh)

    def show_conflicts(self) -> None:
        from desktop.merge_dialogs import ConflictDialog

        ConflictDialog(self.ledger, self.operator, self).exec()
        self.refresh()

    def import_plan(self) -> None:
        """台账 → 导入新计划…: read, preview and import a plan file; the window follows a plan made current."""
        from desktop.plan_import_dialog import import_plan_interactively

        def imported(result, made_current: bool) -> None:
            added = getattr(result, "tasks_added", None)
            message = "计划已导入" + (f"：新增 {added} 项任务" if added is not None else "") + ("，已设为当前计划。" if made_current else "。")
            if made_current or self.model is None:
                self.reload_plan(message)
            else:
                self.statusBar().showMessage(message, 8000)

        import_plan_interactively(self, self.ledger, self.operator, self.prefs, self._alive(imported))

    def switch_plan(self) -> None:
        """台账 → 切换计划…: make another plan current, archive or unarchive one; everything is read again."""
        from desktop.plan_switch_dialog import PlanSwitchDialog

        dialog = PlanSwitchDialog(self.ledger, self.operator, parent=self)
        dialog.exec()
        if dialog.changed:
            self.reload_plan()

    def reload_plan(self, message: str | None = None) -> None:
        """Read the current plan again from scratch (another plan became current): filters go, layout stays."""
        ledger = self.ledger

        def apply(snapshot: LedgerSnapshot) -> None:
            changed = snapshot.plan_id != self.plan_id
            self.apply_snapshot(snapshot)
            if changed:
                self.clear_filters()
            self.detail.clear()
            if message:
                self.statusBar().showMessage(message, 8000)
            else:
                self.statusBar().clearMessage()  # an earlier import's message is not about this plan
            if self.tabs.currentIndex() != 0:
                self._tab_changed(self.tabs.currentIndex())

        runner().query(lambda: read_snapshot(ledger), self._alive(apply), parent=self)

    def edit_settings(self) -> None:
        from desktop.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ledger, self.operator, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.operator = dialog.operator_name
            self.prefs.setValue("operator", self.operator)
            self.refresh()  # new settings and states only: window, trees, filters and selection stay

    # ----- layout memory ------------------------------------------------------------------

    def capture_view(self) -> dict:
        """How the clerk left the window: tabs, tree nodes, filter, search, selected task (plain JSON values)."""
        return {
            "version": VIEW_STATE_VERSION,
            "nav_tab": self.nav_tabs.currentIndex(),
            "main_tab": self.tabs.currentIndex(),
            "trees": {name: tree_state(view) for name, view in self._trees().items()},
            "filter": filter_to_json(self.proxy.filter),
            "task_ids_label": self._task_ids_label,
            "search": self.search.text(),
            "task": self.current_task_id(),
        }

    def restore_view(self, view: dict | None) -> None:
        """Put back what capture_view took, without re-applying tree filters on the way."""
        if not isinstance(view, dict) or view.get("version") != VIEW_STATE_VERSION:
            return
        self._quiet_trees = True
        try:
            trees = view.get("trees") if isinstance(view.get("trees"), dict) else {}
            for name, tree in self._trees().items():
                restore_tree(tree, trees.get(name))
        finally:
            self._quiet_trees = False
        if isinstance(view.get("nav_tab"), int):
            self.nav_tabs.setCurrentIndex(view["nav_tab"])
        label = view.get("task_ids_label")
        self._task_ids_label = label if isinstance(label, str) else ""
        search = view.get("search") if isinstance(view.get("search"), str) else ""
        self.search.blockSignals(True)
        self.search.setText(search)
        self.search.blockSignals(False)
        fields = filter_from_json(view.get("filter"))
        fields["text"] = search
        self.proxy.update_filter(**fields)
        self._on_proxy_filter_changed()
        task = view.get("task")
        if isinstance(task, int) and self.model.row_of(task) is not None:
            index = self.proxy.mapFromSource(self.model.index(self.model.row_of(task), COL_TITLE))
            if index.isValid():
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
        if isinstance(view.get("main_tab"), int):
            self.tabs.setCurrentIndex(view["main_tab"])

    def _trees(self) -> dict[str, QTreeView]:
        return {"annexes": self.annex_view, "units": self.unit_view, "warnings": self.warning_view}

    def _saved_view(self) -> dict | None:
        try:
            return json.loads(self.prefs.value("view", "") or "null")
        except (TypeError, ValueError):
            return None  # a damaged preference: start with a plain view

    def _restore_layout(self) -> None:
        """Splitters and columns as saved; the first time, columns fitted to the table's width."""
        for key, restore in (("outer", self.outer.restoreState), ("task_split", self.task_split.restoreState)):
            value = self.prefs.value(key)
            if value is not None:
                restore(value)
        if self.prefs.value("task_split") is None:
            height = max(self.task_split.height(), 400)
            self.task_split.setSizes([height * 2 // 3, height // 3])
        columns = self.prefs.value("columns")
        if columns is None or not self.table.horizontalHeader().restoreState(columns):
            self._fit_columns()
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    def save_layout(self) -> None:
        """Keep geometry, splitters, columns and the view in the prefs (on close)."""
        self.prefs.setValue("geometry", self.saveGeometry())
        self.prefs.setValue("state", self.saveState())
        self.prefs.setValue("outer", self.outer.saveState())
        self.prefs.setValue("task_split", self.task_split.saveState())
        if self.model is not None:  # a window closed while loading keeps the previous session's view
            self.prefs.setValue("columns", self.table.horizontalHeader().saveState())
            self.prefs.setValue("view", json.dumps(self.capture_view(), ensure_ascii=False))
        self.prefs.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.save_layout()
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
