"""Opening a ledger on a PostgreSQL server: engine, schema migrations and the session factory.

A server ledger has none of a ledger file's concerns: no lock file (the server serialises writers),
no quick_check and no backups on open (the server's own backups apply).  Migrations run in one
transaction, as on SQLite: PostgreSQL's DDL is transactional.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from db.errors import UserError
from db.migrations import SCHEMA_HEAD

if TYPE_CHECKING:
    from db.engine import Ledger

SERVER_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


_strings_unbounded = False


def _declare_unbounded_strings() -> None:
    """String(n) columns become plain VARCHAR on PostgreSQL, and every text column sorts as SQLite does (COLLATE "C").

    SQLite never enforced the declared lengths, and real ledgers rely on it: the bundled plan's section
    headings run past String(300).  An office's server is often made with a Chinese locale, whose collation sorts
    by pinyin: a column's own "C" collation keeps every ORDER BY on it (units, tasks, rankings) in the code-point
    order the SQLite ledger gives, whatever the database's default.  Only columns get it, not CASTs.
    Registered once, on the first server open, before any migration runs.
    """
    global _strings_unbounded
    if _strings_unbounded:
        return
    _strings_unbounded = True
    from sqlalchemy import Column, String, Text
    from sqlalchemy.ext.compiler import compiles

    @compiles(String, "postgresql")
    def _unbounded(type_, compiler, **kw):
        if type(type_) is String:
            spec = "VARCHAR"
        elif type(type_) is Text:
            spec = "TEXT"
        else:  # Enum, Unicode …: as SQLAlchemy renders them
            return getattr(compiler, f"visit_{type_.__visit_name__}")(type_, **kw)
        if isinstance(kw.get("type_expression"), Column) and type_.collation is None:
            spec += ' COLLATE "C"'
        return spec


def is_server_url(db: object) -> bool:
    """True when --db names a PostgreSQL ledger rather than a file."""
    return isinstance(db, str) and db.lower().startswith(SERVER_SCHEMES)


def sqlalchemy_url(db: str) -> str:
    """The URL with SQLAlchemy's psycopg 3 driver, whichever spelling the user gave."""
    scheme, rest = db.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme.lower() in ("postgresql", "postgres") else db


def display_name(url: str) -> str:
    """USER@HOST:PORT/DBNAME, for messages, logs and the title bar: never the password (Ledger.label)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # not a URL SQLAlchemy reads: show its scheme only, nothing that could hold a password
        return url.split("://", 1)[0] + "://…"
    host = parsed.host or parsed.query.get("host") or "localhost"  # ?host=/run/postgresql: a socket folder
    if isinstance(host, tuple):
        host = host[0]
    where = f"{host}:{parsed.port or 5432}"  # always HOST:PORT, so a label is told from a path
    user = f"{parsed.username}@" if parsed.username else ""
    return f"{user}{where}/{parsed.database or ''}"


def looks_redacted(db: object) -> bool:
    """True for a server address with its password hidden (USER:***@HOST…): a message's text, not a file to create."""
    return ":***@" in str(db) if db is not None else False


def redact(text: str) -> str:
    """text with every server URL in it replaced by its display_name (for the command line logged by main())."""
    import re

    return re.sub(r"(?i)\b(?:postgresql\+psycopg|postgresql|postgres)://\S+", lambda m: display_name(m[0]), text)


class PasswordNeeded(UserError):
    """The server asks for a password and none was given (not in the URL, PGPASSWORD or a password file)."""


def with_password(db: str, password: str) -> str:
    """The URL with the password a person typed (kept in memory only, to connect)."""
    from sqlalchemy.engine import make_url

    return make_url(sqlalchemy_url(db)).set(password=password).render_as_string(hide_password=False)


# libpq's words for a failed connection (a pattern; it gives no SQLSTATE before the server answers) -> the reason.
_CONNECT_FAILURES = (
    ("password authentication failed", "登录名或密码不对。"),
    ("no pg_hba.conf entry", "服务器的访问设置（pg_hba.conf）不允许从本机用这个登录连接，或要求加密连接（TLS）。请联系信息化管理员。"),
    ("is not permitted to log in", "这个登录已停用。"),
    (r'database "[^"]*" does not exist', "服务器上没有这个数据库，请检查地址中的数据库名。"),
    (r'role "[^"]*" does not exist', "服务器上没有这个登录名。"),
    ("connection refused", "服务器没有在这个地址和端口上接受连接（数据库服务未启动、端口不对，或被防火墙挡住）。"),
    ("timeout expired", "服务器没有应答（连接超时）。请检查网络、服务器地址和防火墙。"),
    ("could not translate host name|name or service not known|temporary failure in name resolution", "找不到这个服务器地址（主机名无法解析），请检查地址。"),
    ("server closed the connection", "服务器断开了连接。请稍后重试，仍不行请联系信息化管理员。"),
)


def connect_failure_reason(said: str) -> str:
    """The reason a connection failed, in Chinese, from libpq's message (empty when it is not one we know)."""
    return next((reason for words, reason in _CONNECT_FAILURES if re.search(words, said, re.IGNORECASE)), "")


def open_server_ledger(db: str, *, upgrade: bool = True, read_only: bool = False) -> Ledger:
    """Connect to a PostgreSQL ledger and bring its schema to this program's head (unless read_only)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import sessionmaker

    from db.engine import Ledger, _check_known, _stored_revision

    _declare_unbounded_strings()
    url = sqlalchemy_url(db)
    shown = display_name(url)
    engine = create_engine(url, pool_pre_ping=True)
    try:
        try:
            current = _stored_revision(engine)
        except OperationalError as exc:
            if "no password supplied" in str(exc.orig):
                raise PasswordNeeded(
                    f"无法连接服务器台账 {shown}：服务器要求输入密码。请在终端中运行（会提示输入密码），"
                    "或把密码放在环境变量 PGPASSWORD 或 PGPASSFILE 指向的密码文件中。"
                ) from exc
            said = str(exc.orig).strip()
            raise UserError(f"无法连接服务器台账 {shown}。{connect_failure_reason(said)}", [said]) from exc
        if current != SCHEMA_HEAD:
            _check_known(engine, shown, current)
            if read_only:
                raise UserError(f"服务器台账 {shown} 的数据结构版本较旧（{current or '无'}），只读方式无法升级。")
            if upgrade:
                _upgrade(engine, url)
    except BaseException:
        engine.dispose()
        raise
    # No path: nothing may take the address for a folder.  url connects again; label names it in messages.
    return Ledger(
        path=None,
        url=url,
        engine=engine,
        Session=sessionmaker(engine, expire_on_commit=False),
        read_only=read_only,
        server=True,
    )


def _upgrade(engine, url: str) -> None:
    """Alembic to head on one connection in one transaction; on a ledger `server init` set up, the grants follow.

    Only the owner can run a migration's DDL, and it re-grants in the same transaction, so a table a
    new version adds is never left without its grants and policies (db.server_access).
    """
    from alembic import command

    from db.engine import alembic_config
    from db.server_access import check_may_upgrade, regrant_after_upgrade

    cfg = alembic_config(url)
    with engine.begin() as conn:
        check_may_upgrade(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        regrant_after_upgrade(conn)
