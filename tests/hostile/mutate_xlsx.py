"""Mutators of a real filled 报送模板: bytes, zip members, sheet XML, shared strings, the hidden 标识 sheet, forged seals."""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import warnings
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from db.template_import import sign
from exports.template_export import ID_KEYS
from tests.hostile import world as sample

SHEET = "xl/worksheets/sheet1.xml"
ID_SHEET = "xl/worksheets/sheet2.xml"
NASTY_TEXTS = [
    "", " ", "\x00", "\x1b[31m", "=HYPERLINK(\"http://x\",\"y\")", "=1+1", "@SUM(A1)", "'; DROP TABLE progress_entry; --",
    "../../etc/passwd", "C:\\Windows\\system32", "已完成", "推进中", "完成了", "100", "-1", "1e308", "NaN", "A01-01", "A99-99",
    "市自然资源和规划局", "2022-12", "2999-01", "\u202e反转", "\ufeff", "𠀀𠀁", "\ud7ff", "a" * 3000, "进展" * 40_000,
]


def members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(info, z.read(info)) for info in z.infolist()]


def rezip(items: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        warnings.simplefilter("ignore")  # a duplicate member name is the point
        for name, data in items:
            z.writestr(name, data)
    return out.getvalue()


def _edit_member(data: bytes, name: str, edit) -> bytes:
    return rezip([(info.filename, edit(body) if info.filename == name else body) for info, body in members(data)])


def _write(case: Path, data: bytes) -> Path:
    path = case / sample.TEMPLATE_NAME
    path.write_bytes(data)
    return path


# --- bytes ----------------------------------------------------------------------------------------


def byte_flip(rng: random.Random, world: sample.World, case: Path):
    data = bytearray(world.template.read_bytes())
    flips = rng.randint(1, 16)
    for _ in range(flips):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return _write(case, bytes(data)), f"{flips} random bit flips"


def truncate(rng: random.Random, world: sample.World, case: Path):
    data = world.template.read_bytes()
    if rng.random() < 0.7:
        cut = rng.randrange(len(data))
        return _write(case, data[:cut]), f"cut at {cut} of {len(data)} bytes"
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4096)))
    at = rng.randrange(len(data))
    return _write(case, data[:at] + junk + data[at:]), f"{len(junk)} junk bytes inserted at {at}"


def deflate_damage(rng: random.Random, world: sample.World, case: Path):
    """Bytes flipped inside one member's compressed data: zlib errors and bad CRCs, with the zip directory intact."""
    data = bytearray(world.template.read_bytes())
    with zipfile.ZipFile(world.template) as z:
        info = rng.choice([i for i in z.infolist() if i.compress_size > 8])
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    flips = rng.randint(1, 6)
    for _ in range(flips):
        data[start + rng.randrange(info.compress_size)] ^= 1 << rng.randrange(8)
    return _write(case, bytes(data)), f"{flips} flips in the deflate data of {info.filename}"


# --- zip members ----------------------------------------------------------------------------------


def member_swap(rng: random.Random, world: sample.World, case: Path):
    items = [(i.filename, body) for i, body in members(world.template.read_bytes())]
    names = [n for n, _ in items]
    move = rng.choice(["swap", "drop", "duplicate", "empty", "garbage", "bomb", "huge_strings", "reorder"])
    a, b = rng.sample(range(len(items)), 2)
    if move == "swap":
        items[a], items[b] = (items[a][0], items[b][1]), (items[b][0], items[a][1])
        what = f"contents of {names[a]} and {names[b]} swapped"
    elif move == "drop":
        what = f"{names[a]} removed"
        del items[a]
    elif move == "duplicate":
        items.append((names[a], items[b][1]))
        what = f"a second {names[a]} holding {names[b]}"
    elif move == "empty":
        items[a] = (names[a], b"")
        what = f"{names[a]} emptied"
    elif move == "garbage":
        items[a] = (names[a], bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000))))
        what = f"{names[a]} replaced by random bytes"
    elif move == "bomb":
        items.append(("xl/media/bomb.bin", b"\0" * (60 * 1024 * 1024)))
        what = "a 60 MB member of zeros (ratio ~1000:1)"
    elif move == "huge_strings":
        huge = b'<c r="Z1" t="inlineStr"><is><t>' + "填".encode() * 3_000_000 + b"</t></is></c>"
        items = [(n, d.replace(b"</row>", huge + b"</row>", 1) if n == ID_SHEET else d) for n, d in items]
        what = "a 9 MB inline string in the 标识 sheet"
    else:
        rng.shuffle(items)
        what = "members in random order"
    return _write(case, rezip(items)), what


# --- sheet XML ------------------------------------------------------------------------------------


def _rows(xml: str) -> list[str]:
    return re.findall(r"<row [^>]*>.*?</row>", xml, flags=re.S)


def _with_row_number(row: str, number: int) -> str:
    row = re.sub(r'(<row [^>]*?)r="\d+"', rf'\g<1>r="{number}"', row, count=1)
    return re.sub(r'(<c [^>]*?r=")([A-Z]+)\d+"', rf'\g<1>\g<2>{number}"', row)


def _inline(row: str, column: str, text: str) -> str:
    """A row whose cell in `column` holds an inline string."""
    number = re.search(r'<row [^>]*?r="(\d+)"', row).group(1)
    cell = f'<c r="{column}{number}" t="inlineStr"><is><t>{_xml(text)}</t></is></c>'
    pattern = rf'<c [^>]*?r="{column}{number}"[^>]*?(?:/>|>.*?</c>)'
    return re.sub(pattern, lambda _m: cell, row, count=1, flags=re.S) if re.search(pattern, row, flags=re.S) else row.replace("</row>", cell + "</row>")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(rng: random.Random, world: sample.World, case: Path):
    """Edits of 进展报送's XML as a hand or a script makes them."""
    data = world.template.read_bytes()
    xml = dict((i.filename, b) for i, b in members(data))[SHEET].decode()
    rows = _rows(xml)
    filled = [r for r in rows if re.search(r'<c r="J\d+"[^>]*t="inlineStr"', r) and 'r="J5"' not in r]
    last = int(re.findall(r'<row [^>]*?r="(\d+)"', xml)[-1])
    move = rng.choice(["dimension", "rows_beyond", "duplicate_row", "unknown_code", "other_unit_code", "many_rows", "cell_type",
                       "number", "junk", "row_numbers", "drop_row", "huge_inline", "nasty_inline", "huge_row_number"])
    if move == "dimension":
        ref = rng.choice(["A1:B2", "A1:M6", "A1:XFD1048576", "garbage", "", "M20:A1"])
        xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml)
        what = f"<dimension ref={ref!r}>"
    elif move in ("rows_beyond", "duplicate_row", "unknown_code", "other_unit_code", "many_rows"):
        source = rng.choice(filled)
        count = 2100 if move == "many_rows" else rng.randint(1, 3)
        extra = []
        for k in range(count):
            row = _with_row_number(source, last + 1 + k)
            if move == "unknown_code":
                row = _inline(row, "C", rng.choice(["A99-99", "ZZZ", "A01-07 ", "a01-07"]))
            elif move == "other_unit_code":
                row = _inline(row, "C", rng.choice(sorted(world.packet_tasks - set(world.template_codes))))
            elif move == "rows_beyond":
                row = _inline(row, "C", rng.choice(world.template_codes))
            extra.append(row)
        xml = xml.replace("</sheetData>", "".join(extra) + "</sheetData>")
        if rng.random() < 0.5:
            xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:M{last}"', xml)
        what = f"{count} rows ({move}) appended after row {last}"
    elif move == "cell_type":
        cells = re.findall(r'<c r="[H-M]\d+"[^>]*?>', xml)
        cell = rng.choice(cells)
        kind = rng.choice(["s", "n", "b", "e", "str", "inlineStr", "d", "bogus"])
        new = re.sub(r' t="[^"]*"', "", cell).replace("<c ", f'<c t="{kind}" ', 1)
        xml = xml.replace(cell, new, 1)
        what = f"cell {cell} typed {kind}"
    elif move == "number":
        cells = re.findall(r'<c r="I\d+"[^>]*?>(?:<v>[^<]*</v>)?</c>', xml)
        value = rng.choice(["1e308", "-1", "80.5", "NaN", "inf", "99999999999999999999", "0x50", "", "1,000"])
        cell = rng.choice(cells)
        new = re.sub(r"<v>[^<]*</v>|$", "", cell)
        new = re.sub(r' t="[^"]*"', "", new)
        new = new.replace("</c>", f"<v>{value}</v></c>") if new.endswith("</c>") else new
        xml = xml.replace(cell, new, 1)
        what = f"percent cell {cell[:30]} set to <v>{value}</v>"
    elif move == "junk":
        at = rng.randrange(len(xml))
        junk = rng.choice(["<", "</row>", "<c r=\"A1\">", "&bogus;", "<!DOCTYPE x [<!ENTITY a \"b\">]>", "\x00", "]]>", "<row>"])
        xml = xml[:at] + junk + xml[at:]
        what = f"{junk!r} inserted at {at}"
    elif move == "row_numbers":
        a, b = rng.sample(filled, 2) if len(filled) > 1 else (filled[0], rows[-1])
        number = re.search(r'<row [^>]*?r="(\d+)"', b).group(1)
        xml = xml.replace(a, _with_row_number(a, int(number)), 1)
        what = f"a filled row renumbered to {number} (two rows share a number)"
    elif move == "drop_row":
        row = rng.choice(rows)
        xml = xml.replace(row, "", 1)
        what = "row " + re.search(r'r="(\d+)"', row).group(1) + " removed"
    elif move == "huge_inline":
        row = rng.choice(filled)
        xml = xml.replace(row, _inline(row, rng.choice("JKLM"), "很长的进展" * rng.choice([2_000, 50_000, 400_000])), 1)
        what = "a huge inline string in an input cell"
    elif move == "nasty_inline":
        row = rng.choice(filled)
        column = rng.choice("CDFHIJKLM")
        text = rng.choice(NASTY_TEXTS)
        xml = xml.replace(row, _inline(row, column, text), 1)
        what = f"column {column} of a filled row set to {text[:30]!r}"
    else:
        row = rng.choice(filled)
        number = rng.choice([1048577, 2**31, 10**12, 0, -3])
        xml = xml.replace(row, _with_row_number(row, number), 1)
        what = f"a filled row numbered {number}"
    return _write(case, _edit_member(data, SHEET, lambda _b: xml.encode())), move + ": " + what


def strings(rng: random.Random, world: sample.World, case: Path):
    """The inline strings of either sheet edited (task codes, titles, inputs, the 标识's facts), checksums left alone."""
    data = world.template.read_bytes()
    target = rng.choice([SHEET, SHEET, ID_SHEET])
    xml = dict((i.filename, b) for i, b in members(data))[target].decode()
    texts = re.findall(r"<t>[^<]*</t>|<t/>", xml)
    move = rng.choice(["text", "text", "text", "entity", "rich", "preserve"])
    old = rng.choice(texts)
    if move == "text":
        text = rng.choice(NASTY_TEXTS)
        new = f"<t>{_xml(text)}</t>"
        what = f"{old[:30]!r} -> {text[:30]!r}"
    elif move == "entity":
        xml = xml.replace("<worksheet", '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet', 1)
        new = "<t>&x;</t>"
        what = "an external entity"
    elif move == "rich":
        new = "<r><t>A</t></r><r><t>01-07</t></r>"
        what = f"{old[:30]!r} as rich-text runs"
    else:
        new = old.replace("<t>", '<t xml:space="preserve">  ') if old != "<t/>" else old
        what = "leading spaces kept"
    xml = xml.replace(old, new, 1)
    return _write(case, _edit_member(data, target, lambda _b: xml.encode())), f"{target}: {move}: {what}"


# --- the 标识 sheet ---------------------------------------------------------------------------------


def _forge(payload: list) -> str:
    """What an attacker without the office's key can put in 签名: the program's own HMAC under a guessed key."""
    return sign(b"\0" * 32, payload)


def _id_values(wb) -> list[list]:
    return [list(r) for r in wb["标识"].iter_rows(values_only=True)]


def id_sheet(rng: random.Random, world: sample.World, case: Path):
    """The hidden 标识 edited by hand (checksum left) or forged (checksum recomputed, as anyone can)."""
    wb = load_workbook(world.template)
    ws = wb["标识"]
    facts = {row[0].value: row[1] for row in ws.iter_rows(min_row=2, max_row=len(ID_KEYS) + 1)}
    move = rng.choice(["unit", "period", "ledger", "plan", "version", "task_row", "format"])
    value = {
        "unit": lambda: rng.choice([sample.PLANNING, sample.FIELD_UNIT, "住建局", "", "不存在的单位"]),
        "period": lambda: rng.choice(["2022-05", "2022-12", "2021-06", "2022-13", "2999-01", "六月"]),
        "ledger": lambda: rng.choice(["", "0" * 36, "他人台账"]),
        "plan": lambda: rng.choice(["0", "2", "-1", "9" * 30, "一"]),
        "version": lambda: rng.choice(["2", "", "0"]),
        "format": lambda: rng.choice(["duban-unit-template ", "other"]),
    }
    key = {"unit": "单位", "period": "期间", "ledger": "台账标识", "plan": "计划编号", "version": "格式版本", "format": "格式"}
    if move == "task_row":
        start = len(ID_KEYS) + 4
        row = rng.randrange(start, ws.max_row + 1)
        column = rng.randint(1, 4)
        new = rng.choice(["", "A99-99", "x", "-1", str(2**63), rng.choice(world.template_codes)])
        ws.cell(row, column).value = new
        what = f"标识 row {row} column {column} -> {new!r}"
    else:
        new = value[move]()
        facts[key[move]].value = new
        what = f"标识 {key[move]} -> {new!r}"
    forged = rng.random() < 0.6
    if forged:
        values = [facts[k].value or "" for k in ID_KEYS[:-1]]
        start = len(ID_KEYS) + 4
        rows = [[str(c if c is not None else "") for c in r[:5]] for r in ws.iter_rows(min_row=start, max_col=5, values_only=True) if r[0]]
        facts[ID_KEYS[-1]].value = _forge([*values, rows])
        what += ", signature recomputed with a guessed key (forged)"
    wb.save(case / sample.TEMPLATE_NAME)
    return case / sample.TEMPLATE_NAME, move + ": " + what


def id_swap(rng: random.Random, world: sample.World, case: Path):
    """Another unit's, or another month's, 标识 put into this template: whole, or its facts over this file's task rows."""
    source = rng.choice([world.other_unit_template, world.other_period_template])
    move = rng.choice(["whole", "facts_resealed", "facts"])
    donor = _id_values(load_workbook(source))
    wb = load_workbook(world.template)
    ws = wb["标识"]
    mine = _id_values(wb)
    facts_end = len(ID_KEYS) + 1
    lines = donor if move == "whole" else donor[:facts_end] + mine[facts_end:]
    if move == "facts_resealed":
        values = [str(line[1] or "") for line in lines[1:facts_end - 1]]
        rows = [[str(c if c is not None else "") for c in line[:5]] for line in lines[facts_end + 2:] if line and line[0]]
        lines[facts_end - 1] = [lines[facts_end - 1][0], _forge([*values, rows])]
    only_shared = source == world.other_unit_template and rng.random() < 0.5
    if only_shared:  # the clerk keeps only the rows of tasks the donor's unit shares, so every code is known to it
        donor_codes = {line[0] for line in donor[facts_end + 2:] if line and line[0]}
        sheet = wb["进展报送"]
        for r in range(sample.FIRST_ROW, sheet.max_row + 1):
            if sheet.cell(r, sample.CODE).value not in donor_codes:
                for column in sample.INPUTS:
                    sheet.cell(r, column).value = None
        move += ", only shared tasks filled"
    for row in ws.iter_rows():
        for cell in row:
            cell.value = None
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            ws.cell(r, c).value = value
    wb.save(case / sample.TEMPLATE_NAME)
    return case / sample.TEMPLATE_NAME, f"{move}: 标识 of {source.name}"


def cells(rng: random.Random, world: sample.World, case: Path):
    """The sheet filled in Excel by a careless or hostile clerk: odd values in any cell of the task rows."""
    wb = load_workbook(world.template)
    ws = wb["进展报送"]
    edits = []
    for _ in range(rng.randint(1, 3)):
        row = rng.randrange(sample.FIRST_ROW, ws.max_row + 3)
        column = rng.choice([sample.CODE, sample.TITLE, *sample.INPUTS, sample.INPUTS[0], sample.TEXT, sample.PERCENT])
        value = rng.choice([*NASTY_TEXTS[:-1], 0, 100, 101, -5, 55.5, 1e308, True, 2**63, None, "推进中", "已完成"])
        try:
            ws.cell(row, column).value = value
        except Exception:  # noqa: BLE001 - openpyxl will not write control characters (IllegalCharacterError)
            continue
        edits.append(f"R{row}C{column}={str(value)[:20]!r}")
    wb.save(case / sample.TEMPLATE_NAME)
    return case / sample.TEMPLATE_NAME, ", ".join(edits)


def folder(rng: random.Random, world: sample.World, case: Path):
    """A folder import: damaged copies named to sort before the good template, which must still be read and imported."""
    folder = case / "报送"
    folder.mkdir()
    made = []
    for n in range(rng.randint(1, 3)):
        damage = rng.choice([deflate_damage, byte_flip, truncate])
        path, what = damage(rng, world, case)
        path.rename(folder / f"报送模板_{n}_损坏.xlsx")
        made.append(f"{damage.__name__}: {what}")
    shutil.copy(world.template, folder / sample.TEMPLATE_NAME)
    return folder, "; ".join(made) + ", then the good template"


KINDS = {
    "xlsx_byte_flip": byte_flip,
    "xlsx_truncate": truncate,
    "xlsx_deflate": deflate_damage,
    "xlsx_members": member_swap,
    "xlsx_sheet_xml": sheet_xml,
    "xlsx_strings": strings,
    "xlsx_id_sheet": id_sheet,
    "xlsx_id_swap": id_swap,
    "xlsx_cells": cells,
    "xlsx_folder": folder,
}
