"""Plans side by side: which one is current, and which finished ones are archived.

The current plan is the one the window, the warnings and the 通报 work on when no plan is named.  An
archived plan stays readable (its tasks, reports and decisions are all kept) but drops out of the
warnings: db.warning_rules gives its tasks no warning colour.  The current plan is never archived, so
archiving it needs another plan made current in the same step.  Every change is audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office
from db.errors import UserError
from db.models import Plan, Task


@dataclass
class PlanSummary:
    """A plan in the ledger, for the plan list and the plan switcher."""

    id: int
    title: str
    year: int | None
    doc_number: str | None
    is_current: bool
    archived: bool
    tasks: int
    # Tasks a revised version of the plan dropped (kept with their reports, out of the warnings).
    removed_tasks: int = 0
    source_name: str = ""

    def to_json(self) -> dict:
        # "current" is the key `duban plans --json` has always printed.
        return asdict(self) | {"current": self.is_current}


def list_plans(session: Session) -> list[PlanSummary]:
    """Every plan, oldest first, with its task count."""
    counts = dict(session.execute(select(Task.plan_id, func.count()).group_by(Task.plan_id)).all())
    removed = dict(
        session.execute(select(Task.plan_id, func.count()).where(Task.removed_at.is_not(None)).group_by(Task.plan_id)).all()
    )
    return [
        PlanSummary(
            id=p.id,
            title=p.title,
            year=p.year,
            doc_number=p.doc_number,
            is_current=bool(p.is_current),
            archived=bool(p.archived),
            tasks=counts.get(p.id, 0),
            removed_tasks=removed.get(p.id, 0),
            source_name=p.source_name,
        )
        for p in session.scalars(select(Plan).order_by(Plan.id))
    ]


def current_plan(session: Session) -> PlanSummary | None:
    """The current plan, or None in an empty ledger."""
    return next((p for p in list_plans(session) if p.is_current), None)


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id) if isinstance(plan_id, int) else None
    if plan is None:
        raise UserError(f"台账中没有编号为 {plan_id} 的计划。可用 duban plans 查看。")
    return plan


def set_current_plan(session: Session, plan_id: int, operator: str | None = None) -> PlanSummary:
    """Make a plan the current one (the window, the warnings and the 通报 follow it); an archived plan is refused."""
    refuse_unless_office(session, "切换当前计划")
    plan = _plan(session, plan_id)
    if plan.archived:
        raise UserError(f"计划《{plan.title}》（编号 {plan.id}）已归档，不能设为当前计划。请先取消归档。")
    previous = session.scalar(select(Plan.id).where(Plan.is_current.is_(True)))
    if previous != plan.id:
        session.execute(update(Plan).where(Plan.id != plan.id).values(is_current=False))
        plan.is_current = True
        session.flush()
        audit.record(
            session, "plan.set_current", "plan", str(plan.id), before={"current": previous}, after={"current": plan.id}, operator=operator
        )
    return _summary(session, plan.id)


def archive_plan(session: Session, plan_id: int, operator: str | None = None, *, make_current: int | None = None) -> PlanSummary:
    """Archive a finished plan: readable, out of the warnings.

    The current plan can be archived only with ``make_current`` naming the plan that takes its place.
    """
    refuse_unless_office(session, "归档计划")
    plan = _plan(session, plan_id)
    if plan.archived:
        return _summary(session, plan.id)
    if make_current is not None:
        if make_current == plan.id:
            raise UserError(f"计划《{plan.title}》不能既归档又设为当前计划。")
        set_current_plan(session, make_current, operator)
    if plan.is_current:
        others = [p for p in list_plans(session) if p.id != plan.id and not p.archived]
        hint = (
            "请先把另一个计划设为当前计划（" + "、".join(f"{p.id}《{p.title}》" for p in others) + "），再归档。"
            if others
            else "台账中没有其他未归档的计划，请先导入新计划并设为当前计划，再归档。"
        )
        raise UserError(f"计划《{plan.title}》（编号 {plan.id}）是当前计划，不能归档。{hint}")
    plan.archived = True
    session.flush()
    audit.record(session, "plan.archive", "plan", str(plan.id), before={"archived": False}, after={"archived": True}, operator=operator)
    return _summary(session, plan.id)


def unarchive_plan(session: Session, plan_id: int, operator: str | None = None) -> PlanSummary:
    """Bring an archived plan back into the warnings."""
    refuse_unless_office(session, "取消归档计划")
    plan = _plan(session, plan_id)
    if plan.archived:
        plan.archived = False
        session.flush()
        audit.record(session, "plan.unarchive", "plan", str(plan.id), before={"archived": True}, after={"archived": False}, operator=operator)
    return _summary(session, plan.id)


def _summary(session: Session, plan_id: int) -> PlanSummary:
    return next(p for p in list_plans(session) if p.id == plan_id)
