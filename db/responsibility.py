"""Reading a 责任单位 text into (unit as printed, role) pairs.

Rules: the text is cut into clauses at ，；, and after a role word followed by 、.  A clause
ending in a role word gives that role to its own units and to the units of the role-less clauses
just before it ("A牵头，B，C配合" makes B and C 配合).  Units left without a role word at the end
are plain 责任单位.  Units inside a clause are split at 、 outside brackets, so
各县（市、区）政府 stays whole.  Open tails such as 等部门 / 等相关部门 name no unit and are dropped.
"""

from __future__ import annotations

import re

from db.vocabulary import Role

LEAD, SUPPORT, RESPONSIBLE, IMPLEMENT, PLAIN = Role.LEAD, Role.SUPPORT, Role.RESPONSIBLE, Role.IMPLEMENT, Role.PLAIN
ROLES = (LEAD, SUPPORT, RESPONSIBLE, IMPLEMENT, PLAIN)

# Longest first: the first suffix that matches a clause's end decides its role.
ROLE_SUFFIXES: list[tuple[str, str]] = [
    (r"(?:按照?|根据)[^，、]{0,8}职责分工负责(?:落实)?", RESPONSIBLE),
    (r"按照?职责负责", RESPONSIBLE),
    (r"(?:按照?|根据)[^，、]{0,8}职责分工落实", IMPLEMENT),
    (r"牵头负责", LEAD),
    (r"负责落实", IMPLEMENT),
    (r"牵头", LEAD),
    (r"配合", SUPPORT),
    (r"负责", RESPONSIBLE),
    (r"落实", IMPLEMENT),
]
RE_ROLE_END = re.compile("(" + "|".join(p for p, _ in ROLE_SUFFIXES) + r")$")
RE_OPEN_TAIL = re.compile(r"等(?:[^、，]{0,8}?(?:部门|单位|机构))?$")


def split_outside_brackets(text: str, seps: str) -> list[str]:
    """Split at any of seps, but not inside （…） or (…)."""
    parts, depth, buf = [], 0, []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p for p in parts if p.strip()]


def _role_of(suffix: str) -> str:
    for pattern, role in ROLE_SUFFIXES:
        if re.fullmatch(pattern, suffix):
            return role
    return PLAIN


def _clauses(text: str) -> list[str]:
    text = re.sub(r"\s+", "", text).rstrip("。.")
    # "A牵头、B配合": a role word followed by 、 ends its clause too.
    text = re.sub(r"(牵头|配合|负责|落实)、", r"\1，", text)
    text = re.sub(r"(职责分工负责)(?=等)", r"\1，", text)
    text = re.sub(r"等(?=(?:按照?|根据)[^，、]{0,8}职责)", "", text)
    return split_outside_brackets(text, "，,；;")


def parse_responsibility(text: str | None) -> list[tuple[str, str]]:
    """(unit name as printed, role) for every unit a 责任单位 text names, in order."""
    if not text:
        return []
    result: list[tuple[str, str]] = []
    waiting: list[str] = []
    for clause in _clauses(text):
        m = RE_ROLE_END.search(clause)
        role = _role_of(m.group(1)) if m else None
        body = clause[: m.start()] if m else clause
        names = [_strip_tail(n) for n in split_outside_brackets(body, "、")]
        names = [n for n in names if n]
        if role is None:
            waiting.extend(names)
            continue
        if not names and not waiting and result:
            # "…按职责分工负责等部门配合": a role word with no unit of its own changes nothing.
            continue
        for name in waiting + names:
            result.append((name, role))
        waiting = []
    result.extend((name, PLAIN) for name in waiting)
    seen: set[str] = set()
    unique = []
    for name, role in result:
        if name not in seen:
            seen.add(name)
            unique.append((name, role))
    return unique


def _strip_tail(name: str) -> str:
    """Drop 等部门-style tails; a tail that is itself a collective (等市直相关部门) is dropped too."""
    name = name.strip()
    if name.startswith("等"):
        return ""
    return RE_OPEN_TAIL.sub("", name) if "等" in name else name
