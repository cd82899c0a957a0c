"""Real files to attack: an office ledger with reports, filled 报送模板 and a returned field packet, made once."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from db.engine import open_ledger
from db.evidence import attach_evidence
from db.ledger import list_tasks
from db.progress import ProgressInput, add_progress, delete_progress

HOUSING = "市住房和城乡建设局"
PLANNING = "市自然资源和规划局"
FIELD_UNIT = "市发展改革委"
PERIOD = "2022-06"
FIRST_ROW = 6
CODE, TITLE, STATUS, PERCENT, TEXT, PROBLEMS, NEXT, REPORTER = 3, 4, 8, 9, 10, 11, 12, 13
INPUTS = (STATUS, PERCENT, TEXT, PROBLEMS, NEXT, REPORTER)
TEMPLATE_NAME = f"报送模板_{HOUSING}_{PERIOD}.xlsx"
PACKET_NAME = "外勤.duban"
OPERATOR = "收件人"


@dataclass
class World:
    """The files every hostile case starts from; never written after build()."""

    root: Path
    ledger: Path  # the office ledger (closed)
    template: Path  # 住建局's June template, filled in as a unit would
    template_codes: list[str]
    other_unit_template: Path  # 市自然资源和规划局's June template, filled
    other_period_template: Path  # 住建局's May template, filled
    packet: Path  # 市发展改革委's packet, back from the field with changes
    packet_tasks: set[str] = field(default_factory=set)
    base_uuids: set[str] = field(default_factory=set)  # the reports the packet left the office with
    first_period: str = "2021-07"
    backup: Path | None = None  # a good backup of the office ledger
    foreign_ledger: Path | None = None  # another office's ledger (another ledger id)


def _codes(ledger, unit: str) -> list[str]:
    with ledger.Session() as s:
        return [t.code for t in list_tasks(s, unit=unit)]


def _report(code: str, unit: str, period: str, text: str, status: str = "推进中", percent: int = 40, **more) -> ProgressInput:
    return ProgressInput(code, unit, period, status, percent, text, **more)


def fill_template(src: Path, dst: Path, rows: dict[str, dict[int, object]], edit=None) -> Path:
    """Fill a template as a clerk would in Excel: rows maps a task code to its input cells (column -> value)."""
    wb = load_workbook(src)
    ws = wb["进展报送"]
    where = {ws.cell(r, CODE).value: r for r in range(FIRST_ROW, ws.max_row + 1)}
    for code, values in rows.items():
        for column, value in values.items():
            ws.cell(where[code], column).value = value
    if edit:
        edit(wb)
    wb.save(dst)
    return dst


def build(root: Path, initialised: Path | None = None) -> World:
    """Make the office ledger, three filled templates and a returned packet under root."""
    from db.ledger import init_from_bundled_plan
    from db.packets import export_packet
    from exports.unit_template import export_templates

    root.mkdir(parents=True, exist_ok=True)
    path = root / "office" / "ledger.sqlite"
    path.parent.mkdir()
    if initialised:
        shutil.copy(initialised, path)
        office = open_ledger(path)
    else:
        office = open_ledger(path)
        init_from_bundled_plan(office, operator="测试")
    try:
        housing, planning, field_codes = _codes(office, HOUSING), _codes(office, PLANNING), _codes(office, FIELD_UNIT)
        with office.Session.begin() as s:
            for code in housing[:4]:
                add_progress(s, _report(code, HOUSING, "2022-05", f"五月 {code}"), operator="测试")
            for code in housing[:2]:
                add_progress(s, _report(code, HOUSING, PERIOD, f"六月 {code}", reporter="李四"), operator="测试")
            for code in field_codes[:6]:
                add_progress(s, _report(code, FIELD_UNIT, "2022-05", f"五月进展 {code}"), operator="测试")
                add_progress(s, _report(code, FIELD_UNIT, PERIOD, f"六月进展 {code}"), operator="测试")
        evidence_file = root / "照片.txt"
        evidence_file.write_bytes("现场照片说明".encode())
        with office.Session.begin() as s:
            attach_evidence(s, field_codes[0], FIELD_UNIT, PERIOD, evidence_file, operator="测试")

        folder = root / "templates"
        (june,) = export_templates(office, folder / "june", period=PERIOD, unit="住建局")
        (may,) = export_templates(office, folder / "may", period="2022-05", unit="住建局")
        (other,) = export_templates(office, folder / "other", period=PERIOD, unit=PLANNING)
        packet = export_packet(office, root / "field" / PACKET_NAME, period=PERIOD, units=[FIELD_UNIT], operator="张三")
        packet_tasks = set(field_codes)
        # The office changes a report after the packet left: merging the field's change of it is a conflict.
        with office.Session.begin() as s:
            add_progress(s, _report(field_codes[2], FIELD_UNIT, PERIOD, "办公室的版本", percent=55), operator="测试")
    finally:
        office.close()

    shared = next(code for code in housing[8:] if code in planning)  # a task 市自然资源和规划局 shares

    def clerk(code: str, text: str, status="推进中", percent=60):
        return {STATUS: status, PERCENT: percent, TEXT: text, PROBLEMS: "资金未到位", NEXT: "下月完成招标", REPORTER: "王五"}

    (root / "filled").mkdir()
    filled = fill_template(
        june,
        root / "filled" / TEMPLATE_NAME,
        {housing[0]: clerk(housing[0], "已完成方案起草"), housing[1]: clerk(housing[1], f"六月 {housing[1]}", percent=40),
         housing[5]: {STATUS: "已完成", PERCENT: "100", TEXT: "已印发实施", REPORTER: "赵六"},
         housing[6]: clerk(housing[6], "正在招标"),
         shared: clerk(shared, "与规划局共同推进")},
    )
    other_filled = fill_template(other, root / "filled" / other.name, {c: clerk(c, f"规划局 {c}") for c in _first(other, 3)})
    may_filled = fill_template(may, root / "filled" / may.name, {housing[0]: clerk(housing[0], "五月的进展"), housing[7]: clerk(housing[7], "五月新报")})

    # The field: a report changed, one added for July, one deleted, one conflicting, and evidence attached.
    laptop = open_ledger(packet)
    try:
        with laptop.Session.begin() as s:
            add_progress(s, _report(field_codes[0], FIELD_UNIT, PERIOD, "外勤核查：主体工程完工", percent=80), operator="外勤")
            add_progress(s, _report(field_codes[2], FIELD_UNIT, PERIOD, "外勤的版本", percent=50), operator="外勤")
            add_progress(s, _report(field_codes[7], FIELD_UNIT, "2022-07", "七月外勤新增"), operator="外勤")
            delete_progress(s, field_codes[1], FIELD_UNIT, PERIOD, operator="外勤")
        photo = root / "现场.jpg"
        photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 8)
        with laptop.Session.begin() as s:
            attach_evidence(s, field_codes[0], FIELD_UNIT, PERIOD, photo, operator="外勤")
    finally:
        laptop.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{packet}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(packet) as conn:
        base = {u for (u,) in conn.execute("SELECT entry_uuid FROM packet_base")}
    shutil.rmtree(packet.parent / "duban-backups", ignore_errors=True)

    backup = root / "backup" / "ledger-backup.sqlite"
    backup.parent.mkdir()
    with sqlite3.connect(path) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)
    foreign = root / "foreign" / "ledger.sqlite"
    foreign.parent.mkdir()
    shutil.copy(backup, foreign)
    with sqlite3.connect(foreign) as conn:
        conn.execute("UPDATE ledger_info SET value = ? WHERE key = 'ledger_id'", (str(uuid.uuid4()),))
    return World(root, path, filled, housing, other_filled, may_filled, packet, packet_tasks, base, backup=backup, foreign_ledger=foreign)


def _first(template: Path, n: int) -> list[str]:
    ws = load_workbook(template, read_only=True)["进展报送"]
    codes = [row[CODE - 1] for row in ws.iter_rows(min_row=FIRST_ROW, values_only=True) if row and row[CODE - 1]]
    return codes[:n]


def fresh_root() -> Path:
    return Path(tempfile.mkdtemp(prefix="duban-hostile-"))
