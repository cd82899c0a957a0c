"""The monthly 通报 and the 督办通知单 as a clerk receives them: A4 PDFs whose Chinese prints anywhere."""

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import stat
import subprocess
from collections import Counter

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from sqlalchemy import select

from db.engine import open_ledger
from db.errors import UserError
from db.jobs import Cancelled, JobControl
from db.models import AuditLog
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
def filled_ledger_file(demo_year_file):
    """A ledger with a year of demo progress up to December 2022."""
    return demo_year_file


@pytest.fixture(scope="module")
def report(demo_year_report):
    """The demo year reported for December 2022 in mid-January."""
    return demo_year_report


@pytest.fixture(scope="module")
def tongbao(report, tmp_path_factory):
    """The December 通报 dated mid-January as the third of the year, settings at their defaults, made under umask 022."""
    folder = tmp_path_factory.mktemp("tongbao")
    old = os.umask(0o022)
    try:
        path = monthly_report(report, folder / "通报.pdf", issued=TODAY, number=3)
    finally:
        os.umask(old)
    assert [p.name for p in folder.iterdir()] == ["通报.pdf"], "no temporary file is left behind"
    return path


def page_count(path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    return len(re.findall(rb"/Type /Page\b", path.read_bytes()))


def pdf_text(path, page: int | None = None) -> str:
    """The text a reader copies out of the PDF (or one page of it), without line breaks (a title may wrap)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def page_with(path, text: str) -> int:
    """The number of the first page whose text holds text (0 when none does)."""
    return next((page for page in range(1, page_count(path) + 1) if text in pdf_text(path, page)), 0)


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


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


def test_monthly_report_is_an_a4_document_with_embedded_chinese(report, tongbao):
    path = tongbao
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert page_count(path) > 10
    assert A4_PORTRAIT.search(data) and A4_LANDSCAPE.search(data), "body on portrait A4, attachment on landscape A4"
    assert_fonts_embedded(path)

    text = pdf_text(path)
    overdue = report.overdue[0]
    for expected in (
        report_title(report),
        "一、总体进展",
        "二、进展较好的单位",
        "四、指标进展情况",  # the plan's indicator targets have fallen due by December
        "五、进展滞后的任务",
        "六、下步工作要求",
        "按期办结率",
        f"{len(report.lines)}项",
        lead_units(overdue)[0],
        overdue.task.code,
        report.lagging[0].task.code,
        "附件2022年12月重点任务推进情况表",
        "于2023年1月25日前将整改情况书面报送",  # 10 days (settings.reply_days) after the 成文日期
        "各责任单位要于每月10日前报送",  # settings.report_day
        "第3期",  # no 发文机关代字 set: a 期号
        "三门峡市优化营商环境工作领导小组办公室2023年1月15日",  # 落款 of the 成文日期
        "—1—",
    ):
        assert expected in text, expected
    assert text.index("一、总体进展") < text.index("二、进展较好的单位") < text.index("三、综合考评结果") < text.index("四、指标进展情况") < text.index("五、进展滞后的任务") < text.index("六、下步工作要求")
    assert "抄送" not in text and "联系人" not in text and "联系电话" not in text, "no empty 抄送 or contact line"
    assert "〔" not in between(text, "领导小组办公室", "关于"), "a 期号, not a 发文字号"
    last = pdf_text(path, page_count(path))
    assert "三门峡市优化营商环境工作领导小组办公室" in last and "2023年1月15日印发" in last, "版记 on the last page"


def test_praise_only_at_the_threshold_and_each_lagging_task_named_once(report, tmp_path):
    settings = dataclasses.replace(report.settings, praise_rate=50, copy_to="市委办公室，市政府办公室", contact_person="王明", contact_phone="0398-2981234", doc_code="三营商办")
    path = monthly_report(dataclasses.replace(report, settings=settings), tmp_path / "通报.pdf", issued=TODAY, number=3)
    text = pdf_text(path)
    praise = between(text, "二、进展较好的单位", "予以通报表扬")
    ranked = [u for u in report.standings if u.due]
    assert any(u.on_time_rate < 0.5 for u in ranked) and any(u.on_time_rate >= 0.5 and not u.overdue for u in ranked)
    for unit in ranked:
        named = f"{unit.unit}（到期{unit.due}项，按期办结{unit.done_on_time}项）" in praise
        assert named == (unit.done_on_time * 2 >= unit.due and not unit.overdue), unit

    lagging = between(text, "五、进展滞后的任务", "六、下步工作要求")
    lines = report.overdue + report.lagging
    shared = [line for line in lines if len(lead_units(line)) > 1]
    assert shared, "the demo has tasks several units lead"
    for line in lines:
        assert lagging.count(re.sub(r"\s+", "", f"{line.task.code}{line.task.title}")) == 1, line.task.code
    for line in shared:
        assert "、".join(lead_units(line)) + "（共同负责）" in lagging

    assert "三营商办〔2023〕3号" in text, "发文字号 with the 成文日期's year"
    assert "（联系人：王明；联系电话：0398-2981234）" in text
    assert "抄送：市委办公室，市政府办公室。" in text
    last = page_count(path)
    assert "抄送" in pdf_text(path, last) and "印发" in pdf_text(path, last), "版记 on the last page"


def test_praise_at_100_percent_by_default(report, tongbao, tmp_path):
    """By default only units that signed off every due task in time are praised; when none did, the 通报 says so."""
    assert report.settings.praise_rate == 100
    praise = between(pdf_text(tongbao), "二、进展较好的单位", "予以通报表扬")
    ranked = [u for u in report.standings if u.due]
    assert any(u.done_on_time == u.due for u in ranked) and any(0.5 <= u.on_time_rate < 1 for u in ranked)
    for unit in ranked:
        assert (f"{unit.unit}（到期" in praise) == (unit.done_on_time == unit.due and not unit.overdue), unit

    figures = dataclasses.replace(report.figures, units=[u for u in report.standings if u.done_on_time < u.due])
    nobody = dataclasses.replace(report, figures=figures)
    text = pdf_text(monthly_report(nobody, tmp_path / "通报.pdf", issued=TODAY))
    assert "予以通报表扬" not in text
    assert "本期没有到期任务全部按期办结且无逾期任务的单位，不予通报表扬。" in text


def test_metadata_and_permissions_are_those_of_a_real_file(report, tongbao):
    """Title, author, subject and the real creation time; readable by the colleagues sharing the folder."""
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    assert stat.S_IMODE(tongbao.stat().st_mode) == 0o644
    out = subprocess.run(["pdfinfo", "-isodates", str(tongbao)], capture_output=True, text=True, check=True).stdout
    info = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    info = {key: value.strip() for key, value in info.items()}
    assert info["Title"] == report_title(report)
    assert info["Author"] == report.settings.office_name
    assert info["Subject"] == "2022年12月工作进展情况通报（第3期）"
    assert info["CreationDate"][:4] == str(dt.date.today().year)


def body_lines(path) -> list[tuple[int, float, float, float, str]]:
    """The 3号 (16 pt) text lines of the portrait pages as poppler places them: (page, top, left, right, text)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    lines: dict[tuple[int, float], list[tuple[float, float, str]]] = {}
    for number, page in enumerate(re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S), start=1):
        width, height, words = page
        if float(width) > float(height):
            continue
        for x0, y0, x1, y1, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', words):
            if abs(float(y1) - float(y0) - 16) < 0.2:
                lines.setdefault((number, round(float(y0), 1)), []).append((float(x0), float(x1), word))
    return [(page, top, min(w[0] for w in ws), max(w[1] for w in ws), "".join(w[2] for w in sorted(ws))) for (page, top), ws in sorted(lines.items())]


def test_full_body_lines_hold_28_characters_on_22_line_pitch(tongbao):
    """GB/T 9704: 28 characters of 3号 a line, 22 lines a page, on the 156 mm × 225 mm text block."""
    left, right = 28 * mm, 28 * mm + 156 * mm
    lines = body_lines(tongbao)
    # A full line: from the left edge to the right edge, all full-width (Chinese characters and marks).
    full = [text for _p, _t, x0, x1, text in lines if abs(x0 - left) < 1 and abs(x1 - right) < 1 and not any(c.isascii() for c in text)]
    assert len(full) > 20
    assert Counter(len(text) for text in full) == {28: len(full)}, [t for t in full if len(t) != 28]
    assert max(x1 for *_rest, x1, _text in lines) < right + 1, "nothing crosses the right edge"
    pitches = Counter(round(b[1] - a[1], 1) for a, b in zip(lines, lines[1:]) if a[0] == b[0])
    assert pitches.most_common(1)[0][0] == round(225 * mm / 22, 1)


def test_signature_stays_with_the_last_paragraph(report, tongbao):
    """The 落款 is never alone at the top of a page: it sits on the page of the last paragraph."""
    last_paragraph = page_with(tongbao, "（四）按时报送工作进展")
    assert last_paragraph and page_with(tongbao, "附件：2022年12月重点任务推进情况表") == last_paragraph
    assert page_with(tongbao, "领导小组办公室2023年1月15日") == last_paragraph


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
        assert "于2023年1月25日前书面反馈整改情况" in text and "签收人" in text, "reply due 10 days after the 成文日期"
        assert "领导小组办公室2023年1月15日签收人" in text
        assert re.search(r"督办〔2023〕\d+号", text)
        for line in report.overdue:
            if unit in lead_units(line):
                assert line.task.code in text, (unit, line.task.code)
    unit = sorted(units)[-1]
    single = supervision_notice(report, unit, tmp_path / "single" / "one.pdf", issued=TODAY)
    assert pdf_text(single) == pdf_text(tmp_path / notice_file_name(unit, PERIOD)), "same notice, same number"


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


def test_every_notice_keeps_its_signature_with_its_last_paragraph(report, tmp_path):
    """A unit with many overdue tasks gets a two-page notice: its last paragraph goes over with the 落款."""
    paths = supervision_notices(report, tmp_path, issued=TODAY)
    assert any(page_count(path) > 1 for path in paths), "the demo's December has a notice longer than a page"
    for path in paths:
        last = page_with(path, "请你单位高度重视")
        assert last and page_with(path, "领导小组办公室2023年1月15日") == last, path.name
        text = pdf_text(path)
        reply = re.search(r"于(\d{4})年(\d{1,2})月(\d{1,2})日前书面反馈", text)
        assert dt.date(*map(int, reply.groups())) > TODAY, "the reply is due after the notice's own date"


def test_notice_contact_line_appears_when_set(report, tmp_path):
    settings = dataclasses.replace(report.settings, contact_person="王明", contact_phone="")
    unit = next(iter({u for line in report.overdue for u in lead_units(line)}))
    text = pdf_text(supervision_notice(dataclasses.replace(report, settings=settings), unit, tmp_path / "n.pdf", issued=TODAY))
    assert "2023年1月15日（联系人：王明）签收人" in text


def test_report_dates_and_numbers_from_the_command_line(filled_ledger_file, tmp_path, capsys):
    """Made today, the 2022-12 通报 is dated the report deadline 2023年1月10日; --date overrides it, a date
    before the period is refused; the period keeps its number when made again, the next period takes the next."""
    from desktop.cli import main

    ledger = tmp_path / "ledger.sqlite"
    shutil.copy(filled_ledger_file, ledger)
    assert dt.date.today() > dt.date(2023, 1, 10)

    def run(*args):
        code = main(["--db", str(ledger), "--operator", "李四", *args])
        return code, capsys.readouterr()

    code, out = run("report", "monthly", str(tmp_path / "12.pdf"), "--period", PERIOD)
    assert code == 0, out.err
    first = pdf_text(tmp_path / "12.pdf")
    assert "领导小组办公室第1期关于" in first and "领导小组办公室2023年1月10日" in first
    assert "于2023年1月20日前将整改情况书面报送" in first

    code, out = run("report", "monthly", str(tmp_path / "12b.pdf"), "--period", PERIOD, "--date", "2023-01-05")
    assert code == 0, out.err
    again = pdf_text(tmp_path / "12b.pdf")
    assert "领导小组办公室第1期关于" in again, "the same period keeps its number"
    assert "领导小组办公室2023年1月5日" in again and "于2023年1月15日前将整改情况书面报送" in again

    code, out = run("report", "monthly", str(tmp_path / "bad.pdf"), "--period", PERIOD, "--date", "2022-11-30")
    assert code == 2 and "成文日期2022年11月30日早于报送期间2022年12月" in out.err and not (tmp_path / "bad.pdf").exists()

    code, out = run("report", "monthly", str(tmp_path / "11.pdf"), "--period", "2022-11", "--date", "2023-01-06")
    assert code == 0, out.err
    november = pdf_text(tmp_path / "11.pdf")
    assert "领导小组办公室第2期关于" in november and "领导小组办公室2023年1月6日" in november, "another period, the next number"

    code, out = run("report", "notices", str(tmp_path / "notices"), "--period", PERIOD, "--date", "2023-01-12")
    assert code == 0, out.err
    numbers = sorted(int(re.search(r"督办〔2023〕(\d+)号", pdf_text(p)).group(1)) for p in (tmp_path / "notices").iterdir())
    assert numbers == list(range(1, len(numbers) + 1))
    opened = open_ledger(ledger)
    try:
        with opened.Session() as session:
            given = session.scalars(select(AuditLog).where(AuditLog.action == "doc_number.set")).all()
    finally:
        opened.close()
    reports = {(row.entity_key, row.after["number"]) for row in given if row.entity_key.startswith("report.")}
    assert reports == {("report.2023.2022-12", 1), ("report.2023.2022-11", 2)}, "each number recorded once, when first given"
    assert all(row.operator == "李四" for row in given)


def test_a_paragraph_split_across_pages_keeps_its_lines():
    """The rest of a paragraph carried to the next page is not broken again with gaps (宣传力度 有待加大)."""
    from exports.pdf.document import CHARS_PER_LINE, TEXT_W, Styles

    s = Styles(find_cjk_fonts(), chars_per_line=CHARS_PER_LINE)
    text = "存在问题：【三门峡供电公司】企业和群众对新政策知晓率不高，宣传力度有待加大；【各县（市、区）供电公司】基层窗口人员业务能力参差不齐，业务培训需进一步加强。" * 2
    whole = CJKParagraph(text, s.body)
    whole.wrap(TEXT_W, 10000)
    expected = ["".join(w.text for w in line.words) for line in whole.blPara.lines]
    first, rest = CJKParagraph(text, s.body).split(TEXT_W, 2 * s.line + 1)
    lines = []
    for part in (first, rest):
        part.wrap(TEXT_W, 10000)
        lines += ["".join(w.text for w in line.words) for line in part.blPara.lines]
    assert lines == expected and " " not in "".join(lines)


def test_the_tongbao_states_the_figures_json_and_no_collective_is_ranked_praised_or_sent_a_notice(filled_ledger_file, report, tongbao, tmp_path, capsys):
    """What `duban report figures --json` says is what the director signs: every category, 持续推进 and each ranked unit."""
    from desktop.cli import main

    assert main(["--db", str(filled_ledger_file), "--read-only", "report", "figures", "--period", PERIOD, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    text = pdf_text(tongbao)
    overall = between(text, "一、总体进展", "二、进展较好的单位")
    assert f"方案确定的{data['tasks']}项任务中" in overall
    assert f"持续推进类任务{data['ongoing']}项" in overall and f"已到时间节点的任务{data['due']}项" in overall
    for category, count in data["due_breakdown"].items():
        assert f"{category}{count}项" in overall, category
    assert sum(data["due_breakdown"].values()) == data["due"]
    ranking = between(text, "二、进展较好的单位", "三、综合考评结果")
    for unit in data["units"]:
        if unit["rank"] is None:
            assert unit["due"] == 0 and f"{unit['unit']}0" not in ranking
            continue
        row = f"{unit['rank']}{unit['unit']}{unit['due']}{unit['on_time']}{unit['late']}{unit['overdue']}{unit['rate']:.1%}"
        assert row in ranking, unit["unit"]
    collectives = ("各县（市、区）人民政府", "各县（市、区）供电公司", "市直相关部门", "市直各部门", "各级市场监管领域相关部门", "各金融机构")
    for name in collectives:
        assert name not in ranking, f"{name} is ranked or praised"
    notices = supervision_notices(report, tmp_path / "notices", issued=TODAY)
    addressed = {pdf_text(path).split("致：", 1)[1].split("根据", 1)[0] for path in notices}
    assert addressed and not addressed & set(collectives)
    # Each county government gets its own notice when it has overdue tasks.
    county_overdue = [u for u in data["units"] if u["kind"] == "县（市、区）" and u["overdue"]]
    assert {u["unit"] for u in county_overdue} <= addressed

