"""Field packets: a slice of the ledger for a laptop, and the three-way merge that brings it back.

A packet is a ledger file of its own (same schema, suffix .duban), so `duban --db packet.duban` and the
window work on it unchanged.  Export copies the ledger with SQLite's backup API, keeps the chosen tasks
and the last months of their reports, gives the copy a ledger id of its own and records each report's
digest as it left (packet_base).  Every commit inside a packet re-seals it: record counts and a checksum
of its reports and evidence, which a merge recomputes, so a packet edited outside duban or cut short is
refused.

Merge rules, per report (matched by uuid, or by task, unit and month for a report both sides created):
- only in the packet: added (a report created and deleted in the field adds nothing);
- the same on both sides, or unchanged in the packet since its base: left as the ledger has it;
- changed in the packet only (the ledger still equals the base): the packet's version is taken,
  a deletion included;
- changed on both sides: a conflict; both versions are kept and nothing is overwritten until a
  clerk decides.
The base is the report as the packet left the office, or as this packet's last merge saw it
(packet_sync), so merging a packet again, even after more field work, applies only what changed since.
A change's counter (version) and the ledger that made it (changed_on) travel with it; clocks never decide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
import uuid
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, delete, event, insert, select, text, tuple_
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db import audit
from db.engine import Ledger, install_sqlite_hooks, open_ledger
from db.errors import UserError
from db.identity import LEDGER_ID_KEY, own_id
from db.jobs import JobControl
from db.ledger import find_unit, resolve_plan_id
from db.models import (
    Annex,
    Assignment,
    AuditLog,
    Evidence,
    LedgerInfo,
    MergeConflict,
    PacketBase,
    PacketMerge,
    PacketSync,
    Plan,
    ProgressDraft,
    ProgressEntry,
    Task,
    Unit,
    utcnow,
)
from db.periods import check_period, shift_period
from db.progress import ProgressInput, field_problems

CONTENT = ("status", "percent", "progress_text", "problems", "next_steps", "reporter", "entry_date")
INFO_ID, INFO_SOURCE, INFO_PERIOD, INFO_SCOPE, INFO_MADE, INFO_SEAL = (
    "packet.id", "packet.source_ledger_id", "packet.period", "packet.scope", "packet.created", "packet.seal"
)
PENDING, RESOLVED = "pending", "resolved"
_CHUNK = 400  # bound parameters per IN (), well under SQLite's and PostgreSQL's limits


# --- what a report says ---------------------------------------------------------------------------


def content_of(row: ProgressEntry) -> dict:
    """A report's content as it travels: the fields a clerk enters, and whether it is deleted."""
    values = {name: getattr(row, name) for name in CONTENT}
    values["entry_date"] = row.entry_date.isoformat()
    values["deleted"] = row.deleted_at is not None
    return values


def digest(task_code: str, unit: str, period: str, content: dict) -> str:
    """The fingerprint the merge compares: same digest, same report."""
    canonical = json.dumps([task_code, unit, period, content], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _apply_content(row: ProgressEntry, values: dict, changed_on: str | None) -> None:
    """Write a report's content (a deletion included) as a new change of that report."""
    for name in CONTENT:
        if name in values:
            setattr(row, name, dt.date.fromisoformat(values[name]) if name == "entry_date" else values[name])
    if values.get("deleted"):
        row.deleted_at = row.deleted_at or utcnow()
    else:
        row.deleted_at = None
    row.version += 1
    row.changed_on = changed_on
    row.updated_at = utcnow()


def _entry_rows(session: Session, *where):
    """Reports with their task code, unit name and plan title (tombstones included)."""
    return session.execute(
        select(ProgressEntry, Task.code, Unit.name, Plan.title)
        .join(Task, Task.id == ProgressEntry.task_id)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(*where)
        .order_by(ProgressEntry.uuid)
    )


# --- the seal -------------------------------------------------------------------------------------


def compute_seal(session: Session) -> dict:
    """Counts and a checksum of everything a merge takes from the packet."""
    sha = hashlib.sha256()
    live = tombstones = 0
    for row, code, unit, _plan in _entry_rows(session):
        content = content_of(row)
        live, tombstones = (live + 1, tombstones) if not content["deleted"] else (live, tombstones + 1)
        sha.update(f"E|{row.uuid}|{row.version}|{row.changed_on}|{digest(code, unit, row.period, content)}\n".encode())
    evidence = 0
    for uid, entry, sha256, size, deleted in session.execute(
        select(Evidence.uuid, Evidence.entry_uuid, Evidence.sha256, Evidence.size, Evidence.deleted_at).order_by(Evidence.uuid)
    ):
        evidence += 1
        sha.update(f"V|{uid}|{entry}|{sha256}|{size}|{deleted is not None}\n".encode())
    for entry, version, base in session.execute(select(PacketBase.entry_uuid, PacketBase.version, PacketBase.digest).order_by(PacketBase.entry_uuid)):
        sha.update(f"B|{entry}|{version}|{base}\n".encode())
    return {"entries": live, "tombstones": tombstones, "evidence": evidence, "checksum": sha.hexdigest()}


def _set_info(session: Session, key: str, value: str) -> None:
    row = session.get(LedgerInfo, key)
    if row is None:
        session.add(LedgerInfo(key=key, value=value))
    else:
        row.value = value


def _reseal(session: Session) -> None:
    _set_info(session, INFO_SEAL, json.dumps(compute_seal(session)))


_SEALED_TYPES = (ProgressEntry, Evidence, PacketBase)


def keep_sealed(ledger: Ledger) -> bool:
    """If the ledger is a packet, re-seal it on every commit that changed a report or evidence; True if it is one."""
    try:
        with ledger.engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM ledger_info WHERE key = :k"), {"k": INFO_ID}).first():
                return False
    except OperationalError:  # a ledger not yet migrated (open_ledger(upgrade=False)) has no ledger_info
        return False

    @event.listens_for(ledger.Session, "after_flush")
    def _note_change(session, _context):
        if any(isinstance(obj, _SEALED_TYPES) for obj in (*session.new, *session.dirty, *session.deleted)):
            session.info["packet_changed"] = True

    @event.listens_for(ledger.Session, "before_commit")
    def _seal(session):
        session.flush()
        if session.info.pop("packet_changed", False):
            _reseal(session)

    return True


# --- export ---------------------------------------------------------------------------------------


@dataclass
class PacketInfo:
    """What a packet says about itself."""

    id: str
    source_ledger_id: str
    period: str
    scope: dict
    created: dict
    seal: dict

    @classmethod
    def read(cls, session: Session) -> PacketInfo | None:
        info = dict(session.execute(select(LedgerInfo.key, LedgerInfo.value).where(LedgerInfo.key.like("packet.%"))).all())
        if INFO_ID not in info:
            return None
        return cls(
            info[INFO_ID],
            info.get(INFO_SOURCE, ""),
            info.get(INFO_PERIOD, ""),
            json.loads(info.get(INFO_SCOPE, "{}")),
            json.loads(info.get(INFO_MADE, "{}")),
            json.loads(info.get(INFO_SEAL, "{}")),
        )


def _scope_task_ids(session: Session, plan_id: int, units: list[Unit], annexes: list[int]) -> list[int]:
    query = select(Task.id).where(Task.plan_id == plan_id)
    if units:
        query = query.where(Task.id.in_(select(Assignment.task_id).where(Assignment.unit_id.in_([u.id for u in units]))))
    if annexes:
        query = query.join(Annex, Annex.id == Task.annex_id).where(Annex.number.in_(annexes))
    return list(session.scalars(query))


def _copy_database(source: Path, dest: Path) -> None:
    """A consistent copy with SQLite's backup API (the WAL included), as one self-contained file."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, closing(sqlite3.connect(dest)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def export_packet(
    ledger: Ledger,
    path: str | Path,
    *,
    period: str,
    units: list[str] | None = None,
    annexes: list[int] | None = None,
    months: int = 12,
    operator: str | None = None,
    control: JobControl | None = None,
) -> Path:
    """Write a field packet for the chosen units and annexes (all tasks if neither), with `months` of history."""
    control = control or JobControl()
    path = Path(path)
    period = check_period(period)
    if months < 1:
        raise UserError(f"历史月数“{months}”无效，应至少为 1。")
    control.step(0, 4, "正在确定数据包范围……")
    with ledger.Session.begin() as session:
        source_id = own_id(session)
        plan_id = resolve_plan_id(session, None)
        chosen_units = [find_unit(session, name) for name in units or ()]
        task_ids = _scope_task_ids(session, plan_id, chosen_units, list(annexes or ()))
        if not task_ids:
            raise UserError("所选单位和附件范围内没有任务，未生成数据包。")
        scope = {"units": [u.name for u in chosen_units], "annexes": sorted(annexes or []), "tasks": len(task_ids), "months": months}
    scratch = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _copy_database(ledger.path, scratch)
        control.step(1, 4, "正在裁剪数据包……")
        packet = _scratch_ledger(scratch)
        try:
            with packet.Session.begin() as session:
                _prune(session, plan_id, task_ids, first_period=shift_period(period, 1 - months))
                packet_id = str(uuid.uuid4())
                made = {"at": utcnow().isoformat(timespec="seconds"), "by": operator or audit.default_operator()}
                for key, value in (
                    (LEDGER_ID_KEY, str(uuid.uuid4())),
                    (INFO_ID, packet_id),
                    (INFO_SOURCE, source_id),
                    (INFO_PERIOD, period),
                    (INFO_SCOPE, json.dumps(scope, ensure_ascii=False)),
                    (INFO_MADE, json.dumps(made, ensure_ascii=False)),
                    ("setting.current_period", period),
                ):
                    _set_info(session, key, value)
                control.step(2, 4, "正在记录数据包基准……")
                base = [
                    {"entry_uuid": row.uuid, "version": row.version, "digest": digest(code, unit, row.period, content_of(row))}
                    for row, code, unit, _plan in _entry_rows(session)
                ]
                if base:
                    session.execute(insert(PacketBase), base)
                _reseal(session)
                control.step(3, 4, "正在压缩数据包……")
        finally:
            packet.close()
        with closing(sqlite3.connect(scratch)) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("VACUUM")
        os.replace(scratch, path)
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        raise
    control.step(4, 4, "完成")
    return path


def _scratch_ledger(path: Path) -> Ledger:
    """A working copy opened without the ledger's safety routine (no lock, no backup): it is not the office's file."""
    engine = create_engine(f"sqlite:///{path}")
    install_sqlite_hooks(engine)
    return Ledger(path=path, engine=engine, Session=sessionmaker(engine, expire_on_commit=False))


def _prune(session: Session, plan_id: int, task_ids: list[int], *, first_period: str) -> None:
    """Keep the plan's chosen tasks and their recent reports; drop what a laptop must not carry or need."""
    keep = set(task_ids)
    session.execute(delete(Plan).where(Plan.id != plan_id))
    dropped = [tid for tid in session.scalars(select(Task.id).where(Task.plan_id == plan_id)) if tid not in keep]
    for start in range(0, len(dropped), _CHUNK):
        session.execute(delete(Task).where(Task.id.in_(dropped[start : start + _CHUNK])))
    session.execute(delete(Annex).where(~Annex.id.in_(select(Task.annex_id))))
    session.execute(delete(ProgressEntry).where(ProgressEntry.period < first_period))
    session.execute(delete(Evidence).where(~Evidence.entry_uuid.in_(select(ProgressEntry.uuid))))
    for table in (AuditLog, ProgressDraft, MergeConflict, PacketMerge, PacketSync, PacketBase):
        session.execute(delete(table))
    session.execute(delete(LedgerInfo).where(LedgerInfo.key.like("packet.%")))


# --- reading a returned packet --------------------------------------------------------------------


@dataclass
class PacketEntry:
    """One report in a returned packet, with what the merge needs to place it."""

    uuid: str
    plan: str
    task_code: str
    unit: str
    period: str
    content: dict
    version: int
    origin: str | None
    changed_on: str | None
    created_at: dt.datetime

    @property
    def digest(self) -> str:
        return digest(self.task_code, self.unit, self.period, self.content)


@dataclass
class PacketContent:
    info: PacketInfo
    entries: list[PacketEntry]
    base: dict[str, str]  # entry uuid -> digest when the packet left
    evidence: list[dict]
    digest: str  # the packet's content as a whole: a merge of the same content changes nothing


def _refuse(path: Path, reason: str, details: list[str] | None = None) -> UserError:
    return UserError(f"外勤数据包 {path.name} 未合并：{reason}台账未作改动。", details)


def _seal_difference(found: dict, expected: dict) -> str:
    return (
        f"记录：进展 {found['entries']} 条（应为 {expected.get('entries', '?')}），"
        f"删除标记 {found['tombstones']} 条（应为 {expected.get('tombstones', '?')}），"
        f"证明材料 {found['evidence']} 个（应为 {expected.get('evidence', '?')}）。"
    )


def read_packet(path: Path, workdir: Path) -> PacketContent:
    """Copy a returned packet aside, check it whole, and read it; UserError says why a packet is refused."""
    from db.safety import check_file, file_damage

    if not path.is_file():
        raise UserError(f"找不到外勤数据包 {path}。")
    problems = file_damage(path)
    if problems:
        raise _refuse(path, "文件已损坏或不完整（可能复制时被截断）。", problems)
    copy = workdir / "packet.sqlite"
    try:
        _copy_database(path, copy)
    except sqlite3.DatabaseError as exc:
        raise _refuse(path, f"文件已损坏或不完整（{exc}）。") from exc
    problems = check_file(copy)
    if problems:
        raise _refuse(path, problems[0], problems[1:])
    try:
        packet = open_ledger(copy)
    except SQLAlchemyError as exc:
        raise _refuse(path, f"文件已损坏或不完整（{exc.__class__.__name__}）。") from exc
    try:
        with packet.Session() as session:
            info = PacketInfo.read(session)
            if info is None:
                raise _refuse(path, "这是一个台账文件，不是外勤数据包。")
            found = compute_seal(session)
            if found != info.seal:
                raise _refuse(path, "数据包内容与其校验信息不符，可能在督办台账之外被改动过或已损坏。", [_seal_difference(found, info.seal)])
            entries = [
                PacketEntry(row.uuid, plan, code, unit, row.period, content_of(row), row.version, row.origin, row.changed_on, row.created_at)
                for row, code, unit, plan in _entry_rows(session)
            ]
            base = dict(session.execute(select(PacketBase.entry_uuid, PacketBase.digest)).all())
            evidence = [
                {c: getattr(e, c) for c in ("uuid", "entry_uuid", "name", "size", "sha256", "data", "origin", "created_at", "deleted_at")}
                for e in session.scalars(select(Evidence).order_by(Evidence.uuid))
            ]
    except (SQLAlchemyError, UnicodeDecodeError, ValueError) as exc:  # damage SQLite's checks did not see
        raise _refuse(path, f"文件已损坏，无法读出其中的记录（{exc.__class__.__name__}）。") from exc
    finally:
        packet.close()
    return PacketContent(info, entries, base, evidence, found["checksum"])


# --- merge ----------------------------------------------------------------------------------------


@dataclass
class MergeItem:
    """A report the merge touched, as the merge report lists it."""

    task_code: str
    unit: str
    period: str
    note: str = ""


@dataclass
class MergeReport:
    """What one merge did; printed by the command line, shown by the window, and kept in packet_merge."""

    packet: str
    packet_id: str
    period: str
    made_by: str
    added: list[MergeItem] = field(default_factory=list)
    updated: list[MergeItem] = field(default_factory=list)
    deleted: list[MergeItem] = field(default_factory=list)
    conflicts: list[MergeItem] = field(default_factory=list)
    refused: list[MergeItem] = field(default_factory=list)
    unchanged: int = 0
    evidence_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted or self.conflicts or self.evidence_added)

    def counts(self) -> dict:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "deleted": len(self.deleted),
            "conflicts": len(self.conflicts),
            "refused": len(self.refused),
            "unchanged": self.unchanged,
            "evidence_added": self.evidence_added,
        }

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> MergeReport:
        lists = {k: [MergeItem(**item) for item in data[k]] for k in ("added", "updated", "deleted", "conflicts", "refused")}
        return cls(**(data | lists))

    def lines(self) -> list[str]:
        c = self.counts()
        lines = [
            f"外勤数据包：{self.packet}（{self.period}，{self.made_by} 导出）",
            f"新增 {c['added']} 条，更新 {c['updated']} 条，删除 {c['deleted']} 条，"
            f"冲突 {c['conflicts']} 条，未合并 {c['refused']} 条，无变化 {c['unchanged']} 条；证明材料新增 {c['evidence_added']} 个。",
        ]
        if not self.changed and not self.refused:
            lines.append("该数据包的内容已全部合并过，台账未作改动。")
        if self.conflicts:
            lines.append("以下进展在办公室和外勤中都被修改过，两个版本均已保留，请在“处理合并冲突”中逐项决定：")
            lines += [f"  {i.task_code} {i.unit} {i.period}" for i in self.conflicts]
        if self.refused:
            lines.append("以下进展未合并：")
            lines += [f"  {i.task_code} {i.unit} {i.period}：{i.note}" for i in self.refused]
        return lines


class _Merge:
    """One merge in one transaction: the ledger's side loaded in bulk, each packet report placed by the rules."""

    def __init__(self, session: Session, content: PacketContent, report: MergeReport, operator: str | None):
        self.session, self.content, self.report, self.operator = session, content, report, operator
        self.packet_id = content.info.id
        self.task_ids = {(plan, code): tid for tid, code, plan in session.execute(select(Task.id, Task.code, Plan.title).join(Plan))}
        self.unit_ids = dict(session.execute(select(Unit.name, Unit.id)).all())
        self.sync = {e: d for e, d in session.execute(select(PacketSync.entry_uuid, PacketSync.digest).where(PacketSync.packet_id == self.packet_id))}
        self.conflicts = {c.entry_uuid: c for c in session.scalars(select(MergeConflict).where(MergeConflict.packet_id == self.packet_id))}
        uuids = [p.uuid for p in content.entries]
        self.by_uuid: dict[str, ProgressEntry] = {}
        for start in range(0, len(uuids), _CHUNK):
            for row in session.scalars(select(ProgressEntry).where(ProgressEntry.uuid.in_(uuids[start : start + _CHUNK]))):
                self.by_uuid[row.uuid] = row
        self.by_key = self._rows_by_key([p for p in content.entries if p.uuid not in self.by_uuid])
        self.uuid_map: dict[str, str] = {}  # packet entry uuid -> the ledger's, where they differ

    def _key(self, p: PacketEntry) -> tuple[int, int, str] | None:
        task_id, unit_id = self.task_ids.get((p.plan, p.task_code)), self.unit_ids.get(p.unit)
        return (task_id, unit_id, p.period) if task_id and unit_id else None

    def _rows_by_key(self, entries: list[PacketEntry]) -> dict[tuple, ProgressEntry]:
        keys = [k for k in map(self._key, entries) if k]
        found = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            query = select(ProgressEntry).where(tuple_(ProgressEntry.task_id, ProgressEntry.unit_id, ProgressEntry.period).in_(chunk))
            for row in self.session.scalars(query):
                found[(row.task_id, row.unit_id, row.period)] = row
        return found

    def place(self, p: PacketEntry) -> None:
        item = MergeItem(p.task_code, p.unit, p.period)
        key = self._key(p)
        if key is None:
            item.note = "台账中没有该任务或单位（计划可能已更换）"
            self.report.refused.append(item)
            return
        problems = [] if p.content["deleted"] else list(field_problems(ProgressInput(p.task_code, p.unit, p.period, **{k: p.content[k] for k in ("status", "percent", "progress_text")})).values())
        if problems:
            item.note = "；".join(problems)
            self.report.refused.append(item)
            return
        packet_digest, deleted = p.digest, p.content["deleted"]
        base = self.sync.get(p.uuid, self.content.base.get(p.uuid))
        self.sync[p.uuid] = packet_digest
        row = self.by_uuid.get(p.uuid)
        if row is None and (base is not None or not deleted):
            row = self.by_key.get(key)  # the office reported the same month under another uuid
        if row is None:
            if deleted:
                self.report.unchanged += 1  # made and deleted in the field: nothing to bring back
                return
            self._insert(p, key)
            self.report.added.append(item)
            return
        if row.uuid != p.uuid:
            self.uuid_map[p.uuid] = row.uuid
        ledger_digest = digest(p.task_code, p.unit, p.period, content_of(row))
        if packet_digest in (ledger_digest, base) or (deleted and row.deleted_at is not None):
            self.report.unchanged += 1
        elif ledger_digest == base or (row.uuid != p.uuid and row.deleted_at is not None):
            self._take(row, p, item)
        else:
            self._conflict(row, p, ledger_digest)
            self.report.conflicts.append(item)

    def _insert(self, p: PacketEntry, key: tuple) -> None:
        task_id, unit_id, period = key
        values = {k: v for k, v in p.content.items() if k != "deleted"}
        values["entry_date"] = dt.date.fromisoformat(values["entry_date"])
        row = ProgressEntry(
            uuid=p.uuid, task_id=task_id, unit_id=unit_id, period=period, origin=p.origin,
            changed_on=p.changed_on, version=p.version, created_at=p.created_at, updated_at=utcnow(), **values,
        )
        self.session.add(row)
        self.by_uuid[p.uuid] = row
        audit.record(self.session, "progress.merge_add", "progress", f"{p.task_code}/{p.unit}/{p.period}", after=p.content | {"uuid": p.uuid}, operator=self.operator, note=self._note)

    def _take(self, row: ProgressEntry, p: PacketEntry, item: MergeItem) -> None:
        before = content_of(row)
        was_deleted = before["deleted"]
        row.version = max(row.version, p.version)  # the next change outnumbers both sides' counters
        _apply_content(row, p.content, p.changed_on)
        (self.report.deleted if p.content["deleted"] else self.report.added if was_deleted else self.report.updated).append(item)
        audit.record(self.session, "progress.merge_update", "progress", f"{p.task_code}/{p.unit}/{p.period}", before=before, after=p.content, operator=self.operator, note=self._note)

    def _conflict(self, row: ProgressEntry, p: PacketEntry, ledger_digest: str) -> None:
        packet_values = p.content | {"uuid": p.uuid, "changed_on": p.changed_on}
        ledger_values = content_of(row) | {"digest": ledger_digest}
        existing = self.conflicts.get(row.uuid)
        if existing is None:
            existing = MergeConflict(packet_id=self.packet_id, entry_uuid=row.uuid)
            self.session.add(existing)
            self.conflicts[row.uuid] = existing
        existing.ledger_values, existing.packet_values, existing.status = ledger_values, packet_values, PENDING
        existing.resolved_by = existing.resolved_at = None
        audit.record(self.session, "progress.merge_conflict", "progress", f"{p.task_code}/{p.unit}/{p.period}", before=ledger_values, after=packet_values, operator=self.operator, note=self._note)

    @property
    def _note(self) -> str:
        return f"外勤数据包 {self.report.packet}（{self.packet_id}）"

    def evidence(self) -> None:
        uuids = [e["uuid"] for e in self.content.evidence]
        known = {}
        for start in range(0, len(uuids), _CHUNK):
            known |= {row.uuid: row for row in self.session.scalars(select(Evidence).where(Evidence.uuid.in_(uuids[start : start + _CHUNK])))}
        for e in self.content.evidence:
            row = known.get(e["uuid"])
            if row is None and e["deleted_at"] is None:
                self.session.add(Evidence(**(e | {"entry_uuid": self.uuid_map.get(e["entry_uuid"], e["entry_uuid"])})))
                self.report.evidence_added += 1
            elif row is not None and e["deleted_at"] is not None and row.deleted_at is None:
                row.deleted_at = e["deleted_at"]

    def finish(self) -> None:
        """Record what this merge saw of the packet, so merging it again applies only later changes."""
        stored = set(self.session.scalars(select(PacketSync.entry_uuid).where(PacketSync.packet_id == self.packet_id)))
        for entry_uuid, value in self.sync.items():
            if entry_uuid in stored:
                self.session.get(PacketSync, (self.packet_id, entry_uuid)).digest = value
            else:
                self.session.add(PacketSync(packet_id=self.packet_id, entry_uuid=entry_uuid, digest=value))


def merge_packet(ledger: Ledger, path: str | Path, *, operator: str | None = None, control: JobControl | None = None) -> MergeReport:
    """Merge a returned packet in one transaction; a refused packet raises UserError and changes nothing."""
    control = control or JobControl()
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="duban-merge-") as workdir:
        control.step(0, 100, "正在检查数据包……")
        content = read_packet(path, Path(workdir))
    with ledger.Session.begin() as session:
        here = own_id(session)
        if content.info.source_ledger_id != here:
            raise _refuse(path, "它不是从本台账导出的（来自另一个台账），不能合并到这里。")
        made = content.info.created
        report = MergeReport(path.name, content.info.id, content.info.period, made.get("by", ""))
        merge = _Merge(session, content, report, operator)
        total = len(content.entries)
        for done, entry in enumerate(content.entries):
            if done % 250 == 0:
                control.step(done, total, f"正在合并进展 {done}/{total}……")
            merge.place(entry)
        merge.evidence()
        if not report.changed:
            return report  # nothing new: the ledger stays exactly as it was
        merge.finish()
        session.add(PacketMerge(packet_id=content.info.id, packet_digest=content.digest, operator=operator, counts=report.to_json()))
        audit.record(session, "packet.merge", "packet", content.info.id, after=report.counts(), operator=operator, note=path.name)
        control.step(total, total, "正在保存……")
    return report


# --- conflicts ------------------------------------------------------------------------------------


@dataclass
class ConflictView:
    """A pending conflict with the ledger's current version and the packet's, for the clerk to decide."""

    id: int
    packet_id: str
    task_code: str
    unit: str
    period: str
    ledger_values: dict
    packet_values: dict

    def to_json(self) -> dict:
        return asdict(self)


def pending_conflicts(session: Session) -> list[ConflictView]:
    query = (
        select(MergeConflict, ProgressEntry, Task.code, Unit.name)
        .join(ProgressEntry, ProgressEntry.uuid == MergeConflict.entry_uuid)
        .join(Task, Task.id == ProgressEntry.task_id)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .where(MergeConflict.status == PENDING)
        .order_by(Task.position, Unit.name, ProgressEntry.period)
    )
    return [
        ConflictView(c.id, c.packet_id, code, unit, row.period, content_of(row), c.packet_values)
        for c, row, code, unit in session.execute(query)
    ]


def resolve_conflict(session: Session, conflict_id: int, *, choice: str | dict, operator: str | None = None) -> None:
    """Settle a conflict: keep the ledger's version, take the packet's, or save combined values."""
    conflict = session.get(MergeConflict, conflict_id)
    if conflict is None or conflict.status != PENDING:
        raise UserError(f"冲突 {conflict_id} 不存在或已处理。可用 duban packet conflicts 查看待处理的冲突。")
    row = session.scalar(select(ProgressEntry).where(ProgressEntry.uuid == conflict.entry_uuid))
    task_code, unit = session.get(Task, row.task_id).code, session.get(Unit, row.unit_id).name
    before = content_of(row)
    if choice == "packet":
        _apply_content(row, conflict.packet_values, conflict.packet_values.get("changed_on"))
    elif isinstance(choice, dict):
        values = before | {"deleted": False} | {k: v for k, v in choice.items() if k in CONTENT}
        problems = field_problems(ProgressInput(task_code, unit, row.period, values["status"], values["percent"], values["progress_text"]))
        if problems:
            raise UserError("合并后的内容未保存：", list(problems.values()))
        _apply_content(row, values, own_id(session))
    elif choice != "ledger":
        raise UserError(f"处理方式“{choice}”无效，应为 ledger（采用台账）或 packet（采用数据包）。")
    conflict.status, conflict.resolved_by, conflict.resolved_at = RESOLVED, operator, utcnow()
    label = {"ledger": "采用台账中的版本", "packet": "采用数据包中的版本"}.get(choice) if isinstance(choice, str) else "保存合并后的内容"
    audit.record(session, "progress.merge_resolve", "progress", f"{task_code}/{unit}/{row.period}", before=before, after=content_of(row), operator=operator, note=label)


def merge_history(session: Session) -> list[PacketMerge]:
    """Every merge into this ledger, newest first (the printable merge report reads the latest)."""
    return list(session.scalars(select(PacketMerge).order_by(PacketMerge.merged_at.desc(), PacketMerge.id.desc())))
