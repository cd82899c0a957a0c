"""The exports and imports as the command line and the window run them: read the ledger, write the file.

Each takes an open ledger and an optional JobControl, so the window can show progress and cancel.
"""

from __future__ import annotations

from pathlib import Path

from db.engine import Ledger
from db.jobs import JobControl
from db.report_data import PeriodReport, period_report


def _report(ledger: Ledger, period: str, unit: str | None = None) -> PeriodReport:
    with ledger.Session() as session:
        return period_report(session, period, unit=unit)


def write_ledger(ledger: Ledger, path: str | Path, *, period: str, unit: str | None = None, control: JobControl | None = None) -> list[Path]:
    """The 工作台账 workbook: the whole plan, or one unit's 牵头 and 配合 tasks."""
    from db.decisions import sign_off_facts
    from db.ledger import resolve_plan_id
    from exports.excel_ledger import export_ledger

    report = _report(ledger, period, unit)
    with ledger.Session() as session:
        sign_offs = sign_off_facts(session, resolve_plan_id(session, None), report.reference)
    return [export_ledger(report, Path(path), sign_offs=sign_offs, control=control)]


def write_warnings(ledger: Ledger, path: str | Path, *, period: str, control: JobControl | None = None) -> list[Path]:
    """The warning list: overdue, due soon or lagging, and not reported."""
    from exports.excel_ledger import export_warnings

    return [export_warnings(_report(ledger, period), Path(path), control=control)]


def write_monthly_report(ledger: Ledger, path: str | Path, *, period: str, control: JobControl | None = None) -> list[Path]:
    """The monthly 工作进展情况通报 as PDF."""
    from exports.pdf_report import monthly_report

    return [monthly_report(_report(ledger, period), Path(path), control=control)]


def write_notices(ledger: Ledger, out_dir: str | Path, *, period: str, control: JobControl | None = None) -> list[Path]:
    """One 督办通知单 PDF per lead unit with overdue tasks."""
    from exports.pdf_report import supervision_notices

    return supervision_notices(_report(ledger, period), Path(out_dir), control=control)


def write_templates(ledger: Ledger, out_dir: str | Path, *, period: str, unit: str | None = None, control: JobControl | None = None) -> list[Path]:
    """One 报送模板 workbook per unit (or for one unit) for the period."""
    from exports.unit_template import export_templates

    return export_templates(ledger, Path(out_dir), period=period, unit=unit, control=control)


def write_packet(
    ledger: Ledger, path: str | Path, *, period: str, unit: str | None = None, operator: str | None = None, control: JobControl | None = None
) -> list[Path]:
    """A field packet for a laptop: the chosen unit's tasks (or all) with recent history, signed by its exporter."""
    from db.packets import export_packet

    units = [unit] if unit else None
    return [export_packet(ledger, Path(path), period=period, units=units, operator=operator, control=control)]
