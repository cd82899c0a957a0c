"""Realistic demo progress for the current plan, so the window, reports and benchmarks have data to show.

The fill writes, deterministically for a seed:

* one report per assignment (task, unit) per month, ending at ``last_period`` and going back as
  many months as ``entries`` needs (the earliest month is partial so the count is exact).  A
  realistic year is every assignment × 12 (≈ 1151 × 12 ≈ 13,800 for the 2022 plan, Jan–Dec 2022);
  100,000 entries reach back to late 2015, long before the plan existed: such a ledger is for
  benchmarks, not for showing;
* per task a story: 未启动, then 推进中 with a rising percent, then 已完成 (100) near or after the
  deadline; about one task in eight reports 滞后 (lead units, percent flat) for a few months and
  finishes late or not at all; tasks without a dated deadline (附件1, 持续推进) report 持续推进.
  Percent never falls for a (task, unit);
* the office's 办结销号 for most tasks whose lead units all reported 已完成 (a few weeks after the
  report, never after ``last_period`` or today), and approved 延期 for some tasks that ran late;
* every task's warning colour for each of the last 12 months (db.warning_rules.record_marks).

Rows are bulk inserted for speed, so the audit log gets one ``demo.fill`` row summarising the fill
instead of one row per report, sign-off and extension.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sqlite3
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from db import audit
from db.engine import open_ledger
from db.errors import UserError
from db.ledger import init_from_bundled_plan, resolve_plan_id
from db.models import Assignment, Extension, Milestone, Plan, ProgressEntry, SignOff, Task, Unit
from db.periods import check_period, period_end, period_of, period_start, periods_between, shift_period
from db.settings import load_settings
from db.vocabulary import COLLECTIVE_KIND, Status
from db.warning_rules import RED, lead_unit_ids, record_marks, task_states

MAX_ENTRIES = 1_000_000
MARKED_MONTHS = 12
DEMO_OPERATOR = "演示数据"
LAGGING_SHARE_DATED = 0.2
LAGGING_SHARE_ONGOING = 0.06
NEVER_CATCH_UP_SHARE = 0.3
SIGN_OFF_SHARE = 0.85
EXTENSION_SHARE = 0.3
MAX_EXTENSIONS = 12
TEXT_MIN, TEXT_MAX = 60, 200

NOT_STARTED, IN_PROGRESS, DONE, LAGGING, ONGOING = Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.LAGGING, Status.ONGOING

START_LINES = (
    "已将“{t}”列入本单位年度重点工作台账，明确分管领导和具体承办科室。",
    "正在对照方案要求梳理事项清单，研究制定具体实施方案。",
    "已组织相关科室专题学习行动方案，初步明确责任分工和时间节点。",
    "正在开展前期调研，收集先进地市经验做法，拟于下月启动实施。",
    "实施方案初稿已形成，正在征求相关部门和县（市、区）意见。",
    "已与牵头单位对接工作要求，待配套政策明确后全面启动。",
)
PROGRESS_OPENERS = (
    "围绕“{t}”，本月召开专题推进会{k}次，研究解决工作中的具体问题。",
    "持续推进“{t}”，对照任务清单逐项落实，阶段性任务完成约{p}%。",
    "按照方案分工，扎实推进“{t}”，已印发工作方案并建立周调度机制。",
    "“{t}”工作有序推进，主要负责同志专题听取汇报{k}次。",
)
ONGOING_OPENERS = (
    "常态化推进“{t}”，本月持续开展相关工作。",
    "“{t}”作为长期性工作，已纳入日常工作机制，按月调度推进。",
    "坚持问题导向，持续深化“{t}”，各项措施落实有序。",
)
LAG_OPENERS = (
    "“{t}”推进进度慢于计划，目前完成约{p}%。",
    "受{r}影响，“{t}”未能按原定时间节点推进。",
    "“{t}”进度滞后，本月仅完成部分前期工作，整体完成约{p}%。",
)
DONE_OPENERS = (
    "“{t}”各项任务已全面完成，相关制度文件已印发实施。",
    "已按时间节点完成“{t}”任务，相关系统已上线运行并保持稳定。",
    "经自查，“{t}”确定的目标任务均已完成，完成情况材料已报送市优化营商环境办公室。",
)
ACTIONS = (
    "梳理事项清单{q}项，逐项明确办理流程、申请材料和办结时限。",
    "压缩审批时限{s}%，{k}个事项实现“即来即办”。",
    "累计办理相关业务{n}件，企业群众满意率达{s}%。",
    "开展督导检查{k}次，发现问题{m}个，均已建立整改台账。",
    "赴{k}个县（市、区）开展实地调研，收集意见建议{m}条。",
    "相关系统已完成开发测试，{k}项功能上线运行。",
    "精简申请材料{m}份，减少办理环节{k}个。",
    "组织业务培训{k}场，培训窗口工作人员{n}人次。",
    "通过政务服务网、微信公众号等渠道开展政策宣传，发布信息{m}条。",
    "与省级主管部门对接{k}次，争取政策支持和业务指导。",
    "建立问题台账，实行清单化管理、销号式推进。",
    "推行容缺受理、告知承诺等便利化措施，惠及市场主体{n}家。",
    "完成数据归集{m}万条，实现与省级平台互联互通。",
    "制定配套制度{k}项，进一步规范工作流程。",
)
DONE_CLOSINGS = (
    "工作成效得到企业群众普遍认可。",
    "已形成可复制推广的经验做法{k}项。",
    "相关佐证材料已整理归档。",
)
LAG_REASONS = (
    "省级系统接口尚未开放",
    "涉及部门较多、协调难度大",
    "专项资金尚未到位",
    "疫情防控",
    "数据共享权限未完全打通",
    "相关政策依据有待上级明确",
    "第三方技术服务采购程序未完成",
)
PROBLEMS = (
    "部分县（市、区）工作进度不平衡，个别单位重视程度有待提高。",
    "数据共享和业务协同仍存在壁垒，部分事项仍需线下流转。",
    "基层窗口人员业务能力参差不齐，业务培训需进一步加强。",
    "企业和群众对新政策知晓率不高，宣传力度有待加大。",
    "专业技术人员不足，系统运维保障能力较弱。",
    "部分事项涉及省级权限，需积极争取上级支持。",
)
NEXT_STEPS = (
    "下一步，将继续加强统筹协调，按照时间节点压茬推进。",
    "下步将加大督导检查力度，确保各项任务按期完成。",
    "持续跟踪问题整改情况，实行清单化管理、销号式推进。",
    "进一步压缩审批时限，推动更多事项“一网通办”。",
    "加强与省级部门沟通对接，争取政策和技术支持。",
    "组织开展专项培训，提升窗口人员业务能力。",
    "做好经验总结，形成可复制推广的典型做法。",
)
LAG_NEXT_STEPS = (
    "对照时间节点倒排工期、挂图作战，集中力量攻坚剩余任务。",
    "提请分管领导专题协调，逐项明确整改措施和完成时限。",
    "加强与相关部门会商，每周调度一次进展，尽快追赶进度。",
    "必要时按程序申请延期，同时加快推进可先行实施的事项。",
)
DONE_NEXT_STEPS = (
    "巩固提升工作成效，建立健全长效机制。",
    "做好总结评估，及时报送完成佐证材料。",
)
SIGN_OFF_NOTES = (
    "牵头单位报送完成情况报告及佐证材料，经核查符合销号条件。",
    "经实地核验，相关系统已上线运行，同意办结销号。",
    "相关制度文件已印发实施，材料齐全，同意销号。",
    "经督查科审核，任务完成情况与方案要求一致，予以销号。",
)
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯史陶贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞",
    "平", "刚", "晓东", "海燕", "建华", "志强", "文博", "雪梅", "红霞", "国庆", "晨阳", "俊杰", "佳怡", "宏伟",
    "亚楠", "鹏", "飞", "慧", "晓燕", "立新", "卫东", "春雨",
)


@dataclass
class DemoResult:
    """What a demo fill wrote, for the command's summary."""

    entries: int
    first_period: str
    last_period: str
    tasks: int
    assignments: int
    sign_offs: int
    extensions: int
    marked_periods: list[str]
    red_in_last_period: int
    initialised_plan: bool = False


@dataclass
class _Story:
    """One task's course over the filled months, as month indexes from the first filled month."""

    task_id: int
    title: str
    ongoing: bool
    start: int
    finish: float  # math.inf: does not finish within the filled months
    lag: range
    due: dt.date | None
    due_index: int | None


def _index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _short(title: str) -> str:
    """A task title short enough to quote in a sentence."""
    for mark in "，,；;。":
        title = title.split(mark)[0]
    return title if len(title) <= 20 else title[:18] + "…"


NUMBER_RANGES = {"k": (2, 9), "m": (10, 60), "q": (12, 260), "n": (120, 4800), "s": (30, 99)}


class _Values(dict):
    """Placeholder values for one sentence: the given ones, and random numbers drawn only when a sentence asks."""

    def __init__(self, rng: random.Random, values: dict):
        super().__init__(values)
        self.rng = rng

    def __missing__(self, key: str):
        if key == "r":
            return LAG_REASONS[int(self.rng.random() * len(LAG_REASONS))]
        low, high = NUMBER_RANGES[key]
        return low + int(self.rng.random() * (high - low + 1))


def _pick(rng: random.Random, pool: tuple[str, ...]) -> str:
    return pool[int(rng.random() * len(pool))]


def _paragraph(rng: random.Random, first: str, pool: tuple[str, ...], closing: str | None = None, longest: int = 150, **values) -> str:
    """An opener, then sentences from the pool (from a random place on) until a realistic length (60–200 characters)."""
    target = TEXT_MIN + int(rng.random() * (longest - TEXT_MIN + 1))
    text = first.format_map(_Values(rng, values))
    offset = int(rng.random() * len(pool))
    for line in pool[offset:] + pool[:offset]:
        if len(text) >= target:
            break
        if line == first:
            continue
        sentence = line.format_map(_Values(rng, values))
        if len(text) + len(sentence) > TEXT_MAX:
            break
        text += sentence
    if closing and len(text) + len(closing) <= TEXT_MAX:
        text += closing.format_map(_Values(rng, values))
    return text


def _texts(rng: random.Random, status: str, title: str, percent: int, lead: bool) -> tuple[str, str | None, str | None]:
    """进展情况, 存在问题 and 下步计划 of one report."""
    if status == NOT_STARTED:
        progress = _paragraph(rng, _pick(rng, START_LINES), START_LINES, longest=100, t=title, p=percent)
        problems = _pick(rng, PROBLEMS) if rng.random() < 0.2 else None
        return progress, problems, _pick(rng, NEXT_STEPS)
    if status == DONE:
        progress = _paragraph(rng, _pick(rng, DONE_OPENERS), ACTIONS, _pick(rng, DONE_CLOSINGS), t=title, p=percent)
        return progress, None, _pick(rng, DONE_NEXT_STEPS) if rng.random() < 0.5 else None
    if status == LAGGING:
        progress = _paragraph(rng, _pick(rng, LAG_OPENERS), ACTIONS, t=title, p=percent)
        problems = f"受{_pick(rng, LAG_REASONS)}影响，工作进度滞后于时间节点要求。{_pick(rng, PROBLEMS)}"
        return progress, problems, _pick(rng, LAG_NEXT_STEPS)
    progress = _paragraph(rng, _pick(rng, ONGOING_OPENERS if status == ONGOING else PROGRESS_OPENERS), ACTIONS, t=title, p=percent)
    problems = _pick(rng, PROBLEMS) if rng.random() < (0.5 if lead else 0.3) else None
    return progress, problems, _pick(rng, NEXT_STEPS)


def _reporters(rng: random.Random, unit_ids: list[int], months: int) -> dict[int, tuple[str, str, int]]:
    """Each unit's clerk, and for some units a successor from a given month on."""
    out = {}
    for unit_id in unit_ids:
        first = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        second = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES) if rng.random() < 0.2 else first
        out[unit_id] = (first, second, rng.randint(1, max(1, months - 1)))
    return out


def _round5(value: float) -> int:
    return int(round(value / 5.0)) * 5


def _stories(rng: random.Random, tasks, months: int, first_index: int) -> dict[int, _Story]:
    """Each task's course drawn once (start, finish near its due month, lag), so all its units tell one story."""
    stories = {}
    for task_id, title, due in tasks:
        start = rng.randint(0, max(0, months // 6))
        lagging = rng.random() < (LAGGING_SHARE_DATED if due else LAGGING_SHARE_ONGOING)
        if due is None:
            finish, due_index = math.inf, None
            lag_start = rng.randint(start + 1, max(start + 1, months - 2))
        else:
            due_index = _index(period_of(due)) - first_index
            finish = due_index + rng.choices((-3, -2, -1, 0, 1, 2), weights=(10, 15, 25, 25, 15, 10))[0]
            start = min(start, finish - 1)  # a task due long before the window started before it too
            lag_start = max(start + 1, finish - rng.randint(1, 3))
        lag = range(0)
        if lagging:
            length = rng.randint(2, 4)
            lag = range(lag_start, lag_start + length)
            if due is not None:
                finish = math.inf if rng.random() < NEVER_CATCH_UP_SHARE else finish + length + rng.randint(0, 2)
        stories[task_id] = _Story(task_id, _short(title), due is None, start, finish, lag, due, due_index)
    return stories


def _course(rng: random.Random, story: _Story, lead: bool, months: int) -> list[tuple[str, int]]:
    """(status, percent) of one unit for every filled month: percent never falls, 已完成 is 100."""
    start = min(story.start + (0 if lead else rng.randint(0, 1)), max(story.start, story.finish - 1))
    finish = story.finish if lead else story.finish - rng.randint(0, 2)
    cap = rng.randint(60, 95) if story.ongoing or finish == math.inf else 95
    span = max(1, (months - start) if finish == math.inf else (finish - start + 1))
    out, percent = [], min(cap, max(5, _round5(cap * -start / span))) if start < 0 else 0
    for month in range(months):
        if month >= finish:
            out.append((DONE, 100))
            continue
        if month < start:
            out.append((NOT_STARTED, 0))
            continue
        if lead and month in story.lag:
            out.append((LAGGING, percent))
            continue
        target = _round5(cap * (month - start + 1) / span * rng.uniform(0.85, 1.1))
        percent = max(percent, min(cap, max(5, target)))
        out.append((ONGOING if story.ongoing else IN_PROGRESS, percent))
    return out


def year_entries(session: Session, plan_id: int | None = None) -> int:
    """The size of one realistic year: every assignment of the plan reporting 12 times."""
    pid = resolve_plan_id(session, plan_id)
    count = session.scalar(select(func.count()).select_from(_reporting_assignments(pid).subquery()))
    return count * 12


def _reporting_assignments(plan_id: int):
    """Assignments of real units, in document order: collectives never report (their members do)."""
    return (
        select(Assignment.task_id, Assignment.unit_id)
        .join(Task, Task.id == Assignment.task_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Task.plan_id == plan_id, Unit.kind != COLLECTIVE_KIND)
        .order_by(Task.position, Assignment.position)
    )


def _refuse_filled(session: Session, plan_id: int) -> None:
    """A demo fill goes into a ledger without reports or decisions, so nothing real is mixed in."""
    in_plan = select(Task.id).where(Task.plan_id == plan_id)
    counts = [
        session.scalar(select(func.count()).select_from(model).where(model.task_id.in_(in_plan)))
        for model in (ProgressEntry, SignOff, Extension)
    ]
    if any(counts):
        raise UserError(
            "台账中已有进展或销号、延期记录，不能再填入演示数据：",
            [f"进展 {counts[0]} 条，销号 {counts[1]} 项，延期 {counts[2]} 项。请对尚无进展记录的台账生成演示数据。"],
        )


def fill_demo(
    session: Session,
    *,
    entries: int,
    seed: int = 2022,
    last_period: str = "2022-12",
    today: dt.date | None = None,
    operator: str | None = None,
) -> DemoResult:
    """Fill the current plan with `entries` monthly reports ending at last_period, decisions and warning marks."""
    today = today or dt.date.today()
    last_period = check_period(last_period)
    if not 1 <= entries <= MAX_ENTRIES:
        raise UserError(f"演示进展条数“{entries}”无效，应为 1 到 {MAX_ENTRIES} 之间的整数。")
    if period_start(last_period) > today:
        raise UserError(f"演示数据的最后期间 {last_period} 晚于当前月份。")
    plan_id = resolve_plan_id(session, None)
    _refuse_filled(session, plan_id)
    rng = random.Random(seed)

    tasks = session.execute(
        select(Task.id, Task.title, func.max(Milestone.due))
        .outerjoin(Milestone, Milestone.task_id == Task.id)
        .where(Task.plan_id == plan_id)
        .group_by(Task.id)
        .order_by(Task.position)
    ).all()
    assignments = session.execute(_reporting_assignments(plan_id)).all()
    if not assignments:
        raise UserError("当前计划没有任何责任分工，无法生成演示数据。")
    months = math.ceil(entries / len(assignments))
    periods = [shift_period(last_period, m - months + 1) for m in range(months)]
    first_reporting = set(rng.sample(range(len(assignments)), entries - (months - 1) * len(assignments)))
    leads = lead_unit_ids(session, plan_id)
    stories = _stories(rng, tasks, months, _index(periods[0]))
    reporters = _reporters(rng, sorted({u for _, u in assignments}), months)
    cap_date = min(today, period_end(last_period))

    rows = []
    for number, (task_id, unit_id) in enumerate(assignments):
        story = stories[task_id]
        lead = unit_id in leads.get(task_id, ())
        course = _course(rng, story, lead, months)
        first, second, switch = reporters[unit_id]
        for month, (status, percent) in enumerate(course):
            if month == 0 and number not in first_reporting:
                continue
            progress, problems, next_steps = _texts(rng, status, story.title, percent, lead)
            entry_date = min(period_start(shift_period(periods[month], 1)) + dt.timedelta(days=rng.randint(0, 6)), today)
            created = dt.datetime.combine(entry_date, dt.time(1)) + dt.timedelta(minutes=rng.randint(0, 480))
            rows.append(
                {
                    "task_id": task_id,
                    "unit_id": unit_id,
                    "period": periods[month],
                    "status": status,
                    "percent": percent,
                    "progress_text": progress,
                    "problems": problems,
                    "next_steps": next_steps,
                    "reporter": second if month >= switch else first,
                    "entry_date": entry_date,
                    "created_at": created,
                    "updated_at": created,
                }
            )
    # Core executemany on the table: ORM bulk insert would split the batch wherever a None column differs.
    session.execute(insert(ProgressEntry.__table__), rows)

    clerks = [rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES) for _ in range(3)]
    sign_offs = []
    for story in stories.values():
        # Lead units finish exactly at the story's finish; a task without lead units is never signed off.
        if story.finish >= months or not leads.get(story.task_id):
            continue
        done_period = shift_period(periods[0], int(story.finish))
        signed_on = period_start(shift_period(done_period, 1)) + dt.timedelta(days=rng.randint(7, 35))
        if signed_on <= cap_date and rng.random() < SIGN_OFF_SHARE:
            note = rng.choice(SIGN_OFF_NOTES)
            sign_offs.append({"task_id": story.task_id, "signed_on": signed_on, "operator": rng.choice(clerks), "evidence_note": note})
    if sign_offs:
        session.execute(insert(SignOff), sign_offs)

    late = [s for s in stories.values() if s.due is not None and s.finish > s.due_index and s.due_index < months]
    picked = rng.sample(late, min(MAX_EXTENSIONS, math.ceil(len(late) * EXTENSION_SHARE)))
    extensions = []
    for story in sorted(picked, key=lambda s: s.task_id):
        approved_on = min(story.due + dt.timedelta(days=rng.randint(-20, 25)), cap_date)
        new_due = period_end(shift_period(period_of(story.due), rng.randint(1, 3)))
        extensions.append(
            {
                "task_id": story.task_id,
                "new_due": new_due,
                "reason": rng.choice(LAG_REASONS) + f"，申请延期至{new_due.year}年{new_due.month}月底。",
                "document": f"三营商办〔{approved_on.year}〕{rng.randint(5, 60)}号",
                "approved_on": approved_on,
                "operator": rng.choice(clerks),
            }
        )
    if extensions:
        session.execute(insert(Extension), extensions)

    due_soon_days = load_settings(session, today).due_soon_days
    marked = periods_between(shift_period(last_period, 1 - MARKED_MONTHS), last_period)
    states = {}
    for period in marked:
        states = task_states(session, plan_id, period, due_soon_days=due_soon_days, today=today)
        record_marks(session, period, states)

    result = DemoResult(
        entries=len(rows),
        first_period=periods[0],
        last_period=last_period,
        tasks=len(tasks),
        assignments=len(assignments),
        sign_offs=len(sign_offs),
        extensions=len(extensions),
        marked_periods=marked,
        red_in_last_period=sum(s.colour == RED for s in states.values()),
    )
    audit.record(
        session,
        "demo.fill",
        "ledger",
        f"plan/{plan_id}",
        after={
            "seed": seed,
            "entries": result.entries,
            "first_period": result.first_period,
            "last_period": last_period,
            "sign_offs": result.sign_offs,
            "extensions": result.extensions,
            "marked_periods": len(marked),
        },
        operator=operator or DEMO_OPERATOR,
        note="演示数据：进展、销号、延期和预警颜色为批量生成，不逐条记入审计日志。",
    )
    return result


def _ledger_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def copy_ledger(source: Path, target: Path) -> None:
    """Copy a ledger with SQLite's backup API: a consistent snapshot even while the window has it open."""
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"无法复制台账文件 {source}：{exc}") from exc


def build_demo_ledger(
    source: Path | None,
    target: Path,
    *,
    entries: int | None = None,
    seed: int = 2022,
    operator: str | None = None,
    force: bool = False,
) -> DemoResult:
    """A demo ledger at target: a copy of source (or a new ledger) with the bundled plan if it has none, filled.

    entries defaults to one realistic year.  The source is only read.  The ledger is built beside
    target and moved there only when complete, so a failure leaves an existing target as it was;
    an existing target is replaced only with force.
    """
    target = Path(target)
    source = Path(source) if source is not None and Path(source).exists() else None
    if source is not None and source.resolve() == target.resolve():
        raise UserError("演示台账不能写到源台账文件上，请另选一个输出文件。")
    if target.exists() and not force:
        raise UserError(f"文件 {target} 已存在；如需覆盖，请加 --force。")
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(target.name + ".building")
    for path in _ledger_files(building):
        path.unlink(missing_ok=True)
    try:
        if source is not None:
            copy_ledger(source, building)
        ledger = open_ledger(building, scratch=True)  # not the office's file yet: no lock, no backups
        try:
            with ledger.Session() as session:
                has_plan = session.scalar(select(Plan.id).where(Plan.is_current.is_(True))) is not None
            if not has_plan:
                init_from_bundled_plan(ledger, operator=operator)
            with ledger.Session.begin() as session:
                result = fill_demo(
                    session, entries=year_entries(session) if entries is None else entries, seed=seed, operator=operator
                )
        finally:
            ledger.close()
        for path in _ledger_files(target)[1:]:
            path.unlink(missing_ok=True)
        building.replace(target)
    except BaseException:
        for path in _ledger_files(building):
            path.unlink(missing_ok=True)
        raise
    return replace(result, initialised_plan=not has_plan)
