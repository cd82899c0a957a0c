"""The office's monthly review: what changed since last month, and the completion figures.

Completion counts a task for its answerable units only (db.answerable), and only once the office
has signed it off; 已完成 reports without sign-off are counted apart as "reported done".  Tasks
with no dated time limit (持续推进) stay out of completion rates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Annex, Assignment, ProgressEntry, Task, Unit
from db.periods import period_end, period_start, shift_period
from db.vocabulary import COLLECTIVE_KIND
from db.warning_rules import DONE, RED, SIGNED_OFF, TaskState, lead_unit_ids, task_states


@dataclass
class TaskLine:
    """A task named in a review list, with why it is there."""

    task_id: int
    code: str
    title: str
    why: str


@dataclass
class MonthComparison:
    """What changed between the previous period and this one."""

    period: str
    previous: str
    newly_done: list[TaskLine] = field(default_factory=list)
    newly_overdue: list[TaskLine] = field(default_factory=list)
    no_new_report: list[TaskLine] = field(default_factory=list)
    units_not_reported: list[tuple[str, int]] = field(default_factory=list)


def compare_months(
    session: Session, plan_id: int, period: str, *, due_soon_days: int, today: dt.date | None = None
) -> MonthComparison:
    """Newly done, newly overdue, tasks without a new report, and units that have not reported."""
    previous = shift_period(period, -1)
    now = task_states(session, plan_id, period, due_soon_days=due_soon_days, today=today)
    before = task_states(session, plan_id, previous, due_soon_days=due_soon_days, today=today)
    titles = dict(session.execute(select(Task.id, Task.code + " " + Task.title).where(Task.plan_id == plan_id)).all())
    order = dict(session.execute(select(Task.id, Task.position).where(Task.plan_id == plan_id)).all())
    result = MonthComparison(period, previous)

    def line(task_id: int, why: str) -> TaskLine:
        code, _, title = titles[task_id].partition(" ")
        return TaskLine(task_id, code, title, why)

    first, last = period_start(period), period_end(period)
    for task_id in sorted(now, key=order.get):
        state, earlier = now[task_id], before[task_id]
        if state.signed_off_on and first <= state.signed_off_on <= last:
            result.newly_done.append(line(task_id, f"{state.signed_off_on.isoformat()} 办结销号"))
        elif state.reported_done and not earlier.reported_done:
            result.newly_done.append(line(task_id, "责任单位均已报完成，待销号"))
        if state.colour == RED and earlier.colour != RED:
            result.newly_overdue.append(line(task_id, state.reason))
        if state.colour != DONE and not state.reported_this_period:
            result.no_new_report.append(line(task_id, f"最近报送：{state.last_period or '从未报送'}"))
    open_tasks = {t for t, s in now.items() if s.colour != DONE}
    assigned = session.execute(
        select(Unit.name, Assignment.task_id)
        .join(Assignment, Assignment.unit_id == Unit.id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.plan_id == plan_id, Unit.kind != COLLECTIVE_KIND)
    ).all()
    reported_units = set(
        session.scalars(
            select(Unit.name).join(ProgressEntry, ProgressEntry.unit_id == Unit.id).join(Task, Task.id == ProgressEntry.task_id).where(Task.plan_id == plan_id, ProgressEntry.period == period, ProgressEntry.deleted_at.is_(None))
        )
    )
    waiting = Counter(name for name, task_id in assigned if task_id in open_tasks and name not in reported_units)
    result.units_not_reported = sorted(waiting.items(), key=lambda item: (-item[1], item[0]))
    return result


@dataclass
class Completion:
    """A bar of the completion charts: how many of a group's tasks are signed off."""

    key: str
    label: str
    total: int
    signed_off: int
    reported_done: int
    overdue: int

    @property
    def rate(self) -> float:
        return self.signed_off / self.total if self.total else 0.0


def _completion(key: str, label: str, task_ids: list[int], states: dict[int, TaskState]) -> Completion:
    # Tasks without a dated deadline, and tasks a revision of the plan dropped, have no completion to rate.
    picked = [states[t] for t in task_ids if t in states and not states[t].ongoing and not states[t].removed]
    return Completion(
        key=key,
        label=label,
        total=len(picked),
        signed_off=sum(s.status == SIGNED_OFF for s in picked),
        reported_done=sum(s.reported_done and s.status != SIGNED_OFF for s in picked),
        overdue=sum(s.colour == RED for s in picked),
    )


def completion_by_annex(session: Session, plan_id: int, states: dict[int, TaskState]) -> list[Completion]:
    rows = session.execute(select(Annex.number, Annex.topic, Task.id).join(Task, Task.annex_id == Annex.id).where(Annex.plan_id == plan_id).order_by(Annex.number)).all()
    groups: dict[tuple[int, str], list[int]] = {}
    for number, topic, task_id in rows:
        groups.setdefault((number, topic), []).append(task_id)
    return [_completion(str(number), f"附件{number}", ids, states) for (number, _topic), ids in groups.items()]


def completion_by_lead_unit(session: Session, plan_id: int, states: dict[int, TaskState]) -> list[Completion]:
    """Each real unit's answerable dated tasks (not those it supports), most tasks first."""
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    groups: dict[int, list[int]] = {}
    for task_id, unit_ids in lead_unit_ids(session, plan_id).items():
        for unit_id in unit_ids:
            groups.setdefault(unit_id, []).append(task_id)
    bars = [_completion(names[u], names[u], ids, states) for u, ids in groups.items()]
    return sorted((b for b in bars if b.total), key=lambda b: (-b.total, b.label))


def status_distribution(states: dict[int, TaskState]) -> dict[str, int]:
    """How many tasks stand at each status (已销号, 推进中, 未报送 …), largest first."""
    return dict(Counter(s.status for s in states.values()).most_common())
