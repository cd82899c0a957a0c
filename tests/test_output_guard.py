"""Output paths: no export overwrites a ledger or a packet; a full disk leaves no half file and says 磁盘已满."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from db import files
from db.errors import UserError, known_error
from desktop.cli import main

ROOT = Path(__file__).resolve().parents[1]
ADD = ["progress", "add", "--task", "A03-01", "--unit", "市住建局", "--period", "2022-05", "--status", "推进中", "--percent", "40"]



def cli(capsys, db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "--operator", "测试", *args])
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reports(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM progress_entry WHERE deleted_at IS NULL").fetchone()[0]


def set_ledger_id(path: Path, value: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT OR REPLACE INTO ledger_info (key, value) VALUES ('ledger_id', ?)", (value,))
        conn.commit()


# --- the guard: every writer refuses a ledger, its companions and a packet ----------------------------

WRITERS = {  # the command before its target, the options after it
    "report monthly": (["report", "monthly"], ["--period", "2022-05"]),
    "export-plan": (["export-plan"], []),
    "packet export": (["packet", "export"], ["--period", "2022-05"]),
    "export ledger": (["export", "ledger"], ["--period", "2022-05"]),
    "export warnings": (["export", "warnings"], ["--period", "2022-05"]),
    "backup": (["backup"], []),
}


def _the_open_ledger(ledger: Path, tmp_path: Path) -> Path:
    return ledger


def _a_symlink_to_it(ledger: Path, tmp_path: Path) -> Path:
    link = tmp_path / "看起来是报表.pdf"
    link.symlink_to(ledger)
    return link


def _its_wal(ledger: Path, tmp_path: Path) -> Path:
    return ledger.with_name(ledger.name + "-wal")


def _another_ledger_renamed(ledger: Path, tmp_path: Path) -> Path:
    other = tmp_path / "其他科室" / "台账.xlsx"
    other.parent.mkdir()
    shutil.copy(ledger, other)
    set_ledger_id(other, str(uuid.uuid4()))
    return other


def _a_packet(ledger: Path, tmp_path: Path) -> Path:
    packet = tmp_path / "外勤.duban"
    code = main(["--db", str(ledger), "packet", "export", str(packet), "--period", "2022-05"])
    assert code == 0 and packet.is_file()
    return packet


TARGETS = [_the_open_ledger, _a_symlink_to_it, _its_wal, _another_ledger_renamed, _a_packet]
# The Excel exports add .xlsx to any other name, so only an .xlsx target can hit a ledger (see also the test below).
CASES = [(w, t) for w in WRITERS for t in TARGETS if not w.startswith("export ") or t is _another_ledger_renamed]


@pytest.mark.parametrize("writer, target", CASES)
def test_no_writer_overwrites_a_ledger_or_a_packet(ledger_file, tmp_path, capsys, writer, target):
    assert cli(capsys, ledger_file, *ADD, "--text", "不能丢的进展")[0] == 0
    aimed = target(ledger_file, tmp_path)
    capsys.readouterr()
    real = aimed.resolve()
    before = digest(real) if real.exists() else None
    before_ledger = digest(ledger_file)

    command, options = WRITERS[writer]
    code, out, err = cli(capsys, ledger_file, *command, str(aimed), *options)

    assert code == 2, (out, err)
    assert "不能写入" in err and str(aimed) in err and "未作改动" in err
    assert "已导出" not in out + err and "已写出" not in out + err and "已将台账" not in out + err
    assert (digest(real) if real.exists() else None) == before
    assert digest(ledger_file) == before_ledger
    assert reports(ledger_file) == 1
    assert not [p for p in aimed.parent.iterdir() if p.name.startswith(files.TEMP_PREFIX) or p.name.endswith(".partial")]


@pytest.mark.parametrize("kind", ["ledger", "warnings"])
def test_excel_exports_refuse_an_open_ledger_named_xlsx(ledger_file, capsys, kind):
    disguised = ledger_file.with_name("台账.xlsx")
    ledger_file.rename(disguised)
    assert cli(capsys, disguised, *ADD, "--text", "不能丢的进展")[0] == 0
    before = digest(disguised)
    code, out, err = cli(capsys, disguised, "export", kind, str(disguised), "--period", "2022-05")
    assert code == 2 and "不能写入" in err and "正在使用的台账" in err and "已写出" not in err
    assert digest(disguised) == before and reports(disguised) == 1


def test_template_and_notice_folders_refuse_a_ledger_named_like_their_files(ledger_file, tmp_path, capsys):
    """A folder export guards each file it would write: a ledger saved under a template's name stays whole."""
    out_dir = tmp_path / "模板"
    assert cli(capsys, ledger_file, "template", "export", str(out_dir), "--period", "2022-05", "--unit", "市住建局")[0] == 0
    [template] = out_dir.iterdir()
    template.unlink()
    shutil.copy(ledger_file, template)  # a clerk saved a ledger copy under that name
    before = digest(template)
    code, out, err = cli(capsys, ledger_file, "template", "export", str(out_dir), "--period", "2022-05", "--unit", "市住建局")
    assert code == 2 and "不能写入" in err and template.name in err
    assert digest(template) == before
    assert sorted(p.name for p in out_dir.iterdir()) == [template.name]


def test_the_guard_reads_content_not_names(ledger_file, tmp_path):
    spreadsheet = tmp_path / "台账.sqlite"
    spreadsheet.write_bytes(b"PK\x03\x04 not a database")
    assert files.check_output(spreadsheet) == spreadsheet  # a name that looks like a ledger is not one
    address_book = tmp_path / "通讯录.xlsx"
    with closing(sqlite3.connect(address_book)) as conn:
        conn.execute("CREATE TABLE 通讯录 (姓名 TEXT)")
        conn.commit()
    assert files.check_output(address_book) == address_book
    with pytest.raises(UserError, match="督办台账文件"):
        files.check_output(ledger_file)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["台账.sqlite", "通讯录.xlsx"]  # no -shm left behind


def test_backup_may_replace_an_older_backup_of_the_same_ledger_only(ledger_file, tmp_path, capsys):
    copy = tmp_path / "备份.sqlite"
    assert cli(capsys, ledger_file, "backup", str(copy))[0] == 0
    assert cli(capsys, ledger_file, *ADD, "--text", "新的进展")[0] == 0
    code, out, err = cli(capsys, ledger_file, "backup", str(copy))
    assert code == 0, err
    assert reports(copy) == 1


# --- a full disk, for real: a small tmpfs in a private mount namespace ------------------------------

RUN = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from desktop.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)


def _can_mount() -> str | None:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return "needs Linux and unshare"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k none /mnt"], capture_output=True)
    return None if probe.returncode == 0 else "cannot mount a tmpfs in a private namespace (needs root): " + probe.stderr.decode(errors="replace")


needs_tmpfs = pytest.mark.skipif(bool(_can_mount()), reason=_can_mount() or "")


def on_full_disk(disk: Path, setup: str, *args: str, size: str = "6m", room: str = "0") -> subprocess.CompletedProcess:
    """Mount a tmpfs of size at disk (only this process tree sees it), run setup there, fill it but for room, then run duban."""
    disk.mkdir(exist_ok=True)
    command = " ".join(f"'{a}'" for a in [sys.executable, "-c", RUN, str(ROOT), *args])
    script = (
        f"set -e; mount -t tmpfs -o size={size} none '{disk}'; {setup}; "
        f"dd if=/dev/zero of='{disk}/filler' bs=4k 2>/dev/null || true; truncate -s -{room} '{disk}/filler'; "
        f"set +e; {command}; echo rc=$?; ls -a '{disk}'"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=180, env=env)


@needs_tmpfs
def test_export_plan_on_a_full_disk_leaves_no_file(ledger_file, tmp_path):
    disk = tmp_path / "U盘"
    done = on_full_disk(disk, "true", "--db", str(ledger_file), "export-plan", str(disk / "任务分解表.xlsx"))
    assert "磁盘已满" in done.stderr and "任务分解表.xlsx" in done.stderr, done.stderr
    assert "已导出" not in done.stdout and "Traceback" not in done.stderr
    listed = done.stdout.split("rc=")[1].split()
    assert listed[0] == "2"
    assert sorted(listed[1:]) == [".", "..", "filler"]  # neither the file nor a temp file is left


@needs_tmpfs
def test_packet_export_on_a_full_disk_says_so(ledger_file, tmp_path):
    disk = tmp_path / "U盘"
    done = on_full_disk(disk, "true", "--db", str(ledger_file), "packet", "export", str(disk / "外勤.duban"), "--period", "2022-05")
    assert "磁盘已满" in done.stderr and "外勤.duban" in done.stderr, done.stderr
    assert "意外错误" not in done.stderr and "已导出" not in done.stderr
    listed = done.stdout.split("rc=")[1].split()
    assert listed[0] == "2" and sorted(listed[1:]) == [".", "..", "filler"]


def _ledger_on_the_disk(ledger_file: Path, disk: Path) -> str:
    """Copy the ledger onto the disk and open it once there (its routine backup), before the disk fills."""
    run_once = " ".join(f"'{a}'" for a in [sys.executable, "-c", RUN, str(ROOT), "--db", str(disk / "ledger.sqlite"), "tasks"])
    return f"cp '{ledger_file}' '{disk}/ledger.sqlite'; {run_once} >/dev/null"


@needs_tmpfs
@pytest.mark.parametrize("command", ["add", "attach"])
def test_a_full_disk_while_saving_a_report_is_a_message(ledger_file, tmp_path, command):
    disk = tmp_path / "台账盘"
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(os.urandom(300_000))
    ledger = disk / "ledger.sqlite"
    if command == "add":
        # Each text at its 4,000-character cap: some 36 KB, more than the room left on the disk.
        args = [*ADD, "--text", "满" * 4_000, "--problems", "盘" * 4_000, "--next", "满" * 4_000]
        setup = _ledger_on_the_disk(ledger_file, disk)
    else:  # a report to attach to first, then the disk fills
        add = " ".join(f"'{a}'" for a in [sys.executable, "-c", RUN, str(ROOT), "--db", str(ledger), *ADD, "--text", "已填报"])
        setup = _ledger_on_the_disk(ledger_file, disk) + f"; {add} >/dev/null"
        args = ["progress", "attach", str(photo), "--task", "A03-01", "--unit", "市住建局", "--period", "2022-05"]
    done = on_full_disk(disk, setup, "--db", str(ledger), *args, size="8m", room="48K")  # room for the -shm, not the report
    assert "磁盘已满" in done.stderr and str(ledger) in done.stderr, done.stderr
    assert "意外错误" not in done.stderr and "已附上" not in done.stdout and "已新增" not in done.stdout
    assert done.stdout.split("rc=")[1].split()[0] == "2"


# --- SQLite and OS errors sorted into messages and bugs -----------------------------------------------


@pytest.mark.parametrize(
    "exc, words",
    [
        (sqlite3.OperationalError("database or disk is full"), "磁盘已满"),
        (sqlite3.OperationalError("database is locked"), "等待超时"),
        (sqlite3.OperationalError("disk I/O error"), "I/O 错误"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "只能读取"),
        (OSError(28, "No space left on device", "/媒体/U盘/表.xlsx"), "磁盘已满"),
        (OSError(30, "Read-only file system", "/媒体/光盘/表.xlsx"), "只读"),
        (PermissionError(13, "Permission denied", "/共享/表.xlsx"), "没有权限"),
    ],
)
def test_known_errors_become_chinese_messages_naming_the_file(exc, words):
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("INSERT …", {}, exc) if isinstance(exc, sqlite3.Error) else exc
    error = known_error(wrapped, "/办公室/台账.sqlite")
    assert error is not None and words in error.message
    assert (exc.filename if isinstance(exc, OSError) else "/办公室/台账.sqlite") in error.message


def test_a_bug_stays_a_bug():
    assert known_error(sqlite3.OperationalError("no such table: plan")) is None
    assert known_error(ValueError("bug")) is None
    try:
        try:
            raise FileNotFoundError(2, "No such file", "x")
        except FileNotFoundError:
            raise KeyError("a bug while handling it") from None
    except KeyError as exc:
        assert known_error(exc) is None


def test_a_name_that_is_not_utf8_prints_and_logs(ledger_file, tmp_path, capsys, monkeypatch):
    from desktop import logs

    log_dir = tmp_path / "logs"
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(log_dir))
    odd = os.fsdecode(bytes(tmp_path) + b"/\xff\xfe\xb0\xed.xlsx")  # GBK bytes on a UTF-8 system
    try:
        code, out, err = cli(capsys, ledger_file, "export-plan", odd)
    finally:
        logs.shutdown_logging()
    assert code == 0, err
    assert os.path.exists(odd)
    text = (log_dir / "duban.log").read_text(encoding="utf-8")
    assert "Logging error" not in err and "\\udcff" in text


def _file_size_limit(limit: int):
    def apply():  # in the child, before duban starts: files may not grow past limit bytes
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_export_plan_past_the_file_size_limit_leaves_no_file(ledger_file, tmp_path, capsys):
    """Without root (no tmpfs): the system refuses to let any file grow, openpyxl's own temp files included."""
    assert cli(capsys, ledger_file, "tasks")[0] == 0  # the routine backup is made now, not under the limit
    out = tmp_path / "导出"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DUBAN_LOG_DIR": str(tmp_path / "logs")}
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(ROOT), "--db", str(ledger_file), "export-plan", str(out / "任务分解表.xlsx")],
        preexec_fn=_file_size_limit(40_000), capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120, env=env,
    )
    assert done.returncode == 2, done.stderr
    assert "文件过大" in done.stderr and "任务分解表.xlsx" in done.stderr and "意外错误" not in done.stderr
    assert "Traceback" not in done.stderr
    assert "已导出" not in done.stdout
    assert list(out.iterdir()) == []


def test_a_ledger_locked_past_the_timeout_is_a_message(ledger_file, capsys):
    """Another program (a backup tool, a DB browser) holds SQLite's write lock for longer than duban waits (5 s)."""
    assert cli(capsys, ledger_file, "tasks")[0] == 0
    with closing(sqlite3.connect(ledger_file, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        code, out, err = cli(capsys, ledger_file, *ADD, "--text", "被锁住时的进展")
        holder.execute("ROLLBACK")
    assert code == 2, err
    assert "等待超时" in err and str(ledger_file) in err and "意外错误" not in err
    assert "已新增" not in out and reports(ledger_file) == 0


@pytest.mark.gui
@pytest.mark.sqlite_only  # an export must not overwrite the open ledger file
@pytest.mark.parametrize("kind", [3, 6])  # the 通报 (PDF) and the field packet
def test_window_export_aimed_at_the_ledger_is_refused_with_a_message(qtbot, ledger, tmp_path, monkeypatch, kind):
    from PySide6.QtWidgets import QMessageBox

    from desktop.export_dialogs import ExportDialog

    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(("information", args[2])))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: told.append(("warning", args[2])))
    before = digest(ledger.path)
    dialog = ExportDialog(ledger, period="2022-06", units=["市财政局"], folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.open_after.setChecked(False)
    dialog.kind.setCurrentIndex(kind)
    dialog.target.setText(str(ledger.path))
    dialog.export()
    qtbot.waitUntil(lambda: bool(told), timeout=15000)
    assert not dialog.written
    [(how, text)] = told
    assert how == "warning" and "不能写入" in text and str(ledger.path) in text and "正在使用的台账" in text
    assert digest(ledger.path) == before
