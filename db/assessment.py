"""The monthly 综合考评: each real unit's score from the scheme the office keeps for the plan, stored with that scheme.

A scheme is a list of components (db.vocabulary.ComponentKind).  A rate component (按期办结率, 报送及时率,
指标达标率) earns rate × weight; a count component earns so many points per item (逾期任务 −2 each, 约谈 −3
each, 表扬 +2 each), at most `cap` points either way.  A rate with nothing to count for a unit (no task due,
no report due, no indicator assessed) is 不适用: its weight goes to the unit's applicable rates in
proportion, so every unit is scored out of the same full marks.  A unit with no applicable rate at all
is listed unscored and unranked.  Ranks are shared by equal totals (1, 1, 3); equal totals keep the
ledger's unit order.  Collectives are never scored: the facts come from the answerable units
(db.answerable), and any other source's collective is dropped.

The facts of a month (UnitFacts) come from the ledger's own rules (db.figures for 到期/按期办结/到期未办结;
reports by the 报送截止日 of db.settings) and from FACT_SOURCES, the callables that add indicator counts
and supervisory acts.  score_month is plain arithmetic on the facts.  assess_month stores the month's
result with a copy of its scheme, replacing that month's earlier result; reading the month afterwards
gives what was stored, whatever the scheme in force says now.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office, session_access
from db.acts import unit_act_counts
from db.answerable import is_real_unit
from db.errors import UserError, shown
from db.figures import unit_standings
from db.indicator_actuals import unit_indicator_counts
from db.models import AssessmentResult, AssessmentScheme, AssessmentScore, Plan, ProgressEntry, Task, Unit
from db.periods import check_period, chinese_period, report_deadline
from db.settings import load_settings
from db.vocabulary import ASSESSED_ACTS, ComponentKind
from db.warning_rules import TaskState, lead_unit_ids, task_states

MAX_COMPONENTS = 20
MAX_SCHEME_BYTES = 64 * 1024
MAX_POINTS = 100


@dataclass(frozen=True)
class Component:
    """One part of a scheme: a rate with its weight, or a count with its points per item and an optional cap."""

    kind: ComponentKind
    weight: float | None = None  # a rate: the points a rate of 100% earns
    each: float | None = None  # a count: points per item (negative: a deduction)
    cap: float | None = None  # a count: at most this many points, gained or lost; None: no cap
    act: str | None = None  # 督办事项: which of the office's acts is counted

    @property
    def label(self) -> str:
        if self.kind.is_rate:
            return self.kind.value
        what = self.act if self.kind == ComponentKind.ACT else self.kind.value
        return f"{what}{'加分' if (self.each or 0) > 0 else '扣分'}"

    def rule_text(self) -> str:
        """The rule in the office's words: 权重40 / 每项扣2分，最多扣10分."""
        if self.kind.is_rate:
            return f"权重{_number(self.weight)}"
        verb = "加" if (self.each or 0) > 0 else "扣"
        item = "项" if self.kind == ComponentKind.OVERDUE else "次"
        return f"每{item}{verb}{_number(abs(self.each or 0))}分" + (f"，最多{verb}{_number(self.cap)}分" if self.cap is not None else "")

    def to_json(self) -> dict:
        data = {"kind": self.kind.value}
        data.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "kind" and getattr(self, f.name) is not None})
        return data


@dataclass(frozen=True)
class Scheme:
    """The components a month is scored by; version None is the default scheme (none saved for the plan)."""

    components: tuple[Component, ...]
    version: int | None = None
    saved_at: dt.datetime | None = None
    operator: str | None = None

    @property
    def full_marks(self) -> float:
        """What a unit earns with every rate at 100% and nothing counted against it."""
        return sum(c.weight or 0 for c in self.components if c.kind.is_rate)

    def describe(self) -> str:
        """第2版（2023-01-05 保存） or 默认方案: which scheme this is, for a document."""
        if self.version is None:
            return "默认方案"
        return f"第{self.version}版" + (f"（{self.saved_at.date().isoformat()} 保存）" if self.saved_at else "")

    def to_json(self) -> dict:
        return {
            "version": self.version,
            "saved_at": self.saved_at.isoformat(timespec="seconds") if self.saved_at else None,
            "operator": self.operator,
            "components": [c.to_json() for c in self.components],
        }


DEFAULT_SCHEME = Scheme(
    (
        Component(ComponentKind.ON_TIME_RATE, weight=40),
        Component(ComponentKind.REPORT_RATE, weight=30),
        Component(ComponentKind.INDICATOR_RATE, weight=30),
        Component(ComponentKind.OVERDUE, each=-2, cap=10),
        Component(ComponentKind.ACT, act="约谈", each=-3),
        Component(ComponentKind.ACT, act="通报批评", each=-5),
        Component(ComponentKind.ACT, act="表扬", each=2, cap=10),
    )
)


def _number(value: float | None) -> str:
    """40 and 2.5, not 40.0."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- the scheme as the office writes it ---------------------------------------------------------------------

_FIELDS = {"kind", "weight", "each", "cap", "act"}


def _kind_of(value) -> ComponentKind | None:
    """A component kind by its Chinese word or its code name (ON_TIME_RATE)."""
    if not isinstance(value, str):
        return None
    for kind in ComponentKind:
        if value.strip() in (kind.value, kind.name):
            return kind
    return None


def _points(value, what: str, problems: list[str]) -> float | None:
    """A finite number of points of at most MAX_POINTS either way, or a problem in Chinese."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"{what}“{str(value)[:20]}”不是数字。")
        return None
    if abs(value) > MAX_POINTS:
        problems.append(f"{what}“{_number(value)}”超出范围，应在 −{MAX_POINTS} 到 {MAX_POINTS} 之间。")
        return None
    return int(value) if float(value).is_integer() else float(value)


def _component(number: int, item, problems: list[str]) -> Component | None:
    """One component of a scheme file, or its problems (each named by the component's position)."""
    where = f"第{number}项"
    if not isinstance(item, dict):
        problems.append(f"{where}：应为一个对象，如 {{\"kind\": \"按期办结率\", \"weight\": 40}}。")
        return None
    kind = _kind_of(item.get("kind"))
    if kind is None:
        choices = "、".join(k.value for k in ComponentKind)
        problems.append(f"{where}：考评项目“{str(item.get('kind'))[:20]}”无法识别，可选：{choices}。")
        return None
    before = len(problems)
    unknown = sorted(str(key)[:20] for key in set(item) - _FIELDS)
    if unknown:
        problems.append(f"{where}（{kind.value}）：不认识的字段 {'、'.join(unknown)}。")
    allowed = {"weight"} if kind.is_rate else {"each", "cap", "act"} if kind == ComponentKind.ACT else {"each", "cap"}
    stray = sorted((_FIELDS - {"kind"} - allowed) & set(item))
    if stray:
        problems.append(f"{where}（{kind.value}）：不适用的字段 {'、'.join(stray)}。")
    values: dict = {}
    if kind.is_rate:
        weight = _points(item.get("weight"), f"{where}（{kind.value}）的权重", problems) if "weight" in item else None
        if "weight" not in item:
            problems.append(f"{where}（{kind.value}）：缺少权重 weight。")
        elif weight is not None and weight <= 0:
            problems.append(f"{where}（{kind.value}）：权重“{_number(weight)}”应为正数。")
        values["weight"] = weight
    else:
        if kind == ComponentKind.ACT:
            act = item.get("act")
            if act not in ASSESSED_ACTS:
                problems.append(f"{where}（督办事项）：事项“{str(act)[:20]}”无法识别，可选：{'、'.join(ASSESSED_ACTS)}。")
            values["act"] = act
        label = values.get("act") or kind.value
        each = _points(item.get("each"), f"{where}（{label}）的每项分值", problems) if "each" in item else None
        if "each" not in item:
            problems.append(f"{where}（{label}）：缺少每项分值 each（扣分为负数，加分为正数）。")
        elif each is not None and each == 0:
            problems.append(f"{where}（{label}）：每项分值不能为 0。")
        elif each is not None and kind == ComponentKind.OVERDUE and each > 0:
            problems.append(f"{where}（{label}）：逾期任务只能扣分，每项分值“{_number(each)}”应为负数。")
        values["each"] = each
        if item.get("cap") is not None:
            cap = _points(item["cap"], f"{where}（{label}）的上限", problems)
            if cap is not None and cap <= 0:
                problems.append(f"{where}（{label}）：上限“{_number(cap)}”应为正数（最多加或扣的分数）。")
            values["cap"] = cap
    if len(problems) > before:
        return None
    return Component(kind, **values)


def parse_scheme(data) -> tuple[Component, ...]:
    """The components of a scheme as the office wrote it ({"components": [...]} or the bare list); all problems at once."""
    items = data.get("components") if isinstance(data, dict) else data
    if isinstance(data, dict) and set(data) - {"components", "version", "saved_at", "operator"}:
        extra = "、".join(sorted(str(k)[:20] for k in set(data) - {"components", "version", "saved_at", "operator"}))
        raise UserError("考评方案无效：", [f"不认识的字段 {extra}；方案应为 {{\"components\": [...]}}。"])
    if not isinstance(items, list) or not items:
        raise UserError("考评方案无效：", ["方案应列出考评项目：{\"components\": [{\"kind\": \"按期办结率\", \"weight\": 40}, …]}。"])
    if len(items) > MAX_COMPONENTS:
        raise UserError("考评方案无效：", [f"考评项目有 {len(items)} 项，最多 {MAX_COMPONENTS} 项。"])
    problems: list[str] = []
    components = [_component(number, item, problems) for number, item in enumerate(items, start=1)]
    seen: dict[tuple, int] = {}
    for number, component in enumerate(components, start=1):
        if component is None:
            continue
        key = (component.kind, component.act)
        if key in seen:
            problems.append(f"第{number}项：{component.label}与第{seen[key]}项重复。")
        seen.setdefault(key, number)
    if not problems and not any(c.kind.is_rate for c in components):
        problems.append("考评方案至少要有一个比率项目（按期办结率、报送及时率或指标达标率）。")
    if problems:
        raise UserError("考评方案无效：", problems)
    return tuple(components)


def read_scheme_file(path: str | Path):
    """A scheme file's JSON, bounded in size; its problems in Chinese naming the file."""
    path = Path(path)
    name = shown(path)
    try:
        with open(path, "rb") as source:
            raw = source.read(MAX_SCHEME_BYTES + 1)
    except OSError as exc:
        raise UserError(f"无法读取考评方案文件 {name}：{exc.strerror or exc.__class__.__name__}。") from exc
    if len(raw) > MAX_SCHEME_BYTES:
        raise UserError(f"考评方案文件 {name} 超过 {MAX_SCHEME_BYTES // 1024} KB，不像是考评方案。")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UserError(f"考评方案文件 {name} 不是 UTF-8 编码的文本。") from exc
    except json.JSONDecodeError as exc:
        raise UserError(f"考评方案文件 {name} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}。") from exc
    except RecursionError as exc:  # thousands of nested brackets: no scheme nests deeper than three levels
        raise UserError(f"考评方案文件 {name} 嵌套层次过深，不像是考评方案。") from exc


def current_scheme(session: Session, plan_id: int) -> Scheme:
    """The newest scheme the office saved for the plan, or the default one."""
    row = session.scalars(select(AssessmentScheme).where(AssessmentScheme.plan_id == plan_id).order_by(AssessmentScheme.version.desc()).limit(1)).first()
    if row is None:
        return DEFAULT_SCHEME
    return Scheme(parse_scheme(row.components), version=row.version, saved_at=row.created_at, operator=row.operator)


def save_scheme(session: Session, plan_id: int, data, *, operator: str | None = None) -> Scheme:
    """Keep a new version of the plan's scheme (refused whole when invalid), with the change in the audit log."""
    refuse_unless_office(session, "修改考评方案")
    try:
        components = parse_scheme(data)
    except UserError as exc:
        raise UserError("考评方案未保存：" + exc.message.removeprefix("考评方案无效："), exc.details) from exc
    _lock_plan(session, plan_id)
    before = current_scheme(session, plan_id)
    if before.components == components:
        return before
    version = (before.version or 0) + 1
    stored = [c.to_json() for c in components]
    row = AssessmentScheme(plan_id=plan_id, version=version, components=stored, operator=operator or audit.default_operator())
    session.add(row)
    session.flush()
    audit.record(
        session, "assessment.scheme", "assessment_scheme", str(plan_id),
        before={"version": before.version, "components": [c.to_json() for c in before.components]},
        after={"version": version, "components": stored}, operator=operator,
    )
    return Scheme(components, version=version, saved_at=row.created_at, operator=row.operator)


def _lock_plan(session: Session, plan_id: int) -> None:
    """One writer of a plan's scheme or results at a time (PostgreSQL; SQLite has one writer); refuses an unknown plan."""
    if session.scalar(select(Plan.id).where(Plan.id == plan_id).with_for_update()) is None:
        raise UserError(f"台账中没有编号为 {plan_id} 的计划。")


# --- the facts of a month -----------------------------------------------------------------------------------


@dataclass
class UnitFacts:
    """What a unit's month is scored on: its due tasks, its reports, its indicators and the office's acts."""

    unit_id: int
    unit: str
    kind: str
    due: int = 0
    on_time: int = 0
    reports_due: int = 0
    reports_on_time: int = 0
    overdue: int = 0
    indicators_met: int = 0
    indicators_assessed: int = 0
    acts: Counter = field(default_factory=Counter)

    def ratio(self, kind: ComponentKind) -> tuple[int, int]:
        """(counted, out of) for a rate component."""
        return {
            ComponentKind.ON_TIME_RATE: (self.on_time, self.due),
            ComponentKind.REPORT_RATE: (self.reports_on_time, self.reports_due),
            ComponentKind.INDICATOR_RATE: (self.indicators_met, self.indicators_assessed),
        }[kind]

    def count(self, component: Component) -> int:
        """The items a count component scores."""
        return self.overdue if component.kind == ComponentKind.OVERDUE else self.acts.get(component.act, 0)


# A fact source adds facts for some units: unit id → {UnitFacts field: value}.  The indicator and act
# counts plug in here through indicator_facts and act_facts.
FactSource = Callable[[Session, int, str], dict[int, dict]]


def indicator_facts(counts: Callable[[Session, int, str], dict[int, tuple[int, int]]]) -> FactSource:
    """A fact source from a function giving each unit's (indicators on target, indicators assessed) in a month."""

    def source(session: Session, plan_id: int, period: str) -> dict[int, dict]:
        return {unit_id: {"indicators_met": met, "indicators_assessed": assessed} for unit_id, (met, assessed) in counts(session, plan_id, period).items()}

    return source


def act_facts(counts: Callable[[Session, int, str], dict[int, Counter]]) -> FactSource:
    """A fact source from a function giving each unit's count of each supervisory act in a month (keyed by the act's word)."""

    def source(session: Session, plan_id: int, period: str) -> dict[int, dict]:
        # str(): an act kind is a Word, whose hash is its name's, so a Counter keyed by it misses a lookup by "约谈".
        return {unit_id: {"acts": Counter({str(kind): n for kind, n in acts.items()})} for unit_id, acts in counts(session, plan_id, period).items()}

    return source


FACT_SOURCES: tuple[FactSource, ...] = (indicator_facts(unit_indicator_counts), act_facts(unit_act_counts))

_FACT_FIELDS = {f.name for f in fields(UnitFacts)} - {"unit_id", "unit", "kind"}


def _reports(session: Session, plan_id: int, period: str, states: dict[int, TaskState], report_day: int) -> tuple[Counter, Counter]:
    """Per unit: the reports the month asks for (each answerable unit of each task not signed off), and those in by the deadline."""
    owed = {
        (task_id, unit_id)
        for task_id, unit_ids in lead_unit_ids(session, plan_id).items()
        if task_id in states and not states[task_id].removed and states[task_id].signed_off_on is None
        for unit_id in unit_ids
    }
    deadline = report_deadline(period, report_day)
    received = session.execute(
        select(ProgressEntry.task_id, ProgressEntry.unit_id)
        .join(Task, Task.id == ProgressEntry.task_id)
        .where(Task.plan_id == plan_id, ProgressEntry.period == period, ProgressEntry.deleted_at.is_(None), ProgressEntry.entry_date <= deadline)
    ).all()
    due = Counter(unit_id for _task, unit_id in owed)
    in_time = Counter(unit_id for task_id, unit_id in received if (task_id, unit_id) in owed)
    return due, in_time


def gather_facts(
    session: Session,
    plan_id: int,
    period: str,
    *,
    today: dt.date | None = None,
    states: dict[int, TaskState] | None = None,
    sources: Iterable[FactSource] = FACT_SOURCES,
) -> list[UnitFacts]:
    """Every real unit's facts for the month, in the ledger's unit order; states may be passed when already worked out."""
    period = check_period(period)
    settings = load_settings(session)
    if states is None:
        states = task_states(session, plan_id, period, due_soon_days=settings.due_soon_days, today=today)
    units = {u.id: u for u in session.scalars(select(Unit))}
    by_name = {u.name: u.id for u in units.values()}
    facts: dict[int, UnitFacts] = {}
    for standing in unit_standings(session, plan_id, states):
        unit_id = by_name[standing.unit]
        facts[unit_id] = UnitFacts(unit_id, standing.unit, standing.kind, due=standing.due, on_time=standing.done_on_time, overdue=standing.overdue)
    reports_due, reports_in = _reports(session, plan_id, period, states, settings.report_day)
    for unit_id, owed in reports_due.items():
        facts[unit_id].reports_due, facts[unit_id].reports_on_time = owed, reports_in[unit_id]
    for source in sources:
        for unit_id, values in source(session, plan_id, period).items():
            unit = units.get(unit_id)
            if unit is None or not is_real_unit(unit.kind):
                continue  # a collective is never scored
            mine = facts.setdefault(unit_id, UnitFacts(unit_id, unit.name, unit.kind))
            for name, value in values.items():
                if name not in _FACT_FIELDS:
                    raise ValueError(f"fact source gave unknown fact {name!r}")
                setattr(mine, name, value)
    return [facts[unit_id] for unit_id in sorted(facts)]


# --- the arithmetic -----------------------------------------------------------------------------------------


@dataclass
class ComponentScore:
    """A component as one unit scored it: the figure, the points and whether it applied."""

    kind: ComponentKind
    label: str
    applicable: bool
    raw: float | int | None  # a rate (0–1) or a count; None when 不适用
    counted: int  # a rate's numerator, or the count
    out_of: int | None  # a rate's denominator; None for a count
    weight: float | None = None  # a rate's weight for this unit, after its 不适用 rates' weight was shared out
    points: float | None = None

    def explain(self) -> str:
        """按期办结率50.0%（1/2），折算权重57.14，得28.57分 / 逾期任务3项，扣6分 / 指标达标率不适用."""
        if not self.applicable:
            return f"{self.label}不适用"
        if self.out_of is not None:
            return f"{self.kind.value}{self.raw:.1%}（{self.counted}/{self.out_of}），得{_number(self.points)}分"
        item = "项" if self.kind == ComponentKind.OVERDUE else "次"
        what = self.label[:-2]
        if not self.counted:
            return f"无{what}"
        verb = "加" if (self.points or 0) > 0 else "扣"
        return f"{what}{self.counted}{item}，{verb}{_number(abs(self.points or 0))}分"

    def to_json(self) -> dict:
        return {
            "kind": self.kind.value,
            "label": self.label,
            "raw": round(self.raw, 4) if isinstance(self.raw, float) else self.raw,
            "points": self.points,
            "applicable": self.applicable,
            "counted": self.counted,
            "out_of": self.out_of,
            "weight": round(self.weight, 4) if self.weight is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> ComponentScore:
        return cls(
            kind=ComponentKind(data["kind"]), label=data["label"], applicable=data["applicable"], raw=data["raw"],
            counted=data["counted"], out_of=data["out_of"], weight=data["weight"], points=data["points"],
        )


@dataclass
class UnitScore:
    """A unit's month: each component, the total and the rank (None when no rate applied to it)."""

    unit_id: int
    unit: str
    kind: str
    components: list[ComponentScore]
    score: float | None
    rank: int | None = None

    def sentence(self) -> str:
        """Why the unit scored what it did, in one sentence of the 通报: every rate, and the counts it had."""
        parts = "；".join(c.explain() for c in self.components if c.kind.is_rate or c.counted)
        if self.score is None:
            return f"{self.unit}本期无可考评事项，不参加排名。"
        return f"{self.unit}综合得分{_number(self.score)}分，居第{self.rank}名：{parts}。"

    def to_json(self) -> dict:
        return {"unit": self.unit, "kind": self.kind, "components": [c.to_json() for c in self.components], "score": self.score, "rank": self.rank}


def _round(points: float) -> float:
    """Points to two decimals, as printed; 0 rather than -0 for a deduction of nothing."""
    return round(points, 2) + 0.0


def _rate(component: Component, facts: UnitFacts) -> ComponentScore:
    counted, out_of = facts.ratio(component.kind)
    return ComponentScore(component.kind, component.label, bool(out_of), counted / out_of if out_of else None, counted, out_of)


def _count(component: Component, facts: UnitFacts) -> ComponentScore:
    n = facts.count(component)
    points = n * (component.each or 0)
    if component.cap is not None:
        points = max(-component.cap, min(component.cap, points))
    return ComponentScore(component.kind, component.label, True, n, n, None, points=_round(points))


def _score_unit(facts: UnitFacts, scheme: Scheme) -> UnitScore:
    parts = [_rate(c, facts) if c.kind.is_rate else _count(c, facts) for c in scheme.components]
    weights = {id(part): c.weight for c, part in zip(scheme.components, parts) if c.kind.is_rate and part.applicable}
    applicable_weight = sum(weights.values())
    for part in parts:
        if id(part) in weights:
            part.weight = weights[id(part)] * scheme.full_marks / applicable_weight
            part.points = _round(part.raw * part.weight)
    score = _round(sum(p.points for p in parts if p.points is not None)) if weights else None
    return UnitScore(facts.unit_id, facts.unit, facts.kind, parts, score)


def score_month(facts: Iterable[UnitFacts], scheme: Scheme) -> list[UnitScore]:
    """Every unit scored by the scheme, best first (equal totals share a rank and keep the order given); unscored last."""
    scores = [_score_unit(f, scheme) for f in facts if is_real_unit(f.kind)]
    ranked = sorted((s for s in scores if s.score is not None), key=lambda s: -s.score)
    previous, rank = None, 0
    for position, unit in enumerate(ranked, start=1):
        if unit.score != previous:
            rank, previous = position, unit.score
        unit.rank = rank
    return ranked + [s for s in scores if s.score is None]


# --- stored months ------------------------------------------------------------------------------------------


@dataclass
class MonthAssessment:
    """A month's 综合考评: as stored (computed_at set) or worked out now from the scheme in force."""

    plan_id: int
    period: str
    scheme: Scheme
    units: list[UnitScore]
    computed_at: dt.datetime | None = None
    operator: str | None = None

    @property
    def stored(self) -> bool:
        return self.computed_at is not None

    @property
    def computed_local(self) -> dt.datetime | None:
        """When the month was stored, on this computer's clock (the ledger keeps UTC)."""
        if self.computed_at is None:
            return None
        return self.computed_at.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)

    @property
    def ranked(self) -> list[UnitScore]:
        return [u for u in self.units if u.rank is not None]

    def to_json(self) -> dict:
        return {
            "period": self.period,
            "scheme": self.scheme.to_json(),
            "computed_at": self.computed_at.isoformat(timespec="seconds") if self.computed_at else None,
            "operator": self.operator,
            "units": [u.to_json() for u in self.units],
        }


def _stored_row(session: Session, plan_id: int, period: str) -> AssessmentResult | None:
    return session.scalars(select(AssessmentResult).where(AssessmentResult.plan_id == plan_id, AssessmentResult.period == period)).first()


def _scheme_of(snapshot: dict) -> Scheme:
    saved = snapshot.get("saved_at")
    return Scheme(
        parse_scheme(snapshot["components"]), version=snapshot.get("version"),
        saved_at=dt.datetime.fromisoformat(saved) if saved else None, operator=snapshot.get("operator"),
    )


def stored_month(session: Session, plan_id: int, period: str) -> MonthAssessment | None:
    """The month as the office last computed it, with the scheme it used; None when it never was."""
    row = _stored_row(session, plan_id, check_period(period))
    if row is None:
        return None
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_([s.unit_id for s in row.scores])))}
    scores = [
        UnitScore(s.unit_id, units[s.unit_id].name, units[s.unit_id].kind, [ComponentScore.from_json(c) for c in s.components], s.score, s.rank)
        for s in row.scores
    ]
    return MonthAssessment(plan_id, row.period, _scheme_of(row.scheme), scores, row.computed_at, row.operator)


def month_assessment(
    session: Session,
    plan_id: int,
    period: str,
    *,
    today: dt.date | None = None,
    states: dict[int, TaskState] | None = None,
    sources: Iterable[FactSource] = FACT_SOURCES,
) -> MonthAssessment:
    """The stored month, or (never computed) the month worked out now from the scheme in force, not stored."""
    stored = stored_month(session, plan_id, period)
    if stored is not None:
        return stored
    scheme = current_scheme(session, plan_id)
    facts = gather_facts(session, plan_id, period, today=today, states=states, sources=sources)
    return MonthAssessment(plan_id, check_period(period), scheme, score_month(facts, scheme))


def _summary(month: MonthAssessment) -> dict:
    return {"scheme_version": month.scheme.version, "scores": {u.unit: u.score for u in month.units}}


def assess_month(
    session: Session, plan_id: int, period: str, operator: str | None = None, *, today: dt.date | None = None, sources: Iterable[FactSource] = FACT_SOURCES
) -> MonthAssessment:
    """Compute the month by the scheme in force and store it with that scheme, replacing the month's earlier result; audited."""
    refuse_unless_office(session, "计算综合考评")
    period = check_period(period)
    _lock_plan(session, plan_id)
    scheme = current_scheme(session, plan_id)
    units = score_month(gather_facts(session, plan_id, period, today=today, sources=sources), scheme)
    earlier = stored_month(session, plan_id, period)
    old = _stored_row(session, plan_id, period)
    if old is not None:
        session.delete(old)
        session.flush()
    row = AssessmentResult(plan_id=plan_id, period=period, scheme=scheme.to_json(), operator=operator or audit.default_operator())
    row.scores = [
        AssessmentScore(unit_id=u.unit_id, position=position, components=[c.to_json() for c in u.components], score=u.score, rank=u.rank)
        for position, u in enumerate(units)
    ]
    session.add(row)
    session.flush()
    month = MonthAssessment(plan_id, period, scheme, units, row.computed_at, row.operator)
    audit.record(
        session, "assessment.compute", "assessment", f"{plan_id}:{period}",
        before=_summary(earlier) if earlier else None, after=_summary(month), operator=operator,
        note=f"{chinese_period(period)}综合考评" + ("重新计算" if earlier else "计算") + f"，{scheme.describe()}",
    )
    return month


def settled_month(session: Session, plan_id: int, period: str, operator: str | None = None, *, today: dt.date | None = None) -> MonthAssessment:
    """The stored month; else, once its 报送截止日 has passed and the login is the office's, computed and stored now;
    else worked out live (a month still being reported is not fixed before its reports are in)."""
    stored = stored_month(session, plan_id, period)
    if stored is not None:
        return stored
    settings = load_settings(session)
    if report_deadline(check_period(period), settings.report_day) < (today or dt.date.today()) and session_access(session).is_office:
        return assess_month(session, plan_id, period, operator, today=today)
    return month_assessment(session, plan_id, period, today=today)
