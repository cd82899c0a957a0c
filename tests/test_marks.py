"""Every change that can move a warning colour records the period's marks in its own transaction, window or not."""

import datetime as dt
import shutil

from sqlalchemy import select

from db.decisions import extend, sign_off
from db.engine import open_ledger
from db.ledger import get_task
from db.models import Task, WarningMark
from db.packet_export import export_packet
from db.packets import merge_packet
from db.progress import ProgressInput, add_progress
from db.settings import load_settings, save_settings
from db.vocabulary import Colour

RED_TASK = "A03-01"  # due 2022年6月前, lead 市住房和城乡建设局: red in 2022-07 until done, signed off or extended


def set_period(ledger, period):
    with ledger.Session.begin() as s:
        settings = load_settings(s)
        settings.current_period = period
        save_settings(s, settings, operator="测试")


def mark(ledger, code, period="2022-07"):
    with ledger.Session() as s:
        return s.scalar(
            select(WarningMark.colour).join(Task, Task.id == WarningMark.task_id).where(Task.code == code, WarningMark.period == period)
        )


def test_choosing_the_period_records_its_colours(ledger):
    assert mark(ledger, RED_TASK) is None
    set_period(ledger, "2022-07")
    assert mark(ledger, RED_TASK) == Colour.RED


def test_a_report_from_the_command_line_moves_the_recorded_colour(ledger, run_cli):
    set_period(ledger, "2022-07")
    code, _, err = run_cli("progress", "add", "--task", RED_TASK, "--unit", "市住建局", "--period", "2022-07",
                           "--status", "已完成", "--percent", "100", "--text", "流程已精简", "--date", "2022-07-20")
    assert code == 0, err
    assert mark(ledger, RED_TASK) == Colour.GREEN  # reported done, awaiting sign-off: no window was open


def test_sign_off_and_extension_are_recorded_at_once(ledger):
    set_period(ledger, "2022-07")
    assert mark(ledger, RED_TASK) == mark(ledger, "A03-04") == Colour.RED
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 5), operator="李四", note="已印发")
        extend(s, get_task(s, "A03-04"), new_due=dt.date(2022, 12, 31), reason="跨部门协调", document="三营商办〔2022〕12号", approved_on=dt.date(2022, 7, 1), operator="李四")
    assert mark(ledger, RED_TASK) == Colour.DONE
    assert mark(ledger, "A03-04") != Colour.RED


def test_a_failed_write_records_nothing(ledger):
    set_period(ledger, "2022-07")
    with ledger.Session.begin() as s:
        s.execute(WarningMark.__table__.delete())
    try:
        with ledger.Session.begin() as s:
            add_progress(s, ProgressInput(RED_TASK, "市住建局", "2022-07", "已完成", 100, "流程已精简", entry_date=dt.date(2022, 7, 20)), operator="李四")
            raise RuntimeError("断电")
    except RuntimeError:
        pass
    assert mark(ledger, RED_TASK) is None


def test_a_merged_packet_records_the_colours(ledger, tmp_path):
    set_period(ledger, "2022-07")
    packet = tmp_path / "外勤.duban"
    export_packet(ledger, packet, period="2022-07", operator="办公室")
    laptop_copy = tmp_path / "laptop.duban"
    shutil.copy(packet, laptop_copy)
    laptop = open_ledger(laptop_copy)
    with laptop.Session.begin() as s:
        add_progress(s, ProgressInput(RED_TASK, "市住建局", "2022-07", "已完成", 100, "现场核实已完成", entry_date=dt.date(2022, 7, 21)), operator="外勤")
    laptop.close()
    merge_packet(ledger, laptop_copy, operator="办公室")
    assert mark(ledger, RED_TASK) == Colour.GREEN


def test_several_new_reports_in_one_transaction_record_the_colours_once_at_its_commit(ledger, monkeypatch):
    """Each new report is inserted under its own SAVEPOINT; releasing one is not the commit the colours wait for."""
    import db.marks

    set_period(ledger, "2022-07")
    recorded = []
    real = db.marks.record_current_marks
    monkeypatch.setattr(db.marks, "record_current_marks", lambda session: recorded.append(1) or real(session))
    with ledger.Session.begin() as s:
        for code in ("A01-01", "A02-01", RED_TASK):
            task = get_task(s, code)
            unit = next(a.unit.name for a in task.assignments)
            add_progress(s, ProgressInput(task_code=code, unit=unit, period="2022-07", status="已完成", percent=100, progress_text="已办结"), operator="测试")
        assert recorded == []
    assert recorded == [1] and mark(ledger, RED_TASK) == Colour.GREEN  # the last report counted: done, awaiting sign-off
