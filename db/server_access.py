"""Permissions a server ledger's database enforces: group roles, GRANTs, row-level security, the audit trigger, logins.

Every user of a server ledger is a PostgreSQL login that is a member of one group role
(AccountRole.group).  What a group may do is written once here, as a per-table map (``privileges``),
and applied by ``apply_grants`` to every table of db.models' metadata; row-level security then
narrows what a `unit` login may write to its own units' assignments.  The app checks the same rules
first for a clear message (db.accounts), but the server refuses even a client that is not duban.

Run by the database owner: ``init_server`` (``duban --db URL server init``).  A later schema upgrade
made by the owner re-applies the grants in the same transaction (db.pg_engine calls
``regrant_after_upgrade``), so a new table is never left without them; rerunning ``server init``
after an upgrade does the same and is always safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection

from db import audit
from db.errors import INSUFFICIENT_PRIVILEGE, UserError
from db.models import AccountUnit, Base, Plan, Unit
from db.vocabulary import AccountRole

LOGIN_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
ALL = ("SELECT", "INSERT", "UPDATE", "DELETE")
REPORT_WRITES = ("SELECT", "INSERT", "UPDATE", "DELETE")

# What each group may do beyond the default (reader and unit: SELECT; office: ALL) on a table.
# A table not named here gets the default, so a table a future migration adds is readable by all
# and writable by the office only, until it is named here.
SPECIAL = {
    # append-only: written by every writer, changed by nobody but the owner (and a trigger says so too)
    "audit_log": {AccountRole.OFFICE: ("SELECT", "INSERT"), AccountRole.UNIT: ("SELECT", "INSERT")},
    # which units a login reports for: managed by `duban user add` (the owner), read by all
    "account_unit": {AccountRole.OFFICE: ("SELECT",)},
    # a unit's own reports, drafts and evidence; row-level security keeps it to its assignments
    "progress_entry": {AccountRole.UNIT: REPORT_WRITES},
    "progress_draft": {AccountRole.UNIT: REPORT_WRITES},
    "evidence": {AccountRole.UNIT: REPORT_WRITES},
    # a unit's save refused because the report moved on keeps the unit's version here (db.progress.keep_mine)
    "merge_conflict": {AccountRole.UNIT: ("SELECT", "INSERT")},
    # a unit's save records the month's colours of the tasks it reports on (db.marks)
    "warning_mark": {AccountRole.UNIT: ("SELECT", "INSERT", "UPDATE")},
    # a unit's monthly actual values of the indicators it is answerable for (db.indicator_actuals)
    "indicator_actual": {AccountRole.UNIT: REPORT_WRITES},
}
SCHEMA_TABLE = "alembic_version"  # not in the metadata: everyone reads the schema version, nobody writes it

# Row-level security: (table, the unit's write condition on the table's own columns).
UNIT_ROW_RULES = {
    "progress_entry": "duban_reports_for(task_id, unit_id)",
    "progress_draft": "duban_reports_for(task_id, unit_id)",
    "evidence": "EXISTS (SELECT 1 FROM public.progress_entry p WHERE p.uuid = evidence.entry_uuid AND duban_reports_for(p.task_id, p.unit_id))",
    "warning_mark": "duban_reports_on(task_id)",
    "indicator_actual": "duban_reports_indicator(indicator_id, unit_id)",
    "merge_conflict": "EXISTS (SELECT 1 FROM public.progress_entry p WHERE p.uuid = merge_conflict.entry_uuid AND duban_reports_for(p.task_id, p.unit_id))",
}
# ledger_info holds the template signing key: only the office reads it.
SECRET_INFO_KEYS = ("template.secret",)
RLS_TABLES = (*UNIT_ROW_RULES, "ledger_info")


def privileges(table: str, role: AccountRole) -> tuple[str, ...]:
    """The privileges a group holds on one ledger table."""
    if table == SCHEMA_TABLE:
        return ("SELECT",)
    special = SPECIAL.get(table, {})
    if role in special:
        return special[role]
    return ALL if role is AccountRole.OFFICE else ("SELECT",)


def grant_table(tables: list[str] | None = None) -> dict[str, dict[str, list[str]]]:
    """table -> role -> privileges, as docs/server.md tabulates them."""
    names = tables if tables is not None else [*sorted(Base.metadata.tables), SCHEMA_TABLE]
    return {t: {role.value: list(privileges(t, role)) for role in AccountRole} for t in names}


@dataclass
class ServerInit:
    """What server init did."""

    roles_created: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    unknown_tables: list[str] = field(default_factory=list)
    plan_loaded: bool = False
    tasks: int = 0


DUPLICATE_OBJECT = "42710"


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a psycopg error, raised straight from the driver or wrapped by SQLAlchemy."""
    return getattr(exc, "sqlstate", None) or getattr(getattr(exc, "orig", None), "sqlstate", None)


def _q(conn: Connection, ident: str) -> str:
    """An identifier quoted by the server's own rules (psycopg.sql, never string formatting)."""
    from psycopg import sql

    return sql.Identifier(ident).as_string(conn.connection.driver_connection)


def _run(conn: Connection, statement: str) -> None:
    """DDL straight to the driver, with no parameters (so a '%' in a function body is not a placeholder)."""
    conn.connection.driver_connection.execute(statement)


def _owner(conn: Connection) -> str:
    return conn.execute(text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")).scalar_one()


def require_owner(conn: Connection) -> str:
    """The database owner's login; a UserError unless the connecting login is it (or a superuser)."""
    login, owner, superuser = conn.execute(
        text("SELECT session_user, pg_get_userbyid(d.datdba), r.rolsuper FROM pg_database d, pg_roles r "
             "WHERE d.datname = current_database() AND r.rolname = session_user")
    ).one()
    if login != owner and not superuser:
        raise UserError(f"只有服务器台账数据库的所有者（{owner}）可以执行此操作，当前登录为 {login}。")
    return owner


def create_group_roles(conn: Connection) -> list[str]:
    """The three NOLOGIN group roles; roles are cluster-wide, so an existing one is kept."""
    created = []
    for role in AccountRole:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role.group}).first()
        if exists:
            continue
        try:
            with conn.begin_nested():
                _run(conn, f"CREATE ROLE {_q(conn, role.group)} NOLOGIN")
            created.append(role.group)
        except Exception as exc:
            if sqlstate(exc) != DUPLICATE_OBJECT:  # else made meanwhile by another init on the same cluster
                raise
    return created


# Names in function bodies are schema-qualified and the search_path is pinned: a body is parsed when it runs,
# and an unqualified name could otherwise be shadowed by a temporary table of the caller's own.
_FUNCTIONS = """
CREATE OR REPLACE FUNCTION duban_is_owner() RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT session_user::text = (SELECT pg_get_userbyid(datdba)::text FROM pg_catalog.pg_database WHERE datname = current_database())
      OR COALESCE((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user), false)
$$;
CREATE OR REPLACE FUNCTION duban_reports_for(task integer, unit integer) RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.account_unit au JOIN public.assignment a ON a.unit_id = au.unit_id
                 WHERE au.login = session_user::text AND au.unit_id = unit AND a.task_id = task)
$$;
CREATE OR REPLACE FUNCTION duban_reports_indicator(ind integer, unit integer) RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.account_unit au JOIN public.indicator_unit iu ON iu.unit_id = au.unit_id
                 WHERE au.login = session_user::text AND au.unit_id = unit AND iu.indicator_id = ind)
$$;
CREATE OR REPLACE FUNCTION duban_reports_on(task integer) RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.account_unit au JOIN public.assignment a ON a.unit_id = au.unit_id
                 WHERE au.login = session_user::text AND a.task_id = task)
$$;
CREATE OR REPLACE FUNCTION duban_audit_login() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.login := session_user;
  RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION duban_audit_frozen() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT public.duban_is_owner() THEN
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除（登录 %）', session_user USING ERRCODE = '42501';
  END IF;
  IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS duban_audit_login ON audit_log;
CREATE TRIGGER duban_audit_login BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION duban_audit_login();
DROP TRIGGER IF EXISTS duban_audit_frozen ON audit_log;
CREATE TRIGGER duban_audit_frozen BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION duban_audit_frozen();
DROP TRIGGER IF EXISTS duban_audit_no_truncate ON audit_log;
CREATE TRIGGER duban_audit_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION duban_audit_frozen();
"""
FUNCTION_NAMES = ("duban_is_owner()", "duban_reports_for(integer, integer)", "duban_reports_on(integer)")


def _tables(conn: Connection) -> tuple[list[str], list[str]]:
    """The ledger's tables in the public schema: (known to this program, unknown)."""
    present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    known = set(Base.metadata.tables) | {SCHEMA_TABLE}
    missing = known - present
    if missing:
        raise UserError("服务器台账缺少数据表：" + "、".join(sorted(missing)) + "。请确认数据结构已升级。")
    return sorted(present & known), sorted(present - known)


def apply_grants(conn: Connection) -> tuple[list[str], list[str]]:
    """Revoke what PUBLIC and the groups held, grant the map, and (re)create functions, triggers and policies.

    Idempotent; run inside the caller's transaction by the owner.  Returns (tables granted, unknown tables).
    """
    groups = {role: _q(conn, role.group) for role in AccountRole}
    every_group = ", ".join(groups.values())
    owner = _owner(conn)

    def run(statement: str) -> None:
        _run(conn, statement)

    database = _q(conn, conn.execute(text("SELECT current_database()")).scalar_one())
    run(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC, {every_group}")
    run(f"GRANT CONNECT ON DATABASE {database} TO {every_group}")  # no TEMPORARY: nothing of a login's own beside the ledger's
    run(f"REVOKE ALL ON SCHEMA public FROM PUBLIC, {every_group}")
    if conn.execute(text("SELECT has_schema_privilege('public', 'public', 'CREATE')")).scalar():
        # PostgreSQL 14 and older: the bootstrap superuser owns schema public and the owner's REVOKE did nothing
        raise UserError(
            "任何登录都可以在本数据库的 public 模式中建表，权限无法生效。请由数据库超级用户执行："
            f"ALTER SCHEMA public OWNER TO {_q(conn, owner)}; 然后再运行 server init。"
        )
    run(f"GRANT USAGE ON SCHEMA public TO {every_group}")
    run(_FUNCTIONS)
    for fn in FUNCTION_NAMES:
        run(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
        run(f"GRANT EXECUTE ON FUNCTION {fn} TO {every_group}")
    tables, unknown = _tables(conn)
    for table in [*tables, *unknown]:
        run(f"REVOKE ALL ON TABLE {_q(conn, table)} FROM PUBLIC, {every_group}")
    for table in tables:
        for role, group in groups.items():
            run(f"GRANT {', '.join(privileges(table, role))} ON TABLE {_q(conn, table)} TO {group}")
            if "INSERT" in privileges(table, role):
                seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar() if _has_id(conn, table) else None
                if seq:
                    run(f"GRANT USAGE, SELECT ON SEQUENCE {seq} TO {group}")
    _apply_policies(conn, groups)
    return tables, unknown


def _has_id(conn: Connection, table: str) -> bool:
    return bool(conn.execute(
        text("SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = :t AND column_name = 'id'"), {"t": table}
    ).first())


def _apply_policies(conn: Connection, groups: dict[AccountRole, str]) -> None:
    """Row-level security for the groups: office all, unit its own rows, reader reads.

    Not FORCEd: the database owner (the IT person who runs server init, import and backups) is exempt, as
    PostgreSQL intends for a table's owner.  Forced, it bound the owner too, and pg_dump, which reads with
    row_security off, then failed for any owner who is not a superuser.
    """
    def run(statement: str) -> None:
        _run(conn, statement)

    office = groups[AccountRole.OFFICE]
    others = f"{groups[AccountRole.UNIT]}, {groups[AccountRole.READER]}"
    unit = groups[AccountRole.UNIT]
    for table in RLS_TABLES:
        name = _q(conn, table)
        for (policy,) in conn.execute(text("SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = :t"), {"t": table}):
            run(f"DROP POLICY IF EXISTS {_q(conn, policy)} ON {name}")
        run(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
        run(f"ALTER TABLE {name} NO FORCE ROW LEVEL SECURITY")  # a ledger set up while it was forced is put right
        run(f"CREATE POLICY duban_office_all ON {name} FOR ALL TO {office} USING (true) WITH CHECK (true)")
        if table == "ledger_info":
            secret = ", ".join("'" + k + "'" for k in SECRET_INFO_KEYS)  # constants of this module, not input
            run(f"CREATE POLICY duban_read ON {name} FOR SELECT TO {others} USING (key NOT IN ({secret}))")
            continue
        run(f"CREATE POLICY duban_read ON {name} FOR SELECT TO {others} USING (true)")
        rule = UNIT_ROW_RULES[table]
        run(f"CREATE POLICY duban_unit_insert ON {name} FOR INSERT TO {unit} WITH CHECK ({rule})")
        run(f"CREATE POLICY duban_unit_update ON {name} FOR UPDATE TO {unit} USING ({rule}) WITH CHECK ({rule})")
        if "DELETE" in privileges(table, AccountRole.UNIT):
            run(f"CREATE POLICY duban_unit_delete ON {name} FOR DELETE TO {unit} USING ({rule})")


def server_initialised(conn: Connection) -> bool:
    """True once server init has made the group roles and the audit trigger of this database."""
    return bool(conn.execute(
        text("SELECT 1 FROM pg_trigger WHERE tgname = 'duban_audit_login' AND tgrelid = to_regclass('public.audit_log')")
    ).first())


def check_may_upgrade(conn: Connection) -> None:
    """Before migrating a server ledger set up by server init: only its owner can, and anyone else is told so in Chinese."""
    if conn.dialect.name != "postgresql" or not server_initialised(conn):
        return
    login, owner, superuser = conn.execute(
        text("SELECT session_user, pg_get_userbyid(d.datdba), r.rolsuper FROM pg_database d, pg_roles r "
             "WHERE d.datname = current_database() AND r.rolname = session_user")
    ).one()
    if login != owner and not superuser:
        raise UserError(
            f"服务器台账的数据结构需要随新版程序升级，只有数据库所有者（{owner}）可以升级。"
            f"请 IT 人员用所有者登录运行 duban --db … server init，然后再打开（当前登录为 {login}）。"
        )


def regrant_after_upgrade(conn: Connection) -> None:
    """After a schema upgrade on a server ledger: grant the new tables, if server init has run and the owner upgrades."""
    if conn.dialect.name != "postgresql" or not server_initialised(conn):
        return
    require_owner(conn)  # only the owner can have run the migration's DDL anyway
    apply_grants(conn)


def init_server(ledger, *, operator: str | None = None) -> ServerInit:
    """`duban server init`: roles, grants, policies and the audit trigger, then the bundled plan if there is none.

    The ledger was opened with open_ledger, which already brought the schema to head.
    """
    from db.identity import own_id
    from db.ledger import init_from_bundled_plan

    if not ledger.server:
        raise UserError("server init 只用于服务器台账（--db postgresql://用户@主机:端口/数据库）。")
    result = ServerInit()
    with ledger.engine.begin() as conn:
        require_owner(conn)
        result.roles_created = create_group_roles(conn)
        result.tables, result.unknown_tables = apply_grants(conn)
    with ledger.Session.begin() as session:
        has_plan = session.scalar(select(Plan.id).limit(1)) is not None
        own_id(session)  # the ledger's id exists before any unit saves (units may not write ledger_info)
    if not has_plan:
        loaded = init_from_bundled_plan(ledger, operator=operator)
        result.plan_loaded, result.tasks = True, loaded.tasks_added
    return result


# --- logins ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    """A login of the server ledger, as `user list` shows it."""

    login: str
    role: AccountRole
    units: tuple[str, ...]
    disabled: bool

    def to_json(self) -> dict:
        return {"login": self.login, "role": self.role.value, "role_label": self.role.label, "units": list(self.units), "disabled": self.disabled}


def check_login_name(login: str) -> str:
    if not LOGIN_PATTERN.match(login or ""):
        raise UserError(f"登录名“{login}”无效：只能用小写英文字母、数字和下划线，以字母或下划线开头，不超过 63 个字符。")
    if login.startswith("pg_") or login.startswith("duban_"):
        raise UserError(f"登录名“{login}”无效：不能以 pg_ 或 duban_ 开头（保留给数据库和督办台账的角色组）。")
    return login


def _role_of(conn: Connection, login: str) -> AccountRole | None:
    """The group a login is itself a member of (pg_has_role would say yes for any superuser); None for others."""
    for role in AccountRole:
        member = conn.execute(
            text("SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid "
                 "WHERE r.rolname = :l AND g.rolname = :g AND NOT r.rolsuper"),
            {"l": login, "g": role.group},
        ).first()
        if member:
            return role
    return None


def add_login(ledger, login: str, role: AccountRole, units: list[str], password: str, *, operator: str | None = None) -> Login:
    """CREATE ROLE login LOGIN IN ROLE its group, with the password sent only as a SCRAM verifier; account_unit rows for a unit."""
    from db.ledger import find_unit

    check_login_name(login)
    if not password:
        raise UserError("密码不能为空。")
    if role is AccountRole.UNIT and not units:
        raise UserError(f"责任单位登录 {login} 至少要指定一个单位（--unit 单位名称或别名）。")
    if role is not AccountRole.UNIT and units:
        raise UserError(f"只有责任单位（unit）登录需要 --unit；{role.label}（{role.value}）登录可看全部任务。")
    with ledger.Session.begin() as session:
        conn = session.connection()
        require_owner(conn)
        if not server_initialised(conn):
            raise UserError("服务器台账尚未初始化权限，请先运行 duban --db … server init。")
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :l"), {"l": login}).first():
            raise UserError(f"登录 {login} 已存在（登录账号在整个数据库服务器内通用）。")
        found = []
        for name in units:
            try:
                found.append(find_unit(session, name))
            except UserError:
                raise UserError(f"未知单位：“{name}”，登录 {login} 未创建。可用 duban units 查看单位名称及其别名。") from None
        driver = conn.connection.driver_connection
        verifier = driver.pgconn.encrypt_password(password.encode("utf-8"), login.encode(), b"scram-sha-256").decode()
        from psycopg import sql

        statement = sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
            sql.Identifier(login), sql.Literal(verifier), sql.Identifier(role.group)
        )
        try:
            with conn.begin_nested():
                _run(conn, statement.as_string(driver))
        except Exception as exc:
            if sqlstate(exc) == INSUFFICIENT_PRIVILEGE:
                raise UserError(
                    "当前登录没有创建登录账号的权限：数据库所有者需要 CREATEROLE 权限"
                    f"（由超级用户执行 ALTER ROLE {_q(conn, _owner(conn))} CREATEROLE;），登录 {login} 未创建。"
                ) from None
            raise
        seen = set()
        for unit in found:
            if unit.id not in seen:
                seen.add(unit.id)
                session.add(AccountUnit(login=login, unit_id=unit.id))
        made = Login(login, role, tuple(u.name for u in found if u.id in seen), False)
        audit.record(session, "user.add", "login", login, after={"role": role.value, "units": list(made.units)}, operator=operator)
        return made


def list_logins(ledger) -> list[Login]:
    """Every login that is a member of one of the groups, with its units here."""
    with ledger.Session() as session:
        units: dict[str, list[str]] = {}
        for login, name in session.execute(select(AccountUnit.login, Unit.name).join(Unit, Unit.id == AccountUnit.unit_id).order_by(AccountUnit.login, Unit.name)):
            units.setdefault(login, []).append(name)
        rows = session.execute(
            text("SELECT r.rolname, g.rolname, r.rolcanlogin FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                 "JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname IN :groups ORDER BY r.rolname").bindparams(bindparam("groups", expanding=True)),
            {"groups": [role.group for role in AccountRole]},
        ).all()
    by_group = {role.group: role for role in AccountRole}
    found: dict[str, Login] = {}
    for login, group, can_login in rows:
        role = by_group[group]
        held = found.get(login)
        if held is None or list(AccountRole).index(role) < list(AccountRole).index(held.role):
            found[login] = Login(login, role, tuple(units.get(login, ())), not can_login)
    return list(found.values())


def set_login_enabled(ledger, login: str, enabled: bool, *, operator: str | None = None) -> Login:
    """ALTER ROLE … LOGIN / NOLOGIN, for a login that belongs to this program's groups only; the audit log keeps it."""
    from psycopg import sql

    check_login_name(login)
    with ledger.Session.begin() as session:
        conn = session.connection()
        require_owner(conn)
        if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :l"), {"l": login}).first():
            raise UserError(f"没有登录 {login}。可用 duban user list 查看。")
        role = _role_of(conn, login)
        if role is None or login == _owner(conn):
            raise UserError(f"登录 {login} 不是督办台账的账号（不属于 duban_office、duban_unit 或 duban_reader），未作更改。")
        driver = conn.connection.driver_connection
        statement = sql.SQL("ALTER ROLE {} " + ("LOGIN" if enabled else "NOLOGIN")).format(sql.Identifier(login))
        _run(conn, statement.as_string(driver))
        audit.record(session, "user.enable" if enabled else "user.disable", "login", login, operator=operator)
    return next(item for item in list_logins(ledger) if item.login == login)
