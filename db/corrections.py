"""Clerks' corrections to the plan data: a task's title, text, deadline and units, with the audit trail.

A corrected task is marked (corrected_at/by) and kept as corrected when the plan is imported again.
When the title or text no longer read as printed, the printed wording is kept beside them
(Task.printed_title/printed_text, the same mechanism as the shipped errata in db.errata) with the
clerk's reason, so the task shows "与印发原文不同".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office
from db.answerable import collective_members
from db.deadlines import DeadlineError, parse_deadline
from db.errors import UserError
from db.ledger import find_unit
from db.models import Assignment, Milestone, Task, utcnow
from db.plan_import import task_snapshot
from db.responsibility import ROLES


@dataclass
class TaskCorrection:
    """The corrected values of a task; units are (name in any spelling, role) in order."""

    title: str
    text: str
    deadline_text: str | None
    units: list[tuple[str, str]]
    reason: str


def check_correction(session: Session, task: Task, fix: TaskCorrection) -> dict[str, str]:
    """Problems keyed by field (title, text, deadline, units, reason) so the dialog shows each by its field."""
    problems = {}
    if not fix.title.strip():
        problems["title"] = "任务名称不能为空。"
    if not fix.text.strip():
        problems["text"] = "任务原文不能为空。"
    try:
        parse_deadline(fix.deadline_text, task.plan.year)
    except DeadlineError as exc:
        problems["deadline"] = f"时间节点无法换算为日期：{exc}。可写作“2022年6月底前”“2022年12月”或“持续推进”。"
    unit_problems = []
    seen = set()
    for name, role in fix.units:
        try:
            unit = find_unit(session, name)
        except UserError:
            unit_problems.append(f"未知单位：“{name}”，请使用台账中的单位名称或其别名。")
            continue
        if role not in ROLES:
            unit_problems.append(f"“{name}”的角色“{role}”无效，应为：{'、'.join(ROLES)}。")
        if unit.id in seen:
            unit_problems.append(f"单位“{unit.name}”重复。")
        seen.add(unit.id)
    if not fix.units:
        unit_problems.append("至少需要一个责任单位。")
    if unit_problems:
        problems["units"] = "".join(unit_problems)
    if not fix.reason.strip():
        problems["reason"] = "请填写更正原因（例如：与原文核对有误）。"
    return problems


def correct_task(session: Session, task: Task, fix: TaskCorrection, *, operator: str) -> bool:
    """Apply a correction in the caller's transaction; returns False when nothing changed."""
    refuse_unless_office(session, "更正任务")
    problems = check_correction(session, task, fix)
    if problems:
        raise UserError(f"任务 {task.code} 的更正未保存：", list(problems.values()))
    before = task_snapshot(task)
    deadline = (fix.deadline_text or "").strip() or None
    milestones = parse_deadline(deadline, task.plan.year)
    units = [(find_unit(session, name), role) for name, role in fix.units]
    previous_spelling = {a.unit_id: a.as_printed for a in task.assignments}
    printed_title = task.printed_title if task.printed_title is not None else task.title
    printed_text = task.printed_text if task.printed_text is not None else task.text
    task.title, task.text, task.deadline_text = fix.title.strip(), fix.text.strip(), deadline
    wording_changed = (task.title, task.text) != (before["title"], before["text"])
    task.printed_title = printed_title if task.title != printed_title else None
    task.printed_text = printed_text if task.text != printed_text else None
    if task.printed_title is None and task.printed_text is None:
        task.wording_note = None
    elif wording_changed:
        task.wording_note = fix.reason.strip()
    if [(m.wording, m.due, m.ongoing, m.note) for m in task.milestones] != [(m.wording, m.due, m.ongoing, m.note) for m in milestones]:
        task.milestones.clear()
        session.flush()
        for pos, m in enumerate(milestones):
            task.milestones.append(Milestone(position=pos, wording=m.wording, due=m.due, ongoing=m.ongoing, note=m.note))
    if [(a.unit_id, a.role) for a in task.assignments if a.via_unit_id is None] != [(u.id, role) for u, role in units]:
        task.assignments.clear()
        session.flush()
        rows = [(unit, role, previous_spelling.get(unit.id, unit.name), None) for unit, role in units]
        named = {unit.id for unit, _role in units}
        for unit, role, as_printed, _via in list(rows):
            for member in collective_members(session, unit):
                if member.id not in named:
                    named.add(member.id)
                    rows.append((member, role, as_printed, unit.id))
        for pos, (unit, role, as_printed, via) in enumerate(rows):
            task.assignments.append(Assignment(unit_id=unit.id, role=role, as_printed=as_printed, position=pos, via_unit_id=via))
    session.flush()
    after = task_snapshot(task)
    if after == before:
        return False
    task.corrected_at = utcnow()
    task.corrected_by = operator
    audit.record(session, "task.correct", "task", task.code, before=before, after=after, operator=operator, note=fix.reason.strip())
    return True
