"""What a field packet says about itself: its reports as they travel, its seal, and its metadata read with bounds.

Every commit inside a packet re-seals it: record counts and a checksum of its reports, its evidence
(names and a hash of the bytes, not only the stored hash) and its base, which a merge recomputes, so a
packet edited outside duban or cut short is refused.  The seal only tells accident from intent when
nobody re-seals: a merge trusts the office's own export record (db.models.PacketExport), never this.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.engine import Ledger
from db.errors import UserError
from db.models import Evidence, LedgerInfo, PacketBase, Plan, ProgressEntry, Task, Unit

CONTENT = ("status", "percent", "progress_text", "problems", "next_steps", "reporter", "entry_date")
INFO_ID, INFO_SOURCE, INFO_PERIOD, INFO_SCOPE, INFO_MADE, INFO_SEAL = (
    "packet.id", "packet.source_ledger_id", "packet.period", "packet.scope", "packet.created", "packet.seal"
)
SEAL_FORMAT = 2  # how compute_seal hashes (2: evidence names and bytes too); another format is named as such, not called tampered

# Bounds on what a packet may hold before anything is parsed: larger is damage or an attack, never field work.
MAX_INFO_CHARS = 64 * 1024
MAX_VERSION = 2**31 - 1
MAX_FIELD_CHARS = 64 * 1024  # far above db.progress.TEXT_LIMITS, which refuse single reports; this refuses the file
MAX_EVIDENCE_TOTAL = 1024 * 1024 * 1024  # all attachments of one packet, read into memory by a merge
_SEAL_COUNTS = ("entries", "tombstones", "evidence")


def packet_period(session: Session) -> str | None:
    """The month a field packet was made for, or None: the ledger is an office ledger, not a packet."""
    row = session.get(LedgerInfo, INFO_PERIOD)
    return row.value if row is not None else None


# --- what a report says ---------------------------------------------------------------------------


def content_of(row: ProgressEntry) -> dict:
    """A report's content as it travels: the fields a clerk enters, and whether it is deleted."""
    values = {name: getattr(row, name) for name in CONTENT}
    values["entry_date"] = row.entry_date.isoformat()
    values["deleted"] = row.deleted_at is not None
    return values


def digest(task_code: str, unit: str, period: str, content: dict) -> str:
    """The fingerprint the merge compares: same digest, same report (repr of str, int, bool and None is stable)."""
    canonical = repr((task_code, unit, period, *(content[name] for name in CONTENT), content["deleted"]))
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_rows(session: Session, *where):
    """Reports as plain rows with their task code, unit name and uuid, and plan title and uuid (tombstones included)."""
    return session.execute(
        select(
            *ProgressEntry.__table__.c, Task.code.label("task_code"), Unit.name.label("unit_name"), Unit.uuid.label("unit_uuid"),
            Plan.title.label("plan_title"), Plan.uuid.label("plan_uuid"),
        )
        .join(Task, Task.id == ProgressEntry.task_id)
        .join(Unit, Unit.id == ProgressEntry.unit_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(*where)
        .order_by(ProgressEntry.uuid)
    )


@dataclass
class PacketEntry:
    """One report in a returned packet, with what the merge needs to place it."""

    uuid: str
    plan: str
    task_code: str
    unit: str
    period: str
    content: dict
    version: int
    origin: str | None
    changed_on: str | None
    created_at: dt.datetime
    # The plan's and unit's stable ids (schema 0008); None in a packet made before them, which the merge
    # then places by plan title and unit name.  They are not in the digest: a rename is no change of a report.
    plan_uuid: str | None = None
    unit_uuid: str | None = None

    def __post_init__(self):
        self.digest = digest(self.task_code, self.unit, self.period, self.content)


def read_entries(session: Session) -> list[PacketEntry]:
    return [
        PacketEntry(r.uuid, r.plan_title, r.task_code, r.unit_name, r.period, content_of(r), r.version, r.origin, r.changed_on, r.created_at,
                    r.plan_uuid, r.unit_uuid)
        for r in entry_rows(session)
    ]


# --- the seal -------------------------------------------------------------------------------------


def compute_seal(session: Session, entries: list[PacketEntry] | None = None) -> dict:
    """Counts and a checksum of everything a merge takes from the packet (entries: already read, to read once)."""
    sha = hashlib.sha256()
    live = tombstones = 0
    for entry in entries if entries is not None else read_entries(session):
        live, tombstones = (live, tombstones + 1) if entry.content["deleted"] else (live + 1, tombstones)
        sha.update(f"E|{entry.uuid}|{entry.version}|{entry.changed_on}|{entry.digest}\n".encode())
    evidence = 0
    query = select(Evidence.uuid, Evidence.entry_uuid, Evidence.name, Evidence.sha256, Evidence.size, Evidence.data, Evidence.deleted_at)
    for uid, entry_uuid, name, sha256, size, data, deleted in session.execute(query.order_by(Evidence.uuid)):
        evidence += 1
        held = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else "-"
        sha.update(f"V|{uid}|{entry_uuid}|{name!r}|{sha256}|{size}|{held}|{deleted is not None}\n".encode("utf-8", "backslashreplace"))
    for entry_uuid, version, base in session.execute(select(PacketBase.entry_uuid, PacketBase.version, PacketBase.digest).order_by(PacketBase.entry_uuid)):
        sha.update(f"B|{entry_uuid}|{version}|{base}\n".encode())
    return {"format": SEAL_FORMAT, "entries": live, "tombstones": tombstones, "evidence": evidence, "checksum": sha.hexdigest()}


def set_info(session: Session, key: str, value: str) -> None:
    row = session.get(LedgerInfo, key)
    if row is None:
        session.add(LedgerInfo(key=key, value=value))
    else:
        row.value = value


def reseal(session: Session) -> None:
    set_info(session, INFO_SEAL, json.dumps(compute_seal(session)))


_SEALED_TYPES = (ProgressEntry, Evidence, PacketBase)


def keep_sealed(ledger: Ledger) -> bool:
    """If the ledger is a packet, re-seal it on every commit that changed a report or evidence; True if it is one."""
    try:
        with ledger.engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM ledger_info WHERE key = :k"), {"k": INFO_ID}).first():
                return False
    except OperationalError:  # a ledger not yet migrated (open_ledger(upgrade=False)) has no ledger_info
        return False

    @event.listens_for(ledger.Session, "after_flush")
    def _note_change(session, _context):
        if any(isinstance(obj, _SEALED_TYPES) for obj in (*session.new, *session.dirty, *session.deleted)):
            session.info["packet_changed"] = True

    @event.listens_for(ledger.Session, "before_commit")
    def _seal(session):
        session.flush()
        if session.info.pop("packet_changed", False):
            reseal(session)

    return True


# --- metadata, read with types and bounds ---------------------------------------------------------


def _json_object(info: dict, key: str, label: str) -> dict:
    raw = info.get(key, "{}")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise UserError(f"{label}不是有效的数据。") from exc
    if not isinstance(value, dict):
        kinds = {list: "列表", str: "文字", int: "数字", float: "数字", bool: "真假值", type(None): "空值"}
        raise UserError(f"{label}的格式不对（应为键值表，实为{kinds.get(type(value), '其他数据')}）。")
    return value


def _check_seal(seal: dict) -> dict:
    if "format" in seal and seal["format"] != SEAL_FORMAT:
        return seal  # named by the caller as another version's packet
    for key in _SEAL_COUNTS:
        value = seal.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VERSION:
            raise UserError(f"校验信息中的“{key}”无效。")
    if not isinstance(seal.get("checksum"), str) or len(seal["checksum"]) != 64:
        raise UserError("校验信息中的校验和无效。")
    return seal


@dataclass
class PacketInfo:
    """What a packet says about itself, every value checked for type and size."""

    id: str
    source_ledger_id: str
    period: str
    scope: dict
    created: dict
    seal: dict

    @classmethod
    def read(cls, session: Session) -> PacketInfo | None:
        """The packet's metadata, or None for a ledger that is no packet; UserError (without the file's name) if malformed."""
        info = {}
        for key, value in session.execute(select(LedgerInfo.key, LedgerInfo.value).where(LedgerInfo.key.like("packet.%"))):
            if not isinstance(value, str) or len(value) > MAX_INFO_CHARS:
                raise UserError(f"数据包信息“{key}”不是长度合理的文字。")
            info[key] = value
        if INFO_ID not in info:
            return None
        for key, label in ((INFO_ID, "数据包编号"), (INFO_SOURCE, "来源台账编号")):
            if len(info.get(key, "")) > 64:
                raise UserError(f"{label}过长。")
        created = _json_object(info, INFO_MADE, "导出信息")
        if not isinstance(created.get("by", ""), str):
            raise UserError("导出人不是文字。")
        return cls(
            info[INFO_ID],
            info.get(INFO_SOURCE, ""),
            info.get(INFO_PERIOD, "")[:7],
            _json_object(info, INFO_SCOPE, "数据包范围"),
            created,
            _check_seal(_json_object(info, INFO_SEAL, "校验信息")),
        )


# SQLite keeps any value in any column: a packet's rows are checked for storage type and size before the ORM
# reads them, so a BLOB where text belongs, a huge text or an 8-byte version is refused, not a traceback.
_TEXT = "typeof({c}) = 'text' AND length({c}) <= {n}"
_OPT_TEXT = "({c} IS NULL OR " + _TEXT + ")"
_INT = "typeof({c}) = 'integer' AND {c} BETWEEN {lo} AND {hi}"
_STORAGE_RULES = {
    "progress_entry": [
        _TEXT.format(c="uuid", n=36), _INT.format(c="task_id", lo=1, hi=MAX_VERSION), _INT.format(c="unit_id", lo=1, hi=MAX_VERSION),
        _TEXT.format(c="period", n=7), _TEXT.format(c="status", n=10), _INT.format(c="percent", lo=-MAX_VERSION, hi=MAX_VERSION),
        _TEXT.format(c="progress_text", n=MAX_FIELD_CHARS), _OPT_TEXT.format(c="problems", n=MAX_FIELD_CHARS),
        _OPT_TEXT.format(c="next_steps", n=MAX_FIELD_CHARS), _OPT_TEXT.format(c="reporter", n=MAX_FIELD_CHARS),
        "typeof(entry_date) = 'text' AND entry_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'",
        _INT.format(c="version", lo=1, hi=MAX_VERSION), _OPT_TEXT.format(c="origin", n=36), _OPT_TEXT.format(c="changed_on", n=36),
        _TEXT.format(c="created_at", n=32), _TEXT.format(c="updated_at", n=32), _OPT_TEXT.format(c="deleted_at", n=32),
    ],
    "evidence": [
        _TEXT.format(c="uuid", n=36), _TEXT.format(c="entry_uuid", n=36), _TEXT.format(c="name", n=255),
        _INT.format(c="size", lo=0, hi=2**40), _TEXT.format(c="sha256", n=64), "typeof(data) = 'blob'",
        _OPT_TEXT.format(c="origin", n=36), _TEXT.format(c="created_at", n=32), _OPT_TEXT.format(c="deleted_at", n=32),
    ],
    "packet_base": [_TEXT.format(c="entry_uuid", n=36), _INT.format(c="version", lo=1, hi=MAX_VERSION), _TEXT.format(c="digest", n=64)],
    "ledger_info": [_TEXT.format(c="key", n=64), _TEXT.format(c="value", n=MAX_INFO_CHARS)],
    "task": [_TEXT.format(c="code", n=40)],
    "unit": [_TEXT.format(c="name", n=200), _TEXT.format(c="uuid", n=36)],
    "plan": [_TEXT.format(c="title", n=300), _TEXT.format(c="uuid", n=36)],
}
_TABLE_LABELS = {"progress_entry": "进展", "evidence": "证明材料", "packet_base": "基准", "ledger_info": "数据包信息", "task": "任务", "unit": "单位", "plan": "计划"}


def storage_problems(conn: Connection) -> list[str]:
    """Rows whose stored values have the wrong type or an unreasonable size, by table, in Chinese; [] if none."""
    problems = []
    for table, rules in _STORAGE_RULES.items():
        condition = " AND ".join(f"({rule})" for rule in rules)
        bad = conn.execute(text(f"SELECT count(*) FROM {table} WHERE NOT coalesce(({condition}), 0)")).scalar_one()
        if bad:
            problems.append(f"{_TABLE_LABELS[table]}表中有 {bad} 行的值类型不对或长度超出上限。")
    total = conn.execute(text("SELECT coalesce(sum(length(data)), 0) FROM evidence")).scalar_one()
    if total > MAX_EVIDENCE_TOTAL:
        problems.append(f"证明材料共 {total / 1048576:.0f} MB，超过一个数据包 {MAX_EVIDENCE_TOTAL // 1048576} MB 的上限。")
    return problems
