"""In the window: a report someone saved while the clerk edited it shows both versions; keep mine, take theirs, or leave it pending."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from db.ledger import get_task
from db.packets import pending_conflicts
from db.progress import MINE, THEIRS, ProgressInput, list_progress, save_progress
from tests.batch_support import PROGRESS, STATUS, go_to

pytestmark = pytest.mark.gui
CODE, UNIT, PERIOD = "A03-01", "市住房和城乡建设局", "2022-06"


def stored(ledger, code=CODE):
    with ledger.Session() as session:
        (view,) = list_progress(session, task_code=code, unit=UNIT, period=PERIOD)
    return view.progress_text, view.version


def pending(ledger):
    with ledger.Session() as session:
        return [c.packet_values["progress_text"] for c in pending_conflicts(session)]


@pytest.fixture
def form(qtbot, ledger, monkeypatch):
    """The entry form opened on version 1 of a report; then 王五 saves version 2 from another PC. The clerk's answer is set per test."""
    from desktop.entry_dialog import ProgressEntryDialog
    from desktop.merge_dialogs import ReportChangedDialog

    save_progress(ledger, ProgressInput(CODE, UNIT, PERIOD, "推进中", 30, "初稿", version=0), operator="张三")
    with ledger.Session() as session:
        task_id = get_task(session, CODE).id
    dialog = ProgressEntryDialog(ledger, task_id, period=PERIOD, operator="李四", unit=UNIT)
    qtbot.addWidget(dialog)
    dialog.show()
    save_progress(ledger, ProgressInput(CODE, UNIT, PERIOD, "推进中", 50, "王五的修改", version=1), operator="王五")
    dialog.progress_text.setPlainText("李四的修改")
    dialog.asked = []
    dialog.answer = None
    monkeypatch.setattr(ReportChangedDialog, "ask", classmethod(lambda cls, changed, parent=None: dialog.asked.append(changed) or dialog.answer))
    return dialog


def click_save(qtbot, dialog):
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_keep_mine_saves_the_clerks_version_over_the_other(qtbot, ledger, form):
    form.answer = MINE
    click_save(qtbot, form)
    (changed,) = form.asked
    assert (changed.by, changed.current, changed.theirs["progress_text"], changed.mine["progress_text"]) == ("王五", 2, "王五的修改", "李四的修改")
    assert stored(ledger) == ("李四的修改", 3) and pending(ledger) == [] and not form.isVisible()


def test_take_theirs_shows_the_other_version_in_the_form(qtbot, ledger, form):
    form.answer = THEIRS
    click_save(qtbot, form)
    assert stored(ledger) == ("王五的修改", 2) and pending(ledger) == []
    assert form.isVisible() and form.progress_text.toPlainText() == "王五的修改"
    assert "已采用 王五 保存的版本（第 2 版）" in form.notice.text()


def test_leaving_it_for_later_keeps_both_and_the_form(qtbot, ledger, form):
    click_save(qtbot, form)
    assert stored(ledger) == ("王五的修改", 2) and pending(ledger) == ["李四的修改"]
    assert form.isVisible() and form.progress_text.toPlainText() == "李四的修改"
    assert "该进展已被 王五 于" in form.notice.text() and "待处理冲突" in form.notice.text()
    click_save(qtbot, form)  # 保存 again, unchanged: asked again, still one conflict
    assert len(form.asked) == 2 and pending(ledger) == ["李四的修改"]
    form.progress_text.setPlainText("李四又改了")
    click_save(qtbot, form)
    assert sorted(pending(ledger)) == sorted(["李四的修改", "李四又改了"])


def test_the_dialog_shows_both_versions_and_fits_the_screen(qtbot, ledger, form, tmp_path):
    from desktop.merge_dialogs import ReportChangedDialog
    from desktop.screen import fits_on_screen

    click_save(qtbot, form)
    (changed,) = form.asked
    shown = ReportChangedDialog(changed, form)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    texts = [label.text() for label in shown.findChildren(QLabel)]
    assert "王五的修改" in texts and "李四的修改" in texts and any("该进展已被 王五 于" in t for t in texts)
    assert fits_on_screen(shown)
    shown.grab().save(str(tmp_path / "changed.png"))
    qtbot.mouseClick(shown.take_theirs, Qt.MouseButton.LeftButton)
    assert shown.choice == THEIRS


def test_the_batch_grid_keeps_a_row_someone_saved_meanwhile(qtbot, ledger, monkeypatch):
    from desktop.merge_dialogs import ReportChangedDialog
    from tests.batch_support import open_dialog

    dialog = open_dialog(qtbot, ledger)
    first, second = dialog.model.batch_row(0).task_code, dialog.model.batch_row(1).task_code
    save_progress(ledger, ProgressInput(first, UNIT, PERIOD, "推进中", 20, "王五先填的", version=0), operator="王五")
    asked = []
    monkeypatch.setattr(ReportChangedDialog, "ask", classmethod(lambda cls, changed, parent=None: asked.append(changed)))
    for row in (0, 1):
        go_to(dialog, row, STATUS)
        dialog.paste(f"推进中\t60\t网格第{row + 1}行")
    assert dialog.model.index(0, PROGRESS).data() == "网格第1行"

    assert dialog.save()
    assert [c.by for c in asked] == ["王五"]
    assert "另有 1 行在您编辑期间已被他人修改" in dialog.message.text() and "1 行留作待处理冲突" in dialog.message.text()
    assert stored(ledger, first) == ("王五先填的", 1) and stored(ledger, second) == ("网格第2行", 1)
    assert pending(ledger) == ["网格第1行"]


def test_a_conflict_left_for_later_is_settled_in_the_office_like_a_packets(qtbot, ledger, form):
    from PySide6.QtWidgets import QGroupBox, QPushButton

    from desktop.merge_dialogs import ConflictDialog

    click_save(qtbot, form)
    office = ConflictDialog(ledger, "办公室")
    qtbot.addWidget(office)
    office.show()
    titles = [box.title() for box in office.sides.findChildren(QGroupBox) if not box.isHidden()]
    assert titles == ["台账中的版本（已保存）", "未保存的版本（李四，在第 1 版上修改）"]
    assert "或两位操作员同时保存" in office.heading.text()
    take = next(b for b in office.findChildren(QPushButton) if b.text() == "采用数据包中的版本")
    qtbot.mouseClick(take, Qt.MouseButton.LeftButton)
    assert stored(ledger) == ("李四的修改", 3) and pending(ledger) == []
