"""The decision, correction and settings dialogs, filled through their widgets as a clerk would."""

import datetime as dt
import hashlib
import re

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QDialogButtonBox, QLabel
from sqlalchemy import func, select

from db.decisions import MAX_EVIDENCE_BYTES, extend, sign_off
from db.ledger import get_task, list_tasks
from db.models import AuditLog, Extension, LedgerInfo, SignOff
from db.settings import load_settings
from db.warning_rules import DONE, RED, task_states

pytestmark = pytest.mark.gui

RED_TASK = "A03-01"  # 2022年6月前: red in 2022-07


def task_id(ledger, code):
    with ledger.Session() as s:
        return get_task(s, code).id


def colour(ledger, code, period="2022-07"):
    with ledger.Session() as s:
        task = get_task(s, code)
        return task_states(s, task.plan_id, period, due_soon_days=15)[task.id].colour


def count(ledger, model):
    with ledger.Session() as s:
        return s.scalar(select(func.count()).select_from(model))


def type_text(qtbot, widget, text):
    """Type as a clerk does: ASCII as key presses, Chinese committed by the input method (QTest types ASCII only)."""
    widget.setFocus()
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def opened(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click_ok(qtbot, dialog):
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_buttons_read_confirm_and_cancel(qtbot, ledger):
    from desktop.decision_dialogs import SignOffDialog

    dialog = opened(qtbot, SignOffDialog(ledger, task_id(ledger, RED_TASK), "李四"))
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_sign_off_needs_evidence_then_takes_the_task_off_the_red_list(qtbot, ledger):
    from desktop.decision_dialogs import SignOffDialog

    dialog = opened(qtbot, SignOffDialog(ledger, task_id(ledger, RED_TASK), "李四"))
    assert "A03-01" in dialog.facts.summary() and "进一步精简审批环节" in dialog.facts.summary()
    assert "2022年6月前" in dialog.facts.summary()
    click_ok(qtbot, dialog)
    assert dialog.error_text("note") == "请填写销号依据说明或附上证明材料。"
    assert dialog.form.errors["note"].isVisible() and dialog.isVisible()
    assert count(ledger, SignOff) == 0

    dialog.date.setDate(QDate(2022, 7, 5))
    type_text(qtbot, dialog.note, "联合验收流程已印发")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # a new line in the note, not 确定
    type_text(qtbot, dialog.note, "三营商办〔2022〕9号")
    assert dialog.isVisible() and count(ledger, SignOff) == 0
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ledger.Session() as s:
        row = s.scalars(select(SignOff)).one()
    assert row.evidence_note == "联合验收流程已印发\n三营商办〔2022〕9号"
    assert (row.signed_on, row.operator) == (dt.date(2022, 7, 5), "李四")
    assert colour(ledger, RED_TASK) == DONE


def test_sign_off_dated_tomorrow_is_refused_under_the_date(qtbot, ledger):
    from desktop.decision_dialogs import SignOffDialog

    dialog = opened(qtbot, SignOffDialog(ledger, task_id(ledger, RED_TASK), "李四"))
    dialog.date.setDate(QDate(dt.date.today() + dt.timedelta(days=1)))
    type_text(qtbot, dialog.note, "已完成")
    click_ok(qtbot, dialog)
    assert "晚于今天" in dialog.error_text("date") and dialog.error_text("note") == ""
    assert dialog.isVisible() and count(ledger, SignOff) == 0


def test_sign_off_with_an_attached_file_and_an_oversized_one(qtbot, ledger, tmp_path):
    from desktop.decision_dialogs import SignOffDialog

    big = tmp_path / "整卷扫描.pdf"
    with open(big, "wb") as f:
        f.truncate(MAX_EVIDENCE_BYTES + 1)
    scan = tmp_path / "验收通知.pdf"
    scan.write_bytes(b"%PDF-1.4 notice" * 200)
    dialog = opened(qtbot, SignOffDialog(ledger, task_id(ledger, RED_TASK), "李四"))
    dialog.set_evidence_file(big)
    assert "超过 20 MB 上限" in dialog.error_text("evidence")
    assert dialog.evidence is None and dialog.evidence_label.text() == "未选择文件"
    dialog.set_evidence_file(scan)
    assert dialog.error_text("evidence") == "" and dialog.evidence_label.text().startswith("验收通知.pdf（")
    dialog.date.setDate(QDate(2022, 7, 5))
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ledger.Session() as s:
        row = s.scalars(select(SignOff)).one()
    assert row.evidence_name == "验收通知.pdf" and row.evidence_sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()


def test_second_sign_off_is_refused_under_the_task(qtbot, ledger):
    from desktop.decision_dialogs import SignOffDialog

    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 5), operator="李四", note="第一次")
    dialog = opened(qtbot, SignOffDialog(ledger, task_id(ledger, RED_TASK), "王五"))
    type_text(qtbot, dialog.note, "第二次")
    click_ok(qtbot, dialog)
    assert "已经销号" in dialog.error_text("task") and dialog.isVisible()
    with ledger.Session() as s:
        assert s.scalars(select(SignOff.evidence_note)).all() == ["第一次"]


def test_revoke_needs_a_reason_and_restores_the_warning(qtbot, ledger):
    from desktop.decision_dialogs import RevokeSignOffDialog

    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 5), operator="李四", note="误销")
    dialog = opened(qtbot, RevokeSignOffDialog(ledger, task_id(ledger, RED_TASK), "王五"))
    click_ok(qtbot, dialog)
    assert dialog.error_text("reason") == "请填写撤销销号的原因。" and count(ledger, SignOff) == 1
    type_text(qtbot, dialog.reason, "牵头单位材料不全")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert count(ledger, SignOff) == 0 and colour(ledger, RED_TASK) == RED
    with ledger.Session() as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "task.revoke_sign_off")).one()
    assert (row.operator, row.note) == ("王五", "牵头单位材料不全")


def test_extension_shows_the_original_deadline_and_refuses_bad_input_field_by_field(qtbot, ledger):
    from desktop.decision_dialogs import ExtensionDialog

    dialog = opened(qtbot, ExtensionDialog(ledger, task_id(ledger, RED_TASK), "李四"))
    assert dialog.facts.deadline == "2022年6月前" and dialog.facts.due == dt.date(2022, 6, 30)
    dialog.new_due.setDate(QDate(2022, 6, 15))
    click_ok(qtbot, dialog)
    assert "应晚于现有时限 2022-06-30" in dialog.error_text("new_due")
    assert dialog.error_text("reason") == "请填写延期原因。"
    assert dialog.error_text("document") == "请填写批准延期的文件（文号或名称）。"
    assert dialog.isVisible() and count(ledger, Extension) == 0

    dialog.new_due.setDate(QDate(2022, 9, 30))
    dialog.approved_on.setDate(QDate(2022, 7, 10))
    type_text(qtbot, dialog.reason, "省级系统对接推迟")
    type_text(qtbot, dialog.document, "三营商办〔2022〕12号")
    qtbot.keyClick(dialog.document, Qt.Key.Key_Return)  # Enter in a one-line field is 确定
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert colour(ledger, RED_TASK) != RED
    with ledger.Session() as s:
        assert get_task(s, RED_TASK).deadline_text == "2022年6月前"
        row = s.scalars(select(Extension)).one()
    assert (row.new_due, row.approved_on, row.document, row.operator) == (
        dt.date(2022, 9, 30), dt.date(2022, 7, 10), "三营商办〔2022〕12号", "李四"
    )


def test_extension_lists_earlier_extensions(qtbot, ledger):
    from desktop.decision_dialogs import ExtensionDialog

    with ledger.Session.begin() as s:
        extend(s, get_task(s, RED_TASK), new_due=dt.date(2022, 9, 30), reason="系统对接推迟", document="三营商办〔2022〕12号",
               approved_on=dt.date(2022, 7, 10), operator="李四")
    dialog = opened(qtbot, ExtensionDialog(ledger, task_id(ledger, RED_TASK), "李四"))
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("2022-07-10 批准延至 2022-09-30" in t and "三营商办〔2022〕12号" in t for t in labels)
    assert "2022-09-30" in labels and "2022年6月前" in labels
    assert dialog.new_due.date().toPython() > dt.date(2022, 9, 30)


def units_of(ledger, code):
    with ledger.Session() as s:
        view = next(t for t in list_tasks(s) if t.code == code)
    return view, [(u.name, u.role) for u in view.units]


def cell_editor(dialog):
    """The combo box open in the units list (a closed one lingers until deleted later)."""
    [editor] = [c for c in dialog.units.view.findChildren(QComboBox) if c.isVisible()]
    return editor


def type_unit(qtbot, dialog, text):
    """Click 添加 and type a unit name into the new row's combo box, then Tab on."""
    qtbot.mouseClick(dialog.units.add_button, Qt.MouseButton.LeftButton)
    editor = cell_editor(dialog)
    type_text(qtbot, editor.lineEdit(), text)
    qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Tab)


def test_correction_refuses_bad_fields_under_each_and_writes_nothing(qtbot, ledger):
    from desktop.decision_dialogs import CorrectionDialog

    dialog = opened(qtbot, CorrectionDialog(ledger, task_id(ledger, "A02-06"), "李四"))
    dialog.title.clear()
    dialog.deadline.clear()
    type_text(qtbot, dialog.deadline, "尽快")
    type_unit(qtbot, dialog, "市不存在局")
    click_ok(qtbot, dialog)
    assert dialog.error_text("title") == "任务名称不能为空。"
    assert "时间节点无法换算为日期" in dialog.error_text("deadline")
    assert "未知单位：“市不存在局”" in dialog.error_text("units")
    assert dialog.error_text("reason").startswith("请填写更正原因")
    assert dialog.isVisible()
    view, _ = units_of(ledger, "A02-06")
    assert not view.corrected and view.deadline == "2022年12月"
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "task.correct")) == 0


def test_correction_edits_title_deadline_and_units_and_marks_the_task(qtbot, ledger):
    from desktop.decision_dialogs import CorrectionDialog

    dialog = opened(qtbot, CorrectionDialog(ledger, task_id(ledger, "A02-06"), "李四"))
    facts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("原文第 611–615 行" in t for t in facts) and "市税务局、市公安局" in facts
    assert dialog.units.units() == [("市税务局", "责任单位"), ("市公安局", "责任单位")]
    dialog.title.selectAll()
    type_text(qtbot, dialog.title, "积极推进企业开办全程零收费")
    dialog.deadline.selectAll()
    type_text(qtbot, dialog.deadline, "2022年9月底前")
    type_unit(qtbot, dialog, "市市场监管局")  # an alias: resolved to the canonical name on saving
    assert dialog.isVisible()  # Enter or Tab in the units list never accepts the dialog
    dialog.units.view.setCurrentIndex(dialog.units.model.index(2, 0))
    qtbot.mouseClick(dialog.units.up_button, Qt.MouseButton.LeftButton)
    dialog.units.view.setCurrentIndex(dialog.units.model.index(2, 0))
    qtbot.mouseClick(dialog.units.remove_button, Qt.MouseButton.LeftButton)  # 市公安局
    dialog.units.view.setCurrentIndex(dialog.units.model.index(0, 1))
    dialog.units.view.edit(dialog.units.model.index(0, 1))
    role = cell_editor(dialog)
    role.setCurrentText("牵头")
    qtbot.keyClick(role, Qt.Key.Key_Return)  # commits the cell (queued), does not accept the dialog
    qtbot.waitUntil(lambda: dialog.units.units() == [("市税务局", "牵头"), ("市市场监管局", "配合")])
    dialog.units.view.setFocus()
    qtbot.keyClick(dialog.units.view, Qt.Key.Key_Return)  # Enter on a row of the list is not 确定 either
    assert dialog.isVisible() and dialog.error_text("reason") == ""  # not even an attempt
    type_text(qtbot, dialog.reason, "与原文核对有误")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    view, units = units_of(ledger, "A02-06")
    assert view.corrected and view.title == "积极推进企业开办全程零收费"
    assert view.deadline == "2022年9月底前" and view.due == "2022-09-30"
    assert units == [("市税务局", "牵头"), ("市市场监督管理局", "配合")]
    with ledger.Session() as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "task.correct")).one()
    assert (row.operator, row.note, row.before["title"]) == ("李四", "与原文核对有误", "积极推进全程零收费")


def test_correction_with_nothing_changed_says_so(qtbot, ledger):
    from desktop.decision_dialogs import CorrectionDialog

    dialog = opened(qtbot, CorrectionDialog(ledger, task_id(ledger, "A02-06"), "李四"))
    type_text(qtbot, dialog.reason, "核对")
    click_ok(qtbot, dialog)
    assert "没有需要更正的地方" in dialog.error_text("task") and dialog.isVisible()
    assert not units_of(ledger, "A02-06")[0].corrected


def test_ctrl_enter_in_an_open_unit_cell_saves_what_was_typed(qtbot, ledger):
    from desktop.decision_dialogs import CorrectionDialog

    dialog = opened(qtbot, CorrectionDialog(ledger, task_id(ledger, "A02-06"), "李四"))
    type_text(qtbot, dialog.reason, "补漏单位")
    qtbot.mouseClick(dialog.units.add_button, Qt.MouseButton.LeftButton)
    editor = cell_editor(dialog)
    type_text(qtbot, editor.lineEdit(), "市人防办")
    qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert units_of(ledger, "A02-06")[1] == [("市税务局", "责任单位"), ("市公安局", "责任单位"), ("市人防办", "配合")]


def test_settings_refuse_blank_names_then_save(qtbot, ledger):
    from desktop.settings_dialog import SettingsDialog

    dialog = opened(qtbot, SettingsDialog(ledger, "李四"))
    assert dialog.office_name.text() == "三门峡市优化营商环境工作领导小组办公室"
    assert dialog.period.text() == "2022年12月" and dialog.due_soon_days.value() == 15
    dialog.office_name.clear()
    dialog.operator_edit.clear()
    click_ok(qtbot, dialog)
    assert dialog.error_text("office_name") == "办公室名称不能为空。"
    assert dialog.error_text("operator").startswith("请填写操作员姓名")
    assert dialog.isVisible()
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(LedgerInfo).where(LedgerInfo.key.like("setting.%"))) == 0

    type_text(qtbot, dialog.office_name, "卢氏县营商办")
    type_text(qtbot, dialog.operator_edit, "王五")
    dialog.period.set_period("2022-07")
    dialog.due_soon_days.selectAll()
    type_text(qtbot, dialog.due_soon_days, "10")
    dialog.report_day.setValue(5)
    dialog.praise_rate.setValue(90)
    type_text(qtbot, dialog.doc_code, "卢营商办")
    type_text(qtbot, dialog.copy_to, "县委办公室，县政府办公室")
    type_text(qtbot, dialog.contact_person, "赵六")
    type_text(qtbot, dialog.contact_phone, "0398-7861234")
    qtbot.keyClick(dialog.operator_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.operator_name == "王五"
    with ledger.Session() as s:
        settings = load_settings(s)
        row = s.scalars(select(AuditLog).where(AuditLog.action == "settings.update")).one()
    assert (settings.office_name, settings.current_period, settings.due_soon_days) == ("卢氏县营商办", "2022-07", 10)
    assert (settings.report_day, settings.praise_rate, settings.reply_days) == (5, 90, 10)
    assert (settings.doc_code, settings.copy_to, settings.contact_person, settings.contact_phone) == ("卢营商办", "县委办公室，县政府办公室", "赵六", "0398-7861234")
    assert dialog.office_settings == settings and row.operator == "王五"


# ----- a decision in the window: every view shows it at once ---------------------------------------


@pytest.fixture
def demo_window(qtbot, demo_year_file, tmp_path):
    """The window over a private copy of the demo year, its current period December 2022 (handled years later)."""
    import shutil

    from PySide6.QtCore import QSettings

    from db.engine import open_ledger
    from desktop.main_window import MainWindow

    path = tmp_path / "ledger.sqlite"
    shutil.copy(demo_year_file, path)
    ledger = open_ledger(path)
    with ledger.Session() as s:
        assert load_settings(s).current_period == "2022-12"
    window = MainWindow(ledger, QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.load()
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    ledger.close()


def when_open(qtbot, kind, fill):
    """Fill the dialog of this kind as soon as the window opens it (its exec() blocks the caller)."""
    seen = []

    def look():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and not seen:
            seen.append(dialog)
            try:
                fill(dialog)
            finally:
                if dialog.isVisible():  # a failed step must not leave exec() waiting for ever
                    dialog.reject()
        elif not seen:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)
    return seen


def menu_action(window, text):
    return next(a for a in window.actions() if a.text() == text)


def settled(qtbot):
    """The window reads the new states on the op runner's worker after a dialog closes; wait until it has."""
    from desktop.ops import runner

    qtbot.waitUntil(lambda: not runner().busy, timeout=10000)


def row_texts(window, code):
    from desktop.task_model import COLUMNS

    with window.ledger.Session() as s:
        row = window.model.row_of(get_task(s, code).id)
    return {name: window.model.index(row, column).data() for column, name in enumerate(COLUMNS)}


def warning_nodes(window):
    """{node label: set of task ids} of the 按预警 tree."""
    from desktop.navigation import TASK_ID_ROLE

    model = window.warning_view.model()
    nodes = {}
    for r in range(model.rowCount()):
        item = model.item(r)
        nodes[item.text().split("（")[0]] = (item.text(), {item.child(i).data(TASK_ID_ROLE) for i in range(item.rowCount())})
    return nodes


def dashboard_tips(window, kind, qtbot):
    window.tabs.setCurrentIndex(1)
    settled(qtbot)  # the figures are read on the worker
    tips = list(window.dashboard.bars[kind].tips)
    window.tabs.setCurrentIndex(0)
    return tips


def test_sign_off_in_the_window_shows_in_every_view_at_once(qtbot, demo_window):
    """December handled years later: A03-06 (逾期, 滞后) signed off from the menu with the date the dialog offers."""
    from desktop.dashboard import PERIOD, STATUS
    from desktop.decision_dialogs import SignOffDialog

    window = demo_window
    code = "A03-06"
    tid = task_id(window.ledger, code)
    before = row_texts(window, code)
    assert (before["预警"], before["状态"]) == ("逾期", "滞后")
    assert tid in warning_nodes(window)["逾期"][1]
    statuses_before = dashboard_tips(window, STATUS, qtbot)
    overdue_before = dashboard_tips(window, PERIOD, qtbot)[-1]
    window.open_task(tid)
    assert window.current_task_id() == tid

    said = []

    def fill(dialog):
        said.append((dialog.date.date().toPython(), dialog.timing.text()))
        type_text(qtbot, dialog.note, "已印发实施方案，牵头单位报送完成情况")
        click_ok(qtbot, dialog)

    seen = when_open(qtbot, SignOffDialog, fill)
    menu_action(window, "办结销号…").trigger()
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted
    settled(qtbot)
    assert said == [(dt.date(2022, 12, 31), "计入当前报送期间2022年12月的统计。")], "a date that counts in December"

    after = row_texts(window, code)
    assert (after["预警"], after["状态"], after["进度"]) == ("已销号", "已销号", "100%")
    nodes = warning_nodes(window)
    assert tid in nodes["已办结销号"][1] and tid not in nodes["逾期"][1]
    assert nodes["逾期"][0] == f"逾期（{len(nodes['逾期'][1])}）"
    detail = window.detail.toPlainText()
    assert "● 已销号：已于 2022-12-31 办结销号" in detail and "状态：已销号" in detail and "进度：100%" in detail
    assert f"已办结销号：2022-12-31，{window.operator}。依据：已印发实施方案，牵头单位报送完成情况" in detail
    statuses = dashboard_tips(window, STATUS, qtbot)
    assert statuses != statuses_before
    done_before = next(int(re.search(r"(\d+) 项", t)[1]) for t in statuses_before if t.startswith("已销号"))
    assert any(t.startswith(f"已销号：{done_before + 1} 项任务") for t in statuses)
    overdue_after = dashboard_tips(window, PERIOD, qtbot)[-1]
    count_of = lambda tip: int(re.search(r"逾期任务 (\d+) 项", tip)[1])  # noqa: E731
    assert overdue_after.startswith("2022年12月") and count_of(overdue_after) == count_of(overdue_before) - 1


def test_extension_in_the_window_moves_the_deadline_and_ends_the_overdue_light(qtbot, demo_window):
    """A03-07 (2022年6月前, 逾期) extended to 2023-03-31 from the menu: no longer 逾期, its new date shown first."""
    from desktop.decision_dialogs import ExtensionDialog

    window = demo_window
    code = "A03-07"
    tid = task_id(window.ledger, code)
    assert row_texts(window, code)["预警"] == "逾期"
    window.open_task(tid)

    said = []

    def fill(dialog):
        said.append((dialog.approved_on.date().toPython(), dialog.timing.text()))
        dialog.new_due.setDate(QDate(2023, 3, 31))
        type_text(qtbot, dialog.reason, "省级系统对接推迟")
        type_text(qtbot, dialog.document, "三营商办〔2022〕12号")
        click_ok(qtbot, dialog)

    seen = when_open(qtbot, ExtensionDialog, fill)
    menu_action(window, "批准延期…").trigger()
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted
    settled(qtbot)
    assert said == [(dt.date(2022, 12, 31), "计入当前报送期间2022年12月的统计。")], "approved on a day that counts in December"
    after = row_texts(window, code)
    assert after["预警"] != "逾期"
    assert after["时间节点"] == "2023-03-31（已延期，原2022年6月前）"
    assert tid not in warning_nodes(window)["逾期"][1]
    detail = window.detail.toPlainText()
    assert "● 正常：按期推进" in detail and "逾期" not in detail.split("\n")[2]
    assert f"延期：至 2023-03-31（三营商办〔2022〕12号，2022-12-31 批准，{window.operator} 录入）原因：省级系统对接推迟" in detail


def test_a_decision_dated_after_the_period_says_plainly_it_misses_it(qtbot, ledger):
    """December handled on 12 January: the date offered is 31 December; the clerk's 5 January is flagged, not refused."""
    from desktop.decision_dialogs import ERROR_STYLE, SignOffDialog

    dialog = opened(qtbot, SignOffDialog(ledger, task_id(ledger, RED_TASK), "李四", period="2022-12", today=dt.date(2023, 1, 12)))
    assert dialog.date.date() == QDate(2022, 12, 31)
    assert dialog.timing.text() == "计入当前报送期间2022年12月的统计。" and ERROR_STYLE not in dialog.timing.styleSheet()
    dialog.date.setDate(QDate(2023, 1, 5))
    assert dialog.timing.text().startswith("销号日期晚于当前报送期间2022年12月的最后一天（2022年12月31日）：不计入2022年12月的统计，自2023年1月起计入。")
    assert ERROR_STYLE in dialog.timing.styleSheet() and dialog.timing.isVisible()
    type_text(qtbot, dialog.note, "已验收")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, "the real date of a late sign-off may be recorded"
    assert colour(ledger, RED_TASK, "2022-12") == RED and colour(ledger, RED_TASK, "2023-01") == DONE


def test_an_extension_approved_while_the_period_runs_defaults_to_today(qtbot, ledger):
    from desktop.decision_dialogs import ExtensionDialog

    dialog = opened(qtbot, ExtensionDialog(ledger, task_id(ledger, RED_TASK), "李四", period="2022-07", today=dt.date(2022, 7, 20)))
    assert dialog.approved_on.date() == QDate(2022, 7, 20)
    assert dialog.timing.text() == "计入当前报送期间2022年7月的统计。"


def test_decision_dialogs_fit_the_office_screen(qtbot, ledger):
    """Shown whole on the 1366×768 test screen; their smallest layout fits 1280×720 too."""
    from desktop.decision_dialogs import CorrectionDialog, ExtensionDialog, RevokeSignOffDialog, SignOffDialog
    from desktop.screen import FRAME_ALLOWANCE, fits_on_screen

    tid = task_id(ledger, RED_TASK)
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 1), operator="李四", note="已验收\n" * 8)
    for kind in (SignOffDialog, ExtensionDialog, RevokeSignOffDialog, CorrectionDialog):
        dialog = opened(qtbot, kind(ledger, tid, "李四"))
        assert fits_on_screen(dialog), (kind.__name__, dialog.frameGeometry())
        smallest = dialog.minimumSizeHint()
        assert smallest.width() <= 1280 - FRAME_ALLOWANCE[0] and smallest.height() <= 720 - FRAME_ALLOWANCE[1], kind.__name__
        dialog.close()


def test_an_extension_into_a_new_month_is_offered_in_the_deadline_filter_at_once(qtbot, demo_window):
    from desktop.decision_dialogs import ExtensionDialog

    window = demo_window
    months = lambda: [window.due_combo.itemData(i) for i in range(1, window.due_combo.count())]  # noqa: E731
    assert "2023-03" not in months()
    window.open_task(task_id(window.ledger, "A03-07"))

    def fill(dialog):
        dialog.new_due.setDate(QDate(2023, 3, 31))
        type_text(qtbot, dialog.reason, "省级系统对接推迟")
        type_text(qtbot, dialog.document, "三营商办〔2022〕12号")
        click_ok(qtbot, dialog)

    seen = when_open(qtbot, ExtensionDialog, fill)
    menu_action(window, "批准延期…").trigger()
    assert seen and seen[0].result() == QDialog.DialogCode.Accepted
    settled(qtbot)
    assert "2023-03" in months()


def test_an_extension_to_a_date_already_past_says_the_task_stays_overdue(qtbot, ledger):
    from desktop.decision_dialogs import ExtensionDialog

    dialog = opened(qtbot, ExtensionDialog(ledger, task_id(ledger, RED_TASK), "李四", period="2022-12", today=dt.date(2023, 1, 12)))
    assert dialog.new_due.date() == QDate(2023, 1, 31) and dialog.still_overdue.text() == ""
    dialog.new_due.setDate(QDate(2022, 9, 30))
    assert dialog.still_overdue.text() == "新的完成时限 2022年9月30日 在2022年12月的统计中已经到期，任务仍计为逾期。"
    assert dialog.still_overdue.isVisible()
