"""A plan published as a PDF with a text layer: its running text as paragraphs and its tables as rows of cells.

pdfplumber (on pdfminer.six) reads the characters each page draws.  Tables come back cell by cell with the
cells a merged cell covers marked, so `exports.plan_tables` reads them as it reads Word and Excel tables; the
text outside the tables is joined back into paragraphs (a PDF breaks every line where the page ends it) for the
plan text reader.  A scanned PDF draws pictures, not characters: it is refused with a message asking for the
Word version.  Files from outside are hostile: the file's size, the pages and the characters per page are
bounded before anything is parsed further, and any failure of the parser ends in a UserError naming the file.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from db.errors import UserError

log = logging.getLogger("duban.plan_pdf")

MAX_PDF_BYTES = 30 * 1024 * 1024
MAX_PAGES = 300  # a year's plan with its annex tables runs to a few dozen pages
MAX_PAGE_CHARS = 20000  # a dense A4 page of 小四 text holds under 2,000 characters
MAX_TABLES_PER_PAGE = 20
MAX_GRID_POINTS = 5000  # ruled lines' crossings on a page: a plan's table page has a few hundred; table finding slows with their square
MAX_SECONDS = 120  # a whole file, whatever its pages hold
MIN_TEXT_CHARS = 20  # fewer drawn characters than this in the whole file: a scan, not a text layer
_PAGE_NUMBER = re.compile(r"^[—－\-－–\s]*\d{1,4}[—－\-–\s]*$|^第\s*\d{1,4}\s*页(\s*共\s*\d{1,4}\s*页)?$")


@dataclass
class PdfTable:
    """One table of one page: its rows of cell texts, and per row the columns a merged cell spans (first → last)."""

    page: int  # 1-based
    rows: list[list[str]]
    spans: list[dict[int, int]]


@dataclass
class PdfContent:
    """What a PDF shows: the text outside its tables as paragraphs, one a line, and its tables."""

    file: str
    text: str = ""
    tables: list[PdfTable] = field(default_factory=list)
    pages: int = 0


def _refused(file: str, exc: Exception) -> UserError:
    from exports.xlsx_io import read_failure

    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc  # pdfplumber wraps pdfminer's error
    log.info("PDF %s not read: %r", file, inner)
    if any(word in type(inner).__name__ for word in ("Password", "Encrypt")):
        return UserError(f"PDF 文件 {file} 已加密，无法读取。请向发文单位索要未加密的 PDF 或 Word 版本（.docx）后再导入。")
    return UserError(f"无法读取 PDF 文件 {file}（{read_failure(inner)}），文件已损坏或不是 PDF。")


def _unwrap(text: str) -> str:
    """A cell's text with the line breaks the PDF wrapped it at taken out: Chinese runs on, Latin words keep a space."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    joined = ""
    for line in lines:
        if joined and joined[-1].isascii() and joined[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            joined += " "
        joined += line
    return joined


def _grid_of(table) -> tuple[list[list[str]], list[dict[int, int]]]:
    """A pdfplumber table as rows of texts: a cell merged down repeats its text in every row it covers (as in a
    Word 类别 column), a cell merged across keeps it in its first column and records the span."""
    boxes = [c for c in table.cells]
    xs = sorted({round(b[0], 1) for b in boxes})
    ys = sorted({round(b[1], 1) for b in boxes})
    texts = table.extract()
    rows = [["" for _ in xs] for _ in ys]
    spans: list[dict[int, int]] = [{} for _ in ys]
    tolerance = 1.0
    for r, row in enumerate(table.rows):
        for c, box in enumerate(row.cells):
            if box is None:
                continue
            text = (texts[r][c] or "") if r < len(texts) and c < len(texts[r]) else ""
            text = _unwrap(text)
            first_col = xs.index(round(box[0], 1))
            last_col = max([i for i, x in enumerate(xs) if x < box[2] - tolerance] + [first_col])  # a hairline cell spans itself
            first_row = ys.index(round(box[1], 1))
            last_row = max([i for i, y in enumerate(ys) if y < box[3] - tolerance] + [first_row])
            for rr in range(first_row, last_row + 1):
                rows[rr][first_col] = text  # merged down: every row of the group reads the same text
                if last_col > first_col:
                    spans[rr][first_col] = last_col
    return rows, spans


def _grid_points(page) -> int:
    """How many cells the ruled lines of a page could make: distinct heights of its horizontal edges times distinct
    positions of its vertical ones (what pdfplumber's table finder has to cross)."""
    rows, columns = set(), set()
    for edge in page.edges:
        if edge.get("orientation") == "h":
            rows.add(round(edge["top"]))
        elif edge.get("orientation") == "v":
            columns.add(round(edge["x0"]))
    return len(rows) * len(columns)


def _paragraphs(pages: list[list[dict]]) -> list[str]:
    """Lines of running text joined into paragraphs, across page breaks too: a line belongs to the one before it
    unless it is indented (a new paragraph starts two characters in) or the line before ended short of the right
    margin.  Page numbers ("— 3 —") are left out."""
    paragraphs: list[str] = []
    previous = None  # (the line, its page's right margin)
    for lines in pages:
        kept = [line for line in lines if line["text"].strip() and not _PAGE_NUMBER.match(line["text"].strip())]
        if not kept:
            continue
        left = min(line["x0"] for line in kept)
        right = max(line["x1"] for line in kept)
        for line in kept:
            text = line["text"].strip()
            size = line.get("size") or 10
            indented = line["x0"] > left + size * 0.8
            continues = previous is not None and not indented and previous[0]["x1"] >= previous[1] - size * 1.5
            if continues and paragraphs:
                paragraphs[-1] += text
            else:
                paragraphs.append(text)
            previous = (line, right)
    return paragraphs


def read_pdf(path: str | Path) -> PdfContent:
    """The text and tables of a PDF; a UserError naming the file when it is too large, damaged, encrypted or a scan."""
    path = Path(path)
    file = path.name
    size = path.stat().st_size
    if size > MAX_PDF_BYTES:
        raise UserError(f"PDF 文件 {file} 超过 {MAX_PDF_BYTES // (1024 * 1024)} MB，不像是一份计划，未读取。")
    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF-"):
            raise UserError(f"文件 {file} 不是 PDF 文件（文件头不对），无法读取。")
    import pdfplumber  # pdfminer.six underneath; no scripts or forms are run

    content = PdfContent(file)
    started = time.monotonic()
    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = pdf.pages
            content.pages = len(pages)
            if content.pages > MAX_PAGES:
                raise UserError(f"PDF 文件 {file} 有 {content.pages} 页，超过上限 {MAX_PAGES} 页，不像是一份计划，未读取。")
            pages_lines: list[list[dict]] = []
            drawn = 0
            for number, page in enumerate(pages, start=1):
                chars = page.chars
                if len(chars) > MAX_PAGE_CHARS:
                    raise UserError(f"PDF 文件 {file} 第{number}页的文字过多（{len(chars)} 字，上限 {MAX_PAGE_CHARS} 字），不是计划文件，已拒绝。")
                drawn += sum(1 for c in chars if not c["text"].isspace())
                if _grid_points(page) > MAX_GRID_POINTS:
                    raise UserError(f"PDF 文件 {file} 第{number}页的表格线过多，不像是计划的任务表，已拒绝。")
                if time.monotonic() - started > MAX_SECONDS:
                    raise UserError(f"PDF 文件 {file} 过于复杂，{MAX_SECONDS} 秒内未能读完（读到第{number}页），已停止。请向发文单位索要 Word 版本（.docx）后再导入。")
                tables = page.find_tables()
                if len(tables) > MAX_TABLES_PER_PAGE:
                    raise UserError(f"PDF 文件 {file} 第{number}页的表格过多（{len(tables)} 个），不是计划文件，已拒绝。")
                boxes = [t.bbox for t in tables]
                for table in tables:
                    rows, spans = _grid_of(table)
                    if rows:
                        content.tables.append(PdfTable(number, rows, spans))

                def outside(obj, boxes=boxes) -> bool:
                    if obj.get("object_type") != "char":
                        return True
                    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                text_page = page.filter(outside) if boxes else page
                pages_lines.append([  # what joining lines needs, not every character's record (300 pages of them add up)
                    {"x0": ln["x0"], "x1": ln["x1"], "text": ln["text"], "size": max((c.get("size", 0) for c in ln["chars"]), default=0)}
                    for ln in text_page.extract_text_lines(return_chars=True)
                ])
    except UserError:
        raise
    except Exception as exc:  # pdfminer raises its own syntax, type and key errors on a damaged file
        raise _refused(file, exc) from None
    if drawn < MIN_TEXT_CHARS:
        raise UserError(
            f"PDF 文件 {file} 没有文字层（是扫描件或图片），无法读取其中的任务。请向发文单位索要 Word 版本（.docx）后再导入。"
        )
    content.text = "\n".join(_paragraphs(pages_lines))
    return content
