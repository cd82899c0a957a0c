"""Opening a ledger file: engine, SQLite pragmas, schema migrations and the session factory."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from db.errors import UserError
from db.files import note_open_ledger
from db.migrations import SCHEMA_HEAD

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session, sessionmaker

    from db.safety import QuickCheck

# SQLAlchemy is imported where an engine is made, not here: the window starts the ledger's quick_check
# (db.safety.QuickCheck) before it imports SQLAlchemy, and the command line logs the ledger path first.

APP_NAME = "duban"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
PACKET_SUFFIX = ".duban"


def default_ledger_path() -> Path:
    """The ledger lives in the user's data directory unless --db says otherwise."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "ledger.sqlite"


def install_sqlite_hooks(engine: Engine, *, read_only: bool = False, journal: str = "WAL") -> None:
    """Pragmas on every connection, and real BEGINs so DDL and DML roll back together.

    Python's sqlite3 legacy transaction mode sends no BEGIN before DDL; this is
    SQLAlchemy's documented "serializable isolation / savepoints / transactional DDL" recipe.
    A read-only connection cannot change the journal mode, and query_only backs up mode=ro.
    A field packet (PACKET_SUFFIX) uses a rollback journal instead of WAL: it is a file people copy
    onto a stick, so every commit must be in that one file.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        else:
            cur.execute(f"PRAGMA journal_mode={journal}")
            cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        conn.exec_driver_sql("BEGIN")

    if read_only:

        @event.listens_for(engine, "handle_error")
        def _on_error(context):
            if "readonly database" in str(context.original_exception):
                raise UserError("台账以只读方式打开（另一个督办台账正在使用它），不能修改。") from context.original_exception


def alembic_config(url: str):
    """An Alembic config pointing at the bundled migrations (works from a frozen build too)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for Alembic, with foreign keys off while batch mode rebuilds tables.

    SQLite ignores PRAGMA foreign_keys inside a transaction, so it is switched on the raw connection
    before BEGIN; otherwise dropping a rebuilt table would cascade into its children.  Dangling
    references are looked for before the commit, so a migration that breaks them rolls back.
    """
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
                dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    tables = sorted({row[0] for row in dangling})
                    raise UserError(
                        "升级台账数据结构时发现失效的关联记录，已撤销本次升级，台账未作改动。",
                        [f"涉及的数据表：{'、'.join(tables)}（共 {len(dangling)} 处）"],
                    )
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


@dataclass
class Ledger:
    """An open ledger: its file or server, engine and session factory; read_only when another duban is writing it.

    Where it lives: a ledger file has `path` (and url None); a server ledger (db.pg_engine) has `url`, the full
    SQLAlchemy URL with its password, used only to connect again and never shown or logged, and path None, so
    nothing can take the address for a folder.  `label` is what messages, logs and the title bar show: the file's
    path, or USER@HOST:PORT/DBNAME for a server (never the password).
    """

    path: Path | None
    engine: Engine
    Session: sessionmaker[Session]
    read_only: bool = False
    _release: Callable[[], None] | None = field(default=None, repr=False)
    # open_ledger(defer_upkeep=True) left the backup on open to the caller (db.safety.upkeep_after_open).
    upkeep_due: bool = False
    # A PostgreSQL ledger (db.pg_engine): url is set and path is None.
    server: bool = False
    url: str | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The ledger as messages show it: the file's path, or USER@HOST:PORT/DBNAME (no password)."""
        if self.server:
            from db.pg_engine import display_name

            return display_name(self.url)
        from db.errors import shown

        return shown(self.path)

    @property
    def folder(self) -> Path:
        """Where file dialogs start: the ledger file's folder, or the user's documents folder for a server ledger."""
        if self.server:
            from platformdirs import user_documents_dir

            return Path(user_documents_dir())
        return self.path.parent

    @property
    def location(self) -> str:
        """What open_ledger takes to open this ledger again: the file's path, or the server URL (with its password: never show it)."""
        return self.url if self.server else str(self.path)

    def close(self) -> None:
        """Close every connection and let another duban process open the file for writing."""
        self.engine.dispose()
        if self._release is not None:
            self._release()
            self._release = None


def _stored_revision(engine: Engine) -> str | None:
    """The ledger's schema revision, read without Alembic (importing it costs a quarter second at start-up)."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _create_engine(path: Path, read_only: bool) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import QueuePool

    if not read_only:
        engine = create_engine(f"sqlite:///{path}")
    else:
        # A URI through a creator: SQLAlchemy's URL would mangle non-ASCII or unusual folder names.
        uri = path.resolve().as_uri() + "?mode=ro"
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
            poolclass=QueuePool,
        )
    install_sqlite_hooks(engine, read_only=read_only, journal="DELETE" if path.suffix == PACKET_SUFFIX else "WAL")
    return engine


def open_ledger(
    path: str | os.PathLike | None = None,
    *,
    upgrade: bool = True,
    read_only: bool = False,
    scratch: bool = False,
    quick_check: QuickCheck | None = None,
    defer_upkeep: bool = False,
) -> Ledger:
    """Open (creating if needed) a ledger file and bring its schema to this program's head.

    An existing file is checked first (LedgerDamaged names the latest good backup) and backed up; a
    schema upgrade takes its own backup first.  Only one process may open a ledger for writing
    (LedgerInUse); read_only opens it beside that process and never changes the file.  scratch is
    for a file the program is building under a temporary name: no lock, no check, no backups.

    The window passes the QuickCheck it started early (its findings stand for the check) and defers the
    backup on open until its table is drawn: the returned ledger's upkeep_due then says the caller owes
    db.safety.upkeep_after_open.  A schema upgrade never defers: its backups come before Alembic runs.

    A postgresql:// URL opens a server ledger instead (db.pg_engine): none of the file's concerns apply.
    """
    from db.pg_engine import is_server_url, looks_redacted

    if is_server_url(path):  # a server ledger: no lock file, quick_check or backups on open
        from db.pg_engine import open_server_ledger

        return open_server_ledger(str(path), upgrade=upgrade, read_only=read_only)
    if looks_redacted(path):  # a server address with its password hidden, never a folder to create
        raise UserError(f"“{path}”是隐去密码的服务器台账地址，不是台账文件，无法打开。请用完整的地址 postgresql://用户@服务器:端口/数据库名（密码可放在 PGPASSWORD 或 PGPASSFILE 中）。")

    from sqlalchemy.orm import sessionmaker

    from db import safety

    path = Path(path) if path else default_ledger_path()
    existing = path.is_file() and path.stat().st_size > 0
    if read_only and not existing:
        raise UserError(f"台账文件 {path} 不存在或为空，无法以只读方式打开。")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    routine = existing and not scratch
    release = None if read_only or scratch else safety.lock_ledger(path)
    engine = None
    try:
        if routine:
            safety.check_before_open(path, quick_check.take(path) if quick_check is not None else None)
        engine = _create_engine(path, read_only)
        current = _stored_revision(engine)
        if current != SCHEMA_HEAD:
            _check_known(engine, path, current)
            if read_only:
                raise UserError(
                    f"台账文件 {path} 的数据结构版本较旧（{current or '无'}），只读方式无法升级；"
                    "请在其他督办台账窗口关闭后再打开，程序会先备份再升级。"
                )
        upkeep_due = routine and not read_only
        if upkeep_due and (current != SCHEMA_HEAD or not defer_upkeep):
            safety.upkeep_after_open(path)
            upkeep_due = False
        if current != SCHEMA_HEAD and upgrade:
            if routine and current is not None:
                safety.backup_before_upgrade(path, current)
            _upgrade(engine, f"sqlite:///{path}")
    except BaseException:
        if engine is not None:
            engine.dispose()
        if release is not None:
            release()
        raise
    if not scratch:
        note_open_ledger(path)  # no export may be written over it (db.files)
    ledger = Ledger(
        path=path,
        engine=engine,
        Session=sessionmaker(engine, expire_on_commit=False),
        read_only=read_only,
        _release=release,
        upkeep_due=upkeep_due,
    )
    if not read_only:
        from db.packet_seal import keep_sealed

        keep_sealed(ledger)  # a field packet re-seals itself on every change
    return ledger


def _check_known(engine: Engine, path: Path | str, current: str | None) -> None:
    """Refuse a ledger written by a newer duban (Alembic is imported only when the revision differs).

    path is the file, or a server ledger's label (db.pg_engine.display_name).
    """
    from alembic.script import ScriptDirectory

    known = {rev.revision for rev in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}
    if current is not None and current not in known:
        what = "服务器台账" if isinstance(path, str) else "台账文件"
        raise UserError(f"{what} {path} 的数据结构版本（{current}）比本程序新，请升级督办台账后再打开。")


def _upgrade(engine: Engine, url: str) -> None:
    """Run the Alembic migrations to head in one transaction."""
    from alembic import command

    cfg = alembic_config(url)
    with migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
