"""The audit log: one row per change, written in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from sqlalchemy.orm import Session

from db.models import AuditLog


def default_operator() -> str:
    """The operator when none is configured: the OS account name."""
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return "未知操作员"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def row(
    action: str,
    entity: str,
    key: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    operator: str | None = None,
    note: str | None = None,
) -> dict:
    """An audit row's values, for writing many at once with insert(AuditLog) (a merge of thousands of reports)."""
    return {
        "operator": operator or default_operator(),
        "action": action,
        "entity": entity,
        "entity_key": key,
        "before": _jsonable(before),
        "after": _jsonable(after),
        "note": note,
    }


def record(session: Session, action: str, entity: str, key: str, **values: Any) -> None:
    """Add an audit row to the session's transaction; a change that can move a warning colour records the marks at commit."""
    from db.marks import record_marks_at_commit  # db.marks reads settings, which write through this module

    session.add(AuditLog(**row(action, entity, key, **values)))
    record_marks_at_commit(session, action)
