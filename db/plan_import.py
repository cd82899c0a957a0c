"""Writing a PlanDraft into the ledger: idempotent, all-or-nothing, progress never touched.

A plan is matched by its title and document number; its tasks by their stable code.  Re-importing
the same document changes nothing.  A task a clerk corrected in the app keeps the correction.  A draft
may carry corrected wording (db.errata): the task then keeps the printed wording beside it, and the
change is audited under the errata's operator.
Tasks that vanished from the document stay in the ledger (they may carry progress); the result
lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office
from db.deadlines import DeadlineError, MilestoneDraft, parse_deadline
from db.errata import ERRATA_OPERATOR
from db.errors import UserError
from db.indicators import ExtractResult, extract_indicators
from db.models import (
    Annex,
    Assignment,
    Goal,
    IndicatorRow,
    IndicatorTable,
    Milestone,
    Plan,
    Section,
    Task,
    Unit,
    UnitAlias,
    UnitMember,
)
from db.plan_draft import AnnexDraft, PlanDraft, TaskDraft
from db.responsibility import IMPLEMENT, LEAD, PLAIN, RESPONSIBLE, SUPPORT, parse_responsibility
from db.unit_levels import fits_level, in_plan_spelling, plan_level
from db.units import UNCLASSIFIED, UnitDirectory, normalise

# When one unit is named twice in a task, the stronger role wins.
ROLE_STRENGTH = {LEAD: 5, RESPONSIBLE: 4, IMPLEMENT: 3, PLAIN: 2, SUPPORT: 1}
QUANTITATIVE_HINTS = ("%", "％", "个工作日", "小时", "以内", "不超过", "压减", "压缩", "达到", "提升", "增长", "万")


@dataclass
class ImportResult:
    """What an import did, for the command line and the window."""

    plan_id: int
    created: bool
    tasks_added: int = 0
    tasks_updated: int = 0
    tasks_unchanged: int = 0
    tasks_kept_corrected: int = 0
    # Tasks whose wording the shipped errata corrected in this import, and tasks the errata would
    # correct but a clerk's own correction keeps as the clerk wrote it.
    errata_applied: list[str] = field(default_factory=list)
    errata_kept_clerk: list[str] = field(default_factory=list)
    tasks_missing_from_source: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    undated_deadlines: list[str] = field(default_factory=list)
    # A reviewed import of a revised plan (db.plan_review.import_reviewed): draft code → the ledger code
    # the task kept, and the ledger tasks the revision dropped (marked removed, reports kept).
    renamed: dict[str, str] = field(default_factory=dict)
    removed_by_revision: list[str] = field(default_factory=list)
    # The plan's indicators as read again from its tables and goals (db.indicators).
    indicators: ExtractResult | None = None


def sync_units(session: Session, directory: UnitDirectory) -> dict[str, int]:
    """Bring the unit and alias tables in line with the alias table file; returns name → id."""
    units = {u.name: u for u in session.scalars(select(Unit))}
    for record in directory.records.values():
        unit = units.get(record.name)
        if unit is None:
            unit = Unit(name=record.name, kind=record.kind, expands_to_kind=record.expands_to)
            session.add(unit)
            units[record.name] = unit
        else:
            unit.kind, unit.expands_to_kind = record.kind, record.expands_to
    session.flush()
    known = {a.alias: a for a in session.scalars(select(UnitAlias))}
    for record in directory.records.values():
        for spelling in {normalise(s) for s in [record.name, *record.aliases]}:
            alias = known.get(spelling)
            if alias is None:
                alias = UnitAlias(alias=spelling, unit_id=units[record.name].id)
                session.add(alias)
                known[spelling] = alias
            elif alias.unit_id != units[record.name].id:
                alias.unit_id = units[record.name].id
    session.flush()
    return {name: unit.id for name, unit in units.items()}


def _milestones(task: TaskDraft, year: int | None, result: ImportResult) -> list[MilestoneDraft]:
    try:
        return parse_deadline(task.deadline_text, year)
    except DeadlineError:
        result.undated_deadlines.append(task.code)
        return [MilestoneDraft(task.deadline_text or "", None, False, "无法按规则换算为日期")]


def _resolve_units(
    session: Session, task: TaskDraft, directory: UnitDirectory, unit_ids: dict[str, int], result: ImportResult, level: str | None = None
) -> list[tuple[int, str, str, int | None]]:
    """(unit id, role, as printed, via collective id) for a task; unknown spellings become new 未分类 units.

    The units as printed come first; then each member of a collective with known members, in the
    collective's role, after all of them (so the rows an upgraded ledger appended compare equal).
    """
    pairs = task.unit_pairs()
    # A spreadsheet names canonical units; the spelling comes from its 责任单位原文 when it has one.
    spelled = {name: printed for printed, _ in parse_responsibility(task.responsibility_text) for name in directory.resolve(printed)}
    chosen: dict[int, tuple[str, str, int | None]] = {}
    order: list[int] = []

    def choose(uid: int, role: str, as_printed: str, via: int | None) -> None:
        if uid not in chosen:
            order.append(uid)
            chosen[uid] = (role, as_printed, via)
        elif ROLE_STRENGTH[role] > ROLE_STRENGTH[chosen[uid][0]]:
            chosen[uid] = (role, as_printed, chosen[uid][2] if via is not None else None)

    printed: list[tuple[str, str, str]] = []
    for written, role in pairs:
        names, key = resolve_in_plan(session, directory, written, level, unit_ids)
        names = names or [_unknown_unit(session, key, unit_ids, result)]
        for name in names:
            as_printed = spelled.get(name, written) if task.units is not None else written
            printed.append((name, role, as_printed))
            choose(unit_ids[name], role, as_printed, None)
    for name, role, as_printed in printed:
        for member in _expansion(session, directory, name, unit_ids):
            choose(unit_ids[member], role, as_printed, unit_ids[name])
    return [(uid, *chosen[uid]) for uid in order]


def known_names(session: Session, directory: UnitDirectory, spelling: str, unit_ids: dict[str, int] | None = None) -> list[str]:
    """Canonical names for a spelling, [] if neither the alias table nor the ledger knows it.

    The alias table's own spellings come first, then the ledger's aliases (a clerk's decisions while
    importing an earlier plan, db.plan_review), and only then the split of two glued spellings, so a
    spelling the clerk settled is never cut in two.
    """
    key = normalise(spelling)
    name = directory.canonical(key)
    if name is not None:
        return [name]
    if key in directory.compounds:
        return list(directory.compounds[key])
    row = session.execute(select(Unit.id, Unit.name).join(UnitAlias, UnitAlias.unit_id == Unit.id).where(UnitAlias.alias == key)).first()
    if row is not None:
        if unit_ids is not None:
            unit_ids[row.name] = row.id
        return [row.name]
    return directory.resolve(key)


def resolve_in_plan(
    session: Session, directory: UnitDirectory, spelling: str, level: str | None, unit_ids: dict[str, int] | None = None
) -> tuple[list[str], str]:
    """Canonical names of a spelling as a plan of `level` means it, and the key it was looked up under.

    A bare spelling (住建局) that the alias table gives a unit of another level is read at the plan's
    own level (区住建局 in a district plan, db.unit_levels); [] when that is not known yet.
    """
    names = known_names(session, directory, spelling, unit_ids)
    qualified = in_plan_spelling(spelling, level)
    if qualified is None or (names and fits_level(names, level)):
        return names, normalise(spelling)
    return known_names(session, directory, qualified, unit_ids), qualified


def _expansion(session: Session, directory: UnitDirectory, name: str, unit_ids: dict[str, int]) -> list[str]:
    """The members of a collective: the alias table's by kind, or those a clerk listed (UnitMember)."""
    members = directory.expansion(name)
    if members or name not in unit_ids:
        return members
    rows = session.execute(
        select(Unit.id, Unit.name)
        .join(UnitMember, UnitMember.member_id == Unit.id)
        .where(UnitMember.collective_id == unit_ids[name])
        .order_by(UnitMember.position)
    ).all()
    for uid, member in rows:
        unit_ids[member] = uid
    return [member for _, member in rows]


def _unknown_unit(session: Session, spelling: str, unit_ids: dict[str, int], result: ImportResult) -> str:
    key = normalise(spelling)
    unit = Unit(name=key, kind=UNCLASSIFIED)
    session.add(unit)
    session.flush()
    session.add(UnitAlias(alias=key, unit_id=unit.id))
    unit_ids[key] = unit.id
    result.new_units.append(key)
    return key


def task_snapshot(task: Task) -> dict:
    return {
        "label": task.label,
        "title": task.title,
        "text": task.text,
        "deadline_text": task.deadline_text,
        "responsibility_text": task.responsibility_text,
        "section": task.section.label if task.section else None,
        "source_line_start": task.source_line_start,
        "source_line_end": task.source_line_end,
        "milestones": [(m.wording, m.due, m.ongoing, m.note) for m in task.milestones],
        "units": [(a.unit_id, a.role, a.as_printed, a.via_unit_id) for a in task.assignments],
        "footnotes": task.footnotes,
        "printed_title": task.printed_title,
        "printed_text": task.printed_text,
    }


def _rebuild_annex_structure(session: Session, annex: Annex, draft: AnnexDraft) -> dict[str | None, Section]:
    """Sections, goals and indicator tables are plain reference data: replaced on every import."""
    session.execute(update(Task).where(Task.annex_id == annex.id).values(section_id=None))
    annex.sections.clear()
    annex.goals.clear()
    annex.indicator_tables.clear()
    session.flush()
    sections: dict[str | None, Section] = {}
    for pos, sd in enumerate(draft.sections):
        section = Section(label=sd.label, heading=sd.heading, goal_text=sd.goal_text, position=pos, source_line=sd.line)
        annex.sections.append(section)
        sections[sd.label] = section
    session.flush()
    for pos, gd in enumerate(draft.goals):
        section = sections.get(gd.section_label) if gd.section_label else None
        annex.goals.append(
            Goal(
                kind=gd.kind,
                text=gd.text,
                section_id=section.id if section else None,
                is_quantitative=any(ch.isdigit() for ch in gd.text) and any(h in gd.text for h in QUANTITATIVE_HINTS),
                position=pos,
                source_line=gd.line,
            )
        )
    for pos, td in enumerate(draft.tables):
        table = IndicatorTable(title=td.title, header=td.header, position=pos, source_line=td.line)
        for rpos, cells in enumerate(td.rows):
            line = td.row_lines[rpos] if rpos < len(td.row_lines) else None
            table.rows.append(IndicatorRow(cells=cells, position=rpos, source_line=line))
        annex.indicator_tables.append(table)
    session.flush()
    return sections


def import_plan(
    session: Session,
    draft: PlanDraft,
    directory: UnitDirectory,
    *,
    make_current: bool = True,
    operator: str | None = None,
    plan_id: int | None = None,
) -> ImportResult:
    """Create or update a plan from a draft inside the caller's transaction.

    With ``plan_id`` the draft is a revised version of that plan (db.plan_review): the plan takes the
    new version's title, number and source, and keeps its tasks by code.
    """
    refuse_unless_office(session, "导入或更新计划")
    unit_ids = sync_units(session, directory)
    if plan_id is not None:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise UserError(f"台账中没有编号为 {plan_id} 的计划。可用 duban plans 查看。")
        plan.title, plan.doc_number, plan.source_name = draft.title, draft.doc_number, draft.source_name
    else:
        plan = session.scalar(
            select(Plan).where(Plan.title == draft.title, Plan.doc_number.is_(None) if draft.doc_number is None else Plan.doc_number == draft.doc_number)
        )
    created = plan is None
    if plan is None:
        plan = Plan(title=draft.title, doc_number=draft.doc_number, year=draft.year, source_name=draft.source_name)
        session.add(plan)
        session.flush()
    plan.source_sha256 = draft.source_sha256
    plan.year = draft.year
    result = ImportResult(plan_id=plan.id, created=created)
    if make_current:
        # The current plan is never archived (db.plans): importing into an archived plan brings it back.
        session.execute(update(Plan).where(Plan.id != plan.id).values(is_current=False))
        plan.is_current, plan.archived = True, False

    level = plan_level(draft)  # bare spellings are read at the plan's own level (db.unit_levels)
    existing = {t.code: t for t in session.scalars(select(Task).where(Task.plan_id == plan.id))}
    # Taken before the annex structure is rebuilt, so an unchanged task compares equal.
    snapshots = {code: task_snapshot(t) for code, t in existing.items()}
    seen: set[str] = set()
    position = 0
    for annex_draft in draft.annexes:
        annex = session.scalar(select(Annex).where(Annex.plan_id == plan.id, Annex.number == annex_draft.number))
        if annex is None:
            annex = Annex(plan_id=plan.id, number=annex_draft.number, title=annex_draft.title, topic=annex_draft.topic)
            session.add(annex)
        annex.title, annex.topic, annex.source_line = annex_draft.title, annex_draft.topic, annex_draft.line
        session.flush()
        sections = _rebuild_annex_structure(session, annex, annex_draft)
        for task_draft in annex_draft.tasks:
            position += 1
            seen.add(task_draft.code)
            _upsert_task(
                session, plan, annex, sections, task_draft, position, existing, snapshots, directory, unit_ids, result, operator, level
            )
    result.tasks_missing_from_source = sorted(set(existing) - seen)
    session.flush()
    result.indicators = extract_indicators(session, plan, operator=operator)
    if result.created or result.tasks_added or result.tasks_updated:
        audit.record(
            session,
            "plan.import",
            "plan",
            str(plan.id),
            after={"source": draft.source_name, "added": result.tasks_added, "updated": result.tasks_updated},
            operator=operator,
        )
    return result


def _upsert_task(
    session: Session,
    plan: Plan,
    annex: Annex,
    sections: dict[str | None, Section],
    draft: TaskDraft,
    position: int,
    existing: dict[str, Task],
    snapshots: dict[str, dict],
    directory: UnitDirectory,
    unit_ids: dict[str, int],
    result: ImportResult,
    operator: str | None,
    level: str | None = None,
) -> None:
    task = existing.get(draft.code)
    section = sections.get(draft.section_label) if draft.section_label else None
    if task is not None and task.corrected_at is not None:
        # The clerk's correction wins over the document; only the section link is refreshed.
        task.section_id = section.id if section else None
        task.position, task.removed_at = position, None
        result.tasks_kept_corrected += 1
        if draft.from_errata and (task.title, task.text) != (draft.title, draft.text):
            result.errata_kept_clerk.append(draft.code)
        return
    before = snapshots.get(draft.code)
    if task is None:
        task = Task(plan_id=plan.id, annex_id=annex.id, code=draft.code)
        session.add(task)
    task.annex_id = annex.id
    task.section = section
    task.removed_at = None  # the document has it (again)
    # A draft that repeats the ledger's corrected wording (the plan sheet exported and read back)
    # keeps the printed wording known; other wording is the document's own from now on.
    if draft.printed_title is not None or draft.printed_text is not None or (task.title, task.text) != (draft.title, draft.text):
        task.printed_title, task.printed_text, task.wording_note = draft.printed_title, draft.printed_text, draft.wording_note
    task.label, task.block, task.title, task.text = draft.label, draft.block, draft.title, draft.text
    task.deadline_text, task.responsibility_text = draft.deadline_text, draft.responsibility_text
    task.footnotes = "\n".join(draft.footnotes) or None
    task.source_line_start, task.source_line_end, task.position = draft.line_start, draft.line_end, position
    milestones = _milestones(draft, plan.year, result)
    assignments = _resolve_units(session, draft, directory, unit_ids, result, level)
    wanted_ms = [(m.wording, m.due, m.ongoing, m.note) for m in milestones]
    if [(m.wording, m.due, m.ongoing, m.note) for m in task.milestones] != wanted_ms:
        task.milestones.clear()
        session.flush()
        for pos, m in enumerate(milestones):
            task.milestones.append(Milestone(position=pos, wording=m.wording, due=m.due, ongoing=m.ongoing, note=m.note))
    if [(a.unit_id, a.role, a.as_printed, a.via_unit_id) for a in task.assignments] != assignments:
        task.assignments.clear()
        session.flush()
        for pos, (uid, role, as_printed, via) in enumerate(assignments):
            task.assignments.append(Assignment(unit_id=uid, role=role, as_printed=as_printed, position=pos, via_unit_id=via))
    session.flush()
    after = task_snapshot(task)
    if draft.from_errata and (before is None or _wording(before) != _wording(after)):
        # Recorded as a correction of the printed wording, whatever else the import changed.
        result.errata_applied.append(draft.code)
        printed = {"title": draft.printed_title or draft.title, "text": draft.printed_text or draft.text}
        audit.record(
            session,
            "task.erratum",
            "task",
            draft.code,
            before=before or printed,
            after=after,
            operator=ERRATA_OPERATOR,
            note=draft.wording_note,
        )
    elif before is not None and before != after:
        audit.record(session, "task.reimport", "task", draft.code, before=before, after=after, operator=operator)
    if before is None:
        result.tasks_added += 1
    elif before != after:
        result.tasks_updated += 1
    else:
        result.tasks_unchanged += 1


def _wording(snapshot: dict) -> tuple:
    return tuple(snapshot.get(k) for k in ("title", "text", "printed_title", "printed_text"))
