"""A unit's indicators for one month as the batch grid shows them, and their actuals saved with the month's reports.

The grid lists every indicator the unit answers for that is still printed in the plan, with the
target it must meet (the one in force, or else the next one due, with its month), the unit's latest
actual before the month, and this month's if there is one.  Saving goes through report_actual in the
caller's transaction, so the reports and the values are written together or not at all.  There is no
way to delete a reported actual: an emptied cell leaves the stored value as it is.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import UserError
from db.indicator_actuals import ActualView, actual_note, actual_text, actuals_by_indicator, report_actual, target_in_force
from db.indicators import indicator_query
from db.ledger import find_unit, resolve_plan_id
from db.models import Indicator, IndicatorActual
from db.periods import check_period
from db.progress import BatchOutcome, ProgressInput, save_batch


@dataclass(frozen=True)
class IndicatorEntryRow:
    """One indicator in the unit's month: what it must reach, what the unit reported before and now."""

    indicator_id: int
    code: str
    annex: int
    name: str
    measure_unit: str | None
    direction: str
    targets: list[tuple[str, str]]
    target_period: str | None
    target_text: str | None
    target_in_force: bool
    previous: ActualView | None
    current: ActualView | None


@dataclass(frozen=True)
class ActualInput:
    """A value typed in the grid: `version` is the month's stored version when the grid loaded (None: none stored)."""

    indicator_id: int
    value_text: str
    note: str | None
    version: int | None


@dataclass(frozen=True)
class ActualsOutcome:
    """How many of the month's actuals were new, changed, or already so."""

    added: int
    updated: int
    unchanged: int


def unit_indicator_rows(session: Session, unit: str, period: str, *, plan_id: int | None = None) -> list[IndicatorEntryRow]:
    """Every indicator the unit answers for (not removed), in document order, for the month's grid."""
    pid = resolve_plan_id(session, plan_id)
    period = check_period(period)
    found = find_unit(session, unit)
    rows = session.execute(indicator_query(pid, unit_ids=[found.id])).all()
    mine = actuals_by_indicator(session, [ind.id for ind, _ in rows], period, found.id)
    out = []
    for ind, number in rows:
        targets = sorted(ind.targets, key=lambda t: t.period)
        target = target_in_force(targets, period) or next((t for t in targets if t.period > period), None)
        actuals = mine.get(ind.id, [])
        current = next((a for a in actuals if a.period == period), None)
        earlier = [a for a in actuals if a.period < period]
        previous = max(earlier, key=lambda a: a.period) if earlier else None
        out.append(
            IndicatorEntryRow(
                indicator_id=ind.id,
                code=ind.code,
                annex=number,
                name=ind.name,
                measure_unit=ind.measure_unit,
                direction=ind.direction,
                targets=[(t.period, t.text) for t in targets],
                target_period=target.period if target else None,
                target_text=target.text if target else None,
                target_in_force=target is not None and target.period <= period,
                previous=_view(previous, found.name),
                current=_view(current, found.name),
            )
        )
    return out


def _view(actual: IndicatorActual | None, unit: str) -> ActualView | None:
    return None if actual is None else ActualView(unit, actual.period, actual.value_text, actual.value, actual.note, actual.version)


def save_actuals(
    session: Session, unit: str, period: str, inputs: list[ActualInput], *, operator: str | None = None, row_numbers: list[int] | None = None
) -> ActualsOutcome:
    """The grid's changed values in the caller's transaction: all saved, or a UserError listing every problem.

    A value someone else saved for the month since the grid loaded (its version moved on) is refused
    rather than overwritten.  row_numbers are the grid lines the inputs come from, for the messages.
    """
    period = check_period(period)
    found = find_unit(session, unit)
    numbers = list(row_numbers or range(1, len(inputs) + 1))
    problems, outcomes = [], []
    for number, entry in zip(numbers, inputs, strict=True):
        indicator = session.get(Indicator, entry.indicator_id)
        if indicator is None:
            problems.append(f"指标第 {number} 行：该指标已不在台账中，请关闭后重新打开本表。")
            continue
        where = f"指标第 {number} 行（{indicator.code}）："
        try:
            actual_text(indicator.code, entry.value_text)
            actual_note(indicator.code, entry.note)
            stored = session.scalar(
                select(IndicatorActual.version).where(
                    IndicatorActual.indicator_id == indicator.id, IndicatorActual.unit_id == found.id, IndicatorActual.period == period
                )
            )
            if stored != entry.version:
                raise UserError(f"指标 {indicator.code} 本期实际值在您编辑期间已被他人修改，未覆盖；请关闭后重新打开本表核对。")
            changed = report_actual(session, indicator, found, period, entry.value_text, note=entry.note, operator=operator)
        except UserError as exc:
            problems.append(where + exc.message)
            continue
        outcomes.append("unchanged" if not changed else "added" if entry.version is None else "updated")
    if problems:
        raise UserError("本批指标实际值未保存：", problems)
    return ActualsOutcome(outcomes.count("added"), outcomes.count("updated"), outcomes.count("unchanged"))


def save_unit_month(
    session: Session,
    unit: str,
    period: str,
    entries: list[ProgressInput],
    actuals: list[ActualInput],
    *,
    operator: str | None = None,
    report_rows: list[int] | None = None,
    actual_rows: list[int] | None = None,
    confirmed: Collection[str] = (),
) -> tuple[BatchOutcome, ActualsOutcome]:
    """A unit's month from the batch grid, reports and indicator values, in the caller's transaction.

    Every problem of either kind is listed in one UserError, and the caller's transaction then writes
    nothing of both: a refused report keeps the values out, and a refused value the reports.
    """
    problems: list[str] = []
    values = reports = None
    try:
        values = save_actuals(session, unit, period, actuals, operator=operator, row_numbers=actual_rows)
    except UserError as exc:
        problems += list(exc.details) or [exc.message]
    try:
        reports = save_batch(session, entries, operator=operator, row_numbers=report_rows, confirmed=confirmed)
    except UserError as exc:
        problems += list(exc.details) or [exc.message]
    if problems or values is None or reports is None:
        raise UserError("本批未保存：", problems)
    return reports, values
