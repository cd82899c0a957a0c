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
from db.accounts import refuse_unless_office
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
    refuse_unless_office(session, "修改台账设置")
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


# --- Column mappings a clerk confirmed --------------------------------------------------------------------
# An office's own 台账 keeps its header from year to year ("工作措施" where duban expects 任务名称): the mapping
# the clerk confirmed for a header is kept under the header's texts, so the next file with the same header
# reads the same way without asking.  The window and `duban import-plan --map` both write it here.

# The fields a table column can be read as, with the names a mapping dialog shows (exports.plan_tables reads
# tables by these keys).
COLUMN_FIELDS: dict[str, str] = {
    "number": "序号",
    "category": "类别",
    "title": "任务名称",
    "content": "具体内容",
    "lead": "牵头单位",
    "responsible": "责任单位",
    "support": "配合单位",
    "deadline": "完成时限",
    "ignore": "不读取",
}
_MAPPING_PREFIX = "column_mapping."
MAX_MAPPED_HEADERS = 40
MAX_HEADER_CHARS = 100


def _mapping_id(headers: tuple[str, ...]) -> str:
    import hashlib

    return _MAPPING_PREFIX + hashlib.sha256("\x1f".join(headers).encode("utf-8")).hexdigest()[:32]


def _clean_headers(headers) -> tuple[str, ...]:
    """Header texts as the key is made of them: without whitespace, the empty ones left out (as exports.plan_tables.header_texts)."""
    return tuple("".join(str(h).split()) for h in headers if h and str(h).strip())


def _checked_mapping(headers: tuple[str, ...], mapping: dict[str, str]) -> dict[str, str]:
    by_label = {label: key for key, label in COLUMN_FIELDS.items()}
    if not headers or len(headers) > MAX_MAPPED_HEADERS or any(len(h) > MAX_HEADER_CHARS for h in headers):
        raise UserError(f"表头无效：应为 1 到 {MAX_MAPPED_HEADERS} 个列名，每个不超过 {MAX_HEADER_CHARS} 个字。")
    checked = {}
    for header, chosen in mapping.items():
        header = "".join(str(header).split())
        key = chosen if chosen in COLUMN_FIELDS else by_label.get(chosen)
        if key is None:
            raise UserError(f"列“{header[:20]}”的用途“{str(chosen)[:20]}”无法识别，可选：{'、'.join(COLUMN_FIELDS.values())}。")
        if header not in headers:
            raise UserError(f"列“{header[:20]}”不在这张表的表头中（{'、'.join(headers)}），无法记住。")
        checked[header] = key
    return checked


def remember_mapping(session: Session, headers, mapping: dict[str, str], *, operator: str | None = None) -> None:
    """Keep the mapping (header text → field key or its Chinese name) a clerk confirmed for a table with these
    header texts; an empty mapping forgets it.  Audited; the caller commits."""
    import json

    headers = _clean_headers(headers)
    checked = _checked_mapping(headers, mapping) if mapping else {}
    key = _mapping_id(headers)
    row = session.get(LedgerInfo, key)
    before = json.loads(row.value)["mapping"] if row is not None else None
    if (before or {}) == checked:
        return
    if not checked:
        session.delete(row)
    elif row is None:
        session.add(LedgerInfo(key=key, value=json.dumps({"headers": list(headers), "mapping": checked}, ensure_ascii=False)))
    else:
        row.value = json.dumps({"headers": list(headers), "mapping": checked}, ensure_ascii=False)
    audit.record(session, "settings.column_mapping", "settings", "column_mapping", before={"headers": list(headers), "mapping": before},
                 after={"headers": list(headers), "mapping": checked or None}, operator=operator)


def remember_choices(session: Session, header_rows, chosen: dict[str, str], *, operator: str | None = None) -> list[tuple]:
    """Keep the clerk's column choices (header text → field) for each table header row that names them, on top of
    what was remembered for that row before; returns (header row, choices kept) for each.  The caller commits."""
    wanted = {"".join(h.split()): f for h, f in chosen.items()}
    kept = []
    for row in dict.fromkeys(header_rows):
        mine = {h: f for h, f in wanted.items() if h in row}
        if mine:
            remember_mapping(session, row, {**(remembered_mapping(session, row) or {}), **mine}, operator=operator)
            kept.append((row, mine))
    return kept


def remembered_mappings(session: Session) -> dict[tuple[str, ...], dict[str, str]]:
    """Every remembered mapping, by its header texts."""
    import json

    found = {}
    for _key, value in session.execute(select(LedgerInfo.key, LedgerInfo.value).where(LedgerInfo.key.startswith(_MAPPING_PREFIX))):
        try:
            stored = json.loads(value)
            headers = tuple(stored["headers"])
            mapping = {str(h): str(f) for h, f in stored["mapping"].items() if f in COLUMN_FIELDS}
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a row written by hand or by a newer duban: not a mapping this one can use
        found[headers] = mapping
    return found


def remembered_mapping(session: Session, headers) -> dict[str, str] | None:
    """The mapping a clerk confirmed for a table with these header texts, or None."""
    return remembered_mappings(session).get(_clean_headers(headers))


def mapping_lookup(session: Session):
    """A function of a header row's texts giving its remembered mapping (or None), that needs no session once
    made: pass it as `remembered=` to exports.plan_reading.read_plan_document, in a worker thread too."""
    table = remembered_mappings(session)
    return lambda headers: table.get(_clean_headers(headers))
