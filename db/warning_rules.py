"""Where every task stands in a reporting period, and the warning colour the office's rules give it.

The rules, judged at a reference date (the end of the period, or today while the period runs):

* **done** (销号) — the office has signed the task off (办结销号) on or before the reference date.
  A unit reporting 已完成 alone does not sign it off.
* **red** — due before the reference date (the due day itself has passed) and not signed off.  The due date is the last dated
  stage of the deadline, or the new date of the latest approved extension (延期).
* **yellow** — due within ``due_soon_days`` after the reference date, or a lead unit's latest report
  says 滞后.
* **grey** — no lead unit has reported for the period.
* **green** — otherwise.

A task's status and percent come from its lead units (牵头; where the text names none, every unit
that is not 配合): the latest report of each lead up to the period, 滞后 if any lead says so,
otherwise the least advanced lead.  Supporting units' reports are shown with the task but do not
make it done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.models import Assignment, Extension, Milestone, ProgressEntry, SignOff, Task, WarningMark, utcnow
from db.periods import period_end, period_start
from db.responsibility import SUPPORT

RED, YELLOW, GREY, GREEN, DONE = "red", "yellow", "grey", "green", "done"
COLOUR_NAMES = {RED: "逾期", YELLOW: "临期/滞后", GREY: "未报送", GREEN: "正常", DONE: "已销号"}
COLOUR_ORDER = (RED, YELLOW, GREY, GREEN, DONE)
SIGNED_OFF = "已销号"
NOT_REPORTED = "未报送"
LAGGING = "滞后"


@dataclass
class TaskState:
    """A task's standing in one period: what the table's status, progress and warning columns show."""

    task_id: int
    status: str
    percent: int | None
    last_period: str | None
    last_date: dt.date | None
    colour: str
    reason: str
    due: dt.date | None
    original_due: dt.date | None
    extended: bool
    signed_off_on: dt.date | None
    reported_this_period: bool


def reference_date(period: str, today: dt.date | None = None) -> dt.date:
    """The end of the period, or today while the period is still running."""
    today = today or dt.date.today()
    end = period_end(period)
    if today > end or today < period_start(period):
        return end
    return today


def classify(
    *,
    due: dt.date | None,
    signed_off_on: dt.date | None,
    lead_status: str | None,
    reported_this_period: bool,
    reference: dt.date,
    due_soon_days: int,
) -> tuple[str, str]:
    """The colour and its reason in Chinese, by the rules in this module's docstring."""
    if signed_off_on is not None and signed_off_on <= reference:
        return DONE, f"已于 {signed_off_on.isoformat()} 办结销号"
    if due is not None and due < reference:
        return RED, f"已过时间节点 {due.isoformat()}，尚未销号"
    if due is not None and (due - reference).days <= due_soon_days:
        return YELLOW, f"距时间节点 {due.isoformat()} 不足 {due_soon_days} 天"
    if lead_status == LAGGING:
        return YELLOW, "牵头单位报送“滞后”"
    if not reported_this_period:
        return GREY, "本期牵头单位未报送"
    return GREEN, "按期推进"


def lead_unit_ids(session: Session, plan_id: int) -> dict[int, set[int]]:
    """Each task's lead units: 牵头, or every non-配合 unit where the text names no 牵头."""
    by_task: dict[int, list[tuple[int, str]]] = {}
    rows = session.execute(
        select(Assignment.task_id, Assignment.unit_id, Assignment.role)
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.plan_id == plan_id)
    )
    for task_id, unit_id, role in rows:
        by_task.setdefault(task_id, []).append((unit_id, role))
    leads = {}
    for task_id, pairs in by_task.items():
        named = {u for u, r in pairs if r == "牵头"}
        leads[task_id] = named or {u for u, r in pairs if r != SUPPORT}
    return leads


def _latest_entries(session: Session, plan_id: int, period: str):
    """Each (task, unit)'s latest report up to the period: one index seek per assignment (db.progress.latest_entry_ids)."""
    from db.progress import latest_entry_ids

    return session.execute(
        select(
            ProgressEntry.task_id,
            ProgressEntry.unit_id,
            ProgressEntry.period,
            ProgressEntry.status,
            ProgressEntry.percent,
            ProgressEntry.entry_date,
        ).where(ProgressEntry.id.in_(latest_entry_ids(period, plan_id=plan_id)))
    ).all()


def _due_dates(session: Session, plan_id: int) -> dict[int, dt.date | None]:
    rows = session.execute(
        select(Task.id, func.max(Milestone.due)).outerjoin(Milestone, Milestone.task_id == Task.id).where(Task.plan_id == plan_id).group_by(Task.id)
    )
    return dict(rows.all())


def _extensions(session: Session, plan_id: int, reference: dt.date) -> dict[int, dt.date]:
    """The new due date of each task's latest extension approved by the reference date."""
    rows = session.execute(
        select(Extension.task_id, Extension.new_due)
        .join(Task, Task.id == Extension.task_id)
        .where(Task.plan_id == plan_id, Extension.approved_on <= reference)
        .order_by(Extension.approved_on, Extension.id)
    )
    return dict(rows.all())


def _sign_offs(session: Session, plan_id: int) -> dict[int, dt.date]:
    rows = session.execute(select(SignOff.task_id, SignOff.signed_on).join(Task, Task.id == SignOff.task_id).where(Task.plan_id == plan_id))
    return dict(rows.all())


def task_states(
    session: Session, plan_id: int, period: str, *, due_soon_days: int, today: dt.date | None = None
) -> dict[int, TaskState]:
    """Every task's state in the period, in a handful of queries whatever the number of reports."""
    reference = reference_date(period, today)
    dues = _due_dates(session, plan_id)
    extensions = _extensions(session, plan_id, reference)
    sign_offs = _sign_offs(session, plan_id)
    leads = lead_unit_ids(session, plan_id)
    entries_by_task: dict[int, list] = {}
    for row in _latest_entries(session, plan_id, period):
        entries_by_task.setdefault(row.task_id, []).append(row)
    states = {}
    for task_id, original_due in dues.items():
        entries = entries_by_task.get(task_id, [])
        lead_ids = leads.get(task_id, set())
        lead_entries = [e for e in entries if e.unit_id in lead_ids]
        due = extensions.get(task_id, original_due)
        signed = sign_offs.get(task_id)
        signed = signed if signed is not None and signed <= reference else None
        if lead_entries:
            lagging = [e for e in lead_entries if e.status == LAGGING]
            weakest = min(lead_entries, key=lambda e: e.percent)
            status = LAGGING if lagging else weakest.status
            percent = weakest.percent
        else:
            status, percent = NOT_REPORTED, None
        reported = any(e.period == period for e in lead_entries)
        last = max(entries, key=lambda e: (e.period, e.entry_date), default=None)
        colour, reason = classify(
            due=due,
            signed_off_on=signed,
            lead_status=status if lead_entries else None,
            reported_this_period=reported,
            reference=reference,
            due_soon_days=due_soon_days,
        )
        states[task_id] = TaskState(
            task_id=task_id,
            status=SIGNED_OFF if signed else status,
            percent=100 if signed else percent,
            last_period=last.period if last else None,
            last_date=last.entry_date if last else None,
            colour=colour,
            reason=reason,
            due=due,
            original_due=original_due,
            extended=task_id in extensions,
            signed_off_on=signed,
            reported_this_period=reported,
        )
    return states


def record_marks(session: Session, period: str, states: dict[int, TaskState]) -> None:
    """Keep each task's colour for the period, writing only the marks that changed since the last refresh."""
    stored = {
        task_id: (colour, reason)
        for task_id, colour, reason in session.execute(
            select(WarningMark.task_id, WarningMark.colour, WarningMark.reason).where(WarningMark.period == period)
        )
    }
    rows = [
        {"task_id": s.task_id, "period": period, "colour": s.colour, "reason": s.reason, "recorded_at": utcnow()}
        for s in states.values()
        if stored.get(s.task_id) != (s.colour, s.reason)
    ]
    if not rows:
        return
    if session.get_bind().dialect.name == "sqlite":
        stmt = sqlite_insert(WarningMark).values(rows)
    else:  # PostgreSQL, for a shared ledger
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(WarningMark).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=["task_id", "period"],
        set_={"colour": stmt.excluded.colour, "reason": stmt.excluded.reason, "recorded_at": stmt.excluded.recorded_at},
    )
    session.execute(stmt)


def colour_history(session: Session, task_id: int) -> list[tuple[str, str, str]]:
    """A task's recorded colours, month by month: (period, colour, reason)."""
    rows = session.execute(
        select(WarningMark.period, WarningMark.colour, WarningMark.reason).where(WarningMark.task_id == task_id).order_by(WarningMark.period)
    )
    return [tuple(r) for r in rows]


def red_counts_by_period(session: Session, plan_id: int) -> dict[str, int]:
    """How many tasks were recorded red in each month: the dashboard's overdue curve."""
    rows = session.execute(
        select(WarningMark.period, func.count())
        .join(Task, Task.id == WarningMark.task_id)
        .where(Task.plan_id == plan_id, WarningMark.colour == RED)
        .group_by(WarningMark.period)
        .order_by(WarningMark.period)
    )
    return dict(rows.all())
