"""Writing the unit 报送模板: one workbook per unit and period, its visible sheets and its signed 标识.

The sheet 进展报送 lists the unit's tasks for a period (task columns locked, input columns
unlocked) under a line for the unit's seal, its reviewer and telephone (unlocked; the import reads
nothing above the header row, so these never reach the ledger); the very hidden sheet 标识 records
the ledger, plan, unit (name and uuid), period, the template's own number and, per task row, its row number, task
code, fingerprint and the version of the report it was pre-filled with, under an HMAC keyed by a
secret that never leaves the ledger (db.template_import).  The visible sheet names the unit, period
and template number too (`binding_marks`), which is how the import ties the 标识 to its sheet.
A unit that answers for indicators gets a second visible sheet, 指标 (exports.template_indicator_sheet),
whose rows the 标识 lists and signs the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from db import files
from db.engine import Ledger
from db.errors import UserError
from db.jobs import JobControl
from db.ledger import find_unit, resolve_plan_id
from db.models import Plan
from db.periods import check_period, chinese_date, chinese_period, report_deadline
from db.progress import STATUSES, ProgressInput
from db.settings import load_settings
from db.template_import import (
    UnitTask,
    ensure_signing_key,
    entry_digest,
    sign,
    unit_tasks,
    units_with_tasks,
)
from db.template_indicators import UnitIndicator, unit_indicators
from db.vocabulary import REPORT_FIELDS
from exports.template_indicator_sheet import IND_ROW_HEADER, IND_SHEET, write_indicator_sheet
from exports.template_look import MIN_LINES, body_cell, sheet_head
from exports.xlsx_io import print_setup, put_text, row_height, text_height

SHEET = "进展报送"
ID_SHEET = "标识"
FORMAT = "duban-unit-template"
# 3: the 标识 names the unit by its uuid too, so a unit renamed after export still gets its reports;
# 4: the 标识 lists the 指标 sheet's rows too (none when the unit answers for no indicator), under the signature.
FORMAT_VERSION = "4"
PREVIOUS_CHARS = 150
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
REPORTED = REPORT_FIELDS
ID_KEYS = ("格式", "格式版本", "台账标识", "计划编号", "单位", "单位编号", "期间", "模板编号", "导出时间", "签名")
ID_ROW_HEADER = ("行号", "任务编号", "任务指纹", "导出时版本", "预填指纹")

def _letter(key: str) -> str:
    return get_column_letter(KEYS.index(key) + 1)


def facts_line(unit: str, period: str, due: dt.date, template_id: str, tasks: list[UnitTask], indicators: int = 0) -> str:
    lead_count = sum(1 for t in tasks if t.role == "牵头")
    return (
        f"报送单位：{unit}　　报送期间：{chinese_period(period)}　　截止报送日期：{chinese_date(due)}"
        f"　　任务 {len(tasks)} 项" + (f"（牵头 {lead_count} 项）" if lead_count else "")
        + (f"　　指标 {indicators} 项（见“{IND_SHEET}”表）" if indicators else "") + f"　　模板编号：{template_id}"
    )


def template_file_name(unit: str, period: str) -> str:
    """报送模板_{单位}_{期间}.xlsx, with characters Windows forbids in names replaced."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", unit).strip(" .") or "单位"
    return f"报送模板_{safe}_{period}.xlsx"


def _previous_text(previous: ProgressInput | None) -> str:
    if previous is None:
        return ""
    text = f"{chinese_period(previous.period)}：{previous.status}，{previous.percent}%。{previous.progress_text}"
    return text if len(text) <= PREVIOUS_CHARS else text[:PREVIOUS_CHARS] + "……"


def _instructions(period: str, office: str, due: dt.date, prefilled: bool, indicators: bool) -> str:
    lines = [
        "填报说明：",
        f"1. 灰底列为任务信息，已锁定，请勿改动；请在黄底列填报本单位{chinese_period(period)}的进展。"
        + ("已按台账中本期已报送的内容预填，可直接修改。" if prefilled else ""),
        f"2. 完成状态从下拉列表中选择（{'、'.join(STATUSES)}）；进度填 0 到 100 的整数，已完成的填 100。",
        "3. 填写了某项任务的，进展情况必须填写；本期无需报送的任务整行留空。",
        f"4. 请勿增删行列、改动工作表或文件结构；填好后保存为 .xlsx 文件，于{chinese_date(due)}前报送{office}。",
        "5. 请在表头填写审核人和联系电话；报送纸质件的，打印后在“单位（盖章）”处加盖公章。",
    ]
    if indicators:
        lines.append(f"6. 本单位负责的指标，请在同一文件的“{IND_SHEET}”工作表填报本期实际值，两张表一并报送。")
    return "\n".join(lines)


def _write_template(
    path: Path, *, plan_title: str, office: str, due: dt.date, unit: str, unit_uuid: str, period: str, ledger: str, plan_id: int,
    tasks: list[UnitTask], indicators: list[UnitIndicator], signing: bytes
) -> None:
    """One unit's template: the visible, protected 进展报送 sheet, the 指标 sheet when it has indicators, and the very hidden 标识 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    template_id = uuid.uuid4().hex[:12]
    header_row = sheet_head(
        ws, COLUMNS, title=f"{plan_title}任务进展报送表", facts=facts_line(unit, period, due, template_id, tasks, len(indicators)),
        notes=_instructions(period, office, due, any(t.current for t in tasks), bool(indicators)), sign_fields=SIGN_FIELDS,
    )

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
            body_cell(ws, r, index, values[key], is_input=is_input, centred=key in ("seq", "annex", "role", "status", "percent"))
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
        "单位编号": unit_uuid,
        "期间": period,
        "模板编号": template_id,
        "导出时间": exported,
    }
    id_rows = [[str(FIRST_DATA_ROW + i), t.code, t.fingerprint, str(t.version), entry_digest(t.current)] for i, t in enumerate(tasks)]
    # The 标识 comes second, so its part is sheet2.xml whether or not the 指标 sheet follows it.
    ident = wb.create_sheet(ID_SHEET)
    indicator_rows = (
        write_indicator_sheet(wb, plan_title=plan_title, due=due, unit=unit, period=period, template_id=template_id, indicators=indicators)
        if indicators
        else []
    )
    facts_by_key["签名"] = sign(signing, [*facts_by_key.values(), id_rows, indicator_rows])
    lines = [
        ["项目", "内容"], *([key, facts_by_key[key]] for key in ID_KEYS), [], list(ID_ROW_HEADER), *id_rows, [], list(IND_ROW_HEADER), *indicator_rows
    ]
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
                unit_row = find_unit(session, name)
                tasks = unit_tasks(session, unit_row, period, plan_id)
                indicators = unit_indicators(session, unit_row, period, plan_id)
                if not tasks:
                    raise UserError(f"单位“{name}”在当前计划中没有任务，无需报送模板。")
                final = out_dir / template_file_name(name, period)
                temp = files.temp_beside(final)  # guarded: never over a ledger or a packet
                pending.append((temp, final))
                _write_template(
                    temp, plan_title=plan_title, office=office, due=due, unit=name, unit_uuid=unit_row.uuid, period=period, ledger=identity,
                    plan_id=plan_id, tasks=tasks, indicators=indicators, signing=key,
                )
        control.step(len(names), len(names), "正在保存报送模板")
        files.publish(pending)
    except BaseException:
        for temp, _final in pending:
            temp.unlink(missing_ok=True)
        raise
    return [final for _temp, final in pending]
