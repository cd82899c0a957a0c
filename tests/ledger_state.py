"""Engine-neutral looks at a test ledger: every row of every table, and the --db that opens it again.

The `ledger` fixture is a SQLite file or, with DUBAN_TEST_ENGINE=postgresql, a PostgreSQL database
(tests/conftest.py).  A "writes nothing" check compares ledger_fingerprint before and after, which works on
both; a test about the file itself (WAL, the lock, backups, quick_check) is marked sqlite_only instead.
"""

from __future__ import annotations

import datetime as dt
import json


def _plain(value):
    """A cell as a comparable, printable value (JSON columns come back as dicts or lists on PostgreSQL)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def ledger_fingerprint(ledger) -> dict[str, list[tuple]]:
    """Every table's rows, ordered by primary key (or by their text), read on a fresh connection.

    Equal before and after means nothing was written, on either engine.  The alembic_version row is included.
    """
    from sqlalchemy import MetaData, select

    meta = MetaData()
    with ledger.engine.connect() as conn:
        meta.reflect(conn)
        dump = {}
        for name, table in sorted(meta.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            rows = [tuple(_plain(v) for v in row) for row in conn.execute(select(table).order_by(*order))]
            dump[name] = rows if table.primary_key.columns else sorted(rows, key=repr)
    return dump


def ledger_db_arg(ledger) -> str:
    """What --db takes to open this ledger again: the file's path, or the server URL (with its password)."""
    return ledger.location


def ledger_rows(ledger, sql: str, params: dict | None = None) -> list[dict]:
    """The rows of a query on the ledger, as dicts by column name (so column order never matters)."""
    from sqlalchemy import text

    with ledger.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(text(sql), params or {})]


def ledger_execute(ledger, *statements: str | tuple[str, dict]) -> None:
    """Change the ledger behind the program's back, as another client would (one transaction)."""
    from sqlalchemy import text

    with ledger.engine.begin() as conn:
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, {})
            conn.execute(text(sql), params)


def as_sqlite_value(value):
    """A value read from either engine, as the sqlite3 module binds it into a packet file."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class LedgerSnapshot:
    """The ledger as it is now, to put back later (restore) on either engine.

    A SQLite file is copied with SQLite's backup API; a PostgreSQL database is kept as a template database
    and recreated from it (CREATE DATABASE … TEMPLATE), the ledger's engine reconnecting to the new one.
    """

    def __init__(self, ledger, folder) -> None:
        self.ledger = ledger
        if ledger.server:
            from sqlalchemy.engine import make_url

            self._url = make_url(ledger.url)
            self._copy = f"{self._url.database}_snap"
            ledger.engine.dispose()
            self._admin(f'CREATE DATABASE "{self._copy}" TEMPLATE "{self._url.database}"')
        else:
            import sqlite3

            self._copy = folder / "snapshot.sqlite"
            with sqlite3.connect(ledger.path) as src, sqlite3.connect(self._copy) as dst:
                src.backup(dst)

    def _admin(self, *statements: str) -> None:
        import psycopg

        u = self._url
        with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname="postgres", autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def restore(self) -> None:
        if self.ledger.server:
            self.ledger.engine.dispose()
            name = self._url.database
            self._admin(f'DROP DATABASE "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{self._copy}"')
        else:
            import sqlite3

            with sqlite3.connect(self._copy) as src, sqlite3.connect(self.ledger.path) as dst:
                src.backup(dst)
