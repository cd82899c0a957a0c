"""Ledger work runs on one worker thread with callbacks on the main thread; 取消 stops it with nothing written."""

import threading
import time

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget

from db.errors import UserError
from desktop.ops import BUSY_MESSAGE, runner

pytestmark = pytest.mark.gui


def wait_idle(qtbot) -> None:
    """Wait (serving events, as the running window does) until the runner has handed back every op."""
    qtbot.waitUntil(lambda: not runner().busy, timeout=10_000)


def test_progress_is_shown_and_cancel_stops_the_work(qtbot, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    target = tmp_path / "out.txt"
    seen, outcome = [], []

    def work(control):
        for step in range(200):
            control.step(step, 200, f"第 {step} 步")
            time.sleep(0.01)
        target.write_text("done")
        return [target]

    def press_cancel():
        dialogs = [w for w in parent.findChildren(QProgressDialog) if w.isVisible()]
        if not dialogs:
            QTimer.singleShot(50, press_cancel)
            return
        seen.append((dialogs[0].maximum(), dialogs[0].value()))
        qtbot.mouseClick(dialogs[0].findChild(QPushButton), Qt.MouseButton.LeftButton)

    QTimer.singleShot(600, press_cancel)
    assert runner().run(work, outcome.append, label="正在导出……", parent=parent, on_cancel=lambda: outcome.append("取消"))
    wait_idle(qtbot)
    assert outcome == ["取消"]
    assert not target.exists()
    maximum, value = seen[0]
    assert maximum == 200 and 0 < value < 200  # the bar moved, and the work had not finished


def test_results_come_back_on_the_main_thread_from_one_worker_in_order(qtbot):
    ran_on, results = [], []

    def work(n):
        def step(_control):
            ran_on.append(threading.current_thread())
            time.sleep(0.02)
            return n

        return step

    for n in range(5):
        runner().run(work(n), lambda result: results.append((result, threading.current_thread() is threading.main_thread())))
    assert results == []  # nothing waits: run() returns at once
    wait_idle(qtbot)
    assert results == [(n, True) for n in range(5)]
    assert len(set(ran_on)) == 1 and ran_on[0] is not threading.main_thread()


def test_a_second_write_is_refused_while_one_runs_and_busy_follows_the_writes(qtbot, monkeypatch):
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    parent = QWidget()
    qtbot.addWidget(parent)
    busy, release = [], threading.Event()
    runner().busy_changed.connect(busy.append)
    done = []
    assert runner().run(lambda _c: release.wait(5), done.append, writes=True, parent=parent)
    assert runner().writing
    assert not runner().run(lambda _c: done.append("second"), writes=True, parent=parent)
    assert told == [BUSY_MESSAGE]
    assert runner().query(lambda: "read", done.append)  # reads still queue behind the write
    release.set()
    wait_idle(qtbot)
    assert done == [True, "read"] and busy == [True, False] and not runner().writing
    runner().busy_changed.disconnect(busy.append)


def test_failures_go_to_the_failure_callback_or_become_a_message(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    errors = []

    def failing(_control):
        raise UserError("文件 a.xlsx 已损坏。")

    runner().run(failing, on_failure=errors.append)
    wait_idle(qtbot)
    assert [str(e) for e in errors] == ["文件 a.xlsx 已损坏。"] and shown == []
    runner().run(failing)
    wait_idle(qtbot)
    assert shown == ["文件 a.xlsx 已损坏。"]


def test_an_op_whose_window_was_closed_meanwhile_calls_nothing_back(qtbot):
    parent = QWidget()
    release, called = threading.Event(), []
    runner().run(lambda _c: release.wait(5), called.append, parent=parent, on_failure=called.append)
    parent.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(parent))
    release.set()
    wait_idle(qtbot)
    assert called == []
