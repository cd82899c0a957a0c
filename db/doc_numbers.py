"""The dates and running numbers of the documents the office issues: 成文日期, 期号/发文字号, 督办通知单 numbers.

成文日期.  Reports for period P are due on report_deadline(P, settings.report_day) (the 10th of the
next month by default).  A document about P made while P runs or before that deadline is dated
today; one made later is dated the deadline itself, so the 2022-12 通报 made in 2026 is dated
2023年1月10日: a day in the month after the period, as the office would have issued it.  A date
before P starts is refused.  The reply deadline a document sets (整改情况书面反馈) is counted from its
own 成文日期 (settings.reply_days later), so it is never earlier than the document.

Numbers.  Each series runs per year of the 成文日期 and is kept in the ledger (LedgerInfo rows
``docno.<series>.<year>``, a JSON map subject → number):
- the 通报 ("report"): one number per period; re-making a period's 通报 reuses it, a new period takes
  the next free number, and the clerk may set it (recorded in the audit log);
- the 督办通知单 ("notice"): one number per (period, unit), new units numbered in name order.
Numbers are looked up before a document is laid out and recorded after it was written, so a
cancelled or failed export burns no number.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from db import audit
from db.errors import UserError
from db.models import LedgerInfo
from db.periods import chinese_date, chinese_period, period_start, report_deadline

REPORT = "report"
NOTICE = "notice"
SERIES_NAMES = {REPORT: "通报", NOTICE: "督办通知单"}
MAX_NUMBER = 9999


def default_issue_date(period: str, report_day: int, today: dt.date | None = None) -> dt.date:
    """The 成文日期 a document about period gets unless the clerk chooses one (see the module's rule)."""
    today = today or dt.date.today()
    deadline = report_deadline(period, report_day)
    if today > deadline:
        return deadline
    return max(today, period_start(period))


def check_issue_date(period: str, day: dt.date) -> dt.date:
    """A 成文日期 chosen by the clerk: not before the period it reports on."""
    if day < period_start(period):
        raise UserError(f"成文日期{chinese_date(day)}早于报送期间{chinese_period(period)}，请选择该期间开始以后的日期。")
    return day


def parse_issue_date(text: str) -> dt.date:
    """A --date given as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"成文日期“{text}”格式不正确，应为“年-月-日”，例如 2023-01-10。") from None


def reply_deadline(issued: dt.date, reply_days: int) -> dt.date:
    """整改情况书面反馈 is due this many days after the document's own date."""
    return issued + dt.timedelta(days=reply_days)


def _key(series: str, year: int) -> str:
    return f"docno.{series}.{year}"


def numbers_of(session: Session, series: str, year: int) -> dict[str, int]:
    """Every number given in a series and year: subject → number."""
    row = session.get(LedgerInfo, _key(series, year))
    return {k: int(v) for k, v in json.loads(row.value).items()} if row is not None else {}


def notice_subject(period: str, unit: str) -> str:
    return f"{period}|{unit}"


def next_numbers(session: Session, series: str, year: int, subjects: list[str], *, first: int | None = None) -> dict[str, int]:
    """The numbers these subjects carry: their own if given before, else the next free ones in order.

    first, when given, is the number the clerk chose for the first subject; it must not be another
    subject's number already.  Nothing is written (see record_numbers).
    """
    given = numbers_of(session, series, year)
    taken = {n: s for s, n in given.items()}
    out: dict[str, int] = {}
    if first is not None and subjects:
        if not 1 <= first <= MAX_NUMBER:
            raise UserError(f"编号“{first}”无效，应为 1 到 {MAX_NUMBER} 之间的整数。")
        owner = taken.get(first)
        if owner is not None and owner != subjects[0]:
            raise UserError(f"{year}年{SERIES_NAMES[series]}第{first}号已用于{_subject_text(owner)}，请换一个编号。")
        out[subjects[0]] = first
    following = max([*given.values(), *out.values(), 0]) + 1
    for subject in subjects:
        if subject in out:
            continue
        if subject in given:
            out[subject] = given[subject]
        else:
            out[subject] = following
            following += 1
    return out


def record_numbers(session: Session, series: str, year: int, numbers: dict[str, int], *, operator: str | None = None) -> None:
    """Keep the numbers a written document carries; each new or changed one goes to the audit log.

    Only the office's documents are numbered for the record: on a server ledger a unit's or a reader's
    copy is a preview, and its number is not kept (the server would refuse it).
    """
    from db.accounts import session_access

    if not session_access(session).is_office:
        return
    given = numbers_of(session, series, year)
    changed = {s: n for s, n in numbers.items() if given.get(s) != n}
    if not changed:
        return
    taken = {n: s for s, n in given.items() if s not in changed}
    for subject, number in changed.items():
        if number in taken:
            raise UserError(f"{year}年{SERIES_NAMES[series]}第{number}号已用于{_subject_text(taken[number])}，请换一个编号。")
    for subject, number in changed.items():
        audit.record(
            session, "doc_number.set", "doc_number", f"{series}.{year}.{subject}",
            before={"number": given.get(subject)}, after={"number": number}, operator=operator,
        )
    given.update(changed)
    value = json.dumps(given, ensure_ascii=False, sort_keys=True)
    row = session.get(LedgerInfo, _key(series, year))
    if row is None:
        session.add(LedgerInfo(key=_key(series, year), value=value))
    else:
        row.value = value


def _subject_text(subject: str) -> str:
    period, _, unit = subject.partition("|")
    return f"{chinese_period(period)}" + (f"{unit}的督办通知单" if unit else "的通报")


def number_text(doc_code: str, year: int, number: int) -> str:
    """The 通报's number line: 三营商办〔2023〕3号 (GB/T 9704 7.2.5) with a 发文机关代字, else 第3期."""
    code = doc_code.strip()
    return f"{code}〔{year}〕{number}号" if code else f"第{number}期"


def notice_number_text(year: int, number: int) -> str:
    """A 督办通知单's number: 督办〔2023〕5号."""
    return f"督办〔{year}〕{number}号"
