"""Mutators of plan documents a clerk imports (duban import-plan): a Word 任务分工表, an office's Excel 台账, a PDF, plan text."""

from __future__ import annotations

import random
from pathlib import Path

from docx import Document

from tests.hostile import world as sample
from tests.hostile.mutate_xlsx import NASTY_TEXTS
from tests.test_plan_tables import WORD_TASKS, _excel_ledger, _word_plan

WORD_NAME, EXCEL_NAME, TEXT_NAME = "2024年重点任务分工表.docx", "2024年工作台账.xlsx", "2024年行动方案.txt"
BRACKETS = ["（牵头单位：县政务服务中心）", "〔牵头单位：县政府办公室，责任单位：各乡镇（街道）〕", "(县交通局牵头,各乡镇负责落实)",
            "（责任单位：区住建局、区税务局，各相关单位", "（以下统称“五公开”）", "（（（（牵头", "）牵头单位：）", ""]
DEADLINES = ["10月底前，", "年底前", "2024年13月", "上半年", "长期坚持", "2024年2月30日", "9999年1月", "第五季度"]


# python-docx refuses to write control characters (a Word file cannot hold them), so cells get the others.
CELL_TEXTS = [t for t in NASTY_TEXTS + BRACKETS + DEADLINES if not any(ord(c) < 32 or 0xD800 <= ord(c) < 0xE000 for c in t)]


def _seed(world: sample.World, name: str, build) -> bytes:
    """The undamaged file, built once per world so every case starts from the same bytes (openpyxl stamps the time)."""
    path = world.root / "plans" / name
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        build(path)
    return path.read_bytes()


def _damaged(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Bits flipped, a cut, or junk inserted: the shapes a copy over a bad USB stick or an e-mail gateway leaves."""
    move = rng.choice(["flip", "cut", "junk"])
    if move == "flip":
        out = bytearray(data)
        flips = rng.randint(1, 16)
        for _ in range(flips):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out), f"{flips} bit flips"
    if move == "cut":
        cut = rng.randrange(len(data))
        return data[:cut], f"cut at {cut} of {len(data)} bytes"
    at = rng.randrange(len(data))
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 2048)))
    return data[:at] + junk + data[at:], f"{len(junk)} junk bytes at {at}"


def docx_bytes(rng: random.Random, world: sample.World, case: Path):
    path = case / WORD_NAME
    data, what = _damaged(_seed(world, WORD_NAME, _word_plan), rng)
    path.write_bytes(data)
    return path, f"Word table: {what}"


def xlsx_bytes(rng: random.Random, world: sample.World, case: Path):
    path = case / EXCEL_NAME
    data, what = _damaged(_seed(world, EXCEL_NAME, _excel_ledger), rng)
    path.write_bytes(data)
    return path, f"Excel ledger: {what}"


PDF_SEEDS = [  # a table PDF and a text PDF of the forms corpus, as committed (no font needed to mutate them)
    Path(__file__).parent.parent / "data" / "plans" / "forms" / "厦门市2023年再创营商环境新优势行动方案任务分解表.pdf",
    Path(__file__).parent.parent / "data" / "plans" / "forms" / "咸阳市2022年深化放管服改革优化营商环境工作要点.pdf",
]


def pdf_bytes(rng: random.Random, world: sample.World, case: Path):
    """A plan published as PDF, damaged in transit: pdfminer must give up in a UserError, never a traceback."""
    seed = rng.choice(PDF_SEEDS)
    data, what = _damaged(seed.read_bytes(), rng)
    path = case / "2024年重点任务分工表.pdf"
    path.write_bytes(data)
    return path, f"PDF {seed.name[:8]}…: {what}"


def docx_cells(rng: random.Random, world: sample.World, case: Path):
    """A well-formed Word table whose cells hold hostile text: formulas, paths, control characters, huge runs."""
    tasks = [list(t) for t in WORD_TASKS]
    changed = []
    for _ in range(rng.randint(1, 6)):
        row, column = rng.randrange(len(tasks)), rng.randrange(6)
        tasks[row][column] = rng.choice(CELL_TEXTS)
        changed.append((row, column))
    path = _word_plan(case / WORD_NAME, [tuple(t) for t in tasks])
    if rng.random() < 0.2:  # a table with a header only, or one cell more than the header
        doc = Document(str(path))
        doc.tables[0].add_row()
        doc.save(str(path))
    return path, f"Word table cells {changed}"


def plan_text(rng: random.Random, world: sample.World, case: Path):
    """Plan text in the bracket convention with broken brackets, odd deadlines, riders and headings in any order."""
    lines = ["2024年优化营商环境行动方案"]
    for _ in range(rng.randint(1, 30)):
        kind = rng.random()
        if kind < 0.2:
            lines.append(rng.choice(["一、主要任务", "二、重点任务", "（一）深化改革", "三、保障措施", "1.", "①", "一、"]))
        elif kind < 0.3:
            lines.append(rng.choice(["以下任务均需各县区人民政府落实", "（以下任务均需各乡镇负责落实）", "以下任务均需"]))
        else:
            number = rng.choice(["1.", "2、", "（1）", "②", "", "10."])
            body = rng.choice(DEADLINES) + rng.choice(["推行“高效办成一件事”", "深化“一网通办”", rng.choice(NASTY_TEXTS)[:200]])
            lines.append(number + body + rng.choice(BRACKETS))
    path = case / TEXT_NAME
    data = "\n".join(lines).encode(rng.choice(["utf-8", "gb18030"]), errors="replace")
    if rng.random() < 0.1:
        data = data[: rng.randrange(len(data) + 1)]  # cut inside a multi-byte character
    path.write_bytes(data)
    return path, f"plan text, {len(lines)} lines"


KINDS = {
    "plan_docx_bytes": docx_bytes,
    "plan_xlsx_bytes": xlsx_bytes,
    "plan_docx_cells": docx_cells,
    "plan_text": plan_text,
    "plan_pdf_bytes": pdf_bytes,
}
