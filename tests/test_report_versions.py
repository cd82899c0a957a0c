"""Report versions on a ledger file: a save against a version that moved on is refused, says who changed it, and keeps both.

The same checks on a real PostgreSQL, with the writers really at the same time, are in test_pg_concurrency.py.
"""

import json

import pytest
from sqlalchemy import func, select

from db.errors import UserError
from db.models import MergeConflict, ProgressEntry
from db.packets import pending_conflicts, resolve_conflict
from db.progress import ProgressInput, ReportChanged, add_progress, batch_rows, list_progress, save_batch, save_progress
from db.transactions import run_transaction

UNIT = "市住房和城乡建设局"
PERIOD = "2022-06"


def first_codes(ledger, n):
    with ledger.Session() as session:
        return [r.task_code for r in batch_rows(session, UNIT, PERIOD)[:n]]


def report(code, text, version=None, percent=40):
    return ProgressInput(code, UNIT, PERIOD, "推进中", percent, text, version=version)


def stored(ledger, code):
    with ledger.Session() as session:
        (view,) = list_progress(session, task_code=code, unit=UNIT, period=PERIOD)
    return view


def test_the_second_clerk_saving_the_version_both_read_is_refused_and_both_versions_are_kept(ledger):
    (code,) = first_codes(ledger, 1)
    first = save_progress(ledger, report(code, "张三的初稿", version=0), operator="张三")
    assert (first.version, first.outcome) == (1, "added")
    # 李四 and 王五 both open version 1; 李四 saves first.
    assert save_progress(ledger, report(code, "李四的修改", version=1, percent=50), operator="李四").version == 2
    with pytest.raises(ReportChanged) as refused:
        save_progress(ledger, report(code, "王五的修改", version=1, percent=60), operator="王五")

    changed = refused.value
    assert (changed.expected, changed.current, changed.by) == (1, 2, "李四")
    assert changed.theirs["progress_text"] == "李四的修改" and changed.mine["progress_text"] == "王五的修改"
    assert "该进展已被 李四 于" in changed.message and "（第 2 版）" in changed.message and "您修改的是第 1 版" in changed.message
    assert f"编号 {changed.conflict_id}" in changed.message
    # 李四's report stands; 王五's waits beside it as a conflict, settled like a field packet's.
    assert (stored(ledger, code).progress_text, stored(ledger, code).version) == ("李四的修改", 2)
    with ledger.Session() as session:
        (conflict,) = pending_conflicts(session)
    assert conflict.id == changed.conflict_id
    assert (conflict.ledger_values["progress_text"], conflict.packet_values["progress_text"]) == ("李四的修改", "王五的修改")
    assert (conflict.packet_values["source"], conflict.packet_values["by"], conflict.packet_values["based_on"]) == ("save", "王五", 1)
    with ledger.Session.begin() as session:
        resolve_conflict(session, conflict.id, choice="packet", operator="王五")
    assert (stored(ledger, code).progress_text, stored(ledger, code).percent, stored(ledger, code).version) == ("王五的修改", 60, 3)


def test_two_sessions_on_one_ledger_file_cannot_overwrite_each_other(ledger):
    """The second session's snapshot is overtaken while it works: SQLite refuses its write, the rerun sees version 2."""
    if ledger.server:
        pytest.skip("SQLite's snapshots; on PostgreSQL the row lock decides (test_pg_concurrency.py)")
    (code,) = first_codes(ledger, 1)
    save_progress(ledger, report(code, "初稿", version=0), operator="张三")
    attempts = []

    def second_clerk(session):
        attempts.append(session.scalar(select(ProgressEntry.version)))  # its read transaction begins at version 1
        if len(attempts) == 1:  # meanwhile the first clerk saves, on another connection of the same engine
            with ledger.Session.begin() as other:
                add_progress(other, report(code, "第一位的修改", version=1), operator="张三")
        return add_progress(session, report(code, "第二位的修改", version=1), operator="李四")

    with pytest.raises(ReportChanged) as refused:
        run_transaction(ledger, second_clerk)
    assert attempts == [1, 2] and refused.value.current == 2 and refused.value.by == "张三"
    assert stored(ledger, code).progress_text == "第一位的修改"


def test_a_report_someone_else_created_meanwhile_is_not_overwritten_by_a_new_one(ledger):
    (code,) = first_codes(ledger, 1)
    save_progress(ledger, report(code, "另一位先填了"), operator="张三")
    with pytest.raises(ReportChanged) as refused:
        save_progress(ledger, report(code, "我也填了", version=0), operator="李四")
    assert "该进展已被 张三 于" in refused.value.message and "填报（第 1 版），您打开时尚无该进展" in refused.value.message
    assert stored(ledger, code).progress_text == "另一位先填了"


def test_without_a_version_the_save_is_not_checked_and_a_bad_version_is_refused(ledger):
    (code,) = first_codes(ledger, 1)
    save_progress(ledger, report(code, "一"), operator="张三")
    assert save_progress(ledger, report(code, "二"), operator="李四").version == 2
    with pytest.raises(UserError, match="版本号“-1”无效"):
        save_progress(ledger, report(code, "三", version=-1), operator="李四")
    with pytest.raises(UserError, match="已不在台账中"):
        save_progress(ledger, report(first_codes(ledger, 2)[1], "从未有过", version=3), operator="李四")
    assert stored(ledger, code).version == 2


def test_the_batch_grid_saves_the_other_rows_and_keeps_a_moved_on_row_as_a_conflict(ledger):
    one, two, three = first_codes(ledger, 3)
    with ledger.Session.begin() as session:
        save_batch(session, [report(one, "一月版"), report(two, "二月版")], operator="张三")
    with ledger.Session() as session:
        loaded = {r.task_code: r.current_version for r in batch_rows(session, UNIT, PERIOD)}
    assert (loaded[one], loaded[two], loaded[three]) == (1, 1, 0)
    save_progress(ledger, report(two, "别人刚改的", version=1), operator="李四")

    grid = [report(one, "网格一", version=loaded[one]), report(two, "网格二", version=loaded[two]), report(three, "网格三", version=loaded[three])]
    with ledger.Session.begin() as session:
        outcome = save_batch(session, grid, operator="张三", row_numbers=[1, 2, 3])
    assert (outcome.added, outcome.updated) == (1, 1)
    ((line, changed),) = outcome.changed
    assert (line, changed.by, changed.current, changed.conflict_id is not None) == (2, "李四", 2, True)
    assert [stored(ledger, c).progress_text for c in (one, two, three)] == ["网格一", "别人刚改的", "网格三"]
    with ledger.Session() as session:
        assert [c.packet_values["progress_text"] for c in pending_conflicts(session)] == ["网格二"]


def test_progress_add_version_on_the_command_line(ledger, run_cli, capsys):
    (code,) = first_codes(ledger, 1)
    args = ["progress", "add", "--task", code, "--unit", UNIT, "--period", PERIOD, "--status", "推进中", "--percent", "30"]
    assert run_cli(*args, "--text", "第一版", "--version", "0")[0] == 0
    assert run_cli(*args, "--text", "第二版", "--version", "1")[0] == 0
    code_, out, err = run_cli(*args, "--text", "旧版上改的", "--version", "1")
    assert code_ == 2 and "该进展已被 测试 于" in err and "（第 2 版），您修改的是第 1 版" in err and "待处理冲突（编号 1）" in err
    assert stored(ledger, code).progress_text == "第二版"
    code_, out, _err = run_cli("packet", "conflicts", "--json")
    assert [c["packet_values"]["progress_text"] for c in json.loads(out)] == ["旧版上改的"]
    with pytest.raises(SystemExit) as refused:  # argparse's own refusal of a bad value
        run_cli(*args, "--text", "x", "--version", "二")
    assert refused.value.code == 2 and "版本号“二”无效" in capsys.readouterr().err
    with ledger.Session() as session:
        assert session.scalar(select(func.count()).select_from(MergeConflict)) == 1


def test_keeping_mine_after_the_report_moved_on_again_is_refused_and_the_conflict_stays(ledger):
    from db.progress import MINE, THEIRS, settle_changed

    (code,) = first_codes(ledger, 1)
    save_progress(ledger, report(code, "一", version=0), operator="张三")
    save_progress(ledger, report(code, "二", version=1), operator="李四")
    with pytest.raises(ReportChanged) as refused:
        save_progress(ledger, report(code, "我的", version=1), operator="王五")
    save_progress(ledger, report(code, "三", version=2), operator="赵六")  # while 王五 looks at version 2
    with pytest.raises(UserError, match="现为第 3 版，您看到的是第 2 版"), ledger.Session.begin() as session:
        settle_changed(session, refused.value, MINE, operator="王五")
    assert stored(ledger, code).progress_text == "三"
    with ledger.Session() as session:
        assert [c.packet_values["progress_text"] for c in pending_conflicts(session)] == ["我的"]
    with ledger.Session.begin() as session:
        settle_changed(session, refused.value, THEIRS, operator="王五")
    with ledger.Session() as session:
        assert pending_conflicts(session) == []
    assert (stored(ledger, code).progress_text, stored(ledger, code).version) == ("三", 3)
