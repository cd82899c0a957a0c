"""Chinese fonts for the PDF reports: TrueType faces found on this machine, embedded so any printer shows them.

GB/T 9704 wants 仿宋 for the body, 黑体 for 一、 headings, 楷体 for （一） headings, 小标宋 for
the title and 宋体 for page numbers.  Windows has them (simfang.ttf, simhei.ttf, simkai.ttf,
simsun.ttc); Linux usually has WenQuanYi or AR PL UMing/UKai.  A role whose face is missing takes
the closest one found, down to one font for everything.  OpenType/CFF fonts (Noto CJK, 思源) cannot
be embedded by reportlab and are skipped.
"""

from __future__ import annotations

import functools
import os
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from db.errors import UserError

ENV_FONT_DIR = "DUBAN_FONT_DIR"
ROLES = ("body", "heading", "title", "kai", "song")
FONT_SUFFIXES = (".ttf", ".ttc")
# A usable face has Chinese, the marks of a 文号 and page number, and digits (Droid Sans Fallback has none).
PROBE = "中国通报〔〕—0123456789A%"

# Preferred files per role, best first; a .ttc entry may name the face to take from the collection.
PREFERRED: dict[str, tuple[tuple[str, str | None], ...]] = {
    "body": (("simfang.ttf", None), ("fzfsk.ttf", None), ("fzfsjw.ttf", None), ("stfangso.ttf", None), ("uming.ttc", "CN"), ("simsun.ttc", "SimSun")),
    "heading": (("simhei.ttf", None), ("fzhtk.ttf", None), ("fzhtjw.ttf", None), ("wqy-microhei.ttc", None), ("wqy-zenhei.ttc", None), ("msyh.ttc", None)),
    "title": (("fzxbsjw.ttf", None), ("fzxbsk.ttf", None), ("simsun.ttc", "SimSun"), ("simhei.ttf", None), ("uming.ttc", "CN")),
    "kai": (("simkai.ttf", None), ("fzktk.ttf", None), ("fzktjw.ttf", None), ("stkaiti.ttf", None), ("ukai.ttc", "CN")),
    "song": (("simsun.ttc", "SimSun"), ("fzssk.ttf", None), ("uming.ttc", "CN")),
}
# Any of these serves a role whose own face is missing, in this order.
GENERAL = (
    ("wqy-microhei.ttc", None),
    ("wqy-zenhei.ttc", None),
    ("uming.ttc", "CN"),
    ("simsun.ttc", "SimSun"),
    ("simhei.ttf", None),
    ("simfang.ttf", None),
    ("simkai.ttf", None),
    ("msyh.ttc", None),
    ("ukai.ttc", "CN"),
)


@dataclass(frozen=True)
class FontSet:
    """reportlab font names registered for each role of a GB/T 9704 document, and the files behind them."""

    body: str
    heading: str
    title: str
    kai: str
    song: str
    files: dict[str, str]


def search_dirs() -> list[Path]:
    """Where fonts live: DUBAN_FONT_DIR first, then the system's and the user's font folders."""
    dirs = [Path(p) for p in os.environ.get(ENV_FONT_DIR, "").split(os.pathsep) if p.strip()]
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
        dirs.append(Path(windir) / "Fonts")
        if local := os.environ.get("LOCALAPPDATA"):
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [home / "Library" / "Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    else:
        dirs += [home / ".local" / "share" / "fonts", home / ".fonts", Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    return dirs


def _font_files(dirs: tuple[Path, ...]) -> tuple[dict[str, Path], list[Path]]:
    """Known font files by lower-case name (first folder wins), and any other TrueType file in DUBAN_FONT_DIR."""
    found: dict[str, Path] = {}
    extra: list[Path] = []
    own = {Path(p) for p in os.environ.get(ENV_FONT_DIR, "").split(os.pathsep) if p.strip()}
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            name = path.name.lower()
            if not name.endswith(FONT_SUFFIXES) or not path.is_file():
                continue
            found.setdefault(name, path)
            if folder in own:
                extra.append(path)
    return found, extra


def _open(path: Path, face: str | None) -> TTFont | None:
    """The TrueType face (the one whose family names `face`, in a collection), or None when unusable."""
    name = f"duban-{path.stem.lower()}-{face or 0}-{zlib.crc32(str(path).encode()):08x}"
    try:
        return pdfmetrics.getFont(name)
    except KeyError:
        pass
    for index in range(8 if face else 1):
        try:
            font = TTFont(name, str(path), subfontIndex=index)
        except (TTFError, OSError, ValueError, IndexError, struct.error):
            return None
        family = font.face.familyName.decode("utf-8", "replace") if isinstance(font.face.familyName, bytes) else str(font.face.familyName)
        if face is None or face in family:
            if not all(ord(ch) in font.face.charToGlyph for ch in PROBE):
                return None
            pdfmetrics.registerFont(font)
            return font
    return None


@functools.lru_cache(maxsize=8)
def _load(dirs: tuple[Path, ...]) -> FontSet:
    found, extra = _font_files(dirs)

    def first(candidates) -> tuple[str, str] | None:
        for filename, face in candidates:
            if filename in found and (font := _open(found[filename], face)):
                return font.fontName, str(found[filename])
        return None

    chosen = {role: first(PREFERRED[role]) for role in ROLES}
    general = (
        first(GENERAL)
        or next((pick for pick in chosen.values() if pick), None)
        or next(((f.fontName, str(p)) for p in extra if (f := _open(p, None))), None)
    )
    if general is None:
        raise UserError(
            "未找到可嵌入的中文字体（TrueType 格式），无法生成 PDF。请安装中文字体后重试："
            "Windows 使用系统自带的仿宋、黑体、宋体（simfang.ttf、simhei.ttf、simsun.ttc）；"
            "Linux 请安装文泉驿微米黑（fonts-wqy-microhei）或 AR PL UMing（fonts-arphic-uming）。",
            [
                "已查找的字体文件夹：" + "；".join(str(d) for d in dirs),
                f"也可把 .ttf/.ttc 中文字体放在一个文件夹中，并用环境变量 {ENV_FONT_DIR} 指向它。",
                "Noto Sans CJK、思源黑体等 OpenType（.otf）字体无法嵌入 PDF，不能使用。",
            ],
        )
    # A missing 楷体 or 宋体 looks closer to the body face than to the sans fallback.
    for role in ("kai", "song"):
        chosen[role] = chosen[role] or chosen["body"]
    chosen = {role: pick or general for role, pick in chosen.items()}
    return FontSet(**{role: chosen[role][0] for role in ROLES}, files={role: chosen[role][1] for role in ROLES})


def find_cjk_fonts() -> FontSet:
    """Register the CJK fonts once per set of font folders; UserError naming what to install when there are none."""
    return _load(tuple(search_dirs()))
