"""Task tables of a plan, read from a Word (.docx) or Excel (.xlsx) file into plain rows.

A 任务分工表 in Word or an office's own Excel 台账 has a header row (序号 | 重点任务 | 牵头单位 | …), maybe a
title row and a 填报单位 row above it, section rows merged across the table ("一、优化营商环境") and cells
merged down the rows of a group (类别).  `read_table_rows` finds the header row, maps the columns by their
names, and returns every task row with its texts exactly as printed: parsing units and deadlines is the job of
the phrase readers in db/.  The column mapping used is returned with the rows, so the clerk can confirm or change
it; `mapping=` takes the changed one back.

Files from outside are hostile: the zip is checked before any parser sees it (sizes, ratio, entry count), and
rows, columns, tables and cell texts are capped.  Nothing here writes anything.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from db.errors import UserError
from db.periods import chinese_date
from db.settings import COLUMN_FIELDS
from exports.xlsx_io import MAX_ENTRY_BYTES, MAX_OTHER_BYTES, OfficeZip, cell_text, check_office_zip, open_workbook_safely, read_failure

MAX_ROWS = 5000  # per sheet or table: a year's plan has a few hundred tasks
MAX_COLS = 40
MAX_TABLES = 200
MAX_CELL_CHARS = 5000
MAX_MERGES = 20000
MAX_DOCUMENT_XML_BYTES = 32 * 1024 * 1024
HEADER_SCAN_ROWS = 15  # the header row sits under at most a title, a 填报单位 row and a few notes

# Field keys and their Chinese names, as a mapping dialog would show them (one list, kept with the remembered mappings).
FIELDS: dict[str, str] = COLUMN_FIELDS
TASK_FIELDS = ("title", "content")

# Whole header texts, after `_header_key`.
_EXACT: dict[str, str] = {}
for _field, _names in {
    "number": "序号 编号 序 号次",
    "category": "类别 领域 分类 类型 板块 方面 任务类别 工作类别 章节",
    "title": "任务 任务名称 重点任务 工作任务 主要任务 任务事项 工作事项 事项 事项名称 重点工作 工作名称 项目名称 改革任务",
    "content": "具体内容 工作措施 具体措施 主要内容 任务内容 工作内容 具体任务 措施 主要措施 工作要求 具体工作 任务要求 目标任务 具体要求 内容要求",
    "lead": "牵头单位 牵头部门 牵头责任单位 牵头 牵头领导单位",
    "responsible": "责任单位 责任部门 主体责任单位 承办单位 落实单位 实施单位 责任主体",
    "support": "配合单位 配合部门 协办单位 参与单位 协同单位 协同责任单位 协同部门 配合",
    "deadline": "完成时限 时间节点 完成时间 时限 时限要求 完成时限要求 时间安排 办结时限 完成期限 时间",
    "ignore": "进展情况 备注 完成情况 推进情况 工作进展 落实情况 进度 进度情况 存在问题 下步打算 下一步工作 办理情况 工作成效"
    " 责任领导 牵头领导 分管领导 牵头负责领导 牵头县领导 牵头市领导 包抓领导 责任人 联系人 联系电话 分管负责人 是否达序",
}.items():
    for _name in _names.split():
        _EXACT[_name] = _field

# Words inside a longer header, tried in this order (progress first: 完成情况 is not 完成时间).
_WORDS: tuple[tuple[str, str], ...] = (
    ("进展", "ignore"),
    ("情况", "ignore"),
    ("备注", "ignore"),
    ("问题", "ignore"),
    ("打算", "ignore"),
    ("成效", "ignore"),
    ("领导", "ignore"),  # 责任领导, 牵头负责领导: a person, not a unit
    ("责任人", "ignore"),
    ("联系", "ignore"),
    ("序号", "number"),
    ("牵头", "lead"),
    ("主办", "lead"),  # 主办单位 beside 协办单位
    ("主责", "lead"),  # 主责单位, 主责部门
    ("配合", "support"),
    ("协办", "support"),
    ("协助", "support"),
    ("责任", "responsible"),
    ("时限", "deadline"),
    ("时间", "deadline"),
    ("节点", "deadline"),
    ("期限", "deadline"),
    ("截止", "deadline"),  # 截止日期, 截止时间
    ("类别", "category"),
    ("领域", "category"),
    ("内容", "content"),
    ("措施", "content"),
    ("举措", "content"),  # 工作举措, 主要举措, 具体举措
    ("任务", "title"),
    ("事项", "title"),
    ("预期目标", "title"),  # 2022年预期目标: the targets of a 政府工作报告, one a row
    ("工作目标", "title"),
    ("要求", "content"),  # 具体要求, 工作要求 (时限要求 was taken by 时限 above)
)
_SPACE = re.compile(r"\s+")
_BRACKETED = re.compile(r"[（(][^（）()]*[)）]")
_DIGITS = re.compile(r"\d{1,3}")
_NUMBERED = re.compile(r"\s*(?:[（(]?[一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,3}[、.．](?!\d)|第[一二三四五六七八九十]{1,3}[章部分节])")
_CHAPTER = re.compile(r"[（(]?[一二三四五六七八九十]{1,3}[)）、.．]?|第[一二三四五六七八九十]{1,3}[章部分节]+")
_UNIT_FIELDS = ("lead", "responsible", "support", "deadline")


@dataclass(frozen=True)
class ColumnUse:
    """One column of a table's header row and the field it is read as."""

    column: int  # 1-based
    header: str  # as printed
    field: str  # a key of FIELDS

    @property
    def label(self) -> str:
        """Where the column is, in Chinese: "第3列（牵头单位）"."""
        return f"第{self.column}列（{self.header or '无标题'}）"


@dataclass
class TableRow:
    """One task row, its texts as printed ('' where the table has no such column or the cell is empty)."""

    source: str  # "表格1" or the sheet's name
    row: int  # 1-based, as the sheet or table shows it
    number: str = ""
    group: str = ""  # the text of the last section row merged across the table above this row
    category: str = ""  # the 类别/领域 column (merged cells give every row of the group the same text)
    title: str = ""
    content: str = ""
    lead: str = ""
    responsible: str = ""
    support: str = ""
    deadline: str = ""

    @property
    def where(self) -> str:
        return f"{self.source}第{self.row}行"

    @property
    def task_text(self) -> str:
        """Title and content together, as one task line would read."""
        return "：".join(t for t in (self.title, self.content) if t)


@dataclass
class TableProblem:
    """Something the clerk should look at: a table without a header row, a row without task text."""

    source: str
    row: int | None
    message: str  # Chinese, naming the file, sheet or table, row and column


@dataclass
class TableLayout:
    """How one sheet or table was read: its header row and the column mapping used."""

    source: str
    header_row: int | None
    columns: list[ColumnUse] = field(default_factory=list)
    continues: str = ""  # a Word table without a header of its own, read with the mapping of the table before it
    width: int = 0  # columns in the table's first row
    group_at_end: str = ""  # the section the table ends in, for a table that continues it
    headers: tuple[str, ...] = ()  # the header row's texts, the key a clerk's mapping is remembered by
    remembered: bool = False  # read with a mapping a clerk chose for these headers before

    @property
    def mapping(self) -> dict[str, str]:
        """Header text → field key, in the shape `read_table_rows(mapping=…)` takes back."""
        return {c.header: c.field for c in self.columns if c.header}


@dataclass
class TableRead:
    """Everything read from one file."""

    file: str
    layouts: list[TableLayout] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    problems: list[TableProblem] = field(default_factory=list)


@dataclass
class _Grid:
    """One sheet or table as text: rows of cells, and for each row the columns a merged cell spans (first → last)."""

    source: str
    rows: list[list[str]]
    spans: list[dict[int, int]]  # 0-based first column → 0-based last column of a horizontal merge
    typed_breaks: bool = False  # a line break in a cell was typed (Alt+Enter, a Word line): not a PDF's wrapped line


def _header_key(text: str) -> str:
    text = _SPACE.sub("", text)
    stripped = _BRACKETED.sub("", text)
    return stripped or text


def _normalise_mapping(mapping: dict[str, str] | None) -> dict[str, str]:
    """A clerk's mapping: header → field key; a field may also be named in Chinese (牵头单位)."""
    if not mapping:
        return {}
    by_label = {label: key for key, label in FIELDS.items()}
    result = {}
    for header, chosen in mapping.items():
        key = chosen if chosen in FIELDS else by_label.get(chosen)
        if key is None:
            raise UserError(f"列“{header}”的用途“{chosen}”无法识别，可选：{'、'.join(FIELDS.values())}。")
        result[_SPACE.sub("", header)] = key
    return result


def field_of(header: str, mapping: dict[str, str] | None = None) -> str | None:
    """The field a header names, or None when it names none of them."""
    if mapping:
        chosen = mapping.get(_SPACE.sub("", header))
        if chosen:
            return chosen
    key = _header_key(header)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    if len(key) > 12:  # a title or a note, not a column name
        return None
    for word, found in _WORDS:
        if word in key:
            return found
    return None


def _columns(cells: list[str], mapping: dict[str, str]) -> list[ColumnUse]:
    """The mapping of one header row; a second column naming a field already taken is not read (title falls to content)."""
    used: set[str] = set()
    columns = []
    for index, text in enumerate(cells):
        found = field_of(text, mapping) if text else None
        if found is None:
            continue
        if found in used and found != "ignore":
            found = "content" if found == "title" and "content" not in used else "ignore"
        used.add(found)
        columns.append(ColumnUse(index + 1, text, found))
    return columns


def _is_header(columns: list[ColumnUse]) -> bool:
    """A task column and a column saying who or when: 重点任务 | 责任单位 is a header, 指标 | 目标值 | 责任单位 is not."""
    fields = {c.field for c in columns}
    return bool(fields & set(TASK_FIELDS)) and bool(fields & set(_UNIT_FIELDS))


def _sub_header(cells: list[str], columns: list[ColumnUse], mapping: dict[str, str]) -> list[ColumnUse] | None:
    """The header with a second header row under it (责任单位 over 牵头单位 | 配合单位), or None when the row is not one."""
    texts = [(i, t) for i, t in enumerate(cells) if t]
    if not texts or any(field_of(t, mapping) is None for _, t in texts):
        return None
    if any(_NUMBERED.match(t) for _, t in texts):
        return None  # "一、杨松县长牵头重点工作": a numbered section row, whatever word it holds; header cells are not numbered
    below = {c.column: c for c in _columns(cells, mapping)}
    merged = {c.column: c for c in columns}
    for column, use in below.items():
        above = merged.get(column)
        if above is None or above.field != use.field:
            merged[column] = use
    result = sorted(merged.values(), key=lambda c: c.column)
    if [(c.column, c.field) for c in result] == [(c.column, c.field) for c in columns]:
        return columns  # the row repeats the header (a merged-down header cell): skip it all the same
    return result


def header_texts(cells: list[str]) -> tuple[str, ...]:
    """A header row as the key its remembered mapping is kept by: the non-empty texts, in order, without spaces."""
    return tuple(_SPACE.sub("", c) for c in cells if c and c.strip())


def _read_grid(
    grid: _Grid, file: str, mapping: dict[str, str], result: TableRead, previous: TableLayout | None = None, remembered=None
) -> TableLayout | None:
    """Read one sheet or table into `result`; returns its layout when it has a header row (a following table may continue it)."""
    header_at = None
    columns: list[ColumnUse] = []
    headers: tuple[str, ...] = ()
    recalled = False
    for index, cells in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        row_mapping = mapping
        earlier = remembered(header_texts(cells)) if remembered is not None and any(cells) else None
        if earlier:
            try:
                row_mapping = {**_normalise_mapping(earlier), **mapping}  # what the clerk says now wins
            except UserError:
                earlier = None  # a remembered mapping from an older duban that names a field no longer known
        candidate = _columns(cells, row_mapping)
        if _is_header(candidate):
            header_at, columns, mapping = index, candidate, row_mapping
            headers, recalled = header_texts(cells), bool(earlier)
            break
    first_row = 0 if header_at is None else header_at + 1
    repeats = {headers} if headers else set()
    if header_at is not None and first_row < len(grid.rows):
        fuller = _sub_header(grid.rows[first_row], columns, mapping)
        if fuller is not None:
            repeats.add(header_texts(grid.rows[first_row]))
            columns, first_row = fuller, first_row + 1
    layout = TableLayout(grid.source, None if header_at is None else header_at + 1, columns, headers=headers, remembered=recalled)
    if header_at is None and previous is not None and grid.rows and len(grid.rows[0]) == previous.width:
        # Word splits a long table at a page break or a stray paragraph; the part after it has no header of its own
        layout = TableLayout(grid.source, None, previous.columns, continues=previous.source, headers=previous.headers, remembered=previous.remembered)
        columns = previous.columns
        repeats = {previous.headers} if previous.headers else set()
    elif header_at is None:
        if any(any(c for c in cells) for cells in grid.rows):
            result.problems.append(
                TableProblem(
                    grid.source,
                    None,
                    f"文件 {file} {grid.source}的前{HEADER_SCAN_ROWS}行中没有找到表头行"
                    "（需要任务名称或具体内容列，以及牵头单位、责任单位、配合单位或完成时限列），未读取。",
                )
            )
        result.layouts.append(layout)
        return None
    layout.width = len(grid.rows[0]) if grid.rows else 0
    result.layouts.append(layout)
    width = max(c.column for c in columns)
    group = previous.group_at_end if layout.continues and previous else ""
    # "责任单位（排第一位的为牵头单位）": the header says the first unit of each cell leads
    first_leads = any(c.field == "responsible" and _FIRST_LEADS.search(_SPACE.sub("", c.header)) for c in columns)
    first_leads = first_leads and not any(c.field == "lead" for c in columns)
    for index in range(first_row, len(grid.rows)):
        cells = grid.rows[index]
        filled = [i for i, text in enumerate(cells) if text]
        if not filled:
            continue
        if header_texts(cells) in repeats:
            continue  # the header typed again where the table goes on to the next page
        texts = [cells[i] for i in filled]
        if all(_FORM_LINE.match(t) for t in texts) or (len(texts) == 1 and _NOTE.match(texts[0])):
            continue  # the form's 填表人/审核人 line or a 注：/备注： line under the table: not a task, not a section
        values = {c.field: cells[c.column - 1] if c.column - 1 < len(cells) else "" for c in columns if c.field != "ignore"}
        if grid.typed_breaks:
            for name in ("lead", "responsible", "support"):
                if "\n" in values.get(name, ""):
                    values[name] = _units_on_lines(values[name])
        if values.get("deadline") and (m := _DOTTED_DATE.fullmatch(values["deadline"])):
            values["deadline"] = _dotted_deadline(m)
            if m["day"] is None and m["month"] == "1" and m["sep"] == ".":
                result.problems.append(
                    TableProblem(
                        grid.source,
                        index + 1,
                        f"文件 {file} {grid.source}第{index + 1}行：完成时限“{m.group(0)}”按{m['year']}年1月读取；"
                        "Excel 会把数字 2024.10 存成 2024.1，若原意是10月，请在预览中改正。",
                    )
                )
        if len(filled) >= 3 and all(_DIGITS.fullmatch(t) for t in texts):
            continue  # a row of column numbers under the header: 1 2 3 4 5
        has_task = any(values.get(f) for f in TASK_FIELDS)
        span_end = grid.spans[index].get(filled[0], filled[0])
        spans_table = len(filled) == 1 and span_end > filled[0] and span_end - filled[0] + 1 >= max(2, (width + 1) // 2)
        if spans_table or (len(filled) == 1 and not has_task and not _DIGITS.fullmatch(texts[0])):
            group = texts[0]
            continue
        if _CHAPTER.fullmatch(values.get("number", "")) and not any(values.get(f) for f in _UNIT_FIELDS):
            group = "".join(t for t in (values["number"], values.get("title", ""), values.get("content", "")) if t)
            continue  # "（一）" in 序号 and a heading in the task column, nothing else: a section, not a task
        note = _FIRST_LEADS_NOTE.search(values.get("responsible", ""))
        if note:  # a note, never a unit: dropped from the cell whether or not a 牵头单位 column names the lead
            values["responsible"] = (values["responsible"][: note.start()] + values["responsible"][note.end() :]).strip()
        if note and not values.get("lead"):
            # the cell says the first unit leads: this row, and the rows after it when it says 下同
            lead_here = True
            first_leads = first_leads or ("下同" in note.group(0) and not any(c.field == "lead" for c in columns))
        else:
            lead_here = first_leads
        if lead_here and values.get("responsible") and not values.get("lead"):
            values["lead"], values["responsible"] = _first_unit(values["responsible"])
        for name in _UNIT_FIELDS:
            if _SAME_AS_ABOVE.fullmatch(values.get(name, "")):
                # "同上" in a unit or deadline cell: the task row above says it
                above = next((getattr(r, name) for r in reversed(result.rows) if r.source == grid.source), "")
                values[name] = above
                if not above:
                    result.problems.append(
                        TableProblem(grid.source, index + 1, f"文件 {file} {grid.source}第{index + 1}行：“同上”上面没有可沿用的内容，请在预览中填写。")
                    )
        row = TableRow(grid.source, index + 1, group=group, **values)
        if not has_task:
            result.problems.append(TableProblem(grid.source, index + 1, f"文件 {file} {row.where}没有任务内容，未读取。"))
            continue
        result.rows.append(row)
    layout.group_at_end = group
    return layout


# The form's own lines under a 台账 (填表人：  审核人：  联系电话：), and a note under the table (注：…, 备注：…).
_FORM_LINE = re.compile(r"(?:填表人|填报人|制表人|审核人|签发人|负责人|单位负责人|联系人|联系电话|电话|填报单位|填报时间|填表时间|填表日期|报送时间|日期)\s*[:：]")
_NOTE = re.compile(r"(?:备\s*注|注|说明)\s*\d?\s*[:：]")
# A deadline typed as a date in figures: 2024.6, 2024.6.30, 2024-06-30, 2024/6/30, maybe with 前 or 底前 after it.
_DOTTED_DATE = re.compile(r"(?P<year>20\d\d)(?P<sep>[./-])(?P<month>1[0-2]|0?[1-9])(?:(?P=sep)(?P<day>3[01]|[12]\d|0?[1-9]))?(?P<tail>底前|底|前|以前)?")


def _dotted_deadline(m: re.Match) -> str:
    """"2024.6" as the deadline wording the phrase reader knows: 2024年6月 (its last day), 2024年6月30日."""
    text = f"{m['year']}年{int(m['month'])}月"
    if m["day"]:
        text += f"{int(m['day'])}日"
    return text + (m["tail"] or "")


_SAME_AS_ABOVE = re.compile(r"同上[。.]?")
_FIRST_LEADS = re.compile(r"(?:第一|首)[位个家]?(?:的|单位|者)?(?:为|是)?(?:工作)?牵头")
# The same said in a bracket inside a unit cell: "市政府办公室、市级其他有关单位（列第一位的为工作牵头单位或汇总单位，下同）"
_FIRST_LEADS_NOTE = re.compile(r"[（(][^（）()]*(?:第一|首)[位个家]?(?:的|单位|者)?(?:为|是)?(?:工作)?牵头[^（）()]*[)）]")


def _first_unit(text: str) -> tuple[str, str]:
    """The first unit of a 责任单位 cell, and the rest: "市发改委、市财政局，各区政府" → ("市发改委", "市财政局，各区政府")."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        elif ch in "、，,；;\n" and depth == 0:
            return text[:i].strip(), text[i + 1 :].strip()
    return text.strip(), ""
_LIST_END = "、，,；;（("
_LIST_START = "、，,；;）)"


def _units_on_lines(text: str) -> str:
    """A unit cell typed one unit a line ("区发改委⏎区工信局") as the list it is: "区发改委、区工信局"."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    joined = lines[0] if lines else ""
    for line in lines[1:]:
        glue = "" if joined.endswith(tuple(_LIST_END)) or line.startswith(tuple(_LIST_START)) else "、"
        joined += glue + line
    return joined


def _cell(text: str, file: str, source: str, row: int, column: int) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_CELL_CHARS:
        raise UserError(f"文件 {file} {source}第{row}行第{column}列的文字过长（{len(text)} 字，上限 {MAX_CELL_CHARS} 字），不是计划任务表，已拒绝。")
    return text


def _value_text(value) -> str:
    """A cell's value as the clerk sees it: a date cell (完成时限 typed as a date) as 2024年6月30日, not 2024-06-30 00:00:00."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return chinese_date(value)
    return cell_text(value)


def _too_many_rows(file: str, source: str) -> UserError:
    return UserError(f"文件 {file} {source}超过 {MAX_ROWS} 行，不是计划任务表，已拒绝。")


# --- Excel -------------------------------------------------------------------------------------------------


def _merges(ws, file: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a read-only sheet (min_col, min_row, max_col, max_row), read from its XML: openpyxl's
    read-only mode skips them.  The sheet part's size was already bounded by `check_xlsx`."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    found = []
    try:
        with ws._get_source() as source:
            for _event, element in iterparse(source):
                if element.tag.endswith("}mergeCell"):
                    ref = element.get("ref") or ""
                    try:
                        found.append(range_boundaries(ref))
                    except (ValueError, TypeError):
                        pass  # a range without both corners merges nothing we read
                    if len(found) > MAX_MERGES:
                        raise UserError(f"文件 {file} 工作表“{ws.title}”的合并单元格过多，不是计划任务表，已拒绝。")
                if not element.tag.endswith(("}row", "}c", "}v", "}is", "}t", "}f")):
                    continue
                element.clear()
    except UserError:
        raise
    except Exception as exc:
        raise UserError(f"无法读取 Excel 文件 {file} 工作表“{ws.title}”（{read_failure(exc)}），文件已损坏。") from None
    return found


def _xlsx_grids(path: Path, hidden: list[str]) -> list[_Grid]:
    """The visible sheets as grids; the names of hidden ones go to `hidden`."""
    file = path.name
    wb = open_workbook_safely(path)
    grids = []
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue  # a chart sheet
            source = f"工作表“{ws.title}”"
            if ws.sheet_state != "visible":
                hidden.append(source)  # what the clerk cannot see in Excel does not enter the plan unseen
                continue
            rows: list[list[str]] = []
            try:
                for number, values in enumerate(ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLS, values_only=True), start=1):
                    cells = [_cell(_value_text(v), file, source, number, col) for col, v in enumerate(values, start=1)]
                    if number > MAX_ROWS:
                        if any(cells):
                            raise _too_many_rows(file, source)
                        break
                    rows.append(cells + [""] * (MAX_COLS - len(cells)))
            except UserError:
                raise
            except Exception as exc:
                raise UserError(f"无法读取 Excel 文件 {file} {source}（{read_failure(exc)}），文件已损坏。") from None
            while rows and not any(rows[-1]):
                rows.pop()
            spans: list[dict[int, int]] = [{} for _ in rows]
            for min_col, min_row, max_col, max_row in _merges(ws, file):
                if min_row > len(rows) or min_col > MAX_COLS:
                    continue
                first, last = min_col - 1, min(max_col, MAX_COLS) - 1
                text = rows[min_row - 1][first]
                for r in range(min_row - 1, min(max_row, len(rows))):
                    rows[r][first] = text  # merged down: every row of the group reads the same text
                    for c in range(first + 1, last + 1):
                        rows[r][c] = ""  # merged across: the text belongs to the first column only
                    if last > first:
                        spans[r][first] = last
            grids.append(_Grid(source, rows, spans, typed_breaks=True))
    finally:
        wb.close()
    return grids


# --- Word --------------------------------------------------------------------------------------------------


def _docx_part(member: str) -> tuple[str, int]:
    """What a .docx member is, in Chinese, and how large it may be once inflated."""
    lower = member.lower()
    if lower == "word/document.xml":
        return "正文", MAX_DOCUMENT_XML_BYTES
    if lower.startswith(("word/media/", "word/fonts/", "word/embeddings/")):  # never parsed here
        return "图片或字体", MAX_ENTRY_BYTES
    return "文件的组成部分", MAX_OTHER_BYTES


WORD = OfficeZip("Word", ".docx", "Word 文档（.docx）", "word/document.xml", "计划文件", _docx_part)


def check_docx(path: Path) -> None:
    """The zip checks for a Word document, before python-docx sees it."""
    check_office_zip(path, WORD)


def _docx_grids(path: Path) -> list[_Grid]:
    from docx import Document  # python-docx parses with lxml; no macros run

    file = path.name
    check_docx(path)
    try:
        document = Document(str(path))
    except Exception as exc:
        raise UserError(f"无法读取 Word 文件 {file}（{read_failure(exc)}），文件已损坏。") from None
    grids = []
    tables = document.tables
    if len(tables) > MAX_TABLES:
        raise UserError(f"文件 {file} 中的表格过多（{len(tables)} 个，上限 {MAX_TABLES} 个），不是计划文件，已拒绝。")
    for number, table in enumerate(tables, start=1):
        source = f"表格{number}"
        rows: list[list[str]] = []
        spans: list[dict[int, int]] = []
        try:
            for r, row in enumerate(table.rows, start=1):
                if r > MAX_ROWS:
                    raise _too_many_rows(file, source)
                # python-docx gives a cell merged across once per grid column it covers, and a cell merged down
                # once per row: the same text down a group is wanted, the same text across is one cell.
                cells, span, previous, first = [], {}, None, 0
                for c, cell in enumerate(row.cells[:MAX_COLS]):
                    if previous is not None and cell._tc is previous:
                        cells.append("")
                        span[first] = c
                        continue
                    previous, first = cell._tc, c
                    cells.append(_cell(cell.text, file, source, r, c + 1))
                rows.append(cells)
                spans.append(span)
        except UserError:
            raise
        except Exception as exc:
            raise UserError(f"无法读取 Word 文件 {file} {source}（{read_failure(exc)}），文件已损坏。") from None
        grids.append(_Grid(source, rows, spans, typed_breaks=True))
    return grids


# --- PDF ---------------------------------------------------------------------------------------------------


def _pdf_grids(content) -> list[_Grid]:
    """The tables of a PDF (exports.plan_pdf.PdfContent) as grids, named by page: "第2页表格1"."""
    grids, counts = [], {}
    if len(content.tables) > MAX_TABLES:
        raise UserError(f"文件 {content.file} 中的表格过多（{len(content.tables)} 个，上限 {MAX_TABLES} 个），不是计划文件，已拒绝。")
    for table in content.tables:
        counts[table.page] = counts.get(table.page, 0) + 1
        source = f"第{table.page}页表格{counts[table.page]}"
        if len(table.rows) > MAX_ROWS:
            raise _too_many_rows(content.file, source)
        rows = [[_cell(text, content.file, source, r, c) for c, text in enumerate(cells[:MAX_COLS], start=1)] for r, cells in enumerate(table.rows, start=1)]
        grids.append(_Grid(source, rows, [dict(s) for s in table.spans]))
    return grids


# --- The entry point ---------------------------------------------------------------------------------------


def read_table_rows(path: str | Path, mapping: dict[str, str] | None = None, remembered=None, *, pdf=None) -> TableRead:
    """Every task row of every table in a .docx, a .pdf or every sheet of an .xlsx, with the mapping used and the problems.

    `mapping` (header text as printed → field key or its Chinese name, e.g. {"工作措施": "title", "进展": "不读取"})
    overrides the mapping found from the header names; headers it does not name keep theirs.  `remembered`, when
    given, is asked with a header row's texts (a tuple) and may return the mapping a clerk chose for that header
    before (db.settings.remembered_mapping); `mapping` wins over it.  `pdf` is the PdfContent already read, so a
    PDF is parsed once.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    chosen = _normalise_mapping(mapping)
    hidden: list[str] = []
    if suffix in (".xlsx", ".xlsm"):
        grids = _xlsx_grids(path, hidden)
    elif suffix == ".docx":
        grids = _docx_grids(path)
    elif suffix == ".pdf":
        if pdf is None:
            from exports.plan_pdf import read_pdf

            pdf = read_pdf(path)
        grids = _pdf_grids(pdf)
    elif suffix in (".xls", ".et"):
        raise UserError(f"文件 {path.name} 是旧版 Excel 格式，暂不能直接读取。请在 Excel 或 WPS 中另存为 .xlsx 后再导入。")
    elif suffix in (".doc", ".wps"):
        raise UserError(f"文件 {path.name} 是旧版 Word 格式，暂不能直接读取。请在 Word 或 WPS 中另存为 .docx 后再导入。")
    else:
        raise UserError(f"文件 {path.name} 不是 Word（.docx）、Excel（.xlsx）或 PDF 文件，无法读取其中的表格。")
    result = TableRead(path.name)
    for source in hidden:
        result.problems.append(TableProblem(source, None, f"文件 {path.name} {source}已隐藏，未读取；如需导入，请在 Excel 中取消隐藏后再导入。"))
    previous = None
    for grid in grids:
        # Word and PDF split a long table at a page break; an Excel sheet is whole
        previous = _read_grid(grid, path.name, chosen, result, previous if suffix in (".docx", ".pdf") else None, remembered)
    if not result.rows and not result.problems:
        result.problems.append(TableProblem("", None, f"文件 {path.name} 中没有找到任务表格。"))
    return result


MAX_TEXT_TABLE_ROWS = 5000


def _text_cells(line: str) -> list[str] | None:
    """The cells of a table row copied into text: parted by tabs, or by | as web pages print them."""
    if "\t" in line:
        cells = line.split("\t")
    elif line.count("|") >= 2:
        cells = line.strip().strip("|").split("|")
    else:
        return None
    cells = [c.strip() for c in cells]
    return cells if len(cells) >= 3 else None


def read_text_table_rows(text: str, file: str) -> TableRead:
    """A 任务分工表 copied into a text file, read as a table: each run of
    lines with three or more cells is a table.  A row one cell short whose first cell is numbered like the
    second cell of the row above (a merged 类别/任务 cell flattened by the copy) takes that cell from above."""
    grids: list[_Grid] = []
    rows: list[list[str]] = []
    numbered = re.compile(r"^\d{1,3}\s*[.、．]")
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") + [""]:
        cells = _text_cells(line)
        if cells is None:
            if len(rows) >= 2:
                grids.append(_Grid(f"表格{len(grids) + 1}", rows, [{} for _ in rows]))
            rows = []
            continue
        if len(rows) + sum(len(g.rows) for g in grids) >= MAX_TEXT_TABLE_ROWS:
            raise UserError(f"文件 {file} 中的表格超过 {MAX_TEXT_TABLE_ROWS} 行，请拆分后再导入。")
        width = len(rows[0]) if rows else 0
        if rows and len(rows) > 1 and cells and numbered.match(cells[0]):
            above = rows[-1]
            short = len([c for c in cells if c]) < len([c for c in above if c])
            if short and len(above) > 1 and above[0] and numbered.match(above[1]):
                cells = [above[0]] + cells[: max(width - 1, 1)]
        rows.append(cells)
    read = TableRead(file)
    previous = None
    for grid in grids:
        _regroup(grid)
        previous = _read_grid(grid, file, {"具体要求": "content"}, read, previous)
    return read


RE_CHAPTER_CELL = re.compile(r"^[一二三四五六七八九十]+[、.．]")
RE_NUMBERED_CELL = re.compile(r"^(\d{1,3})\s*[.、．]\s*(?=\S)")
TASK_HEADERS = ("工作任务", "重点任务", "主要任务", "任务")
CONTENT_HEADERS = ("具体要求", "具体内容", "工作内容", "工作措施", "主要内容", "具体措施", "任务内容")


def _regroup(grid) -> None:
    """A text table whose 工作任务 column holds 一、二、 headings over several rows (a merged cell) groups the
    rows: the column is read as 类别 and the 具体要求 column names each task; a number at the head of that
    cell ("3.及时反馈…") is the row's 序号."""
    if len(grid.rows) < 3:
        return
    header, body = grid.rows[0], grid.rows[1:]
    first = re.sub(r"\s", "", header[0])
    content = next((i for i, h in enumerate(header) if re.sub(r"\s", "", h) in CONTENT_HEADERS), None)
    if first not in TASK_HEADERS or content is None:
        return
    chapters = sum(1 for row in body if row and RE_CHAPTER_CELL.match(row[0]))
    if chapters * 2 < len(body) or len({row[0] for row in body if row}) == len(body):
        return
    header[0] = "类别"
    if all(RE_NUMBERED_CELL.match(row[content]) for row in body if len(row) > content and row[content]):
        header.insert(0, "序号")
        for row in body:
            m = RE_NUMBERED_CELL.match(row[content]) if len(row) > content else None
            if m:
                row[content] = row[content][m.end():]
            row.insert(0, m.group(1) if m else "")
        grid.spans[:] = [{} for _ in grid.rows]
