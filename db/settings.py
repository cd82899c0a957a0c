"""The office's settings kept in the ledger: its name, the current reporting period, warning thresholds.

The operator's own name is a per-person setting and lives with the window (QSettings) or the
command line's --operator; everything here is shared by whoever opens the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.errors import UserError
from db.models import LedgerInfo, Plan
from db.periods import check_period, period_of

DEFAULT_OFFICE = "三门峡市优化营商环境工作领导小组办公室"


@dataclass
class OfficeSettings:
    """Settings every clerk of the office shares."""

    office_name: str = DEFAULT_OFFICE
    current_period: str = ""
    due_soon_days: int = 15
    # Units report a month by this day of the next; the template, the 通报 and the notices all say so.
    report_day: int = 10
    # A unit is praised (通报表扬) only at this on-time rate, in percent.
    praise_rate: int = 100
    # A 督办通知单 or 通报 asks for 整改情况 this many days after its 成文日期 (db.doc_numbers.reply_deadline).
    reply_days: int = 10
    # 发文机关代字 of the 发文字号 (三营商办〔2023〕3号); empty means the 通报 carries a 期号 (第3期) instead.
    doc_code: str = ""
    copy_to: str = ""
    contact_person: str = ""
    contact_phone: str = ""

    def check(self) -> list[str]:
        """Every problem, in Chinese, keyed to the setting's label."""
        problems = []
        if not self.office_name.strip():
            problems.append("办公室名称不能为空。")
        try:
            check_period(self.current_period)
        except UserError as exc:
            problems.append(exc.message)
        if not 0 <= self.due_soon_days <= 365:
            problems.append(f"临期预警天数“{self.due_soon_days}”无效，应为 0 到 365 之间的整数。")
        if not 1 <= self.report_day <= 28:
            problems.append(f"报送截止日“{self.report_day}”无效，应为每月 1 到 28 日之间。")
        if not 1 <= self.praise_rate <= 100:
            problems.append(f"表扬所需按期办结率“{self.praise_rate}”无效，应为 1 到 100 之间的百分数。")
        if not 1 <= self.reply_days <= 60:
            problems.append(f"整改反馈期限“{self.reply_days}”无效，应为成文日期后 1 到 60 天。")
        for label, value, limit in (("发文机关代字", self.doc_code, 20), ("抄送", self.copy_to, 200), ("联系人", self.contact_person, 40), ("联系电话", self.contact_phone, 40)):
            if len(value) > limit or "\n" in value:
                problems.append(f"{label}“{value[:20]}”无效：应为一行，不超过 {limit} 个字。")
        return problems


def _default_period(session: Session, today: dt.date) -> str:
    """This month, but not past the December of the current plan's year (an old plan opens at its end)."""
    year = session.scalar(select(Plan.year).where(Plan.is_current.is_(True)))
    period = period_of(today)
    if year and period > f"{year}-12":
        return f"{year}-12"
    return period


def load_settings(session: Session, today: dt.date | None = None) -> OfficeSettings:
    stored = {k: v for k, v in session.execute(select(LedgerInfo.key, LedgerInfo.value)) if k.startswith("setting.")}
    settings = OfficeSettings()
    for f in fields(OfficeSettings):
        raw = stored.get(f"setting.{f.name}")
        if raw is not None:
            setattr(settings, f.name, int(raw) if f.type in ("int", int) else raw)
    if not settings.current_period:
        settings.current_period = _default_period(session, today or dt.date.today())
    return settings


def save_settings(session: Session, settings: OfficeSettings, *, operator: str | None = None) -> None:
    """Store the settings (rejecting invalid ones whole), with the change in the audit log."""
    problems = settings.check()
    if problems:
        raise UserError("设置未保存：", problems)
    before = asdict(load_settings(session))
    after = asdict(settings)
    if before == after:
        return
    for key, value in after.items():
        row = session.get(LedgerInfo, f"setting.{key}")
        if row is None:
            session.add(LedgerInfo(key=f"setting.{key}", value=str(value)))
        else:
            row.value = str(value)
    audit.record(session, "settings.update", "settings", "office", before=before, after=after, operator=operator)
