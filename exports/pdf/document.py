"""The GB/T 9704-2012 page scaffold shared by every PDF: A4 pages, styles, 版头, page numbers, atomic writing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, TableStyle

from db.errors import UserError
from db.jobs import JobControl
from exports.fonts import FontSet

# GB/T 9704-2012: A4, top margin 37 mm, binding margin 28 mm, text block 156 × 225 mm, 22 lines of 3号.
PAGE_W, PAGE_H = A4
TOP, LEFT, TEXT_W, TEXT_H = 37 * mm, 28 * mm, 156 * mm, 225 * mm
BODY = 16
LINE = TEXT_H / 22
TITLE = 22
PAGE_NUMBER = 14
# The attachment table on landscape A4.
LAND_W, LAND_H = landscape(A4)
LAND_MARGIN_X, LAND_TOP, LAND_BOTTOM = 25 * mm, 25 * mm, 28 * mm
TABLE_FONT = 10
RED_INK = colors.HexColor("#E60012")


class Styles:
    """The paragraph styles of one document, on the fonts found."""

    def __init__(self, fonts: FontSet, size: float = BODY, line: float = LINE):
        base = ParagraphStyle("body", fontName=fonts.body, fontSize=size, leading=line, wordWrap="CJK", alignment=TA_JUSTIFY, firstLineIndent=2 * size)
        self.fonts, self.line = fonts, line
        self.body = base
        self.plain = ParagraphStyle("plain", base, firstLineIndent=0)
        self.h1 = ParagraphStyle("h1", base, fontName=fonts.heading, keepWithNext=1)
        self.h2 = ParagraphStyle("h2", base, fontName=fonts.kai, keepWithNext=1)
        self.title = ParagraphStyle("title", base, fontName=fonts.title, fontSize=TITLE, leading=TITLE * 1.6, alignment=TA_CENTER, firstLineIndent=0)
        self.centre = ParagraphStyle("centre", base, alignment=TA_CENTER, firstLineIndent=0)
        self.caption = ParagraphStyle("caption", base, fontName=fonts.heading, fontSize=12, leading=18, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=line / 2)
        self.cell = ParagraphStyle("cell", base, fontSize=TABLE_FONT, leading=TABLE_FONT * 1.25, alignment=TA_LEFT, firstLineIndent=0)
        self.cell_centre = ParagraphStyle("cellc", self.cell, alignment=TA_CENTER)
        self.head = ParagraphStyle("head", self.cell_centre, fontName=fonts.heading)
        self.notice_cell = ParagraphStyle("ncell", self.cell, fontSize=10.5, leading=14)
        self.notice_head = ParagraphStyle("nhead", self.notice_cell, fontName=fonts.heading, alignment=TA_CENTER)


class Masthead(Flowable):
    """版头: the issuing office in red, squeezed to the text width as printed letterheads are, over a red rule."""

    def __init__(self, text: str, font: str, width: float):
        super().__init__()
        self.text, self.font, self.width = text, font, width
        self.size = 30
        self.height = self.size + 4 * mm + 2

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        natural = stringWidth(self.text, self.font, self.size)
        scale = min(100.0, 100.0 * self.width / natural)
        canvas.saveState()
        canvas.setFillColor(RED_INK)
        text = canvas.beginText()
        text.setFont(self.font, self.size)
        text.setHorizScale(scale)
        text.setTextOrigin((self.width - natural * scale / 100) / 2, 4 * mm + 2 + 0.12 * self.size)
        text.textOut(self.text)
        canvas.drawText(text)
        canvas.setStrokeColor(RED_INK)
        canvas.setLineWidth(1.5)
        canvas.line(0, 1, self.width, 1)
        canvas.restoreState()


def page_number(fonts: FontSet, left: float, width: float, bottom: float):
    """GB/T 9704 page numbers: — N — in 4号 宋体, 7 mm under the text block, odd pages right, even pages left."""

    def draw(canvas, doc):
        number = canvas.getPageNumber()
        label = f"— {number} —"
        baseline = bottom - 7 * mm - PAGE_NUMBER * 0.88
        text_width = stringWidth(label, fonts.song, PAGE_NUMBER)
        x = left + width - PAGE_NUMBER - text_width if number % 2 else left + PAGE_NUMBER
        canvas.saveState()
        canvas.setFont(fonts.song, PAGE_NUMBER)
        canvas.drawString(x, baseline, label)
        canvas.restoreState()

    return draw


def portrait_template(fonts: FontSet) -> PageTemplate:
    bottom = PAGE_H - TOP - TEXT_H
    # Half a point of slack so 22 lines of exactly TEXT_H / 22 fit despite rounding.
    frame = Frame(LEFT, bottom - 0.5, TEXT_W, TEXT_H + 0.5, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="text")
    return PageTemplate("portrait", [frame], onPage=page_number(fonts, LEFT, TEXT_W, bottom), pagesize=A4)


def landscape_template(fonts: FontSet) -> PageTemplate:
    width, height = LAND_W - 2 * LAND_MARGIN_X, LAND_H - LAND_TOP - LAND_BOTTOM
    frame = Frame(LAND_MARGIN_X, LAND_BOTTOM, width, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="table")
    return PageTemplate("landscape", [frame], onPage=page_number(fonts, LAND_MARGIN_X, width, LAND_BOTTOM), pagesize=(LAND_W, LAND_H))


def document(path: Path, fonts: FontSet, title: str, author: str, *, with_landscape: bool) -> BaseDocTemplate:
    templates = [portrait_template(fonts)] + ([landscape_template(fonts)] if with_landscape else [])
    return BaseDocTemplate(
        str(path),
        pagesize=A4,
        pageTemplates=templates,
        title=title,
        author=author,
        creator="duban 督办台账",
        invariant=1,
        initialFontName=fonts.body,
        leftMargin=LEFT,
        rightMargin=PAGE_W - LEFT - TEXT_W,
        topMargin=TOP,
        bottomMargin=PAGE_H - TOP - TEXT_H,
    )


def build(doc: BaseDocTemplate, story: list, control: JobControl | None = None, what: str = "") -> None:
    """Lay the story out, reporting each placed flowable so the clerk can cancel a long build."""
    if control is not None:
        total = len(story)

        def progress(kind, value):
            if kind == "PROGRESS":
                control.step(value, total, what)

        doc.setProgressCallBack(progress)
    doc.build(story)


def write_document(path: Path, fonts: FontSet, title: str, author: str, story: list, *, landscape: bool = False, control: JobControl | None = None, what: str = "") -> Path:
    """Lay a story out into path atomically: a half-written PDF never takes the name, even if cancelled."""
    temp = temp_in(path.parent)
    try:
        build(document(temp, fonts, title, author, with_landscape=landscape), story, control, what)
        publish([(temp, path)])
    finally:
        discard([temp])
    return path


def temp_in(folder: Path) -> Path:
    """A temporary file in the target's folder, so the final rename stays on one disk."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".duban-", suffix=".pdf.tmp", dir=folder)
    except OSError as exc:
        raise UserError(f"无法在文件夹 {folder} 中写入文件：{exc.strerror or exc}") from None
    os.close(handle)
    return Path(name)


def publish(pairs: list[tuple[Path, Path]]) -> None:
    """Move finished temp files onto their names; a target open in a PDF reader is named plainly."""
    for temp, target in pairs:
        try:
            os.replace(temp, target)
        except OSError as exc:
            raise UserError(f"无法写入文件 {target}：{exc.strerror or exc}。如该文件正在 PDF 阅读器中打开，请关闭后重试。") from None


def discard(paths) -> None:
    for temp in paths:
        temp.unlink(missing_ok=True)


def grid_style(fonts: FontSet, extra=()) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), fonts.body),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )
