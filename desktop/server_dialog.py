"""台账 → 打开服务器台账…: the address and login of a ledger on the office's PostgreSQL server.

The connection is made on the op runner's worker (a server that does not answer must not freeze the
window), with a connect timeout so it gives up by itself.  A refusal (wrong password, no such database,
server unreachable) is shown in the dialog, which stays open to try again.  The connections used are
remembered in the preferences without their passwords: the password is checked by the server and never
stored on the clerk's PC.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from db.errors import UserError, known_error
from db.jobs import Cancelled
from desktop.ops import report_failure, runner
from desktop.screen import fit_to_screen

log = logging.getLogger("duban.server")

PREF_KEY = "server_connections"
RECENT_LIMIT = 8
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 8  # libpq gives up on a server that does not answer after this long
CONNECTING = "正在连接服务器台账……"
# A host name, an IPv4 address or a bracket-less IPv6 address; nothing that could smuggle URL syntax in.
HOST_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{1,253}$")
CHECK_HINT = "\n请核对服务器地址、端口、数据库、登录名和密码；仍无法连接，请联系信息化管理员。"
NAME_LIMIT = 63  # PostgreSQL's identifier length (database and login names)


@dataclass(frozen=True)
class ServerConnection:
    """Where a server ledger is and who logs in; never the password."""

    host: str
    port: int
    database: str
    login: str

    @property
    def label(self) -> str:
        """login@host:port/database, as the recent-connections list shows it."""
        return f"{self.login}@{self.host}:{self.port}/{self.database}"

    def url(self, password: str) -> str:
        """The SQLAlchemy URL for open_ledger, with the password (kept in memory only); the timeout is limit_connect_wait's."""
        from sqlalchemy.engine import URL

        url = URL.create(
            "postgresql+psycopg",
            username=self.login,
            password=password or None,  # none typed: libpq's own password file, if the IT person set one up
            host=self.host,
            port=self.port,
            database=self.database,
        )
        return url.render_as_string(hide_password=False)


def limit_connect_wait() -> None:
    """A server that does not answer is given up after CONNECT_TIMEOUT_S (psycopg would wait 130 s).

    Through libpq's PGCONNECT_TIMEOUT rather than the URL, so messages naming the ledger stay plain; an IT person's
    own setting is kept.  Also for `duban --db postgresql://… gui` (desktop.app).
    """
    os.environ.setdefault("PGCONNECT_TIMEOUT", str(CONNECT_TIMEOUT_S))


def check_connection(host: str, port: int, database: str, login: str) -> ServerConnection:
    """The typed fields as a connection, or a UserError naming the field to fix."""
    host, database, login = host.strip(), database.strip(), login.strip()
    if not host:
        raise UserError("请填写服务器地址（如 192.168.1.20 或 duban-server）。")
    if not HOST_PATTERN.match(host):
        raise UserError(f"服务器地址“{host[:60]}”不正确：只能是主机名或 IP 地址。")
    if not 1 <= port <= 65535:
        raise UserError(f"端口 {port} 不正确：应为 1–65535 之间的数字（PostgreSQL 默认 5432）。")
    for value, what in ((database, "数据库"), (login, "登录名")):
        if not value:
            raise UserError(f"请填写{what}。")
        if len(value.encode("utf-8")) > NAME_LIMIT or any(ch in value for ch in "\x00/?#@"):
            raise UserError(f"{what}“{value[:60]}”不正确：最长 {NAME_LIMIT} 个字节，不能含 / ? # @。")
    return ServerConnection(host, port, database, login)


def saved_connections(prefs: QSettings) -> list[ServerConnection]:
    """The connections used before, newest first; a damaged preference gives an empty list."""
    try:
        stored = json.loads(prefs.value(PREF_KEY, "") or "[]")
    except (TypeError, ValueError):
        return []
    found: list[ServerConnection] = []
    for item in stored if isinstance(stored, list) else []:
        try:
            found.append(check_connection(str(item["host"]), int(item["port"]), str(item["database"]), str(item["login"])))
        except (KeyError, TypeError, ValueError, UserError):
            continue  # a hand-edited or older entry: left out
    return found[:RECENT_LIMIT]


def remember_connection(prefs: QSettings, connection: ServerConnection) -> None:
    """Put the connection first in the recent list (no password is ever written)."""
    kept = [connection] + [c for c in saved_connections(prefs) if c != connection]
    prefs.setValue(PREF_KEY, json.dumps([asdict(c) for c in kept[:RECENT_LIMIT]], ensure_ascii=False))
    prefs.sync()


def connect_server_ledger(url: str, control) -> Ledger:
    """On the worker: open the server ledger and check it holds a plan; a cancel closes it again."""
    from db.engine import open_ledger
    from db.ledger import list_plans
    from db.pg_engine import display_name

    control.step(0, 0, "")  # starts the progress dialog's clock: it shows, with 取消, if the server is slow to answer
    try:
        ledger = open_ledger(url)
    except Exception:
        if control.cancelled():  # 取消 pressed while the server kept us waiting: the clerk asked to stop, not a failure
            raise Cancelled() from None
        raise
    try:
        with ledger.Session() as session:
            plans = list_plans(session)
        if not plans:
            raise UserError(f"服务器台账 {display_name(url)} 中还没有计划：请管理员先运行 duban --db … server init。")
        if control.cancelled():
            raise Cancelled()
    except BaseException:
        ledger.close()
        raise
    return ledger


class ServerDialog(QDialog):
    """打开服务器台账: recent connections, address, port, database, login and password; 连接 opens it.

    After exec(), `ledger` is the opened server ledger (accepted) or None.
    """

    def __init__(self, prefs: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.prefs = prefs
        self.ledger: Ledger | None = None
        self._connecting = False
        self.setWindowTitle("打开服务器台账")
        self.recent = QComboBox()
        self.recent.addItem("（新连接）", None)
        for connection in saved_connections(prefs):
            self.recent.addItem(connection.label, connection)
        self.host = QLineEdit()
        self.host.setPlaceholderText("如 192.168.1.20 或 duban-server")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setGroupSeparatorShown(False)
        self.database = QLineEdit("duban")
        self.login = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("由管理员设定；不会保存在本机")
        for field, limit in ((self.host, 253), (self.database, NAME_LIMIT), (self.login, NAME_LIMIT), (self.password, 1000)):
            field.setMaxLength(limit)
        form = QFormLayout()
        form.addRow("最近连接", self.recent)
        form.addRow("服务器地址", self.host)
        form.addRow("端口", self.port)
        form.addRow("数据库", self.database)
        form.addRow("登录名", self.login)
        form.addRow("密码", self.password)
        hint = QLabel("服务器地址、数据库和登录名由单位的信息化管理员提供。连接信息（不含密码）会记在最近连接中。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c53030;")
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.connect_button = self.buttons.addButton("连接", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setDefault(True)
        self.buttons.accepted.connect(self.connect_to_server)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.recent.currentIndexChanged.connect(self._recent_chosen)
        if self.recent.count() > 1:
            self.recent.setCurrentIndex(1)  # the last server used, ready for its password
        fit_to_screen(self, 0.42, 0.5, most=(560, 420))

    def _recent_chosen(self, _index: int) -> None:
        connection = self.recent.currentData()
        if connection is None:
            return
        self.host.setText(connection.host)
        self.port.setValue(connection.port)
        self.database.setText(connection.database)
        self.login.setText(connection.login)
        self.password.clear()
        self.password.setFocus()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def connect_to_server(self) -> None:
        """连接: check the fields, then open the ledger on the worker; the dialog stays open on a refusal."""
        if self._connecting:
            return
        try:
            connection = check_connection(self.host.text(), self.port.value(), self.database.text(), self.login.text())
        except UserError as exc:
            self.show_error(exc.message)
            return
        url = connection.url(self.password.text())
        limit_connect_wait()
        self.show_error("")
        self._set_connecting(True)

        def connected(ledger: Ledger) -> None:
            self._set_connecting(False)
            remember_connection(self.prefs, connection)
            self.ledger = ledger
            self.accept()

        def failed(error: BaseException) -> None:
            self._set_connecting(False)
            known = known_error(error)
            if known is None:
                report_failure(self, error)  # a bug: the crash dialog
                return
            log.warning("无法打开服务器台账 %s：%s", connection.label, known.message)
            self.show_error(known.message + ("" if "server init" in known.message else CHECK_HINT))
            self.password.setFocus()
            self.password.selectAll()

        def cancelled() -> None:
            self._set_connecting(False)
            self.show_error("已取消连接。")

        runner().run(lambda control: connect_server_ledger(url, control), connected, label=CONNECTING, parent=self, on_failure=failed, on_cancel=cancelled)

    def _set_connecting(self, busy: bool) -> None:
        self._connecting = busy
        self.connect_button.setEnabled(not busy)
        self.connect_button.setText("正在连接……" if busy else "连接")

    def reject(self) -> None:
        if self._connecting:  # the worker is still connecting: its outcome arrives here, then the dialog can close
            self.show_error("正在连接，请等待连接完成或超时（最多约 8 秒）后再关闭。")
            return
        super().reject()
