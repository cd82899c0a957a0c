"""The figures a period's 通报 states, computed once: due tasks by category, 持续推进 apart, and the unit ranking.

Every document and view takes its numbers from here (``duban report figures --json`` prints them),
so the 通报, the Excel 汇总, the dashboard and the window cannot disagree.  A unit's figures count
the tasks it answers for (db.answerable); only real units are listed, so only they are ranked.
The ranking is by 按期办结率 = tasks signed off on time ÷ tasks due; a unit with nothing due has
no rate and no rank.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.answerable import answerable_unit_ids
from db.models import Unit
from db.vocabulary import DueCategory, Status
from db.warning_rules import RED, TaskState


@dataclass
class UnitStanding:
    """A unit's place in the ranking: the tasks it answers for, those due, and how they stand."""

    unit: str
    kind: str
    lead_tasks: int
    due: int
    done_on_time: int
    done_late: int
    overdue: int
    lagging: int
    extended: int = 0
    awaiting_sign_off: int = 0
    rank: int | None = None

    @property
    def rate(self) -> float | None:
        """按期办结率: signed off on time ÷ due; None when nothing is due."""
        return self.done_on_time / self.due if self.due else None

    @property
    def on_time_rate(self) -> float:
        return self.rate or 0.0

    def to_json(self) -> dict:
        rate = self.rate
        return {
            "unit": self.unit,
            "kind": self.kind,
            "tasks": self.lead_tasks,
            "due": self.due,
            "on_time": self.done_on_time,
            "late": self.done_late,
            "overdue": self.overdue,
            "extended": self.extended,
            "awaiting_sign_off": self.awaiting_sign_off,
            "lagging": self.lagging,
            "rate": round(rate, 4) if rate is not None else None,
            "rank": self.rank,
        }


@dataclass
class PeriodFigures:
    """The whole plan's figures for one period."""

    period: str
    tasks: int
    ongoing: int
    due_breakdown: dict[DueCategory, int]
    units: list[UnitStanding] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(self.due_breakdown.values())

    @property
    def dated(self) -> int:
        """Tasks with a dated time limit: the base of every completion rate."""
        return self.tasks - self.ongoing

    def count(self, category: DueCategory) -> int:
        return self.due_breakdown[category]

    def breakdown_text(self) -> str:
        """按期办结销号12项、逾期办结销号3项…: the categories in the document's words, each with its count."""
        return "、".join(f"{category.value}{n}项" for category, n in self.due_breakdown.items())

    def to_json(self) -> dict:
        return {
            "period": self.period,
            "tasks": self.tasks,
            "due": self.due,
            "due_breakdown": {category.value: n for category, n in self.due_breakdown.items()},
            "ongoing": self.ongoing,
            "units": [u.to_json() for u in self.units],
        }


def period_figures(session: Session, plan_id: int, period: str, states: dict[int, TaskState]) -> PeriodFigures:
    """Count the states of every task of the plan, and rank the units that answer for them.

    Tasks a revised version of the plan dropped (TaskState.removed) are not counted.
    """
    states = {task_id: state for task_id, state in states.items() if not state.removed}
    categories = Counter(s.category for s in states.values() if s.category is not None)
    return PeriodFigures(
        period=period,
        tasks=len(states),
        ongoing=sum(1 for s in states.values() if s.ongoing),
        due_breakdown={category: categories.get(category, 0) for category in DueCategory},
        units=unit_standings(session, plan_id, states),
    )


def unit_standings(session: Session, plan_id: int, states: dict[int, TaskState]) -> list[UnitStanding]:
    """Every real unit that answers for a task, best first; ranks shared by equal rates."""
    units = {u.id: u for u in session.scalars(select(Unit))}
    groups: dict[int, list[TaskState]] = {}
    for task_id, unit_ids in answerable_unit_ids(session, plan_id).items():
        if task_id not in states or states[task_id].removed:
            continue  # a task a revision dropped
        for unit_id in unit_ids:
            groups.setdefault(unit_id, []).append(states[task_id])
    standings = []
    for unit_id, mine in groups.items():
        count = Counter(s.category for s in mine)
        standings.append(
            UnitStanding(
                unit=units[unit_id].name,
                kind=units[unit_id].kind,
                lead_tasks=len(mine),
                due=sum(n for category, n in count.items() if category is not None),
                done_on_time=count[DueCategory.ON_TIME],
                done_late=count[DueCategory.LATE],
                overdue=count[DueCategory.OVERDUE],
                extended=count[DueCategory.EXTENDED],
                awaiting_sign_off=count[DueCategory.AWAITING_SIGN_OFF],
                lagging=sum(1 for s in mine if s.status == Status.LAGGING and s.colour != RED),
            )
        )
    standings.sort(key=lambda s: (s.rate is None, -(s.rate or 0), -s.due, s.overdue, s.unit))
    previous, rank = None, 0
    for position, standing in enumerate(standings, start=1):
        if standing.rate is None:
            break
        if standing.rate != previous:
            rank, previous = position, standing.rate
        standing.rank = rank
    return standings
