"""The GB/T 9704-2012 page scaffold shared by every PDF: A4 pages, styles, 版头, 落款, 版记, page numbers, atomic writing.

What the standard says and where it is followed here:
- 5.2: A4, top margin 37 mm, binding margin 28 mm, text block 156 × 225 mm, 22 lines of 28 characters
  of 3号 (16 pt) text (Styles with chars_per_line=28 condenses each character to 156 mm / 28);
- 7.2 版头: the 发文机关标志 in red, its top 35 mm below the text block's top; the 发文字号 (or 期号)
  centred two blank lines below it; a red rule as wide as the text block 4 mm under that (Letterhead);
- 7.3.5.1 a sealed document: the 成文日期 ends four characters from the right edge and the office's
  name is centred over it, two blank lines below the last paragraph so the seal fits (Signature);
- 7.3.6 附注 (our contact line) on the line under the 成文日期, two characters in, in brackets;
- 7.4 版记: 抄送 and 印发机关/印发日期 in 4号 between thick first and last rules (a thin one between
  them), the last rule on the bottom edge of the last page's text block (record_block, AtFoot);
- 7.5 page numbers: — N — in 4号 宋体 7 mm under the text block, odd pages right, even pages left.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Table, TableStyle

from db.files import atomic_output
from db.jobs import JobControl
from db.periods import chinese_date
from exports.fonts import FontSet
from exports.pdf.cjk import CJKParagraph

# GB/T 9704-2012: A4, top margin 37 mm, binding margin 28 mm, text block 156 × 225 mm, 22 lines of 3号.
PAGE_W, PAGE_H = A4
TOP, LEFT, TEXT_W, TEXT_H = 37 * mm, 28 * mm, 156 * mm, 225 * mm
BODY = 16
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22
LINE = TEXT_H / LINES_PER_PAGE
TITLE = 22
PAGE_NUMBER = 14
# 4号: the 版记's size.
RECORD = 14
MASTHEAD = 30
# The attachment table on landscape A4.
LAND_W, LAND_H = landscape(A4)
LAND_MARGIN_X, LAND_TOP, LAND_BOTTOM = 25 * mm, 25 * mm, 28 * mm
TABLE_FONT = 10
RED_INK = colors.HexColor("#E60012")


class Styles:
    """The paragraph styles of one document, on the fonts found.

    chars_per_line, when given, condenses the body-size styles so a full line holds exactly that many
    full-width characters (28 for a GB/T 9704 document); tables and titles keep their natural spacing.
    """

    def __init__(self, fonts: FontSet, size: float = BODY, line: float = LINE, *, chars_per_line: int | None = None):
        tracking = TEXT_W / chars_per_line - size if chars_per_line else 0.0
        base = ParagraphStyle(
            "body", fontName=fonts.body, fontSize=size, leading=line, wordWrap="CJK", alignment=TA_JUSTIFY, firstLineIndent=2 * (size + tracking)
        )
        self.fonts, self.line, self.size, self.tracking = fonts, line, size, tracking
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
        for style in (self.body, self.plain, self.h1, self.h2, self.centre):
            style.tracking = tracking

    @property
    def char(self) -> float:
        """The advance of one full-width body character."""
        return self.size + self.tracking


class Letterhead(Flowable):
    """版头 (GB/T 9704 7.2): the office in red, squeezed to the text width as printed letterheads are, the
    发文字号 or 期号 two blank lines below it, and the red rule 4 mm under that."""

    def __init__(self, office: str, number: str | None, s: Styles):
        super().__init__()
        self.office, self.number, self.s = office, number, s
        self.width = TEXT_W
        self.mast_top = 35 * mm
        self.mast_baseline = self.mast_top + 0.88 * MASTHEAD
        below = self.mast_top + MASTHEAD
        if number:
            self.number_baseline = below + 2 * s.line + 0.8 * s.size
            self.rule = self.number_baseline + 0.2 * s.size + 4 * mm
        else:
            self.rule = below + 4 * mm
        self.height = self.rule + 1

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        canvas, s = self.canv, self.s
        top = self.height
        natural = stringWidth(self.office, s.fonts.title, MASTHEAD)
        scale = min(100.0, 100.0 * self.width / natural)
        canvas.saveState()
        canvas.setFillColor(RED_INK)
        text = canvas.beginText()
        text.setFont(s.fonts.title, MASTHEAD)
        text.setHorizScale(scale)
        text.setTextOrigin((self.width - natural * scale / 100) / 2, top - self.mast_baseline)
        text.textOut(self.office)
        canvas.drawText(text)
        canvas.setStrokeColor(RED_INK)
        canvas.setLineWidth(1.5)
        canvas.line(0, top - self.rule, self.width, top - self.rule)
        canvas.restoreState()
        if self.number:
            _draw_line(canvas, self.number, s.fonts.body, s.size, s.tracking, (self.width - _advance(self.number, s.fonts.body, s.size, s.tracking)) / 2, top - self.number_baseline)


def _advance(text: str, font: str, size: float, tracking: float) -> float:
    return stringWidth(text, font, size) + tracking * len(text)


def _draw_line(canvas, text: str, font: str, size: float, tracking: float, x: float, y: float) -> None:
    line = canvas.beginText(x, y)
    line.setFont(font, size)
    if tracking:
        line.setCharSpace(tracking)
    line.textOut(text)
    canvas.saveState()
    canvas.drawText(line)
    canvas.restoreState()


class Signature(Flowable):
    """落款 of a sealed document (GB/T 9704 7.3.5.1): the 成文日期 four characters in from the right edge,
    the office's name centred over it (moved left only as far as it must to stay on the line)."""

    def __init__(self, office: str, day: dt.date, s: Styles):
        super().__init__()
        self.office, self.date, self.s = office, chinese_date(day), s
        self.width, self.height = TEXT_W, 2 * s.line

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def positions(self) -> tuple[float, float]:
        """x of the office's name and of the date."""
        s = self.s
        date_width = _advance(self.date, s.fonts.body, s.size, s.tracking)
        office_width = _advance(self.office, s.fonts.body, s.size, s.tracking)
        date_x = self.width - 4 * s.char - date_width
        office_x = date_x + date_width / 2 - office_width / 2
        return max(0.0, min(office_x, self.width - office_width)), date_x

    def draw(self):
        s = self.s
        office_x, date_x = self.positions()
        descent = (s.line - s.size) / 2 + 0.12 * s.size
        _draw_line(self.canv, self.office, s.fonts.body, s.size, s.tracking, office_x, s.line + descent)
        _draw_line(self.canv, self.date, s.fonts.body, s.size, s.tracking, date_x, descent)


def contact_line(person: str, phone: str) -> str:
    """（联系人：…；联系电话：…）, either part left out when not set; "" when neither is."""
    parts = [f"联系人：{person.strip()}" if person.strip() else "", f"联系电话：{phone.strip()}" if phone.strip() else ""]
    parts = [p for p in parts if p]
    return f"（{'；'.join(parts)}）" if parts else ""


class AtFoot(Flowable):
    """A flowable set at the foot of the frame, taking the rest of the page (the next one when it does not fit)."""

    def __init__(self, inner: Flowable):
        super().__init__()
        self.inner = inner

    def wrap(self, available_width, available_height):
        self.width, inner = self.inner.wrap(available_width, available_height)
        self.inner_height = inner
        self.height = available_height if inner <= available_height else inner
        return self.width, self.height

    def draw(self):
        self.inner.drawOn(self.canv, 0, 0)


def record_block(office: str, printed: dt.date, copy_to: str, fonts: FontSet) -> Table:
    """版记 (GB/T 9704 7.4): 抄送 (when set) over 印发机关 and 印发日期, in 4号, between separator rules."""
    style = ParagraphStyle("record", fontName=fonts.body, fontSize=RECORD, leading=RECORD * 1.5, wordWrap="CJK")
    copy_to = copy_to.strip().rstrip("。，,;；") if copy_to else ""
    # The 抄送 line stands one character in on both sides; a wrapped line aligns with the first name.
    copy_style = ParagraphStyle("copyto", style, leftIndent=RECORD * 4, firstLineIndent=-RECORD * 3, rightIndent=RECORD)
    date_style = ParagraphStyle("printed", style, alignment=2)
    rows, commands = [], []
    if copy_to:
        rows.append([CJKParagraph(f"抄送：{escape(copy_to)}。", copy_style), ""])
        commands += [("SPAN", (0, 0), (1, 0)), ("LINEBELOW", (0, 0), (-1, 0), 0.25 * mm, colors.black)]
    printed_text = f"{chinese_date(printed)}印发"
    # 印发机关 one character from the left, 印发日期 one from the right; the office takes what the date leaves.
    date_width = stringWidth(printed_text, fonts.body, RECORD) + 2 * RECORD
    rows.append([CJKParagraph(escape(office), ParagraphStyle("printer", style, leftIndent=RECORD)), CJKParagraph(printed_text, ParagraphStyle("pd", date_style, rightIndent=RECORD))])
    table = Table(rows, colWidths=[TEXT_W - date_width, date_width])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.body),
                ("LINEABOVE", (0, 0), (-1, 0), 0.35 * mm, colors.black),
                ("LINEBELOW", (0, -1), (-1, -1), 0.35 * mm, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                *commands,
            ]
        )
    )
    return table


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


def document(path: Path, fonts: FontSet, title: str, author: str, *, subject: str = "", with_landscape: bool) -> BaseDocTemplate:
    """The document template; its metadata carries the real creation time (reportlab's invariant mode off)."""
    templates = [portrait_template(fonts)] + ([landscape_template(fonts)] if with_landscape else [])
    return BaseDocTemplate(
        str(path),
        pagesize=A4,
        pageTemplates=templates,
        title=title,
        author=author,
        subject=subject,
        creator="duban 督办台账",
        invariant=0,
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


def write_document(
    path: Path, fonts: FontSet, title: str, author: str, story: list, *, subject: str = "", landscape: bool = False, control: JobControl | None = None, what: str = ""
) -> Path:
    """Lay a story out into path atomically (db.files): a half-written PDF never takes the name, even if cancelled."""
    with atomic_output(path) as temp:
        build(document(temp, fonts, title, author, subject=subject, with_landscape=landscape), story, control, what)
    return path


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
