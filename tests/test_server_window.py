"""The window on a server ledger (issue 15, 在窗口中): 打开服务器台账…, menus that follow the login's role,
a unit login on its own tasks, and other logins' changes noticed without a restart.

Against a real PostgreSQL (tests/pg_server.py).  The logins are made here with plain SQL, as members of the
group roles duban_office / duban_unit / duban_reader: db.accounts.current_access reads exactly that.  The grants
below are only what each test's login needs to open the ledger and save; the server's real grants and row-level
security are db.server_access's (tested there).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from sqlalchemy.engine import make_url

from db.engine import open_ledger
from db.ledger import get_task
from db.progress import ProgressInput, add_progress
from desktop.task_model import TASK_ROLE

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]
UNIT = "市发展改革委"
# Actions by their menu text: what each role must (not) be offered.
OFFICE_ONLY = (
    "办结销号…", "撤销销号…", "批准延期…", "更正任务数据…", "设置…", "导入新计划…", "导入单位报送模板…", "合并带回的外勤数据包…", "切换计划…",
    "记录督查督办事项…", "督查督办记录…", "回头看…", "保存本月综合考评结果",
)
REPORTING = ("录入进展…", "按单位批量录入…", "附上证明材料…")
FILE_ONLY = ("备份台账…", "从备份恢复…")


@pytest.fixture
def server_url(pg_cluster, pg_initialised_url):
    """A private server ledger (a clone of the initialised one); the owner (superuser) is the office."""
    from tests.pg_server import template_copy

    return template_copy(pg_cluster, pg_initialised_url, prefix="window")


def _admin(cluster, url):
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=cluster.port, user=cluster.user, password=cluster.password, dbname=make_url(url).database, autocommit=True)


def make_login(cluster, url: str, role: str, units: tuple[str, ...] = ()) -> str:
    """A login of this role on the ledger at url, with its units; returns the login's URL (password included)."""
    login = f"{role}_{uuid.uuid4().hex[:8]}"
    password = uuid.uuid4().hex
    with _admin(cluster, url) as conn:
        for group in ("duban_office", "duban_unit", "duban_reader"):  # cluster-wide, made once
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (group,)).fetchone() is None:
                conn.execute(f"CREATE ROLE {group} NOLOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO duban_office, duban_unit, duban_reader")
        conn.execute("GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO duban_office")
        conn.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO duban_office")
        conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE duban_{role}")
        for unit in units:
            conn.execute("INSERT INTO account_unit (login, unit_id) SELECT %s, id FROM unit WHERE name = %s", (login, unit))
    return make_url(url).set(username=login, password=password).render_as_string(hide_password=False)


def wait_idle(qtbot):
    from desktop.ops import runner

    qtbot.waitUntil(lambda: not runner().busy, timeout=30000)


def open_window(qtbot, url, tmp_path):
    """The window as app.py starts it on `--db URL gui`: shown at once, the ledger read on the worker."""
    from desktop.main_window import MainWindow

    ledger = open_ledger(url)
    window = MainWindow(ledger, QSettings(str(tmp_path / f"prefs-{uuid.uuid4().hex[:6]}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.start_loading()
    wait_idle(qtbot)
    assert window.model is not None
    return window


@pytest.fixture
def windows():
    """Windows to close (and their ledgers) at the end of a test."""
    opened = []
    yield opened
    for window in opened:
        window.poll_timer.stop()
        window.ledger.close()


def actions(window) -> dict:
    return {act.text(): act for act in window.actions()}


def offered(act) -> bool:
    return act.isVisible() and act.isEnabled()


def menus(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions() if a.isVisible()]


def test_the_owner_is_the_office_with_every_action_and_the_login_in_sight(qtbot, server_url, tmp_path, windows):
    window = open_window(qtbot, server_url, tmp_path)
    windows.append(window)
    acts = actions(window)
    assert all(offered(acts[name]) for name in OFFICE_ONLY + REPORTING)
    assert not any(acts[name].isVisible() for name in FILE_ONLY)  # a server is backed up on the server
    assert acts["打开服务器台账…"].isVisible()
    password = make_url(server_url).password
    status, tip, title = window.account_label.text(), window.account_label.toolTip(), window.windowTitle()
    assert status == "登录：postgres（督办办公室）" and "角色：督办办公室" in tip
    server = f"127.0.0.1:{make_url(server_url).port}/{make_url(server_url).database}"
    assert server in tip and f"服务器台账 {server}" in title and "postgres（督办办公室）" in title
    assert password not in status + tip + title
    assert window.poll_timer.isActive() and not window.unit_bar.isVisible()


def test_a_reader_login_can_look_and_export_but_every_write_is_gone(qtbot, pg_cluster, server_url, tmp_path, windows):
    window = open_window(qtbot, make_login(pg_cluster, server_url, "reader"), tmp_path)
    windows.append(window)
    acts = actions(window)
    assert not any(acts[name].isVisible() or acts[name].isEnabled() for name in OFFICE_ONLY + REPORTING + FILE_ONLY)
    assert all(not act.isEnabled() for act in window.write_actions)
    assert "任务(&T)" not in menus(window)  # nothing left in it for a reader
    assert offered(acts["导出台账、通报、通知单或报送模板…"]) and offered(acts["刷新"])
    assert "角色：只读（领导查看）" in window.account_label.toolTip() and "只读（领导查看）" in window.windowTitle()
    # The table's double-click goes to 录入进展 too: it says why, and no form opens.
    window.table.selectRow(0)
    window.enter_progress()
    assert QApplication.activeModalWidget() is None
    assert "只能查看" in window.statusBar().currentMessage()


def test_a_unit_login_opens_on_its_own_tasks_with_the_batch_grid_one_click_away(qtbot, pg_cluster, server_url, tmp_path, windows):
    url = make_login(pg_cluster, server_url, "unit", (UNIT,))
    window = open_window(qtbot, url, tmp_path)
    windows.append(window)
    acts = actions(window)
    assert all(offered(acts[name]) for name in REPORTING)
    # No clerk's name was set on this PC: the login, not the PC's account, is the operator its reports carry.
    login = make_url(url).username
    assert window.operator == login and f"操作员：{login}" in window.period_label.text()
    assert not any(acts[name].isVisible() or acts[name].isEnabled() for name in OFFICE_ONLY + FILE_ONLY + ("导出台账、通报、通知单或报送模板…",))
    assert "角色：责任单位" in window.account_label.toolTip()
    # Its own tasks: the 按单位 tree on its unit, the table filtered to it.
    assert window.nav_tabs.currentIndex() == 1
    assert window.unit_view.currentIndex().data().startswith(UNIT)
    assert window.proxy.filter.unit == UNIT
    rows = [window.proxy.index(r, 0).data(TASK_ROLE) for r in range(window.proxy.rowCount())]
    assert 0 < len(rows) < window.model.rowCount()
    assert all(UNIT in row.unit_roles for row in rows)
    assert window.unit_bar.isVisible() and UNIT in window.unit_bar_label.text()

    # One click: the batch grid for its unit, offering no other unit.
    from desktop.batch_dialog import BatchEntryDialog

    seen = {}

    def look():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, BatchEntryDialog):
            seen["units"] = [dialog.unit_box.itemText(i) for i in range(dialog.unit_box.count())]
            seen["unit"] = dialog.unit_box.currentText()
            dialog.reject()
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    qtbot.mouseClick(window.unit_batch_button, Qt.MouseButton.LeftButton)
    assert seen["units"] == [UNIT]

    # A task of its unit: the form offers its unit only.
    from desktop.entry_dialog import ProgressEntryDialog

    def answer_entry():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ProgressEntryDialog):
            seen["entry"] = [dialog.unit.itemText(i) for i in range(dialog.unit.count())]
            dialog.reject()
        else:
            QTimer.singleShot(20, answer_entry)

    shared = next(r for r in window.model.rows if UNIT in r.unit_roles and len(r.unit_roles) > 1)
    QTimer.singleShot(0, answer_entry)
    window.enter_progress(shared.task.id)
    assert [name.split("（")[0] for name in seen["entry"]] == [UNIT]

    # A task its unit does not report on: no form, a reason.
    other = next(r.task.id for r in window.model.rows if UNIT not in r.unit_roles)
    window.enter_progress(other)
    assert QApplication.activeModalWidget() is None
    assert "不由本单位报送" in window.statusBar().currentMessage()


def test_a_unit_login_sees_the_ranking_but_no_supervisory_acts_and_cannot_store_the_month(qtbot, pg_cluster, server_url, tmp_path, windows):
    window = open_window(qtbot, make_login(pg_cluster, server_url, "unit", (UNIT,)), tmp_path)
    windows.append(window)
    assert "督查督办(&S)" not in menus(window)
    actions(window)["综合考评"].trigger()
    wait_idle(qtbot)
    panel = window.assessment
    assert panel.model.rowCount() > 0 and panel.sentence.text()
    assert not panel.save_button.isVisibleTo(window) and not panel.recompute_button.isVisibleTo(window)


def test_a_report_saved_by_another_login_shows_up_with_the_selection_and_scroll_kept(qtbot, pg_cluster, server_url, tmp_path, windows):
    window = open_window(qtbot, server_url, tmp_path)
    windows.append(window)
    with window.ledger.Session() as session:
        task_id = get_task(session, "A01-15").id
    row_index = window.model.row_of(task_id)
    lead = window.model.rows[row_index].task.lead[0]
    far = window.proxy.index(window.proxy.rowCount() - 1, 0)
    window.table.setCurrentIndex(far)  # the clerk is looking at the end of the table
    window.table.scrollTo(far)
    selected, scroll = window.current_task_id(), window.table.verticalScrollBar().value()
    assert scroll > 0 and window.model.rows[row_index].state.percent in (None, 0)

    colleague = make_login(pg_cluster, server_url, "office")
    other = open_ledger(colleague)
    try:
        with other.Session.begin() as session:
            add_progress(session, ProgressInput("A01-15", lead, window.settings.current_period, "推进中", 65, "另一位同事录入"), operator="同事")
    finally:
        other.close()
    window.poll_changes()  # the timer's tick, without waiting 15 s
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "已刷新：其他用户更新了 1 条记录", timeout=20000)
    wait_idle(qtbot)
    assert window.model.rows[window.model.row_of(task_id)].state.percent == 65
    assert window.current_task_id() == selected and window.table.verticalScrollBar().value() == scroll
    # Nothing new since: the next tick says nothing and reads nothing again.
    window.statusBar().clearMessage()
    window.poll_changes()
    wait_idle(qtbot)
    assert window.statusBar().currentMessage() == ""
    # The server signs each audit row with its login: this window's own changes are not announced as others'.
    # (Each row is written by the login it names, so it reads the same with the server's audit trigger or without.)
    import psycopg

    row = "INSERT INTO audit_log (at, operator, login, action, entity, entity_key) VALUES (now(), '测试', session_user, 'settings.update', 'settings', 'office')"
    with _admin(pg_cluster, server_url) as conn:  # the window's own login (postgres)
        conn.execute(row)
        conn.execute(row)
    parts = make_url(colleague)
    with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, password=parts.password, dbname=parts.database, autocommit=True) as conn:
        conn.execute(row)
    window.poll_changes()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "已刷新：其他用户更新了 1 条记录", timeout=20000)
    wait_idle(qtbot)


def fill(dialog, url: str, password: str | None = None) -> None:
    parts = make_url(url)
    dialog.recent.setCurrentIndex(0)
    dialog.host.setText(parts.host)
    dialog.port.setValue(parts.port)
    dialog.database.setText(parts.database)
    dialog.login.setText(parts.username)
    dialog.password.setText(parts.password if password is None else password)


def test_the_server_dialog_refuses_a_wrong_password_in_chinese_and_stays_open(qtbot, server_url, tmp_path):
    from desktop.server_dialog import ServerDialog, saved_connections

    prefs = QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)
    dialog = ServerDialog(prefs)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password and dialog.port.value() == 5432
    fill(dialog, server_url, password="wrong-password-123")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert dialog.isVisible() and dialog.ledger is None and dialog.error.isVisible()
    assert "无法连接服务器台账" in dialog.error.text() and "wrong-password-123" not in dialog.error.text()
    assert saved_connections(prefs) == []  # only a connection that worked is remembered
    # Nothing listens on this port: refused at once, said the same way.
    from tests.pg_server import _free_port

    fill(dialog, make_url(server_url).set(port=_free_port()).render_as_string(hide_password=False))
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert dialog.isVisible() and "无法连接服务器台账" in dialog.error.text()
    # A field left empty is named before anything is sent.
    dialog.login.clear()
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "请填写登录名。"


def test_a_server_that_does_not_answer_can_be_given_up_while_the_window_stays_responsive(qtbot, tmp_path, monkeypatch):
    """A connect that hangs (a port that accepts and never answers) runs on the worker; 取消 stops waiting for it."""
    import socket

    from desktop.ops import runner
    from desktop.server_dialog import ServerDialog

    monkeypatch.setenv("PGCONNECT_TIMEOUT", "5")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        dialog = ServerDialog(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(dialog)
        dialog.show()
        fill(dialog, f"postgresql+psycopg://li:pw@127.0.0.1:{silent.getsockname()[1]}/duban")
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
        assert runner().busy and not dialog.connect_button.isEnabled()  # the click returned at once
        dialog.reject()  # Esc while connecting: the dialog waits for the outcome
        assert dialog.isVisible() and "正在连接" in dialog.error.text()
        qtbot.waitUntil(lambda: any(p.isVisible() for p in dialog.findChildren(QProgressDialog)), timeout=4000)  # 正在连接…… with 取消
        progress = next(p for p in dialog.findChildren(QProgressDialog) if p.isVisible())
        qtbot.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)  # 取消
        wait_idle(qtbot)
    assert dialog.isVisible() and dialog.ledger is None and dialog.error.text() == "已取消连接。"
    assert dialog.connect_button.isEnabled()


def test_opening_a_server_ledger_from_the_menu_shows_it_and_remembers_the_connection_without_the_password(qtbot, server_url, ledger_file, tmp_path, windows):
    """台账 → 打开服务器台账… from a window on a ledger file: the window reopens on the server ledger."""
    from desktop.server_dialog import ServerDialog, saved_connections

    window = open_window(qtbot, ledger_file, tmp_path)
    windows.append(window)
    assert not window.ledger.server and not window.account_label.isVisible() and not window.poll_timer.isActive()  # no poll on a file
    assert offered(actions(window)["备份台账…"])

    def look():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ServerDialog):
            fill(dialog, server_url)
            dialog.connect_button.click()
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    actions(window)["打开服务器台账…"].trigger()
    wait_idle(qtbot)
    assert window.ledger.server and window.model is not None
    assert "服务器台账" in window.windowTitle() and "督办办公室" in window.account_label.text()
    assert not actions(window)["备份台账…"].isVisible() and window.poll_timer.isActive()
    parts = make_url(server_url)
    assert [c.label for c in saved_connections(window.prefs)] == [f"{parts.username}@{parts.host}:{parts.port}/{parts.database}"]
    window.prefs.sync()
    assert parts.password not in Path(window.prefs.fileName()).read_text(encoding="utf-8")
    # The next time, the last connection is filled in and only the password is asked for.
    again = ServerDialog(window.prefs)
    qtbot.addWidget(again)
    assert again.host.text() == parts.host and again.login.text() == parts.username and again.password.text() == ""


def test_duban_gui_opens_the_window_on_a_server_ledger(server_url, tmp_path):
    """`duban --db postgresql://… gui` (rendered unattended with --screenshot) starts the window on the server ledger."""
    png = tmp_path / "window.png"
    env = {"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    import os

    run = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", server_url, "gui", "--screenshot", str(png)],
        cwd=ROOT, env=os.environ | env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert png.stat().st_size > 10_000


def test_a_login_the_server_refuses_the_audit_log_stops_polling_quietly(qtbot, pg_cluster, server_url, tmp_path, windows):
    """The server decides what a login reads: refused the audit log, the window stops asking (F5 still refreshes)."""
    url = make_login(pg_cluster, server_url, "reader")
    with _admin(pg_cluster, server_url) as conn:
        conn.execute(f"REVOKE SELECT ON audit_log FROM duban_reader, {make_url(url).username}")
    window = open_window(qtbot, url, tmp_path)  # the window opens all the same
    windows.append(window)
    assert window.model.rowCount() == 373 and "只读（领导查看）" in window.windowTitle()
    assert not window.poll_timer.isActive()
    # Refused later (the IT person changed the grants while the window was open): the poll stops, quietly.
    with _admin(pg_cluster, server_url) as conn:
        conn.execute(f"GRANT SELECT ON audit_log TO {make_url(url).username}")
    other = open_window(qtbot, url, tmp_path)
    windows.append(other)
    assert other.poll_timer.isActive()
    with _admin(pg_cluster, server_url) as conn:
        conn.execute(f"REVOKE SELECT ON audit_log FROM {make_url(url).username}")
    other.poll_changes()
    wait_idle(qtbot)
    assert not other.poll_timer.isActive() and other.statusBar().currentMessage() == ""


def test_a_unit_login_with_no_unit_yet_is_told_so_and_gets_no_form(qtbot, pg_cluster, server_url, tmp_path, windows):
    window = open_window(qtbot, make_login(pg_cluster, server_url, "unit"), tmp_path)
    windows.append(window)
    assert window.unit_bar.isVisible() and "尚未指定所属单位" in window.unit_bar_label.text()
    assert not window.unit_batch_button.isVisible()
    window.batch_entry()
    assert QApplication.activeModalWidget() is None and "尚未指定所属单位" in window.statusBar().currentMessage()
    window.table.selectRow(0)
    window.enter_progress()
    assert QApplication.activeModalWidget() is None and "不由本单位报送" in window.statusBar().currentMessage()
