"""What the Excel ledgers, the monthly 通报 and the 督办通知单 say, computed once from the ledger.

Each task line carries the plan's wording and the lead units' latest report up to the period
(for a unit's own ledger, that unit's report).  Figures follow db/warning_rules and db/review:
a task counts as done only when signed off, and for its answerable units only (db.answerable).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.assessment import MonthAssessment, month_assessment
from db.figures import PeriodFigures, UnitStanding, period_figures
from db.indicator_actuals import IndicatorProgress, indicator_progress
from db.ledger import TaskView, find_unit, list_plans, list_tasks, resolve_plan_id
from db.measure_links import MeasureSummary, measure_summary
from db.models import ProgressEntry, Unit
from db.periods import check_period
from db.progress import latest_entry_ids
from db.review import completion_by_annex, completion_by_lead_unit
from db.settings import OfficeSettings, load_settings
from db.vocabulary import Role, Status
from db.warning_rules import DONE, GREY, RED, YELLOW, TaskState, lead_unit_ids, reference_date, task_states


@dataclass
class TaskLine:
    """One row of a ledger or report: the task as written and where it stands in the period."""

    task: TaskView
    state: TaskState
    status: str
    percent: int | None
    progress_text: str
    problems: str
    next_steps: str
    last_report: str
    reporting_units: list[str] = field(default_factory=list)

    @property
    def lead_text(self) -> str:
        return "、".join(self.task.lead) or "、".join(u.name for u in self.task.units if u.role != Role.SUPPORT)

    @property
    def support_text(self) -> str:
        return "、".join(self.task.support)

    @property
    def deadline_text(self) -> str:
        text = (self.task.deadline or Status.ONGOING.value).replace("\n", "；")
        if self.state.extended and self.state.due:
            text += f"（已延期至{self.state.due.year}年{self.state.due.month}月{self.state.due.day}日）"
        return text


@dataclass
class PeriodReport:
    """Everything the exports of one period need."""

    plan_title: str
    doc_number: str | None
    settings: OfficeSettings
    period: str
    reference: dt.date
    lines: list[TaskLine]
    annex_titles: dict[int, str]
    unit: str | None = None
    by_annex: list = field(default_factory=list)
    by_unit: list = field(default_factory=list)
    figures: PeriodFigures | None = None
    # 附件1's measures judged by the special-annex tasks confirmed to carry them out (db.measure_links).
    measures: MeasureSummary | None = None
    # The plan's indicators against the target due by the month's end (db.indicator_actuals).
    indicators: IndicatorProgress | None = None

    # The month's 综合考评: as the office stored it, else worked out now from the scheme in force (db.assessment).
    assessment: MonthAssessment | None = None

    @property
    def standings(self) -> list[UnitStanding]:
        return self.figures.units if self.figures else []

    @property
    def due_count(self) -> int:
        """Tasks due in the period (db.warning_rules), whatever category they fall in."""
        return sum(1 for line in self.lines if line.state.category is not None)

    @property
    def done_count(self) -> int:
        return sum(1 for line in self.lines if line.state.colour == DONE)

    @property
    def overdue(self) -> list[TaskLine]:
        return [line for line in self.lines if line.state.colour == RED]

    @property
    def lagging(self) -> list[TaskLine]:
        return [line for line in self.lines if line.state.colour == YELLOW and line.status == Status.LAGGING]

    @property
    def on_track_count(self) -> int:
        return sum(1 for line in self.lines if line.state.colour not in (DONE, RED) and line.status != Status.LAGGING)

    @property
    def warnings(self) -> list[TaskLine]:
        """The warning list: overdue, then due soon or lagging, then not reported."""
        order = {RED: 0, YELLOW: 1, GREY: 2}
        return sorted((line for line in self.lines if line.state.colour in order), key=lambda line: order[line.state.colour])


def _latest_reports(session: Session, plan_id: int, period: str, unit_id: int | None):
    """Each (task, unit)'s latest report up to the period, with its unit name."""
    rows = session.execute(
        select(ProgressEntry, Unit.name)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .where(ProgressEntry.id.in_(latest_entry_ids(period, plan_id=plan_id, unit_id=unit_id)))
    ).all()
    by_task: dict[int, list] = {}
    for entry, name in rows:
        by_task.setdefault(entry.task_id, []).append((entry, name))
    return by_task


def _join(parts: list[str]) -> str:
    return "\n".join(p for p in parts if p)


def period_report(session: Session, period: str, *, unit: str | None = None, plan_id: int | None = None, today: dt.date | None = None) -> PeriodReport:
    """The period's figures and task lines: the whole plan, or one unit's 牵头 and 配合 tasks."""
    period = check_period(period)
    pid = resolve_plan_id(session, plan_id)
    settings = load_settings(session)
    plan = next(p for p in list_plans(session) if p.id == pid)
    unit_row = find_unit(session, unit) if unit else None
    tasks = list_tasks(session, plan_id=pid, unit=unit_row.name if unit_row else None)
    states = task_states(session, pid, period, due_soon_days=settings.due_soon_days, today=today)
    leads = lead_unit_ids(session, pid)
    reports = _latest_reports(session, pid, period, unit_row.id if unit_row else None)
    lines = []
    for task in tasks:
        mine = reports.get(task.id, [])
        if unit_row is None:
            chosen = [(e, n) for e, n in mine if e.unit_id in leads.get(task.id, set())]
        else:
            chosen = mine
        chosen.sort(key=lambda pair: pair[1])
        prefix = len(chosen) > 1
        state = states[task.id]
        own = chosen[0][0] if unit_row is not None and chosen else None
        lines.append(
            TaskLine(
                task=task,
                state=state,
                status=own.status if own else state.status,
                percent=own.percent if own else state.percent,
                progress_text=_join([(f"【{n}】" if prefix else "") + e.progress_text for e, n in chosen]),
                problems=_join([(f"【{n}】" if prefix else "") + (e.problems or "") for e, n in chosen if e.problems]),
                next_steps=_join([(f"【{n}】" if prefix else "") + (e.next_steps or "") for e, n in chosen if e.next_steps]),
                last_report=max((f"{e.period}（{e.entry_date.isoformat()}）" for e, _n in chosen), default=""),
                reporting_units=[n for _e, n in chosen],
            )
        )
    report = PeriodReport(
        plan_title=plan.title,
        doc_number=plan.doc_number,
        settings=settings,
        period=period,
        reference=reference_date(period, today),
        lines=lines,
        annex_titles={t.annex: t.annex_title for t in tasks},
        unit=unit_row.name if unit_row else None,
    )
    if unit_row is None:
        report.by_annex = completion_by_annex(session, pid, states)
        report.by_unit = completion_by_lead_unit(session, pid, states)
        report.figures = period_figures(session, pid, period, states)
        report.measures = measure_summary(session, pid, period, today=today)
        report.indicators = indicator_progress(session, pid, period)
        report.assessment = month_assessment(session, pid, period, today=today, states=states)
    return report
