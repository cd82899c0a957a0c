"""Who answers for a task: the one rule the unit tree, the dashboard, the ranking, the Excel 汇总 and the PDFs share.

A task's answerable units are its 牵头 units where the text marks them, otherwise its 负责/落实/责任单位
units (never its 配合 units).  Only real units answer: a collective with known members
(各县（市、区）人民政府) answers through each member's own assignment, and a vague collective
(市直相关部门, 各金融机构 …) answers through nobody: it is never ranked, praised or sent a document.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Assignment, Task, Unit, UnitMember
from db.vocabulary import COLLECTIVE_KIND, Role


class Responsibility(NamedTuple):
    """One assignment as the rule sees it."""

    unit_id: int
    role: str
    kind: str


def answerable(assignments: Iterable[Responsibility]) -> list[int]:
    """The unit ids that answer for one task, in the order given."""
    real = [a for a in assignments if a.kind != COLLECTIVE_KIND]
    leads = [a.unit_id for a in real if a.role == Role.LEAD]
    return leads or [a.unit_id for a in real if a.role != Role.SUPPORT]


def answerable_unit_ids(session: Session, plan_id: int) -> dict[int, list[int]]:
    """Every task of the plan (with any assignment) → its answerable unit ids."""
    rows = session.execute(
        select(Assignment.task_id, Assignment.unit_id, Assignment.role, Unit.kind)
        .join(Task, Task.id == Assignment.task_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Task.plan_id == plan_id)
        .order_by(Assignment.task_id, Assignment.position)
    )
    by_task: dict[int, list[Responsibility]] = {}
    for task_id, unit_id, role, kind in rows:
        by_task.setdefault(task_id, []).append(Responsibility(unit_id, role, kind))
    return {task_id: answerable(pairs) for task_id, pairs in by_task.items()}


def is_real_unit(kind: str) -> bool:
    """Real units report, are ranked and are sent templates and notices; collectives are not."""
    return kind != COLLECTIVE_KIND


def collective_members(session: Session, unit: Unit) -> list[Unit]:
    """The members a collective stands for (各县（市、区）人民政府 → each county's government); [] for any other unit."""
    if unit.kind != COLLECTIVE_KIND:
        return []
    if unit.expands_to_kind:
        return list(session.scalars(select(Unit).where(Unit.kind == unit.expands_to_kind).order_by(Unit.id)))
    # A collective a clerk defined while importing a plan lists its members (db.plan_review).
    return list(
        session.scalars(select(Unit).join(UnitMember, UnitMember.member_id == Unit.id).where(UnitMember.collective_id == unit.id).order_by(UnitMember.position))
    )
