"""Every file duban writes goes through here: the output guard, then a temporary name in the target's folder, then a rename.

The guard refuses a target that is (after resolving symlinks, and case on Windows) the open ledger, one of
its companion files (-wal, -shm, -journal, .lock), or any existing duban ledger or field packet — judged by
the file's content (SQLite's header and a duban table), never by its name.  The write itself lands under a
temporary name beside the target and is renamed over it only when whole, so a full disk, a cancel or a crash
leaves the old file (or none), never half a file; disk errors become a Chinese UserError naming the path.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from db.errors import UserError, known_error, shown

SQLITE_HEADER = b"SQLite format 3\x00"
# Any one of these tables makes a SQLite file a duban ledger (a field packet is a ledger with packet.* info).
DUBAN_TABLES = ("ledger_info", "plan", "progress_entry", "assignment")
COMPANIONS = ("-wal", "-shm", "-journal", ".lock", ".partial")
TEMP_PREFIX = ".duban-"

_open_ledgers: set[str] = set()  # normcased real paths of the ledgers this process opened
_guard = threading.Lock()


def _key(path: str | os.PathLike) -> str:
    return os.path.normcase(os.path.realpath(path))


def note_open_ledger(path: str | os.PathLike) -> None:
    """Remember a ledger this process opened, so no export can be written over it (even before it has tables)."""
    with _guard:
        _open_ledgers.add(_key(path))


def _peek(path: str | os.PathLike) -> sqlite3.Connection:
    """A look into a SQLite file that leaves nothing behind: immutable, so no -shm/-wal appears beside it."""
    return sqlite3.connect(Path(os.path.realpath(path)).as_uri() + "?mode=ro&immutable=1", uri=True)


def duban_file_kind(path: str | os.PathLike) -> str | None:
    """"packet" or "ledger" if the file at path is a duban field packet or ledger (by content), else None.

    A SQLite file whose tables cannot be read (locked, damaged) counts as a ledger: overwriting a
    database the guard cannot look into is never what an export means.
    """
    try:
        with open(path, "rb") as f:
            if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None
    except OSError:
        return None
    try:
        with closing(_peek(path)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables & set(DUBAN_TABLES):
                # a ledger so new that its tables are still only in its -wal counts as one
                wal = Path(f"{os.path.realpath(path)}-wal")
                return "ledger" if wal.is_file() and wal.stat().st_size > 0 else None
            if "ledger_info" in tables and conn.execute("SELECT 1 FROM ledger_info WHERE key LIKE 'packet.%' LIMIT 1").fetchone():
                return "packet"
    except (sqlite3.Error, ValueError):
        return "ledger"
    return "ledger"


def ledger_id_of(path: str | os.PathLike) -> str | None:
    """The ledger id stored in a duban file (None if it has none or cannot be read)."""
    try:
        with closing(_peek(path)) as conn:
            row = conn.execute("SELECT value FROM ledger_info WHERE key = 'ledger_id'").fetchone()
    except (sqlite3.Error, ValueError):
        return None
    return row[0] if row else None


def check_output(path: str | os.PathLike, *, backup_of: str | None = None) -> Path:
    """Refuse (UserError naming the path) a target that would overwrite a ledger, a packet or a ledger's companion file.

    backup_of is the id of a ledger being backed up ("" for a ledger that has none yet): an older backup of
    that same ledger may be replaced, or one without an id (a ledger gets its id with its first report, so
    such a file holds no reports).
    """
    path = Path(path)
    real = _key(path)
    name = os.path.basename(real)
    with _guard:
        opened = set(_open_ledgers)
    refusal = None
    if real in opened:
        refusal = "它就是正在使用的台账文件"
    else:
        for suffix in COMPANIONS:
            if name.endswith(suffix) and len(name) > len(suffix):
                base = real[: -len(suffix)] if real.endswith(os.path.normcase(suffix)) else None
                if base is not None and (base in opened or duban_file_kind(base)):
                    refusal = "它是台账文件的附属文件（台账正依赖它保存数据）"
                    break
    if refusal is None and os.path.exists(real):
        kind = duban_file_kind(real)
        if kind == "packet":
            refusal = "它是一个外勤数据包"
        elif kind == "ledger" and not (backup_of is not None and ledger_id_of(real) in (backup_of or None, None)):
            refusal = "它是一个督办台账文件"
    if refusal:
        raise UserError(f"不能写入 {shown(path)}：{refusal}，写入会覆盖其中的数据。请另选一个文件名；该文件未作改动。")
    return path


def temp_beside(target: str | os.PathLike) -> Path:
    """A new empty temporary file in the target's folder (so the rename stays on one disk), after the guard.

    Created with mode 0666 less the umask, as any program's files are: mkstemp's 0600 would leave the
    published file unreadable to the colleagues sharing the folder.
    """
    target = check_output(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f"{TEMP_PREFIX}{secrets.token_hex(6)}.tmp{target.suffix}"
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise _user_error(exc, folder) from exc
    return temp


def fsync_file(path: Path) -> None:
    """Flush a finished file's bytes to the disk."""
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def replace_durably(temp: Path, target: Path) -> None:
    """The one rename onto a target: flush the finished temp file, rename it over the target, flush the folder.

    Every atomic write ends here (outputs, backups, the font cache), so a reader sees the old file or the whole
    new one, and a power cut after the return keeps the new one.  OSError is the caller's to translate.
    """
    fsync_file(temp)
    os.replace(temp, target)
    if os.name == "posix":  # Windows has no directory handles to flush
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def publish(pairs: Iterable[tuple[Path, Path]]) -> None:
    """Flush each finished temp file and rename it onto its target; every target is guarded before the first rename."""
    pairs = list(pairs)
    for _temp, target in pairs:
        check_output(target)
    for temp, target in pairs:
        try:
            replace_durably(temp, target)
        except OSError as exc:
            raise _user_error(exc, target, renaming=True) from exc


def discard(temps: Iterable[Path]) -> None:
    """Remove temp files that were not published (quietly: they may never have been written)."""
    for temp in temps:
        try:
            Path(temp).unlink(missing_ok=True)
        except OSError:
            pass


@contextmanager
def atomic_output(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path to write the whole file into; on success it replaces target, on any failure it is removed.

    OSErrors from the writing (disk full, read-only, no permission) come out as a UserError naming target.
    """
    target = Path(target)
    temp = temp_beside(target)
    try:
        try:
            yield temp
        except OSError as exc:
            raise _user_error(exc, target) from exc
        publish([(temp, target)])
    finally:
        discard([temp])


def write_atomic(target: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """write(temp) writes the whole file; then it takes target's name (see atomic_output)."""
    target = Path(target)
    with atomic_output(target) as temp:
        write(temp)
    return target


def write_bytes_atomic(target: str | os.PathLike, data: bytes) -> Path:
    return write_atomic(target, lambda temp: Path(temp).write_bytes(data))


def _user_error(exc: OSError, path: Path, *, renaming: bool = False) -> BaseException:
    """A disk error as the clerk reads it; the file being written is named, not the temp file."""
    import errno

    if exc.errno is not None:
        exc = OSError(exc.errno, exc.strerror)  # drop the temp file's name: the target is what the clerk chose
    error = known_error(exc, path)
    if error is None:
        return UserError(f"无法写入 {shown(path)}：{exc.strerror or exc}")
    if renaming and exc.errno in (errno.EACCES, errno.EPERM):
        return UserError(f"无法写入 {shown(path)}：文件可能正被 Excel、WPS 或 PDF 阅读器打开，请关闭后重试。", error.details)
    return error
