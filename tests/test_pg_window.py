"""The window on a server ledger names it by its address (never the password) and keeps the file's actions to files."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox

from db.engine import open_ledger
from tests.pg_server import template_copy

pytestmark = pytest.mark.gui


@pytest.fixture
def server_window(qtbot, pg_cluster, pg_initialised_url, tmp_path):
    from desktop.main_window import MainWindow

    ledger = open_ledger(template_copy(pg_cluster, pg_initialised_url))
    win = MainWindow(ledger, QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.load()
    yield win
    win.ledger.close()


def test_the_title_and_about_name_the_server_without_its_password(server_window, monkeypatch):
    from desktop.about import AboutDialog

    ledger = server_window.ledger
    password = ledger.engine.url.password
    assert f"服务器台账 {ledger.label}" in server_window.windowTitle() and "@127.0.0.1:" in ledger.label
    seen = []
    monkeypatch.setattr(AboutDialog, "exec", lambda dialog: seen.append(dialog.label.text()) or QDialog.DialogCode.Accepted)
    next(a for a in server_window.actions() if a.text() == "关于督办台账").trigger()
    assert ledger.label in seen[0]
    assert all(password not in text for text in [server_window.windowTitle(), *seen])


@pytest.mark.parametrize("menu", ["备份台账…", "从备份恢复…"])
def test_backup_and_restore_on_a_server_say_how_instead_of_touching_files(server_window, monkeypatch, tmp_path, menu):
    from PySide6.QtWidgets import QFileDialog

    told, asked = [], []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, title, text, *rest: told.append(text))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kw: asked.append(args) or ("", ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: asked.append(args) or ("", ""))
    monkeypatch.chdir(tmp_path)
    next(a for a in server_window.actions() if a.text() == menu).trigger()
    assert not asked and len(told) == 1
    assert server_window.ledger.label in told[0] and "duban --db" in told[0] and server_window.ledger.engine.url.password not in told[0]
    assert list(tmp_path.iterdir()) == []  # no backups folder named after the address
