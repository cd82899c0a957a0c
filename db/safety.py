"""Keeping the ledger safe: one writing duban per file, SQLite checks, rotated backups and a checked restore.

Backups are made with SQLite's backup API (a consistent snapshot even while another duban writes), written
under a temporary name, verified, flushed to disk and only then renamed, so a backup that exists is whole.
They live in a "backups" folder beside the ledger: ledger-20240105-093000.sqlite (made on open),
ledger-20240105-093000-before-upgrade-0001.sqlite and ledger-20240105-093000-before-restore.sqlite.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from db.errors import UserError, known_error, shown
from db.files import check_output, fsync_file, ledger_id_of, replace_durably
from db.migrations import SCHEMA_HEAD

log = logging.getLogger(__name__)

BACKUP_KEEP = 10
# A backup's temp file (.partial) older than this was left by a duban that was killed mid-backup.
STALE_PARTIAL = dt.timedelta(minutes=10)
# A backup on open is skipped when the newest one is younger than this, so a script of a hundred
# `duban progress add` calls neither pays for a hundred copies nor rotates the older history away.
BACKUP_INTERVAL = dt.timedelta(hours=1)
SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every schema revision since 0001 has; a file without them is not a ledger.
LEDGER_TABLES = frozenset({"alembic_version", "plan", "task", "unit", "assignment", "progress_entry", "audit_log"})
OPENED, UPGRADE, RESTORE = "open", "before-upgrade", "before-restore"
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"(\d{8}-\d{6})(?:-(\d+))?(?:-(before-upgrade)-(\w+)|-(before-restore))?\.sqlite")


class LedgerInUse(UserError):
    """Another duban process has the ledger open for writing; the window can offer a read-only view instead."""

    def __init__(self, path: Path):
        super().__init__(
            f"台账 {path} 正由另一个督办台账窗口或命令使用（可能在本机，也可能在共用此文件的其他电脑上）。"
            "请先关闭它，或以只读方式打开。"
        )
        self.path = path


class LedgerDamaged(UserError):
    """The ledger fails SQLite's check; carries the newest backup that passes, so the window can offer it."""

    def __init__(self, path: Path, problems: list[str], backup: Backup | None):
        if backup is None:
            message = f"台账文件 {path} 已损坏，不能打开；在 {backups_dir(path)} 中没有找到完好的备份。"
            advice = "请不要再写入该文件，先复制一份保存，再联系技术人员修复。"
        else:
            message = (
                f"台账文件 {path} 已损坏，不能打开。最近一份完好的备份是 {backup.path.name}"
                f"（{backup.taken:%Y年%m月%d日 %H:%M}）。"
            )
            advice = f"可用 duban --db {_arg(path)} restore {_arg(backup.path)} 恢复（恢复前会把当前文件另存到备份文件夹）。"
        super().__init__(message, [*problems, advice])
        self.path = path
        self.backup = backup.path if backup else None


@dataclass(frozen=True)
class Backup:
    """One file in the backups folder, as its name describes it."""

    path: Path
    taken: dt.datetime
    kind: str  # OPENED, UPGRADE or RESTORE
    revision: str | None  # the schema revision an UPGRADE backup holds


def _now() -> dt.datetime:
    """The clock backups are named by (tests move it)."""
    return dt.datetime.now()


def _arg(path: Path) -> str:
    """A path as one command-line argument."""
    return f'"{path}"' if any(c.isspace() for c in str(path)) else str(path)


# --- one writing process per ledger ---------------------------------------------------------------

_held: dict[str, list] = {}  # resolved ledger path -> [FileLock, number of opens in this process]
_held_guard = threading.Lock()


def lock_ledger(path: str | os.PathLike) -> Callable[[], None]:
    """Claim the ledger for this process and return the release.

    The claim is an OS file lock on <ledger>.lock, freed by the system if duban dies.  Opens within one
    process share it (the window, its workers and the command line run in tests against one file), so
    only another process is refused, with LedgerInUse.
    """
    from filelock import FileLock, Timeout

    path = Path(path).resolve()
    key = os.path.normcase(str(path))
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
        else:
            lock = FileLock(path.with_name(path.name + ".lock"), timeout=0, thread_local=False)
            try:
                lock.acquire()
            except Timeout:
                raise LedgerInUse(path) from None
            _held[key] = [lock, 1]
    released = False

    def release() -> None:
        nonlocal released
        with _held_guard:
            if released:
                return
            released = True
            entry = _held[key]
            entry[1] -= 1
            if entry[1] == 0:
                entry[0].release()
                del _held[key]

    return release


# --- checks ---------------------------------------------------------------------------------------


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def file_damage(path: str | os.PathLike, *, thorough: bool = False) -> list[str]:
    """Why SQLite cannot trust this file (empty if it can): quick_check, or the full integrity_check if thorough."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER:
            return ["文件开头没有 SQLite 数据库的标志（已被覆盖，或不是台账文件）。"]
        with closing(_connect_read_only(path)) as conn:
            rows = [row[0] for row in conn.execute(f"PRAGMA {'integrity_check' if thorough else 'quick_check'}(20)")]
    except UnicodeDecodeError:  # SQLite's own message quoted a damaged name that is not UTF-8
        return ["SQLite 无法读取该文件（文件结构已损坏）。"]
    except sqlite3.DatabaseError as exc:
        log.warning("SQLite cannot read %r: %s", str(path), exc)  # SQLite's English words go to the log only
        return ["SQLite 无法读取该文件（文件结构已损坏）。"]
    except OSError as exc:
        log.warning("cannot read %r: %s", str(path), exc)
        return ["无法读取该文件（磁盘或权限问题，详见日志）。"]
    if rows == ["ok"]:
        return []
    log.warning("integrity check of %r: %s", str(path), "; ".join(rows))
    return [f"SQLite 检查发现文件已损坏（{len(rows)} 处问题，详见日志）。"]


def known_revisions() -> set[str]:
    """Every schema revision this program can open (Alembic is imported only when a revision differs from head)."""
    from alembic.script import ScriptDirectory

    from db import migrations

    return {rev.revision for rev in ScriptDirectory(str(Path(migrations.__file__).parent)).walk_revisions()}


def check_file(path: str | os.PathLike) -> list[str]:
    """Why this file cannot become the ledger (empty if it can): the gate before a restore."""
    path = Path(path)
    if not path.is_file():
        return [f"文件 {path} 不存在。"]
    problems = file_damage(path, thorough=True)
    if problems:
        return problems
    try:
        with closing(_connect_read_only(path)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not LEDGER_TABLES <= tables:
                return ["这不是督办台账文件（其中没有台账的数据表）。"]
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        log.warning("SQLite cannot read the tables of %r: %s", str(path), exc)
        return ["SQLite 无法读取该文件（文件结构已损坏）。"]
    if revision is None:
        return ["台账文件中没有数据结构版本记录。"]
    if revision[0] != SCHEMA_HEAD and revision[0] not in known_revisions():
        return [f"它的数据结构版本（{revision[0]}）比本程序新，请升级督办台账后再使用。"]
    return []


# --- backups --------------------------------------------------------------------------------------


def backups_dir(ledger_path: str | os.PathLike) -> Path:
    """Backups sit beside the ledger, so copying the folder copies its history."""
    return Path(ledger_path).parent / "backups"


def list_backups(ledger_path: str | os.PathLike) -> list[Backup]:
    """The ledger's backups, newest first."""
    ledger_path = Path(ledger_path)
    folder = backups_dir(ledger_path)
    prefix = ledger_path.stem + "-"
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        match = _NAME.fullmatch(path.name[len(prefix):]) if path.name.startswith(prefix) else None
        if not match:
            continue
        stamp, seq, upgrade, revision, restore_ = match.groups()
        kind = UPGRADE if upgrade else RESTORE if restore_ else OPENED
        taken = dt.datetime.strptime(stamp, _STAMP)
        found.append((taken, int(seq or 1), Backup(path, taken, kind, revision)))
    return [backup for _taken, _seq, backup in sorted(found, key=lambda item: item[:2], reverse=True)]


def _new_backup_path(ledger_path: Path, suffix: str) -> Path:
    folder = backups_dir(ledger_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _now().strftime(_STAMP)
    seq = 1
    while True:
        candidate = folder / f"{ledger_path.stem}-{stamp}{'' if seq == 1 else f'-{seq}'}{suffix}.sqlite"
        if not candidate.exists():
            return candidate
        seq += 1


def _remove_with_companions(path: Path) -> None:
    for name in (path.name, path.name + "-journal", path.name + "-wal", path.name + "-shm"):
        path.with_name(name).unlink(missing_ok=True)


def copy_database(source: Path, dest: Path) -> None:
    """A consistent copy with SQLite's backup API (a live WAL included) as one self-contained file, over dest."""
    _remove_with_companions(dest)
    with closing(_connect_read_only(source)) as src, closing(sqlite3.connect(dest)) as copy:
        src.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # no WAL companions to lose when the file is copied on


def backup_to(source: str | os.PathLike, dest: str | os.PathLike, *, check: str | None = "integrity_check", guard: bool = True) -> Path:
    """Copy the ledger at source to dest with SQLite's backup API, check the copy, flush it, then rename it into place.

    check is "integrity_check" (thorough), "quick_check" (the backup on open) or None (the safety copy of
    a damaged ledger before a restore).  dest is replaced if it exists and is an older backup of the same
    ledger; the output guard (db.files) refuses any other ledger, a packet, or the ledger's own files
    (guard=False only for restore, which writes the ledger itself).
    """
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise UserError(f"台账文件 {source} 不存在，无法备份。")
    if guard:
        check_output(dest, backup_of=ledger_id_of(source) or "")
    if dest.exists() and dest.resolve() == source.resolve():
        raise UserError(f"不能写入 {shown(dest)}：它就是台账文件本身，备份文件不能与台账文件相同，请另选一个文件名；该文件未作改动。")
    partial = dest.with_name(dest.name + ".partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        copy_database(source, partial)
        with closing(sqlite3.connect(partial)) as copy:
            verdict = [row[0] for row in copy.execute(f"PRAGMA {check}(20)")] if check else ["ok"]
        if verdict != ["ok"]:
            raise UserError(f"备份 {dest} 未通过完整性检查，台账 {source} 可能已损坏；未保存该备份。", verdict)
        replace_durably(partial, dest)
    except sqlite3.DatabaseError as exc:
        _remove_with_companions(partial)
        raise known_error(exc, dest) or UserError(f"无法备份台账 {shown(source)}：{exc}") from exc
    except OSError as exc:
        _remove_with_companions(partial)
        raise known_error(exc, dest) or UserError(f"无法写入备份文件 {shown(dest)}：{exc.strerror or exc}") from exc
    except BaseException:
        _remove_with_companions(partial)
        raise
    return dest


def remove_stale_partials(ledger_path: str | os.PathLike, older_than: dt.timedelta = STALE_PARTIAL) -> list[Path]:
    """Delete this ledger's backup temp files (<backup>.partial and its journals) left by a duban killed mid-backup.

    Only duban's own: in the ledger's backups folder, named after this ledger, and untouched for
    older_than (a backup being written right now by a reader of the same ledger is younger).
    """
    ledger_path = Path(ledger_path)
    folder = backups_dir(ledger_path)
    removed = []
    limit = dt.datetime.now().timestamp() - older_than.total_seconds()
    for path in folder.iterdir() if folder.is_dir() else ():
        name = path.name
        for suffix in ("-journal", "-wal", "-shm"):
            name = name.removesuffix(suffix)
        if not (name.startswith(ledger_path.stem + "-") and name.endswith(".sqlite.partial") and path.is_file()):
            continue
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # another process has it, or the folder is read-only: try again next time
    return removed


def rotate_backups(ledger_path: str | os.PathLike, keep: int = BACKUP_KEEP) -> list[Path]:
    """Delete all but the newest `keep` backups of each kind; returns what was deleted."""
    seen: dict[str, int] = {}
    removed = []
    for backup in list_backups(ledger_path):
        seen[backup.kind] = seen.get(backup.kind, 0) + 1
        if seen[backup.kind] > keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


def _last_change(ledger_path: Path) -> float:
    """When the ledger was last written: the file, or its WAL if a session wrote and was not checkpointed."""
    wal = ledger_path.with_name(ledger_path.name + "-wal")
    times = [ledger_path.stat().st_mtime]
    if wal.exists() and wal.stat().st_size > 0:
        times.append(wal.stat().st_mtime)
    return max(times)


def backup_on_open(ledger_path: str | os.PathLike) -> Path | None:
    """The routine backup when a ledger is opened, rotated to the last BACKUP_KEEP.

    Skipped when the ledger has not changed since the newest such backup (reading the ledger ten times
    must not push the older history out) or when that backup is less than BACKUP_INTERVAL old.
    """
    ledger_path = Path(ledger_path)
    newest = next((b for b in list_backups(ledger_path) if b.kind == OPENED), None)
    if newest is not None:
        unchanged = _last_change(ledger_path) <= newest.path.stat().st_mtime
        age = _now() - newest.taken
        if unchanged or dt.timedelta(0) <= age < BACKUP_INTERVAL:
            return None
    made = backup_to(ledger_path, _new_backup_path(ledger_path, ""), check="quick_check")
    rotate_backups(ledger_path)
    return made


def backup_before_upgrade(ledger_path: str | os.PathLike, revision: str) -> Path:
    """A fully checked copy of the ledger at its old schema revision, taken before Alembic changes it."""
    ledger_path = Path(ledger_path)
    made = backup_to(ledger_path, _new_backup_path(ledger_path, f"-before-upgrade-{revision}"))
    rotate_backups(ledger_path)
    return made


def latest_good_backup(ledger_path: str | os.PathLike) -> Backup | None:
    """The newest backup that passes check_file (each check reads the whole file, so only on damage)."""
    return next((b for b in list_backups(ledger_path) if not check_file(b.path)), None)


def folder_writable(folder: Path) -> bool:
    """Whether files can be created in folder (a read-only mount or share, or no permission, says no)."""
    return os.access(folder, os.W_OK)


def file_damage_in_memory(path: Path) -> list[str]:
    """file_damage on a copy of the bytes in memory: tells a read-only folder (SQLite cannot open the file there)
    from a damaged file.  Only the main file is read; a ledger bigger than 512 MB is not copied and counts as unknown."""
    try:
        if path.stat().st_size > 512 * 1024 * 1024:
            return ["台账文件过大，未在内存中检查。"]
        data = path.read_bytes()
        if data[:len(SQLITE_HEADER)] != SQLITE_HEADER:
            return ["文件开头没有 SQLite 数据库的标志。"]
        data = data[:18] + b"\x01\x01" + data[20:]  # WAL -> rollback journal, so memory can hold it
        with closing(sqlite3.connect(":memory:")) as conn:
            conn.deserialize(data)
            rows = [row[0] for row in conn.execute("PRAGMA quick_check(20)")]
    except (OSError, sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


class QuickCheck:
    """SQLite's quick_check of a ledger file, started early in a thread of its own and taken once by open_ledger.

    The window starts one before it builds itself: sqlite3 lets go of the GIL while SQLite reads the file, so
    on a second core the check costs the start-up little, and the ledger is still checked before it is read.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._problems: list[str] | None = None
        self._taken = False
        self._thread = threading.Thread(target=self._run, name="duban-quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._problems = file_damage(self.path)
        except BaseException:  # noqa: BLE001 - open_ledger checks again on its own thread and raises there
            log.exception("quick_check of %r failed", str(self.path))

    def take(self, path: Path) -> list[str] | None:
        """The check's findings for path, the first time only (a later open, e.g. after a restore, checks anew)."""
        if self._taken or os.path.normcase(str(path.resolve())) != os.path.normcase(str(self.path.resolve())):
            return None
        self._taken = True
        self._thread.join()
        return self._problems


def upkeep_after_open(ledger_path: str | os.PathLike) -> Path | None:
    """What open_ledger does after its check unless told to leave it: clear killed backups' temp files, then the
    backup on open (backup_on_open).  The window runs it in a worker once the task table is drawn."""
    remove_stale_partials(ledger_path)
    return backup_on_open(ledger_path)


def check_before_open(ledger_path: Path, problems: list[str] | None = None) -> None:
    """Raise LedgerDamaged, naming the latest good backup, if SQLite's quick_check finds the ledger damaged.

    problems are a QuickCheck's findings for this file when one ran already; None runs the check here."""
    if problems is None:
        problems = file_damage(ledger_path)
    if problems and not file_damage_in_memory(ledger_path):  # the file is whole: its folder or disk is the problem
        if not folder_writable(ledger_path.parent):
            raise UserError(
                f"台账所在的文件夹 {shown(ledger_path.parent)} 是只读的（或没有写入权限），无法打开台账 {shown(ledger_path)}。"
                "台账本身没有损坏：SQLite 打开它时需要在同一文件夹中建立辅助文件（-wal、-shm）。",
                ["请把台账文件复制到一个可以写入的文件夹（如“文档”），再用 duban --db 新路径 打开。", *problems],
            )
        raise UserError(
            f"无法打开台账 {shown(ledger_path)}：台账本身没有损坏，但它所在的磁盘无法写入（磁盘已满或出错）。",
            ["请清理该磁盘的空间（或检查磁盘、U 盘）后再打开。", *problems],
        )
    if problems:
        raise LedgerDamaged(ledger_path, problems, latest_good_backup(ledger_path))


# --- restore --------------------------------------------------------------------------------------


def _keep_current(target: Path) -> Path:
    """Save the ledger about to be replaced; a file SQLite cannot even read is copied byte for byte."""
    dest = _new_backup_path(target, "-before-restore")
    try:
        return backup_to(target, dest, check=None)
    except UserError:
        shutil.copyfile(target, dest)
        fsync_file(dest)
        return dest


@dataclass(frozen=True)
class LedgerFacts:
    """Whose a ledger file is, as a refusal names it: its id, office, plan, live reports and last change."""

    ledger_id: str | None
    packet: bool
    office: str | None
    plans: list[str]
    reports: int
    last_change: str | None

    def describe(self) -> str:
        what = "外勤数据包" if self.packet else "台账"
        plans = "、".join(f"《{p}》" for p in self.plans[:3]) or "无"
        return (
            f"它是{what}（台账标识 {self.ledger_id or '无'}，单位“{self.office or '未设置'}”，计划 {plans}，"
            f"进展 {self.reports} 条，最后修改 {self.last_change or '无记录'}）"
        )


def ledger_facts(path: str | os.PathLike) -> LedgerFacts:
    """Read whose a checked ledger file is (check_file passed), without opening it for writing."""
    with closing(_connect_read_only(Path(path))) as conn:
        info = dict(conn.execute("SELECT key, value FROM ledger_info").fetchall())
        plans = [row[0] for row in conn.execute("SELECT title FROM plan ORDER BY id")]
        reports = conn.execute("SELECT COUNT(*) FROM progress_entry WHERE deleted_at IS NULL").fetchone()[0]
        last = conn.execute("SELECT MAX(at) FROM audit_log").fetchone()[0]
    return LedgerFacts(
        ledger_id=info.get("ledger_id"),
        packet=any(key.startswith("packet.") for key in info),
        office=info.get("setting.office_name"),
        plans=plans,
        reports=reports,
        last_change=str(last)[:16] if last else None,
    )


def foreign_backup(backup: str | os.PathLike, target: str | os.PathLike) -> str | None:
    """Why backup is not this ledger's own (a field packet, or another ledger's id), or None if it may be restored."""
    facts = ledger_facts(backup)
    if facts.packet:
        return f"{shown(backup)} 不是台账备份，而是一个外勤数据包：{facts.describe()}。数据包应当用 duban packet merge 合并。"
    try:
        own = ledger_facts(target).ledger_id if not check_file(target) else None
    except sqlite3.DatabaseError:
        own = None
    if own and facts.ledger_id and own != facts.ledger_id:
        return f"{shown(backup)} 是另一本台账的备份，不是 {shown(target)}（台账标识 {own}）的：{facts.describe()}。"
    return None


def restore(backup: str | os.PathLike, target: str | os.PathLike, *, force: bool = False) -> Path | None:
    """Replace the ledger at target by a checked backup, keeping the current file first; returns that safety copy.

    Refused (with the reason) if the backup fails check_file, if it is a field packet or another ledger's
    backup (unless force; the refusal says whose it is), and with LedgerInUse if another duban has the target open.  The copy goes through SQLite's backup API into the ledger, so its WAL stays consistent;
    a target SQLite cannot write into any more is replaced as a file.
    """
    backup, target = Path(backup), Path(target)
    if target.exists() and backup.resolve() == target.resolve():
        raise UserError("不能用台账文件本身恢复自己，请选择备份文件夹中的一份备份。")
    problems = check_file(backup)
    if problems:
        raise UserError(f"备份文件 {backup} 不能用于恢复：{problems[0]}台账未作改动。", problems[1:])
    foreign = None if force else foreign_backup(backup, target)
    if foreign:
        raise UserError(f"{foreign}台账未作改动。", ["确认要用它替换当前台账，请加 --force（恢复前仍会把当前台账另存到备份文件夹）。"])
    release = lock_ledger(target)
    try:
        kept = _keep_current(target) if target.exists() and target.stat().st_size > 0 else None
        try:
            with closing(_connect_read_only(backup)) as src, closing(sqlite3.connect(target)) as dst:
                dst.execute("PRAGMA synchronous=FULL")
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError:
            _remove_with_companions(target)
            backup_to(backup, target, guard=False)
        problems = file_damage(target)
        if problems:
            raise UserError(f"恢复后的台账 {target} 未通过检查，请换一份备份再试。", problems)
    finally:
        release()
    rotate_backups(target)
    return kept
