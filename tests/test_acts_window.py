"""督查督办 and 回头看 in the window, as the office uses them: an act recorded through its dialog, a collective refused,
a 回头看 previewed then drawn with the seed shown, and a failed re-check reopening its task in the table.

On the bundled 2022 plan; 市住房和城乡建设局 leads the A03 tasks.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import QDate, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import select

from db.acts import ActInput, list_acts, record_act
from db.answerable import is_real_unit
from db.decisions import sign_off
from db.ledger import get_task, resolve_plan_id
from db.models import AuditLog, SignOff, SupervisoryAct, Unit
from db.recheck import RecheckRule, draw_recheck
from db.settings import load_settings, save_settings

pytestmark = pytest.mark.gui
HOUSING = "市住房和城乡建设局"
SIGNED = {"A03-01": 5, "A03-02": 10, "A03-03": 12, "A03-04": 20, "A04-01.01": 25, "A04-01.02": 28}
DRAW_DAY = dt.date(2022, 7, 10)


def wait_idle(qtbot) -> None:
    from desktop.ops import runner

    qtbot.waitUntil(lambda: not runner().busy, timeout=30000)


def open_window(qtbot, ledger, tmp_path):
    from desktop.main_window import MainWindow

    window = MainWindow(ledger, QSettings(str(tmp_path / f"prefs-{uuid.uuid4().hex[:6]}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.start_loading()
    wait_idle(qtbot)
    return window


def trigger(window, text: str) -> None:
    next(a for a in window.actions() if a.text() == text).trigger()


def when_modal(kind, act):
    """Run act(dialog) once a modal dialog of this kind is up."""

    def look():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            act(widget)
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


def when(condition, act):
    """Run act() once condition() holds (an op's outcome has arrived inside a modal dialog)."""

    def look():
        if condition():
            act()
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


def acts(ledger):
    with ledger.Session() as s:
        return list_acts(s, resolve_plan_id(s, None))


def audit_actions(ledger) -> list[str]:
    with ledger.Session() as s:
        return list(s.scalars(select(AuditLog.action).where(AuditLog.entity == "act").order_by(AuditLog.id)))


@pytest.fixture
def signed(ledger):
    with ledger.Session.begin() as s:
        for code, day in SIGNED.items():
            sign_off(s, get_task(s, code), signed_on=dt.date(2022, 6, day), operator="李四", note=f"{code} 已完成")
    return ledger


def test_an_act_recorded_through_the_dialog_is_in_the_ledger_with_its_task_file_and_audit_row(qtbot, ledger, tmp_path):
    from desktop.act_dialogs import ActDialog

    window = open_window(qtbot, ledger, tmp_path)
    with ledger.Session() as s:
        window.open_task(get_task(s, "A03-02").id)
    minutes = tmp_path / "约谈纪要.pdf"
    minutes.write_bytes(b"%PDF minutes")
    seen = {}

    def fill(dialog: ActDialog):
        seen["tasks"] = dialog.tasks.text()
        dialog.kind.setCurrentText("约谈")
        dialog.date.setDate(QDate(2022, 6, 15))
        dialog.check_units([HOUSING])
        dialog.basis.setPlainText("A03-02 连续两月未报送进展")
        dialog.follow_up.setPlainText("一周内提交整改报告")
        dialog.in_circular.setChecked(True)
        dialog.add_files([minutes])
        dialog.save()

    when_modal(ActDialog, fill)
    trigger(window, "记录督查督办事项…")
    wait_idle(qtbot)
    assert seen["tasks"] == "A03-02"  # prefilled with the task selected in the table
    [act] = acts(ledger)
    assert (act.kind.value, act.act_date, act.units, act.tasks) == ("约谈", dt.date(2022, 6, 15), [HOUSING], ["A03-02"])
    assert act.in_circular and act.follow_up == "一周内提交整改报告" and [e.name for e in act.evidence] == ["约谈纪要.pdf"]
    assert audit_actions(ledger) == ["act.add"]
    assert "已记录约谈" in window.statusBar().currentMessage()


def test_a_collective_cannot_be_praised_the_dialog_says_why_and_nothing_is_written(qtbot, ledger, tmp_path):
    from desktop.act_dialogs import ActDialog

    with ledger.Session() as s:
        collective = next(u.name for u in s.scalars(select(Unit).order_by(Unit.id)) if not is_real_unit(u.kind))
    window = open_window(qtbot, ledger, tmp_path)
    seen = {}

    def fill(dialog: ActDialog):
        dialog.kind.setCurrentText("表扬")
        dialog.check_units([collective])
        dialog.basis.setPlainText("按期办结率全市第一")
        dialog.save()
        when(lambda: dialog.error.isVisible(), lambda: (seen.update(error=dialog.error.text(), open=dialog.isVisible()), dialog.reject()))

    when_modal(ActDialog, fill)
    trigger(window, "记录督查督办事项…")
    wait_idle(qtbot)
    assert seen["open"]
    assert f"“{collective}”是集合性的单位" in seen["error"] and "不能作为表扬的对象" in seen["error"]
    assert acts(ledger) == [] and audit_actions(ledger) == []
    with ledger.Session() as s:
        assert s.scalar(select(SupervisoryAct.id)) is None


def test_a_recheck_previewed_then_drawn_takes_the_tasks_draw_recheck_takes_with_that_seed(qtbot, signed, tmp_path):
    from desktop.recheck_dialogs import RANDOM, RecheckDrawDialog, RecheckItemsDialog

    window = open_window(qtbot, signed, tmp_path)
    seen = {}

    def fill(dialog: RecheckDrawDialog):
        seen["fresh_seed"] = dialog.seed.value()
        dialog.date.setDate(QDate(2022, 7, 10))
        dialog.basis.setPlainText("7月回头看")
        dialog.mode.setCurrentText(RANDOM)
        dialog.size.setValue(3)
        dialog.seed.setValue(7)
        dialog.show_preview()

        def previewed():
            seen["candidates"] = [c.task for c in dialog.preview.candidates]
            seen["previewed"] = [c.task for c in dialog.preview.drawn]
            seen["marked"] = [dialog.model.text(r, 1) for r in range(dialog.model.rowCount()) if dialog.model.text(r, 0) == "✔"]
            seen["summary"] = dialog.summary.text()
            when_modal(RecheckItemsDialog, lambda items: when(lambda: items.model.rowCount() > 0, lambda: (seen.update(items=[r.task for r in items.model.rows]), items.accept())))
            dialog.save()

        when(lambda: dialog.preview is not None, previewed)

    when_modal(RecheckDrawDialog, fill)
    trigger(window, "回头看…")
    wait_idle(qtbot)
    assert sorted(seen["candidates"]) == sorted(SIGNED)
    assert len(seen["previewed"]) == 3 and seen["marked"] == seen["previewed"] and "随机种子 7" in seen["summary"]
    assert seen["items"] == seen["previewed"]  # the drawn act's items open straight after 抽取
    [drawn] = acts(signed)
    assert drawn.seed == 7 and [r.task for r in drawn.rechecks] == seen["previewed"]
    with signed.Session.begin() as s:
        again = draw_recheck(s, resolve_plan_id(s, None), act_date=DRAW_DAY, basis="再抽一次", rule=RecheckRule(size=3, seed=7), operator="王五")
    assert [r.task for r in again.rechecks] == seen["previewed"]
    assert 0 <= seen["fresh_seed"] <= 2**31 - 1


def test_a_failed_recheck_revokes_the_sign_off_and_the_task_table_shows_the_task_open(qtbot, signed, tmp_path):
    from desktop.act_dialogs import ActListDialog
    from desktop.recheck_dialogs import FailReasonDialog, RecheckItemsDialog

    with signed.Session.begin() as s:
        act = draw_recheck(s, resolve_plan_id(s, None), act_date=DRAW_DAY, basis="7月回头看", rule=RecheckRule(annex=3), operator="王五")
        task_id = get_task(s, "A03-02").id
    window = open_window(qtbot, signed, tmp_path)
    row = window.model.rows[window.model.row_of(task_id)]
    assert row.state.signed_off_on == dt.date(2022, 6, 10)
    seen = {}

    def reason(dialog: FailReasonDialog):
        seen["warning"] = dialog.warning.text()
        dialog.reason.setPlainText("复核发现验收资料缺失")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    def items(dialog: RecheckItemsDialog):
        def ready():
            dialog.select("A03-02")
            when_modal(FailReasonDialog, reason)
            dialog.fail_button.click()
            when(
                lambda: dialog.model.rows[[r.task for r in dialog.model.rows].index("A03-02")].outcome.value == "未通过",
                lambda: (seen.update(row=dialog.model.text([r.task for r in dialog.model.rows].index("A03-02"), 3)), dialog.accept()),
            )

        when(lambda: dialog.model.rowCount() > 0, ready)

    def listed(dialog: ActListDialog):
        def ready():
            dialog.select(act.id)
            seen["recheck_enabled"] = dialog.recheck_button.isEnabled()
            seen["result_enabled"] = dialog.result_button.isEnabled()
            when_modal(RecheckItemsDialog, items)
            dialog.recheck_button.click()
            dialog.accept()

        when(lambda: dialog.model.rowCount() > 0, ready)

    when_modal(ActListDialog, listed)
    trigger(window, "督查督办记录…")
    wait_idle(qtbot)
    assert seen["recheck_enabled"] and seen["result_enabled"]  # a 回头看 has its re-checks and an overall result
    assert seen["row"] == "未通过"
    assert "任务 A03-02 的销号将被撤销" in seen["warning"]
    with signed.Session() as s:
        assert s.scalar(select(SignOff).where(SignOff.task_id == task_id)) is None
    row = window.model.rows[window.model.row_of(task_id)]
    assert row.state.signed_off_on is None  # the table was refreshed: the task is open again
    assert audit_actions(signed)[-1] == "act.recheck"


def test_the_list_filters_by_kind_and_month_and_fills_in_a_result(qtbot, ledger, tmp_path):
    from desktop.act_dialogs import ActListDialog, ActResultDialog

    with ledger.Session.begin() as s:
        settings = load_settings(s)
        settings.current_period = "2022-12"  # the month filter offers the months of the current period's year
        save_settings(s, settings, operator="测试")
        plan_id = resolve_plan_id(s, None)
        talk = record_act(s, plan_id, ActInput("约谈", dt.date(2022, 6, 10), "进展滞后", units=[HOUSING]), operator="王五")
        record_act(s, plan_id, ActInput("专项督查", dt.date(2022, 6, 20), "开办企业专项督查", units=[HOUSING]), operator="王五")
        record_act(s, plan_id, ActInput("约谈", dt.date(2022, 5, 9), "五月约谈", units=[HOUSING]), operator="王五")
    window = open_window(qtbot, ledger, tmp_path)
    seen = {}

    def result(dialog: ActResultDialog):
        dialog.result.setPlainText("已提交整改方案，A03-02 恢复按月报送")
        dialog.save()

    def listed(dialog: ActListDialog):
        def filtered():
            seen["june_talks"] = [dialog.model.text(r, 4) for r in range(dialog.model.rowCount())]
            dialog.select(talk.id)
            when_modal(ActResultDialog, result)
            dialog.result_button.click()
            when(lambda: dialog.model.rowCount() and dialog.model.rows[0].result, lambda: (seen.update(shown=dialog.model.text(0, 5)), dialog.accept()))

        def everything():
            seen["all"] = dialog.model.rowCount()
            dialog.kind.setCurrentText("约谈")
            dialog.month.setCurrentIndex(dialog.month.findData("2022-06"))
            when(lambda: dialog.model.rowCount() == 1 and not runner_busy(), filtered)

        when(lambda: dialog.model.rowCount() == 3, everything)

    when_modal(ActListDialog, listed)
    trigger(window, "督查督办记录…")
    wait_idle(qtbot)
    assert seen["all"] == 3 and seen["june_talks"] == ["进展滞后"]
    assert seen["shown"] == "已提交整改方案，A03-02 恢复按月报送"
    [act] = [a for a in acts(ledger) if a.id == talk.id]
    assert act.result == "已提交整改方案，A03-02 恢复按月报送"
    assert audit_actions(ledger)[-1] == "act.result"


def runner_busy() -> bool:
    from desktop.ops import runner

    return runner().busy


def test_the_list_opens_on_the_unit_the_table_shows_its_history_of_acts(qtbot, ledger, tmp_path):
    from desktop.act_dialogs import ActListDialog

    with ledger.Session.begin() as s:
        plan_id = resolve_plan_id(s, None)
        record_act(s, plan_id, ActInput("约谈", dt.date(2022, 6, 10), "住建局进展滞后", units=[HOUSING]), operator="王五")
        record_act(s, plan_id, ActInput("表扬", dt.date(2022, 6, 12), "财政局成效显著", units=["市财政局"]), operator="王五")
    window = open_window(qtbot, ledger, tmp_path)
    window.apply_filter(unit=HOUSING)
    seen = {}

    def listed(dialog: ActListDialog):
        def everyone():
            seen["all"] = sorted(dialog.model.text(r, 4) for r in range(dialog.model.rowCount()))
            dialog.accept()

        def housing():
            seen["unit"] = dialog.unit.currentText()
            seen["housing"] = [dialog.model.text(r, 4) for r in range(dialog.model.rowCount())]
            dialog.unit.setCurrentIndex(0)  # 全部单位
            when(lambda: dialog.model.rowCount() == 2 and not runner_busy(), everyone)

        when(lambda: dialog.model.rowCount() == 1 and not runner_busy(), housing)

    when_modal(ActListDialog, listed)
    trigger(window, "督查督办记录…")
    wait_idle(qtbot)
    assert seen["unit"] == HOUSING and seen["housing"] == ["住建局进展滞后"]
    assert seen["all"] == ["住建局进展滞后", "财政局成效显著"]
