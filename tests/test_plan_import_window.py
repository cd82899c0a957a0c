"""Importing a plan in the window as a clerk does: preview beside the source, doubts, edits, units, columns, changes; switching plans."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from docx import Document
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from db.jobs import JobControl

pytestmark = pytest.mark.gui
PLANS = Path(__file__).parent / "data" / "plans"
# Set DUBAN_SCREENSHOTS to a folder to keep what the clerk sees at each step (for the notes).
SHOTS = os.environ.get("DUBAN_SCREENSHOTS")

# A district plan in the shapes the issue lists (unit names made up, so every one is unknown to the ledger):
# one task without units, and one numbered item holding two tasks.
DISTRICT_PLAN = """关于印发2024年青川区优化营商环境重点任务的通知
一、提升政务服务效能
(一)推进高效办成一件事。
1.推行新生儿出生、企业开办等事项集成办理,10月底前完成。(牵头单位:青川区政务服务中心;责任单位:青川区卫健委)
2.深化一网通办,依申请事项网上可办率达到95%以上,9月底前完成。
3.推进政务服务跨省通办,新增高频事项10项以上。(青川区政务服务中心牵头,青川区市场监管局配合,年底前完成)
(二)强化要素保障。
4.开展标准地出让,新增工业用地标准地出让比例达到100%,年底前完成。(青川区自然资源局负责落实)
5.落实水电气网联合报装,办理时限压缩至5个工作日以内。推行容缺受理,受理环节压减一半。(青川区住建局牵头,9月底前完成)
"""


def shoot(widget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / name))


def wait_idle(qtbot):
    from desktop.ops import runner

    qtbot.waitUntil(lambda: not runner().busy, timeout=20000)


def preview(qtbot, ledger, path, prefs=None):
    """The preview as 导入新计划… opens it once the worker has read the file."""
    from desktop.plan_import_dialog import PlanPreviewDialog, read_and_review

    reading, review = read_and_review(ledger, Path(path), None, JobControl())
    dialog = PlanPreviewDialog(ledger, Path(path), reading, review, operator="王芳", prefs=prefs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def settle(qtbot, dialog):
    """Wait for the units and changes to be checked again after an edit."""
    wait_idle(qtbot)
    qtbot.waitUntil(lambda: dialog._review_pending == 0, timeout=20000)


def codes(dialog):
    return [t.code for t in dialog.reading.draft.tasks]


def flagged(dialog):
    """Task codes whose tree row says it needs checking."""
    return {code for code, item in dialog._items.items() if item.text(4)}


def ledger_counts(ledger):
    from sqlalchemy import func, select

    from db.models import AuditLog, Plan, Task, Unit, UnitAlias

    with ledger.Session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Plan, Task, Unit, UnitAlias, AuditLog))


def when_modal(kind, act):
    """Answer the next modal dialog of this kind (it blocks the caller until it is closed)."""

    def look():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            try:
                act(widget)
            except BaseException:
                widget.reject()
                raise
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


@pytest.fixture
def district_plan(tmp_path):
    path = tmp_path / "青川区2024年优化营商环境重点任务.txt"
    path.write_text(DISTRICT_PLAN, encoding="utf-8")
    return path


@pytest.fixture
def prefs(tmp_path):
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


def test_preview_flags_doubts_beside_the_source_and_a_click_on_a_doubt_selects_its_task(qtbot, ledger, district_plan):
    dialog = preview(qtbot, ledger, district_plan)
    tasks = dialog.reading.draft.tasks
    assert len(tasks) == 5
    # The tree is 分组 → 任务 with the lead and the deadline as printed.
    assert dialog.tree.topLevelItem(0).text(0) == "(一)"
    first = dialog._items[tasks[0].code]
    assert (first.text(0), first.text(2), first.text(3)) == ("1.", "青川区政务服务中心", "10月底前")
    # A task without units is flagged, with the reason as its tooltip; so is every unit the ledger does not know.
    no_units = tasks[1].code
    assert no_units in flagged(dialog)
    assert "没有牵头或责任单位" in dialog._items[no_units].toolTip(4)
    assert "“青川区住建局”不在单位表中" in dialog._items[tasks[4].code].toolTip(4)
    messages = [dialog.doubt_list.item(i).text() for i in range(dialog.doubt_list.count())]
    assert any(m.startswith("第5行（") and "没有牵头或责任单位" in m for m in messages)
    # A click on a doubt selects its task and highlights its lines in the source, scrolled into view.
    row = next(i for i, m in enumerate(messages) if "没有牵头或责任单位" in m)
    item = dialog.doubt_list.item(row)
    dialog.doubt_list.scrollToItem(item)
    qtbot.mouseClick(dialog.doubt_list.viewport(), Qt.MouseButton.LeftButton, pos=dialog.doubt_list.visualItemRect(item).center())
    assert dialog.tree.currentItem() is dialog._items[no_units]
    assert dialog.highlighted_lines() == [5]
    assert dialog.source.textCursor().block().text().startswith("2.深化一网通办")
    assert dialog.title_edit.text().startswith("深化一网通办")
    assert dialog.summary.text().startswith("《") and "5 项任务" in dialog.summary.text()
    shoot(dialog, "preview-flagged.png")


def test_fix_units_merge_and_split_then_import_writes_the_plan_in_one_go(qtbot, ledger, district_plan):
    from db.ledger import list_tasks
    from db.plans import list_plans

    dialog = preview(qtbot, ledger, district_plan)
    before = ledger_counts(ledger)
    tasks = dialog.reading.draft.tasks
    no_units = tasks[1].code
    # 1. The clerk gives the task without units its lead as printed; the flag goes.
    dialog.select_task(no_units)
    dialog.units_edit.setText("青川区数据局牵头,青川区政务服务中心配合")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert not any("没有牵头" in d.message for d in dialog.all_doubts() if d.code == no_units)
    assert dialog._items[no_units].text(2) == "青川区数据局"
    # 2. A deadline typed as nobody can date it is flagged at once, and the flag goes when it is fixed.
    undated = tasks[2].code
    dialog.select_task(undated)
    dialog.deadline_edit.setText("择机")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert any("无法换算" in d.message for d in dialog.all_doubts() if d.code == undated)
    dialog.deadline_edit.setText("11月底前")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert not any("无法换算" in d.message for d in dialog.all_doubts() if d.code == undated)
    assert dialog._items[undated].text(3) == "11月底前"
    # 3. One numbered item holds two tasks: split at the cursor, before "推行容缺受理"; both keep lead and deadline.
    joined = dialog.reading.draft.tasks[4]
    dialog.select_task(joined.code)
    cursor = dialog.text_edit.textCursor()
    cursor.setPosition(dialog.text_edit.toPlainText().index("推行容缺受理"))
    dialog.text_edit.setTextCursor(cursor)
    qtbot.mouseClick(dialog.split_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert len(dialog.reading.draft.tasks) == 6
    rest = dialog.reading.draft.tasks[5]
    assert rest.text.startswith("推行容缺受理") and dialog.reading.draft.tasks[4].text.endswith("以内。")
    assert dialog.tree.currentItem() is dialog._items[rest.code]
    assert (dialog._items[rest.code].text(2), dialog._items[rest.code].text(3)) == ("青川区住建局", "9月底前")
    assert dialog.highlighted_lines() == [9]
    # 4. Two tasks that are one: merge the first into the next; the source lines of both stay highlighted.
    first, second = dialog.reading.draft.tasks[0].code, dialog.reading.draft.tasks[1].code
    dialog.select_task(first)
    qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert second not in codes(dialog) and len(codes(dialog)) == 5
    assert dialog.highlighted_lines() == [4, 5]
    assert "网上可办率" in dialog._task(first).text
    # Nothing is written while the clerk works.
    assert ledger_counts(ledger) == before
    # 5. Every unknown spelling is settled on the 单位核对 page: the new units are made, as the clerk confirms.
    dialog.tabs.setCurrentWidget(dialog.units_page)
    spellings = [dialog.units_table.item(r, 0).text() for r in range(dialog.units_table.rowCount())]
    assert "青川区政务服务中心" in spellings and "青川区数据局" in spellings
    shoot(dialog, "preview-units.png")
    assert any("不在单位表中" in d.message for d in dialog.all_doubts())
    qtbot.mouseClick(dialog.confirm_all, Qt.MouseButton.LeftButton)
    assert not any("不在单位表中" in d.message for d in dialog.all_doubts())
    assert not flagged(dialog)
    housing = dialog._unit_rows["青川区住建局"]["name"].text()  # what the page proposes and the clerk accepts
    assert housing
    # 6. 导入: one write on the worker, then the dialog closes with the result.
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert dialog.imported is not None and dialog.result() == QDialog.DialogCode.Accepted
    with ledger.Session() as s:
        plans = list_plans(s)
        current = next(p for p in plans if p.is_current)
        imported = {t.code: t for t in list_tasks(s, plan_id=current.id)}
    assert len(plans) == 2 and current.tasks == 5
    assert current.title == "2024年青川区优化营商环境重点任务"  # the notice names the plan
    merged = imported[first]
    assert "网上可办率" in merged.text and {"青川区政务服务中心", "青川区数据局"} <= set(merged.lead)
    assert merged.deadline.startswith("10月底前；9月底前") and imported[undated].deadline == "11月底前"
    split = next(t for t in imported.values() if t.text.startswith("推行容缺受理"))
    assert split.lead == [housing]


def test_enter_saves_the_edit_and_cancel_asks_before_dropping_work_and_writes_nothing(qtbot, ledger, district_plan, monkeypatch):
    dialog = preview(qtbot, ledger, district_plan)
    before = ledger_counts(ledger)
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: (asked.append(args[2]), next(answers))[1])
    code = dialog.reading.draft.tasks[1].code
    dialog.select_task(code)
    dialog.units_edit.setText("青川区数据局牵头")
    qtbot.keyClick(dialog.units_edit, Qt.Key.Key_Return)  # saves the task: never the import
    settle(qtbot, dialog)
    assert asked == [] and dialog.isVisible() and dialog.imported is None
    assert dialog._items[code].text(2) == "青川区数据局"
    qtbot.mouseClick(dialog.confirm_all, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # 否: the clerk keeps working
    assert dialog.isVisible() and "放弃" in asked[0]
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # 是
    wait_idle(qtbot)
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible() and dialog.imported is None
    assert ledger_counts(ledger) == before


def test_a_refused_unit_decision_is_shown_and_the_import_writes_nothing(qtbot, ledger, district_plan, monkeypatch):
    dialog = preview(qtbot, ledger, district_plan)
    before = ledger_counts(ledger)
    row = dialog._unit_rows["青川区住建局"]
    row["action"].setCurrentIndex(row["action"].findText("归入已有单位（在“单位名称”中填写）"))
    names = row["name"].completer().model()
    assert "市住房和城乡建设局" in [names.index(i, 0).data() for i in range(names.rowCount())]  # the ledger's units are offered
    row["name"].setText("并不存在的单位")
    qtbot.mouseClick(dialog.confirm_all, Qt.MouseButton.LeftButton)
    told = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: told.append(self.text()))
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert len(told) == 1 and "并不存在的单位" in told[0]
    assert dialog.isVisible() and dialog.imported is None and dialog.import_button.isEnabled()
    assert ledger_counts(ledger) == before


def _word_table(path, header, rows):
    doc = Document()
    doc.add_paragraph("2024年青川区政务公开工作任务分工表")
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    doc.save(path)
    return path


def test_a_word_table_shows_its_column_mapping_which_the_clerk_changes_rereads_and_the_ledger_remembers(qtbot, ledger, tmp_path, prefs):
    # This office's table calls its lead units 配合单位 (a header the reader takes at its word).
    path = _word_table(
        tmp_path / "分工表.docx",
        ("序号", "工作任务", "配合单位", "完成时限"),
        [("1", "及时公开重大项目批准和实施信息。", "青川区发展改革局", "6月底前"), ("2", "做好政策解读和回应关切。", "青川区政府办公室", "年底前")],
    )
    dialog = preview(qtbot, ledger, path, prefs)
    assert dialog.tabs.isTabVisible(dialog.tabs.indexOf(dialog.columns_page))
    mapping = dialog.column_mapping()
    assert mapping == {"序号": "number", "工作任务": "title", "配合单位": "support", "完成时限": "deadline"}
    first = dialog.reading.draft.tasks[0].code
    assert dialog._items[first].text(2) == ""  # support units only: no lead shown
    dialog.tabs.setCurrentWidget(dialog.columns_page)
    combo = next(c for header, c in dialog._column_combos if header == "配合单位")
    combo.setCurrentIndex(combo.findData("lead"))
    shoot(dialog, "preview-columns.png")
    qtbot.mouseClick(dialog.reread_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert dialog.column_mapping()["配合单位"] == "lead"
    assert dialog._items[dialog.reading.draft.tasks[0].code].text(2) == "青川区发展改革局"
    # Remembered with the import, not before: a 取消 would have left the ledger as it was.
    from db.settings import remembered_mapping

    with ledger.Session() as s:
        assert remembered_mapping(s, ("序号", "工作任务", "配合单位", "完成时限")) is None
    qtbot.mouseClick(dialog.confirm_all, Qt.MouseButton.LeftButton)
    monkey_yes(dialog)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert dialog.imported is not None
    with ledger.Session() as s:
        assert remembered_mapping(s, ("序号", "工作任务", "配合单位", "完成时限"))["配合单位"] == "lead"
    # The next table with these headers is read with the office's mapping at once.
    again = preview(qtbot, ledger, path, prefs)
    assert again.column_mapping()["配合单位"] == "lead" and again.reading.layouts[0].remembered


def test_a_header_the_reader_does_not_know_can_be_mapped_by_the_clerk(qtbot, ledger, tmp_path):
    path = _word_table(
        tmp_path / "经办表.docx",
        ("序号", "工作任务", "经办科室", "完成时限"),
        [("1", "及时公开重大项目批准和实施信息。", "青川区发展改革局", "6月底前")],
    )
    dialog = preview(qtbot, ledger, path)
    code = dialog.reading.draft.tasks[0].code
    assert "没有牵头或责任单位" in dialog._items[code].toolTip(4)
    combo = next(c for header, c in dialog._column_combos if header == "经办科室")
    assert combo.currentData() == "ignore"
    combo.setCurrentIndex(combo.findData("lead"))
    qtbot.mouseClick(dialog.reread_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    code = dialog.reading.draft.tasks[0].code
    assert dialog._items[code].text(2) == "青川区发展改革局"
    assert not any("没有牵头" in d.message for d in dialog.all_doubts())


def test_two_tables_with_the_same_header_list_each_column_once(qtbot, ledger, tmp_path):
    doc = Document()
    for part, rows in (("一、政务公开", [("1", "及时公开重大项目信息。", "青川区发展改革局", "6月底前")]), ("二、政策解读", [("2", "做好政策解读。", "青川区政府办公室", "年底前")])):
        doc.add_paragraph(part)
        table = doc.add_table(rows=1 + len(rows), cols=4)
        for cell, text in zip(table.rows[0].cells, ("序号", "工作任务", "牵头单位", "完成时限")):
            cell.text = text
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    path = tmp_path / "两张表.docx"
    doc.save(path)
    dialog = preview(qtbot, ledger, path)
    assert len(dialog.reading.layouts) == 2 and len(dialog.reading.draft.tasks) == 2
    assert [header for header, _combo in dialog._column_combos] == ["序号", "工作任务", "牵头单位", "完成时限"]


def test_a_revised_plan_shows_what_changed_and_keeps_the_progress_already_reported(qtbot, ledger, district_plan):
    from db.ledger import list_tasks
    from db.plans import list_plans
    from db.progress import ProgressInput, add_progress, list_progress

    dialog = preview(qtbot, ledger, district_plan)
    qtbot.mouseClick(dialog.confirm_all, Qt.MouseButton.LeftButton)
    monkey_yes(dialog)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert dialog.imported is not None
    with ledger.Session() as s:
        plan = next(p for p in list_plans(s) if p.is_current)
        first = list_tasks(s, plan_id=plan.id)[0]
    with ledger.Session.begin() as s:
        add_progress(s, ProgressInput(first.code, "青川区政务服务中心", "2024-06", "推进中", 40, "已梳理事项清单"), operator="王芳", plan_id=plan.id)
    # The revision: task 1's deadline moves, task 4 goes, a task 6 is added.
    revised = district_plan.with_name("青川区2024年优化营商环境重点任务（修订）.txt")
    text = DISTRICT_PLAN.replace("10月底前完成", "9月底前完成").replace(
        "4.开展标准地出让,新增工业用地标准地出让比例达到100%,年底前完成。(青川区自然资源局负责落实)\n", ""
    ) + "6.推行工程建设项目联合验收,11月底前完成。(青川区住建局牵头)\n"
    revised.write_text(text, encoding="utf-8")
    again = preview(qtbot, ledger, revised)
    assert again.tabs.isTabVisible(again.tabs.indexOf(again.changes_page))
    changes = again.review.changes
    assert changes.plan_id == plan.id
    captions = [again.changes_tree.topLevelItem(i).text(0) for i in range(again.changes_tree.topLevelItemCount())]
    assert captions == ["新增（1 项）", "有变化（1 项）", "不再出现（1 项）"]
    changed = again.changes_tree.topLevelItem(1).child(0)
    assert changed.text(0).startswith(f"{first.code} ") and "完成时限" in changed.text(0)
    assert [changed.child(i).text(0) for i in range(changed.childCount())][-1] == "完成时限"
    assert (changed.child(changed.childCount() - 1).text(1), changed.child(changed.childCount() - 1).text(2)) == ("10月底前", "9月底前")
    assert "开展标准地出让" in again.changes_tree.topLevelItem(2).child(0).text(0)  # a dropped task is named by its title
    assert "进展" in again.kept_label.text() and "保留" in again.kept_label.text()
    again.tabs.setCurrentWidget(again.changes_page)
    shoot(again, "preview-changes.png")
    qtbot.mouseClick(again.confirm_all, Qt.MouseButton.LeftButton)
    monkey_yes(again)
    qtbot.mouseClick(again.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert again.imported is not None
    with ledger.Session() as s:
        assert [p.id for p in list_plans(s) if p.is_current] == [plan.id]
        [entry] = list_progress(s, task_code=first.code, plan_id=plan.id)
        task = next(t for t in list_tasks(s, plan_id=plan.id) if t.code == first.code)
    assert entry.progress_text == "已梳理事项清单"
    assert task.deadline == "9月底前"


def monkey_yes(dialog):
    """Answer 是 to the dialog's next question (doubts left when 导入 is clicked)."""
    when_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())


# ----- the window -------------------------------------------------------------------------


def open_window(qtbot, ledger, tmp_path):
    from desktop.main_window import MainWindow
    from desktop.ops import runner

    window = MainWindow(ledger, QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(runner().idle, timeout=20000):
        window.start_loading()
    return window


def test_import_from_the_menu_then_switch_back_and_archive_from_the_plan_switcher(qtbot, ledger, district_plan, tmp_path, monkeypatch):
    from desktop.plan_import_dialog import PlanPreviewDialog
    from desktop.plan_switch_dialog import PlanSwitchDialog

    window = open_window(qtbot, ledger, tmp_path)
    bundled = window.plan_title
    assert window.plan_label.text().startswith("当前计划：") and window.windowTitle().endswith(bundled)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(district_plan), ""))

    def import_all(dialog):
        qtbot.mouseClick(dialog.confirm_all, Qt.MouseButton.LeftButton)
        monkey_yes(dialog)
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    when_modal(PlanPreviewDialog, import_all)
    next(a for a in window.actions() if a.text() == "导入新计划…").trigger()
    qtbot.waitUntil(lambda: "青川区" in window.plan_title, timeout=20000)
    wait_idle(qtbot)
    assert window.model.rowCount() == 5
    assert window.windowTitle().endswith(window.plan_title) and window.plan_label.text() == "当前计划：2024年青川区优化营商环境重点任务"

    # 切换计划…: the bundled plan back as current; the new one archived after a 否 and then a 是.
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: next(answers))

    def switch(dialog):
        qtbot.waitUntil(lambda: len(dialog.plans) == 2, timeout=20000)
        rows = {dialog.table.item(r, 1).text(): r for r in range(dialog.table.rowCount())}
        assert dialog.table.item(rows[window.plan_title], 5).text() == "当前计划"
        assert not dialog.archive_button.isEnabled()  # the current plan is not archived
        dialog.table.selectRow(rows[bundled])
        shoot(dialog, "plan-switch.png")
        qtbot.mouseClick(dialog.current_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.changed and dialog.table.item(rows[bundled], 5).text() == "当前计划", timeout=20000)
        new = next(title for title in rows if title != bundled)
        dialog.table.selectRow(rows[new])
        qtbot.mouseClick(dialog.archive_button, Qt.MouseButton.LeftButton)  # 否: nothing changes
        wait_idle(qtbot)
        assert dialog.table.item(rows[new], 5).text() == ""
        qtbot.mouseClick(dialog.archive_button, Qt.MouseButton.LeftButton)  # 是
        qtbot.waitUntil(lambda: dialog.table.item(rows[new], 5).text() == "已归档", timeout=20000)
        assert dialog.unarchive_button.isEnabled() and not dialog.current_button.isEnabled()
        shoot(dialog, "plan-switch-archived.png")
        dialog.accept()

    when_modal(PlanSwitchDialog, switch)
    next(a for a in window.actions() if a.text() == "切换计划…").trigger()
    qtbot.waitUntil(lambda: window.plan_title == bundled, timeout=20000)
    wait_idle(qtbot)
    assert window.model.rowCount() == 373
    assert window.windowTitle().endswith(bundled) and "青川区" not in window.plan_label.text()
    shoot(window, "window-after-switch.png")
    from db.plans import list_plans

    with ledger.Session() as s:
        assert [p.archived for p in list_plans(s)] == [False, True]


def test_the_preview_fits_the_office_screen(qtbot, ledger):
    from desktop.screen import fits_on_screen

    dialog = preview(qtbot, ledger, PLANS / "gangcheng_2021_fangguanfu.txt")
    assert fits_on_screen(dialog)
    assert dialog.split.sizes()[0] >= 500 and dialog.split.sizes()[1] >= 400
    header = dialog.tree.header()
    assert header.sectionSize(1) >= 200  # 任务 keeps a readable width


def test_the_units_page_shows_each_spelling_as_the_plan_prints_it(qtbot, ledger):
    """A district plan's bare 各街道(功能区) is asked about at the district's level, but the clerk reads it as printed."""
    dialog = preview(qtbot, ledger, PLANS / "gangcheng_2021_fangguanfu.txt")
    rows = {dialog.units_table.item(r, 0).text(): dialog.units_table.item(r, 0).toolTip() for r in range(dialog.units_table.rowCount())}
    assert "各街道（功能区）" in rows and not any(text.startswith("区各") for text in rows)
    assert rows["各街道（功能区）"] == "“各街道（功能区）”（按区级理解为“区各街道（功能区）”）"
    assert any("单位“各街道（功能区）”（按区级理解" in d.message for d in dialog.all_doubts())


def test_a_damaged_file_is_refused_with_a_message_naming_it_and_nothing_is_written(qtbot, ledger, tmp_path, prefs, monkeypatch):
    from desktop.plan_import_dialog import PlanPreviewDialog, import_plan_interactively

    broken = tmp_path / "分工表（损坏）.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    before = ledger_counts(ledger)
    told, previews, imported = [], [], []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(broken), ""))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: told.append(self.text()))
    monkeypatch.setattr(PlanPreviewDialog, "exec", lambda self: previews.append(self))
    parent = QWidget()
    qtbot.addWidget(parent)
    import_plan_interactively(parent, ledger, "王芳", prefs, lambda *args: imported.append(args))
    wait_idle(qtbot)
    assert len(told) == 1 and "分工表（损坏）.docx" in told[0]
    assert previews == [] and imported == []
    assert ledger_counts(ledger) == before
    assert prefs.value("plan_import/folder") == str(tmp_path)  # the next 导入新计划… opens in this folder


def test_what_the_reader_doubted_is_flagged_until_the_clerk_edits_the_task(qtbot, ledger, district_plan, monkeypatch):
    from exports.plan_editing import recheck

    dialog = preview(qtbot, ledger, district_plan)
    task = dialog.reading.draft.tasks[3]
    task.problems.append("括号没有闭合，责任单位可能没有读全。")  # as the plan text reader reports an unclosed bracket
    recheck(dialog.reading)
    dialog._show_doubts()
    assert "括号没有闭合" in dialog._items[task.code].toolTip(4)
    dialog.select_task(task.code)
    dialog.units_edit.setText("青川区自然资源局牵头")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, dialog)
    assert not any("括号没有闭合" in d.message for d in dialog.all_doubts())
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: QMessageBox.StandardButton.Yes)
    dialog.reject()  # 取消: the edits are given up when the clerk confirms
    assert not dialog.isVisible()
