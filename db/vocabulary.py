"""The words the ledger's rules speak: report statuses, roles, warning colours and the categories of a due task.

Each is a ``(str, Enum)`` whose value is the Chinese word stored in the ledger and printed in
exports, so ``Status.DONE == "已完成"`` and old rows compare equal.  Every module that decides
or prints one of these words takes it from here.
"""

from __future__ import annotations

from enum import Enum


class Word(str, Enum):
    """A word of the ledger: compares equal to, prints as and is stored as its Chinese value."""

    def __str__(self) -> str:
        return self.value


class Status(Word):
    """A unit's report status, and the two states the office's rules add (已销号, 未报送)."""

    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"
    LAGGING = "滞后"
    ONGOING = "持续推进"
    SIGNED_OFF = "已销号"
    NOT_REPORTED = "未报送"


# What a unit may report (the rest are the office's verdicts).
REPORTABLE = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.LAGGING, Status.ONGOING)


class Role(Word):
    """A unit's part in a task, as the plan's 责任单位 text words it."""

    LEAD = "牵头"
    SUPPORT = "配合"
    RESPONSIBLE = "负责"
    IMPLEMENT = "落实"
    PLAIN = "责任单位"


class Colour(Word):
    """A task's warning light in a period."""

    RED = "red"
    YELLOW = "yellow"
    GREY = "grey"
    GREEN = "green"
    DONE = "done"

    @property
    def label(self) -> str:
        return COLOUR_LABELS[self]


COLOUR_LABELS = {Colour.RED: "逾期", Colour.YELLOW: "临期/滞后", Colour.GREY: "未报送", Colour.GREEN: "正常", Colour.DONE: "已销号"}


class DueCategory(Word):
    """Where a task due by the period's end stands: every due task is in exactly one."""

    ON_TIME = "按期办结销号"
    LATE = "逾期办结销号"
    EXTENDED = "已批准延期（未到新时限）"
    AWAITING_SIGN_OFF = "已报完成待销号"
    OVERDUE = "到期未办结"


class Direction(Word):
    """Which way an indicator improves: fewer days and steps, or a higher rate and count."""

    LOWER = "越低越好"
    HIGHER = "越高越好"


class IndicatorSource(Word):
    """Where an indicator was read: a row (or column) of an indicator table, or a clause of a goal paragraph."""

    TABLE = "指标表"
    GOAL = "目标文字"


class Standing(Word):
    """How an indicator stands against the staged target due by a month's end."""

    MET = "达标"
    BEHIND = "未达标"
    NOT_REPORTED = "未填报"
    UNKNOWN = "无法比较"
    NOT_DUE = "未到目标期"


class LinkStatus(Word):
    """Where a link from a 附件1 measure to a special-annex task stands: suggested by wording, or decided by the office."""

    SUGGESTED = "建议"
    CONFIRMED = "已确认"
    REJECTED = "已否决"


class ActKind(Word):
    """A supervisory act of the office, as the plan's 保障措施 name them."""

    TALK = "约谈"
    CRITICISM = "通报批评"
    PRAISE = "表扬"
    INSPECTION = "专项督查"
    RECHECK = "回头看"
    SELF_ASSESSMENT = "自查评估"


# Acts that praise or blame a unit: a collective stands for a group, so it is never their target.
UNIT_VERDICTS = (ActKind.TALK, ActKind.CRITICISM, ActKind.PRAISE)


class RecheckOutcome(Word):
    """Where a signed-off task drawn for 回头看 stands after its re-check."""

    PENDING = "待复核"
    PASSED = "通过"
    FAILED = "未通过"


# Unit kinds from resources/units.csv: a collective (集合) is never ranked, praised or sent a document.
COLLECTIVE_KIND = "集合"

class ComponentKind(Word):
    """A part of the monthly 综合考评 (db.assessment): a rate scored against its weight, or a count scored per item."""

    ON_TIME_RATE = "按期办结率"
    REPORT_RATE = "报送及时率"
    INDICATOR_RATE = "指标达标率"
    OVERDUE = "逾期任务"
    ACT = "督办事项"

    @property
    def is_rate(self) -> bool:
        """A rate earns rate × weight; the others earn so many points per item counted."""
        return self in RATE_COMPONENTS


RATE_COMPONENTS = (ComponentKind.ON_TIME_RATE, ComponentKind.REPORT_RATE, ComponentKind.INDICATOR_RATE)

# The office's supervisory acts a 综合考评 can count: every kind db.acts records.
ASSESSED_ACTS = tuple(kind.value for kind in ActKind)

# A report's fields as units fill them, in the order forms, templates and packets show them.
REPORT_FIELDS = ("status", "percent", "progress_text", "problems", "next_steps")


class AccountRole(str, Enum):
    """What a login on a server ledger may do; the server enforces it (db.accounts, db.server_access).

    The value is the word of `duban user add --role`; the group role in PostgreSQL is ``group``.
    """

    OFFICE = "office"
    UNIT = "unit"
    READER = "reader"

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return ACCOUNT_ROLE_LABELS[self]

    @property
    def group(self) -> str:
        """The PostgreSQL group role a login of this role is a member of."""
        return f"duban_{self.value}"


ACCOUNT_ROLE_LABELS = {AccountRole.OFFICE: "督办办公室", AccountRole.UNIT: "责任单位", AccountRole.READER: "只读（领导查看）"}
