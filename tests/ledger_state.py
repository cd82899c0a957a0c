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
