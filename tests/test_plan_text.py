"""The extraction of the 2022 plan, pinned against an independent hand reading of every annex."""

import json
import re

import pytest

from db.ledger import load_directory
from db.plan_text import paragraphs, parse_plan_text
from db.responsibility import LEAD, SUPPORT, parse_responsibility
from tests.conftest import DATA

EXPECTED_COUNTS = {
    1: 100, 2: 9, 3: 12, 4: 15, 5: 8, 6: 5, 7: 11, 8: 12, 9: 14, 10: 16, 11: 32,
    12: 19, 13: 12, 14: 20, 15: 8, 16: 5, 17: 18, 18: 16, 19: 26, 20: 11, 21: 4,
}


def squeeze(text):
    return None if text is None else re.sub(r"\s+", "", text).rstrip("。")


def hand_reading():
    for path in sorted((DATA / "handread").glob("annex_*.json")):
        yield int(path.stem[-2:]), json.loads(path.read_text(encoding="utf-8"))


def test_plan_identity(bundled_draft):
    assert bundled_draft.title == "三门峡市营商环境优化提升行动方案（2022版）"
    assert bundled_draft.doc_number == "三营商〔2022〕1号"
    assert bundled_draft.year == 2022
    assert [a.number for a in bundled_draft.annexes] == list(range(1, 22))
    assert bundled_draft.annexes[1].topic == "企业开办"
    assert bundled_draft.annexes[20].title == "三门峡市项目保障提升专项行动方案"


def test_task_counts_per_annex(bundled_draft):
    assert {a.number: len(a.tasks) for a in bundled_draft.annexes} == EXPECTED_COUNTS
    assert len(bundled_draft.tasks) == 373


def test_codes_are_unique_and_stable(bundled_draft):
    codes = [t.code for t in bundled_draft.tasks]
    assert len(set(codes)) == len(codes)
    assert "A04-02.01" in codes and "A03-10-3" in codes and "A01-100" in codes


@pytest.mark.parametrize("annex,expected", list(hand_reading()), ids=lambda v: f"annex{v}" if isinstance(v, int) else "")
def test_every_task_matches_the_hand_reading(bundled_draft, annex, expected):
    directory = load_directory()

    def canonical(names):
        return [c for n in names for c in directory.resolve(n)]

    tasks = bundled_draft.annexes[annex - 1].tasks
    assert len(tasks) == len(expected)
    for task, hand in zip(tasks, expected):
        where = f"附件{annex} 第{hand['line']}行 {hand['label']}"
        assert task.label == re.sub(r"\s", "", hand["label"]), where
        assert task.block == hand.get("block", 1), where
        if task.block == 1:
            assert task.line_start == hand["line"], where
        assert squeeze(task.title) == squeeze(hand["title"]), where
        assert (squeeze((task.deadline_text or "").replace("\n", "")) or None) == (squeeze(hand["deadline"]) or None), where
        assert squeeze(task.responsibility_text) == squeeze(hand["responsibility"]), where
        # Compared as canonical units: the hand reading splits 银保监分局市大数据局 (a lost 、) by eye.
        roles = [(c, r) for n, r in parse_responsibility(task.responsibility_text) for c in directory.resolve(n)]
        assert [n for n, r in roles if r == LEAD] == canonical(hand["lead"]), where
        assert [n for n, r in roles if r == SUPPORT] == canonical(hand["support"]), where
        others = sorted((n, r) for n, r in roles if r not in (LEAD, SUPPORT))
        expected_others = sorted((c, o["role"]) for o in hand["other"] for c in canonical([o["name"]]))
        assert others == expected_others, where


def test_deadline_in_stages_keeps_both_stages(bundled_draft):
    task = next(t for t in bundled_draft.tasks if t.code == "A06-04")
    assert task.deadline_text.split("\n") == [
        "2022年6月，全面优化“一窗受理”业务流程，不动产抵押登记、预告登记等13项业务异地可办",
        "2022年12月，力争全面实现不动产登记、税费缴纳异地可办、“全程网办”",
    ]


def test_one_heading_with_three_blocks_gives_three_tasks(bundled_draft):
    blocks = [t for t in bundled_draft.tasks if t.code.startswith("A03-10")]
    assert [t.code for t in blocks] == ["A03-10", "A03-10-2", "A03-10-3"]
    assert blocks[1].text.startswith("严格落实物流仓储用地建设项目配建防空地下室")
    assert blocks[2].responsibility_text == "市财政局牵头，各县（市、区）人民政府负责落实"
    assert all(t.title == "进一步降低办理建筑许可成本" for t in blocks)


def test_measures_sharing_one_block_each_get_its_units(bundled_draft):
    shared = [t for t in bundled_draft.tasks if t.code in ("A11-05.01", "A11-05.06")]
    assert all(t.deadline_text == "2022年12月" for t in shared)
    assert shared[0].responsibility_text == shared[1].responsibility_text


def test_subpoints_stay_in_their_measure_and_footnotes_stay_out(bundled_draft):
    task = next(t for t in bundled_draft.tasks if t.code == "A04-02.01")
    assert "（1）地方政府分担范围" in task.text and "(5) 工程建设标准及后期运维" in task.text
    assert "城镇规划建设用地：以县及以上政府" not in task.text
    assert "以避免投资浪费。" in task.text  # re-joined across a page break with footnotes in between
    assert len(task.footnotes) == 6 and task.footnotes[3].startswith("8 电能替代改造")
    assert task.footnotes[3].endswith("高于50%的项目。")


def test_page_break_inside_a_unit_name_is_rejoined(bundled_draft):
    task = next(t for t in bundled_draft.tasks if t.code == "A01-36")
    assert "三门峡银保监分局" in task.responsibility_text


def test_field_printed_inline_at_the_end_of_a_prose_line(bundled_draft):
    task = next(t for t in bundled_draft.tasks if t.code == "A11-08.04")
    assert task.deadline_text == "持续推进"
    assert "时间节点" not in task.text


def test_goals_and_indicator_tables_are_not_tasks(bundled_draft):
    annex2 = bundled_draft.annexes[1]
    assert not any("指标" in t.title for t in annex2.tasks)
    assert annex2.tables and annex2.tables[0].header[0] == "指标项目"
    assert [row[0] for row in annex2.tables[0].rows] == ["办理环节", "开办成本", "办理时间"]
    assert any("1 个工作日办结" in g.text for g in annex2.goals)
    assert bundled_draft.annexes[0].sections[0].goal_text.startswith("2022年6月前,落地实施第一批50件")


def test_annex1_measures_have_no_deadline(bundled_draft):
    assert all(t.deadline_text is None for t in bundled_draft.annexes[0].tasks)
    assert all(t.responsibility_text for t in bundled_draft.annexes[0].tasks)


def test_bracket_convention_imports():
    text = """某县2023年优化营商环境实施方案

一、工作目标

全年新增市场主体10%。

二、主要措施

1.推进企业开办便利化。压缩开办时间至0.5个工作日。（牵头单位：县市场监管局；责任单位：县税务局、县公安局，2023年6月底前完成）

2.深化“放管服”改革。全面推行告知承诺制。（县政府办公室、县行政审批制度改革工作领导小组办公室牵头，县级各有关部门及各乡镇政府按职责分工负责）

三、保障措施

（一）加强领导。各单位要高度重视。
"""
    plan = parse_plan_text(text, "county.txt")
    assert plan.title == "某县2023年优化营商环境实施方案" and plan.year == 2023
    first, second = plan.tasks
    assert first.title == "推进企业开办便利化"
    assert first.deadline_text == "2023年6月底前"
    assert parse_responsibility(first.responsibility_text) == [("县市场监管局", "牵头"), ("县税务局", "责任单位"), ("县公安局", "责任单位")]
    assert first.text.endswith("压缩开办时间至0.5个工作日。")
    roles = parse_responsibility(second.responsibility_text)
    assert roles[:2] == [("县政府办公室", "牵头"), ("县行政审批制度改革工作领导小组办公室", "牵头")]
    assert roles[2] == ("县级各有关部门及各乡镇政府", "负责")


def test_page_break_joins_without_a_gap():
    lines = ["1.提高效率。持续深化改革，2022年底", "", "前完成清单。", "", "责任单位：市政务和大数据局牵头"]
    paras = paragraphs(lines, 0, len(lines) - 1)
    assert [p.kind for p in paras] == ["item", "field"]
    assert paras[0].text == "提高效率。持续深化改革，2022年底前完成清单。"
