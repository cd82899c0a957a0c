"""Safe spreadsheet reading and writing shared by every Excel format duban handles."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from db.errors import UserError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 1000
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_ROW_HEIGHT = 409.0
LINE_HEIGHT = 1.35
_TOKEN = re.compile(r"[A-Za-z0-9_.,%:/+\-]+|.", re.S)


def put_text(cell: Cell, value) -> None:
    """Write a value; text that a spreadsheet would run as a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def check_xlsx(path: Path) -> None:
    """Refuse a file that is too big, not an xlsx, truncated, or a zip bomb — before openpyxl sees it."""
    name = path.name
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UserError(f"文件 {name} 过大（{size // 1024 // 1024} MB），上限为 {MAX_FILE_BYTES // 1024 // 1024} MB。")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise UserError(f"文件 {name} 内部条目过多（{len(infos)} 个），不是正常的 Excel 文件。")
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES or (info.file_size > 1_000_000 and ratio > MAX_RATIO):
                    raise UserError(f"文件 {name} 解压后体积异常（疑似压缩炸弹），已拒绝。")
            if "xl/workbook.xml" not in archive.namelist():
                raise UserError(f"文件 {name} 不是 Excel 工作簿（.xlsx）。")
            bad = archive.testzip()
            if bad is not None:
                raise UserError(f"文件 {name} 已损坏（{bad} 校验失败），可能传输不完整。")
    except zipfile.BadZipFile:
        raise UserError(f"文件 {name} 不是有效的 .xlsx 文件，或已损坏/不完整。") from None
    except (EOFError, OSError) as exc:
        raise UserError(f"文件 {name} 已损坏或不完整：{exc}") from None


def open_workbook_safely(path: Path):
    """A read-only workbook with cached values, after the zip checks."""
    check_xlsx(path)
    try:
        return load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on malformed XML
        raise UserError(f"无法读取 Excel 文件 {path.name}：{exc}") from None


def cell_text(value) -> str:
    """A cell's value as trimmed text ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@lru_cache(maxsize=4096)
def _units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def text_units(text: str) -> int:
    """Printed width in half-width characters: a Chinese character (and any ambiguous one) counts two."""
    return len(text) if text.isascii() else _units(text)


def wrap_lines(text: str, width: float, size: float = 10) -> list[str]:
    """Text as a column `width` characters wide wraps it, erring towards more lines; joined, the lines give the text back.

    Excel, WPS and LibreOffice do not grow rows for wrapped text written by openpyxl, so the writer
    sizes rows from this estimate.  A width unit is 7 pixels (a digit of the default Calibri 11) and
    a `size`-point Chinese character is size × 4/3 pixels; one half-width unit per line is kept for
    punctuation that may not start a line.  Each line but the last keeps the newline that ended it.
    """
    capacity = max(2, int((width * 7 + 1) / (size * 2 / 3)) - 1)
    lines: list[str] = []
    paragraphs = text.split("\n")
    for number, paragraph in enumerate(paragraphs):
        end = "\n" if number < len(paragraphs) - 1 else ""
        if text_units(paragraph) <= capacity:
            lines.append(paragraph + end)
            continue
        line, used = "", 0
        for token in _TOKEN.findall(paragraph):
            size_of = text_units(token)
            if size_of > capacity:
                for ch in token:
                    w = text_units(ch)
                    if used + w > capacity:
                        lines.append(line)
                        line, used = "", 0
                    line, used = line + ch, used + w
                continue
            if used + size_of > capacity:
                lines.append(line)
                line, used = "", 0
            line, used = line + token, used + size_of
        lines.append(line + end)
    return lines


def row_height(lines: int, size: float = 10) -> float:
    """The height in points that shows `lines` wrapped lines of a `size`-point font, within Excel's limit."""
    return min(MAX_ROW_HEIGHT, round(max(1, lines) * size * LINE_HEIGHT + 4, 1))
