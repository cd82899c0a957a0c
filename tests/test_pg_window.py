"""The window on a server ledger names it by its address (never the password) and keeps the file's actions to files."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

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
    host = ledger.label.split("@", 1)[1]
    assert f"服务器台账 {host} — {ledger.engine.url.username}（督办办公室）" in server_window.windowTitle()
    seen = []
    monkeypatch.setattr(AboutDialog, "exec", lambda dialog: seen.append(dialog.label.text()) or QDialog.DialogCode.Accepted)
    next(a for a in server_window.actions() if a.text() == "关于督办台账").trigger()
    assert ledger.label in seen[0]
    assert all(password not in text for text in [server_window.windowTitle(), *seen])


@pytest.mark.parametrize("menu", ["备份台账…", "从备份恢复…"])
def test_backup_and_restore_of_the_file_are_not_offered_on_a_server(server_window, menu):
    """A server ledger is backed up on the server (duban --db URL backup, docs/server.md), not as a local file."""
    action = next(a for a in server_window.actions() if a.text() == menu)
    assert not action.isVisible() and not action.isEnabled()
