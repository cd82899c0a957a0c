"""Reporting periods: months written YYYY-MM, and the dates that bound them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from db.errors import UserError

RE_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100
# How clerks write a month: 2023-01, 2023-1, 2023.1, 2023/1, 2023年1月, 2023年01月 and 202301.
RE_TYPED_MONTH = re.compile(r"([0-9]{4})\s*(?:[-./]\s*([0-9]{1,2})|年\s*([0-9]{1,2})\s*月?|([0-9]{2}))", re.ASCII)
MONTH_FORMS = "2023-01、2023-1、2023年1月 或 202301"


def check_period(period: str) -> str:
    """A reporting period is a month written YYYY-MM."""
    m = RE_PERIOD.match((period or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        raise UserError(f"报送期间“{period}”格式不正确，应为“年-月”，例如 2022-06。")
    return period.strip()


def parse_period(text: str) -> str:
    """The month a clerk typed, in any of MONTH_FORMS (full-width digits too), as canonical YYYY-MM.

    Raises UserError with a Chinese sentence for anything else: no such month, a year outside
    2000–2100, or text that is not a month at all.
    """
    raw = text if isinstance(text, str) else ""
    shown = raw.strip()[:20] + ("…" if len(raw.strip()) > 20 else "")
    typed = unicodedata.normalize("NFKC", raw[:100]).strip()  # full-width ２０２３／１ becomes 2023/1
    m = RE_TYPED_MONTH.fullmatch(typed) if len(raw) <= 100 else None
    if not typed:
        raise UserError(f"请填写报送期间，例如 {MONTH_FORMS}。")
    if not m:
        raise UserError(f"报送期间“{shown}”不是月份，请写成 {MONTH_FORMS}。")
    year, month = int(m.group(1)), int(next(g for g in m.groups()[1:] if g is not None))
    if not 1 <= month <= 12:
        raise UserError(f"报送期间“{shown}”的月份 {month} 不存在，月份应为 1 到 12。")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UserError(f"报送期间“{shown}”的年份 {year} 超出范围，应在 {FIRST_YEAR} 到 {LAST_YEAR} 年之间。")
    return f"{year:04d}-{month:02d}"


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
