"""The monthly 通报 and the 督办通知单 as a clerk receives them: A4 PDFs whose Chinese prints anywhere."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from reportlab.lib.styles import ParagraphStyle

from db.demo import fill_demo, year_entries
from db.engine import open_ledger
from db.errors import UserError
from db.jobs import Cancelled, JobControl
from db.report_data import period_report
from exports import fonts as font_search
from exports.fonts import find_cjk_fonts
from exports.pdf.cjk import CJKParagraph
from exports.pdf.monthly import monthly_report, report_title
from exports.pdf.notices import notice_file_name, supervision_notice, supervision_notices
from exports.pdf.text import lead_units

TODAY = dt.date(2023, 1, 15)
PERIOD = "2022-12"
A4_PORTRAIT = re.compile(rb"/MediaBox \[ 0 0 595\.27\d* 841\.88\d* \]")
A4_LANDSCAPE = re.compile(rb"/MediaBox \[ 0 0 841\.88\d* 595\.27\d* \]")


@pytest.fixture(scope="module")
def report(initialised_ledger_file, tmp_path_factory):
    """A year of demo progress, reported for December 2022 in mid-January."""
    path = tmp_path_factory.mktemp("filled") / "ledger.sqlite"
    shutil.copy(initialised_ledger_file, path)
    ledger = open_ledger(path)
    try:
        with ledger.Session.begin() as session:
            fill_demo(session, entries=year_entries(session), seed=1, last_period=PERIOD, today=TODAY)
        with ledger.Session() as session:
            return period_report(session, PERIOD, today=TODAY)
    finally:
        ledger.close()


def page_count(path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    return len(re.findall(rb"/Type /Page\b", path.read_bytes()))


def pdf_text(path) -> str:
    """The text a reader copies out of the PDF, without line breaks (a title may wrap)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def assert_fonts_embedded(path) -> None:
    if shutil.which("pdffonts"):
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        lines = out.splitlines()[2:]
        assert lines, out
        for line in lines:
            assert line.split()[-5] == "yes", f"font not embedded: {line}"
    else:
        data = path.read_bytes()
        assert b"/FontFile2" in data
        assert b"/Subtype /Type1" not in data


def test_monthly_report_is_an_a4_document_with_embedded_chinese(report, tmp_path):
    path = monthly_report(report, tmp_path / "通报.pdf", issued=TODAY)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert page_count(path) > 10
    assert A4_PORTRAIT.search(data) and A4_LANDSCAPE.search(data), "body on portrait A4, attachment on landscape A4"
    assert_fonts_embedded(path)
    assert [p.name for p in tmp_path.iterdir()] == ["通报.pdf"], "no temporary file is left behind"

    text = pdf_text(path)
    overdue = report.overdue[0]
    for expected in (
        report_title(report),
        "一、总体进展",
        "二、进展较好的单位",
        "三、进展滞后的任务",
        "四、下步工作要求",
        "按期办结率",
        f"{len(report.lines)}项",
        lead_units(overdue)[0],
        overdue.task.code,
        report.lagging[0].task.code,
        "附件2022年12月重点任务推进情况表",
        "2023年1月10日前",
        "—1—",
    ):
        assert expected in text, expected
    assert text.index("一、总体进展") < text.index("二、进展较好的单位") < text.index("三、进展滞后的任务") < text.index("四、下步工作要求")


def test_monthly_report_is_the_same_file_for_the_same_ledger(report, tmp_path):
    first = monthly_report(report, tmp_path / "a.pdf", issued=TODAY).read_bytes()
    second = monthly_report(report, tmp_path / "b.pdf", issued=TODAY).read_bytes()
    assert first == second


def test_cancelled_report_leaves_no_file(report, tmp_path):
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 30

    with pytest.raises(Cancelled):
        monthly_report(report, tmp_path / "通报.pdf", control=JobControl(cancelled=cancelled))
    assert list(tmp_path.iterdir()) == []


def test_one_notice_per_unit_with_overdue_tasks(report, tmp_path):
    units = {unit for line in report.overdue for unit in lead_units(line)}
    assert units
    paths = supervision_notices(report, tmp_path, issued=TODAY)
    assert sorted(p.name for p in paths) == sorted(notice_file_name(u, PERIOD) for u in units)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    for unit in units:
        path = tmp_path / notice_file_name(unit, PERIOD)
        assert path.read_bytes().startswith(b"%PDF")
        assert_fonts_embedded(path)
        text = pdf_text(path)
        assert "督办通知单" in text and f"致：{unit}" in text
        assert "于2023年1月10日前书面反馈整改情况" in text and "签收人" in text
        assert re.search(r"督办〔2022〕12-\d\d号", text)
        for line in report.overdue:
            if unit in lead_units(line):
                assert line.task.code in text, (unit, line.task.code)
    unit = sorted(units)[-1]
    single = supervision_notice(report, unit, tmp_path / "single" / "one.pdf", issued=TODAY)
    assert single.read_bytes() == (tmp_path / notice_file_name(unit, PERIOD)).read_bytes(), "same notice, same number"


def test_a_unit_without_overdue_tasks_gets_no_notice(report, tmp_path):
    overdue_units = {unit for line in report.overdue for unit in lead_units(line)}
    calm = next(s.unit for s in report.standings if s.unit not in overdue_units)
    supervision_notices(report, tmp_path, issued=TODAY)
    assert not (tmp_path / notice_file_name(calm, PERIOD)).exists()
    with pytest.raises(UserError, match="没有逾期任务"):
        supervision_notice(report, calm, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_notice_file_names_are_safe_on_windows():
    assert notice_file_name('某局/科:室*?"<>|', PERIOD) == "督办通知单_某局_科_室_______2022-12.pdf"


def test_no_chinese_font_is_a_clear_error(report, tmp_path, monkeypatch):
    empty = tmp_path / "fonts"
    empty.mkdir()
    monkeypatch.delenv(font_search.ENV_FONT_DIR, raising=False)
    monkeypatch.setattr(font_search, "search_dirs", lambda: [empty])
    with pytest.raises(UserError) as error:
        find_cjk_fonts()
    assert "未找到可嵌入的中文字体" in error.value.message
    assert "fonts-wqy-microhei" in error.value.message and "仿宋" in error.value.message
    with pytest.raises(UserError):
        monthly_report(report, tmp_path / "通报.pdf")
    assert not (tmp_path / "通报.pdf").exists()


def test_fonts_from_the_folder_named_by_duban_font_dir(tmp_path, monkeypatch):
    """An office without 仿宋 installed can point duban at a folder holding one, under any file name."""
    system_font = find_cjk_fonts().files["heading"]
    own = tmp_path / "fonts"
    own.mkdir()
    shutil.copy(system_font, own / "simfang.ttf")
    monkeypatch.setenv(font_search.ENV_FONT_DIR, str(own))
    assert font_search.search_dirs()[0] == own
    fonts = find_cjk_fonts()
    assert fonts.files["body"] == str(own / "simfang.ttf")
    assert fonts.files["heading"] != str(own / "simfang.ttf"), "other roles still come from the system"

    (own / "simfang.ttf").rename(own / "方正仿宋_GBK.ttf")
    monkeypatch.setattr(font_search, "search_dirs", lambda: [own])
    assert set(find_cjk_fonts().files.values()) == {str(own / "方正仿宋_GBK.ttf")}


def test_lines_do_not_start_with_a_closing_mark_or_end_with_an_opening_one():
    style = ParagraphStyle("t", fontName=find_cjk_fonts().body, fontSize=16, leading=29, wordWrap="CJK")
    text = "为推动《三门峡市营商环境优化提升行动方案（2022版）》（三营商〔2022〕1号）落实，市委组织部（到期1项，按期办结1项）、市民政局（到期2项，按期办结1项）。" * 3
    for width in range(300, 460, 7):
        paragraph = CJKParagraph(text, style)
        paragraph.wrap(width, 10000)
        lines = ["".join(word.text for word in line.words) for line in paragraph.blPara.lines]
        assert "".join(lines) == text
        for line in lines[1:]:
            assert line[0] not in "，。、；：）》〕", (width, line)
        for line in lines[:-1]:
            assert line[-1] not in "（《〔", (width, line)
