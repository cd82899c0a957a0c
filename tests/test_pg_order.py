"""The same ledger reads out in the same order on SQLite and on a PostgreSQL database that sorts text in Chinese.

An office's server is often made with a Chinese locale, whose collation sorts by pinyin, and PostgreSQL puts NULLs
last where SQLite puts them first.  The test cluster itself uses C.UTF-8, so this database is made with ICU's zh
collation on purpose: every listing, ranking and JSON output below must still match the SQLite ledger's.
"""

import datetime as dt
import json
import shutil
import uuid

import psycopg
import pytest
from sqlalchemy import select, text

from db.engine import open_ledger
from db.errors import UserError
from db.ledger import init_from_bundled_plan
from db.models import Assignment, Task, Unit
from db.progress import ProgressInput, add_progress

TASKS = 12


def _fill(ledger) -> None:
    """Reports for every unit of the first tasks, some of them with problems and next steps left empty (NULL)."""
    with ledger.Session.begin() as session:
        pairs = session.execute(
            select(Task.code, Unit.name).join(Assignment, Assignment.task_id == Task.id).join(Unit, Unit.id == Assignment.unit_id)
            .where(Task.position < TASKS).order_by(Task.position, Assignment.position)
        ).all()
        for n, (code, unit) in enumerate(pairs):
            for period in ("2022-05", "2022-06"):
                status, percent = ("推进中", 40 + n % 50) if n % 3 else ("已完成", 100)
                problems = None if n % 2 else f"问题{n}"
                try:
                    add_progress(session, ProgressInput(code, unit, period, status, percent, f"{unit}{period}进展", problems, None, "张三", dt.date(2022, 6, 28)), operator="测试")
                except UserError:  # a collective unit (各县…, 市直相关部门) does not report itself; validated before anything is written
                    break


@pytest.fixture(scope="module")
def both(pg_cluster, initialised_ledger_file, tmp_path_factory):
    """(SQLite ledger file, PostgreSQL URL) holding the same demo reports; the server database collates in Chinese."""
    name = f"zh_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(host="127.0.0.1", port=pg_cluster.port, user=pg_cluster.user, password=pg_cluster.password, dbname="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'zh' LOCALE 'C.UTF-8'")
    url = pg_cluster.url(name)
    server = open_ledger(url)
    try:
        with server.engine.connect() as conn:  # the database really sorts by pinyin: 啊 (a) before 吧 (ba) before 中 (zhong)
            assert conn.execute(text("SELECT string_agg(w, '' ORDER BY w) FROM (VALUES ('中'), ('吧'), ('啊')) AS t(w)")).scalar() == "啊吧中"
        init_from_bundled_plan(server, operator="测试")
        _fill(server)
    finally:
        server.close()
    path = tmp_path_factory.mktemp("zh") / "ledger.sqlite"
    shutil.copy(initialised_ledger_file, path)
    local = open_ledger(path)
    try:
        _fill(local)
    finally:
        local.close()
    return path, url


def _out(capsys, db, *args) -> str:
    from desktop.cli import main

    code = main(["--db", str(db), "--operator", "测试", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize(
    "command",
    [
        ("units", "--json"),
        ("tasks", "--json"),
        ("plans", "--json"),
        ("progress", "list", "--json"),
        ("progress", "list", "--json", "--unit", "市住建局"),
        ("report", "figures", "--period", "2022-06", "--json"),
        ("report", "figures", "--period", "2022-12", "--json"),
    ],
    ids=lambda c: " ".join(c),
)
def test_listings_come_out_in_the_same_order_on_both_engines(both, capsys, command):
    sqlite_file, server_url = both
    on_sqlite = _without_uuids(json.loads(_out(capsys, sqlite_file, *command)))
    on_server = _without_uuids(json.loads(_out(capsys, server_url, *command)))
    assert on_server == on_sqlite


def _without_uuids(data):
    """Each report's uuid (uuid4) and timestamps differ between the two runs; everything else must match, in order."""
    if isinstance(data, list):
        return [_without_uuids(item) for item in data]
    if isinstance(data, dict):
        return {k: _without_uuids(v) for k, v in data.items() if k not in ("uuid", "created_at", "updated_at")}
    return data

