"""Monthly batch entry: one unit's tasks for one month typed with the keyboard and saved all or nothing."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit
from sqlalchemy import func, select

from db.ledger import list_tasks
from db.models import AuditLog
from db.progress import ProgressInput, batch_rows, list_progress, save_batch
from tests.batch_support import (
    NEXT,
    PERCENT,
    PROBLEMS,
    PROGRESS,
    REPORTER,
    ROLE,
    SEQ,
    STATUS,
    TITLE,
    UNIT,
    focused,
    go_to,
    ime,
    open_dialog,
    shown,
)

pytestmark = pytest.mark.gui







def type_row(qtbot, dialog, row, downs, percent, progress, problems="", next_steps=""):
    """From the row's 状态 cell: pick a status with Down, then Tab through 进度, the three texts and 填报人."""
    go_to(dialog, row, STATUS)
    qtbot.keyClick(dialog.view, Qt.Key.Key_F2)
    assert isinstance(focused(), QComboBox)
    for _ in range(downs):
        qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert isinstance(focused(), QLineEdit)
    qtbot.keyClicks(focused(), percent)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    for text in (progress, problems, next_steps):
        assert isinstance(focused(), QPlainTextEdit)
        if text:
            ime(focused(), text)
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert isinstance(focused(), QLineEdit)  # 填报人, left empty: the operator is recorded
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)



def progress_count(ledger, period="2022-06"):
    with ledger.Session() as session:
        return len(list_progress(session, unit=UNIT, period=period))


def audit_count(ledger):
    with ledger.Session() as session:
        return session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("progress.%")))


def codes_of_first_rows(ledger, n):
    with ledger.Session() as session:
        return [r.task_code for r in batch_rows(session, UNIT, "2022-06")[:n]]


def seed(ledger, period, rows):
    with ledger.Session.begin() as session:
        save_batch(session, [ProgressInput(code, UNIT, period, *values) for code, *values in rows], operator="测试")


def test_grid_lists_the_units_tasks_in_the_plans_order(qtbot, ledger):
    """The rows follow the plan, as the unit's 报送模板 does, so a block copied from it lines up row for row.

    (The grid used to list lead tasks first; it follows the template now so that pasting works.)
    """
    from db.ledger import find_unit, resolve_plan_id
    from db.template_import import unit_tasks

    dialog = open_dialog(qtbot, ledger, unit="住建局")
    model = dialog.model
    with ledger.Session() as session:
        tasks = list_tasks(session, unit=UNIT)
        template = [t.code for t in unit_tasks(session, find_unit(session, UNIT), "2022-06", resolve_plan_id(session, None))]
    codes = [model.batch_row(r).task_code for r in range(model.rowCount())]
    assert codes == template
    assert sorted(codes) == sorted(t.code for t in tasks)
    assert len(codes) == len(tasks) == 67
    assert dialog.unit_box.currentText() == UNIT
    assert [shown(dialog, 0, c) for c in (SEQ, TITLE, ROLE)] == ["附件1\n7.", "优化企业开办“一网通办”服务能力", "负责"]
    assert "共 67 项任务（牵头 21 项）" in dialog.summary.text()


def test_typed_rows_are_saved_with_their_values(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    type_row(qtbot, dialog, 0, 2, "60", "施工图审查系统完成升级", "部分区县数据未接入", "7月底前全部接入")
    # Tab after 填报人 wraps to the next row's 状态 and opens its editor.
    assert (dialog.view.currentIndex().row(), dialog.view.currentIndex().column()) == (1, STATUS)
    assert isinstance(focused(), QComboBox)
    for _ in range(3):
        qtbot.keyClick(focused(), Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "100")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    ime(focused(), "市政接入已全部网上办理")
    # Enter commits and opens the same column of the next row.
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert (dialog.view.currentIndex().row(), dialog.view.currentIndex().column()) == (2, PROGRESS)
    assert isinstance(focused(), QPlainTextEdit)
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert [shown(dialog, 0, c) for c in range(STATUS, REPORTER + 1)] == [
        "推进中", "60%", "施工图审查系统完成升级", "部分区县数据未接入", "7月底前全部接入", "李四"
    ]
    assert dialog.model.index(0, PROGRESS).data(Qt.ItemDataRole.FontRole).bold()
    assert dialog.model.index(2, PROGRESS).data(Qt.ItemDataRole.FontRole) is None
    assert dialog.model.changed_rows() == [0, 1]

    qtbot.keyClick(dialog.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert dialog.message.text() == "已保存：新增 2 条，更新 0 条。"
    assert not dialog.model.is_dirty()
    with ledger.Session() as session:
        saved = {e.task: e for e in list_progress(session, unit=UNIT, period="2022-06")}
    first, second = dialog.model.batch_row(0).task_code, dialog.model.batch_row(1).task_code
    assert set(saved) == {first, second}
    assert (saved[first].status, saved[first].percent) == ("推进中", 60)
    assert (saved[first].progress_text, saved[first].problems, saved[first].next_steps) == (
        "施工图审查系统完成升级", "部分区县数据未接入", "7月底前全部接入"
    )
    assert (saved[second].status, saved[second].percent, saved[second].problems) == ("已完成", 100, None)
    assert saved[first].reporter == "李四" and saved[first].entry_date == dt.date.today().isoformat()


def test_one_invalid_row_rejects_the_whole_batch(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    type_row(qtbot, dialog, 0, 2, "60", "已完成系统升级")
    type_row(qtbot, dialog, 2, 3, "50", "正在验收")  # 已完成 at 50%
    code = dialog.model.batch_row(2).task_code
    before = progress_count(ledger)

    assert dialog.save() is False

    assert progress_count(ledger) == before == 0
    assert dialog.problem_list.isVisible()
    problems = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert problems == [f"第 3 行（任务 {code}）进度：状态为“已完成”时进度应为 100，而不是 50。"]
    assert "本批一条也不会写入" in dialog.problem_title.text()
    assert dialog.model.index(2, PERCENT).data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f8d0d0"
    assert dialog.model.changed_rows() == [0, 2]
    assert shown(dialog, 0, PROGRESS) == "已完成系统升级" and shown(dialog, 2, PERCENT) == "50%"
    assert dialog.model.index(2, 0).data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f8d0d0"

    go_to(dialog, 2, PERCENT)
    qtbot.keyClick(dialog.view, Qt.Key.Key_F2)
    qtbot.keyClicks(focused(), "100")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert dialog.save() is True
    assert dialog.message.text() == "已保存：新增 2 条，更新 0 条。"
    assert not dialog.problem_list.isVisible()
    assert progress_count(ledger) == 2


def test_copy_last_month_fills_only_the_empty_rows(qtbot, ledger):
    codes = codes_of_first_rows(ledger, 3)
    seed(ledger, "2022-05", [(c, "推进中", 40, f"五月进展{i}", "五月问题", "五月计划") for i, c in enumerate(codes[:3])])
    seed(ledger, "2022-06", [(codes[1], "滞后", 45, "六月已报")])
    dialog = open_dialog(qtbot, ledger)
    assert [shown(dialog, 1, c) for c in (STATUS, PERCENT, PROGRESS)] == ["滞后", "45%", "六月已报"]
    assert not dialog.model.is_dirty()
    go_to(dialog, 2, PROGRESS)
    qtbot.keyClick(dialog.view, Qt.Key.Key_F2)
    ime(focused(), "本月新写")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)

    assert dialog.message.text().startswith("已从上月复制 1 行")
    assert [shown(dialog, 0, c) for c in range(STATUS, NEXT + 1)] == ["推进中", "40%", "五月进展0", "五月问题", "五月计划"]
    assert shown(dialog, 0, 3) == "沿用上月"  # an untouched copy is flagged until confirmed
    # Tinted orange, not bold: bold is for what the clerk changed (it used to be bold before copies needed confirming).
    assert dialog.model.index(0, PROGRESS).data(Qt.ItemDataRole.BackgroundRole).color().name() == "#ffe2b8"
    assert [shown(dialog, 1, c) for c in (STATUS, PERCENT, PROGRESS)] == ["滞后", "45%", "六月已报"]
    assert [shown(dialog, 2, c) for c in (STATUS, PROGRESS, PROBLEMS)] == ["", "本月新写", ""]
    assert [shown(dialog, 3, c) for c in range(STATUS, NEXT + 1)] == ["", "", "", "", ""]
    assert dialog.model.changed_rows() == [0, 2]


def test_saving_again_without_changes_writes_nothing(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    type_row(qtbot, dialog, 0, 2, "60", "已完成系统升级")
    assert dialog.save()
    audited = audit_count(ledger)
    assert audited == 1

    qtbot.keyClick(dialog.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text() == "没有需要保存的修改。"
    go_to(dialog, 0, PERCENT)  # typing the stored value again is no change
    qtbot.keyClick(dialog.view, Qt.Key.Key_F2)
    qtbot.keyClicks(focused(), "60")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert not dialog.model.is_dirty()
    dialog.close()

    reopened = open_dialog(qtbot, ledger, unit=UNIT)
    assert [shown(reopened, 0, c) for c in (STATUS, PERCENT, PROGRESS)] == ["推进中", "60%", "已完成系统升级"]
    assert reopened.save()
    assert reopened.message.text() == "没有需要保存的修改。"
    assert audit_count(ledger) == audited
    with ledger.Session() as session:
        updates = select(func.count()).select_from(AuditLog).where(AuditLog.action == "progress.update")
        assert session.scalar(updates) == 0


def test_unsaved_edits_are_kept_or_discarded_on_request(qtbot, ledger, monkeypatch):
    seed(ledger, "2022-05", [(codes_of_first_rows(ledger, 6)[5], "推进中", 30, "五月进展")])
    dialog = open_dialog(qtbot, ledger)
    type_row(qtbot, dialog, 0, 1, "0", "尚未启动")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    answers = []
    monkeypatch.setattr(dialog, "ask_unsaved", lambda: answers.pop(0))

    answers.append("keep")
    dialog.period_edit.stepBy(-1)  # ↓ in the month field
    assert dialog.period == "2022-06" and dialog.period_edit.period() == "2022-06"
    assert shown(dialog, 0, PROGRESS) == "尚未启动"

    answers.append("discard")
    dialog.period_edit.stepBy(-1)  # ↓ in the month field
    assert dialog.period == "2022-05" and not dialog.model.is_dirty()
    assert shown(dialog, 5, PROGRESS) == "五月进展"
    assert progress_count(ledger, "2022-06") == 0

    type_row(qtbot, dialog, 0, 1, "0", "五月补报")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    answers.append("keep")
    qtbot.keyClick(dialog.view, Qt.Key.Key_Escape)
    assert dialog.isVisible() and answers == []
    answers.append("save")
    qtbot.keyClick(dialog.view, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert progress_count(ledger, "2022-05") == 2


def test_unit_box_finds_a_unit_by_alias(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger, unit="市发展改革委")
    line = dialog.unit_box.lineEdit()
    line.setFocus()
    line.selectAll()
    ime(line, "住建")
    completer = dialog.unit_box.completer()
    assert completer.popup().isVisible()
    assert [completer.completionModel().index(r, 0).data() for r in range(completer.completionCount())] == [UNIT]
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Down)
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Return)
    assert dialog.unit == UNIT and dialog.model.rowCount() == 67


def test_a_unit_offered_only_its_own_unit_cannot_type_its_way_to_another(qtbot, ledger):
    from desktop.batch_dialog import BatchEntryDialog

    # A unit login's grid (desktop/server_window.py) is given its own units only.
    dialog = BatchEntryDialog(ledger, unit=UNIT, period="2022-06", operator="李四", units=[UNIT])
    dialog.ask_unsaved = lambda: "discard"
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.unit_box.setEditText("市发展改革委")
    dialog._on_unit_chosen()
    assert dialog.unit == UNIT and dialog.unit_box.currentText() == UNIT
    assert "不能为“市发展改革委”填报" in dialog.message.text() and UNIT in dialog.message.text()
