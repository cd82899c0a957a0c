"""Old Office formats (.doc, .wps, .xls, .et) turned into .docx/.xlsx by LibreOffice, when it is installed.

The file is copied into a private temporary folder and converted there, so nothing in it decides where a
file is written; the copy keeps the clerk's own file name (cleaned), so messages about the converted copy
still name the plan the clerk chose.  The caller reads the converted copy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from db.errors import UserError

TARGETS = {".doc": "docx", ".wps": "docx", ".xls": "xlsx", ".et": "xlsx"}
NEW_NAMES = {"docx": "Word（.docx）", "xlsx": "Excel（.xlsx）"}
TIMEOUT_SECONDS = 120
MAX_INPUT_BYTES = 50 * 1024 * 1024
MAX_STEM = 80


def libreoffice() -> str | None:
    """The LibreOffice program on this machine, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _save_as_message(path: Path, target: str, reason: str) -> UserError:
    return UserError(
        f"文件 {path.name} 是旧版格式，{reason}。请在 WPS 或 Office 中把它另存为 {NEW_NAMES[target]} 后再导入。"
    )


def converted_copy(path: Path, workdir: Path) -> Path:
    """The file converted to its new format inside workdir; a UserError saying to save it anew when that cannot be done."""
    target = TARGETS[path.suffix.lower()]
    program = libreoffice()
    if program is None:
        raise _save_as_message(path, target, "本机没有安装 LibreOffice，无法自动转换")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise UserError(f"文件 {path.name} 超过 {MAX_INPUT_BYTES // (1024 * 1024)} MB，不像是一份计划，未读取。")
    stem = re.sub(r"[\x00-\x1f]", "", path.stem)[:MAX_STEM] or "plan"
    source = workdir / f"{stem}{path.suffix.lower()}"
    shutil.copyfile(path, source)
    command = [
        program, f"-env:UserInstallation={(workdir / 'profile').as_uri()}", "--headless", "--norestore",
        "--convert-to", target, "--outdir", str(workdir / "out"), str(source),
    ]
    try:
        subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise _save_as_message(path, target, f"LibreOffice 在 {TIMEOUT_SECONDS} 秒内没有转换完成") from None
    result = workdir / "out" / f"{stem}.{target}"
    if not result.is_file():  # soffice exits 0 even when it could not convert
        raise _save_as_message(path, target, "LibreOffice 未能转换它（可能缺少文字处理或表格组件，或文件已损坏）")
    return result


def convertible(path: Path) -> bool:
    """Whether the file is an old format this module converts."""
    return path.suffix.lower() in TARGETS


def temporary_folder() -> tempfile.TemporaryDirectory:
    """A private folder for one conversion, removed with everything in it afterwards."""
    return tempfile.TemporaryDirectory(prefix="duban-convert-")
