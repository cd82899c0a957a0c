"""A plan checked against the ledger before import: units the clerk settles, and a revised version that keeps the reports."""

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import select

from db.answerable import collective_members
from db.errors import UserError
from db.figures import period_figures
from db.ledger import list_tasks, list_units, load_directory
from db.models import AuditLog, Plan, ProgressEntry, Task, Unit, UnitAlias
from db.plan_review import (
    ALIAS,
    COLLECTIVE,
    NEW,
    UnitDecision,
    alias_choices,
    apply_unit_decisions,
    import_reviewed,
    plan_changes,
    split_level,
    title_key,
    unit_questions,
)
from db.progress import ProgressInput, add_progress
from db.review import completion_by_annex
from db.warning_rules import RED, REMOVED_REASON, task_states
from exports.plan_reading import read_plan_document
from tests.ledger_state import ledger_fingerprint

# A district's own plan, in the bracket convention of real plans (the units are made up).
PLAN_V1 = """钢城区2023年优化营商环境重点任务
一、优化政务服务
1.推行“一网通办”，实现政务服务事项全程网办。(牵头单位:区行政审批服务局;责任单位:区政府有关部门,6月底前完成)
2.开展工程建设项目审批制度改革，压缩审批时间至60个工作日以内。(牵头单位:区住建局;责任单位:各乡镇(街道),9月底前完成)
3.建立企业诉求“直通车”制度，对企业反映的问题限时办结。(牵头单位:区工商联,长期坚持)
二、加强监管
4.全面推行“双随机、一公开”监管，实现部门联合抽查常态化。(牵头单位:区市场监管局,3月底前完成)
5.完善社会信用体系，建立信用修复机制。(牵头单位:区发展改革局,2月底前完成)
"""

# The revised version: a task inserted after the first, a deadline moved, the last task dropped.
PLAN_V2 = """钢城区2023年优化营商环境重点任务（修订版）
一、优化政务服务
1.推行“一网通办”，实现政务服务事项全程网办。(牵头单位:区行政审批服务局;责任单位:区政府有关部门,6月底前完成)
2.深化“证照分离”改革，推动照后减证和简化审批。(牵头单位:区行政审批服务局,8月底前完成)
3.开展工程建设项目审批制度改革，压缩审批时间至60个工作日以内。(牵头单位:区住建局;责任单位:各乡镇(街道),11月底前完成)
4.建立企业诉求“直通车”制度，对企业反映的问题限时办结。(牵头单位:区工商联,长期坚持)
二、加强监管
5.全面推行“双随机、一公开”监管，实现部门联合抽查常态化。(牵头单位:区市场监管局,3月底前完成)
"""

TOWNS = ["艾山街道", "里辛街道", "汶源街道"]

DECISIONS = [
    UnitDecision("区行政审批服务局", NEW, "区行政审批服务局", "市直部门"),
    UnitDecision("区政府有关部门", COLLECTIVE, "区政府有关部门"),
    UnitDecision("区住建局", NEW, "区住房和城乡建设局", "市直部门"),
    UnitDecision("区各乡镇（街道）", COLLECTIVE, "各乡镇（街道）", members=TOWNS),
    UnitDecision("区工商联", NEW, "区工商联", "市直部门"),
    UnitDecision("区市场监管局", NEW, "区市场监督管理局", "市直部门"),
    UnitDecision("区发展改革局", NEW, "区发展改革局", "市直部门"),
]


def _draft(tmp_path, text, name="v1.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_plan_document(path).draft


def _questions(session, draft):
    return {q.spelling: q for q in unit_questions(session, draft, load_directory())}


def test_unknown_spellings_are_listed_with_sensible_suggestions(ledger, tmp_path):
    draft = _draft(tmp_path, PLAN_V1)
    with ledger.Session() as s:
        questions = _questions(s, draft)
    assert sorted(questions) == sorted(
        ["区行政审批服务局", "区政府有关部门", "区住建局", "区各乡镇（街道）", "区工商联", "区市场监管局", "区发展改革局"]
    )
    # A spelling without a level is the plan's own level's: a county's 各乡镇 is not this district's.
    assert questions["区各乡镇（街道）"].printed == "各乡镇（街道）" and questions["区住建局"].printed == "区住建局"
    assert questions["区住建局"].tasks == ["A01-01.02"] and questions["区政府有关部门"].tasks == ["A01-01.01"]
    # 住建局 is the alias table's short form of 住房和城乡建设局: the new district unit gets the full name.
    best = questions["区住建局"].suggestions[0]
    assert (best.action, best.name) == (NEW, "区住房和城乡建设局") and "简称" in best.reason
    assert questions["区市场监管局"].suggestions[0].name == "区市场监督管理局"
    assert questions["区政府有关部门"].suggestions[0].action == COLLECTIVE
    assert questions["区各乡镇（街道）"].suggestions[0].action == COLLECTIVE
    assert all(q.level == "区" for k, q in questions.items() if k.startswith("区"))


def test_an_existing_unit_of_the_same_level_is_suggested_for_a_short_spelling(ledger, tmp_path):
    with ledger.Session.begin() as s:
        apply_unit_decisions(s, [UnitDecision("区住房和城乡建设局", NEW, "区住房和城乡建设局", "市直部门")], "测试")
    draft = _draft(tmp_path, PLAN_V1)
    with ledger.Session() as s:
        best = _questions(s, draft)["区住建局"].suggestions[0]
    assert (best.action, best.name) == (ALIAS, "区住房和城乡建设局") and best.score > 0.9


def test_units_of_different_levels_are_never_aliased(ledger, tmp_path):
    draft = _draft(tmp_path, "某区2023年重点任务\n一、任务\n1.扩大对外开放。(牵头单位:省商务厅、区商务局、市商务局,6月底前)\n")
    with ledger.Session() as s:
        questions = _questions(s, draft)
        assert sorted(questions) == ["区商务局", "省商务厅"]  # 市商务局 is in the alias table
        for question in questions.values():
            assert not [x for x in question.suggestions if x.action == ALIAS and x.name == "市商务局"], question
        district = alias_choices(s, "区")
        assert "市商务局" not in district and "湖滨区人民政府" in district and "开发区管委会" in district
        with pytest.raises(UserError, match="不是同一个单位"):
            apply_unit_decisions(s, [UnitDecision("区商务局", ALIAS, "市商务局")], "测试")
        s.rollback()
        assert s.scalar(select(UnitAlias).where(UnitAlias.alias == "区商务局")) is None
    assert split_level("济南市钢城区人民政府")[0] == "区" and split_level("市场监管局")[0] is None


def test_a_decision_is_kept_and_the_next_import_does_not_ask(ledger, tmp_path):
    draft = _draft(tmp_path, PLAN_V1)
    with ledger.Session.begin() as s:
        s.add(Unit(name="艾山街道", kind="未分类"))  # one town the ledger knows already; the others are created
        s.flush()
        result = import_reviewed(s, draft, load_directory(), DECISIONS, operator="测试", make_current=False)
    with ledger.Session() as s:
        assert _questions(s, draft) == {}
        tasks = {t.code: t for t in list_tasks(s, plan_id=result.plan_id)}
        assert tasks["A01-01.02"].lead == ["区住房和城乡建设局"]
        # The collective keeps its row as printed, and each town answers for itself.
        task = s.scalar(select(Task).where(Task.plan_id == result.plan_id, Task.code == "A01-01.02"))
        members = [a.unit.name for a in task.assignments if a.via_unit_id is not None]
        assert members == TOWNS
        towns = next(u for u in list_units(s, plan_id=result.plan_id) if u.name == "各乡镇（街道）")
        assert towns.kind == "集合" and towns.expands_to == TOWNS
        assert [m.name for m in collective_members(s, s.scalar(select(Unit).where(Unit.name == "各乡镇（街道）")))] == TOWNS
        actions = {a.action for a in s.scalars(select(AuditLog).where(AuditLog.operator == "测试"))}
        assert {"unit.create", "unit.alias", "unit.members"} <= actions
    # Another plan spelling the same units: nothing to ask, and the import creates no unit.
    other = _draft(tmp_path, "钢城区2024年重点任务\n一、任务\n1.优化审批服务。(牵头单位:区住建局;责任单位:各乡镇(街道),6月底前)\n", "v3.txt")
    with ledger.Session.begin() as s:
        assert _questions(s, other) == {}
        units_before = s.scalar(select(Unit.id).order_by(Unit.id.desc()).limit(1))
        result = import_reviewed(s, other, load_directory(), [], operator="测试", make_current=False)
        assert result.new_units == [] and s.scalar(select(Unit.id).order_by(Unit.id.desc()).limit(1)) == units_before


def _report(session, plan_id, code, unit, text):
    add_progress(
        session,
        ProgressInput(code, unit, "2023-04", "推进中", 40, text, entry_date=dt.date(2023, 4, 20)),
        operator="测试",
        plan_id=plan_id,
    )


def _v1_with_reports(ledger, tmp_path):
    with ledger.Session.begin() as s:
        plan_id = import_reviewed(s, _draft(tmp_path, PLAN_V1), load_directory(), DECISIONS, operator="测试", make_current=False).plan_id
        _report(s, plan_id, "A01-01.02", "区住房和城乡建设局", "工程审批系统已升级")
        _report(s, plan_id, "A01-01.03", "区工商联", "直通车已开通")
        _report(s, plan_id, "A01-02.04", "区市场监督管理局", "已开展联合抽查两次")
        _report(s, plan_id, "A01-02.05", "区发展改革局", "信用修复办法已起草")
    return plan_id


def test_a_revised_plan_shows_exactly_what_changed(ledger, tmp_path):
    plan_id = _v1_with_reports(ledger, tmp_path)
    with ledger.Session() as s:
        changes = plan_changes(s, _draft(tmp_path, PLAN_V2, "v2.txt"))
    assert changes.plan_id == plan_id
    assert changes.added == ["A01-01.02"]
    assert [(c.code, c.draft_code, c.fields) for c in changes.changed] == [("A01-01.02", "A01-01.03", ["完成时限"])]
    assert changes.changed[0].before == {"完成时限": "9月底前"} and changes.changed[0].after == {"完成时限": "11月底前"}
    assert changes.removed == ["A01-02.05"]
    assert changes.unchanged == 3
    assert changes.renamed == {"A01-01.03": "A01-01.02", "A01-01.04": "A01-01.03", "A01-02.05": "A01-02.04"}


def test_the_reports_stay_with_their_tasks_after_the_revision_is_imported(ledger, tmp_path):
    plan_id = _v1_with_reports(ledger, tmp_path)
    with ledger.Session.begin() as s:
        result = import_reviewed(s, _draft(tmp_path, PLAN_V2, "v2.txt"), load_directory(), [], operator="测试", make_current=False)
    assert result.plan_id == plan_id and result.removed_by_revision == ["A01-02.05"]
    with ledger.Session() as s:
        reports = {
            t.code: (t.title, [e.progress_text for e in s.scalars(select(ProgressEntry).where(ProgressEntry.task_id == t.id))])
            for t in s.scalars(select(Task).where(Task.plan_id == plan_id))
        }
        assert reports["A01-01.02"] == ("开展工程建设项目审批制度改革，压缩审批时间至60个工作日以内", ["工程审批系统已升级"])
        assert reports["A01-01.03"][1] == ["直通车已开通"]
        assert reports["A01-02.04"] == ("全面推行“双随机、一公开”监管，实现部门联合抽查常态化", ["已开展联合抽查两次"])
        # The inserted task takes a code no task of the plan had, and has no reports.
        new = [code for code, (title, _) in reports.items() if title.startswith("深化“证照分离”")]
        assert new == ["A01-01.02~2"] and reports["A01-01.02~2"][1] == []
        # The dropped task keeps its report, is marked, and is no longer red though its deadline has passed.
        dropped = s.scalar(select(Task).where(Task.plan_id == plan_id, Task.code == "A01-02.05"))
        assert dropped.removed_at is not None and reports["A01-02.05"][1] == ["信用修复办法已起草"]
        states = task_states(s, plan_id, "2023-04", due_soon_days=7, today=dt.date(2023, 5, 10))
        assert states[dropped.id].colour != RED and states[dropped.id].reason == REMOVED_REASON
        assert states[dropped.id].category is None
        deadline = s.scalar(select(Task.deadline_text).where(Task.plan_id == plan_id, Task.code == "A01-01.02"))
        assert deadline == "11月底前"
        # The 通报's figures count the plan's five tasks, not the dropped one, and do not rank its unit for it.
        figures = period_figures(s, plan_id, "2023-04", states)
        assert figures.tasks == 5 and "区发展改革局" not in [u.unit for u in figures.units]
        assert [c.total for c in completion_by_annex(s, plan_id, states)] == [4]  # 长期坚持 and the dropped task have no rate
    # Importing the same revision again changes nothing.
    with ledger.Session.begin() as s:
        again = plan_changes(s, _draft(tmp_path, PLAN_V2, "v2.txt"))
        assert (again.added, again.changed, again.removed, again.unchanged) == ([], [], [], 5)


def test_title_key_leaves_out_years_and_revision_words():
    assert title_key("钢城区2023年优化营商环境重点任务（修订版）") == title_key("钢城区2023年优化营商环境重点任务")
    assert title_key("三门峡市营商环境优化提升行动方案（2022版）") == title_key("三门峡市营商环境优化提升行动方案")
    assert title_key("钢城区优化营商环境重点任务") != title_key("钢城区政务公开工作要点")


def test_next_years_plan_of_the_same_title_is_a_new_plan(ledger, tmp_path):
    _v1_with_reports(ledger, tmp_path)
    with ledger.Session() as s:
        changes = plan_changes(s, _draft(tmp_path, PLAN_V1.replace("2023年", "2024年"), "2024.txt"))
    assert changes.plan_id is None and len(changes.added) == 5


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dry_run_lists_unknown_units_and_changes_and_writes_nothing(run_cli, ledger, tmp_path):
    v1 = tmp_path / "v1.txt"
    v1.write_text(PLAN_V1, encoding="utf-8")
    before = ledger_fingerprint(ledger)
    code, out, err = run_cli("import-plan", str(v1), "--dry-run", "--json")
    assert code == 0, err
    assert ledger_fingerprint(ledger) == before
    read = json.loads(out)
    assert read["changes"] is None
    spellings = {q["spelling"]: q for q in read["unknown_units"]}
    assert spellings["区住建局"]["suggestions"][0]["name"] == "区住房和城乡建设局"
    units = [f"{d.spelling}={d.name}" for d in DECISIONS]
    code, out, err = run_cli("import-plan", str(v1), "--keep-current", *sum((["--unit", u] for u in units), []))
    assert code == 0, err
    code, out, err = run_cli("import-plan", str(v1), "--dry-run", "--json")
    assert json.loads(out)["unknown_units"] == []
    v2 = tmp_path / "v2.txt"
    v2.write_text(PLAN_V2, encoding="utf-8")
    before = ledger_fingerprint(ledger)
    code, out, err = run_cli("import-plan", str(v2), "--dry-run", "--json")
    assert code == 0, err
    assert ledger_fingerprint(ledger) == before
    changes = json.loads(out)["changes"]
    assert changes["added"] == ["A01-01.02"] and changes["removed"] == ["A01-02.05"]
    assert [(c["code"], c["fields"]) for c in changes["changed"]] == [("A01-01.02", ["完成时限"])]
    code, out, err = run_cli("import-plan", str(v2), "--dry-run")
    assert "新增任务 1 项，变动 1 项，删除 1 项，未变 3 项" in out
    assert "变动：A01-01.02（新版编号 A01-01.03）：完成时限：9月底前 → 11月底前" in out
    assert ledger_fingerprint(ledger) == before


def test_a_bad_unit_option_is_refused_and_changes_nothing(run_cli, ledger, tmp_path):
    v1 = tmp_path / "v1.txt"
    v1.write_text(PLAN_V1, encoding="utf-8")
    before = ledger_fingerprint(ledger)
    code, _, err = run_cli("import-plan", str(v1), "--unit", "区住建局")
    assert code == 2 and "拼写=单位名" in err
    code, _, err = run_cli("import-plan", str(v1), "--unit", "区商务局=市商务局")
    assert code == 2 and "不是同一个单位" in err
    assert ledger_fingerprint(ledger) == before


def test_a_bare_spelling_in_a_district_plan_is_the_districts_unit(ledger, tmp_path):
    # 财政局 is the city's bureau in the alias table (the 2022 city plan writes it bare); in a district plan it is the district's.
    draft = _draft(tmp_path, "某区2023年重点任务\n一、任务\n1.规范财政资金管理。(区发展改革局牵头,财政局、审计局负责落实,6月底前)\n"
                             "2.加强审计监督。(牵头单位:区审计局,9月底前)\n")
    with ledger.Session() as s:
        questions = _questions(s, draft)
    assert questions["区财政局"].printed == "财政局" and questions["区审计局"].tasks == ["A01-01.01", "A01-01.02"]
    assert not [x for q in questions.values() for x in q.suggestions if x.name == "市财政局"]
    with ledger.Session.begin() as s:
        plan_id = import_reviewed(s, draft, load_directory(), [UnitDecision("区财政局", NEW, "区财政局", "市直部门")],
                                  operator="测试", make_current=False).plan_id
    with ledger.Session() as s:
        [first, _] = list_tasks(s, plan_id=plan_id)
        assert [(u.name, u.as_printed) for u in first.units] == [("区发展改革局", "区发展改革局"), ("区财政局", "财政局"), ("区审计局", "审计局")]
        assert "市财政局" not in first.assigned
        # The city plan still reads 财政局 as the city's bureau.
        assert any(u.name == "市财政局" and u.as_printed == "财政局" for t in list_tasks(s, plan_id=1) for u in t.units)


def test_edited_and_moved_tasks_keep_their_reports(ledger, tmp_path):
    plan_id = _v1_with_reports(ledger, tmp_path)
    # 直通车 moves to the second chapter; 双随机 is reworded and gets another lead unit.
    moved = """钢城区2023年优化营商环境重点任务
一、优化政务服务
1.推行“一网通办”，实现政务服务事项全程网办。(牵头单位:区行政审批服务局;责任单位:区政府有关部门,6月底前完成)
2.开展工程建设项目审批制度改革，压缩审批时间至60个工作日以内。(牵头单位:区住建局;责任单位:各乡镇(街道),9月底前完成)
二、加强监管
3.全面推行“双随机、一公开”监管，实现部门联合抽查和信用分级分类监管常态化。(牵头单位:区发展改革局,3月底前完成)
4.完善社会信用体系，建立信用修复机制。(牵头单位:区发展改革局,2月底前完成)
5.建立企业诉求“直通车”制度，对企业反映的问题限时办结。(牵头单位:区工商联,长期坚持)
"""
    draft = _draft(tmp_path, moved, "moved.txt")
    with ledger.Session() as s:
        changes = plan_changes(s, draft)
    assert changes.added == [] and changes.removed == []
    assert [(c.code, c.draft_code, c.fields) for c in changes.changed] == [("A01-02.04", "A01-02.03", ["任务内容", "牵头单位"])]
    assert changes.changed[0].before["牵头单位"] == ["区市场监督管理局"] and changes.changed[0].after["牵头单位"] == ["区发展改革局"]
    assert changes.renamed == {"A01-02.03": "A01-02.04", "A01-02.04": "A01-02.05", "A01-02.05": "A01-01.03"}
    with ledger.Session.begin() as s:
        import_reviewed(s, draft, load_directory(), [], operator="测试", make_current=False)
    with ledger.Session() as s:
        tasks = {t.code: t for t in list_tasks(s, plan_id=plan_id)}
        assert tasks["A01-01.03"].title.startswith("建立企业诉求“直通车”") and list(tasks)[-1] == "A01-01.03"  # in its new place
        assert tasks["A01-02.04"].lead == ["区发展改革局"]
        texts = {t.code: [e.progress_text for e in s.scalars(select(ProgressEntry).where(ProgressEntry.task_id == t.id))]
                 for t in tasks.values()}
        assert texts["A01-01.03"] == ["直通车已开通"] and texts["A01-02.04"] == ["已开展联合抽查两次"]
        assert [c for c, t in tasks.items() if t.removed] == []


def test_a_plan_named_with_revises_takes_the_new_version_and_a_dropped_task_can_come_back(run_cli, ledger, tmp_path):
    plan_id = _v1_with_reports(ledger, tmp_path)
    v2 = tmp_path / "v2.txt"
    v2.write_text(PLAN_V2, encoding="utf-8")
    assert run_cli("import-plan", str(v2), "--keep-current")[0] == 0
    # Next year's plan of the same title is a plan of its own unless named.
    v2024 = tmp_path / "2024.txt"
    v2024.write_text(PLAN_V1.replace("2023年", "2024年"), encoding="utf-8")
    code, out, err = run_cli("import-plan", str(v2024), "--dry-run", "--json")
    assert json.loads(out)["changes"] is None
    code, out, err = run_cli("import-plan", str(v2024), "--revises", str(plan_id), "--dry-run", "--json")
    changes = json.loads(out)["changes"]
    assert changes["restored"] == ["A01-02.05"] and changes["removed"] == ["A01-01.02~2"]
    code, out, err = run_cli("import-plan", str(v2024), "--revises", str(plan_id), "--keep-current")
    assert code == 0, err
    assert int(out) == plan_id
    assert "A01-01.02~2" in err  # listed as dropped
    with ledger.Session() as s:
        tasks = {t.code: t for t in list_tasks(s, plan_id=plan_id)}
        assert not tasks["A01-02.05"].removed and tasks["A01-01.02~2"].removed
        plan = s.get(Plan, plan_id)
        assert plan.title == "钢城区2024年优化营商环境重点任务" and plan.year == 2024
        removals = s.scalars(select(AuditLog.entity_key).where(AuditLog.action == "task.removed_from_plan")).all()
        assert removals == ["A01-02.05", "A01-01.02~2"]


def test_a_spelling_the_alias_table_defines_cannot_be_given_another_unit(ledger):
    with ledger.Session.begin() as s:
        with pytest.raises(UserError, match="单位别名表 units.csv 已把“市住建局”定为“市住房和城乡建设局”"):
            apply_unit_decisions(s, [UnitDecision("市住建局", NEW, "市住建新局", "市直部门")], "测试")
    with ledger.Session.begin() as s:
        # Saying what the table says is no change.
        apply_unit_decisions(s, [UnitDecision("市住建局", ALIAS, "市住房和城乡建设局")], "测试")
        assert s.scalar(select(Unit).where(Unit.name == "市住建新局")) is None
        with pytest.raises(UserError, match="应为 1 到 200 个字"):
            apply_unit_decisions(s, [UnitDecision("区" * 300, NEW, "区" * 300)], "测试")
        with pytest.raises(UserError, match="成员应为不超过 500 个"):
            apply_unit_decisions(s, [UnitDecision("区各单位", COLLECTIVE, "区各单位", members=[f"单位{n}" for n in range(501)])], "测试")
        with pytest.raises(UserError, match="成员单位无效"):
            apply_unit_decisions(s, [UnitDecision("区各单位", COLLECTIVE, "区各单位", members=[None])], "测试")
        with pytest.raises(UserError, match="处理“drop”无效"):
            apply_unit_decisions(s, [UnitDecision("区各单位", "drop", "区各单位")], "测试")


def test_a_task_reworded_in_place_keeps_its_number_but_another_task_in_its_place_does_not_take_its_reports(ledger, tmp_path):
    plan_id = _v1_with_reports(ledger, tmp_path)
    reworded = PLAN_V1.replace("建立企业诉求“直通车”制度，对企业反映的问题限时办结。", "开展“万人助万企”活动，包联服务重点企业。")
    with ledger.Session() as s:
        changes = plan_changes(s, _draft(tmp_path, reworded, "reworded.txt"))
        assert [(c.code, c.fields) for c in changes.changed] == [("A01-01.03", ["任务内容"])]
        assert changes.added == [] and changes.removed == []
    # 直通车 dropped, and an unrelated task of another unit put in its place under its number.
    other = PLAN_V1.replace("3.建立企业诉求“直通车”制度，对企业反映的问题限时办结。(牵头单位:区工商联,长期坚持)",
                            "3.清理规范涉企收费，坚决制止乱收费。(牵头单位:区发展改革局,12月底前完成)")
    with ledger.Session() as s:
        changes = plan_changes(s, _draft(tmp_path, other, "other.txt"))
    assert changes.plan_id == plan_id and changes.changed == []
    assert changes.added == ["A01-01.03"] and changes.removed == ["A01-01.03"]
    with ledger.Session.begin() as s:
        import_reviewed(s, _draft(tmp_path, other, "other.txt"), load_directory(), [], operator="测试", make_current=False)
    with ledger.Session() as s:
        tasks = {t.code: t for t in list_tasks(s, plan_id=plan_id)}
        assert tasks["A01-01.03"].removed and tasks["A01-01.03"].title.startswith("建立企业诉求")
        assert tasks["A01-01.03~2"].title.startswith("清理规范涉企收费") and not tasks["A01-01.03~2"].removed
        reports = s.scalars(select(ProgressEntry.progress_text).where(ProgressEntry.task_id == tasks["A01-01.03~2"].id)).all()
        assert reports == []


def test_a_real_district_plan_settled_by_its_suggestions_and_revised(ledger, tmp_path):
    """济南市钢城区 2021 放管服 tasks (tests/data/plans): the clerk takes every first suggestion, then a revision inserts a task."""
    from tests.conftest import DATA

    text = (DATA / "plans" / "gangcheng_2021_fangguanfu.txt").read_text(encoding="utf-8")
    draft = _draft(tmp_path, text, "gangcheng.txt")
    with ledger.Session() as s:
        questions = unit_questions(s, draft, load_directory())
    assert {q.spelling for q in questions} == {"区政府办公室", "区政府有关部门", "区各街道（功能区）", "区司法局", "区行政审批服务局"}
    assert not [x for q in questions for x in q.suggestions if x.action == ALIAS]  # nothing of the city's fits a district
    decisions = [UnitDecision(q.spelling, q.suggestions[0].action, q.suggestions[0].name, q.suggestions[0].kind,
                              q.suggestions[0].members) for q in questions]
    with ledger.Session.begin() as s:
        plan_id = import_reviewed(s, draft, load_directory(), decisions, operator="测试", make_current=False).plan_id
        third = draft.tasks[2].code
        _report(s, plan_id, third, "区政府办公室", "备案事项清单已公布")
    lines = text.splitlines()
    inserted = "2.推行行政许可事项清单管理，清单之外不得违法实施行政许可。(牵头单位:区行政审批服务局)"
    renumbered = [lines[0], lines[1], lines[2], lines[3], inserted,
                  *(line.replace(f"{n}.", f"{n + 1}.", 1) for n, line in zip((2, 3, 4), lines[4:7]))]
    revised = _draft(tmp_path, "\n".join(renumbered) + "\n", "gangcheng-revised.txt")
    with ledger.Session() as s:
        assert unit_questions(s, revised, load_directory()) == []
        changes = plan_changes(s, revised, plan_id)
    assert changes.added == [revised.tasks[1].code] and changes.changed == [] and changes.removed == []
    assert changes.renamed[revised.tasks[3].code] == third
    with ledger.Session.begin() as s:
        import_reviewed(s, revised, load_directory(), [], operator="测试", make_current=False, plan_id=plan_id)
    with ledger.Session() as s:
        task = s.scalar(select(Task).where(Task.plan_id == plan_id, Task.code == third))
        assert task.title.startswith("规范行政备案事项管理")
        assert s.scalars(select(ProgressEntry.progress_text).where(ProgressEntry.task_id == task.id)).all() == ["备案事项清单已公布"]


def test_the_bracket_shapes_of_the_issue_in_a_county_plan(ledger, tmp_path):
    """The responsibility shapes real plans use (issue 14), in a county's plan read against the city's ledger."""
    text = """渑池县2023年政务公开工作要点
一、重点任务
1.推进决策公开。(牵头单位:县政府办公室,责任单位:县直有关部门,各乡镇(街道))
2.推进政策解读。(档案局、审计局负责落实,6月底前)
3.推进交通建设信息公开。(县交通局牵头,各乡镇负责落实,9月底前)
4.推进水利信息公开。(市水利局、市林业局牵头,市农业农村局参与)
5.加强住房信息公开。(责任单位:县住建局、县税务局,各相关单位)
6.推进商务信息公开。(牵头单位:省商务厅)
7.推进财政预决算公开。(县财政局、县发改委负责)
"""
    with ledger.Session() as s:
        questions = _questions(s, _draft(tmp_path, text, "county.txt"))
    assert sorted(questions) == sorted([
        "县政府办公室", "县直有关部门", "县各乡镇（街道）", "县档案局", "县审计局", "县交通局", "县各乡镇",
        "县住建局", "县税务局", "县各相关单位", "省商务厅", "县财政局", "县发改委",
    ])  # 市水利局, 市林业局 and 市农业农村局 are the city's units the alias table knows
    first = {k: (q.suggestions[0].action, q.suggestions[0].name) for k, q in questions.items()}
    assert first["县住建局"] == (NEW, "县住房和城乡建设局") and first["县发改委"] == (NEW, "县发展改革委")
    assert first["省商务厅"] == (NEW, "省商务厅") and first["县财政局"] == (NEW, "县财政局")
    assert {first[k][0] for k in ("县直有关部门", "县各乡镇（街道）", "县各乡镇", "县各相关单位")} == {COLLECTIVE}
    assert questions["县档案局"].printed == "档案局" and questions["县税务局"].suggestions[0].kind == "驻市单位"
    assert not [x for q in questions.values() for x in q.suggestions if x.action == ALIAS]


def test_a_look_alike_plan_can_be_imported_as_a_plan_of_its_own(run_cli, ledger, tmp_path):
    plan_id = _v1_with_reports(ledger, tmp_path)
    v2 = tmp_path / "v2.txt"
    v2.write_text(PLAN_V2, encoding="utf-8")
    code, out, err = run_cli("import-plan", str(v2), "--as-new", "--dry-run", "--json")
    assert code == 0, err
    assert json.loads(out)["changes"] is None
    code, out, err = run_cli("import-plan", str(v2), "--as-new", "--keep-current")
    assert code == 0, err
    assert int(out) != plan_id
    with ledger.Session() as s:
        assert len(list_tasks(s, plan_id=plan_id)) == 5 and not [t for t in list_tasks(s, plan_id=plan_id) if t.removed]
        assert len(list_tasks(s, plan_id=int(out))) == 5
