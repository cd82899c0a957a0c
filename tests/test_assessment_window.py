"""The 综合考评 tab and the scheme editor, as the office uses them: the month's ranking as the service scores it,
why a unit scored so, storing and recomputing the month, and a scheme refused or saved as a new version.

On the bundled 2022 plan with June 2022 current: a 约谈 of 市住房和城乡建设局 in June counts against it.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from db.acts import ActInput, record_act
from db.answerable import is_real_unit
from db.assessment import current_scheme, month_assessment, parse_scheme, stored_month
from db.errors import UserError
from db.ledger import resolve_plan_id
from db.models import AuditLog
from db.settings import load_settings, save_settings
from desktop.assessment_view import NOT_APPLICABLE

pytestmark = pytest.mark.gui
PERIOD = "2022-06"
HOUSING = "市住房和城乡建设局"


def wait_idle(qtbot) -> None:
    from desktop.ops import runner

    qtbot.waitUntil(lambda: not runner().busy, timeout=30000)


@pytest.fixture
def june(ledger):
    """June 2022 current, and a 约谈 of 市住房和城乡建设局 on 10 June."""
    with ledger.Session.begin() as s:
        settings = load_settings(s)
        settings.current_period = PERIOD
        save_settings(s, settings, operator="测试")
        record_act(s, resolve_plan_id(s, None), ActInput("约谈", dt.date(2022, 6, 10), "进展滞后", units=[HOUSING]), operator="测试")
    return ledger


def open_assessment(qtbot, ledger, tmp_path):
    """The window started as app.py does, then its 综合考评 tab opened (Ctrl+8)."""
    from desktop.main_window import MainWindow

    window = MainWindow(ledger, QSettings(str(tmp_path / f"prefs-{uuid.uuid4().hex[:6]}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.start_loading()
    wait_idle(qtbot)
    act = next(a for a in window.actions() if a.text() == "综合考评")
    assert act.shortcut().toString() == "Ctrl+8"
    act.trigger()
    wait_idle(qtbot)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "综合考评"
    return window


def expected_month(ledger):
    with ledger.Session() as s:
        return month_assessment(s, resolve_plan_id(s, None), PERIOD)


def test_the_tab_ranks_the_units_as_the_service_scores_them_and_says_why_one_scored_so(qtbot, june, tmp_path):
    window = open_assessment(qtbot, june, tmp_path)
    panel = window.assessment
    expected = expected_month(june)
    model = panel.model
    assert model.columns == ["名次", "单位", *(c.label for c in expected.scheme.components), "总分"]
    shown = [(model.text(r, 0), model.text(r, 1), model.text(r, model.columnCount() - 1)) for r in range(model.rowCount())]
    assert [unit for _rank, unit, _score in shown] == [u.unit for u in expected.units]
    assert [rank for rank, _unit, _score in shown] == [str(u.rank) if u.rank else "不排名" for u in expected.units]
    assert [float(score.replace("−", "-")) for _r, _u, score in shown if score != "—"] == [u.score for u in expected.units if u.score is not None]
    assert all(is_real_unit(u.kind) for u in model.rows)  # collectives are never listed
    # 不适用 is shown as such, wherever the service says a rate did not apply.
    column_of = {c.label: 2 + i for i, c in enumerate(expected.scheme.components)}
    for r, unit in enumerate(expected.units):
        for part in unit.components:
            assert (model.text(r, column_of[part.label]) == NOT_APPLICABLE) == (not part.applicable)
    assert any(not p.applicable for u in expected.units for p in u.components)
    # The 约谈 is a deduction in 市住房和城乡建设局's row and in its sentence.
    housing = next(u for u in expected.units if u.unit == HOUSING)
    panel.select(HOUSING)
    assert panel.sentence.text() == housing.sentence() and "约谈1次，扣3分" in panel.sentence.text()
    assert model.text(model.rows.index(housing), column_of["约谈扣分"]) == "−3（1次）"
    assert "未保存" in panel.status.text() and panel.save_button.isEnabled() and not panel.recompute_button.isEnabled()
    assert "2022年6月" in panel.status.text()


def test_saving_the_month_stores_it_and_recomputing_asks_before_replacing_it(qtbot, june, tmp_path):
    window = open_assessment(qtbot, june, tmp_path)
    panel = window.assessment
    panel.save_button.click()
    wait_idle(qtbot)
    with june.Session() as s:
        stored = stored_month(s, resolve_plan_id(s, None), PERIOD)
    assert stored is not None and [(u.unit, u.score, u.rank) for u in stored.units] == [(u.unit, u.score, u.rank) for u in expected_month(june).units]
    assert "已保存" in panel.status.text() and stored.computed_local.strftime("%Y-%m-%d %H:%M") in panel.status.text()
    assert not panel.save_button.isEnabled() and panel.recompute_button.isEnabled()

    def answer(button):
        def look():
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                answer_seen.append(box.text())
                box.button(button).click()
            else:
                QTimer.singleShot(20, look)

        QTimer.singleShot(0, look)

    def computations() -> int:
        with june.Session() as s:
            return s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "assessment.compute"))

    answer_seen: list[str] = []
    answer(QMessageBox.StandardButton.No)
    panel.recompute_button.click()
    wait_idle(qtbot)
    assert "将替换已保存的结果" in answer_seen[0] and computations() == 1
    answer(QMessageBox.StandardButton.Yes)
    panel.recompute_button.click()
    wait_idle(qtbot)
    assert computations() == 2


def test_the_scheme_editor_refuses_a_bad_scheme_with_its_reasons_and_saves_a_good_one_as_a_new_version(qtbot, june, tmp_path):
    from desktop.scheme_dialog import COL_ACT, COL_EACH, COL_WEIGHT, SchemeDialog
    from desktop.settings_dialog import SettingsDialog

    with june.Session.begin() as s:
        plan_id = resolve_plan_id(s, None)
    window = open_assessment(qtbot, june, tmp_path)
    window.assessment.save_button.click()  # June stored by the default scheme
    wait_idle(qtbot)
    settings = SettingsDialog(june, "测试", parent=window)
    qtbot.addWidget(settings)
    assert settings.scheme_summary.text().startswith("默认方案：按期办结率权重40")
    dialog = SchemeDialog(june, plan_id, "测试", parent=settings)
    qtbot.addWidget(dialog)
    assert "已保存的月份结果不变" in dialog.note.text()
    assert dialog.table.rowCount() == len(current_scheme_of(june).components)

    dialog.set_cell(0, COL_WEIGHT, "四十")
    row = dialog.add_row(None)
    dialog.set_cell(row, COL_EACH, "3")  # a 督办事项 with no act chosen
    with pytest.raises(UserError) as refused:
        parse_scheme(dialog.components())
    dialog.save()
    wait_idle(qtbot)
    assert not dialog.error.isHidden() and dialog.result() == 0
    for problem in refused.value.details:
        assert problem in dialog.error.text()
    assert "第1项（按期办结率）的权重“四十”不是数字" in dialog.error.text()
    assert current_scheme_of(june).version is None

    dialog.set_cell(0, COL_WEIGHT, "50")
    dialog.set_cell(row, COL_ACT, "表扬")
    dialog.set_cell(row, COL_EACH, "3")
    dialog.table.removeRow(6)  # the default's own 表扬 row: one 表扬 only
    dialog.save()
    wait_idle(qtbot)
    assert dialog.result() == 1
    saved = current_scheme_of(june)
    assert saved.version == 1 and saved.components[0].weight == 50 and saved.components[-1].act == "表扬" and saved.components[-1].each == 3
    with june.Session() as s:
        assert stored_month(s, plan_id, PERIOD).scheme.version is None  # the stored month keeps its scheme
    reopened = SettingsDialog(june, "测试", parent=window)
    qtbot.addWidget(reopened)
    assert reopened.scheme_summary.text().startswith("第1版") and "按期办结率权重50" in reopened.scheme_summary.text()


def current_scheme_of(ledger):
    with ledger.Session() as s:
        return current_scheme(s, resolve_plan_id(s, None))
