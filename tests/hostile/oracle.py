"""Run one hostile input through the entry point the CLI uses and judge it: refused cleanly, accepted correctly, or not.

Outcomes: "refused" (a Chinese message naming the file, the ledger unchanged), "accepted" (what was written
is what an honest import of the same content writes), "unclear" (refused, but the message is English, not
Chinese, or does not name the file), "crashed" (any exception other than UserError), "bad_write" (a refused
input changed the ledger, or an accepted one wrote something it should not).
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import re
import shutil
import sqlite3
import traceback
from dataclasses import dataclass
from pathlib import Path

from db.engine import open_ledger
from db.errors import UserError
from tests.hostile import world as sample

OUTCOMES = ("refused", "accepted", "unclear", "crashed", "bad_write")
GOOD = ("refused", "accepted")
# Tables a refused input must leave exactly as they were (reports with tombstones, evidence, conflicts, audit log).
WATCHED = ("progress_entry", "evidence", "merge_conflict", "audit_log", "packet_sync", "packet_merge", "ledger_info", "assignment", "unit")
# ASCII words a Chinese message may carry: file types, the program, hashes, sizes, product names.
ALLOWED_WORDS = {"xlsx", "xls", "duban", "sha", "sqlite", "excel", "word", "wps", "zip", "csv", "pdf", "docx", "uuid", "wal", "shm", "lock",
                 "partial", "tmp", "json", "utf"}
MAX_TEXT = 100_000  # far above any sensible cap on a report's text: a larger one stored is a bad write
MAX_EVIDENCE = 20 * 1024 * 1024
UNFILLABLE = "unfillable"


@dataclass
class Verdict:
    """What one case did, and why it is judged so."""

    outcome: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in GOOD


def message_problem(message: str, names: list[str]) -> str | None:
    """Why a refusal's message is not a clear Chinese sentence naming the file, or None."""
    if not any(name and name in message for name in names):
        return "消息没有写出文件名"
    rest = message
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name, " ") if name else rest
    if not re.search(r"[\u4e00-\u9fff]", rest):
        return "消息中没有中文"
    rest = re.sub(r"“[^”]*”", " ", rest)  # the file's own values, quoted back to the clerk
    rest = re.sub(r"[^\s（）：，。“”]*/[^\s（）：，。“”]*|[\w\[\].-]+\.(?:xml|rels)\b", " ", rest)  # paths and the xlsx's members
    rest = re.sub(r"[A-Za-z]:\\[^\s，。：；）]*", " ", rest)  # Windows paths
    rest = re.sub(r"\\\\[^\s，。：；）]*", " ", rest)  # UNC paths
    rest = re.sub(r"[^\s（）：，。“”]*\.[A-Za-z0-9]{1,5}\b|\b_\w+", " ", rest)  # evidence file names, and the prefix that disarms a device name
    rest = re.sub(r"\b[0-9a-fA-F][0-9a-fA-F-]{7,}", " ", rest)  # ids and digests
    rest = re.sub(r"duban(?: [a-z][a-z-]*)+|--[a-z-]+", " ", rest)  # commands to type
    words = [w for w in re.findall(r"[A-Za-z]{3,}", rest) if w.lower() not in ALLOWED_WORDS]
    return f"消息含英文：{' '.join(words[:5])}" if words else None


def raw_dump(path: Path) -> dict[str, list]:
    """Every row of the watched tables, to show that something changed nothing."""
    with sqlite3.connect(path) as conn:
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in WATCHED}


def _crash(exc: BaseException) -> Verdict:
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames) if "/db/" in f.filename or "/exports/" in f.filename), "")
    return Verdict("crashed", f"{type(exc).__module__}.{type(exc).__name__} at {where}: {str(exc)[:160]}")


class Bench:
    """A private copy of the office ledger per case, and the pristine dump a refused case must leave."""

    def __init__(self, world: sample.World, workdir: Path):
        self.world, self.workdir = world, workdir
        self.pristine = None
        self.pristine = raw_dump(self.copy_ledger())
        self._honest_cache: dict = {}

    def case_dir(self) -> Path:
        case = self.workdir / "case"
        shutil.rmtree(case, ignore_errors=True)
        case.mkdir(parents=True)
        return case

    def copy_ledger(self, name: str = "office") -> Path:
        folder = self.workdir / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        path = folder / "ledger.sqlite"
        shutil.copy(self.world.ledger, path)
        return path

    # --- templates ------------------------------------------------------------------------------

    def template_case(self, path: Path) -> Verdict:
        """Import a (mutated) template as `duban template import` does, and judge it."""
        from exports.unit_template import import_templates

        ledger_path = self.copy_ledger()
        ledger = open_ledger(ledger_path)
        try:
            try:
                report = import_templates(ledger, path, operator=sample.OPERATOR)
            except UserError as exc:
                return self._refusal(ledger_path, str(exc), [path.name, str(path)])
            except Exception as exc:  # noqa: BLE001 - any other exception is what this suite looks for
                return _crash(exc)
        finally:
            ledger.close()
        [outcome] = report.files
        if not outcome.imported:
            lines = [p.line() for p in outcome.problems] or ["\n".join(report.lines())]
            wrong_file = [p.file for p in outcome.problems if p.file != path.name]
            verdict = self._refusal(ledger_path, "\n".join(lines), [path.name])
            if verdict.ok and wrong_file:
                return Verdict("unclear", f"问题记在别的文件名下：{wrong_file[0]}")
            for line in lines:
                problem = message_problem(line, [path.name])
                if problem and verdict.ok:
                    return Verdict("unclear", f"{problem} | {line[:200]}")
            return verdict
        expected = self.honest_template(visible_rows(path))
        found = normalised(ledger_path)
        if expected == UNFILLABLE:
            return self._only_own_rows(ledger_path, found)
        if expected is None:
            if found == normalised_pristine(self):
                return Verdict("accepted", "imported, wrote nothing (an honest import would refuse)")
            return Verdict("bad_write", "imported a file an honest import refuses: " + _diff(normalised_pristine(self), found))
        if found != expected:
            return Verdict("bad_write", "wrote other than an honest import of the visible rows: " + _diff(expected, found))
        return Verdict("accepted", f"added {outcome.added}, updated {outcome.updated}, conflicts {len(outcome.conflicts)}")

    def folder_case(self, folder: Path) -> Verdict:
        """Import a folder holding damaged templates before the good one: each file on its own, the good one imported."""
        from exports.unit_template import import_templates

        ledger_path = self.copy_ledger()
        ledger = open_ledger(ledger_path)
        try:
            try:
                report = import_templates(ledger, folder, operator=sample.OPERATOR)
            except UserError as exc:
                return Verdict("unclear", f"the whole folder refused for one file: {str(exc)[:160]}")
            except Exception as exc:  # noqa: BLE001
                return _crash(exc)
        finally:
            ledger.close()
        names = sorted(p.name for p in folder.iterdir())
        if [f.file for f in report.files] != names:
            return Verdict("bad_write", f"files read: {[f.file for f in report.files]}, in the folder: {names}")
        expected = self.honest_template(visible_rows(self.world.template))["progress_entry"]
        if normalised(ledger_path)["progress_entry"] != expected:
            return Verdict("bad_write", "the reports are not those of the good template alone")
        for outcome in report.files:
            if outcome.file == sample.TEMPLATE_NAME and not outcome.imported:
                return Verdict("bad_write", "the good template was not imported: " + "；".join(p.message for p in outcome.problems)[:160])
            for p in outcome.problems:
                problem = message_problem(p.line(), [outcome.file]) or (p.file != outcome.file and "问题记在别的文件名下")
                if problem:
                    return Verdict("unclear", f"{problem} | {p.line()[:200]}")
        return Verdict("refused", "damaged files refused, the good one imported")

    def _only_own_rows(self, ledger_path: Path, found: dict) -> Verdict:
        """With no honest file to compare with, an import may still write only its own unit's rows for its own month."""
        with sqlite3.connect(ledger_path) as conn:
            unit_id = conn.execute("SELECT id FROM unit WHERE name = ?", (sample.HOUSING,)).fetchone()[0]
        gained = set(found["progress_entry"]) - set(normalised_pristine(self)["progress_entry"])
        strays = [row for row in gained if ast.literal_eval(row)[1:3] != (unit_id, sample.PERIOD)]
        if strays:
            return Verdict("bad_write", "wrote rows of another unit or month: " + strays[0][:160])
        return Verdict("accepted", "values Excel cannot hold; only the template's own rows written")

    def _refusal(self, ledger_path: Path, message: str, names: list[str]) -> Verdict:
        after = raw_dump(ledger_path)
        if after != self.pristine:
            return Verdict("bad_write", "refused but changed the ledger: " + _diff(self.pristine, after))
        problem = message_problem(message, names)
        if problem:
            return Verdict("unclear", f"{problem} | {message[:200]}")
        return Verdict("refused", message.splitlines()[0][:160])

    def honest_template(self, rows):
        """What importing the visible rows through an untouched template writes (normalised), None if it refuses."""
        if rows is None:
            return None
        key = tuple(rows)
        if key not in self._honest_cache:
            self._honest_cache[key] = self._honest_import(rows)
        return self._honest_cache[key]

    def _honest_import(self, rows):
        from exports.unit_template import import_templates

        codes = [code for code, _values in rows]
        if len(set(codes)) != len(codes) or not set(codes) <= set(self.world.template_codes):
            return None
        folder = self.workdir / "honest"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        clear = {code: {c: None for c in sample.INPUTS} for code in self.world.template_codes}
        values = {code: dict(zip(sample.INPUTS, vals)) for code, vals in rows}
        try:
            honest = sample.fill_template(self.world.template, folder / sample.TEMPLATE_NAME, clear | values)
        except Exception:  # noqa: BLE001 - a value Excel cannot hold (control characters): no honest file to compare with
            return UNFILLABLE
        ledger_path = self.copy_ledger("honest-ledger")
        ledger = open_ledger(ledger_path)
        try:
            report = import_templates(ledger, honest, operator=sample.OPERATOR)
        finally:
            ledger.close()
        return normalised(ledger_path) if report.files[0].imported else None

    # --- packets --------------------------------------------------------------------------------

    def packet_case(self, path: Path) -> Verdict:
        """Merge a (mutated) packet as `duban packet merge` does, and judge it."""
        from db.packets import merge_packet

        ledger_path = self.copy_ledger()
        ledger = open_ledger(ledger_path)
        try:
            try:
                # The clerk confirms deletions (--allow-deletes): asking first is tested in tests/test_packet_hostile.py.
                merge_packet(ledger, path, operator=sample.OPERATOR, allow_deletes=True)
            except UserError as exc:
                return self._refusal(ledger_path, str(exc), [path.name, str(path)])
            except Exception as exc:  # noqa: BLE001
                return _crash(exc)
        finally:
            ledger.close()
        problems = packet_write_problems(self, ledger_path, path)
        if problems:
            return Verdict("bad_write", "；".join(problems[:3]))
        return Verdict("accepted")

    # --- plan documents ------------------------------------------------------------------------------

    def plan_case(self, path: Path) -> Verdict:
        """Try a (mutated) plan document with --dry-run, then import it, as `duban import-plan` does."""
        from db.ledger import import_draft
        from exports.plan_reading import read_plan_document

        ledger_path = self.copy_ledger()
        try:
            draft = read_plan_document(path).draft  # what --dry-run shows: reading alone opens no ledger
            if raw_dump(ledger_path) != self.pristine:
                return Verdict("bad_write", "reading a plan (--dry-run) changed the ledger")
            ledger = open_ledger(ledger_path)
            try:
                import_draft(ledger, draft, operator=sample.OPERATOR, make_current=False)
            finally:
                ledger.close()
        except UserError as exc:
            return self._refusal(ledger_path, str(exc), [path.name, str(path)])
        except Exception as exc:  # noqa: BLE001 - any other exception is what this suite looks for
            return _crash(exc)
        return Verdict("accepted")

    # --- restore --------------------------------------------------------------------------------

    def restore_case(self, backup: Path, *, foreign: bool) -> Verdict:
        """Restore the office ledger from a (mutated or foreign) file as `duban restore` does."""
        from db.safety import restore

        ledger_path = self.copy_ledger()
        try:
            before = sqlite_content(backup)
        except (sqlite3.DatabaseError, UnicodeDecodeError):  # a damaged schema's error text can be undecodable bytes
            before = None
        try:
            restore(backup, ledger_path)
        except UserError as exc:
            return self._refusal(ledger_path, str(exc), [backup.name, str(backup)])
        except Exception as exc:  # noqa: BLE001
            return _crash(exc)
        if foreign:
            return Verdict("bad_write", "restored another ledger's file or a packet over the office ledger without --force")
        if before is None or sqlite_content(ledger_path) != before:
            return Verdict("bad_write", "the restored ledger is not the backup's content")
        return Verdict("accepted")


def sqlite_content(path: Path) -> dict:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        conn.text_factory = bytes  # a faithful copy of undecodable text is still a faithful copy
        return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}


# --- what a template shows ------------------------------------------------------------------------

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _column(ref: str) -> int:
    number = 0
    for ch in re.match(r"[A-Z]+", ref).group():
        number = number * 26 + ord(ch) - 64
    return number


def _cell_value(c, strings: list[str]):
    kind = c.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t"))
    v = c.find("m:v", _NS)
    if v is None or v.text is None:
        return None
    if kind == "s":
        return strings[int(v.text)]
    if kind in ("str", "e"):
        return v.text
    if kind == "b":
        return v.text == "1"
    number = float(v.text)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def visible_rows(path: Path):
    """The filled task rows of 进展报送 as anyone opening the file sees them, every row whatever <dimension> says.

    A list of (task code, input values) in sheet order; None if the sheet cannot be read at all.
    """
    import zipfile

    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as z:
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            rels = {r.get("Id"): r.get("Target") for r in ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter(_REL)}
            sheet = next(s for s in book.iter(f"{{{_NS['m']}}}sheet") if s.get("name") == "进展报送")
            target = rels[sheet.get(f"{{{_NS['r']}}}id")].lstrip("/")
            target = target if target.startswith("xl/") else "xl/" + target
            strings = []
            if "xl/sharedStrings.xml" in z.namelist():
                for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{{{_NS['m']}}}si"):
                    strings.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
            data = ElementTree.fromstring(z.read(target))
            rows, header, previous = [], None, 0
            for row in data.iter(f"{{{_NS['m']}}}row"):
                number = int(row.get("r"))
                if not previous < number <= 1_048_576:
                    return None  # rows out of order or out of range: Excel itself will not open the file
                previous = number
                cells = {}
                for c in row.iter(f"{{{_NS['m']}}}c"):
                    ref = re.fullmatch(r"([A-Z]{1,3})(\d+)", c.get("r") or "")
                    if not ref or int(ref.group(2)) != number or _column(ref.group(1)) in cells:
                        return None
                    cells[_column(ref.group(1))] = _cell_value(c, strings)
                if header is None:
                    header = number if _text(cells.get(1)) == "序号" else None
                    continue
                values = tuple(cells.get(c) for c in sample.INPUTS)
                if not any(_text(v) for v in values[:5]):
                    continue
                rows.append((_text(cells.get(sample.CODE)), values))
            return rows if header else None
    except Exception:  # noqa: BLE001 - a file the oracle cannot read: an honest import refuses it
        return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _diff(a: dict, b: dict) -> str:
    for table in a:
        if a[table] != b.get(table):
            extra = sorted(set(b.get(table, [])) - set(a[table]))
            gone = sorted(set(a[table]) - set(b.get(table, [])))
            return f"{table}: +{len(extra)} -{len(gone)} {(extra or gone)[0][:160]}"
    return "?"


def normalised(path: Path) -> dict:
    """Reports, evidence, conflicts and the audit log without ids, uuids and clocks: what an import wrote.

    entry_date is left out: an import dates a report today, and a run may pass midnight between two imports.
    """
    with sqlite3.connect(path) as conn:
        return {
            "progress_entry": sorted(map(repr, conn.execute(
                "SELECT task_id, unit_id, period, status, percent, progress_text, problems, next_steps, reporter,"
                " deleted_at IS NULL, version FROM progress_entry"))),
            "evidence": sorted(map(repr, conn.execute("SELECT entry_uuid, name, size, sha256, deleted_at IS NULL FROM evidence"))),
            "merge_conflict": sorted(map(repr, conn.execute("SELECT entry_uuid, status FROM merge_conflict"))),
            "audit_log": sorted(map(repr, conn.execute("SELECT operator, action, entity, entity_key, note FROM audit_log"))),
        }


def normalised_pristine(bench: Bench) -> dict:
    if not hasattr(bench, "_normalised_pristine"):
        bench._normalised_pristine = normalised(bench.world.ledger)
    return bench._normalised_pristine


# --- what a merge may write -----------------------------------------------------------------------


def packet_write_problems(bench: Bench, ledger_path: Path, packet: Path) -> list[str]:
    """What an accepted merge wrote that a merge must never write (empty if every write is one an honest merge makes)."""
    from db.progress import STATUSES

    world, problems = bench.world, []
    today = dt.date.today()
    with sqlite3.connect(world.ledger) as before_conn:
        before = {r[1]: r for r in before_conn.execute("SELECT * FROM progress_entry")}
        evidence_before = {r[0] for r in before_conn.execute("SELECT uuid FROM evidence")}
    try:
        with sqlite3.connect(f"file:{packet}?mode=ro", uri=True) as pconn:
            said = {(r[0], r[1], r[2]): r[3:] for r in pconn.execute(
                "SELECT t.code, u.name, p.period, p.status, p.percent, p.progress_text, p.deleted_at IS NOT NULL FROM progress_entry p"
                " JOIN task t ON t.id = p.task_id JOIN unit u ON u.id = p.unit_id")}
    except sqlite3.DatabaseError:
        said = None
    with sqlite3.connect(ledger_path) as conn:
        assigned = set(conn.execute("SELECT task_id, unit_id FROM assignment"))
        codes = dict(conn.execute("SELECT id, code FROM task"))
        units = dict(conn.execute("SELECT id, name FROM unit"))
        rows = conn.execute(
            "SELECT uuid, id, task_id, unit_id, period, status, percent, typeof(percent), progress_text, typeof(progress_text),"
            " problems, next_steps, reporter, entry_date, typeof(entry_date), version, typeof(version), deleted_at FROM progress_entry"
        ).fetchall()
        after = {r[0] for r in rows}
        full = {r[1]: r for r in conn.execute("SELECT * FROM progress_entry")}
        if set(before) - after:
            problems.append(f"{len(set(before) - after)} 条进展被整行删除")
        for (uid, _id, task_id, unit_id, period, status, percent, ptype, text, ttype, probs, nexts, reporter, entry_date, dtype,
             version, vtype, deleted_at) in rows:
            old = before.get(uid)
            if old is not None and old == full[uid]:
                continue
            code, unit = codes.get(task_id), units.get(unit_id)
            where = f"{code}/{unit}/{period}"
            if (task_id, unit_id) not in assigned:
                problems.append(f"{where}：写入了未分工的（任务，单位）")
            if code not in world.packet_tasks or not isinstance(period, str) or period < world.first_period:
                problems.append(f"{where}：写入了数据包范围以外的进展")
            if old is not None and uid not in world.base_uuids:
                problems.append(f"{where}：改动了数据包导出时不含的进展")
            if old is not None and old[-1] is None and deleted_at is not None and uid not in world.base_uuids:
                problems.append(f"{where}：删除了办公室的进展")
            if deleted_at is None:
                if status not in STATUSES or ptype != "integer" or not 0 <= percent <= 100:
                    problems.append(f"{where}：状态或进度无效（{status!r}, {percent!r}）")
                if ttype != "text" or not text.strip() or len(text) > MAX_TEXT:
                    problems.append(f"{where}：进展情况类型 {ttype} 或长度无效")
                for extra in (probs, nexts):
                    if extra is not None and (not isinstance(extra, str) or len(extra) > MAX_TEXT):
                        problems.append(f"{where}：存在问题/下步计划无效")
                if reporter is not None and (not isinstance(reporter, str) or len(reporter) > 100):
                    problems.append(f"{where}：填报人无效")
            if not isinstance(period, str) or not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", period) or period > today.strftime("%Y-%m"):
                problems.append(f"{where}：期间 {period!r} 无效")
            try:
                day = dt.date.fromisoformat(entry_date) if dtype == "text" else None
            except ValueError:
                day = None
            if day is None or not dt.date(2000, 1, 1) <= day <= today + dt.timedelta(days=1):
                problems.append(f"{where}：填报日期 {entry_date!r} 不合理")
            if vtype != "integer" or not 0 < version < 2**53:
                problems.append(f"{where}：版本 {version!r} 无效")
            if said is not None:
                claim = said.get((code, unit, period))
                if claim is None or (deleted_at is None and claim[:3] != (status, percent, text)) or bool(claim[3]) != (deleted_at is not None):
                    problems.append(f"{where}：写入的内容与数据包中的不同")
        for uid, entry_uuid, name, size, sha, data, deleted_at in conn.execute(
            "SELECT uuid, entry_uuid, name, size, sha256, data, deleted_at FROM evidence"
        ):
            if uid in evidence_before:
                continue
            if not isinstance(name, str) or not name.strip() or re.search(r"[\x00-\x1f/\\:]", name) or name.strip(" .") in ("", "..") or len(name) > 255:
                problems.append(f"证明材料名称不安全：{name!r:.80}")
            if not isinstance(data, bytes) or not isinstance(sha, str) or hashlib.sha256(data).hexdigest() != sha:
                problems.append(f"证明材料 {name!r:.40} 的 sha256 与内容不符")
            elif size != len(data) or len(data) > MAX_EVIDENCE:
                problems.append(f"证明材料 {name!r:.40} 的大小 {size!r} 不符或超过 20 MB")
            if entry_uuid not in after:
                problems.append(f"证明材料 {name!r:.40} 不属于任何进展")
        for (values,) in conn.execute("SELECT packet_values FROM merge_conflict"):
            try:
                v = json.loads(values)
            except (TypeError, ValueError):
                problems.append("冲突中记录的数据包内容不是 JSON")
                continue
            if not isinstance(v, dict) or (not v.get("deleted") and (v.get("status") not in STATUSES or not isinstance(v.get("percent"), int)
                                                                    or not 0 <= v["percent"] <= 100 or len(str(v.get("progress_text"))) > MAX_TEXT)):
                problems.append("冲突中记录了无效的数据包内容")
    return problems
