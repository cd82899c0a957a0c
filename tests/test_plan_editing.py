"""A clerk's edits to a plan in the preview (exports.plan_editing): wording, merge, split, each checking the doubts again."""

from __future__ import annotations

import pytest

from db.errors import UserError
from db.plan_review import UnitQuestion
from exports.plan_editing import doubts_of, edit_task, merge_with_next, split_task, unit_doubts
from exports.plan_reading import read_plan_document

PLAN = """2024年青川区政务公开工作要点
一、深化重点领域信息公开
1.及时公开重大项目批准和实施信息,6月底前完成。(青川区发展改革局负责)
2.做好政策解读,9月底前完成。
3.回应社会关切,年底前完成。(青川区政府办公室牵头,青川区融媒体中心配合)
"""


@pytest.fixture
def reading(tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text(PLAN, encoding="utf-8")
    return read_plan_document(path)


def test_a_task_given_its_units_loses_its_doubt_and_a_bad_deadline_gains_one(reading):
    first, second, third = reading.draft.tasks
    assert [d.message for d in doubts_of(reading, second.code)] == [f"要点.txt 第4行（{second.code} {second.title}）：没有牵头或责任单位。"]
    edited = edit_task(reading, second.code, responsibility_text="青川区政府办公室牵头,青川区融媒体中心配合")
    assert edited.unit_pairs() == [("青川区政府办公室", "牵头"), ("青川区融媒体中心", "配合")]
    assert doubts_of(reading, second.code) == []
    edit_task(reading, third.code, deadline_text="择机")
    assert "无法换算为日期" in doubts_of(reading, third.code)[0].message
    with pytest.raises(UserError, match="超过 5000 字"):
        edit_task(reading, first.code, text="字" * 5001)
    assert first.text.startswith("及时公开")


def test_merge_joins_text_units_and_source_lines_and_split_gives_the_rest_a_code_of_its_own(reading):
    first, second, third = (t.code for t in reading.draft.tasks)
    merged = merge_with_next(reading, first)
    assert [t.code for t in reading.draft.tasks] == [first, third]
    assert merged.text == "及时公开重大项目批准和实施信息,6月底前完成。做好政策解读,9月底前完成。"
    assert reading.spans[first] == (3, 4) and second not in reading.spans
    assert doubts_of(reading, first) == []  # the units of the first now answer for both
    with pytest.raises(UserError, match="之后没有"):
        merge_with_next(reading, third)

    rest = split_task(reading, first, merged.text.index("做好政策解读"))
    assert [t.code for t in reading.draft.tasks] == [first, f"{first}-2", third]
    assert (rest.title, rest.text, rest.deadline_text) == ("做好政策解读,9月底前完成", "做好政策解读,9月底前完成。", merged.deadline_text)
    assert reading.draft.tasks[0].text == "及时公开重大项目批准和实施信息,6月底前完成。"
    assert reading.spans[rest.code] == (3, 4)
    with pytest.raises(UserError, match="两部分都不能为空"):
        split_task(reading, third, 0)


def test_unknown_units_are_doubts_on_their_tasks_until_settled(reading):
    question = UnitQuestion("青川区发展改革局", [reading.draft.tasks[0].code], [])
    doubts = unit_doubts(reading, [question])
    assert [d.code for d in doubts] == [reading.draft.tasks[0].code] and "单位“青川区发展改革局”不在单位表中" in doubts[0].message
    assert unit_doubts(reading, [question], {"青川区发展改革局"}) == []
