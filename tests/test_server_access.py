"""Permissions on a server ledger are the database's: server init, user add, then each role tried directly with psycopg.

A real PostgreSQL (tests/pg_server.py, fixture pg_cluster); logins are made through the CLI, then every
refused write is tried with a plain psycopg connection as that login, as someone with another client would.
"""

import io
import json
import uuid

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import open_ledger
from db.errors import UserError

OWN_UNIT = "市税务局"
OTHER_UNIT = "市商务局"
PASSWORDS = {"acc_unit": "税务-pw-1", "acc_other": "商务-pw-2", "acc_reader": "reader-pw-3", "acc_office": "office-pw-4"}


def cli(capsys, monkeypatch, db, *args, stdin: str | None = None) -> tuple[int, str, str]:
    from desktop.cli import main

    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--db", db, "--operator", "测试", *args])
    out, err = capsys.readouterr()
    return code, out, err


def login_url(owner_url: str, login: str) -> str:
    return make_url(owner_url).set(username=login, password=PASSWORDS[login]).render_as_string(hide_password=False)


def connect(owner_url: str, login: str, password: str | None = None) -> psycopg.Connection:
    url = make_url(owner_url)
    return psycopg.connect(host=url.host, port=url.port, dbname=url.database, user=login, password=password or PASSWORDS[login], autocommit=True)


def owner(owner_url: str) -> psycopg.Connection:
    url = make_url(owner_url)
    return psycopg.connect(host=url.host, port=url.port, dbname=url.database, user=url.username, password=url.password, autocommit=True)


@pytest.fixture(scope="module")
def server(pg_cluster):
    """One database for the module: `server init` and a login of each role, all through the CLI."""
    from desktop.cli import main

    url = pg_cluster.create_database("access")
    assert main(["--db", url, "--operator", "测试", "server", "init"]) == 0
    import sys

    saved = sys.stdin
    try:
        for login, role, units in (
            ("acc_unit", "unit", [OWN_UNIT]),
            ("acc_other", "unit", [OTHER_UNIT]),
            ("acc_reader", "reader", []),
            ("acc_office", "office", []),
        ):
            sys.stdin = io.StringIO(PASSWORDS[login] + "\n")
            assert main(["--db", url, "--operator", "测试", "user", "add", login, "--role", role, *sum((["--unit", u] for u in units), []), "--password-stdin"]) == 0
    finally:
        sys.stdin = saved
    return url


@pytest.fixture(scope="module")
def ids(server):
    """Task and unit ids: a task the unit login's unit reports on, and one only the other unit reports on."""
    with owner(server) as conn:
        own_unit, other_unit = (conn.execute("SELECT id FROM unit WHERE name = %s", (n,)).fetchone()[0] for n in (OWN_UNIT, OTHER_UNIT))
        own_task = conn.execute("SELECT task_id FROM assignment WHERE unit_id = %s ORDER BY task_id LIMIT 1", (own_unit,)).fetchone()[0]
        other_task = conn.execute(
            "SELECT task_id FROM assignment WHERE unit_id = %s AND task_id NOT IN (SELECT task_id FROM assignment WHERE unit_id = %s) "
            "ORDER BY task_id LIMIT 1", (other_unit, own_unit)
        ).fetchone()[0]
        codes = {t: conn.execute("SELECT code FROM task WHERE id = %s", (t,)).fetchone()[0] for t in (own_task, other_task)}
    return {"own_unit": own_unit, "other_unit": other_unit, "own_task": own_task, "other_task": other_task, "codes": codes}


def insert_report(conn, task_id: int, unit_id: int, period: str = "2022-06") -> str:
    entry_uuid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date, version, created_at, updated_at) "
        "VALUES (%s, %s, %s, %s, '推进中', 10, '直接写入', '2022-06-20', 1, now(), now())",
        (entry_uuid, task_id, unit_id, period),
    )
    return entry_uuid


def refused(conn, statement: str, params=()) -> None:
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement, params)


# --- server init and user add through the CLI --------------------------------------------------------------


def test_server_init_makes_the_roles_and_loads_the_plan(server):
    with owner(server) as conn:
        roles = {r for (r,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'duban\\_%%' AND NOT rolcanlogin")}
        assert roles >= {"duban_office", "duban_unit", "duban_reader"}
        assert conn.execute("SELECT count(*) FROM task").fetchone()[0] == 373
        forced = dict(conn.execute("SELECT relname, relforcerowsecurity FROM pg_class WHERE relname IN ('progress_entry', 'evidence', 'progress_draft', 'warning_mark', 'ledger_info')"))
        # enabled for the groups, not forced on the owner (whose pg_dump reads with row security off)
        assert forced == dict.fromkeys(("progress_entry", "evidence", "progress_draft", "warning_mark", "ledger_info"), False)
        enabled = conn.execute("SELECT bool_and(relrowsecurity) FROM pg_class WHERE relname IN ('progress_entry', 'evidence', 'merge_conflict')").fetchone()[0]
        assert enabled


def test_user_list_json_names_each_login_with_its_role_and_units(server, capsys, monkeypatch):
    code, out, err = cli(capsys, monkeypatch, server, "user", "list", "--json")
    assert code == 0, err
    logins = {item["login"]: item for item in json.loads(out)}
    assert logins["acc_unit"] == {"login": "acc_unit", "role": "unit", "role_label": "责任单位", "units": [OWN_UNIT], "disabled": False}
    assert logins["acc_reader"]["role"] == "reader" and logins["acc_reader"]["units"] == []
    assert logins["acc_office"]["role"] == "office"
    assert all(p not in out for p in PASSWORDS.values())


def test_user_add_refuses_bad_input_in_chinese_and_creates_nothing(server, capsys, monkeypatch):
    code, _, err = cli(capsys, monkeypatch, server, "user", "add", "acc_bad", "--role", "unit", "--unit", "不存在的局", "--password-stdin", stdin="x\n")
    assert code == 2 and "未知单位：“不存在的局”" in err and "acc_bad" in err
    code, _, err = cli(capsys, monkeypatch, server, "user", "add", "acc_bad", "--role", "unit", "--password-stdin", stdin="x\n")
    assert code == 2 and "至少要指定一个单位" in err
    code, _, err = cli(capsys, monkeypatch, server, "user", "add", "Robert'); DROP TABLE task;--", "--role", "reader", "--password-stdin", stdin="x\n")
    assert code == 2 and "登录名" in err and "无效" in err
    code, _, err = cli(capsys, monkeypatch, server, "user", "add", "acc_reader", "--role", "reader", "--password-stdin", stdin="x\n")
    assert code == 2 and "登录 acc_reader 已存在" in err
    code, _, err = cli(capsys, monkeypatch, server, "user", "add", "acc_bad", "--role", "reader", "--password-stdin", stdin="\n")
    assert code == 2 and "密码不能为空" in err
    with owner(server) as conn:
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'acc_bad'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM task").fetchone()[0] == 373


def test_the_password_is_sent_as_a_scram_verifier_and_works(server):
    with owner(server) as conn:
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'acc_unit'").fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and PASSWORDS["acc_unit"] not in stored
    with connect(server, "acc_unit") as conn:
        assert conn.execute("SELECT session_user").fetchone()[0] == "acc_unit"


def test_only_the_owner_may_run_server_init(server, capsys, monkeypatch):
    code, _, err = cli(capsys, monkeypatch, login_url(server, "acc_office"), "server", "init")
    assert code == 2 and "只有服务器台账数据库的所有者" in err and "acc_office" in err


# --- a unit login, directly with psycopg -------------------------------------------------------------------


def test_a_unit_login_may_write_its_own_units_report_and_evidence(server, ids):
    with connect(server, "acc_unit") as conn:
        entry = insert_report(conn, ids["own_task"], ids["own_unit"], "2022-03")
        conn.execute("UPDATE progress_entry SET percent = 20 WHERE uuid = %s", (entry,))
        conn.execute(
            "INSERT INTO evidence (uuid, entry_uuid, name, size, sha256, data, created_at) VALUES (%s, %s, 'a.txt', 1, 'x', 'a', now())",
            (str(uuid.uuid4()), entry),
        )
    with owner(server) as conn:
        assert conn.execute("SELECT percent FROM progress_entry WHERE uuid = %s", (entry,)).fetchone()[0] == 20


def test_a_unit_login_cannot_touch_another_units_rows(server, ids):
    with owner(server) as conn:
        theirs = insert_report(conn, ids["other_task"], ids["other_unit"], "2022-04")
    with connect(server, "acc_unit") as conn:
        # another unit's task, as that unit or as its own unit (not assigned): the policy refuses the new row
        refused(conn, "INSERT INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date) "
                      "VALUES (%s, %s, %s, '2022-05', '推进中', 1, 'x', '2022-05-01')", (str(uuid.uuid4()), ids["other_task"], ids["other_unit"]))
        refused(conn, "INSERT INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date) "
                      "VALUES (%s, %s, %s, '2022-05', '推进中', 1, 'x', '2022-05-01')", (str(uuid.uuid4()), ids["other_task"], ids["own_unit"]))
        # another unit's report is invisible to UPDATE and DELETE: nothing changes
        assert conn.execute("UPDATE progress_entry SET progress_text = '改了' WHERE uuid = %s", (theirs,)).rowcount == 0
        assert conn.execute("DELETE FROM progress_entry WHERE uuid = %s", (theirs,)).rowcount == 0
        # nor can it take the report over by moving it to its own unit
        assert conn.execute("UPDATE progress_entry SET unit_id = %s WHERE uuid = %s", (ids["own_unit"], theirs)).rowcount == 0
        refused(conn, "INSERT INTO evidence (uuid, entry_uuid, name, size, sha256, data, created_at) VALUES (%s, %s, 'b.txt', 1, 'x', 'b', now())",
                (str(uuid.uuid4()), theirs))
        refused(conn, "INSERT INTO progress_draft (task_id, unit_id, period, fields, saved_at) VALUES (%s, %s, '2022-05', '{}', now())",
                (ids["other_task"], ids["other_unit"]))
        refused(conn, "INSERT INTO warning_mark (task_id, period, colour, reason, recorded_at) VALUES (%s, '2030-01', 'green', 'x', now())",
                (ids["other_task"],))
    with owner(server) as conn:
        assert conn.execute("SELECT progress_text, unit_id FROM progress_entry WHERE uuid = %s", (theirs,)).fetchone() == ("直接写入", ids["other_unit"])


def test_a_unit_login_cannot_sign_off_extend_correct_or_change_settings(server, ids):
    with connect(server, "acc_unit") as conn:
        refused(conn, "INSERT INTO task_signoff (task_id, signed_on, operator, created_at) VALUES (%s, '2022-06-30', '我', now())", (ids["own_task"],))
        refused(conn, "INSERT INTO task_extension (task_id, new_due, reason, document, approved_on, operator, created_at) "
                      "VALUES (%s, '2023-06-30', 'x', 'x', '2022-06-30', '我', now())", (ids["own_task"],))
        refused(conn, "UPDATE task SET title = '改了' WHERE id = %s", (ids["own_task"],))
        refused(conn, "INSERT INTO ledger_info (key, value) VALUES ('setting.due_soon_days', '99')")
        refused(conn, "UPDATE ledger_info SET value = '99' WHERE key = 'setting.due_soon_days'")
        refused(conn, "INSERT INTO account_unit (login, unit_id) VALUES ('acc_unit', %s)", (ids["other_unit"],))
        refused(conn, "UPDATE alembic_version SET version_num = '0001'")


def test_the_audit_log_is_append_only_and_names_the_real_login(server, ids):
    with connect(server, "acc_unit") as conn:
        conn.execute("INSERT INTO audit_log (at, operator, login, action, entity, entity_key) VALUES (now(), '局长', 'acc_office', 'forged', 'x', 'forged-1')")
        refused(conn, "UPDATE audit_log SET operator = '别人'")
        refused(conn, "DELETE FROM audit_log")
        refused(conn, "TRUNCATE audit_log")
    with connect(server, "acc_office") as conn:
        refused(conn, "UPDATE audit_log SET operator = '别人'")
        refused(conn, "DELETE FROM audit_log WHERE entity_key = 'forged-1'")
    with owner(server) as conn:
        assert conn.execute("SELECT login, operator FROM audit_log WHERE entity_key = 'forged-1'").fetchone() == ("acc_unit", "局长")


def test_the_template_signing_key_is_hidden_from_units_and_readers(server, capsys, monkeypatch, tmp_path):
    code, _, err = cli(capsys, monkeypatch, server, "template", "export", str(tmp_path / "t"), "--unit", OWN_UNIT)
    assert code == 0, err
    for login in ("acc_unit", "acc_reader"):
        with connect(server, login) as conn:
            assert conn.execute("SELECT count(*) FROM ledger_info WHERE key = 'template.secret'").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM ledger_info WHERE key = 'ledger_id'").fetchone()[0] == 1
    with connect(server, "acc_office") as conn:
        assert conn.execute("SELECT count(*) FROM ledger_info WHERE key = 'template.secret'").fetchone()[0] == 1


# --- reader and office, directly ---------------------------------------------------------------------------


def test_a_reader_reads_everything_and_writes_nothing(server, ids):
    with connect(server, "acc_reader") as conn:
        assert conn.execute("SELECT count(*) FROM task").fetchone()[0] == 373
        assert conn.execute("SELECT count(*) FROM progress_entry").fetchone()[0] >= 1
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] >= 1
        refused(conn, "INSERT INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date) "
                      "VALUES (%s, %s, %s, '2022-05', '推进中', 1, 'x', '2022-05-01')", (str(uuid.uuid4()), ids["own_task"], ids["own_unit"]))
        refused(conn, "UPDATE progress_entry SET percent = 0")
        refused(conn, "DELETE FROM progress_entry")
        refused(conn, "INSERT INTO audit_log (at, operator, action, entity, entity_key) VALUES (now(), 'x', 'x', 'x', 'x')")
        refused(conn, "INSERT INTO task_signoff (task_id, signed_on, operator, created_at) VALUES (%s, '2022-06-30', '我', now())", (ids["own_task"],))
        refused(conn, "UPDATE warning_mark SET colour = 'green'")


def test_the_office_may_sign_off_and_write_any_units_report(server, ids):
    with connect(server, "acc_office") as conn:
        conn.execute("INSERT INTO task_signoff (task_id, signed_on, operator, evidence_note, created_at) VALUES (%s, '2022-06-30', '办公室', '验收', now())",
                     (ids["other_task"],))
        insert_report(conn, ids["other_task"], ids["other_unit"], "2022-07")
        conn.execute("DELETE FROM task_signoff WHERE task_id = %s", (ids["other_task"],))


# --- the CLI and the services as each role ------------------------------------------------------------------


def test_a_unit_login_reports_for_its_own_unit_through_the_cli(server, ids, capsys, monkeypatch):
    own, other = ids["codes"][ids["own_task"]], ids["codes"][ids["other_task"]]
    unit_db = login_url(server, "acc_unit")
    code, out, err = cli(capsys, monkeypatch, unit_db, "progress", "add", "--task", own, "--unit", OWN_UNIT, "--period", "2022-06",
                         "--status", "推进中", "--percent", "40", "--text", "本单位进展")
    assert code == 0, err
    with owner(server) as conn:
        before = conn.execute("SELECT (SELECT count(*) FROM progress_entry), (SELECT count(*) FROM audit_log)").fetchone()
        assert conn.execute("SELECT login, operator FROM audit_log WHERE action = 'progress.add' AND entity_key LIKE %s", (f"{own}/%/2022-06",)).fetchone() == ("acc_unit", "测试")
    code, out, err = cli(capsys, monkeypatch, unit_db, "progress", "add", "--task", other, "--unit", OTHER_UNIT, "--period", "2022-06",
                         "--status", "推进中", "--percent", "40", "--text", "替别人报")
    assert code == 2 and f"服务器拒绝：登录 acc_unit 只能填报本单位（{OWN_UNIT}）的任务" in err
    with owner(server) as conn:
        assert conn.execute("SELECT (SELECT count(*) FROM progress_entry), (SELECT count(*) FROM audit_log)").fetchone() == before


def test_a_unit_logins_save_over_a_report_changed_meanwhile_keeps_its_version_on_the_server(server, ids, capsys, monkeypatch):
    """The office saved the report after the unit read it: the unit's version is kept as a conflict, which RLS must allow."""
    own = ids["codes"][ids["own_task"]]
    report = ("progress", "add", "--task", own, "--unit", OWN_UNIT, "--period", "2022-09", "--status", "推进中", "--percent")
    code, _, err = cli(capsys, monkeypatch, server, *report, "50", "--text", "办公室先改的版本")
    assert code == 0, err
    code, _, err = cli(capsys, monkeypatch, login_url(server, "acc_unit"), *report, "60", "--text", "单位后存的版本", "--version", "0")
    owner_login = make_url(server).username  # who changed it: the name typed, and the login the server recorded
    assert code == 2 and f"该进展已被 测试（登录 {owner_login}） 于" in err and "待处理冲突" in err, err
    with owner(server) as conn:
        texts = conn.execute("SELECT p.progress_text, c.packet_values->>'progress_text' FROM merge_conflict c "
                             "JOIN progress_entry p ON p.uuid = c.entry_uuid WHERE p.period = '2022-09'").fetchall()
    assert texts == [("办公室先改的版本", "单位后存的版本")]


@pytest.mark.parametrize("login", ["acc_unit", "acc_reader"])
def test_reading_commands_work_for_unit_and_reader_logins(server, login, capsys, monkeypatch, tmp_path):
    db = login_url(server, login)
    code, out, err = cli(capsys, monkeypatch, db, "tasks", "--json")
    assert code == 0 and len(json.loads(out)) == 373, err
    for args in (("progress", "list"), ("export", "ledger", str(tmp_path / "l.xlsx")), ("report", "figures"),
                 ("report", "monthly", str(tmp_path / "m.pdf"))):
        code, out, err = cli(capsys, monkeypatch, db, *args)
        assert code == 0, (args, err)
    assert (tmp_path / "l.xlsx").stat().st_size > 0 and (tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")


def test_a_reader_login_is_refused_every_write_in_chinese(server, ids, capsys, monkeypatch, tmp_path):
    db = login_url(server, "acc_reader")
    code, _, err = cli(capsys, monkeypatch, db, "progress", "add", "--task", ids["codes"][ids["own_task"]], "--unit", OWN_UNIT,
                       "--period", "2022-08", "--status", "推进中", "--percent", "40", "--text", "x")
    assert code == 2 and "服务器拒绝：登录 acc_reader 是只读账号" in err
    for args in (("init",), ("plans", "use", "1"), ("packet", "export", str(tmp_path / "x.duban")), ("template", "import", str(tmp_path))):
        code, _, err = cli(capsys, monkeypatch, db, *args)
        assert code == 2 and "服务器拒绝" in err, (args, err)


def test_sign_off_and_settings_are_refused_to_a_unit_login_by_the_services(server, ids):
    import datetime as dt

    from db.decisions import sign_off
    from db.models import Task
    from db.settings import load_settings, save_settings

    ledger = open_ledger(login_url(server, "acc_unit"))
    try:
        with ledger.Session.begin() as session:
            task = session.get(Task, ids["own_task"])
            with pytest.raises(UserError, match="服务器拒绝：登录 acc_unit（责任单位）不能办结销号"):
                sign_off(session, task, signed_on=dt.date(2022, 6, 30), operator="我", note="完成")
            with pytest.raises(UserError, match="不能修改台账设置"):
                save_settings(session, load_settings(session))
    finally:
        ledger.close()


def test_a_disabled_login_cannot_connect_until_enabled(server, capsys, monkeypatch):
    code, out, err = cli(capsys, monkeypatch, server, "user", "disable", "acc_other")
    assert code == 0 and "已停用登录 acc_other" in out, err
    with pytest.raises(psycopg.OperationalError):
        connect(server, "acc_other")
    code, _, err = cli(capsys, monkeypatch, login_url(server, "acc_other"), "tasks")
    assert code == 2 and "无法连接服务器台账" in err and PASSWORDS["acc_other"] not in err
    code, out, _ = cli(capsys, monkeypatch, server, "user", "list", "--json")
    assert {i["login"]: i["disabled"] for i in json.loads(out)}["acc_other"] is True
    code, _, err = cli(capsys, monkeypatch, server, "user", "disable", "postgres")
    assert code == 2 and "不是督办台账的账号" in err
    assert cli(capsys, monkeypatch, server, "user", "enable", "acc_other")[0] == 0
    with owner(server) as conn:  # account changes are in the audit log, under the owner's login
        changes = conn.execute("SELECT action, login, operator FROM audit_log WHERE entity = 'login' AND entity_key = 'acc_other' ORDER BY id").fetchall()
    assert changes == [("user.add", "postgres", "测试"), ("user.disable", "postgres", "测试"), ("user.enable", "postgres", "测试")]
    with connect(server, "acc_other") as conn:
        assert conn.execute("SELECT session_user").fetchone()[0] == "acc_other"


# --- idempotence and upgrades -------------------------------------------------------------------------------


def _grants(url: str) -> tuple:
    with owner(url) as conn:
        grants = conn.execute(
            "SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee LIKE 'duban\\_%%' OR grantee = 'PUBLIC' ORDER BY 1, 2, 3"
        ).fetchall()
        policies = conn.execute("SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies ORDER BY 1, 2").fetchall()
    return grants, policies


def test_server_init_twice_changes_nothing(server, capsys, monkeypatch):
    first = _grants(server)
    code, out, err = cli(capsys, monkeypatch, server, "server", "init")
    assert code == 0 and "角色组已存在" in out and "已导入内置计划" not in out, err
    assert _grants(server) == first
    assert ("duban_unit", "progress_entry", "INSERT") in first[0] and ("duban_reader", "progress_entry", "INSERT") not in first[0]


def test_server_init_on_an_existing_ledger_grants_its_tables_and_restores_a_revoked_grant(pg_cluster, pg_initialised_url, server, capsys, monkeypatch):
    from tests.pg_server import template_copy

    url = template_copy(pg_cluster, pg_initialised_url, "existing")
    code, out, err = cli(capsys, monkeypatch, url, "server", "init")
    assert code == 0 and "已导入内置计划" not in out, err
    granted = _grants(url)
    with owner(url) as conn:
        assert conn.execute("SELECT count(*) FROM task").fetchone()[0] == 373
        conn.execute("REVOKE ALL ON task_signoff FROM duban_office")
        conn.execute("GRANT INSERT ON task FROM duban_reader".replace("FROM", "TO"))
    assert _grants(url) != granted
    assert cli(capsys, monkeypatch, url, "server", "init")[0] == 0
    assert _grants(url) == granted


def test_an_upgrade_by_the_owner_grants_the_new_tables_without_a_rerun(pg_cluster, pg_initialised_url, server, capsys, monkeypatch):
    """A later program adds a table: the owner's first open migrates and grants it in one transaction."""
    from alembic import command

    from db.engine import alembic_config
    from tests.pg_server import template_copy

    url = template_copy(pg_cluster, pg_initialised_url, "upgrade")
    assert cli(capsys, monkeypatch, url, "server", "init")[0] == 0
    ledger = open_ledger(url)
    try:
        cfg = alembic_config(url)
        with ledger.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0007")  # account_unit goes; 0008 will bring it back as a new table
    finally:
        ledger.close()
    with pytest.raises(UserError, match="只有数据库所有者（postgres）可以升级"):
        open_ledger(login_url(url, "acc_office"))
    open_ledger(url).close()  # the owner's open upgrades
    with owner(url) as conn:
        held = conn.execute("SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = 'duban_reader' AND table_name = 'account_unit'").fetchall()
    assert held == [("SELECT",)]


def test_a_unit_login_cannot_create_objects_that_could_shadow_the_ledgers(server):
    """No temporary tables (one named account_unit could otherwise stand in for the real one) and no tables in public."""
    with connect(server, "acc_unit") as conn:
        refused(conn, "CREATE TEMP TABLE account_unit (login text, unit_id integer)")
        refused(conn, "CREATE TABLE public.mine (x integer)")


def test_a_non_superuser_owner_sets_up_the_ledger_and_keeps_full_access(pg_cluster, capsys, monkeypatch, tmp_path):
    """The usual server: the ledger's database belongs to an ordinary login with CREATEROLE, not to a superuser."""
    admin = f"acc_admin_{uuid.uuid4().hex[:6]}"
    PASSWORDS[admin] = "admin-pw-5"
    url = pg_cluster.create_database("owned")
    dbname = make_url(url).database
    with owner(url) as conn:
        conn.execute(f'CREATE ROLE "{admin}" LOGIN CREATEROLE PASSWORD \'admin-pw-5\'')
        conn.execute(f'ALTER DATABASE "{dbname}" OWNER TO "{admin}"')
    admin_url = login_url(url, admin)
    code, out, err = cli(capsys, monkeypatch, admin_url, "server", "init")
    assert code == 0, err
    login = f"acc_u_{uuid.uuid4().hex[:6]}"
    PASSWORDS[login] = "unit-pw-6"
    with owner(url) as conn:
        conn.execute(f'ALTER ROLE "{admin}" NOCREATEROLE')
    code, _, err = cli(capsys, monkeypatch, admin_url, "user", "add", login, "--role", "unit", "--unit", OWN_UNIT, "--password-stdin", stdin="unit-pw-6\n")
    assert code == 2 and f'ALTER ROLE "{admin}" CREATEROLE' in err and f"登录 {login} 未创建" in err
    with owner(url) as conn:
        conn.execute(f'ALTER ROLE "{admin}" CREATEROLE')
    code, _, err = cli(capsys, monkeypatch, admin_url, "user", "add", login, "--role", "unit", "--unit", OWN_UNIT, "--password-stdin", stdin="unit-pw-6\n")
    assert code == 0, err
    with connect(url, admin) as conn:  # the owner is not bound by row-level security
        task = conn.execute("SELECT task_id FROM assignment a JOIN unit u ON u.id = a.unit_id WHERE u.name = %s LIMIT 1", (OTHER_UNIT,)).fetchone()[0]
        unit = conn.execute("SELECT id FROM unit WHERE name = %s", (OTHER_UNIT,)).fetchone()[0]
        insert_report(conn, task, unit)
        conn.execute("INSERT INTO task_signoff (task_id, signed_on, operator, created_at) VALUES (%s, '2022-06-30', '办公室', now())", (task,))
        conn.execute("INSERT INTO audit_log (at, operator, action, entity, entity_key) VALUES (now(), 'x', 'x', 'x', 'owner-row')")
        assert conn.execute("SELECT login FROM audit_log WHERE entity_key = 'owner-row'").fetchone()[0] == admin
    with connect(url, login) as conn:
        refused(conn, "UPDATE task SET title = 'x'")
    code, out, _ = cli(capsys, monkeypatch, login_url(url, login), "tasks", "--json")
    assert code == 0 and len(json.loads(out)) == 373
    # the IT person's backup: pg_dump as the owner, who is no superuser, reads every row
    code, out, err = cli(capsys, monkeypatch, admin_url, "backup", str(tmp_path / "ledger.dump"))
    assert code == 0 and "pg_dump" in out, err
    assert (tmp_path / "ledger.dump").read_bytes().startswith(b"PGDMP")


def test_server_init_refuses_when_anyone_may_create_tables_in_public(pg_cluster, capsys, monkeypatch):
    """PostgreSQL 14 and older: schema public belongs to the superuser, so the owner's REVOKE does nothing; init says what to run."""
    admin = f"acc_admin_{uuid.uuid4().hex[:6]}"
    PASSWORDS[admin] = "admin-pw-7"
    url = pg_cluster.create_database("oldpublic")
    dbname = make_url(url).database
    with owner(url) as conn:
        conn.execute(f'CREATE ROLE "{admin}" LOGIN CREATEROLE PASSWORD \'admin-pw-7\'')
        conn.execute(f'ALTER DATABASE "{dbname}" OWNER TO "{admin}"')
        conn.execute("ALTER SCHEMA public OWNER TO postgres")
        conn.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    code, _, err = cli(capsys, monkeypatch, login_url(url, admin), "server", "init")
    assert code == 2 and "public 模式" in err and f"ALTER SCHEMA public OWNER TO \"{admin}\"" in err


def test_an_office_login_signs_off_through_the_services_and_the_audit_log_names_it(server, ids):
    import datetime as dt

    from db.decisions import revoke_sign_off, sign_off
    from db.models import Task

    ledger = open_ledger(login_url(server, "acc_office"))
    try:
        with ledger.Session.begin() as session:
            task = session.get(Task, ids["own_task"])
            sign_off(session, task, signed_on=dt.date(2022, 6, 30), operator="办公室小李", note="已完成，见验收报告")
        with ledger.Session.begin() as session:
            task = session.get(Task, ids["own_task"])
            revoke_sign_off(session, task, operator="办公室小李", reason="测试后撤销")
        with ledger.Session() as session:
            actions = session.execute(
                text("SELECT action, login, operator FROM audit_log WHERE entity_key = :k AND action LIKE 'task.%' ORDER BY id"), {"k": task.code}
            ).all()
        assert [tuple(a) for a in actions] == [("task.sign_off", "acc_office", "办公室小李"), ("task.revoke_sign_off", "acc_office", "办公室小李")]
    finally:
        ledger.close()


def test_user_add_without_a_terminal_asks_for_password_stdin(server, capsys, monkeypatch):
    code, _, err = cli(capsys, monkeypatch, server, "user", "add", "acc_notty", "--role", "reader", stdin="typed\n")
    assert code == 2 and "--password-stdin" in err
    with owner(server) as conn:
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'acc_notty'").fetchone()[0] == 0


def test_server_commands_on_a_ledger_file_say_they_need_a_server_and_create_nothing(tmp_path, capsys, monkeypatch):
    path = tmp_path / "ledger.sqlite"
    for args in (("server", "init"), ("user", "list")):
        code, _, err = cli(capsys, monkeypatch, str(path), *args)
        assert code == 2 and "只用于服务器台账" in err
    assert not path.exists()


def test_user_add_at_a_terminal_asks_twice_and_never_echoes_the_password(server):
    """The real terminal path (getpass on a pseudo-terminal): the typed password is not shown, and it works."""
    import os
    import pty
    import select as poll
    import sys
    import time

    password = "终端-pw-8"

    def read_until(fd: int, marker: str, seen: bytearray) -> bool:
        deadline = time.monotonic() + 60
        while marker.encode() not in seen and time.monotonic() < deadline:
            ready, _, _ = poll.select([fd], [], [], 1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    return False
                if not chunk:
                    return False
                seen.extend(chunk)
        return marker.encode() in seen

    pid, fd = pty.fork()
    if pid == 0:  # the child: duban on a terminal
        os.execvpe(sys.executable, [sys.executable, "-m", "desktop.cli", "--db", server, "user", "add", "acc_tty", "--role", "reader"], os.environ)
    seen = bytearray()
    try:
        assert read_until(fd, "的密码：", seen), seen.decode(errors="replace")
        os.write(fd, password.encode() + b"\n")
        assert read_until(fd, "再输入一次：", seen), seen.decode(errors="replace")
        os.write(fd, password.encode() + b"\n")
        read_until(fd, "已创建登录 acc_tty", seen)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    shown = seen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, shown
    assert "已创建登录 acc_tty" in shown and password not in shown
    with connect(server, "acc_tty", password) as conn:
        assert conn.execute("SELECT session_user").fetchone()[0] == "acc_tty"


def test_a_unit_login_writes_actuals_only_of_its_own_units_indicators(server, ids):
    def indicator_of(conn, unit_id: int, not_unit_id: int) -> int:
        return conn.execute(
            "SELECT indicator_id FROM indicator_unit WHERE unit_id = %s AND indicator_id NOT IN "
            "(SELECT indicator_id FROM indicator_unit WHERE unit_id = %s) ORDER BY indicator_id LIMIT 1", (unit_id, not_unit_id)
        ).fetchone()[0]

    insert = (
        "INSERT INTO indicator_actual (uuid, indicator_id, unit_id, period, value_text, value, version, entered_at) "
        "VALUES (%s, %s, %s, '2022-06', '1', 1, 1, now())"
    )
    with owner(server) as conn:
        mine = indicator_of(conn, ids["own_unit"], ids["other_unit"])
        theirs = indicator_of(conn, ids["other_unit"], ids["own_unit"])
        their_row = str(uuid.uuid4())
        conn.execute(insert, (their_row, theirs, ids["other_unit"]))
    with connect(server, "acc_unit") as conn:
        own_row = str(uuid.uuid4())
        conn.execute(insert, (own_row, mine, ids["own_unit"]))
        assert conn.execute("UPDATE indicator_actual SET value_text = '2' WHERE uuid = %s", (own_row,)).rowcount == 1
        refused(conn, insert, (str(uuid.uuid4()), theirs, ids["other_unit"]))
        refused(conn, insert, (str(uuid.uuid4()), theirs, ids["own_unit"]))
        assert conn.execute("UPDATE indicator_actual SET value_text = '改了' WHERE uuid = %s", (their_row,)).rowcount == 0
    with connect(server, "acc_reader") as conn:
        refused(conn, insert, (str(uuid.uuid4()), mine, ids["own_unit"]))
