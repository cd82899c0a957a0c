"""PDF faces as an office would check them: each role in its own face, stand-ins named, Noto CJK alone enough."""

import datetime as dt
import io
import logging
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont as ToolsFont

from db.errors import UserError
from exports import fonts as font_search
from exports.pdf.cjk import CJKParagraph
from exports.pdf.document import Styles, write_document
from exports.pdf.monthly import monthly_report, report_title
from exports.pdf.notices import overdue_by_unit, supervision_notice

TODAY = dt.date(2023, 1, 15)
PERIOD = "2022-12"
NOTO = Path("/usr/share/fonts/opentype/noto")
NOTO_FILES = ("NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc", "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc")
FREE_FACES = {
    "ukai": Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),
    "uming": Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    "wqy": Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
}
# Characters of people's and places' names that GB2312 lacks: 堃 (U+5803), 喆 (U+5586), 䶮 (U+4DAE, Ext A).
RARE = "堃喆䶮"


def need(*paths: Path) -> None:
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip("font not installed (scripts/install.sh test installs fonts-noto-cjk, fonts-arphic-ukai, fonts-arphic-uming, fonts-wqy-microhei): " + ", ".join(missing))


def font_folder(tmp_path: Path, files: dict[str, Path]) -> Path:
    """A folder holding only the given font files (symlinks, under the names given)."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    for name, source in files.items():
        (folder / name).symlink_to(source)
    return folder


@pytest.fixture
def only(tmp_path, monkeypatch):
    """Search only a folder of the given fonts, with a fresh font cache: as on a machine with just those fonts."""
    monkeypatch.setenv(font_search.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(font_search.ENV_FONT_DIR, raising=False)

    def use(files: dict[str, Path]) -> Path:
        folder = font_folder(tmp_path, files)
        monkeypatch.setattr(font_search, "search_dirs", lambda: [folder])
        return folder

    return use


@pytest.fixture(scope="module")
def report(demo_year_report):
    """The demo year reported for December 2022 in mid-January."""
    return demo_year_report


def pdffonts(path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for every font the PDF uses, as poppler lists them."""
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) is not installed")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows, out
    return [(row[0], row[-5]) for row in rows]


def pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


def embedded_outlines(path: Path) -> dict[str, int]:
    """Each character the PDF's embedded TrueType fonts draw, with the number of contours of its glyph there.

    Read from the PDF itself: each font's ToUnicode map gives its codes' characters, its FontFile2 the
    glyphs.  A character whose glyph is missing from the embedded font has 0 contours (a blank).
    """
    data = path.read_bytes()
    objects = {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\n(.*?)endobj", data, re.S)}

    def stream(number: int) -> bytes:
        body = objects[number]
        start = re.search(rb"stream\r?\n", body).end()
        return zlib.decompress(body[start : start + int(re.search(rb"/Length (\d+)", body).group(1))])

    drawn: dict[str, int] = {}
    for body in objects.values():
        if not re.search(rb"/Subtype /TrueType", body) or b"/ToUnicode" not in body:
            continue
        to_unicode = stream(int(re.search(rb"/ToUnicode (\d+) 0 R", body).group(1))).decode("latin-1")
        descriptor = objects[int(re.search(rb"/FontDescriptor (\d+) 0 R", body).group(1))]
        font = ToolsFont(io.BytesIO(stream(int(re.search(rb"/FontFile2 (\d+) 0 R", descriptor).group(1)))))
        codes = next(table.cmap for table in font["cmap"].tables)
        glyf = font["glyf"]
        for code, char in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]{4,6})>", to_unicode):
            name = codes.get(int(code, 16))
            contours = glyf[name].numberOfContours if name else 0
            drawn[chr(int(char, 16))] = max(drawn.get(chr(int(char, 16)), 0), contours)
    return drawn


def test_each_role_gets_its_face_by_family_name_not_file_name(only):
    """Free Linux faces under meaningless file names: 楷体 UKai, 宋体 UMing, 黑体 WenQuanYi; no 仿宋 or 小标宋."""
    need(*FREE_FACES.values())
    only({"a1.ttc": FREE_FACES["ukai"], "b2.ttc": FREE_FACES["uming"], "c3.ttc": FREE_FACES["wqy"]})
    fonts = font_search.find_cjk_fonts()
    assert fonts.faces == {
        "body": "AR PL UMing CN",
        "heading": "文泉驿微米黑",
        "title": "AR PL UMing CN",
        "kai": "AR PL UKai CN",
        "song": "AR PL UMing CN",
    }
    assert fonts.files["kai"].endswith("a1.ttc") and fonts.files["heading"].endswith("c3.ttc")
    assert font_search.stand_in_notes(fonts) == [
        "正文应使用仿宋，本机未找到，以 AR PL UMing CN 代替",
        "标题应使用小标宋，本机未找到，以 AR PL UMing CN 代替",
    ]
    assert font_search.face_plan() == ({"正文": "AR PL UMing CN", "一级标题": "文泉驿微米黑", "标题": "AR PL UMing CN", "二级标题": "AR PL UKai CN", "页码": "AR PL UMing CN"}, font_search.stand_in_notes(fonts))


def test_with_every_free_face_installed_noto_serves_song_and_hei_and_a_bold_serif_the_title(only):
    need(*FREE_FACES.values(), *(NOTO / name for name in NOTO_FILES))
    only({path.name: path for path in FREE_FACES.values()} | {name: NOTO / name for name in NOTO_FILES})
    faces, notes = font_search.face_plan()
    assert faces == {"正文": "Noto Serif CJK SC", "一级标题": "Noto Sans CJK SC", "标题": "Noto Serif CJK SC Bold", "二级标题": "AR PL UKai CN", "页码": "Noto Serif CJK SC"}
    assert notes == ["正文应使用仿宋，本机未找到，以 Noto Serif CJK SC 代替", "标题应使用小标宋，本机未找到，以 Noto Serif CJK SC Bold 代替"]


def test_a_missing_face_is_named_in_the_log_when_a_pdf_is_made(only, report, tmp_path, caplog):
    """With one sans face only, every role but the 黑体 headings prints in a stand-in, and the log says so."""
    need(FREE_FACES["wqy"])
    only({"wqy-microhei.ttc": FREE_FACES["wqy"]})
    unit = sorted(overdue_by_unit(report))[0]
    with caplog.at_level(logging.WARNING, logger="duban.fonts"):
        supervision_notice(report, unit, tmp_path / "notice.pdf", issued=TODAY)
    logged = [record.getMessage() for record in caplog.records if record.name == "duban.fonts"]
    for sentence in (
        "正文应使用仿宋，本机未找到，以 文泉驿微米黑 代替",
        "标题应使用小标宋，本机未找到，以 文泉驿微米黑 代替",
        "二级标题应使用楷体，本机未找到，以 文泉驿微米黑 代替",
        "页码应使用宋体，本机未找到，以 文泉驿微米黑 代替",
    ):
        assert any(sentence in message for message in logged), (sentence, logged)
    assert not any("一级标题" in message for message in logged), "黑体 headings have their own face"


def test_a_machine_with_only_noto_cjk_makes_both_documents_with_every_font_embedded(only, report, tmp_path):
    need(*(NOTO / name for name in NOTO_FILES))
    only({name: NOTO / name for name in NOTO_FILES})
    monthly = monthly_report(report, tmp_path / "通报.pdf", issued=TODAY)
    unit = sorted(overdue_by_unit(report))[0]
    notice = supervision_notice(report, unit, tmp_path / "通知单.pdf", issued=TODAY)
    for path in (monthly, notice):
        fonts = pdffonts(path)
        assert all(embedded == "yes" for _name, embedded in fonts), fonts
        assert all("Noto" in name for name, _embedded in fonts), fonts
    assert {name.split("+")[1] for name, _e in pdffonts(monthly)} >= {"NotoSerifCJKsc-Regular", "NotoSansCJKsc-Regular", "NotoSerifCJKsc-Bold"}
    assert report_title(report) in pdf_text(monthly)
    text = pdf_text(notice)
    assert "督办通知单" in text and f"致：{unit}" in text
    drawn = embedded_outlines(monthly)
    blank = sorted(char for char, contours in drawn.items() if contours == 0 and char.isprintable() and not char.isspace())
    assert not blank, f"printed as blanks: {blank}"
    assert all(drawn.get(char, 0) > 0 for char in "关于工作进展情况的通报"), "the title's characters are drawn"


def test_rare_characters_in_ledger_text_are_converted_and_embedded(only, tmp_path):
    """Names with characters outside GB2312 print from a converted Noto face, passed ahead as text or not."""
    need(NOTO / "NotoSerifCJK-Regular.ttc", NOTO / "NotoSansCJK-Regular.ttc")
    only({name: NOTO / name for name in ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc")})
    fonts = font_search.find_cjk_fonts(text="联系人：王" + RARE[0])
    cached = sorted((tmp_path / "cache" / "fonts").glob("*.ttf"))
    assert cached, "converted faces are kept in the cache folder"
    converted = [ToolsFont(str(path)) for path in cached]
    assert all("glyf" in font and "CFF " not in font for font in converted), "TrueType outlines"
    assert any(ord(RARE[0]) in font.getBestCmap() and font["glyf"][font.getBestCmap()[ord(RARE[0])]].numberOfContours > 0 for font in converted)

    # Not passed ahead: met while laying out a paragraph of ledger text.
    styles = Styles(fonts)
    path = write_document(tmp_path / "names.pdf", fonts, "测试", "测试", [CJKParagraph(f"负责人：张{RARE[1]}、刘{RARE[2]}、王{RARE[0]}（市税务局）", styles.body)])
    assert f"张{RARE[1]}、刘{RARE[2]}、王{RARE[0]}" in pdf_text(path)
    drawn = embedded_outlines(path)
    assert all(drawn.get(char, 0) > 0 for char in RARE), {char: drawn.get(char) for char in RARE}
    assert all(embedded == "yes" for _name, embedded in pdffonts(path))


def test_the_font_index_opens_a_font_file_again_only_when_it_changes(only, monkeypatch, tmp_path):
    need(FREE_FACES["ukai"])
    folder = only({"ukai.ttc": FREE_FACES["ukai"]})
    assert font_search._scan((folder,))
    opened = []
    real = font_search._faces_in
    monkeypatch.setattr(font_search, "_faces_in", lambda path: opened.append(path) or real(path))
    assert [face.display for face, _own in font_search._scan((folder,))][0] == "AR PL UKai CN"
    assert opened == [], "the second look reads the index, not the font"
    copy = tmp_path / "ukai-copy.ttc"
    shutil.copy(FREE_FACES["ukai"], copy)
    (folder / "ukai.ttc").unlink()
    (folder / "ukai.ttc").symlink_to(copy)
    os.utime(copy, ns=(1, 1))
    font_search._scan((folder,))
    assert opened == [folder / "ukai.ttc"], "a changed file is read again"


def test_no_chinese_font_names_what_to_install_including_opentype(only):
    only({})
    with pytest.raises(UserError) as error:
        font_search.find_cjk_fonts()
    assert "未找到可嵌入的中文字体" in error.value.message
    assert "fonts-noto-cjk" in error.value.message and "仿宋" in error.value.message
    assert any("OpenType" in detail for detail in error.value.details)


def office_font(path: Path, english: str, chinese: str, *, weight: int = 400) -> Path:
    """A small TrueType font named as an office font is (English and zh-CN family names), with square glyphs."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    chars = "".join(dict.fromkeys(font_search.PROBE + "关于工作进展情况的通报正文一二三"))
    names = [".notdef"] + [f"uni{ord(ch):04X}" for ch in chars]
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        pen.moveTo((100, -100))
        pen.lineTo((100, 800))
        pen.lineTo((900, 800))
        pen.lineTo((900, -100))
        pen.closePath()
        glyphs[name] = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(ch): f"uni{ord(ch):04X}" for ch in chars})
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (1000, 100) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": english, "styleName": "Regular", "psName": re.sub(r"\W", "", english)}, mac=False)
    builder.font["name"].setName(chinese, 1, 3, 1, 0x0804)
    builder.setupOS2(usWeightClass=weight, fsType=0, ulCodePageRange1=1 << 18, sTypoAscender=880, sTypoDescender=-120)
    builder.setupPost()
    builder.save(str(path))
    return path


@pytest.mark.parametrize(
    "faces",
    [
        pytest.param({"仿宋": ("FangSong", "仿宋"), "黑体": ("SimHei", "黑体"), "楷体": ("KaiTi", "楷体"), "宋体": ("SimSun", "宋体"), "小标宋": ("FZXiaoBiaoSong-B05S", "方正小标宋简体")}, id="windows"),
        pytest.param({"仿宋": ("FangSong_GB2312", "仿宋_GB2312"), "黑体": ("SimHei", "黑体"), "楷体": ("KaiTi_GB2312", "楷体_GB2312"), "宋体": ("SimSun", "宋体"), "小标宋": ("FZXiaoBiaoSong-B05", "方正小标宋_GBK")}, id="gb2312"),
        pytest.param({"仿宋": ("FZFangSong-Z02", "方正仿宋_GBK"), "黑体": ("FZHei-B01", "方正黑体_GBK"), "楷体": ("FZKai-Z03", "方正楷体_GBK"), "宋体": ("FZShuSong-Z01", "方正书宋_GBK"), "小标宋": ("FZXiaoBiaoSong-B05", "方正小标宋_GBK")}, id="uos-founder"),
    ],
)
def test_office_faces_are_found_by_their_names_under_any_file_name(only, monkeypatch, tmp_path, faces):
    """Windows' and 方正's faces take their roles by family name, and nothing is reported as standing in."""
    monkeypatch.setattr(font_search, "MIN_CJK_FILE_SIZE", 0)
    made = tmp_path / "made"
    made.mkdir()
    files = {f"font{n}.ttf": office_font(made / f"{n}.ttf", *names) for n, names in enumerate(faces.values())}
    only(files)
    fonts = font_search.find_cjk_fonts()
    assert fonts.faces == {"body": faces["仿宋"][1], "heading": faces["黑体"][1], "kai": faces["楷体"][1], "title": faces["小标宋"][1], "song": faces["宋体"][1]}
    assert font_search.stand_in_notes(fonts) == []


@pytest.mark.gui
def test_the_export_dialog_names_the_stand_in_faces_under_the_pdf_choices(qtbot, ledger, only, tmp_path):
    from desktop.export_dialogs import EXPORT_KINDS, ExportDialog

    need(FREE_FACES["ukai"], FREE_FACES["wqy"])
    only({"ukai.ttc": FREE_FACES["ukai"], "wqy-microhei.ttc": FREE_FACES["wqy"]})
    dialog = ExportDialog(ledger, period="2022-12", units=["市财政局"], folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.font_note.isVisible(), "nothing about fonts for a workbook"
    dialog.kind.setCurrentIndex(next(i for i, kind in enumerate(EXPORT_KINDS) if kind.label.startswith("月度工作进展情况通报")))
    assert dialog.font_note.isVisible()
    note = dialog.font_note.text()
    # A 楷体 is nearer 仿宋 and 宋体 than a sans face is; the title takes the sans face, bolder than UKai.
    assert "正文应使用仿宋，本机未找到，以 AR PL UKai CN 代替" in note and "页码应使用宋体，本机未找到，以 AR PL UKai CN 代替" in note
    assert "标题应使用小标宋，本机未找到，以 文泉驿微米黑 代替" in note
    assert "楷体" not in note and "黑体" not in note, "UKai is the 楷体, WenQuanYi the 黑体"
    assert "二级标题：AR PL UKai CN" in dialog.font_note.toolTip()
    assert dialog.sizeHint().height() < 700, "the dialog still fits a 1366×768 screen"
