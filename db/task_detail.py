"""Everything the detail pane shows about one task, gathered in one read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.decisions import DecisionView, decisions_of
from db.ledger import TaskView, task_view
from db.models import Annex, Assignment, Goal, IndicatorTable, ProgressEntry, Task, Unit
from db.warning_rules import colour_history


@dataclass
class HistoryLine:
    """One stored report of a unit on the task."""

    unit: str
    role: str | None
    period: str
    status: str
    percent: int
    progress_text: str
    problems: str | None
    next_steps: str | None
    reporter: str | None
    entry_date: str
    version: int


@dataclass
class TaskDetail:
    """A task with its annex's targets, the office's decisions, its colours by month and every report."""

    task: TaskView
    section_goal: str | None
    annex_goals: list[tuple[str, str, bool]]
    indicator_tables: list[tuple[str, list[str], list[list[str]]]]
    decisions: DecisionView
    colours: list[tuple[str, str, str]]
    history: list[HistoryLine]


def task_detail(session: Session, task_id: int) -> TaskDetail:
    task = session.scalar(
        select(Task)
        .where(Task.id == task_id)
        .options(
            selectinload(Task.annex).selectinload(Annex.goals),
            selectinload(Task.annex).selectinload(Annex.indicator_tables).selectinload(IndicatorTable.rows),
            selectinload(Task.section),
            selectinload(Task.milestones),
            selectinload(Task.assignments).selectinload(Assignment.unit),
        )
    )
    roles = {a.unit_id: a.role for a in task.assignments}
    rows = session.execute(
        select(ProgressEntry, Unit.name)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .where(ProgressEntry.task_id == task_id)
        .order_by(ProgressEntry.period.desc(), Unit.name)
    ).all()
    history = [
        HistoryLine(
            unit=name,
            role=roles.get(e.unit_id),
            period=e.period,
            status=e.status,
            percent=e.percent,
            progress_text=e.progress_text,
            problems=e.problems,
            next_steps=e.next_steps,
            reporter=e.reporter,
            entry_date=e.entry_date.isoformat(),
            version=e.version,
        )
        for e, name in rows
    ]
    goals: list[Goal] = task.annex.goals
    return TaskDetail(
        task=task_view(task),
        section_goal=task.section.goal_text if task.section else None,
        annex_goals=[(g.kind, g.text, g.is_quantitative) for g in goals if g.section_id is None],
        indicator_tables=[(t.title, list(t.header), [list(r.cells) for r in t.rows]) for t in task.annex.indicator_tables],
        decisions=decisions_of(session, task_id),
        colours=colour_history(session, task_id),
        history=history,
    )
