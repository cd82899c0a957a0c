"""Phrase-level readers for plans in the bracket convention: the responsibility bracket at the end
of a task, a deadline inside the task's text, and "以下任务均需…" riders.

The first half pins every form the issue lists (unit names made up), in both widths; the second
half reads excerpts of real published plans (tests/data/plans, source on each file's first line)
against a hand reading of each task.
"""

import datetime as dt
import json
import time

import pytest

from db.deadlines import deadlines_in_text, find_deadline, is_deadline_clause, parse_deadline
from db.plan_text import parse_plan_text
from db.responsibility import (
    IMPLEMENT,
    LEAD,
    PLAIN,
    RESPONSIBLE,
    SUPPORT,
    parse_responsibility,
    responsibility_in_brackets,
    rider_units,
)
from tests.conftest import DATA

FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", ";": "；"})


def both_widths(text):
    return [text, text.translate(FULL)]


FORMS = [
    ("(牵头单位:省商务厅)", [("省商务厅", LEAD)]),
    (
        "〔牵头单位:县政府办公室,责任单位:县直有关部门,各乡镇(街道)〕",
        [("县政府办公室", LEAD), ("县直有关部门", PLAIN), ("各乡镇(街道)", PLAIN)],
    ),
    ("(责任单位:区住建局、区税务局,各相关单位)", [("区住建局", PLAIN), ("区税务局", PLAIN), ("各相关单位", PLAIN)]),
    ("(档案局、审计局负责落实)", [("档案局", IMPLEMENT), ("审计局", IMPLEMENT)]),
    ("(县交通局牵头,各乡镇负责落实)", [("县交通局", LEAD), ("各乡镇", IMPLEMENT)]),
    ("(市水利局、市林业局牵头,市农业农村局参与)", [("市水利局", LEAD), ("市林业局", LEAD), ("市农业农村局", SUPPORT)]),
    ("(牵头单位:市发改委;配合单位:市财政局、市统计局)", [("市发改委", LEAD), ("市财政局", SUPPORT), ("市统计局", SUPPORT)]),
    ("(责任单位:市民政局;配合单位:市财政局)", [("市民政局", PLAIN), ("市财政局", SUPPORT)]),
    ("(市教育局配合)", [("市教育局", SUPPORT)]),
    ("(市直各部门按职责分工负责)", [("市直各部门", RESPONSIBLE)]),
    ("(市公安局、市交通局分别负责)", [("市公安局", RESPONSIBLE), ("市交通局", RESPONSIBLE)]),
    ("(县卫健委负责)", [("县卫健委", RESPONSIBLE)]),
]


@pytest.mark.parametrize("bracket,units", FORMS, ids=[f[0] for f in FORMS])
def test_every_bracket_form_in_both_widths(bracket, units):
    for task_bracket in both_widths(bracket):
        task = f"加快推进某项改革,年内见效。{task_bracket}"
        reading = responsibility_in_brackets(task)
        expected = [(name.translate(FULL) if "（" in task_bracket else name, role) for name, role in units]
        assert reading.units == expected, task_bracket
        assert reading.text == "加快推进某项改革,年内见效。"
        assert reading.bracket == task_bracket
        assert reading.problems == []


def test_full_stop_after_the_bracket_stays_with_the_task():
    reading = responsibility_in_brackets("建立台账(县统计局牵头,各乡镇配合)。")
    assert reading.text == "建立台账。"
    assert reading.units == [("县统计局", LEAD), ("各乡镇", SUPPORT)]


def test_deadline_in_the_bracket_is_kept_apart_from_the_units():
    reading = responsibility_in_brackets("推进审批改革。（牵头单位：州审批局；责任单位：州司法局，各县市人民政府，6月底完成）")
    assert reading.units == [("州审批局", LEAD), ("州司法局", PLAIN), ("各县市人民政府", PLAIN)]
    assert reading.deadline == "6月底完成"
    assert find_deadline(reading.bracket, 2020).due == dt.date(2020, 6, 30)
    reading = responsibility_in_brackets("推进改革。(市财政局负责,长期坚持)")
    assert reading.units == [("市财政局", RESPONSIBLE)] and reading.deadline == "长期坚持"


@pytest.mark.parametrize("task", both_widths("推进改革(牵头单位:省商务厅") + ["推进改革〔县交通局牵头,各乡镇负责落实"])
def test_unclosed_bracket_is_a_problem_not_a_crash(task):
    reading = responsibility_in_brackets(task)
    assert reading.problems and reading.problems[0].startswith("括号未闭合")
    assert reading.units and reading.units[0][1] == LEAD
    assert reading.text == "推进改革"


@pytest.mark.parametrize(
    "task",
    [
        "全面推进决策、执行、管理、服务、结果公开(以下统称“五公开”)。",
        "根据《优化营商环境条例》(国令第722号)制定",
        "减少证明材料（含复印件）",
        "打造一流营商环境。",
        "",
        "推进改革（",
        "一、优化政务服务（以下任务均需各县区人民政府落实）",
    ],
)
def test_brackets_that_are_not_responsibility_stay_in_the_text(task):
    reading = responsibility_in_brackets(task)
    assert reading.text == task
    assert reading.units == [] and reading.bracket is None and reading.problems == []


def test_a_responsibility_bracket_after_an_explanation_bracket():
    reading = responsibility_in_brackets("实现“一网通办”(含移动端)。(市大数据局牵头)")
    assert reading.text == "实现“一网通办”(含移动端)。"
    assert reading.units == [("市大数据局", LEAD)]


DEADLINES = [
    ("10月底前,完成全市清单编制", "10月底前", dt.date(2022, 10, 31), False),
    ("10月底前，完成全市清单编制", "10月底前", dt.date(2022, 10, 31), False),
    ("梳理事项清单,9月底完成", "9月底完成", dt.date(2022, 9, 30), False),
    ("梳理事项清单，6月底前上线运行", "6月底前", dt.date(2022, 6, 30), False),
    ("年底前实现全覆盖", "年底前", dt.date(2022, 12, 31), False),
    ("建成平台,2023年6月", "2023年6月", dt.date(2023, 6, 30), False),
    ("完成评估,上半年", "上半年", dt.date(2022, 6, 30), False),
    ("开展专项行动,下半年完成", "下半年完成", dt.date(2022, 12, 31), False),
    ("于2022年10月底前编制并公布清单", "2022年10月底前", dt.date(2022, 10, 31), False),
    # 襄阳 2020 (held out): a year-end deadline inside the text, the year printed.
    ("到2020年底前,实现市县乡村四级电子政务外网全覆盖", "2020年底前", dt.date(2020, 12, 31), False),
    ("建立长效机制,长期坚持", "长期坚持", None, True),
    ("定期通报，持续推进", "持续推进", None, True),
]


@pytest.mark.parametrize("text,wording,due,ongoing", DEADLINES, ids=[d[0] for d in DEADLINES])
def test_deadline_inside_the_task_text(text, wording, due, ongoing):
    found = find_deadline(text, plan_year=2022)
    assert (found.wording, found.due, found.ongoing) == (wording, due, ongoing)
    assert text[found.start: found.end] == wording


@pytest.mark.parametrize(
    "text",
    [
        "持续推进政务公开标准化规范化", "自2022年1月1日起施行", "推进2022年北京冬奥会场馆信息公开", "到2026年,城镇化率达到60%以上",
        "长期坚持问题导向", "到2025年底,全市技能劳动者占就业人员的比例达到25%以上",
    ],
)
def test_no_deadline_where_a_date_or_verb_is_not_one(text):
    assert find_deadline(text, 2022) is None


def test_month_only_deadline_without_a_plan_year_has_no_due_date():
    found = find_deadline("10月底前,完成清单编制")
    assert found.wording == "10月底前" and found.due is None


def test_year_less_half_and_year_end_use_the_plan_year_in_the_field_rule_too():
    assert parse_deadline("年底前", 2023)[0].due == dt.date(2023, 12, 31)
    assert parse_deadline("上半年", 2023)[0].due == dt.date(2023, 6, 30)
    assert is_deadline_clause("2023年6月") and not is_deadline_clause("市商务局")


def test_a_task_in_stages_is_due_at_its_last_stage():
    text = "8月底前编制完成市级清单,9月底前编制完成县级清单"
    assert [d.wording for d in deadlines_in_text(text, 2022)] == ["8月底前", "9月底前"]
    assert find_deadline(text, 2022).due == dt.date(2022, 9, 30)


@pytest.mark.parametrize(
    "line,units",
    [
        ("以下任务均需各县区人民政府落实", [("各县区人民政府", IMPLEMENT)]),
        ("以下任务均需各县区人民政府落实。", [("各县区人民政府", IMPLEMENT)]),
        ("（以下任务均由各乡镇、各街道负责）", [("各乡镇", RESPONSIBLE), ("各街道", RESPONSIBLE)]),
        ("(以下各项任务均需各县(市、区)政府配合)", [("各县(市、区)政府", SUPPORT)]),
        ("以下为主要任务", []),
        ("以下任务要抓紧推进", []),
        ("推进改革(县交通局牵头)", []),
    ],
)
def test_rider_adds_its_units(line, units):
    assert rider_units(line) == units


# ---- real plans -----------------------------------------------------------------------------------

def corpus(name):
    lines = (DATA / "plans" / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# 来源: http"), name
    return [line for line in lines[1:] if line.strip()]


# Hand reading, per task in order: (leads, other units with roles, deadline wording in the text, due).
GOV_DEPTS = [("区政府有关部门", PLAIN)]
HAND = {
    "gangcheng_2021_fangguanfu.txt": (2021, [
        (["区政府办公室"], GOV_DEPTS + [("各街道(功能区)", PLAIN)], None, None),
        (["区政府办公室", "区司法局", "区行政审批服务局"], GOV_DEPTS, None, None),
        (["区政府办公室"], [("区司法局", PLAIN)], None, None),
        (["区司法局"], GOV_DEPTS, None, None),
    ]),
    "beijing_2018_zwgk.txt": (2018, [
        ([], [("市规划国土委", IMPLEMENT)], None, None),
        ([], [(u, IMPLEMENT) for u in ("市发展改革委", "市经济信息化委", "市环保局", "市教委", "市卫生计生委", "市人力社保局")], None, None),
        ([], [("市交通委", IMPLEMENT)], None, None),
        ([], [("市重大项目办", IMPLEMENT), ("市体育局", IMPLEMENT), ("市教委", IMPLEMENT)], None, None),
    ]),
    "xianyang_2022_gzbg.txt": (2022, [
        ([], [("市政府各部门", RESPONSIBLE)], None, None),
        ([], [("市政府各部门", RESPONSIBLE)], None, None),
    ]),
    "taizhou_2019_yingshang.txt": (2019, [
        ([], [(u, PLAIN) for u in ("市行政审批局", "住建局", "司法局", "各市(区)人民政府", "医药高新区管委会")], None, None),
    ]),
}


@pytest.mark.parametrize("name", sorted(HAND))
def test_real_plan_excerpts_match_the_hand_reading(name):
    year, expected = HAND[name]
    readings = [(line, responsibility_in_brackets(line)) for line in corpus(name)]
    tasks = [(line, r) for line, r in readings if r.units]
    # Headings carry no bracket and stay headings.
    assert len(tasks) == len(expected), [line[:20] for line, _ in tasks]
    for (line, reading), (leads, others, wording, due) in zip(tasks, expected):
        where = f"{name}: {line[:24]}"
        assert reading.problems == [], where
        assert [n for n, r in reading.units if r == LEAD] == leads, where
        assert [(n, r) for n, r in reading.units if r != LEAD] == others, where
        assert not reading.text.endswith((")", "）", "〕")), where
        found = find_deadline(reading.text, year)
        assert (found and found.wording, found and found.due) == (wording, due), where


def test_real_plan_deadlines_in_the_measure_text_match_the_table_column():
    # The table of this plan prints 2022年9月底 and 2022年11月底 as the measures' 完成时限.
    first, second = corpus("xian_2022_fangguanfu_measures.txt")
    assert [d.wording for d in deadlines_in_text(first, 2022)] == ["8月底前", "9月底前"]
    assert find_deadline(first, 2022).due == dt.date(2022, 9, 30)
    assert find_deadline(second, 2022).wording == "11月底前"
    assert find_deadline(second, 2022).due == dt.date(2022, 11, 30)
    assert responsibility_in_brackets(first).units == []


def test_a_hostile_line_with_thousands_of_deadlines_is_read_in_linear_time():
    text = "6月底前,完成" * 20000
    start = time.perf_counter()
    found = deadlines_in_text(text, 2022)
    assert len(found) == 20000 and find_deadline(text, 2022).due == dt.date(2022, 6, 30)
    assert time.perf_counter() - start < 10  # quadratic matching took over 20 s here


# ---- wired into the document reader ---------------------------------------------------------------

COUNTY_PLAN = """某县2023年政务公开工作要点

一、主要措施

1.规范政府信息公开。10月底前,完成政府信息公开指南修订。〔牵头单位:县政府办公室;责任单位:县直有关部门,各乡镇(街道)〕

2.加强政策解读。(责任单位:县司法局;配合单位:县融媒体中心)

3.做好建议提案办理结果公开。(县档案局、县审计局负责落实,年底前完成)

4.健全公开机制(县交通局牵头,各乡镇负责落实
"""


def test_the_document_reader_takes_units_and_deadlines_from_the_bracket_reader():
    plan = parse_plan_text(COUNTY_PLAN, "county.txt")
    first, second, third, fourth = plan.tasks
    assert first.units == [("县政府办公室", LEAD), ("县直有关部门", PLAIN), ("各乡镇(街道)", PLAIN)]
    assert first.deadline_text == "10月底前" and first.text.endswith("完成政府信息公开指南修订。")
    # 责任单位 before 配合单位: the 责任单位 stays 责任单位.
    assert second.units == [("县司法局", PLAIN), ("县融媒体中心", SUPPORT)]
    assert third.units == [("县档案局", IMPLEMENT), ("县审计局", IMPLEMENT)] and third.deadline_text == "年底前"
    # Task 4's bracket is never closed: the task stays, read as far as it goes, and says so.
    assert fourth.title == "健全公开机制" and fourth.units == [("县交通局", LEAD), ("各乡镇", IMPLEMENT)]
    assert fourth.problems == ["括号未闭合：(县交通局牵头,各乡镇负责落实"]
    assert [t.problems for t in (first, second, third)] == [[], [], []]


def test_an_unclosed_bracket_is_a_doubt_the_clerk_sees_before_importing(tmp_path):
    from exports.plan_reading import read_plan_document

    doc = tmp_path / "county.txt"
    doc.write_text(COUNTY_PLAN, encoding="utf-8")
    reading = read_plan_document(doc)
    assert [d.message for d in reading.doubts] == [
        "county.txt 第11行（A01-01.04 健全公开机制）：括号未闭合：(县交通局牵头,各乡镇负责落实"
    ]
    assert reading.spans[reading.doubts[0].code] == (11, 11)


def test_an_unclosed_bracket_without_units_keeps_its_task_for_the_clerk():
    plan = parse_plan_text("某县2023年工作要点\n一、主要任务\n1.做好年报公开,3月底前完成。(牵头单位:\n", "c.txt")
    (task,) = plan.tasks
    assert task.title == "做好年报公开,3月底前完成" and not task.units
    assert task.problems == ["括号未闭合：(牵头单位:", "括号中没有读出责任单位：(牵头单位:"]


def test_a_bracket_plan_imports_with_due_dates_from_the_plan_year(ledger, run_cli, tmp_path):
    doc = tmp_path / "county.txt"
    doc.write_text(COUNTY_PLAN, encoding="utf-8")
    code, out, err = run_cli("import-plan", str(doc))
    assert code == 0, err
    tasks = json.loads(run_cli("tasks", "--json")[1])
    assert [t["due"] for t in tasks] == ["2023-10-31", None, "2023-12-31", None]
    assert tasks[1]["support"] == ["县融媒体中心"]


# Made up (no real plan in the corpus numbers its tasks 一是/二是 inside one paragraph): each piece of work
# closed by its own bracket is a task, named without its ordinal.
def test_yishi_ershi_pieces_of_one_paragraph_are_tasks():
    plan = parse_plan_text(
        "某县2023年政务公开工作要点\n二、重点任务\n(一)加强政策解读。一是做好政策文件解读,上半年完成。(县司法局负责)"
        "二是开展政策宣讲。(县融媒体中心牵头,各乡镇配合,长期坚持)\n",
        "county.txt",
    )
    assert [(t.title, t.units, t.deadline_text) for t in plan.tasks] == [
        ("加强政策解读", [("县司法局", RESPONSIBLE)], "上半年"),
        ("开展政策宣讲", [("县融媒体中心", LEAD), ("各乡镇", SUPPORT)], "长期坚持"),
    ]
    assert parse_deadline("上半年", plan.year)[0].due == dt.date(2023, 6, 30)
    assert len({t.code for t in plan.tasks}) == 2


@pytest.mark.parametrize(
    "bracket,units,deadline",
    [
        # A labelled deadline inside the bracket is the deadline, not a unit.
        ("(牵头单位:区司法局,责任单位:区政府各部门,完成时限:长期坚持)", [("区司法局", LEAD), ("区政府各部门", PLAIN)], "长期坚持"),
        ("(牵头单位:区司法局;时间节点:2023年6月)", [("区司法局", LEAD)], "2023年6月"),
        # A leader named beside the units is no unit.
        ("(责任领导:杜新国;牵头单位:区发改局)", [("区发改局", LEAD)], None),
        # 按职责分工分别负责 is 负责 for every unit before it.
        ("(县政府办公室、县司法局,乡镇人民政府按职责分工分别负责)",
         [("县政府办公室", RESPONSIBLE), ("县司法局", RESPONSIBLE), ("乡镇人民政府", RESPONSIBLE)], None),
        # 威海 2023 (held out, round 4): "、单位" is the second kind of the collective before it, not a unit.
        ("(牵头单位:市行政审批服务局;责任单位:市直有关部门、单位,各区市政府、开发区管委)",
         [("市行政审批服务局", LEAD), ("市直有关部门、单位", PLAIN), ("各区市政府", PLAIN), ("开发区管委", PLAIN)], None),
    ],
)
def test_bracket_clauses_that_are_not_units(bracket, units, deadline):
    reading = responsibility_in_brackets(f"做好某项工作。{bracket}")
    assert (reading.units, reading.deadline, reading.problems) == (units, deadline, [])


def test_a_rider_inside_a_bracket_is_read_for_the_tasks_after_it_not_flagged():
    # 淮安 2022 and 威海 2023 (held out, round 4).
    reading = responsibility_in_brackets(
        "做好某项工作。(责任单位:市工信局、市财政局等有关部门,各县区人民政府。以下政策措施均需各县区人民政府、园区管委会落实,不再单独列出)"
    )
    assert reading.units == [("市工信局", PLAIN), ("市财政局", PLAIN), ("各县区人民政府", PLAIN)]
    assert (reading.rider, reading.problems) == ([("各县区人民政府", IMPLEMENT), ("园区管委会", IMPLEMENT)], [])
    assert rider_units("以下任务均需各区市政府、开发区管委落实,不再一一列出") == [("各区市政府", IMPLEMENT), ("开发区管委", IMPLEMENT)]
    plan = parse_plan_text(
        "一、甲\n1.做好甲。(责任单位:市工信局。以下政策措施均需各县区人民政府落实,不再单独列出)\n"
        "二、乙\n2.做好乙。(责任单位:市财政局)\n", "某.txt")
    assert [t.units for t in plan.tasks] == [[("市工信局", PLAIN)], [("市财政局", PLAIN), ("各县区人民政府", IMPLEMENT)]]


def test_a_paragraph_indent_saved_as_question_marks_is_an_indent():
    # 普陀 2021 (held out, round 4): "　　" saved in the wrong encoding is "??" before every paragraph.
    plan = parse_plan_text("??一、甲\n??1.做好某项工作。(责任单位:区府办)\n??2.做好另一项工作。(责任单位:区科委)\n", "某.txt")
    assert [(t.title, t.units) for t in plan.tasks] == [("做好某项工作", [("区府办", PLAIN)]), ("做好另一项工作", [("区科委", PLAIN)])]


def test_numbered_items_under_a_heading_that_names_the_lead_are_its_tasks_and_say_so():
    # 苍南 2023 (held out, round 4).
    assert responsibility_in_brackets("扩大有效投资政策(由县发改局牵头实施)").units == [("县发改局", LEAD)]
    plan = parse_plan_text(
        "某县关于推动经济高质量发展的若干政策\n一、扩大有效投资政策(由县发改局牵头实施)\n聚焦九大工程,完成投资246.6亿元以上。\n"
        "1.加大财政支持力度。县财政统筹安排资金。\n2.加强资金要素争取。6月底前发行专项债券。\n"
        "二、强化科技创新\n3.做好某项工作。(县科技局牵头)\n", "某2023年政策.txt")
    assert [(t.title, t.units, t.deadline_text) for t in plan.tasks] == [
        ("加大财政支持力度", [("县发改局", LEAD)], None),
        ("加强资金要素争取", [("县发改局", LEAD)], "6月底前"),
        ("做好某项工作", [("县科技局", LEAD)], None),
    ]
    assert "责任单位取自上级标题“扩大有效投资政策”" in plan.tasks[0].problems[0]
    assert plan.tasks[2].problems == []


def test_a_bracket_in_traditional_characters_is_read_with_its_units_as_printed():
    # 咸阳 2022 (held out, round 4), reposted in traditional characters.
    reading = responsibility_in_brackets("做好某项工作。(市政府辦公室牽頭,市級各有關部門按職責分工負責)")
    assert reading.units == [("市政府辦公室", LEAD), ("市級各有關部門", RESPONSIBLE)]
    reading = responsibility_in_brackets("做好某项工作。(牽頭單位:州行政審批服務局;責任單位:州司法局,6月底完成)")
    assert (reading.units, reading.deadline) == ([("州行政審批服務局", LEAD), ("州司法局", PLAIN)], "6月底完成")


def test_an_explanation_after_the_units_in_a_bracket_is_flagged_not_read_as_a_unit():
    reading = responsibility_in_brackets("做好某项工作。〔责任单位:省发展改革委按职责分工负责。具体任务均涉及相关市(州)人民政府,下同。〕")
    assert reading.units == [("省发展改革委", RESPONSIBLE)]
    assert reading.problems == ["括号中的说明未读作责任单位：具体任务均涉及相关市(州)人民政府,下同"]


def test_a_unit_line_is_not_an_instruction():
    from db.responsibility import is_unit_line

    assert is_unit_line("市金融办、人民银行潍坊市中心支行、潍坊银监分局分别牵头落实")
    assert is_unit_line("县交通局牵头,各乡镇配合")
    assert not is_unit_line("各地各部门要按照职责分工负责")
    assert not is_unit_line("以下任务均需各县区人民政府落实")
    assert not is_unit_line("加强组织领导。")
    assert not is_unit_line("负责")
    # 茅箭 2023 (held out): the cover notice's own sentence is not a 责任单位 cell.
    assert not is_unit_line("《以控制成本为核心优化营商环境的若干具体落实措施》已经区政府同意,现印发给你们,请结合工作实际,认真贯彻落实。")
    assert not is_unit_line("经区政府同意,现印发给你们,请认真贯彻落实")


def test_sub_points_run_on_in_one_paragraph_are_named_by_their_own_heading():
    """池州 2017 (held out): "1.深化商事制度改革。(1)全面落实……。(市工商质监局牵头负责)(2)完善……。(…)"."""
    plan = parse_plan_text(
        "某市2017年实施意见\n一、持续减少审批事项\n"
        "1.深化商事制度改革。(1)全面落实“多证合一、一照一码”改革。按照能整合的尽量整合的原则实行。(市工商质监局牵头负责)"
        "(2)完善企业登记全程电子化。推行全程电子化登记。(市工商质监局牵头负责)\n",
        "x.txt",
    )
    assert [(t.title, t.units) for t in plan.tasks] == [
        ("全面落实“多证合一、一照一码”改革", [("市工商质监局", LEAD)]),
        ("完善企业登记全程电子化", [("市工商质监局", LEAD)]),
    ]


def test_blocks_under_a_goal_chapter_are_tasks_when_the_plan_has_no_measures_chapter():
    text = "某区2023年重点工作分工方案\n一、主要预期目标\n1.地区生产总值增长6%。\n牵头单位:区发改局\n责任单位:各街道\n"
    (task,) = parse_plan_text(text, "district.txt").tasks
    assert task.title == "地区生产总值增长6%" and parse_responsibility(task.responsibility_text) == [
        ("区发改局", LEAD), ("各街道", PLAIN)]


@pytest.mark.parametrize(
    "text,units",
    [
        ("省直有关部门,各州、市人民政府按照职责分工负责", [("省直有关部门", RESPONSIBLE), ("各州、市人民政府", RESPONSIBLE)]),
        ("市、县两级政府负责", [("市、县两级政府", RESPONSIBLE)]),
        ("县市场监管局、县税务局", [("县市场监管局", PLAIN), ("县税务局", PLAIN)]),
    ],
)
def test_a_bare_level_word_before_a_comma_belongs_to_the_collective_after_it(text, units):
    assert parse_responsibility(text) == units


def test_a_bracket_line_after_sub_points_closes_their_item_and_after_items_the_last_item():
    plan = parse_plan_text(
        "某县2023年工作要点\n二、重点任务\n1.完善预案体系\n(1)加强预案管理。\n(2)加强预案演练。\n(责任单位:县应急局)\n"
        "2.开展应急演练。\n(县应急局牵头,各乡镇配合)\n(责任单位:县消防救援大队)\n",
        "county.txt",
    )
    assert [(t.title, t.units, t.line_start, t.line_end) for t in plan.tasks] == [
        ("完善预案体系", [("县应急局", PLAIN)], 3, 6),
        ("开展应急演练", [("县应急局", LEAD), ("各乡镇", SUPPORT)], 7, 8),
    ]
    # A second bracket for the same item is not guessed into it: the clerk is asked.
    assert plan.tasks[1].problems == ["第9行另有责任单位，未读入：(责任单位:县消防救援大队)"]


# Spellings of responsibility other plans use (unit names made up), read in both widths.
SPELLINGS = [
    ("(县发改局牵头,县财政局协同)", [("县发改局", LEAD), ("县财政局", SUPPORT)], None),
    ("(县发改局主责,县财政局协办)", [("县发改局", LEAD), ("县财政局", SUPPORT)], None),
    ("(责任单位:县发改局(牵头)、县财政局)", [("县发改局", LEAD), ("县财政局", PLAIN)], None),
    ("(县发改局牵头负责,各乡镇具体落实)", [("县发改局", LEAD), ("各乡镇", IMPLEMENT)], None),
    ("(主责单位:县发改局;协同单位:县财政局)", [("县发改局", LEAD), ("县财政局", SUPPORT)], None),
    ("(牵头部门:县发改局;配合部门:县财政局)", [("县发改局", LEAD), ("县财政局", SUPPORT)], None),
    ("(责任部门:县发改局、县财政局)", [("县发改局", PLAIN), ("县财政局", PLAIN)], None),
    ("(县发改局、县财政局共同负责)", [("县发改局", RESPONSIBLE), ("县财政局", RESPONSIBLE)], None),
    ("(县发改局牵头,各乡镇人民政府组织实施)", [("县发改局", LEAD), ("各乡镇人民政府", IMPLEMENT)], None),
    ("(县发改局牵头抓总,县财政局配合)", [("县发改局", LEAD), ("县财政局", SUPPORT)], None),
    ("(牵头单位:县发改局 责任单位:县财政局 完成时限:2024年底)", [("县发改局", LEAD), ("县财政局", PLAIN)], "2024年底"),
]


@pytest.mark.parametrize("bracket,units,deadline", SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_other_spellings_of_responsibility(bracket, units, deadline):
    for form in both_widths("推行告知承诺制。" + bracket):
        reading = responsibility_in_brackets(form)
        assert [(u.translate(FULL), r) for u, r in reading.units] == [(u.translate(FULL), r) for u, r in units]
        assert reading.deadline == deadline and reading.problems == []


def test_field_blocks_with_other_spellings_read_as_the_three_fields():
    plan = parse_plan_text(
        "某区2023年重点工作分工方案\n一、重点任务\n1.推行告知承诺制。\n牵头部门:区行政审批局\n配合部门:区司法局\n"
        "完成时限:2023年6月底前\n2.开展涉企收费检查。\n主责单位:区市场监管局\n",
        "x.txt",
    )
    assert [(t.title, parse_responsibility(t.responsibility_text), t.deadline_text) for t in plan.tasks] == [
        ("推行告知承诺制", [("区行政审批局", LEAD), ("区司法局", SUPPORT)], "2023年6月底前"),
        ("开展涉企收费检查", [("区市场监管局", LEAD)], None),
    ]


BRACKET_DEADLINES = [
    ("三季度末", dt.date(2024, 9, 30)), ("第三季度", dt.date(2024, 9, 30)), ("2024年底前", dt.date(2024, 12, 31)),
    ("年内完成", dt.date(2024, 12, 31)), ("11月中旬前", dt.date(2024, 11, 30)), ("2024年6月至12月", dt.date(2024, 12, 31)),
    ("2024—2025年", dt.date(2025, 12, 31)), ("每季度", None), ("2024年底前基本完成", dt.date(2024, 12, 31)),
]


@pytest.mark.parametrize("wording,due", BRACKET_DEADLINES, ids=[b[0] for b in BRACKET_DEADLINES])
def test_more_deadline_wordings_in_a_bracket_keep_its_units(wording, due):
    for form in both_widths(f"推行告知承诺制。(县发改局牵头,{wording})"):
        reading = responsibility_in_brackets(form)
        assert reading.units == [("县发改局", LEAD)] and reading.deadline == wording.translate(FULL)
        assert parse_deadline(reading.deadline, 2024)[-1].due == due


def test_a_deadline_the_rule_cannot_date_keeps_the_units_and_is_a_doubt(tmp_path):
    from exports.plan_reading import read_plan_document

    path = tmp_path / "county.txt"
    path.write_text("某县2024年工作要点\n一、主要任务\n1.推行告知承诺制。(县发改局牵头,力争三季度末前完成)\n", encoding="utf-8")
    reading = read_plan_document(path)
    (task,) = reading.draft.tasks
    assert task.units == [("县发改局", LEAD)] and task.deadline_text == "力争三季度末前"
    assert any("力争三季度末前" in d.message and "无法换算为日期" in d.message for d in reading.doubts)


def test_first_unit_leads_notes_in_a_bracket_and_their_xiatong():
    """"（A、B等负责，列第一位者为牵头单位，下同）" (a convention of 内江 and 韶关 plans, names made up here)."""
    for form in both_widths("推行告知承诺制。(市发展改革委、市财政局等负责,列第一位者为牵头单位,下同)"):
        reading = responsibility_in_brackets(form)
        assert reading.units == [("市发展改革委", LEAD), ("市财政局", RESPONSIBLE)] and reading.first_leads_onward
    reading = responsibility_in_brackets("推行告知承诺制。(责任单位:市税务局、市财政局,排在首位的为牵头单位)")
    assert reading.units == [("市税务局", LEAD), ("市财政局", PLAIN)] and not reading.first_leads_onward
    plan = parse_plan_text(
        "某市2016年实施意见\n一、深入实施就业优先战略\n"
        "(一)建立经济发展与扩大就业联动机制。把稳定和扩大就业作为经济运行的下限。(市发展改革委、市财政局等负责,列第一位者为牵头单位,下同)\n"
        "(二)发展吸纳就业能力强的产业。挖掘第二产业就业潜力。(市商务局、市农业局等负责)\n"
        "(三)支持小微企业健康发展。创新金融产品。(市金融办牵头,人民银行市中心支行配合)\n",
        "x.txt",
    )
    assert [t.units for t in plan.tasks] == [
        [("市发展改革委", LEAD), ("市财政局", RESPONSIBLE)],
        [("市商务局", LEAD), ("市农业局", RESPONSIBLE)],
        [("市金融办", LEAD), ("人民银行市中心支行", SUPPORT)],
    ]
    assert "列第一位" not in plan.tasks[0].responsibility_text
