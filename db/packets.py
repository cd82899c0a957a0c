"""Field packets: the three-way merge that brings a returned packet back, and the conflicts it leaves.

A packet is a ledger file of its own (same schema, suffix .duban), so `duban --db packet.duban` and the
window work on it unchanged.  Export (db.packet_export) builds it from an allow-list and records in the
office ledger what it was for (PacketExport); its seal (db.packet_seal) catches accidents.  A merge trusts
the office's record, never what the packet says: a packet may change only reports of the (task, unit)
pairs and months it was exported for, every report is checked by the rules of db.progress.add_progress,
evidence is checked against its hash, size and the 20 MB limit, and a packet that would delete office
reports is refused unless the clerk confirms (allow_deletes).

Merge rules, per report (matched by uuid, or by task, unit and month for a report both sides created; the
task and unit by the plan's and unit's uuids, so a unit renamed in the office after export still gets its
reports, and a same-named unit of another ledger does not; only a packet made before schema 0008 is placed
by plan title and unit name):
- only in the packet: added (a report created and deleted in the field adds nothing);
- the same on both sides, or unchanged in the packet since its base: left as the ledger has it;
- changed in the packet only (the ledger still equals the base): the packet's version is taken,
  a deletion included;
- changed on both sides: a conflict; both versions are kept and nothing is overwritten until a
  clerk decides.
The base is the report as the office recorded it at export, or as this packet's last merge saw it
(packet_sync), so merging a packet again, even after more field work, applies only what changed since.
A change's counter (version) and the ledger that made it (changed_on) travel with it; clocks never decide.
Plan and unit uuids are each ledger's own (random, made once): a packet merges only into the ledger that
exported it (its ledger id and the office's export record are checked first), so two offices' ledgers made
from the same bundled plan need no common uuids.  `server import` keeps them, with the ledger id.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db import audit
from db.engine import Ledger, open_ledger
from db.errors import UserError
from db.evidence import evidence_problems, safe_evidence_name
from db.identity import own_id
from db.jobs import JobControl
from db.models import (
    AuditLog,
    Evidence,
    MergeConflict,
    PacketBase,
    PacketExport,
    PacketMerge,
    PacketSync,
    Plan,
    ProgressEntry,
    Task,
    Unit,
    utcnow,
)
from db.packet_export import export_packet
from db.packet_seal import (
    CONTENT,
    INFO_ID,
    SEAL_FORMAT,
    PacketEntry,
    PacketInfo,
    compute_seal,
    content_of,
    digest,
    keep_sealed,
    read_entries,
    storage_problems,
)
from db.periods import shift_period
from db.progress import ProgressInput, assignment_problem, entry_date_problem, field_problems
from db.safety import check_file, copy_database

log = logging.getLogger(__name__)

__all__ = [  # the packet API, wherever each part lives
    "CONTENT", "INFO_ID", "SEAL_FORMAT", "PacketEntry", "PacketInfo", "compute_seal", "content_of", "digest", "export_packet",
    "keep_sealed", "read_entries", "merge_packet", "pending_conflicts", "resolve_conflict", "MergeReport", "MergeItem",
]
PENDING, RESOLVED = "pending", "resolved"
FIELD_MONTHS = 3  # a packet may also report the months after its export period (a field trip runs on), no later
_CHUNK = 400  # bound parameters per IN (), well under SQLite's and PostgreSQL's limits
# The schema revision that gave plans and units their uuids (revision ids are zero-padded numbers, so they
# compare as strings): a packet exported before it is placed by plan title and unit name.
UUID_REVISION = "0008"


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
        with closing(sqlite3.connect(copy)) as conn:
            revision = str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
        packet = open_ledger(copy, scratch=True)  # checked and private: no lock or backups; an older revision is upgraded
    except (sqlite3.DatabaseError, SQLAlchemyError, UnicodeDecodeError) as exc:
        log.warning("packet %r unreadable: %r", str(path), exc)
        raise _refuse(path, "文件已损坏或不完整。") from exc
    try:
        with packet.Session() as session:
            problems = storage_problems(session.connection())
            if problems:
                raise _refuse(path, "其中有类型不对或长度超出上限的数据，不是督办台账写出的内容。", problems)
            try:
                info = PacketInfo.read(session)
            except UserError as exc:
                raise _refuse(path, f"数据包信息有误：{exc.message}") from exc
            if info is None:
                raise _refuse(path, "这是一个台账文件，不是外勤数据包。")
            if info.seal.get("format") != SEAL_FORMAT:
                raise _refuse(path, f"它由另一版本的督办台账导出（校验格式 {str(info.seal.get('format', '未知'))[:20]}，本程序为 {SEAL_FORMAT}），请用同一版本合并。")
            entries = read_entries(session)
            if revision < UUID_REVISION:  # the upgrade just now gave its plan and units new uuids: not the office's
                for entry in entries:
                    entry.plan_uuid = entry.unit_uuid = None
            found = compute_seal(session, entries)
            if found != info.seal:
                raise _refuse(path, "数据包内容与其校验信息不符，可能在督办台账之外被改动过或已损坏。", [_seal_difference(found, info.seal)])
            base = dict(session.execute(select(PacketBase.entry_uuid, PacketBase.digest)).all())
            evidence = [
                {c: getattr(e, c) for c in ("uuid", "entry_uuid", "name", "size", "sha256", "data", "origin", "created_at", "deleted_at")}
                for e in session.scalars(select(Evidence).order_by(Evidence.uuid))
            ]
    except (SQLAlchemyError, UnicodeDecodeError, ValueError, TypeError, OverflowError) as exc:  # damage SQLite's checks did not see
        log.warning("packet %r records unreadable: %r", str(path), exc)
        raise _refuse(path, "文件已损坏，无法读出其中的记录。") from exc
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

    def __init__(self, session: Session, content: PacketContent, record: PacketExport, report: MergeReport, operator: str | None, path: Path):
        self.session, self.content, self.report, self.operator, self.path = session, content, report, operator, path
        self.packet_id = content.info.id
        # The office's record decides what this packet may touch and what it was based on; the packet's own claims do not.
        self.base = {u: d for u, (_version, d) in record.base.items()}
        self.scope_tasks, self.scope_units = set(record.task_ids), set(record.unit_ids)
        self.first_period, self.last_period = record.first_period, shift_period(record.period, FIELD_MONTHS)
        self.deletions: list[MergeItem] = []
        self.placed: set[str] = set()  # packet entry uuids merged or unchanged, whose evidence may come along
        self.note = f"外勤数据包 {report.packet}（{self.packet_id}）"
        self.task_ids, self.task_ids_by_title = {}, {}
        for tid, code, plan_uuid, title in session.execute(select(Task.id, Task.code, Plan.uuid, Plan.title).join(Plan)):
            self.task_ids[(plan_uuid, code)] = self.task_ids_by_title[(title, code)] = tid
        self.units = {uid: (unit_id, name) for unit_id, uid, name in session.execute(select(Unit.id, Unit.uuid, Unit.name))}
        self.unit_ids = {name: unit_id for unit_id, name in self.units.values()}
        self.unit_names = {unit_id: name for unit_id, name in self.units.values()}
        self.stored_sync = dict(session.execute(select(PacketSync.entry_uuid, PacketSync.digest).where(PacketSync.packet_id == self.packet_id)).all())
        self.sync = dict(self.stored_sync)
        self.conflicts = {c.entry_uuid: c for c in session.scalars(select(MergeConflict).where(MergeConflict.packet_id == self.packet_id))}
        columns = [*ProgressEntry.__table__.c]
        # The reports are locked as read (PostgreSQL): a clerk saving one of them meanwhile waits, and sees the merge's version.
        uuids = [p.uuid for p in content.entries]
        self.by_uuid = {}
        for start in range(0, len(uuids), _CHUNK):
            self.by_uuid |= {r.uuid: r for r in session.execute(select(*columns).where(ProgressEntry.uuid.in_(uuids[start : start + _CHUNK])).with_for_update())}
        keys = [k for p in content.entries if p.uuid not in self.by_uuid and (k := self._key(p))]
        self.by_key = {}
        for start in range(0, len(keys), _CHUNK):
            query = select(*columns).where(tuple_(ProgressEntry.task_id, ProgressEntry.unit_id, ProgressEntry.period).in_(keys[start : start + _CHUNK])).with_for_update()
            self.by_key |= {(r.task_id, r.unit_id, r.period): r for r in session.execute(query)}
        self.uuid_map: dict[str, str] = {}  # packet entry uuid -> the ledger's, where they differ
        self.inserts: list[dict] = []
        self.updates: list[dict] = []
        self.audits: list[dict] = []

    def _key(self, p: PacketEntry) -> tuple[int, int, str] | None:
        """The report's (task, unit, month) in this ledger: by the plan's and unit's uuids, by title and name only for an old packet."""
        if p.unit_uuid is None:  # exported before schema 0008
            task_id, unit_id = self.task_ids_by_title.get((p.plan, p.task_code)), self.unit_ids.get(p.unit)
        else:
            task_id, unit_id = self.task_ids.get((p.plan_uuid, p.task_code)), self.units.get(p.unit_uuid, (None, None))[0]
        return (task_id, unit_id, p.period) if task_id and unit_id else None

    def _unplaced(self, p: PacketEntry) -> str:
        """Why a packet report has no place in this ledger, in the clerk's words."""
        if p.unit_uuid is not None and p.unit_uuid not in self.units:
            if p.unit in self.unit_ids:
                return f"数据包中的单位“{p.unit}”与台账中的同名单位不是同一个单位（单位编号不同），可能来自另一个台账"
            return f"台账中没有数据包中的单位“{p.unit}”（可能已被删除）"
        return "台账中没有该任务（计划可能已更换）" if p.unit_uuid is not None else "台账中没有该任务或单位（计划可能已更换）"

    def place(self, p: PacketEntry) -> None:
        key = self._key(p)
        # Listed under the unit's name in this ledger: the office may have renamed it since the packet left.
        item = MergeItem(p.task_code, self.unit_names.get(key[1], p.unit) if key else p.unit, p.period)
        if key is None:
            item.note = self._unplaced(p)
            self.report.refused.append(item)
            return
        deleted = p.content["deleted"]
        base = self.sync.get(p.uuid, self.base.get(p.uuid))
        row = self.by_uuid.get(p.uuid)
        if row is not None and (row.task_id, row.unit_id, row.period) != key:
            raise _refuse(self.path, f"其中的进展“{p.task_code} {p.unit} {str(p.period)[:20]}”与台账中同一编号的进展不是同一任务、单位或月份：数据包在督办台账之外被改动过。")
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
        if action != "unchanged":
            self._check_scope(p, key)
        elif p.uuid not in self.base and not self._in_scope(key):
            self.report.unchanged += 1
            return  # unchanged, but not a report this packet was exported with: its evidence must not come in through it
        if action != "unchanged":  # a deletion too: a tombstone's content is written to the office's row
            problems = self._problems(p, key)
            if problems:
                item.note = "；".join(problems)
                self.report.refused.append(item)
                return
        self.placed.add(p.uuid)
        if action == "take" and deleted and not ours["deleted"]:
            self.deletions.append(item)
        if p.digest != self.base.get(p.uuid) or p.uuid in self.sync:
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

    def _in_scope(self, key: tuple[int, int, str]) -> bool:
        task_id, unit_id, period = key
        return task_id in self.scope_tasks and unit_id in self.scope_units and self.first_period <= period <= self.last_period

    def _check_scope(self, p: PacketEntry, key: tuple[int, int, str]) -> None:
        """A change outside what the office exported this packet for refuses the whole packet: it was forged."""
        if not self._in_scope(key):
            raise _refuse(
                self.path,
                f"它改动了导出范围以外的进展“{p.task_code} {p.unit} {str(p.period)[:20]}”。"
                f"该数据包导出时只含所选任务及其责任单位 {self.first_period} 至 {self.last_period} 的进展。",
            )

    def _problems(self, p: PacketEntry, key: tuple[int, int, str]) -> list[str]:
        """Every rule add_progress applies to a report, applied to the packet's version of it."""
        values = p.content
        try:
            entry_date = dt.date.fromisoformat(values["entry_date"])
        except (TypeError, ValueError):
            return [f"填报日期“{str(values['entry_date'])[:20]}”无效。"]
        entry = ProgressInput(p.task_code, p.unit, p.period, values["status"], values["percent"], values["progress_text"],
                              values["problems"], values["next_steps"], values["reporter"], entry_date)
        problems = list(field_problems(entry).values())
        task, unit = self.session.get(Task, key[0]), self.session.get(Unit, key[1])
        problems += [p for p in (assignment_problem(self.session, task, unit), entry_date_problem(entry_date, task.plan.year)) if p]
        return problems

    def _audit(self, action: str, p: PacketEntry, **values) -> None:
        unit = self.unit_names[key[1]] if (key := self._key(p)) else p.unit  # as the ledger names it now
        self.audits.append(audit.row(action, "progress", f"{p.task_code}/{unit}/{p.period}", operator=self.operator, note=self.note, **values))

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

    def check_evidence(self) -> None:
        """Every attachment checked before anything is placed: safe name, hash, size, limit, and a report in this packet."""
        in_packet = {p.uuid for p in self.content.entries}
        problems = []
        for e in self.content.evidence:
            problems += evidence_problems(e["name"], e["size"], e["sha256"], e["data"])
            if e["entry_uuid"] not in in_packet:
                problems.append(f"证明材料“{safe_evidence_name(e['name']) if isinstance(e['name'], (str, bytes)) else '（名称无效）'}”所属的进展不在数据包中。")
        if problems:
            raise _refuse(self.path, "其中的证明材料有误：", problems[:20] + ([f"等共 {len(problems)} 处。"] if len(problems) > 20 else []))

    def evidence(self) -> None:
        uuids = [e["uuid"] for e in self.content.evidence]
        known = {}
        for start in range(0, len(uuids), _CHUNK):
            known |= {row.uuid: row for row in self.session.scalars(select(Evidence).where(Evidence.uuid.in_(uuids[start : start + _CHUNK])))}
        for e in self.content.evidence:
            row = known.get(e["uuid"])
            entry_uuid = self.uuid_map.get(e["entry_uuid"], e["entry_uuid"])
            if row is not None and row.entry_uuid != entry_uuid:
                raise _refuse(self.path, f"其中的证明材料“{safe_evidence_name(e['name'])}”与台账中同一编号的材料不属于同一条进展：数据包在督办台账之外被改动过。")
            if e["entry_uuid"] not in self.placed:
                continue  # its report was not merged (refused): its evidence stays out too
            if row is None and e["deleted_at"] is None:
                self.session.add(Evidence(**(e | {"entry_uuid": entry_uuid})))
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


class DeletionsNeedConfirmation(UserError):
    """A packet would delete office reports: refused until the clerk confirms (allow_deletes); lists them."""

    def __init__(self, path: Path, items: list[MergeItem]):
        shown = [f"{i.task_code} {i.unit} {i.period}" for i in items[:50]] + ([f"……等共 {len(items)} 条"] if len(items) > 50 else [])
        super().__init__(
            f"外勤数据包 {path.name} 未合并：它会删除台账中的 {len(items)} 条进展（见下）。"
            "确认要删除时，命令行请加 --allow-deletes 再合并，窗口中请在提示时选择“删除并合并”。台账未作改动。",
            shown,
        )
        self.items = items


def merge_packet(
    ledger: Ledger, path: str | Path, *, operator: str | None = None, control: JobControl | None = None, allow_deletes: bool = False
) -> MergeReport:
    """Merge a returned packet in one transaction; a refused packet raises UserError and changes nothing.

    The merge is worked out in full before anything is written; if it would delete office reports and
    allow_deletes is not given, DeletionsNeedConfirmation lists them and nothing is written.
    """
    control = control or JobControl()
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="duban-merge-") as workdir:
        control.step(0, 100, "正在检查数据包……")
        content = read_packet(path, Path(workdir))
    with ledger.Session.begin() as session:
        if content.info.source_ledger_id != own_id(session):
            raise _refuse(path, "它不是从本台账导出的（来自另一个台账），不能合并到这里。")
        record = session.get(PacketExport, content.info.id)
        if record is None:
            raise _refuse(path, "本台账没有导出过该数据包的记录（可能由旧版本导出，或编号被改动过），请重新导出数据包。")
        report = MergeReport(path.name, content.info.id, content.info.period, str(content.info.created.get("by", ""))[:100])
        merge = _Merge(session, content, record, report, operator, path)
        merge.check_evidence()
        total = len(content.entries)
        for done, entry in enumerate(content.entries):
            if done % 500 == 0:
                control.step(done, total, f"正在合并进展 {done}/{total}……")
            merge.place(entry)
        if merge.deletions and not allow_deletes:
            raise DeletionsNeedConfirmation(path, merge.deletions)
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
    row = session.scalar(select(ProgressEntry).where(ProgressEntry.uuid == conflict.entry_uuid).with_for_update())
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
