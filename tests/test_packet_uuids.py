"""Field packets find their plan and units by uuid (schema 0008): a renamed unit still gets its reports, a
same-named unit that is not the exported one does not, and a packet made before 0008 still merges by name."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, update

from db.engine import alembic_config, migration_connection, open_ledger
from db.ledger import list_tasks
from db.models import Unit
from db.packets import export_packet, merge_packet
from db.progress import ProgressInput, add_progress, list_progress
from db.server_transfer import tables

UNIT = "市发展改革委"
RENAMED = "市发展和改革委员会"
PERIOD = "2022-06"


def write(ledger, *entries: ProgressInput) -> None:
    with ledger.Session.begin() as s:
        for entry in entries:
            add_progress(s, entry, operator="测试")


def texts(ledger, unit: str) -> dict[tuple, str]:
    with ledger.Session() as s:
        return {(e.task, e.period): e.progress_text for e in list_progress(s, unit=unit)}


def dump(ledger) -> dict[str, list]:
    """Every row of every table, on either engine (the suite also runs on PostgreSQL)."""
    with ledger.engine.connect() as conn:
        return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))] for t in tables()}


@pytest.fixture
def field_packet(ledger, tmp_path):
    """A packet for 市发展改革委 with an office report, then field work on it: an update and a new report."""
    with ledger.Session() as s:
        tasks = [t.code for t in list_tasks(s, unit=UNIT)][:3]
    write(ledger, ProgressInput(tasks[0], UNIT, PERIOD, "推进中", 40, "办公室录入"))
    path = export_packet(ledger, tmp_path / "field" / "外勤.duban", period=PERIOD, units=[UNIT], operator="张三")
    field = open_ledger(path)
    try:
        write(field, ProgressInput(tasks[0], UNIT, PERIOD, "推进中", 70, "外勤核查后更新"), ProgressInput(tasks[1], UNIT, PERIOD, "推进中", 20, "外勤新增"))
    finally:
        field.close()
    return path, tasks


def rename_unit(ledger, **values) -> None:
    with ledger.Session.begin() as s:
        s.execute(update(Unit).where(Unit.name == UNIT).values(**values))


def test_a_unit_renamed_in_the_office_after_export_still_gets_its_reports(ledger, field_packet):
    path, tasks = field_packet
    rename_unit(ledger, name=RENAMED)

    result = merge_packet(ledger, path, operator="李四")

    assert [(i.task_code, i.unit) for i in result.updated] == [(tasks[0], RENAMED)]
    assert [(i.task_code, i.unit) for i in result.added] == [(tasks[1], RENAMED)]
    assert not result.refused
    assert texts(ledger, RENAMED) == {(tasks[0], PERIOD): "外勤核查后更新", (tasks[1], PERIOD): "外勤新增"}


def test_a_same_named_unit_with_another_uuid_is_not_the_packets_unit(ledger, field_packet):
    """The unit the packet was made for is gone; a unit of the same name (another uuid) must not receive its reports."""
    path, tasks = field_packet
    rename_unit(ledger, uuid=str(uuid.uuid4()))
    before = dump(ledger)

    result = merge_packet(ledger, path, operator="李四")

    assert not result.added and not result.updated and not result.conflicts
    assert {i.task_code for i in result.refused} == {tasks[0], tasks[1]}
    assert all(f"数据包中的单位“{UNIT}”与台账中的同名单位不是同一个单位（单位编号不同）" in i.note for i in result.refused)
    assert texts(ledger, UNIT) == {(tasks[0], PERIOD): "办公室录入"}
    assert dump(ledger) == before  # nothing merged, so nothing written


def _as_made_before_uuids(path: Path) -> None:
    """Take a packet back to schema 0007, as a duban without plan and unit uuids exported it."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    try:
        cfg = alembic_config(url)
        with migration_connection(engine) as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0007")
    finally:
        engine.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0007",)
        assert "uuid" not in {row[1] for row in conn.execute("PRAGMA table_info(unit)")}


def test_a_packet_made_before_uuids_still_merges_by_name(ledger, field_packet):
    path, tasks = field_packet
    _as_made_before_uuids(path)

    result = merge_packet(ledger, path, operator="李四")

    assert [i.task_code for i in result.updated] == [tasks[0]] and [i.task_code for i in result.added] == [tasks[1]]
    assert not result.refused
    assert texts(ledger, UNIT) == {(tasks[0], PERIOD): "外勤核查后更新", (tasks[1], PERIOD): "外勤新增"}


def test_a_packet_made_before_uuids_names_a_renamed_unit_as_missing(ledger, field_packet):
    """Before uuids a rename could not be followed: the old packet's reports are listed as not merged, none misplaced."""
    path, tasks = field_packet
    _as_made_before_uuids(path)
    rename_unit(ledger, name=RENAMED)

    result = merge_packet(ledger, path, operator="李四")

    assert {i.task_code for i in result.refused} == {tasks[0], tasks[1]} and not result.added and not result.updated
    assert all("台账中没有该任务或单位" in i.note for i in result.refused)
