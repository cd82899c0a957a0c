"""总体方案措施关联 in the window: the office reviews 附件1's suggested links by keyboard, adds one by hand, sees a measure's progress."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from db.decisions import sign_off
from db.ledger import get_task
from db.measure_links import decide_link, list_links, suggest_links
from db.models import AuditLog, MeasureLink
from db.settings import load_settings, save_settings
from db.vocabulary import LinkStatus
from desktop.measure_link_dialog import AddLinkDialog, MeasureLinkDialog, highlight

pytestmark = pytest.mark.gui
PERIOD = "2022-06"


def wait_idle(qtbot) -> None:
    from desktop.ops import runner

    qtbot.waitUntil(lambda: not runner().busy, timeout=30000)


@pytest.fixture
def suggested(ledger):
    """The bundled plan with the wording's suggestions stored, as after `duban links suggest`."""
    with ledger.Session.begin() as s:
        suggest_links(s, operator="测试")
    return ledger


@pytest.fixture
def dialog(qtbot, suggested):
    dialog = MeasureLinkDialog(suggested, "李娜", PERIOD)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot)
    return dialog


def links_of(ledger, measure: str) -> dict[str, str]:
    with ledger.Session() as s:
        return {v.task: v.status for v in list_links(s, measure=measure)}


def audit_rows(ledger) -> list[tuple[str, str, str | None]]:
    with ledger.Session() as s:
        return [tuple(r) for r in s.execute(select(AuditLog.action, AuditLog.entity_key, AuditLog.operator).where(AuditLog.action.like("measure_link.%")).order_by(AuditLog.id))]


def shown_candidates(dialog) -> list[str]:
    return [dialog.candidates.item(row, 0).text() for row in range(dialog.candidates.rowCount())]


def test_the_dialog_lists_every_measure_and_a_measures_candidates_with_the_shared_wording_marked(dialog, suggested):
    with suggested.Session() as s:
        views = list_links(s)
    assert dialog.measures.rowCount() == 100  # 附件1 of the 2022 plan
    assert dialog.measures.item(0, 0).text() == "A01-01"
    dialog.select_measure("A01-26")
    row = dialog.measures.currentRow()
    assert dialog.measures.item(row, 1).text() == get_title(suggested, "A01-26")
    expected = [v.task for v in views if v.measure == "A01-26"]
    assert shown_candidates(dialog) == expected and expected[:2] == ["A12-02.03", "A11-04.04"]
    assert dialog.measures.item(row, 2).text() == str(len(expected))  # 待定
    # The best suggestion is selected; both texts are shown, the phrases they share marked.
    assert dialog.current_link().task == "A12-02.03"
    text = dialog.compare.toPlainText()
    assert "措施 A01-26" in text and "任务 A12-02.03" in text and "扩大政府采购供应商融资规模" in text
    html = dialog.compare.toHtml()
    assert html.count("#ffe08a") >= 4  # at least two phrases, marked in both texts


def get_title(ledger, code: str) -> str:
    with ledger.Session() as s:
        return get_task(s, code).title


def test_highlight_escapes_the_document_and_marks_every_occurrence():
    html = highlight("<b>政采贷</b>扩大政采贷规模", ["政采贷", "扩大政采贷"])
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert html.count("background-color") == 2  # 政采贷 alone, then 扩大政采贷 as one run
    assert "扩大政采贷</span>" in html


def test_y_confirms_n_rejects_each_written_with_the_operator_in_the_audit_log(qtbot, dialog, suggested):
    dialog.select_measure("A01-26")
    dialog.candidates.setFocus()
    first, second = shown_candidates(dialog)[:2]
    qtbot.keyClick(dialog.candidates, Qt.Key.Key_Y)
    wait_idle(qtbot)
    assert links_of(suggested, "A01-26")[first] == LinkStatus.CONFIRMED
    assert dialog.current_link().task == second  # on to the next suggestion still waiting
    qtbot.keyClick(dialog.candidates, Qt.Key.Key_N)
    wait_idle(qtbot)
    statuses = links_of(suggested, "A01-26")
    assert statuses[first] == LinkStatus.CONFIRMED and statuses[second] == LinkStatus.REJECTED
    assert audit_rows(suggested)[-2:] == [("measure_link.confirm", f"A01-26→{first}", "李娜"), ("measure_link.reject", f"A01-26→{second}", "李娜")]
    row = dialog.measures.currentRow()
    assert dialog.measures.item(row, 3).text() == "1"  # 确认
    assert dialog.changed and "已否决" in dialog.message.text()
    # Down then Y: the candidate below is the one decided.
    third = shown_candidates(dialog)[2]
    qtbot.keyClick(dialog.candidates, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.candidates, Qt.Key.Key_Down)
    assert dialog.current_link().task == third
    qtbot.keyClick(dialog.candidates, Qt.Key.Key_Y)
    wait_idle(qtbot)
    assert links_of(suggested, "A01-26")[third] == LinkStatus.CONFIRMED


def test_a_link_added_by_hand_is_confirmed_and_a_bad_one_refused_in_chinese_with_nothing_written(qtbot, dialog, suggested):
    dialog.select_measure("A01-28")
    assert "A04-01.01" not in links_of(suggested, "A01-28")
    dialog.add_by_hand("A04-01.01")
    wait_idle(qtbot)
    assert links_of(suggested, "A01-28")["A04-01.01"] == LinkStatus.CONFIRMED
    assert audit_rows(suggested)[-1] == ("measure_link.add", "A01-28→A04-01.01", "李娜")
    assert dialog.current_link().task == "A04-01.01" and dialog.current_link().score is None

    def written() -> tuple[int, int]:
        with suggested.Session() as s:
            return s.scalar(select(func.count()).select_from(MeasureLink)), s.scalar(select(func.count()).select_from(AuditLog))

    before = written()
    for code, says in (("A01-05", "是附件1的措施"), ("A04-01.01", "已经确认"), ("A99-01", "没有编号为")):
        dialog.add_by_hand(code)
        wait_idle(qtbot)
        assert dialog.message.isVisible() and says in dialog.message.text(), code
        assert written() == before, code


def test_the_hand_add_list_finds_a_task_by_code_or_title_and_passes_a_typed_code_on(qtbot, dialog, suggested):
    from db.measure_links import carrier_choices

    with suggested.Session() as s:
        choices = carrier_choices(s)
    assert choices and not any(c.annex == 1 for c in choices)
    dialog.select_measure("A01-28")
    picker = AddLinkDialog(dialog.current_measure(), choices, dialog)
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.search, "A04-04")
    assert picker.list.count() >= 2 and all(picker.list.item(i).text().startswith("A04-04") for i in range(picker.list.count()))
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.chosen() == picker.list.item(1).data(Qt.ItemDataRole.UserRole)
    picker.search.setText("办电 平台")
    assert picker.list.count() >= 1 and all("办电" in picker.list.item(i).text() and "平台" in picker.list.item(i).text() for i in range(picker.list.count()))
    picker.search.setText("A01-05")  # a 附件1 code is not offered; add_link says why it cannot be added
    assert picker.list.count() == 0 and picker.chosen() == "A01-05"


def test_j_jumps_to_the_next_measure_with_a_suggestion_waiting(qtbot, dialog, suggested):
    waiting = [r.code for r in dialog.reviews if r.undecided]
    assert len(waiting) > 3 and len(waiting) < len(dialog.reviews)  # some measures have no suggestion
    first, second, third = waiting[:3]
    with suggested.Session.begin() as s:  # every suggestion of the second measure decided (from the command line, say)
        for view in list_links(s, measure=second):
            decide_link(s, view.id, False, "测试")
    dialog.load()
    wait_idle(qtbot)
    dialog.select_measure(first)
    qtbot.keyClick(dialog.candidates, Qt.Key.Key_J)
    assert dialog.current_measure().code == third
    assert dialog.current_link().status == LinkStatus.SUGGESTED
    qtbot.keyClick(dialog.candidates, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert dialog.measures.currentRow() == [r.code for r in dialog.reviews].index(third) + 1


def test_j_says_so_when_nothing_is_left_to_decide(qtbot, dialog, suggested):
    with suggested.Session.begin() as s:
        s.execute(MeasureLink.__table__.update().values(status=LinkStatus.REJECTED.value))
    dialog.load()
    wait_idle(qtbot)
    current = dialog.current_measure().code
    qtbot.keyClick(dialog.candidates, Qt.Key.Key_J)
    assert dialog.current_measure().code == current and "所有建议都已确认或否决" in dialog.message.text()


def test_suggesting_again_keeps_the_decisions(qtbot, dialog, suggested):
    dialog.select_measure("A01-26")
    first = dialog.current_link().task
    dialog.decide(True)
    wait_idle(qtbot)
    dialog.suggest_again()
    wait_idle(qtbot)
    assert links_of(suggested, "A01-26")[first] == LinkStatus.CONFIRMED
    assert "建议已重新生成" in dialog.message.text()


@pytest.fixture
def window(qtbot, suggested, tmp_path):
    from desktop.main_window import MainWindow

    with suggested.Session.begin() as s:
        settings = load_settings(s)
        settings.current_period = PERIOD
        save_settings(s, settings, operator="测试")
    win = MainWindow(suggested, QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.load()
    win.show()
    return win


def test_the_detail_of_a_measure_shows_its_confirmed_tasks_and_a_task_its_measure(qtbot, window, suggested):
    from db.measure_links import add_link

    with suggested.Session.begin() as s:
        add_link(s, "A01-26", "A12-02.03", "测试")
        add_link(s, "A01-26", "A11-04.04", "测试")
        sign_off(s, get_task(s, "A12-02.03"), signed_on=dt.date(2022, 6, 20), note="政采贷融资规模增长", operator="测试")
    window.refresh()
    wait_idle(qtbot)
    with suggested.Session() as s:
        measure, task = get_task(s, "A01-26").id, get_task(s, "A12-02.03").id
    window.open_task(measure)
    text = window.detail.toPlainText()
    assert "落实本措施的专项任务" in text and "A12-02.03" in text and "A11-04.04" in text
    assert "按已确认的 2 项任务计：1 项已办结销号" in text and "本措施尚未完成" in text
    assert "A12-02.04" not in text  # a suggestion not confirmed is not counted
    window.open_task(task)
    assert "落实附件1措施：A01-26 " in window.detail.toPlainText()


def test_the_action_is_in_the_task_menu_for_the_office(qtbot, window):
    act = next(a for a in window.actions() if a.text() == "总体方案措施关联…")
    assert act.isVisible() and act.isEnabled()


@pytest.fixture
def server_url(pg_cluster, pg_initialised_url):
    from tests.pg_server import template_copy

    return template_copy(pg_cluster, pg_initialised_url, prefix="links")


def test_on_a_server_ledger_only_the_office_may_review_links(qtbot, pg_cluster, server_url, tmp_path):
    """A unit login is not offered the dialog, and the server's ledger refuses it a decision all the same."""
    from db.engine import open_ledger
    from db.errors import UserError
    from tests.test_server_window import make_login, open_window

    office = open_ledger(server_url)
    try:
        with office.Session.begin() as s:
            suggest_links(s, operator="测试")
    finally:
        office.close()
    unit_url = make_login(pg_cluster, server_url, "unit", ("市发展改革委",))
    opened = []
    try:
        for url, offered in ((server_url, True), (unit_url, False)):
            window = open_window(qtbot, url, tmp_path)
            opened.append(window)
            act = next(a for a in window.actions() if a.text() == "总体方案措施关联…")
            assert act.isVisible() is offered and act.isEnabled() is offered
        act.trigger()  # the unit login's: disabled, nothing opens
        assert not any(isinstance(w, MeasureLinkDialog) for w in QApplication.topLevelWidgets())
        unit = opened[-1].ledger
        with unit.Session() as s:
            link_id = list_links(s)[0].id
        with pytest.raises(UserError, match="只有督办办公室可以"), unit.Session.begin() as s:
            decide_link(s, link_id, True, "单位")
    finally:
        for window in opened:
            window.poll_timer.stop()
            window.ledger.close()
