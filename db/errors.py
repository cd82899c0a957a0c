"""Expected failures that reach the user as one plain Chinese sentence, and the sorting of run-time errors into them.

A full disk, a read-only folder, a missing permission or SQLite's "database is locked" after the busy
timeout are things the clerk can act on; `known_error` turns them into a UserError naming the file, as
qutebrowser's misc/sql.py sorts SQLite errors.  Everything else stays a bug for the crash dialog and the log.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


class UserError(Exception):
    """A failure the user can act on (bad file, unknown unit, wrong period); message is Chinese."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(self.details)


def shown(path) -> str:
    """A path as text for a message or a log line, even when its bytes are not UTF-8 (surrogates escaped)."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# errno -> the sentence, with {path} for the file or folder
_OS_ERRORS = {
    errno.ENOSPC: "磁盘已满，无法写入 {path}。请清理磁盘空间（或换一个磁盘）后重试；未写完的文件已删除。",
    errno.EDQUOT: "磁盘配额已用完，无法写入 {path}。请清理空间后重试；未写完的文件已删除。",
    errno.EFBIG: "文件过大，无法写入 {path}（超出磁盘或系统允许的文件大小）。未写完的文件已删除。",
    errno.EROFS: "{path} 所在的磁盘或文件夹是只读的，无法写入。请另选一个可写的文件夹。",
    errno.EACCES: "没有权限写入 {path}。请另选一个文件夹，或检查该文件是否正被其他程序（如 Excel、WPS、PDF 阅读器）打开。",
    errno.EPERM: "没有权限写入 {path}。请另选一个文件夹，或检查该文件是否正被其他程序（如 Excel、WPS、PDF 阅读器）打开。",
    errno.ENOENT: "找不到 {path}（文件或文件夹不存在）。",
    errno.EISDIR: "{path} 是一个文件夹，请给出文件名。",
    errno.ENOTDIR: "{path} 中的某一级不是文件夹。",
    errno.ENAMETOOLONG: "文件名过长：{path}。",
    errno.EIO: "读写 {path} 时发生磁盘错误（I/O 错误）。请检查磁盘或 U 盘是否已拔出、是否损坏。",
}

# SQLite's primary result code names -> the sentence, with {path} for the ledger
_SQLITE_ERRORS = {
    "SQLITE_FULL": "磁盘已满，无法写入 {path}。请清理磁盘空间后重试；本次操作未完成，未写完的内容已撤销。",
    "SQLITE_IOERR": "读写 {path} 时发生磁盘错误（I/O 错误）。请检查磁盘或 U 盘；本次操作未完成。",
    "SQLITE_BUSY": "台账 {path} 正被另一个程序占用，等待超时（database is locked）。请稍后重试；本次修改未保存。",
    "SQLITE_LOCKED": "台账 {path} 正被另一个程序占用，等待超时（database is locked）。请稍后重试；本次修改未保存。",
    "SQLITE_READONLY": "台账 {path} 只能读取，不能写入（文件或其所在文件夹是只读的，或以只读方式打开）。本次修改未保存。",
    "SQLITE_CANTOPEN": "无法打开台账 {path}：文件或其所在文件夹不存在、只读或没有权限。",
    "SQLITE_PERM": "没有权限写入台账 {path}。本次修改未保存。",
    "SQLITE_CORRUPT": "台账 {path} 已损坏（SQLite 检查不通过）。请关闭程序后重新打开，程序会提示用最近的备份恢复。",
    "SQLITE_NOTADB": "{path} 不是有效的台账文件，或已损坏。",
}
# Older SQLite/Python without sqlite_errorname: the message text SQLite gives for each.
_SQLITE_MESSAGES = (
    ("database or disk is full", "SQLITE_FULL"),
    ("disk i/o error", "SQLITE_IOERR"),
    ("database is locked", "SQLITE_BUSY"),
    ("database table is locked", "SQLITE_LOCKED"),
    ("readonly database", "SQLITE_READONLY"),
    ("unable to open database file", "SQLITE_CANTOPEN"),
    ("database disk image is malformed", "SQLITE_CORRUPT"),
    ("file is not a database", "SQLITE_NOTADB"),
)


def sqlite_error_name(exc: BaseException) -> str | None:
    """SQLite's primary result code name (SQLITE_FULL, …) for a sqlite3 error, or None."""
    name = getattr(exc, "sqlite_errorname", None)
    if name:
        primary = "SQLITE_" + name.split("_")[1] if name.count("_") >= 1 else name
        return primary
    text = str(exc).lower()
    return next((code for needle, code in _SQLITE_MESSAGES if needle in text), None)


def _lxml_io_error(exc: BaseException) -> BaseException:
    """lxml (openpyxl's writer, into its temp files) reports a disk error as SerialisationError("IO_ENOSPC"): the OSError it means."""
    if type(exc).__module__.startswith("lxml"):
        match = re.search(r"\bIO_(E[A-Z]+)\b", str(exc))
        if match and isinstance(getattr(errno, match[1], None), int):
            return OSError(getattr(errno, match[1]), os.strerror(getattr(errno, match[1])))
    return exc


INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for a refused GRANT, policy or the audit log's trigger


def known_error(exc: BaseException, path=None) -> UserError | None:
    """The UserError a run-time failure means to the clerk (disk full, read-only, no permission, locked, I/O), or None for a bug.

    path names the file the work was writing (the ledger, an export); an OSError's own filename wins.
    SQLAlchemy's wrappers (OperationalError, DatabaseError) are looked through to the sqlite3 error,
    and so is the chain of explicit causes (raise … from a disk error).
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, UserError):
            return exc
        orig = getattr(exc, "orig", None)  # sqlalchemy.exc.DBAPIError
        if INSUFFICIENT_PRIVILEGE in (getattr(exc, "sqlstate", None), getattr(orig, "sqlstate", None)):  # a server ledger's GRANTs or row-level security
            return UserError("服务器拒绝：当前登录没有这项操作的权限，未作任何更改。")
        if isinstance(orig, sqlite3.Error):
            exc = orig
        if isinstance(exc, sqlite3.Error):
            name = sqlite_error_name(exc)
            if name in _SQLITE_ERRORS:
                where = shown(path) if path is not None else "台账"
                return UserError(_SQLITE_ERRORS[name].format(path=where))  # SQLite's English text goes to the log only
            return None
        exc = _lxml_io_error(exc)
        if isinstance(exc, OSError) and exc.errno in _OS_ERRORS:
            ours = exc.filename is not None and os.path.basename(os.fsdecode(exc.filename)).startswith(".duban-")
            target = exc.filename if exc.filename is not None and not (ours and path is not None) else path  # not our temp name
            where = shown(target) if target is not None else "文件"
            return UserError(_OS_ERRORS[exc.errno].format(path=where))
        exc = exc.__cause__  # not __context__: a bug raised while handling a disk error is still a bug
    return None


@contextmanager
def writing_to(path) -> Iterator[None]:
    """Turn a known run-time failure inside the block (disk full, read-only, …) into a UserError naming path."""
    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        known = known_error(exc, path)
        if known is None:
            raise
        raise known from exc
