"""Task tables read from a Word 任务分工表 and an office's own Excel 台账, as a clerk would hand them in."""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from openpyxl import Workbook

from db.errors import UserError
from exports.plan_tables import MAX_ROWS, read_table_rows
from tests.ledger_state import ledger_fingerprint

# Two groups of a 2024 county 营商环境 plan (the unit names are made up).
WORD_TASKS = [
    ("1", "优化政务服务", "推行“高效办成一件事”，年内实现新生儿出生、企业开办等13个事项集成办理。", "县政务服务中心", "县直有关部门", "12月底前"),
    ("2", "优化政务服务", "深化“一网通办”，依申请政务服务事项网上可办率达到95%以上。", "县政务服务中心、县数据局", "各乡镇（街道）", "6月底前"),
    ("3", "优化政务服务", "推进政务服务“跨省通办”，新增高频事项10项以上。", "县政务服务中心", "县市场监管局、县人社局", "持续推进"),
    ("4", "强化要素保障", "开展“标准地”出让，新增工业用地“标准地”出让比例达到100%。", "县自然资源局", "县发展改革局、县工信局", "年底前"),
    ("5", "强化要素保障", "落实水电气网联合报装，办理时限压缩至5个工作日以内。", "县住建局", "国网县供电公司、县水务公司", "9月底前"),
]


def _word_plan(path, tasks=WORD_TASKS):
    """序号 | 类别 (merged down the rows of a group) | 重点任务 | 牵头单位 | 责任单位 | 完成时限, with a title paragraph above."""
    doc = Document()
    doc.sections[0].orientation = WD_ORIENT.LANDSCAPE
    doc.add_paragraph("附件")
    doc.add_paragraph("2024年优化营商环境重点任务分工表")
    table = doc.add_table(rows=1 + len(tasks), cols=6)
    for cell, text in zip(table.rows[0].cells, ("序号", "类别", "重点任务", "牵头单位", "责任单位", "完成时限")):
        cell.text = text
    for r, task in enumerate(tasks, start=1):
        for c, text in enumerate(task):
            if c != 1:
                table.cell(r, c).text = text
    start = 1
    for r in range(2, len(tasks) + 2):  # merge each run of the same 类别 down its rows
        if r == len(tasks) + 1 or tasks[r - 1][1] != tasks[start - 1][1]:
            merged = table.cell(start, 1).merge(table.cell(r - 1, 1))
            merged.text = tasks[start - 1][1]
            start = r
    doc.save(path)
    return path


LEDGER_SECTIONS = [
    (
        "一、优化政务服务",
        [
            (
                "1",
                "高效办成一件事",
                "年内实现新生儿出生、企业开办等13个事项集成办理",
                "区政务服务中心",
                "区卫健委、区市场监管局",
                "2024年12月",
                "已完成8个事项",
                "",
            ),
            ("2", "一网通办", "依申请政务服务事项网上可办率达到95%以上", "区政务服务中心", "区直各部门", "6月底前", "达到93%", "需加快"),
        ],
    ),
    (
        "二、强化要素保障",
        [
            ("3", "用水用气报装", "水电气网联合报装，办理时限压缩至5个工作日以内", "区住建局", "区水务公司", "上半年", "", ""),
        ],
    ),
]
LEDGER_HEADER = ("序号", "任务名称", "具体内容", "牵头单位", "配合单位", "完成时限", "进展情况", "备注")


def _excel_ledger(path, *, sheet="台账"):
    """A title row and a 填报单位 row, then the header, with section rows merged across all eight columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["2024年优化营商环境重点任务推进台账"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位：区发展改革局", None, None, None, None, "填报时间：2024年7月5日"])
    ws.append(list(LEDGER_HEADER))
    for section, rows in LEDGER_SECTIONS:
        ws.append([section])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=8)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def test_word_table_reads_every_task_with_its_merged_category(tmp_path):
    read = read_table_rows(_word_plan(tmp_path / "分工表.docx"))
    assert read.problems == []
    assert [(r.number, r.category, r.title, r.lead, r.responsible, r.deadline) for r in read.rows] == [
        (n, cat, task, lead, resp, due) for n, cat, task, lead, resp, due in WORD_TASKS
    ]
    assert all(r.source == "表格1" for r in read.rows)
    assert [r.row for r in read.rows] == [2, 3, 4, 5, 6]
    assert [r.where for r in read.rows][0] == "表格1第2行"
    (layout,) = read.layouts
    assert layout.header_row == 1
    assert layout.mapping == {"序号": "number", "类别": "category", "重点任务": "title", "牵头单位": "lead", "责任单位": "responsible", "完成时限": "deadline"}


def test_word_row_merged_across_is_a_group_not_a_task_and_its_text_is_not_copied_into_other_columns(tmp_path):
    doc = Document()
    table = doc.add_table(rows=5, cols=4)
    for cell, text in zip(table.rows[0].cells, ("序号", "工作任务", "牵头单位", "完成时间")):
        cell.text = text
    heading = table.cell(1, 0).merge(table.cell(1, 3))
    heading.text = "一、提升监管效能"
    for r, row in (
        (2, ("1", "推行“综合查一次”联合执法，跨部门联合检查占比达到30%", "县司法局", "年底前")),
        (4, ("2", "全面推行包容审慎监管", "县市场监管局", "长期坚持")),
    ):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    heading2 = table.cell(3, 0).merge(table.cell(3, 3))
    heading2.text = "二、加强法治保障"
    # a task whose lead spans two columns: the merged text must stay in 牵头单位, not also become its deadline
    table.cell(4, 2).merge(table.cell(4, 3))
    table.cell(4, 2).text = "县市场监管局"
    path = tmp_path / "表.docx"
    doc.save(path)
    read = read_table_rows(path)
    assert [(r.group, r.number, r.title, r.lead, r.deadline) for r in read.rows] == [
        ("一、提升监管效能", "1", "推行“综合查一次”联合执法，跨部门联合检查占比达到30%", "县司法局", "年底前"),
        ("二、加强法治保障", "2", "全面推行包容审慎监管", "县市场监管局", ""),
    ]


def test_excel_ledger_skips_title_and_filler_rows_reads_sections_as_groups_and_ignores_progress(tmp_path):
    read = read_table_rows(_excel_ledger(tmp_path / "台账.xlsx"))
    assert read.problems == []
    expected = [
        (section, n, title, content, lead, support, due)
        for section, rows in LEDGER_SECTIONS
        for n, title, content, lead, support, due, _progress, _note in rows
    ]
    got = [(r.group, r.number, r.title, r.content, r.lead, r.support, r.deadline) for r in read.rows]
    assert got == expected
    assert [r.row for r in read.rows] == [5, 6, 8]
    assert all(r.responsible == "" and r.category == "" for r in read.rows)
    assert read.rows[0].task_text == "高效办成一件事：年内实现新生儿出生、企业开办等13个事项集成办理"
    (layout,) = read.layouts
    assert layout.source == "工作表“台账”"
    assert layout.header_row == 3
    assert layout.mapping == {
        "序号": "number",
        "任务名称": "title",
        "具体内容": "content",
        "牵头单位": "lead",
        "配合单位": "support",
        "完成时限": "deadline",
        "进展情况": "ignore",
        "备注": "ignore",
    }
    assert not any("已完成8个事项" in str(vars(r)) or "需加快" in str(vars(r)) for r in read.rows)


def test_excel_category_merged_down_applies_to_every_row_of_its_group(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "领域", "工作措施", "责任单位", "时间节点"])
    ws.append(["1", "市场准入", "全面实施市场准入负面清单制度", "市发展改革委", "持续推进"])
    ws.append(["2", None, "开展违背市场准入负面清单案例归集", "市市场监管局", "每季度"])
    ws.append(["3", "政务服务", "推进电子证照扩大应用", "市数据局", "10月底前"])
    ws.merge_cells("B2:B3")
    path = tmp_path / "措施.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    assert [(r.category, r.content, r.responsible, r.deadline) for r in read.rows] == [
        ("市场准入", "全面实施市场准入负面清单制度", "市发展改革委", "持续推进"),
        ("市场准入", "开展违背市场准入负面清单案例归集", "市市场监管局", "每季度"),
        ("政务服务", "推进电子证照扩大应用", "市数据局", "10月底前"),
    ]
    assert read.layouts[0].mapping["工作措施"] == "content"


def test_a_row_without_task_text_is_a_problem_naming_file_sheet_and_row(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "任务"
    ws.append(["序号", "重点任务", "牵头单位", "完成时限"])
    ws.append(["1", "推行“证照分离”改革全覆盖", "市市场监管局", "年底前"])
    ws.append(["2", None, "市商务局", "6月底前"])
    path = tmp_path / "缺内容.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    assert [r.number for r in read.rows] == ["1"]
    (problem,) = read.problems
    assert problem.row == 3
    assert problem.message == "文件 缺内容.xlsx 工作表“任务”第3行没有任务内容，未读取。"


def test_a_sheet_without_a_header_row_is_reported_not_guessed(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["本表由各单位于每月5日前报送。"])
    ws.append(["联系人：张三"])
    path = tmp_path / "说明.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    assert read.rows == []
    assert len(read.problems) == 1
    assert "说明.xlsx" in read.problems[0].message and "工作表“说明”" in read.problems[0].message
    assert "没有找到表头行" in read.problems[0].message


def test_mapping_override_changes_what_a_column_is_read_as(tmp_path):
    path = _excel_ledger(tmp_path / "台账.xlsx")
    # the clerk says 配合单位 here means the units responsible, and 具体内容 is not to be read
    read = read_table_rows(path, mapping={"配合单位": "责任单位", "具体内容": "ignore"})
    assert [(r.content, r.responsible, r.support) for r in read.rows][0] == ("", "区卫健委、区市场监管局", "")
    assert read.layouts[0].mapping["配合单位"] == "responsible"
    assert read.layouts[0].mapping["具体内容"] == "ignore"
    with pytest.raises(UserError, match="列“备注”的用途“进展”无法识别"):
        read_table_rows(path, mapping={"备注": "进展"})


def test_mapping_override_can_name_a_header_the_reader_does_not_know(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["编码", "事由", "承担处室", "截止日期"])
    ws.append(["A-1", "推行企业登记全程电子化", "市市场监管局", "2024年9月"])
    path = tmp_path / "事由.xlsx"
    wb.save(path)
    assert read_table_rows(path).rows == []
    read = read_table_rows(path, mapping={"事由": "title", "承担处室": "lead", "截止日期": "deadline", "编码": "number"})
    assert [(r.number, r.title, r.lead, r.deadline) for r in read.rows] == [("A-1", "推行企业登记全程电子化", "市市场监管局", "2024年9月")]


def test_formula_text_is_read_as_text_and_never_run(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "重点任务", "牵头单位", "完成时限"])
    ws.append(["1", '=HYPERLINK("http://x","点击")', "市商务局", "年底前"])
    ws.append(["2", "推进外贸新业态发展", "=A1", "-3月底前"])
    path = tmp_path / "公式.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    # a formula has no cached value (nothing computed it): the row has no task text and is reported, not evaluated
    assert [(r.number, r.title, r.lead, r.deadline) for r in read.rows] == [("2", "推进外贸新业态发展", "", "-3月底前")]
    assert "第2行没有任务内容" in read.problems[0].message


def test_not_a_zip_is_refused_in_chinese(tmp_path):
    for name in ("假.xlsx", "假.docx"):
        path = tmp_path / name
        path.write_text("这不是压缩包", encoding="utf-8")
        with pytest.raises(UserError, match=f"文件 {name} 不是有效的"):
            read_table_rows(path)


def test_docx_without_a_document_part_is_refused(tmp_path):
    path = tmp_path / "空.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "x")
    with pytest.raises(UserError, match="文件 空.docx 不是 Word 文档"):
        read_table_rows(path)


def test_old_formats_ask_to_save_as_new(tmp_path):
    for name, fmt in (("计划.xls", ".xlsx"), ("计划.doc", ".docx"), ("计划.wps", ".docx")):
        path = tmp_path / name
        path.write_bytes(b"\xd0\xcf\x11\xe0")
        with pytest.raises(UserError, match=f"另存为 {fmt}"):
            read_table_rows(path)


def test_huge_declared_dimension_is_read_quickly_and_too_many_rows_are_refused(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "重点任务", "牵头单位", "完成时限"])
    ws.append(["1", "优化跨境贸易", "市商务局", "年底前"])
    path = tmp_path / "大.xlsx"
    wb.save(path)
    # the sheet claims a million rows and 16384 columns; only what is really there is read
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b'<dimension ref="A1:D2"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert b"XFD1048576" in parts[sheet]
    lied = tmp_path / "谎报.xlsx"
    with zipfile.ZipFile(lied, "w", zipfile.ZIP_DEFLATED) as dst:
        for n, data in parts.items():
            dst.writestr(n, data)
    assert [r.title for r in read_table_rows(lied).rows] == ["优化跨境贸易"]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("超长")
    ws.append(["序号", "重点任务", "牵头单位", "完成时限"])
    for i in range(MAX_ROWS + 1):
        ws.append([i, "任务", "单位", "年底前"])
    long_path = tmp_path / "超长.xlsx"
    wb.save(long_path)
    with pytest.raises(UserError, match=f"文件 超长.xlsx 工作表“超长”超过 {MAX_ROWS} 行"):
        read_table_rows(long_path)


def test_overlong_cell_is_refused_naming_row_and_column(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append(["序号", "重点任务", "牵头单位", "完成时限"])
    ws.append(["1", "长" * 6000, "市商务局", "年底前"])
    path = tmp_path / "长.xlsx"
    wb.save(path)
    with pytest.raises(UserError, match="文件 长.xlsx 工作表“表”第2行第2列的文字过长"):
        read_table_rows(path)


def test_every_sheet_is_read_each_with_its_own_mapping(tmp_path):
    path = _excel_ledger(tmp_path / "两表.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.create_sheet("市级任务")
    ws.append(["序号", "重点工作", "责任单位", "完成时间"])
    ws.append(["1", "建设营商环境监测点", "市发展改革委", "11月底前"])
    wb.save(path)
    read = read_table_rows(path)
    assert [(r.source, r.title) for r in read.rows][-1] == ("工作表“市级任务”", "建设营商环境监测点")
    assert len(read.rows) == 4
    assert [layout.header_row for layout in read.layouts] == [3, 1]


def test_two_row_header_splits_responsibility_into_lead_and_support(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "分工"
    ws.append(["序号", "重点任务", "责任单位", None, "完成时限"])
    ws.append([None, None, "牵头单位", "配合单位", None])
    ws.merge_cells("C1:D1")
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("E1:E2")
    ws.append(["1", "深化工程建设项目审批制度改革", "市住建局", "市自然资源局、市发展改革委", "年底前"])
    path = tmp_path / "双层表头.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    assert read.problems == []
    assert [(r.number, r.title, r.lead, r.support, r.responsible, r.deadline) for r in read.rows] == [
        ("1", "深化工程建设项目审批制度改革", "市住建局", "市自然资源局、市发展改革委", "", "年底前")
    ]
    assert read.rows[0].row == 3
    assert read.layouts[0].mapping == {"序号": "number", "重点任务": "title", "牵头单位": "lead", "配合单位": "support", "完成时限": "deadline"}


def test_word_table_split_across_pages_continues_with_the_first_tables_columns_and_group(tmp_path):
    doc = Document()
    first = doc.add_table(rows=3, cols=4)
    for cell, text in zip(first.rows[0].cells, ("序号", "重点任务", "牵头单位", "完成时限")):
        cell.text = text
    first.cell(1, 0).merge(first.cell(1, 3)).text = "一、优化创新环境"
    for c, text in enumerate(("1", "建立科技成果转化“绿色通道”", "市科技局", "9月底前")):
        first.cell(2, c).text = text
    doc.add_paragraph("")  # what splits a table when it is pasted page by page
    second = doc.add_table(rows=2, cols=4)
    for c, text in enumerate(("2", "落实研发费用加计扣除政策", "市税务局", "长期坚持")):
        second.cell(0, c).text = text
    second.cell(1, 0).merge(second.cell(1, 3)).text = "以下空白"
    other = doc.add_table(rows=1, cols=2)  # a signature block: not a continuation (other width), no header
    other.cell(0, 0).text = "审核人："
    path = tmp_path / "分页.docx"
    doc.save(path)
    read = read_table_rows(path)
    assert [(r.source, r.row, r.group, r.number, r.title, r.lead, r.deadline) for r in read.rows] == [
        ("表格1", 3, "一、优化创新环境", "1", "建立科技成果转化“绿色通道”", "市科技局", "9月底前"),
        ("表格2", 1, "一、优化创新环境", "2", "落实研发费用加计扣除政策", "市税务局", "长期坚持"),
    ]
    assert read.layouts[1].continues == "表格1"
    assert ["表格3" in p.message and "没有找到表头行" in p.message for p in read.problems] == [True]


def test_section_text_in_the_number_column_without_a_merge_is_a_group_and_dates_read_as_printed(tmp_path):
    import datetime as dt

    wb = Workbook()
    ws = wb.active
    ws.append(["序  号", "工作\n任务", "牵头\n单位", "完成\n时间"])
    ws.append(["（一）", "深化“放管服”改革", None, None])
    ws.append(["一", None, None, None])
    ws.append([1, "推行涉企经营许可事项清单管理", "市审批局", dt.datetime(2024, 6, 30)])
    ws.append([2.0, "开展“减证便民”行动", "市司法局", "2024年全年"])
    path = tmp_path / "日期.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    # "（一）" in 序号 with a heading and nothing else is a section; so is a lone "一"
    assert [(r.group, r.number, r.title, r.lead, r.deadline) for r in read.rows] == [
        ("一", "1", "推行涉企经营许可事项清单管理", "市审批局", "2024年6月30日"),
        ("一", "2", "开展“减证便民”行动", "市司法局", "2024年全年"),
    ]
    assert read.layouts[0].mapping == {"序  号": "number", "工作\n任务": "title", "牵头\n单位": "lead", "完成\n时间": "deadline"}


def test_a_numbered_task_without_units_is_still_a_task_for_the_preview_to_flag(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "主要任务", "责任单位", "完成时限"])
    ws.append(["（一）", "深化“放管服”改革", None, None])
    ws.append(["1", "推行涉企经营许可事项清单管理", None, None])
    path = tmp_path / "无单位.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    assert [(r.group, r.number, r.title, r.responsible) for r in read.rows] == [("（一）深化“放管服”改革", "1", "推行涉企经营许可事项清单管理", "")]


def test_a_hidden_sheet_is_not_read_and_is_named(tmp_path):
    path = _excel_ledger(tmp_path / "隐藏.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.create_sheet("旧任务")
    ws.append(["序号", "重点任务", "牵头单位", "完成时限"])
    ws.append(["1", "去年已完成的任务", "市商务局", "2023年底前"])
    ws.sheet_state = "hidden"
    wb.save(path)
    read = read_table_rows(path)
    assert len(read.rows) == 3
    assert "去年已完成的任务" not in [r.title for r in read.rows]
    assert [p.message for p in read.problems] == ["文件 隐藏.xlsx 工作表“旧任务”已隐藏，未读取；如需导入，请在 Excel 中取消隐藏后再导入。"]


def test_two_column_word_table_is_read_and_an_indicator_table_is_not_taken_for_tasks(tmp_path):
    doc = Document()
    indicators = doc.add_table(rows=2, cols=3)
    for cell, text in zip(indicators.rows[0].cells, ("指标", "目标值", "责任单位")):
        cell.text = text
    for cell, text in zip(indicators.rows[1].cells, ("企业开办时间", "1个工作日", "市市场监管局")):
        cell.text = text
    tasks = doc.add_table(rows=2, cols=2)
    for cell, text in zip(tasks.rows[0].cells, ("工作任务", "责任单位")):
        cell.text = text
    for cell, text in zip(tasks.rows[1].cells, ("推行企业开办“一日办结”", "市市场监管局")):
        cell.text = text
    path = tmp_path / "两列.docx"
    doc.save(path)
    read = read_table_rows(path)
    assert [(r.source, r.title, r.responsible) for r in read.rows] == [("表格2", "推行企业开办“一日办结”", "市市场监管局")]
    assert [p.source for p in read.problems] == ["表格1"]
    assert [layout.header_row for layout in read.layouts] == [None, 1]


# --- PDF ---------------------------------------------------------------------------------------------------


def _pdf_table(path, rows, *, header=("序号", "类别", "重点任务", "牵头单位", "责任单位", "完成时限"), merge_down=(1,)):
    """A 任务分工表 drawn as a PDF (reportlab, the machine's CJK face), 类别 merged down, section rows across."""
    from tests.data.plans.forms.make_forms import make_pdf_table

    make_pdf_table({"title": "2024年优化营商环境重点任务分工表", "header": list(header), "rows": [list(r) for r in rows], "merge_down": list(merge_down)}, path)
    return path


def test_pdf_table_reads_like_the_word_table_with_category_merged_down(tmp_path):
    read = read_table_rows(_pdf_table(tmp_path / "分工表.pdf", WORD_TASKS))
    assert read.problems == []
    assert [(r.number, r.category, r.title, r.lead, r.responsible, r.deadline) for r in read.rows] == [tuple(t) for t in WORD_TASKS]
    assert read.rows[0].where == "第1页表格1第2行"


def test_pdf_section_rows_across_the_table_are_groups(tmp_path):
    rows = [["一、优化政务服务"], ["1", "推行“高效办成一件事”", "县政务服务中心", "县直有关部门", "12月底前"], ["二、强化要素保障"], ["2", "开展“标准地”出让", "县自然资源局", "", "年底前"]]
    read = read_table_rows(_pdf_table(tmp_path / "表.pdf", rows, header=("序号", "重点任务", "牵头单位", "责任单位", "完成时限"), merge_down=()))
    assert [(r.group, r.title, r.lead, r.deadline) for r in read.rows] == [
        ("一、优化政务服务", "推行“高效办成一件事”", "县政务服务中心", "12月底前"),
        ("二、强化要素保障", "开展“标准地”出让", "县自然资源局", "年底前"),
    ]


def test_pdf_table_running_over_pages_continues_without_a_repeated_header(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from tests.data.plans.forms.make_forms import _styles

    cell, _body, _title = _styles()
    rows = [["序号", "重点任务", "牵头单位", "完成时限"]] + [[str(i), f"第{i}项任务，推进政务服务事项网上办理", "县政务服务中心", "年底前"] for i in range(1, 61)]
    data = [[Paragraph(text, cell) for text in row] for row in rows]
    path = tmp_path / "长表.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([Table(data, style=[("GRID", (0, 0), (-1, -1), 0.5, "black")])])
    read = read_table_rows(path)
    assert len({r.source for r in read.rows}) >= 2  # the table ran onto another page
    assert [r.number for r in read.rows] == [str(i) for i in range(1, 61)]
    assert read.layouts[1].continues == read.layouts[0].source


def test_pdf_without_a_text_layer_asks_for_the_word_version(tmp_path):
    from reportlab.pdfgen import canvas

    from db.errors import UserError
    from exports.plan_reading import read_plan_document

    path = tmp_path / "扫描件.pdf"
    c = canvas.Canvas(str(path))
    for _ in range(2):  # what a scanner makes: pictures (here, shapes), no characters
        c.rect(50, 50, 400, 600, fill=1)
        c.showPage()
    c.save()
    with pytest.raises(UserError) as caught:
        read_plan_document(path)
    assert "扫描件.pdf" in caught.value.message and "没有文字层" in caught.value.message and "Word" in caught.value.message


@pytest.mark.parametrize(
    "damage",
    [
        lambda good: good[: len(good) // 3],  # cut off mid-file
        lambda good: b"%PDF-1.4\n" + bytes(range(256)) * 40,  # a header and garbage
        lambda good: good.replace(b"/Type /Page", b"/Type /Pxge"),  # pages that are no pages
    ],
)
def test_damaged_pdf_is_a_user_error_naming_the_file(tmp_path, damage):
    from db.errors import UserError
    from exports.plan_reading import read_plan_document

    good = _pdf_table(tmp_path / "good.pdf", WORD_TASKS).read_bytes()
    path = tmp_path / "坏的计划.pdf"
    path.write_bytes(damage(good))
    with pytest.raises(UserError) as caught:
        read_plan_document(path)
    assert "坏的计划.pdf" in caught.value.message


def test_not_a_pdf_and_oversized_and_too_many_pages_are_refused(tmp_path, monkeypatch):
    from db.errors import UserError
    from exports import plan_pdf
    from exports.plan_reading import read_plan_document

    fake = tmp_path / "计划.pdf"
    fake.write_bytes(b"PK\x03\x04 a zip renamed")
    with pytest.raises(UserError, match="计划.pdf 不是 PDF"):
        read_plan_document(fake)
    path = _pdf_table(tmp_path / "分工表.pdf", WORD_TASKS)
    monkeypatch.setattr(plan_pdf, "MAX_PDF_BYTES", path.stat().st_size - 1)
    with pytest.raises(UserError, match="分工表.pdf 超过"):
        read_plan_document(path)
    monkeypatch.setattr(plan_pdf, "MAX_PDF_BYTES", 10**9)
    monkeypatch.setattr(plan_pdf, "MAX_PAGES", 0)
    with pytest.raises(UserError, match="分工表.pdf 有 1 页"):
        read_plan_document(path)
    monkeypatch.setattr(plan_pdf, "MAX_PAGES", 300)
    monkeypatch.setattr(plan_pdf, "MAX_SECONDS", -1)  # a file that takes longer to read than the budget
    with pytest.raises(UserError, match="分工表.pdf 过于复杂"):
        read_plan_document(path)
    monkeypatch.setattr(plan_pdf, "MAX_SECONDS", 120)
    monkeypatch.setattr(plan_pdf, "MAX_PAGE_CHARS", 50)
    with pytest.raises(UserError, match="分工表.pdf 第1页的文字过多"):
        read_plan_document(path)


def test_pdf_plan_text_goes_to_the_text_reader_with_source_lines(tmp_path):
    from exports.plan_reading import read_plan_document
    from tests.data.plans.forms.make_forms import make_pdf_text

    paragraph = "1.全面实施行政许可事项清单管理。依据国家和省行政许可事项清单,2022年10月底前编制并公布市、县两级行政许可事项清单,将依法设定的行政许可事项全部纳入清单管理,清单之外一律不得违法实施行政许可。(市政府办公室牵头,市级各有关部门按职责分工负责)"
    path = tmp_path / "2022年工作要点.pdf"
    make_pdf_text({"title": "2022年工作要点", "paragraphs": ["一、推动审批全链条优化", paragraph]}, path)
    reading = read_plan_document(path)
    assert reading.form == "text"
    (task,) = reading.draft.tasks
    first, last = reading.spans[task.code]
    assert reading.source_lines[first - 1] == paragraph  # the lines the PDF wrapped are one paragraph again
    assert [n for n, role in task.units if role == "牵头"] == ["市政府办公室"]


def test_import_plan_dry_run_reads_a_pdf_and_writes_nothing(run_cli, ledger, tmp_path):
    import json

    path = _pdf_table(tmp_path / "2024年重点任务分工表.pdf", WORD_TASKS)
    before = ledger_fingerprint(ledger)
    code, out, err = run_cli("import-plan", str(path), "--dry-run", "--json")
    assert code == 0, err
    assert ledger_fingerprint(ledger) == before
    tasks = json.loads(out)["tasks"]
    assert [t["lead"] for t in tasks] == [lead.split("、") for _n, _c, _t, lead, _r, _d in WORD_TASKS]
    assert tasks[0]["due"] == "2024-12-31" and tasks[0]["section"] == "优化政务服务"


# --- Remembered column mappings ----------------------------------------------------------------------------


def _own_ledger(path):
    """An office's own 台账 whose header names duban does not know: 事由 | 经办科室 | 办结时间."""
    wb = Workbook()
    ws = wb.active
    ws.append(["2024年重点工作台账"])
    ws.append(["序号", "事由", "经办科室", "办结时间", "进展"])
    ws.append(["1", "推行“高效办成一件事”，年内实现13个事项集成办理", "政务服务科", "12月底前", "已完成8项"])
    ws.append(["2", "依申请政务服务事项网上可办率达到95%以上", "信息科", "6月底前", ""])
    wb.save(path)
    return path


def test_a_remembered_mapping_reads_a_header_duban_does_not_know(ledger, tmp_path):
    from db.settings import mapping_lookup, remember_mapping
    from exports.plan_reading import read_plan_document

    path = _own_ledger(tmp_path / "2024年台账.xlsx")
    assert read_plan_document(path).draft.tasks == []  # no header row it can recognise
    headers = ("序号", "事由", "经办科室", "办结时间", "进展")
    with ledger.Session.begin() as s:
        remember_mapping(s, headers, {"事由": "任务名称", "经办科室": "牵头单位", "进展": "不读取"}, operator="测试")
    with ledger.Session() as s:
        lookup = mapping_lookup(s)
    reading = read_plan_document(path, remembered=lookup)  # the session is closed: the lookup needs none
    assert [(t.title[:8], [n for n, r in t.units if r == "牵头"], t.deadline_text) for t in reading.draft.tasks] == [
        ("推行“高效办成一", ["政务服务科"], "12月底前"),
        ("依申请政务服务事", ["信息科"], "6月底前"),
    ]
    (layout,) = reading.layouts
    assert layout.remembered and layout.headers == headers
    assert layout.mapping["经办科室"] == "lead"
    # what the clerk says now wins over what was remembered
    again = read_plan_document(path, remembered=lookup, mapping={"经办科室": "配合单位"})
    assert [n for n, r in again.draft.tasks[0].units if r == "配合"] == ["政务服务科"]


def test_remembering_a_mapping_checks_it_is_audited_and_an_empty_one_forgets(ledger):
    from sqlalchemy import select

    from db.errors import UserError
    from db.models import AuditLog
    from db.settings import remember_mapping, remembered_mapping

    headers = ["序号", " 工作 举措 ", "主办科室"]
    with ledger.Session.begin() as s:
        with pytest.raises(UserError, match="用途“负责人”无法识别"):
            remember_mapping(s, headers, {"工作举措": "负责人"})
        with pytest.raises(UserError, match="不在这张表的表头中"):
            remember_mapping(s, headers, {"任务": "任务名称"})
        remember_mapping(s, headers, {"工作举措": "title"}, operator="张三")
    with ledger.Session() as s:
        assert remembered_mapping(s, ("序号", "工作举措", "主办科室")) == {"工作举措": "title"}
        assert remembered_mapping(s, ("序号", "工作举措")) is None  # another header is another table
        actions = [a.action for a in s.scalars(select(AuditLog).where(AuditLog.action == "settings.column_mapping"))]
    assert actions == ["settings.column_mapping"]
    with ledger.Session.begin() as s:
        remember_mapping(s, headers, {})
    with ledger.Session() as s:
        assert remembered_mapping(s, headers) is None


def test_import_plan_map_reads_with_the_mapping_and_remembers_it_only_when_importing(run_cli, ledger, tmp_path):
    import json

    path = _own_ledger(tmp_path / "2024年台账.xlsx")
    before = ledger_fingerprint(ledger)
    code, out, err = run_cli("import-plan", str(path), "--dry-run", "--json", "--map", "事由=任务名称", "--map", "经办科室=牵头单位")
    assert code == 0, err
    assert [t["lead"] for t in json.loads(out)["tasks"]] == [["政务服务科"], ["信息科"]]
    assert ledger_fingerprint(ledger) == before  # a dry run remembers nothing
    code, out, err = run_cli("import-plan", str(path), "--dry-run", "--json")
    assert json.loads(out)["tasks"] == []
    code, out, err = run_cli("import-plan", str(path), "--keep-current", "--map", "事由=任务名称", "--map", "经办科室=牵头单位")
    assert code == 0, err
    assert "已记住表头" in err
    code, out, err = run_cli("import-plan", str(path), "--dry-run", "--json")  # next time, no --map needed
    assert [t["lead"] for t in json.loads(out)["tasks"]] == [["政务服务科"], ["信息科"]]
    code, out, err = run_cli("import-plan", str(path), "--dry-run", "--map", "事由")
    assert code != 0 and "列名=用途" in err
    code, out, err = run_cli("import-plan", str(path), "--dry-run", "--map", "工作措施=任务名称")
    assert code == 0 and "“工作措施”不在 2024年台账.xlsx 任何表格的表头中" in err


# --- Layouts met in held-out real tables (tests/data/plans/forms, round wt14-tables2) -------------------------


def test_a_word_header_row_typed_again_on_the_next_page_is_not_a_task(tmp_path):
    """Offices copy the header row where a long table goes on to the next page, as well as ticking 重复标题行."""
    doc = Document()
    table = doc.add_table(rows=5, cols=4)
    rows = [
        ("序号", "工作任务", "牵头单位", "完成时限"),
        ("1", "推行企业登记全程电子化。", "县市场监管局", "6月底前"),
        (" 序 号", "工作任务", "牵头单位", "完成时限"),  # typed again, spaces and all
        ("2", "压缩工程建设项目审批时限。", "县住建局", "年底前"),
        ("3", "推进不动产登记一窗办理。", "县自然资源局", "9月底前"),
    ]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    path = tmp_path / "分工表.docx"
    doc.save(path)
    read = read_table_rows(path)
    assert [(r.number, r.lead) for r in read.rows] == [("1", "县市场监管局"), ("2", "县住建局"), ("3", "县自然资源局")]
    assert read.problems == []


def test_units_typed_one_a_line_in_a_cell_are_separate_units(tmp_path):
    """区发改委⏎区工信局 in one Word cell, or with Alt+Enter in Excel, is two units, not 区发改委区工信局."""
    from exports.plan_reading import read_plan_document

    doc = Document()
    table = doc.add_table(rows=2, cols=4)
    for c, text in enumerate(("序号", "工作任务", "牵头单位", "责任单位")):
        table.cell(0, c).text = text
    for c, text in enumerate(("1", "培育高质量发展引擎。", "区发改委\n区工信局", "区政府各相关部门、\n各街道")):
        table.cell(1, c).text = text
    word = tmp_path / "分工表.docx"
    doc.save(word)
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "工作任务", "牵头单位", "责任单位"])
    ws.append([1, "培育高质量发展引擎。", "区发改委\n区工信局", "区政府各相关部门、\n各街道"])
    excel = tmp_path / "台账.xlsx"
    wb.save(excel)
    for path in (word, excel):
        (task,) = read_plan_document(path).draft.tasks
        assert task.unit_pairs() == [("区发改委", "牵头"), ("区工信局", "牵头"), ("区政府各相关部门", "负责"), ("各街道", "负责")], path.name


def test_the_forms_signature_line_and_a_note_under_the_table_are_not_tasks(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["2024年重点任务台账"])
    ws.append(["序号", "重点领域", "工作任务", "责任单位", "完成时限"])
    ws.append([1, "政务服务", "推行企业登记全程电子化。", "县市场监管局", "6月底前"])
    ws.append([None, None, "注：完成时限为“持续推进”的，每季度报送进展。"])
    ws.append(["填表人：", None, "审核人：", None, "联系电话："])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    assert [r.title for r in read.rows] == ["推行企业登记全程电子化。"]
    assert read.problems == []


def test_a_header_saying_the_first_unit_leads_makes_it_the_lead(tmp_path):
    """杭州's 责任分解: 列第一位的责任单位为牵头单位, often said in the header of the 责任单位 column itself."""
    from exports.plan_reading import read_plan_document

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "重点工作", "责任单位（列第一位的为牵头单位）", "完成时限"])
    ws.append([1, "推行企业登记全程电子化。", "县市场监管局、县税务局，各乡镇（街道）", "6月底前"])
    ws.append([2, "开展营商环境评价。", "县发改局", "年底前"])
    path = tmp_path / "分解.xlsx"
    wb.save(path)
    tasks = read_plan_document(path).draft.tasks
    assert [[n for n, r in t.unit_pairs() if r == "牵头"] for t in tasks] == [["县市场监管局"], ["县发改局"]]
    assert [n for n, _r in tasks[0].unit_pairs()] == ["县市场监管局", "县税务局", "各乡镇（街道）"]
    # without the note, a 责任单位 column names no lead
    ws.cell(row=1, column=3).value = "责任单位"
    wb.save(path)
    assert all(not [n for n, r in t.unit_pairs() if r == "牵头"] for t in read_plan_document(path).draft.tasks)


def test_a_bracket_in_a_unit_cell_saying_the_first_unit_leads_holds_for_the_rows_after_it_when_it_says_so(tmp_path):
    """湖州's 责任分解 says it once, in the first 责任单位 cell: （列第一位的为工作牵头单位或汇总单位，下同）."""
    from exports.plan_reading import read_plan_document

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "重点工作", "责任单位", "推进情况"])
    ws.append([1, "推行企业登记全程电子化。", "县市场监管局、县税务局（列第一位的为工作牵头单位或汇总单位，下同）", ""])
    ws.append([2, "开展营商环境评价。", "县发改局、县统计局", ""])
    path = tmp_path / "分解.xlsx"
    wb.save(path)
    tasks = read_plan_document(path).draft.tasks
    assert [[n for n, r in t.unit_pairs() if r == "牵头"] for t in tasks] == [["县市场监管局"], ["县发改局"]]
    assert [n for n, _r in tasks[0].unit_pairs()] == ["县市场监管局", "县税务局"]  # the note is not a unit
    # without 下同 the bracket speaks for its own row only
    ws.cell(row=2, column=3).value = "县市场监管局、县税务局（列第一位的为牵头单位）"
    wb.save(path)
    tasks = read_plan_document(path).draft.tasks
    assert [[n for n, r in t.unit_pairs() if r == "牵头"] for t in tasks] == [["县市场监管局"], []]
    # beside a 牵头单位 column the note says nothing new, and is still not read as a unit
    ws.insert_cols(3)
    ws.cell(row=1, column=3).value = "牵头单位"
    ws.cell(row=2, column=3).value = "县政务服务中心"
    wb.save(path)
    tasks = read_plan_document(path).draft.tasks
    assert [n for n, _r in tasks[0].unit_pairs()] == ["县政务服务中心", "县市场监管局", "县税务局"]
    assert [[n for n, r in t.unit_pairs() if r == "牵头"] for t in tasks] == [["县政务服务中心"], []]


def test_a_section_row_naming_the_leader_who_leads_it_is_a_group_not_a_second_header_row(tmp_path):
    """嵊泗's 责任分解: "一、杨松县长牵头重点工作" right under the header holds 牵头 but is a section, not 牵头单位."""
    doc = Document()
    table = doc.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("序号", "重点工作", "责任单位")):
        cell.text = text
    table.cell(1, 0).merge(table.cell(1, 2)).text = "一、杨松县长牵头重点工作"
    for r, row in enumerate((("1", "一般公共预算收入与经济增长基本同步。", "县财政局"), ("2", "深化国有企业改革。", "县财政局")), start=2):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    path = tmp_path / "分解.docx"
    doc.save(path)
    read = read_table_rows(path)
    assert [(r.number, r.group, r.lead, r.responsible) for r in read.rows] == [
        ("1", "一、杨松县长牵头重点工作", "", "县财政局"),
        ("2", "一、杨松县长牵头重点工作", "", "县财政局"),
    ]


def test_same_as_above_in_a_unit_or_deadline_cell_takes_the_row_above(tmp_path):
    """Clerks type 同上 rather than the same units again; 同上 with nothing above is doubted, not made a unit."""
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "工作任务", "牵头单位", "配合单位", "完成时限"])
    ws.append([1, "推行企业登记全程电子化。", "县市场监管局", "同上", "6月底前"])
    ws.append([2, "推进个体工商户年报“多报合一”。", "同上", "县税务局", "同上。"])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    read = read_table_rows(path)
    assert [(r.lead, r.support, r.deadline) for r in read.rows] == [("县市场监管局", "", "6月底前"), ("县市场监管局", "县税务局", "6月底前")]
    assert len(read.problems) == 1 and "第2行" in read.problems[0].message and "同上" in read.problems[0].message


@pytest.mark.parametrize(
    ("typed", "wording", "due"),
    [
        ("2024.6", "2024年6月", "2024-06-30"),
        ("2024.6.15", "2024年6月15日", "2024-06-15"),
        ("2024/9/30", "2024年9月30日", "2024-09-30"),
        ("2024-11", "2024年11月", "2024-11-30"),
        ("2024.12底前", "2024年12月底前", "2024-12-31"),
        (2024.6, "2024年6月", "2024-06-30"),  # a number cell: Excel keeps 2024.6 typed as a number
    ],
)
def test_a_deadline_typed_in_figures_is_read_as_a_date(tmp_path, typed, wording, due):
    from db.deadlines import due_of, parse_deadline
    from exports.plan_reading import read_plan_document

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "工作任务", "牵头单位", "完成时限"])
    ws.append([1, "推行企业登记全程电子化。", "县市场监管局", typed])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    reading = read_plan_document(path)
    (task,) = reading.draft.tasks
    assert task.deadline_text == wording
    assert due_of(parse_deadline(task.deadline_text, 2024)).isoformat() == due
    assert not [d for d in reading.doubts if "完成时限" in d.message]


def test_a_deadline_number_cell_2024_1_is_read_as_january_and_doubted(tmp_path):
    """Excel stores 2024.10 typed as a number as 2024.1: the reader cannot tell October from January, and says so."""
    from exports.plan_reading import read_plan_document

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "工作任务", "牵头单位", "完成时限"])
    ws.append([1, "推行企业登记全程电子化。", "县市场监管局", 2024.10])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    reading = read_plan_document(path)
    assert reading.draft.tasks[0].deadline_text == "2024年1月"
    assert any("2024.1" in d.message and "10月" in d.message and "第2行" in d.message for d in reading.doubts)


@pytest.mark.parametrize(
    ("header", "field"),
    [("工作举措", "content"), ("主要举措", "content"), ("主办单位", "lead"), ("主责单位", "lead"), ("协办单位", "support"), ("协助单位", "support"), ("截止时间", "deadline"),
     ("2022年预期目标", "title"), ("主要预期目标", "title"), ("目标值", None)],
)
def test_more_header_names_offices_use(header, field):
    from exports.plan_tables import field_of

    assert field_of(header) == field


# --- Old formats -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_old_word_formats_go_through_libreoffice_and_are_read_as_the_docx_it_makes(tmp_path, monkeypatch, suffix):
    from exports import office_convert
    from exports.plan_reading import read_plan_document

    docx = _word_plan(tmp_path / "made.docx")
    calls = []

    def convert(path, workdir):  # what LibreOffice does, without needing its Writer on this machine
        calls.append(path.name)
        return docx

    monkeypatch.setattr(office_convert, "converted_copy", convert)
    old = tmp_path / f"2024年任务分工表{suffix}"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    reading = read_plan_document(old)
    assert calls == [old.name]
    assert reading.draft.source_name == old.name and len(reading.draft.tasks) == len(WORD_TASKS)


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_old_word_formats_without_libreoffice_ask_to_save_as_docx(tmp_path, monkeypatch, suffix):
    from db.errors import UserError
    from exports import office_convert
    from exports.plan_reading import read_plan_document

    monkeypatch.setattr(office_convert, "libreoffice", lambda: None)
    old = tmp_path / f"任务分工表{suffix}"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(UserError) as caught:
        read_plan_document(old)
    assert old.name in caught.value.message and "另存为 Word（.docx）" in caught.value.message


def test_an_encrypted_pdf_is_refused_asking_for_an_open_copy(tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    from db.errors import UserError
    from exports.plan_reading import read_plan_document

    path = tmp_path / "加密的计划.pdf"
    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "2024 plan " * 10)
    c.save()
    with pytest.raises(UserError) as caught:
        read_plan_document(path)
    assert "加密的计划.pdf 已加密" in caught.value.message


def test_a_pdf_paragraph_running_over_a_page_break_is_one_task(tmp_path):
    import pdfplumber

    from exports.plan_reading import read_plan_document
    from tests.data.plans.forms.make_forms import make_pdf_text

    task = ("1.深化政务服务标准化建设。定期公布政务服务事项基本目录和实施清单，公开办事指南，实现同一事项无差别受理、同标准办理。"
            "持续推进政务服务“跨域通办”，落实“好差评”制度，对县乡政务服务情况进行定期评估。" * 3 + "（牵头单位：县行政审批局，责任单位：县直各有关单位）")
    path = tmp_path / "2023年具体措施.pdf"
    for count in range(8, 20):  # as many paragraphs before it as push the task over the page break
        filler = [f"（{n}）推进政务服务标准化建设，定期公布政务服务事项基本目录和实施清单，公开办事指南，实现同一事项无差别受理、同标准办理。" for n in range(1, count)]
        make_pdf_text({"title": "2023年具体措施", "paragraphs": ["一、总体要求", *filler, "二、主要任务", task]}, path)
        with pdfplumber.open(str(path)) as pdf:
            if len(pdf.pages) == 2 and "深化政务服务" in pdf.pages[0].extract_text() and "县行政审批局" in pdf.pages[1].extract_text():
                break
    else:
        raise AssertionError("no layout put the task across the page break")
    reading = read_plan_document(path)
    assert task in reading.source_lines
    (found,) = [t for t in reading.draft.tasks if "深化政务服务标准化建设" in t.text]
    assert [n for n, role in found.units if role == "牵头"] == ["县行政审批局"]


def test_a_pdf_page_ruled_into_thousands_of_cells_is_refused_quickly(tmp_path):
    """A small file whose page is a 150 × 150 grid would keep the table finder busy for minutes."""
    import time

    from reportlab.pdfgen import canvas

    from db.errors import UserError
    from exports.plan_reading import read_plan_document

    path = tmp_path / "网格.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(50, 800, "2024 plan " * 10)
    for i in range(151):
        c.line(50, 50 + i * 3.3, 550, 50 + i * 3.3)
        c.line(50 + i * 3.3, 50, 50 + i * 3.3, 550)
    c.save()
    started = time.perf_counter()
    with pytest.raises(UserError, match="网格.pdf 第1页的表格线过多"):
        read_plan_document(path)
    assert time.perf_counter() - started < 5
