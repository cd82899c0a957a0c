"""The 成文日期 a document gets and the running numbers the ledger keeps for the 通报 and the 督办通知单."""

import datetime as dt

import pytest
from sqlalchemy import select

from db.doc_numbers import (
    NOTICE,
    REPORT,
    check_issue_date,
    default_issue_date,
    next_numbers,
    notice_subject,
    number_text,
    numbers_of,
    parse_issue_date,
    record_numbers,
    reply_deadline,
)
from db.errors import UserError
from db.models import AuditLog


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2022, 12, 20), dt.date(2022, 12, 20)),  # while the period runs: today
        (dt.date(2023, 1, 8), dt.date(2023, 1, 8)),  # before the reports are due: today
        (dt.date(2023, 1, 10), dt.date(2023, 1, 10)),
        (dt.date(2023, 1, 11), dt.date(2023, 1, 10)),  # later: the report deadline, in the month after
        (dt.date(2026, 12, 4), dt.date(2023, 1, 10)),
        (dt.date(2022, 11, 15), dt.date(2022, 12, 1)),  # a period not yet begun: its first day, never before it
    ],
)
def test_default_issue_date(today, expected):
    assert default_issue_date("2022-12", 10, today) == expected


def test_default_follows_the_report_day_setting():
    assert default_issue_date("2022-06", 5, dt.date(2024, 3, 1)) == dt.date(2022, 7, 5)


def test_a_date_before_the_period_is_refused_in_chinese():
    assert check_issue_date("2022-12", dt.date(2022, 12, 1)) == dt.date(2022, 12, 1)
    with pytest.raises(UserError, match="成文日期2022年11月30日早于报送期间2022年12月"):
        check_issue_date("2022-12", dt.date(2022, 11, 30))
    with pytest.raises(UserError, match="格式不正确"):
        parse_issue_date("2023/1/10")


def test_reply_deadline_is_counted_from_the_document_date():
    issued = default_issue_date("2022-12", 10, dt.date(2026, 12, 4))
    assert reply_deadline(issued, 10) == dt.date(2023, 1, 20) > issued


def test_number_text():
    assert number_text("", 2023, 3) == "第3期"
    assert number_text("三营商办", 2023, 3) == "三营商办〔2023〕3号"


def test_report_numbers_are_reused_per_period_and_run_on_per_year(ledger):
    with ledger.Session.begin() as s:
        december = next_numbers(s, REPORT, 2023, ["2022-12"])
        assert december == {"2022-12": 1}
        record_numbers(s, REPORT, 2023, december, operator="李四")
    with ledger.Session.begin() as s:
        assert next_numbers(s, REPORT, 2023, ["2022-12"]) == {"2022-12": 1}, "a draft made again burns no number"
        january = next_numbers(s, REPORT, 2023, ["2023-01"])
        assert january == {"2023-01": 2}
        record_numbers(s, REPORT, 2023, january, operator="李四")
        assert next_numbers(s, REPORT, 2024, ["2023-12"]) == {"2023-12": 1}, "a new year starts at 1"


def test_the_clerk_sets_a_number_and_it_is_audited(ledger):
    with ledger.Session.begin() as s:
        record_numbers(s, REPORT, 2023, next_numbers(s, REPORT, 2023, ["2022-12"]), operator="李四")
    with ledger.Session.begin() as s:
        with pytest.raises(UserError, match="2023年通报第1号已用于2022年12月的通报"):
            next_numbers(s, REPORT, 2023, ["2023-01"], first=1)
        chosen = next_numbers(s, REPORT, 2023, ["2023-01"], first=7)
        record_numbers(s, REPORT, 2023, chosen, operator="王五")
    with ledger.Session.begin() as s:
        assert numbers_of(s, REPORT, 2023) == {"2022-12": 1, "2023-01": 7}
        assert next_numbers(s, REPORT, 2023, ["2023-02"]) == {"2023-02": 8}
        rows = s.scalars(select(AuditLog).where(AuditLog.action == "doc_number.set").order_by(AuditLog.id)).all()
    assert [(r.entity_key, r.before["number"], r.after["number"], r.operator) for r in rows] == [
        ("report.2023.2022-12", None, 1, "李四"),
        ("report.2023.2023-01", None, 7, "王五"),
    ]


def test_notice_numbers_are_their_own_series_kept_per_unit(ledger):
    units = [notice_subject("2022-12", u) for u in ("市财政局", "市税务局")]
    with ledger.Session.begin() as s:
        record_numbers(s, REPORT, 2023, {"2022-12": 1})
        first = next_numbers(s, NOTICE, 2023, units)
        assert first == dict(zip(units, (1, 2)))
        record_numbers(s, NOTICE, 2023, first)
    with ledger.Session.begin() as s:
        more = [units[1], notice_subject("2023-01", "市财政局")]
        assert next_numbers(s, NOTICE, 2023, more) == {units[1]: 2, more[1]: 3}
