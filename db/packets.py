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

from sqlalchemy import delete, event, insert, select, text, tuple_, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from db import audit
from db.engine import Ledger, open_ledger
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
from db.files import check_output
from db.safety import check_file, copy_database

CONTENT = ("status", "percent", "progress_text", "problems", "next_steps", "reporter", "entry_date")
INFO_ID, INFO_SOURCE, INFO_PERIOD, INFO_SCOPE, INFO_MADE, INFO_SEAL = (
    "packet.id", "packet.source_ledger_id", "packet.period", "packet.scope", "packet.created", "packet.seal"
)
PENDING, RESOLVED = "pending", "resolved"
SEAL_FORMAT = 1  # how compute_seal hashes; a packet sealed another way is named as such, not called tampered
_CHUNK = 400  # bound parameters per IN (), well under SQLite's and PostgreSQL's limits


# --- what a report says ---------------------------------------------------------------------------


def content_of(row: ProgressEntry) -> dict:
    """A report's content as it travels: the fields a clerk enters, and whether it is deleted."""
    values = {name: getattr(row, name) for name in CONTENT}
    values["entry_date"] = row.entry_date.isoformat()
    values["deleted"] = row.deleted_at is not None
    return values


def digest(task_code: str, unit: str, period: str, content: dict) -> str:
    """The fingerprint the merge compares: same digest, same report (repr of str, int, bool and None is stable)."""
    canonical = repr((task_code, unit, period, *(content[name] for name in CONTENT), content["deleted"]))
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
    """Reports as plain rows with their task code, unit name and plan title (tombstones included)."""
    return session.execute(
        select(*ProgressEntry.__table__.c, Task.code.label("task_code"), Unit.name.label("unit_name"), Plan.title.label("plan_title"))
        .join(Task, Task.id == ProgressEntry.task_id)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(*where)
        .order_by(ProgressEntry.uuid)
    )


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

    def __post_init__(self):
        self.digest = digest(self.task_code, self.unit, self.period, self.content)


def read_entries(session: Session) -> list[PacketEntry]:
    return [
        PacketEntry(r.uuid, r.plan_title, r.task_code, r.unit_name, r.period, content_of(r), r.version, r.origin, r.changed_on, r.created_at)
        for r in _entry_rows(session)
    ]



# --- the seal -------------------------------------------------------------------------------------


def compute_seal(session: Session, entries: list[PacketEntry] | None = None) -> dict:
    """Counts and a checksum of everything a merge takes from the packet (entries: already read, to read once)."""
    sha = hashlib.sha256()
    live = tombstones = 0
    for entry in entries if entries is not None else read_entries(session):
        live, tombstones = (live, tombstones + 1) if entry.content["deleted"] else (live + 1, tombstones)
        sha.update(f"E|{entry.uuid}|{entry.version}|{entry.changed_on}|{entry.digest}\n".encode())
    evidence = 0
    for uid, entry_uuid, sha256, size, deleted in session.execute(
        select(Evidence.uuid, Evidence.entry_uuid, Evidence.sha256, Evidence.size, Evidence.deleted_at).order_by(Evidence.uuid)
    ):
        evidence += 1
        sha.update(f"V|{uid}|{entry_uuid}|{sha256}|{size}|{deleted is not None}\n".encode())
    for entry_uuid, version, base in session.execute(select(PacketBase.entry_uuid, PacketBase.version, PacketBase.digest).order_by(PacketBase.entry_uuid)):
        sha.update(f"B|{entry_uuid}|{version}|{base}\n".encode())
    return {"format": SEAL_FORMAT, "entries": live, "tombstones": tombstones, "evidence": evidence, "checksum": sha.hexdigest()}


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
    path = check_output(path)  # never over the open ledger, another ledger or a packet (db.files)
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
        copy_database(ledger.path, scratch)
        control.step(1, 4, "正在裁剪数据包……")
        packet = open_ledger(scratch, scratch=True)
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
                base = [{"entry_uuid": e.uuid, "version": e.version, "digest": e.digest} for e in read_entries(session)]
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
class PacketContent:
    info: PacketInfo
    entries: list[PacketEntry]
    base: dict[str, str]  # entry uuid -> digest when the packet left
    evidence: list[dict]
    digest: str  # the packet's content as a whole: a merge of the same content changes nothing


def _refuse(path: Path, reason: str, details: list[str] | None = None) -> UserError:
    return UserError(f"外勤数据包 {path.name} 未合并：{reason}台账未作改动。", details)


def _seal_difference(found: dict, expected: dict) -> str:
    if all(found[k] == expected.get(k) for k in ("entries", "tombstones", "evidence")):
        return f"记录条数一致（进展 {found['entries']} 条），但内容的校验和不同：有记录的内容被改动过。"
    return (
        f"记录：进展 {found['entries']} 条（应为 {expected.get('entries', '?')}），"
        f"删除标记 {found['tombstones']} 条（应为 {expected.get('tombstones', '?')}），"
        f"证明材料 {found['evidence']} 个（应为 {expected.get('evidence', '?')}）。"
    )


def read_packet(path: Path, workdir: Path) -> PacketContent:
    """Copy a returned packet aside, check it whole, and read it; UserError says why a packet is refused."""
    if not path.is_file():
        raise UserError(f"找不到外勤数据包 {path}。")
    copy = workdir / "packet.sqlite"
    try:
        copy_database(path, copy)
        problems = check_file(copy)
        if problems:
            raise _refuse(path, problems[0], problems[1:])
        packet = open_ledger(copy, scratch=True)  # checked and private: no lock or backups; an older revision is upgraded
    except (sqlite3.DatabaseError, SQLAlchemyError, UnicodeDecodeError) as exc:
        raise _refuse(path, f"文件已损坏或不完整（{exc.__class__.__name__}）。") from exc
    try:
        with packet.Session() as session:
            info = PacketInfo.read(session)
            if info is None:
                raise _refuse(path, "这是一个台账文件，不是外勤数据包。")
            entries = read_entries(session)
            found = compute_seal(session, entries)
            if info.seal.get("format") != SEAL_FORMAT:
                raise _refuse(path, f"它由另一版本的督办台账导出（校验格式 {info.seal.get('format', '未知')}，本程序为 {SEAL_FORMAT}），请用同一版本合并。")
            if found != info.seal:
                raise _refuse(path, "数据包内容与其校验信息不符，可能在督办台账之外被改动过或已损坏。", [_seal_difference(found, info.seal)])
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
    """One merge in one transaction: the ledger's side read as plain rows, each packet report placed by the rules,
    and the writes made in bulk at the end (a packet of thousands of reports must merge in a second or two)."""

    def __init__(self, session: Session, content: PacketContent, report: MergeReport, operator: str | None):
        self.session, self.content, self.report, self.operator = session, content, report, operator
        self.packet_id = content.info.id
        self.note = f"外勤数据包 {report.packet}（{self.packet_id}）"
        self.task_ids = {(plan, code): tid for tid, code, plan in session.execute(select(Task.id, Task.code, Plan.title).join(Plan))}
        self.unit_ids = dict(session.execute(select(Unit.name, Unit.id)).all())
        self.stored_sync = dict(session.execute(select(PacketSync.entry_uuid, PacketSync.digest).where(PacketSync.packet_id == self.packet_id)).all())
        self.sync = dict(self.stored_sync)
        self.conflicts = {c.entry_uuid: c for c in session.scalars(select(MergeConflict).where(MergeConflict.packet_id == self.packet_id))}
        columns = [*ProgressEntry.__table__.c]
        uuids = [p.uuid for p in content.entries]
        self.by_uuid = {}
        for start in range(0, len(uuids), _CHUNK):
            self.by_uuid |= {r.uuid: r for r in session.execute(select(*columns).where(ProgressEntry.uuid.in_(uuids[start : start + _CHUNK])))}
        keys = [k for p in content.entries if p.uuid not in self.by_uuid and (k := self._key(p))]
        self.by_key = {}
        for start in range(0, len(keys), _CHUNK):
            query = select(*columns).where(tuple_(ProgressEntry.task_id, ProgressEntry.unit_id, ProgressEntry.period).in_(keys[start : start + _CHUNK]))
            self.by_key |= {(r.task_id, r.unit_id, r.period): r for r in session.execute(query)}
        self.uuid_map: dict[str, str] = {}  # packet entry uuid -> the ledger's, where they differ
        self.inserts: list[dict] = []
        self.updates: list[dict] = []
        self.audits: list[dict] = []

    def _key(self, p: PacketEntry) -> tuple[int, int, str] | None:
        task_id, unit_id = self.task_ids.get((p.plan, p.task_code)), self.unit_ids.get(p.unit)
        return (task_id, unit_id, p.period) if task_id and unit_id else None

    def place(self, p: PacketEntry) -> None:
        item = MergeItem(p.task_code, p.unit, p.period)
        key = self._key(p)
        if key is None:
            item.note = "台账中没有该任务或单位（计划可能已更换）"
            self.report.refused.append(item)
            return
        deleted = p.content["deleted"]
        base = self.sync.get(p.uuid, self.content.base.get(p.uuid))
        row = self.by_uuid.get(p.uuid)
        if row is None and (base is not None or not deleted):
            row = self.by_key.get(key)  # the office reported the same month under another uuid
        ours = ledger_digest = None
        if row is None:
            action = "unchanged" if deleted else "insert"  # made and deleted in the field: nothing to bring back
        else:
            if row.uuid != p.uuid:
                self.uuid_map[p.uuid] = row.uuid
            ours = content_of(row)
            ledger_digest = digest(p.task_code, p.unit, p.period, ours)
            if p.digest in (ledger_digest, base) or (deleted and ours["deleted"]):
                action = "unchanged"
            elif ledger_digest == base or (row.uuid != p.uuid and ours["deleted"]):
                action = "take"
            else:
                action = "conflict"
        if action != "unchanged" and not deleted:
            problems = field_problems(ProgressInput(p.task_code, p.unit, p.period, p.content["status"], p.content["percent"], p.content["progress_text"]))
            if problems:
                item.note = "；".join(problems.values())
                self.report.refused.append(item)
                return
        if p.digest != self.content.base.get(p.uuid) or p.uuid in self.sync:
            self.sync[p.uuid] = p.digest  # the packet's own base already says what is unchanged since export
        if action == "unchanged":
            self.report.unchanged += 1
        elif action == "insert":
            self._insert(p, key)
            self.report.added.append(item)
        elif action == "take":
            self._take(row, ours, p)
            (self.report.deleted if deleted else self.report.added if ours["deleted"] else self.report.updated).append(item)
        else:
            self._conflict(row, ours, ledger_digest, p)
            self.report.conflicts.append(item)

    def _audit(self, action: str, p: PacketEntry, **values) -> None:
        self.audits.append(audit.row(action, "progress", f"{p.task_code}/{p.unit}/{p.period}", operator=self.operator, note=self.note, **values))

    def _insert(self, p: PacketEntry, key: tuple) -> None:
        task_id, unit_id, period = key
        values = {k: v for k, v in p.content.items() if k != "deleted"} | {"entry_date": dt.date.fromisoformat(p.content["entry_date"])}
        self.inserts.append(
            values | {"uuid": p.uuid, "task_id": task_id, "unit_id": unit_id, "period": period, "origin": p.origin,
                      "changed_on": p.changed_on, "version": p.version, "created_at": p.created_at, "updated_at": utcnow()}
        )
        self._audit("progress.merge_add", p, after=p.content | {"uuid": p.uuid})

    def _take(self, row, ours: dict, p: PacketEntry) -> None:
        """The packet's version replaces the ledger's; the change counter moves past both sides'."""
        values = {k: v for k, v in p.content.items() if k != "deleted"} | {"entry_date": dt.date.fromisoformat(p.content["entry_date"])}
        now = utcnow()
        self.updates.append(
            values | {"id": row.id, "version": max(row.version, p.version) + 1, "changed_on": p.changed_on, "updated_at": now,
                      "deleted_at": (row.deleted_at or now) if p.content["deleted"] else None}
        )
        self._audit("progress.merge_update", p, before=ours, after=p.content)

    def _conflict(self, row, ours: dict, ledger_digest: str, p: PacketEntry) -> None:
        packet_values = p.content | {"uuid": p.uuid, "changed_on": p.changed_on}
        ledger_values = ours | {"digest": ledger_digest}
        existing = self.conflicts.get(row.uuid)
        if existing is None:
            existing = self.conflicts[row.uuid] = MergeConflict(packet_id=self.packet_id, entry_uuid=row.uuid)
            self.session.add(existing)
        existing.ledger_values, existing.packet_values, existing.status = ledger_values, packet_values, PENDING
        existing.resolved_by = existing.resolved_at = None
        self._audit("progress.merge_conflict", p, before=ledger_values, after=packet_values)

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

    def write(self) -> None:
        """The writes, in bulk; and what this merge saw of the packet, so merging it again applies only later changes."""
        session = self.session
        if self.inserts:
            session.execute(insert(ProgressEntry), self.inserts)
        if self.updates:
            session.execute(update(ProgressEntry), self.updates)
        if self.audits:
            session.execute(insert(AuditLog), self.audits)
        fresh = [{"packet_id": self.packet_id, "entry_uuid": u, "digest": d} for u, d in self.sync.items() if u not in self.stored_sync]
        moved = [{"packet_id": self.packet_id, "entry_uuid": u, "digest": d} for u, d in self.sync.items() if self.stored_sync.get(u, d) != d]
        if fresh:
            session.execute(insert(PacketSync), fresh)
        if moved:
            session.execute(update(PacketSync), moved)


def merge_packet(ledger: Ledger, path: str | Path, *, operator: str | None = None, control: JobControl | None = None) -> MergeReport:
    """Merge a returned packet in one transaction; a refused packet raises UserError and changes nothing."""
    control = control or JobControl()
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="duban-merge-") as workdir:
        control.step(0, 100, "正在检查数据包……")
        content = read_packet(path, Path(workdir))
    with ledger.Session.begin() as session:
        if content.info.source_ledger_id != own_id(session):
            raise _refuse(path, "它不是从本台账导出的（来自另一个台账），不能合并到这里。")
        report = MergeReport(path.name, content.info.id, content.info.period, content.info.created.get("by", ""))
        merge = _Merge(session, content, report, operator)
        total = len(content.entries)
        for done, entry in enumerate(content.entries):
            if done % 500 == 0:
                control.step(done, total, f"正在合并进展 {done}/{total}……")
            merge.place(entry)
        merge.evidence()
        if not report.changed:
            return report  # nothing new: the ledger stays exactly as it was
        control.step(total, total, "正在保存……")
        merge.write()
        session.add(PacketMerge(packet_id=content.info.id, packet_digest=content.digest, operator=operator, counts=report.to_json()))
        audit.record(session, "packet.merge", "packet", content.info.id, after=report.counts(), operator=operator, note=path.name)
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
