"""Reading filled 报送模板 back: every check the file alone allows, then one write transaction per file.

A template is trusted only if its 标识 is signed with this ledger's key, names the same unit,
period and template number as its visible sheet, and every row of the visible sheet is one of the
template's task rows at its own place.  Every row the sheet holds is read, whatever its
<dimension> claims; parts, cells and problem lists are bounded; a parser's or decompressor's
failure becomes a Chinese problem of that file alone.  The file is parsed completely before the
ledger is asked for anything, so a hostile file never holds the ledger's write lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from openpyxl.utils import get_column_letter
from sqlalchemy import select

from db.accounts import refuse_unless_office
from db.engine import Ledger
from db.errors import UserError
from db.identity import ledger_id
from db.jobs import JobControl
from db.ledger import find_unit, resolve_plan_id
from db.models import Unit
from db.periods import check_period, chinese_period
from db.progress import ProgressInput, field_problems
from db.template_import import (
    TemplateRow,
    apply_rows,
    check_rows,
    signature_holds,
    signing_key,
)
from db.template_indicators import IndicatorRow, apply_indicator_rows, check_indicator_rows
from exports.template_export import (
    FORMAT,
    FORMAT_VERSION,
    HEADERS,
    ID_KEYS,
    ID_ROW_HEADER,
    ID_SHEET,
    REPORTED,
    SHEET,
)
from exports.template_indicator_sheet import (
    IND_ROW_HEADER,
    IND_SHEET,
    MAX_INDICATOR_ROWS,
    SheetRefused,
    read_indicator_sheet,
)
from exports.template_indicator_sheet import label as indicator_label
from exports.template_look import binding_marks
from exports.xlsx_io import cell_text, open_workbook_safely, read_failure

log = logging.getLogger("duban.templates")

UNSIGNED_VERSION = "1"  # a plain checksum anyone could recompute: such templates are refused
# Format 2 (before plan and unit uuids) is still read: its 标识 has no 单位编号 and its unit is found by name.
# Formats 2 and 3 (before the 指标 sheet) sign only the task rows; format 4 signs the indicator rows too.
ID_KEYS_BY_VERSION = {FORMAT_VERSION: ID_KEYS, "3": ID_KEYS, "2": tuple(key for key in ID_KEYS if key != "单位编号")}
WITH_INDICATORS = {FORMAT_VERSION}
MAX_ROWS = 2000
HEADER_SEARCH = 10
SHEET_ROW_LIMIT = 10000  # rows below the header read at most, task rows and extra ones together
READ_COLUMNS = 64  # cells further right than BL are not read at all
# Lengths a filled cell may have: the ledger's own limits, and a cap for every other cell.
FIELD_LIMITS = {"status": 10, "percent": 10, "progress_text": 4000, "problems": 4000, "next_steps": 4000, "reporter": 100}
CELL_LIMIT = 4000
QUOTE_CHARS = 30
MAX_LISTED = 50


def _label(column: dict[str, int], key: str) -> str:
    """A column as a problem names it: its letter and header, e.g. H（完成状态）."""
    return f"{get_column_letter(column[key] + 1)}（{HEADERS[key]}）"


def _quote(text: str) -> str:
    """A value from the file as a message may quote it: short, so a hostile cell cannot flood the report."""
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "……"


class Problem(NamedTuple):
    """Where a file goes wrong and why, as the window's table lists it: 文件, 工作表, 行, 列, 问题."""

    file: str
    sheet: str
    row: int | None
    column: str
    message: str

    def line(self) -> str:
        where = [f"文件 {self.file}"]
        if self.sheet:
            where.append(f"工作表 {self.sheet}")
        if self.row:
            where.append(f"第 {self.row} 行")
        if self.column:
            letter, _, header = self.column.partition("（")
            where.append(f"第 {letter} 列（{header}" if header else f"第 {letter} 列")
        return "，".join(where) + "：" + self.message


@dataclass
class FileOutcome:
    """What importing one template did: imported (maybe with conflicts) or rejected whole."""

    file: str
    unit: str = ""
    period: str = ""
    imported: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    conflicts: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    has_indicators: bool = False  # the template had a 指标 sheet
    indicators_added: int = 0
    indicators_updated: int = 0
    indicators_unchanged: int = 0
    indicators_skipped: int = 0

    def line(self) -> str:
        who = f"（{self.unit}，{chinese_period(self.period)}）" if self.unit and self.period else ""
        if not self.imported:
            return f"【未导入】{self.file}{who}：有 {len(self.problems)} 处问题，整个文件未导入，台账未作任何改动。"
        indicators = (
            f"；指标实际值新增 {self.indicators_added} 条，更新 {self.indicators_updated} 条，未变 {self.indicators_unchanged} 条，"
            f"未填 {self.indicators_skipped} 项"
            if self.has_indicators
            else ""
        )
        return (
            f"【已导入】{self.file}{who}：新增 {self.added} 条，更新 {self.updated} 条，未变 {self.unchanged} 条，"
            f"未填 {self.skipped} 项，冲突 {len(self.conflicts)} 条{indicators}。"
        )


@dataclass
class ImportReport:
    """Per-file outcomes of a template import, for the command line (lines) and the window (problems)."""

    files: list[FileOutcome] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        """Why files were rejected; each rejected file changed nothing."""
        return [p for f in self.files for p in f.problems]

    @property
    def conflicts(self) -> list[Problem]:
        """Rows not written because the ledger changed them after the template was made."""
        return [c for f in self.files for c in f.conflicts]

    @property
    def ok(self) -> bool:
        """Every file imported and every filled row is in the ledger (no rejection, no conflict)."""
        return not self.problems and not self.conflicts

    def lines(self) -> list[str]:
        imported = [f for f in self.files if f.imported]
        indicators = (
            f"；指标实际值新增 {sum(f.indicators_added for f in imported)} 条，更新 {sum(f.indicators_updated for f in imported)} 条，"
            f"未变 {sum(f.indicators_unchanged for f in imported)} 条"
            if any(f.has_indicators for f in imported)
            else ""
        )
        head = (
            f"共 {len(self.files)} 个文件：导入 {len(imported)} 个，拒绝 {len(self.files) - len(imported)} 个；"
            f"新增 {sum(f.added for f in imported)} 条，更新 {sum(f.updated for f in imported)} 条，"
            f"未变 {sum(f.unchanged for f in imported)} 条，冲突 {len(self.conflicts)} 条{indicators}。"
        )
        out = [head]
        for outcome in self.files:
            out.append(outcome.line())
            out += ["  " + p.line() for p in outcome.problems]
            out += ["  冲突：" + c.line() for c in outcome.conflicts]
        return out


class _Rejected(Exception):
    """The file cannot be imported; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class _Identity:
    """The 标识 sheet as read: facts, the signed payload and, per task row, what the template recorded."""

    ledger: str
    plan_id: int
    unit: str
    period: str
    template_id: str
    signature: str
    payload: list
    rows: dict[str, tuple[str, int, str]]  # task code -> (fingerprint, version, digest)
    by_row: dict[int, str]  # row number of 进展报送 -> task code
    unit_uuid: str | None = None  # None in a format 2 template
    indicators: dict[int, tuple[str, str, int, str]] = field(default_factory=dict)  # row of 指标 -> (code, fingerprint, version, digest)


@dataclass
class ReadTemplate:
    """Everything a filled template says, read and checked without the ledger."""

    ident: _Identity
    rows: list[TemplateRow]
    skipped: int
    problems: list[Problem]
    column: dict[str, int]
    mismatch: Problem | None  # a visible sheet names another unit, period or template than the 标识
    indicator_rows: list[IndicatorRow] = field(default_factory=list)
    indicator_touched: list[IndicatorRow] = field(default_factory=list)  # unfilled rows with a locked cell edited
    indicator_skipped: int = 0
    indicator_column: dict[str, int] = field(default_factory=dict)


def _read_identity(wb, name: str) -> _Identity:
    """The 标识 sheet's facts and rows; its signature is checked against the ledger's key later."""

    def reject(message: str, sheet: str = ID_SHEET) -> _Rejected:
        return _Rejected([Problem(name, sheet, None, "", message)])

    if ID_SHEET not in wb.sheetnames or SHEET not in wb.sheetnames:
        raise reject("不是督办台账导出的报送模板（缺少“进展报送”或“标识”工作表），请使用导出的报送模板填报。", "")
    sheet = wb[ID_SHEET]
    sheet.reset_dimensions()  # a <dimension> can hide rows: read every row the sheet has
    facts: dict[str, str] = {}
    rows: list[list[str]] = []
    indicator_lines: list[list[str]] = []
    in_rows = in_indicators = False
    for number, values in enumerate(sheet.iter_rows(min_row=2, max_col=len(ID_ROW_HEADER), values_only=True), start=2):
        if number > MAX_ROWS + MAX_INDICATOR_ROWS + len(ID_KEYS) + 10:
            raise reject(f"标识工作表超过 {MAX_ROWS + MAX_INDICATOR_ROWS} 行，不是正常的报送模板。")
        texts = [cell_text(v) for v in values] + [""] * (len(ID_ROW_HEADER) - len(values))
        if any(len(t) > 200 for t in texts):
            raise reject(f"第 {number} 行内容过长，标识工作表已损坏；请使用导出的原模板填报。")
        if not in_rows:
            if tuple(texts) == ID_ROW_HEADER:
                in_rows = True
            elif texts[0]:
                facts[texts[0]] = texts[1]
        elif tuple(texts) == IND_ROW_HEADER and not in_indicators:
            in_indicators = True
        elif any(texts):
            (indicator_lines if in_indicators else rows).append(texts)
    if facts.get("格式") != FORMAT:
        raise reject("内容不完整，不是督办台账导出的报送模板，或标识工作表已损坏；请使用导出的报送模板填报。")
    version = facts.get("格式版本", "")
    if version == UNSIGNED_VERSION:
        raise reject(
            "这是旧版程序导出的报送模板，只有一个任何人都能重算的校验码，无法确认其中的单位和期间未被改动，"
            "为防冒用不再接受；请报送办公室用当前版本重新导出模板，单位在新模板中填报。"
        )
    if version not in ID_KEYS_BY_VERSION:
        raise reject(f"模板格式版本“{_quote(version)}”不受本程序支持（支持 {FORMAT_VERSION}），请用本程序重新导出模板。")
    keys = ID_KEYS_BY_VERSION[version]
    if any(key not in facts for key in keys) or not in_rows or in_indicators != (version in WITH_INDICATORS):
        raise reject("内容不完整，标识工作表已损坏；请使用导出的原模板填报。")
    if len(indicator_lines) > MAX_INDICATOR_ROWS:
        raise reject(f"指标清单超过 {MAX_INDICATOR_ROWS} 行，标识工作表已损坏；请使用导出的原模板填报。")
    parsed: dict[str, tuple[str, int, str]] = {}
    by_row: dict[int, str] = {}
    for row, code, fingerprint, version_text, digest in rows:
        if not (re.fullmatch(r"\d{1,5}", row) and re.fullmatch(r"\d{1,9}", version_text)) or not code or code in parsed or int(row) in by_row:
            raise reject("任务清单内容无效（行号、任务编号或版本有误），标识工作表已损坏；请使用导出的原模板填报。")
        parsed[code] = (fingerprint, int(version_text), digest)
        by_row[int(row)] = code
    indicators: dict[int, tuple[str, str, int, str]] = {}
    for row, code, fingerprint, version_text, digest in indicator_lines:
        valid = re.fullmatch(r"\d{1,5}", row) and re.fullmatch(r"\d{1,9}", version_text) and code
        if not valid or int(row) in indicators or code in {c for c, *_ in indicators.values()}:
            raise reject("指标清单内容无效（行号、指标编号或版本有误），标识工作表已损坏；请使用导出的原模板填报。")
        indicators[int(row)] = (code, fingerprint, int(version_text), digest)
    try:
        plan_id = int(facts["计划编号"]) if re.fullmatch(r"\d{1,9}", facts["计划编号"]) else int("x")
    except ValueError:
        raise reject("计划编号不是整数，标识工作表已损坏。") from None
    payload = [*(facts[key] for key in keys[:-1]), rows, *([indicator_lines] if version in WITH_INDICATORS else [])]
    return _Identity(
        facts["台账标识"], plan_id, facts["单位"], facts["期间"], facts["模板编号"], facts["签名"], payload, parsed, by_row,
        facts.get("单位编号") if "单位编号" in keys else None, indicators,
    )


def _check_identity(ident: _Identity, name: str, mine: str | None, key: bytes | None) -> None:
    """The 标识 is this ledger's, and signed by it: nobody changed its unit, period or rows."""

    def reject(message: str) -> _Rejected:
        return _Rejected([Problem(name, ID_SHEET, None, "", message)])

    if ident.ledger != mine:
        raise reject(f"本模板由另一本台账导出（台账标识 {_quote(ident.ledger)[:8]}…），不能导入当前台账。")
    if not signature_holds(key, ident.payload, ident.signature):
        raise reject(
            "签名不符：标识工作表的内容（单位、期间或任务清单）被改动，或不是本台账导出的模板，"
            "无法确认模板所属的单位和期间；请使用本台账导出的原模板填报。"
        )
    try:
        check_period(ident.period)
    except UserError as exc:
        raise reject(exc.message) from None


def _percent(value):
    """A whole number as typed (80, 80.0, "80"); anything else is returned as text for the error message."""
    if isinstance(value, bool):
        return cell_text(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    return int(text) if re.fullmatch(r"\d{1,3}", text) else text


def _extra_row_message(code: str, ident: _Identity) -> str:
    first, last = min(ident.by_row), max(ident.by_row)
    rows = f"模板的任务行为第 {first}–{last} 行" if first != last else f"模板的任务行为第 {first} 行"
    if code in ident.rows:
        where = next(r for r, c in ident.by_row.items() if c == code)
        return f"任务 {code} 重复出现（模板中该任务在第 {where} 行），多出的行不能导入；{rows}。"
    if code:
        return f"任务编号“{_quote(code)}”不在本模板的任务清单中，这一行不是模板中的任务行（{rows}），请勿增加行。"
    return f"这一行不是模板中的任务行（{rows}），请勿在表格中增加行或填写其他内容。"


def _read_rows(wb, name: str, ident: _Identity) -> tuple[list[TemplateRow], int, list[Problem], dict[str, int], Problem | None]:
    """Filled rows of 进展报送 with every value checked; rows with nothing reported are skipped.

    Every row the sheet holds is read, whatever its <dimension> claims.  Each of the template's
    task rows must carry its own task code at its own place; any other row with content (a copied,
    added or moved row) is a problem.  Rows with bad values are returned too, so the ledger checks
    report on them as well; a file with any problem is never written.
    """
    ws = wb[SHEET]
    ws.reset_dimensions()
    column: dict[str, int] = {}
    rows: list[TemplateRow] = []
    problems: list[Problem] = []
    extra: list[tuple[int, str]] = []
    seen_rows: set[int] = set()
    skipped = 0
    header_row = None
    bound = False
    mismatch: Problem | None = None
    today = dt.date.today()
    for number, values in enumerate(ws.iter_rows(max_col=READ_COLUMNS, values_only=True), start=1):
        if header_row is None:
            texts = [cell_text(v) for v in values]
            if texts and any(part in texts[0] for part in ("报送单位：", "模板编号：")):
                if not all(part in texts[0] for part in binding_marks(ident.unit, ident.period, ident.template_id)):
                    mismatch = Problem(
                        name, SHEET, number, "A", "表头的报送单位、报送期间或模板编号与标识工作表不符（标识来自另一份模板），请使用导出的原模板填报。"
                    )
                bound = True
            if texts and texts[0] == HEADERS["seq"] and HEADERS["task_code"] in texts:
                missing = [h for h in HEADERS.values() if h not in texts]
                if missing:
                    raise _Rejected([Problem(name, SHEET, number, "", f"表头被改动，缺少列：{'、'.join(missing)}。")])
                header_row = number
                column = {key: texts.index(header) for key, header in HEADERS.items()}
            elif number >= HEADER_SEARCH:
                break
            continue

        def text(key: str) -> str:
            index = column[key]
            return cell_text(values[index] if index < len(values) else None).replace("\r\n", "\n")

        def problem(key: str, message: str) -> None:
            problems.append(Problem(name, SHEET, number, _label(column, key), message))

        if number > header_row + SHEET_ROW_LIMIT:  # one far-off cell would have us walk a million empty rows
            problems.append(Problem(name, SHEET, number, "", f"表格超过 {SHEET_ROW_LIMIT} 行，不是正常的报送模板，未再往下读取。"))
            break
        expected = ident.by_row.get(number)
        if expected is None and all(v is None for v in values):
            continue
        long_cells = [(i, len(cell_text(v))) for i, v in enumerate(values) if isinstance(v, str) and len(v) > CELL_LIMIT]
        code = text("task_code")
        if expected is None:
            if any(cell_text(v) for v in values):
                extra.append((number, code))
            continue
        seen_rows.add(number)
        if long_cells:
            index, length = long_cells[0]
            problems.append(Problem(name, SHEET, number, f"{get_column_letter(index + 1)}", f"单元格内容过长（{length} 字，上限 {CELL_LIMIT} 字）。"))
            continue
        if not code:
            problem("task_code", f"这一行应为任务 {expected}，但任务编号为空：任务行被删除或移动，请使用导出的原模板填报。")
            continue
        if code != expected:
            problem("task_code", f"这一行应为任务 {expected}，却是“{_quote(code)}”：任务行被移动、复制或改动，请使用导出的原模板填报。")
            continue
        if not any(text(key) for key in REPORTED):
            skipped += 1
            continue
        raw_percent = values[column["percent"]] if column["percent"] < len(values) else None
        entry = ProgressInput(
            task_code=code,
            unit=ident.unit,
            period=ident.period,
            status=text("status"),
            percent=_percent(raw_percent),
            progress_text=text("progress_text"),
            problems=text("problems") or None,
            next_steps=text("next_steps") or None,
            reporter=text("reporter") or None,
            entry_date=today,
        )
        found = field_problems(entry)
        if not entry.status:
            found["status"] = "完成状态为空，请从下拉列表中选择。"
        if entry.percent == "":
            found["percent"] = "进度为空，请填写 0 到 100 之间的整数。"
        if "progress_text" in found:
            found["progress_text"] = "本行已填报，但进展情况为空；请填写本期进展情况。"
        for key, limit in FIELD_LIMITS.items():
            length = len(text(key))
            if length > limit:
                found[key] = f"{HEADERS[key]}过长（{length} 字，不超过 {limit} 字）。"
        for key in ("status", "percent", "progress_text", "problems", "next_steps", "reporter"):
            if key in found:
                problem(key, found[key])
        fingerprint, version, digest = ident.rows[code]
        rows.append(TemplateRow(number, text("title"), text("deadline"), fingerprint, version, digest, entry))
    if header_row is None:
        raise _Rejected([Problem(name, SHEET, None, "", "找不到表头（序号、任务编号……），表格结构被改动。")])
    if not bound:
        raise _Rejected([Problem(name, SHEET, None, "", "找不到报送单位和模板编号所在的行，表格结构被改动；请使用导出的原模板填报。")])
    for number, code in extra[:MAX_LISTED]:
        problems.append(Problem(name, SHEET, number, _label(column, "task_code") if code else "", _extra_row_message(code, ident)))
    if len(extra) > MAX_LISTED:
        rest = extra[MAX_LISTED:]
        problems.append(
            Problem(name, SHEET, rest[0][0], "", f"另有 {len(rest)} 行（第 {rest[0][0]}–{rest[-1][0]} 行）也不是模板中的任务行，请勿在表格中增加行。")
        )
    for number in sorted(set(ident.by_row) - seen_rows):
        problems.append(Problem(name, SHEET, number, "", f"任务 {ident.by_row[number]} 所在的行缺失（任务行被删除），请使用导出的原模板填报。"))
    return rows, skipped, problems, column, mismatch


def read_template(path: Path) -> ReadTemplate:
    """Read and check a filled template from its file alone; the ledger is not touched.

    Every failure becomes a _Rejected carrying a Chinese problem: a parser's or decompressor's own
    words go to the log only.
    """
    try:
        wb = open_workbook_safely(path)
    except UserError as exc:
        raise _Rejected([Problem(path.name, "", None, "", exc.message.removeprefix(f"文件 {path.name} "))]) from None
    try:
        ident = _read_identity(wb, path.name)
        rows, skipped, problems, column, mismatch = _read_rows(wb, path.name, ident)
        read = ReadTemplate(ident, rows, skipped, problems, column, mismatch)
        _read_indicators(wb, path.name, read)
    except _Rejected:
        raise
    except Exception as exc:  # read-only openpyxl parses sheets lazily: malformed XML or zlib data surfaces here
        log.warning("template %s unreadable: %r", path.name, exc)
        raise _Rejected([Problem(path.name, "", None, "", f"工作表内容已损坏，无法读取（{read_failure(exc)}）。")]) from None
    finally:
        try:
            wb.close()
        except Exception:  # closing a damaged archive must not hide why it was refused
            pass
    return read


def _read_indicators(wb, name: str, read: ReadTemplate) -> None:
    """The 指标 sheet the 标识 lists, read into `read`; a template made without one must not have one."""
    ident = read.ident
    if not ident.indicators:
        if IND_SHEET in wb.sheetnames:
            raise _Rejected([Problem(name, IND_SHEET, None, "", "本模板导出时没有“指标”工作表，文件中却有：文件结构被改动；请使用导出的原模板填报。")])
        return
    if IND_SHEET not in wb.sheetnames:
        raise _Rejected([Problem(name, "", None, "", "缺少“指标”工作表（本模板导出时有），文件结构被改动；请使用导出的原模板填报。")])
    try:
        sheet = read_indicator_sheet(wb[IND_SHEET], ident.indicators, binding_marks(ident.unit, ident.period, ident.template_id))
    except SheetRefused as exc:
        raise _Rejected([Problem(name, IND_SHEET, exc.problem.row, exc.problem.column, exc.problem.message)]) from None
    read.problems += [Problem(name, IND_SHEET, p.row, p.column, p.message) for p in sheet.problems]
    if read.mismatch is None and sheet.mismatch is not None:
        read.mismatch = Problem(name, IND_SHEET, sheet.mismatch.row, sheet.mismatch.column, sheet.mismatch.message)
    read.indicator_rows, read.indicator_skipped, read.indicator_column = sheet.rows, sheet.skipped, sheet.column
    read.indicator_touched = sheet.touched


def _import_file(ledger: Ledger, path: Path, operator: str | None) -> FileOutcome:
    """Read and check one template completely, then write it in one transaction, or reject it whole.

    The file is parsed before the ledger is touched; the signing key is read in a plain read, and
    the write transaction (SQLite's write lock) is opened only for rows that passed every check.
    """
    outcome = FileOutcome(path.name)
    try:
        try:
            read = read_template(path)
        except _Rejected:
            raise
        except Exception as exc:  # any other failure of one file is that file's problem, not the batch's
            log.warning("template %s unreadable: %r", path.name, exc)
            raise _Rejected([Problem(path.name, "", None, "", f"文件无法读取（{read_failure(exc)}），可能已损坏。")]) from None
        ident, rows, problems, column = read.ident, read.rows, read.problems, read.column
        with ledger.Session() as session:
            mine, key = ledger_id(session), signing_key(session)
        _check_identity(ident, path.name, mine, key)
        if read.mismatch is not None:  # reported after the signature: a forged 标识 is named as such
            raise _Rejected([read.mismatch])
        outcome.unit, outcome.period, outcome.skipped = ident.unit, ident.period, read.skipped
        outcome.has_indicators, outcome.indicators_skipped = bool(ident.indicators), read.indicator_skipped
        if len(problems) > MAX_LISTED * 2:  # a flood of problems is refused from the file alone
            raise _Rejected(problems)
        with ledger.Session.begin() as session:
            try:
                plan_id = resolve_plan_id(session, ident.plan_id)
                unit = _template_unit(session, ident)
            except UserError as exc:
                raise _Rejected([Problem(path.name, ID_SHEET, None, "", exc.message)]) from None
            if unit.name != ident.unit:  # renamed since export: the rows are the unit's under its name now
                outcome.unit = unit.name
                for r in rows:
                    r.entry.unit = unit.name
            for p in check_rows(session, unit, plan_id, rows):
                problems.append(Problem(path.name, SHEET, p.row, _label(column, p.field), p.message))
            for p in check_indicator_rows(session, unit, plan_id, ident.period, read.indicator_rows + read.indicator_touched):
                problems.append(Problem(path.name, IND_SHEET, p.row, indicator_label(read.indicator_column, p.field), p.message))
            if problems:
                raise _Rejected(sorted(problems, key=lambda p: (p.sheet == IND_SHEET, p.row or 0, p.column)))
            applied = apply_rows(session, unit, ident.period, plan_id, rows, operator=operator, source=path.name)
            try:
                indicators = apply_indicator_rows(session, unit, ident.period, plan_id, read.indicator_rows, operator=operator, source=path.name)
            except UserError as exc:  # checked above; a server's refusal (another unit's login) lands here
                raise _Rejected([Problem(path.name, IND_SHEET, None, "", exc.message)]) from None
    except _Rejected as exc:
        outcome.problems = exc.problems
        return outcome
    outcome.imported = True
    outcome.added, outcome.updated, outcome.unchanged = applied.added, applied.updated, applied.unchanged
    outcome.conflicts = [Problem(path.name, SHEET, c.row, "", c.message) for c in applied.conflicts]
    outcome.conflicts += [Problem(path.name, IND_SHEET, c.row, "", c.message) for c in indicators.conflicts]
    outcome.indicators_added, outcome.indicators_updated, outcome.indicators_unchanged = indicators.added, indicators.updated, indicators.unchanged
    return outcome


def _template_unit(session, ident: _Identity):
    """The unit a template was exported for: by its uuid (a rename since does not matter), by name for format 2."""
    if ident.unit_uuid is None:
        return find_unit(session, ident.unit)
    unit = session.scalar(select(Unit).where(Unit.uuid == ident.unit_uuid))
    if unit is None:
        raise UserError(f"模板所属的单位“{_quote(ident.unit)}”已不在台账中（导出模板后被删除或合并），请重新导出该单位的模板。")
    return unit


def _template_paths(path: Path) -> list[Path]:
    """The file given, or every .xlsx in the folder (sorted; Office's ~$ lock files left out)."""
    if path.is_dir():
        found = sorted(p for p in path.glob("*.xlsx") if p.is_file() and not p.name.startswith("~$"))
        if not found:
            raise UserError(f"文件夹 {path} 中没有 .xlsx 文件。")
        return found
    if not path.exists():
        raise UserError(f"找不到文件或文件夹：{path}")
    return [path]


def import_templates(ledger: Ledger, path_or_dir: str | Path, *, operator: str | None, control: JobControl | None = None) -> ImportReport:
    """Import filled templates (a file, or every .xlsx in a folder); each file is checked whole and written whole.

    Rules: a file with any problem (not a template, damaged, another ledger's, an unsigned or
    forged 标识, a 标识 from another template, a row that is not the template's task row at its
    place, unknown unit or task, task altered, bad status, percent or empty 进展情况 on a filled
    row, an over-long cell) is rejected whole and changes nothing; the other files still import,
    each in its own transaction, whatever went wrong reading an earlier one.  Rows
    with nothing reported are skipped.  A row equal to the ledger, or left as it was pre-filled, is
    unchanged, so importing a file again changes nothing.  A row whose report was changed in the
    ledger after the template was made, and differs from it, is a conflict: it is listed and not
    written, while the file's other rows import.  Cancelling stops between files.
    """
    with ledger.Session() as session:  # on a server ledger only the office holds the signing key (db.server_access)
        refuse_unless_office(session, "导入报送模板")
    paths = _template_paths(Path(path_or_dir))
    control = control or JobControl()
    report = ImportReport()
    for done, path in enumerate(paths):
        control.step(done, len(paths), f"正在导入 {path.name}")
        report.files.append(_import_file(ledger, path, operator))
    control.step(len(paths), len(paths), "导入完成")
    return report
