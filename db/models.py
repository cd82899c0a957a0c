"""The ledger's tables: plans and their structure, units, assignments, progress and the audit log."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints keep Alembic batch migrations on SQLite and PostgreSQL identical.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Timestamps are stored naive in UTC so SQLite and PostgreSQL agree."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """Declarative base with the shared naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LedgerInfo(Base):
    """Key/value facts about this ledger file (its id, the device that made it)."""

    __tablename__ = "ledger_info"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Plan(Base):
    """One action plan document (the 2022 plan, next year's, a county's own)."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across ledgers and packets: sync matches plans by it, never by title.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    title: Mapped[str] = mapped_column(String(300))
    doc_number: Mapped[str | None] = mapped_column(String(100))
    year: Mapped[int | None] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(300))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    # A finished plan: readable, but out of the warnings (db.plans.archive_plan); never the current plan.
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    annexes: Mapped[list[Annex]] = relationship(
        back_populates="plan", order_by="Annex.number", cascade="all, delete-orphan"
    )


class Annex(Base):
    """An annex (附件) of a plan: the overall plan or one special action plan."""

    __tablename__ = "annex"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(100))
    source_line: Mapped[int | None] = mapped_column(Integer)

    plan: Mapped[Plan] = relationship(back_populates="annexes")
    sections: Mapped[list[Section]] = relationship(
        back_populates="annex", order_by="Section.position", cascade="all, delete-orphan"
    )
    goals: Mapped[list[Goal]] = relationship(
        back_populates="annex", order_by="Goal.position", cascade="all, delete-orphan"
    )
    indicator_tables: Mapped[list[IndicatorTable]] = relationship(
        back_populates="annex", order_by="IndicatorTable.position", cascade="all, delete-orphan"
    )


class Section(Base):
    """A heading inside an annex's measures chapter that groups tasks, with its own goal text."""

    __tablename__ = "section"
    id: Mapped[int] = mapped_column(primary_key=True)
    annex_id: Mapped[int] = mapped_column(ForeignKey("annex.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(20))
    heading: Mapped[str] = mapped_column(String(300))
    goal_text: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    source_line: Mapped[int | None] = mapped_column(Integer)

    annex: Mapped[Annex] = relationship(back_populates="sections")


class Goal(Base):
    """A goal paragraph (工作目标/主要目标) of an annex or a section; quantitative ones are flagged."""

    __tablename__ = "goal"
    id: Mapped[int] = mapped_column(primary_key=True)
    annex_id: Mapped[int] = mapped_column(ForeignKey("annex.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    is_quantitative: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)
    source_line: Mapped[int | None] = mapped_column(Integer)

    annex: Mapped[Annex] = relationship(back_populates="goals")


class IndicatorTable(Base):
    """An indicator table (指标对比, 提升目标 …) of an annex, its header kept as printed."""

    __tablename__ = "indicator_table"
    id: Mapped[int] = mapped_column(primary_key=True)
    annex_id: Mapped[int] = mapped_column(ForeignKey("annex.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    header: Mapped[list] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    source_line: Mapped[int | None] = mapped_column(Integer)

    annex: Mapped[Annex] = relationship(back_populates="indicator_tables")
    rows: Mapped[list[IndicatorRow]] = relationship(
        back_populates="table", order_by="IndicatorRow.position", cascade="all, delete-orphan"
    )


class IndicatorRow(Base):
    """One row of an indicator table, cells as printed."""

    __tablename__ = "indicator_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("indicator_table.id", ondelete="CASCADE"))
    cells: Mapped[list] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    source_line: Mapped[int | None] = mapped_column(Integer)

    table: Mapped[IndicatorTable] = relationship(back_populates="rows")


class Task(Base):
    """One task of a plan: its wording (corrected wording keeps the printed one beside it) and where it stands in the source."""

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    annex_id: Mapped[int] = mapped_column(ForeignKey("annex.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(20))
    block: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    deadline_text: Mapped[str | None] = mapped_column(Text)
    responsibility_text: Mapped[str | None] = mapped_column(Text)
    footnotes: Mapped[str | None] = mapped_column(Text)
    source_line_start: Mapped[int | None] = mapped_column(Integer)
    source_line_end: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    corrected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    corrected_by: Mapped[str | None] = mapped_column(String(100))
    # The wording as the document prints it, kept when title/text differ from it (an erratum shipped
    # with the program or a clerk's correction); None means the field reads as printed.
    printed_title: Mapped[str | None] = mapped_column(String(500))
    printed_text: Mapped[str | None] = mapped_column(Text)
    wording_note: Mapped[str | None] = mapped_column(Text)
    # Set when a revised version of the plan no longer has the task (已从新版计划中删除): it keeps its
    # reports and stays readable, but drops out of the warnings; None while the plan has it.
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    plan: Mapped[Plan] = relationship()
    annex: Mapped[Annex] = relationship()
    section: Mapped[Section | None] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="task", order_by="Milestone.position", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="task", order_by="Assignment.position", cascade="all, delete-orphan"
    )


class Milestone(Base):
    """One deadline stage of a task: the wording as printed and the due date the rules give it."""

    __tablename__ = "milestone"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    wording: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date | None] = mapped_column(Date)
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)

    task: Mapped[Task] = relationship(back_populates="milestones")


class Unit(Base):
    """A responsible unit under its canonical name; collective units stand for a group."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across ledgers and packets: sync matches units by it, never by name.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    expands_to_kind: Mapped[str | None] = mapped_column(String(40))

    aliases: Mapped[list[UnitAlias]] = relationship(
        back_populates="unit", order_by="UnitAlias.alias", cascade="all, delete-orphan"
    )


class UnitAlias(Base):
    """A spelling of a unit seen in a plan or the alias table."""

    __tablename__ = "unit_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)

    unit: Mapped[Unit] = relationship(back_populates="aliases")


class UnitMember(Base):
    """A member of a collective a clerk defined (各乡镇（街道） → each town); the bundled ones expand by kind."""

    __tablename__ = "unit_member"
    collective_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class AccountUnit(Base):
    """A unit a server login of role `unit` reports for; the server's row-level security reads it."""

    __tablename__ = "account_unit"
    login: Mapped[str] = mapped_column(String(63), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)


class Assignment(Base):
    """A unit's responsibility for a task, with its role and the spelling the text used.

    A collective with known members (各县（市、区）人民政府) keeps its own row as printed, and each
    member gets a row of its own with ``via_unit_id`` naming the collective: members report, are
    ranked and are sent documents one by one.
    """

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    as_printed: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    via_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))

    task: Mapped[Task] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])


class ProgressEntry(Base):
    """A unit's report on a task for one month; one per (task, unit, period)."""

    __tablename__ = "progress_entry"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id", "period"),
        Index("ix_progress_entry_period_status_unit", "period", "status", "unit_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(10))
    percent: Mapped[int] = mapped_column(Integer)
    progress_text: Mapped[str] = mapped_column(Text)
    problems: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    reporter: Mapped[str | None] = mapped_column(String(100))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    origin: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The ledger (or field packet) that made the latest change, and the tombstone of a deleted report.
    changed_on: Mapped[str | None] = mapped_column(String(36))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuditLog(Base):
    """Every change to the ledger: who, when, what, and the values before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    operator: Mapped[str | None] = mapped_column(String(100))
    # On a server ledger, the database login (session_user), set by the server's trigger, not the client.
    login: Mapped[str | None] = mapped_column(String(63))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(100), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class SignOff(Base):
    """The office's 办结销号: a task signed off as done, with its evidence; one per task."""

    __tablename__ = "task_signoff"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), unique=True)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    operator: Mapped[str] = mapped_column(String(100))
    evidence_note: Mapped[str | None] = mapped_column(Text)
    evidence_name: Mapped[str | None] = mapped_column(String(255))
    evidence_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Extension(Base):
    """An approved 延期: the new due date, why, and the document that approved it."""

    __tablename__ = "task_extension"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    new_due: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(String(300))
    approved_on: Mapped[dt.date] = mapped_column(Date)
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WarningMark(Base):
    """A task's warning colour as recorded for one month, so a caught-up task keeps its red past."""

    __tablename__ = "warning_mark"
    __table_args__ = (UniqueConstraint("task_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    colour: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProgressDraft(Base):
    """Typed but unsaved progress, kept so a closed window or a crash loses nothing."""

    __tablename__ = "progress_draft"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    period: Mapped[str] = mapped_column(String(7))
    fields: Mapped[dict] = mapped_column(JSON)
    operator: Mapped[str | None] = mapped_column(String(100))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Evidence(Base):
    """A photo, PDF or document attached to a report, stored inside the ledger under its hash."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    entry_uuid: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    origin: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PacketBase(Base):
    """In a field packet: each report as it stood when the packet was made, the base of a three-way merge."""

    __tablename__ = "packet_base"
    entry_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class PacketSync(Base):
    """In the office ledger: each report of a packet as last merged, the base of that packet's next merge."""

    __tablename__ = "packet_sync"
    packet_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entry_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))


class PacketMerge(Base):
    """A field packet merged into this ledger, with what the merge did."""

    __tablename__ = "packet_merge"
    id: Mapped[int] = mapped_column(primary_key=True)
    packet_id: Mapped[str] = mapped_column(String(36), index=True)
    packet_digest: Mapped[str] = mapped_column(String(64))
    merged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    operator: Mapped[str | None] = mapped_column(String(100))
    counts: Mapped[dict] = mapped_column(JSON)


class MergeConflict(Base):
    """A report changed both in the office and in a field packet: both versions kept until a clerk decides."""

    __tablename__ = "merge_conflict"
    __table_args__ = (UniqueConstraint("packet_id", "entry_uuid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    packet_id: Mapped[str] = mapped_column(String(36))
    entry_uuid: Mapped[str] = mapped_column(String(36), index=True)
    ledger_values: Mapped[dict] = mapped_column(JSON)
    packet_values: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PacketExport(Base):
    """In the office ledger: what each exported field packet was for, as the office recorded it.

    A merge trusts this record, never what the returned packet says about itself: the packet may
    change only reports of these tasks and units in these months, against these base digests.
    """

    __tablename__ = "packet_export"
    packet_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    operator: Mapped[str | None] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(7))
    first_period: Mapped[str] = mapped_column(String(7))
    task_ids: Mapped[list] = mapped_column(JSON)
    unit_ids: Mapped[list] = mapped_column(JSON)
    base: Mapped[dict] = mapped_column(JSON)  # entry uuid -> [version, digest] of every report as exported


class Indicator(Base):
    """A tracked indicator of a plan: a row of an indicator table or a quantitative clause of a goal.

    ``source_key`` keeps its identity across re-imports and revised plans (db.indicators); a clerk's
    correction sets corrected_at/by and keeps the extracted values in ``printed``.
    """

    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("plan_id", "code", name="uq_indicator_plan_code"),
        UniqueConstraint("plan_id", "source_key", name="uq_indicator_plan_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    annex_id: Mapped[int] = mapped_column(ForeignKey("annex.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str] = mapped_column(String(400))
    name: Mapped[str] = mapped_column(String(300))
    measure_unit: Mapped[str | None] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    baseline_text: Mapped[str | None] = mapped_column(Text)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    frontier_text: Mapped[str | None] = mapped_column(Text)
    frontier_value: Mapped[float | None] = mapped_column(Float)
    source_kind: Mapped[str] = mapped_column(String(10))
    # The table row or goal paragraph it was read from; both are rebuilt on each import and re-linked.
    indicator_row_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_row.id", ondelete="SET NULL"))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    source_line: Mapped[int | None] = mapped_column(Integer)
    source_text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    corrected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    corrected_by: Mapped[str | None] = mapped_column(String(100))
    # The values as extracted from the printed plan, kept once a clerk corrects any of them.
    printed: Mapped[dict | None] = mapped_column(JSON)
    # Set when a revised plan no longer prints it: actuals kept, out of the warnings.
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    annex: Mapped[Annex] = relationship()
    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="indicator", order_by="IndicatorTarget.period", cascade="all, delete-orphan"
    )
    units: Mapped[list[IndicatorUnit]] = relationship(
        back_populates="indicator", order_by="IndicatorUnit.position", cascade="all, delete-orphan"
    )


class IndicatorTarget(Base):
    """A staged target of an indicator: due by the end of its month, worded as printed, with its number."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class IndicatorUnit(Base):
    """A unit answerable for an indicator, with its role (牵头 or 责任单位, db.indicators)."""

    __tablename__ = "indicator_unit"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)

    indicator: Mapped[Indicator] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship()


class IndicatorActual(Base):
    """A unit's reported actual value of an indicator for one month; one per (indicator, unit, period)."""

    __tablename__ = "indicator_actual"
    __table_args__ = (UniqueConstraint("indicator_id", "unit_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    value_text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    operator: Mapped[str | None] = mapped_column(String(100))
    # On a server ledger, the database login that saved it.
    login: Mapped[str | None] = mapped_column(String(63))


class MeasureLink(Base):
    """A 附件1 summary measure tied to a special-annex task that carries it out: suggested by wording, decided by the office."""

    __tablename__ = "measure_link"
    __table_args__ = (UniqueConstraint("measure_task_id", "task_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    # The text similarity when suggested (None for a link a clerk added by hand), and the phrases both print.
    score: Mapped[float | None] = mapped_column(Float)
    phrases: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))


class SupervisoryAct(Base):
    """An act of the office (约谈, 表扬, 督查, 回头看 …): when, on what basis, what was asked and what came of it."""

    __tablename__ = "supervisory_act"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    act_date: Mapped[dt.date] = mapped_column(Date, index=True)
    basis: Mapped[str] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    # The office chooses which acts its monthly 通报 names.
    in_circular: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A 回头看's sample: the rule it was drawn by, in words, and the seed of a random draw (None: drawn by rule).
    sample_rule: Mapped[str | None] = mapped_column(Text)
    seed: Mapped[int | None] = mapped_column(Integer)
    operator: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    result_by: Mapped[str | None] = mapped_column(String(100))
    result_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    targets: Mapped[list[ActTarget]] = relationship(order_by="ActTarget.id", cascade="all, delete-orphan")
    evidence: Mapped[list[ActEvidence]] = relationship(order_by="ActEvidence.id", cascade="all, delete-orphan")
    recheck_items: Mapped[list[RecheckItem]] = relationship(order_by="RecheckItem.id", cascade="all, delete-orphan")


class ActTarget(Base):
    """A unit or a task an act concerns (a 约谈 of a unit about one of its tasks names both)."""

    __tablename__ = "act_target"
    __table_args__ = (CheckConstraint("unit_id IS NOT NULL OR task_id IS NOT NULL", name="unit_or_task"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("supervisory_act.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)


class ActEvidence(Base):
    """A file the office keeps for an act (约谈记录, 督查报告 …), stored inside the ledger under its hash."""

    __tablename__ = "act_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    act_id: Mapped[int] = mapped_column(ForeignKey("supervisory_act.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RecheckItem(Base):
    """A signed-off task drawn for a 回头看, and its re-check; a failed one keeps the sign-off it revoked."""

    __tablename__ = "recheck_item"
    __table_args__ = (UniqueConstraint("act_id", "task_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("supervisory_act.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    operator: Mapped[str | None] = mapped_column(String(100))
    # The sign-off a failed re-check revoked (date, operator, evidence note, file name and hash), kept readable.
    revoked_sign_off: Mapped[dict | None] = mapped_column(JSON)


class AssessmentScheme(Base):
    """A version of a plan's 综合考评 scheme as the office saved it; the newest is in force (db.assessment)."""

    __tablename__ = "assessment_scheme"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    components: Mapped[list] = mapped_column(JSON)
    operator: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AssessmentResult(Base):
    """A month's 综合考评 as computed, with the scheme it used, so a later scheme leaves the month as it was."""

    __tablename__ = "assessment_result"
    __table_args__ = (UniqueConstraint("plan_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    scheme: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    operator: Mapped[str | None] = mapped_column(String(100))

    scores: Mapped[list[AssessmentScore]] = relationship(
        back_populates="result", order_by="AssessmentScore.position", cascade="all, delete-orphan"
    )


class AssessmentScore(Base):
    """One unit's score in a stored month: each component's figure and points, the total and the rank."""

    __tablename__ = "assessment_score"
    __table_args__ = (UniqueConstraint("result_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("assessment_result.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    position: Mapped[int] = mapped_column(Integer)
    components: Mapped[list] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)

    result: Mapped[AssessmentResult] = relationship(back_populates="scores")
