"""Progress reports: one per (task, unit, period), validated, with every change in the audit log."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Collection
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_reports_for
from db.answerable import collective_members
from db.errors import UserError
from db.identity import own_id
from db.ledger import find_unit, get_task, resolve_plan_id
from db.models import Annex, Assignment, AuditLog, MergeConflict, ProgressEntry, SignOff, Task, Unit, new_uuid, utcnow
from db.periods import check_period, period_end, shift_period
from db.vocabulary import COLLECTIVE_KIND, REPORTABLE, Status

STATUSES = tuple(s.value for s in REPORTABLE)
ADDED, UPDATED, UNCHANGED = "added", "updated", "unchanged"
ENTRY_FIELDS = ("status", "percent", "progress_text", "problems", "next_steps", "reporter", "entry_date")
# The longest text each field keeps (a month's report is a few paragraphs; the reporter a name and a phone).
TEXT_LIMITS = {"progress_text": 4000, "problems": 4000, "next_steps": 4000, "reporter": 100}
TEXT_LABELS = {"progress_text": "进展情况", "problems": "存在问题", "next_steps": "下步计划", "reporter": "填报人"}


@dataclass
class ProgressInput:
    """What a clerk (or a unit's template) reports for one task, unit and month."""

    task_code: str
    unit: str
    period: str
    status: str
    percent: int
    progress_text: str
    problems: str | None = None
    next_steps: str | None = None
    reporter: str | None = None
    entry_date: dt.date | None = None
    # The version of the stored report this was edited from (0: none was stored when the clerk began);
    # add_progress refuses the save with ReportChanged if the report has moved on since.  None: no check.
    version: int | None = None


@dataclass
class ProgressView:
    """A stored report, as the CLI prints it and the detail pane lists it."""

    uuid: str
    task: str
    unit: str
    period: str
    status: str
    percent: int
    progress_text: str
    problems: str | None
    next_steps: str | None
    reporter: str | None
    entry_date: str
    version: int
    created_at: str
    updated_at: str

    def to_json(self) -> dict:
        return asdict(self)


def field_problems(entry: ProgressInput) -> dict[str, str]:
    """Every problem with a report's own fields, in Chinese, keyed by field (task and unit are checked against the ledger)."""
    problems = {}
    try:
        check_period(entry.period)
    except UserError as exc:
        problems["period"] = exc.message
    if entry.status not in STATUSES:
        problems["status"] = f"状态“{entry.status}”无效，应为：{'、'.join(STATUSES)}。"
    if not isinstance(entry.percent, int) or isinstance(entry.percent, bool) or not 0 <= entry.percent <= 100:
        problems["percent"] = f"进度“{entry.percent}”无效，应为 0 到 100 之间的整数。"
    elif entry.status == Status.DONE and entry.percent != 100:
        problems["percent"] = f"状态为“已完成”时进度应为 100，而不是 {entry.percent}。"
    elif entry.status == Status.NOT_STARTED and entry.percent != 0:
        problems["percent"] = f"状态为“未启动”时进度应为 0，而不是 {entry.percent}；已开始的工作请选“推进中”。"
    for name, limit in TEXT_LIMITS.items():
        value = getattr(entry, name)
        if value is not None and not isinstance(value, str):
            problems[name] = f"{TEXT_LABELS[name]}不是文字。"
        elif value is not None and len(value) > limit:
            problems[name] = f"{TEXT_LABELS[name]}有 {len(value)} 字，超过 {limit} 字上限。"
    if "progress_text" not in problems and not (entry.progress_text or "").strip():
        problems["progress_text"] = "进展情况不能为空。"
    if entry.entry_date is not None:
        if not isinstance(entry.entry_date, dt.date) or isinstance(entry.entry_date, dt.datetime):
            problems["entry_date"] = f"填报日期“{entry.entry_date!r:.40}”无效。"
        elif entry.entry_date > dt.date.today() + dt.timedelta(days=1):
            problems["entry_date"] = f"填报日期 {entry.entry_date.isoformat()} 晚于今天。"
    return problems


def entry_date_problem(entry_date: dt.date | None, plan_year: int | None) -> str | None:
    """A report's date must not fall before its plan's year (the date's own checks are in field_problems)."""
    if isinstance(entry_date, dt.date) and plan_year and entry_date.year < plan_year:
        return f"填报日期 {entry_date.isoformat()} 早于方案年度 {plan_year} 年。"
    return None


def assignment_problem(session: Session, task: Task, unit: Unit) -> str | None:
    """Why `unit` may not report on `task` (not assigned, or a collective that reports through its members); None if it may."""
    assigned = session.scalar(select(Assignment.id).where(Assignment.task_id == task.id, Assignment.unit_id == unit.id))
    if assigned is None:
        return f"单位“{unit.name}”不是任务 {task.code} 的责任单位。"
    if unit.kind == COLLECTIVE_KIND:
        members = "、".join(m.name for m in collective_members(session, unit))
        who = f"其成员单位（{members}）分别报送" if members else "牵头单位或具体责任单位报送"
        return f"“{unit.name}”是集合单位，不单独报送进展，请由{who}。"
    return None


def validate(entry: ProgressInput) -> list[str]:
    return list(field_problems(entry).values())


def _snapshot(row: ProgressEntry) -> dict:
    return {f: getattr(row, f) for f in ENTRY_FIELDS} | {"version": row.version}


def latest_entry_ids(upto: str, *, before: bool = False, plan_id: int | None = None, unit_id: int | None = None):
    """The ids of each assignment's latest report up to `upto` (or before it, if `before`), for `ProgressEntry.id.in_(...)`.

    One seek per assignment on the unique (task_id, unit_id, period) index, so the cost follows the number
    of assignments, not the years of reports piled up (a grouped max over progress_entry reads them all).
    Reports exist only for assignments (add_progress checks), so no (task, unit) with reports is missed.
    """
    bound = ProgressEntry.period < upto if before else ProgressEntry.period <= upto
    newest = (
        select(ProgressEntry.id)
        .where(ProgressEntry.task_id == Assignment.task_id, ProgressEntry.unit_id == Assignment.unit_id, bound, ProgressEntry.deleted_at.is_(None))
        .order_by(ProgressEntry.period.desc())
        .limit(1)
        .correlate(Assignment)
        .scalar_subquery()
    )
    query = select(newest).select_from(Assignment)
    if plan_id is not None:
        query = query.join(Task, Task.id == Assignment.task_id).where(Task.plan_id == plan_id)
    if unit_id is not None:
        query = query.where(Assignment.unit_id == unit_id)
    return query


SAVE_CONFLICT = "save"  # MergeConflict.packet_values["source"] of a save refused by ReportChanged (not a field packet)


def _local_time(at: dt.datetime | None) -> str:
    """A stored UTC time as the clerk's clock shows it: HH:MM today, else M月D日 HH:MM."""
    if at is None:
        return "刚才"
    local = at.replace(tzinfo=dt.timezone.utc).astimezone()
    return local.strftime("%H:%M") if local.date() == dt.date.today() else f"{local.month}月{local.day}日 {local:%H:%M}"


class ReportChanged(UserError):
    """A save refused because the report moved on since the clerk read it: both versions and who changed it.

    theirs is the stored report (as db.packet_seal.content_of gives it), mine what the clerk saved;
    by and at come from the report's latest audit row (on a server ledger, the database login).
    keep_mine() files the clerk's version as a pending conflict (conflict_id), so nothing is lost.
    """

    def __init__(self, *, task_code: str, unit: str, period: str, uuid: str, expected: int, current: int,
                 by: str | None, at: dt.datetime | None, theirs: dict, mine: dict):
        self.task_code, self.unit, self.period, self.uuid = task_code, unit, period, uuid
        self.expected, self.current, self.by, self.at = expected, current, by, at
        self.theirs, self.mine = theirs, mine
        self.conflict_id: int | None = None
        super().__init__(self._sentence())

    @property
    def headline(self) -> str:
        """Who changed which report when, and which version the clerk had: the message without what became of the clerk's."""
        what = "删除" if self.theirs.get("deleted") else "填报" if self.expected == 0 else "修改"
        seen = "您打开时尚无该进展" if self.expected == 0 else f"您修改的是第 {self.expected} 版"
        return (f"该进展已被 {self.by or '另一位操作员'} 于 {_local_time(self.at)} {what}（第 {self.current} 版），{seen}"
                f"（任务 {self.task_code} {self.unit} {self.period}）。")

    def _sentence(self) -> str:
        kept = (f"您的内容没有覆盖对方的修改，已保留为待处理冲突（编号 {self.conflict_id}），可在“处理合并冲突”中对照两个版本后决定。"
                if self.conflict_id is not None else "您的内容没有覆盖对方的修改。")
        return self.headline + kept

    def kept(self, conflict_id: int) -> None:
        self.conflict_id = conflict_id
        self.message = self._sentence()
        self.args = (self.message,)


def _content(entry: ProgressInput, values: dict) -> dict:
    """The clerk's report in the shape db.packet_seal.content_of gives a stored one."""
    return {k: values[k] for k in ("status", "percent", "progress_text", "problems", "next_steps", "reporter")} | {
        "entry_date": values["entry_date"].isoformat(), "deleted": False}


def _who(operator: str | None, login: str | None) -> str | None:
    """Who made a change: the name typed, with the server login that really made it (set by the server) when it differs."""
    if login and login != operator:
        return f"{operator}（登录 {login}）" if operator else login
    return operator


def _changed_error(session: Session, row: ProgressEntry, entry: ProgressInput, key: str, values: dict, expected: int) -> ReportChanged:
    from db.packet_seal import content_of

    query = (  # the latest change of this report (a conflict filed beside it changed nothing)
        select(AuditLog.operator, AuditLog.login, AuditLog.at)
        .where(AuditLog.entity == "progress", AuditLog.entity_key == key, AuditLog.action.startswith("progress."),
               AuditLog.action != "progress.merge_conflict")
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    try:
        with session.begin_nested():  # a login that may not read the audit log still gets told, without the name
            last = session.execute(query).first()
    except DBAPIError:
        last = None
    code, unit, period = key.split("/", 2)
    return ReportChanged(task_code=code, unit=unit, period=period, uuid=row.uuid, expected=expected, current=row.version,
                         by=_who(last.operator, last.login) if last else None, at=last.at if last else row.updated_at,
                         theirs=content_of(row), mine=_content(entry, values))


def keep_mine(session: Session, changed: ReportChanged, *, operator: str | None = None) -> int:
    """File the clerk's refused version as a pending conflict beside the stored one, in the caller's transaction.

    It is the field packets' conflict (MergeConflict), so the office settles both kinds in one place
    (处理合并冲突, duban packet resolve); its packet id is a fresh one, and packet_values["source"] says
    it came from a save.  Sets changed.conflict_id (and its message) and returns the conflict's id.
    """
    ledger_values = changed.theirs | {"version": changed.current, "by": changed.by}
    packet_values = changed.mine | {"uuid": changed.uuid, "changed_on": own_id(session), "source": SAVE_CONFLICT,
                                    "by": operator or audit.default_operator(), "based_on": changed.expected}
    same = [  # the same version saved again (the clerk clicked 保存 twice): one conflict, not two
        c for c in session.scalars(select(MergeConflict).where(MergeConflict.entry_uuid == changed.uuid, MergeConflict.status == "pending"))  # db.packets.PENDING
        if c.packet_values.get("source") == SAVE_CONFLICT and {k: c.packet_values.get(k) for k in packet_values if k != "changed_on"}
        == {k: v for k, v in packet_values.items() if k != "changed_on"}
    ]
    if same:
        conflict = same[0]
        conflict.ledger_values = ledger_values
    else:
        conflict = MergeConflict(packet_id=new_uuid(), entry_uuid=changed.uuid, ledger_values=ledger_values, packet_values=packet_values)
        session.add(conflict)
    session.flush()
    audit.record(session, "conflict.save", "progress", f"{changed.task_code}/{changed.unit}/{changed.period}",
                 before=changed.theirs, after=changed.mine, operator=operator, note=f"冲突 {conflict.id}：保存时该进展已是第 {changed.current} 版")
    changed.kept(conflict.id)
    return conflict.id


def _stored(session: Session, task_id: int, unit_id: int, period: str) -> ProgressEntry | None:
    """The report for (task, unit, period), locked against other writers until this transaction ends (PostgreSQL).

    SQLite has one writer at a time and ignores the lock; on PostgreSQL a second saver waits here and
    then reads the first one's committed version, so the version check below cannot be overtaken.
    """
    return session.scalar(
        select(ProgressEntry)
        .where(ProgressEntry.task_id == task_id, ProgressEntry.unit_id == unit_id, ProgressEntry.period == period)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def add_progress(session: Session, entry: ProgressInput, *, operator: str | None = None, plan_id: int | None = None) -> tuple[ProgressEntry, str]:
    """Insert or update the report for (task, unit, period); returns the row and ADDED, UPDATED or UNCHANGED.

    The earlier version of an updated report goes to the audit log.  Raises UserError with every
    problem found; nothing is written then.  When entry.version is given it is the version the clerk
    edited (0: there was none): if the stored report has moved on, ReportChanged is raised and nothing
    is written (the caller may file the clerk's version with keep_mine).
    """
    problems = validate(entry)
    task = get_task(session, entry.task_code, plan_id)
    unit = find_unit(session, entry.unit)
    refuse_unless_reports_for(session, unit.id)
    problems += [p for p in (assignment_problem(session, task, unit), entry_date_problem(entry.entry_date, task.plan.year)) if p]
    if entry.version is not None and (isinstance(entry.version, bool) or not isinstance(entry.version, int) or entry.version < 0):
        problems.append(f"版本号“{entry.version!r:.20}”无效，应为 0 或正整数。")
    if problems:
        raise UserError("进展未保存：", problems)
    values = {
        "status": entry.status,
        "percent": entry.percent,
        "progress_text": entry.progress_text.strip(),
        "problems": (entry.problems or "").strip() or None,
        "next_steps": (entry.next_steps or "").strip() or None,
        "reporter": (entry.reporter or "").strip() or None,
        "entry_date": entry.entry_date or dt.date.today(),
    }
    key = f"{task.code}/{unit.name}/{entry.period}"
    here = own_id(session)
    row = _stored(session, task.id, unit.id, entry.period)
    if row is None and not entry.version:
        row = ProgressEntry(task_id=task.id, unit_id=unit.id, period=entry.period, origin=here, changed_on=here, **values)
        try:
            with session.begin_nested():  # another writer may insert the same month at the same moment (PostgreSQL)
                session.add(row)
        except IntegrityError:
            row = _stored(session, task.id, unit.id, entry.period)  # it did: that report is now the stored one
            if row is None:
                raise
        else:
            audit.record(session, "progress.add", "progress", key, after=_snapshot(row) | {"uuid": row.uuid}, operator=operator)
            return row, ADDED
    if entry.version is not None and (row is None or row.version != entry.version):
        if row is None:
            raise UserError(f"进展未保存：任务 {task.code} “{unit.name}”{entry.period} 的进展已不在台账中（第 {entry.version} 版已被删除或更正），请刷新后重新填报。")
        raise _changed_error(session, row, entry, key, values, entry.version)
    before = _snapshot(row)
    if row.deleted_at is None and all(getattr(row, k) == v for k, v in values.items()):
        return row, UNCHANGED
    for k, v in values.items():
        setattr(row, k, v)
    row.deleted_at = None  # a report entered again over its tombstone comes back to life
    row.version += 1
    row.changed_on = here
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, "progress.update", "progress", key, before=before, after=_snapshot(row), operator=operator)
    return row, UPDATED


@dataclass
class Saved:
    """What save_progress stored: the report's uuid, its version now, and ADDED, UPDATED or UNCHANGED."""

    uuid: str
    version: int
    outcome: str


def save_progress(ledger, entry: ProgressInput, *, operator: str | None = None, plan_id: int | None = None) -> Saved:
    """Save one report in its own transaction, rerun if a concurrent writer crossed it (db.transactions).

    A save refused because the report moved on (entry.version) files the clerk's version as a pending
    conflict in the same transaction and then raises the ReportChanged, conflict_id set: nothing is lost.
    """

    def save(session: Session) -> Saved:
        row, outcome = add_progress(session, entry, operator=operator, plan_id=plan_id)
        return Saved(row.uuid, row.version, outcome)

    return saved_or_kept(ledger, save, operator=operator)


def saved_or_kept(ledger, save, *, operator: str | None = None):
    """Run save(session) in a transaction of its own (rerun if crossed); if it raises ReportChanged, the
    clerk's version is filed as a pending conflict in that transaction, committed, and the error raised."""
    from db.transactions import run_transaction

    def work(session: Session):
        try:
            return save(session)
        except ReportChanged as changed:  # nothing of the save was written (add_progress checks first)
            keep_mine(session, changed, operator=operator)
            return changed

    result = run_transaction(ledger, work)
    if isinstance(result, ReportChanged):
        raise result
    return result


def delete_progress(session: Session, task_code: str, unit: str, period: str, *, operator: str | None = None, plan_id: int | None = None) -> None:
    """Delete a report by leaving a tombstone, so the deletion travels with field packets and merges."""
    task = get_task(session, task_code, plan_id)
    found = find_unit(session, unit)
    refuse_unless_reports_for(session, found.id)
    row = session.scalar(
        select(ProgressEntry).where(
            ProgressEntry.task_id == task.id, ProgressEntry.unit_id == found.id, ProgressEntry.period == check_period(period), ProgressEntry.deleted_at.is_(None)
        )
    )
    if row is None:
        raise UserError(f"任务 {task.code} 没有“{found.name}”{period} 的进展可删除。")
    before = _snapshot(row)
    row.deleted_at = utcnow()
    row.version += 1
    row.changed_on = own_id(session)
    row.updated_at = row.deleted_at
    session.flush()
    audit.record(session, "progress.delete", "progress", f"{task.code}/{found.name}/{period}", before=before, operator=operator)


def list_progress(
    session: Session,
    *,
    task_code: str | None = None,
    unit: str | None = None,
    period: str | None = None,
    plan_id: int | None = None,
) -> list[ProgressView]:
    pid = resolve_plan_id(session, plan_id)
    query = (
        select(ProgressEntry, Task.code, Unit.name)
        .join(Task, Task.id == ProgressEntry.task_id)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .where(Task.plan_id == pid, ProgressEntry.deleted_at.is_(None))
        .order_by(Task.position, Unit.name, ProgressEntry.period)
    )
    if task_code:
        query = query.where(Task.id == get_task(session, task_code, plan_id).id)
    if unit:
        query = query.where(Unit.id == find_unit(session, unit).id)
    if period:
        query = query.where(ProgressEntry.period == check_period(period))
    return [progress_view(row, code, name) for row, code, name in session.execute(query)]


def progress_view(row: ProgressEntry, task_code: str, unit_name: str) -> ProgressView:
    return ProgressView(
        uuid=row.uuid,
        task=task_code,
        unit=unit_name,
        period=row.period,
        status=row.status,
        percent=row.percent,
        progress_text=row.progress_text,
        problems=row.problems,
        next_steps=row.next_steps,
        reporter=row.reporter,
        entry_date=row.entry_date.isoformat(),
        version=row.version,
        created_at=row.created_at.isoformat(timespec="seconds"),
        updated_at=row.updated_at.isoformat(timespec="seconds"),
    )


@dataclass
class BatchRow:
    """One line of a unit's monthly batch grid: the task, this month's report and last month's.

    signed_off is the date of the task's sign-off when it was signed off by the month's end: the
    task is finished for the month, so the grid shows it greyed and takes no report for it.
    """

    task_code: str
    annex: int
    label: str
    title: str
    role: str
    current: ProgressInput | None
    previous: ProgressInput | None
    signed_off: dt.date | None = None
    current_version: int = 0  # the version of this month's report as loaded (0: none), for the save's check


def as_input(row: ProgressEntry, code: str, unit: str) -> ProgressInput:
    """A stored report as the input that would store it again (for grids and templates)."""
    return ProgressInput(
        task_code=code,
        unit=unit,
        period=row.period,
        status=row.status,
        percent=row.percent,
        progress_text=row.progress_text,
        problems=row.problems,
        next_steps=row.next_steps,
        reporter=row.reporter,
        entry_date=row.entry_date,
    )


def _signed_off_by(session: Session, task_ids, period: str) -> dict[int, dt.date]:
    """Sign-off dates of the tasks signed off by the month's end (a later sign-off leaves the month open)."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(SignOff.task_id, SignOff.signed_on).where(SignOff.task_id.in_(task_ids), SignOff.signed_on <= period_end(period))
    )
    return dict(rows.all())


def batch_rows(session: Session, unit: str, period: str, *, plan_id: int | None = None) -> list[BatchRow]:
    """Every task of a unit in the plan's order (the order of the unit's 报送模板, so a block pasted
    from it lines up), with its report for the period, the month before's, and its sign-off."""
    pid = resolve_plan_id(session, plan_id)
    period = check_period(period)
    previous = shift_period(period, -1)
    found = find_unit(session, unit)
    tasks = session.execute(
        select(Task, Assignment.role, Annex.number)
        .join(Assignment, Assignment.task_id == Task.id)
        .join(Annex, Annex.id == Task.annex_id)
        .where(Task.plan_id == pid, Assignment.unit_id == found.id)
        .order_by(Task.position)
    ).all()
    entries = {
        (row.task_id, row.period): row
        for row in session.scalars(
            select(ProgressEntry).where(ProgressEntry.unit_id == found.id, ProgressEntry.period.in_((period, previous)), ProgressEntry.deleted_at.is_(None))
        )
    }
    signed = _signed_off_by(session, [task.id for task, _role, _annex in tasks], period)
    out = []
    for task, role, annex in tasks:
        now, before = entries.get((task.id, period)), entries.get((task.id, previous))
        out.append(
            BatchRow(
                task_code=task.code,
                annex=annex,
                label=task.label,
                title=task.title,
                role=role,
                current=as_input(now, task.code, found.name) if now else None,
                previous=as_input(before, task.code, found.name) if before else None,
                signed_off=signed.get(task.id),
                current_version=now.version if now else 0,
            )
        )
    return out


def report_content(entry: ProgressInput) -> tuple:
    """What a report says (status, percent and its three texts), as add_progress stores it."""
    return (
        entry.status,
        entry.percent,
        (entry.progress_text or "").strip(),
        (entry.problems or "").strip(),
        (entry.next_steps or "").strip(),
    )


def repeats_last_month(entry: ProgressInput, previous: ProgressInput | None, current: ProgressInput | None) -> bool:
    """Whether a report only repeats last month's word for word and is not yet this month's report.

    Such a report (typically 复制上月内容 left untouched) says nothing new: it counts as this month's
    report only when the clerk confirms it (沿用上月).  A report already stored for this month with the
    same words was confirmed before, so saving it again (say with a new 填报人) needs no confirmation.
    """
    said = report_content(entry)
    return previous is not None and said == report_content(previous) and (current is None or report_content(current) != said)


@dataclass
class BatchOutcome:
    """What save_batch did: reports added, updated and unchanged, and the grid lines it left unsaved
    because they repeat last month's report without the clerk's confirmation."""

    added: int
    updated: int
    unchanged: int
    unconfirmed: list[int]
    # Grid lines whose report moved on since the grid was loaded: not saved over, the clerk's version
    # kept as a pending conflict (ReportChanged.conflict_id) for the clerk or the office to settle.
    changed: list[tuple[int, ReportChanged]] = field(default_factory=list)


def save_batch(
    session: Session,
    entries: list[ProgressInput],
    *,
    operator: str | None = None,
    plan_id: int | None = None,
    row_numbers: list[int] | None = None,
    confirmed: Collection[str] = (),
) -> BatchOutcome:
    """Save a grid of reports in the caller's transaction: every row valid, or nothing and every problem.

    row_numbers are the grid lines the entries come from (default 1, 2, …), so a grid that sends
    only its changed rows still names the line the clerk sees.  A report that repeats last month's
    word for word is saved only when its task code is in `confirmed`; the others are skipped and
    their lines returned in BatchOutcome.unconfirmed, so copies nobody looked at never count as
    this month's reports.  A task signed off by the month's end takes no report.
    """
    numbers = list(row_numbers or range(1, len(entries) + 1))
    problems = []
    for number, entry in zip(numbers, entries, strict=True):
        problems += [f"第 {number} 行（任务 {entry.task_code}）：{p}" for p in validate(entry)]
    if problems:
        raise UserError("本批进展未保存：", problems)
    to_save, unconfirmed = [], []
    for number, entry in zip(numbers, entries):
        task = get_task(session, entry.task_code, plan_id)
        unit = find_unit(session, entry.unit)
        signed = _signed_off_by(session, [task.id], entry.period).get(task.id)
        if signed is not None:
            problems.append(f"第 {number} 行（任务 {task.code}）：任务已于 {signed.isoformat()} 销号，不再填报进展。")
            continue
        stored = {
            row.period: as_input(row, task.code, unit.name)
            for row in session.scalars(
                select(ProgressEntry).where(
                    ProgressEntry.task_id == task.id,
                    ProgressEntry.unit_id == unit.id,
                    ProgressEntry.period.in_((entry.period, shift_period(entry.period, -1))),
                    ProgressEntry.deleted_at.is_(None),
                )
            )
        }
        previous, current = stored.get(shift_period(entry.period, -1)), stored.get(entry.period)
        if task.code not in confirmed and repeats_last_month(entry, previous, current):
            unconfirmed.append(number)
        else:
            to_save.append((number, entry))
    if problems:
        raise UserError("本批进展未保存：", problems)
    outcomes, changed = [], []
    for number, entry in to_save:
        try:
            outcomes.append(add_progress(session, entry, operator=operator, plan_id=plan_id)[1])
        except ReportChanged as exc:  # nothing of it written: the clerk's version is filed beside the stored one
            keep_mine(session, exc, operator=operator)
            changed.append((number, exc))
    return BatchOutcome(outcomes.count(ADDED), outcomes.count(UPDATED), outcomes.count(UNCHANGED), unconfirmed, changed)


def percent_from_text(text: str) -> int | None:
    """进度 as a clerk types or pastes it ("60", "60%", "６０％"): a whole number from 0 to 100, or None when empty.

    Anything else (150, 12.5, 六十) is refused with the message the report's own check gives, never cut to fit.
    """
    cleaned = unicodedata.normalize("NFKC", text or "").strip().removesuffix("%").strip()
    if not cleaned:
        return None
    if cleaned.isascii() and cleaned.isdigit() and 0 <= int(cleaned) <= 100:
        return int(cleaned)
    raise UserError(f"进度“{(text or '').strip()[:20]}”无效，应为 0 到 100 之间的整数。")


def status_from_text(text: str) -> str:
    """状态 as a clerk types or pastes it: one of the reportable statuses, or "" when empty."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if cleaned and cleaned not in STATUSES:
        raise UserError(f"状态“{cleaned[:20]}”无效，应为：{'、'.join(STATUSES)}。")
    return cleaned


def reporting_units(session: Session, task_id: int) -> list[tuple[int, str, str]]:
    """(unit id, name, role) of the units that report on a task: every real unit assigned, never a collective."""
    return [
        tuple(row)
        for row in session.execute(
            select(Unit.id, Unit.name, Assignment.role)
            .join(Assignment, Assignment.unit_id == Unit.id)
            .where(Assignment.task_id == task_id, Unit.kind != COLLECTIVE_KIND)
            .order_by(Assignment.position)
        )
    ]


# ----- the entry form's services: the widget asks these, it runs no queries of its own -------------


@dataclass
class ReportingUnit:
    """A unit that reports on a task, with its part in it."""

    unit_id: int
    name: str
    role: str


@dataclass
class EntryTask:
    """What the entry form shows about its task: which task, and the units that report on it."""

    task_id: int
    code: str
    annex: int
    label: str
    title: str
    units: list[ReportingUnit]


@dataclass
class EntrySlot:
    """What the entry form starts from for one unit and month: a draft, else the saved report, else nothing."""

    draft: dict | None = None
    draft_saved_at: dt.datetime | None = None
    saved: ProgressInput | None = None
    saved_version: int | None = None


def entry_task(session: Session, task_id: int) -> EntryTask:
    """The task an entry form is opened on; UserError if it is gone (deleted by a correction meanwhile)."""
    task = session.get(Task, task_id)
    if task is None:
        raise UserError("该任务已不在台账中（可能已被更正删除），请刷新后重试。")
    units = [ReportingUnit(unit_id, name, role) for unit_id, name, role in reporting_units(session, task_id)]
    return EntryTask(task_id=task.id, code=task.code, annex=task.annex.number, label=task.label, title=task.title, units=units)


def entry_slot(session: Session, task_id: int, unit_id: int, period: str) -> EntrySlot:
    """The draft for (task, unit, period) if one waits, and the saved report if there is one."""
    from db.drafts import list_drafts

    period = check_period(period)
    drafts = [d for d in list_drafts(session, task_id) if d.unit_id == unit_id and d.period == period]
    row = session.execute(
        select(ProgressEntry, Task.code, Unit.name)
        .join(Task, Task.id == ProgressEntry.task_id)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .where(ProgressEntry.task_id == task_id, ProgressEntry.unit_id == unit_id, ProgressEntry.period == period, ProgressEntry.deleted_at.is_(None))
    ).first()
    slot = EntrySlot()
    if drafts:
        slot.draft, slot.draft_saved_at = drafts[0].fields, drafts[0].saved_at
    if row is not None:
        entry, code, name = row
        slot.saved, slot.saved_version = as_input(entry, code, name), entry.version
    return slot


def save_entry(session: Session, entry: ProgressInput, *, task_id: int, unit_id: int, operator: str | None = None) -> str:
    """Store the form's report and drop its draft, in the caller's transaction; ADDED, UPDATED or UNCHANGED.

    Raises UserError with every problem (nothing written, the draft kept).
    """
    from db.drafts import discard_draft

    task = session.get(Task, task_id)
    outcome = add_progress(session, entry, operator=operator, plan_id=task.plan_id if task else None)[1]
    discard_draft(session, task_id, unit_id, entry.period)
    return outcome


def store_entry(ledger, entry: ProgressInput, *, task_id: int, unit_id: int, operator: str | None = None) -> str:
    """save_entry in a transaction of its own (saved_or_kept): a report that moved on since the form loaded
    it keeps the form's version as a pending conflict and raises ReportChanged; the draft stays."""
    return saved_or_kept(ledger, lambda session: save_entry(session, entry, task_id=task_id, unit_id=unit_id, operator=operator), operator=operator)


MINE, THEIRS = "mine", "theirs"


def settle_changed(session: Session, changed: ReportChanged, choice: str, *, operator: str | None = None) -> None:
    """The clerk's answer to ReportChanged: keep their own version (MINE) over the other one, or take the other's (THEIRS).

    Settles the conflict keep_mine filed, as 处理合并冲突 would, and drops the form's draft of that report.
    """
    from db.drafts import discard_draft
    from db.packets import resolve_conflict

    if choice not in (MINE, THEIRS) or changed.conflict_id is None:
        raise UserError(f"处理方式“{choice}”无效。")
    row = session.scalar(select(ProgressEntry).where(ProgressEntry.uuid == changed.uuid).with_for_update())
    if choice == MINE and row is not None and row.version != changed.current:
        raise UserError(
            f"该进展在您决定之前又被修改（现为第 {row.version} 版，您看到的是第 {changed.current} 版），未保存您的版本。"
            f"您的版本仍保留为待处理冲突（编号 {changed.conflict_id}），请在“处理合并冲突”中对照最新版本后决定。"
        )
    resolve_conflict(session, changed.conflict_id, choice="packet" if choice == MINE else "ledger", operator=operator)
    if row is not None:
        discard_draft(session, row.task_id, row.unit_id, row.period)


def typed_percent(text: str) -> int | str:
    """A percent as a clerk types it (15, 15%, full-width １５％) as an int.

    Anything else comes back as typed (stripped), so field_problems refuses it with the clerk's own
    text in the message: 150 stays 150 and is refused, never cut to 15.
    """
    import unicodedata

    typed = unicodedata.normalize("NFKC", (text or "")[:20]).strip()
    number = typed.removesuffix("%").strip()
    if number.isascii() and number.isdigit() and len(number) <= 6:
        return int(number)
    return typed
