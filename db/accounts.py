"""Who the open ledger's login is and what it may do: the window and the CLI follow it, the server enforces it.

A ledger file has one writer, the office.  On a server ledger each user is a PostgreSQL login that is a
member of one group role (AccountRole.group); a `unit` login reports for the units account_unit lists.
This module only reads that; db.server_access creates the roles, grants and policies.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.errors import UserError
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


def owns_database(session: Session) -> bool:
    """Whether the login owns the server ledger's database (or is a superuser): row-level security does not bind it."""
    return bool(session.execute(
        text("SELECT pg_get_userbyid(d.datdba) = session_user OR r.rolsuper FROM pg_database d, pg_roles r "
             "WHERE d.datname = current_database() AND r.rolname = session_user")
    ).scalar_one())


def current_access(session: Session) -> Access:
    """The access of the session's database login: the office on a ledger file or for the database owner."""
    if session.get_bind().dialect.name != "postgresql":
        return FILE_ACCESS
    login = session.execute(text("SELECT session_user")).scalar_one()
    if owns_database(session):
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


def session_access(session: Session) -> Access:
    """current_access, looked up once per Session (a batch save asks for every row)."""
    access = session.info.get("duban_access")
    if access is None:
        access = session.info["duban_access"] = current_access(session)
    return access


def _unit_names(session: Session, unit_ids) -> str:
    from db.models import Unit

    return "、".join(session.scalars(select(Unit.name).where(Unit.id.in_(unit_ids)).order_by(Unit.name))) or "无"


def refuse_unless_reports_for(session: Session, unit_id: int) -> None:
    """A unit login writes only its own units' reports, a reader nothing: said here in Chinese, enforced by the server too."""
    access = session_access(session)
    if access.is_office:
        return
    if not access.can_write:
        raise UserError(f"服务器拒绝：登录 {access.login} 是只读账号，不能修改台账，未作任何更改。")
    if unit_id not in access.unit_ids:
        raise UserError(f"服务器拒绝：登录 {access.login} 只能填报本单位（{_unit_names(session, access.unit_ids)}）的任务，未作任何更改。")


def refuse_unless_office(session: Session, what: str) -> None:
    """Sign-offs, extensions, corrections, settings, plans: the office's alone."""
    access = session_access(session)
    if not access.is_office:
        raise UserError(f"服务器拒绝：登录 {access.login}（{access.role.label}）不能{what}，只有督办办公室可以，未作任何更改。")


def reported_task_ids(session: Session, access: Access) -> set[int]:
    """The tasks a unit login's units are assigned to: the ones whose colours its saves may record."""
    from db.models import Assignment

    return set(session.scalars(select(Assignment.task_id).where(Assignment.unit_id.in_(access.unit_ids))))
