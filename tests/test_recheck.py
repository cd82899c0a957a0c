"""回头看: a sample of signed-off tasks drawn by rule or by a recorded seed, and a failed re-check reopening its task."""

import datetime as dt
import json
import random

import pytest
from sqlalchemy import func, select

from db.acts import ActInput, record_act
from db.decisions import Evidence, sign_off
from db.errors import UserError
from db.figures import period_figures
from db.ledger import get_task, resolve_plan_id
from db.models import ActEvidence, AuditLog, RecheckItem, SignOff, SupervisoryAct
from db.recheck import RecheckRule, draw_recheck, record_recheck
from db.task_detail import task_detail
from db.vocabulary import DueCategory
from db.warning_rules import DONE, RED, task_states
from desktop.detail_view import render_detail

# Signed off in June 2022 (A04 tasks have no lead in the text; A03 ones are led by 市住房和城乡建设局).
SIGNED = {"A03-01": 5, "A03-02": 10, "A03-03": 12, "A03-04": 20, "A04-01.01": 25, "A04-01.02": 28}
DRAW_DAY = dt.date(2022, 7, 10)


@pytest.fixture
def signed(ledger):
    """The ledger with SIGNED signed off in June 2022, A03-01 with a file as its evidence."""
    with ledger.Session.begin() as s:
        for code, day in SIGNED.items():
            evidence = Evidence("验收报告.pdf", b"%PDF accepted") if code == "A03-01" else None
            sign_off(s, get_task(s, code), signed_on=dt.date(2022, 6, day), operator="李四", note=f"{code} 已完成", evidence=evidence)
    return ledger


def draw(ledger, rule: RecheckRule, day=DRAW_DAY, in_circular=False):
    with ledger.Session.begin() as s:
        return draw_recheck(s, resolve_plan_id(s, None), act_date=day, basis="7月回头看", rule=rule, operator="王五", in_circular=in_circular)


def record(ledger, act_id, code, outcome, note=None):
    with ledger.Session.begin() as s:
        return record_recheck(s, act_id, code, outcome, checked_on=dt.date(2022, 7, 20), operator="王五", note=note)


def state(ledger, code, period="2022-07"):
    with ledger.Session() as s:
        task = get_task(s, code)
        return task_states(s, task.plan_id, period, due_soon_days=15, today=dt.date(2022, 8, 15))[task.id]


def figures(ledger, period="2022-07"):
    with ledger.Session() as s:
        plan_id = resolve_plan_id(s, None)
        return period_figures(s, plan_id, period, task_states(s, plan_id, period, due_soon_days=15, today=dt.date(2022, 8, 15)))


def test_a_seeded_draw_is_recorded_and_reproducible(signed):
    first = draw(signed, RecheckRule(size=3, seed=7))
    again = draw(signed, RecheckRule(size=3, seed=7))
    order = list(SIGNED)  # the candidates in document order
    expected = [order[i] for i in sorted(random.Random(7).sample(range(len(order)), 3))]
    assert [r.task for r in first.rechecks] == [r.task for r in again.rechecks] == expected
    assert first.seed == 7 and first.sample_rule == "全部已销号任务中随机抽取3项（随机种子 7）；候选6项，抽取3项"
    assert {r.outcome.value for r in first.rechecks} == {"待复核"} and first.tasks == expected
    assert [r.signed_on for r in first.rechecks] == [dt.date(2022, 6, SIGNED[c]) for c in expected]
    with signed.Session() as s:
        logged = s.scalars(select(AuditLog).where(AuditLog.action == "act.recheck_draw").order_by(AuditLog.id)).first()
    assert logged.after["seed"] == 7 and logged.after["candidates"] == order and logged.after["drawn"] == expected


def test_a_draw_without_a_seed_records_the_one_it_used(signed):
    act = draw(signed, RecheckRule(size=2))
    assert act.seed is not None
    assert [r.task for r in draw(signed, RecheckRule(size=2, seed=act.seed)).rechecks] == [r.task for r in act.rechecks]


def test_draws_by_rule(signed):
    assert [r.task for r in draw(signed, RecheckRule(annex=4)).rechecks] == ["A04-01.01", "A04-01.02"]
    assert [r.task for r in draw(signed, RecheckRule(unit="市住建局")).rechecks] == ["A03-01", "A03-02", "A03-03", "A03-04"]
    by_dates = draw(signed, RecheckRule(signed_from=dt.date(2022, 6, 10), signed_to=dt.date(2022, 6, 20)))
    assert [r.task for r in by_dates.rechecks] == ["A03-02", "A03-03", "A03-04"] and by_dates.seed is None
    assert [r.task for r in draw(signed, RecheckRule(recent=2)).rechecks] == ["A04-01.01", "A04-01.02"]
    # Only tasks signed off by the re-check's own date are candidates.
    assert [r.task for r in draw(signed, RecheckRule(), day=dt.date(2022, 6, 11)).rechecks] == ["A03-01", "A03-02"]


def test_a_draw_with_nothing_to_draw_or_a_bad_rule_writes_nothing(signed):
    with pytest.raises(UserError, match="没有符合条件的已销号任务"):
        draw(signed, RecheckRule(annex=5))
    with pytest.raises(UserError) as exc:
        draw(signed, RecheckRule(recent=2, size=3, seed=-1))
    assert "“最近销号的N项”与“随机抽取”只能选一种。" in exc.value.details and any("随机种子应为" in d for d in exc.value.details)
    with signed.Session() as s:
        assert s.scalar(select(func.count()).select_from(SupervisoryAct)) == 0
        assert s.scalar(select(func.count()).select_from(RecheckItem)) == 0


def test_a_failed_recheck_reopens_the_task_and_keeps_its_sign_off_readable(signed):
    assert state(signed, "A03-01").colour == DONE
    on_time = figures(signed).count(DueCategory.ON_TIME)
    act = draw(signed, RecheckRule(unit="市住建局"))
    item = record(signed, act.id, "A03-01", "未通过", note="现场核查发现审批环节未压减")
    assert item.outcome.value == "未通过"
    assert item.revoked_sign_off["signed_on"] == "2022-06-05" and item.revoked_sign_off["evidence_name"] == "验收报告.pdf"
    # Not done any more: the warnings and the figures count it as overdue again.
    assert state(signed, "A03-01").colour == RED
    after = figures(signed)
    assert after.count(DueCategory.ON_TIME) == on_time - 1 and after.count(DueCategory.OVERDUE) >= 1
    with signed.Session() as s:
        task = get_task(s, "A03-01")
        assert s.scalar(select(SignOff).where(SignOff.task_id == task.id)) is None
        revoked = s.scalar(select(AuditLog).where(AuditLog.action == "task.revoke_sign_off"))
        kept_file = s.scalar(select(ActEvidence).where(ActEvidence.act_id == act.id))
        html = render_detail(task_detail(s, task.id), None)
    assert revoked.before["signed_on"] == "2022-06-05" and "现场核查发现审批环节未压减" in revoked.note
    assert (kept_file.name, kept_file.data) == ("原销号材料-A03-01-验收报告.pdf", b"%PDF accepted")
    # The task's history says so, with the sign-off that was revoked.
    for shown in ("回头看", "复核未通过（2022-07-20）：现场核查发现审批环节未压减", "已撤销 2022-06-05 的办结销号（李四，依据：A03-01 已完成；附件 验收报告.pdf）"):
        assert shown in html
    assert "已办结销号" not in html


def test_a_passed_recheck_changes_nothing_else(signed):
    act = draw(signed, RecheckRule(annex=3))
    record(signed, act.id, "A03-02", "通过", note="资料齐全")
    assert state(signed, "A03-02").colour == DONE
    with signed.Session() as s:
        assert s.scalar(select(func.count()).select_from(SignOff)) == len(SIGNED)
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "task.revoke_sign_off")) == 0


def test_a_recheck_is_recorded_once_and_a_failure_needs_a_reason(signed):
    act = draw(signed, RecheckRule(annex=3))
    with pytest.raises(UserError, match="请填写未通过的原因"):
        record(signed, act.id, "A03-01", "未通过")
    assert state(signed, "A03-01").colour == DONE  # refused whole: the sign-off stands
    record(signed, act.id, "A03-01", "通过")
    with pytest.raises(UserError, match="不能再次记录"):
        record(signed, act.id, "A03-01", "未通过", note="再查")
    with pytest.raises(UserError, match="不在编号"):
        record(signed, act.id, "A04-01.01", "通过")
    with pytest.raises(UserError, match="应为“通过”或“未通过”"):
        record(signed, act.id, "A03-02", "待复核")


def test_cli_draw_and_record(signed, run_cli):
    code, out, err = run_cli("recheck", "draw", "--date", "2022-07-10", "--seed", "7", "--size", "3", "--basis", "7月回头看", "--in-circular")
    assert code == 0, err
    act_id = int(out.split("编号 ")[1].split("）")[0])
    drawn = [line.split("\t")[0] for line in out.splitlines()[1:]]
    order = list(SIGNED)
    assert drawn == [order[i] for i in sorted(random.Random(7).sample(range(len(order)), 3))]
    code, out, err = run_cli("recheck", "record", str(act_id), "--task", drawn[0], "--outcome", "未通过", "--note", "材料不实", "--date", "2022-07-20")
    assert code == 0, err
    assert "已撤销其 2022-06-" in out
    code, out, _ = run_cli("acts", "list", "--json", "--kind", "回头看")
    [act] = json.loads(out)
    assert act["seed"] == 7 and [r["outcome"] for r in act["rechecks"]] == ["未通过", "待复核", "待复核"]
    assert state(signed, drawn[0]).colour != DONE
    code, out, err = run_cli("recheck", "draw", "--date", "2022-07-10", "--annex", "9", "--basis", "x")
    assert code == 2 and "没有符合条件的已销号任务" in err


def test_the_circular_prints_the_chosen_acts_and_the_recheck_findings(signed, tmp_path):
    from exports.actions import write_monthly_report
    from tests.test_pdf_report import pdf_text

    with signed.Session.begin() as s:
        record_act(s, resolve_plan_id(s, None), ActInput("约谈", dt.date(2022, 7, 15), "进度滞后", units=["市住建局"], follow_up="限期整改", in_circular=True), operator="王五")
        record_act(s, resolve_plan_id(s, None), ActInput("表扬", dt.date(2022, 7, 16), "不印出", units=["市住建局"]), operator="王五")
    act = draw(signed, RecheckRule(annex=4), in_circular=True)
    record(signed, act.id, "A04-01.01", "未通过", note="材料不实")
    [path] = write_monthly_report(signed, tmp_path / "通报.pdf", period="2022-07", date=dt.date(2022, 8, 12))
    text = pdf_text(path)
    # July is past its 报送截止日 on 8-12, so its 综合考评 is printed (三), then the indicators due by July (四),
    # the lagging tasks (五), then the acts.
    assert text.index("三、综合考评结果") < text.index("四、指标进展情况") < text.index("五、进展滞后的任务") < text.index("六、督查督办情况") < text.index("七、下步工作要求")
    assert "六、督查督办情况（一）约谈1.2022年7月15日，约谈市住房和城乡建设局。事由：进度滞后。整改要求：限期整改。" in text
    assert "（二）回头看1.2022年7月10日，开展“回头看”（附件4已销号任务全部复核；候选2项，抽取2项），复核已销号任务2项：未通过1项、待复核1项。" in text
    assert "A04-01.01完善组织架构（材料不实）" in text and "不印出" not in text
