"""The batch grid as a clerk uses it like a spreadsheet: paste blocks from WPS, confirm copies, jump to errors, fit the screen."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton

from db.decisions import sign_off
from db.ledger import get_task
from db.progress import ProgressInput, batch_rows, list_progress, save_batch
from tests.batch_support import (
    LAST_PERCENT,
    LAST_STATUS,
    LAST_TEXT,
    MARK,
    PERCENT,
    PROBLEMS,
    PROGRESS,
    REPORTER,
    SEQ,
    STATUS,
    UNIT,
    focused,
    go_to,
    ime,
    open_dialog,
    shown,
)
from tests.ledger_state import ledger_db_arg

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parent.parent
RED = "#f8d0d0"






def background(dialog, row, column):
    brush = dialog.model.index(row, column).data(Qt.ItemDataRole.BackgroundRole)
    return brush.color().name() if brush is not None else None



def click_cell(qtbot, dialog, row, column):
    rect = dialog.view.visualRect(dialog.model.index(row, column))
    qtbot.mouseClick(dialog.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def problems(dialog):
    return [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]


def saved(ledger, period="2022-06"):
    with ledger.Session() as session:
        return {e.task: e for e in list_progress(session, unit=UNIT, period=period)}


def row_codes(ledger, period="2022-06"):
    with ledger.Session() as session:
        return [r.task_code for r in batch_rows(session, UNIT, period)]


def seed_may(ledger, rows):
    codes = row_codes(ledger)
    with ledger.Session.begin() as session:
        save_batch(
            session,
            [ProgressInput(codes[r], UNIT, "2022-05", "推进中", 40 + r % 50, f"五月进展{r}", f"五月问题{r}", f"五月计划{r}") for r in rows],
            operator="测试",
        )


def type_keys(qtbot, text):
    """Typing on the keyboard: each key goes to whatever has the focus (the first one opens the cell's editor)."""
    for char in text:
        qtbot.keyClick(focused(), char)


def paste_key(qtbot, widget):
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


# A block as WPS and Excel put it on the clipboard: tabs between cells, CRLF between rows, a cell with a
# line break or quote in "…" with "" for a quote.  Columns: 状态 进度 进展情况 存在问题 下步计划 填报人.
BLOCK = (
    '推进中\t60%\t"施工图审查系统升级：\n一期已上线，含""联审""模块"\t部分区县未接入\t7月底前接入\t张三\r\n'
    "已完成\t100\t市政接入全部网上办理\t\t\t张三\r\n"
    "滞后\t150\t资金未到位\t资金拨付慢\t加快拨付\t张三\r\n"
)


def test_pasting_a_block_from_wps_validates_every_cell_and_saves_after_the_fix(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    codes = row_codes(ledger)
    click_cell(qtbot, dialog, 0, STATUS)
    QApplication.clipboard().setText(BLOCK)
    paste_key(qtbot, dialog.view)

    assert [shown(dialog, 0, c) for c in range(STATUS, REPORTER + 1)] == [
        "推进中", "60%", '施工图审查系统升级：\n一期已上线，含"联审"模块',
        "部分区县未接入", "7月底前接入", "张三",
    ]  # fmt: skip
    assert [shown(dialog, 1, c) for c in (STATUS, PERCENT, PROGRESS, PROBLEMS)] == ["已完成", "100%", "市政接入全部网上办理", ""]
    # 150 stays as pasted, marked, never cut to 15 or 100.
    assert shown(dialog, 2, PERCENT) == "150" and background(dialog, 2, PERCENT) == RED
    assert background(dialog, 2, STATUS) != RED
    assert "其中 1 格不符合要求" in dialog.message.text()
    assert problems(dialog) == [f"第 3 行（任务 {codes[2]}）进度：进度“150”无效，应为 0 到 100 之间的整数。"]

    qtbot.keyClick(dialog.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved(ledger) == {}
    assert dialog.problem_list.isVisible() and "一条也不会写入" in dialog.problem_title.text()

    # The error list jumps to the cell and opens it for correcting.
    item = dialog.problem_list.item(0)
    qtbot.mouseClick(dialog.problem_list.viewport(), Qt.MouseButton.LeftButton, pos=dialog.problem_list.visualItemRect(item).center())
    current = dialog.view.currentIndex()
    assert (current.row(), current.column()) == (2, PERCENT)
    assert isinstance(focused(), QLineEdit) and focused().text() == "150"
    qtbot.keyClicks(focused(), "90")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert shown(dialog, 2, PERCENT) == "90%" and not problems(dialog)

    qtbot.keyClick(dialog.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text() == "已保存：新增 3 条，更新 0 条。"
    reports = saved(ledger)
    assert set(reports) == set(codes[:3])
    first, second, third = (reports[c] for c in codes[:3])
    assert (first.status, first.percent, first.progress_text) == ("推进中", 60, '施工图审查系统升级：\n一期已上线，含"联审"模块')
    assert (second.status, second.percent, second.problems) == ("已完成", 100, None)
    assert (third.status, third.percent, third.next_steps) == ("滞后", 90, "加快拨付")
    assert {r.reporter for r in reports.values()} == {"张三"}


def test_a_block_too_big_for_the_grid_is_refused_whole(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    last = dialog.model.rowCount() - 1
    go_to(dialog, last - 1, STATUS)
    QApplication.clipboard().setText(BLOCK)
    paste_key(qtbot, dialog.view)
    assert dialog.message.text() == (
        f"剪贴板里有 3 行 6 列，从第 {last} 行“状态”起表格只放得下 2 行 6 列，未粘贴。请检查复制的范围或粘贴的起点。"
    )
    assert not dialog.model.is_dirty()

    go_to(dialog, 0, PERCENT)  # six columns from 进度 run past 填报人
    paste_key(qtbot, dialog.view)
    assert "只放得下 3 行 5 列，未粘贴" in dialog.message.text() and not dialog.model.is_dirty()


def test_paste_skips_read_only_columns_and_one_value_fills_a_selection(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    # Copied with the template's 上期进展 column in front: that cell lands on 上月进展 and is skipped.
    go_to(dialog, 0, LAST_TEXT)
    QApplication.clipboard().setText("2022年5月：推进中\t推进中\t30\t本月进展\r\n")
    paste_key(qtbot, dialog.view)
    assert [shown(dialog, 0, c) for c in (LAST_TEXT, STATUS, PERCENT, PROGRESS)] == ["", "推进中", "30%", "本月进展"]
    assert "1 格落在只读列上，已跳过" in dialog.message.text()

    # One value into a selected column range: every selected cell takes it, each one checked.
    click_cell(qtbot, dialog, 1, REPORTER)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    QApplication.clipboard().setText("王五\r\n")
    paste_key(qtbot, dialog.view)
    assert [shown(dialog, r, REPORTER) for r in (1, 2, 3, 4)] == ["王五", "王五", "王五", ""]
    assert dialog.message.text() == "已把“王五”填入选中的 3 格。"

    # Ctrl+Z takes the fill back.
    qtbot.keyClick(dialog.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [shown(dialog, r, REPORTER) for r in (1, 2, 3)] == ["", "", ""]


def test_typing_150_in_progress_is_refused_on_its_cell(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    codes = row_codes(ledger)
    click_cell(qtbot, dialog, 0, PERCENT)
    type_keys(qtbot, "150")  # typing starts the editor, as in a spreadsheet
    assert isinstance(focused(), QLineEdit) and focused().text() == "150"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    ime(focused(), "进展")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert shown(dialog, 0, PERCENT) == "150" and background(dialog, 0, PERCENT) == RED
    assert "进度“150”无效，应为 0 到 100 之间的整数" in dialog.model.index(0, PERCENT).data(Qt.ItemDataRole.ToolTipRole)
    assert problems(dialog) == [f"第 1 行（任务 {codes[0]}）进度：进度“150”无效，应为 0 到 100 之间的整数。"]
    assert dialog.save() is False and saved(ledger) == {}

    # Enter on the error list (keyboard only) goes to the cell too.
    go_to(dialog, 5, STATUS)
    dialog.problem_list.setFocus()
    dialog.problem_list.setCurrentRow(0)
    qtbot.keyClick(dialog.problem_list, Qt.Key.Key_Return)
    assert (dialog.view.currentIndex().row(), dialog.view.currentIndex().column()) == (0, PERCENT)
    assert isinstance(focused(), QLineEdit)


def test_signed_off_tasks_are_greyed_read_only_and_skipped(qtbot, ledger):
    codes = row_codes(ledger)
    seed_may(ledger, [0, 1, 2])
    with ledger.Session.begin() as session:
        sign_off(session, get_task(session, codes[1]), signed_on=dt.date(2022, 6, 15), operator="测试", note="已办结")
    dialog = open_dialog(qtbot, ledger)

    assert shown(dialog, 1, MARK) == "已销号"
    assert "2022-06-15 销号" in dialog.model.index(1, MARK).data(Qt.ItemDataRole.ToolTipRole)
    assert not dialog.model.index(1, STATUS).flags() & Qt.ItemFlag.ItemIsEditable
    assert background(dialog, 1, STATUS) == background(dialog, 1, SEQ) == "#e4e4e4"
    assert "已销号 1 项不需填报；需报 66 项" in dialog.summary.text()
    assert shown(dialog, 1, LAST_STATUS) == "推进中"  # last month still shown, for reference

    go_to(dialog, 0, STATUS)
    QApplication.clipboard().setText(BLOCK.replace("150", "50"))
    paste_key(qtbot, dialog.view)
    assert "第 2 行任务已销号，其内容已跳过" in dialog.message.text()
    assert shown(dialog, 1, STATUS) == "" and shown(dialog, 2, STATUS) == "滞后"

    qtbot.keyClick(dialog.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("已从上月复制 2 行")
    assert shown(dialog, 1, STATUS) == "" and shown(dialog, 2, STATUS) == "推进中"

    dialog.model.confirm(range(dialog.model.rowCount()))
    assert dialog.save()
    assert set(saved(ledger)) == {codes[0], codes[2]}


def test_unchanged_copies_count_only_once_confirmed(qtbot, ledger):
    codes = row_codes(ledger)
    seed_may(ledger, [0, 1, 2, 3])
    dialog = open_dialog(qtbot, ledger)
    assert [shown(dialog, 0, c) for c in (LAST_STATUS, LAST_PERCENT, LAST_TEXT)] == ["推进中", "40%", "五月进展0"]
    assert not dialog.model.index(0, LAST_TEXT).flags() & Qt.ItemFlag.ItemIsEditable

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert [shown(dialog, r, MARK) for r in range(5)] == ["沿用上月"] * 4 + [None]
    assert background(dialog, 0, MARK) == "#ffe2b8"
    # One row changed: it is this month's report and no longer a copy.
    click_cell(qtbot, dialog, 0, PERCENT)
    type_keys(qtbot, "55")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert shown(dialog, 0, MARK) is None
    assert dialog.save_button.text() == "保存 1 行（Ctrl+S）"

    qtbot.keyClick(dialog.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text().startswith("已保存：新增 1 条，更新 0 条。另有 3 行与上月完全相同、尚未确认，没有保存")
    assert set(saved(ledger)) == {codes[0]}
    assert [shown(dialog, r, MARK) for r in range(4)] == [None, "沿用上月", "沿用上月", "沿用上月"]  # kept for confirming

    # Confirm row 2 with Space on its 核对 cell, and row 3 by selecting it and pressing the button.
    go_to(dialog, 1, MARK)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Space)
    assert shown(dialog, 1, MARK) == "已确认"
    assert dialog.model.index(1, MARK).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    click_cell(qtbot, dialog, 2, PROGRESS)
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert shown(dialog, 2, MARK) == "已确认"
    assert dialog.confirm_button.text() == "确认沿用上月（1 行待确认）"
    assert dialog.save()
    assert set(saved(ledger)) == set(codes[:3])
    assert saved(ledger)[codes[1]].progress_text == "五月进展1"

    # Esc with the last copy unconfirmed asks before closing.
    qtbot.keyClick(dialog.view, Qt.Key.Key_Escape)
    assert dialog.asked == ["asked"] and not dialog.isVisible()


def test_keys_enter_moves_down_tab_leaves_the_table_at_its_end(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    go_to(dialog, 3, PERCENT)
    dialog.view.setFocus()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert (dialog.view.currentIndex().row(), dialog.view.currentIndex().column()) == (4, PERCENT)
    last = dialog.model.rowCount() - 1
    go_to(dialog, last, REPORTER)
    qtbot.keyClick(dialog.view, Qt.Key.Key_F2)
    editor = focused()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert not dialog.view.isAncestorOf(focused()) and focused() is not dialog.view
    assert dialog.isAncestorOf(focused())


def test_the_dialog_fits_1366x768_with_every_button_and_key_column_on_screen(qtbot, ledger):
    from desktop.screen import available_geometry, fits_on_screen

    dialog = open_dialog(qtbot, ledger)
    assert (available_geometry(dialog).width(), available_geometry(dialog).height()) == (1366, 768)
    assert fits_on_screen(dialog)
    for button in dialog.findChildren(QPushButton):
        if button.isVisible():
            corner = button.mapTo(dialog, QPoint(button.width(), button.height()))
            assert dialog.rect().contains(corner), button.text()
    view = dialog.view
    assert view.horizontalScrollBar().maximum() == 0  # no sideways scrolling
    text_width = view.fontMetrics().horizontalAdvance
    assert view.columnWidth(STATUS) >= text_width("持续推进")
    assert view.columnWidth(PERCENT) >= text_width("100%")
    for column in (PROGRESS, 1):
        assert view.columnWidth(column) >= text_width("国") * 10


SIZE_CHECK = """
import json, sys
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QPushButton
app = QApplication([])
from db.engine import open_ledger
from desktop.batch_dialog import BatchEntryDialog
from desktop.screen import available_geometry, fits_on_screen
ledger = open_ledger(sys.argv[1], read_only=True)
dialog = BatchEntryDialog(ledger, unit="住建局", period="2022-06", operator="李四", units=[])
dialog.show()
app.processEvents()
area = available_geometry(dialog)
buttons = [b.text() for b in dialog.findChildren(QPushButton)
           if b.isVisible() and not dialog.rect().contains(b.mapTo(dialog, QPoint(b.width(), b.height())))]
print(json.dumps({"screen": [area.width(), area.height()], "fits": fits_on_screen(dialog), "outside": buttons,
                  "scroll": dialog.view.horizontalScrollBar().maximum()}))
"""


def test_the_dialog_fits_1280x720(ledger):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM=f"offscreen:configfile={ROOT / 'tests' / 'data' / 'screen-1280x720.json'}")
    run = subprocess.run([sys.executable, "-c", SIZE_CHECK, ledger_db_arg(ledger)], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found == {"screen": [1280, 720], "fits": True, "outside": [], "scroll": 0}


def fill_unit_sheet(ledger, tmp_path, period="2022-06"):
    """The unit's own 报送模板 for the month, filled in as the unit does, and the block of its yellow
    columns (完成状态 … 填报人) as WPS puts it on the clipboard after Ctrl+C."""
    from desktop.grid import format_block
    from exports.template_export import FIRST_DATA_ROW, KEYS, export_templates

    (path,) = export_templates(ledger, tmp_path, period=period, unit=UNIT)
    book = load_workbook(path)
    sheet = book.active
    first = KEYS.index("status") + 1
    rows = len(row_codes(ledger, period))
    for offset in range(rows):
        r = FIRST_DATA_ROW + offset
        values = ["推进中", 30 + offset, f"六月进展{offset + 1}", f"问题{offset + 1}" if offset % 3 == 0 else None, "下月继续推进", "张三"]
        if offset == 1:
            values[:3] = ["已完成", 100, '一期工程"竣工"验收：\n二期已开工']
        for shift, value in enumerate(values):
            sheet.cell(row=r, column=first + shift, value=value)
    block = [
        ["" if sheet.cell(row=r, column=c).value is None else str(sheet.cell(row=r, column=c).value) for c in range(first, first + 6)]
        for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + rows)
    ]
    return format_block(block)


def test_a_units_month_pasted_from_its_own_sheet_in_ten_actions(qtbot, ledger, tmp_path):
    """The goal of the batch grid: a unit's month, copied from the unit's sheet, in at most 10 actions."""
    actions = []
    codes = row_codes(ledger)
    # In WPS, on the unit's returned sheet:
    actions.append("WPS：单击第一项任务的“完成状态”格")
    actions.append("WPS：Ctrl+Shift+End 选到最后一格（填报人列最后一行）")
    actions.append("WPS：Ctrl+C")
    QApplication.clipboard().setText(fill_unit_sheet(ledger, tmp_path))
    actions.append("Alt+Tab 切回督办台账")
    actions.append("Ctrl+B 打开按单位批量录入（停在另一单位）")
    dialog = open_dialog(qtbot, ledger, unit="市发展改革委")
    assert focused() is dialog.unit_box  # the unit comes first

    actions.append("输入“住建”")
    ime(focused(), "住建")
    actions.append("Enter")
    qtbot.keyClick(QApplication.activePopupWidget() or focused(), Qt.Key.Key_Return)
    assert dialog.unit == UNIT and focused() is dialog.view
    actions.append("Ctrl+V")
    paste_key(qtbot, focused())
    assert dialog.message.text() == f"已粘贴 {len(codes)} 行 6 列（{len(codes) * 6} 格）。"
    actions.append("Ctrl+S")
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text() == f"已保存：新增 {len(codes)} 条，更新 0 条。"
    actions.append("Esc")
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.asked == []

    reports = saved(ledger)
    assert set(reports) == set(codes)
    assert (reports[codes[1]].status, reports[codes[1]].percent) == ("已完成", 100)
    assert reports[codes[1]].progress_text == '一期工程"竣工"验收：\n二期已开工'
    assert (reports[codes[5]].percent, reports[codes[5]].progress_text, reports[codes[5]].reporter) == (35, "六月进展6", "张三")
    print("\n粘贴录入一个单位的一个月：", len(actions), "步：", "；".join(f"{i}. {a}" for i, a in enumerate(actions, 1)))
    assert len(actions) <= 10


def test_typing_changes_over_last_month_costs_two_actions_per_changed_row(qtbot, ledger):
    """Last month copied and confirmed, then three rows changed by hand: two actions a row beyond the typing."""
    codes = row_codes(ledger)
    seed_may(ledger, range(len(codes)))
    overhead, per_row = [], {}
    overhead.append("Ctrl+B 打开按单位批量录入（已是本单位）")
    dialog = open_dialog(qtbot, ledger)
    overhead.append("Enter 确认单位，进入表格")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert focused() is dialog.view
    overhead.append("单击“复制上月内容”")
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    overhead.append("Ctrl+A 全选")
    qtbot.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    overhead.append("单击“确认沿用上月”")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert dialog.model.copies() == []

    for row, percent in ((4, "65"), (10, "80"), (30, "90")):
        steps = per_row.setdefault(row, [])
        steps.append("单击该行“进度”格")
        click_cell(qtbot, dialog, row, PERCENT)
        type_keys(qtbot, percent)  # typing
        steps.append("Tab 到“进展情况”")
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        assert isinstance(focused(), QPlainTextEdit)
        ime(focused(), "；本月完成阶段任务")  # typing, after last month's words
    overhead.append("Ctrl+S")
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text() == f"已保存：新增 {len(codes)} 条，更新 0 条。"
    overhead.append("Esc")
    qtbot.keyClick(dialog.view, Qt.Key.Key_Escape)
    assert not dialog.isVisible()

    reports = saved(ledger)
    assert len(reports) == len(codes)
    assert (reports[codes[10]].percent, reports[codes[10]].progress_text) == (80, "五月进展10；本月完成阶段任务")
    assert (reports[codes[11]].percent, reports[codes[11]].progress_text) == (51, "五月进展11")
    print("\n手工录入：每个改动行", {r + 1: s for r, s in per_row.items()}, "；另有固定", len(overhead), "步：", "；".join(overhead))
    assert all(len(steps) <= 2 for steps in per_row.values())


def test_ctrl_v_in_the_unit_box_pastes_a_block_into_the_grid(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    assert focused() is dialog.unit_box
    QApplication.clipboard().setText(BLOCK.replace("150", "50"))
    paste_key(qtbot, focused())
    assert dialog.unit == UNIT and dialog.unit_box.currentText() == UNIT
    assert [shown(dialog, 2, c) for c in (STATUS, PERCENT)] == ["滞后", "50%"]
    assert focused() is dialog.view


def test_the_grid_model_keeps_qts_model_contract(qtmodeltester, ledger):
    from desktop.batch_dialog import BatchTableModel

    seed_may(ledger, [0, 1])
    with ledger.Session.begin() as session:
        sign_off(session, get_task(session, row_codes(ledger)[2]), signed_on=dt.date(2022, 6, 1), operator="测试", note="已办结")
    with ledger.Session() as session:
        rows = batch_rows(session, UNIT, "2022-06")[:6]
    model = BatchTableModel()
    model.load(rows, UNIT, "2022-06", "李四")
    model.copy_previous()
    model.paste(3, 7, [["滞后", "150", "进展"]])
    qtmodeltester.check(model, force_py=True)


def test_clipboard_text_is_read_as_wps_and_excel_write_it():
    from db.errors import UserError
    from desktop.grid import MAX_PASTE_ROWS, format_block, parse_block

    assert parse_block(BLOCK)[0][2] == '施工图审查系统升级：\n一期已上线，含"联审"模块'
    assert parse_block("a\tb\r\n\r\n\t\r\n") == [["a", "b"]]  # trailing empty lines and columns dropped
    assert parse_block("a\t\t\r\nb\r\n") == [["a"], ["b"]]
    assert parse_block("“重点”项目\t60") == [["“重点”项目", "60"]]
    rows = [["推进中", "60", "第一行\n第二行\t含制表符", '引号"'], ["", "", "", "末格"]]
    assert parse_block(format_block(rows)) == rows
    for hostile in ("x\n" * (MAX_PASTE_ROWS + 1), "x" * 3_000_000, '"' + "长" * 200_000 + '"'):
        with pytest.raises(UserError, match="未粘贴"):
            parse_block(hostile)


def type_chinese(widget, pinyin, text):
    """An input method at work: a pre-edit of pinyin (which opens the cell's editor), then the committed words."""
    QApplication.sendEvent(widget, QInputMethodEvent(pinyin, []))
    ime(focused(), text)


def test_a_status_typed_with_an_input_method_completes_or_is_marked(qtbot, ledger):
    dialog = open_dialog(qtbot, ledger)
    click_cell(qtbot, dialog, 0, STATUS)
    type_chinese(dialog.view, "zhi", "滞")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert shown(dialog, 0, STATUS) == "滞后"  # the only status starting with 滞
    type_chinese(focused(), "liushi", "六十")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert shown(dialog, 0, PERCENT) == "六十" and background(dialog, 0, PERCENT) == RED
    click_cell(qtbot, dialog, 1, STATUS)
    type_chinese(dialog.view, "wan", "完成")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert shown(dialog, 1, STATUS) == "完成" and background(dialog, 1, STATUS) == RED
    assert len(problems(dialog)) == 2


def test_walking_through_a_confirmed_copy_keeps_it_confirmed_and_ctrl_z_undoes_typing(qtbot, ledger):
    seed_may(ledger, [0])
    dialog = open_dialog(qtbot, ledger)
    dialog.copy_previous()
    go_to(dialog, 0, MARK)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Space)
    assert shown(dialog, 0, MARK) == "已确认"
    go_to(dialog, 0, STATUS)
    qtbot.keyClick(dialog.view, Qt.Key.Key_F2)
    for _ in range(6):  # Tab through every cell of the row without changing any
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert dialog.view.currentIndex().row() == 1
    assert shown(dialog, 0, MARK) == "已确认"

    qtbot.keyClick(focused(), Qt.Key.Key_Escape)
    go_to(dialog, 0, PERCENT)
    type_keys(qtbot, "70")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert shown(dialog, 0, PERCENT) == "70%" and shown(dialog, 0, MARK) is None
    qtbot.keyClick(focused(), Qt.Key.Key_Escape)  # Enter opened the cell below; leave it
    qtbot.keyClick(dialog.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown(dialog, 0, PERCENT) == "40%" and shown(dialog, 0, MARK) == "已确认"
