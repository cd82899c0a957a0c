"""Each ledger's own id: templates and field packets carry it, so they only go back where they came from."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Ledger
from db.models import LedgerInfo

LEDGER_ID_KEY = "ledger_id"


def ledger_id(session: Session) -> str | None:
    row = session.get(LedgerInfo, LEDGER_ID_KEY)
    return row.value if row else None


def own_id(session: Session) -> str:
    """This ledger's id, created in the caller's transaction the first time anything needs it."""
    existing = ledger_id(session)
    if existing:
        return existing
    value = str(uuid.uuid4())
    try:
        with session.begin_nested():  # on a server ledger another writer may be making it at this very moment
            session.add(LedgerInfo(key=LEDGER_ID_KEY, value=value))
    except IntegrityError:
        return session.get(LedgerInfo, LEDGER_ID_KEY, populate_existing=True).value  # it was: theirs is the id
    return value


def ensure_ledger_id(ledger: Ledger) -> str:
    """The ledger's id, created in its own transaction if needed (before a read-only export)."""
    with ledger.Session.begin() as session:
        return own_id(session)
