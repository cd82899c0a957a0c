"""The same ledger code on a real PostgreSQL server (issue 15): init, a progress report, tasks --json.

The cluster is started by the tests (tests/pg_server.py, fixture pg_cluster); no mocks and no SQLite standing in.
"""

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from db.engine import open_ledger
from db.errors import UserError
from db.models import AuditLog, ProgressEntry, Task


@pytest.fixture(scope="module")
def pg_url(pg_cluster):
    """One fresh database per module (pg_cluster: tests/conftest.py, skipped if PostgreSQL is absent)."""
    return pg_cluster.create_database()


def cli(capsys, db, *args):
    from desktop.cli import main

    code = main(["--db", str(db), "--operator", "测试", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def pg_initialised(pg_url):
    from desktop.cli import main

    assert main(["--db", pg_url, "--operator", "测试", "init"]) == 0
    return pg_url


def test_init_on_postgresql_loads_the_bundled_plan(pg_initialised, capsys):
    tasks = json.loads(cli(capsys, pg_initialised, "tasks", "--json"))
    assert len(tasks) == 373
    assert sum(t["deadline"] is not None for t in tasks) == 273
    ledger = open_ledger(pg_initialised)
    try:
        assert ledger.engine.dialect.name == "postgresql" and ledger.server
        # The ledger is named by its address in messages, never with its password, and has no path to misuse.
        url = make_url(pg_initialised)
        assert ledger.label == f"postgres@127.0.0.1:{url.port}/{url.database}"
        assert ledger.path is None and ledger.location == pg_initialised
        assert url.password not in ledger.label + repr(ledger)
        with ledger.Session() as s:
            assert s.scalar(select(func.count()).select_from(Task)) == 373
    finally:
        ledger.close()


def test_tasks_json_is_the_same_on_postgresql_and_sqlite(pg_initialised, tmp_path, capsys):
    sqlite_file = tmp_path / "ledger.sqlite"
    cli(capsys, sqlite_file, "init")
    on_sqlite = json.loads(cli(capsys, sqlite_file, "tasks", "--json"))
    on_pg = json.loads(cli(capsys, pg_initialised, "tasks", "--json"))
    assert on_pg == on_sqlite


def test_progress_report_saved_on_postgresql_reads_back(pg_initialised, capsys):
    base = ["progress", "add", "--task", "A02-06", "--unit", "市税务局", "--period", "2022-06", "--reporter", "张三"]
    cli(capsys, pg_initialised, *base, "--status", "推进中", "--percent", "50", "--text", "已发放Ukey 120个")
    out = cli(capsys, pg_initialised, *base, "--status", "已完成", "--percent", "100", "--text", "全部发放完毕")
    assert "第 2 版" in out
    [entry] = json.loads(cli(capsys, pg_initialised, "progress", "list", "--json", "--task", "A02-06"))
    assert entry["status"] == "已完成" and entry["percent"] == 100 and entry["version"] == 2
    assert entry["progress_text"] == "全部发放完毕" and entry["unit"] == "市税务局" and entry["reporter"] == "张三"
    ledger = open_ledger(pg_initialised)
    try:
        with ledger.Session() as s:
            row = s.scalars(select(ProgressEntry)).one()
            assert row.progress_text == "全部发放完毕" and row.percent == 100
            update = s.scalars(select(AuditLog).where(AuditLog.action == "progress.update")).one()
        assert update.before["progress_text"] == "已发放Ukey 120个" and update.operator == "测试"
    finally:
        ledger.close()


def test_a_wrong_password_is_refused_in_chinese_without_echoing_it(pg_url):
    wrong = make_url(pg_url).set(password="not-the-password-42").render_as_string(hide_password=False)
    with pytest.raises(UserError) as refused:
        open_ledger(wrong)
    assert "无法连接服务器台账" in str(refused.value) and "not-the-password-42" not in str(refused.value)
    assert "登录名或密码不对" in refused.value.message


def test_a_database_that_is_not_there_is_named_as_such(pg_url):
    with pytest.raises(UserError) as refused:
        open_ledger(make_url(pg_url).set(database="duban_no_such_db").render_as_string(hide_password=False))
    assert "duban_no_such_db" in refused.value.message and "服务器上没有这个数据库" in refused.value.message


def test_a_password_hidden_address_is_refused_not_made_a_folder(pg_initialised, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = make_url(pg_initialised)
    hidden = f"postgres:***@127.0.0.1:{url.port}/{url.database}"
    with pytest.raises(UserError, match="隐去密码的服务器台账地址"):
        open_ledger(hidden)
    assert list(tmp_path.iterdir()) == []


def test_the_password_can_come_from_pgpassword_not_the_command_line(pg_initialised, capsys, monkeypatch):
    url = make_url(pg_initialised)
    bare = f"postgresql://postgres@127.0.0.1:{url.port}/{url.database}"
    monkeypatch.delenv("PGPASSWORD", raising=False)
    from desktop.cli import main

    assert main(["--db", bare, "plans"]) == 2
    assert "无法连接服务器台账" in capsys.readouterr().err
    monkeypatch.setenv("PGPASSWORD", url.password)
    assert "2022" in cli(capsys, bare, "plans")


def test_the_password_can_come_from_a_passfile(pg_initialised, capsys, monkeypatch, tmp_path):
    url = make_url(pg_initialised)
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{url.port}:*:postgres:{url.password}\n")
    passfile.chmod(0o600)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert "2022" in cli(capsys, f"postgresql://postgres@127.0.0.1:{url.port}/{url.database}", "plans")


def test_without_a_password_the_command_line_asks_at_a_terminal_and_says_how_elsewhere(pg_initialised, tmp_path):
    """No password in the URL, PGPASSWORD or a password file: a terminal is asked (not echoed); a script is told how."""
    import os
    import pty
    import select as poll
    import subprocess
    import sys
    import time

    url = make_url(pg_initialised)
    bare = f"postgresql://{url.username}@127.0.0.1:{url.port}/{url.database}"
    env = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"} | {"PGPASSFILE": str(tmp_path / "none"), "DUBAN_LOG_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "desktop.cli", "--db", bare, "plans"]
    piped = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 2 and "服务器要求输入密码" in piped.stderr and "PGPASSWORD" in piped.stderr

    pid, fd = pty.fork()
    if pid == 0:  # the child: duban on a terminal
        os.execvpe(sys.executable, command, env)
    seen = bytearray()
    try:
        deadline = time.monotonic() + 60
        while "的登录密码：".encode() not in seen and time.monotonic() < deadline:
            if poll.select([fd], [], [], 1)[0]:
                seen.extend(os.read(fd, 4096))
        os.write(fd, url.password.encode() + b"\n")
        while time.monotonic() < deadline:
            if poll.select([fd], [], [], 1)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen.extend(chunk)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    shown = seen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, shown
    assert f"服务器台账 {url.username}@127.0.0.1:{url.port}/{url.database} 的登录密码：" in shown and "2022" in shown
    assert url.password not in shown


def test_no_password_reaches_the_log_or_the_messages(pg_initialised, capsys, tmp_path, monkeypatch):
    """A URL with its password on the command line: duban.log and every message name the ledger without it."""
    from desktop.cli import main
    from desktop.logs import shutdown_logging

    password = make_url(pg_initialised).password
    logs = tmp_path / "logs"
    monkeypatch.setenv("DUBAN_LOG_DIR", str(logs))
    out = cli(capsys, pg_initialised, "plans")
    said = [out]
    for name in ("b.dump", "b.sqlite"):  # pg_dump, and the logical export a .sqlite name asks for
        assert main(["--db", pg_initialised, "backup", str(tmp_path / name)]) == 0
        said.append(capsys.readouterr().out)
        assert "服务器台账 postgres@127.0.0.1:" in said[-1] and ("逐行导出到台账文件" in said[-1]) == (name == "b.sqlite")
    assert main(["--db", pg_initialised, "restore", str(tmp_path / "b.dump")]) == 2  # into a ledger in use: refused
    said.append(capsys.readouterr().err)
    assert main(["--db", pg_initialised, "demo", str(tmp_path / "demo.sqlite")]) == 2
    said.append(capsys.readouterr().err)
    assert "服务器台账" in said[-1] and "不是本机的文件" in said[-1]
    wrong = make_url(pg_initialised).set(port=1).render_as_string(hide_password=False)
    assert main(["--db", wrong, "tasks"]) == 2
    said.append(capsys.readouterr().err)
    assert "无法连接服务器台账 postgres@127.0.0.1:1/" in said[-1] and "没有在这个地址和端口上接受连接" in said[-1]
    shutdown_logging()
    log_text = (logs / "duban.log").read_text(encoding="utf-8")
    assert "台账：postgres@127.0.0.1:" in log_text and "命令：--db postgres@127.0.0.1:" in log_text
    assert all(password not in text for text in [log_text, *said])
    assert [p.name for p in tmp_path.glob("*.sqlite")] == ["b.sqlite"] and not (tmp_path / "postgres:***@127.0.0.1:1").exists()


def test_import_plan_dry_run_compares_with_the_server_plan(pg_initialised, capsys):
    """--dry-run reads the server ledger (it took a server URL for a missing file and compared with nothing)."""
    from resources import BUNDLED_PLAN

    report = json.loads(cli(capsys, pg_initialised, "import-plan", str(BUNDLED_PLAN), "--dry-run", "--json"))
    assert report["changes"]["plan_id"] == 1 and report["changes"]["unchanged"] == 373


@pytest.mark.parametrize("env", [{"CI": "true"}, {"DUBAN_TEST_ENGINE": "postgresql"}])
def test_ci_fails_rather_than_skips_when_postgresql_is_missing(monkeypatch, env):
    """Without the server binaries, CI (or a run asked to use PostgreSQL) fails: the server tests must not pass by skipping."""
    import tests.pg_server as pg_server

    monkeypatch.setattr(pg_server, "pg_bindir", lambda: None)
    for name in ("CI", "DUBAN_TEST_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(pytest.skip.Exception), pg_server.running_cluster():
        pass
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is not installed"), pg_server.running_cluster():
        pass


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("postgresql://clerk:s3cret@10.0.0.5:5433/duban", "clerk@10.0.0.5:5433/duban"),
        ("postgres://clerk:s3cret@server/duban", "clerk@server:5432/duban"),
        ("postgresql+psycopg://clerk@/duban?host=/run/postgresql&password=s3cret", "clerk@/run/postgresql:5432/duban"),
    ],
)
def test_a_server_ledger_is_labelled_without_its_password(url, label):
    from db.pg_engine import display_name, redact

    assert display_name(url) == label
    assert redact(f"--db {url} tasks") == f"--db {label} tasks" and "s3cret" not in redact(f"--db={url}")


def test_alembic_run_by_hand_upgrades_a_server_ledger(pg_cluster):
    """`alembic upgrade head` against a PostgreSQL URL (no connection handed over) runs no SQLite pragma."""
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from db.engine import alembic_config
    from db.migrations import SCHEMA_HEAD

    url = pg_cluster.create_database("by_hand")
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == SCHEMA_HEAD
            assert {"task", "unit", "progress_entry", "audit_log"} <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
