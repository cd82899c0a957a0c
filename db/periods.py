"""Reporting periods: months written YYYY-MM, and the dates that bound them."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from db.errors import UserError

RE_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def check_period(period: str) -> str:
    """A reporting period is a month written YYYY-MM."""
    m = RE_PERIOD.match((period or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise UserError(f"报送期间“{period}”格式不正确，应为“年-月”，例如 2022-06。")
    return period.strip()


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_end(period: str) -> dt.date:
    """The last day of the month: the reference date warnings are judged at."""
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_start(period: str) -> dt.date:
    return dt.date(int(period[:4]), int(period[5:7]), 1)


def shift_period(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def periods_between(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive."""
    out = []
    while first <= last:
        out.append(first)
        first = shift_period(first, 1)
    return out


def chinese_period(period: str) -> str:
    return f"{int(period[:4])}年{int(period[5:7])}月"


def chinese_date(day: dt.date) -> str:
    """2023年1月10日: how every document of the office writes a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def report_deadline(period: str, report_day: int) -> dt.date:
    """The day a month's reports are due: the report_day-th of the next month (OfficeSettings.report_day)."""
    return period_end(period) + dt.timedelta(days=report_day)
