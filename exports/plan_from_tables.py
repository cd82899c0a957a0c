"""A plan read from the task tables of a Word 任务分工表 or an office's Excel 台账 (exports.plan_tables), as a PlanDraft.

Each table or sheet becomes an annex, its section rows (or its 类别 column) the sections, and each task row
a task numbered in table order (A01-01, A01-02 …).  Units keep the column they were printed in as their role
(牵头单位 → 牵头, 责任单位 → 负责, 配合单位 → 配合) unless the cell itself says otherwise ("县交通局牵头，各乡镇负责落实");
a table without a 完成时限 column takes the deadline the task's own text names.
"""

from __future__ import annotations

import re

from db.deadlines import find_deadline
from db.plan_draft import AnnexDraft, PlanDraft, SectionDraft, TaskDraft
from db.responsibility import parse_responsibility
from db.vocabulary import Role
from exports.plan_tables import TableRead, TableRow

RE_YEAR = re.compile(r"(20\d{2})\s*年")
RE_SECTION_NUMBER = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])(.*)$")
COLUMN_ROLES = (("牵头单位", "lead", Role.LEAD), ("责任单位", "responsible", Role.RESPONSIBLE), ("配合单位", "support", Role.SUPPORT))
TITLE_CHARS = 40


def plan_year(*texts: str) -> int | None:
    """The plan's year, from the first "2024年" in its title or file name (month-only deadlines take it)."""
    for text in texts:
        if m := RE_YEAR.search(text or ""):
            return int(m.group(1))
    return None


def _units(row: TableRow) -> list[tuple[str, str]]:
    """(unit as printed, role) from the unit columns; a role word inside a cell wins over its column."""
    pairs: list[tuple[str, str]] = []
    for _label, attribute, column_role in COLUMN_ROLES:
        for name, role in parse_responsibility(getattr(row, attribute)):
            pairs.append((name, column_role if role == Role.PLAIN else role))
    return pairs


def _section(group: str) -> SectionDraft:
    """A section row as a section: its number (一、 or （一）) as the label and the rest as the heading; an
    unnumbered group (a 类别 column) is its own label."""
    if m := RE_SECTION_NUMBER.match(group):
        return SectionDraft(label=m.group(1), heading=m.group(2).strip())
    return SectionDraft(label=group, heading="")


def _deadline_in_text(row: TableRow, year: int | None) -> str | None:
    """A table without a 完成时限 column often dates the task in its own words ("10月底前，完成…")."""
    found = find_deadline(row.task_text, year)
    return found.wording if found else None


def _title(row: TableRow) -> str:
    """The task's name column, or the first clause of its content."""
    if row.title:
        return row.title
    head = re.split(r"[。；;，,]", row.content, maxsplit=1)[0]
    return head[:TITLE_CHARS]


def draft_from_tables(read: TableRead, *, title: str, year: int | None) -> PlanDraft:
    """The tables' task rows as a plan; texts stay as printed, with each row's place kept as its source line."""
    draft = PlanDraft(title=title, doc_number=None, year=year, source_name=read.file)
    sources = list(dict.fromkeys(row.source for row in read.rows))
    for number, source in enumerate(sources, start=1):
        name = title if len(sources) == 1 else f"{title}（{source}）"
        annex = AnnexDraft(number=number, title=name, topic=name)
        for index, row in enumerate((r for r in read.rows if r.source == source), start=1):
            group = row.group or row.category
            section = _section(group) if group else None
            if section is not None and annex.section(section.label) is None:
                section.line = row.row
                annex.sections.append(section)
            printed = "；".join(f"{label}：{getattr(row, attribute)}" for label, attribute, _ in COLUMN_ROLES if getattr(row, attribute))
            annex.tasks.append(
                TaskDraft(
                    label=row.number or str(index),
                    title=_title(row),
                    text=row.task_text,
                    section_label=section.label if section else None,
                    deadline_text=row.deadline or _deadline_in_text(row, year),
                    responsibility_text=printed or None,
                    units=_units(row),
                    line_start=row.row,
                    line_end=row.row,
                    code=f"A{number:02d}-{index:02d}",
                )
            )
        draft.annexes.append(annex)
    return draft

