"""The unit reporting round trip: one 报送模板 per unit out, the filled templates back into the ledger.

A template's sheet 进展报送 lists the unit's tasks for a period (task columns locked, input
columns unlocked) under a line for the unit's seal, its reviewer and telephone (unlocked; the
import reads nothing above the header row, so these never reach the ledger); the very hidden
sheet 标识 records the ledger, plan, unit, period, the template's own number and, per task row, its
row number, task code, fingerprint and the version of the report it was pre-filled with, under an
HMAC keyed by a secret that never leaves the ledger.  The visible sheet names the unit, period and
template number too, so a 标识 moved into another unit's or another month's file is refused, and
so is any row that is not the template's own task row at its own place.

Reading a returned template touches nothing but the file: every check that needs only the file is
done before the ledger is asked for anything, and the write transaction is opened last.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from db.engine import Ledger
from db.errors import UserError
from db.jobs import JobControl
from db.ledger import find_unit, resolve_plan_id
from db.models import Plan
from db.periods import check_period, chinese_date, chinese_period, report_deadline
from db.progress import STATUSES, ProgressInput, field_problems
from db.settings import load_settings
from db.template_import import (
    TemplateRow,
    UnitTask,
    apply_rows,
    check_rows,
    ensure_signing_key,
    entry_digest,
    sign,
    signature_holds,
    signing_key,
    unit_tasks,
    units_with_tasks,
)
from db.identity import ledger_id
from exports.xlsx_io import cell_text, open_workbook_safely, print_setup, put_text, read_failure, row_height, text_height

log = logging.getLogger("duban.templates")

SHEET = "进展报送"
ID_SHEET = "标识"
FORMAT = "duban-unit-template"
FORMAT_VERSION = "2"
UNSIGNED_VERSION = "1"  # a plain checksum anyone could recompute: such templates are refused
PREVIOUS_CHARS = 150
MAX_ROWS = 2000
HEADER_SEARCH = 10
SIGN_ROW = 3
FIRST_DATA_ROW = 6
# The fill-in line above the table: (label, first column, last column) then its input's columns.
SIGN_FIELDS = (("单位（盖章）：", 1, 3, 4, 6), ("审核人：", 7, 7, 8, 9), ("联系电话：", 10, 10, 11, 12))

# (key, header, width, input column)
COLUMNS = [
    ("seq", "序号", 4.5, False),
    ("annex", "附件", 4.5, False),
    ("task_code", "任务编号", 10, False),
    ("title", "任务名称", 20, False),
    ("role", "角色", 9, False),
    ("deadline", "时间节点", 13, False),
    ("previous", "上期进展", 26, False),
    ("status", "完成状态", 10, True),
    ("percent", "进度", 7, True),
    ("progress_text", "进展情况", 28, True),
    ("problems", "存在问题", 18, True),
    ("next_steps", "下步计划", 18, True),
    ("reporter", "填报人", 8, True),
]
KEYS = [key for key, *_ in COLUMNS]
HEADERS = {key: header for key, header, *_ in COLUMNS}
REPORTED = ("status", "percent", "progress_text", "problems", "next_steps")
ID_KEYS = ("格式", "格式版本", "台账标识", "计划编号", "单位", "期间", "模板编号", "导出时间", "签名")
ID_ROW_HEADER = ("行号", "任务编号", "任务指纹", "导出时版本", "预填指纹")
READ_COLUMNS = 64  # cells further right than BL are not read at all
# Lengths a filled cell may have: the ledger's own limits, and a cap for every other cell.
FIELD_LIMITS = {"status": 10, "percent": 10, "progress_text": 4000, "problems": 4000, "next_steps": 4000, "reporter": 100}
CELL_LIMIT = 4000
QUOTE_CHARS = 30
MAX_LISTED = 50

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
MIN_LINES = 3
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
INPUT_HEADER_FILL = PatternFill("solid", fgColor="FFE699")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)


def _letter(key: str) -> str:
    return get_column_letter(KEYS.index(key) + 1)


def _label(column: dict[str, int], key: str) -> str:
    """A column as a problem names it: its letter and header, e.g. H（完成状态）."""
    return f"{get_column_letter(column[key] + 1)}（{HEADERS[key]}）"


def _quote(text: str) -> str:
    """A value from the file as a message may quote it: short, so a hostile cell cannot flood the report."""
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "……"


def _facts_line(unit: str, period: str, due: dt.date, template_id: str, tasks: list[UnitTask]) -> str:
    lead_count = sum(1 for t in tasks if t.role == "牵头")
    return (
        f"报送单位：{unit}　　报送期间：{chinese_period(period)}　　截止报送日期：{chinese_date(due)}"
        f"　　任务 {len(tasks)} 项" + (f"（牵头 {lead_count} 项）" if lead_count else "") + f"　　模板编号：{template_id}"
    )


def _binding(unit: str, period: str, template_id: str) -> tuple[str, ...]:
    """What the visible sheet's second line must say for the 标识 to belong to it."""
    return (f"报送单位：{unit}　", f"报送期间：{chinese_period(period)}　", f"模板编号：{template_id}")


def template_file_name(unit: str, period: str) -> str:
    """报送模板_{单位}_{期间}.xlsx, with characters Windows forbids in names replaced."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", unit).strip(" .") or "单位"
    return f"报送模板_{safe}_{period}.xlsx"


def _previous_text(previous: ProgressInput | None) -> str:
    if previous is None:
        return ""
    text = f"{chinese_period(previous.period)}：{previous.status}，{previous.percent}%。{previous.progress_text}"
    return text if len(text) <= PREVIOUS_CHARS else text[:PREVIOUS_CHARS] + "……"


def _instructions(period: str, office: str, due: dt.date, prefilled: bool) -> str:
    lines = [
        "填报说明：",
        f"1. 灰底列为任务信息，已锁定，请勿改动；请在黄底列填报本单位{chinese_period(period)}的进展。"
        + ("已按台账中本期已报送的内容预填，可直接修改。" if prefilled else ""),
        f"2. 完成状态从下拉列表中选择（{'、'.join(STATUSES)}）；进度填 0 到 100 的整数，已完成的填 100。",
        "3. 填写了某项任务的，进展情况必须填写；本期无需报送的任务整行留空。",
        f"4. 请勿增删行列、改动工作表或文件结构；填好后保存为 .xlsx 文件，于{chinese_date(due)}前报送{office}。",
        "5. 请在表头填写审核人和联系电话；报送纸质件的，打印后在“单位（盖章）”处加盖公章。",
    ]
    return "\n".join(lines)


def _sign_line(ws) -> None:
    """单位（盖章）, 审核人 and 联系电话, each a label and an unlocked space with a line to write on."""
    label_font = Font(name=BODY_FONT, size=11, bold=True)
    underline = Border(bottom=Side(style="thin", color="000000"))
    for label, first, last, input_first, input_last in SIGN_FIELDS:
        cell = ws.cell(row=SIGN_ROW, column=first)
        put_text(cell, label)
        cell.font = label_font
        cell.alignment = Alignment(horizontal="right", vertical="bottom")
        if last > first:
            ws.merge_cells(start_row=SIGN_ROW, start_column=first, end_row=SIGN_ROW, end_column=last)
        for column in range(input_first, input_last + 1):
            space = ws.cell(row=SIGN_ROW, column=column)
            space.border = underline
            space.protection = UNLOCKED
            space.font = Font(name=BODY_FONT, size=11)
            space.alignment = Alignment(horizontal="left", vertical="bottom")
        if input_last > input_first:
            ws.merge_cells(start_row=SIGN_ROW, start_column=input_first, end_row=SIGN_ROW, end_column=input_last)
    ws.row_dimensions[SIGN_ROW].height = 36


def _write_template(
    path: Path, *, plan_title: str, office: str, due: dt.date, unit: str, period: str, ledger: str, plan_id: int, tasks: list[UnitTask], signing: bytes
) -> None:
    """One unit's template: the visible, protected 进展报送 sheet and the very hidden 标识 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    last = get_column_letter(len(COLUMNS))
    total_width = sum(width for _k, _h, width, _i in COLUMNS)
    for index, (_key, _header, width, _input) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    title = ws.cell(row=1, column=1)
    put_text(title, f"{plan_title}任务进展报送表")
    title.font = Font(name=TITLE_FONT, size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = max(30, text_height(title.value, total_width, 16))
    template_id = uuid.uuid4().hex[:12]
    facts = _facts_line(unit, period, due, template_id, tasks)
    put_text(ws.cell(row=2, column=1), facts)
    ws.cell(row=2, column=1).font = Font(name=BODY_FONT, size=11, bold=True)
    ws.cell(row=2, column=1).alignment = Alignment(vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = text_height(facts, total_width, 11)
    _sign_line(ws)
    notes_row = SIGN_ROW + 1
    notes = _instructions(period, office, due, any(t.current for t in tasks))
    put_text(ws.cell(row=notes_row, column=1), notes)
    ws.cell(row=notes_row, column=1).font = Font(name=BODY_FONT, size=10)
    ws.cell(row=notes_row, column=1).alignment = Alignment(vertical="top", wrap_text=True)
    ws.row_dimensions[notes_row].height = text_height(notes, total_width)
    for row in (1, 2, notes_row):
        ws.merge_cells(f"A{row}:{last}{row}")

    header_row = FIRST_DATA_ROW - 1
    for index, (_key, header, _width, is_input) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=index, value=header)
        cell.font = Font(name=BODY_FONT, size=10, bold=True)
        cell.fill = INPUT_HEADER_FILL if is_input else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
    ws.row_dimensions[header_row].height = max(text_height(header, width) for _key, header, width, _input in COLUMNS)

    body = Font(name=BODY_FONT, size=10)
    for offset, task in enumerate(tasks):
        r = FIRST_DATA_ROW + offset
        now = task.current
        values = {
            "seq": offset + 1,
            "annex": task.annex,
            "task_code": task.code,
            "title": task.title,
            "role": task.role,
            "deadline": task.deadline,
            "previous": _previous_text(task.previous),
            "status": now.status if now else None,
            "percent": now.percent if now else None,
            "progress_text": now.progress_text if now else None,
            "problems": now.problems if now else None,
            "next_steps": now.next_steps if now else None,
            "reporter": now.reporter if now else None,
        }
        height = row_height(MIN_LINES)
        for index, (key, _header, width, is_input) in enumerate(COLUMNS, start=1):
            cell = ws.cell(row=r, column=index)
            put_text(cell, values[key])
            cell.font = body
            cell.border = BOX
            centred = key in ("seq", "annex", "role", "status", "percent")
            cell.alignment = Alignment(horizontal="center" if centred else "left", vertical="top", wrap_text=True)
            cell.fill = INPUT_FILL if is_input else LOCKED_FILL
            if is_input:
                cell.protection = UNLOCKED
            if values[key] is not None:
                height = max(height, text_height(str(values[key]), width))
        ws.row_dimensions[r].height = height
    end = FIRST_DATA_ROW + len(tasks) - 1

    status_rule = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="完成状态无效",
        error="请从下拉列表中选择：" + "、".join(STATUSES),
        promptTitle="完成状态",
        prompt="从下拉列表中选择",
    )
    percent_rule = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="进度无效",
        error="进度应为 0 到 100 之间的整数；已完成的填 100。",
        promptTitle="进度",
        prompt="0 到 100 的整数",
    )
    for rule, key in ((status_rule, "status"), (percent_rule, "percent")):
        ws.add_data_validation(rule)
        rule.add(f"{_letter(key)}{FIRST_DATA_ROW}:{_letter(key)}{end}")

    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.freeze_panes = f"E{FIRST_DATA_ROW}"
    print_setup(ws, title_rows=f"{header_row}:{header_row}")

    exported = dt.datetime.now().isoformat(timespec="seconds")
    facts_by_key = {
        "格式": FORMAT,
        "格式版本": FORMAT_VERSION,
        "台账标识": ledger,
        "计划编号": str(plan_id),
        "单位": unit,
        "期间": period,
        "模板编号": template_id,
        "导出时间": exported,
    }
    id_rows = [[str(FIRST_DATA_ROW + i), t.code, t.fingerprint, str(t.version), entry_digest(t.current)] for i, t in enumerate(tasks)]
    facts_by_key["签名"] = sign(signing, [*facts_by_key.values(), id_rows])
    ident = wb.create_sheet(ID_SHEET)
    lines = [["项目", "内容"], *([key, facts_by_key[key]] for key in ID_KEYS), [], list(ID_ROW_HEADER), *id_rows]
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            put_text(ident.cell(row=r, column=c), value)
    ident.sheet_state = "veryHidden"
    ident.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.save(path)


def export_templates(
    ledger: Ledger, out_dir: str | Path, *, period: str, unit: str | None = None, control: JobControl | None = None
) -> list[Path]:
    """One 报送模板 per unit with tasks (or for the unit named); all files appear at the end, or none on cancel or failure."""
    period = check_period(period)
    out_dir = Path(out_dir)
    control = control or JobControl()
    identity, key = ensure_signing_key(ledger)
    out_dir.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[Path, Path]] = []
    try:
        with ledger.Session() as session:
            plan_id = resolve_plan_id(session, None)
            plan_title = session.get(Plan, plan_id).title
            settings = load_settings(session)
            office, due = settings.office_name, report_deadline(period, settings.report_day)
            names = [find_unit(session, unit).name] if unit else units_with_tasks(session, plan_id)
            for done, name in enumerate(names):
                control.step(done, len(names), f"正在生成 {name} 的报送模板")
                tasks = unit_tasks(session, find_unit(session, name), period, plan_id)
                if not tasks:
                    raise UserError(f"单位“{name}”在当前计划中没有任务，无需报送模板。")
                final = out_dir / template_file_name(name, period)
                temp = final.with_name(final.name + ".tmp")
                pending.append((temp, final))
                _write_template(
                    temp, plan_title=plan_title, office=office, due=due, unit=name, period=period, ledger=identity, plan_id=plan_id, tasks=tasks, signing=key
                )
        control.step(len(names), len(names), "正在保存报送模板")
        for temp, final in pending:
            os.replace(temp, final)
    except BaseException:
        for temp, _final in pending:
            temp.unlink(missing_ok=True)
        raise
    return [final for _temp, final in pending]


class Problem(NamedTuple):
    """Where a file goes wrong and why, as the window's table lists it: 文件, 工作表, 行, 列, 问题."""

    file: str
    sheet: str
    row: int | None
    column: str
    message: str

    def line(self) -> str:
        where = [f"文件 {self.file}"]
        if self.sheet:
            where.append(f"工作表 {self.sheet}")
        if self.row:
            where.append(f"第 {self.row} 行")
        if self.column:
            letter, _, header = self.column.partition("（")
            where.append(f"第 {letter} 列（{header}" if header else f"第 {letter} 列")
        return "，".join(where) + "：" + self.message


@dataclass
class FileOutcome:
    """What importing one template did: imported (maybe with conflicts) or rejected whole."""

    file: str
    unit: str = ""
    period: str = ""
    imported: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    conflicts: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def line(self) -> str:
        who = f"（{self.unit}，{chinese_period(self.period)}）" if self.unit and self.period else ""
        if not self.imported:
            return f"【未导入】{self.file}{who}：有 {len(self.problems)} 处问题，整个文件未导入，台账未作任何改动。"
        return (
            f"【已导入】{self.file}{who}：新增 {self.added} 条，更新 {self.updated} 条，未变 {self.unchanged} 条，"
            f"未填 {self.skipped} 项，冲突 {len(self.conflicts)} 条。"
        )


@dataclass
class ImportReport:
    """Per-file outcomes of a template import, for the command line (lines) and the window (problems)."""

    files: list[FileOutcome] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        """Why files were rejected; each rejected file changed nothing."""
        return [p for f in self.files for p in f.problems]

    @property
    def conflicts(self) -> list[Problem]:
        """Rows not written because the ledger changed them after the template was made."""
        return [c for f in self.files for c in f.conflicts]

    @property
    def ok(self) -> bool:
        """Every file imported and every filled row is in the ledger (no rejection, no conflict)."""
        return not self.problems and not self.conflicts

    def lines(self) -> list[str]:
        imported = [f for f in self.files if f.imported]
        head = (
            f"共 {len(self.files)} 个文件：导入 {len(imported)} 个，拒绝 {len(self.files) - len(imported)} 个；"
            f"新增 {sum(f.added for f in imported)} 条，更新 {sum(f.updated for f in imported)} 条，"
            f"未变 {sum(f.unchanged for f in imported)} 条，冲突 {len(self.conflicts)} 条。"
        )
        out = [head]
        for outcome in self.files:
            out.append(outcome.line())
            out += ["  " + p.line() for p in outcome.problems]
            out += ["  冲突：" + c.line() for c in outcome.conflicts]
        return out


class _Rejected(Exception):
    """The file cannot be imported; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class _Identity:
    """The 标识 sheet as read: facts, the signed payload and, per task row, what the template recorded."""

    ledger: str
    plan_id: int
    unit: str
    period: str
    template_id: str
    signature: str
    payload: list
    rows: dict[str, tuple[str, int, str]]  # task code -> (fingerprint, version, digest)
    by_row: dict[int, str]  # row number of 进展报送 -> task code


@dataclass
class ReadTemplate:
    """Everything a filled template says, read and checked without the ledger."""

    ident: _Identity
    rows: list[TemplateRow]
    skipped: int
    problems: list[Problem]
    column: dict[str, int]
    mismatch: Problem | None  # the visible sheet names another unit, period or template than the 标识


def _read_identity(wb, name: str) -> _Identity:
    """The 标识 sheet's facts and rows; its signature is checked against the ledger's key later."""

    def reject(message: str, sheet: str = ID_SHEET) -> _Rejected:
        return _Rejected([Problem(name, sheet, None, "", message)])

    if ID_SHEET not in wb.sheetnames or SHEET not in wb.sheetnames:
        raise reject("不是督办台账导出的报送模板（缺少“进展报送”或“标识”工作表），请使用导出的报送模板填报。", "")
    sheet = wb[ID_SHEET]
    sheet.reset_dimensions()  # a <dimension> can hide rows: read every row the sheet has
    facts: dict[str, str] = {}
    rows: list[list[str]] = []
    in_rows = False
    for number, values in enumerate(sheet.iter_rows(min_row=2, max_col=len(ID_ROW_HEADER), values_only=True), start=2):
        if number > MAX_ROWS + len(ID_KEYS) + 10:
            raise reject(f"标识工作表超过 {MAX_ROWS} 行，不是正常的报送模板。")
        texts = [cell_text(v) for v in values] + [""] * (len(ID_ROW_HEADER) - len(values))
        if any(len(t) > 200 for t in texts):
            raise reject(f"第 {number} 行内容过长，标识工作表已损坏；请使用导出的原模板填报。")
        if not in_rows:
            if tuple(texts) == ID_ROW_HEADER:
                in_rows = True
            elif texts[0]:
                facts[texts[0]] = texts[1]
        elif any(texts):
            rows.append(texts)
    if facts.get("格式") != FORMAT:
        raise reject("内容不完整，不是督办台账导出的报送模板，或标识工作表已损坏；请使用导出的报送模板填报。")
    version = facts.get("格式版本", "")
    if version == UNSIGNED_VERSION:
        raise reject(
            "这是旧版程序导出的报送模板，只有一个任何人都能重算的校验码，无法确认其中的单位和期间未被改动，"
            "为防冒用不再接受；请报送办公室用当前版本重新导出模板，单位在新模板中填报。"
        )
    if version != FORMAT_VERSION:
        raise reject(f"模板格式版本“{_quote(version)}”不受本程序支持（支持 {FORMAT_VERSION}），请用本程序重新导出模板。")
    if any(key not in facts for key in ID_KEYS) or not in_rows:
        raise reject("内容不完整，标识工作表已损坏；请使用导出的原模板填报。")
    parsed: dict[str, tuple[str, int, str]] = {}
    by_row: dict[int, str] = {}
    for row, code, fingerprint, version_text, digest in rows:
        if not (re.fullmatch(r"\d{1,5}", row) and re.fullmatch(r"\d{1,9}", version_text)) or not code or code in parsed or int(row) in by_row:
            raise reject("任务清单内容无效（行号、任务编号或版本有误），标识工作表已损坏；请使用导出的原模板填报。")
        parsed[code] = (fingerprint, int(version_text), digest)
        by_row[int(row)] = code
    try:
        plan_id = int(facts["计划编号"]) if re.fullmatch(r"\d{1,9}", facts["计划编号"]) else int("x")
    except ValueError:
        raise reject("计划编号不是整数，标识工作表已损坏。") from None
    payload = [*(facts[key] for key in ID_KEYS[:-1]), rows]
    return _Identity(facts["台账标识"], plan_id, facts["单位"], facts["期间"], facts["模板编号"], facts["签名"], payload, parsed, by_row)


def _check_identity(ident: _Identity, name: str, mine: str | None, key: bytes | None) -> None:
    """The 标识 is this ledger's, and signed by it: nobody changed its unit, period or rows."""

    def reject(message: str) -> _Rejected:
        return _Rejected([Problem(name, ID_SHEET, None, "", message)])

    if ident.ledger != mine:
        raise reject(f"本模板由另一本台账导出（台账标识 {_quote(ident.ledger)[:8]}…），不能导入当前台账。")
    if not signature_holds(key, ident.payload, ident.signature):
        raise reject(
            "签名不符：标识工作表的内容（单位、期间或任务清单）被改动，或不是本台账导出的模板，"
            "无法确认模板所属的单位和期间；请使用本台账导出的原模板填报。"
        )
    try:
        check_period(ident.period)
    except UserError as exc:
        raise reject(exc.message) from None


def _percent(value):
    """A whole number as typed (80, 80.0, "80"); anything else is returned as text for the error message."""
    if isinstance(value, bool):
        return cell_text(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    return int(text) if re.fullmatch(r"\d{1,3}", text) else text


def _extra_row_message(code: str, ident: _Identity) -> str:
    first, last = min(ident.by_row), max(ident.by_row)
    rows = f"模板的任务行为第 {first}–{last} 行" if first != last else f"模板的任务行为第 {first} 行"
    if code in ident.rows:
        where = next(r for r, c in ident.by_row.items() if c == code)
        return f"任务 {code} 重复出现（模板中该任务在第 {where} 行），多出的行不能导入；{rows}。"
    if code:
        return f"任务编号“{_quote(code)}”不在本模板的任务清单中，这一行不是模板中的任务行（{rows}），请勿增加行。"
    return f"这一行不是模板中的任务行（{rows}），请勿在表格中增加行或填写其他内容。"


def _read_rows(wb, name: str, ident: _Identity) -> tuple[list[TemplateRow], int, list[Problem], dict[str, int], Problem | None]:
    """Filled rows of 进展报送 with every value checked; rows with nothing reported are skipped.

    Every row the sheet holds is read, whatever its <dimension> claims.  Each of the template's
    task rows must carry its own task code at its own place; any other row with content (a copied,
    added or moved row) is a problem.  Rows with bad values are returned too, so the ledger checks
    report on them as well; a file with any problem is never written.
    """
    ws = wb[SHEET]
    ws.reset_dimensions()
    column: dict[str, int] = {}
    rows: list[TemplateRow] = []
    problems: list[Problem] = []
    extra: list[tuple[int, str]] = []
    seen_rows: set[int] = set()
    skipped = 0
    header_row = None
    bound = False
    mismatch: Problem | None = None
    today = dt.date.today()
    for number, values in enumerate(ws.iter_rows(max_col=READ_COLUMNS, values_only=True), start=1):
        if header_row is None:
            texts = [cell_text(v) for v in values]
            if texts and any(part in texts[0] for part in ("报送单位：", "模板编号：")):
                if not all(part in texts[0] for part in _binding(ident.unit, ident.period, ident.template_id)):
                    mismatch = Problem(
                        name, SHEET, number, "A", "表头的报送单位、报送期间或模板编号与标识工作表不符（标识来自另一份模板），请使用导出的原模板填报。"
                    )
                bound = True
            if texts and texts[0] == HEADERS["seq"] and HEADERS["task_code"] in texts:
                missing = [h for h in HEADERS.values() if h not in texts]
                if missing:
                    raise _Rejected([Problem(name, SHEET, number, "", f"表头被改动，缺少列：{'、'.join(missing)}。")])
                header_row = number
                column = {key: texts.index(header) for key, header in HEADERS.items()}
            elif number >= HEADER_SEARCH:
                break
            continue

        def text(key: str) -> str:
            index = column[key]
            return cell_text(values[index] if index < len(values) else None).replace("\r\n", "\n")

        def problem(key: str, message: str) -> None:
            problems.append(Problem(name, SHEET, number, _label(column, key), message))

        long_cells = [(i, len(cell_text(v))) for i, v in enumerate(values) if isinstance(v, str) and len(v) > CELL_LIMIT]
        expected = ident.by_row.get(number)
        code = text("task_code")
        if expected is None:
            if any(cell_text(v) for v in values):
                extra.append((number, code))
            continue
        seen_rows.add(number)
        if long_cells:
            index, length = long_cells[0]
            problems.append(Problem(name, SHEET, number, f"{get_column_letter(index + 1)}", f"单元格内容过长（{length} 字，上限 {CELL_LIMIT} 字）。"))
            continue
        if code != expected:
            problem("task_code", f"这一行应为任务 {expected}，却是“{_quote(code)}”：任务行被移动、复制或改动，请使用导出的原模板填报。")
            continue
        if not any(text(key) for key in REPORTED):
            skipped += 1
            continue
        raw_percent = values[column["percent"]] if column["percent"] < len(values) else None
        entry = ProgressInput(
            task_code=code,
            unit=ident.unit,
            period=ident.period,
            status=text("status"),
            percent=_percent(raw_percent),
            progress_text=text("progress_text"),
            problems=text("problems") or None,
            next_steps=text("next_steps") or None,
            reporter=text("reporter") or None,
            entry_date=today,
        )
        found = field_problems(entry)
        if not entry.status:
            found["status"] = "完成状态为空，请从下拉列表中选择。"
        if entry.percent == "":
            found["percent"] = "进度为空，请填写 0 到 100 之间的整数。"
        if "progress_text" in found:
            found["progress_text"] = "本行已填报，但进展情况为空；请填写本期进展情况。"
        for key, limit in FIELD_LIMITS.items():
            length = len(text(key))
            if length > limit:
                found[key] = f"{HEADERS[key]}过长（{length} 字，不超过 {limit} 字）。"
        for key in ("status", "percent", "progress_text", "problems", "next_steps", "reporter"):
            if key in found:
                problem(key, found[key])
        fingerprint, version, digest = ident.rows[code]
        rows.append(TemplateRow(number, text("title"), text("deadline"), fingerprint, version, digest, entry))
    if header_row is None:
        raise _Rejected([Problem(name, SHEET, None, "", "找不到表头（序号、任务编号……），表格结构被改动。")])
    if not bound:
        raise _Rejected([Problem(name, SHEET, None, "", "找不到报送单位和模板编号所在的行，表格结构被改动；请使用导出的原模板填报。")])
    for number, code in extra[:MAX_LISTED]:
        problems.append(Problem(name, SHEET, number, _label(column, "task_code") if code else "", _extra_row_message(code, ident)))
    if len(extra) > MAX_LISTED:
        rest = extra[MAX_LISTED:]
        problems.append(
            Problem(name, SHEET, rest[0][0], "", f"另有 {len(rest)} 行（第 {rest[0][0]}–{rest[-1][0]} 行）也不是模板中的任务行，请勿在表格中增加行。")
        )
    for number in sorted(set(ident.by_row) - seen_rows):
        problems.append(Problem(name, SHEET, number, "", f"任务 {ident.by_row[number]} 所在的行缺失（任务行被删除），请使用导出的原模板填报。"))
    return rows, skipped, problems, column, mismatch


def read_template(path: Path) -> ReadTemplate:
    """Read and check a filled template from its file alone; the ledger is not touched.

    Every failure becomes a _Rejected carrying a Chinese problem: a parser's or decompressor's own
    words go to the log only.
    """
    try:
        wb = open_workbook_safely(path)
    except UserError as exc:
        raise _Rejected([Problem(path.name, "", None, "", exc.message.removeprefix(f"文件 {path.name} "))]) from None
    try:
        ident = _read_identity(wb, path.name)
        rows, skipped, problems, column, mismatch = _read_rows(wb, path.name, ident)
    except _Rejected:
        raise
    except Exception as exc:  # read-only openpyxl parses sheets lazily: malformed XML or zlib data surfaces here
        log.warning("template %s unreadable: %r", path.name, exc)
        raise _Rejected([Problem(path.name, "", None, "", f"工作表内容已损坏，无法读取（{read_failure(exc)}）。")]) from None
    finally:
        try:
            wb.close()
        except Exception:  # closing a damaged archive must not hide why it was refused
            pass
    return ReadTemplate(ident, rows, skipped, problems, column, mismatch)


def _import_file(ledger: Ledger, path: Path, operator: str | None) -> FileOutcome:
    """Read and check one template completely, then write it in one transaction, or reject it whole.

    The file is parsed before the ledger is touched; the signing key is read in a plain read, and
    the write transaction (SQLite's write lock) is opened only for rows that passed every check.
    """
    outcome = FileOutcome(path.name)
    try:
        try:
            read = read_template(path)
        except _Rejected:
            raise
        except Exception as exc:  # any other failure of one file is that file's problem, not the batch's
            log.warning("template %s unreadable: %r", path.name, exc)
            raise _Rejected([Problem(path.name, "", None, "", f"文件无法读取（{read_failure(exc)}），可能已损坏。")]) from None
        ident, rows, problems, column = read.ident, read.rows, read.problems, read.column
        with ledger.Session() as session:
            mine, key = ledger_id(session), signing_key(session)
        _check_identity(ident, path.name, mine, key)
        if read.mismatch is not None:  # reported after the signature: a forged 标识 is named as such
            raise _Rejected([read.mismatch])
        outcome.unit, outcome.period, outcome.skipped = ident.unit, ident.period, read.skipped
        if len(problems) > MAX_LISTED * 2:  # a flood of problems is refused from the file alone
            raise _Rejected(problems)
        with ledger.Session.begin() as session:
            try:
                plan_id = resolve_plan_id(session, ident.plan_id)
                unit = find_unit(session, ident.unit)
            except UserError as exc:
                raise _Rejected([Problem(path.name, ID_SHEET, None, "", exc.message)]) from None
            for p in check_rows(session, unit, plan_id, rows):
                problems.append(Problem(path.name, SHEET, p.row, _label(column, p.field), p.message))
            if problems:
                raise _Rejected(sorted(problems, key=lambda p: (p.row or 0, p.column)))
            applied = apply_rows(session, unit, ident.period, plan_id, rows, operator=operator, source=path.name)
    except _Rejected as exc:
        outcome.problems = exc.problems
        return outcome
    outcome.imported = True
    outcome.added, outcome.updated, outcome.unchanged = applied.added, applied.updated, applied.unchanged
    outcome.conflicts = [Problem(path.name, SHEET, c.row, "", c.message) for c in applied.conflicts]
    return outcome


def _template_paths(path: Path) -> list[Path]:
    """The file given, or every .xlsx in the folder (sorted; Office's ~$ lock files left out)."""
    if path.is_dir():
        found = sorted(p for p in path.glob("*.xlsx") if p.is_file() and not p.name.startswith("~$"))
        if not found:
            raise UserError(f"文件夹 {path} 中没有 .xlsx 文件。")
        return found
    if not path.exists():
        raise UserError(f"找不到文件或文件夹：{path}")
    return [path]


def import_templates(ledger: Ledger, path_or_dir: str | Path, *, operator: str | None, control: JobControl | None = None) -> ImportReport:
    """Import filled templates (a file, or every .xlsx in a folder); each file is checked whole and written whole.

    Rules: a file with any problem (not a template, another ledger's, unknown unit or task, task
    altered, bad status, percent or empty 进展情况 on a filled row, duplicate task row) is rejected
    whole and changes nothing; the other files still import, each in its own transaction.  Rows
    with nothing reported are skipped.  A row equal to the ledger, or left as it was pre-filled, is
    unchanged, so importing a file again changes nothing.  A row whose report was changed in the
    ledger after the template was made, and differs from it, is a conflict: it is listed and not
    written, while the file's other rows import.  Cancelling stops between files.
    """
    paths = _template_paths(Path(path_or_dir))
    control = control or JobControl()
    report = ImportReport()
    for done, path in enumerate(paths):
        control.step(done, len(paths), f"正在导入 {path.name}")
        report.files.append(_import_file(ledger, path, operator))
    control.step(len(paths), len(paths), "导入完成")
    return report
