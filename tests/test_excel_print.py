"""Printed workbooks lose no text: LibreOffice prints the 工作台账, the 预警清单 and a 报送模板, and no character is cut by a cell border.

Excel, WPS and LibreOffice do not fit rows to wrapped text that openpyxl wrote; a row that is too
short prints its last lines cut through by the border below (or by the page edge, for a merged
cell that a page break divides).  The test converts the three workbooks to PDF and looks at
every character's box against every horizontal line of its page.
"""

import bisect
import datetime as dt
import multiprocessing
import shutil
import subprocess

import pytest

from db.demo import fill_demo
from db.engine import open_ledger
from db.report_data import period_report
from exports.excel_ledger import export_ledger, export_warnings
from exports.unit_template import export_templates

pdfplumber = pytest.importorskip("pdfplumber")
# slow: about half a minute on two cores (LibreOffice prints some 360 pages, each parsed); it does not
# depend on Qt, so CI's second pass on the oldest Qt leaves it out.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")]

PERIOD = "2022-12"  # year end: the longest progress texts of the demo year
TODAY = dt.date(2023, 1, 15)
UNIT = "市住房和城乡建设局"
TOLERANCE = 0.5  # points: a border that only touches a character's box does not cut it


def cut_characters(path: str, first: int, last: int) -> list[tuple[int, str]]:
    """(page, character) for each printed character a horizontal line crosses between its top and bottom, on pages first..last-1."""
    found = []
    with pdfplumber.open(path, pages=list(range(first + 1, last + 1))) as pdf:
        for page in pdf.pages:
            edges = sorted((e["top"], e["x0"], e["x1"]) for e in page.edges if e["orientation"] == "h")
            tops = [top for top, _x0, _x1 in edges]
            for ch in page.chars:
                if not ch["text"].strip():
                    continue
                inside = edges[bisect.bisect_right(tops, ch["top"] + TOLERANCE) : bisect.bisect_left(tops, ch["bottom"] - TOLERANCE)]
                if any(x0 < ch["x1"] - TOLERANCE and x1 > ch["x0"] + TOLERANCE for _top, x0, x1 in inside):
                    found.append((page.page_number, ch["text"]))
    return found


@pytest.fixture(scope="module")
def printed(initialised_ledger_file, tmp_path_factory):
    """The three workbooks of a demo year's December, printed by LibreOffice: {name: pdf path}; and the 预警清单's row count."""
    folder = tmp_path_factory.mktemp("print")
    path = folder / "ledger.sqlite"
    shutil.copy(initialised_ledger_file, path)
    ledger = open_ledger(path)
    try:
        with ledger.Session.begin() as session:
            fill_demo(session, entries=6000, seed=1, last_period=PERIOD, today=TODAY)
        with ledger.Session() as session:
            report = period_report(session, PERIOD, today=TODAY)
        books = [
            export_ledger(report, folder / "工作台账.xlsx", made_on=TODAY),
            export_warnings(report, folder / "预警清单.xlsx", made_on=TODAY),
            *export_templates(ledger, folder, period=PERIOD, unit=UNIT),
        ]
    finally:
        ledger.close()
    out = folder / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/lo", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out), *map(str, books)],
        check=False,
        capture_output=True,
        timeout=600,
    )
    pdfs = {book.stem: out / f"{book.stem}.pdf" for book in books}
    missing = [name for name, pdf in pdfs.items() if not pdf.exists()]
    assert not missing, f"LibreOffice did not print {missing}"
    return pdfs, len(report.warnings)


def test_no_printed_character_is_cut_by_a_cell_border(printed):
    printed, _warnings = printed
    # Parsing every page is the slow part (about 0.07 s a page, 400 pages): two processes share it.
    chunks = []
    for pdf in printed.values():
        with pdfplumber.open(pdf) as document:
            pages = len(document.pages)
        assert pages > 0
        chunks += [(str(pdf), first, min(first + 40, pages)) for first in range(0, pages, 40)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:  # not fork: a Qt test may have started threads
        results = pool.starmap(cut_characters, chunks)
    cut: dict[str, list] = {}
    for (pdf, _first, _last), found in zip(chunks, results):
        cut.setdefault(pdf, []).extend(found)
    report = {pdf: (len(found), sorted({page for page, _ch in found})[:10], "".join(ch for _page, ch in found[:40])) for pdf, found in cut.items() if found}
    assert not report, f"characters cut by a cell border (count, first pages, text): {report}"


def test_every_printed_page_is_numbered_out_of_the_whole_and_the_warning_list_is_short(printed):
    printed, warnings = printed
    for name, path in printed.items():
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            last = pdf.pages[-1].extract_text()
        assert f"第 {pages} 页 共 {pages} 页" in last, name
        assert pages >= {"工作台账": 23, "预警清单": 1, "报送模板": 1}[name.split("_")[0]], name  # 汇总, 按单位汇总, 21 annexes
    with pdfplumber.open(printed["预警清单"]) as pdf:
        assert len(pdf.pages) * 5 <= warnings, "the 预警清单 should print at least five tasks a page"
