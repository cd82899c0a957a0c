"""A server ledger's failures reach the clerk as one Chinese sentence that names the ledger without its password.

Each error is produced by a real PostgreSQL (tests/pg_server.py): a login without the right, a duplicate row,
two writers at once, a connection the server dropped.  db.errors.known_error sorts them by SQLSTATE.
"""

import threading

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from db.engine import open_ledger
from db.errors import known_error
from db.models import Unit
from tests.ledger_state import ledger_fingerprint
from tests.pg_server import template_copy


@pytest.fixture
def pg_ledger(pg_cluster, pg_initialised_url):
    ledger = open_ledger(template_copy(pg_cluster, pg_initialised_url))
    yield ledger
    ledger.close()


def _superuser(cluster, dbname):
    return psycopg.connect(host="127.0.0.1", port=cluster.port, user=cluster.user, password=cluster.password, dbname=dbname, autocommit=True)


def test_a_login_without_the_right_is_refused_in_chinese_and_writes_nothing(pg_cluster, pg_ledger, capsys):
    from desktop.cli import main

    url = make_url(pg_ledger.url)
    with _superuser(pg_cluster, url.database) as conn:
        conn.execute("DROP ROLE IF EXISTS looker")
        # a member of the office group (so duban lets it try) whose grants, made by hand, only allow reading
        conn.execute("DO $$ BEGIN CREATE ROLE duban_office NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        conn.execute("CREATE ROLE looker LOGIN PASSWORD 'look-pw-7' IN ROLE duban_office")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO looker")
    before = ledger_fingerprint(pg_ledger)
    looker = url.set(username="looker", password="look-pw-7").render_as_string(hide_password=False)
    args = ["--db", looker, "--operator", "测试", "progress", "add", "--task", "A02-06", "--unit", "市税务局", "--period", "2022-06", "--status", "推进中", "--percent", "50", "--text", "已发放"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"服务器拒绝了这项操作：当前登录 looker 在服务器台账 looker@127.0.0.1:{url.port}/{url.database} 中没有这项权限" in err
    assert "未写入任何内容" in err and "look-pw-7" not in err and "permission denied" not in err
    assert ledger_fingerprint(pg_ledger) == before


def test_a_duplicate_row_is_told_as_one_sentence(pg_ledger):
    with pytest.raises(Exception) as raised, pg_ledger.Session.begin() as session:
        name = session.scalars(select(Unit.name).order_by(Unit.id)).first()
        session.add(Unit(name=name, kind="其他"))
        session.flush()
    known = known_error(raised.value, pg_ledger.label)
    assert known is not None and known.message.startswith(f"服务器台账 {pg_ledger.label} 中已有同样的记录")


def test_two_writers_at_once_are_told_to_retry(pg_ledger):
    """Two serializable transactions change the same row: the server cancels the second (40001)."""
    first, second = pg_ledger.engine.connect(), pg_ledger.engine.connect()
    try:
        for conn in (first, second):
            conn.execution_options(isolation_level="SERIALIZABLE")
            conn.begin()
            conn.execute(text("SELECT name FROM unit WHERE id = 1")).scalar()
        first.execute(text("UPDATE unit SET name = name || '甲' WHERE id = 1"))
        done = threading.Event()
        threading.Timer(0.3, lambda: (first.commit(), done.set())).start()
        with pytest.raises(Exception) as raised:
            second.execute(text("UPDATE unit SET name = name || '乙' WHERE id = 1"))
        done.wait(5)
    finally:
        second.close()
        first.close()
    known = known_error(raised.value, pg_ledger.label)
    assert known is not None and "另一位同事正在同时修改服务器台账" in known.message and "未写入" in known.message


def test_a_dropped_connection_is_told_and_names_no_password(pg_cluster, pg_ledger):
    url = make_url(pg_ledger.url)
    with pg_ledger.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with _superuser(pg_cluster, url.database) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(Exception) as raised:
            conn.execute(text("SELECT 1"))
    known = known_error(raised.value, pg_ledger.label)
    assert known is not None and known.message.startswith(f"与服务器台账 {pg_ledger.label} 的连接中断或无法连接")
    assert url.password not in known.message


def test_an_exports_file_is_not_taken_for_the_server(pg_ledger, tmp_path):
    """A PostgreSQL error met while writing an export names the server ledger, not the export's file."""
    with pytest.raises(Exception) as raised, pg_ledger.Session.begin() as session:
        name = session.scalars(select(Unit.name).order_by(Unit.id)).first()
        session.add(Unit(name=name, kind="其他"))
        session.flush()
    known = known_error(raised.value, tmp_path / "台账.xlsx")
    assert known is not None and known.message.startswith("服务器台账中已有同样的记录") and "xlsx" not in known.message
