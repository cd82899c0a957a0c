"""What both visible sheets of a 报送模板 share: fills, fonts and borders, the head above the table, the binding marks."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

from db.periods import chinese_period
from exports.xlsx_io import put_text, text_height

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
MIN_LINES = 3
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
INPUT_HEADER_FILL = PatternFill("solid", fgColor="FFE699")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
SIGN_ROW = 3


def binding_marks(unit: str, period: str, template_id: str) -> tuple[str, ...]:
    """What a visible sheet's second line must say for the 标识 to belong to it."""
    return (f"报送单位：{unit}　", f"报送期间：{chinese_period(period)}　", f"模板编号：{template_id}")


def _sign_line(ws, fields) -> None:
    """单位（盖章）, 审核人 and 联系电话, each a label and an unlocked space with a line to write on."""
    label_font = Font(name=BODY_FONT, size=11, bold=True)
    underline = Border(bottom=Side(style="thin", color="000000"))
    for label, first, last, input_first, input_last in fields:
        cell = ws.cell(row=SIGN_ROW, column=first)
        put_text(cell, label)
        cell.font = label_font
        cell.alignment = Alignment(horizontal="right", vertical="bottom")
        if last > first:
            ws.merge_cells(start_row=SIGN_ROW, start_column=first, end_row=SIGN_ROW, end_column=last)
        for column in range(input_first, input_last + 1):
            space = ws.cell(row=SIGN_ROW, column=column)
            space.border = underline
            space.protection = UNLOCKED
            space.font = Font(name=BODY_FONT, size=11)
            space.alignment = Alignment(horizontal="left", vertical="bottom")
        if input_last > input_first:
            ws.merge_cells(start_row=SIGN_ROW, start_column=input_first, end_row=SIGN_ROW, end_column=input_last)
    ws.row_dimensions[SIGN_ROW].height = 36


def sheet_head(ws, columns, *, title: str, facts: str, notes: str, sign_fields) -> int:
    """Column widths, the title, the facts line (with the binding marks), the sign line, the notes and the header; returns the header's row.

    `columns` are (key, header, width, is_input) tuples; input headers are yellow like their cells.
    """
    last = get_column_letter(len(columns))
    total_width = sum(width for _k, _h, width, _i in columns)
    for index, (_key, _header, width, _input) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    cell = ws.cell(row=1, column=1)
    put_text(cell, title)
    cell.font = Font(name=TITLE_FONT, size=16, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = max(30, text_height(title, total_width, 16))
    cell = ws.cell(row=2, column=1)
    put_text(cell, facts)
    cell.font = Font(name=BODY_FONT, size=11, bold=True)
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = text_height(facts, total_width, 11)
    _sign_line(ws, sign_fields)
    notes_row = SIGN_ROW + 1
    cell = ws.cell(row=notes_row, column=1)
    put_text(cell, notes)
    cell.font = Font(name=BODY_FONT, size=10)
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.row_dimensions[notes_row].height = text_height(notes, total_width)
    for row in (1, 2, notes_row):
        ws.merge_cells(f"A{row}:{last}{row}")

    header_row = notes_row + 1
    for index, (_key, header, _width, is_input) in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=index, value=header)
        cell.font = Font(name=BODY_FONT, size=10, bold=True)
        cell.fill = INPUT_HEADER_FILL if is_input else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
    ws.row_dimensions[header_row].height = max(text_height(header, width) for _key, header, width, _input in columns)
    return header_row


def body_cell(ws, row: int, column: int, value, *, is_input: bool, centred: bool) -> None:
    """A table cell: boxed, top-aligned and wrapped; grey and locked, or yellow and open for input."""
    cell = ws.cell(row=row, column=column)
    put_text(cell, value)
    cell.font = Font(name=BODY_FONT, size=10)
    cell.border = BOX
    cell.alignment = Alignment(horizontal="center" if centred else "left", vertical="top", wrap_text=True)
    cell.fill = INPUT_FILL if is_input else LOCKED_FILL
    if is_input:
        cell.protection = UNLOCKED
