"""The workbook window as a clerk uses it: navigate, filter, search, open a task, enter progress, recover drafts."""

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor

from db.decisions import sign_off
from db.engine import open_ledger
from db.ledger import get_task, list_tasks
from db.models import AuditLog, ProgressDraft
from db.progress import ProgressInput, add_progress, list_progress
from db.settings import load_settings, save_settings
from desktop.task_model import COL_DEADLINE, COL_LIGHT, COL_STATUS, TASK_ROLE
from tests.ledger_state import ledger_db_arg

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def prefs(tmp_path):
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, ledger, prefs):
    from desktop.main_window import MainWindow

    with ledger.Session.begin() as s:
        settings = load_settings(s)
        settings.current_period = "2022-06"
        save_settings(s, settings, operator="测试")
    win = MainWindow(ledger, prefs)
    qtbot.addWidget(win)
    win.load()
    win.show()
    return win


def refreshed(window, qtbot):
    """F5 reads on the op runner's worker; the clerk sees the new states once it has finished."""
    from desktop.ops import runner

    with qtbot.waitSignal(runner().idle, timeout=10000):
        window.refresh()


def type_chinese(widget, text):
    """Chinese arrives through the input method, not key events (QTest cannot synthesise CJK keys)."""
    widget.moveCursor(QTextCursor.MoveOperation.End)
    widget.insertPlainText(text)


def shown_codes(win):
    return [win.proxy.index(r, 0).data(TASK_ROLE).task.code for r in range(win.proxy.rowCount())]


def find_child(item, prefix):
    for row in range(item.rowCount()):
        if item.child(row).text().startswith(prefix):
            return item.child(row)
    raise AssertionError(f"no node starting with {prefix}")


def test_annex_tree_filters_the_table(window):
    assert window.proxy.rowCount() == 373
    root = window.annex_view.model().item(0)
    assert root.text() == "全部任务（373）"
    annex3 = find_child(root, "附件3 ")
    assert annex3.text().endswith("（12）")
    window.annex_view.setCurrentIndex(annex3.index())
    assert window.proxy.rowCount() == 12
    assert window.annex_combo.currentData() == 3
    assert window.count_label.text() == "显示 12 / 373 项任务"


def test_unit_tree_lists_the_tasks_each_unit_answers_for_as_the_ranking_counts_them(window, ledger):
    with ledger.Session() as s:
        tasks = list_tasks(s)
    answers = sum(1 for t in tasks if "市住房和城乡建设局" in t.answerable)
    model = window.unit_view.model()
    departments = model.item(0)
    assert departments.text().startswith("市直部门")
    unit = find_child(departments, "市住房和城乡建设局")
    lead = find_child(unit, "牵头/负责")
    assert lead.text() == f"牵头/负责（{answers}）"
    assert lead.child(0).text().startswith("附件")  # labels like （一） repeat across annexes
    window.unit_view.setCurrentIndex(lead.index())
    assert window.proxy.rowCount() == answers
    assert all("市住房和城乡建设局" in window.proxy.index(r, 4).data() for r in range(window.proxy.rowCount()))
    # Each county government has its own node, with the tasks printed for 各县（市、区）人民政府.
    counties = next(model.item(r) for r in range(model.rowCount()) if model.item(r).text().startswith("县（市、区）"))
    lingbao = find_child(counties, "灵宝市人民政府")
    assert lingbao.rowCount() > 0
    collectives = [model.item(r) for r in range(model.rowCount()) if model.item(r).text().startswith("集合单位")]
    assert collectives and find_child(collectives[0], "各县（市、区）人民政府")


def test_warning_tree_counts_every_task_once(window):
    model = window.warning_view.model()
    counts = [int(model.item(r).text().split("（")[1].rstrip("）")) for r in range(model.rowCount())]
    assert sum(counts) == 373
    overdue = model.item(0)
    window.warning_view.setCurrentIndex(overdue.index())
    assert window.proxy.rowCount() == counts[0]
    assert all(window.proxy.index(r, COL_LIGHT).data() == "逾期" for r in range(window.proxy.rowCount()))


def test_search_by_chinese_substring_and_pinyin_initials(window, qtbot, ledger):
    window.search.setText("人防办")
    qtbot.waitUntil(lambda: window.proxy.rowCount() < 373)
    assert set(shown_codes(window)) >= {"A03-04", "A03-10-2"}
    window.search.setText("zjj")
    qtbot.waitUntil(lambda: "A03-01" in shown_codes(window))
    with ledger.Session() as s:
        housing = {t.code for t in list_tasks(s, unit="市住建局")}
    assert set(shown_codes(window)) == housing


def test_combos_filter_by_unit_role_status_and_due_month(window, ledger, qtbot):
    window.unit_combo.setCurrentIndex(window.unit_combo.findText("市自然资源和规划局"))
    window.unit_combo.activated.emit(window.unit_combo.currentIndex())
    window.role_combo.setCurrentText("配合")
    with ledger.Session() as s:
        supporting = {t.code for t in list_tasks(s, unit="市自然资源和规划局") if "市自然资源和规划局" in t.support}
    assert set(shown_codes(window)) == supporting
    window.clear_filters()
    window.due_combo.setCurrentIndex(window.due_combo.findData("2022-06"))
    june = shown_codes(window)
    assert "A03-01" in june and all(window.proxy.index(r, COL_DEADLINE).data() != "—" for r in range(len(june)))
    window.status_combo.setCurrentText("推进中")
    assert window.proxy.rowCount() == 0


def test_sort_by_deadline_puts_earliest_first(window):
    window.table.sortByColumn(COL_DEADLINE, Qt.SortOrder.AscendingOrder)
    dues = [window.proxy.index(r, 0).data(TASK_ROLE).state.due for r in range(window.proxy.rowCount())]
    dated = [d for d in dues if d]
    assert dated == sorted(dated) and dues[: len(dated)] == dated


def test_detail_shows_text_source_milestones_units_targets_and_history(window, ledger, qtbot):
    with ledger.Session.begin() as s:
        add_progress(s, ProgressInput("A03-01", "市住建局", "2022-06", "推进中", 60, "已召开专题会"), operator="测试")
    refreshed(window, qtbot)
    window.open_task(window.model.rows[window.model.row_of(_task_id(ledger, "A03-01"))].task.id)
    html = window.detail.toPlainText()
    assert "进一步精简审批环节" in html and "原文位置：第" in html
    assert "2022年6月前" in html and "2022-06-30" in html
    assert "市自然资源和规划局" in html and "配合" in html
    assert "指标提升对比表" in html  # the annex's indicator table
    assert "已召开专题会" in html and "2022-06" in html


def _task_id(ledger, code):
    with ledger.Session() as s:
        return get_task(s, code).id


def test_entry_form_validates_next_to_the_field_and_keeps_the_old_version(window, ledger, qtbot):
    from desktop.entry_dialog import ProgressEntryDialog

    dialog = ProgressEntryDialog(ledger, _task_id(ledger, "A03-01"), period="2022-06", operator="张三", parent=window)
    qtbot.addWidget(dialog)
    assert [dialog.unit.itemText(i) for i in range(dialog.unit.count())] == [
        "市住房和城乡建设局（牵头）",
        "市自然资源和规划局（配合）",
        # 各县（市、区）人民政府 is printed; each county government reports on its own.
        *[f"{county}人民政府（落实）" for county in ("湖滨区", "陕州区", "义马市", "灵宝市", "渑池县", "卢氏县")],
    ]
    dialog.status.setCurrentText("已完成")
    dialog.percent.setValue(50)
    dialog.save()
    assert "进度应为 100" in dialog.form.error_text("percent")
    assert "不能为空" in dialog.form.error_text("progress_text")
    with ledger.Session() as s:
        assert list_progress(s, task_code="A03-01") == []
    dialog.percent.setValue(100)
    type_chinese(dialog.progress_text, "联合验收已全面推行")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    again = ProgressEntryDialog(ledger, _task_id(ledger, "A03-01"), period="2022-06", operator="张三", parent=window)
    qtbot.addWidget(again)
    assert again.progress_text.toPlainText() == "联合验收已全面推行"
    again.progress_text.setPlainText("联合验收已全面推行，平均用时5天")
    again.save()
    with ledger.Session() as s:
        [entry] = list_progress(s, task_code="A03-01")
        audit = s.query(AuditLog).filter_by(action="progress.update").one()
    assert entry.version == 2 and entry.reporter == "张三"
    assert audit.before["progress_text"] == "联合验收已全面推行" and audit.operator == "张三"


CRASHING_CLERK = """
import os, signal, sys
from PySide6.QtWidgets import QApplication
from db.engine import open_ledger
from desktop.entry_dialog import DRAFT_DELAY_MS, ProgressEntryDialog
app = QApplication([])
dialog = ProgressEntryDialog(open_ledger(sys.argv[1]), int(sys.argv[2]), period="2022-06", operator="张三")
dialog.show()
dialog.progress_text.insertPlainText("现场查看联合验收窗口")
app.processEvents()
start = __import__("time").monotonic()
while __import__("time").monotonic() - start < (DRAFT_DELAY_MS + 400) / 1000:
    app.processEvents()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_typed_text_survives_closing_switching_and_a_crash(window, ledger, qtbot, request):
    from desktop.entry_dialog import ProgressEntryDialog

    task_id = _task_id(ledger, "A03-04")
    # A clerk types, and the program is killed before anything is saved.  Only one duban may
    # write a ledger, so this one lets go of it and opens it again as after a restart.
    ledger.close()
    crashed = subprocess.run([sys.executable, "-c", CRASHING_CLERK, ledger_db_arg(ledger), str(task_id)], cwd=ROOT, env=os.environ | {"QT_QPA_PLATFORM": "offscreen"})
    assert crashed.returncode == -signal.SIGKILL
    ledger = window.ledger = open_ledger(ledger_db_arg(ledger))
    request.addfinalizer(ledger.close)
    with ledger.Session() as s:
        assert s.query(ProgressDraft).count() == 1
    restored = ProgressEntryDialog(ledger, task_id, period="2022-06", operator="张三", parent=window)
    qtbot.addWidget(restored)
    assert restored.progress_text.toPlainText() == "现场查看联合验收窗口"
    assert "草稿" in restored.notice.text()
    # Switching to another unit keeps the first unit's text as a draft and shows the other's.
    type_chinese(restored.progress_text, "，已整改")
    restored.unit.setCurrentIndex(1)
    assert restored.progress_text.toPlainText() == ""
    restored.unit.setCurrentIndex(0)
    assert restored.progress_text.toPlainText() == "现场查看联合验收窗口，已整改"
    restored.reject()  # closing keeps the draft too
    refreshed(window, qtbot)
    assert "未完成草稿 1 份" in window.period_label.text()
    final = ProgressEntryDialog(ledger, task_id, period="2022-06", operator="张三", parent=window)
    qtbot.addWidget(final)
    final.save()
    with ledger.Session() as s:
        assert s.query(ProgressDraft).count() == 0
        assert list_progress(s, task_code="A03-04")[0].progress_text == "现场查看联合验收窗口，已整改"


def test_sign_off_turns_the_light_and_leaves_the_warning_lists(window, ledger, qtbot):
    task_id = _task_id(ledger, "A03-01")
    row = window.model.row_of(task_id)
    before = window.model.index(row, COL_LIGHT).data()
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, "A03-01"), signed_on=dt.date(2022, 6, 20), operator="办公室", note="已验收")
    refreshed(window, qtbot)
    assert before != "已销号"
    assert window.model.index(row, COL_LIGHT).data() == "已销号"
    assert window.model.index(row, COL_STATUS).data() == "已销号"
    done = window.warning_view.model().item(4)
    assert done.text() == "已办结销号（1）"


def test_month_against_month_tab(window, ledger, qtbot):
    with ledger.Session.begin() as s:
        add_progress(s, ProgressInput("A03-01", "市住建局", "2022-06", "已完成", 100, "完成"), operator="测试")
    from desktop.ops import runner

    with qtbot.waitSignal(runner().idle, timeout=10000):  # the months are compared on the worker
        window.tabs.setCurrentIndex(2)
    sizes = window.comparison.group_sizes()
    assert sizes[0] == 1  # newly done (reported, awaiting sign-off)
    assert sizes[2] == 372  # every other task has no new report
    assert "2022年6月 与 2022年5月" in window.comparison.heading.text()


def test_dashboard_click_filters_the_table(window):
    window.tabs.setCurrentIndex(1)
    window.dashboard.filter_requested.emit("annex", "3")
    assert window.tabs.currentIndex() == 0 and window.proxy.rowCount() == 12
    window.dashboard.filter_requested.emit("unit", "市住房和城乡建设局")
    assert all("市住房和城乡建设局" in window.proxy.index(r, 4).data() for r in range(window.proxy.rowCount()))
    window.dashboard.filter_requested.emit("status", "未报送")
    assert window.proxy.rowCount() > 0


def test_layout_is_remembered(qtbot, ledger, prefs, window):
    from desktop.main_window import MainWindow

    # 任务 (column 3) now stretches over the table's width, so a fixed column is resized by hand.
    window.table.setColumnWidth(COL_DEADLINE, 233)
    window.close()
    again = MainWindow(ledger, prefs)
    qtbot.addWidget(again)
    again.load()
    assert again.table.columnWidth(COL_DEADLINE) == 233


def test_screenshot_command_writes_a_png(tmp_path, ledger):
    from desktop.cli import main

    shot = tmp_path / "main.png"
    assert main(["--db", ledger_db_arg(ledger), "gui", "--screenshot", str(shot), "--view", "units", "--select", "A03-01"]) == 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_task_table_and_its_filter_keep_qts_model_contract(qapp, qtmodeltester, demo_year_file, tmp_path):
    """The table model and the filter proxy over a year of reports, filtered as a clerk would, answer Qt as Qt expects."""
    import shutil

    from desktop.main_window import read_snapshot
    from desktop.task_model import TaskFilterProxy, TaskTableModel

    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_year_file, path)
    ledger = open_ledger(path)
    try:
        snapshot = read_snapshot(ledger)
    finally:
        ledger.close()
    model = TaskTableModel(snapshot.rows)
    qtmodeltester.check(model, force_py=True)
    proxy = TaskFilterProxy()
    proxy.setSourceModel(model)
    proxy.update_filter(text="住建 审批")
    assert 0 < proxy.rowCount() < model.rowCount()
    qtmodeltester.check(proxy, force_py=True)
