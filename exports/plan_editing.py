"""What a clerk changes in a plan's preview before it is imported: a task's wording, two tasks merged, one split.

Each edit works on a PlanReading in place and checks its doubts again (exports.plan_reading.task_doubts), so the
preview never shows a doubt about a task that is gone or misses one about a task just made.  Nothing here touches
a ledger.
"""

from __future__ import annotations

import copy

from db.errors import UserError
from db.plan_draft import AnnexDraft, TaskDraft
from db.plan_text import squeeze_title
from exports.plan_reading import Doubt, PlanReading, task_doubts

EDITABLE = ("title", "text", "deadline_text", "responsibility_text")
MAX_FIELD_CHARS = 5000


def place_of(reading: PlanReading, task: TaskDraft) -> str:
    """Where a task was read from, as a doubt names it: "计划.txt 第12行" or "分工表.docx 表1第3行"."""
    name = reading.draft.source_name
    first = reading.spans.get(task.code, (0, 0))[0]
    if reading.form == "table" and 0 < first <= len(reading.source_lines):
        return f"{name} {reading.source_lines[first - 1].partition('：')[0]}"
    return f"{name} 第{task.line_start or first}行"


def recheck(reading: PlanReading) -> None:
    """The doubts again after an edit: the file's own (no task) kept, every task's recomputed."""
    kept = [d for d in reading.doubts if d.code is None]
    reading.doubts = kept + task_doubts(reading.draft, lambda t: place_of(reading, t))


def find_task(reading: PlanReading, code: str) -> tuple[AnnexDraft, int]:
    """The annex holding a task and the task's index in it; a UserError if the preview lost it."""
    for annex in reading.draft.annexes:
        for index, task in enumerate(annex.tasks):
            if task.code == code:
                return annex, index
    raise UserError(f"预览中没有编号为 {code} 的任务（可能已被合并）。")


def edit_task(reading: PlanReading, code: str, **fields: str | None) -> TaskDraft:
    """Change a task's title, text, deadline or responsibility wording as the clerk typed it.

    A changed responsibility wording is read again by the phrase rules (units=None), as a printed one would be.
    What the reader doubted about the task is settled by the clerk's edit and cleared.
    """
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    annex, index = find_task(reading, code)
    task = annex.tasks[index]
    cleaned = {k: (v or "").strip() for k, v in fields.items()}
    for key, value in cleaned.items():
        if len(value) > MAX_FIELD_CHARS:
            raise UserError(f"任务 {code} 的{_FIELD_NAMES[key]}超过 {MAX_FIELD_CHARS} 字，请删减。")
    if "title" in cleaned and not cleaned["title"] and not cleaned.get("text", task.text):
        raise UserError(f"任务 {code} 的标题和内容不能都为空。")
    if "responsibility_text" in cleaned and (cleaned["responsibility_text"] or None) != task.responsibility_text:
        task.units = None
    for key, value in cleaned.items():
        setattr(task, key, value or (None if key in ("deadline_text", "responsibility_text") else ""))
    if not task.title:
        task.title = _title_of(task.text)
    task.problems = []
    recheck(reading)
    return task


def merge_with_next(reading: PlanReading, code: str) -> TaskDraft:
    """Join a task and the one after it in the same annex (a task the reader cut in two): one task, the first's code."""
    annex, index = find_task(reading, code)
    if index + 1 >= len(annex.tasks):
        raise UserError(f"任务 {code} 之后没有同一附件中的任务可以合并。")
    first, second = annex.tasks[index], annex.tasks.pop(index + 1)
    first.text = _joined(first.text, second.text)
    first.deadline_text = _joined_field(first.deadline_text, second.deadline_text)
    if first.responsibility_text != second.responsibility_text:
        first.responsibility_text = _joined_field(first.responsibility_text, second.responsibility_text)
        first.units = None if first.units is None or second.units is None else _unique(first.units + second.units)
    first.footnotes += second.footnotes
    first.problems += second.problems
    if second.line_end and (first.line_end or 0) < second.line_end:
        first.line_end = second.line_end
    a, b = reading.spans.get(first.code), reading.spans.pop(second.code, None)
    if a and b:
        reading.spans[first.code] = (min(a[0], b[0]), max(a[1], b[1]))
    elif b:
        reading.spans[first.code] = b
    recheck(reading)
    return first


def split_task(reading: PlanReading, code: str, at: int) -> TaskDraft:
    """Cut a task's text at a position: the rest becomes a new task right after it, with a code of its own.

    Both parts keep the deadline and responsibility wording; the clerk corrects whichever is wrong.
    """
    annex, index = find_task(reading, code)
    task = annex.tasks[index]
    head, tail = task.text[:at].strip(), task.text[at:].strip()
    if not head or not tail:
        raise UserError(f"请把光标放在任务 {code} 内容的中间再拆分：拆分后的两部分都不能为空。")
    rest = copy.deepcopy(task)
    taken = {t.code for t in reading.draft.tasks}
    number = 2
    while f"{code}-{number}" in taken:
        number += 1
    rest.code = f"{code}-{number}"
    task.text, rest.text = head, tail
    rest.title = _title_of(tail)
    if task.title not in head:
        task.title = _title_of(head)
    task.problems, rest.problems = [], []
    annex.tasks.insert(index + 1, rest)
    if code in reading.spans:
        reading.spans[rest.code] = reading.spans[code]
    recheck(reading)
    return rest


def doubts_of(reading: PlanReading, code: str) -> list[Doubt]:
    return [d for d in reading.doubts if d.code == code]


_FIELD_NAMES = {"title": "标题", "text": "内容", "deadline_text": "完成时限", "responsibility_text": "责任单位"}


def _title_of(text: str) -> str:
    head, dot, _ = text.partition("。")
    return squeeze_title(head if dot else text)[:80]


def _joined(a: str, b: str) -> str:
    return a + ("" if not a or a.endswith(("。", "；", "，", "：")) else "。") + b


def _joined_field(a: str | None, b: str | None) -> str | None:
    if not a or not b or a == b:
        return a or b
    return f"{a}；{b}"


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    return [p for p in pairs if not (p[0] in seen or seen.add(p[0]))]


def unit_doubts(reading: PlanReading, questions, settled: set[str] = frozenset()) -> list[Doubt]:
    """A doubt on every task naming a unit the ledger does not know, until the clerk settles the spelling."""
    by_code = {t.code: t for t in reading.draft.tasks}
    doubts = []
    for question in questions:
        if question.spelling in settled:
            continue
        for code in question.tasks:
            code = getattr(code, "code", code)
            task = by_code.get(code)
            if task is not None:
                doubts.append(Doubt(f"{place_of(reading, task)}（{code} {task.title}）：单位{question.shown}不在单位表中，请在“单位核对”页确认。", code))
    return doubts
