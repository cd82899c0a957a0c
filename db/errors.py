"""Expected failures that reach the user as one plain Chinese sentence, and the sorting of run-time errors into them.

A full disk, a read-only folder, a missing permission or SQLite's "database is locked" after the busy
timeout are things the clerk can act on; `known_error` turns them into a UserError naming the file, as
qutebrowser's misc/sql.py sorts SQLite errors.  A server ledger's PostgreSQL errors (a lost connection, a
refused permission, a clash with another writer) are sorted here too, by SQLSTATE.  Everything else stays a
bug for the crash dialog and the log.
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


# PostgreSQL SQLSTATE (exact code, else its first three or two characters) -> the sentence, with {path} for the
# ledger's label (USER@HOST:PORT/DB, never the password) and {login} for the login the server refused (each
# filled in with spaces around it, or left out when unknown).  The server
# rolled the transaction back, so every sentence can say nothing was written.
_PG_ERRORS = {
    "42501": "服务器拒绝了这项操作：当前登录{login}在服务器台账{path}中没有这项权限。本次操作未写入任何内容；如确需办理，请由有权限的同事操作。",
    "23505": "服务器台账{path}中已有同样的记录（可能另一位同事刚刚录入了同一条）。本次修改未写入；请刷新后再看。",
    "40001": "另一位同事正在同时修改服务器台账{path}中的同一内容，服务器撤销了本次修改（未写入）。请刷新后重试。",
    "40P01": "另一位同事正在同时修改服务器台账{path}中的同一内容，服务器撤销了本次修改（未写入）。请刷新后重试。",
    "25006": "服务器台账{path}当前只能读取，不能写入。本次修改未写入。",
    "57014": "服务器台账{path}处理超时，本次操作已取消，未写入任何内容。请稍后重试。",
    "53100": "服务器台账{path}所在服务器的磁盘已满，本次修改未写入。请联系管理服务器的同事。",
    "28P01": "无法登录服务器台账{path}：用户名或密码不对。",
    "28000": "服务器台账{path}不允许登录{login}（登录已停用，或服务器的访问设置不允许从本机登录）。",
    "3D000": "服务器台账{path}的数据库不存在，请检查地址中的数据库名。",
    "08": "与服务器台账{path}的连接中断或无法连接。本次修改未写入；请检查网络和服务器后重试。",
    "57P01": "与服务器台账{path}的连接中断或无法连接（服务器断开了这个连接）。本次修改未写入；请检查网络和服务器后重试。",
    "57P": "服务器台账{path}的服务器正在关闭或重启，连接已断开。本次修改未写入；请稍后重试。",
    "53": "服务器台账{path}所在服务器资源不足（连接数或内存），本次操作未完成，未写入任何内容。请稍后重试。",
}
_PG_LOST = _PG_ERRORS["08"]


def _pg_error(exc: BaseException) -> BaseException | None:
    """The psycopg error behind exc (itself, or SQLAlchemy's .orig), without importing psycopg."""
    for candidate in (exc, getattr(exc, "orig", None)):
        if candidate is not None and type(candidate).__module__.split(".")[0] == "psycopg":
            return candidate
    return None


def _is_server_label(path) -> bool:
    """Whether path is a server ledger's label (db.pg_engine.display_name: [USER@]HOST:PORT/DB), not a file."""
    return isinstance(path, str) and re.fullmatch(r"(?:[^@/\\\s]+@)?[^@/\\\s]+:\d+/[^/\\\s]*", path) is not None


def pg_error_message(exc: BaseException, where: str, login: str | None = None) -> str | None:
    """The sentence for a PostgreSQL failure (by SQLSTATE), or None when it is not one the clerk can act on.

    where is the ledger's label (empty when the caller knows only an export's file); login defaults to its user.
    """
    error = _pg_error(exc)
    if error is None:
        return None
    state = getattr(error, "sqlstate", None) or ""
    sentence = _PG_ERRORS.get(state) or _PG_ERRORS.get(state[:3]) or _PG_ERRORS.get(state[:2])
    if sentence is None and not state and type(error).__name__ == "OperationalError":
        sentence = _PG_LOST  # refused, timed out or dropped before the server could answer
    if sentence is None and getattr(exc, "connection_invalidated", False):
        sentence = _PG_LOST
    if sentence is None:
        return None
    if login is None:
        match = re.match(r"([^@/:]+)@", where)
        login = match[1] if match else ""
    text = sentence.format(path=f" {where} " if where else "", login=f" {login} " if login else "")
    return re.sub(r" (?=[（），。：；])", "", text)


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

    path names the file the work was writing (the ledger, an export), or a server ledger's label (Ledger.label,
    never its URL); an OSError's own filename wins.  SQLAlchemy's wrappers (OperationalError, DatabaseError) are looked through to the sqlite3 error,
    and so is the chain of explicit causes (raise … from a disk error).
    """
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, UserError):
            return exc
        orig = getattr(exc, "orig", None)  # sqlalchemy.exc.DBAPIError
        if _pg_error(exc) is not None:  # a server ledger: path is its label, USER@HOST:PORT/DB (an export's file is not)
            sentence = pg_error_message(exc, path if _is_server_label(path) else "")
            return UserError(sentence) if sentence is not None else None  # the server's own text goes to the log only
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
