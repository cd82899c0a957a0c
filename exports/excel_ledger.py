"""The 工作台账 workbooks: the whole plan (汇总, 按单位汇总, then one sheet per annex), one unit's tasks, the warning list.

Every sheet prints on A4 (landscape, but for the two narrow summaries) fitted to the page width,
repeats its header row on each page, and sizes its rows from the wrapped text (xlsx_io.text_height),
since Excel, WPS and LibreOffice do not grow rows that openpyxl writes.  A task whose text is longer
than the tallest row Excel allows (409 pt) continues in the rows below it; its short cells are
merged across those rows, their text held within the first row so a page break cannot cut it.
Cells hold values, never formulas, and text a spreadsheet would read as a formula stays text.

Sheets written for one unit add the column 角色 (the unit's part in the task: 牵头, 配合 …) after
序号.  编码 (the task code) is always the last column, after 销号日期 and 销号依据.  The task sheets
carry an autofilter on their header row.  The whole-plan ledger adds 按单位汇总, the answering units'
figures from the report's standings, and 综合考评, each unit's month by the office's scheme.  The 预警清单 is a short list, one row per task: what it is,
who leads it, when it was due, how many days it is overdue, the latest progress and the warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from db.assessment import MonthAssessment
from db.decisions import SignOffFact
from db.errors import UserError
from db.indicator_actuals import IndicatorStanding
from db.jobs import JobControl
from db.periods import chinese_date, chinese_period
from db.report_data import PeriodReport, TaskLine
from db.responsibility import ROLES
from db.vocabulary import ComponentKind, DueCategory, Standing, Status
from db.warning_rules import DONE, GREY, RED, YELLOW
from exports.xlsx_io import max_lines, print_setup, put_text, row_height, save_workbook, text_height, wrap_lines


@dataclass(frozen=True)
class Column:
    """A column of a table: its header, width in characters, whether its cells are centred, and the format of its numbers."""

    title: str
    width: float
    centred: bool = False
    number_format: str | None = None


LABEL = Column("序号", 6, True)
BASE_COLUMNS = (
    Column("任务内容", 28),
    Column("牵头单位", 12),
    Column("配合单位", 12),
    Column("时间节点", 10, True),
    Column("完成状态", 8, True),
    Column("进度", 6, True, "0%"),
    Column("进展情况", 30),
    Column("存在问题", 12),
    Column("下步计划", 12),
    Column("最近报送", 11, True),
    Column("销号日期", 10, True),
    Column("销号依据", 14),
)
CODE = Column("编码", 10, True)
ROLE = Column("角色", 8, True)

PLAN_COLUMNS = (LABEL, *BASE_COLUMNS, CODE)
UNIT_COLUMNS = (LABEL, ROLE, *BASE_COLUMNS, CODE)
WARNING_COLUMNS = (
    Column("序号", 5, True),
    Column("任务编号", 12, True),
    Column("任务名称", 20),
    Column("牵头单位", 16),
    Column("时间节点", 12, True),
    Column("逾期天数", 9, True),
    Column("最新进展", 54),
    Column("预警", 7, True),
)

INDICATOR_COLUMNS = (
    Column("附件", 5, True),
    Column("编号", 9, True),
    Column("指标名称", 24),
    Column("单位", 6, True),
    Column("方向", 8, True),
    Column("现状水平", 14),
    Column("阶段目标", 26),
    Column("最新实际值", 14),
    Column("达标情况", 8, True),
    Column("国内前沿水平", 10),
    Column("责任单位", 16),
    Column("原文行", 7, True),
)
INDICATOR_WARNING_COLUMNS = (
    Column("序号", 5, True),
    Column("编号", 9, True),
    Column("指标名称", 28),
    Column("责任单位", 18),
    Column("应达目标", 26),
    Column("最新实际值", 18),
    Column("预警", 8, True),
)

SUMMARY_SHEET = "汇总"
UNIT_SUMMARY_SHEET = "按单位汇总"
ASSESSMENT_SHEET = "综合考评"
WARNING_SHEET = "预警清单"
INDICATOR_SHEET = "指标台账"
INDICATOR_WARNING_SHEET = "指标预警"
PROGRESS_CHARS = 54  # of each unit's latest progress in the 预警清单: two lines
PROGRESS_UNITS = 2
LEAD_UNITS = 3  # named in a row of the 预警清单; more are counted
TITLE_CHARS = 36
_NAME_SEPARATOR = re.compile(r"、(?![^（(]*[）)])")  # not the 、 of 各县（市、区）
HEADER_ROW = 4  # below the title, the subtitle and the period line
SIZE = 10
FONT_NAME = "宋体"
STEP = 25

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_OPEN_BELOW = Border(left=_THIN, right=_THIN, top=_THIN)
_OPEN_BOTH = Border(left=_THIN, right=_THIN)
_OPEN_ABOVE = Border(left=_THIN, right=_THIN, bottom=_THIN)
_FONT = Font(name=FONT_NAME, size=SIZE)
_BOLD = Font(name=FONT_NAME, size=SIZE, bold=True)
_HEADING = Font(name=FONT_NAME, size=11, bold=True)
_TITLE = Font(name=FONT_NAME, size=16, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
FILLS = {
    RED: PatternFill("solid", fgColor="FFC7CE"),
    YELLOW: PatternFill("solid", fgColor="FFEB9C"),
    GREY: PatternFill("solid", fgColor="E7E6E6"),
    DONE: PatternFill("solid", fgColor="DDEBF7"),  # blue, as the window's light for 已销号
}
STANDING_FILLS = {Standing.BEHIND: FILLS[RED], Standing.NOT_REPORTED: FILLS[GREY]}
WARNING_LEGEND = "底色：红色—逾期　黄色—临期或滞后　灰色—本期未报送"
LEGEND = WARNING_LEGEND + "　蓝色—已销号　无底色—正常推进"
WARNING_FILLS = {"逾期": FILLS[RED], "临期": FILLS[YELLOW], "滞后": FILLS[YELLOW], "未报送": FILLS[GREY]}
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_TOP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_CENTRE_TOP = Alignment(horizontal="center", vertical="top", wrap_text=True)
_MAX_LINES = max_lines(SIZE) - 1


def export_ledger(
    report: PeriodReport,
    path: str | Path,
    *,
    sign_offs: Mapping[int, SignOffFact] | None = None,
    control: JobControl | None = None,
    made_on: dt.date | None = None,
    indicators: list[IndicatorStanding] | None = None,
) -> Path:
    """Write the 工作台账: 汇总, 按单位汇总 and one sheet per annex for the whole plan, or one sheet for a unit's report.

    sign_offs (db.decisions.sign_off_facts, by task id) fill the columns 销号日期 and 销号依据; indicators
    (db.indicator_actuals.indicator_standing) add the 指标台账 sheet.
    """
    control = control or JobControl()
    made_on = made_on or dt.date.today()
    sign_offs = sign_offs or {}
    wb = Workbook()
    unit = report.unit
    if unit is None:
        _summary_sheet(wb.active, report, made_on)
        _unit_summary_sheet(wb.create_sheet(UNIT_SUMMARY_SHEET), report, made_on)
        if report.assessment is not None:
            _assessment_sheet(wb.create_sheet(ASSESSMENT_SHEET), report.assessment, report, made_on)
        _annex_sheets(wb, report, sign_offs, made_on, control)
    else:
        _unit_sheet(wb.active, report, unit, sign_offs, made_on, control)
    if indicators:
        _indicator_sheet(wb.create_sheet(INDICATOR_SHEET), report, indicators, made_on)
    control.step(len(report.lines), len(report.lines), "正在保存工作簿")
    return _save(wb, path, report)


def _annex_sheets(wb: Workbook, report: PeriodReport, sign_offs: Mapping[int, SignOffFact], made_on: dt.date, control: JobControl) -> None:
    """One sheet per annex, its tasks under the plan's section headings."""
    total, done = len(report.lines), 0
    for annex in sorted({line.task.annex for line in report.lines}):
        lines = [line for line in report.lines if line.task.annex == annex]
        sheet = _TaskSheet(wb.create_sheet(f"附件{annex}"), PLAN_COLUMNS)
        sheet.titles(
            f"{report.plan_title}工作台账",
            f"附件{annex}　{report.annex_titles.get(annex, '')}（共 {len(lines)} 项任务）",
            _info(report, made_on) + "\n" + LEGEND,
        )
        for line in lines:
            sheet.section(line)
            sheet.task(_values(line, sign_offs.get(line.task.id)), FILLS.get(line.state.colour))
            done += 1
            if done % STEP == 0:
                control.step(done, total, f"正在写入附件{annex}")
        sheet.finish()


def _unit_sheet(ws: Worksheet, report: PeriodReport, unit: str, sign_offs: Mapping[int, SignOffFact], made_on: dt.date, control: JobControl) -> None:
    """One sheet of a unit's tasks grouped by annex, with the unit's role in each."""
    ws.title = _sheet_name(unit)
    total = len(report.lines)
    roles = {line.task.id: _roles(line, unit) for line in report.lines}
    counts = {role: sum(1 for r in roles.values() if role in r.split("、")) for role in ROLES}
    sheet = _TaskSheet(ws, UNIT_COLUMNS)
    sheet.titles(
        f"{report.plan_title}工作台账（{unit}）",
        f"本单位任务共 {total} 项，其中" + "、".join(f"{role} {n} 项" for role, n in counts.items() if n),
        _info(report, made_on) + "\n" + LEGEND,
    )
    for done, line in enumerate(report.lines, start=1):
        sheet.annex(line, report.annex_titles)
        sheet.section(line)
        sheet.task({**_values(line, sign_offs.get(line.task.id)), ROLE.title: roles[line.task.id]}, FILLS.get(line.state.colour))
        if done % STEP == 0:
            control.step(done, total, f"正在写入{unit}的任务")
    sheet.finish()


def export_warnings(
    report: PeriodReport,
    path: str | Path,
    *,
    control: JobControl | None = None,
    made_on: dt.date | None = None,
    indicators: list[IndicatorStanding] | None = None,
) -> Path:
    """Write the 预警清单: overdue tasks, then due soon or lagging, then not reported; one short row each.

    Indicators behind their target in force (db.indicator_actuals.indicator_warnings) get a sheet of their own.
    """
    control = control or JobControl()
    made_on = made_on or dt.date.today()
    warnings = report.warnings
    unit = report.unit
    kinds = [_warning_kind(line) for line in warnings]
    counts = {kind: kinds.count(kind) for kind in WARNING_FILLS}
    wb = Workbook()
    ws = wb.active
    ws.title = WARNING_SHEET
    sheet = _TaskSheet(ws, WARNING_COLUMNS)
    sheet.titles(
        f"{report.plan_title}任务预警清单" + (f"（{unit}）" if unit else ""),
        f"预警任务共 {len(warnings)} 项：" + "，".join(f"{kind} {n} 项" for kind, n in counts.items()),
        _info(report, made_on) + "\n逾期天数自时间节点（已批准延期的，自延期后的时限）起算至统计截止日；最新进展为牵头单位最近一次报送的内容摘要。",
    )
    for done, (line, kind) in enumerate(zip(warnings, kinds), start=1):
        days = _overdue_days(line, report.reference)
        values = {
            "序号": done,
            "任务编号": line.task.code,
            "任务名称": _trim(line.task.title, TITLE_CHARS),
            "牵头单位": _few_units(line.lead_text),
            "时间节点": _due_text(line),
            "逾期天数": days,
            "最新进展": _latest_progress(line),
            "预警": kind,
        }
        sheet.task(values, WARNING_FILLS[kind])
        if done % STEP == 0:
            control.step(done, len(warnings), "正在写入预警清单")
    sheet.finish()
    if indicators is not None:
        _indicator_warning_sheet(wb.create_sheet(INDICATOR_WARNING_SHEET), report, indicators, made_on)
    control.step(len(warnings), len(warnings), "正在保存工作簿")
    return _save(wb, path, report, f"{report.plan_title}任务预警清单")


def _targets_text(item: IndicatorStanding) -> str:
    """Each staged target on its own line, the one in force marked."""
    return "\n".join(f"{'▶' if period == item.target_period else ''}{chinese_period(period)}：{text}" for period, text, _ in item.targets)


def _actual_text(item: IndicatorStanding) -> str:
    if item.actual is None:
        return ""
    return f"{item.actual.value_text}（{chinese_period(item.actual.period)}，{item.actual.unit}）"


def _indicator_sheet(ws: Worksheet, report: PeriodReport, indicators: list[IndicatorStanding], made_on: dt.date) -> None:
    """指标台账: every indicator with its baseline, staged targets, latest actual, standing against the target in force, frontier."""
    sheet = _TaskSheet(ws, INDICATOR_COLUMNS)
    counts = {s: sum(1 for i in indicators if i.standing == s) for s in Standing}
    sheet.titles(
        f"{report.plan_title}指标台账",
        f"指标共 {len(indicators)} 项：" + "，".join(f"{s.value} {n} 项" for s, n in counts.items() if n),
        _info(report, made_on) + "\n应达目标：统计月末前已到期的最近一个阶段目标（▶ 标出）；最新实际值：截至统计月责任单位最近一次填报的值。",
    )
    for item in indicators:
        values = {
            "附件": item.annex,
            "编号": item.code,
            "指标名称": item.name,
            "单位": item.measure_unit or "",
            "方向": item.direction,
            "现状水平": item.baseline_text or "",
            "阶段目标": _targets_text(item),
            "最新实际值": _actual_text(item),
            "达标情况": item.standing.value,
            "国内前沿水平": item.frontier_text or "",
            "责任单位": "、".join(item.units),
            "原文行": item.source_line,
        }
        sheet.task(values, STANDING_FILLS.get(item.standing))
    sheet.finish()


def _indicator_warning_sheet(ws: Worksheet, report: PeriodReport, warnings: list[IndicatorStanding], made_on: dt.date) -> None:
    """指标预警: indicators behind the target due by the month's end, or due with no actual reported."""
    sheet = _TaskSheet(ws, INDICATOR_WARNING_COLUMNS)
    sheet.titles(
        f"{report.plan_title}指标预警清单",
        f"预警指标共 {len(warnings)} 项：" + "，".join(f"{s.value} {sum(1 for w in warnings if w.standing == s)} 项" for s in STANDING_FILLS),
        _info(report, made_on) + "\n未达标：最新实际值未达到统计月末前已到期的阶段目标；未填报：目标已到期而责任单位没有填报实际值。",
    )
    for number, item in enumerate(warnings, start=1):
        values = {
            "序号": number,
            "编号": item.code,
            "指标名称": item.name,
            "责任单位": _few_units("、".join(item.units)),
            "应达目标": f"{chinese_period(item.target_period)}：{item.target_text}" if item.target_period else "",
            "最新实际值": _actual_text(item),
            "预警": item.standing.value,
        }
        sheet.task(values, STANDING_FILLS[item.standing])
    sheet.finish()


def _due_text(line: TaskLine) -> str:
    """The date a task is due, in Chinese (the extended one, marked so); 持续推进 when it has none."""
    state = line.state
    if state.due is None:
        return Status.ONGOING.value
    return chinese_date(state.due) + ("（已延期）" if state.extended else "")


def _warning_kind(line: TaskLine) -> str:
    """逾期, 临期, 滞后 or 未报送: the warning a row of the 预警清单 names."""
    colour = line.state.colour
    if colour == RED:
        return "逾期"
    if colour == GREY:
        return "未报送"
    return "滞后" if line.status == Status.LAGGING else "临期"


def _overdue_days(line: TaskLine, reference: dt.date) -> int | None:
    """Days from the (extended) due date to the reference date; None when the task is not overdue."""
    due = line.state.due
    if line.state.colour != RED or due is None:
        return None
    return max((reference - due).days, 0)


def _few_units(names: str) -> str:
    """At most LEAD_UNITS unit names, then how many there are in all: 甲、乙、丙等11个单位."""
    units = _NAME_SEPARATOR.split(names)
    return names if len(units) <= LEAD_UNITS else "、".join(units[:LEAD_UNITS]) + f"等{len(units)}个单位"


def _latest_progress(line: TaskLine) -> str:
    """Each reporting unit's latest progress, cut at a sentence end near PROGRESS_CHARS; at most PROGRESS_UNITS units."""
    paragraphs = [p for p in _clean(line.progress_text).split("\n") if p.strip()]
    shown = [_trim(p, PROGRESS_CHARS) for p in paragraphs[:PROGRESS_UNITS]]
    if len(paragraphs) > PROGRESS_UNITS:
        shown.append(f"（另有 {len(paragraphs) - PROGRESS_UNITS} 个单位的报送，详见工作台账）")
    return "\n".join(shown) or "（尚无报送）"


def _trim(text: str, limit: int) -> str:
    """Text of at most about `limit` characters, cut after a sentence or clause where one ends in the second half."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    cut = max(window.rfind(mark) for mark in "。；;") + 1
    if cut < limit // 2:
        cut = max(window.rfind(mark) for mark in "，,、") + 1
    if cut < limit // 2:
        cut = limit
    return window[:cut].rstrip("，,、") + "……"


def _roles(line: TaskLine, unit: str) -> str:
    return "、".join(dict.fromkeys(u.role for u in line.task.units if u.name == unit))


def _sheet_name(name: str) -> str:
    """A valid, 31-character sheet name from a unit's name."""
    for ch in '[]:*?/\\':
        name = name.replace(ch, "_")
    return name[:31] or "单位台账"


def _info(report: PeriodReport, made_on: dt.date, gap: str = "　　") -> str:
    return (
        f"统计期间：{chinese_period(report.period)}（截至{chinese_date(report.reference)}）"
        f"{gap}制表单位：{report.settings.office_name}　　制表日期：{chinese_date(made_on)}"
    )


def _clean(text: str) -> str:
    """Text a worksheet can hold: Windows line ends unified, control characters removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _values(line: TaskLine, sign_off: SignOffFact | None) -> dict[str, object]:
    """A task line's cells by column title."""
    return {
        "销号日期": chinese_date(sign_off.signed_on).replace("年", "年\n", 1) if sign_off else None,
        "销号依据": sign_off.basis if sign_off else None,
        LABEL.title: line.task.label,
        "任务内容": line.task.text,
        "牵头单位": line.lead_text,
        "配合单位": line.support_text,
        "时间节点": line.deadline_text,
        "完成状态": line.status,
        "进度": line.percent / 100 if line.percent is not None else None,
        "进展情况": line.progress_text,
        "存在问题": line.problems,
        "下步计划": line.next_steps,
        "最近报送": line.last_report.replace("（", "\n").rstrip("）"),
        CODE.title: line.task.code,
    }


def _pieces(text: str, width: float) -> list[tuple[str, int]]:
    """Text cut into pieces no taller than a row can be, at a paragraph or sentence end where one is near; with their line counts."""
    pieces = []
    lines = wrap_lines(text, width)
    while len(lines) > _MAX_LINES:
        window = "".join(lines[:_MAX_LINES])
        half = len("".join(lines[: _MAX_LINES // 2]))
        cut = window.rfind("\n") + 1
        if cut <= half:
            cut = max(window.rfind(mark) for mark in "。；;") + 1
        if cut <= half:
            cut = len(window)
        piece = window[:cut].removesuffix("\n")
        pieces.append((piece, len(wrap_lines(piece, width))))
        text = text[cut:].lstrip("\n")
        lines = wrap_lines(text, width)
    pieces.append((text, len(lines)))
    return pieces


class _TaskSheet:
    """A worksheet of task rows: title rows, a header repeated on every printed page, grouped and coloured rows."""

    def __init__(self, ws: Worksheet, columns: tuple[Column, ...], *, landscape: bool = True):
        self.ws = ws
        self.columns = columns
        self.landscape = landscape
        self.row = 0
        self.current_annex: int | None = None
        self.current_section: str | None = None
        for number, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(number)].width = column.width
        self.total_width = sum(c.width for c in columns)

    def titles(self, title: str, subtitle: str, info: str) -> None:
        """The title, a subtitle and the period line, merged across the table; then the header row."""
        ws = self.ws
        _merged_line(ws, 1, len(self.columns), title, _TITLE, _CENTRE, max(32, text_height(title, self.total_width, _TITLE.size)))
        for number, (text, font) in enumerate(((subtitle, _HEADING), (info, _FONT)), start=2):
            lines = len(wrap_lines(text, self.total_width, font.size))
            _merged_line(ws, number, len(self.columns), text, font, _LEFT, row_height(lines, font.size))
        header = HEADER_ROW
        lines = 1
        for number, column in enumerate(self.columns, start=1):
            cell = ws.cell(row=header, column=number)
            put_text(cell, column.title)
            cell.font, cell.fill, cell.border, cell.alignment = _BOLD, _HEADER_FILL, _BORDER, _CENTRE
            lines = max(lines, len(wrap_lines(column.title, column.width)))
        ws.row_dimensions[header].height = row_height(lines)
        ws.freeze_panes = ws.cell(row=header + 1, column=1)
        _page_setup(ws, f"{header}:{header}", landscape=self.landscape)
        self.row = header

    def annex(self, line: TaskLine, titles: dict[int, str]) -> None:
        """A group row when the tasks move to another annex."""
        if line.task.annex != self.current_annex:
            self.current_annex = line.task.annex
            self.current_section = None
            self.group(f"附件{line.task.annex}　{titles.get(line.task.annex, '')}")

    def section(self, line: TaskLine) -> None:
        """A group row with the plan's heading (（一）…) when the tasks move to another section."""
        if line.task.section and line.task.section != self.current_section:
            self.group(line.task.section)
        self.current_section = line.task.section

    def group(self, text: str) -> None:
        """A bold row across the table naming the group of tasks below it."""
        self.row += 1
        lines = len(wrap_lines(text, self.total_width, SIZE))
        _merged_line(self.ws, self.row, len(self.columns), text, _BOLD, _LEFT, row_height(lines), _GROUP_FILL)

    def task(self, values: dict[str, object], fill: PatternFill | None) -> None:
        """One task: one row, or more when its text is taller than a row can be."""
        ws = self.ws
        cells: list[list[tuple[object, int]]] = []
        for column in self.columns:
            value = values.get(column.title)
            cells.append(_pieces(_clean(value), column.width) if isinstance(value, str) else [(value, 1)])
        rows = max(len(pieces) for pieces in cells)
        first = self.row + 1
        heights = [1] * rows
        for number, (column, pieces) in enumerate(zip(self.columns, cells), start=1):
            split = len(pieces) > 1
            for i in range(rows):
                cell = ws.cell(row=first + i, column=number)
                value, lines = pieces[i] if i < len(pieces) else (None, 1)
                if isinstance(value, str):
                    put_text(cell, value or None)
                elif value is not None:
                    cell.value = value
                    if column.number_format:
                        cell.number_format = column.number_format
                if split or i == 0:
                    # A merged cell's text fits in its first row: a page break may fall below it.
                    heights[i] = max(heights[i], lines)
                cell.font = _FONT
                if rows == 1:
                    cell.alignment = _CENTRE if column.centred else _LEFT
                else:
                    cell.alignment = _CENTRE_TOP if column.centred else _TOP
                cell.border = _BORDER if not split else (_OPEN_BELOW if i == 0 else _OPEN_ABOVE if i == rows - 1 else _OPEN_BOTH)
                if fill is not None:
                    cell.fill = fill
            if rows > 1 and not split:
                _merge(ws, first, number, first + rows - 1, number)
        for i, lines in enumerate(heights):
            ws.row_dimensions[first + i].height = row_height(lines)
        self.row = first + rows - 1

    def finish(self) -> None:
        """Print only the table; filter its rows from the header."""
        last = get_column_letter(len(self.columns))
        self.ws.print_area = f"A1:{last}{max(self.row, HEADER_ROW)}"
        self.ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(self.row, HEADER_ROW)}"


def _merged_line(ws: Worksheet, row: int, columns: int, text: str, font: Font, alignment: Alignment, height: float, fill: PatternFill | None = None):
    """One text across the first `columns` columns of a row; with a fill, a bordered group row."""
    cell = ws.cell(row=row, column=1)
    put_text(cell, _clean(text))
    cell.font, cell.alignment = font, alignment
    if fill is not None:
        for col in range(1, columns + 1):
            ws.cell(row=row, column=col).border = _BORDER
            ws.cell(row=row, column=col).fill = fill
    _merge(ws, row, 1, row, columns)
    ws.row_dimensions[row].height = height


def _merge(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Merge cells already styled, keeping their borders (openpyxl's merge_cells redoes them, slowly)."""
    ws.merged_cells.add(CellRange(min_row=first_row, min_col=first_col, max_row=last_row, max_col=last_col))


def _page_setup(ws: Worksheet, title_rows: str | None, landscape: bool = True) -> None:
    """A4 (landscape unless the sheet is narrow) fitted to the page width, the header repeated, page numbers and the sheet's name in the footer."""
    print_setup(ws, title_rows=title_rows, landscape=landscape)
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.left.size = 9


SUMMARY_WIDTHS = (8, 44, 10, 10, 16, 10, 10)


def _summary_sheet(ws: Worksheet, report: PeriodReport, made_on: dt.date) -> None:
    """汇总: the period's figures, then each annex's completion."""
    ws.title = SUMMARY_SHEET
    width = len(SUMMARY_WIDTHS)
    for number, w in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(number)].width = w
    total_width = sum(SUMMARY_WIDTHS)
    _merged_line(ws, 1, width, f"{report.plan_title}工作台账", _TITLE, _CENTRE, 32)
    info = _info(report, made_on, "\n")
    _merged_line(ws, 2, width, info, _FONT, _LEFT, row_height(len(wrap_lines(info, total_width))))
    row = 4
    _merged_line(ws, row - 1, width, "一、总体情况", _HEADING, _LEFT, 24)
    figures = summary_figures(report)
    _summary_row(ws, row, [("指标", 1, 2), ("数量", 3, 3), ("说明", 4, width)], header=True)
    for name, value, note in figures:
        row += 1
        _summary_row(ws, row, [(name, 1, 2), (value, 3, 3), (note, 4, width)], left=(4,))
    row += 2
    _merged_line(ws, row, width, "二、各附件完成情况（有时限的任务，不含持续推进）", _HEADING, _LEFT, 24)
    row += 1
    headers = ("附件", "名称", "有时限任务", "已销号", "已报完成待销号", "逾期", "完成率")
    _summary_row(ws, row, [(h, i, i) for i, h in enumerate(headers, start=1)], header=True)
    table_header = row
    for bar in report.by_annex:
        row += 1
        number = int(bar.key)
        # An annex of 持续推进 tasks only has no completion rate, not a rate of 0%.
        cells = (bar.label, report.annex_titles.get(number, ""), bar.total, bar.signed_off, bar.reported_done, bar.overdue, bar.rate if bar.total else "—")
        _summary_row(ws, row, [(v, i, i) for i, v in enumerate(cells, start=1)], left=(2,))
    row += 1
    total = sum(b.total for b in report.by_annex)
    signed = sum(b.signed_off for b in report.by_annex)
    sums = ("合计", "", total, signed, sum(b.reported_done for b in report.by_annex), sum(b.overdue for b in report.by_annex), signed / total if total else 0.0)
    _summary_row(ws, row, [(v, i, i) for i, v in enumerate(sums, start=1)], header=True)
    for r in range(table_header + 1, row + 1):
        ws.cell(row=r, column=width).number_format = "0.0%"
    _page_setup(ws, f"{table_header}:{table_header}", landscape=False)
    ws.print_area = f"A1:{get_column_letter(width)}{row}"


def summary_figures(report: PeriodReport) -> list[tuple[str, int, str]]:
    """The 汇总's figures (name, count, meaning): the same ones the 通报 states (db.figures)."""
    figures = report.figures
    end = chinese_date(report.reference)
    rows = [
        ("任务总数", figures.tasks, "计划全部任务"),
        ("持续推进", figures.ongoing, "原文未列具体时间节点的任务，不计入到期和完成率"),
        ("到期任务", figures.due, f"原定时间节点在{end}前（含当日）的任务，分为以下五类"),
    ]
    meanings = {
        DueCategory.ON_TIME: "在时间节点（或批准延期后的新时限）前办结销号",
        DueCategory.LATE: "超过时限后办结销号",
        DueCategory.EXTENDED: "已批准延期，新时限未到",
        DueCategory.AWAITING_SIGN_OFF: "负责单位均已报送完成，待办公室销号",
        DueCategory.OVERDUE: "时限已到，尚未办结销号（逾期）",
    }
    rows += [(f"　其中：{category.value}", n, meanings[category]) for category, n in figures.due_breakdown.items()]
    rows.append(("未到期任务中报送滞后", len(report.lagging), "负责单位报送“滞后”的未到期任务"))
    return rows


UNIT_SUMMARY_COLUMNS = (
    Column("单位", 28),
    Column("负责任务", 8, True),
    Column("到期", 7, True),
    Column("按期办结", 8, True),
    Column("逾期办结", 8, True),
    Column("到期未办结", 11, True),
    Column("滞后", 7, True),
    Column("按期办结率", 11, True, "0.0%"),
    Column("排名", 6, True),
)


def _unit_summary_sheet(ws: Worksheet, report: PeriodReport, made_on: dt.date) -> None:
    """按单位汇总: each real unit's tasks and on-time completion, in the order and with the figures of the 通报's ranking."""
    sheet = _TaskSheet(ws, UNIT_SUMMARY_COLUMNS, landscape=False)
    standings = report.standings
    sheet.titles(
        "各责任单位任务完成情况",
        f"{report.plan_title}　责任单位共 {len(standings)} 个",
        _info(report, made_on, "\n") + f"\n负责任务：牵头的任务，未明确牵头的为负责的任务（不含配合）；到期：原定时间节点在"
        f"{chinese_date(report.reference)}前（含当日）；按期办结率＝按期办结÷到期；无到期任务的单位不排名；集合单位不排名。",
    )
    for standing in standings:
        values = {
            "单位": standing.unit,
            "负责任务": standing.lead_tasks,
            "到期": standing.due,
            "按期办结": standing.done_on_time,
            "逾期办结": standing.done_late,
            "到期未办结": standing.overdue,
            "滞后": standing.lagging,
            "按期办结率": standing.rate,
            "排名": standing.rank,
        }
        sheet.task(values, None)
    sheet.finish()


def _assessment_columns(month: MonthAssessment) -> tuple[Column, ...]:
    """名次, 单位, then each component's figure and its points, then 总分."""
    columns = [Column("名次", 6, True), Column("单位", 26)]
    for component in month.scheme.components:
        if component.kind.is_rate:
            columns += [Column(component.label, 13, True), Column(f"{component.label}得分", 9, True, "0.00")]
        else:
            what = component.label[:-2]
            columns += [Column(what + ("项数" if component.kind == ComponentKind.OVERDUE else "次数"), 8, True), Column(component.label, 8, True, "0.00")]
    return (*columns, Column("总分", 9, True, "0.00"))


def _assessment_sheet(ws: Worksheet, month: MonthAssessment, report: PeriodReport, made_on: dt.date) -> None:
    """综合考评: each real unit's figure and points per component, its total and rank, best first (db.assessment)."""
    ws.title = ASSESSMENT_SHEET
    scheme = month.scheme
    sheet = _TaskSheet(ws, _assessment_columns(month))
    when = f"{month.computed_local.date().isoformat()}计算并保存" if month.stored else "按现行方案即时计算，尚未保存"
    rules = "；".join(f"{c.label}{c.rule_text()}" for c in scheme.components)
    sheet.titles(
        f"{chinese_period(month.period)}各责任单位综合考评",
        f"{report.plan_title}　考评方案：{scheme.describe()}，满分{scheme.full_marks:g}分（{when}）",
        _info(report, made_on, "\n") + f"\n计分：{rules}。比率项目得分＝比率×权重；某项不适用（无到期任务、无应报进展或无考核指标）的，"
        "其权重按比例分给该单位适用的比率项目；无任何适用比率项目的单位不参加排名；集合单位不参加考评；得分相同的名次并列。",
    )
    for unit in month.units:
        values: dict[str, object] = {"名次": unit.rank, "单位": unit.unit, "总分": unit.score}
        for component, part in zip(scheme.components, unit.components):
            if component.kind.is_rate:
                values[component.label] = f"{part.raw:.1%}（{part.counted}/{part.out_of}）" if part.applicable else "不适用"
                values[f"{component.label}得分"] = part.points if part.applicable else "—"
            else:
                values[component.label[:-2] + ("项数" if component.kind == ComponentKind.OVERDUE else "次数")] = part.counted
                values[component.label] = part.points
        sheet.task(values, None)
    sheet.finish()


def _summary_row(ws: Worksheet, row: int, cells: list[tuple[object, int, int]], header: bool = False, left: tuple[int, ...] = ()) -> None:
    """A bordered row of the summary; each value spans columns first..last, left-aligned where its first column is in `left`."""
    lines = 1
    for value, first, last in cells:
        for col in range(first, last + 1):
            cell = ws.cell(row=row, column=col)
            cell.border = _BORDER
            if header:
                cell.fill = _HEADER_FILL
        cell = ws.cell(row=row, column=first)
        if isinstance(value, str):
            put_text(cell, _clean(value))
            width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(first, last + 1))
            lines = max(lines, len(wrap_lines(value, width)))
        else:
            cell.value = value
        cell.font = _BOLD if header else _FONT
        cell.alignment = _LEFT if first in left and not header else _CENTRE
        if last > first:
            _merge(ws, row, first, row, last)
    ws.row_dimensions[row].height = max(20, row_height(lines))


def _save(wb: Workbook, path: str | Path, report: PeriodReport, title: str | None = None) -> Path:
    """Save through db.files (guarded, under a temporary name, then renamed): a failed export leaves no half file."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    if not path.parent.is_dir():
        raise UserError(f"文件夹不存在：{path.parent}")
    wb.properties.creator = report.settings.office_name
    wb.properties.title = title or f"{report.plan_title}工作台账"
    save_workbook(wb, path)
    return path
