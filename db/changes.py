"""What other logins changed on a server ledger since the window last looked: a cheap poll of the audit log.

Every change to a ledger writes an audit row in the same transaction (db.audit), and on a server ledger
the server fills in the row's login (session_user).  So the highest audit id the login can see is a mark
of the whole ledger's state, and the rows above it that another login wrote are the changes to announce.
Both queries walk the audit log's primary key from the mark up: a few rows, whatever the log's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AuditLog

# Changes the window shows by reading the period's states again; any other action (a correction, a plan or
# unit change) changes plan data, and the window reads everything again.
STATE_ACTIONS = ("progress.", "evidence.", "task.sign_off", "task.revoke_sign_off", "task.extend", "settings.")


@dataclass(frozen=True)
class Changes:
    """The new mark, how many audit rows other logins wrote above the old one, and their actions."""

    mark: int
    by_others: int
    actions: frozenset[str]

    @property
    def plan_data(self) -> bool:
        """Whether some change touched more than reports, decisions and settings (the window reloads everything)."""
        return any(not action.startswith(STATE_ACTIONS) for action in self.actions)


def change_mark(session: Session) -> int:
    """The highest audit id this login can see (0 for an empty log)."""
    return session.execute(select(func.coalesce(func.max(AuditLog.id), 0))).scalar_one()


def changes_since(session: Session, mark: int, login: str | None) -> Changes:
    """The audit rows above mark: the new mark, and the count and actions of those another login than `login` wrote.

    A row the server wrote without a login (no audit trigger) counts as another's: better one refresh too many.
    """
    others = (AuditLog.id > mark) & AuditLog.login.is_distinct_from(login)
    top, count = session.execute(
        select(func.coalesce(func.max(AuditLog.id), mark), func.count(AuditLog.id).filter(AuditLog.login.is_distinct_from(login))).where(AuditLog.id > mark)
    ).one()
    actions = frozenset(session.scalars(select(AuditLog.action).where(others).distinct())) if count else frozenset()
    return Changes(mark=max(top, mark), by_others=count, actions=actions)
