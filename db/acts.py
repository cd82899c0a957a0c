"""The office's supervisory acts (约谈, 通报批评, 表扬, 专项督查, 回头看, 自查评估): recorded, listed and counted.

An act is the office's, never a unit's: it names the units and tasks it concerns, keeps its files inside
the ledger (act_evidence, bounded and hashed like a report's evidence) and is audit-logged.  A collective
stands for a group, so it may be inspected but never praised, criticised or summoned.  The 综合考评
counts a unit's acts of a month (unit_act_counts); the 通报 prints those the office chose (acts_for_circular).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office
from db.answerable import is_real_unit
from db.decisions import Evidence as EvidenceFile
from db.errors import UserError
from db.evidence import EvidenceView, printable
from db.ledger import find_unit, get_task
from db.models import ActEvidence, ActTarget, Assignment, Plan, RecheckItem, SupervisoryAct, Task, Unit, utcnow
from db.periods import check_period, period_end, period_start
from db.vocabulary import UNIT_VERDICTS, ActKind, RecheckOutcome

MAX_TEXT_CHARS = 2000
MAX_EVIDENCE_FILES = 20


@dataclass
class RecheckView:
    """One task of a 回头看's sample and how its re-check came out."""

    task: str
    title: str
    signed_on: dt.date
    outcome: RecheckOutcome
    note: str | None
    checked_on: dt.date | None
    operator: str | None
    revoked_sign_off: dict | None

    def to_json(self) -> dict:
        return {
            "task": self.task, "title": self.title, "signed_on": self.signed_on.isoformat(), "outcome": self.outcome.value,
            "note": self.note, "checked_on": self.checked_on.isoformat() if self.checked_on else None,
            "operator": self.operator, "revoked_sign_off": self.revoked_sign_off,
        }


@dataclass
class ActView:
    """An act as the detail pane, the command line and the 通报 show it."""

    id: int
    uuid: str
    kind: ActKind
    act_date: dt.date
    basis: str
    follow_up: str | None
    result: str | None
    in_circular: bool
    operator: str
    units: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    evidence: list[EvidenceView] = field(default_factory=list)
    sample_rule: str | None = None
    seed: int | None = None
    rechecks: list[RecheckView] = field(default_factory=list)

    def recheck_of(self, task_code: str) -> RecheckView | None:
        """This 回头看's re-check of one task, if the task was drawn."""
        return next((r for r in self.rechecks if r.task == task_code), None)

    def to_json(self) -> dict:
        return {
            "id": self.id, "uuid": self.uuid, "kind": self.kind.value, "date": self.act_date.isoformat(), "basis": self.basis,
            "follow_up": self.follow_up, "result": self.result, "in_circular": self.in_circular, "operator": self.operator,
            "units": self.units, "tasks": self.tasks,
            "evidence": [{"uuid": e.uuid, "name": e.name, "size": e.size, "sha256": e.sha256} for e in self.evidence],
            "sample_rule": self.sample_rule, "seed": self.seed, "rechecks": [r.to_json() for r in self.rechecks],
        }


@dataclass
class ActInput:
    """An act as the clerk gives it: units and tasks by name and code, evidence by path."""

    kind: str
    act_date: dt.date
    basis: str
    units: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    follow_up: str | None = None
    result: str | None = None
    in_circular: bool = False
    evidence: list[str | Path] = field(default_factory=list)


def act_kind(text: str) -> ActKind:
    """The act kind a clerk typed, or a UserError listing the six."""
    try:
        return ActKind((text or "").strip())
    except ValueError:
        raise UserError(f"督查督办事项类别“{printable(text)[:20]}”无效，应为：{'、'.join(k.value for k in ActKind)}。") from None


def text_problems(label: str, value: str | None, *, required: bool) -> list[str]:
    """An act's free text: present when required, and bounded."""
    text = (value or "").strip()
    if required and not text:
        return [f"请填写{label}。"]
    if len(text) > MAX_TEXT_CHARS:
        return [f"{label}有 {len(text)} 个字，超过 {MAX_TEXT_CHARS} 字上限。"]
    return []


def date_problems(session: Session, plan_id: int, day: dt.date, what: str) -> list[str]:
    """An act's date: not in the future, and not before the plan's year began."""
    year = session.scalar(select(Plan.year).where(Plan.id == plan_id))
    if day > dt.date.today():
        return [f"{what}日期 {day.isoformat()} 晚于今天。"]
    if year is not None and day < dt.date(year, 1, 1):
        return [f"{what}日期 {day.isoformat()} 早于计划年度 {year} 年。"]
    return []


def record_act(session: Session, plan_id: int, data: ActInput, *, operator: str) -> ActView:
    """Record one act with its targets and files, or nothing: every problem is told at once."""
    refuse_unless_office(session, "记录督查督办事项")
    problems: list[str] = []
    kind = act_kind(data.kind)
    if kind is ActKind.RECHECK:
        raise UserError("回头看请用“抽取回头看任务”（duban recheck draw）记录：它从已销号任务中抽取复核对象。")
    problems += date_problems(session, plan_id, data.act_date, kind.value)
    problems += text_problems("依据", data.basis, required=True)
    problems += text_problems("整改或跟进要求", data.follow_up, required=False)
    problems += text_problems("结果", data.result, required=False)
    units = _units(session, data.units, kind, problems)
    tasks = _tasks(session, plan_id, data.tasks, problems)
    if not data.units and not data.tasks:
        problems.append("请至少指明一个涉及的单位或任务。")
    files = _files(data.evidence, problems)
    if problems:
        raise UserError(f"{kind.value}未保存：", problems)
    act = SupervisoryAct(
        plan_id=plan_id, kind=kind.value, act_date=data.act_date, basis=data.basis.strip(), follow_up=(data.follow_up or "").strip() or None,
        result=(data.result or "").strip() or None, in_circular=data.in_circular, operator=operator,
    )
    act.targets = [ActTarget(unit_id=u.id) for u in units] + [ActTarget(task_id=t.id) for t in tasks]
    act.evidence = [
        ActEvidence(name=f.name, size=len(f.data), sha256=hashlib.sha256(f.data).hexdigest(), data=f.data) for f in files
    ]
    session.add(act)
    session.flush()
    view = act_views(session, [act.id])[0]
    audit.record(session, "act.add", "act", act.uuid, after=_snapshot(view), operator=operator)
    return view


def _units(session: Session, names: list[str], kind: ActKind, problems: list[str]) -> list[Unit]:
    found: dict[int, Unit] = {}
    for name in names:
        try:
            unit = find_unit(session, name)
        except UserError as exc:
            problems.append(str(exc))
            continue
        if kind in UNIT_VERDICTS and not is_real_unit(unit.kind):
            problems.append(f"“{unit.name}”是集合性的单位，代表一类单位，不能作为{kind.value}的对象；请指明具体单位。")
            continue
        found.setdefault(unit.id, unit)
    return list(found.values())


def _tasks(session: Session, plan_id: int, codes: list[str], problems: list[str]) -> list[Task]:
    found: dict[int, Task] = {}
    for code in codes:
        try:
            task = get_task(session, code, plan_id)
        except UserError as exc:
            problems.append(str(exc))
            continue
        found.setdefault(task.id, task)
    return list(found.values())


def _files(paths: list[str | Path], problems: list[str]) -> list[EvidenceFile]:
    if len(paths) > MAX_EVIDENCE_FILES:
        problems.append(f"一次最多附 {MAX_EVIDENCE_FILES} 个证明材料，现有 {len(paths)} 个。")
        return []
    files = []
    for path in paths:
        try:
            files.append(EvidenceFile.from_file(path))
        except UserError as exc:
            problems.append(str(exc))
    return files


def _snapshot(view: ActView) -> dict:
    """What the audit log keeps of an act: everything but the files' bytes."""
    data = view.to_json()
    del data["id"], data["rechecks"]
    return data


def update_act_result(session: Session, act_id: int, result: str, *, operator: str) -> ActView:
    """Fill in (or correct) what came of an act; the previous result stays in the audit log."""
    refuse_unless_office(session, "记录督查督办结果")
    act = get_act(session, act_id)
    problems = text_problems("结果", result, required=True)
    if problems:
        raise UserError(f"{act.kind}（编号 {act.id}）的结果未保存：", problems)
    before = act.result
    act.result, act.result_by, act.result_at = result.strip(), operator, utcnow()
    audit.record(session, "act.result", "act", act.uuid, before={"result": before}, after={"result": act.result}, operator=operator)
    session.flush()
    return act_views(session, [act.id])[0]


def get_act(session: Session, act_id: int) -> SupervisoryAct:
    act = session.get(SupervisoryAct, act_id)
    if act is None:
        raise UserError(f"没有编号为 {act_id} 的督查督办事项。可用 duban acts list 查看。")
    return act


def act_views(session: Session, act_ids: list[int]) -> list[ActView]:
    """The acts with these ids, oldest first, with their targets, files (without bytes) and re-checks: four queries."""
    acts = list(session.scalars(select(SupervisoryAct).where(SupervisoryAct.id.in_(act_ids)).order_by(SupervisoryAct.act_date, SupervisoryAct.id)))
    views = {
        a.id: ActView(
            a.id, a.uuid, ActKind(a.kind), a.act_date, a.basis, a.follow_up, a.result, bool(a.in_circular), a.operator,
            sample_rule=a.sample_rule, seed=a.seed,
        )
        for a in acts
    }
    targets = session.execute(
        select(ActTarget.act_id, Unit.name, Task.code)
        .outerjoin(Unit, Unit.id == ActTarget.unit_id)
        .outerjoin(Task, Task.id == ActTarget.task_id)
        .where(ActTarget.act_id.in_(list(views)))
        .order_by(ActTarget.id)
    )
    for act_id, unit, task in targets:
        if unit is not None:
            views[act_id].units.append(unit)
        if task is not None:
            views[act_id].tasks.append(task)
    files = session.execute(
        select(ActEvidence.act_id, ActEvidence.uuid, ActEvidence.name, ActEvidence.size, ActEvidence.sha256)
        .where(ActEvidence.act_id.in_(list(views)))
        .order_by(ActEvidence.id)
    )
    for act_id, *view in files:
        views[act_id].evidence.append(EvidenceView(*view))
    items = session.execute(
        select(RecheckItem, Task.code, Task.title).join(Task, Task.id == RecheckItem.task_id).where(RecheckItem.act_id.in_(list(views))).order_by(Task.position, Task.id)
    )
    for item, code, title in items:
        views[item.act_id].rechecks.append(
            RecheckView(code, title, item.signed_on, RecheckOutcome(item.outcome), item.note, item.checked_on, item.operator, item.revoked_sign_off)
        )
    return list(views.values())


def _acts_on_tasks(task_ids):
    return select(ActTarget.act_id).where(ActTarget.task_id.in_(task_ids))


def _acts_on_unit(unit_id: int):
    """Acts naming the unit, or one of the tasks it is assigned to."""
    return select(ActTarget.act_id).where(
        or_(ActTarget.unit_id == unit_id, ActTarget.task_id.in_(select(Assignment.task_id).where(Assignment.unit_id == unit_id)))
    )


def list_acts(
    session: Session, plan_id: int, *, unit: str | None = None, task: str | None = None, kind: str | None = None, period: str | None = None
) -> list[ActView]:
    """The plan's acts, oldest first: those naming a unit (or its tasks), a task, of one kind, or dated in one month."""
    query = select(SupervisoryAct.id).where(SupervisoryAct.plan_id == plan_id)
    if unit is not None:
        query = query.where(SupervisoryAct.id.in_(_acts_on_unit(find_unit(session, unit).id)))
    if task is not None:
        query = query.where(SupervisoryAct.id.in_(_acts_on_tasks([get_task(session, task, plan_id).id])))
    if kind is not None:
        query = query.where(SupervisoryAct.kind == act_kind(kind).value)
    if period is not None:
        period = check_period(period)
        query = query.where(SupervisoryAct.act_date.between(period_start(period), period_end(period)))
    return act_views(session, list(session.scalars(query)))


def task_acts(session: Session, task_id: int) -> list[ActView]:
    """The acts that name a task (a 回头看 names every task it drew), oldest first."""
    return act_views(session, list(session.scalars(_acts_on_tasks([task_id]))))


@dataclass
class UnitHistory:
    """What the office did about one unit: the acts naming it or one of its tasks, oldest first."""

    unit: str
    kind: str
    acts: list[ActView]


def unit_history(session: Session, plan_id: int, unit_id: int) -> UnitHistory:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UserError("所选单位已不在台账中。请刷新（F5）后重新选择。")
    ids = session.scalars(select(SupervisoryAct.id).where(SupervisoryAct.plan_id == plan_id, SupervisoryAct.id.in_(_acts_on_unit(unit_id))))
    return UnitHistory(unit.name, unit.kind, act_views(session, list(ids)))


def unit_act_counts(session: Session, plan_id: int, period: str) -> dict[int, Counter[ActKind]]:
    """Per real unit, its acts of each kind dated in the month: the 综合考评's deductions and credits.

    Only acts naming the unit itself count (an act naming a task alone blames no unit); collectives are
    never scored, so they are left out.
    """
    period = check_period(period)
    rows = session.execute(
        select(ActTarget.unit_id, SupervisoryAct.kind, Unit.kind)
        .join(SupervisoryAct, SupervisoryAct.id == ActTarget.act_id)
        .join(Unit, Unit.id == ActTarget.unit_id)
        .where(SupervisoryAct.plan_id == plan_id, SupervisoryAct.act_date.between(period_start(period), period_end(period)))
    )
    counts: dict[int, Counter[ActKind]] = {}
    for unit_id, kind, unit_kind in rows:
        if is_real_unit(unit_kind):
            counts.setdefault(unit_id, Counter())[ActKind(kind)] += 1
    return counts


@dataclass
class CircularGroup:
    """One paragraph of the 通报's acts section: a heading and the acts it names."""

    title: str
    acts: list[ActView]


# The 通报 names acts in this order; 专项督查 and 自查评估 are one paragraph.
CIRCULAR_GROUPS = (
    ("表扬", (ActKind.PRAISE,)),
    ("约谈", (ActKind.TALK,)),
    ("通报批评", (ActKind.CRITICISM,)),
    ("督查检查", (ActKind.INSPECTION, ActKind.SELF_ASSESSMENT)),
    ("回头看", (ActKind.RECHECK,)),
)


def acts_for_circular(session: Session, plan_id: int, period: str) -> list[CircularGroup]:
    """The acts of the month the office chose to print in its 通报, grouped as the 通报 names them (empty groups left out)."""
    period = check_period(period)
    ids = session.scalars(
        select(SupervisoryAct.id).where(
            SupervisoryAct.plan_id == plan_id,
            SupervisoryAct.in_circular.is_(True),
            SupervisoryAct.act_date.between(period_start(period), period_end(period)),
        )
    )
    acts = act_views(session, list(ids))
    groups = [CircularGroup(title, [a for a in acts if a.kind in kinds]) for title, kinds in CIRCULAR_GROUPS]
    return [g for g in groups if g.acts]
