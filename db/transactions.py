"""One unit of work in one transaction, run again when the database says a concurrent writer got in the way.

PostgreSQL aborts a transaction with a serialization failure (40001) or a deadlock (40P01) when two
writers cross; SQLite, in WAL mode, refuses to upgrade a read transaction whose snapshot another
writer has overtaken (SQLITE_BUSY_SNAPSHOT).  In each case nothing was written and the same work run
again from the start is right.  Any other failure, or one that persists, is not retried.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from db.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from db.engine import Ledger

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
ATTEMPTS = 5


def is_retryable(exc: BaseException) -> bool:
    """Whether a failure is a concurrent writer's crossing that a rerun of the whole transaction resolves."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) in RETRY_SQLSTATES:  # psycopg
        return True
    return getattr(orig, "sqlite_errorname", None) == "SQLITE_BUSY_SNAPSHOT"


def run_transaction(ledger: Ledger, work: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
    """Run work(session) in one transaction and commit; rerun it from a fresh session if a concurrent writer crossed it."""
    for attempt in range(1, attempts + 1):
        try:
            with ledger.Session.begin() as session:
                return work(session)
        except Exception as exc:
            if not is_retryable(exc):
                raise
            log.info("transaction crossed by another writer (attempt %d of %d): %s", attempt, attempts, exc.__class__.__name__)
            if attempt == attempts:
                raise UserError("台账正被多人同时修改，本次修改重试多次仍未能保存，台账未作改动。请稍后重试。") from exc
            time.sleep(random.uniform(0.005, 0.02) * attempt)  # a little apart, so the same two do not cross again
    raise AssertionError("unreachable")
