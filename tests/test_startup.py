"""Start-up: what the window loads before its first paint, the initials table, and the checks around opening."""

from __future__ import annotations

import csv
import gc
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from db import safety
from db.engine import open_ledger
from db.safety import LedgerDamaged, QuickCheck, list_backups
from resources import UNITS_TABLE

ROOT = Path(__file__).resolve().parents[1]
# Modules the first paint does not need; each costs start-up time (pypinyin's phrases_dict alone 0.3 s).
NOT_BEFORE_FIRST_PAINT = (
    "reportlab", "openpyxl", "pyqtgraph", "numpy", "pypinyin", "pypinyin.phrases_dict",
    "exports", "alembic", "db.packets", "db.packet_export", "db.demo",
)
# Runs the real start-up (duban --db L gui --screenshot P) and records, at the moment of the grab, the task
# table's rows, whether a backup existed yet, and every module loaded.
START = """
import json, sys
import desktop.app as app
from db.safety import list_backups
seen = {}
def grab(qapp, window, args):
    seen.update(rows=window.table.model().rowCount(), backups=len(list_backups(window.ledger.path)), modules=sorted(sys.modules))
    return 0 if window.grab().save(args.screenshot) else 1
app._screenshot = grab
from desktop.cli import main
code = main(["--db", sys.argv[1], "gui", "--screenshot", sys.argv[2]])
print(json.dumps({"code": code, **seen}))
"""


def start_window(ledger: Path, tmp_path: Path) -> tuple[dict, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp_path / "config"))  # no clerk's preferences
    proc = subprocess.run(
        [sys.executable, "-c", START, str(ledger), str(tmp_path / "window.png")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_first_paint_loads_no_export_chart_pinyin_or_migration_module(ledger_file, tmp_path):
    seen, err = start_window(ledger_file, tmp_path)
    assert seen["code"] == 0, err
    assert seen["rows"] == 373  # the table was filled with the plan's tasks when it was drawn
    loaded = [m for m in seen["modules"] if any(m == name or m.startswith(name + ".") for name in NOT_BEFORE_FIRST_PAINT)]
    assert loaded == []
    assert (tmp_path / "window.png").stat().st_size > 0


def test_backup_on_open_is_made_after_the_table_is_drawn(ledger_file, tmp_path):
    assert list_backups(ledger_file) == []  # a fresh copy: this open owes a backup
    seen, err = start_window(ledger_file, tmp_path)
    assert seen["code"] == 0, err
    assert seen["rows"] == 373 and seen["backups"] == 0  # not yet when the window was drawn
    [backup] = list_backups(ledger_file)  # but before the program ended
    assert backup.kind == safety.OPENED and safety.file_damage(backup.path, thorough=True) == []


def test_window_start_refuses_a_damaged_ledger_before_reading_it(ledger_file, tmp_path):
    size = ledger_file.stat().st_size
    with ledger_file.open("r+b") as f:  # as tests/test_safety.py's damage(): a stretch overwritten mid-file
        f.seek(size // 3)
        f.write(os.urandom(size // 3))
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp_path / "config"))
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--db", str(ledger_file), "gui", "--screenshot", str(tmp_path / "w.png")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2 and "已损坏" in proc.stderr
    assert not (tmp_path / "w.png").exists()


def test_an_early_quick_check_stands_for_the_open_once(ledger_file, tmp_path):
    check = QuickCheck(ledger_file)
    assert check.take(tmp_path / "another.sqlite") is None  # another file's open checks for itself
    assert check.take(ledger_file) == []
    assert check.take(ledger_file) is None  # a second open (after a restore) checks the file anew

    damaged = QuickCheck(ledger_file)
    damaged.take(ledger_file)  # wait for it on a good file, then damage the file
    with ledger_file.open("r+b") as f:
        f.seek(ledger_file.stat().st_size // 3)
        f.write(os.urandom(ledger_file.stat().st_size // 3))
    with pytest.raises(LedgerDamaged):
        open_ledger(ledger_file, quick_check=QuickCheck(ledger_file))
    with pytest.raises(LedgerDamaged):  # the used-up check does not vouch for the file
        open_ledger(ledger_file, quick_check=damaged)


def test_deferred_upkeep_is_left_to_the_caller_and_done_by_it(ledger_file):
    ledger = open_ledger(ledger_file, defer_upkeep=True)
    try:
        assert ledger.upkeep_due and list_backups(ledger_file) == []
    finally:
        ledger.close()
    assert safety.upkeep_after_open(ledger_file) is not None
    assert len(list_backups(ledger_file)) == 1
    plain = open_ledger(ledger_file)  # the command line's open: no deferral, nothing owed
    try:
        assert not plain.upkeep_due
    finally:
        plain.close()


@pytest.mark.gui
def test_a_failed_backup_after_the_first_paint_is_told_and_the_window_stays(qtbot, ledger_file, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    import desktop.app
    from db.errors import UserError
    from desktop.main_window import MainWindow

    said: list[str] = []
    on_gui_thread: list[bool] = []

    def warning(parent, _title, message, *_args):
        on_gui_thread.append(threading.current_thread() is threading.main_thread() and parent is window)
        said.append(message)

    monkeypatch.setattr(desktop.app.QMessageBox, "warning", staticmethod(warning))

    def disk_full(_path):
        raise UserError("无法写入备份文件：磁盘已满")

    monkeypatch.setattr(desktop.app, "upkeep_after_open", disk_full)
    ledger = open_ledger(ledger_file, defer_upkeep=True)
    try:
        window = MainWindow(ledger, QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.load()
        thread = desktop.app._after_first_paint(window, ledger)
        thread.join(10)
        qtbot.waitUntil(lambda: bool(said), timeout=5000)
        assert "自动备份没有完成" in said[0] and "磁盘已满" in said[0] and on_gui_thread == [True]
        assert window.model.rowCount() == 373 and not ledger.upkeep_due
    finally:
        gc.unfreeze()  # _after_first_paint froze the test session's objects
        ledger.close()


def _unit_spellings(ledger_path: Path) -> set[str]:
    """Every unit name and alias the search indexes: the shipped table's and the bundled plan ledger's."""
    import sqlite3
    from contextlib import closing

    with UNITS_TABLE.open(encoding="utf-8") as f:
        names = {cell for row in csv.DictReader(f) for cell in [row["name"], *row["aliases"].split("|")] if cell}
    with closing(sqlite3.connect(ledger_path)) as conn:
        names |= {name for (name,) in conn.execute("SELECT name FROM unit UNION SELECT alias FROM unit_alias")}
    return names


def test_initials_of_every_unit_name_are_those_pypinyin_gives(initialised_ledger_file):
    from pypinyin import Style, lazy_pinyin

    from desktop.task_model import initials

    names = _unit_spellings(initialised_ledger_file)
    assert len(names) > 150
    differ = {n: (initials(n), "".join(lazy_pinyin(n, style=Style.FIRST_LETTER)).lower()) for n in names}
    assert {n: pair for n, pair in differ.items() if pair[0] != pair[1]} == {}
    assert initials("市住房和城乡建设局") == "szfhcxjsj" and initials("人民银行") == "rmyh" and initials("其他行业主管部门") == "qthyzgbm"


def test_first_letter_table_is_pypinyins_reading_of_every_character():
    """Fails after a pypinyin upgrade that changes a reading: regenerate with python -m resources.first_letters."""
    from pypinyin import Style, lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    from resources.first_letters import first_letters

    wrong = {}
    for code in pinyin_dict:
        char = chr(code)
        if first_letters(char) != "".join(lazy_pinyin(char, style=Style.FIRST_LETTER)).lower():
            wrong[char] = first_letters(char)
    assert wrong == {}
    assert first_letters("A区12号（东）") == "aq12h（d）"  # other characters are kept, as pypinyin keeps them


@pytest.mark.gui
def test_unattended_screenshot_waits_for_the_op_runner_to_deliver(qtbot):
    """The window may load through desktop.ops: --screenshot grabs only once every queued op has called back."""
    import time

    import desktop.app
    from desktop.ops import runner

    delivered = []
    runner().query(lambda: time.sleep(0.3) or 373, delivered.append)
    desktop.app._wait_until_ops_idle()
    assert delivered == [373] and not runner().busy
    desktop.app._wait_until_ops_idle()  # nothing queued: returns at once


def test_version_is_printed_on_request():
    result = subprocess.run([sys.executable, "-m", "desktop.cli", "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("duban ")
