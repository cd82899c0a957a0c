"""Any plan file read into a PlanDraft, with the source lines a preview shows beside it and what to check.

One entry for the command line and the window: duban's own 任务分解表, a task table in Word, Excel or PDF, plan
text in .txt, .docx or a PDF's text layer, and the old formats (.doc, .wps, .xls, .et) through LibreOffice.  Nothing here writes
to a ledger; reading a hostile file ends in a UserError naming it.
"""

from __future__ import annotations

from collections.abc import Callable
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


def read_plan_document(
    path: str | Path, *, year: int | None = None, mapping: dict[str, str] | None = None, remembered: Callable[[tuple[str, ...]], dict | None] | None = None
) -> PlanReading:
    """The plan in a file, whatever its form.

    `mapping` overrides a table's column mapping (header → field, exports.plan_tables); `remembered` is asked with
    each table's header texts and may return the mapping a clerk chose for that header before (see
    db.settings.mapping_lookup).  Each layout of the reading says which header texts it was read by, for
    db.settings.remember_mapping.
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    from exports.office_convert import converted_copy, convertible, temporary_folder

    if convertible(path):  # .doc, .wps, .xls, .et: read the copy LibreOffice makes, or ask for a .docx/.xlsx
        with temporary_folder() as workdir:
            reading = read_plan_document(converted_copy(path, Path(workdir)), year=year, mapping=mapping, remembered=remembered)
        reading.draft.source_name = path.name
        return reading
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from exports.plan_sheet import is_plan_sheet, read_plan_sheet

        if is_plan_sheet(path):
            draft = read_plan_sheet(path)
            return PlanReading(draft, form="sheet", spans={t.code: (t.line_start or 0, t.line_end or 0) for t in draft.tasks})
    if suffix == ".pdf":
        from exports.plan_pdf import read_pdf
        from exports.plan_tables import read_table_rows

        content = read_pdf(path)
        read = read_table_rows(path, mapping, remembered, pdf=content)
        if read.rows:
            return _reading_of_tables(read, path, year)
        return _reading_of_text(path, year, content.text)
    if suffix in (".xlsx", ".xlsm", ".docx"):
        from exports.plan_tables import read_table_rows

        read = read_table_rows(path, mapping, remembered)
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


def _reading_of_text(path: Path, year: int | None = None, text: str | None = None) -> PlanReading:
    from db.plan_text import plan_heading, plan_text_of, read_plan_text
    from exports.plan_tables import read_text_table_rows

    if text is None:
        text = plan_text_of(path)
    try:
        draft = read_plan_text(text, path.name)
    except UserError:
        # No task in the text: a notice whose 分工表 was copied into the file as text rows.
        read = read_text_table_rows(text, path.name)
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

