"""The 报送模板's second sheet, 指标: the indicators a unit answers for, written out and read back.

Written only when the unit has indicators.  Each row shows the indicator (编号 … 上期实际值, locked
and grey) and two yellow cells, 本期实际值 (free text: "0.5个工作日", "≤20", "98%") and 说明.  The
sheet's second line names the unit, period and template number like the first sheet's, and the
signed 标识 lists each row's number, indicator code, fingerprint of its locked cells, and the version
and digest of the actual it was pre-filled with (db.template_indicators), so an edited 编号, a
copied row or a locked cell changed is refused.  Reading is as hostile as the first sheet's.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import NamedTuple

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from db.indicator_actuals import MAX_VALUE_CHARS, actual_problem
from db.periods import chinese_date, chinese_period
from db.template_indicators import IndicatorRow, UnitIndicator, actual_digest, indicator_fingerprint
from exports.template_look import body_cell, sheet_head
from exports.xlsx_io import cell_text, print_setup, row_height, text_height

IND_SHEET = "指标"
# The 标识's header over the indicator rows (format 4); the same five columns as the task rows'.
IND_ROW_HEADER = ("指标行号", "指标编号", "指标指纹", "导出时版本", "预填指纹")
MAX_INDICATOR_ROWS = 500
# (key, header, width, input column)
IND_COLUMNS = [
    ("seq", "序号", 4.5, False),
    ("code", "编号", 9, False),
    ("annex", "附件", 4.5, False),
    ("name", "指标", 32, False),
    ("measure", "计量单位", 9, False),
    ("direction", "方向", 8, False),
    ("target", "目标（本期应达到）", 17, False),
    ("previous", "上期实际值", 15, False),
    ("actual", "本期实际值", 16, True),
    ("note", "说明", 24, True),
]
IND_KEYS = [key for key, *_ in IND_COLUMNS]
IND_HEADERS = {key: header for key, header, *_ in IND_COLUMNS}
# The fill-in line above the table, laid out for this sheet's columns: (label, first, last column) then its input's columns.
IND_SIGN_FIELDS = (("单位（盖章）：", 1, 3, 4, 4), ("审核人：", 5, 6, 7, 7), ("联系电话：", 8, 8, 9, 10))
IND_FIRST_DATA_ROW = 6
VALUE_HINT = "照实填写，可带单位或符号，如“0.5个工作日”“≤20”“98%”；本期未统计的留空。"
HEADER_SEARCH = 10
SHEET_ROW_LIMIT = 2000
READ_COLUMNS = 64
CELL_LIMIT = 4000
QUOTE_CHARS = 30
MAX_LISTED = 50


def _letter(key: str) -> str:
    return get_column_letter(IND_KEYS.index(key) + 1)


def _facts(unit: str, period: str, due: dt.date, template_id: str, count: int) -> str:
    return (
        f"报送单位：{unit}　　报送期间：{chinese_period(period)}　　截止报送日期：{chinese_date(due)}"
        f"　　指标 {count} 项　　模板编号：{template_id}"
    )


def _instructions(period: str, prefilled: bool) -> str:
    return "\n".join(
        [
            "填报说明：",
            f"1. 本表填报本单位负责的指标{chinese_period(period)}的实际值，与“进展报送”表一同报送；灰底列为指标信息，已锁定，请勿改动。"
            + ("已按台账中本期已报送的实际值预填，可直接修改。" if prefilled else ""),
            f"2. 本期实际值照实填写，可带单位或符号，如“0.5个工作日”“≤20”“98%”，在一行内填写，不超过 {MAX_VALUE_CHARS} 字。",
            "3. 本期未统计的指标，本期实际值留空（视为未报送）；填写了说明的，本期实际值必须填写。",
            "4. “目标（本期应达到）”为截至本月应达到的阶段目标及其期限；尚无到期目标的，列出下一个阶段目标并注明“未到期”。",
        ]
    )


def write_indicator_sheet(
    wb, *, plan_title: str, due: dt.date, unit: str, period: str, template_id: str, indicators: list[UnitIndicator]
) -> list[list[str]]:
    """Add the protected 指标 sheet to a template; returns the 标识's indicator rows, for the signature."""
    ws = wb.create_sheet(IND_SHEET)
    header_row = sheet_head(
        ws, IND_COLUMNS, title=f"{plan_title}指标实际值报送表", facts=_facts(unit, period, due, template_id, len(indicators)),
        notes=_instructions(period, any(i.current for i in indicators)), sign_fields=IND_SIGN_FIELDS,
    )
    first = header_row + 1
    for offset, indicator in enumerate(indicators):
        r = first + offset
        value, note = indicator.current or (None, None)
        values = {"seq": offset + 1, **indicator.cells, "annex": int(indicator.cells["annex"]), "actual": value, "note": note}
        height = row_height(2)
        for index, (key, _header, width, is_input) in enumerate(IND_COLUMNS, start=1):
            body_cell(ws, r, index, values[key] or None, is_input=is_input, centred=key in ("seq", "annex", "measure", "direction"))
            if values[key]:
                height = max(height, text_height(str(values[key]), width))
        ws.cell(row=r, column=IND_KEYS.index("actual") + 1).number_format = "@"  # typed 98% stays the text 98%, not 0.98
        ws.row_dimensions[r].height = height
    end = first + len(indicators) - 1
    rule = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1=str(MAX_VALUE_CHARS),
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="本期实际值过长",
        error=f"本期实际值不超过 {MAX_VALUE_CHARS} 字。",
        promptTitle="本期实际值",
        prompt=VALUE_HINT,
    )
    ws.add_data_validation(rule)
    rule.add(f"{_letter('actual')}{first}:{_letter('actual')}{end}")
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.freeze_panes = f"E{first}"
    print_setup(ws, title_rows=f"{header_row}:{header_row}")
    return [[str(first + i), ind.code, ind.fingerprint, str(ind.version), actual_digest(ind.current)] for i, ind in enumerate(indicators)]


class SheetProblem(NamedTuple):
    """A problem of the 指标 sheet: its row (None for the sheet), column label (B（编号）) and message."""

    row: int | None
    column: str
    message: str


@dataclass
class IndicatorSheet:
    """The 指标 sheet as read, checked without the ledger."""

    rows: list[IndicatorRow]
    skipped: int
    problems: list[SheetProblem]
    column: dict[str, int]
    mismatch: SheetProblem | None  # the sheet names another unit, period or template than the 标识
    touched: list[IndicatorRow]  # rows with nothing reported whose locked cells were edited: refused, never written


class SheetRefused(Exception):
    """The sheet's structure is broken: nothing of it can be read row by row."""

    def __init__(self, problem: SheetProblem):
        super().__init__(problem.message)
        self.problem = problem


def label(column: dict[str, int], key: str) -> str:
    """A column as a problem names it: its letter and header, e.g. I（本期实际值）."""
    return f"{get_column_letter(column[key] + 1)}（{IND_HEADERS[key]}）"


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "……"


def _value_text(cell) -> tuple[str, str | None]:
    """What a 本期实际值 cell says as text, or a problem: a date or a true/false Excel made of the entry is not a value."""
    value = getattr(cell, "value", None)
    if value is None:
        return "", None
    if isinstance(value, bool):
        return "", "本期实际值被 Excel 当成了逻辑值（真/假），请照实填写数值或文字。"
    if isinstance(value, (dt.date, dt.time, dt.datetime, dt.timedelta)):
        return "", "本期实际值被 Excel 识别成了日期或时间；请将单元格设为文本格式后照实填写。"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "", "本期实际值不是有效的数字。"
        if "%" in str(getattr(cell, "number_format", "") or ""):
            return f"{value * 100:.10g}%", None
        return cell_text(value), None
    return str(value).replace("\r\n", "\n").strip(), None


def read_indicator_sheet(ws, expected: dict[int, tuple[str, str, int, str]], marks: tuple[str, ...]) -> IndicatorSheet:
    """Filled rows of the 指标 sheet with every value checked; rows with nothing reported are skipped.

    `expected` maps each row number to the 标识's (code, fingerprint, version, digest).  Every row the
    sheet holds is read, whatever its <dimension> claims; any other row with content is a problem.
    """
    ws.reset_dimensions()
    column: dict[str, int] = {}
    rows: list[IndicatorRow] = []
    touched: list[IndicatorRow] = []
    problems: list[SheetProblem] = []
    extra: list[tuple[int, str]] = []
    seen: set[int] = set()
    skipped = 0
    header_row = None
    bound = False
    mismatch = None
    for number, cells in enumerate(ws.iter_rows(max_col=READ_COLUMNS), start=1):
        values = [getattr(c, "value", None) for c in cells]
        if header_row is None:
            texts = [cell_text(v) for v in values]
            if texts and any(part in texts[0] for part in ("报送单位：", "模板编号：")):
                if not all(part in texts[0] for part in marks):
                    mismatch = SheetProblem(number, "A", "表头的报送单位、报送期间或模板编号与标识工作表不符（本表来自另一份模板），请使用导出的原模板填报。")
                bound = True
            if texts and texts[0] == IND_HEADERS["seq"] and IND_HEADERS["code"] in texts:
                missing = [h for h in IND_HEADERS.values() if h not in texts]
                if missing:
                    raise SheetRefused(SheetProblem(number, "", f"表头被改动，缺少列：{'、'.join(missing)}。"))
                header_row = number
                column = {key: texts.index(header) for key, header in IND_HEADERS.items()}
            elif number >= HEADER_SEARCH:
                break
            continue
        if number > header_row + SHEET_ROW_LIMIT:
            problems.append(SheetProblem(number, "", f"表格超过 {SHEET_ROW_LIMIT} 行，不是正常的报送模板，未再往下读取。"))
            break

        def text(key: str) -> str:
            index = column[key]
            return cell_text(values[index] if index < len(values) else None).replace("\r\n", "\n")

        def problem(key: str, message: str) -> None:
            problems.append(SheetProblem(number, label(column, key), message))

        want = expected.get(number)
        if want is None:
            if any(cell_text(v) for v in values):
                extra.append((number, text("code")))
            continue
        seen.add(number)
        long_cells = [(i, len(v)) for i, v in enumerate(values) if isinstance(v, str) and len(v) > CELL_LIMIT]
        if long_cells:
            index, length = long_cells[0]
            problems.append(SheetProblem(number, get_column_letter(index + 1), f"单元格内容过长（{length} 字，上限 {CELL_LIMIT} 字）。"))
            continue
        code, fingerprint, version, digest = want
        found = text("code")
        if found != code:
            what = "编号为空" if not found else f"却是“{_quote(found)}”"
            problem("code", f"这一行应为指标 {code}，{what}：指标行被移动、复制或改动，请使用导出的原模板填报。")
            continue
        index = column["actual"]
        value, bad = _value_text(cells[index] if index < len(cells) else None)
        note = text("note")
        if bad:
            problem("actual", bad)
            continue
        cells_read = {key: text(key) for key in IND_KEYS if key not in ("seq", "actual", "note")}
        if not value:
            if note:
                problem("actual", "填写了说明，但本期实际值为空；本期未统计的指标整行留空，报送的请填写本期实际值。")
            else:
                skipped += 1
                if indicator_fingerprint(cells_read) != fingerprint:  # nothing reported, but a locked cell edited: the ledger names which
                    touched.append(IndicatorRow(number, cells_read, fingerprint, version, digest, "", None))
            continue
        wrong = actual_problem(value, note)
        if wrong:
            problem("note", wrong) if wrong.startswith("说明") else problem("actual", "本期" + wrong)
            continue
        rows.append(IndicatorRow(number, cells_read, fingerprint, version, digest, value, note or None))
    if header_row is None:
        raise SheetRefused(SheetProblem(None, "", "找不到表头（序号、编号、指标……），表格结构被改动。"))
    if not bound:
        raise SheetRefused(SheetProblem(None, "", "找不到报送单位和模板编号所在的行，表格结构被改动；请使用导出的原模板填报。"))
    codes = {code: row for row, (code, *_rest) in expected.items()}
    for number, code in extra[:MAX_LISTED]:
        if code in codes:
            message = f"指标 {code} 重复出现（模板中该指标在第 {codes[code]} 行），多出的行不能导入。"
        elif code:
            message = f"指标编号“{_quote(code)}”不在本模板的指标清单中，这一行不是模板中的指标行，请勿增加行。"
        else:
            message = "这一行不是模板中的指标行，请勿在表格中增加行或填写其他内容。"
        problems.append(SheetProblem(number, label(column, "code") if code else "", message))
    if len(extra) > MAX_LISTED:
        rest = extra[MAX_LISTED:]
        problems.append(SheetProblem(rest[0][0], "", f"另有 {len(rest)} 行（第 {rest[0][0]}–{rest[-1][0]} 行）也不是模板中的指标行，请勿在表格中增加行。"))
    for number in sorted(set(expected) - seen):
        problems.append(SheetProblem(number, "", f"指标 {expected[number][0]} 所在的行缺失（指标行被删除），请使用导出的原模板填报。"))
    return IndicatorSheet(rows, skipped, problems, column, mismatch, touched)
