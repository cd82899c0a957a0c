"""Keeping the ledger safe: one writing duban per file, SQLite checks, rotated backups and a checked restore.

Backups are made with SQLite's backup API (a consistent snapshot even while another duban writes), written
under a temporary name, verified, flushed to disk and only then renamed, so a backup that exists is whole.
They live in a "backups" folder beside the ledger: ledger-20240105-093000.sqlite (made on open),
ledger-20240105-093000-before-upgrade-0001.sqlite and ledger-20240105-093000-before-restore.sqlite.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from db.errors import UserError
from db.migrations import SCHEMA_HEAD

BACKUP_KEEP = 10
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
        return [f"SQLite 无法读取该文件（{exc}）。"]
    except OSError as exc:
        return [f"无法读取该文件（{exc.strerror or exc}）。"]
    return [] if rows == ["ok"] else ["SQLite 检查发现文件已损坏。", *rows]


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
        return [f"SQLite 无法读取该文件：{exc}"]
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


def _fsync(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX only: Windows has no directory handles to flush)."""
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_with_companions(path: Path) -> None:
    for name in (path.name, path.name + "-journal", path.name + "-wal", path.name + "-shm"):
        path.with_name(name).unlink(missing_ok=True)


def copy_database(source: Path, dest: Path) -> None:
    """A consistent copy with SQLite's backup API (a live WAL included) as one self-contained file, over dest."""
    _remove_with_companions(dest)
    with closing(_connect_read_only(source)) as src, closing(sqlite3.connect(dest)) as copy:
        src.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # no WAL companions to lose when the file is copied on


def backup_to(source: str | os.PathLike, dest: str | os.PathLike, *, check: str | None = "integrity_check") -> Path:
    """Copy the ledger at source to dest with SQLite's backup API, check the copy, flush it, then rename it into place.

    check is "integrity_check" (thorough), "quick_check" (the backup on open) or None (the safety copy of
    a damaged ledger before a restore).  dest is replaced if it exists.
    """
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise UserError(f"台账文件 {source} 不存在，无法备份。")
    if dest.exists() and dest.resolve() == source.resolve():
        raise UserError("备份文件不能与台账文件相同，请另选一个文件。")
    partial = dest.with_name(dest.name + ".partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        copy_database(source, partial)
        with closing(sqlite3.connect(partial)) as copy:
            verdict = [row[0] for row in copy.execute(f"PRAGMA {check}(20)")] if check else ["ok"]
        if verdict != ["ok"]:
            raise UserError(f"备份 {dest} 未通过完整性检查，台账 {source} 可能已损坏；未保存该备份。", verdict)
        _fsync(partial)
        os.replace(partial, dest)
        _fsync_folder(dest.parent)
    except sqlite3.DatabaseError as exc:
        _remove_with_companions(partial)
        raise UserError(f"无法备份台账 {source}：{exc}") from exc
    except OSError as exc:
        _remove_with_companions(partial)
        raise UserError(f"无法写入备份文件 {dest}：{exc.strerror or exc}") from exc
    except BaseException:
        _remove_with_companions(partial)
        raise
    return dest


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


def check_before_open(ledger_path: Path) -> None:
    """Raise LedgerDamaged, naming the latest good backup, if SQLite's quick_check finds the ledger damaged."""
    problems = file_damage(ledger_path)
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
        _fsync(dest)
        return dest


def restore(backup: str | os.PathLike, target: str | os.PathLike) -> Path | None:
    """Replace the ledger at target by a checked backup, keeping the current file first; returns that safety copy.

    Refused (with the reason) if the backup fails check_file, and with LedgerInUse if another duban has
    the target open.  The copy goes through SQLite's backup API into the ledger, so its WAL stays consistent;
    a target SQLite cannot write into any more is replaced as a file.
    """
    backup, target = Path(backup), Path(target)
    if target.exists() and backup.resolve() == target.resolve():
        raise UserError("不能用台账文件本身恢复自己，请选择备份文件夹中的一份备份。")
    problems = check_file(backup)
    if problems:
        raise UserError(f"备份文件 {backup} 不能用于恢复：{problems[0]}台账未作改动。", problems[1:])
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
            backup_to(backup, target)
        problems = file_damage(target)
        if problems:
            raise UserError(f"恢复后的台账 {target} 未通过检查，请换一份备份再试。", problems)
    finally:
        release()
    rotate_backups(target)
    return kept
