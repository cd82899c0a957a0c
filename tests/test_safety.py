"""Ledger safety: backups on open and before upgrades, backup/restore, damage, a second duban, read-only."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from db import safety
from db.engine import alembic_config, open_ledger
from db.errors import UserError
from db.ledger import list_tasks
from db.migrations import SCHEMA_HEAD
from db.progress import list_progress
from db.safety import LedgerDamaged, backups_dir, file_damage, list_backups
from desktop.cli import main

ROOT = Path(__file__).resolve().parents[1]
ADD = ["progress", "add", "--task", "A03-01", "--unit", "市住建局", "--period", "2022-05", "--status", "推进中", "--percent", "40"]



@pytest.fixture
def clock(monkeypatch):
    """The clock backups are named and aged by; tests move it with clock.advance(hours=…)."""

    class Clock:
        now = dt.datetime(2024, 1, 5, 9, 0, 0)

        def advance(self, **delta):
            self.now += dt.timedelta(**delta)

    moving = Clock()
    monkeypatch.setattr(safety, "_now", lambda: moving.now)
    return moving


def cli(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--operator", "测试", *args])
    out, err = capsys.readouterr()
    return code, out, err


def progress_texts(path: Path) -> list[str]:
    """What `duban progress list` would show, read straight from a file (a ledger or a backup)."""
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT progress_text FROM progress_entry ORDER BY id")]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def damage(path: Path) -> None:
    """Overwrite a stretch in the middle of the file, as a failing disk or a bad copy would."""
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(size // 3)
        f.write(os.urandom(size // 3))


# --- backups on open ------------------------------------------------------------------------------


def test_backup_on_open_is_made_rotated_and_skipped_when_nothing_changed(ledger_file, clock, capsys):
    stamps = []
    for round_ in range(12):
        clock.advance(hours=2)
        stamps.append(clock.now.strftime("%Y%m%d-%H%M%S"))
        code, _out, err = cli(capsys, ledger_file, *ADD, "--text", f"第{round_}次填报")
        assert code == 0, err

    kept = list_backups(ledger_file)
    assert len(kept) == 10
    assert sorted(p.name for p in backups_dir(ledger_file).iterdir()) == [f"ledger-{s}.sqlite" for s in stamps[2:]]
    # Each backup holds the ledger as it was when opened: the newest one has the eleventh report.
    assert progress_texts(kept[0].path) == ["第10次填报"]
    assert progress_texts(kept[-1].path) == ["第1次填报"]
    assert all(file_damage(b.path, thorough=True) == [] for b in kept)

    # The next open keeps the last report; opening the unchanged ledger again days later adds nothing.
    clock.advance(hours=2)
    assert cli(capsys, ledger_file, "tasks")[0] == 0
    kept = list_backups(ledger_file)
    assert progress_texts(kept[0].path) == ["第11次填报"] and len(kept) == 10
    clock.advance(days=3)
    assert cli(capsys, ledger_file, "tasks")[0] == 0
    assert [b.path for b in list_backups(ledger_file)] == [b.path for b in kept]
    # A change is backed up by the next open, unless the newest backup is less than an hour old.
    clock.advance(hours=2)
    assert cli(capsys, ledger_file, *ADD, "--text", "第12次填报")[0] == 0
    assert [b.path for b in list_backups(ledger_file)] == [b.path for b in kept]
    clock.advance(hours=2)
    assert cli(capsys, ledger_file, *ADD, "--text", "第13次填报")[0] == 0
    assert list_backups(ledger_file)[0].taken == clock.now
    assert progress_texts(list_backups(ledger_file)[0].path) == ["第12次填报"]
    clock.advance(minutes=30)
    assert cli(capsys, ledger_file, "tasks")[0] == 0
    assert progress_texts(list_backups(ledger_file)[0].path) == ["第12次填报"]
    clock.advance(hours=1)
    assert cli(capsys, ledger_file, "tasks")[0] == 0
    newest = list_backups(ledger_file)
    assert progress_texts(newest[0].path) == ["第13次填报"] and len(newest) == 10


# --- backup and restore from the command line -----------------------------------------------------


def test_backup_and_restore_round_trip(ledger_file, tmp_path, capsys):
    assert cli(capsys, ledger_file, *ADD, "--text", "备份前的进展")[0] == 0
    copy = tmp_path / "U盘" / "台账备份.sqlite"
    code, out, err = cli(capsys, ledger_file, "backup", str(copy))
    assert code == 0, err
    assert str(copy) in out and "完整性检查" in out
    assert file_damage(copy, thorough=True) == [] and progress_texts(copy) == ["备份前的进展"]

    assert cli(capsys, ledger_file, *ADD, "--text", "备份后改错的进展")[0] == 0
    code, out, err = cli(capsys, ledger_file, "restore", str(copy))
    assert code == 0, err
    [safety_copy] = [b for b in list_backups(ledger_file) if b.kind == safety.RESTORE]
    assert str(safety_copy.path) in out
    assert progress_texts(safety_copy.path) == ["备份后改错的进展"]

    code, out, _err = cli(capsys, ledger_file, "progress", "list", "--json")
    assert code == 0 and "备份前的进展" in out and "备份后改错的进展" not in out
    assert file_damage(ledger_file, thorough=True) == []


def _damaged_backup(good: Path, dest: Path) -> Path:
    shutil.copy(good, dest)
    damage(dest)
    return dest


def _not_a_ledger(_good: Path, dest: Path) -> Path:
    with closing(sqlite3.connect(dest)) as conn:
        conn.execute("CREATE TABLE 通讯录 (姓名 TEXT)")
        conn.commit()
    return dest


def _a_spreadsheet(_good: Path, dest: Path) -> Path:
    dest.write_bytes(b"PK\x03\x04" + os.urandom(4000))
    return dest


def _newer_schema(good: Path, dest: Path) -> Path:
    shutil.copy(good, dest)
    with closing(sqlite3.connect(dest)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    return dest


@pytest.mark.parametrize(
    "make, reason",
    [
        (_damaged_backup, "损坏"),
        (_not_a_ledger, "不是督办台账文件"),
        (_a_spreadsheet, "没有 SQLite 数据库的标志"),
        (_newer_schema, "比本程序新"),
    ],
)
def test_restore_refuses_a_bad_file_and_leaves_the_ledger_alone(ledger_file, initialised_ledger_file, tmp_path, capsys, make, reason):
    assert cli(capsys, ledger_file, *ADD, "--text", "不能丢的进展")[0] == 0
    bad = make(initialised_ledger_file, tmp_path / "bad.sqlite")
    before = digest(ledger_file)
    backups_before = sorted(backups_dir(ledger_file).iterdir())

    code, out, err = cli(capsys, ledger_file, "restore", str(bad))
    assert code == 2
    assert "不能用于恢复" in err and "台账未作改动" in err and reason in err
    assert digest(ledger_file) == before
    assert sorted(backups_dir(ledger_file).iterdir()) == backups_before  # no safety copy: nothing was replaced
    assert progress_texts(ledger_file) == ["不能丢的进展"]


# --- a damaged ledger -----------------------------------------------------------------------------


def test_damaged_ledger_is_refused_naming_the_latest_good_backup(ledger_file, clock, capsys):
    assert cli(capsys, ledger_file, *ADD, "--text", "损坏前的进展")[0] == 0
    clock.advance(hours=2)
    assert cli(capsys, ledger_file, "tasks")[0] == 0  # this open backs up the report
    good = list_backups(ledger_file)[0]
    assert progress_texts(good.path) == ["损坏前的进展"]
    # A later backup that is itself damaged must not be offered.
    clock.advance(hours=2)
    bad_backup = _damaged_backup(ledger_file, backups_dir(ledger_file) / f"ledger-{clock.now:%Y%m%d-%H%M%S}.sqlite")
    damage(ledger_file)

    with pytest.raises(LedgerDamaged) as caught:
        open_ledger(ledger_file)
    assert caught.value.backup == good.path != bad_backup
    assert "已损坏" in caught.value.message and good.path.name in caught.value.message
    assert os.path.normcase(str(ledger_file.resolve())) not in safety._held  # the refusal gives the lock back

    code, _out, err = cli(capsys, ledger_file, "tasks")
    assert code == 2 and good.path.name in err and "restore" in err

    code, out, err = cli(capsys, ledger_file, "restore", str(good.path))
    assert code == 0, err
    opened = open_ledger(ledger_file)
    try:
        with opened.Session() as s:
            assert [p.progress_text for p in list_progress(s)] == ["损坏前的进展"]
    finally:
        opened.close()


def test_damaged_ledger_without_backups_says_so(ledger_file):
    damage(ledger_file)
    with pytest.raises(LedgerDamaged) as caught:
        open_ledger(ledger_file)
    assert caught.value.backup is None and "没有找到完好的备份" in caught.value.message


# --- a second duban on the same ledger ------------------------------------------------------------

SECOND_DUBAN = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from desktop.cli import main
    sys.exit(main(["--db", *sys.argv[2:]]))
    """
)


def second_duban(ledger: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SECOND_DUBAN, str(ROOT), str(ledger), "--operator", "另一人", *args],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def test_second_process_is_refused_while_this_one_writes(ledger_file):
    ledger = open_ledger(ledger_file)
    try:
        refused = second_duban(ledger_file, *ADD, "--text", "另一台电脑的进展")
        assert refused.returncode == 2
        assert "正由另一个督办台账窗口或命令使用" in refused.stderr and "只读方式打开" in refused.stderr
        assert "Traceback" not in refused.stderr
        # The first duban keeps working, and the file is sound.
        with ledger.Session.begin() as s:
            s.execute(text("UPDATE ledger_info SET value = value WHERE 1 = 0"))
        assert file_damage(ledger_file, thorough=True) == []
        assert progress_texts(ledger_file) == []

        # Read-only works beside it, and refuses to write with a plain message.
        listed = second_duban(ledger_file, "--read-only", "tasks", "--json")
        assert listed.returncode == 0, listed.stderr
        assert '"code": "A03-01"' in listed.stdout
        write = second_duban(ledger_file, "--read-only", *ADD, "--text", "只读时的进展")
        assert write.returncode == 2 and "只读方式打开" in write.stderr and "Traceback" not in write.stderr
    finally:
        ledger.close()
    # Once this duban closes the ledger, the other can write it.
    done = second_duban(ledger_file, *ADD, "--text", "另一台电脑的进展")
    assert done.returncode == 0, done.stderr
    assert progress_texts(ledger_file) == ["另一台电脑的进展"]
    assert file_damage(ledger_file, thorough=True) == []


def test_a_killed_duban_leaves_no_lock_behind(ledger_file):
    killed = subprocess.run(
        [sys.executable, "-c",
         "import os, signal, sys; sys.path.insert(0, sys.argv[1]); from db.engine import open_ledger; "
         "open_ledger(sys.argv[2]); os.kill(os.getpid(), signal.SIGKILL)", str(ROOT), str(ledger_file)],
        timeout=120,
    )
    assert killed.returncode == -9
    open_ledger(ledger_file).close()


def test_read_only_open_changes_nothing(ledger_file, clock):
    open_ledger(ledger_file).close()  # the routine backup of the first open
    clock.advance(hours=5)
    os.utime(ledger_file)  # as if written since
    before, backups = digest(ledger_file), list_backups(ledger_file)
    viewer = open_ledger(ledger_file, read_only=True)
    try:
        assert viewer.read_only
        with viewer.Session() as s:
            assert len(list_tasks(s)) == 373
        with pytest.raises(UserError, match="只读"), viewer.Session.begin() as s:
            s.execute(text("DELETE FROM progress_entry"))
    finally:
        viewer.close()
    assert digest(ledger_file) == before and list_backups(ledger_file) == backups


# --- upgrading an old ledger ----------------------------------------------------------------------

FIRST_SCHEMA_ROWS = """
INSERT INTO plan VALUES (1, '某市营商环境行动方案', '某政〔2021〕1号', 2021, 'plan.txt', NULL, 1, '2021-03-01 09:00:00');
INSERT INTO annex VALUES (1, 1, 1, '附件1 开办企业', '开办企业', NULL);
INSERT INTO unit VALUES (1, '市市场监管局', 'city_dept', NULL), (2, '市税务局', 'city_dept', NULL);
INSERT INTO unit_alias VALUES (1, '市场监管局', 1);
INSERT INTO task VALUES
  (1, 1, 1, NULL, 'A01-01', '1', 1, '压缩开办时间', '企业开办全程网办', '2021年6月底前', '市市场监管局牵头', NULL, NULL, NULL, 1, NULL, NULL),
  (2, 1, 1, NULL, 'A01-02', '2', 1, '推行电子发票', '新办企业免费发放税务Ukey', '持续推进', '市税务局负责', NULL, NULL, NULL, 2, NULL, NULL);
INSERT INTO assignment VALUES (1, 1, 1, 'lead', '市市场监管局', 1), (2, 2, 2, 'lead', '市税务局', 1);
INSERT INTO progress_entry VALUES
  (1, '00000000-0000-4000-8000-000000000001', 1, 1, '2021-05', '推进中', 60, '已实现一网通办', NULL, NULL, '王五', '2021-05-28', NULL, 1, '2021-05-28 10:00:00', '2021-05-28 10:00:00'),
  (2, '00000000-0000-4000-8000-000000000002', 2, 2, '2021-05', '已完成', 100, 'Ukey已全面发放', NULL, NULL, '赵六', '2021-05-30', NULL, 2, '2021-05-30 10:00:00', '2021-05-31 10:00:00');
INSERT INTO audit_log VALUES (1, '2021-05-31 10:00:00', '赵六', 'progress.update', 'progress_entry', 'x', NULL, NULL, NULL);
"""


def test_upgrade_from_the_first_schema_keeps_the_data_and_backs_up_first(tmp_path):
    path = tmp_path / "2021年台账.sqlite"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0001")
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(FIRST_SCHEMA_ROWS)
    assert progress_texts(path) == ["已实现一网通办", "Ukey已全面发放"]

    ledger = open_ledger(path)
    try:
        with ledger.Session() as s:
            assert [t.code for t in list_tasks(s)] == ["A01-01", "A01-02"]
            assert {(p.task, p.unit, p.percent, p.progress_text) for p in list_progress(s)} == {
                ("A01-01", "市市场监管局", 60, "已实现一网通办"),
                ("A01-02", "市税务局", 100, "Ukey已全面发放"),
            }
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
            assert s.execute(text("PRAGMA foreign_key_check")).all() == []
            assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
            # 0008 gave every existing plan and unit its own UUID, so sync no longer matches them by name.
            uuids = s.execute(text("SELECT uuid FROM unit UNION ALL SELECT uuid FROM plan")).scalars().all()
            count = s.execute(text("SELECT (SELECT count(*) FROM unit) + (SELECT count(*) FROM plan)")).scalar()
            assert len(set(uuids)) == count >= 3 and all(len(u) == 36 for u in uuids)
    finally:
        ledger.close()
    assert file_damage(path, thorough=True) == []

    [before] = [b for b in list_backups(path) if b.kind == safety.UPGRADE]
    assert before.revision == "0001" and before.path.name.endswith("-before-upgrade-0001.sqlite")
    with closing(sqlite3.connect(before.path)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert progress_texts(before.path) == ["已实现一网通办", "Ukey已全面发放"]
    # The old copy can be restored as it is (this program upgrades it again on open).
    assert safety.check_file(before.path) == []


def test_a_failed_upgrade_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "ledger.sqlite"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0001")
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(FIRST_SCHEMA_ROWS)
    before = digest(path)

    def half_done_upgrade(cfg, _revision):
        conn = cfg.attributes["connection"]
        conn.exec_driver_sql("CREATE TABLE _alembic_tmp_task (x)")
        conn.exec_driver_sql("DELETE FROM progress_entry")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(command, "upgrade", half_done_upgrade)
    with pytest.raises(OSError):
        open_ledger(path)
    with closing(sqlite3.connect(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert not any(t.startswith("_alembic_tmp") for t in tables)
    assert progress_texts(path) == ["已实现一网通办", "Ukey已全面发放"]
    assert digest(path) == before
    assert os.path.normcase(str(path.resolve())) not in safety._held


# --- the window -----------------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from db.engine import open_ledger
    ledger = open_ledger(sys.argv[2])
    print("holding", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    ledger.close()
    """
)


@pytest.fixture
def held_elsewhere(ledger_file):
    """Another duban process with the ledger open for writing."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(ROOT), str(ledger_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    yield ledger_file
    holder.stdin.close()
    holder.wait(timeout=60)


@pytest.fixture
def answers(monkeypatch):
    """Stand in for the clerk at the window's questions; records what was asked and said."""
    from desktop import safety_dialogs

    said: list[str] = []
    reply = {"yes": True}
    monkeypatch.setattr(safety_dialogs, "_ask", lambda _parent, question, _details: said.append(question) or reply["yes"])
    for kind in ("information", "critical"):
        monkeypatch.setattr(safety_dialogs.QMessageBox, kind, staticmethod(lambda _parent, _title, message, *_a: said.append(message)))
    return said, reply


@pytest.mark.gui
def test_window_offers_a_read_only_view_of_a_ledger_in_use(qtbot, held_elsewhere, answers, tmp_path):
    from PySide6.QtCore import QSettings

    from desktop.main_window import MainWindow
    from desktop.safety_dialogs import open_ledger_interactively

    said, _reply = answers
    before = digest(held_elsewhere)
    ledger = open_ledger_interactively(None, held_elsewhere)
    assert "正由另一个督办台账窗口或命令使用" in said[0] and "只读" in said[0]
    try:
        assert ledger.read_only
        window = MainWindow(ledger, QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.load()
        assert "只读" in window.windowTitle() and "只读" in window.period_label.text()
        assert window.model.rowCount() == 373
        assert not window.entry_action.isEnabled()
        disabled = {a.text() for a in window.actions() if not a.isEnabled()}
        assert {"录入进展…", "办结销号…", "导入单位报送模板…", "合并带回的外勤数据包…", "设置…"} <= disabled
        assert {"导出台账、通报、通知单或报送模板…", "刷新", "打开台账或外勤数据包…"}.isdisjoint(disabled)
        window.table.selectRow(0)
        window.enter_progress()  # a double-click on a row: no dialog, a note in the status bar
        assert "只读" in window.statusBar().currentMessage()
        from desktop.ops import runner

        with qtbot.waitSignal(runner().idle, timeout=10000):  # F5 reads on the worker; let it finish before closing
            window.refresh()
    finally:
        ledger.close()
    assert digest(held_elsewhere) == before


@pytest.mark.gui
def test_window_declining_read_only_opens_nothing(qtbot, held_elsewhere, answers):
    from desktop.safety_dialogs import open_ledger_interactively

    _said, reply = answers
    reply["yes"] = False
    assert open_ledger_interactively(None, held_elsewhere) is None


@pytest.mark.gui
def test_window_restores_the_latest_good_backup_of_a_damaged_ledger(qtbot, ledger_file, clock, capsys, answers):
    from desktop.safety_dialogs import open_ledger_interactively

    said, _reply = answers
    assert cli(capsys, ledger_file, *ADD, "--text", "损坏前的进展")[0] == 0
    clock.advance(hours=2)
    open_ledger(ledger_file).close()
    good = list_backups(ledger_file)[0]
    damage(ledger_file)

    ledger = open_ledger_interactively(None, ledger_file)
    try:
        assert "已损坏" in said[0] and good.path.name in said[0]
        assert good.path.name in said[1] and "另存为" in said[1]
        with ledger.Session() as s:
            assert [p.progress_text for p in list_progress(s)] == ["损坏前的进展"]
    finally:
        ledger.close()
    [kept] = [b for b in list_backups(ledger_file) if b.kind == safety.RESTORE]
    assert str(kept.path) in said[1] and file_damage(kept.path) != []  # the damaged file, kept as it was


# --- restoring a file that is not this ledger's ------------------------------------------------------


def _another_ledgers_backup(ledger_file: Path, tmp_path: Path, capsys) -> Path:
    """A second office's ledger (its own id, its own reports), backed up as that office would."""
    other = tmp_path / "另一科室" / "ledger.sqlite"
    other.parent.mkdir()
    shutil.copy(ledger_file, other)
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("DELETE FROM ledger_info WHERE key = 'ledger_id'")
        conn.commit()
    assert cli(capsys, other, *ADD, "--text", "另一科室的进展")[0] == 0
    copy = tmp_path / "另一科室的备份.sqlite"
    assert cli(capsys, other, "backup", str(copy))[0] == 0
    return copy


def _a_field_packet(ledger_file: Path, tmp_path: Path, capsys) -> Path:
    packet = tmp_path / "外勤.duban"
    assert cli(capsys, ledger_file, "packet", "export", str(packet), "--period", "2022-05")[0] == 0
    return packet


@pytest.mark.parametrize("make, words", [(_another_ledgers_backup, "另一本台账的备份"), (_a_field_packet, "外勤数据包")])
def test_restore_refuses_a_foreign_file_unless_forced(ledger_file, tmp_path, capsys, make, words):
    assert cli(capsys, ledger_file, *ADD, "--text", "本科室的进展")[0] == 0
    foreign = make(ledger_file, tmp_path, capsys)
    before = digest(ledger_file)

    code, out, err = cli(capsys, ledger_file, "restore", str(foreign))
    assert code == 2, err
    assert words in err and "台账标识" in err and "进展 1 条" in err and "--force" in err and "台账未作改动" in err
    assert digest(ledger_file) == before and progress_texts(ledger_file) == ["本科室的进展"]

    code, out, err = cli(capsys, ledger_file, "restore", str(foreign), "--force")
    assert code == 0, err
    restored = safety.ledger_facts(ledger_file)
    assert restored.packet if make is _a_field_packet else progress_texts(ledger_file) == ["另一科室的进展"]
    [kept] = [b for b in list_backups(ledger_file) if b.kind == safety.RESTORE]
    assert progress_texts(kept.path) == ["本科室的进展"]


def test_restore_of_an_own_backup_needs_no_force(ledger_file, tmp_path, capsys):
    assert cli(capsys, ledger_file, *ADD, "--text", "备份里的进展")[0] == 0
    own = tmp_path / "本科室的备份.sqlite"
    assert cli(capsys, ledger_file, "backup", str(own))[0] == 0
    assert cli(capsys, ledger_file, *ADD, "--text", "后来的进展")[0] == 0
    code, _out, err = cli(capsys, ledger_file, "restore", str(own))
    assert code == 0, err
    assert progress_texts(ledger_file) == ["备份里的进展"]


# --- odd folders ------------------------------------------------------------------------------------


def _can_mount_read_only() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,ro,bind /tmp"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_mount_read_only(), reason="needs unshare and mount (root on Linux) to make a read-only folder")
def test_read_only_view_of_a_ledger_in_a_read_only_folder_is_not_called_damaged(ledger_file):
    open_ledger(ledger_file).close()
    folder = ledger_file.parent
    for name in (ledger_file.name + "-wal", ledger_file.name + "-shm"):
        (folder / name).unlink(missing_ok=True)
    command = " ".join(f"'{a}'" for a in [sys.executable, "-c", SECOND_DUBAN, str(ROOT), str(ledger_file), "--read-only", "tasks"])
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind '{folder}' '{folder}' && mount -o remount,ro,bind '{folder}' && {command}"],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert done.returncode == 2
    assert "只读" in done.stderr and str(folder) in done.stderr and "没有损坏" in done.stderr
    assert "已损坏，不能打开" not in done.stderr and "Traceback" not in done.stderr


def test_stale_partial_backups_are_removed_on_open(ledger_file, clock):
    open_ledger(ledger_file).close()
    folder = backups_dir(ledger_file)
    stale = folder / "ledger-20240101-090000.sqlite.partial"
    stale_journal = folder / "ledger-20240101-090000.sqlite.partial-journal"
    fresh = folder / "ledger-20240105-085959.sqlite.partial"  # a backup being written right now
    someone_elses = folder / "notes.sqlite.partial"
    for path in (stale, stale_journal, fresh, someone_elses):
        path.write_bytes(b"half a backup")
    hour_ago = dt.datetime.now().timestamp() - 3600
    for path in (stale, stale_journal, someone_elses):
        os.utime(path, (hour_ago, hour_ago))
    open_ledger(ledger_file).close()
    assert not stale.exists() and not stale_journal.exists()
    assert fresh.exists() and someone_elses.exists()
    assert [b.path.name for b in list_backups(ledger_file)] == [p.name for p in sorted(folder.glob("ledger-*.sqlite"), reverse=True)]
