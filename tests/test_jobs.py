"""Long work in the window runs in a worker with progress, and 取消 stops it with nothing written."""

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from db.errors import UserError
from desktop.jobs import run_job

pytestmark = pytest.mark.gui


def test_progress_is_shown_and_cancel_stops_the_work(qtbot, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    target = tmp_path / "out.txt"
    seen = []

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

    QTimer.singleShot(400, press_cancel)
    assert run_job(parent, "正在导出……", work) is None
    assert not target.exists()
    maximum, value = seen[0]
    assert maximum == 200 and 0 < value < 200  # the bar moved, and the work had not finished


def test_result_and_errors_come_back_to_the_window(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    assert run_job(parent, "计算", lambda control: 42) == 42

    def failing(control):
        raise UserError("文件 a.xlsx 已损坏。")

    with pytest.raises(UserError, match="已损坏"):
        run_job(parent, "导入", failing)
