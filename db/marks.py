"""Warning colours kept with every change: a commit that changed reports or decisions records the period's marks.

The month's colours (WarningMark) are the history the dashboard and the 通报 chart; recording them
here, in the transaction of the change, means a CLI entry, a template import or a packet merge
leaves no gap, whether or not a window was open that month.
"""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from db.models import Plan
from db.settings import OfficeSettings, load_settings
from db.warning_rules import TaskState, lock_marks, record_marks, task_states

# Audit actions whose change can move a task's colour (db.audit.record schedules the recording).
STATE_CHANGES = (
    "progress.",
    "task.sign_off",
    "task.revoke_sign_off",
    "task.extend",
    "task.correct",
    "packet.merge",
    "settings.update",
    "plan.set_current",  # the newly current plan's colours are the month's from now on
    "task.removed_from_plan",  # a task a revision dropped is out of the warnings (db.plan_review)
)


def period_states(session: Session, plan_id: int, settings: OfficeSettings, *, record: bool) -> dict[int, TaskState]:
    """The current period's state of every task; with record, its colours are kept as the month's marks."""
    if record:
        lock_marks(session)  # before the states are worked out, so they include every committed change
    states = task_states(session, plan_id, settings.current_period, due_soon_days=settings.due_soon_days)
    if record:
        record_marks(session, settings.current_period, states)
    return states


def record_current_marks(session: Session) -> None:
    """Record the current plan's colours for the current reporting period (inside the caller's transaction).

    On a server ledger a unit login records only its own tasks' colours (the server allows no more);
    the office's next change records the rest.  A reader records nothing.
    """
    from db.accounts import reported_task_ids, session_access

    plan_id = session.scalar(select(Plan.id).where(Plan.is_current.is_(True)))
    if plan_id is None:
        return
    access = session_access(session)
    if access.is_office:
        period_states(session, plan_id, load_settings(session), record=True)
    elif access.can_write:
        settings = load_settings(session)
        states = period_states(session, plan_id, settings, record=False)
        own = reported_task_ids(session, access)
        record_marks(session, settings.current_period, {task_id: s for task_id, s in states.items() if task_id in own})


def record_marks_at_commit(session: Session, action: str) -> None:
    """Called for every audited change: one that can move a colour records the marks once, just before commit."""
    if not action.startswith(STATE_CHANGES):
        return
    session.info["marks_scheduled"] = True
    if not session.info.get("marks_listening"):
        session.info["marks_listening"] = True
        event.listen(session, "before_commit", _record_when_committing)


def _record_when_committing(session: Session) -> None:
    """At the transaction's own commit, not a savepoint's (a report saved under SAVEPOINT releases one per row)."""
    if session.in_nested_transaction() or not session.info.pop("marks_scheduled", None):
        return
    record_current_marks(session)
