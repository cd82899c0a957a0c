"""Units' monthly actual values of indicators, and how each indicator stands against its staged target.

The target in force for a month is the latest staged target due by that month's end (a 2022-06 target
binds from June; after December the 2022-12 one): that is the one that must be met.  Before the first
target falls due an indicator is 未到目标期 and never a warning.  An indicator's actual for a month is
the latest value any of its units reported for that month or before; a unit's own standing (for the
综合考评's 指标达标率) uses that unit's own latest value.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_reports_for, session_access
from db.errors import UserError
from db.indicators import indicator_query, read_number
from db.models import Indicator, IndicatorActual, IndicatorTarget, IndicatorUnit, Unit, utcnow
from db.periods import check_period
from db.vocabulary import Direction, Standing

MAX_VALUE_CHARS = 200
MAX_NOTE_CHARS = 1000


@dataclass(frozen=True)
class ActualView:
    """One reported actual, as lists and exports show it."""

    unit: str
    period: str
    value_text: str
    value: float | None
    note: str | None
    version: int


@dataclass
class IndicatorStanding:
    """An indicator for one month: its target in force, its latest actual and where it stands."""

    indicator_id: int
    code: str
    annex: int
    name: str
    measure_unit: str | None
    direction: str
    baseline_text: str | None
    targets: list[tuple[str, str, float | None]]
    frontier_text: str | None
    units: list[str]
    source_line: int | None
    target_period: str | None
    target_text: str | None
    target_value: float | None
    actual: ActualView | None
    standing: Standing
    unit_ids: list[int] = field(default_factory=list)

    @property
    def is_warning(self) -> bool:
        """Behind its target in force, or due with nothing reported."""
        return self.standing in (Standing.BEHIND, Standing.NOT_REPORTED)


def meets(direction: str, actual: float, target: float) -> bool:
    """Whether an actual meets a target in the indicator's direction."""
    return actual <= target if direction == Direction.LOWER else actual >= target


def target_in_force(targets: list[IndicatorTarget], period: str) -> IndicatorTarget | None:
    """The latest staged target due by the end of `period`, or None before the first falls due."""
    due = [t for t in targets if t.period <= period]
    return max(due, key=lambda t: t.period) if due else None


def judge(direction: str, target: IndicatorTarget | None, actual: IndicatorActual | None) -> Standing:
    """达标, 未达标, 未填报, 无法比较 (a value or target without a number), or 未到目标期."""
    if target is None:
        return Standing.NOT_DUE
    if actual is None:
        return Standing.NOT_REPORTED
    if actual.value is None or target.value is None:
        return Standing.UNKNOWN
    return Standing.MET if meets(direction, actual.value, target.value) else Standing.BEHIND


def _value_problem(text: str) -> str | None:
    """Why a (trimmed) value cannot be stored as an actual, in Chinese, or None."""
    if not text:
        return "实际值不能为空。"
    if len(text) > MAX_VALUE_CHARS:
        return f"实际值过长（{len(text)} 字），不能超过 {MAX_VALUE_CHARS} 字。"
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        return "实际值含有换行或控制字符，请在一行内填写。"
    return None


def _note_problem(note: str) -> str | None:
    """Why a (trimmed) 说明 cannot be stored, in Chinese, or None."""
    return f"说明过长（{len(note)} 字），不能超过 {MAX_NOTE_CHARS} 字。" if len(note) > MAX_NOTE_CHARS else None


def actual_problem(value_text: str | None, note: str | None = None) -> str | None:
    """Why a value (and its note) cannot be stored as an actual, in Chinese, or None: one rule for every way in."""
    return _value_problem((value_text or "").strip()) or _note_problem((note or "").strip())


def actual_text(code: str, value_text: str | None) -> str:
    """An actual value as it is stored (trimmed), or a UserError saying why it cannot be."""
    text = (value_text or "").strip()
    problem = _value_problem(text)
    if problem:
        raise UserError(f"指标 {code} 的{problem}")
    return text


def actual_note(code: str, note: str | None) -> str | None:
    """An actual's 说明 as stored (None when empty), or a UserError when it is too long."""
    text = (note or "").strip()
    problem = _note_problem(text)
    if problem:
        raise UserError(f"指标 {code} 的{problem}")
    return text or None


def report_actual(
    session: Session,
    indicator: Indicator,
    unit: Unit,
    period: str,
    value_text: str,
    *,
    note: str | None = None,
    operator: str | None = None,
    source: str | None = None,
) -> bool:
    """Record a unit's actual for a month in the caller's transaction; False when it was already so.

    `source` says where the value came from (a template's file name) in the audit row's note.
    """
    refuse_unless_reports_for(session, unit.id)
    period = check_period(period)
    text = actual_text(indicator.code, value_text)
    note = actual_note(indicator.code, note)
    if indicator.removed_at is not None:
        raise UserError(f"指标 {indicator.code} 已从新版计划中删除，不再填报。")
    if unit.id not in {u.unit_id for u in indicator.units}:
        names = "、".join(u.unit.name for u in indicator.units) or "无"
        raise UserError(f"“{unit.name}”不是指标 {indicator.code} 的责任单位（责任单位：{names}），未作任何更改。")
    row = session.scalar(
        select(IndicatorActual).where(
            IndicatorActual.indicator_id == indicator.id, IndicatorActual.unit_id == unit.id, IndicatorActual.period == period
        )
    )
    value = read_number(text)
    key = f"{indicator.code}/{unit.name}/{period}"
    if row is not None and (row.value_text, row.note) == (text, note):
        return False
    before = None if row is None else {"value_text": row.value_text, "value": row.value, "note": row.note, "version": row.version}
    if row is None:
        row = IndicatorActual(indicator_id=indicator.id, unit_id=unit.id, period=period, version=1)
        session.add(row)
    else:
        row.version += 1
    row.value_text, row.value, row.note = text, value, note
    row.entered_at, row.operator, row.login = utcnow(), operator, session_access(session).login
    session.flush()
    after = {"value_text": text, "value": value, "note": note, "version": row.version}
    note_text = f"从报送模板 {source} 导入" if source else None
    audit.record(session, "indicator.actual", "indicator_actual", key, before=before, after=after, operator=operator, note=note_text)
    return True


def _latest(actuals: list[IndicatorActual], period: str, unit_id: int | None = None) -> IndicatorActual | None:
    mine = [a for a in actuals if a.period <= period and (unit_id is None or a.unit_id == unit_id)]
    return max(mine, key=lambda a: (a.period, a.entered_at, a.id)) if mine else None


def actuals_by_indicator(session: Session, ids, period: str, unit_id: int | None = None) -> dict[int, list[IndicatorActual]]:
    """The actuals reported up to the month for these indicators (one unit's, or every unit's), by indicator."""
    query = select(IndicatorActual).where(IndicatorActual.indicator_id.in_(ids), IndicatorActual.period <= period)
    if unit_id is not None:
        query = query.where(IndicatorActual.unit_id == unit_id)
    found: dict[int, list[IndicatorActual]] = {}
    for actual in session.scalars(query):
        found.setdefault(actual.indicator_id, []).append(actual)
    return found


def indicator_standing(
    session: Session, plan_id: int, period: str, *, annex: int | None = None, unit: str | None = None
) -> list[IndicatorStanding]:
    """Every indicator of a plan (still printed in it) for a month, in document order; one annex's or one unit's."""
    period = check_period(period)
    query = indicator_query(plan_id, annex=annex, unit_ids=None if unit is None else select(Unit.id).where(Unit.name == unit))
    rows = session.execute(query).all()
    actuals = actuals_by_indicator(session, [ind.id for ind, _ in rows], period)
    names = dict(session.execute(select(Unit.id, Unit.name).join(IndicatorUnit, IndicatorUnit.unit_id == Unit.id)).all())
    out = []
    for ind, number in rows:
        target = target_in_force(list(ind.targets), period)
        latest = _latest(actuals.get(ind.id, []), period)
        out.append(
            IndicatorStanding(
                indicator_id=ind.id,
                code=ind.code,
                annex=number,
                name=ind.name,
                measure_unit=ind.measure_unit,
                direction=ind.direction,
                baseline_text=ind.baseline_text,
                targets=[(t.period, t.text, t.value) for t in ind.targets],
                frontier_text=ind.frontier_text,
                units=[names[u.unit_id] for u in ind.units],
                unit_ids=[u.unit_id for u in ind.units],
                source_line=ind.source_line,
                target_period=target.period if target else None,
                target_text=target.text if target else None,
                target_value=target.value if target else None,
                actual=_view(latest, names) if latest else None,
                standing=judge(ind.direction, target, latest),
            )
        )
    return out


def _view(actual: IndicatorActual, names: dict[int, str]) -> ActualView:
    return ActualView(names.get(actual.unit_id, ""), actual.period, actual.value_text, actual.value, actual.note, actual.version)


@dataclass(frozen=True)
class IndicatorProgress:
    """The 指标进展 of a month for the 通报: how many indicators stand where, and each one's line."""

    period: str
    counts: dict[str, int]
    lines: list[IndicatorStanding]

    @property
    def due(self) -> int:
        """Indicators whose first staged target has fallen due."""
        return sum(n for s, n in self.counts.items() if s != Standing.NOT_DUE)


def indicator_progress(session: Session, plan_id: int, period: str) -> IndicatorProgress:
    """The data of the 通报's 指标进展 section: counts by standing (in the Standing order) and every indicator's line."""
    lines = indicator_standing(session, plan_id, period)
    return IndicatorProgress(period, {s.value: sum(1 for x in lines if x.standing == s) for s in Standing}, lines)


def indicator_warnings(session: Session, plan_id: int, period: str) -> list[IndicatorStanding]:
    """The indicators behind the target due by the month's end, or due with no actual reported: each a warning."""
    return [s for s in indicator_standing(session, plan_id, period) if s.is_warning]


def unit_indicator_counts(session: Session, plan_id: int, period: str) -> dict[int, tuple[int, int]]:
    """Per unit: (met, assessed) over its indicators whose target is due and numeric, judged by its own latest actual.

    A unit that reported nothing for a due indicator is assessed and not met; one whose value has no
    number is not assessed (无法比较), so 指标达标率 = met / assessed counts only what can be judged.
    """
    period = check_period(period)
    indicators = session.scalars(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.removed_at.is_(None))).all()
    actuals = actuals_by_indicator(session, [i.id for i in indicators], period)
    counts: dict[int, tuple[int, int]] = {}
    for ind in indicators:
        target = target_in_force(list(ind.targets), period)
        if target is None or target.value is None:
            continue
        for iu in ind.units:
            standing = judge(ind.direction, target, _latest(actuals.get(ind.id, []), period, iu.unit_id))
            if standing == Standing.UNKNOWN:
                continue
            met, assessed = counts.get(iu.unit_id, (0, 0))
            counts[iu.unit_id] = (met + (standing == Standing.MET), assessed + 1)
    return counts


def actuals_of(session: Session, indicator_id: int) -> list[ActualView]:
    """Every actual of an indicator, month by month, for its history and a trend chart."""
    rows = session.execute(
        select(IndicatorActual, Unit.name)
        .join(Unit, Unit.id == IndicatorActual.unit_id)
        .where(IndicatorActual.indicator_id == indicator_id)
        .order_by(IndicatorActual.period, Unit.name)
    ).all()
    return [ActualView(name, a.period, a.value_text, a.value, a.note, a.version) for a, name in rows]
