"""The office's decisions (sign-off, extension), corrections and settings, at the service level."""

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from db import decisions
from db.corrections import TaskCorrection, check_correction, correct_task
from db.decisions import Evidence, current_due, extend, revoke_sign_off, sign_off
from db.errors import UserError
from db.ledger import get_task, init_from_bundled_plan, list_tasks
from db.models import AuditLog, Extension, LedgerInfo, SignOff
from db.progress import ProgressInput, add_progress
from db.settings import DEFAULT_OFFICE, OfficeSettings, load_settings, save_settings
from db.vocabulary import DueCategory
from db.warning_rules import DONE, GREEN, RED, task_states

RED_TASK = "A03-01"  # 2022年6月前, lead 市住房和城乡建设局: red in 2022-07 until signed off or extended


def state(ledger, code, period="2022-07"):
    with ledger.Session() as s:
        task = get_task(s, code)
        return task_states(s, task.plan_id, period, due_soon_days=15)[task.id]


def red_codes(ledger, period="2022-07"):
    with ledger.Session() as s:
        tasks = list_tasks(s)
        states = task_states(s, get_task(s, RED_TASK).plan_id, period, due_soon_days=15)
        return {t.code for t in tasks if states[t.id].colour == RED}


def audit_actions(ledger, action):
    with ledger.Session() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action)))


def count(ledger, model):
    with ledger.Session() as s:
        return s.scalar(select(func.count()).select_from(model))


# 办结销号


def test_sign_off_without_note_or_file_is_refused_and_writes_nothing(ledger):
    with pytest.raises(UserError) as exc:
        with ledger.Session.begin() as s:
            sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 5), operator="李四", note="   ")
    assert "请填写销号依据说明或附上证明材料。" in exc.value.details
    assert count(ledger, SignOff) == 0 and audit_actions(ledger, "task.sign_off") == []
    assert state(ledger, RED_TASK).colour == RED


def test_sign_off_with_a_note_takes_the_task_off_the_red_list(ledger):
    assert RED_TASK in red_codes(ledger)
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 5), operator="李四", note="联合验收流程已印发，见三营商办〔2022〕9号")
    st = state(ledger, RED_TASK)
    assert (st.status, st.colour, st.percent, st.signed_off_on) == ("已销号", DONE, 100, dt.date(2022, 7, 5))
    assert RED_TASK not in red_codes(ledger)
    [row] = audit_actions(ledger, "task.sign_off")
    assert row.operator == "李四" and row.entity_key == RED_TASK and row.after["evidence_note"].startswith("联合验收")


def test_sign_off_dated_after_the_period_does_not_count_in_it(ledger):
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 8, 3), operator="李四", note="已完成")
    assert state(ledger, RED_TASK, "2022-07").colour == RED
    assert state(ledger, RED_TASK, "2022-08").colour == DONE


def test_a_unit_reporting_done_does_not_sign_the_task_off(ledger):
    with ledger.Session.begin() as s:
        add_progress(
            s,
            ProgressInput(RED_TASK, "市住建局", "2022-07", "已完成", 100, "流程已精简", entry_date=dt.date(2022, 7, 20)),
            operator="李四",
        )
    st = state(ledger, RED_TASK)
    assert st.status == "已完成" and st.percent == 100
    # Not signed off: the office owes the sign-off, so the task is neither done nor overdue.
    assert st.colour == GREEN and st.signed_off_on is None and st.category == DueCategory.AWAITING_SIGN_OFF
    assert RED_TASK not in red_codes(ledger)


def test_a_task_cannot_be_signed_off_twice(ledger):
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 5), operator="李四", note="第一次")
    with pytest.raises(UserError) as exc:
        with ledger.Session.begin() as s:
            sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 6), operator="王五", note="第二次")
    assert any("已经销号" in d for d in exc.value.details)
    with ledger.Session() as s:
        [row] = s.scalars(select(SignOff)).all()
        assert (row.evidence_note, row.operator) == ("第一次", "李四")


def test_sign_off_dated_in_the_future_is_refused(ledger):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(UserError) as exc:
        with ledger.Session.begin() as s:
            sign_off(s, get_task(s, RED_TASK), signed_on=tomorrow, operator="李四", note="提前销号")
    assert any("晚于今天" in d for d in exc.value.details)
    assert count(ledger, SignOff) == 0


def test_revoking_a_sign_off_restores_the_warning_and_is_audited(ledger):
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 5), operator="李四", note="误销")
    with pytest.raises(UserError, match="撤销销号的原因"):
        with ledger.Session.begin() as s:
            revoke_sign_off(s, get_task(s, RED_TASK), operator="王五", reason=" ")
    assert state(ledger, RED_TASK).colour == DONE
    with ledger.Session.begin() as s:
        revoke_sign_off(s, get_task(s, RED_TASK), operator="王五", reason="牵头单位材料不全，误销号")
    st = state(ledger, RED_TASK)
    assert st.colour == RED and st.status != "已销号" and count(ledger, SignOff) == 0
    [row] = audit_actions(ledger, "task.revoke_sign_off")
    assert row.operator == "王五" and row.note == "牵头单位材料不全，误销号"
    assert row.before["evidence_note"] == "误销" and row.before["signed_on"] == "2022-07-05"
    with pytest.raises(UserError, match="尚未销号"):
        with ledger.Session.begin() as s:
            revoke_sign_off(s, get_task(s, RED_TASK), operator="王五", reason="再撤一次")


def test_evidence_file_is_stored_with_its_sha256(ledger, tmp_path):
    scan = tmp_path / "验收备案通知.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned notice" * 100)
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=dt.date(2022, 7, 5), operator="李四", evidence=Evidence.from_file(scan))
    with ledger.Session() as s:
        row = s.scalars(select(SignOff)).one()
        assert row.evidence_name == "验收备案通知.pdf" and row.evidence_note is None
        assert row.evidence_data == scan.read_bytes()
        assert row.evidence_sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
    assert state(ledger, RED_TASK).colour == DONE


def test_evidence_over_the_size_limit_is_refused(tmp_path):
    big = tmp_path / "整卷扫描.pdf"
    with open(big, "wb") as f:
        f.truncate(decisions.MAX_EVIDENCE_BYTES + 1)  # sparse: no 20 MB written to disk
    with pytest.raises(UserError, match="超过 20 MB 上限"):
        Evidence.from_file(big)
    with pytest.raises(UserError, match="证明材料文件不存在"):
        Evidence.from_file(tmp_path / "没有这个文件.pdf")


# 延期


def test_extension_needs_a_later_date_a_reason_and_a_document(ledger):
    with pytest.raises(UserError) as exc:
        with ledger.Session.begin() as s:
            extend(s, get_task(s, RED_TASK), new_due=dt.date(2022, 6, 30), reason=" ", document="",
                   approved_on=dt.date(2022, 7, 10), operator="李四")
    details = exc.value.details
    assert any("应晚于现有时限 2022-06-30" in d for d in details)
    assert "请填写延期原因。" in details and "请填写批准延期的文件（文号或名称）。" in details
    assert count(ledger, Extension) == 0 and audit_actions(ledger, "task.extend") == []


def test_extension_takes_the_task_off_the_red_list_and_keeps_the_original_deadline(ledger):
    with ledger.Session.begin() as s:
        extend(s, get_task(s, RED_TASK), new_due=dt.date(2022, 9, 30), reason="省级系统对接推迟",
               document="三营商办〔2022〕12号", approved_on=dt.date(2022, 7, 10), operator="李四")
    st = state(ledger, RED_TASK)
    assert st.colour != RED and st.extended
    assert st.due == dt.date(2022, 9, 30) and st.original_due == dt.date(2022, 6, 30)
    assert RED_TASK not in red_codes(ledger)
    with ledger.Session() as s:
        task = get_task(s, RED_TASK)
        assert task.deadline_text == "2022年6月前"
        assert current_due(s, task) == dt.date(2022, 9, 30)
    [row] = audit_actions(ledger, "task.extend")
    assert row.before == {"due": "2022-06-30"} and row.after["document"] == "三营商办〔2022〕12号"
    # The next extension is judged against the extended date, not the plan's.
    with pytest.raises(UserError, match="应晚于现有时限 2022-09-30"):
        with ledger.Session.begin() as s:
            extend(s, get_task(s, RED_TASK), new_due=dt.date(2022, 8, 31), reason="再延", document="文",
                   approved_on=dt.date(2022, 7, 20), operator="李四")
    # Missing the extended date makes the task red again.
    assert state(ledger, RED_TASK, "2022-10").colour == RED


# 更正


def correction_of(task, **changes):
    fields = {
        "title": task.title,
        "text": task.text,
        "deadline_text": task.deadline_text,
        "units": [(a.unit.name, a.role) for a in task.assignments],
        "reason": "与原文核对有误",
    }
    return TaskCorrection(**(fields | changes))


def test_correction_changes_the_task_marks_it_and_is_audited(ledger):
    with ledger.Session.begin() as s:
        task = get_task(s, "A02-06")
        fix = correction_of(task, title="积极推进企业开办全程零收费", deadline_text="2022年9月底前",
                            units=[("市税务局", "牵头"), ("市公安局", "配合"), ("市市场监管局", "配合")])
        assert check_correction(s, task, fix) == {}
        assert correct_task(s, task, fix, operator="李四") is True
    with ledger.Session() as s:
        view = next(t for t in list_tasks(s) if t.code == "A02-06")
    assert view.corrected and view.title == "积极推进企业开办全程零收费"
    assert view.deadline == "2022年9月底前" and view.due == "2022-09-30"
    assert [(u.name, u.role) for u in view.units] == [("市税务局", "牵头"), ("市公安局", "配合"), ("市市场监督管理局", "配合")]
    assert view.lead == ["市税务局"]
    [row] = audit_actions(ledger, "task.correct")
    assert row.operator == "李四" and row.note == "与原文核对有误"
    assert row.before["title"] == "积极推进全程零收费" and row.after["title"] == "积极推进企业开办全程零收费"
    assert row.before["deadline_text"] == "2022年12月" and row.after["deadline_text"] == "2022年9月底前"
    with ledger.Session() as s:
        assert [t.code for t in list_tasks(s) if t.corrected] == ["A02-06"]


def test_correction_that_changes_nothing_is_not_marked(ledger):
    with ledger.Session.begin() as s:
        task = get_task(s, "A02-06")
        assert correct_task(s, task, correction_of(task), operator="李四") is False
    with ledger.Session() as s:
        assert not any(t.corrected for t in list_tasks(s))
    assert audit_actions(ledger, "task.correct") == []


def test_bad_correction_names_each_field_and_writes_nothing(ledger):
    with ledger.Session() as s:
        task = get_task(s, "A02-06")
        problems = check_correction(s, task, correction_of(task, title=" ", deadline_text="尽快", units=[("市不存在局", "牵头")], reason=""))
    assert set(problems) == {"title", "deadline", "units", "reason"}
    assert "时间节点无法换算为日期" in problems["deadline"]
    assert "未知单位：“市不存在局”" in problems["units"]
    with ledger.Session() as s:
        task = get_task(s, "A02-06")
        assert "至少需要一个责任单位" in check_correction(s, task, correction_of(task, units=[]))["units"]
        assert "角色“主管”无效" in check_correction(s, task, correction_of(task, units=[("市税务局", "主管")]))["units"]
        assert "重复" in check_correction(s, task, correction_of(task, units=[("市税务局", "牵头"), ("市税务局", "配合")]))["units"]
    with pytest.raises(UserError):
        with ledger.Session.begin() as s:
            task = get_task(s, "A02-06")
            correct_task(s, task, correction_of(task, deadline_text="尽快"), operator="李四")
    with ledger.Session() as s:
        assert get_task(s, "A02-06").deadline_text == "2022年12月"
        assert not any(t.corrected for t in list_tasks(s))
    assert audit_actions(ledger, "task.correct") == []


def test_reinit_keeps_a_correction_made_through_the_service(ledger):
    with ledger.Session.begin() as s:
        task = get_task(s, RED_TASK)
        correct_task(s, task, correction_of(task, deadline_text="2022年8月底前"), operator="李四")
    result = init_from_bundled_plan(ledger)
    assert result.tasks_kept_corrected == 1 and result.tasks_updated == 0
    with ledger.Session() as s:
        view = next(t for t in list_tasks(s) if t.code == RED_TASK)
    assert view.corrected and view.deadline == "2022年8月底前" and view.due == "2022-08-31"
    assert state(ledger, RED_TASK).colour != RED  # judged by the corrected date


# 设置


def test_settings_round_trip_and_audit(ledger):
    with ledger.Session() as s:
        settings = load_settings(s, today=dt.date(2025, 3, 1))
    assert settings == OfficeSettings(DEFAULT_OFFICE, "2022-12", 15)  # an old plan opens at its end
    new = OfficeSettings("卢氏县营商办", "2022-07", 10)
    with ledger.Session.begin() as s:
        save_settings(s, new, operator="李四")
    with ledger.Session() as s:
        assert load_settings(s) == new
    [row] = audit_actions(ledger, "settings.update")
    assert row.operator == "李四" and row.after["office_name"] == "卢氏县营商办" and row.before["due_soon_days"] == 15


@pytest.mark.parametrize(
    "change,message",
    [
        ({"office_name": "  "}, "办公室名称不能为空。"),
        ({"current_period": "2022-13"}, "报送期间“2022-13”格式不正确"),
        ({"current_period": "2022年7月"}, "格式不正确"),
        ({"due_soon_days": 400}, "临期预警天数“400”无效"),
        ({"due_soon_days": -1}, "临期预警天数“-1”无效"),
    ],
)
def test_invalid_settings_are_refused_whole(ledger, change, message):
    settings = OfficeSettings("卢氏县营商办", "2022-07", 10)
    for key, value in change.items():
        setattr(settings, key, value)
    with pytest.raises(UserError) as exc:
        with ledger.Session.begin() as s:
            save_settings(s, settings, operator="李四")
    assert any(message in d for d in exc.value.details)
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(LedgerInfo).where(LedgerInfo.key.like("setting.%"))) == 0
    assert audit_actions(ledger, "settings.update") == []


# ----- the date a decision is entered with, and the period it counts in ---------------------------


@pytest.mark.parametrize(
    ("period", "today", "expected"),
    [
        ("2022-12", dt.date(2023, 1, 12), dt.date(2022, 12, 31)),  # December handled in January: its last day
        ("2022-12", dt.date(2026, 12, 5), dt.date(2022, 12, 31)),  # an old period, years later
        ("2022-12", dt.date(2022, 12, 20), dt.date(2022, 12, 20)),  # the period still running: today
        ("2023-02", dt.date(2023, 3, 1), dt.date(2023, 2, 28)),
        ("2024-02", dt.date(2024, 3, 1), dt.date(2024, 2, 29)),
        ("2023-01", dt.date(2022, 12, 28), dt.date(2022, 12, 28)),  # a period ahead of today: never a future date
    ],
)
def test_a_decision_defaults_to_a_day_inside_the_period_being_handled(period, today, expected):
    assert decisions.default_decision_date(period, today) == expected


def test_the_dialog_note_says_which_period_a_decision_counts_in():
    inside = decisions.decision_timing(dt.date(2022, 12, 31), "2022-12")
    assert inside == ("计入当前报送期间2022年12月的统计。", False)
    earlier = decisions.decision_timing(dt.date(2022, 11, 3), "2022-12")
    assert earlier == ("计入当前报送期间2022年12月的统计（自2022年11月起各月均计入）。", False)
    late = decisions.decision_timing(dt.date(2023, 1, 12), "2022-12", "批准")
    assert late.late
    assert late.text.startswith("批准日期晚于当前报送期间2022年12月的最后一天（2022年12月31日）：不计入2022年12月的统计，自2023年1月起计入。")


def test_the_default_date_counts_in_the_period_the_warnings_judge(ledger):
    """The rule and the warnings agree: a sign-off and an extension on the default date show in that period."""
    handled_on = dt.date(2023, 1, 12)  # December reported, handled in January
    day = decisions.default_decision_date("2022-12", handled_on)
    with ledger.Session.begin() as s:
        sign_off(s, get_task(s, RED_TASK), signed_on=day, operator="李四", note="已验收")
        extend(s, get_task(s, "A03-07"), new_due=dt.date(2023, 3, 31), reason="省平台推迟", document="三营商办〔2022〕12号",
               approved_on=day, operator="李四")
    assert state(ledger, RED_TASK, "2022-12").colour == DONE
    extended = state(ledger, "A03-07", "2022-12")
    assert extended.due == dt.date(2023, 3, 31) and extended.colour != RED and extended.category == DueCategory.EXTENDED
    # The same decisions dated the day they were entered would not have counted in December.
    assert decisions.decision_timing(handled_on, "2022-12").late


@pytest.mark.parametrize(
    ("due", "approved", "expected"),
    [
        (dt.date(2022, 6, 30), dt.date(2022, 12, 31), dt.date(2023, 1, 31)),  # overdue since June, extended in December
        (dt.date(2022, 12, 31), dt.date(2022, 11, 15), dt.date(2023, 1, 31)),  # extended before its due date
        (dt.date(2023, 1, 31), dt.date(2022, 12, 31), dt.date(2023, 2, 28)),
        (None, dt.date(2022, 12, 20), dt.date(2023, 1, 20)),
    ],
)
def test_an_extension_is_offered_a_date_past_both_the_due_date_and_its_approval(due, approved, expected):
    assert decisions.default_new_due(due, approved) == expected


def test_an_extension_to_a_date_already_past_in_the_period_is_named_as_no_help():
    handled = dt.date(2023, 1, 12)
    assert decisions.overdue_despite_extension(dt.date(2023, 3, 31), "2022-12", handled) == ""
    assert decisions.overdue_despite_extension(dt.date(2022, 12, 31), "2022-12", handled) == (
        "新的完成时限 2022年12月31日 在2022年12月的统计中已经到期，任务仍计为逾期。"
    )
    running = dt.date(2022, 12, 20)  # the period still running: judged at today
    assert decisions.overdue_despite_extension(dt.date(2022, 12, 31), "2022-12", running) == ""
    assert decisions.overdue_despite_extension(dt.date(2022, 12, 19), "2022-12", running) != ""
