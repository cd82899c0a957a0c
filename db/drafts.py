"""Drafts of progress entries: what a clerk has typed but not saved, kept in the ledger itself.

The entry form writes its draft a moment after each keystroke, so closing the window, switching
tasks or a crash leaves it recoverable; saving the entry removes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.accounts import refuse_unless_reports_for
from db.models import ProgressDraft, Task, Unit, utcnow


@dataclass
class DraftView:
    """A stored draft, as the recovery list shows it."""

    task_id: int
    task_code: str
    unit_id: int
    unit: str
    period: str
    fields: dict
    saved_at: dt.datetime


def save_draft(session: Session, task_id: int, unit_id: int, period: str, fields: dict, *, operator: str | None = None) -> None:
    refuse_unless_reports_for(session, unit_id)
    row = session.scalar(
        select(ProgressDraft).where(ProgressDraft.task_id == task_id, ProgressDraft.unit_id == unit_id, ProgressDraft.period == period)
    )
    if row is None:
        session.add(ProgressDraft(task_id=task_id, unit_id=unit_id, period=period, fields=fields, operator=operator))
    else:
        row.fields, row.operator, row.saved_at = fields, operator, utcnow()


def discard_draft(session: Session, task_id: int, unit_id: int, period: str) -> None:
    session.execute(
        delete(ProgressDraft).where(ProgressDraft.task_id == task_id, ProgressDraft.unit_id == unit_id, ProgressDraft.period == period)
    )


def list_drafts(session: Session, task_id: int | None = None) -> list[DraftView]:
    """Drafts waiting to be finished, newest first (one task's, or all)."""
    query = (
        select(ProgressDraft, Task.code, Unit.name)
        .join(Task, Task.id == ProgressDraft.task_id)
        .join(Unit, Unit.id == ProgressDraft.unit_id)
        .order_by(ProgressDraft.saved_at.desc())
    )
    if task_id is not None:
        query = query.where(ProgressDraft.task_id == task_id)
    return [
        DraftView(d.task_id, code, d.unit_id, name, d.period, dict(d.fields), d.saved_at)
        for d, code, name in session.execute(query)
    ]
