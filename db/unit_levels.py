"""The level a unit spelling states (国家, 省, 市, 县, 区, 乡镇), and the level a plan speaks at.

Units of different levels stay distinct: 省商务厅, 市商务局 and 区商务局 are three units.  A spelling
states its level by a prefix (区住建局), a place name of that level (济南市钢城区人民政府, 城关镇人民政府)
or a 厅 (a province's department).  A spelling without one (住建局, 各有关部门) speaks at the level of
its plan: the level most of the plan's prefixed spellings state.  Where the alias table gives such a
bare spelling a unit of another level (its 住建局 is the city's, for the 2022 city plan), a plan of
another level reads it as its own level's: in a district plan 住建局 is looked up as 区住建局.
"""

from __future__ import annotations

import re

from db.plan_draft import PlanDraft, TaskDraft
from db.responsibility import parse_responsibility
from db.units import normalise

NATIONAL, PROVINCE, CITY, COUNTY, DISTRICT, TOWN = "国家", "省", "市", "县", "区", "乡镇"
LEVEL_OF_MARK = {"省": PROVINCE, "自治区": PROVINCE, "市": CITY, "州": CITY, "盟": CITY, "县": COUNTY, "旗": COUNTY, "区": DISTRICT}
# Words that begin with a level character but name no level: 市场监管局, 区域, 县域经济, 乡村振兴局.
_NOT_A_LEVEL = ("市场", "区域", "县域", "乡村", "镇村", "省际", "市民", "区块链")
_ZONE_WORDS = re.compile("开发|高新|示范|经济|产业|功能|自贸|保税|工业|园|新$")
_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,4}?)(自治区|省|市|州|盟|县|旗|区)")
_TOWN = re.compile(r"^([\u4e00-\u9fff]{1,4}?)(镇|乡|街道)(?=(?:人民政府|政府|办事处|党委|)$)")


def split_level(spelling: str) -> tuple[str | None, str, str]:
    """(level, prefix, core) of a unit spelling: 区住建局 → (区, 区, 住建局); 三门峡市财政局 → (市, 三门峡市, 财政局)."""
    key = normalise(spelling)
    if key.startswith(("国务院", "国家")):
        return NATIONAL, key[:2], key[2:]
    if key.startswith(_NOT_A_LEVEL):
        return None, "", key
    level, prefix = None, ""
    rest = key
    if rest[:1] in "省市县区" and len(rest) > 2:
        level, prefix, rest = LEVEL_OF_MARK[rest[0]], rest[0], rest[1:]
    elif rest.startswith(("乡镇", "街道")) and len(rest) > 3:
        level, prefix, rest = TOWN, rest[:2], rest[2:]
    else:
        # Place names, the innermost deciding: 济南市钢城区人民政府 is a district's.
        while True:
            match = _PLACE.match(rest)
            if not match or len(rest) - match.end() < 2 or _ZONE_WORDS.search(match.group(1)) or "各" in match.group(1):
                break
            if any(w in match.group(1) for w in ("有关", "相关", "政府", "部门")):
                break
            level = LEVEL_OF_MARK[match.group(2)]
            prefix += match.group(0)
            rest = rest[match.end():]
    town = _TOWN.match(rest)
    if town and not _ZONE_WORDS.search(town.group(1)) and "各" not in town.group(1) and not town.group(1).endswith("乡"):
        level, prefix, rest = TOWN, prefix + town.group(1) + town.group(2), rest[town.end(2):]
    if level is None and rest.endswith("厅"):
        level = PROVINCE  # a 厅 is a province's department
    return level, prefix, rest


def unit_level(spelling: str) -> str | None:
    """The level a unit spelling states (省, 市, 县, 区, 乡镇, 国家), or None."""
    return split_level(spelling)[0]


def levels_differ(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b


def plan_level(draft: PlanDraft) -> str | None:
    """The level most of a draft's prefixed spellings state (a district plan names 区 units), if one dominates."""
    counts: dict[str, int] = {}
    for task in draft.tasks:
        for written, _ in printed_units(task):
            level = unit_level(written)
            if level is not None and level != NATIONAL:
                counts[level] = counts.get(level, 0) + 1
    if not counts:
        return None
    level, n = max(counts.items(), key=lambda kv: kv[1])
    return level if n * 2 > sum(counts.values()) else None


LEVEL_PREFIX = {PROVINCE: "省", CITY: "市", COUNTY: "县", DISTRICT: "区"}


def printed_units(task: TaskDraft) -> list[tuple[str, str]]:
    """A draft task's (unit as printed, role) pairs: a table's own columns, else its 责任单位 text."""
    return task.units if task.units is not None else parse_responsibility(task.responsibility_text)


def in_plan_spelling(spelling: str, level: str | None) -> str | None:
    """The spelling a bare spelling stands for in a plan of `level` (住建局 → 区住建局), or None when it states its own level."""
    key = normalise(spelling)
    if level not in LEVEL_PREFIX or unit_level(key) is not None:
        return None
    return LEVEL_PREFIX[level] + key


def fits_level(names: list[str], level: str | None) -> bool:
    """Whether units the alias table or the ledger gave a bare spelling belong to a plan of `level` (or state no level)."""
    return not any(levels_differ(level, unit_level(n)) and unit_level(n) != NATIONAL for n in names)
