"""Moving a ledger file into a real PostgreSQL server (`server import`), and backing a server ledger up and restoring it.

Every test runs against the session's throwaway cluster (tests/pg_server.py); none uses a mock or SQLite
standing in for the server.  "Identical" means every row of every table, compared through the column types
(an engine-neutral dump), so a date, a JSON value or an evidence file's bytes that changed on the way shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from db.decisions import Evidence as SignOffEvidence
from db.decisions import sign_off
from db.drafts import save_draft
from db.engine import open_ledger
from db.errors import UserError
from db.evidence import attach_evidence, evidence_data
from db.identity import ensure_ledger_id
from db.models import AuditLog, Evidence, ProgressEntry, Task, Unit
from db.packets import export_packet, merge_packet
from db.progress import ProgressInput, add_progress
from db.server_transfer import backup_server, import_ledger_file, restore_server, tables
from desktop.cli import main
from tests.pg_server import PgCluster

UNIT = "市发展改革委"
PHOTO = bytes(range(256)) * 40 + b"\x00\xff\x00 end"  # every byte value, NULs included: bytea must keep them all


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table in primary-key order, values as the column types read them, on either engine."""
    out = {}
    with engine.connect() as conn:
        for table in tables():
            out[table.name] = [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
    return out


def file_dump(path: Path) -> dict[str, list[tuple]]:
    engine = create_engine(f"sqlite:///{path.resolve().as_uri()}?mode=ro&uri=true")
    try:
        return dump(engine)
    finally:
        engine.dispose()


def server_dump(url: str, *, without_import_row: bool = True) -> dict[str, list[tuple]]:
    """The server's rows; the one audit row the import adds about itself left out, to compare with the file."""
    engine = create_engine(url)
    try:
        rows = dump(engine)
    finally:
        engine.dispose()
    if without_import_row:
        action = list(AuditLog.__table__.c.keys()).index("action")
        rows["audit_log"] = [r for r in rows["audit_log"] if r[action] != "server.import"]
    return rows


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def office_file(demo_year_file, tmp_path_factory) -> Path:
    """The demo year plus what an office ledger gathers: audited reports, evidence, a sign-off with a file, a draft,
    a field packet's record, settings and a ledger id."""
    path = tmp_path_factory.mktemp("office") / "办公室台账.sqlite"
    shutil.copy(demo_year_file, path)
    photo = path.with_name("现场照片.jpg")
    photo.write_bytes(PHOTO)
    ledger = open_ledger(path)
    try:
        with ledger.Session.begin() as s:
            task = s.scalar(select(Task).join(Task.assignments).where(Task.assignments.any(unit_id=s.scalar(select(Unit.id).where(Unit.name == UNIT)))).order_by(Task.position))
            add_progress(s, ProgressInput(task.code, UNIT, "2023-01", "推进中", 60, "一月进展，附现场照片"), operator="王五")
            attach_evidence(s, task.code, UNIT, "2023-01", photo, operator="王五")
            save_draft(s, task.id, s.scalar(select(Unit.id).where(Unit.name == UNIT)), "2023-02", {"progress_text": "未保存的草稿"}, operator="王五")
            unsigned = s.scalar(select(Task).where(~Task.id.in_(select(Task.id).join(Task.assignments).where(False))).order_by(Task.position.desc()))
            sign_off(s, unsigned, signed_on=dt.date(2023, 1, 10), operator="王五", evidence=SignOffEvidence("验收报告.pdf", b"%PDF-1.4\x00\x01" * 100))
        export_packet(ledger, path.parent / "field.duban", period="2022-12", units=[UNIT], operator="王五")
    finally:
        ledger.close()
    photo.unlink()
    return path


@pytest.fixture
def empty_server(pg_cluster: PgCluster) -> str:
    return pg_cluster.create_database("import")


def test_server_import_moves_every_row_with_its_keys_and_history(office_file, empty_server):
    before = sha(office_file)
    server = open_ledger(empty_server)
    try:
        result = import_ledger_file(server, office_file, operator="信息科")
    finally:
        server.close()

    assert sha(office_file) == before  # the office's file is only read
    assert server_dump(empty_server) == file_dump(office_file)  # every table, row for row, primary keys kept
    assert result.counts["progress_entry"] > 19000 and result.counts["evidence"] == 1 and result.counts["task_signoff"] > 1
    assert any("进展" in line for line in result.lines())

    server = open_ledger(empty_server)
    try:
        with server.Session.begin() as s:
            uuid = s.scalar(select(Evidence.uuid))
            assert evidence_data(s, uuid) == ("现场照片.jpg", PHOTO)  # bytea keeps every byte
            imported = s.scalars(select(AuditLog).where(AuditLog.action != "server.import")).all()
            assert imported and all(a.login is None for a in imported)  # history keeps its operator; no login it never had
            assert {a.operator for a in imported} >= {"王五"}
            mark = s.scalar(select(AuditLog).where(AuditLog.action == "server.import"))
            assert mark.note == office_file.name and mark.operator == "信息科"
            # the sequences continue after the imported ids: new rows get new keys
            task = s.scalar(select(Task).where(Task.assignments.any(unit_id=s.scalar(select(Unit.id).where(Unit.name == UNIT)))).order_by(Task.position))
            add_progress(s, ProgressInput(task.code, UNIT, "2023-03", "推进中", 70, "迁入服务器后的第一条进展"), operator="信息科")
            s.flush()  # a sequence left at 1 would collide with an imported id here
            newest = s.scalar(select(ProgressEntry.id).where(ProgressEntry.period == "2023-03"))
            assert newest == max(r[0] for r in file_dump(office_file)["progress_entry"]) + 1
    finally:
        server.close()


# Stands in for the audit trigger `server init` installs (helper lane A): the server, not the client, signs each row.
SIGNING_TRIGGER = """
CREATE FUNCTION test_sign_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.login := session_user; RETURN NEW; END $$;
CREATE TRIGGER test_sign_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_sign_audit();
"""


def test_imported_history_keeps_no_login_while_the_server_signs_what_comes_after(office_file, empty_server, tmp_path):
    """The server's audit trigger is off for the copied history only; the import's own row and every later change are signed."""
    server = open_ledger(empty_server)
    try:
        with server.engine.begin() as conn:
            conn.exec_driver_sql(SIGNING_TRIGGER)
        import_ledger_file(server, office_file, operator="信息科")
        with server.Session() as s:
            logins = {(a.action == "server.import", a.login) for a in s.scalars(select(AuditLog))}
        assert logins == {(False, None), (True, "postgres")}

        # A field packet the office exported from its file before the move still merges into the server:
        # the ledger id and the office's export record came along.
        packet = tmp_path / "外勤.duban"
        shutil.copy(office_file.parent / "field.duban", packet)
        field = open_ledger(packet)
        try:
            with field.Session.begin() as s:
                task = s.scalar(select(Task).order_by(Task.position))
                add_progress(s, ProgressInput(task.code, UNIT, "2022-12", "推进中", 90, "外勤带回的进展"), operator="外勤")
        finally:
            field.close()
        result = merge_packet(server, packet, operator="信息科")
        assert [(i.task_code, i.period) for i in result.added + result.updated] == [(task.code, "2022-12")]
        with server.Session() as s:
            merged = s.scalars(select(AuditLog).where(AuditLog.action.like("progress.merge%"))).all()
        assert merged and {a.login for a in merged} == {"postgres"}
    finally:
        server.close()


def _cli(capsys, *args) -> tuple[int, str, str]:
    code = main(["--operator", "测试", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_reads_the_same_ledger_on_the_server_as_in_the_file(office_file, pg_cluster, capsys):
    url = pg_cluster.create_database("cli")
    code, out, err = _cli(capsys, "--db", url, "server", "import", str(office_file))
    assert code == 0, err
    assert "已将台账文件 办公室台账.sqlite 迁入服务器台账" in out and "秒" in out
    for command in (["tasks", "--json"], ["progress", "list", "--unit", UNIT], ["report", "figures", "--period", "2022-12", "--json"]):
        on_file = _cli(capsys, "--db", str(office_file), "--read-only", *command)
        on_server = _cli(capsys, "--db", url, *command)
        assert on_file[0] == on_server[0] == 0, (command, on_server[2])
        assert on_server[1] == on_file[1] and on_file[1].strip(), command


def test_a_second_import_and_a_server_ledger_in_use_are_refused_and_change_nothing(office_file, filled_server, capsys):
    before = server_dump(filled_server, without_import_row=False)
    code, out, err = _cli(capsys, "--db", filled_server, "server", "import", str(office_file))
    assert code == 2
    assert "不是空的" in err and "办公室台账.sqlite 未迁入" in err and "服务器台账未作改动" in err
    assert server_dump(filled_server, without_import_row=False) == before


def _seeded_only(url: str) -> dict[str, list[tuple]]:
    """A server ledger as its migrations made it."""
    rows = server_dump(url, without_import_row=False)
    return {name: r for name, r in rows.items() if r}


def test_damaged_hostile_and_wrong_files_are_refused_naming_them(office_file, demo_year_file, empty_server, tmp_path):
    server = open_ledger(empty_server)
    try:
        fresh = _seeded_only(empty_server)
        assert set(fresh) <= {"unit", "unit_alias"}

        truncated = tmp_path / "截断的台账.sqlite"
        truncated.write_bytes(office_file.read_bytes()[: office_file.stat().st_size // 3])
        garbage = tmp_path / "乱码.sqlite"
        garbage.write_bytes(b"PK\x03\x04 not a ledger" * 500)
        text_in_number = tmp_path / "被改过的台账.sqlite"
        shutil.copy(demo_year_file, text_in_number)
        with sqlite3.connect(text_in_number) as conn:  # SQLite keeps any value in any column; the server does not
            conn.execute("UPDATE progress_entry SET percent = '七成' WHERE id = (SELECT max(id) FROM progress_entry)")
        nul_text = tmp_path / "含空字符.sqlite"
        shutil.copy(demo_year_file, nul_text)
        with sqlite3.connect(nul_text) as conn:
            conn.execute("UPDATE task SET title = title || char(0) WHERE id = 5")
        packet = office_file.parent / "field.duban"
        huge = tmp_path / "超长.sqlite"
        shutil.copy(demo_year_file, huge)
        with sqlite3.connect(huge) as conn:
            conn.execute("UPDATE progress_entry SET problems = printf('%.*c', 2000000, 'x') WHERE id = 3")

        for path, why in (
            (truncated, "未迁入"),
            (garbage, "SQLite 无法读取该文件"),
            (tmp_path / "没有这个文件.sqlite", "找不到台账文件"),
            (text_in_number, "进展（progress_entry）表中从编号"),
            (nul_text, "任务（task）表中"),
            (packet, "是外勤数据包"),
            (huge, "进展（progress_entry）表“problems”列中有长达 2000000 字的值"),
        ):
            with pytest.raises(UserError) as refused:
                import_ledger_file(server, path, operator="信息科")
            assert path.name in refused.value.message and why in refused.value.message, refused.value.message
            assert _seeded_only(empty_server) == fresh, path.name  # nothing was written
    finally:
        server.close()


def test_a_ledger_file_in_use_is_read_as_committed_without_disturbing_its_writer(office_file, empty_server, tmp_path):
    """The office's duban still has the file open (its lock held, the last report only in the WAL): the import takes
    every committed row and leaves the writer working."""
    busy = tmp_path / "正在使用.sqlite"
    shutil.copy(office_file, busy)
    office = open_ledger(busy)
    try:
        with office.Session.begin() as s:
            add_progress(s, ProgressInput(_first_task(s), UNIT, "2023-02", "推进中", 65, "刚保存、仍在日志中的进展"), operator="王五")
        assert Path(f"{busy}-wal").stat().st_size > 0
        server = open_ledger(empty_server)
        try:
            import_ledger_file(server, busy)
        finally:
            server.close()
        with office.Session.begin() as s:  # the writer carries on
            add_progress(s, ProgressInput(_first_task(s), UNIT, "2023-03", "推进中", 70, "迁移后仍可写"), operator="王五")
    finally:
        office.close()
    rows = server_dump(empty_server)["progress_entry"]
    text_at = list(ProgressEntry.__table__.c.keys()).index("progress_text")
    assert "刚保存、仍在日志中的进展" in {r[text_at] for r in rows} and "迁移后仍可写" not in {r[text_at] for r in rows}


def _first_task(s) -> str:
    unit_id = s.scalar(select(Unit.id).where(Unit.name == UNIT))
    return s.scalar(select(Task.code).where(Task.assignments.any(unit_id=unit_id)).order_by(Task.position))


def test_an_older_ledger_file_is_upgraded_in_a_copy_never_in_place(demo_year_file, empty_server, tmp_path):
    from alembic import command

    from db.engine import alembic_config, migration_connection

    old = tmp_path / "旧版台账.sqlite"
    shutil.copy(demo_year_file, old)
    engine = create_engine(f"sqlite:///{old}")
    cfg = alembic_config(f"sqlite:///{old}")
    with migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    engine.dispose()
    before = sha(old)

    server = open_ledger(empty_server)
    try:
        result = import_ledger_file(server, old)
        with server.Session() as s:
            assert len(set(s.scalars(select(Unit.uuid)))) == result.counts["unit"]  # every unit got its uuid on the way
    finally:
        server.close()
    assert result.upgraded_from == "0007" and any("原文件未作改动" in line for line in result.lines())
    assert sha(old) == before
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0007",)


# --- backup and restore ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filled_server(office_file, pg_cluster) -> str:
    url = pg_cluster.create_database("filled")
    server = open_ledger(url)
    try:
        import_ledger_file(server, office_file, operator="信息科")
    finally:
        server.close()
    return url


def _spy_subprocess(monkeypatch) -> list[tuple[list[str], dict]]:
    """Record each command db.server_transfer runs (and still run it) to see what reaches the command line."""
    import db.server_transfer as transfer

    seen, real = [], subprocess.run

    def run(cmd, *args, **kwargs):
        seen.append((list(cmd), dict(kwargs.get("env") or {})))
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(transfer.subprocess, "run", run)
    return seen


def test_pg_dump_backup_restores_into_a_new_database_row_for_row_and_never_shows_the_password(filled_server, pg_cluster, tmp_path, capsys, monkeypatch):
    log_dir = tmp_path / "logs"
    monkeypatch.setenv("DUBAN_LOG_DIR", str(log_dir))
    seen = _spy_subprocess(monkeypatch)
    password = pg_cluster.password
    # The password reaches libpq from the environment, as the IT person's scripts pass it: never in argv or the log.
    monkeypatch.setenv("PGPASSWORD", password)
    no_password = filled_server.replace(f":{password}@", "@")
    dump_file = tmp_path / "服务器台账.dump"

    code, out, err = _cli(capsys, "--db", no_password, "backup", str(dump_file))
    assert code == 0, err
    assert "pg_dump" in out and dump_file.read_bytes().startswith(b"PGDMP")
    assert [Path(cmd[0]).name for cmd, _env in seen if "--version" not in cmd] == ["pg_dump"]
    assert all(password not in " ".join(cmd) for cmd, _env in seen)
    assert all(env.get("PGPASSWORD") == password for cmd, env in seen if "--version" not in cmd)

    target = pg_cluster.create_database("restored")
    code, out, err = _cli(capsys, "--db", target.replace(f":{password}@", "@"), "restore", str(dump_file))
    assert code == 0, err
    assert "pg_restore" in out and password not in out + err
    assert server_dump(target, without_import_row=False) == server_dump(filled_server, without_import_row=False)
    logged = "".join(p.read_text(encoding="utf-8") for p in log_dir.glob("*.log*"))
    assert "backup" in logged and "restore" in logged and password not in logged

    # With the password in the URL: it goes to pg_dump through the environment, and is never printed (the command
    # line's own start-up log lines are desktop/cli.py's to redact).
    monkeypatch.delenv("PGPASSWORD")
    again = tmp_path / "再备份.dump"
    code, out, err = _cli(capsys, "--db", filled_server, "backup", str(again))
    assert code == 0, err
    assert again.read_bytes().startswith(b"PGDMP") and seen[-1][1].get("PGPASSWORD") == password
    assert password not in out + err and all(password not in " ".join(cmd) for cmd, _env in seen)

    code, out, err = _cli(capsys, "--db", target, "restore", str(dump_file))  # not empty any more
    assert code == 2 and "不是空的" in err and password not in out + err
    assert server_dump(target, without_import_row=False) == server_dump(filled_server, without_import_row=False)


def test_logical_backup_is_a_ledger_file_that_restores_row_for_row(filled_server, pg_cluster, tmp_path, capsys):
    copy = tmp_path / "逻辑备份.sqlite"
    code, out, err = _cli(capsys, "--db", filled_server, "backup", "--logical", str(copy))
    assert code == 0, err
    assert "逐行导出" in out and pg_cluster.password not in out + err
    assert file_dump(copy) == server_dump(filled_server, without_import_row=False)  # one snapshot, every row
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file

    # a later backup replaces this ledger's older one, never another ledger's file
    code, out, err = _cli(capsys, "--db", filled_server, "backup", "--logical", str(copy))
    assert code == 0, err
    other = open_ledger(tmp_path / "另一本台账.sqlite", scratch=True)  # made elsewhere, not open in this process
    try:
        ensure_ledger_id(other)
    finally:
        other.close()
    before = sha(other.path)
    code, out, err = _cli(capsys, "--db", filled_server, "backup", "--logical", str(other.path))
    assert code == 2 and "它是一个督办台账文件" in err and sha(other.path) == before
    assert not list(tmp_path.glob("*.partial*"))

    # it is an ordinary ledger file: the command line reads it
    code, out, _err = _cli(capsys, "--db", str(copy), "--read-only", "tasks", "--json")
    assert code == 0 and len(json.loads(out)) == 373

    target = pg_cluster.create_database("from_logical")
    code, out, err = _cli(capsys, "--db", target, "restore", str(copy))
    assert code == 0, err
    assert "server import" in out
    assert server_dump(target) == server_dump(filled_server)


def test_backup_of_a_server_ledger_with_the_logical_fallback_when_pg_dump_is_missing(filled_server, tmp_path, monkeypatch):
    import db.server_transfer as transfer

    monkeypatch.setattr(transfer, "find_tool", lambda name, major: None)  # a PC without PostgreSQL's client tools
    server = open_ledger(filled_server, read_only=True)
    try:
        made = backup_server(server, tmp_path / "无pg_dump.backup")
    finally:
        server.close()
    assert made.method == "logical" and made.path.read_bytes().startswith(b"SQLite format 3\x00")
    assert file_dump(made.path) == server_dump(filled_server, without_import_row=False)


def test_restore_refuses_a_file_that_is_no_backup(pg_cluster, tmp_path):
    target = pg_cluster.create_database("refuse")
    junk = tmp_path / "随便什么.dump"
    junk.write_bytes(b"not a backup at all")
    with pytest.raises(UserError, match="随便什么.dump 既不是 pg_dump 备份，也不是台账文件"):
        restore_server(target, junk)


def test_a_login_that_sees_only_part_of_the_ledger_cannot_back_it_up(filled_server, pg_cluster, tmp_path, capsys):
    """A login outside the office (here one with bare SELECT rights) would export a partial ledger: refused."""
    import psycopg
    from sqlalchemy.engine import make_url

    db = make_url(filled_server).database
    login = f"looker_{db[-6:]}"
    with psycopg.connect(host="127.0.0.1", port=pg_cluster.port, user=pg_cluster.user, password=pg_cluster.password, dbname=db, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD 'looker-pw'")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {login}")
    url = f"postgresql://{login}:looker-pw@127.0.0.1:{pg_cluster.port}/{db}"
    code, out, err = _cli(capsys, "--db", url, "backup", "--logical", str(tmp_path / "部分.sqlite"))
    assert code == 2 and "只有服务器台账的数据库所有者（台账管理员）可以备份服务器台账" in err and "looker-pw" not in out + err
    assert not (tmp_path / "部分.sqlite").exists()


def test_the_database_owner_imports_and_row_security_never_thins_a_backup_silently(office_file, pg_cluster, tmp_path, capsys):
    """Run as the database's owner (not a superuser): the import works; a non-owner is refused; and a policy that hides
    rows from the owner (FORCE ROW LEVEL SECURITY) makes both kinds of backup refuse instead of writing a partial ledger."""
    import psycopg

    suffix = pg_cluster.create_database("x").rsplit("_", 1)[1]
    owner, other, db = f"owner_{suffix}", f"other_{suffix}", f"owned_{suffix}"

    def as_superuser(*statements, dbname="postgres"):
        with psycopg.connect(host="127.0.0.1", port=pg_cluster.port, user=pg_cluster.user, password=pg_cluster.password, dbname=dbname, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    as_superuser(f"CREATE ROLE {owner} LOGIN PASSWORD 'owner-pw'", f"CREATE ROLE {other} LOGIN PASSWORD 'other-pw'", f"CREATE DATABASE {db} OWNER {owner}")
    url = f"postgresql://{owner}:owner-pw@127.0.0.1:{pg_cluster.port}/{db}"
    server = open_ledger(url)  # the owner creates the schema
    server.close()
    as_superuser(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {other}", dbname=db)
    stranger = open_ledger(f"postgresql://{other}:other-pw@127.0.0.1:{pg_cluster.port}/{db}")
    try:
        with pytest.raises(UserError, match="不是服务器台账 .* 的数据库所有者"):
            import_ledger_file(stranger, office_file)
    finally:
        stranger.close()

    server = open_ledger(url)
    try:
        import_ledger_file(server, office_file)
        with server.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE progress_entry ENABLE ROW LEVEL SECURITY")
            conn.exec_driver_sql("ALTER TABLE progress_entry FORCE ROW LEVEL SECURITY")
            conn.exec_driver_sql("CREATE POLICY hide_all ON progress_entry USING (false)")
    finally:
        server.close()
    for args in (["--logical"], []):
        out_file = tmp_path / f"备份{len(args)}.backup"
        code, out, err = _cli(capsys, "--db", url, "backup", *args, str(out_file))
        assert code == 2, (args, out)
        assert ("行级安全策略" in err if args else "pg_dump 返回" in err) and "owner-pw" not in out + err
        assert not out_file.exists() and not list(tmp_path.glob("*.partial*"))
