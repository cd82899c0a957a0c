"""The entry form typed like a clerk: 进度 150 and 未启动 with 15% are refused with a message, months are typed freely.

What was saved is read back through the db services, as the rest of the window reads it.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QDialogButtonBox

from db.drafts import list_drafts
from db.errors import UserError
from db.ledger import get_task
from db.progress import ProgressInput, add_progress, entry_slot, entry_task, list_progress, typed_percent
from tests.test_dialog_sizes import conflict_ledger_file  # noqa: F401 - the fixture: a ledger with a pending conflict

pytestmark = pytest.mark.gui
CODE, UNIT, PERIOD = "A03-01", "市住房和城乡建设局", "2022-06"


def type_text(qtbot, widget, text):
    """Type as a clerk does: ASCII as key presses, Chinese committed by the input method (QTest types ASCII only)."""
    widget.setFocus()
    target = widget.lineEdit() if isinstance(widget, QAbstractSpinBox) else widget
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if run.isascii():
            qtbot.keyClicks(target, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(target, event)


def retype(qtbot, widget, text):
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, widget, text)


def click_save(qtbot, dialog):
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def task_id(ledger, code=CODE):
    with ledger.Session() as session:
        return get_task(session, code).id


def reports(ledger, period=None):
    with ledger.Session() as session:
        return [(r.unit, r.period, r.status, r.percent, r.progress_text) for r in list_progress(session, task_code=CODE, period=period)]


@pytest.fixture
def dialog(qtbot, ledger):
    from desktop.entry_dialog import ProgressEntryDialog

    form = ProgressEntryDialog(ledger, task_id(ledger), period=PERIOD, operator="张三", unit=UNIT)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def test_150_is_refused_with_a_message_and_never_saved_as_15(qtbot, ledger, dialog):
    type_text(qtbot, dialog.progress_text, "联合验收已全面推行")
    retype(qtbot, dialog.percent, "150")
    assert dialog.percent.text() == "150"  # the third digit is kept, not dropped
    assert dialog.form.error_text("percent") == "进度“150”无效，应为 0 到 100 之间的整数。"  # at once, before 保存
    click_save(qtbot, dialog)
    assert dialog.isVisible() and reports(ledger) == []
    retype(qtbot, dialog.percent, "abc")
    click_save(qtbot, dialog)
    assert "进度“abc”无效" in dialog.form.error_text("percent") and reports(ledger) == []
    retype(qtbot, dialog.percent, "15")
    assert dialog.form.error_text("percent") == ""
    click_save(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert reports(ledger) == [(UNIT, PERIOD, "推进中", 15, "联合验收已全面推行")]


def test_not_started_with_15_percent_is_refused(qtbot, ledger, dialog):
    type_text(qtbot, dialog.progress_text, "正在准备")
    dialog.status.setCurrentText("未启动")
    retype(qtbot, dialog.percent, "15")
    assert "“未启动”时进度应为 0" in dialog.form.error_text("percent")
    click_save(qtbot, dialog)
    assert dialog.isVisible() and reports(ledger) == []
    dialog.status.setCurrentText("推进中")  # started after all: the message goes with the cause
    assert dialog.form.error_text("percent") == ""
    click_save(qtbot, dialog)
    assert reports(ledger) == [(UNIT, PERIOD, "推进中", 15, "正在准备")]


def test_the_rule_is_the_ledger_own_not_only_the_form(ledger):
    with ledger.Session.begin() as session, pytest.raises(UserError) as refused:
        add_progress(session, ProgressInput(CODE, UNIT, PERIOD, "未启动", 15, "正在准备"), operator="张三")
    assert any("“未启动”时进度应为 0" in line for line in refused.value.details)
    assert reports(ledger) == []


def test_percent_stepped_with_the_keys_stays_within_0_and_100(qtbot, dialog):
    retype(qtbot, dialog.percent, "99")
    qtbot.keyClick(dialog.percent, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.percent, Qt.Key.Key_Up)
    assert dialog.percent.value() == 100
    qtbot.keyClick(dialog.percent, Qt.Key.Key_PageDown)
    assert dialog.percent.value() == 90


def test_a_month_typed_in_chinese_switches_the_form_and_saves_under_2022_07(qtbot, ledger, dialog):
    retype(qtbot, dialog.period, "2022年7月")
    qtbot.keyClick(dialog.period.lineEdit(), Qt.Key.Key_Tab)
    assert dialog.period.text() == "2022年07月"
    type_text(qtbot, dialog.progress_text, "七月进展")
    retype(qtbot, dialog.percent, "30")
    click_save(qtbot, dialog)
    assert reports(ledger) == [(UNIT, "2022-07", "推进中", 30, "七月进展")]


def test_a_month_that_does_not_exist_is_refused_and_nothing_is_saved_under_the_old_one(qtbot, ledger, dialog):
    type_text(qtbot, dialog.progress_text, "十三月进展")
    retype(qtbot, dialog.period, "2022-13")
    click_save(qtbot, dialog)
    assert "月份 13 不存在" in dialog.form.error_text("period")
    assert dialog.isVisible() and reports(ledger) == []
    retype(qtbot, dialog.period, "2022-12")
    assert dialog.form.error_text("period") == ""


def test_up_on_december_moves_the_form_to_january_keeping_the_typing_as_a_draft(qtbot, ledger):
    from desktop.entry_dialog import ProgressEntryDialog

    form = ProgressEntryDialog(ledger, task_id(ledger), period="2022-12", operator="张三", unit=UNIT)
    qtbot.addWidget(form)
    form.show()
    type_text(qtbot, form.progress_text, "十二月进展")
    qtbot.keyClick(form.period, Qt.Key.Key_Up)
    assert form.period.period() == "2023-01" and form.progress_text.toPlainText() == ""
    with ledger.Session() as session:
        [draft] = list_drafts(session, task_id(ledger))
    assert (draft.period, draft.fields["progress_text"]) == ("2022-12", "十二月进展")
    qtbot.keyClick(form.period, Qt.Key.Key_Down)
    assert form.progress_text.toPlainText() == "十二月进展"


def test_the_form_services_return_plain_data(ledger):
    with ledger.Session.begin() as session:
        add_progress(session, ProgressInput(CODE, UNIT, PERIOD, "推进中", 40, "已推进"), operator="张三")
    tid = task_id(ledger)
    with ledger.Session() as session:
        task = entry_task(session, tid)
        slot = entry_slot(session, tid, task.units[0].unit_id, PERIOD)
        empty = entry_slot(session, tid, task.units[0].unit_id, "2022-07")
        with pytest.raises(UserError):
            entry_task(session, 10**6)
    assert (task.code, task.units[0].name, task.units[0].role) == (CODE, UNIT, "牵头")
    assert len(task.units) == 8  # the collective 各县（市、区）人民政府 reports through its six members
    assert (slot.saved.percent, slot.saved.progress_text, slot.saved_version, slot.draft) == (40, "已推进", 1, None)
    assert (empty.saved, empty.draft) == (None, None)


@pytest.mark.parametrize(("typed", "value"), [("15", 15), ("15%", 15), (" １５％ ", 15), ("0", 0), ("150", 150), ("1５0", 150), ("abc", "abc"), ("", ""), ("-5", "-5"), ("1.5", "1.5")])
def test_typed_percent_keeps_what_is_not_a_whole_number_for_the_rules_to_refuse(typed, value):
    assert typed_percent(typed) == value


def test_a_closed_form_keeps_150_in_its_draft_and_still_refuses_it(qtbot, ledger, dialog):
    from desktop.entry_dialog import ProgressEntryDialog

    type_text(qtbot, dialog.progress_text, "进展")
    retype(qtbot, dialog.percent, "150")
    dialog.reject()  # 关闭（保留草稿）
    again = ProgressEntryDialog(ledger, task_id(ledger), period=PERIOD, operator="张三", unit=UNIT)
    qtbot.addWidget(again)
    assert again.percent.value() == 150 and "草稿" in again.notice.text()
    assert again.form.error_text("percent") == "进度“150”无效，应为 0 到 100 之间的整数。"
    again.save()
    assert reports(ledger) == []


def test_enter_after_typing_a_month_moves_the_form_and_does_not_save_it(qtbot, ledger, dialog):
    with ledger.Session.begin() as session:
        add_progress(session, ProgressInput(CODE, UNIT, "2022-07", "推进中", 30, "七月进展"), operator="张三")
    type_text(qtbot, dialog.progress_text, "六月进展")
    retype(qtbot, dialog.period, "2022-7")
    qtbot.keyClick(dialog.period.lineEdit(), Qt.Key.Key_Return)
    # The form moved to July and shows its report; that Enter did not also press 保存 and close the form.
    assert dialog.isVisible() and dialog.period.period() == "2022-07"
    assert dialog.progress_text.toPlainText() == "七月进展"
    assert reports(ledger) == [(UNIT, "2022-07", "推进中", 30, "七月进展")]  # June's typing waits as a draft
    retype(qtbot, dialog.period, "2022-13")
    qtbot.keyClick(dialog.period.lineEdit(), Qt.Key.Key_Return)
    assert dialog.isVisible() and "月份 13 不存在" in dialog.form.error_text("period")


def test_the_conflict_dialog_refuses_150_too_instead_of_saving_15(qtbot, request, tmp_path, monkeypatch):
    """合并冲突's combined 进度 is the same field: 150 is refused by the ledger's rule, the conflict stays pending."""
    import shutil

    from PySide6.QtWidgets import QMessageBox, QPushButton

    from db.engine import open_ledger
    from db.packets import pending_conflicts
    from desktop.merge_dialogs import ConflictDialog

    path = tmp_path / "ledger.sqlite"
    shutil.copy(request.getfixturevalue("conflict_ledger_file"), path)
    ledger = open_ledger(path)
    try:
        dialog = ConflictDialog(ledger, "张三")
        qtbot.addWidget(dialog)
        dialog.show()
        warned = []
        monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
        retype(qtbot, dialog.percent, "150")
        assert dialog.percent.text() == "150"
        save = next(b for b in dialog.findChildren(QPushButton) if b.text() == "保存合并后的内容")
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        assert warned and "进度“150”无效" in warned[0]
        with ledger.Session() as session:
            assert len(pending_conflicts(session)) == 1
            [kept] = list_progress(session, task_code="A01-15", unit="市发展改革委", period=PERIOD)
        assert kept.percent == 50
    finally:
        ledger.close()
