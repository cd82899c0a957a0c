"""Real published task tables read from Word, Excel and PDF: ≥ 95% of the tasks exactly right in each form.

The corpus is tests/data/plans/forms/ (sources and hand readings in plans.py, the files built by make_forms.py);
`python -m tests.data.plans.forms.count` prints the same counts with every miss.
"""

from __future__ import annotations

import pytest

from tests.data.plans.forms.count import FORMS, per_form, scores
from tests.data.plans.forms.plans import files


@pytest.fixture(scope="module")
def found():
    return scores()


@pytest.mark.parametrize("form", FORMS)
def test_each_form_reads_95_percent_of_the_tasks_with_their_leads_and_deadlines(found, form):
    right, total, count = per_form(found)[form]
    misses = [f"{s.name}: {m}" for s in found if s.form == form for m in s.misses]
    print(f"{form}: {right}/{total} tasks exactly right in {count} files")
    assert count >= (3 if form == "pdf" else 4)
    assert total >= 10
    assert right / total >= 0.95, "\n".join(misses)


def test_every_table_file_finds_every_task_and_no_other(found):
    """A miss in a table is a real loss for the clerk: the table forms read every task of every file."""
    for s in found:
        if s.name.endswith((".docx", ".xlsx")):
            assert (s.found, s.right) == (s.expected, s.expected), s.misses


def test_the_corpus_files_are_the_ones_make_forms_builds(found):
    from pathlib import Path

    here = Path(__file__).parent / "data" / "plans" / "forms"
    built = {p.name for p in here.iterdir() if p.suffix in (".docx", ".xlsx", ".pdf")}
    assert built == {name for _form, name, _plan in files()}
    assert all((here / name).stat().st_size < 100 * 1024 for name in built)  # small files in the repository


def test_a_progress_column_and_a_leader_column_are_not_read_as_units():
    """崇川区's 台账 has 分管领导 (a person) and two 推进情况 columns beside 牵头单位."""
    from exports.plan_reading import read_plan_document

    here = __import__("pathlib").Path(__file__).parent / "data" / "plans" / "forms"
    reading = read_plan_document(here / "崇川区2023年区政府重点民生实事项目推进情况台账.xlsx")
    task = reading.draft.tasks[0]
    names = [n for n, _role in task.units]
    assert "徐国江" not in names and names[0] == "城管局"
    assert "完成30%" not in task.text and "完成60%" not in task.text
    fields = {c.header: c.field for c in reading.layouts[0].columns}
    assert fields["分管领导"] == "ignore" and fields["1-11月推进情况"] == "ignore"


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_the_chapter_column_merged_down_is_every_tasks_section(suffix):
    """厦门's 任务分解表 names its 类别 column 章节 and merges it down the rows of the chapter."""
    from pathlib import Path

    from exports.plan_reading import read_plan_document

    here = Path(__file__).parent / "data" / "plans" / "forms"
    reading = read_plan_document(here / f"厦门市2023年再创营商环境新优势行动方案任务分解表{suffix}")
    assert [t.section_label for t in reading.draft.tasks] == ["1.便利市场准入退出"] * 5
    assert reading.layouts[0].mapping["章节"] == "category"
