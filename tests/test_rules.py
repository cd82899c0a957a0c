"""The documented rules: deadlines to due dates, 责任单位 to roles, spellings to canonical units."""

import datetime as dt

import pytest

from db.deadlines import DeadlineError, due_of, parse_deadline
from db.ledger import load_directory
from db.responsibility import parse_responsibility


@pytest.mark.parametrize(
    "wording,due",
    [
        ("2022年6月前", dt.date(2022, 6, 30)),
        ("2022 年 12 月", dt.date(2022, 12, 31)),
        ("2022年3月", dt.date(2022, 3, 31)),
        ("2022年2月底前", dt.date(2022, 2, 28)),
        ("2022年9月", dt.date(2022, 9, 30)),
        ("2022年底", dt.date(2022, 12, 31)),
        ("2022年上半年", dt.date(2022, 6, 30)),
        ("2022年第一季度末", dt.date(2022, 3, 31)),
        ("2022年3月15日前", dt.date(2022, 3, 15)),
        ("6月底前", dt.date(2022, 6, 30)),
    ],
)
def test_deadline_wording_to_due_date(wording, due):
    [stage] = parse_deadline(wording, plan_year=2022)
    assert stage.due == due and not stage.ongoing and stage.wording == wording


@pytest.mark.parametrize("wording", ["持续推进", "持续推进。", "中长期目标", "持续开展", "长期坚持"])
def test_ongoing_wordings_have_no_due_date(wording):
    [stage] = parse_deadline(wording, 2022)
    assert stage.ongoing and stage.due is None


def test_stages_and_notes():
    stages = parse_deadline("2022年6月，全面优化“一窗受理”\n2022年12月，力争全面实现“全程网办”", 2022)
    assert [s.due for s in stages] == [dt.date(2022, 6, 30), dt.date(2022, 12, 31)]
    assert stages[0].note == "全面优化“一窗受理”"
    assert due_of(stages) == dt.date(2022, 12, 31)
    [stage] = parse_deadline("2022年，三年以上未结破产案件清零。", 2022)
    assert stage.due == dt.date(2022, 12, 31) and stage.note == "三年以上未结破产案件清零"


@pytest.mark.parametrize("wording", ["尽快", "2022年13月", "下个月", "6月底前"])
def test_undatable_wording_is_refused(wording):
    with pytest.raises(DeadlineError):
        parse_deadline(wording, plan_year=None if wording == "6月底前" else 2022)


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "市住房城乡建设局牵头，市自然资源规划局、市人防办、市政务和大数据局等部门配合，各县（市、区）政府负责落实",
            [("市住房城乡建设局", "牵头"), ("市自然资源规划局", "配合"), ("市人防办", "配合"), ("市政务和大数据局", "配合"), ("各县（市、区）政府", "落实")],
        ),
        (
            "市政务和大数据局牵头，各县（市、区）政府，市直相关部门配合",
            [("市政务和大数据局", "牵头"), ("各县（市、区）政府", "配合"), ("市直相关部门", "配合")],
        ),
        ("市住房城乡建设局、市财政局、市人防办按照职责分工负责", [("市住房城乡建设局", "负责"), ("市财政局", "负责"), ("市人防办", "负责")]),
        ("市税务局、市财政局、人行三门峡市中支", [("市税务局", "责任单位"), ("市财政局", "责任单位"), ("人行三门峡市中支", "责任单位")]),
        ("市公共资源交易中心等按职责分工落实", [("市公共资源交易中心", "落实")]),
        ("市住房城乡建设局牵头、各县（市、区）人民政府负责落实", [("市住房城乡建设局", "牵头"), ("各县（市、区）人民政府", "落实")]),
        ("市法院。", [("市法院", "责任单位")]),
    ],
)
def test_responsibility_roles(text, expected):
    assert parse_responsibility(text) == expected


def test_role_word_without_units_changes_nothing():
    roles = parse_responsibility("市自然资源规划局、市住房城乡建设局、市政务和大数据局按职责分工负责等部门配合")
    assert roles == [("市自然资源规划局", "负责"), ("市住房城乡建设局", "负责"), ("市政务和大数据局", "负责")]


@pytest.mark.parametrize(
    "spelling,canonical",
    [
        ("市政务和大数据局", ["市政务服务和大数据管理局"]),
        ("市政务服务和大数据管理局", ["市政务服务和大数据管理局"]),
        ("人行三门峡市中支", ["人民银行三门峡市中心支行"]),
        ("人民银行三门峡市中心支行", ["人民银行三门峡市中心支行"]),
        ("各县(市、区)人民政府", ["各县（市、区）人民政府"]),
        ("各县（市区）政府", ["各县（市、区）人民政府"]),
        ("市住建局", ["市住房和城乡建设局"]),
        ("银保监分局市大数据局", ["三门峡银保监分局", "市政务服务和大数据管理局"]),
        ("各县（市、区）政府和供电公司", ["各县（市、区）人民政府", "各县（市、区）供电公司"]),
        ("市某某局", []),
    ],
)
def test_unit_spellings_resolve_to_one_canonical_unit(spelling, canonical):
    assert load_directory().resolve(spelling) == canonical


def test_county_collective_expands_to_county_governments():
    directory = load_directory()
    assert directory.kind("各县（市、区）人民政府") == "集合"
    assert sorted(directory.expansion("各县（市、区）人民政府")) == sorted(
        ["湖滨区人民政府", "陕州区人民政府", "义马市人民政府", "灵宝市人民政府", "渑池县人民政府", "卢氏县人民政府"]
    )


def test_every_spelling_in_the_plan_is_in_the_alias_table(bundled_draft):
    directory = load_directory()
    unknown = {
        name
        for task in bundled_draft.tasks
        for name, _ in parse_responsibility(task.responsibility_text)
        if not directory.resolve(name)
    }
    assert unknown == set()
