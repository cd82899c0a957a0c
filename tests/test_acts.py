"""The office's supervisory acts: recorded with targets and files, refused whole, counted per month, printed where chosen."""

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import func, select

from db.acts import ActInput, acts_for_circular, list_acts, record_act, unit_act_counts, unit_history, update_act_result
from db.decisions import MAX_EVIDENCE_BYTES
from db.errors import UserError
from db.ledger import find_unit, get_task, resolve_plan_id
from db.models import ActEvidence, ActTarget, AuditLog, SupervisoryAct
from db.task_detail import task_detail
from db.vocabulary import ActKind
from desktop.detail_view import render_detail

HOUSING = "市住房和城乡建设局"
COUNTIES = "各县（市、区）人民政府"  # a collective (resources/units.csv)


def add(ledger, **values) -> int:
    data = {"kind": "约谈", "act_date": dt.date(2022, 7, 15), "basis": "A03-01 逾期未办结", "units": ["市住建局"]} | values
    with ledger.Session.begin() as s:
        return record_act(s, resolve_plan_id(s, None), ActInput(**data), operator="王五").id


def rows(ledger, model) -> int:
    with ledger.Session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_an_act_is_recorded_with_its_units_tasks_and_evidence(ledger, tmp_path):
    record = tmp_path / "约谈记录.pdf"
    record.write_bytes(b"%PDF-1.4 talk minutes")
    act_id = add(ledger, tasks=["A03-01", "A03-04"], follow_up="7月底前整改到位", evidence=[record], in_circular=True)
    with ledger.Session() as s:
        [act] = list_acts(s, resolve_plan_id(s, None))
        stored = s.scalar(select(ActEvidence.data).where(ActEvidence.act_id == act_id))
        logged = s.scalar(select(AuditLog).where(AuditLog.action == "act.add"))
    assert (act.id, act.kind, act.act_date, act.basis, act.follow_up, act.result) == (
        act_id, ActKind.TALK, dt.date(2022, 7, 15), "A03-01 逾期未办结", "7月底前整改到位", None)
    assert act.units == [HOUSING] and act.tasks == ["A03-01", "A03-04"] and act.in_circular
    assert [(e.name, e.size, e.sha256) for e in act.evidence] == [("约谈记录.pdf", 21, hashlib.sha256(b"%PDF-1.4 talk minutes").hexdigest())]
    assert stored == b"%PDF-1.4 talk minutes"
    assert logged.entity_key == act.uuid and logged.operator == "王五" and logged.after["units"] == [HOUSING]


def test_a_hostile_file_name_is_stored_as_a_plain_name(ledger, tmp_path):
    odd = tmp_path / "CON.txt"
    odd.write_bytes(b"x")
    add(ledger, evidence=[odd])
    with ledger.Session() as s:
        assert s.scalar(select(ActEvidence.name)) == "_CON.txt"


def test_bad_input_is_refused_whole_and_writes_nothing(ledger, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(b"0" * (MAX_EVIDENCE_BYTES + 1))
    with pytest.raises(UserError) as exc:
        add(ledger, act_date=dt.date.today() + dt.timedelta(days=1), basis="  ", units=["市住建局", "不存在的局"], tasks=["Z99-99"], evidence=[big])
    details = "\n".join(exc.value.details)
    assert str(exc.value).startswith("约谈未保存")
    for said in ("晚于今天", "请填写依据", "未知单位：“不存在的局”", "未知任务编号：“Z99-99”", "超过 20 MB 上限"):
        assert said in details
    with pytest.raises(UserError, match="早于计划年度 2022 年"):
        add(ledger, act_date=dt.date(2021, 12, 31))
    with pytest.raises(UserError, match="请至少指明一个涉及的单位或任务"):
        add(ledger, units=[])
    with pytest.raises(UserError, match="类别“谈话”无效"):
        add(ledger, kind="谈话")
    assert (rows(ledger, SupervisoryAct), rows(ledger, ActTarget), rows(ledger, ActEvidence)) == (0, 0, 0)
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("act.%"))) == 0


@pytest.mark.parametrize("kind", ["表扬", "通报批评", "约谈"])
def test_a_collective_is_never_praised_criticised_or_summoned(ledger, kind):
    with pytest.raises(UserError) as exc:
        add(ledger, kind=kind, units=[COUNTIES])
    assert f"“{COUNTIES}”是集合性的单位" in "".join(exc.value.details)
    assert rows(ledger, SupervisoryAct) == 0


def test_a_collective_may_be_inspected(ledger):
    add(ledger, kind="专项督查", units=[COUNTIES], basis="营商环境专项督查")
    with ledger.Session() as s:
        assert list_acts(s, resolve_plan_id(s, None), kind="专项督查")[0].units == [COUNTIES]


def test_the_result_is_filled_in_later_and_the_old_one_stays_in_the_audit_log(ledger):
    act_id = add(ledger)
    with ledger.Session.begin() as s:
        update_act_result(s, act_id, "已整改，8月5日办结", operator="王五")
    with ledger.Session.begin() as s:
        update_act_result(s, act_id, "已整改，8月6日办结", operator="王五")
    with pytest.raises(UserError, match="请填写结果"):
        with ledger.Session.begin() as s:
            update_act_result(s, act_id, " ", operator="王五")
    with ledger.Session() as s:
        assert list_acts(s, resolve_plan_id(s, None))[0].result == "已整改，8月6日办结"
        logged = s.scalars(select(AuditLog).where(AuditLog.action == "act.result").order_by(AuditLog.id)).all()
    assert [(a.before["result"], a.after["result"]) for a in logged] == [(None, "已整改，8月5日办结"), ("已整改，8月5日办结", "已整改，8月6日办结")]


def test_unit_act_counts_are_per_unit_per_month(ledger):
    add(ledger, act_date=dt.date(2022, 7, 1))
    add(ledger, act_date=dt.date(2022, 7, 31), kind="通报批评", units=["市住建局", "市自然资源和规划局"])
    add(ledger, act_date=dt.date(2022, 8, 1), kind="表扬")  # August: not in July's count
    add(ledger, act_date=dt.date(2022, 7, 20), kind="专项督查", units=[COUNTIES])  # collectives are never scored
    add(ledger, act_date=dt.date(2022, 7, 20), units=[], tasks=["A03-01"])  # names no unit: blames none
    with ledger.Session() as s:
        plan_id = resolve_plan_id(s, None)
        housing, planning = find_unit(s, HOUSING).id, find_unit(s, "市自然资源和规划局").id
        july, august = unit_act_counts(s, plan_id, "2022-07"), unit_act_counts(s, plan_id, "2022-08")
    assert july == {housing: {ActKind.TALK: 1, ActKind.CRITICISM: 1}, planning: {ActKind.CRITICISM: 1}}
    assert august == {housing: {ActKind.PRAISE: 1}}


def test_list_filters_by_unit_task_kind_and_month(ledger):
    talk = add(ledger, tasks=["A03-03"])  # 市住建局 and 市政务服务和大数据管理局 only
    praise = add(ledger, kind="表扬", act_date=dt.date(2022, 8, 3), units=["市自然资源和规划局"])
    on_task = add(ledger, kind="专项督查", units=[], tasks=["A03-02"])  # A03-02 is led by both units
    with ledger.Session() as s:
        plan_id = resolve_plan_id(s, None)

        def ids(**filters):
            return [a.id for a in list_acts(s, plan_id, **filters)]

        assert ids(unit="市住建局") == [talk, on_task]
        assert ids(unit="市自然资源和规划局") == [on_task, praise]
        assert ids(task="A03-03") == [talk]
        assert ids(unit="市政务服务和大数据管理局") == [talk]  # through its task
        assert ids(kind="表扬") == [praise]
        assert ids(period="2022-08") == [praise]
        history = unit_history(s, plan_id, find_unit(s, "市自然资源和规划局").id)
    assert (history.unit, [a.kind for a in history.acts]) == ("市自然资源和规划局", [ActKind.INSPECTION, ActKind.PRAISE])


def test_the_task_detail_shows_its_acts(ledger):
    act_id = add(ledger, tasks=["A03-01"], follow_up="限期整改")
    with ledger.Session.begin() as s:
        update_act_result(s, act_id, "已整改到位", operator="王五")
    with ledger.Session() as s:
        detail = task_detail(s, get_task(s, "A03-01").id)
    html = render_detail(detail, None)
    assert [a.id for a in detail.acts] == [act_id]
    for shown in ("督查督办记录", "2022-07-15", "约谈", "A03-01 逾期未办结", "限期整改", "已整改到位", HOUSING):
        assert shown in html


def test_the_circular_gets_only_the_chosen_acts_of_the_month_grouped(ledger):
    add(ledger, in_circular=True)
    add(ledger, kind="表扬", in_circular=True, act_date=dt.date(2022, 7, 2), units=["市自然资源和规划局"])
    add(ledger, kind="自查评估", in_circular=True, units=["市住建局"])
    add(ledger, kind="通报批评", in_circular=False)  # the office chose not to print it
    add(ledger, kind="表扬", in_circular=True, act_date=dt.date(2022, 8, 2))  # another month
    with ledger.Session() as s:
        groups = acts_for_circular(s, resolve_plan_id(s, None), "2022-07")
    assert [(g.title, [a.kind.value for a in g.acts]) for g in groups] == [("表扬", ["表扬"]), ("约谈", ["约谈"]), ("督查检查", ["自查评估"])]


def test_cli_round_trip(run_cli, tmp_path):
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("约谈纪要", encoding="utf-8")
    code, out, err = run_cli("acts", "add", "--kind", "约谈", "--date", "2022-07-15", "--unit", "市住建局", "--task", "A03-01",
                             "--basis", "逾期未办结", "--follow-up", "限期整改", "--in-circular", "--evidence", str(minutes))
    assert code == 0, err
    act_id = int(out.split("编号 ")[1].split("）")[0])
    assert run_cli("acts", "result", str(act_id), "--result", "已整改")[0] == 0
    code, out, err = run_cli("acts", "list", "--json", "--unit", "市住建局", "--period", "2022-07")
    [listed] = json.loads(out)
    assert (listed["id"], listed["kind"], listed["units"], listed["tasks"], listed["result"], listed["in_circular"]) == (
        act_id, "约谈", [HOUSING], ["A03-01"], "已整改", True)
    assert [e["name"] for e in listed["evidence"]] == ["minutes.txt"]
    code, out, err = run_cli("acts", "add", "--kind", "表扬", "--date", "2022-07-15", "--unit", COUNTIES, "--basis", "x")
    assert code == 2 and "集合性的单位" in err
    code, out, _ = run_cli("acts", "list", "--kind", "表扬")
    assert code == 0 and out == ""
