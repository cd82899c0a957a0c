"""Errors for people: unexpected errors reach a Chinese message with the log's path, the log keeps the traceback, logs rotate."""

import argparse
import logging
import os
import sys
import threading

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from desktop.logs import LOG_DIR_ENV, setup_logging, shutdown_logging
from tests.ledger_state import ledger_db_arg


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    """Logs go to a private directory (as DUBAN_LOG_DIR tells main()); the handler is closed afterwards."""
    directory = tmp_path / "logs"
    monkeypatch.setenv(LOG_DIR_ENV, str(directory))
    yield directory
    shutdown_logging()


@pytest.fixture
def shown_dialogs(monkeypatch):
    """Every QMessageBox shown, as the person would read it, instead of blocking on exec()."""
    shown = []

    def fake_exec(box):
        buttons = [b.text() for b in box.buttons()]
        shown.append({"title": box.windowTitle(), "text": box.text(), "info": box.informativeText(), "details": box.detailedText(), "buttons": buttons})
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


@pytest.fixture
def crash_dialog(qapp, monkeypatch, log_dir):
    """The window's crash dialog installed, with the hooks put back afterwards; returns the log file."""
    from desktop.crash_dialog import install_crash_dialog

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    log_file = setup_logging()
    install_crash_dialog()
    return log_file


def assert_crash_dialog(dialog, log_file, error_text):
    assert dialog["text"] == "出现了意外错误，当前操作未完成。"
    assert "此前已保存的台账数据不受影响" in dialog["info"]
    assert f"错误详情已记入日志文件：{log_file}" in dialog["info"]
    assert "打开日志文件夹" in dialog["buttons"]
    assert error_text in dialog["details"] and "Traceback" in dialog["details"]


@pytest.mark.gui
@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_shows_the_crash_dialog_and_is_logged(qtbot, crash_dialog, shown_dialogs):
    button = QPushButton("保存")
    qtbot.addWidget(button)

    def on_save_clicked():
        raise ZeroDivisionError("division by zero")

    button.clicked.connect(on_save_clicked)
    button.click()

    assert len(shown_dialogs) == 1
    assert_crash_dialog(shown_dialogs[0], crash_dialog, "ZeroDivisionError: division by zero")
    logged = crash_dialog.read_text(encoding="utf-8")
    assert "Traceback" in logged and "on_save_clicked" in logged and "ZeroDivisionError" in logged

    button.clicked.disconnect(on_save_clicked)
    button.clicked.connect(lambda: button.setText("已保存"))
    button.click()
    assert button.text() == "已保存"  # the app keeps running


@pytest.mark.gui
@pytest.mark.qt_no_exception_capture
def test_open_log_folder_button_opens_the_log_directory(qtbot, crash_dialog, monkeypatch):
    from desktop.crash_dialog import show_crash_dialog

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))

    def press_open_folder(box):
        next(b for b in box.buttons() if b.text() == "打开日志文件夹").click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", press_open_folder)
    try:
        raise ValueError("坏数据")
    except ValueError:
        show_crash_dialog(None, sys.exc_info())
    assert opened == [str(crash_dialog.parent)]


@pytest.mark.gui
@pytest.mark.qt_no_exception_capture
def test_a_worker_exception_in_an_op_reaches_the_crash_dialog_with_the_workers_traceback(qtbot, crash_dialog, shown_dialogs):
    from desktop.ops import runner

    parent = QWidget()
    qtbot.addWidget(parent)
    button = QPushButton("导出", parent)

    def export_in_worker(control):
        raise KeyError("附件9")

    button.clicked.connect(lambda: runner().run(export_in_worker, label="正在导出……", parent=parent))
    button.click()
    qtbot.waitUntil(lambda: not runner().busy)

    crash = [d for d in shown_dialogs if d["text"].startswith("出现了意外错误")]
    assert len(crash) == 1
    assert_crash_dialog(crash[0], crash_dialog, "KeyError: '附件9'")
    logged = crash_dialog.read_text(encoding="utf-8")
    assert "export_in_worker" in logged  # the worker's own frames survive the hop to the GUI thread


@pytest.mark.gui
@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_plain_thread_is_shown_on_the_gui_thread(qtbot, crash_dialog, shown_dialogs, monkeypatch):
    seen_on = []

    def record_thread(box):
        seen_on.append(threading.current_thread() is threading.main_thread())
        shown_dialogs.append({"text": box.text(), "info": box.informativeText(), "details": box.detailedText(), "buttons": [b.text() for b in box.buttons()]})
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record_thread)

    def background_check():
        raise RuntimeError("后台检查失败")

    worker = threading.Thread(target=background_check)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(shown_dialogs) == 1, timeout=2000)
    assert seen_on == [True]
    assert_crash_dialog(shown_dialogs[0], crash_dialog, "RuntimeError: 后台检查失败")
    assert "background_check" in crash_dialog.read_text(encoding="utf-8")


@pytest.mark.gui
@pytest.mark.qt_no_exception_capture
def test_a_failure_while_the_window_starts_shows_the_crash_dialog_and_exits_3(qapp, monkeypatch, log_dir, shown_dialogs):
    import desktop.app

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    log_file = setup_logging()

    def broken_open(*_args, **_kwargs):
        raise AttributeError("'NoneType' object has no attribute 'path'")

    monkeypatch.setattr(desktop.app, "open_ledger_interactively", broken_open)
    assert desktop.app.run_gui(argparse.Namespace(db=None, screenshot=None, read_only=False)) == 3
    assert len(shown_dialogs) == 1
    assert_crash_dialog(shown_dialogs[0], log_file, "AttributeError")


def test_an_unexpected_error_on_the_command_line_exits_3_with_a_chinese_message_and_the_log_path(run_cli, log_dir, monkeypatch):
    import db.ledger

    def broken_list_tasks(*_args, **_kwargs):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr(db.ledger, "list_tasks", broken_list_tasks)
    code, out, err = run_cli("tasks")
    log_file = log_dir / "duban.log"
    assert code == 3
    assert err.strip() == f"错误：出现了意外错误，命令未完成；此前已保存的台账数据不受影响。错误详情已记入日志文件：{log_file}"
    assert "Traceback" not in err and out == ""
    logged = log_file.read_text(encoding="utf-8")
    assert "命令：--db" in logged and "tasks" in logged
    assert "Traceback" in logged and "broken_list_tasks" in logged and "TypeError" in logged


def test_user_errors_are_logged_as_warnings(run_cli, log_dir):
    code, _out, err = run_cli("progress", "add", "--task", "A03-01", "--unit", "发改委", "--period", "2022-13", "--status", "推进中",
                              "--percent", "10", "--text", "x")
    assert code == 2 and err.startswith("错误：")
    logged = (log_dir / "duban.log").read_text(encoding="utf-8")
    assert "duban" in logged and "启动" in logged and "台账：" in logged
    assert "WARNING duban.cli: 用户错误：" in logged and "Traceback" not in logged


def test_logs_rotate_and_keep_a_bounded_number_of_files(log_dir):
    log_file = setup_logging(log_dir, max_bytes=2_000, backup_count=2)
    for n in range(300):
        logging.getLogger("duban.test").info("第 %d 条记录：填报进展", n)
    names = sorted(p.name for p in log_dir.iterdir())
    assert names == ["duban.log", "duban.log.1", "duban.log.2"]
    assert all(p.stat().st_size <= 2_000 + 200 for p in log_dir.iterdir())  # the handler counts the last line in characters
    assert "第 299 条记录" in log_file.read_text(encoding="utf-8")


def test_the_windowed_build_without_stdout_or_stderr_still_runs_commands(ledger, log_dir, monkeypatch):
    """PyInstaller's console=False build has sys.stdout and sys.stderr set to None; print must not crash it."""
    from desktop.cli import main

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["--db", ledger_db_arg(ledger), "tasks"]) == 0
    assert main(["--db", ledger_db_arg(ledger), "progress", "add", "--task", "NOPE", "--unit", "发改委", "--period", "2022-05",
                 "--status", "推进中", "--percent", "10", "--text", "x"]) == 2
    assert "用户错误" in (log_dir / "duban.log").read_text(encoding="utf-8")


@pytest.mark.gui
def test_the_window_has_the_duban_icon_and_the_log_names_qt(qapp, ledger, log_dir, tmp_path):
    from desktop.cli import main

    assert main(["--db", ledger_db_arg(ledger), "gui", "--screenshot", str(tmp_path / "shot.png")]) == 0
    assert not QApplication.windowIcon().isNull()
    assert QApplication.translate("QMessageBox", "Show Details...") == "显示详情..."  # Qt's own buttons speak Chinese too
    assert "窗口启动：Qt 6." in (log_dir / "duban.log").read_text(encoding="utf-8")


def test_no_display_gets_a_chinese_message_not_a_qt_abort(ledger, tmp_path):
    """On a Linux box without a desktop (an SSH session), the window explains itself; a screenshot still works."""
    import subprocess

    if not sys.platform.startswith("linux"):
        pytest.skip("X11/Wayland detection is for Linux")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    ledger.close()
    command = [sys.executable, "-m", "desktop.cli", "--db", ledger_db_arg(ledger), "gui"]
    window = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert window.returncode == 2 and "没有可用的图形界面" in window.stderr
    shot = tmp_path / "shot.png"
    screenshot = subprocess.run([*command, "--screenshot", str(shot)], env=env, capture_output=True, text=True, timeout=120)
    assert screenshot.returncode == 0 and shot.stat().st_size > 20_000


@pytest.mark.gui
@pytest.mark.qt_no_exception_capture
def test_a_full_disk_in_a_slot_is_a_message_not_the_crash_dialog(qtbot, crash_dialog, shown_dialogs):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from desktop.crash_dialog import _reporter

    _reporter.ledger_path = "/办公室/台账.sqlite"
    button = QPushButton("保存")
    qtbot.addWidget(button)

    def on_save_clicked():
        raise OperationalError("INSERT INTO progress_entry …", {}, sqlite3.OperationalError("database or disk is full"))

    button.clicked.connect(on_save_clicked)
    button.click()

    assert len(shown_dialogs) == 1
    assert "磁盘已满" in shown_dialogs[0]["text"] and "/办公室/台账.sqlite" in shown_dialogs[0]["text"]
    assert "意外错误" not in shown_dialogs[0]["text"]
    logged = crash_dialog.read_text(encoding="utf-8")
    assert "WARNING" in logged and "ERROR" not in logged


@pytest.mark.gui
@pytest.mark.qt_no_exception_capture
def test_a_locked_ledger_in_a_worker_comes_back_as_a_plain_message(qtbot, crash_dialog, shown_dialogs):
    import sqlite3

    from desktop.ops import runner

    def busy(*_args):
        raise sqlite3.OperationalError("database is locked")

    runner().run(busy, label="正在导出……")
    qtbot.waitUntil(lambda: not runner().busy)
    assert len(shown_dialogs) == 1 and "等待超时" in shown_dialogs[0]["text"]
    assert "意外错误" not in shown_dialogs[0]["text"]
