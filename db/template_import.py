"""The ledger side of the unit reporting templates: what a template lists, and applying filled rows.

A template records, per task, a fingerprint of the task as printed and the version of the unit's
report it was made from.  Applying a filled row never overwrites a report someone changed after
the template was made: such a row is a conflict, left for the office to settle.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office
from db.engine import Ledger
from db.identity import own_id
from db.models import Annex, Assignment, LedgerInfo, ProgressEntry, Task, Unit
from db.progress import (
    ADDED,
    UPDATED,
    ProgressInput,
    ReportChanged,
    add_progress,
    as_input,
    latest_entry_ids,
)
from db.vocabulary import COLLECTIVE_KIND, Status

ONGOING_DEADLINE = Status.ONGOING.value
SUMMARY_CHARS = 30
# The key that signs this ledger's templates.  It never leaves the office ledger: a template
# carries only the HMAC, so nobody without the ledger can make a 标识 the import accepts.
SECRET_KEY = "template.secret"


def signing_key(session: Session) -> bytes | None:
    """The ledger's template signing key, or None if it never exported a signed template."""
    row = session.get(LedgerInfo, SECRET_KEY)
    try:
        return bytes.fromhex(row.value) if row is not None else None
    except ValueError:
        return None


def ensure_signing_key(ledger: Ledger) -> tuple[str, bytes]:
    """The ledger's id and template signing key, both created in one transaction the first time."""
    with ledger.Session.begin() as session:
        refuse_unless_office(session, "导出报送模板")
        identity = own_id(session)
        key = signing_key(session)
        if key is None:
            key = secrets.token_bytes(32)
            row = session.get(LedgerInfo, SECRET_KEY)
            if row is None:
                session.add(LedgerInfo(key=SECRET_KEY, value=key.hex()))
            else:
                row.value = key.hex()
        return identity, key


def sign(key: bytes, payload: list) -> str:
    """HMAC-SHA256 of a template's identity and rows, as hex."""
    message = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_holds(key: bytes | None, payload: list, signature: str) -> bool:
    """Whether the signature was made by this ledger's key (compared in constant time)."""
    return key is not None and hmac.compare_digest(sign(key, payload), signature)


def deadline_display(deadline_text: str | None) -> str:
    """The 时间节点 as the template prints it; tasks without one are ongoing."""
    return (deadline_text or ONGOING_DEADLINE).strip()


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def task_fingerprint(code: str, title: str, deadline: str) -> str:
    """Detects a task whose code, name or time limit changed between export and import."""
    raw = "\x1f".join(_clean(part) for part in (code, title, deadline))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def _values(entry: ProgressInput | ProgressEntry) -> tuple:
    """A report's content as add_progress stores it (the entry date is bookkeeping, not content)."""
    return (
        entry.status,
        entry.percent,
        _clean(entry.progress_text),
        _clean(entry.problems) or None,
        _clean(entry.next_steps) or None,
        _clean(entry.reporter) or None,
    )


def entry_digest(entry: ProgressInput | ProgressEntry | None) -> str:
    """Fingerprint of a report's content; a template keeps the one of the report it was pre-filled with."""
    payload = json.dumps(_values(entry) if entry is not None else None, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


@dataclass
class UnitTask:
    """One row of a unit's template: the task as printed, the unit's role, and its reports."""

    code: str
    annex: int
    title: str
    role: str
    deadline: str
    fingerprint: str
    current: ProgressInput | None
    version: int
    previous: ProgressInput | None


def units_with_tasks(session: Session, plan_id: int) -> list[str]:
    """Every real unit with a task in the plan, in the unit table's order: collectives report through their members."""
    return list(
        session.scalars(
            select(Unit.name)
            .where(Unit.id.in_(select(Assignment.unit_id).join(Task, Task.id == Assignment.task_id).where(Task.plan_id == plan_id)))
            .where(Unit.kind != COLLECTIVE_KIND)
            .order_by(Unit.id)
        )
    )


def unit_tasks(session: Session, unit: Unit, period: str, plan_id: int) -> list[UnitTask]:
    """A unit's tasks in document order with its report for the period and its latest one before."""
    tasks = session.execute(
        select(Task, Assignment.role, Annex.number)
        .join(Assignment, Assignment.task_id == Task.id)
        .join(Annex, Annex.id == Task.annex_id)
        .where(Task.plan_id == plan_id, Assignment.unit_id == unit.id)
        .order_by(Task.position)
    ).all()
    current = {
        row.task_id: row
        # The latest report up to the period is this period's when there is one: an index seek per assignment.
        for row in session.scalars(
            select(ProgressEntry).where(ProgressEntry.id.in_(latest_entry_ids(period, plan_id=plan_id, unit_id=unit.id)), ProgressEntry.period == period)
        )
    }
    previous = {
        row.task_id: row
        for row in session.scalars(select(ProgressEntry).where(ProgressEntry.id.in_(latest_entry_ids(period, before=True, plan_id=plan_id, unit_id=unit.id))))
    }
    out = []
    for task, role, annex in tasks:
        deadline = deadline_display(task.deadline_text)
        now, before = current.get(task.id), previous.get(task.id)
        out.append(
            UnitTask(
                code=task.code,
                annex=annex,
                title=task.title,
                role=role,
                deadline=deadline,
                fingerprint=task_fingerprint(task.code, task.title, deadline),
                current=as_input(now, task.code, unit.name) if now else None,
                version=now.version if now else 0,
                previous=as_input(before, task.code, unit.name) if before else None,
            )
        )
    return out


@dataclass
class TemplateRow:
    """A filled row read back from a template, with what the template recorded when it was made."""

    row: int
    title: str
    deadline: str
    fingerprint: str
    base_version: int
    base_digest: str
    entry: ProgressInput


@dataclass
class RowProblem:
    """Why a row cannot be imported; field names the template column ("task_code", "title", "deadline")."""

    row: int
    field: str
    message: str


@dataclass
class RowConflict:
    """A row whose report was changed in the ledger after the template was made, and differs from the file."""

    row: int
    task_code: str
    message: str


@dataclass
class Applied:
    """What applying one template did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[RowConflict] = field(default_factory=list)


def check_rows(session: Session, unit: Unit, plan_id: int, rows: list[TemplateRow]) -> list[RowProblem]:
    """Problems of filled rows against the ledger: unknown or unassigned task, task changed since export or edited in the file."""
    codes = {r.entry.task_code for r in rows}
    tasks = {t.code: t for t in session.scalars(select(Task).where(Task.plan_id == plan_id, Task.code.in_(codes)))}
    assigned = set(
        session.scalars(select(Assignment.task_id).where(Assignment.unit_id == unit.id, Assignment.task_id.in_([t.id for t in tasks.values()])))
    )
    problems = []
    for r in rows:
        code = r.entry.task_code
        task = tasks.get(code)
        if task is None:
            problems.append(RowProblem(r.row, "task_code", f"任务编号“{code}”不在台账的计划中。"))
            continue
        if task.id not in assigned:
            problems.append(RowProblem(r.row, "task_code", f"单位“{unit.name}”不是任务 {code} 的责任单位（责任分工在导出模板后已更改），请重新导出模板。"))
            continue
        deadline = deadline_display(task.deadline_text)
        if task_fingerprint(code, task.title, deadline) != r.fingerprint:
            problems.append(RowProblem(r.row, "task_code", f"任务 {code} 的名称或时间节点在导出模板后已在台账中修改，请重新导出模板后填报。"))
        elif _clean(r.title) != _clean(task.title):
            problems.append(RowProblem(r.row, "title", f"任务名称被改动（应为“{task.title}”），任务信息列不可修改。"))
        elif _clean(r.deadline) != deadline:
            problems.append(RowProblem(r.row, "deadline", f"时间节点被改动（应为“{deadline}”），任务信息列不可修改。"))
    return problems


def _summary(values: tuple) -> str:
    status, percent, text = values[:3]
    short = text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "……"
    return f"{status}，{percent}%，“{short}”"


def apply_rows(
    session: Session,
    unit: Unit,
    period: str,
    plan_id: int,
    rows: list[TemplateRow],
    *,
    operator: str | None,
    source: str,
) -> Applied:
    """Write checked rows in the caller's transaction; a row changed in the ledger since export is a conflict, not written.

    A row equal to the ledger is unchanged whatever the versions; a row the unit left as it was
    pre-filled is unchanged too (it carries nothing new, and the ledger may have moved on).
    """
    codes = [r.entry.task_code for r in rows]
    stored = {
        code: entry
        for entry, code in session.execute(
            select(ProgressEntry, Task.code)
            .join(Task, Task.id == ProgressEntry.task_id)
            .where(ProgressEntry.unit_id == unit.id, ProgressEntry.period == period, Task.plan_id == plan_id, Task.code.in_(codes), ProgressEntry.deleted_at.is_(None))
        )
    }
    applied = Applied()
    for r in rows:
        current = stored.get(r.entry.task_code)
        if (current is not None and _values(current) == _values(r.entry)) or entry_digest(r.entry) == r.base_digest:
            applied.unchanged += 1
            continue
        version = current.version if current is not None else 0
        if version != r.base_version:
            ledger_side = f"第 {version} 版：{_summary(_values(current))}" if current is not None else "已无该条进展"
            applied.conflicts.append(
                RowConflict(
                    r.row,
                    r.entry.task_code,
                    f"任务 {r.entry.task_code} 的本期进展在导出模板后已在台账中修改（{ledger_side}），"
                    f"与文件所填（{_summary(_values(r.entry))}）不同，未覆盖；请核对后在台账中处理，或重新导出模板请单位填报。",
                )
            )
            continue
        try:  # checked again under the row's lock: another writer may have saved it since the read above
            outcome = add_progress(session, replace(r.entry, version=version if current is not None else None), operator=operator, plan_id=plan_id)[1]
        except ReportChanged as changed:
            applied.conflicts.append(RowConflict(r.row, r.entry.task_code, f"{changed.headline}文件所填（{_summary(_values(r.entry))}）未覆盖；请核对后在台账中处理。"))
            continue
        applied.added += outcome == ADDED
        applied.updated += outcome == UPDATED
    if applied.added or applied.updated:
        audit.record(
            session,
            "progress.template_import",
            "progress",
            f"{unit.name}/{period}",
            after={"added": applied.added, "updated": applied.updated, "conflicts": len(applied.conflicts)},
            operator=operator,
            note=f"从报送模板 {source} 导入",
        )
    return applied
