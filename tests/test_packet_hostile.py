"""Hostile field packets and evidence: forged, re-sealed, malformed; each refused in Chinese naming the file, or merged only within its export."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from db.engine import open_ledger
from db.errors import UserError
from db.evidence import attach_evidence, evidence_of, safe_evidence_name, write_for_opening
from db.ledger import list_tasks
from db.packet_seal import INFO_SEAL, compute_seal
from db.packets import export_packet, merge_packet
from db.progress import ProgressInput, add_progress, list_progress
from tests.ledger_state import LedgerSnapshot, as_sqlite_value, ledger_execute, ledger_fingerprint, ledger_rows

UNIT, PERIOD = "市发展改革委", "2022-06"


def _write(ledger, *entries: tuple[str, str], unit: str = UNIT, period: str = PERIOD) -> None:
    with ledger.Session.begin() as s:
        for code, text in entries:
            add_progress(s, ProgressInput(code, unit, period, "推进中", 40, text), operator="测试")


def _dump(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}


def _reseal(path: Path) -> None:
    """What an attacker does after editing a packet with sqlite3: recompute the seal with the program's own compute_seal."""
    packet = open_ledger(path)
    try:
        with packet.Session() as s:
            seal = json.dumps(compute_seal(s))
    finally:
        packet.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE ledger_info SET value = ? WHERE key = ?", (seal, INFO_SEAL))


def _edit(path: Path, *statements: tuple) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            conn.execute(*statement) if isinstance(statement, tuple) else conn.execute(statement)


def _insert(table: str, row: dict, conflict: str = "") -> tuple:
    """An INSERT of a row read from the office ledger (either engine) into a packet file, by column name."""
    names = list(row)
    return (f"INSERT {conflict} INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", tuple(as_sqlite_value(row[n]) for n in names))


def _refused(ledger, path: Path, *fragments: str, allow_deletes: bool = False) -> UserError:
    before = ledger_fingerprint(ledger)
    with pytest.raises(UserError) as caught:
        merge_packet(ledger, path, operator="李四", allow_deletes=allow_deletes)
    message = str(caught.value)
    assert path.name in message and "台账未作改动" in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert ledger_fingerprint(ledger) == before
    return caught.value


@pytest.fixture
def tasks(ledger) -> list[str]:
    with ledger.Session() as s:
        return [t.code for t in list_tasks(s, unit=UNIT)]


@pytest.fixture
def packet(ledger, tasks, tmp_path) -> Path:
    _write(ledger, *((code, f"六月进展 {code}") for code in tasks[:4]))
    return export_packet(ledger, tmp_path / "外勤.duban", period=PERIOD, units=[UNIT], operator="张三")


def _attach_in_field(packet: Path, task: str, tmp_path: Path, data: bytes = b"%PDF-1.4 scan") -> str:
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(data)
    field = open_ledger(packet)
    try:
        with field.Session.begin() as s:
            return attach_evidence(s, task, UNIT, PERIOD, scan, operator="外勤").uuid
    finally:
        field.close()


# --- evidence names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kept"),
    [("../x", "x"), ("/etc/x", "x"), ("C:\\x", "x"), ("\\\\server\\share\\x.pdf", "x.pdf"), ("a\x00b.jpg", "ab.jpg"), ("..", "证明材料"),
     ("照片\r\n.jpg", "照片.jpg"), ("CON.txt", "_CON.txt"), ("x\udcff.jpg", "x\ufffd.jpg"), ("a" * 300 + ".jpeg", "a" * 115 + ".jpeg")],
)
def test_an_evidence_name_keeps_only_a_safe_base_name(name, kept):
    assert safe_evidence_name(name) == kept


def test_attach_stores_a_sanitised_name_and_prints_only_after_the_commit(ledger, tasks, tmp_path, run_cli):
    _write(ledger, (tasks[0], "已整改"))
    odd = tmp_path / "C:\\整改\x01照片.jpg"  # a legal file name on Linux, a path on Windows
    odd.write_bytes(b"\xff\xd8\xff photo")
    code, out, err = run_cli("progress", "attach", str(odd), "--task", tasks[0], "--unit", UNIT, "--period", PERIOD)
    assert code == 0, err
    with ledger.Session() as s:
        [entry] = list_progress(s, task_code=tasks[0], unit=UNIT, period=PERIOD)
        [item] = evidence_of(s, [entry.uuid])[entry.uuid]
    assert item.name == "整改照片.jpg" and "已附上证明材料 整改照片.jpg" in out


def test_a_non_utf8_file_name_is_attached_under_a_printable_name(ledger, tasks, tmp_path, run_cli):
    import os

    _write(ledger, (tasks[0], "已整改"))
    raw = os.fsencode(tmp_path) + b"/\xff\xfe\xcc.jpg"
    with open(raw, "wb") as f:
        f.write(b"\xff\xd8\xff photo")
    code, out, err = run_cli("progress", "attach", os.fsdecode(raw), "--task", tasks[0], "--unit", UNIT, "--period", PERIOD)
    assert code == 0, err
    with ledger.Session() as s:
        [entry] = list_progress(s, task_code=tasks[0], unit=UNIT, period=PERIOD)
        [item] = evidence_of(s, [entry.uuid])[entry.uuid]
    assert item.name == "\ufffd\ufffd\ufffd.jpg" and item.name in out
    assert "Logging error" not in err  # the log takes the undecodable argument too


@pytest.mark.parametrize("name", ["../../escaped.txt", "/tmp/escaped.txt", "C:\\escaped.txt", "..", "a\x00b"])
def test_opening_evidence_writes_only_inside_its_own_temporary_folder(name, tmp_path):
    target = write_for_opening(name, b"data")
    assert target.parent.name.startswith("duban-evidence-") and target.read_bytes() == b"data"
    assert target.resolve().parent == target.parent.resolve() and "/" not in target.name and "\x00" not in target.name


# --- evidence in packets --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../x", "/etc/x", "C:\\x", "a\x00b.pdf"])
def test_a_resealed_packet_with_a_path_as_evidence_name_is_refused(ledger, tasks, packet, tmp_path, name):
    _attach_in_field(packet, tasks[0], tmp_path)
    _edit(packet, ("UPDATE evidence SET name = ?", (name,)))
    _reseal(packet)
    _refused(ledger, packet, "不是安全的文件名")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("UPDATE evidence SET sha256 = ?", ("0" * 64,)), "校验值不符"),
        (("UPDATE evidence SET data = ?", (b"other bytes",)), "校验值不符"),
        (("UPDATE evidence SET size = size + 1000",), "大小"),
        (("UPDATE evidence SET entry_uuid = ?", ("00000000-0000-0000-0000-000000000000",)), "不在数据包中"),
    ],
    ids=["hash", "data", "size", "orphan"],
)
def test_resealed_evidence_that_does_not_match_itself_or_any_report_is_refused(ledger, tasks, packet, tmp_path, change, expected):
    _attach_in_field(packet, tasks[0], tmp_path)
    _edit(packet, change)
    _reseal(packet)
    _refused(ledger, packet, expected)


def test_evidence_over_20_mb_in_a_resealed_packet_is_refused(ledger, tasks, packet, tmp_path):
    _attach_in_field(packet, tasks[0], tmp_path)
    big = b"\0" * (25 * 1024 * 1024)
    _edit(packet, ("UPDATE evidence SET data = ?, size = ?, sha256 = ?", (big, len(big), hashlib.sha256(big).hexdigest())))
    _reseal(packet)
    _refused(ledger, packet, "超过 20 MB")


def test_a_packet_whose_attachments_together_exceed_the_limit_is_refused_before_they_are_read(ledger, tasks, packet, tmp_path, monkeypatch):
    import db.packet_seal

    _attach_in_field(packet, tasks[0], tmp_path, data=b"%PDF" + b"x" * 4000)
    _attach_in_field(packet, tasks[1], tmp_path, data=b"%PDF" + b"y" * 4000)
    monkeypatch.setattr(db.packet_seal, "MAX_EVIDENCE_TOTAL", 6000)  # 1 GB in earnest; two small files here
    _refused(ledger, packet, "证明材料共", "上限")


@pytest.mark.parametrize("change", ["UPDATE evidence SET name = 'renamed.pdf'", "UPDATE evidence SET data = X'00', size = 1"])
def test_the_seal_covers_evidence_names_and_bytes(ledger, tasks, packet, tmp_path, change):
    _attach_in_field(packet, tasks[0], tmp_path)
    _edit(packet, change)  # not re-sealed: an accident or a careless edit
    _refused(ledger, packet, "校验")


# --- the office's export record -------------------------------------------------------------------


def test_a_resealed_report_for_a_unit_not_assigned_to_the_task_is_not_merged(ledger, tasks, packet):
    with sqlite3.connect(packet) as conn:
        [(task_id,)] = conn.execute("SELECT id FROM task WHERE code = ?", (tasks[0],)).fetchall()
        # a unit in the packet (assigned to another of its tasks) but not to this one
        (unit_id, unit_name) = conn.execute(
            "SELECT u.id, u.name FROM unit u JOIN assignment a ON a.unit_id = u.id WHERE u.kind != '集合' AND u.id NOT IN "
            "(SELECT unit_id FROM assignment WHERE task_id = ?) LIMIT 1", (task_id,)
        ).fetchone()
    _edit(packet, ("INSERT INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date, version, created_at, updated_at) "
                   "VALUES ('11111111-1111-1111-1111-111111111111', ?, ?, ?, '推进中', 50, '伪造', '2022-06-20', 1, '2022-06-20 00:00:00', '2022-06-20 00:00:00')",
                   (task_id, unit_id, PERIOD)))
    _reseal(packet)
    before = {(e.task, e.unit, e.period) for e in _all(ledger)}
    result = merge_packet(ledger, packet, operator="李四")
    [refused] = result.refused
    assert refused.unit == unit_name and "不是任务" in refused.note
    assert {(e.task, e.unit, e.period) for e in _all(ledger)} == before


def _all(ledger):
    with ledger.Session() as s:
        return list_progress(s)


def test_a_resealed_report_outside_the_exports_scope_refuses_the_packet(ledger, tasks, packet):
    from db.ledger import find_unit

    with ledger.Session() as s:
        other = next(t for t in list_tasks(s, unit="市住建局") if t.code not in tasks)
        unit_id, unit_name = find_unit(s, "市住建局").id, find_unit(s, "市住建局").name
    [task_row] = ledger_rows(ledger, "SELECT * FROM task WHERE code = :code", {"code": other.code})
    [annex_row] = ledger_rows(ledger, "SELECT * FROM annex WHERE id = :id", {"id": task_row["annex_id"]})
    _edit(
        packet,
        _insert("annex", annex_row, "OR IGNORE"),
        _insert("task", task_row),
        ("INSERT OR IGNORE INTO unit (id, name, kind) VALUES (?, ?, '市直部门')", (unit_id, unit_name)),
        ("INSERT INTO assignment (task_id, unit_id, role, as_printed, position) VALUES (?, ?, '牵头', '市住建局', 99)", (task_row["id"], unit_id)),
        ("INSERT INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date, version, created_at, updated_at) "
         "VALUES ('22222222-2222-2222-2222-222222222222', ?, ?, ?, '推进中', 50, '伪造', '2022-06-20', 1, '2022-06-20 00:00:00', '2022-06-20 00:00:00')",
         (task_row["id"], unit_id, PERIOD)),
    )
    _reseal(packet)
    _refused(ledger, packet, "导出范围以外")


def test_evidence_cannot_come_in_through_a_copy_of_a_report_outside_the_export(ledger, tasks, packet, tmp_path):
    """An exact copy of an office report the packet was not exported with (same uuid, same content) is 'unchanged';
    evidence hung on it must still stay out."""
    from db.ledger import find_unit

    with ledger.Session() as s:
        other = next(t for t in list_tasks(s, unit="市住建局") if t.code not in tasks)
        unit_name = find_unit(s, "市住建局").name
    _write(ledger, (other.code, "住建局六月进展"), unit=unit_name)
    [task_row] = ledger_rows(ledger, "SELECT * FROM task WHERE code = :code", {"code": other.code})
    [annex_row] = ledger_rows(ledger, "SELECT * FROM annex WHERE id = :id", {"id": task_row["annex_id"]})
    [unit_row] = ledger_rows(ledger, "SELECT * FROM unit WHERE name = :name", {"name": unit_name})
    [entry] = ledger_rows(ledger, "SELECT * FROM progress_entry WHERE task_id = :t AND unit_id = :u", {"t": task_row["id"], "u": unit_row["id"]})
    data = b"%PDF smuggled"
    _edit(
        packet,
        _insert("annex", annex_row, "OR IGNORE"),
        _insert("task", task_row),
        _insert("unit", unit_row, "OR IGNORE"),
        _insert("progress_entry", entry),
        ("INSERT INTO evidence (uuid, entry_uuid, name, size, sha256, data, created_at) VALUES ('33333333-3333-3333-3333-333333333333', ?, 'x.pdf', ?, ?, ?, '2022-06-20 00:00:00')",
         (entry["uuid"], len(data), hashlib.sha256(data).hexdigest(), data)),
    )
    _reseal(packet)
    result = merge_packet(ledger, packet, operator="李四")
    assert result.evidence_added == 0
    with ledger.Session() as s:
        assert evidence_of(s, [entry["uuid"]]) == {}


def test_a_packet_report_posing_under_another_office_reports_uuid_refuses_the_packet(ledger, tasks, packet):
    from db.ledger import find_unit

    with ledger.Session() as s:
        other = next(t for t in list_tasks(s, unit="市住建局") if t.code not in tasks)
        unit_name = find_unit(s, "市住建局").name
    _write(ledger, (other.code, "住建局六月进展"), unit=unit_name)
    with ledger.Session() as s:
        [victim] = list_progress(s, task_code=other.code, unit=unit_name, period=PERIOD)
    _edit(packet, ("UPDATE progress_entry SET uuid = ?, progress_text = '改写', version = version + 1 WHERE task_id = (SELECT id FROM task WHERE code = ?)",
                   (victim.uuid, tasks[0])))
    _reseal(packet)
    _refused(ledger, packet, "不是同一任务、单位或月份")


def test_a_resealed_packet_that_tombstones_office_reports_needs_allow_deletes(ledger, tasks, packet, run_cli):
    _edit(packet, "UPDATE progress_entry SET deleted_at = '2022-06-30 00:00:00', version = version + 1")
    _reseal(packet)
    before = ledger_fingerprint(ledger)
    code, out, err = run_cli("packet", "merge", str(packet))
    assert code == 2 and "会删除台账中的 4 条进展" in err and "--allow-deletes" in err and f"{tasks[0]} {UNIT} {PERIOD}" in err
    assert ledger_fingerprint(ledger) == before
    code, out, err = run_cli("packet", "merge", str(packet), "--allow-deletes")
    assert code == 0 and "删除 4 条" in out
    assert {(e.task, e.unit) for e in _all(ledger)} & {(t, UNIT) for t in tasks[:4]} == set()


def test_a_forged_base_cannot_turn_a_conflict_into_an_overwrite(ledger, tasks, packet):
    field = open_ledger(packet)
    _write(field, (tasks[0], "外勤的版本"))
    field.close()
    _write(ledger, (tasks[0], "办公室后来改的"))
    from sqlalchemy import select

    from db.models import ProgressEntry
    from db.packet_seal import content_of, digest

    with ledger.Session() as s:
        row = s.scalar(select(ProgressEntry).where(ProgressEntry.progress_text == "办公室后来改的"))
        office_digest, uuid = digest(tasks[0], UNIT, PERIOD, content_of(row)), row.uuid
    _edit(packet, ("UPDATE packet_base SET digest = ? WHERE entry_uuid = ?", (office_digest, uuid)))  # "the office never changed it"
    _reseal(packet)
    result = merge_packet(ledger, packet, operator="李四")
    assert [i.task_code for i in result.conflicts] == [tasks[0]] and not result.updated
    assert {e.progress_text for e in _all(ledger) if e.task == tasks[0]} == {"办公室后来改的"}


def test_a_packet_the_office_has_no_record_of_is_refused(ledger, tasks, packet):
    ledger_execute(ledger, "DELETE FROM packet_export")
    _refused(ledger, packet, "没有导出过该数据包的记录")


def test_resealed_reports_that_break_add_progress_rules_are_not_merged(ledger, tasks, packet):
    _edit(packet, ("UPDATE progress_entry SET entry_date = '2999-01-01', version = version + 1 WHERE task_id = (SELECT id FROM task WHERE code = ?)", (tasks[0],)))
    _edit(packet, ("UPDATE progress_entry SET progress_text = ?, version = version + 1 WHERE task_id = (SELECT id FROM task WHERE code = ?)", ("长" * 5000, tasks[1])))
    _reseal(packet)
    result = merge_packet(ledger, packet, operator="李四")
    notes = {i.task_code: i.note for i in result.refused}
    assert "2999-01-01 晚于今天" in notes[tasks[0]] and "超过 4000 字上限" in notes[tasks[1]]
    texts = {e.task: e.progress_text for e in _all(ledger)}
    assert texts[tasks[0]] == f"六月进展 {tasks[0]}" and texts[tasks[1]] == f"六月进展 {tasks[1]}"


def test_a_resealed_5_mb_text_refuses_the_packet(ledger, tasks, packet):
    _edit(packet, ("UPDATE progress_entry SET progress_text = ?, version = version + 1", ("长" * (5 * 1024 * 1024),)))
    _reseal(packet)
    _refused(ledger, packet, "长度超出上限")


# --- malformed metadata ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ([("UPDATE ledger_info SET value = '[1, 2]' WHERE key = 'packet.seal'",)], "格式不对"),
        ([("UPDATE ledger_info SET value = '{\"by\": [1]}' WHERE key = 'packet.created'",)], "导出人"),
        ([("UPDATE ledger_info SET value = 'not json' WHERE key = 'packet.scope'",)], "不是有效的数据"),
        ([("UPDATE ledger_info SET value = X'00ff' WHERE key = 'packet.period'",)], "类型不对"),
        ([("UPDATE progress_entry SET version = 9223372036854775807",)], "类型不对"),
        ([("UPDATE progress_entry SET progress_text = X'e4b8ad00ff'",)], "类型不对"),
        ([("UPDATE progress_entry SET entry_date = 'yesterday'",)], "类型不对"),
        ([("UPDATE ledger_info SET value = json_set(value, '$.entries', 'many') WHERE key = 'packet.seal'",)], "校验信息"),
        ([("UPDATE evidence SET data = 'text, not bytes'",)], "类型不对"),
    ],
    ids=["seal-list", "made-by-list", "scope-not-json", "blob-info", "huge-version", "blob-text", "bad-date", "seal-count", "text-data"],
)
def test_malformed_packet_metadata_is_refused_in_chinese_naming_the_file(ledger, tasks, packet, tmp_path, statements, expected):
    _attach_in_field(packet, tasks[0], tmp_path)
    _edit(packet, *statements)
    if "packet.seal" not in repr(statements) and "yesterday" not in repr(statements):  # the program itself cannot read a bad date to re-seal
        _reseal(packet)
    _refused(ledger, packet, expected)


# --- what a packet holds ----------------------------------------------------------------------------


def test_a_packet_holds_only_allow_listed_tables_and_settings(ledger, tasks, tmp_path):
    _write(ledger, (tasks[0], "六月进展"))
    ledger_execute(
        ledger,
        "CREATE TABLE office_secret (value TEXT)",  # a table a later version might add
        "INSERT INTO office_secret VALUES ('不该带走')",
        "INSERT INTO ledger_info (key, value) VALUES ('template.secret', 'k3y')",
        "INSERT INTO ledger_info (key, value) VALUES ('setting.office_name', '市营商办')",
    )
    path = export_packet(ledger, tmp_path / "p.duban", period=PERIOD, units=[UNIT], operator="张三")
    with sqlite3.connect(path) as conn:
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        info = dict(conn.execute("SELECT key, value FROM ledger_info"))
        audit_rows = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        exports = conn.execute("SELECT count(*) FROM packet_export").fetchone()[0]
    assert "office_secret" not in tables and "template.secret" not in info and audit_rows == 0 and exports == 0
    assert info["setting.office_name"] == "市营商办" and info["setting.current_period"] == PERIOD
    [row] = ledger_rows(ledger, "SELECT packet_id, task_ids FROM packet_export")
    task_ids = row["task_ids"] if isinstance(row["task_ids"], list) else json.loads(row["task_ids"])  # JSON: a list on PostgreSQL
    assert info["packet.id"] == row["packet_id"] and len(task_ids) == len(tasks)


@pytest.mark.gui
def test_the_window_asks_before_a_packet_deletes_office_reports(qtbot, ledger, tasks, packet, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

    from desktop.merge_dialogs import merge_packet_interactively
    from desktop.ops import runner

    field = open_ledger(packet)
    from db.progress import delete_progress

    with field.Session.begin() as s:
        delete_progress(s, tasks[0], UNIT, PERIOD, operator="外勤")
    field.close()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(packet), ""))
    answers, shown = ["不合并"], []

    def exec_(box):
        shown.append((box.text(), box.detailedText()))
        wanted = next((b for b in box.buttons() if answers and b.text() == answers[0]), None)
        if wanted is not None:
            answers.pop(0)
            wanted.click()

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    parent = QWidget()
    qtbot.addWidget(parent)
    before = ledger_fingerprint(ledger)
    merged = []
    merge_packet_interactively(parent, ledger, "李四", on_merged=lambda: merged.append(True))
    qtbot.waitUntil(lambda: bool(shown), timeout=15000)
    qtbot.waitUntil(lambda: not runner().busy, timeout=15000)
    assert merged == []
    assert "会删除台账中的 1 条进展" in shown[0][0] and f"{tasks[0]} {UNIT} {PERIOD}" in shown[0][1]
    assert ledger_fingerprint(ledger) == before
    answers[:] = ["删除并合并"]
    merge_packet_interactively(parent, ledger, "李四", on_merged=lambda: merged.append(True))
    qtbot.waitUntil(lambda: merged == [True], timeout=15000)
    assert tasks[0] not in {e.task for e in _all(ledger) if e.unit == UNIT}


# --- re-sealed mutations ----------------------------------------------------------------------------

HOSTILE_VALUES = [None, -1, 0, 2**63 - 1, 1.5, "", "x" * 70000, b"\x00\xff", "2999-01-01", "../x", "C:\\x", "已完成", "推进中", 130, "1900-01-01"]
MUTABLE = {
    "progress_entry": ["uuid", "task_id", "unit_id", "period", "status", "percent", "progress_text", "problems", "reporter", "entry_date", "version", "deleted_at"],
    "evidence": ["uuid", "entry_uuid", "name", "size", "sha256", "data", "deleted_at"],
    "ledger_info": ["value"],
    "packet_base": ["entry_uuid", "version", "digest"],
}


def _live_rules_hold(ledger) -> None:
    """Every live report obeys add_progress's rules and every live attachment is whole and named safely."""
    from sqlalchemy import select

    from db.evidence import evidence_problems
    from db.models import Evidence, ProgressEntry, Task, Unit
    from db.progress import assignment_problem, entry_date_problem, field_problems

    with ledger.Session() as s:
        for row, code, unit in s.execute(select(ProgressEntry, Task.code, Unit.name).join(Task).join(Unit).where(ProgressEntry.deleted_at.is_(None))):
            entry = ProgressInput(code, unit, row.period, row.status, row.percent, row.progress_text, row.problems, row.next_steps, row.reporter, row.entry_date)
            assert not field_problems(entry), (code, unit, row.period)
            assert assignment_problem(s, s.get(Task, row.task_id), s.get(Unit, row.unit_id)) is None
            assert entry_date_problem(row.entry_date, s.get(Task, row.task_id).plan.year) is None
        for item in s.scalars(select(Evidence).where(Evidence.deleted_at.is_(None))):
            assert not evidence_problems(item.name, item.size, item.sha256, item.data)


def test_resealed_random_mutations_are_refused_or_merge_only_valid_reports_in_scope(ledger, tasks, packet, tmp_path):
    """Each case: one hostile value in one cell of a packet, re-sealed.  Refused (Chinese, naming the file, nothing
    written) or merged with every live report valid, no office report deleted and nothing outside the export touched."""
    import random
    import shutil

    field = open_ledger(packet)
    _write(field, *((code, f"外勤 {code}") for code in tasks[:3]))
    field.close()
    _attach_in_field(packet, tasks[0], tmp_path)
    _write(ledger, ("A03-01", "住建局的进展"), unit="市住建局")
    builders = "SELECT * FROM progress_entry WHERE unit_id = (SELECT id FROM unit WHERE name = '市住房和城乡建设局') ORDER BY uuid"
    pristine_builders = ledger_rows(ledger, builders)
    pristine = LedgerSnapshot(ledger, tmp_path)
    changed = False
    rng = random.Random(12)
    outcomes = {"refused": 0, "merged": 0}
    # A server ledger is put back by recreating its database after each merged case (~0.5 s): fewer cases there.
    for case in range(60 if ledger.server else 150):
        mutated = tmp_path / f"变异{case}.duban"
        shutil.copy(packet, mutated)
        table = rng.choice(sorted(MUTABLE))
        column, value = rng.choice(MUTABLE[table]), rng.choice(HOSTILE_VALUES)
        with sqlite3.connect(mutated) as conn:
            rowid = rng.choice([r for (r,) in conn.execute(f"SELECT rowid FROM {table} ORDER BY rowid")])
            task_id = rng.choice([r for (r,) in conn.execute("SELECT id FROM task ORDER BY id")])
            unit_id = rng.choice([r for (r,) in conn.execute("SELECT id FROM unit ORDER BY id")])
        edit = (f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (value, rowid))
        if case % 5 == 4:  # a report for any (task, unit) pair the packet holds, any month
            period = rng.choice(["2021-01", "2021-07", "2022-06", "2022-09", "2023-06"])
            edit = ("INSERT OR IGNORE INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date, version, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, '推进中', 50, '伪造', '2022-06-20', 1, '2022-06-20 00:00:00', '2022-06-20 00:00:00')",
                    (f"44444444-4444-4444-4444-{case:012d}", task_id, unit_id, period))
        try:
            _edit(mutated, edit)
        except sqlite3.IntegrityError:
            continue  # the schema itself refuses this edit
        try:
            _reseal(mutated)
        except Exception:  # noqa: BLE001 - the attacker's tool (the program itself) could not read it; the merge must still cope
            pass
        if changed:
            pristine.restore()  # the same office ledger for every case
            changed = False
        before = ledger_fingerprint(ledger)
        try:
            merge_packet(ledger, mutated, operator="李四")
        except UserError as exc:
            assert mutated.name in str(exc) and "台账未作改动" in str(exc), (table, column, value, str(exc))
            assert ledger_fingerprint(ledger) == before, (table, column, value)
            outcomes["refused"] += 1
            continue
        outcomes["merged"] += 1
        changed = True
        _live_rules_hold(ledger)
        assert not ledger_rows(ledger, "SELECT uuid FROM progress_entry WHERE deleted_at IS NOT NULL"), (table, column, value)
        assert pristine_builders and ledger_rows(ledger, builders) == pristine_builders
    assert outcomes["refused"] > 5 and outcomes["merged"] > 5, outcomes
