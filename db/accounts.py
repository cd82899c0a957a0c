"""Who the open ledger's login is and what it may do: the window and the CLI follow it, the server enforces it.

A ledger file has one writer, the office.  On a server ledger each user is a PostgreSQL login that is a
member of one group role (AccountRole.group); a `unit` login reports for the units account_unit lists.
This module only reads that; db.server_access creates the roles, grants and policies.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import AccountUnit
from db.vocabulary import AccountRole


@dataclass(frozen=True)
class Access:
    """The current login, its role and the units it reports for (empty unless the role is unit)."""

    login: str | None
    role: AccountRole
    unit_ids: frozenset[int] = frozenset()

    @property
    def can_write(self) -> bool:
        return self.role is not AccountRole.READER

    @property
    def is_office(self) -> bool:
        return self.role is AccountRole.OFFICE


FILE_ACCESS = Access(login=None, role=AccountRole.OFFICE)


def current_access(session: Session) -> Access:
    """The access of the session's database login: the office on a ledger file or for the database owner."""
    if session.get_bind().dialect.name != "postgresql":
        return FILE_ACCESS
    login = session.execute(text("SELECT session_user")).scalar_one()
    owner = session.execute(
        text("SELECT pg_get_userbyid(d.datdba) = session_user OR r.rolsuper FROM pg_database d, pg_roles r "
             "WHERE d.datname = current_database() AND r.rolname = session_user")
    ).scalar_one()
    if owner:
        return Access(login=login, role=AccountRole.OFFICE)
    for role in AccountRole:
        member = session.execute(
            text("SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :g) "
                 "THEN pg_has_role(session_user, :g, 'MEMBER') ELSE false END"),
            {"g": role.group},
        ).scalar_one()
        if member:
            units = session.scalars(select(AccountUnit.unit_id).where(AccountUnit.login == login)).all()
            return Access(login=login, role=role, unit_ids=frozenset(units) if role is AccountRole.UNIT else frozenset())
    return Access(login=login, role=AccountRole.READER)
