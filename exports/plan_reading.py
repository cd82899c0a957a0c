"""Any plan file read into a PlanDraft, with the source lines a preview shows beside it and what to check.

One entry for the command line and the window: duban's own 任务分解表, a task table in Word or Excel, plan
text in .txt or .docx, and the old formats (.doc, .wps, .xls, .et) through LibreOffice.  Nothing here writes
to a ledger; reading a hostile file ends in a UserError naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from db.deadlines import DeadlineError, parse_deadline
from db.errors import UserError
from db.plan_draft import PlanDraft
from exports.plan_tables import TableLayout, TableRead


@dataclass
class Doubt:
    """One thing the clerk should check before importing, with the task it concerns when there is one."""

    message: str
    code: str | None = None


@dataclass
class PlanReading:
    """A plan as read: the draft, what to check, and the source as lines the tasks point into."""

    draft: PlanDraft
    doubts: list[Doubt] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)
    # Task code → (first, last) 1-based lines of source_lines that the task was read from.
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    # How each table was read (empty for plan text): the column mapping a clerk may change.
    layouts: list[TableLayout] = field(default_factory=list)
    form: str = "text"  # text, table or sheet (duban's own 任务分解表)


def task_doubts(draft: PlanDraft, where) -> list[Doubt]:
    """A task without units, a deadline not understood, and what the reader itself doubted."""
    doubts = []
    for task in draft.tasks:
        place = f"{where(task)}（{task.code} {task.title}）"
        doubts.extend(Doubt(f"{place}：{problem}", task.code) for problem in task.problems)
        if not task.units and not task.responsibility_text:
            doubts.append(Doubt(f"{place}：没有牵头或责任单位。", task.code))
        try:
            parse_deadline(task.deadline_text, draft.year)
        except DeadlineError:
            doubts.append(Doubt(f"{place}：完成时限“{task.deadline_text}”无法换算为日期。", task.code))
    return doubts


def read_plan_document(path: str | Path, *, year: int | None = None, mapping: dict[str, str] | None = None) -> PlanReading:
    """The plan in a file, whatever its form; `mapping` overrides a table's column mapping (exports.plan_tables)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    from exports.office_convert import converted_copy, convertible, temporary_folder

    if convertible(path):  # .doc, .wps, .xls, .et: read the copy LibreOffice makes, or ask for a .docx/.xlsx
        with temporary_folder() as workdir:
            reading = read_plan_document(converted_copy(path, Path(workdir)), year=year, mapping=mapping)
        reading.draft.source_name = path.name
        return reading
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from exports.plan_sheet import is_plan_sheet, read_plan_sheet

        if is_plan_sheet(path):
            draft = read_plan_sheet(path)
            return PlanReading(draft, form="sheet", spans={t.code: (t.line_start or 0, t.line_end or 0) for t in draft.tasks})
    if suffix in (".xlsx", ".xlsm", ".docx"):
        from exports.plan_tables import read_table_rows

        read = read_table_rows(path, mapping)
        if read.rows or suffix != ".docx":
            return _reading_of_tables(read, path, year)
    return _reading_of_text(path, year)


def _reading_of_tables(read: TableRead, path: Path, year: int | None) -> PlanReading:
    from exports.plan_from_tables import draft_from_tables, plan_year

    draft = draft_from_tables(read, title=path.stem, year=year or plan_year(path.stem))
    reading = PlanReading(draft, layouts=read.layouts, form="table")
    reading.doubts = [Doubt(p.message) for p in read.problems]
    rows = {(r.source, r.row): r for r in read.rows}
    index: dict[tuple[str, int], int] = {}
    group = None
    for key, row in rows.items():
        if (row.group or None) != group and row.group:
            reading.source_lines.append(f"【{row.source}】{row.group}")
        group = row.group or None
        cells = [row.number, row.category, row.title, row.content, row.lead, row.responsible, row.support, row.deadline]
        reading.source_lines.append(f"{row.where}：" + "｜".join(c for c in cells if c))
        index[key] = len(reading.source_lines)
    sources = list(dict.fromkeys(r.source for r in read.rows))
    for task in draft.tasks:
        source = sources[int(task.code[1:3]) - 1]
        line = index[(source, task.line_start)]
        reading.spans[task.code] = (line, line)
    reading.doubts += task_doubts(draft, lambda t: f"{read.file} {sources[int(t.code[1:3]) - 1]}第{t.line_start}行")
    return reading


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


def _text_tables(text: str, file: str):
    """A 任务分工表 copied into a text file, read by the table reader (exports.plan_tables): each run of
    lines with three or more cells is a table.  A row one cell short whose first cell is numbered like the
    second cell of the row above (a merged 类别/任务 cell flattened by the copy) takes that cell from above."""
    from exports.plan_tables import TableRead, _Grid, _read_grid

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


def _reading_of_text(path: Path, year: int | None = None) -> PlanReading:
    from db.plan_text import plan_heading, plan_text_of, read_plan_text

    text = plan_text_of(path)
    try:
        draft = read_plan_text(text, path.name)
    except UserError:
        # No task in the text: a notice whose 分工表 was copied into the file as text rows.
        read = _text_tables(text, path.name)
        if not read.rows:
            raise
        title, doc_number, text_year = plan_heading(text.split("\n"), path.stem)
        reading = _reading_of_tables(read, path, year or text_year)
        reading.draft.title, reading.draft.doc_number = title, doc_number
        return reading
    reading = PlanReading(draft, source_lines=text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    reading.spans = {t.code: (t.line_start or 0, t.line_end or t.line_start or 0) for t in draft.tasks}
    reading.doubts = task_doubts(draft, lambda t: f"{path.name} 第{t.line_start}行")
    return reading

