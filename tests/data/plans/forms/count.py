"""How many tasks of the forms corpus duban reads exactly right, per form (docx table, xlsx table, PDF).

`python -m tests.data.plans.forms.count` from the repository root prints the counts; tests/test_plan_forms.py
asserts them.  A task is right when it is found in its place, its text holds the words the hand reading quotes, its lead
units are the hand-read ones, and its deadline and due date are too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.data.plans.forms.plans import files

HERE = Path(__file__).parent
FORMS = ("docx", "xlsx", "pdf")


@dataclass
class FileScore:
    """One file: the tasks the hand reading has, how many duban read right, and what it got wrong."""

    name: str
    form: str
    expected: int
    found: int
    right: int
    misses: list[str] = field(default_factory=list)


def _read(task, year):
    from db.deadlines import DeadlineError, due_of, parse_deadline

    units = task.unit_pairs()
    try:
        due = due_of(parse_deadline(task.deadline_text, year))
    except DeadlineError:
        due = None
    return task.text, [name for name, role in units if role == "牵头"], task.deadline_text or None, due.isoformat() if due else None


def score_file(form: str, name: str, plan: dict) -> FileScore:
    from db.errors import UserError
    from exports.plan_reading import read_plan_document

    expected = plan["expect"]
    try:
        reading = read_plan_document(HERE / name)
    except UserError as exc:
        return FileScore(name, form, len(expected), 0, 0, [f"未读出：{exc.message}"])
    tasks = reading.draft.tasks
    result = FileScore(name, form, len(expected), len(tasks), 0)
    for index, (start, lead, deadline, due) in enumerate(expected):
        if index >= len(tasks):
            result.misses.append(f"第{index + 1}项“{start}”未找到")
            continue
        text, got_lead, got_deadline, got_due = _read(tasks[index], reading.draft.year)
        wrong = []
        if start not in text:
            wrong.append(f"任务“{text[:20]}”")
        if got_lead != lead:
            wrong.append(f"牵头单位 {got_lead}（应为 {lead}）")
        if (got_deadline, got_due) != (deadline, due):
            wrong.append(f"时限 {got_deadline}/{got_due}（应为 {deadline}/{due}）")
        if wrong:
            result.misses.append(f"第{index + 1}项“{start}”：" + "，".join(wrong))
        else:
            result.right += 1
    return result


def scores() -> list[FileScore]:
    return [score_file(form, name, plan) for form, name, plan in files()]


def per_form(found: list[FileScore]) -> dict[str, tuple[int, int, int]]:
    """form → (tasks right, tasks in the hand reading, files)."""
    totals = {}
    for form in FORMS:
        mine = [s for s in found if s.form == form]
        right = sum(s.right for s in mine)
        # a task read that the hand reading does not have counts against the form, as a missed one does
        total = sum(max(s.expected, s.found) for s in mine)
        totals[form] = (right, total, len(mine))
    return totals


def main() -> None:
    found = scores()
    for s in found:
        print(f"{s.form:5} {s.right:>3}/{s.expected:<3} {s.name}")
        for miss in s.misses:
            print(f"        {miss}")
    print()
    for form, (right, total, count) in per_form(found).items():
        print(f"{form:5} {right}/{total} 项任务完全正确（{right / total:.1%}），{count} 个文件")


if __name__ == "__main__":
    main()
