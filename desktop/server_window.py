"""The main window on a server ledger: 打开服务器台账…, menus that follow the login's role, and a poll for others' changes.

A mixin of MainWindow.  On a ledger file everything here stays out of the way: the access is always the
office's (db.accounts.FILE_ACCESS), no poll runs and the status bar shows no login.

The role is read once, with the window's first snapshot (db.accounts.current_access).  Until then a
server ledger's window allows what a reader may do, so nothing can be written by a login that may not.
The server enforces the same rules whatever the window shows; hiding actions only spares the clerk a refusal.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from db.accounts import FILE_ACCESS, Access
from db.audit import default_operator
from db.changes import Changes, change_mark, changes_since
from db.errors import INSUFFICIENT_PRIVILEGE, known_error
from db.vocabulary import AccountRole
from desktop.navigation import FILTER_ROLE
from desktop.ops import runner

log = logging.getLogger("duban.server")

POLL_MS = 15_000  # how often a server ledger's window asks whether others changed something
LOGIN_CHARS = 14  # the status bar's 登录 shows this much of a long login (all of it in the tooltip)
PENDING_ACCESS = Access(login=None, role=AccountRole.READER)  # a server ledger's window until its role is read

# Who may use an action (the `who` of MainWindow._build_actions' action()).
ANYONE = "anyone"  # browsing, searching, views, help
REPORTING = "reporting"  # the office and a unit login: entering reports and evidence
OFFICE = "office"  # the office only: decisions, corrections, settings, plans, templates, packets
BROWSING = "browsing"  # the office and a reader: exports (a unit login's exports would be templates and packets)
FILE_ONLY = "file"  # a ledger file's own concerns (backup, restore): a server ledger is backed up on the server
_ROLES = {
    ANYONE: set(AccountRole),
    REPORTING: {AccountRole.OFFICE, AccountRole.UNIT},
    OFFICE: {AccountRole.OFFICE},
    BROWSING: {AccountRole.OFFICE, AccountRole.READER},
    FILE_ONLY: set(AccountRole),
}


def server_label(ledger) -> str:
    """The server ledger's name for the title and status bar: host:port/database, never a password."""
    return ledger.label.rsplit("@", 1)[-1].split("?", 1)[0]


def action_allowed(who: str, access: Access, server: bool) -> bool:
    """Whether a login of this access may use an action of this kind on this ledger."""
    if who == FILE_ONLY and server:
        return False
    return access.role in _ROLES[who]


def read_access(session) -> tuple[Access, list[str], int | None]:
    """On the worker: the login's access, the names of the units it reports for, and the audit mark to poll from.

    The mark is None on a ledger file, and for a login the server does not let read the audit log (no poll then).
    """
    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError

    from db.accounts import current_access
    from db.models import Unit

    access = current_access(session)
    if session.get_bind().dialect.name != "postgresql":
        return access, [], None
    names = sorted(session.scalars(select(Unit.name).where(Unit.id.in_(access.unit_ids)))) if access.unit_ids else []
    try:
        with session.begin_nested():  # a refusal rolls back to here, and the snapshot's reading goes on
            mark = change_mark(session)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        log.warning("登录 %s 无权读取审计日志，不自动检查其他用户的更新（可按 F5 刷新）", access.login)
        mark = None
    return access, names, mark


class ServerWindow:
    """MainWindow's server-ledger parts: open a server ledger, follow the role, poll for others' changes."""

    # ----- set-up (MainWindow.__init__ and start_loading call these) ----------------------------------

    def _init_server_parts(self) -> None:
        """The login label, the unit clerk's bar above the table and the poll timer (idle on a ledger file)."""
        self.access: Access = FILE_ACCESS
        self.own_units: list[str] = []
        self._change_mark = 0
        self._polling = False
        self.account_label = QLabel()
        self.account_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.account_label)
        self.unit_bar = QWidget()
        bar = QHBoxLayout(self.unit_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.unit_bar_label = QLabel()
        self.unit_bar_label.setTextFormat(Qt.TextFormat.PlainText)
        self.unit_batch_button = QPushButton("批量填报本单位进展…（Ctrl+B）")
        self.unit_batch_button.clicked.connect(lambda: self.batch_entry() if self.model is not None else None)
        bar.addWidget(self.unit_bar_label, 1)
        bar.addWidget(self.unit_batch_button)
        self.unit_bar.setVisible(False)
        self.task_tab.layout().insertWidget(0, self.unit_bar)
        self.poll_timer = QTimer(self, interval=POLL_MS)
        self.poll_timer.timeout.connect(self.poll_changes)

    def _ledger_opened(self) -> None:
        """A (re)opened ledger: the role is unknown until the snapshot arrives, so a server ledger allows reading only."""
        self.poll_timer.stop()
        self.access = PENDING_ACCESS if self.ledger.server else FILE_ACCESS
        self.own_units = []
        self.unit_bar.setVisible(False)
        self._gate_actions()

    def _apply_access(self, access: Access, own_units: list[str], mark: int | None) -> None:
        """The login's role, read with the first snapshot: menus follow it; a unit login opens on its own tasks."""
        self.access, self.own_units, self._change_mark = access, own_units, mark or 0
        if self.ledger.server and access.login and self.operator == default_operator():
            # No clerk's name was set: on a server the login names the person, not this PC's account.
            self.operator = access.login
            self._show_period()
        self._gate_actions()
        self._show_account()
        if not self.ledger.server:
            return
        if mark is not None:  # None: the server does not let this login read the audit log
            self.poll_timer.start()
        if access.role is AccountRole.UNIT:
            self._open_on_own_units()

    # ----- menus and actions --------------------------------------------------------------------------

    def _tag_action(self, act: QAction, who: str) -> None:
        self._action_roles.append((act, who))

    def _action_is_allowed(self, act: QAction) -> bool:
        who = next((w for a, w in self._action_roles if a is act), ANYONE)
        return action_allowed(who, self.access, self.ledger.server)

    def _gate_actions(self) -> None:
        """Show only the actions the role may use; a menu left empty goes too.  Writes are then enabled by _enable_writing."""
        writes = set(map(id, self.write_actions))
        for act, who in self._action_roles:
            allowed = action_allowed(who, self.access, self.ledger.server)
            act.setVisible(allowed)
            if id(act) not in writes:  # nor by its shortcut (write actions: _enable_writing)
                act.setEnabled(allowed)
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if menu is not None:
                menu_action.setVisible(any(a.isVisible() and not a.isSeparator() for a in menu.actions()))
        self._enable_writing()

    def _may_write(self) -> bool:
        """Whether this window may write at all (not a read-only file, not a reader login)."""
        return not self.ledger.read_only and self.access.can_write

    def _entry_refusal(self) -> str | None:
        """Why 录入进展 cannot open here, or None (the table's double-click and Enter come here too)."""
        if self.ledger.read_only:
            return "台账以只读方式打开，不能录入进展。"
        if not self.access.can_write:
            return f"当前登录 {self.access.login or ''}（{self.access.role.label}）只能查看，不能录入进展。"
        return None

    def _own_unit_ids(self) -> frozenset[int] | None:
        """The units a unit login may report for (None: any unit)."""
        return self.access.unit_ids if self.access.role is AccountRole.UNIT else None

    def _batch_units(self, unit: str | None, units: list[str]) -> tuple[str | None, list[str]]:
        """The batch grid's unit and unit list: a unit login gets its own units only (None: it has none)."""
        if self.access.role is not AccountRole.UNIT:
            return unit, units
        if not self.own_units:
            return None, []
        return (unit if unit in self.own_units else self.own_units[0]), list(self.own_units)

    def _show_account(self) -> None:
        """On a server ledger: the login, its role and the server in the status bar and the title."""
        if not self.ledger.server:
            self.account_label.setVisible(False)
            return
        where = server_label(self.ledger)
        who = f"{self.access.login}（{self.access.role.label}）" if self.access.login else "正在读取登录身份"
        # The status bar is narrow on a 1280×720 screen: the login and role there, the server in the title and tooltip.
        room = self.fontMetrics().horizontalAdvance("中") * LOGIN_CHARS
        self.account_label.setText("登录：" + self.fontMetrics().elidedText(who, Qt.TextElideMode.ElideMiddle, room))
        self.account_label.setToolTip(f"登录名：{self.access.login or ''}\n角色：{self.access.role.label}\n服务器台账：{where}")
        self.account_label.setVisible(True)
        self.setWindowTitle(f"督办台账 — 服务器台账 {where} — {who} — {self.plan_title}")

    def _open_on_own_units(self) -> None:
        """A unit login starts on 按单位 at its own unit, the table filtered to its tasks, the batch grid one click away."""
        names = self.own_units
        if not names:
            self.unit_bar_label.setText(f"登录 {self.access.login} 尚未指定所属单位，请联系督办办公室。")
            self.unit_batch_button.setVisible(False)
            self.unit_bar.setVisible(True)
            return
        self.unit_bar_label.setText(f"本单位：{'、'.join(names)}　当前报送期间的进展可在“批量填报”中一次录入，也可双击任务逐项录入。")
        self.unit_batch_button.setVisible(True)
        self.unit_bar.setVisible(True)
        self.nav_tabs.setCurrentIndex(1)
        self.tabs.setCurrentIndex(0)
        index = self._unit_node(names[0])
        if index is not None:
            self.unit_view.expand(index)
            self.unit_view.setCurrentIndex(index)  # applies its filter (the unit's tasks)
            self.unit_view.scrollTo(index)
        else:
            self.apply_filter(unit=names[0])

    def _unit_node(self, name: str):
        model = self.unit_view.model()
        if model is None:
            return None
        for kind in range(model.rowCount()):
            kind_index = model.index(kind, 0)
            for row in range(model.rowCount(kind_index)):
                index = model.index(row, 0, kind_index)
                if index.data(FILTER_ROLE) == {"unit": name}:
                    return index
        return None

    # ----- 打开服务器台账… -------------------------------------------------------------------------------

    def open_server(self) -> None:
        """台账 → 打开服务器台账…: ask for the address and login, connect on the worker, then show that ledger here."""
        from desktop.server_dialog import ServerDialog

        if self._ledger_busy():
            return
        dialog = ServerDialog(self.prefs, self)
        if dialog.exec() and dialog.ledger is not None:
            self._switch_ledger(dialog.ledger)

    # ----- others' changes ------------------------------------------------------------------------------

    def poll_changes(self) -> None:
        """Ask the server (on the worker) whether other logins changed something; skipped while other work is queued."""
        if not self.ledger.server or self.model is None or self._polling or runner().busy:
            return
        ledger, mark, login = self.ledger, self._change_mark, self.access.login
        self._polling = True

        def read() -> Changes:
            with ledger.Session() as session:
                return changes_since(session, mark, login)

        runner().query(read, self._alive(self._changes_read), on_failure=self._alive(self._poll_failed), parent=self)

    def _changes_read(self, changes: Changes) -> None:
        self._polling = False
        self._change_mark = changes.mark
        if changes.by_others:
            self._show_others_changes(changes)

    def _poll_failed(self, error: BaseException) -> None:
        """A lost connection: said in the status bar, tried again at the next tick.  A login refused the audit log stops polling."""
        self._polling = False
        if getattr(getattr(error, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            self.poll_timer.stop()
            log.warning("登录 %s 无权读取审计日志，不再自动检查其他用户的更新（可按 F5 刷新）", self.access.login)
            return
        known = known_error(error)
        log.warning("检查其他用户的更新失败：%s", known.message if known else error, exc_info=known is None)
        self.statusBar().showMessage(f"暂时无法检查其他用户的更新，稍后自动重试。{known.message if known else ''}", 10_000)

    def _show_others_changes(self, changes: Changes) -> None:
        """Read the changed data again, the selection and scroll kept, and say so in the status bar."""
        from desktop.main_window import read_snapshot, read_states

        ledger, plan_id = self.ledger, self.plan_id
        note = f"已刷新：其他用户更新了 {changes.by_others} 条记录"
        scroll = self.table.verticalScrollBar(), self.table.horizontalScrollBar()

        def keep_place(apply):
            def applied(read) -> None:
                positions = [bar.value() for bar in scroll]
                view = self.capture_view()
                apply(read)
                self.restore_view(view)
                for bar, value in zip(scroll, positions):
                    bar.setValue(value)
                self.statusBar().showMessage(note, 15_000)

            return self._alive(applied)

        if changes.plan_data:
            runner().query(lambda: read_snapshot(ledger), keep_place(self.apply_snapshot), parent=self)
        else:
            runner().query(lambda: read_states(ledger, plan_id), keep_place(self._apply_states), parent=self)
