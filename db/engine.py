"""Opening a ledger file: engine, SQLite pragmas, schema migrations and the session factory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from db.errors import UserError
from db.migrations import SCHEMA_HEAD

APP_NAME = "duban"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def default_ledger_path() -> Path:
    """The ledger lives in the user's data directory unless --db says otherwise."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "ledger.sqlite"


def _install_sqlite_hooks(engine: Engine) -> None:
    """Pragmas on every connection, and real BEGINs so DDL and DML roll back together.

    Python's sqlite3 legacy transaction mode sends no BEGIN before DDL; this is
    SQLAlchemy's documented "serializable isolation / savepoints / transactional DDL" recipe.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        conn.exec_driver_sql("BEGIN")


def alembic_config(url: str):
    """An Alembic config pointing at the bundled migrations (works from a frozen build too)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@dataclass
class Ledger:
    """An open ledger: its file, engine and session factory."""

    path: Path
    engine: Engine
    Session: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def _stored_revision(engine: Engine) -> str | None:
    """The ledger's schema revision, read without Alembic (importing it costs a quarter second at start-up)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def open_ledger(path: str | os.PathLike | None = None, *, upgrade: bool = True) -> Ledger:
    """Open (creating if needed) a ledger file and bring its schema to this program's head."""
    path = Path(path) if path else default_ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    _install_sqlite_hooks(engine)
    current = _stored_revision(engine)
    if current != SCHEMA_HEAD:
        from alembic import command
        from alembic.script import ScriptDirectory

        cfg = alembic_config(url)
        known = {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
        if current is not None and current not in known:
            engine.dispose()
            raise UserError(
                f"台账文件 {path} 的数据结构版本（{current}）比本程序新，请升级督办台账后再打开。"
            )
        if upgrade:
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
    return Ledger(path=path, engine=engine, Session=sessionmaker(engine, expire_on_commit=False))
