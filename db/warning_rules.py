"""Where every task stands in a reporting period, and the warning colour the office's rules give it.

The rules, judged at a reference date: the period's last day once the period is over (it is
*closed*), or today while it runs.  A date is *past* when it lies before the reference date, or on
it once the period is closed: a task due on a closed period's last day is overdue in that period.

* **done** (销号) — the office has signed the task off (办结销号) on or before the reference date.
  A unit reporting 已完成 alone does not sign it off.
* **green, awaiting sign-off** — every answerable unit reported 已完成 at 100%: never 临期, 滞后 or
  逾期; the office owes the sign-off.
* **red** — its due date is past and it is not signed off.  The due date is the last dated stage of
  the deadline, or the new date of the latest approved extension (延期).
* **yellow** — due today (今日到期) or within ``due_soon_days``, or an answerable unit's latest report
  says 滞后.
* **grey** — no answerable unit has reported for the period.
* **green** — otherwise.

A task out of the warnings is never red, yellow or grey: every task of an archived plan (db.plans)
and a task a revised version of its plan dropped (Task.removed_at, db.plan_review).  The dropped
task is not due either, so it stays out of the completion rates; an archived plan keeps its figures.

A task is *due* in the period when its original due date is past; each due task falls in exactly
one DueCategory.  Tasks with no dated deadline (持续推进) are never due and stay out of completion
rates.  A task's status and percent come from its answerable units (db.answerable): the latest
report of each up to the period, 滞后 if any says so, otherwise the least advanced one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.answerable import answerable_unit_ids
from db.models import Extension, Milestone, Plan, ProgressEntry, SignOff, Task, WarningMark, utcnow
from db.periods import period_end, period_start
from db.vocabulary import COLOUR_LABELS, Colour, DueCategory, Status

RED, YELLOW, GREY, GREEN, DONE = Colour.RED, Colour.YELLOW, Colour.GREY, Colour.GREEN, Colour.DONE
COLOUR_NAMES = COLOUR_LABELS
COLOUR_ORDER = (RED, YELLOW, GREY, GREEN, DONE)
SIGNED_OFF = Status.SIGNED_OFF
NOT_REPORTED = Status.NOT_REPORTED
LAGGING = Status.LAGGING


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
    category: DueCategory | None = None
    reported_done: bool = False
    # A revised version of the plan dropped the task (Task.removed_at): out of the warnings and the figures.
    removed: bool = False

    @property
    def ongoing(self) -> bool:
        """持续推进: no dated deadline, so never due and out of completion rates."""
        return self.original_due is None


def reference_date(period: str, today: dt.date | None = None) -> dt.date:
    """The end of the period, or today while the period is still running."""
    today = today or dt.date.today()
    end = period_end(period)
    if today > end or today < period_start(period):
        return end
    return today


def is_closed(period: str, today: dt.date | None = None) -> bool:
    """A period is closed once its last day is over (or it has not started: judged as at its end)."""
    today = today or dt.date.today()
    return not period_start(period) <= today <= period_end(period)


def is_past(day: dt.date | None, reference: dt.date, closed: bool) -> bool:
    """A date before the reference, or on it once the period is closed."""
    return day is not None and (day < reference or (closed and day == reference))


def classify(
    *,
    due: dt.date | None,
    signed_off_on: dt.date | None,
    lead_status: str | None,
    reported_this_period: bool,
    reference: dt.date,
    due_soon_days: int,
    closed: bool = True,
    reported_done: bool = False,
) -> tuple[str, str]:
    """The colour and its reason in Chinese, by the rules in this module's docstring."""
    if signed_off_on is not None and signed_off_on <= reference:
        return DONE, f"已于 {signed_off_on.isoformat()} 办结销号"
    if reported_done:
        return GREEN, "责任单位均已报完成，待办公室办结销号"
    if is_past(due, reference, closed):
        late = (reference - due).days
        return RED, f"时间节点 {due.isoformat()} 已到，尚未办结销号" + (f"（逾期 {late} 天）" if late else "")
    if due is not None:
        days = (due - reference).days
        if days == 0:
            return YELLOW, f"今日到期（时间节点 {due.isoformat()}）"
        if days <= due_soon_days:
            return YELLOW, f"距时间节点 {due.isoformat()} 还有 {days} 天"
    if lead_status == LAGGING:
        return YELLOW, "责任单位报送“滞后”"
    if not reported_this_period:
        return GREY, "本期责任单位未报送"
    return GREEN, "按期推进"


def due_category(
    *, original_due: dt.date | None, due: dt.date | None, signed_off_on: dt.date | None, extended: bool, reported_done: bool, reference: dt.date, closed: bool
) -> DueCategory | None:
    """The one category of a task due in the period, or None when it is not due."""
    if not is_past(original_due, reference, closed):
        return None
    if signed_off_on is not None and signed_off_on <= reference:
        return DueCategory.ON_TIME if due is None or signed_off_on <= due else DueCategory.LATE
    if reported_done:
        return DueCategory.AWAITING_SIGN_OFF
    if extended and not is_past(due, reference, closed):
        return DueCategory.EXTENDED
    return DueCategory.OVERDUE


def lead_unit_ids(session: Session, plan_id: int) -> dict[int, set[int]]:
    """Each task's answerable units (db.answerable), as sets."""
    return {task_id: set(ids) for task_id, ids in answerable_unit_ids(session, plan_id).items()}


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
    closed = is_closed(period, today)
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
        reported_done = bool(lead_ids) and {e.unit_id for e in lead_entries if e.status == Status.DONE and e.percent == 100} == lead_ids
        last = max(entries, key=lambda e: (e.period, e.entry_date), default=None)
        colour, reason = classify(
            due=due,
            signed_off_on=signed,
            lead_status=status if lead_entries else None,
            reported_this_period=reported,
            reference=reference,
            due_soon_days=due_soon_days,
            closed=closed,
            reported_done=reported_done,
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
            category=due_category(
                original_due=original_due, due=due, signed_off_on=signed, extended=task_id in extensions,
                reported_done=reported_done, reference=reference, closed=closed,
            ),
            reported_done=reported_done,
        )
    _quiet_out_of_warnings(session, plan_id, states)
    return states


ARCHIVED_REASON = "计划已归档，不再预警"
REMOVED_REASON = "已从新版计划中删除，不再预警"


def _quiet_out_of_warnings(session: Session, plan_id: int, states: dict[int, TaskState]) -> None:
    """Tasks of an archived plan, and tasks a revision dropped, keep their status but lose their warning colour."""
    archived = bool(session.scalar(select(Plan.archived).where(Plan.id == plan_id)))
    removed = set(session.scalars(select(Task.id).where(Task.plan_id == plan_id, Task.removed_at.is_not(None))))
    for task_id, state in states.items():
        if task_id in removed:
            state.category, state.removed = None, True
            reason = REMOVED_REASON
        elif archived:
            reason = ARCHIVED_REASON
        else:
            continue
        if state.colour in (RED, YELLOW, GREY):
            state.colour, state.reason = GREEN, reason


MARKS_LOCK = 0x6475_6261_6E01  # pg_advisory_xact_lock key of the warning marks ("duban" + 1)


def lock_marks(session: Session) -> None:
    """Let one transaction at a time work out and record the marks, until it ends (PostgreSQL; SQLite has one writer).

    Under READ COMMITTED two writers committing at once would each compute the colours without the
    other's change, and the later upsert would put a stale colour back.  The second waits here instead,
    and its queries then see the first one's committed change.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MARKS_LOCK})


def record_marks(session: Session, period: str, states: dict[int, TaskState]) -> None:
    """Keep each task's colour for the period, writing only the marks that changed since the last refresh."""
    stored = {
        task_id: (colour, reason)
        for task_id, colour, reason in session.execute(
            select(WarningMark.task_id, WarningMark.colour, WarningMark.reason).where(WarningMark.period == period)
        )
    }
    rows = [  # in task order, so concurrent upserts (a window's refresh without the lock) take row locks in one order
        {"task_id": s.task_id, "period": period, "colour": s.colour, "reason": s.reason, "recorded_at": utcnow()}
        for s in sorted(states.values(), key=lambda s: s.task_id)
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


def red_task_ids(session: Session, plan_id: int, period: str) -> frozenset[int]:
    """The tasks recorded red in one month: the tasks behind a point of the dashboard's overdue curve."""
    return frozenset(
        session.scalars(
            select(WarningMark.task_id)
            .join(Task, Task.id == WarningMark.task_id)
            .where(Task.plan_id == plan_id, WarningMark.period == period, WarningMark.colour == RED)
        )
    )
