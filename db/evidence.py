"""Evidence for a report (photos, PDFs, documents taken on an inspection), stored inside the ledger.

The file's bytes go into the ledger with their sha256 and base name only, so a field packet carries
its evidence with it and never points at a path on the laptop.  Deletion leaves a tombstone that a
merge carries back like a report's.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_reports_for
from db.decisions import MAX_EVIDENCE_BYTES
from db.decisions import Evidence as EvidenceFile
from db.errors import UserError
from db.identity import own_id
from db.ledger import find_unit, get_task
from db.models import Evidence, ProgressEntry, utcnow
from db.periods import check_period

MAX_NAME_CHARS = 120
FALLBACK_NAME = "证明材料"
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_WINDOWS_FORBIDDEN = set('<>:"|?*')


def printable(name: str | bytes | os.PathLike) -> str:
    """A name as it can be printed and logged: bytes and undecodable parts (surrogates) become U+FFFD."""
    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    if isinstance(name, bytes):
        return name.decode("utf-8", "replace")
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if _has_surrogates(name) else name


def _has_surrogates(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def safe_evidence_name(name: str | bytes | os.PathLike) -> str:
    """The base name an attachment is stored and opened under: never a path, never a control character.

    Folders (/, \\), drives (C:), UNC prefixes and `..` are dropped, control and format characters removed,
    characters Windows forbids replaced, Windows device names prefixed, and the name cut to MAX_NAME_CHARS
    keeping its extension.  What remains of an empty or hostile name is 证明材料.
    """
    text = printable(name)
    text = text.replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    text = "".join("_" if ch in _WINDOWS_FORBIDDEN else ch for ch in text).strip(" .")
    if not text:
        return FALLBACK_NAME
    stem, dot, suffix = text.rpartition(".")
    if not dot:
        stem, suffix = text, ""
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = "_" + text
    if len(text) > MAX_NAME_CHARS:
        suffix = suffix[:16]
        text = text[: MAX_NAME_CHARS - len(suffix) - 1].rstrip(" .") + "." + suffix if suffix else text[:MAX_NAME_CHARS]
    return text


def evidence_problems(name, size, sha256, data) -> list[str]:
    """What is wrong with an attachment's stored fields (from a packet, or damaged in the ledger); [] if nothing."""
    shown = safe_evidence_name(name) if isinstance(name, (str, bytes)) else "（名称无效）"
    if not isinstance(name, str) or safe_evidence_name(name) != name:
        return [f"证明材料名称“{shown}”不是安全的文件名（含路径、控制字符或过长）。"]
    if not isinstance(data, bytes):
        return [f"证明材料“{shown}”的内容不是文件数据。"]
    problems = []
    if len(data) > MAX_EVIDENCE_BYTES:
        problems.append(f"证明材料“{shown}”有 {len(data) / 1048576:.1f} MB，超过 {MAX_EVIDENCE_BYTES // 1048576} MB 上限。")
    if not isinstance(size, int) or isinstance(size, bool) or size != len(data):
        problems.append(f"证明材料“{shown}”记录的大小（{size!r:.20}）与其内容（{len(data)} 字节）不符。")
    if not isinstance(sha256, str) or hashlib.sha256(data).hexdigest() != sha256:
        problems.append(f"证明材料“{shown}”的内容与其校验值不符。")
    return problems


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
    refuse_unless_reports_for(session, found.id)
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
        name=safe_evidence_name(source.name),
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
    if not isinstance(row.data, bytes) or hashlib.sha256(row.data).hexdigest() != row.sha256:
        raise UserError(f"证明材料“{safe_evidence_name(row.name)}”的内容与其校验值不符，文件可能已损坏。")
    return row.name, row.data


def write_for_opening(name: str, data: bytes) -> Path:
    """Write an attachment into a private temporary folder of its own, for the system's program to open.

    The name is sanitised again and the resolved target checked to lie inside that folder, so no stored
    name can make this write anywhere else.
    """
    folder = Path(tempfile.mkdtemp(prefix="duban-evidence-")).resolve()
    target = (folder / safe_evidence_name(name)).resolve()
    if target.parent != folder:
        raise UserError(f"证明材料名称“{safe_evidence_name(name)}”不是安全的文件名，未打开。")
    with open(target, "xb") as out:
        out.write(data)
    return target


def delete_evidence(session: Session, uuid: str, *, operator: str | None = None) -> None:
    """Remove an attachment, leaving a tombstone so the removal travels in a merge."""
    row = session.scalar(select(Evidence).where(Evidence.uuid == uuid, Evidence.deleted_at.is_(None)))
    if row is None:
        raise UserError("没有找到该证明材料（可能已被删除）。")
    owner = session.scalar(select(ProgressEntry.unit_id).where(ProgressEntry.uuid == row.entry_uuid))
    if owner is not None:
        refuse_unless_reports_for(session, owner)
    row.deleted_at = utcnow()
    audit.record(session, "evidence.delete", "evidence", uuid, before={"entry": row.entry_uuid, "name": row.name, "sha256": row.sha256}, operator=operator)
