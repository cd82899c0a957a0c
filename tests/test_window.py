"""The window on the bundled plan: tree counts, search, and the screenshot path used for docs."""

import pytest

pytestmark = pytest.mark.gui


def test_window_lists_every_task_and_filters(qtbot, ledger):
    from desktop.app import MainWindow

    window = MainWindow(ledger)
    qtbot.addWidget(window)
    window.load()
    assert window.proxy.rowCount() == 373
    annex3 = window.tree.model().item(0).child(2)
    assert annex3.text().endswith("（12）")
    window.tree.setCurrentIndex(annex3.index())
    assert window.proxy.rowCount() == 12
    window.search.setText("人防办")
    codes = [window.proxy.index(r, 0).data(0x0100).code for r in range(window.proxy.rowCount())]
    assert codes == ["A03-04", "A03-10-2"]  # the two tasks of 附件3 that name 市人防办


def test_screenshot_command_writes_a_png(tmp_path, ledger):
    from desktop.cli import main

    shot = tmp_path / "main.png"
    assert main(["--db", str(ledger.path), "gui", "--screenshot", str(shot)]) == 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
