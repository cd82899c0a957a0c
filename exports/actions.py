"""The exports and imports as the command line and the window run them: read the ledger, write the file.

Each takes an open ledger and an optional JobControl, so the window can show progress and cancel.  A disk error
while writing (full, read-only, no permission) comes out as a UserError naming the file or folder chosen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db.doc_numbers import NOTICE, REPORT, check_issue_date, default_issue_date, next_numbers, notice_subject, record_numbers
from db.engine import Ledger
from db.errors import writing_to
from db.files import check_output
from db.jobs import JobControl
from db.report_data import PeriodReport, period_report
from db.settings import load_settings


def _report(ledger: Ledger, period: str, unit: str | None = None) -> PeriodReport:
    with ledger.Session() as session:
        return period_report(session, period, unit=unit)


def write_ledger(ledger: Ledger, path: str | Path, *, period: str, unit: str | None = None, control: JobControl | None = None) -> list[Path]:
    """The 工作台账 workbook: the whole plan, or one unit's 牵头 and 配合 tasks."""
    from db.decisions import sign_off_facts
    from db.indicator_actuals import indicator_standing
    from db.ledger import resolve_plan_id
    from exports.excel_ledger import export_ledger

    report = _report(ledger, period, unit)
    with ledger.Session() as session:
        plan_id = resolve_plan_id(session, None)
        sign_offs = sign_off_facts(session, plan_id, report.reference)
        indicators = indicator_standing(session, plan_id, period, unit=unit)
    with writing_to(path):
        return [export_ledger(report, Path(path), sign_offs=sign_offs, control=control, indicators=indicators)]


def write_warnings(ledger: Ledger, path: str | Path, *, period: str, control: JobControl | None = None) -> list[Path]:
    """The warning list: overdue, due soon or lagging, and not reported."""
    from db.indicator_actuals import indicator_warnings
    from db.ledger import resolve_plan_id
    from exports.excel_ledger import export_warnings

    report = _report(ledger, period)
    with ledger.Session() as session:
        warnings = indicator_warnings(session, resolve_plan_id(session, None), period)
    with writing_to(path):
        return [export_warnings(report, Path(path), control=control, indicators=warnings)]


def issue_date(ledger: Ledger, period: str, date: dt.date | None = None, today: dt.date | None = None) -> dt.date:
    """The 成文日期 of a document about period: the one chosen (not before the period), else the default rule
    (db.doc_numbers.default_issue_date: today, or the period's report deadline once that has passed)."""
    if date is not None:
        return check_issue_date(period, date)
    with ledger.Session() as session:
        return default_issue_date(period, load_settings(session).report_day, today)


def write_monthly_report(
    ledger: Ledger,
    path: str | Path,
    *,
    period: str,
    date: dt.date | None = None,
    number: int | None = None,
    operator: str | None = None,
    control: JobControl | None = None,
) -> list[Path]:
    """The monthly 工作进展情况通报 as PDF, dated and numbered: the period keeps its number when made again,
    a new period takes the next free one of the 成文日期's year, and a number the clerk sets is recorded.  A month past
    its 报送截止日 has its 综合考评 stored first (db.assessment.settled_month), so the 通报 prints what the ledger keeps."""
    from db.acts import acts_for_circular
    from db.assessment import settled_month
    from db.ledger import resolve_plan_id
    from exports.pdf.monthly import monthly_report

    issued = issue_date(ledger, period, date)
    check_output(path)  # a refused target leaves the ledger as it was: nothing stored before the check
    if not ledger.read_only:
        with ledger.Session.begin() as session:  # the 综合考评 it prints is the month's stored one from now on
            settled_month(session, resolve_plan_id(session, None), period, operator)
    with ledger.Session() as session:
        numbers = next_numbers(session, REPORT, issued.year, [period], first=number)
        acts = acts_for_circular(session, resolve_plan_id(session, None), period)
    report = _report(ledger, period)
    with writing_to(path):
        written = monthly_report(report, Path(path), control=control, issued=issued, number=numbers[period], acts=acts)
    with ledger.Session.begin() as session:
        record_numbers(session, REPORT, issued.year, numbers, operator=operator)
    return [written]


def write_notices(
    ledger: Ledger, out_dir: str | Path, *, period: str, date: dt.date | None = None, operator: str | None = None, control: JobControl | None = None
) -> list[Path]:
    """One 督办通知单 PDF per lead unit with overdue tasks, each numbered in the year's 督办 series."""
    from exports.pdf.notices import overdue_by_unit, supervision_notices

    issued = issue_date(ledger, period, date)
    report = _report(ledger, period)
    units = list(overdue_by_unit(report))
    with ledger.Session() as session:
        given = next_numbers(session, NOTICE, issued.year, [notice_subject(period, u) for u in units])
    numbers = {unit: given[notice_subject(period, unit)] for unit in units}
    with writing_to(out_dir):
        written = supervision_notices(report, Path(out_dir), control=control, issued=issued, numbers=numbers)
    with ledger.Session.begin() as session:
        record_numbers(session, NOTICE, issued.year, given, operator=operator)
    return written


def write_templates(ledger: Ledger, out_dir: str | Path, *, period: str, unit: str | None = None, control: JobControl | None = None) -> list[Path]:
    """One 报送模板 workbook per unit (or for one unit) for the period."""
    from exports.unit_template import export_templates

    with writing_to(out_dir):
        return export_templates(ledger, Path(out_dir), period=period, unit=unit, control=control)


def write_packet(
    ledger: Ledger, path: str | Path, *, period: str, unit: str | None = None, operator: str | None = None, control: JobControl | None = None
) -> list[Path]:
    """A field packet for a laptop: the chosen unit's tasks (or all) with recent history, signed by its exporter."""
    from db.packets import export_packet

    units = [unit] if unit else None
    with writing_to(path):
        return [export_packet(ledger, Path(path), period=period, units=units, operator=operator, control=control)]
