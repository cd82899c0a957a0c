"""The ledger side of a 报送模板's 指标 sheet: the indicators a unit answers for, and the actuals read back.

The sheet prints, per indicator, its locked cells (编号 … 上期实际值); the template's signed 标识 keeps a
fingerprint of them, the version of the unit's actual for the period it was made from and a digest of
the value it was pre-filled with.  Applying a filled row goes through report_actual, and never
overwrites an actual someone changed after the template was made: such a row is a conflict.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.indicator_actuals import actuals_by_indicator, report_actual, target_in_force
from db.indicators import indicator_query
from db.models import Indicator, IndicatorActual, Unit
from db.periods import chinese_period
from db.template_import import RowConflict, RowProblem

# The locked cells of a row, in the sheet's order; the fingerprint is taken over them as printed.
LOCKED = ("code", "annex", "name", "measure", "direction", "target", "previous")
NO_TARGET = "未设阶段目标"
SAME_AS_NAME = "见指标名称"


def _clean(text) -> str:
    return str(text if text is not None else "").replace("\r\n", "\n").strip()


def indicator_fingerprint(cells: dict[str, str]) -> str:
    """Detects a locked cell changed in the file, or an indicator changed in the ledger, since export."""
    raw = "\x1f".join(_clean(cells.get(key)) for key in LOCKED)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def actual_digest(value: tuple[str, str | None] | None) -> str:
    """Fingerprint of an actual's content (value, note); a template keeps the one it was pre-filled with."""
    payload = json.dumps(list(value) if value is not None else None, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def target_cell(indicator: Indicator, period: str) -> str:
    """The target the unit must reach by this month, or the next one due, with its 期限 (month) as the sheet prints it.

    A goal clause is its own target (落地实施第一批50件…): the cell then points to the name rather than print it twice.
    """
    targets = list(indicator.targets)
    target = target_in_force(targets, period)
    pending = target is None
    if pending:
        later = [t for t in targets if t.period > period]
        if not later:
            return NO_TARGET
        target = min(later, key=lambda t: t.period)
    text = _clean(target.text)
    wording = SAME_AS_NAME if text == _clean(indicator.name) else text
    return f"{wording}\n期限：{chinese_period(target.period)}" + ("（未到期）" if pending else "")


def previous_cell(actual: IndicatorActual | None) -> str:
    """The unit's latest actual before the month, with its month."""
    return f"{chinese_period(actual.period)}：{actual.value_text}" if actual is not None else ""


@dataclass
class UnitIndicator:
    """One row of a unit's 指标 sheet: the locked cells as printed, and the unit's actual for the period."""

    cells: dict[str, str]
    current: tuple[str, str | None] | None  # (value, note) already reported for the period
    version: int

    @property
    def code(self) -> str:
        return self.cells["code"]

    @property
    def fingerprint(self) -> str:
        return indicator_fingerprint(self.cells)


def _cells(indicator: Indicator, annex: int, period: str, previous: IndicatorActual | None) -> dict[str, str]:
    return {
        "code": indicator.code,
        "annex": str(annex),
        "name": _clean(indicator.name),
        "measure": _clean(indicator.measure_unit),
        "direction": indicator.direction,
        "target": target_cell(indicator, period),
        "previous": previous_cell(previous),
    }


def _unit_rows(session: Session, unit: Unit, plan_id: int, codes: list[str] | None = None) -> list[tuple[Indicator, int]]:
    query = indicator_query(plan_id, unit_ids=[unit.id], printed_only=False)
    if codes is not None:
        query = query.where(Indicator.code.in_(codes))
    return list(session.execute(query).all())


def _actuals(session: Session, unit: Unit, ids: list[int], period: str) -> tuple[dict[int, IndicatorActual], dict[int, IndicatorActual]]:
    """The unit's actual for the period, and its latest before it, per indicator."""
    current: dict[int, IndicatorActual] = {}
    previous: dict[int, IndicatorActual] = {}
    for indicator_id, reported in actuals_by_indicator(session, ids, period, unit.id).items():
        for a in reported:
            if a.period == period:
                current[indicator_id] = a
            elif indicator_id not in previous or a.period > previous[indicator_id].period:
                previous[indicator_id] = a
    return current, previous


def unit_indicators(session: Session, unit: Unit, period: str, plan_id: int) -> list[UnitIndicator]:
    """The indicators a unit answers for that the plan still prints, in document order, with its actuals."""
    rows = [(ind, annex) for ind, annex in _unit_rows(session, unit, plan_id) if ind.removed_at is None]
    current, previous = _actuals(session, unit, [ind.id for ind, _ in rows], period)
    out = []
    for ind, annex in rows:
        now = current.get(ind.id)
        out.append(
            UnitIndicator(
                cells=_cells(ind, annex, period, previous.get(ind.id)),
                current=(now.value_text, now.note) if now is not None else None,
                version=now.version if now is not None else 0,
            )
        )
    return out


@dataclass
class IndicatorRow:
    """A filled row of the 指标 sheet read back, with what the template recorded when it was made."""

    row: int
    cells: dict[str, str]  # the locked cells as read from the file
    fingerprint: str
    base_version: int
    base_digest: str
    value_text: str
    note: str | None

    @property
    def code(self) -> str:
        return self.cells["code"]

    @property
    def content(self) -> tuple[str, str | None]:
        return (self.value_text.strip(), (self.note or "").strip() or None)


@dataclass
class IndicatorsApplied:
    """What applying one template's 指标 sheet did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[RowConflict] = field(default_factory=list)


MEANING = ("name", "measure", "direction")


def check_indicator_rows(session: Session, unit: Unit, plan_id: int, period: str, rows: list[IndicatorRow]) -> list[RowProblem]:
    """Problems of filled 指标 rows against the ledger: unknown, removed or no longer the unit's indicator, locked cells edited, or corrected since export."""
    found = {ind.code: (ind, annex) for ind, annex in _unit_rows(session, unit, plan_id, [r.code for r in rows])}
    known = set(session.scalars(select(Indicator.code).where(Indicator.plan_id == plan_id, Indicator.code.in_([r.code for r in rows]))))
    _current, previous = _actuals(session, unit, [ind.id for ind, _ in found.values()], period)
    problems = []
    for r in rows:
        if r.code not in known:
            problems.append(RowProblem(r.row, "code", f"指标编号“{r.code}”不在台账的计划中。"))
            continue
        if r.code not in found:
            problems.append(RowProblem(r.row, "code", f"单位“{unit.name}”不是指标 {r.code} 的责任单位（责任分工在导出模板后已更改），请重新导出模板。"))
            continue
        ind, annex = found[r.code]
        if ind.removed_at is not None:
            problems.append(RowProblem(r.row, "code", f"指标 {r.code} 已从新版计划中删除，不再填报；请重新导出模板。"))
            continue
        now = _cells(ind, annex, period, previous.get(ind.id))
        if indicator_fingerprint(r.cells) != r.fingerprint:  # a locked cell was edited in the file
            edited = [key for key in LOCKED if _clean(r.cells.get(key)) != _clean(now[key])] or ["code"]
            for key in edited:
                problems.append(RowProblem(r.row, key, f"灰底列为指标信息，不可修改（应为“{_short(now[key])}”）。"))
        elif any(_clean(r.cells[key]) != _clean(now[key]) for key in MEANING):
            problems.append(RowProblem(r.row, "code", f"指标 {r.code} 的名称、计量单位或方向在导出模板后已在台账中更正，请重新导出模板后填报。"))
    return problems


def _short(text: str, width: int = 30) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[:width] + "……"


def apply_indicator_rows(
    session: Session, unit: Unit, period: str, plan_id: int, rows: list[IndicatorRow], *, operator: str | None, source: str
) -> IndicatorsApplied:
    """Write checked rows through report_actual in the caller's transaction; an actual changed since export is a conflict.

    A row equal to the ledger is unchanged whatever the versions; a row the unit left as it was
    pre-filled is unchanged too.
    """
    indicators = {ind.code: ind for ind, _ in _unit_rows(session, unit, plan_id, [r.code for r in rows])}
    stored = {
        a.indicator_id: a
        for a in session.scalars(
            select(IndicatorActual).where(
                IndicatorActual.unit_id == unit.id, IndicatorActual.period == period, IndicatorActual.indicator_id.in_([i.id for i in indicators.values()])
            )
        )
    }
    applied = IndicatorsApplied()
    for r in rows:
        indicator = indicators[r.code]
        current = stored.get(indicator.id)
        if (current is not None and (current.value_text, current.note) == r.content) or actual_digest(r.content) == r.base_digest:
            applied.unchanged += 1
            continue
        version = current.version if current is not None else 0
        if version != r.base_version:
            ledger_side = f"第 {version} 版：“{_short(current.value_text)}”" if current is not None else "已无该实际值"
            applied.conflicts.append(
                RowConflict(
                    r.row,
                    r.code,
                    f"指标 {r.code} 的本期实际值在导出模板后已在台账中修改（{ledger_side}），与文件所填（“{_short(r.content[0])}”）不同，"
                    "未覆盖；请核对后在台账中处理，或重新导出模板请单位填报。",
                )
            )
            continue
        report_actual(session, indicator, unit, period, r.content[0], note=r.content[1], operator=operator, source=source)
        if current is None:
            applied.added += 1
        else:
            applied.updated += 1
    return applied
