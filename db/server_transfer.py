"""Moving a whole ledger between a file and a server: the row copy both ways, `server import`, backup and restore.

One generic copy (copy_rows) serves both directions: every table of the schema in foreign-key order
(Base.metadata.sorted_tables), every row in primary-key order, in batches, primary keys kept.

- server import (import_ledger_file): an office's ledger file moves into an empty server ledger.  The file
  is hostile and may be in use: it is copied with SQLite's backup API (opened read-only, never written),
  the copy is checked like a backup before a restore (integrity_check, a ledger's tables, a known schema),
  upgraded to this program's schema if older, and copied in ONE server transaction: a refusal or a
  failure on any row leaves the server ledger as it was.  The server's own sequences then continue after
  the largest id.  The imported history keeps its operator and time; audit_log.login stays empty for it
  (the file had no database logins): the import runs as the database owner with the tables' own triggers
  off (ALTER TABLE … DISABLE TRIGGER USER, inside the transaction), and adds one audit row of its own,
  server.import, naming the file, which the server's trigger signs with the importing login.
- backup of a server ledger (backup_server): pg_dump -Fc when pg_dump is installed (the password goes
  through the PGPASSWORD environment variable, never the command line), else a logical export: a ledger
  file made by copying every row in one REPEATABLE READ transaction, a consistent snapshot.  Such a
  file opens as an ordinary ledger file.  Both read with row-level security off (pg_dump's own rule): a
  policy that would hide rows from the login refuses the backup instead of thinning it.
- restore into a server (restore_server): a pg_dump file goes through pg_restore into an empty database;
  a ledger file (a logical backup or any office ledger) goes through server import.

"The same rows" means every value as its column type reads it.  One storage detail is not kept: a JSON
column's SQL NULL arrives as JSON null (both read as None; nothing in duban tells them apart).
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, delete, func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from db import audit, files
from db.engine import Ledger, open_ledger
from db.errors import UserError
from db.models import AuditLog, Base, LedgerInfo
from db.safety import SQLITE_HEADER

log = logging.getLogger(__name__)

BATCH = 500  # rows per INSERT
BINARY_BATCH = 8  # rows per INSERT for a table with file contents (evidence, sign-offs): up to 20 MB each
# Rows the migrations themselves write into a new ledger (the bundled units and their spellings): an import
# replaces them with the file's own, a logical backup starts without them.
SEEDED = frozenset({"unit", "unit_alias", "unit_member"})
PG_DUMP_MAGIC = b"PGDMP"
TOOL_TIMEOUT = 3600  # seconds for pg_dump / pg_restore


def tables() -> list[Table]:
    """Every table of the schema, parents before children (alembic_version is not one of them)."""
    return list(Base.metadata.sorted_tables)


def _has_binary(table: Table) -> bool:
    from sqlalchemy import LargeBinary

    return any(isinstance(c.type, LargeBinary) for c in table.columns)


class RowCopyError(Exception):
    """A table whose rows could not be copied: the caller names the file and the table in Chinese."""

    def __init__(self, table: str, first_id, cause: BaseException):
        super().__init__(table, first_id, cause)
        self.table, self.first_id, self.cause = table, first_id, cause


def copy_rows(source: Connection, target: Connection, *, batch: int = BATCH) -> dict[str, int]:
    """Copy every row of every table from source to target, primary keys kept; returns rows per table.

    Both connections are in the caller's transactions.  Values pass through the column types (dates,
    JSON, booleans, bytes), so the two engines' storage differences are taken care of; a value the
    target refuses raises RowCopyError naming the table and the first id of the failing batch.
    """
    counts = {}
    for table in tables():
        size = BINARY_BATCH if _has_binary(table) else batch
        query = select(table).order_by(*table.primary_key.columns)
        copied, first = 0, None
        try:
            result = source.execution_options(stream_results=True, yield_per=size).execute(query)
            for part in result.partitions(size):
                rows = [dict(row._mapping) for row in part]
                first = next(iter(rows[0].values()))
                target.execute(insert(table), rows)
                copied += len(rows)
        except (SQLAlchemyError, ValueError, TypeError, OverflowError, UnicodeError) as exc:
            raise RowCopyError(table.name, first, exc) from exc
        counts[table.name] = copied
    return counts


def _refused_by_server(exc: BaseException) -> bool:
    """True for PostgreSQL's insufficient_privilege (42501): a GRANT or a row-level security policy said no."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501"


def _clear(target: Connection) -> None:
    """Empty every table, children first (a new ledger's seeded units go)."""
    for table in reversed(tables()):
        target.execute(delete(table))


def reset_sequences(conn: Connection) -> None:
    """Each PostgreSQL sequence continues after the largest id its table now holds."""
    for table in tables():
        for column in table.primary_key.columns:
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}).scalar()
            if seq:
                top = conn.execute(select(func.max(column))).scalar() or 0
                conn.execute(text("SELECT setval(CAST(:s AS regclass), :v, false)"), {"s": seq, "v": top + 1})


# --- server import --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What `server import` moved, per table, and how long it took."""

    file: str
    ledger_id: str | None
    counts: dict[str, int]
    seconds: float
    upgraded_from: str | None  # the file's schema revision when it was older than this program's

    def lines(self) -> list[str]:
        c = self.counts
        return [
            f"已将台账文件 {self.file} 迁入服务器台账（台账标识 {self.ledger_id or '无'}），用时 {self.seconds:.1f} 秒：",
            f"计划 {c.get('plan', 0)} 个，任务 {c.get('task', 0)} 项，单位 {c.get('unit', 0)} 个，责任分工 {c.get('assignment', 0)} 条，"
            f"进展 {c.get('progress_entry', 0)} 条，证明材料 {c.get('evidence', 0)} 个，办结销号 {c.get('task_signoff', 0)} 项，"
            f"批准延期 {c.get('task_extension', 0)} 项，审计记录 {c.get('audit_log', 0)} 条；共 {sum(c.values())} 行。",
            *([f"该文件的数据结构（{self.upgraded_from}）较旧，已在临时副本中升级后迁入；原文件未作改动。"] if self.upgraded_from else []),
        ]


_TABLE_NAMES = {
    "plan": "计划", "task": "任务", "unit": "单位", "unit_alias": "单位别名", "assignment": "责任分工", "progress_entry": "进展",
    "evidence": "证明材料", "task_signoff": "办结销号", "task_extension": "延期", "audit_log": "审计日志", "ledger_info": "台账信息",
    "progress_draft": "草稿", "warning_mark": "预警记录", "account_unit": "账号单位", "annex": "附件", "section": "章节", "goal": "目标",
    "milestone": "时间节点", "indicator_table": "指标表", "indicator_row": "指标行", "unit_member": "集合单位成员",
    "measure_link": "附件1措施关联",

    "assessment_scheme": "考评方案", "assessment_result": "综合考评结果", "assessment_score": "综合考评得分",
}


def table_label(name: str) -> str:
    return f"{_TABLE_NAMES[name]}（{name}）" if name in _TABLE_NAMES else name


def checked_copy(path: Path, copy: Path) -> str:
    """Copy a ledger file aside (read-only on the original) and check the copy; returns its schema revision.

    Refuses, naming the file: a missing file, one SQLite cannot read or finds damaged, one without a
    ledger's tables, one of a newer schema, and a field packet.
    """
    from db.safety import check_file, copy_database, ledger_facts

    if not path.is_file():
        raise UserError(f"找不到台账文件 {path}。")
    try:
        copy_database(path, copy)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        log.warning("cannot copy %r: %r", str(path), exc)
        raise UserError(f"台账文件 {path.name} 未迁入：SQLite 无法读取该文件（不是台账文件，或文件已损坏）。服务器台账未作改动。") from exc
    except OSError as exc:
        raise UserError(f"台账文件 {path.name} 未迁入：无法读取该文件（{exc.strerror or exc}）。服务器台账未作改动。") from exc
    problems = check_file(copy)
    if problems:
        raise UserError(f"台账文件 {path.name} 未迁入：{problems[0]}服务器台账未作改动。", problems[1:])
    facts = ledger_facts(copy)
    if facts.packet:
        raise UserError(f"{path.name} 是外勤数据包，不是台账文件，不能迁入；数据包应当用 duban packet merge 合并。服务器台账未作改动。")
    with closing(sqlite3.connect(copy)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


MAX_TEXT_CHARS = 1_000_000  # no text duban writes comes near it (a task's whole wording is a few thousand)


def oversized(conn: Connection) -> str | None:
    """The first column of a ledger file holding a value larger than duban ever writes, in Chinese; None if none.

    Checked before anything is read into memory: a hostile file's gigabyte text or attachment is refused here.
    """
    from sqlalchemy import JSON, LargeBinary, String

    from db.decisions import MAX_EVIDENCE_BYTES

    for table in tables():
        for column in table.columns:
            if isinstance(column.type, LargeBinary):
                limit, unit = MAX_EVIDENCE_BYTES, "字节"
            elif isinstance(column.type, (String, JSON)):
                limit, unit = MAX_TEXT_CHARS, "字"
            else:
                continue
            longest = conn.execute(select(func.max(func.length(column)))).scalar()
            if isinstance(longest, int) and longest > limit:
                return f"{table_label(table.name)}表“{column.name}”列中有长达 {longest} {unit}的值，超过上限 {limit} {unit}，"
    return None


def _not_empty(conn: Connection) -> list[str]:
    """What a server ledger already holds beyond what its migrations seed, as `表 N 行`; [] if it is empty."""
    held = []
    for table in tables():
        if table.name in SEEDED or table is LedgerInfo.__table__:
            continue
        n = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if n:
            held.append(f"{table_label(table.name)} {n} 行")
    return held


def _triggers(conn: Connection, enable: bool) -> None:
    """Switch the tables' own triggers (the server's audit trigger, …) off or on, inside the transaction."""
    verb = "ENABLE" if enable else "DISABLE"
    for table in tables():
        conn.execute(text(f'ALTER TABLE "{table.name}" {verb} TRIGGER USER'))


def import_ledger_file(server: Ledger, path: str | os.PathLike, *, operator: str | None = None, batch: int = BATCH) -> ImportResult:
    """Move a ledger file into an empty server ledger in one transaction; UserError (naming the file) changes nothing."""
    if not server.server:
        raise UserError("server import 只能迁入服务器台账：请用 --db postgresql://用户@主机:端口/数据库 指定。")
    path = Path(path)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="duban-import-") as work:
        copy = Path(work) / "ledger.sqlite"
        revision = checked_copy(path, copy)
        try:
            source = open_ledger(copy, scratch=True)  # private and checked; an older schema is upgraded here, in the copy
        except (sqlite3.DatabaseError, SQLAlchemyError) as exc:
            log.warning("cannot upgrade the copy of %r: %r", str(path), exc)
            raise UserError(f"台账文件 {path.name} 未迁入：无法把它的数据结构（{revision}）升级到本程序的版本。服务器台账未作改动。") from exc
        try:
            with source.engine.connect() as src, server.engine.connect() as dst:
                with src.begin(), dst.begin():
                    too_large = oversized(src)
                    if too_large:
                        raise UserError(f"台账文件 {path.name} 未迁入：{too_large}不是督办台账写出的内容。服务器台账未作改动。")
                    try:  # first, so its table locks keep a second import waiting until this one is done
                        _triggers(dst, enable=False)
                    except SQLAlchemyError as exc:
                        if not _refused_by_server(exc):
                            raise
                        raise UserError(
                            f"台账文件 {path.name} 未迁入：登录账号不是服务器台账 {server.label} 的数据库所有者。"
                            "请用数据库所有者的账号运行 server import。服务器台账未作改动。"
                        ) from exc
                    held = _not_empty(dst)
                    if held:
                        raise UserError(
                            f"服务器台账 {server.label} 不是空的，台账文件 {path.name} 未迁入。服务器台账未作改动。",
                            [f"其中已有：{'、'.join(held[:5])}{f' 等 {len(held)} 张表的数据' if len(held) > 5 else ''}。",
                             "server import 只能迁入新建的空数据库：请新建一个数据库后再迁入。"],
                        )
                    keys = [k for (k,) in src.execute(select(LedgerInfo.key))]
                    for table in reversed(tables()):
                        if table.name in SEEDED:
                            dst.execute(delete(table))
                    if keys:
                        dst.execute(delete(LedgerInfo).where(LedgerInfo.key.in_(keys)))  # the file's id and settings win
                    try:
                        counts = copy_rows(src, dst, batch=batch)
                    except RowCopyError as exc:
                        log.warning("server import of %r failed at %s (id %r): %r", str(path), exc.table, exc.first_id, exc.cause)
                        if _refused_by_server(exc.cause):
                            raise UserError(
                                f"台账文件 {path.name} 未迁入：服务器拒绝写入{table_label(exc.table)}表（权限或行级安全策略）。"
                                "请用超级用户或具有 BYPASSRLS 属性的数据库所有者运行 server import。服务器台账未作改动。"
                            ) from exc
                        where = f"从编号 {exc.first_id} 起的一批记录" if exc.first_id is not None else "其中的记录"
                        raise UserError(
                            f"台账文件 {path.name} 未迁入：{table_label(exc.table)}表中{where}有无效的数据，服务器不接受（详见日志）。服务器台账未作改动。"
                        ) from exc
                    reset_sequences(dst)
                    _triggers(dst, enable=True)
                    ledger_id = dst.execute(select(LedgerInfo.value).where(LedgerInfo.key == "ledger_id")).scalar()
                    dst.execute(
                        insert(AuditLog),
                        [audit.row("server.import", "ledger", ledger_id or "-", after={"file": path.name, "rows": counts}, operator=operator, note=path.name)],
                    )
        finally:
            source.close()
    from db.migrations import SCHEMA_HEAD

    return ImportResult(path.name, ledger_id, counts, time.perf_counter() - started, revision if revision != SCHEMA_HEAD else None)


# --- backup and restore of a server ledger ---------------------------------------------------------


def _server_major(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SHOW server_version_num")).scalar()) // 10000


def _server_major_of(url: str) -> int:
    from sqlalchemy import create_engine

    from db.pg_engine import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(url))
    try:
        return _server_major(engine)
    finally:
        engine.dispose()


def find_tool(name: str, server_major: int) -> Path | None:
    """pg_dump or pg_restore no older than the server (Debian keeps them in /usr/lib/postgresql/N/bin), or None."""
    found = []
    for hit in glob.glob(f"/usr/lib/postgresql/*/bin/{name}"):
        major = Path(hit).parent.parent.name
        if major.isdigit():
            found.append((int(major), Path(hit)))
    on_path = shutil.which(name)
    if on_path:
        try:
            out = subprocess.run([on_path, "--version"], capture_output=True, text=True, timeout=30).stdout
            match = re.search(r"(\d+)(?:\.\d+)?", out)
            if match:
                found.append((int(match.group(1)), Path(on_path)))
        except (OSError, subprocess.SubprocessError):
            pass
    usable = sorted((major, p) for major, p in found if major >= server_major)
    return usable[0][1] if usable else None


def tool_env(url) -> dict[str, str]:
    """The connection for pg_dump/pg_restore as environment variables: the password never reaches a command line."""
    from sqlalchemy.engine import make_url

    url = make_url(url)
    env = dict(os.environ)  # PGPASSFILE, PGPASSWORD, PGSSLMODE … set by the IT person still apply where the URL is silent
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username), ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    for name, value in url.query.items():  # ?sslmode=require&sslrootcert=… as libpq's variables
        if re.fullmatch(r"[a-z_]{1,40}", name) and isinstance(value, str):
            env[f"PG{name.upper().replace('_', '')}"] = value
    return env


def _run_tool(cmd: list[str], env: dict[str, str], secret: str | None, what: str) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise UserError(f"{what}失败：无法运行 {Path(cmd[0]).name}（{exc}）。") from exc
    if done.returncode:
        message = (done.stderr or done.stdout or "").strip()
        if secret:
            message = message.replace(secret, "***")
        log.warning("%s failed (%s): %s", Path(cmd[0]).name, done.returncode, message)
        details = message.splitlines()[-10:]
        if re.search(r'role "[^"]+" does not exist', message):
            details.append("备份中的授权指向本服务器上还没有的角色：请先在本服务器上建立督办台账的账号角色（duban server init），再恢复到新建的空数据库。")
        raise UserError(f"{what}失败（{Path(cmd[0]).name} 返回 {done.returncode}），服务器台账未作改动。", details)


@dataclass
class BackupResult:
    path: Path
    method: str  # "pg_dump" or "logical"
    counts: dict[str, int] | None = None


def backup_server(server: Ledger, dest: str | os.PathLike, *, logical: bool = False) -> BackupResult:
    """Back a server ledger up to dest: pg_dump -Fc if installed, else (or for logical, or a .sqlite dest) a ledger file.

    A dest named .sqlite always gets the logical export: a file with that name opens in duban, a pg_dump would not.
    """
    from db.accounts import owns_database
    from db.identity import ledger_id

    with server.Session() as session:
        own = ledger_id(session)
        if not owns_database(session):  # row-level security binds every other login, the office's too
            raise UserError(f"只有服务器台账的数据库所有者（台账管理员）可以备份服务器台账 {server.label}。")
    # Guarded once, as db.safety.backup_to is: an older backup of this same ledger may be replaced, nothing else.
    dest = files.check_output(dest, backup_of=own or "")
    logical = logical or dest.suffix.lower() == ".sqlite"
    tool = None if logical else find_tool("pg_dump", _server_major(server.engine))
    partial = dest.with_name(dest.name + ".partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _discard_partial(partial)
        if tool is None:
            result = BackupResult(dest, "logical", logical_backup(server, partial))
        else:
            url = server.engine.url
            _run_tool([str(tool), "--format=custom", "--no-password", f"--file={partial}"], tool_env(url), url.password, f"备份服务器台账 {server.label} ")
            result = BackupResult(dest, "pg_dump")
        files.replace_durably(partial, dest)
    except OSError as exc:
        raise UserError(f"无法写入备份文件 {dest}：{exc.strerror or exc}") from exc
    finally:
        _discard_partial(partial)
    return result


def _discard_partial(partial: Path) -> None:
    files.discard([partial, *(partial.with_name(partial.name + suffix) for suffix in ("-wal", "-shm", "-journal"))])


def logical_backup(server: Ledger, out: Path) -> dict[str, int]:
    """Every row of the server ledger, read in one REPEATABLE READ transaction, into a new ledger file at out."""
    target = open_ledger(out, scratch=True)  # this program's schema; its seeded rows are cleared below
    try:
        src_conn = server.engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with src_conn as src, target.engine.connect() as dst, src.begin(), dst.begin():
            # As pg_dump does: a row-level security policy that would hide rows from this login is an error, never
            # a silently thinner backup (the table owner is subject to FORCE ROW LEVEL SECURITY too).
            src.execute(text("SET LOCAL row_security = off"))
            _clear(dst)
            try:
                counts = copy_rows(src, dst)
            except RowCopyError as exc:
                log.warning("logical backup failed at %s: %r", exc.table, exc.cause)
                if _refused_by_server(exc.cause):
                    raise UserError(
                        f"备份服务器台账 {server.label} 失败：本登录受行级安全策略限制，看不到{table_label(exc.table)}表的全部记录。"
                        "请用超级用户或具有 BYPASSRLS 属性的数据库所有者备份。未写入备份文件。"
                    ) from exc
                raise UserError(f"备份服务器台账 {server.label} 失败：读取{table_label(exc.table)}表时出错（详见日志）。未写入备份文件。") from exc
    finally:
        target.close()
    with closing(sqlite3.connect(out)) as conn:  # one self-contained file: no -wal beside it to lose
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
    return counts


def file_kind(path: Path) -> str:
    """'pg_dump' or 'sqlite' by the file's first bytes; UserError naming the file for anything else."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError as exc:
        raise UserError(f"找不到备份文件 {path}。") from exc
    except OSError as exc:
        raise UserError(f"无法读取备份文件 {path}（{exc.strerror or exc}）。") from exc
    if head.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    if head == SQLITE_HEADER:
        return "sqlite"
    raise UserError(f"{path.name} 既不是 pg_dump 备份，也不是台账文件，不能用于恢复。服务器台账未作改动。")


def _user_tables(url: str) -> list[str]:
    """The tables an existing database already has outside the system schemas (a restore needs none)."""
    from sqlalchemy import create_engine

    from db.pg_engine import connect_failure_reason, display_name, sqlalchemy_url

    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            )).scalars())
    except SQLAlchemyError as exc:
        said = str(getattr(exc, "orig", exc)).strip()
        raise UserError(f"无法连接服务器台账 {display_name(sqlalchemy_url(url))}。{connect_failure_reason(said)}", [said]) from exc
    finally:
        engine.dispose()


def restore_server(url: str, backup: str | os.PathLike, *, operator: str | None = None) -> str:
    """Restore a server ledger from a pg_dump file (pg_restore) or a ledger file (server import); returns the method.

    The database must be empty: a pg_dump file needs one without any table (a new CREATE DATABASE), a ledger
    file one without plans or reports (import_ledger_file's rule).  Anything else is refused and changes nothing.
    """
    from sqlalchemy.engine import make_url

    from db.pg_engine import display_name, sqlalchemy_url

    backup = Path(backup)
    kind = file_kind(backup)
    shown = display_name(sqlalchemy_url(url))
    if kind == "sqlite":
        ledger = open_ledger(url)
        try:
            import_ledger_file(ledger, backup, operator=operator)
        finally:
            ledger.close()
        return "import"
    existing = _user_tables(url)
    if existing:
        raise UserError(
            f"服务器数据库 {shown} 不是空的（已有 {len(existing)} 张数据表），不能用 pg_dump 备份 {backup.name} 恢复。服务器台账未作改动。",
            ["请新建一个空数据库（createdb）后恢复到其中。"],
        )
    target = make_url(sqlalchemy_url(url))
    major = _server_major_of(url)
    tool = find_tool("pg_restore", major)
    if tool is None:
        raise UserError(f"本机没有安装 pg_restore（PostgreSQL {major} 或更新版本的客户端工具），无法恢复 pg_dump 备份 {backup.name}。")
    _run_tool(
        [str(tool), "--no-owner", "--exit-on-error", "--single-transaction", "--no-password", f"--dbname={target.database}", str(backup)],
        tool_env(target), target.password, f"用 {backup.name} 恢复服务器台账 {shown} ",
    )
    open_ledger(url).close()  # a dump of an older schema is brought to this program's
    return "pg_restore"

