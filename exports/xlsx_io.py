"""Safe spreadsheet reading and writing shared by every Excel format duban handles."""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.page import PageMargins

from db.errors import UserError, writing_to
from db.files import write_bytes_atomic

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 1000
# Declared uncompressed sizes per part: a filled template's sheet is well under a megabyte, and
# nothing duban reads needs comments or drawings, so anything larger is refused before parsing.
MAX_SHEET_BYTES = 16 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_COMMENTS_BYTES = 1024 * 1024
MAX_OTHER_BYTES = 4 * 1024 * 1024
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_ROW_HEIGHT = 409.0
# Row heights.  openpyxl writes none, and Excel, WPS and LibreOffice do not grow a row for wrapped
# text they did not type themselves, so every writer sizes its rows with `text_height`.  The
# constants are the worst case of the faces that print a "宋体" cell: SimSun on Windows, and on
# Linux whatever LibreOffice or WPS substitutes (Noto Sans CJK has the tallest line, 1.45 em;
# DejaVu Sans, used for Latin letters and digits, the widest digits, 0.64 em).
LINE_PITCH = 1.45
NARROW_EM = 0.64
POINTS_PER_WIDTH = 5.25  # one unit of column width: a digit of Calibri 11, 7 px at 96 dpi
CELL_INDENT = 3.0  # points of a cell's width lost to its left and right margins
CELL_PADDING = 4.0  # points of a row's height above and below its text
HEADROOM = 0.3  # of a line, so a face a little taller than the estimate still fits
_NO_START = set("，。、；：？！）》〉】』」”’,.;:?!)%·…—")
_NO_END = set("（《〈【『「“‘(")
_TOKEN = re.compile(r"[A-Za-z0-9_.,%:/+\-]+|.", re.S)


def put_text(cell: Cell, value) -> None:
    """Write a value; text that a spreadsheet would run as a formula stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def save_workbook(wb, path: Path) -> Path:
    """Save a workbook through db.files (guarded, temp name, rename).  It is built in memory first, so a full
    disk fails in one plain write, not inside zipfile (whose half-closed archive would print a traceback)."""
    buffer = io.BytesIO()
    with writing_to(path):  # openpyxl still spools each sheet through a temp file: the system's temp disk can be full
        wb.save(buffer)
    return write_bytes_atomic(path, buffer.getvalue())


def _part(member: str) -> tuple[str, int]:
    """What a zip member is, in Chinese, and how large it may be once inflated."""
    lower = member.lower()
    if lower.startswith("xl/media/"):  # pictures are never parsed; the whole file's limits hold them
        return "图片", MAX_ENTRY_BYTES
    if lower.startswith("xl/worksheets/") and lower.endswith(".xml"):
        return "工作表数据", MAX_SHEET_BYTES
    if lower == "xl/sharedstrings.xml":
        return "共享文本", MAX_SHARED_STRINGS_BYTES
    if "comments" in lower or "threadedcomment" in lower or lower.endswith(".vml"):
        return "批注", MAX_COMMENTS_BYTES
    return "文件的组成部分", MAX_OTHER_BYTES


def read_failure(exc: BaseException) -> str:
    """Why a parser or decompressor gave up, in Chinese; its own (English) text goes to the log, never to the user."""
    if isinstance(exc, zlib.error):
        return "压缩数据已损坏"
    if isinstance(exc, (zipfile.BadZipFile, EOFError)):
        return "压缩包结构已损坏或不完整"
    if isinstance(exc, KeyError):
        return "缺少必需的组成部分"
    if isinstance(exc, UnicodeError):
        return "文字编码无效"
    if isinstance(exc, MemoryError):
        return "内容过大"
    if isinstance(exc, OSError):
        return "读取时出错"
    if type(exc).__module__.startswith(("xml.", "lxml", "defusedxml")) or "XML" in type(exc).__name__ or "Parse" in type(exc).__name__:
        return "内部数据格式错误"
    return "内容格式无效"


@dataclass(frozen=True)
class OfficeZip:
    """What an Office Open XML file of one kind must hold, and how large its parts may be once inflated."""

    app: str  # "Excel", "Word"
    suffix: str  # ".xlsx"
    document: str  # "Excel 工作簿（.xlsx）"
    main_part: str  # the member every such file has
    purpose: str  # what the file should be, for the message: "报送文件"
    parts: Callable[[str], tuple[str, int]]  # member → (what it is in Chinese, inflated size limit)


EXCEL = OfficeZip("Excel", ".xlsx", "Excel 工作簿（.xlsx）", "xl/workbook.xml", "报送文件", lambda member: _part(member))


def check_office_zip(path: Path, kind: OfficeZip) -> None:
    """Refuse a file that is too big, not of its kind, truncated, or a zip bomb — before a parser sees it."""
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
                raise UserError(f"文件 {name} 内部条目过多（{len(infos)} 个），不是正常的 {kind.app} 文件。")
            total = 0
            for info in infos:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES or (info.file_size > 1_000_000 and ratio > MAX_RATIO):
                    raise UserError(f"文件 {name} 解压后体积异常（疑似压缩炸弹），已拒绝。")
                part, limit = kind.parts(info.filename)
                if info.file_size > limit:
                    raise UserError(
                        f"文件 {name} {part}过大（解压后 {info.file_size / 1024 / 1024:.1f} MB，上限 {limit // 1024 // 1024} MB），"
                        f"不是正常的{kind.purpose}，已拒绝。"
                    )
            if kind.main_part not in archive.namelist():
                raise UserError(f"文件 {name} 不是 {kind.document}。")
            bad = archive.testzip()
            if bad is not None:
                raise UserError(f"文件 {name} 已损坏（{kind.parts(bad)[0]}校验失败），可能传输不完整。")
    except UserError:
        raise
    except zipfile.BadZipFile:
        raise UserError(f"文件 {name} 不是有效的 {kind.suffix} 文件，或已损坏/不完整。") from None
    except Exception as exc:  # zlib.error, EOFError, OSError, NotImplementedError (an unknown compression) …
        raise UserError(f"文件 {name} 已损坏或不完整（{read_failure(exc)}），可能传输不完整。") from None


def check_xlsx(path: Path) -> None:
    """The zip checks for an Excel workbook."""
    check_office_zip(path, EXCEL)


def open_workbook_safely(path: Path):
    """A read-only workbook with cached values, after the zip checks."""
    check_xlsx(path)
    try:
        return load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on malformed XML
        raise UserError(f"无法读取 Excel 文件 {path.name}（{read_failure(exc)}），文件已损坏。") from None


def cell_text(value) -> str:
    """A cell's value as trimmed text ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@lru_cache(maxsize=65536)
def _em(token: str) -> float:
    """A token's printed width in em: full-width (and ambiguous) characters 1, the others NARROW_EM."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else NARROW_EM for ch in token)


def _tokens(paragraph: str) -> list[str]:
    """Pieces a line break may not split: a Latin word or number, a character with the punctuation that may not part from it."""
    tokens: list[str] = []
    glue_next = False
    for token in _TOKEN.findall(paragraph):
        if tokens and (glue_next or token in _NO_START):
            tokens[-1] += token
        else:
            tokens.append(token)
        glue_next = token in _NO_END
    return tokens


def wrap_lines(text: str, width: float, size: float = 10) -> list[str]:
    """Text as a column `width` characters wide wraps it at `size` points, erring towards more lines.

    Joined, the lines give the text back: each line but the last keeps the newline that ended it.
    A Latin word, a number, or a character with its closing punctuation never splits unless it is
    wider than the whole line.
    """
    capacity = max(size, width * POINTS_PER_WIDTH - CELL_INDENT) / size  # in em
    lines: list[str] = []
    paragraphs = text.split("\n")
    for number, paragraph in enumerate(paragraphs):
        end = "\n" if number < len(paragraphs) - 1 else ""
        if len(paragraph) <= capacity:  # no character is wider than 1 em
            lines.append(paragraph + end)
            continue
        line, used = "", 0.0
        for token in _tokens(paragraph):
            token_em = _em(token)
            if token_em > capacity:
                for ch in token:
                    w = _em(ch)
                    if used + w > capacity and line:
                        lines.append(line)
                        line, used = "", 0.0
                    line, used = line + ch, used + w
                continue
            if used + token_em > capacity and line:
                lines.append(line)
                line, used = "", 0.0
            line, used = line + token, used + token_em
        lines.append(line + end)
    return lines


def row_height(lines: int, size: float = 10) -> float:
    """The height in points that shows `lines` lines of a `size`-point font, with a little headroom, within Excel's limit."""
    needed = (max(1, lines) + HEADROOM) * size * LINE_PITCH + CELL_PADDING
    return min(MAX_ROW_HEIGHT, math.ceil(needed * 4) / 4)


def max_lines(size: float = 10) -> int:
    """The most lines of a `size`-point font that the tallest row Excel allows shows."""
    return int((MAX_ROW_HEIGHT - CELL_PADDING) / (size * LINE_PITCH) - HEADROOM)


def text_height(text: str | None, width: float, size: float = 10) -> float:
    """The row height in points a cell `width` characters wide (for a merged cell, the sum of its columns) needs for `text`."""
    return row_height(len(wrap_lines(text, width, size)) if text else 1, size)


def print_setup(ws, *, title_rows: str | None = None, landscape: bool = True) -> None:
    """A4, fitted to the page width, the header rows repeated on every page, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 9
