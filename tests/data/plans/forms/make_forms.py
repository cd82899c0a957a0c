"""Build the Word, Excel and PDF files of the forms corpus from the published tables in plans.py.

Run from the repository root: `python -m tests.data.plans.forms.make_forms`.  The files are committed; run this
again only when plans.py changes.  Word tables merge the category column down each group and section rows
across the table, as a 任务分工表 is typed; the Excel 台账 has a title row, a 填报单位 row, section rows merged
across and its progress columns; the PDFs are drawn with reportlab in the machine's embeddable CJK face
(exports.fonts), tables with the same merged cells, text plans as indented paragraphs.
"""

from __future__ import annotations

from pathlib import Path

from tests.data.plans.forms.plans import DOCX, PDF_TABLES, PDF_TEXT, XLSX

HERE = Path(__file__).parent


def _runs(rows: list[list[str]], column: int) -> list[tuple[int, int]]:
    """(first, last) indexes of the task rows that share the same text in `column`, section rows breaking a run."""
    runs, start = [], None
    for index, row in enumerate(rows + [[]]):
        same = start is not None and len(row) > 1 and row[column] == rows[start][column]
        if same:
            continue
        if start is not None and index - 1 > start:
            runs.append((start, index - 1))
        start = index if len(row) > 1 else None
    return runs


def _docx_table(doc, plan: dict, rows: list[list[str]], *, with_header: bool, title_row: bool = False):
    header = plan["header"]
    lead = (1 if title_row else 0) + (1 if with_header else 0)
    table = doc.add_table(rows=lead + len(rows), cols=len(header))
    table.style = "Table Grid"
    if title_row:  # the title typed in the table's first row, merged across
        table.cell(0, 0).merge(table.cell(0, len(header) - 1)).text = plan["title"]
    if with_header:
        for cell, text in zip(table.rows[lead - 1].cells, header):
            cell.text = text
    if "repeat_header_at" in plan:
        from docx.oxml import OxmlElement

        marker = OxmlElement("w:tblHeader")  # Word's 重复标题行 too
        table.rows[0]._tr.get_or_add_trPr().append(marker)
    for r, row in enumerate(rows, start=lead):
        if len(row) == 1:  # a section row, merged across the table
            merged = table.cell(r, 0).merge(table.cell(r, len(header) - 1))
            merged.text = row[0]
            continue
        for c, text in enumerate(row):
            if c not in plan.get("merge_down", []):
                table.cell(r, c).text = text
    for column in plan.get("merge_down", []):
        for first, last in _runs(rows, column):
            table.cell(first + lead, column).merge(table.cell(last + lead, column)).text = rows[first][column]
        for index, row in enumerate(rows):
            if len(row) > 1 and not any(first <= index <= last for first, last in _runs(rows, column)):
                table.cell(index + lead, column).text = row[column]
    return table


def make_docx(plan: dict, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    doc.add_paragraph(plan.get("annex", "附件"))
    if not plan.get("title_in_table"):
        doc.add_paragraph(plan["title"])
    header, rows = plan["header"], list(plan["rows"])
    if "repeat_header_at" in plan:  # the header typed again where the table goes on to the next page
        at = [i for i, row in enumerate(rows) if len(row) > 1][plan["repeat_header_at"] - 1]
        rows.insert(at, list(header))
    split = plan.get("split_at")  # Word's table broken in two by a paragraph: the second part has no header row
    _docx_table(doc, plan, rows[:split] if split else rows, with_header=True, title_row=plan.get("title_in_table", False))
    if split:
        doc.add_paragraph("")
        _docx_table(doc, plan, rows[split:], with_header=False)
    for note in plan.get("notes", []):
        doc.add_paragraph(note)
    doc.save(path)


def make_xlsx(plan: dict, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    if "first_sheet" in plan:  # a 说明 or 汇总 sheet before the task sheet
        ws.title, text = plan["first_sheet"]
        ws.append([text])
        ws = wb.create_sheet("任务清单")
    else:
        ws.title = "台账"
    header, width = plan["header"], len(plan["header"])
    if plan.get("annex"):
        ws.append([plan["annex"]])
    ws.append([plan["title"]])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.append(plan.get("filled_row") or [plan.get("filled_by", "")])
    over = plan.get("header_over")
    if over:  # two header rows: the group's name over its columns, every other header merged down both rows
        top = ws.max_row + 1
        first = [""] * width
        for name, (a, b) in over.items():
            first[a] = name
        spanned = {c for a, b in over.values() for c in range(a, b + 1)}
        for c in range(width):
            if c not in spanned:
                first[c] = header[c]
        ws.append(first)
        ws.append([header[c] if c in spanned else "" for c in range(width)])
        for name, (a, b) in over.items():
            ws.merge_cells(start_row=top, start_column=a + 1, end_row=top, end_column=b + 1)
        for c in range(width):
            if c not in spanned:
                ws.merge_cells(start_row=top, start_column=c + 1, end_row=top + 1, end_column=c + 1)
    else:
        ws.append(header)
    body_start = ws.max_row + 1
    for row in plan["rows"]:
        values = list(row)
        if plan.get("number_cells") and len(row) > 1 and row[0].isdigit():
            values[0] = int(row[0])  # 序号 typed as a number
        for column, typed in plan.get("typed_cells", {}).get(row[0] if len(row) > 1 else None, {}).items():
            values[column] = typed  # a cell the office typed as a date or a number, not as the printed words
        ws.append(values)
        if len(row) == 1:
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    body = list(plan["rows"])
    for column in plan.get("xlsx_merge_down", []):  # the cells merged down, as Word tables have them
        for first_i, last_i in _runs(body, column):
            ws.merge_cells(start_row=body_start + first_i, start_column=column + 1, end_row=body_start + last_i, end_column=column + 1)
    for note in plan.get("notes", []):
        ws.append([note])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    for footer in plan.get("footer", []):  # the form's own 填表人/审核人 line, cells apart
        ws.append(footer)
    wrap = Alignment(wrap_text=True, vertical="center")
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = wrap
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for index, name in enumerate(header):
        letter = get_column_letter(index + 1)
        ws.column_dimensions[letter].width = 40 if any(w in name for w in ("任务", "工作", "内容")) else (2 if not name else 14)
    wb.save(path)


def _styles():
    from reportlab import rl_config
    from reportlab.lib.styles import ParagraphStyle

    rl_config.invariant = 1  # no creation time or random id: the same tables make the same bytes

    from exports.fonts import find_cjk_fonts

    fonts = find_cjk_fonts()
    cell = ParagraphStyle("cell", fontName=fonts.body, fontSize=9, leading=12, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=fonts.body, fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=24)
    title = ParagraphStyle("title", fontName=fonts.body, fontSize=16, leading=24, alignment=1, spaceAfter=12)
    return cell, body, title


def make_pdf_table(plan: dict, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    cell, _body, title = _styles()
    header, rows = plan["header"], plan["rows"]
    data = [[Paragraph(h, cell) for h in header]]
    commands = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for r, row in enumerate(rows, start=1):
        if len(row) == 1:
            data.append([Paragraph(row[0], cell)] + [""] * (len(header) - 1))
            commands.append(("SPAN", (0, r), (-1, r)))
        else:
            data.append([Paragraph(t, cell) if t else "" for t in row])
    for column in plan.get("merge_down", []):
        for first, last in _runs(rows, column):
            for index in range(first + 1, last + 1):
                data[index + 1][column] = ""
            commands.append(("SPAN", (column, first + 1), (column, last + 1)))
    usable = 267 * mm
    wide = [i for i, h in enumerate(header) if any(w in h for w in ("任务", "工作", "内容", "要求", "措施"))]
    narrow = {i: 12 * mm for i, h in enumerate(header) if h in ("序号",)}
    rest = usable - sum(narrow.values())
    share = {i: (3 if i in wide else 1) for i in range(len(header)) if i not in narrow}
    widths = [narrow.get(i) or rest * share[i] / sum(share.values()) for i in range(len(header))]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
                            title=plan["title"], author="", creator="duban tests")
    doc.build([Paragraph(plan["title"], title), table])


def make_pdf_text(plan: dict, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    _cell, body, title = _styles()
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm, bottomMargin=35 * mm,
                            title=plan["title"], author="", creator="duban tests")
    doc.build([Paragraph(plan["title"], title)] + [Paragraph(p, body) for p in plan["paragraphs"]])


def main() -> None:
    for plan in DOCX:
        make_docx(plan, HERE / f"{plan['file']}.docx")
    for plan in XLSX:
        make_xlsx(plan, HERE / f"{plan['file']}.xlsx")
    for plan in PDF_TABLES:
        make_pdf_table(plan, HERE / f"{plan['file']}.pdf")
    for plan in PDF_TEXT:
        make_pdf_text(plan, HERE / f"{plan['file']}.pdf")
    for path in sorted(HERE.iterdir()):
        if path.suffix in (".docx", ".xlsx", ".pdf"):
            print(f"{path.stat().st_size // 1024:>5} KB  {path.name}")


if __name__ == "__main__":
    main()
