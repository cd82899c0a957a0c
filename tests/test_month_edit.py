"""Month fields: every way a clerk writes a month is read as YYYY-MM, the keys and wheel roll over the year, bad text is said."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QInputMethodEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from db.errors import UserError
from db.periods import parse_period

FULL_WIDTH = str.maketrans("0123456789-./", "０１２３４５６７８９－．／")


def forms_of(period: str) -> list[str]:
    """Every accepted way of writing a month, as clerks type it (and the same in full-width digits)."""
    year, month = period[:4], int(period[5:7])
    forms = [period, f"{year}-{month}", f"{year}年{month}月", f"{year}年{month:02d}月", f"{year}{month:02d}", f"{year}.{month}", f"{year}/{month}"]
    return forms + [form.translate(FULL_WIDTH) for form in forms]


months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2000, 2100), st.integers(1, 12))


@settings(max_examples=300, deadline=None)
@given(months)
def test_every_month_reads_back_from_every_form(period):
    for form in forms_of(period):
        assert parse_period(form) == period, form
        assert parse_period(f"  {form} ") == period


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_is_a_month_or_a_chinese_refusal(text):
    try:
        period = parse_period(text)
    except UserError as exc:
        assert "报送期间" in exc.message and re.search(r"[\u4e00-\u9fff]", exc.message)
    else:
        assert re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])|2100-(0[1-9]|1[0-2])", period)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("2023-13", "月份 13 不存在"),
        ("2023年0月", "月份 0 不存在"),
        ("1999-12", "年份 1999 超出范围"),
        ("2101-01", "年份 2101 超出范围"),
        ("二〇二三年一月", "不是月份"),
        ("2023-01-15", "不是月份"),
        ("20231", "不是月份"),
        ("abc", "不是月份"),
        ("", "请填写报送期间"),
        ("2023" * 100, "不是月份"),
    ],
)
def test_what_is_not_a_month_is_refused_in_chinese(typed, says):
    with pytest.raises(UserError) as refused:
        parse_period(typed)
    assert says in refused.value.message
    assert len(refused.value.message) < 120  # a pasted paragraph is not echoed back whole


# ----- the widget -------------------------------------------------------------------------------


def type_text(qtbot, field, text):
    """Type as a clerk does: ASCII as key presses, Chinese committed by the input method (QTest types ASCII only)."""
    field.setFocus()
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if run.isascii():
            qtbot.keyClicks(field.lineEdit(), run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(field.lineEdit(), event)


@pytest.fixture
def form(qtbot):
    """A month field and a second field to move the focus to, in a shown window."""
    from desktop.month_edit import MonthEdit

    window = QWidget()
    column = QVBoxLayout(window)
    month = MonthEdit("2022-12")
    other = QLineEdit()
    column.addWidget(month)
    column.addWidget(other)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    changes: list[str] = []
    month.period_changed.connect(changes.append)
    yield month, other, changes
    window.close()  # held until here: the fields die with their window


def retype(qtbot, month, text):
    month.setFocus()
    month.lineEdit().selectAll()
    type_text(qtbot, month, text)


def test_up_and_down_roll_over_the_year(qtbot, form):
    month, _other, changes = form
    assert month.text() == "2022年12月"
    qtbot.keyClick(month, Qt.Key.Key_Up)
    assert (month.period(), month.text()) == ("2023-01", "2023年01月")
    qtbot.keyClick(month, Qt.Key.Key_Down)
    qtbot.keyClick(month, Qt.Key.Key_Down)
    assert month.period() == "2022-11"
    qtbot.keyClick(month, Qt.Key.Key_PageUp)
    assert month.period() == "2023-11"
    qtbot.keyClick(month, Qt.Key.Key_PageDown)
    qtbot.keyClick(month, Qt.Key.Key_PageDown)
    assert month.period() == "2021-11"
    assert changes == ["2023-01", "2022-12", "2022-11", "2023-11", "2022-11", "2021-11"]


def test_the_wheel_steps_by_month(qtbot, form):
    month, _other, changes = form

    def wheel(notches):
        centre = QPointF(month.rect().center())
        event = QWheelEvent(
            centre, QPointF(month.mapToGlobal(QPoint(0, 0))) + centre, QPoint(), QPoint(0, 120 * notches),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
        )
        QApplication.sendEvent(month, event)

    wheel(1)
    assert month.period() == "2023-01"
    wheel(-1)
    wheel(-1)
    assert month.period() == "2022-11"
    assert changes == ["2023-01", "2022-12", "2022-11"]


@pytest.mark.parametrize("typed", ["2023-01", "2023-1", "2023年1月", "2023年01月", "202301", "2023.1", "2023/1", "２０２３年１月"])
def test_a_typed_month_is_taken_on_enter_and_shown_in_the_field_own_form(qtbot, form, typed):
    month, _other, changes = form
    retype(qtbot, month, typed)
    assert changes == []  # not while typing: 2023-1 may be on its way to 2023-12
    qtbot.keyClick(month.lineEdit(), Qt.Key.Key_Return)
    assert (month.period(), month.text(), month.message()) == ("2023-01", "2023年01月", "")
    assert changes == ["2023-01"]


def test_leaving_the_field_takes_the_month_too(qtbot, form):
    month, other, changes = form
    retype(qtbot, month, "2023-5")
    qtbot.keyClick(month.lineEdit(), Qt.Key.Key_Tab)
    assert other.hasFocus()
    assert (month.period(), month.text(), changes) == ("2023-05", "2023年05月", ["2023-05"])


def test_bad_text_is_said_and_keeps_the_value(qtbot, form):
    month, _other, changes = form
    messages: list[str] = []
    month.message_changed.connect(messages.append)
    retype(qtbot, month, "2023-13")
    qtbot.keyClick(month.lineEdit(), Qt.Key.Key_Return)
    assert month.period() == "2022-12" and changes == []
    assert month.text() == "2023-13"  # left as typed for the clerk to correct, not replaced behind their back
    assert "月份 13 不存在" in month.message() and messages == [month.message()]
    assert month.toolTip() == month.message()
    # Correcting it clears the message as soon as the text is a month, and Enter takes it.
    qtbot.keyClick(month.lineEdit(), Qt.Key.Key_End)
    qtbot.keyClick(month.lineEdit(), Qt.Key.Key_Backspace)
    assert month.text() == "2023-1" and month.message() == "" and messages[-1] == ""
    qtbot.keyClick(month.lineEdit(), Qt.Key.Key_Return)
    assert month.period() == "2023-01" and changes == ["2023-01"]


def test_stepping_starts_from_the_typed_month_and_stops_at_the_range(qtbot, form):
    month, _other, _changes = form
    retype(qtbot, month, "2023-6")
    qtbot.keyClick(month, Qt.Key.Key_Up)
    assert month.period() == "2023-07"
    month.set_period("2100-12")
    qtbot.keyClick(month, Qt.Key.Key_Up)
    assert month.period() == "2100-12"
    month.set_period("2000年1月")
    qtbot.keyClick(month, Qt.Key.Key_PageDown)
    assert month.period() == "2000-01"
    with pytest.raises(UserError):
        month.set_period("2000-13")
    assert month.period() == "2000-01"


def test_the_dash_form_and_the_field_is_wide_enough(qtbot):
    from desktop.month_edit import MonthEdit

    month = MonthEdit("2023-01", chinese=False)
    qtbot.addWidget(month)
    assert month.text() == "2023-01"
    wide = MonthEdit("2000-12")
    qtbot.addWidget(wide)
    assert wide.sizeHint().width() > wide.fontMetrics().horizontalAdvance("2000年12月")


# ----- 设置 --------------------------------------------------------------------------------------


def test_settings_take_a_typed_month_and_refuse_one_that_does_not_exist(qtbot, ledger):
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

    from db.settings import load_settings
    from desktop.settings_dialog import SettingsDialog

    def ok(dialog):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    dialog = SettingsDialog(ledger, "李四")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.period.text() == "2022年12月"  # a month, not a day calendar
    retype(qtbot, dialog.period, "2022-13")
    ok(dialog)
    assert "月份 13 不存在" in dialog.error_text("current_period") and dialog.isVisible()
    with ledger.Session() as session:
        assert load_settings(session).current_period == "2022-12"
    retype(qtbot, dialog.period, "2022-12")
    qtbot.keyClick(dialog.period, Qt.Key.Key_Up)  # December rolls over to January
    assert dialog.period.text() == "2023年01月" and dialog.error_text("current_period") == ""
    ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with ledger.Session() as session:
        assert load_settings(session).current_period == "2023-01"
