"""Chinese fonts for the PDF reports: a face for each GB/T 9704 role, found by family name, embedded in the PDF.

GB/T 9704 wants 仿宋 for the body, 黑体 for 一、 headings, 楷体 for （一） headings, 小标宋 for the title
and 宋体 for page numbers.  Faces are found by the family names in their name tables (English and
Chinese: 仿宋_GB2312, 方正小标宋简体, Noto Serif CJK SC …) as well as by file name, in
DUBAN_FONT_DIR, the system's and the user's font folders.  What each font file holds is kept in an
index in the user cache folder, keyed by path, mtime and size, so a second look opens no font.

reportlab embeds TrueType outlines only.  An OpenType/CFF face (Noto CJK, 思源) is laid out with its
own metrics, and when a PDF is written the characters it printed are drawn through cu2qu into a
TrueType font kept in the cache folder; that font only grows, so a later export converts nothing
or a few new characters.  Every character the face has is embedded; one no face has is logged.

A role whose own face is missing takes the closest one found; FontSet.stand_ins says which, and
stand_in_notes() says it in Chinese for the log; face_plan() tells the export dialog.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
import logging
import os
import re
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFace

from db.errors import UserError
from db.files import replace_durably

log = logging.getLogger("duban.fonts")

ENV_FONT_DIR = "DUBAN_FONT_DIR"
ENV_CACHE_DIR = "DUBAN_CACHE_DIR"
ROLES = ("body", "heading", "title", "kai", "song")
ROLE_NAMES = {"body": "正文", "heading": "一级标题", "title": "标题", "kai": "二级标题", "song": "页码"}
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
# A face with GB2312's 6,763 characters is megabytes; smaller files are skipped without being opened.
MIN_CJK_FILE_SIZE = 256 * 1024
# A usable face has Chinese, the marks of a 文号 and page number, and digits (Droid Sans Fallback has none).
PROBE = "中国通报〔〕—0123456789A%"
INDEX_VERSION = 1
# OS/2 bits that say a font covers Chinese: code pages GB2312 (18) and Big5 (20), Unicode CJK (59).
_CHINESE_CODE_PAGES = (1 << 18) | (1 << 20)
_CJK_UNICODE_RANGE2 = 1 << (59 - 32)
# reportlab refuses these OS/2 fsType licences (restricted, bitmap-only, no subsetting); so do we.
_NOT_EMBEDDABLE = 0x0300

# Kinds of face, each a list of family-name patterns (matched whole, on names lower-cased without
# spaces, "-" or "_"), best first, and file-name stems that mean the same when the names say nothing.
KIND_NAMES = {"fangsong": "仿宋", "hei": "黑体", "kai": "楷体", "xbs": "小标宋", "song": "宋体"}
FAMILIES: dict[str, tuple[str, ...]] = {
    "fangsong": (
        r"(fangsong|仿宋)(gb2312)?",
        r"(方正仿宋|fzfangsong|fzfs).*",
        r"(stfangsong|华文仿宋)",
        r"cesi(仿宋|fs).*",
        r".*(fangsong|仿宋).*",
    ),
    "hei": (
        r"(simhei|黑体|heiti)",
        r"(方正黑体|fzhei|fzht).*",
        r"(stheiti|华文黑体)",
        r"cesi(黑体|ht).*",
        r"(notosanscjksc|notosanssc|sourcehansans(sc|cn)|思源黑体(cn)?)",
        r"(wenquanyimicrohei|文泉驿微米黑|文泉驛微米黑|wenquanyizenhei|文泉驿正黑|文泉驛正黑)",
        r"(microsoftyahei|微软雅黑)",
        r"(notosanscjk|sourcehansans)(tc|hk|jp|kr|tw)?",
    ),
    "kai": (
        r"(kaiti|楷体)(gb2312)?",
        r"(方正楷体|fzkai|fzkt).*",
        r"(stkaiti|华文楷体)",
        r"cesi(楷体|kt).*",
        r"arplukaicn",
        r"(lxgwwenkai|霞鹜文楷).*",
        r"arplukai.*",
        r".*(kaiti|楷体).*",
    ),
    "xbs": (r"(方正小标宋|fzxiaobiaosong|小标宋).*", r"cesi(小标宋|xbs).*"),
    "song": (
        r"(simsun|宋体|nsimsun|新宋体)",
        r"(方正书宋|fzshusong|fzss).*",
        r"(stsong|华文宋体|stzhongsong|华文中宋)",
        r"cesi(宋体|ss).*",
        r"(notoserifcjksc|notoserifsc|sourcehanserif(sc|cn)|思源宋体(cn)?)",
        r"arplumingcn",
        r"(notoserifcjk|sourcehanserif)(tc|hk|jp|kr|tw)?",
        r"arpluming.*",
    ),
}
# Windows (simfang.ttf), 方正 (FZFSK.TTF = 方正仿宋_GBK), 华文 (STFANGSO.TTF) and free faces; CESI faces
# on UOS/Kylin (CESI_FS_GB2312.TTF) and names like 仿宋_GB2312.ttf match the family patterns above.
FILE_STEMS: dict[str, tuple[str, ...]] = {
    "fangsong": ("simfang", "fzfsk", "fzfsjw", "stfangso", "fs_gb2312"),
    "hei": ("simhei", "fzhtk", "fzhtjw", "wqy-microhei", "wqy-zenhei", "msyh"),
    "kai": ("simkai", "fzktk", "fzktjw", "stkaiti", "ukai"),
    "xbs": ("fzxbsjw", "fzxbsk"),
    "song": ("simsun", "fzssk", "stsong", "stzhongs", "uming"),
}
# Each role: its own kinds of face, then the kinds that stand in, with the stroke weight wanted.
# A bold 宋体 is the nearest thing to 小标宋 for the title.
ROLE_KINDS: dict[str, tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]] = {
    "body": ((("fangsong", 400),), (("song", 400), ("kai", 400), ("hei", 400))),
    "heading": ((("hei", 400),), (("song", 700), ("fangsong", 400), ("kai", 400))),
    "title": ((("xbs", 400),), (("song", 700), ("hei", 700), ("fangsong", 400))),
    "kai": ((("kai", 400),), (("fangsong", 400), ("song", 400), ("hei", 400))),
    "song": ((("song", 400),), (("fangsong", 400), ("kai", 400), ("hei", 400))),
}


@dataclass(frozen=True)
class Face:
    """One face in a font file, as the index records it."""

    path: str
    index: int  # in a collection; -1 for a single font
    names: tuple[str, ...]  # family, full and PostScript names, English and Chinese
    display: str  # the name to show people: Chinese family name where there is one
    weight: int
    cff: bool  # PostScript outlines: converted to TrueType before embedding

    def key(self) -> str:
        return f"{self.path}#{self.index}"


@dataclass(frozen=True)
class StandIn:
    """A role printed in another face than its own: 正文 wants 仿宋, AR PL UMing CN stands in."""

    role: str
    wanted: str
    used: str

    def sentence(self) -> str:
        return f"{ROLE_NAMES[self.role]}应使用{self.wanted}，本机未找到，以 {self.used} 代替"


@dataclass(frozen=True)
class FontSet:
    """reportlab font names registered for each role of a GB/T 9704 document, the files and faces behind them."""

    body: str
    heading: str
    title: str
    kai: str
    song: str
    files: dict[str, str]
    faces: dict[str, str] = field(default_factory=dict)  # role → face name shown to people
    stand_ins: tuple[StandIn, ...] = ()


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
        # UOS and Kylin put 方正 faces under /usr/share/fonts (fonts-cesi, fonts-fz…); some vendors under /opt.
        dirs += [home / ".local" / "share" / "fonts", home / ".fonts", Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    return dirs


def cache_dir() -> Path:
    """The folder the program owns for the font index and converted faces: DUBAN_CACHE_DIR or the user cache."""
    override = os.environ.get(ENV_CACHE_DIR)
    if override:
        return Path(override) / "fonts"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("duban", appauthor=False)) / "fonts"


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a cache file under a temporary name and rename it (db.files.replace_durably), so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".duban-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        replace_durably(Path(temp), path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _normal(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


# ---------------------------------------------------------------- reading and indexing font files


def _faces_in(path: Path) -> list[dict]:
    """The usable Chinese faces in one file, read from the name, OS/2 and cmap tables only."""
    from fontTools.ttLib import TTFont as ToolsFont

    with path.open("rb") as handle:
        head = handle.read(12)
    count = struct.unpack(">I", head[8:12])[0] if head[:4] == b"ttcf" else 0
    faces = []
    for index in range(count) if count else (-1,):
        font = ToolsFont(str(path), fontNumber=index, lazy=True)
        try:
            if "OS/2" in font:
                os2 = font["OS/2"]
                if os2.fsType & _NOT_EMBEDDABLE or os2.fsType == 0x0002:
                    continue
                declared = os2.version >= 1 and os2.ulCodePageRange1
                if declared and not os2.ulCodePageRange1 & _CHINESE_CODE_PAGES and not os2.ulUnicodeRange2 & _CJK_UNICODE_RANGE2:
                    continue
            if not _maps_all(font.reader["cmap"], PROBE):
                continue
            names, chinese, english = set(), None, None
            for record in font["name"].names:
                if record.nameID not in (1, 4, 6, 16):
                    continue
                try:
                    text = record.toUnicode().strip()
                except (UnicodeDecodeError, LookupError):
                    continue
                if not text:
                    continue
                names.add(_normal(text))
                if record.nameID in (1, 16) and record.platformID == 3:
                    if record.langID in (0x0804, 0x1004) and (chinese is None or record.nameID == 1):
                        chinese = text
                    elif record.langID == 0x0409 and (english is None or record.nameID == 16):
                        english = text
            weight = font["OS/2"].usWeightClass if "OS/2" in font else 400
            display = chinese or english or font["name"].getDebugName(1) or path.stem
            if weight >= 600 and "bold" not in display.lower():
                display += " Bold"
            faces.append({"index": index, "names": sorted(names), "display": display, "weight": weight, "cff": "CFF " in font or "CFF2" in font})
        finally:
            font.close()
    return faces


def _maps_all(cmap: bytes, chars: str) -> bool:
    """Whether a raw cmap table maps every one of chars to a glyph, read from its Unicode subtable without
    decoding all of it (fontTools would build a dict of 40,000 entries per face of a Noto collection)."""
    count = struct.unpack_from(">H", cmap, 2)[0]
    subtables = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        subtables.setdefault((platform, encoding), offset)
    for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
        offset = subtables.get(key)
        if offset is None:
            continue
        fmt = struct.unpack_from(">H", cmap, offset)[0]
        if fmt == 12:
            groups = struct.unpack_from(">I", cmap, offset + 12)[0]
            ranges = list(struct.iter_unpack(">III", cmap[offset + 16 : offset + 16 + 12 * groups]))
            return all(any(start <= ord(ch) <= end and glyph + ord(ch) - start for start, end, glyph in ranges) for ch in chars)
        if fmt == 4:
            segments = struct.unpack_from(">H", cmap, offset + 6)[0] // 2
            ends = struct.unpack_from(f">{segments}H", cmap, offset + 14)
            starts = struct.unpack_from(f">{segments}H", cmap, offset + 16 + 2 * segments)
            deltas = struct.unpack_from(f">{segments}h", cmap, offset + 16 + 4 * segments)
            range_at = offset + 16 + 6 * segments
            range_offsets = struct.unpack_from(f">{segments}H", cmap, range_at)
            for ch in chars:
                code = ord(ch)
                seg = next((i for i, end in enumerate(ends) if end >= code), None)
                if seg is None or starts[seg] > code:
                    return False
                if range_offsets[seg] == 0:
                    glyph = (code + deltas[seg]) & 0xFFFF
                else:
                    at = range_at + 2 * seg + range_offsets[seg] + 2 * (code - starts[seg])
                    glyph = struct.unpack_from(">H", cmap, at)[0]
                    glyph = (glyph + deltas[seg]) & 0xFFFF if glyph else 0
                if not glyph:
                    return False
            return True
    return False


def _index_path() -> Path:
    return cache_dir() / "index.json"


def _read_index() -> dict:
    try:
        data = json.loads(_index_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("files", {}) if data.get("version") == INDEX_VERSION else {}


def _scan(dirs: tuple[Path, ...]) -> list[tuple[Face, bool]]:
    """Every usable Chinese face in dirs, with whether it came from DUBAN_FONT_DIR; cached by path, mtime, size."""
    index = _read_index()
    own = {Path(p) for p in os.environ.get(ENV_FONT_DIR, "").split(os.pathsep) if p.strip()}
    seen: set[str] = set()
    walked: set[str] = set()
    found: list[tuple[Face, bool]] = []
    changed = False
    for folder in dirs:
        if not folder.is_dir():
            continue
        for root, subdirs, files in os.walk(folder, followlinks=True):
            if os.path.realpath(root) in walked:  # a symlinked folder seen already (or a loop)
                subdirs.clear()
                continue
            walked.add(os.path.realpath(root))
            for name in sorted(files):
                if not name.lower().endswith(FONT_SUFFIXES):
                    continue
                path = Path(root) / name
                try:
                    stat = path.stat()
                    real = str(path.resolve())
                except OSError:
                    continue
                if stat.st_size < MIN_CJK_FILE_SIZE or real in seen:
                    continue
                seen.add(real)
                entry = index.get(str(path))
                if not entry or entry.get("mtime") != stat.st_mtime_ns or entry.get("size") != stat.st_size:
                    try:
                        faces = _faces_in(path)
                    except Exception as exc:  # a damaged or unknown font file is skipped, never fatal
                        log.debug("font file %s skipped: %s", path, exc)
                        faces = []
                    entry = index[str(path)] = {"mtime": stat.st_mtime_ns, "size": stat.st_size, "faces": faces}
                    changed = True
                for face in entry["faces"]:
                    found.append((Face(str(path), face["index"], tuple(face["names"]), face["display"], face["weight"], face["cff"]), folder in own))
    if changed:
        try:
            _write_atomic(_index_path(), json.dumps({"version": INDEX_VERSION, "files": index}, ensure_ascii=False).encode("utf-8"))
        except OSError as exc:
            log.warning("font index not saved in %s: %s", _index_path(), exc)
    return found


def _file_kinds(face: Face) -> dict[str, int]:
    """The kinds a face's file name says it is (simfang.ttf, 方正仿宋_GBK.ttf), with the rank the name gives."""
    stem = Path(face.path).stem.lower()
    kinds = {}
    for kind, patterns in FAMILIES.items():
        if stem in FILE_STEMS[kind]:
            kinds[kind] = len(patterns) + FILE_STEMS[kind].index(stem)
        elif (rank := next((r for r, pattern in enumerate(patterns) if re.fullmatch(pattern, _normal(stem))), None)) is not None:
            kinds[kind] = len(patterns) + len(FILE_STEMS[kind]) + rank
    return kinds


def _rank(face: Face, kind: str) -> int | None:
    """How well a face's family names say it is of this kind, None when not at all.

    A file named for a kind (simfang.ttf, 方正仿宋_GBK.ttf) is taken for that kind only, whatever its
    names say: the office put it there for that role.
    """
    by_file = _file_kinds(face)
    if by_file and kind not in by_file:
        return None
    for rank, pattern in enumerate(FAMILIES[kind]):
        if any(re.fullmatch(pattern, name) for name in face.names):
            return rank
    return by_file.get(kind)


def _script(face: Face) -> int:
    """0 for a Chinese face (named SC/CN, or not named for a region), 1 for Traditional (TC/HK/TW), 2 for JP/KR."""
    names = " ".join(face.names) + " "
    suffix = r"(mbe)?(regular|bold|medium|light)?\s"
    if re.search(r"(jp|kr)" + suffix, names):
        return 2
    return 1 if re.search(r"(tc|hk|tw)" + suffix, names) and not re.search(r"(sc|cn)" + suffix, names) else 0


def _best(faces: list[tuple[Face, bool]], kind: str, weight: int) -> list[Face]:
    """Faces of a kind, best first: family rank, Simplified Chinese, the weight nearest the one wanted, folder order."""
    ranked = []
    for order, (face, _own) in enumerate(faces):
        rank = _rank(face, kind)
        if rank is not None:
            ranked.append((rank, _script(face), abs(face.weight - weight), order, face))
    return [face for *_key, face in sorted(ranked, key=lambda item: item[:4])]


@dataclass(frozen=True)
class _Choice:
    role: str
    faces: tuple[Face, ...]  # candidates, best first
    own: int  # how many of them are the role's own kind
    wanted: str


@functools.lru_cache(maxsize=8)
def _choose(dirs: tuple[Path, ...]) -> tuple[_Choice, ...]:
    faces = _scan(dirs)
    if not faces:
        raise UserError(
            "未找到可嵌入的中文字体，无法生成 PDF。请安装中文字体后重试："
            "Windows 使用系统自带的仿宋、黑体、楷体、宋体；"
            "统信 UOS、麒麟等系统可安装方正仿宋、方正小标宋等公文字体；"
            "其他 Linux 可安装 Noto CJK 宋体/黑体（fonts-noto-cjk）、AR PL UKai 楷体（fonts-arphic-ukai）、"
            "AR PL UMing 明体（fonts-arphic-uming）或文泉驿微米黑（fonts-wqy-microhei）。",
            [
                "已查找的字体文件夹：" + "；".join(str(d) for d in dirs),
                f"也可把中文字体（.ttf、.ttc、.otf）放在一个文件夹中，并用环境变量 {ENV_FONT_DIR} 指向它。",
                "TrueType 与 OpenType（Noto CJK、思源宋体/黑体）字体都可使用；禁止嵌入的字体不能使用。",
            ],
        )
    # Any other face: those in DUBAN_FONT_DIR first, then Chinese before Japanese and Korean, then regular weights.
    anything = [face for face, _own in sorted(faces, key=lambda item: (not item[1], _script(item[0]), abs(item[0].weight - 400)))]
    choices = []
    for role in ROLES:
        own_kinds, stand_kinds = ROLE_KINDS[role]
        own = [face for kind, weight in own_kinds for face in _best(faces, kind, weight)]
        others = [face for kind, weight in stand_kinds for face in _best(faces, kind, weight)]
        candidates = list(dict.fromkeys(own + others + anything))
        choices.append(_Choice(role, tuple(candidates), len(dict.fromkeys(own)), "、".join(KIND_NAMES[k] for k, _w in own_kinds)))
    return tuple(choices)


# ---------------------------------------------------------------- OpenType/CFF to TrueType


def _cached_paths(face: Face) -> tuple[Path, Path]:
    """The converted font and its list of requested characters, named from the source's path, mtime and size."""
    stat = os.stat(face.path)
    digest = hashlib.sha1(f"{face.path}|{face.index}|{stat.st_mtime_ns}|{stat.st_size}".encode()).hexdigest()[:20]
    folder = cache_dir()
    return folder / f"{digest}.ttf", folder / f"{digest}.json"


def _requested(record: Path) -> set[int]:
    try:
        return set(json.loads(record.read_text("utf-8"))["chars"])
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def convert_to_truetype(face: Face, chars: set[int], target: Path) -> int:
    """Draw the glyphs of chars from a CFF face through cu2qu into a TrueType font at target; returns the glyph count.

    Only the tables reportlab reads are built (glyf, loca, cmap, hmtx, hhea, head, maxp, name, OS/2,
    post); layout tables are left out as reportlab does not shape.  Drawing just these glyphs is what
    fontTools' otf2ttf does after subsetting, without the subsetter's pass over every CFF charstring.
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as ToolsFont

    source = ToolsFont(face.path, fontNumber=face.index, lazy=True)
    try:
        cmap = source.getBestCmap()
        mapping = {code: cmap[code] for code in sorted(chars) if code in cmap}
        order = [".notdef"] + sorted(set(mapping.values()) - {".notdef"}, key=source.getGlyphID)
        glyph_set = source.getGlyphSet()
        glyphs = {}
        for name in order:
            pen = TTGlyphPen(None)
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyphs[name] = pen.glyph()
        builder = FontBuilder(source["head"].unitsPerEm, isTTF=True)
        builder.setupGlyphOrder(order)
        builder.setupCharacterMap(mapping)
        builder.setupGlyf(glyphs)
        glyf, hmtx = builder.font["glyf"], source["hmtx"]
        builder.setupHorizontalMetrics({name: (hmtx[name][0], getattr(glyf[name], "xMin", 0)) for name in order})
        builder.font["name"] = source["name"]
        builder.font["OS/2"] = source["OS/2"]
        post = source["post"]
        builder.setupPost(keepGlyphNames=False, italicAngle=post.italicAngle, underlinePosition=post.underlinePosition, underlineThickness=post.underlineThickness, isFixedPitch=post.isFixedPitch)
        # Header, bounds and limits come from the whole source face, not from the glyphs converted so
        # far: the PDF embeds them, and the same document must give the same file however much the
        # cache holds.
        font = builder.font
        font.recalcBBoxes = False
        font["hhea"] = source["hhea"]
        maxp = font["maxp"]
        maxp.recalc(font)  # also sets head's bounds from these glyphs, put back below
        maxp.maxPoints, maxp.maxContours = max(maxp.maxPoints, MAXP_POINTS), max(maxp.maxContours, MAXP_CONTOURS)
        for attr in ("xMin", "yMin", "xMax", "yMax", "macStyle", "fontRevision", "created", "modified", "lowestRecPPEM"):
            setattr(font["head"], attr, getattr(source["head"], attr))
        buffer = io.BytesIO()
        builder.save(buffer)
        _write_atomic(target, buffer.getvalue())
        return len(order)
    finally:
        source.close()


_convert_lock = threading.Lock()
# maxp limits of a converted face, above what any CJK glyph needs: fixed, so they do not depend on
# which glyphs have been converted so far.
MAXP_POINTS, MAXP_CONTOURS = 4096, 512
# What a converted face holds from the start: enough for a page number and a short title.
START_CHARS = frozenset(range(0x20, 0x7F)) | frozenset(map(ord, PROBE + "—…·、。，；：？！（）《》〔〕【】“”‘’"))


def _converted(face: Face, chars: set[int], *, again: bool = False) -> Path:
    """A TrueType copy of a CFF face holding at least chars (as far as the face has them), converted once and cached.

    The cached copy keeps every character ever asked of it, so it only grows, and only when a
    document prints a character it has not printed before.
    """
    target, record = _cached_paths(face)
    with _convert_lock:
        requested = _requested(record)
        if target.is_file() and chars <= requested and not again:
            return target
        wanted = chars | requested | START_CHARS
        target.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        count = convert_to_truetype(face, wanted, target)
        _write_atomic(record, json.dumps({"source": face.key(), "chars": sorted(wanted)}).encode("utf-8"))
        log.info("converted %s (%s) to TrueType: %d glyphs in %.1f s", face.display, face.path, count, time.perf_counter() - started)
        return target


def _source_metrics(face: Face) -> tuple[dict[int, int], dict[int, float]]:
    """Every character a face maps, and its advance width in thousandths of an em (as reportlab counts).

    Kept beside the converted font as runs of consecutive characters of one width, so a later
    export reads a few kilobytes instead of decoding the face's cmap.
    """
    target, _record = _cached_paths(face)
    stored = target.with_suffix(".metrics.json")
    try:
        runs = json.loads(stored.read_text("utf-8"))["runs"]
    except (OSError, ValueError, KeyError, TypeError):
        from fontTools.ttLib import TTFont as ToolsFont

        source = ToolsFont(face.path, fontNumber=face.index, lazy=True)
        try:
            cmap = source.getBestCmap() or {}
            hmtx, scale = source["hmtx"], 1000.0 / source["head"].unitsPerEm
            runs = []
            for code in sorted(cmap):
                width = round(hmtx[cmap[code]][0] * scale, 3)
                if runs and runs[-1][1] == code - 1 and runs[-1][2] == width:
                    runs[-1][1] = code
                else:
                    runs.append([code, code, width])
        finally:
            source.close()
        try:
            _write_atomic(stored, json.dumps({"source": face.key(), "runs": runs}).encode("utf-8"))
        except OSError as exc:
            log.warning("font metrics not saved in %s: %s", stored, exc)
    chars, widths = {}, {}
    for start, end, width in runs:
        for code in range(start, end + 1):
            chars[code] = 1
            widths[code] = width
    return chars, widths


class _Font(TTFont):
    """A registered face that never prints a character as a silent blank.

    A TrueType face is embedded as it is.  A CFF face is laid out with the metrics of every
    character the source has; when the document is written, the characters it used are converted
    (once, cached) and that TrueType font is embedded.  A character no face has is logged.
    """

    def __init__(self, name: str, face: Face):
        self.source = face
        self._lacking: set[int] = set()
        super().__init__(name, str(_converted(face, set()) if face.cff else face.path), subfontIndex=0 if face.cff else max(face.index, 0))
        if face.cff:
            self._metrics = copy.copy(self.face)
            self._metrics.charToGlyph, self._metrics.charWidths = _source_metrics(face)
            self.face = self._metrics

    def prepare(self, text: str) -> None:
        """Convert the characters of text ahead of layout, so writing the document converts nothing."""
        if self.source.cff:
            _converted(self.source, {ord(ch) for ch in text} & set(self._metrics.charToGlyph))

    def splitString(self, text, doc, encoding="utf-8"):
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        have = self.face.charToGlyph
        missing = {code for code in map(ord, text) if code not in have and code > 0x20 and code != 0xA0 and code not in self._lacking}
        if missing:
            self._lacking |= missing
            log.warning("字体 %s 中没有这些字符，PDF 中将显示为方框：%s", self.source.display, "".join(map(chr, sorted(missing))))
        return super().splitString(text, doc, encoding)

    def addObjects(self, doc):
        if not self.source.cff:
            return super().addObjects(doc)
        used = {code for subset in self._assignState(doc).subsets for code in subset if code in self._metrics.charToGlyph}
        self.face = TTFontFace(str(_converted(self.source, used)))
        if not used <= self.face.charToGlyph.keys():  # another duban process replaced the cached font meanwhile
            self.face = TTFontFace(str(_converted(self.source, used, again=True)))
        try:
            return super().addObjects(doc)
        finally:
            self.face = self._metrics


_registered: dict[str, _Font] = {}


def _register(face: Face) -> _Font | None:
    """The face registered with reportlab (converted first when CFF), or None when it cannot be embedded."""
    try:
        stat = os.stat(face.path)
    except OSError:
        return None
    key = f"{face.key()}|{stat.st_mtime_ns}|{stat.st_size}"
    if key in _registered:
        return _registered[key]
    try:
        font = _Font("duban-" + hashlib.sha1(key.encode()).hexdigest()[:12], face)
    except (TTFError, OSError, ValueError, IndexError, KeyError, AssertionError, struct.error) as exc:
        log.warning("font %s (%s) cannot be embedded: %s", face.display, face.path, exc)
        return None
    pdfmetrics.registerFont(font)
    _registered[key] = font
    return font


def _plan(choices: tuple[_Choice, ...], usable=lambda face: True) -> dict[str, tuple[Face, bool]]:
    """Each role's face and whether it stands in for the role's own kind."""
    plan = {}
    for choice in choices:
        for position, face in enumerate(choice.faces):
            if usable(face):
                plan[choice.role] = (face, position >= choice.own)
                break
    return plan


def _stand_ins(choices: tuple[_Choice, ...], plan: dict[str, tuple[Face, bool]]) -> tuple[StandIn, ...]:
    return tuple(StandIn(choice.role, choice.wanted, plan[choice.role][0].display) for choice in choices if choice.role in plan and plan[choice.role][1])


def find_cjk_fonts(text: str = "") -> FontSet:
    """Register a face for each role and return their names; UserError naming what to install when there is none.

    text (optional): characters the document will print, converted ahead for OpenType/CFF faces.  Not
    needed for correctness: the characters a document uses are converted when it is written.
    Each role printed in a stand-in face is logged.
    """
    dirs = tuple(search_dirs())
    choices = _choose(dirs)
    fonts: dict[str, _Font] = {}

    def usable(face: Face) -> bool:
        font = _register(face)
        if font is not None:
            fonts[face.key()] = font
        return font is not None

    plan = _plan(choices, usable)
    if len(plan) < len(ROLES):
        raise UserError("本机的中文字体都无法嵌入 PDF，无法生成 PDF。请安装允许嵌入的中文字体（如 Noto CJK、文泉驿微米黑）后重试。")
    if text:
        for font in {id(f): f for f in fonts.values()}.values():
            font.prepare(text)
    result = FontSet(
        **{role: fonts[plan[role][0].key()].fontName for role in ROLES},
        files={role: plan[role][0].path for role in ROLES},
        faces={role: plan[role][0].display for role in ROLES},
        stand_ins=_stand_ins(choices, plan),
    )
    for sentence in stand_in_notes(result):
        log.warning("PDF 字体：%s", sentence)
    return result


def stand_in_notes(fonts: FontSet) -> list[str]:
    """Chinese sentences, one per role printed in another face than its own ("正文应使用仿宋，本机未找到，以 … 代替")."""
    return [stand_in.sentence() for stand_in in fonts.stand_ins]


def face_plan() -> tuple[dict[str, str], list[str]]:
    """What find_cjk_fonts would use on this machine: each role's face (by role name) and the stand-in sentences.

    Converts and registers nothing, so a dialog can show it; UserError when there is no Chinese font.
    """
    choices = _choose(tuple(search_dirs()))
    plan = _plan(choices)
    return {ROLE_NAMES[role]: plan[role][0].display for role in ROLES}, [s.sentence() for s in _stand_ins(choices, plan)]

