"""Evidence for a report (photos, PDFs, documents taken on an inspection), stored inside the ledger.

The file's bytes go into the ledger with their sha256 and base name only, so a field packet carries
its evidence with it and never points at a path on the laptop.  Deletion leaves a tombstone that a
merge carries back like a report's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.decisions import Evidence as EvidenceFile
from db.errors import UserError
from db.identity import own_id
from db.ledger import find_unit, get_task
from db.models import Evidence, ProgressEntry, utcnow
from db.periods import check_period


@dataclass
class EvidenceView:
    """One attachment as the detail pane and the command line list it."""

    uuid: str
    name: str
    size: int
    sha256: str


def _entry(session: Session, task_code: str, unit: str, period: str) -> ProgressEntry:
    task = get_task(session, task_code)
    found = find_unit(session, unit)
    row = session.scalar(
        select(ProgressEntry).where(
            ProgressEntry.task_id == task.id,
            ProgressEntry.unit_id == found.id,
            ProgressEntry.period == check_period(period),
            ProgressEntry.deleted_at.is_(None),
        )
    )
    if row is None:
        raise UserError(f"任务 {task.code} 没有“{found.name}”{period} 的进展，请先填报进展再附上材料。")
    return row


def attach_evidence(session: Session, task_code: str, unit: str, period: str, path: str | Path, *, operator: str | None = None) -> Evidence:
    """Read a file (at most 20 MB) into the ledger as evidence for one report."""
    entry = _entry(session, task_code, unit, period)
    source = EvidenceFile.from_file(path)
    row = Evidence(
        entry_uuid=entry.uuid,
        name=Path(source.name).name,
        size=len(source.data),
        sha256=hashlib.sha256(source.data).hexdigest(),
        data=source.data,
        origin=own_id(session),
    )
    session.add(row)
    session.flush()
    audit.record(session, "evidence.add", "evidence", row.uuid, after={"entry": entry.uuid, "name": row.name, "size": row.size, "sha256": row.sha256}, operator=operator)
    return row


def evidence_of(session: Session, entry_uuids: list[str]) -> dict[str, list[EvidenceView]]:
    """The live attachments of these reports, by report uuid (one query, without the files' bytes)."""
    found: dict[str, list[EvidenceView]] = {}
    rows = session.execute(
        select(Evidence.entry_uuid, Evidence.uuid, Evidence.name, Evidence.size, Evidence.sha256)
        .where(Evidence.entry_uuid.in_(entry_uuids), Evidence.deleted_at.is_(None))
        .order_by(Evidence.created_at, Evidence.id)
    )
    for entry_uuid, *view in rows:
        found.setdefault(entry_uuid, []).append(EvidenceView(*view))
    return found


def evidence_data(session: Session, uuid: str) -> tuple[str, bytes]:
    """The stored name and bytes of one attachment, checked against its hash before anyone opens it."""
    row = session.scalar(select(Evidence).where(Evidence.uuid == uuid, Evidence.deleted_at.is_(None)))
    if row is None:
        raise UserError("没有找到该证明材料（可能已被删除）。")
    if hashlib.sha256(row.data).hexdigest() != row.sha256:
        raise UserError(f"证明材料 {row.name} 的内容与其校验值不符，文件可能已损坏。")
    return row.name, row.data


def delete_evidence(session: Session, uuid: str, *, operator: str | None = None) -> None:
    """Remove an attachment, leaving a tombstone so the removal travels in a merge."""
    row = session.scalar(select(Evidence).where(Evidence.uuid == uuid, Evidence.deleted_at.is_(None)))
    if row is None:
        raise UserError("没有找到该证明材料（可能已被删除）。")
    row.deleted_at = utcnow()
    audit.record(session, "evidence.delete", "evidence", uuid, before={"entry": row.entry_uuid, "name": row.name, "sha256": row.sha256}, operator=operator)
