"""Reading a plan document from text (copied out of a PDF or Word file) into a PlanDraft.

The rules, in the order they apply:

* The cover's table of contents (``附件：1. 标题……页码``) names the annexes; each annex starts at the
  first later line equal to its title.  A document without annexes is one annex.
* Inside an annex, chapters start with ``一、`` … .  The measures chapter is the one whose heading
  names 措施 or 举措 (not 保障措施); goals come from chapters naming 目标; lines starting with ``|``
  anywhere in an annex are indicator tables.
* In the measures chapter a task is the deepest numbered item (``（一）``/``(一)`` or ``1.``/``1、``)
  that a ``时间节点``/``责任单位`` block closes.  Items with no block of their own share the next
  block printed after them.  ``（1）`` sub-points stay in their measure's text.  Unnumbered text after
  a block opens another task under the same heading (block 2, 3 …).  A ``（一）`` heading followed
  by numbered items becomes their section.
* A line that starts neither a labelled paragraph nor a field continues the paragraph before it
  (PDF page breaks); footnote bodies (``5 术语：…``) are set aside and attached to the tasks that
  cite their marker; the other convention, responsibility in brackets at the end of a task
  (``（牵头单位：…；责任单位：…，2022年6月底前完成）``), is read the same way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from db.deadlines import find_deadline, is_deadline_clause, labelled_deadline
from db.errors import UserError
from db.plan_draft import AnnexDraft, GoalDraft, PlanDraft, SectionDraft, TableDraft, TaskDraft
from db.responsibility import (
    CLOSERS,
    LABELS,
    LEAD,
    PLAIN,
    SUPPORT,
    bracket_sentences,
    first_lead_note,
    is_bracket_note,
    is_unit_line,
    lead_first,
    parse_responsibility,
    responsibility_in_brackets,
    rider_units,
    split_at_brackets,
    without_people,
)

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

RE_CHAPTER = re.compile(r"^([一二三四五六七八九十]+)、\s*(.*)$")
RE_SECTION = re.compile(r"^([（(]\s*[一二三四五六七八九十]+\s*[）)])\s*(.*)$")
RE_ITEM = re.compile(r"^(\d{1,3})\s*([\.、．])\s*(?![\d%])(.*)$")
RE_SUBPOINT = re.compile(r"^[（(]\s*\d{1,2}\s*[）)]")
# Field spellings of other plans, read as the three the 2022 plan prints.
FIELD_SYNONYMS = {
    "牵头部门": "牵头单位", "主责单位": "牵头单位", "责任部门": "责任单位", "配合部门": "配合单位", "协同单位": "配合单位",
    "协办单位": "配合单位",
}
RE_FIELD = re.compile(
    r"^(时间节点|完成时限|完成时间|时限要求|责任单位|牵头单位|配合单位|" + "|".join(FIELD_SYNONYMS) + r")\s*[：:]\s*(.*)$"
)
DEADLINE_FIELDS = ("时间节点", "完成时限", "完成时间", "时限要求")
# "责任单位：A、B（第一责任单位为牵头单位，下同）": the first unit of a block leads, here or from here on.
RE_FIRST_LEADS = re.compile(r"[（(]\s*第一责任单位为牵头单位\s*(?:[，,]\s*(下同))?\s*[）)]")
RE_LOST_INDENT = re.compile(r"^[ \t\u3000]*[?？]{1,4}(?=[^?？\s])")
RE_FOOTNOTE = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d{1,2})\s+([^\s\d、，。|][^。：:|]{0,45}?)\s*[：:]")
RE_TOC_ENTRY = re.compile(r"^(?:-\s*附件[：:]\s*)?\|?\s*(\d{1,2})[\.．、]\s*(\S.*?)\s*\.{2,}")
RE_ANNEX_MARK = re.compile(r"^附\s*件\s*(\d{1,2})\s*$")
PAGE_BREAK = "\f"  # what a page-number line becomes: blank to every reader, a known page break to _outline
RE_PAGE_NUMBER = re.compile(r"^(?:[—–－\-－~～]+\s*\d{1,3}\s*[—–－\-－~～]+|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?)$")
RE_DOC_NUMBER = re.compile(r"[\u4e00-\u9fa5]{1,10}〔\d{4}〕\d+号")
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
SENTENCE_END = ("。", "！", "？", "；", "：", "。”", "。）")
MEASURE_CHAPTER = re.compile(r"(措施|举措)")
GOAL_CHAPTER = re.compile(r"目标")


def cn_number(text: str) -> int:
    """The value of a Chinese numeral up to 99 (一, 十, 十一, 二十三)."""
    text = text.strip("（）() ")
    if "十" not in text:
        return CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)


def clean(text: str) -> str:
    """Drop the markdown bold markers the PDF extraction left; keep everything else as printed."""
    return text.replace("**", "").strip()


def squeeze(text: str) -> str:
    """Field values without the spaces PDF extraction puts between CJK and digits."""
    return re.sub(r"\s+", "", text)


@dataclass
class Para:
    """A paragraph of the source: its kind, text and line range."""

    kind: str  # chapter | section | item | sub | field | text | table | footnote
    text: str
    start: int
    end: int
    label: str = ""
    field_name: str = ""


def _join(prev: str, nxt: str) -> str:
    """Join a paragraph broken by a page break: no gap mid-sentence, a newline after a full stop."""
    return prev + ("\n" if prev.endswith(SENTENCE_END) and not nxt[:1].isdigit() else "") + nxt


def _closes_a_bracket(line: str) -> bool:
    """"责任单位：区政府有关部门）" is the tail of a bracket a wrapped line cut, not a field of its own."""
    return sum(line.count(c) for c in "）)〕]】") > sum(line.count(c) for c in "（(〔[【")


def classify(line: str) -> tuple[str, str, str]:
    """Kind, label and rest of one non-empty source line."""
    if line.startswith("|"):
        return "table", "", line
    if m := RE_CHAPTER.match(line):
        return "chapter", m.group(1) + "、", m.group(2)
    if (m := RE_FIELD.match(line)) and not _closes_a_bracket(line):
        return "field", FIELD_SYNONYMS.get(m.group(1), m.group(1)), m.group(2)
    if RE_SUBPOINT.match(line):
        return "sub", "", line
    if m := RE_SECTION.match(line):
        return "section", m.group(1).replace(" ", ""), m.group(2)
    if m := RE_ITEM.match(line):
        return "item", m.group(1) + m.group(2), m.group(3)
    if RE_FOOTNOTE.match(line) and "。" not in line[:3]:
        return "footnote", "", line
    return "text", "", line


def paragraphs(lines: list[str], first: int, last: int) -> list[Para]:
    """Group source lines first..last (0-based, inclusive) into paragraphs, re-joining page breaks."""
    paras: list[Para] = []
    open_footnote: Para | None = None
    width = wrap_width(lines[first: last + 1])
    full_before = False  # the line before filled the width a PDF's text layer wrapped at
    for i, raw in _split_inline_fields(lines, first, last):
        kind, label, rest = classify(raw)
        lineno = i + 1
        was_full, full_before = full_before, bool(width) and len(lines[i].rstrip()) >= width - 1
        if kind == "footnote":
            para = Para("footnote", raw, lineno, lineno)
            paras.append(para)
            open_footnote = None if raw.endswith(("。", "）", ")")) else para
            continue
        if kind == "text" and paras:
            nxt = _next_nonblank(lines, i, last)
            if open_footnote is not None and nxt is not None and classify(clean(nxt))[0] == "footnote":
                # The tail of a footnote cut by the page break sits just above the next page's footnotes.
                open_footnote.text += raw
                open_footnote.end = lineno
                open_footnote = None
                continue
            prev = next((p for p in reversed(paras) if p.kind != "footnote"), None)
            if prev is not None and _continues(prev, raw, was_full):
                prev.text = _join(prev.text, raw) if prev.kind != "field" else _join_field(prev.text, raw)
                prev.end = lineno
                continue
        para = Para(kind, rest if kind in ("chapter", "section", "item", "field") else raw, lineno, lineno, label)
        if kind == "field":
            para.field_name = label
        paras.append(para)
    return paras


def _split_inline_fields(lines: list[str], first: int, last: int):
    """(index, text) of each non-empty line; a field printed at the end of a prose line gets its own."""
    for i in range(first, last + 1):
        raw = clean(lines[i])
        if not raw:
            continue
        m = re.search(r"(?<=。)(时间节点|责任单位)\s*[：:]", raw)
        if m and not RE_FIELD.match(raw):
            yield i, raw[: m.start()]
            yield i, raw[m.start():]
        else:
            yield i, raw


def _next_nonblank(lines: list[str], i: int, last: int) -> str | None:
    for j in range(i + 1, last + 1):
        if lines[j].strip():
            return lines[j]
    return None


def _continues(prev: Para, line: str, after_full_line: bool = False) -> bool:
    """Whether an unlabelled line continues the paragraph before it rather than starting a new one; after a
    full line of wrapped text a short item line is not a heading standing alone."""
    if prev.kind in ("table", "chapter"):
        return False
    if prev.kind == "field":
        # A field wraps onto the next line (a unit list, a second deadline stage); prose starts a new block.
        if prev.text.endswith(("、", "，", ",")):
            return True
        return "。" not in line.rstrip("。") and len(line) < 120
    if (
        prev.kind in ("section", "item") and prev.start == prev.end and len(prev.text) <= 30 and "。" not in prev.text
        and not after_full_line
    ):
        return False  # a short heading line that stands alone: its prose is the next paragraph
    if prev.kind == "section" and prev.text.endswith("。") and not prev.text.count("。") > 1:
        return False  # "（一）进一步精简审批环节。" stands alone; its prose is the next paragraph
    return not prev.text.endswith("。") or line[:1] in "，。；、）)”"


def _join_field(prev: str, nxt: str) -> str:
    """Field lines: a new deadline stage keeps its own line, a wrapped unit list is re-joined."""
    if re.match(r"^\d{4}\s*年", nxt) and not prev.endswith(("、", "，", ",")):
        return prev + "\n" + nxt
    return prev + nxt


def _title_of(text: str) -> str:
    """The heading phrase of a measure: its text up to the first full stop, without a 一是/二是 ordinal."""
    first = re.sub(r"^[一二三四五六七八九十]+是[，,：:]?", "", text.split("\n", 1)[0])
    head, dot, _ = first.partition("。")
    return squeeze_title(head if dot else first)


def squeeze_title(text: str) -> str:
    return text.strip().rstrip("。").strip()


class _Builder:
    """Walks the paragraphs of one measures chapter and turns them into tasks."""

    def __init__(self, annex: AnnexDraft):
        self.annex = annex
        self.section: SectionDraft | None = None
        self.open_heading: TaskDraft | None = None  # a （一） that is a task unless items follow
        self.pending: list[TaskDraft] = []
        self.current: TaskDraft | None = None
        self.last_closed: TaskDraft | None = None
        self.in_block = False
        self.first_leads = False  # a "第一责任单位为牵头单位，下同" note seen earlier in the annex

    def _new_task(self, label: str, body: str, para: Para) -> TaskDraft:
        task = TaskDraft(
            label=label,
            title=_title_of(body),
            text=body,
            section_label=self.section.label if self.section else None,
            line_start=para.start,
            line_end=para.end,
        )
        self.annex.tasks.append(task)
        self.pending.append(task)
        self.current = task
        return task

    def _end_block(self) -> None:
        if self.in_block:
            self.last_closed = self.pending[-1] if self.pending else self.last_closed
            self.pending = []
            self.current = None
            self.open_heading = None
            self.in_block = False

    def feed(self, para: Para) -> None:
        if para.kind != "field":
            self._end_block()
        if para.kind == "section":
            self.section = SectionDraft(label=para.label, heading=squeeze_title(para.text), line=para.start)
            self.annex.sections.append(self.section)
            self.open_heading = self._new_task(para.label, para.text, para)
            self.open_heading.section_label = None
        elif para.kind == "item":
            if self.open_heading is not None and self.open_heading in self.pending:
                self._demote_heading()
            self._new_task(para.label, para.text, para)
        elif para.kind in ("text", "sub"):
            if para.kind == "text" and re.match(r"^(主要目标|工作目标)[：:]", para.text) and self.section:
                self.section.goal_text = para.text.split("：", 1)[-1].split(":", 1)[-1]
                self.annex.goals.append(
                    GoalDraft(kind="主要目标", text=self.section.goal_text, section_label=self.section.label, line=para.start)
                )
                return
            if self.current is None and self.last_closed is not None:
                # Prose after a closed block: the same heading carries another block.
                prev = self.last_closed
                task = self._new_task(prev.label, para.text, para)
                task.title = prev.title
                task.section_label = prev.section_label
                task.block = prev.block + 1
                return
            if self.current is None:
                return
            self.current.text = self.current.text + "\n" + para.text if self.current.text else para.text
            self.current.line_end = para.end
        elif para.kind == "field":
            self._apply_field(para)

    def _demote_heading(self) -> None:
        """A （一） followed by numbered items is a section, not a task."""
        heading = self.open_heading
        self.annex.tasks.remove(heading)
        self.pending.remove(heading)
        intro = heading.text.split("\n", 1)
        if self.section is not None and len(intro) > 1 and not self.section.goal_text:
            self.section.goal_text = intro[1]
        self.open_heading = None

    def _apply_field(self, para: Para) -> None:
        self.in_block = True
        value = para.text.strip().rstrip("。").strip() if para.field_name != "时间节点" else para.text.strip()
        targets = self.pending or ([self.last_closed] if self.last_closed else [])
        first_leads = self.first_leads
        if para.field_name == "责任单位" and (m := RE_FIRST_LEADS.search(value)):
            value = (value[: m.start()] + value[m.end():]).strip()
            first_leads = True
            self.first_leads = bool(m.group(1))  # 下同: every later block too
        elif para.field_name == "责任单位":
            # Any wording of the note: "（除标注“分别牵头”外,列第一位为牵头或汇总单位,下同）".
            value, noted, onward = first_lead_note(value)
            if noted:
                first_leads = True
                self.first_leads = onward
        for task in targets:
            if para.field_name in DEADLINE_FIELDS:
                task.deadline_text = _field_value(value)
            else:
                role = {"牵头单位": "牵头", "配合单位": "配合"}.get(para.field_name)
                text = squeeze(value)
                if role:
                    text = f"{text}{role}"
                # 责任单位 after 牵头单位 in the same block adds to it (牵头单位：A / 责任单位：B, C).
                joins = role or (task.responsibility_text or "").endswith("牵头")
                task.responsibility_text = (
                    f"{task.responsibility_text}，{text}" if task.responsibility_text and joins else text
                )
                if first_leads and para.field_name == "责任单位":
                    pairs = parse_responsibility(task.responsibility_text)
                    if pairs and pairs[0][1] == PLAIN:
                        pairs[0] = (pairs[0][0], LEAD)
                    task.units = pairs
            task.line_end = max(task.line_end or 0, para.end)


def _field_value(value: str) -> str:
    """A deadline as printed, without PDF spacing, stages on their own lines, no final full stop."""
    return "\n".join(squeeze(part).rstrip("。") for part in value.split("\n") if part.strip())


def _annex_topic(title: str) -> str:
    """企业开办 from 三门峡市企业开办提升专项行动方案; 总体方案 for the overall plan."""
    if title.endswith("总体方案"):
        return "总体方案"
    body = re.sub(r"^.*?[市县区](?=.)", "", title, count=1) if re.match(r"^.{1,6}?[市县区]", title) else title
    body = re.sub(r"(提升)?(专项)?(行动|实施|工作)?方案$", "", body)
    return body or title


def _find_annexes(lines: list[str]) -> list[tuple[int, str, int]]:
    """(number, title, 0-based start line) of each annex, from the cover's list or 附件N marks."""
    toc: dict[int, str] = {}
    toc_end = 0
    for i, raw in enumerate(lines[:200]):
        line = raw.strip()
        m = RE_TOC_ENTRY.match(line)
        if m:
            toc[int(m.group(1))] = squeeze(m.group(2))
            toc_end = i
    found: list[tuple[int, str, int]] = []
    if toc:
        start = toc_end + 1
        for number in sorted(toc):
            title = toc[number]
            for i in range(start, len(lines)):
                if squeeze(lines[i]) == title:
                    found.append((number, title, i))
                    start = i + 1
                    break
            else:
                raise UserError(f"未在正文中找到附件{number}《{title}》的标题。")
        return found
    for i, raw in enumerate(lines):
        m = RE_ANNEX_MARK.match(raw.strip())
        if m:
            j = next((k for k in range(i + 1, len(lines)) if lines[k].strip()), None)
            if j is not None:
                found.append((int(m.group(1)), squeeze(lines[j]), j))
    return found


def _body_has_tasks(lines: list[str], found: list[tuple[int, str, int]], year: int | None) -> bool:
    """Whether the text above the first 附件N mark is a plan of its own (tasks with responsibility)."""
    first = _annex_header_start(lines, found[0][2])
    if first <= 0:
        return False
    body = AnnexDraft(number=1, title="", topic="", line=1)
    _read_annex(body, lines, 0, first - 1, year)
    return any(t.units for t in body.tasks)


def _annex_header_start(lines: list[str], title_line: int) -> int:
    """An annex begins at its 附件N mark when one stands just above the title."""
    for k in range(title_line - 1, max(title_line - 4, -1), -1):
        if RE_ANNEX_MARK.match(lines[k].strip()):
            return k
    return title_line


def _read_tables(annex: AnnexDraft, paras: list[Para]) -> None:
    """Indicator tables: consecutive ``|`` rows, captioned by the paragraph or chapter above them."""
    caption = ""
    table: TableDraft | None = None
    last_kind = ""
    for para in paras:
        if para.kind == "table":
            cells = [c.strip() for c in para.text.strip().strip("|").split("|")]
            if all(re.fullmatch(r"[-:\s]*", c) for c in cells):
                continue
            if table is None or last_kind != "table":
                if table is not None and all(c == "" for c in cells):
                    last_kind = "table"  # a fragment continued after a page break
                    continue
                table = TableDraft(title=caption or "指标表", header=cells, line=para.start)
                annex.tables.append(table)
            else:
                table.rows.append(cells)
                table.row_lines.append(para.start)
            last_kind = "table"
            continue
        if para.kind == "footnote":
            continue
        last_kind = para.kind
        if para.kind == "chapter":
            caption = squeeze_title(para.text)
            table = None
        elif para.kind == "text" and "。" not in para.text and len(para.text) < 60:
            caption = para.text.strip() if not para.text.startswith("单位") else f"{caption}（{para.text.strip()}）"
        elif para.kind == "text":
            last_kind = "text" if not para.text.startswith("注") else last_kind


def _bracket_responsibility(task: TaskDraft) -> bool:
    """The other convention: ``……。（牵头单位：…；责任单位：…，2022年6月底前完成）`` at the end of a task.

    Read by db.responsibility (any width, 〔〕, labels or role words); the units and roles it reads are
    the task's units.  A deadline in the bracket, else one in the task's own text (10月底前，完成…),
    is the task's deadline wording.  An unclosed bracket is left as printed.
    """
    if task.responsibility_text:
        return False
    reading = responsibility_in_brackets(task.text)
    task.problems.extend(p for p in reading.problems if p not in task.problems)
    if not reading.units:
        return False
    closed = reading.bracket[-1] in CLOSERS
    inner, _ = bracket_sentences(reading.bracket[1:-1] if closed else reading.bracket[1:])
    parts = []
    labels = "|".join(LABELS)
    for part in re.split(rf"[；;]|[，,](?=(?:{labels})[：:])|(?<=[^，,；;])(?=(?:{labels})[：:])", inner):
        clauses = [
            c for c in without_people(re.split(r"[，,]", part))
            if c and not is_deadline_clause(c) and not labelled_deadline(c) and not is_bracket_note(c)
        ]
        part = "，".join(clauses)
        if m2 := re.match(rf"^({labels})[：:](.*)$", part):
            role = {LEAD: "牵头", SUPPORT: "配合"}.get(LABELS[m2.group(1)], "")
            parts.append(m2.group(2) + role)
        elif part:
            parts.append(part)
    task.responsibility_text = "，".join(parts)
    task.units = reading.units
    task.text = reading.text
    found = find_deadline(task.text)
    deadline = reading.deadline or (found.wording if found else None)
    if deadline:
        task.deadline_text = deadline.removesuffix("完成") or deadline
    return reading.first_leads_onward


def _attach_footnotes(annex: AnnexDraft, footnotes: dict[str, str]) -> None:
    for task in annex.tasks:
        cited = re.findall(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", task.text)
        task.footnotes = [footnotes[m.translate(SUPERSCRIPTS)] for m in cited if m.translate(SUPERSCRIPTS) in footnotes]


def assign_codes(annex: AnnexDraft) -> None:
    """Stable codes from the labels: A04-02.01 (section 2, item 1), A03-10-2 (second block of （十））."""
    numbers = [int(re.sub(r"\D", "", t.label)) for t in annex.tasks if RE_ITEM.match(t.label + "x")]
    unique_items = len(numbers) == len(set(numbers))
    seen: dict[str, int] = {}
    for task in annex.tasks:
        if RE_ITEM.match(task.label + "x"):
            item = int(re.sub(r"\D", "", task.label))
            if unique_items or not task.section_label:
                path = f"{item:02d}"
            else:
                path = f"{cn_number(task.section_label):02d}.{item:02d}"
        else:
            path = f"{cn_number(task.label):02d}"
        code = f"A{annex.number:02d}-{path}"
        if task.block > 1:
            code += f"-{task.block}"
        if code in seen:
            seen[code] += 1
            code += f"~{seen[code]}"
        else:
            seen[code] = 1
        task.code = code


def _own_notice(pattern: str, text: str) -> re.Match | None:
    """The first 关于印发…的通知 that is the document's own, not one it cites (《…关于印发…的通知》)."""
    for m in re.finditer(pattern, text):
        before = text[: m.start()]
        line_start = before.rfind("\n") + 1
        if before.count("《", line_start) <= before.count("》", line_start):
            return m
    return None


def _first_line_title(lines: list[str], source_name: str) -> str:
    """A plan without an issuing notice is named by its first line that reads as a title among its first lines
    (short, no sentence punctuation, not a numbered heading nor an addressee line; a Markdown # mark and a
    trailing 文号 dropped), else by its file name."""
    for line in [line for line in lines if line.strip()][:TITLE_LINES]:
        first = RE_TRAILING_DOC_NUMBER.sub("", squeeze(line).lstrip("#").strip())
        if first and len(first) <= MAX_TITLE_CHARS and not RE_NOT_TITLE.search(first) and not _outline_level(first)[0]:
            return first
    return Path(source_name).stem


MAX_TITLE_CHARS = 60
TITLE_LINES = 3
RE_NOT_TITLE = re.compile(r"[。，,；;：:!！?？]|http|^[\u4e00-\u9fa5]{1,10}[〔\[［][0-9]{4}[〕\]］][0-9]+号$")
RE_TRAILING_DOC_NUMBER = re.compile(r"[（(][^（）()]*〔\d{4}〕[^（）()]*[)）]$")


def plan_heading(lines: list[str], source_name: str) -> tuple[str, str | None, int | None]:
    """(title, 文号, year) of a plan document: the title in its 关于印发《…》的通知, else its first line; the
    year from the title, else from the 文号 (〔2023〕)."""
    head = "\n".join(lines[:60])
    # The document's own 文号, not one it cites: "《…的通知》（昆政发〔2016〕13号）".
    doc_number = next(
        (m.group(0) for m in RE_DOC_NUMBER.finditer(head) if not re.search(r"》\s*[（(]?\s*$", head[max(0, m.start() - 4): m.start()])),
        None,
    )
    # "关于印发西平县2020年度法治政府建设\n工作安排的通知": a notice title broken over lines is read whole.
    joined = "".join(squeeze(line) for line in lines[:60] if not line.lstrip().startswith("#"))
    title_match = (
        _own_notice(r"关于印发《(.+?)》的通知", head)
        or _own_notice(r"关于印发([^\n《》]{0,40}《[^\n]{2,60}?|[^\n]{4,60}?)的通知", head)
        or _own_notice(r"关于印发《?([^《》]{4,60}?)》?的通知", joined)
    )
    title = squeeze(title_match.group(1)).strip("《》") if title_match else _first_line_title(lines, source_name)
    year_match = re.search(r"(?<!\d)(20\d{2})(?!\d)", title) or (re.search(r"〔(\d{4})〕", doc_number) if doc_number else None)
    if year_match is None:
        # Else the date the issuing notice is signed with ("2020年6月19日" on a line of its own).
        year_match = next(
            (m for line in lines[:80] if (m := re.match(r"^(20\d{2})\s*年", squeeze(line))) and RE_DATE_LINE.match(squeeze(line))), None
        )
    if year_match is None:  # last, the file's own name, as offices name them: 2024年重点任务分工.txt
        year_match = re.search(r"(?<!\d)(20\d{2})(?!\d)", Path(source_name).stem)
    return title, doc_number, int(year_match.group(1)) if year_match else None


def parse_plan_text(text: str, source_name: str) -> PlanDraft:
    """Read a whole plan document; raise UserError when no task can be found."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Page numbers of a printed document ("— 3 —", "-3-", "第3页 共9页") are not text: a paragraph
    # they cut is joined as at any page break; the line stays (empty) so line numbers still match.
    lines = [PAGE_BREAK if RE_PAGE_NUMBER.match(line.strip()) else line for line in lines]
    # A page saved in the wrong encoding shows the ideographic indent of each paragraph as "??": an indent.
    lines = [RE_LOST_INDENT.sub("", line) for line in lines]
    title, doc_number, year = plan_heading(lines, source_name)
    plan = PlanDraft(
        title=title,
        doc_number=doc_number,
        year=year,
        source_name=source_name,
        source_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    found = _find_annexes(lines)
    if found and not any(RE_TOC_ENTRY.match(line.strip()) for line in lines[:200]) and _body_has_tasks(lines, found, plan.year):
        # "附件1 ……任务分工表" after a plan's own text: the plan is the body, the annex only repeats it.
        found = []
    whole = not found  # no annexes: the whole text is the plan, its first line included (it may be a task)
    if whole:
        found = [(1, title, 0)]
    starts = [_annex_header_start(lines, start) for _, _, start in found]
    for idx, (number, annex_title, start) in enumerate(found):
        end = starts[idx + 1] - 1 if idx + 1 < len(found) else len(lines) - 1
        annex = AnnexDraft(number=number, title=annex_title, topic=_annex_topic(annex_title), line=start + 1)
        _read_annex(annex, lines, 0 if whole else start + 1, end, plan.year)
        plan.annexes.append(annex)
    if not plan.tasks:
        hint = (
            "这份文件是印发通知，任务可能在其附件的分工表中：请导入附件的 Word 或 Excel 表格。"
            if RE_ISSUING.search(text) else ""
        )
        raise UserError(f"在《{source_name}》中没有找到任何带“时间节点/责任单位”或括号内责任单位的任务。{hint}")
    return plan


def _names_measures(chapter: str) -> bool:
    """"三、主要措施" names the measures chapter; "一、各责任单位要……明确措施……" (a requirement of the issuing
    notice) and 保障措施 do not: only a heading, up to its first full stop and short, counts."""
    head = squeeze_title(chapter).split("。")[0]
    return len(head) <= 30 and bool(MEASURE_CHAPTER.search(head)) and not head.startswith("保障")


def _read_annex(annex: AnnexDraft, lines: list[str], first: int, last: int, plan_year: int | None = None) -> None:
    paras = paragraphs(lines, first, last)
    if not any(p.kind == "field" for p in paras):
        # No 时间节点/责任单位 blocks: the conventions of other plans (the 2022 plan never gets here).
        _read_tables(annex, paras)
        _read_outline(annex, lines, first, last, plan_year)
        return
    _read_tables(annex, paras)
    footnotes = {
        RE_FOOTNOTE.match(p.text).group(1).translate(SUPERSCRIPTS): p.text for p in paras if p.kind == "footnote"
    }
    chapter = ""
    has_chapters = any(p.kind == "chapter" for p in paras)
    # A 分工方案 without a 措施 chapter assigns the items of every chapter (goals too) by blocks.
    any_measures = any(p.kind == "chapter" and _names_measures(p.text) for p in paras)
    builder = _Builder(annex)
    for para in paras:
        if para.kind == "chapter":
            builder._end_block()
            chapter = squeeze_title(para.text)
            builder.section = None
            builder.open_heading = None
            builder.last_closed = None
            continue
        if para.kind in ("table", "footnote"):
            continue
        if any_measures:
            in_measures = _names_measures(chapter)
        else:
            in_measures = not NOT_TASKS.search(chapter)
        if in_measures or not has_chapters:
            builder.feed(para)
        elif GOAL_CHAPTER.search(chapter) and para.kind in ("text", "section"):
            text = para.text if para.kind == "text" else para.label + para.text
            annex.goals.append(GoalDraft(kind=chapter, text=text, line=para.start))
    builder._end_block()
    # Headings never closed by a block still count when the plan uses bracketed responsibility.
    onward = False
    for task in annex.tasks:
        if _bracket_responsibility(task):
            onward = True
        elif onward and task.units:
            task.units = lead_first(task.units)
    if not has_chapters or any(t.responsibility_text for t in annex.tasks):
        annex.tasks[:] = [t for t in annex.tasks if t.responsibility_text or t.deadline_text]
    _attach_footnotes(annex, footnotes)
    assign_codes(annex)


# Numbering of real plans, outermost first: 一、 （一） 1. （1） ①, full-width or half-width.
OUTLINE_LEVELS = (
    (1, re.compile(r"^([一二三四五六七八九十]+)\s*[、．.]\s*(.*)$")),
    (1, re.compile(r"^第([一二三四五六七八九十]+)(?:章|部分|篇)\s*(.*)$")),
    (2, re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(.*)$")),
    (3, re.compile(r"^(\d{1,3})\s*[\.、．](?![\d%])\s*(.*)$")),
    (3, re.compile(r"^第([一二三四五六七八九十]+)条\s*(.*)$")),
    (4, re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]\s*(.*)$")),
    (4, re.compile(r"^(\d{1,2})\s*[）)]\s*(.*)$")),
    (4, re.compile(r"^([⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇])\s*(.*)$")),
    (5, re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*(.*)$")),
)
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
PARENTHESIZED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"


def _mark_number(mark: str) -> int:
    """1 for ①, ⑴, 1, １ or 一."""
    if mark in CIRCLED:
        return CIRCLED.index(mark) + 1
    if mark in PARENTHESIZED:
        return PARENTHESIZED.index(mark) + 1
    return int(mark) if mark.isdecimal() else cn_number(mark)
# Headings whose items are never tasks; goal and step headings only keep items that carry responsibility.
NOT_TASKS = re.compile(r"保障措施|组织保障|保障机制|组织实施|工作要求|组织领导")
GOALS = re.compile(r"目标|指导思想|总体要求|基本原则|实施步骤|工作步骤|方法步骤|进度安排|时间安排|步骤安排")
PARA_END = ("。", "；", ";", "）", ")", "〕", "：", ":", "！", "？")


@dataclass
class _Outline:
    """A paragraph of a plan read by its numbering: level 0 is unnumbered prose."""

    level: int
    label: str
    number: int
    text: str
    start: int
    end: int


def _outline_level(line: str) -> tuple[int, str, int, str]:
    for level, pattern in OUTLINE_LEVELS:
        if m := pattern.match(line):
            mark = m.group(1)
            number = _mark_number(mark)
            label = line[: m.start(2)].strip()
            return level, re.sub(r"\s", "", label), number, m.group(2)
    return 0, "", 0, line


def wrap_width(lines: list[str]) -> int | None:
    """The width a PDF's text layer wrapped its lines at, when it did: most lines then have about the same
    length, and a paragraph ends at a shorter line.  None for text with a line per paragraph."""
    lengths = [len(line.rstrip()) for line in lines if len(clean(line)) >= 10 and not line.lstrip().startswith(("#", "|"))]
    if len(lengths) < 8:
        return None
    width = max(set(lengths), key=lambda n: (sum(1 for x in lengths if n - 1 <= x <= n + 1), n))
    near = sum(1 for x in lengths if width - 1 <= x <= width + 1)
    return width if width >= 15 and near * 5 >= len(lengths) * 2 else None


def _outline(lines: list[str], first: int, last: int) -> list[_Outline]:
    """One paragraph per numbered line or prose line; a line cut mid-sentence (a page break) is re-joined,
    and so is every line after a full line of a PDF's wrapped text layer."""
    out: list[_Outline] = []
    width = wrap_width(lines[first: last + 1])
    full_before = False  # the line before this one filled the wrap width
    for i in range(first, last + 1):
        raw = clean(lines[i])
        if not raw or raw.startswith(("|", "#")):
            continue
        was_full, full_before = full_before, bool(width) and len(lines[i].rstrip()) >= width - 1
        level, label, number, rest = _outline_level(raw)
        prev = out[-1] if out else None
        if level == 0 and prev and (was_full or raw[:1] in "，,、；;。）)”") and not rider_units(raw):
            # A full line of wrapped text goes on; so does any line that starts with a comma or a closing mark.
            out[-1].text += raw
            out[-1].end = i + 1
            continue
        heading_line = (  # "二、主要任务" stands alone; "1.推行告知承诺制,6月底前" was cut by a page break
            prev is not None and prev.level and prev.start == prev.end and len(prev.text) <= 30
            and not re.search(r"[，,、]", prev.text)
        )
        if level == 0 and prev and not prev.text.endswith(PARA_END) and not heading_line and not rider_units(raw):
            out[-1].text += raw
            out[-1].end = i + 1
            continue
        if (
            level == 0 and prev and prev.level and not heading_line and PAGE_BREAK in lines[prev.end: i]
            and not responsibility_in_brackets(prev.text).units and not is_unit_line(raw) and not rider_units(raw)
            and not (responsibility_in_brackets(raw).units and not responsibility_in_brackets(raw).text.strip("。.；;，, "))
        ):
            # After a page number a numbered item still without its bracket goes on, even after a full stop.
            out[-1].text += raw
            out[-1].end = i + 1
            continue
        if level == 0 and prev and is_unit_line(raw) and not responsibility_in_brackets(prev.text).units:
            # A 责任单位 cell copied below its task ("市发改委牵头落实"): the task's bracket.
            out[-1].text += f"（{raw.rstrip('。')}）"
            out[-1].end = i + 1
            continue
        out.append(_Outline(level, label, number, rest, i + 1, i + 1))
    return out


def _read_outline(annex: AnnexDraft, lines: list[str], first: int, last: int, plan_year: int | None = None) -> None:
    """Tasks of a plan without 时间节点/责任单位 blocks, under any heading and numbering depth.

    A task is the deepest numbered item, or prose paragraph, whose text ends with a responsibility
    bracket; a numbered item with a dated deadline but no bracket is a task too (its units are left
    for the clerk).  Items under 保障措施-like headings are not tasks, nor are goals without a bracket.
    A paragraph that closes several pieces of work with a bracket each is one task per piece.  A
    bracket on a line of its own closes the item above it, or, after a list of sub-points, the item
    they belong to.  A lone prose task under a heading line takes the heading as its title.
    A rider line (以下任务均需各县区人民政府落实) adds its units to the tasks after it, up to the
    next heading at its level or above.  A bracket left open is read, and the task says so.
    """
    paras = _outline(lines, first, last)
    stack: list[_Outline] = []  # open headings, outermost first
    riders: list[tuple[int, list[tuple[str, str]], str]] = []  # (level of the heading it sits in, units, text)
    candidates: list[tuple[_Outline, list[_Outline], TaskDraft, list]] = []
    blocks: dict[int, int] = {}
    year = annex_year(annex) or plan_year  # "8月底前" in a plan whose year is only in its 文号
    cover = _cover_notice(lines, first, last)
    for index, para in enumerate(paras):
        if para.level:
            while stack and stack[-1].level >= para.level:
                stack.pop()
            riders = [r for r in riders if r[0] < para.level]
        context = list(stack)
        if para.level == 0 and (units := rider_units(para.text)):
            # It sits in the innermost heading; an item with its own bracket above it is a task, not a heading.
            home = next((h.level for h in reversed(stack) if not responsibility_in_brackets(h.text).units), 0)
            riders.append((home, units, squeeze(para.text)))
            continue
        above = "".join(h.text.split("。")[0] for h in context)
        headings = above + (para.text.split("。")[0] if para.level else "")
        if para.level:
            stack.append(para)
        if NOT_TASKS.search(above):
            continue  # under 保障措施; a task of its own named 加强组织领导 elsewhere stays a task
        reading = responsibility_in_brackets(para.text)
        if para.level == 0 and reading.units and not reading.text.strip("。.；;，, "):
            # A bracket alone on its line: after sub-points (1)(2)… it closes their item, else the item above.
            if not context:
                continue
            top = context[-1]
            after_points = top.level >= 4 and top.number > 1 and len(context) > 1
            at = len(context) - 2 if after_points else len(context) - 1
            owner = context[at]
            if known := next((c[2] for c in candidates if c[0] is owner), None):
                known.problems.append(f"第{para.start}行另有责任单位，未读入：{squeeze(para.text)}")
                continue
            body = [owner.text] + [p.label + p.text for p in paras[paras.index(owner) + 1: index]] + [para.text]
            task = TaskDraft(
                label=owner.label,
                title=_title_of(owner.text),
                text="\n".join(body),
                section_label=next((h.label for h in reversed(context[: at + 1]) if h.level == 2), None),
                line_start=owner.start,
                line_end=para.end,
            )
            candidates.append((owner, context[:at], task, list(riders)))
            continue
        pieces = split_at_brackets(para.text)
        for number, piece in enumerate(pieces):
            reading = responsibility_in_brackets(piece) if len(pieces) > 1 else reading
            dated = find_deadline(piece, year)
            if not (reading.units or reading.problems) and not (
                para.level and dated and dated.due and not GOALS.search(headings) and para.start not in cover
            ):
                continue
            if para.level:
                label = para.label
                block = number + 1
            else:
                owner = context[-1] if context else None
                label = owner.label if owner else ""
                key = id(owner)
                blocks[key] = blocks.get(key, 0) + 1
                block = blocks[key]
            body = reading.text if reading.units else piece
            task = TaskDraft(
                label=label,
                title=_title_of(_inline_point(body) if len(pieces) > 1 else body),
                text=piece,
                section_label=next((h.label for h in reversed(context) if h.level == 2), None),
                block=block,
                line_start=para.start,
                line_end=para.end,
            )
            if not (reading.units or reading.problems):
                task.deadline_text = dated.wording
            candidates.append((para, context, task, list(riders)))
            if reading.rider:
                # A rider inside this task's bracket governs every task after it, whatever its heading.
                riders.append((0, reading.rider, squeeze(reading.rider_text or "")))
    candidates = _items_under_a_led_heading(candidates, paras, year)
    # Deepest: a numbered task with a task inside it is a heading.
    inner_of = {id(c) for _, context, _, _ in candidates for c in context}
    # A lone prose task under a heading line of its own ("（一）强化……信息公开") is named by the heading.
    prose_under: dict[int, int] = {}
    for para, context, _, _ in candidates:
        if not para.level and context:
            prose_under[id(context[-1])] = prose_under.get(id(context[-1]), 0) + 1
    tasks_at = {id(para) for para, _, _, _ in candidates}
    kept: set[int] = set()
    onward = False  # a "列第一位者为牵头单位，下同" seen in an earlier bracket
    for para, context, task, active in candidates:
        if para.level and id(para) in inner_of:
            continue
        if not para.level and context:
            heading = context[-1]
            if (
                prose_under[id(heading)] == 1 and id(heading) not in tasks_at and heading.start == heading.end
                and len(heading.text) <= 40 and not re.search(r"[。；;]", heading.text.rstrip("。"))
            ):
                task.title = squeeze_title(heading.text)
                task.line_start = heading.start
        if _bracket_responsibility(task):
            onward = True
        elif onward and task.units:
            task.units = lead_first(task.units)
        if not task.units and not task.deadline_text and not task.problems:
            continue
        for _, units, text in active:
            known = {name for name, _ in task.units or []}
            task.units = list(task.units or []) + [u for u in units if u[0] not in known]
            task.responsibility_text = f"{task.responsibility_text}，{text}" if task.responsibility_text else text
        task.code = _outline_code(annex, context + ([para] if para.level else []), task.block)
        annex.tasks.append(task)
        kept.add(id(para))
    _keep_unread_siblings(annex, paras, kept, inner_of, cover)
    seen: dict[str, int] = {}
    for task in annex.tasks:
        if task.code in seen:
            seen[task.code] += 1
            task.code += f"~{seen[task.code]}"
        else:
            seen[task.code] = 1


def _items_under_a_led_heading(candidates: list, paras: list[_Outline], year: int | None) -> list:
    """"一、扩大有效投资政策（由县发改局牵头实施）" over numbered items with no unit of their own: the items are
    the tasks, each led as the heading says, and each says where its units come from (the clerk checks).
    An item read as a task for its date alone is one of them; an item with its own bracket keeps the heading
    a heading."""
    by_para = {id(c[0]): c for c in candidates}
    with_units = {id(c[0]) for c in candidates if c[0].level == 0 or responsibility_in_brackets(c[2].text).units}
    replaced: dict[int, list] = {}
    absorbed: set[int] = set()
    for cand in candidates:
        para, context, task, active = cand
        reading = responsibility_in_brackets(para.text) if para.level else None
        if not reading or not reading.units or id(para) in absorbed:
            continue
        start = paras.index(para) + 1
        end = next((k for k in range(start, len(paras)) if paras[k].level and paras[k].level <= para.level), len(paras))
        below = [p for p in paras[start:end] if p.level]
        if not below or any(id(p) in with_units for p in paras[start:end]):
            continue
        top = min(p.level for p in below)
        heading = squeeze_title(reading.text)
        tasks = []
        for kid in (p for p in below if p.level == top):
            kid_task = TaskDraft(
                label=kid.label,
                title=_title_of(kid.text),
                text=kid.text,
                section_label=next((h.label for h in reversed(context + [para]) if h.level == 2), None),
                line_start=kid.start,
                line_end=kid.end,
            )
            kid_task.units = list(reading.units)
            kid_task.responsibility_text = squeeze(reading.bracket[1:-1] if reading.bracket else "")
            if dated := find_deadline(kid.text, year):
                kid_task.deadline_text = dated.wording
            kid_task.problems.append(f"责任单位取自上级标题“{heading}”的括号：请核对它是否适用于这一项。")
            tasks.append((kid, context + [para], kid_task, by_para[id(kid)][3] if id(kid) in by_para else active))
        absorbed.update(id(p) for p in paras[start:end])
        replaced[id(para)] = tasks
    result = []
    for cand in candidates:
        if id(cand[0]) in replaced:
            result.extend(replaced[id(cand[0])])
        elif id(cand[0]) not in absorbed:
            result.append(cand)
    return result


UNREAD_ITEM = "同级的其他各项都带责任单位，这一项没有：请核对它是否为任务、由谁负责。"


def _keep_unread_siblings(annex: AnnexDraft, paras: list[_Outline], kept: set[int], inner: set[int], cover: range) -> None:
    """A numbered item with no task inside it, no bracket and no date, among siblings that are all
    read as tasks, is kept as a task without units and says so: the clerk decides, nothing is dropped
    unseen.  Items under 保障措施-like, goal or step headings and in the issuing notice are left out."""
    chain: list[_Outline] = []
    parent_of: dict[int, tuple[_Outline | None, list[_Outline]]] = {}
    for para in paras:
        if not para.level:
            continue
        while chain and chain[-1].level >= para.level:
            chain.pop()
        parent_of[id(para)] = (chain[-1] if chain else None, list(chain))
        chain.append(para)
    siblings: dict[tuple[int, int], list[_Outline]] = {}
    for para in paras:
        if para.level:
            parent = parent_of[id(para)][0]
            siblings.setdefault((id(parent), para.level), []).append(para)
    added = False
    for group in siblings.values():
        read = [p for p in group if id(p) in kept or id(p) in inner]
        if len(read) < 2:
            continue
        for para in group:
            if id(para) in kept or id(para) in inner or para.start in cover:
                continue
            context = parent_of[id(para)][1]
            above = "".join(h.text.split("。")[0] for h in context + [para])
            if NOT_TASKS.search(above) or GOALS.search(above):
                continue
            task = TaskDraft(
                label=para.label,
                title=_title_of(para.text),
                text=para.text,
                section_label=next((h.label for h in reversed(context) if h.level == 2), None),
                line_start=para.start,
                line_end=para.end,
                problems=[UNREAD_ITEM],
            )
            task.code = _outline_code(annex, context + [para], 1)
            annex.tasks.append(task)
            added = True
    if added:
        annex.tasks.sort(key=lambda t: t.line_start or 0)


# "1.深化商事制度改革。(1)全面落实……。（市工商质监局牵头负责）(2)完善……": sub-points run on in one paragraph.
RE_INLINE_POINT = re.compile(r"(?:^|[。：:；;])\s*[（(]\s*\d{1,2}\s*[）)]\s*")


def _inline_point(piece: str) -> str:
    """The text of the sub-point a bracket closes when numbered sub-points run on in one paragraph:
    a piece is named by its own (1)/(2) point, not by the item heading printed before the first one."""
    m = RE_INLINE_POINT.search(piece)
    return piece[m.end():] if m and piece[m.end():].strip() else piece


# The covering notice of a plan: "《…》已经区政府同意，现印发给你们，请认真贯彻落实。" … down to its date.
RE_ISSUING = re.compile(r"印发给你们|印发你们|现予印发|转发给你们|转发你们")
RE_DATE_LINE = re.compile(r"^(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日$")


def _cover_notice(lines: list[str], first: int, last: int) -> range:
    """1-based source lines of the notice that issues the plan, from its "现印发给你们" sentence to the
    date it is signed with (to the end when no date follows).  Its own numbered requirements
    ("二、细化工作方案。……于2021年3月15日前报县政府督查室备案") are not tasks because of a date; the
    tasks of such a 分解方案 are in its table."""
    for i in range(first, last + 1):
        if RE_ISSUING.search(lines[i]):
            for j in range(i + 1, last + 1):
                if RE_DATE_LINE.match(squeeze(lines[j])):
                    return range(i + 1, j + 2)
            return range(i + 1, last + 2)
    return range(0)


def annex_year(annex: AnnexDraft) -> int | None:
    m = re.search(r"(20\d{2})", annex.title)
    return int(m.group(1)) if m else None


def _outline_code(annex: AnnexDraft, path: list[_Outline], block: int) -> str:
    """A01-01.02.03 from the numbers of the headings above a task; -2 for a second prose paragraph."""
    code = f"A{annex.number:02d}-" + ".".join(f"{p.number:02d}" for p in path) if path else f"A{annex.number:02d}-00"
    return code + (f"-{block}" if block > 1 else "")


def plan_text_of(path: str | Path) -> str:
    """The text of a plan document: a .txt (UTF-8, GB18030 or UTF-16 as Windows tools save it) or a .docx's paragraphs."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"找不到文件：{path}")
    if path.suffix.lower() == ".docx":
        from docx import Document  # python-docx parses the XML with lxml, no macros

        try:
            doc = Document(str(path))
        except Exception as exc:  # a damaged or renamed file
            raise UserError(f"无法读取 Word 文件 {path.name}：{exc}") from exc
        return "\n\n".join(p.text for p in doc.paragraphs)
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Notepad's "Unicode": UTF-16 with its byte-order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UserError(f"文件 {path.name} 的 UTF-16 编码有误，无法读取。") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(f"文件 {path.name} 不是 UTF-8 或 GB18030 编码的文本。")


def read_plan_text(text: str, name: str) -> PlanDraft:
    """parse_plan_text, with the file's name in every refusal."""
    try:
        return parse_plan_text(text, name)
    except UserError as exc:  # the reader's findings name what is wrong; the clerk also needs which file
        if name in exc.message:
            raise
        raise UserError(f"方案文件 {name} 未能读取：{exc.message}", exc.details) from exc


def read_plan_file(path: str | Path) -> PlanDraft:
    """A plan document from a .txt or .docx file."""
    return read_plan_text(plan_text_of(path), Path(path).name)
