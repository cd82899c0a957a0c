"""Field work in the window: merge a returned packet, settle its conflict side by side, see and open evidence."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QGroupBox, QLabel, QMessageBox, QPushButton, QWidget

from db.evidence import attach_evidence
from db.ledger import get_task
from db.packets import export_packet, pending_conflicts
from db.progress import ProgressInput, add_progress, list_progress
from db.task_detail import task_detail
from desktop.detail_view import EVIDENCE_LINK, render_detail

UNIT, PERIOD = "市发展改革委", "2022-06"
pytestmark = pytest.mark.gui


def _write(ledger, code: str, text: str, percent: int = 40) -> None:
    with ledger.Session.begin() as s:
        add_progress(s, ProgressInput(code, UNIT, PERIOD, "推进中", percent, text), operator="测试")


def test_merge_in_the_window_then_take_the_field_version_side_by_side(qtbot, ledger, tmp_path, monkeypatch):
    from db.engine import open_ledger
    from desktop.merge_dialogs import ConflictDialog, merge_packet_interactively

    _write(ledger, "A01-06", "办公室原稿")
    _write(ledger, "A01-15", "办公室原稿")
    packet = export_packet(ledger, tmp_path / "外勤.duban", period=PERIOD, units=[UNIT], operator="张三")
    field = open_ledger(packet)
    _write(field, "A01-06", "外勤：现场已整改", 70)
    _write(field, "A01-15", "外勤：资料不全", 45)
    field.close()
    _write(ledger, "A01-15", "办公室：已电话督促", 50)

    told, dialogs = [], []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(packet), ""))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: told.append(self.text()))
    monkeypatch.setattr(ConflictDialog, "exec", lambda self: dialogs.append(self))
    parent = QWidget()
    qtbot.addWidget(parent)
    merged = []
    merge_packet_interactively(parent, ledger, "李四", on_merged=lambda: merged.append(True))
    qtbot.waitUntil(lambda: bool(dialogs), timeout=15000)
    assert merged == [True]
    assert "更新 1 条" in told[0] and "冲突 1 条" in told[0]

    [dialog] = dialogs
    # Exactly the two versions are on screen (replaced ones must not linger over them until deleted).
    assert len([box for box in dialog.sides.findChildren(QGroupBox) if not box.isHidden()]) == 2
    shown = [label.text() for label in dialog.sides.findChildren(QLabel) if not label.parent().isHidden()]
    assert "办公室：已电话督促" in shown and "外勤：资料不全" in shown
    take_packet = next(b for b in dialog.findChildren(QPushButton) if b.text() == "采用数据包中的版本")
    take_packet.click()
    with ledger.Session() as s:
        assert pending_conflicts(s) == []
        [entry] = list_progress(s, task_code="A01-15", unit=UNIT, period=PERIOD)
        [updated] = list_progress(s, task_code="A01-06", unit=UNIT, period=PERIOD)
    assert (entry.progress_text, entry.percent) == ("外勤：资料不全", 45)
    assert updated.progress_text == "外勤：现场已整改"
    assert dialog.model.rowCount() == 0


def test_detail_lists_evidence_with_a_link_that_opens_the_stored_file(qtbot, ledger, tmp_path, monkeypatch):
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    from desktop.evidence_dialogs import open_evidence

    _write(ledger, "A01-06", "已整改")
    photo = tmp_path / "整改照片.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 3000)
    with ledger.Session.begin() as s:
        item = attach_evidence(s, "A01-06", UNIT, PERIOD, photo, operator="测试")
        task_id = get_task(s, "A01-06").id
    with ledger.Session() as s:
        html = render_detail(task_detail(s, task_id), None)
    assert "证明材料" in html and f"{EVIDENCE_LINK}{item.uuid}" in html and "整改照片.png" in html
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(QUrl(url).toLocalFile()))
    parent = QWidget()
    qtbot.addWidget(parent)
    open_evidence(parent, ledger, item.uuid)
    [path] = opened
    assert path.endswith("整改照片.png") and open(path, "rb").read() == photo.read_bytes()


def test_an_attachment_can_be_deleted_from_the_detail_pane_after_confirming(qtbot, ledger, tmp_path, monkeypatch):
    from desktop.detail_view import EVIDENCE_DELETE_LINK
    from desktop.evidence_dialogs import delete_interactively

    _write(ledger, "A01-06", "已整改")
    wrong = tmp_path / "错传的照片.jpg"
    wrong.write_bytes(b"\xff\xd8\xff wrong")
    with ledger.Session.begin() as s:
        item = attach_evidence(s, "A01-06", UNIT, PERIOD, wrong, operator="测试")
        task_id = get_task(s, "A01-06").id
    with ledger.Session() as s:
        assert f"{EVIDENCE_DELETE_LINK}{item.uuid}" in render_detail(task_detail(s, task_id), None)
    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: QMessageBox.StandardButton.No)
    assert not delete_interactively(parent, ledger, item.uuid, "测试")
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: QMessageBox.StandardButton.Yes)
    assert delete_interactively(parent, ledger, item.uuid, "测试")
    with ledger.Session() as s:
        assert "错传的照片.jpg" not in render_detail(task_detail(s, task_id), None)


def test_the_export_dialog_writes_a_packet_signed_by_the_windows_operator(qtbot, ledger, tmp_path, monkeypatch):
    from db.engine import open_ledger
    from db.packets import PacketInfo
    from desktop.export_dialogs import ExportDialog

    monkeypatch.setattr(QMessageBox, "information", lambda *args: None)
    dialog = ExportDialog(ledger, period=PERIOD, units=[UNIT], folder=tmp_path, operator="王芳")
    qtbot.addWidget(dialog)
    dialog.open_after.setChecked(False)
    dialog.kind.setCurrentIndex(next(i for i in range(dialog.kind.count()) if "外勤数据包" in dialog.kind.itemText(i)))
    dialog.export()
    qtbot.waitUntil(lambda: bool(dialog.written), timeout=15000)
    [written] = dialog.written
    assert written.suffix == ".duban"
    packet = open_ledger(written)
    try:
        with packet.Session() as s:
            info = PacketInfo.read(s)
    finally:
        packet.close()
    assert info.created["by"] == "王芳" and info.period == PERIOD


def test_a_packet_opened_on_the_laptop_says_so_and_holds_only_its_tasks(qtbot, ledger, tmp_path):
    from PySide6.QtCore import QSettings

    from db.engine import open_ledger
    from desktop.main_window import MainWindow

    packet = export_packet(ledger, tmp_path / "外勤-发改委.duban", period=PERIOD, units=[UNIT], operator="张三")
    field = open_ledger(packet)
    try:
        window = MainWindow(field, QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.load()
        qtbot.waitUntil(lambda: window.model.rowCount() > 0)
        assert "外勤数据包" in window.windowTitle() and "外勤-发改委.duban" in window.period_label.text()
        with field.Session() as s:
            from db.ledger import list_tasks

            assert window.model.rowCount() == len(list_tasks(s, unit=UNIT)) < 373
    finally:
        field.close()
