"""The 任务分解表 round trip, other plans side by side, and sheets that must be refused whole."""

import json
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.engine import open_ledger
from db.models import Plan, Task


def export(run_cli, path):
    code, out, err = run_cli("export-plan", str(path))
    assert code == 0, err
    return path


def test_export_then_import_is_an_exact_round_trip(run_cli, tmp_path, capsys):
    from desktop.cli import main

    sheet = export(run_cli, tmp_path / "plan.xlsx")
    original = json.loads(run_cli("tasks", "--json")[1])
    fresh = tmp_path / "fresh.sqlite"
    assert main(["--db", str(fresh), "import-plan", str(sheet)]) == 0
    assert capsys.readouterr().out.strip() == "1"
    assert main(["--db", str(fresh), "tasks", "--json"]) == 0
    copy = json.loads(capsys.readouterr().out)
    strip = lambda tasks: [{k: v for k, v in t.items() if k != "id"} for t in tasks]  # noqa: E731
    assert strip(copy) == strip(original)


def test_reimporting_the_same_sheet_changes_nothing(ledger, run_cli, tmp_path):
    sheet = export(run_cli, tmp_path / "plan.xlsx")
    code, out, err = run_cli("import-plan", str(sheet))
    assert code == 0 and "新增任务 0 项，更新 0 项，未变 373 项" in err
    with ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(Plan)) == 1


def edit_sheet(src, dst, edit):
    wb = load_workbook(src)
    edit(wb["任务分解表"], wb)
    wb.save(dst)
    return dst


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda ws, wb: setattr(ws.cell(row=5, column=1), "value", None), "第 5 行“附件”列：附件序号为空"),
        (lambda ws, wb: setattr(ws.cell(row=7, column=5), "value", ""), "第 7 行“任务名称”列：任务名称为空"),
        (lambda ws, wb: setattr(ws.cell(row=120, column=7), "value", "尽快完成"), "第 120 行“时间节点”列：无法识别的时间节点：尽快完成"),
        (lambda ws, wb: setattr(ws.cell(row=1, column=16), "value", "备注"), "第 1 行第 16 列：未知列名“备注”"),
        (lambda ws, wb: setattr(ws.cell(row=9, column=1), "value", "一"), "第 9 行“附件”列：附件序号“一”应为 1 到 99 的整数"),
        (lambda ws, wb: setattr(ws.cell(row=11, column=10), "value", "市法院"), "第 11 行“其他责任单位”列：“市法院”应写作“单位名称（角色）”"),
    ],
)
def test_a_sheet_with_a_bad_row_is_rejected_whole(ledger, run_cli, tmp_path, edit, message):
    sheet = export(run_cli, tmp_path / "plan.xlsx")
    bad = edit_sheet(sheet, tmp_path / "bad.xlsx", edit)
    target = tmp_path / "target.sqlite"
    from desktop.cli import main

    code = main(["--db", str(target), "import-plan", str(bad)])
    assert code == 2
    target_ledger = open_ledger(target)
    with target_ledger.Session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 0
    target_ledger.close()


def test_error_message_names_file_row_and_column(run_cli, tmp_path, capsys):
    from desktop.cli import main

    sheet = export(run_cli, tmp_path / "plan.xlsx")
    bad = edit_sheet(sheet, tmp_path / "bad.xlsx", lambda ws, wb: setattr(ws.cell(row=120, column=7), "value", "尽快完成"))
    main(["--db", str(tmp_path / "t.sqlite"), "import-plan", str(bad)])
    err = capsys.readouterr().err
    assert "bad.xlsx 工作表“任务分解表”第 120 行“时间节点”列：无法识别的时间节点：尽快完成" in err


def test_truncated_and_fake_files_are_refused_cleanly(run_cli, tmp_path):
    sheet = export(run_cli, tmp_path / "plan.xlsx")
    data = sheet.read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    fake = tmp_path / "fake.xlsx"
    fake.write_text("这不是表格", encoding="utf-8")
    for path in (truncated, fake):
        code, _, err = run_cli("import-plan", str(path))
        assert code == 2 and path.name in err and "Traceback" not in err


def test_zip_bomb_is_refused_before_parsing(run_cli, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * 150_000_000 + "</a>")
    code, _, err = run_cli("import-plan", str(bomb))
    assert code == 2 and "压缩炸弹" in err


def test_formula_like_text_is_written_as_text(ledger, tmp_path):
    from exports.plan_sheet import write_plan_sheet

    with ledger.Session.begin() as s:
        s.scalars(select(Task).where(Task.code == "A02-01")).one().title = "=HYPERLINK(\"http://x\",\"点我\")"
    with ledger.Session() as s:
        write_plan_sheet(s, tmp_path / "p.xlsx")
    ws = load_workbook(tmp_path / "p.xlsx")["任务分解表"]
    header = [c.value for c in ws[1]]
    code_col, title_col = header.index("编码"), header.index("任务名称")
    cell = next(row[title_col] for row in ws.iter_rows(min_row=2) if row[code_col].value == "A02-01")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_a_county_plan_from_text_sits_beside_the_city_plan(ledger, run_cli, tmp_path):
    doc = tmp_path / "county.txt"
    doc.write_text(
        "灵宝市2023年营商环境提升方案\n\n一、主要措施\n\n"
        "1.压缩企业开办时间。全面推行一网通办。（牵头单位：市市场监管局；责任单位：市税务局、市公安局，2023年6月底前完成）\n\n"
        "2.优化不动产登记。推行带押过户。（市自然资源规划局牵头，市税务局配合，2023年12月底前完成）\n",
        encoding="utf-8",
    )
    code, out, err = run_cli("import-plan", str(doc))
    assert code == 0, err
    new_id = int(out.strip())
    plans = json.loads(run_cli("plans", "--json")[1])
    assert [(p["id"], p["current"], p["tasks"]) for p in plans] == [(1, False, 373), (new_id, True, 2)]
    county = json.loads(run_cli("tasks", "--json")[1])
    assert [t["due"] for t in county] == ["2023-06-30", "2023-12-31"]
    assert county[0]["lead"] == ["市市场监督管理局"] and county[1]["support"] == ["市税务局"]
    city = json.loads(run_cli("tasks", "--json", "--plan", "1")[1])
    assert len(city) == 373
