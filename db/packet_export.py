"""Field packet export: a fresh ledger file holding an allow-listed slice of the office ledger, and the office's record of it.

The packet is built by creating an empty ledger with the normal migrations and inserting, table by table,
only the rows a laptop needs (the plan, the chosen tasks with their structure, their units and assignments,
recent reports with their evidence, and the office settings).  Nothing is copied by default, so a table
added later never reaches a laptop.  The office ledger records what was exported (PacketExport): the merge
checks a returned packet against that record, not against what the packet claims.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from db import audit, files
from db.accounts import refuse_unless_office
from db.engine import Ledger, open_ledger
from db.errors import UserError
from db.evidence import safe_evidence_name
from db.identity import LEDGER_ID_KEY, own_id
from db.jobs import JobControl
from db.ledger import find_unit, resolve_plan_id
from db.models import (
    Annex,
    Assignment,
    Evidence,
    Goal,
    IndicatorRow,
    IndicatorTable,
    LedgerInfo,
    Milestone,
    PacketBase,
    PacketExport,
    Plan,
    ProgressEntry,
    Section,
    Task,
    Unit,
    UnitAlias,
    utcnow,
)
from db.packet_seal import INFO_ID, INFO_MADE, INFO_PERIOD, INFO_SCOPE, INFO_SOURCE, read_entries, reseal, set_info
from db.periods import check_period, shift_period
from db.settings import OfficeSettings

_CHUNK = 400  # bound parameters per IN (), well under SQLite's limit


def _scope_task_ids(session: Session, plan_id: int, units: list[Unit], annexes: list[int]) -> list[int]:
    query = select(Task.id).where(Task.plan_id == plan_id)
    if units:
        query = query.where(Task.id.in_(select(Assignment.task_id).where(Assignment.unit_id.in_([u.id for u in units]))))
    if annexes:
        query = query.join(Annex, Annex.id == Task.annex_id).where(Annex.number.in_(annexes))
    return list(session.scalars(query))


def _rows(session: Session, table: Table, column, ids, *where) -> list[dict]:
    """Every row of `table` whose `column` is one of `ids` (and matches `where`), as plain dicts."""
    ids, out = sorted(set(ids)), []
    for start in range(0, len(ids), _CHUNK):
        query = select(table).where(column.in_(ids[start : start + _CHUNK]), *where)
        out += [dict(row) for row in session.execute(query).mappings()]
    return out


def _allowed_rows(office: Session, plan_id: int, task_ids: list[int], first_period: str) -> list[tuple[Table, list[dict]]]:
    """The rows a packet holds, table by table in foreign-key order: an allow-list, nothing else."""
    tasks = _rows(office, Task.__table__, Task.id, task_ids)
    annex_ids = {t["annex_id"] for t in tasks}
    indicator_tables = _rows(office, IndicatorTable.__table__, IndicatorTable.annex_id, annex_ids)
    assignments = _rows(office, Assignment.__table__, Assignment.task_id, task_ids)
    entries = _rows(office, ProgressEntry.__table__, ProgressEntry.task_id, task_ids, ProgressEntry.period >= first_period)
    unit_ids = {a["unit_id"] for a in assignments} | {a["via_unit_id"] for a in assignments if a["via_unit_id"]} | {e["unit_id"] for e in entries}
    settings_keys = [f"setting.{f.name}" for f in dataclasses.fields(OfficeSettings)]
    return [
        (Plan.__table__, _rows(office, Plan.__table__, Plan.id, [plan_id])),
        (Annex.__table__, _rows(office, Annex.__table__, Annex.id, annex_ids)),
        (Section.__table__, _rows(office, Section.__table__, Section.annex_id, annex_ids)),
        (Goal.__table__, _rows(office, Goal.__table__, Goal.annex_id, annex_ids)),
        (IndicatorTable.__table__, indicator_tables),
        (IndicatorRow.__table__, _rows(office, IndicatorRow.__table__, IndicatorRow.table_id, {t["id"] for t in indicator_tables})),
        (Task.__table__, tasks),
        (Milestone.__table__, _rows(office, Milestone.__table__, Milestone.task_id, task_ids)),
        (Unit.__table__, _rows(office, Unit.__table__, Unit.id, unit_ids)),
        (UnitAlias.__table__, _rows(office, UnitAlias.__table__, UnitAlias.unit_id, unit_ids)),
        (Assignment.__table__, assignments),
        (ProgressEntry.__table__, entries),
        (Evidence.__table__, [e | {"name": safe_evidence_name(e["name"])} for e in _rows(office, Evidence.__table__, Evidence.entry_uuid, [e["uuid"] for e in entries])]),
        (LedgerInfo.__table__, _rows(office, LedgerInfo.__table__, LedgerInfo.key, settings_keys)),
    ]


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
    path = files.check_output(path)  # never over the open ledger, another ledger or a packet (db.files)
    period = check_period(period)
    if not isinstance(months, int) or not 1 <= months <= 120:
        raise UserError(f"历史月数“{months}”无效，应为 1 到 120 之间的整数。")
    first_period = shift_period(period, 1 - months)
    control.step(0, 4, "正在确定数据包范围……")
    with ledger.Session.begin() as office:
        refuse_unless_office(office, "导出外勤数据包")
        source_id = own_id(office)
        plan_id = resolve_plan_id(office, None)
        chosen_units = [find_unit(office, name) for name in units or ()]
        task_ids = _scope_task_ids(office, plan_id, chosen_units, list(annexes or ()))
        if not task_ids:
            raise UserError("所选单位和附件范围内没有任务，未生成数据包。")
        scope = {"units": [u.name for u in chosen_units], "annexes": sorted(annexes or []), "tasks": len(task_ids), "months": months}
        tables = _allowed_rows(office, plan_id, task_ids, first_period)
    scope_units = sorted({row["unit_id"] for table, rows in tables if table is Assignment.__table__ for row in rows})
    packet_id = str(uuid.uuid4())
    made = {"at": utcnow().isoformat(timespec="seconds"), "by": operator or audit.default_operator()}
    scratch = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        control.step(1, 4, "正在写入数据包……")
        packet = open_ledger(scratch, scratch=True)  # an empty ledger with this program's schema
        try:
            with packet.Session.begin() as session:
                for table, _rows_ in reversed(tables):  # rows the migrations seed (units, aliases) give way to the office's
                    session.execute(delete(table))
                for table, rows in tables:
                    for start in range(0, len(rows), _CHUNK):
                        session.execute(insert(table), rows[start : start + _CHUNK])
                for key, value in (
                    (LEDGER_ID_KEY, str(uuid.uuid4())),
                    (INFO_ID, packet_id),
                    (INFO_SOURCE, source_id),
                    (INFO_PERIOD, period),
                    (INFO_SCOPE, json.dumps(scope, ensure_ascii=False)),
                    (INFO_MADE, json.dumps(made, ensure_ascii=False)),
                    ("setting.current_period", period),
                ):
                    set_info(session, key, value)
                control.step(2, 4, "正在记录数据包基准……")
                entries = read_entries(session)
                if entries:
                    session.execute(insert(PacketBase), [{"entry_uuid": e.uuid, "version": e.version, "digest": e.digest} for e in entries])
                reseal(session)
        finally:
            packet.close()
        control.step(3, 4, "正在压缩数据包……")
        with closing(sqlite3.connect(scratch)) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("VACUUM")
        with ledger.Session.begin() as office:  # the office's own record, before the packet exists under its name
            office.add(
                PacketExport(
                    packet_id=packet_id,
                    operator=made["by"],
                    period=period,
                    first_period=first_period,
                    task_ids=sorted(task_ids),
                    unit_ids=scope_units,
                    base={e.uuid: [e.version, e.digest] for e in entries},
                )
            )
        files.publish([(scratch, path)])  # fsync and rename, the target guarded again
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        raise
    control.step(4, 4, "完成")
    return path
