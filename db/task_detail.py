"""Everything the detail pane shows about one task, gathered in one read."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.acts import ActView, task_acts
from db.decisions import DecisionView, decisions_of
from db.evidence import EvidenceView, evidence_of
from db.indicator_actuals import IndicatorStanding, indicator_standing
from db.ledger import TaskView, task_view
from db.models import Annex, Assignment, Goal, IndicatorTable, ProgressEntry, Task, Unit
from db.progress import ProgressView, progress_view
from db.settings import load_settings
from db.warning_rules import colour_history


@dataclass
class TaskDetail:
    """A task with its annex's targets, the office's decisions and acts, its colours by month and every report."""

    task: TaskView
    section_goal: str | None
    annex_goals: list[tuple[str, str, bool]]
    indicator_tables: list[tuple[str, list[str], list[list[str]]]]
    decisions: DecisionView
    colours: list[tuple[str, str, str]]
    history: list[ProgressView]
    unit_roles: dict[str, str]
    evidence: list[tuple[str, str, EvidenceView]]  # (period, unit, attachment), newest report first
    acts: list[ActView]  # the office's acts naming the task (约谈, 督查, 回头看 …), oldest first
    indicators: list[IndicatorStanding] = field(default_factory=list)  # the annex's, in the settings' current period


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
    rows = session.execute(
        select(ProgressEntry, Unit.name)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .where(ProgressEntry.task_id == task_id, ProgressEntry.deleted_at.is_(None))
        .order_by(ProgressEntry.period.desc(), Unit.name)
    ).all()
    history = [progress_view(e, task.code, name) for e, name in rows]
    attached = evidence_of(session, [e.uuid for e, _name in rows])
    evidence = [(e.period, name, item) for e, name in rows for item in attached.get(e.uuid, [])]
    goals: list[Goal] = task.annex.goals
    return TaskDetail(
        task=task_view(task),
        section_goal=task.section.goal_text if task.section else None,
        annex_goals=[(g.kind, g.text, g.is_quantitative) for g in goals if g.section_id is None],
        indicator_tables=[(t.title, list(t.header), [list(r.cells) for r in t.rows]) for t in task.annex.indicator_tables],
        decisions=decisions_of(session, task_id),
        colours=colour_history(session, task_id),
        history=history,
        unit_roles={a.unit.name: a.role for a in task.assignments},
        evidence=evidence,
        acts=task_acts(session, task_id),
        indicators=indicator_standing(session, task.plan_id, load_settings(session).current_period, annex=task.annex.number),
    )
