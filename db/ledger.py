"""The ledger's read API: plans, tasks and units as plain dataclasses for the CLI, exports and window."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db.answerable import Responsibility, answerable
from db.deadlines import MilestoneDraft, due_of
from db.engine import Ledger
from db.errata import read_bundled_plan, record_errata
from db.errors import UserError
from db.models import Annex, Assignment, Plan, Task, Unit, UnitAlias, UnitMember
from db.plan_draft import PlanDraft
from db.plan_import import ImportResult, import_plan
from db.responsibility import LEAD, SUPPORT
from db.units import UnitDirectory, normalise
from resources import UNITS_TABLE


@dataclass
class UnitRole:
    """A unit's part in a task."""

    name: str
    role: str
    as_printed: str


@dataclass
class MilestoneView:
    """A deadline stage as the ledger holds it."""

    wording: str
    due: str | None
    ongoing: bool
    note: str | None


@dataclass
class TaskView:
    """A task with everything a clerk reads about it."""

    id: int
    code: str
    annex: int
    annex_title: str
    label: str
    block: int
    section: str | None
    title: str
    text: str
    deadline: str | None
    due: str | None
    milestones: list[MilestoneView]
    lead: list[str]
    support: list[str]
    units: list[UnitRole]
    responsibility: str | None
    source_line: int | None
    source_line_end: int | None
    footnotes: str | None
    corrected: bool
    # True when title or text differ from the document as issued (与印发原文不同): an erratum shipped
    # with the program or a clerk's correction; the printed wording is then kept in printed_*.
    differs_from_printed: bool
    printed_title: str | None
    printed_text: str | None
    wording_note: str | None
    # The real units that answer for the task (db.answerable): members stand in for their collective.
    answerable: list[str] = field(default_factory=list)
    # Every unit assigned, a collective's members included, with its role.
    assigned: dict[str, str] = field(default_factory=dict)
    # A revised version of the plan dropped the task (已从新版计划中删除): kept with its reports, out of the warnings.
    removed: bool = False

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class PlanView:
    """A plan in the ledger."""

    id: int
    title: str
    doc_number: str | None
    year: int | None
    current: bool
    tasks: int
    archived: bool = False  # out of the warnings (db.plans)


@dataclass
class UnitView:
    """A canonical unit with its spellings and task counts."""

    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    lead_tasks: int = 0
    support_tasks: int = 0
    other_tasks: int = 0
    expands_to: list[str] = field(default_factory=list)


def load_directory(path: Path = UNITS_TABLE) -> UnitDirectory:
    return UnitDirectory.load(path)


def init_from_bundled_plan(ledger: Ledger, operator: str | None = None, *, make_current: bool = True) -> ImportResult:
    """Create or update the ledger from the bundled 2022 plan (duban init), corrected by its shipped errata."""
    draft, errata = read_bundled_plan()
    directory = load_directory()
    with ledger.Session.begin() as session:
        result = import_plan(session, draft, directory, operator=operator, make_current=make_current)
        record_errata(session, result.plan_id, errata)
        return result


def import_draft(ledger: Ledger, draft: PlanDraft, *, operator: str | None = None, make_current: bool = True) -> ImportResult:
    """Write a plan draft in one transaction: all of it or, on any error, nothing."""
    directory = load_directory()
    with ledger.Session.begin() as session:
        return import_plan(session, draft, directory, make_current=make_current, operator=operator)


def resolve_plan_id(session: Session, plan_id: int | None) -> int:
    """The plan a command works on: the one named, else the current one."""
    if plan_id is not None:
        if session.get(Plan, plan_id) is None:
            raise UserError(f"台账中没有编号为 {plan_id} 的计划。可用 duban plans 查看。")
        return plan_id
    current = session.scalar(select(Plan.id).where(Plan.is_current.is_(True)))
    if current is None:
        raise UserError("台账中还没有计划。请先运行 duban init 导入计划。")
    return current


def find_unit(session: Session, name: str) -> Unit:
    """A unit by canonical name or any alias; a UserError names the spelling otherwise."""
    key = normalise(name)
    unit = session.scalar(select(Unit).where(Unit.name == name.strip()))
    if unit is None:
        unit = session.scalar(select(Unit).join(UnitAlias).where(UnitAlias.alias == key))
    if unit is None:
        raise UserError(f"未知单位：“{name}”。可用 duban units 查看单位名称及其别名。")
    return unit


def _milestone_views(task: Task) -> list[MilestoneView]:
    return [MilestoneView(m.wording, m.due.isoformat() if m.due else None, m.ongoing, m.note) for m in task.milestones]


def task_view(task: Task) -> TaskView:
    # The units as printed; a collective's members are its own assignments but not its wording.
    units = [UnitRole(a.unit.name, a.role, a.as_printed) for a in task.assignments if a.via_unit_id is None]
    names = {a.unit_id: a.unit.name for a in task.assignments}
    answers = answerable(Responsibility(a.unit_id, a.role, a.unit.kind) for a in task.assignments)
    due = due_of([MilestoneDraft(m.wording, m.due, m.ongoing, m.note) for m in task.milestones])
    return TaskView(
        id=task.id,
        code=task.code,
        annex=task.annex.number,
        annex_title=task.annex.title,
        label=task.label,
        block=task.block,
        section=(task.section.label + task.section.heading) if task.section else None,
        title=task.title,
        text=task.text,
        deadline=task.deadline_text,
        due=due.isoformat() if due else None,
        milestones=_milestone_views(task),
        lead=[u.name for u in units if u.role == LEAD],
        support=[u.name for u in units if u.role == SUPPORT],
        units=units,
        responsibility=task.responsibility_text,
        source_line=task.source_line_start,
        source_line_end=task.source_line_end,
        footnotes=task.footnotes,
        corrected=task.corrected_at is not None,
        differs_from_printed=task.printed_title is not None or task.printed_text is not None,
        printed_title=task.printed_title,
        printed_text=task.printed_text,
        wording_note=task.wording_note,
        answerable=[names[u] for u in answers],
        assigned={a.unit.name: a.role for a in task.assignments},
        removed=task.removed_at is not None,
    )


def list_tasks(
    session: Session, *, plan_id: int | None = None, annex: int | None = None, unit: str | None = None
) -> list[TaskView]:
    """Tasks of a plan in document order, optionally one annex's or one unit's (any spelling)."""
    pid = resolve_plan_id(session, plan_id)
    query = (
        select(Task)
        .where(Task.plan_id == pid)
        .options(
            selectinload(Task.annex),
            selectinload(Task.section),
            selectinload(Task.milestones),
            selectinload(Task.assignments).selectinload(Assignment.unit),
        )
        .order_by(Task.position)
    )
    if annex is not None:
        query = query.join(Annex, Task.annex_id == Annex.id).where(Annex.number == annex)
    if unit is not None:
        unit_id = find_unit(session, unit).id
        query = query.where(Task.id.in_(select(Assignment.task_id).where(Assignment.unit_id == unit_id)))
    return [task_view(t) for t in session.scalars(query)]


def get_task(session: Session, code: str, plan_id: int | None = None) -> Task:
    """A task of the current (or named) plan by its code."""
    pid = resolve_plan_id(session, plan_id)
    task = session.scalar(select(Task).where(Task.plan_id == pid, Task.code == code.strip()))
    if task is None:
        raise UserError(f"未知任务编号：“{code}”。可用 duban tasks 查看任务编号。")
    return task


def task_by_id(session: Session, task_id: int) -> Task:
    """A task the window has selected (by its row id), for the decision services that take the task itself."""
    task = session.get(Task, task_id)
    if task is None:
        raise UserError("所选任务已不在台账中（可能已被另一次导入替换）。请刷新（F5）后重新选择。")
    return task


def list_plans(session: Session) -> list[PlanView]:
    counts = dict(session.execute(select(Task.plan_id, func.count()).group_by(Task.plan_id)).all())
    return [
        PlanView(p.id, p.title, p.doc_number, p.year, p.is_current, counts.get(p.id, 0), bool(p.archived))
        for p in session.scalars(select(Plan).order_by(Plan.id))
    ]


def list_units(session: Session, plan_id: int | None = None) -> list[UnitView]:
    """Every canonical unit with its aliases and how many tasks of the plan it leads or supports."""
    pid = resolve_plan_id(session, plan_id)
    rows = session.execute(
        select(Assignment.unit_id, Assignment.role, func.count())
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.plan_id == pid)
        .group_by(Assignment.unit_id, Assignment.role)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for unit_id, role, n in rows:
        counts.setdefault(unit_id, {})[role] = n
    units = list(session.scalars(select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.id)))
    # Members a clerk listed for a collective of a plan's own (db.plan_review); the bundled ones expand by kind.
    listed: dict[int, list[str]] = {}
    names = {u.id: u.name for u in units}
    for collective_id, member_id in session.execute(select(UnitMember.collective_id, UnitMember.member_id).order_by(UnitMember.position)):
        listed.setdefault(collective_id, []).append(names[member_id])
    views = []
    for unit in units:
        c = counts.get(unit.id, {})
        expands = [u.name for u in units if unit.expands_to_kind and u.kind == unit.expands_to_kind] or listed.get(unit.id, [])
        views.append(
            UnitView(
                name=unit.name,
                kind=unit.kind,
                aliases=sorted(a.alias for a in unit.aliases if a.alias != normalise(unit.name)),
                lead_tasks=c.get(LEAD, 0),
                support_tasks=c.get(SUPPORT, 0),
                other_tasks=sum(n for role, n in c.items() if role not in (LEAD, SUPPORT)),
                expands_to=expands,
            )
        )
    return views
