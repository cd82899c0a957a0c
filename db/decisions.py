"""The office's own decisions on a task: 办结销号 (sign-off) and 延期 (approved extension).

Both are the office's act, not a unit's report: a unit saying 已完成 does not sign a task off,
and an extension keeps the original deadline in the plan while the warnings judge the new date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office
from db.errors import UserError
from db.models import Extension, Milestone, SignOff, Task
from db.periods import chinese_date, chinese_period, period_end, period_of
from db.warning_rules import is_closed, is_past, reference_date

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def default_decision_date(period: str, today: dt.date) -> dt.date:
    """The date a 销号 or 延期 is entered with: today, or the period's last day once the period is over.

    The warnings of a period count only decisions dated by its end (db.warning_rules), so a clerk
    handling December in January gets a date that counts in December.
    """
    return min(today, period_end(period))


def default_new_due(due: dt.date | None, approved_on: dt.date) -> dt.date:
    """The new date an extension form offers: a month past the current due date, or past the approval if that is later.

    A task overdue since June and extended in December is offered a date after December, not July.
    """
    base = max(due or approved_on, approved_on)
    year, month = divmod(base.year * 12 + base.month, 12)  # the next month
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(base.day, last))


def overdue_despite_extension(new_due: dt.date, period: str, today: dt.date) -> str:
    """Why an extension to new_due still leaves the task 逾期 in the period handled ('' when it does not).

    The warnings judge the period at its last day once it is over (db.warning_rules): a new date already
    past then changes nothing the clerk can see.
    """
    reference = reference_date(period, today)
    if not is_past(new_due, reference, is_closed(period, today)):
        return ""
    return f"新的完成时限 {chinese_date(new_due)} 在{chinese_period(period)}的统计中已经到期，任务仍计为逾期。"


class DecisionTiming(NamedTuple):
    """Which reporting period a decision dated `day` first counts in, said in Chinese for the dialog."""

    text: str
    late: bool  # dated after the period being handled: that period's figures do not show it


def decision_timing(day: dt.date, period: str, what: str = "销号") -> DecisionTiming:
    """Say plainly where a decision dated `day` counts, judged against the period being handled."""
    end = period_end(period)
    name = chinese_period(period)
    if day > end:
        return DecisionTiming(
            f"{what}日期晚于当前报送期间{name}的最后一天（{chinese_date(end)}）：不计入{name}的统计，"
            f"自{chinese_period(period_of(day))}起计入。如需计入{name}，请选择{chinese_date(end)}或更早的日期。",
            True,
        )
    if period_of(day) < period:
        return DecisionTiming(f"计入当前报送期间{name}的统计（自{chinese_period(period_of(day))}起各月均计入）。", False)
    return DecisionTiming(f"计入当前报送期间{name}的统计。", False)


@dataclass
class Evidence:
    """A file attached to a sign-off, read into the ledger so it travels with it."""

    name: str
    data: bytes

    @classmethod
    def from_file(cls, path: str | Path) -> Evidence:
        from db.evidence import printable, safe_evidence_name

        path = Path(path)
        name = safe_evidence_name(path.name)
        if not path.is_file():
            raise UserError(f"证明材料文件不存在：{printable(path)}")
        try:
            with open(path, "rb") as source:
                data = source.read(MAX_EVIDENCE_BYTES + 1)  # read at most the limit: the file may grow after stat
        except OSError as exc:
            raise UserError(f"无法读取证明材料 {printable(path)}：{exc.strerror or exc.__class__.__name__}。") from exc
        if len(data) > MAX_EVIDENCE_BYTES:
            size = max(path.stat().st_size, len(data))
            raise UserError(f"证明材料 {name} 有 {size / 1048576:.1f} MB，超过 {MAX_EVIDENCE_BYTES // 1048576} MB 上限。")
        return cls(name, data)


def lock_task(session: Session, task: Task) -> None:
    """Hold the task against the office's other decisions until this transaction ends (PostgreSQL; SQLite has one writer).

    Two clerks signing off or extending the same task at once: the second waits here, then reads the
    first one's committed decision and is refused by the checks that follow, so nothing applies twice.
    """
    session.execute(select(Task.id).where(Task.id == task.id).with_for_update())


def sign_off(
    session: Session,
    task: Task,
    *,
    signed_on: dt.date,
    operator: str,
    note: str | None = None,
    evidence: Evidence | None = None,
) -> SignOff:
    """Sign a task off as done; needs an evidence note or file, and replaces nothing silently."""
    refuse_unless_office(session, "办结销号")
    problems = []
    if not (note or "").strip() and evidence is None:
        problems.append("请填写销号依据说明或附上证明材料。")
    if signed_on > dt.date.today():
        problems.append(f"销号日期 {signed_on.isoformat()} 晚于今天。")
    lock_task(session, task)
    if session.scalar(select(SignOff.id).where(SignOff.task_id == task.id)) is not None:
        problems.append(f"任务 {task.code} 已经销号；如需更改，请先撤销销号。")
    if problems:
        raise UserError(f"任务 {task.code} 未能销号：", problems)
    row = SignOff(
        task_id=task.id,
        signed_on=signed_on,
        operator=operator,
        evidence_note=(note or "").strip() or None,
        evidence_name=evidence.name if evidence else None,
        evidence_data=evidence.data if evidence else None,
        evidence_sha256=hashlib.sha256(evidence.data).hexdigest() if evidence else None,
    )
    session.add(row)
    session.flush()
    audit.record(session, "task.sign_off", "task", task.code, after=sign_off_snapshot(row), operator=operator)
    return row


def revoke_sign_off(session: Session, task: Task, *, operator: str, reason: str) -> None:
    """Undo a sign-off made in error; the old one stays in the audit log."""
    refuse_unless_office(session, "撤销销号")
    lock_task(session, task)
    row = session.scalar(select(SignOff).where(SignOff.task_id == task.id))
    if row is None:
        raise UserError(f"任务 {task.code} 尚未销号。")
    if not reason.strip():
        raise UserError("请填写撤销销号的原因。")
    audit.record(session, "task.revoke_sign_off", "task", task.code, before=sign_off_snapshot(row), operator=operator, note=reason.strip())
    session.delete(row)
    session.flush()


def sign_off_snapshot(row: SignOff) -> dict:
    """What the audit log (and a failed 回头看) keeps of a sign-off: everything but the file's bytes."""
    return {
        "signed_on": row.signed_on,
        "operator": row.operator,
        "evidence_note": row.evidence_note,
        "evidence_name": row.evidence_name,
        "evidence_sha256": row.evidence_sha256,
    }


def current_due(session: Session, task: Task) -> dt.date | None:
    """The date the task is judged by: the latest extension's, else the plan's last dated stage."""
    extended = session.scalar(
        select(Extension.new_due).where(Extension.task_id == task.id).order_by(Extension.approved_on.desc(), Extension.id.desc())
    )
    return extended or session.scalar(select(func.max(Milestone.due)).where(Milestone.task_id == task.id))


def extend(
    session: Session,
    task: Task,
    *,
    new_due: dt.date,
    reason: str,
    document: str,
    approved_on: dt.date,
    operator: str,
) -> Extension:
    """Record an approved extension; the plan's own deadline is left as printed."""
    refuse_unless_office(session, "批准延期")
    problems = []
    lock_task(session, task)
    due = current_due(session, task)
    if due is not None and new_due <= due:
        problems.append(f"新的完成时限 {new_due.isoformat()} 应晚于现有时限 {due.isoformat()}。")
    if not reason.strip():
        problems.append("请填写延期原因。")
    if not document.strip():
        problems.append("请填写批准延期的文件（文号或名称）。")
    if problems:
        raise UserError(f"任务 {task.code} 的延期未保存：", problems)
    row = Extension(
        task_id=task.id, new_due=new_due, reason=reason.strip(), document=document.strip(), approved_on=approved_on, operator=operator
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "task.extend",
        "task",
        task.code,
        before={"due": due},
        after={"due": new_due, "reason": row.reason, "document": row.document, "approved_on": approved_on},
        operator=operator,
    )
    return row


@dataclass
class DecisionView:
    """What the detail pane shows of the office's decisions on a task."""

    signed_on: dt.date | None
    signed_by: str | None
    evidence_note: str | None
    evidence_name: str | None
    extensions: list[tuple[dt.date, str, str, dt.date, str]]


def decisions_of(session: Session, task_id: int) -> DecisionView:
    row = session.scalar(select(SignOff).where(SignOff.task_id == task_id))
    extensions = session.execute(
        select(Extension.new_due, Extension.reason, Extension.document, Extension.approved_on, Extension.operator)
        .where(Extension.task_id == task_id)
        .order_by(Extension.approved_on, Extension.id)
    ).all()
    return DecisionView(
        signed_on=row.signed_on if row else None,
        signed_by=row.operator if row else None,
        evidence_note=row.evidence_note if row else None,
        evidence_name=row.evidence_name if row else None,
        extensions=[tuple(e) for e in extensions],
    )


class SignOffFact(NamedTuple):
    """What the ledgers print of a sign-off: its date and the evidence it rests on."""

    signed_on: dt.date
    basis: str


def sign_off_facts(session: Session, plan_id: int, reference: dt.date) -> dict[int, SignOffFact]:
    """The plan's sign-offs made by the reference date, by task id: date, and the evidence note and file name."""
    rows = session.execute(
        select(SignOff.task_id, SignOff.signed_on, SignOff.evidence_note, SignOff.evidence_name)
        .join(Task, Task.id == SignOff.task_id)
        .where(Task.plan_id == plan_id, SignOff.signed_on <= reference)
    ).all()
    facts = {}
    for task_id, signed_on, note, name in rows:
        parts = [(note or "").strip(), f"证明材料：{name}" if name else ""]
        facts[task_id] = SignOffFact(signed_on, "；".join(p for p in parts if p))
    return facts
