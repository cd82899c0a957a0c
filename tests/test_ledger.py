"""The ledger through the command line: init, tasks, units, plans, progress, and bad input."""

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from db.engine import open_ledger
from db.errors import UserError
from db.ledger import init_from_bundled_plan, load_directory
from db.models import AuditLog, ProgressEntry, Task


def tasks_json(run_cli, *args):
    code, out, err = run_cli("tasks", "--json", *args)
    assert code == 0, err
    return json.loads(out)


def test_tasks_json_has_every_task_with_its_fields(run_cli):
    tasks = tasks_json(run_cli)
    assert len(tasks) == 373
    task = next(t for t in tasks if t["code"] == "A03-01")
    assert task["annex"] == 3 and task["label"] == "（一）" and task["title"] == "进一步精简审批环节"
    assert task["deadline"] == "2022年6月前" and task["due"] == "2022-06-30"
    assert task["lead"] == ["市住房和城乡建设局"] and task["support"] == ["市自然资源和规划局"]
    assert {"name": "各县（市、区）人民政府", "role": "落实", "as_printed": "各县（市、区）人民政府"} in task["units"]
    assert task["source_line"] == 673
    assert task["milestones"] == [{"wording": "2022年6月前", "due": "2022-06-30", "ongoing": False, "note": None}]


def test_annex1_tasks_have_no_deadline_and_no_due(run_cli):
    tasks = tasks_json(run_cli, "--annex", "1")
    assert len(tasks) == 100
    assert all(t["deadline"] is None and t["due"] is None and t["milestones"] == [] for t in tasks)


def test_unit_filter_accepts_any_alias(run_cli):
    by_alias = tasks_json(run_cli, "--unit", "市住建局")
    by_name = tasks_json(run_cli, "--unit", "市住房和城乡建设局")
    assert by_alias == by_name and len(by_alias) == 67
    assert all(any(u["name"] == "市住房和城乡建设局" for u in t["units"]) for t in by_alias)


def test_units_json_one_entry_per_real_unit(run_cli):
    code, out, _ = run_cli("units", "--json")
    units = json.loads(out)
    names = [u["name"] for u in units]
    # One entry per canonical row of the alias table (compound spellings are not units).
    assert len(names) == len(set(names)) == len(load_directory().records) == 78
    counties = next(u for u in units if u["name"] == "各县（市、区）人民政府")
    assert counties["kind"] == "集合" and len(counties["expands_to"]) == 6
    bigdata = next(u for u in units if u["name"] == "市政务服务和大数据管理局")
    assert "市政务和大数据局" in bigdata["aliases"] and bigdata["lead_tasks"] == 29
    assert not any(len(n) < 3 or n.endswith(("等", "牵头", "配合")) for n in names)
    all_aliases = [a for u in units for a in u["aliases"]]
    assert len(all_aliases) == len(set(all_aliases))


def test_plans_json(run_cli):
    code, out, _ = run_cli("plans", "--json")
    [plan] = json.loads(out)
    assert plan["title"] == "三门峡市营商环境优化提升行动方案（2022版）"
    assert plan["year"] == 2022 and plan["current"] is True and plan["tasks"] == 373


def test_reinit_never_duplicates_and_never_touches_progress(ledger, run_cli):
    assert run_cli("progress", "add", "--task", "A03-01", "--unit", "市住建局", "--period", "2022-05",
                   "--status", "推进中", "--percent", "40", "--text", "已起草审批流程")[0] == 0
    with ledger.Session() as s:
        before = s.scalars(select(ProgressEntry)).one()
        before = (before.uuid, before.version, before.progress_text, before.updated_at)
    result = init_from_bundled_plan(ledger)
    assert (result.tasks_added, result.tasks_updated, result.tasks_unchanged) == (0, 0, 373)
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 373
        after = s.scalars(select(ProgressEntry)).one()
        assert (after.uuid, after.version, after.progress_text, after.updated_at) == before


def test_reinit_keeps_a_clerks_correction(ledger):
    import datetime as dt

    with ledger.Session.begin() as s:
        task = s.scalars(select(Task).where(Task.code == "A02-01")).one()
        task.title = "扩大企业开办+N项服务覆盖面（已更正）"
        task.corrected_at = dt.datetime(2022, 5, 1)
    result = init_from_bundled_plan(ledger)
    assert result.tasks_kept_corrected == 1
    with ledger.Session() as s:
        assert s.scalars(select(Task.title).where(Task.code == "A02-01")).one().endswith("（已更正）")


def test_progress_update_keeps_earlier_version_in_audit_log(ledger, run_cli):
    base = ["progress", "add", "--task", "A02-06", "--unit", "市税务局", "--period", "2022-06", "--reporter", "张三"]
    assert run_cli(*base, "--status", "推进中", "--percent", "50", "--text", "已发放Ukey 120个")[0] == 0
    code, out, _ = run_cli(*base, "--status", "已完成", "--percent", "100", "--text", "全部发放完毕")
    assert code == 0 and "第 2 版" in out
    code, out, _ = run_cli("progress", "list", "--json", "--task", "A02-06")
    [entry] = json.loads(out)
    assert entry["status"] == "已完成" and entry["percent"] == 100 and entry["version"] == 2
    with ledger.Session() as s:
        update = s.scalars(select(AuditLog).where(AuditLog.action == "progress.update")).one()
    assert update.before["progress_text"] == "已发放Ukey 120个" and update.after["percent"] == 100
    assert update.operator == "测试"


@pytest.mark.parametrize(
    "change,message",
    [
        ({"--task": "A99-01"}, "未知任务编号"),
        ({"--unit": "市不存在局"}, "未知单位"),
        ({"--unit": "市法院"}, "不是任务 A02-06 的责任单位"),
        ({"--status": "差不多"}, "状态“差不多”无效"),
        ({"--percent": "130"}, "进度“130”无效"),
        ({"--percent": "-5"}, "进度“-5”无效"),
        ({"--period": "2022-13"}, "报送期间“2022-13”格式不正确"),
        ({"--period": "2022/06"}, "报送期间“2022/06”格式不正确"),
        ({"--text": "  "}, "进展情况不能为空"),
    ],
)
def test_bad_progress_input_is_refused_and_writes_nothing(ledger, run_cli, change, message):
    args = {"--task": "A02-06", "--unit": "市税务局", "--period": "2022-06", "--status": "推进中", "--percent": "50", "--text": "进展"}
    args.update(change)
    code, out, err = run_cli("progress", "add", *[x for kv in args.items() for x in kv])
    assert code != 0 and message in err
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(ProgressEntry)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("progress%"))) == 0


def test_percent_that_is_not_a_number_is_refused(run_cli, capsys):
    with pytest.raises(SystemExit) as exc:
        run_cli("progress", "add", "--task", "A02-06", "--unit", "市税务局", "--period", "2022-06",
                "--status", "推进中", "--percent", "一半", "--text", "x")
    assert exc.value.code != 0
    assert "进度“一半”无效" in capsys.readouterr().err


def test_commands_on_an_empty_ledger_say_what_to_do(tmp_path, capsys):
    from desktop.cli import main

    assert main(["--db", str(tmp_path / "new.sqlite"), "tasks", "--json"]) == 2
    assert "duban init" in capsys.readouterr().err


def test_ledger_from_a_newer_program_is_refused(tmp_path):
    path = tmp_path / "newer.sqlite"
    open_ledger(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(UserError, match="比本程序新"):
        open_ledger(path)


@pytest.mark.sqlite_only  # SQLite pragmas on the file
def test_ledger_uses_wal_and_full_sync(ledger):
    with ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_build_exactly_the_models(ledger):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.models import Base

    with ledger.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_schema_head_constant_matches_the_migration_scripts():
    from alembic.script import ScriptDirectory

    from db.engine import alembic_config
    from db.migrations import SCHEMA_HEAD

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() == SCHEMA_HEAD
