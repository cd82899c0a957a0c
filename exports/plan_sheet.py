"""The 任务分解表: a plan as one spreadsheet row per task, written and read back exactly.

Sheet 任务分解表 has the columns of COLUMNS; sheet 计划信息 holds the plan's title, document
number and year, and the annex titles.  Reading validates every row and rejects the whole file
with a Chinese message naming row and column when anything is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy.orm import Session

from db.deadlines import DeadlineError, parse_deadline
from db.errors import UserError
from db.ledger import list_tasks, resolve_plan_id
from db.models import Plan
from db.plan_draft import AnnexDraft, PlanDraft, SectionDraft, TaskDraft
from db.plan_text import _annex_topic, assign_codes
from db.responsibility import LEAD, ROLES, SUPPORT, split_outside_brackets
from exports.xlsx_io import cell_text, open_workbook_safely, put_text, save_workbook

SHEET = "任务分解表"
INFO_SHEET = "计划信息"
COLUMNS = [
    ("附件", 6),
    ("分组", 24),
    ("序号", 7),
    ("块", 4),
    ("任务名称", 30),
    ("任务原文", 60),
    ("时间节点", 16),
    ("牵头单位", 24),
    ("配合单位", 24),
    ("其他责任单位", 30),
    ("责任单位原文", 40),
    ("注释", 30),
    ("原文位置", 10),
    ("编码", 12),
    # Filled only for tasks whose wording differs from the document as issued (与印发原文不同).
    ("印发原文名称", 30),
    ("印发原文", 60),
    ("与印发原文不同的原因", 30),
]
REQUIRED = ("附件", "序号", "任务名称", "时间节点", "牵头单位", "配合单位", "其他责任单位")
RE_OTHER = re.compile(r"^(.+?)（(" + "|".join(ROLES) + r")）$")
MAX_ROWS = 20000


def _join_units(names: list[str]) -> str:
    return "、".join(names)


def write_plan_sheet(session: Session, path: Path, plan_id: int | None = None) -> int:
    """Write a plan's tasks as a 任务分解表; returns the number of tasks."""
    pid = resolve_plan_id(session, plan_id)
    plan = session.get(Plan, pid)
    tasks = list_tasks(session, plan_id=pid)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for col, (name, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"
    for r, t in enumerate(tasks, start=2):
        others = [f"{u.name}（{u.role}）" for u in t.units if u.role not in (LEAD, SUPPORT)]
        values = [
            t.annex,
            t.section or "",
            t.label,
            t.block,
            t.title,
            t.text,
            t.deadline or "",
            _join_units(t.lead),
            _join_units(t.support),
            _join_units(others),
            t.responsibility or "",
            t.footnotes or "",
            f"{t.source_line}-{t.source_line_end}" if t.source_line else "",
            t.code,
            t.printed_title or "",
            t.printed_text or "",
            (t.wording_note or "") if t.differs_from_printed else "",
        ]
        for col, value in enumerate(values, start=1):
            put_text(ws.cell(row=r, column=col), value)
            ws.cell(row=r, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    info = wb.create_sheet(INFO_SHEET)
    info.append(["项目", "内容"])
    for key, value in (("计划名称", plan.title), ("文号", plan.doc_number or ""), ("年度", plan.year or "")):
        info.append([key, value])
    for annex in sorted(plan.annexes, key=lambda a: a.number):
        info.append([f"附件{annex.number}", annex.title])
    for row in info.iter_rows():
        for cell in row:
            put_text(cell, cell.value)
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 60
    save_workbook(wb, path)
    return len(tasks)


def _read_info(wb, name: str) -> tuple[dict[str, str], dict[int, str]]:
    facts: dict[str, str] = {}
    annex_titles: dict[int, str] = {}
    if INFO_SHEET not in wb.sheetnames:
        return facts, annex_titles
    for row in wb[INFO_SHEET].iter_rows(min_row=2, max_col=2, values_only=True):
        key, value = cell_text(row[0]), cell_text(row[1] if len(row) > 1 else None)
        if m := re.fullmatch(r"附件(\d{1,2})", key):
            annex_titles[int(m.group(1))] = value
        elif key:
            facts[key] = value
    return facts, annex_titles


def _split_units(text: str) -> list[str]:
    return [n.strip() for n in split_outside_brackets(text, "、，,；;\n") if n.strip()]


def is_plan_sheet(path: Path) -> bool:
    """Whether a workbook is duban's own 任务分解表 (it has the sheet by that name), not an office's own table."""
    wb = open_workbook_safely(Path(path))
    try:
        return SHEET in wb.sheetnames
    finally:
        wb.close()


def read_plan_sheet(path: Path) -> PlanDraft:
    """Read a 任务分解表; any bad row rejects the whole file with every problem listed."""
    path = Path(path)
    wb = open_workbook_safely(path)
    try:
        if SHEET not in wb.sheetnames:
            raise UserError(f"文件 {path.name} 中没有名为“{SHEET}”的工作表。")
        ws = wb[SHEET]
        rows = ws.iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows, ())]
        while header and header[-1] == "":
            header.pop()
        known = {name for name, _ in COLUMNS}
        problems = [
            f"{path.name} 工作表“{SHEET}”第 1 行第 {i + 1} 列：未知列名“{h}”。" for i, h in enumerate(header) if h not in known
        ]
        problems += [f"{path.name} 工作表“{SHEET}”第 1 行：缺少必需的列“{c}”。" for c in REQUIRED if c not in header]
        if problems:
            raise UserError("任务分解表未导入：", problems)
        col = {name: header.index(name) for name in header}
        facts, annex_titles = _read_info(wb, path.name)
        year = int(facts["年度"]) if facts.get("年度", "").isdigit() else None
        draft = PlanDraft(
            title=facts.get("计划名称") or path.stem,
            doc_number=facts.get("文号") or None,
            year=year,
            source_name=path.name,
        )
        annexes: dict[int, AnnexDraft] = {}
        for rownum, row in enumerate(rows, start=2):
            if rownum > MAX_ROWS:
                raise UserError(f"{path.name}：行数超过 {MAX_ROWS}，请拆分后导入。")
            values = {name: cell_text(row[i]) if i < len(row) else "" for name, i in col.items()}
            if not any(values.values()):
                continue
            task = _read_row(values, rownum, path.name, year, problems)
            if task is None:
                continue
            number, task = task
            annex = annexes.get(number)
            if annex is None:
                title = annex_titles.get(number) or f"附件{number}"
                annex = annexes[number] = AnnexDraft(number=number, title=title, topic=_annex_topic(title))
            if task.section_label and annex.section(task.section_label) is None:
                label, heading = _split_section(values.get("分组", ""))
                annex.sections.append(SectionDraft(label=label, heading=heading))
            annex.tasks.append(task)
        if problems:
            raise UserError(f"任务分解表 {path.name} 有 {len(problems)} 处错误，未导入任何内容：", problems)
        if not annexes:
            raise UserError(f"任务分解表 {path.name} 中没有任务。")
    finally:
        wb.close()
    for number in sorted(annexes):
        annex = annexes[number]
        codes = [t.code for t in annex.tasks]
        if any(not c for c in codes) or len(set(codes)) != len(codes):
            assign_codes(annex)
        draft.annexes.append(annex)
    return draft


def _split_section(text: str) -> tuple[str, str]:
    m = re.match(r"^([（(][一二三四五六七八九十]+[）)])(.*)$", text)
    return (m.group(1), m.group(2)) if m else (text, text)


def _read_row(values: dict[str, str], rownum: int, name: str, year: int | None, problems: list[str]):
    where = f"{name} 工作表“{SHEET}”第 {rownum} 行"
    before = len(problems)
    annex_text = values.get("附件", "")
    if not annex_text:
        problems.append(f"{where}“附件”列：附件序号为空。")
    elif not annex_text.isdigit() or not 1 <= int(annex_text) <= 99:
        problems.append(f"{where}“附件”列：附件序号“{annex_text}”应为 1 到 99 的整数。")
    if not values.get("序号"):
        problems.append(f"{where}“序号”列：序号为空。")
    if not values.get("任务名称"):
        problems.append(f"{where}“任务名称”列：任务名称为空。")
    deadline = values.get("时间节点") or None
    try:
        parse_deadline(deadline, year)
    except DeadlineError as exc:
        problems.append(f"{where}“时间节点”列：{exc}。")
    units: list[tuple[str, str]] = []
    units += [(n, LEAD) for n in _split_units(values.get("牵头单位", ""))]
    units += [(n, SUPPORT) for n in _split_units(values.get("配合单位", ""))]
    for item in _split_units(values.get("其他责任单位", "")):
        m = RE_OTHER.match(item)
        if not m:
            problems.append(f"{where}“其他责任单位”列：“{item}”应写作“单位名称（角色）”，角色为 {'、'.join(ROLES)} 之一。")
            continue
        units.append((m.group(1), m.group(2)))
    if not units:
        problems.append(f"{where}：牵头单位、配合单位、其他责任单位均为空。")
    block = values.get("块") or "1"
    if not block.isdigit():
        problems.append(f"{where}“块”列：“{block}”应为正整数。")
    if len(problems) > before:
        return None
    section = values.get("分组") or None
    lines = re.fullmatch(r"(\d+)(?:-(\d+))?", values.get("原文位置", ""))
    return int(annex_text), TaskDraft(
        label=values["序号"],
        title=values["任务名称"],
        text=values.get("任务原文") or values["任务名称"],
        section_label=_split_section(section)[0] if section else None,
        block=int(block),
        deadline_text=deadline,
        responsibility_text=values.get("责任单位原文") or None,
        footnotes=[f for f in values.get("注释", "").split("\n") if f],
        line_start=int(lines.group(1)) if lines else None,
        line_end=int(lines.group(2) or lines.group(1)) if lines else None,
        code=values.get("编码", ""),
        units=units,
        printed_title=values.get("印发原文名称") or None,
        printed_text=values.get("印发原文") or None,
        wording_note=(values.get("与印发原文不同的原因") or None) if values.get("印发原文名称") or values.get("印发原文") else None,
    )
