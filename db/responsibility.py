"""Reading a 责任单位 text into (unit as printed, role) pairs.

Also: the responsibility bracket at the end of a task (``……。（牵头单位：…；责任单位：…）``,
``〔…〕``, ``(A牵头,B负责落实)``) and "以下任务均需…落实" riders, read by the same rules.

Rules: the text is cut into clauses at ，；, and after a role word followed by 、.  A clause
ending in a role word gives that role to its own units and to the units of the role-less clauses
just before it ("A牵头，B，C配合" makes B and C 配合).  Units left without a role word at the end
are plain 责任单位.  Units inside a clause are split at 、 outside brackets, so
各县（市、区）政府 stays whole.  Open tails such as 等部门 / 等相关部门 name no unit and are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from db.deadlines import is_deadline_clause, labelled_deadline
from db.vocabulary import Role

LEAD, SUPPORT, RESPONSIBLE, IMPLEMENT, PLAIN = Role.LEAD, Role.SUPPORT, Role.RESPONSIBLE, Role.IMPLEMENT, Role.PLAIN
ROLES = (LEAD, SUPPORT, RESPONSIBLE, IMPLEMENT, PLAIN)

# Longest first: the first suffix that matches a clause's end decides its role.
ROLE_SUFFIXES: list[tuple[str, str]] = [
    (r"(?:按照?|根据)[^，、]{0,8}职责分工(?:分别)?负责(?:落实)?", RESPONSIBLE),
    (r"按照?职责负责", RESPONSIBLE),
    (r"(?:按照?|根据)[^，、]{0,8}职责分工落实", IMPLEMENT),
    (r"牵头负责", LEAD),
    (r"牵头落实", LEAD),
    (r"牵头抓总", LEAD),
    (r"牵头实施", LEAD),
    (r"负责落实", IMPLEMENT),
    (r"具体落实", IMPLEMENT),
    (r"组织实施", IMPLEMENT),
    (r"具体负责", RESPONSIBLE),
    (r"共同负责", RESPONSIBLE),
    (r"牵头", LEAD),
    (r"主责", LEAD),
    (r"配合", SUPPORT),
    (r"参与", SUPPORT),
    (r"协同", SUPPORT),
    (r"协办", SUPPORT),
    (r"协助", SUPPORT),
    (r"负责", RESPONSIBLE),
    (r"落实", IMPLEMENT),
]
# "A、B分别负责" is "A负责，B负责": 分别 only says each unit holds the role alone.
RE_ROLE_END = re.compile("((?:分别)?(?:" + "|".join(p for p, _ in ROLE_SUFFIXES) + r"))$")
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
    suffix = suffix.removeprefix("分别")
    for pattern, role in ROLE_SUFFIXES:
        if re.fullmatch(pattern, suffix):
            return role
    return PLAIN


def _clauses(text: str) -> list[str]:
    text = re.sub(r"\s+", "", text).rstrip("。.")
    # "A牵头、B配合": a role word followed by 、 ends its clause too.
    text = re.sub(r"(牵头|配合|参与|协同|协办|负责|落实)、", r"\1，", text)
    text = re.sub(r"(职责分工(?:分别)?负责)(?=等)", r"\1，", text)
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
        names = [_strip_tail(n) for n in _join_levels(split_outside_brackets(body, "、"))]
        names = [n for n in names if n]
        marked = [(RE_MARKED_ROLE.sub("", n), _role_of(m.group(1))) for n in names if (m := RE_MARKED_ROLE.search(n))]
        if marked:
            # "责任单位：县发改局（牵头）、县财政局": a role marked after one unit of the list.
            result.extend((name, PLAIN) for name in waiting)
            waiting = []
            for name in names:
                m = RE_MARKED_ROLE.search(name)
                result.append((RE_MARKED_ROLE.sub("", name), _role_of(m.group(1))) if m else (name, role or PLAIN))
            continue
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


RE_MARKED_ROLE = re.compile(r"[（(](牵头|主责|配合|协办|负责)[）)]$")
LEVEL_WORDS = "省市州县区旗盟乡镇"
RE_BARE_LEVEL = re.compile(f"^各?[{LEVEL_WORDS}]{{1,3}}$")
RE_BARE_KIND = re.compile(r"^(?:单位|部门|机构|企事业单位|直属机构)$")


def _join_levels(parts: list[str]) -> list[str]:
    """"各州、市人民政府" and "市、县两级政府" are one collective: a bare level word joins the name after it,
    and a bare kind (单位, 部门) joins the name before it ("市直有关部门、单位")."""
    joined: list[str] = []
    for part in parts:
        if joined and RE_BARE_LEVEL.match(joined[-1]) and part[:1] in LEVEL_WORDS:
            joined[-1] = f"{joined[-1]}、{part}"
        elif joined and RE_BARE_KIND.match(part.strip()):
            # "市直有关部门、单位": a bare 单位/部门 is a second kind of the collective before it, not a unit.
            joined[-1] = f"{joined[-1]}、{part.strip()}"
        else:
            joined.append(part)
    return joined


def _strip_tail(name: str) -> str:
    """Drop 等部门-style tails; a tail that is itself a collective (等市直相关部门) is dropped too."""
    name = name.strip()
    if name.startswith("等"):
        return ""
    if name.startswith("由") and len(name) > 2:
        name = name[1:]  # "由县发改局牵头实施": 由 is no part of the unit
    return RE_OPEN_TAIL.sub("", name) if "等" in name else name


OPENERS, CLOSERS = "（(〔[【", "）)〕]】"
LABELS = {
    "牵头单位": LEAD, "牵头部门": LEAD, "主责单位": LEAD, "主办单位": LEAD,
    "责任单位": PLAIN, "责任部门": PLAIN, "责任主体": PLAIN,
    "配合单位": SUPPORT, "配合部门": SUPPORT, "协办单位": SUPPORT, "协同单位": SUPPORT, "协同部门": SUPPORT,
    "参与单位": SUPPORT, "参与部门": SUPPORT,
}
RE_LABEL = re.compile("(" + "|".join(LABELS) + r")\s*[：:]")


@dataclass
class BracketReading:
    """A task's text read for the responsibility bracket at its end.

    ``text`` is the task without the bracket (unchanged when there is none), ``units`` the
    (unit as printed, role) pairs, ``bracket`` the bracket as printed, ``deadline`` the deadline
    wording the bracket carried (…，9月底完成), ``problems`` what a clerk must look at, in Chinese.
    """

    text: str
    units: list[tuple[str, str]] = field(default_factory=list)
    bracket: str | None = None
    deadline: str | None = None
    problems: list[str] = field(default_factory=list)
    # "（A、B负责，列第一位者为牵头单位，下同）": the first unit leads here, and with 下同 in later brackets too.
    first_leads_onward: bool = False
    # "（责任单位：A。以下政策措施均需各县区人民政府落实，不再单独列出）": a rider inside the bracket, for the tasks after it.
    rider: list[tuple[str, str]] = field(default_factory=list)
    rider_text: str | None = None


# "列第一位者为牵头单位", "排在首位的为牵头单位", "第一责任单位为牵头单位": the first unit of the bracket leads.
# "除标注“分别牵头”外，列第一位为牵头或汇总单位" (丽水 2023): an exception clause before it changes nothing
# here, for units marked 分别牵头 already lead.
RE_FIRST_LEAD_NOTE = re.compile(
    r"^(?:(?:列|排)在?(?:第一位|首位|第一)(?:者|的)?(?:单位|部门)?|第一(?:责任)?(?:单位|部门))"
    r"为牵头(?:或汇总)?(?:单位|部门)$"
)


RE_EXCEPT_NOTE = re.compile(r"^除[^，,；;]{1,20}外$")


def is_bracket_note(part: str) -> bool:
    return bool(RE_FIRST_LEAD_NOTE.match(part) or RE_EXCEPT_NOTE.match(part)) or part == "下同"


def first_lead_note(value: str) -> tuple[str, bool, bool]:
    """A 责任单位 text without its trailing note bracket, whether the note makes the first unit lead, and
    whether it says 下同: "A、B（除标注“分别牵头”外,列第一位为牵头或汇总单位,下同）" → ("A、B", True, True).
    Anything else is returned as it is, with (False, False)."""
    body = value.rstrip()
    span = _final_bracket(body)
    if span is None:
        return value, False, False
    parts = [p.strip() for p in split_outside_brackets(body[span[0] + 1: span[1] - 1], "，,；;") if p.strip()]
    if not parts or not all(is_bracket_note(p) for p in parts) or not any(RE_FIRST_LEAD_NOTE.match(p) for p in parts):
        return value, False, False
    return body[: span[0]].rstrip(), True, "下同" in parts


def _final_bracket(text: str) -> tuple[int, int] | None:
    """(start of the opener, end after the closer) of the bracket that ends text, nesting respected."""
    end = len(text)
    if not end or text[end - 1] not in CLOSERS:
        return None
    depth = 0
    for i in range(end - 1, -1, -1):
        if text[i] in CLOSERS:
            depth += 1
        elif text[i] in OPENERS:
            depth -= 1
            if depth == 0:
                return i, end
    return None


def _unclosed_bracket(text: str) -> int | None:
    """Where an opener is left open at the top level of text, if one is."""
    depth, start = 0, None
    for i, ch in enumerate(text):
        if ch in OPENERS:
            if depth == 0:
                start = i
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
    return start if depth else None


# A plan reposted in traditional characters (转载页 often are): its role words and labels are read as their
# simplified forms; unit names stay as printed, for the clerk to settle like any new spelling.
TRADITIONAL_ROLE_WORDS = {
    "牽頭單位": "牵头单位", "牽頭部門": "牵头部门", "責任部門": "责任部门", "配合部門": "配合部门",
    "牽頭": "牵头", "責任單位": "责任单位", "配合單位": "配合单位", "協辦單位": "协办单位", "參與單位": "参与单位",
    "按職責分工": "按职责分工", "負責落實": "负责落实", "負責": "负责", "參與": "参与", "協同": "协同",
    "協辦": "协办", "完成時限": "完成时限", "時間節點": "时间节点", "完成時間": "完成时间",
}
RE_TRADITIONAL_ROLE_WORD = re.compile("|".join(sorted(TRADITIONAL_ROLE_WORDS, key=len, reverse=True)))


def simplified_role_words(text: str) -> str:
    """Role words and labels in traditional characters in their simplified forms (牽頭 → 牵头, 責任單位 → 责任单位)."""
    return RE_TRADITIONAL_ROLE_WORD.sub(lambda m: TRADITIONAL_ROLE_WORDS[m.group(0)], text)


def _is_responsibility(inner: str) -> bool:
    """A bracket names responsibility when it is labelled, or its last unit clause ends in a role word.

    A rider in brackets (（以下任务均需各乡镇落实）) governs the tasks after it, not its own line:
    it is left for rider_units.
    """
    if RE_RIDER.match(re.sub(r"\s+", "", inner)):
        return False
    if RE_LABEL.search(inner):
        return True
    clauses = [c for c in _clauses(bracket_sentences(inner)[0]) if not _is_deadline_part(c) and not is_bracket_note(c)]
    return bool(clauses) and bool(RE_ROLE_END.search(clauses[-1])) and not RE_ROLE_END.fullmatch(clauses[-1])


RE_ANY_DEADLINE_LABEL = r"(?:完成时限|完成时间|时间节点|时限要求|时间要求)\s*[：:]|(?:责任领导|牵头领导|分管领导|包抓领导|联系领导|牵头县领导|责任人)\s*[：:]"
# People, not units: "（责任领导：杜新国；牵头单位：区发改局）" names a leader beside the units.
RE_PERSON_LABEL = re.compile(r"^(?:责任领导|牵头领导|分管领导|包抓领导|联系领导|牵头县领导|责任人)\s*[：:]")


# A clause about time that the deadline rule cannot date ("力争三季度末前完成") is still the bracket's
# deadline, not a unit: it is kept as printed and the preview asks about it.
RE_TIMEISH = re.compile(r"\d{4}\s*年|\d{1,2}\s*月|季度|[上中下]旬|年底|年末|年内|月底|月末|底前|每[月季年周]")
RE_UNITISH = re.compile(r"[局委办厅署院所会队站处室校社行司部]|政府|中心|单位|部门|公司|集团|街道|乡镇|[镇村区县市省]$")


def _is_deadline_part(part: str) -> bool:
    if is_deadline_clause(part) or labelled_deadline(part) is not None:
        return True
    return bool(RE_TIMEISH.search(part)) and not RE_UNITISH.search(re.sub(RE_TIMEISH, "", part)) and not RE_ROLE_END.search(part)


def without_people(parts: list[str]) -> list[str]:
    """Bracket clauses without the ones that name a leader (责任领导：…) rather than a unit."""
    return [p for p in parts if not RE_PERSON_LABEL.match(p)]


def bracket_sentences(inner: str) -> tuple[str, list[str]]:
    """The part of a bracket that names units, and the explanatory sentences after it.

    "责任单位：A、B按职责分工负责。具体任务均涉及相关市（州）人民政府，不再做分工，下同。": the
    second sentence names no label and ends in no role word, so it explains rather than assigns.
    """
    sentences = [s for s in split_outside_brackets(re.sub(r"\s+", "", inner), "。") if s.strip("，,；;")]
    if len(sentences) < 2:
        return re.sub(r"\s+", "", inner).rstrip("。"), []
    kept, notes = [sentences[0]], []
    for sentence in sentences[1:]:
        clauses = [c for c in _clauses(sentence) if not _is_deadline_part(c)]
        assigns = RE_LABEL.search(sentence) or (clauses and RE_ROLE_END.search(clauses[-1]))
        if assigns or all(_is_deadline_part(c) for c in _clauses(sentence)):
            kept.append(sentence)
        else:
            notes.append(sentence)
    return "；".join(kept), notes


def read_bracket(inner: str) -> tuple[list[tuple[str, str]], str | None]:
    """(unit, role) pairs and the deadline wording in a responsibility bracket's inside."""
    pairs, deadline, _ = _read_bracket(inner)
    return pairs, deadline


def _read_bracket(inner: str) -> tuple[list[tuple[str, str]], str | None, tuple[bool, bool]]:
    """read_bracket, and whether a 列第一位者为牵头单位 note makes the first unit lead (here, and from here on)."""
    squeezed, _ = bracket_sentences(inner)
    # "牵头单位:A 责任单位:B 完成时限:2024年底": labels parted by spaces only start clauses of their own.
    squeezed = re.sub(r"(?<=[^，,；;（(])(?=" + RE_LABEL.pattern + "|" + RE_ANY_DEADLINE_LABEL + ")", "；", squeezed)
    parts = without_people(split_outside_brackets(squeezed, "，,；;"))
    notes = [p for p in parts if is_bracket_note(p)]
    parts = [p for p in parts if not is_bracket_note(p)]
    deadline = next((labelled_deadline(p) or p for p in parts if _is_deadline_part(p)), None)
    rest = "，".join(p for p in parts if not _is_deadline_part(p))
    pairs: list[tuple[str, str]] = []
    labels = list(RE_LABEL.finditer(rest))
    if not labels:
        pairs = parse_responsibility(rest)
    else:
        if head := rest[: labels[0].start()].strip("，；;,"):
            pairs.extend(parse_responsibility(head))
        for m, nxt in zip(labels, labels[1:] + [None]):
            body = rest[m.end(): nxt.start() if nxt else len(rest)].strip("，；;,")
            label_role = LABELS[m.group(1)]
            for name, role in parse_responsibility(body):
                pairs.append((name, label_role if role == PLAIN else role))
    seen: set[str] = set()
    unique = [(n, r) for n, r in pairs if not (n in seen or seen.add(n))]
    first_leads = any(RE_FIRST_LEAD_NOTE.match(n) for n in notes)
    if first_leads:
        unique = lead_first(unique)
    return unique, deadline, (first_leads, first_leads and "下同" in notes)


def lead_first(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first unit leads ("列第一位者为牵头单位") unless the bracket already names a lead."""
    if pairs and all(role != LEAD for _, role in pairs):
        return [(pairs[0][0], LEAD)] + pairs[1:]
    return pairs


def responsibility_in_brackets(text: str) -> BracketReading:
    """Find and read the responsibility bracket at the end of a task, as real plans print it.

    Half-width and full-width brackets and punctuation, 〔〕 too; labels 牵头单位/责任单位/配合单位,
    or role words (牵头, 配合, 参与, 负责, 负责落实, 按职责分工负责, 分别负责).  A bracket that names no
    responsibility (an explanation) stays in the text.  A bracket left open is read, and reported.
    """
    body = text.rstrip()
    stop = ""
    while body and body[-1] in "。.；;":
        stop = body[-1] + stop
        body = body[:-1].rstrip()
    span = _final_bracket(body)
    problems: list[str] = []
    if span is None:
        start = _unclosed_bracket(body)
        if start is None or not _is_responsibility(body[start + 1:]):
            return BracketReading(text)
        span = (start, len(body))
        inner = simplified_role_words(body[start + 1:])
        problems.append(f"括号未闭合：{body[start:]}")
    else:
        inner = simplified_role_words(body[span[0] + 1: span[1] - 1])
        if not _is_responsibility(inner):
            return BracketReading(text)
    units, deadline, (_, onward) = _read_bracket(inner)
    if not units:
        problems.append(f"括号中没有读出责任单位：{body[span[0]:span[1]]}")
    rider: list[tuple[str, str]] = []
    rider_text = None
    for note in bracket_sentences(inner)[1]:
        if not rider and (rider := rider_units(note)):
            rider_text = note
            continue
        problems.append(f"括号中的说明未读作责任单位：{note}")
    task_text = (body[: span[0]].rstrip() + stop) if stop and not body[: span[0]].rstrip().endswith(("。", ".")) else body[: span[0]].rstrip()
    return BracketReading(task_text, units, body[span[0]:span[1]], deadline, problems, onward, rider, rider_text)


def split_at_brackets(text: str) -> list[str]:
    """A paragraph that assigns several pieces of work, each closed by its own responsibility bracket,
    cut after each bracket: "A。（牵头单位：甲）、B（牵头单位：乙），C。（责任单位：丙）" → three pieces.

    Only brackets that name responsibility cut; the punctuation after a bracket (、，。；) is dropped.  A
    tail after the last responsibility bracket that names none stays with the last piece.
    """
    cuts: list[int] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in OPENERS:
            if depth == 0:
                start = i
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
            if depth == 0 and _is_responsibility(text[start + 1: i]):
                cuts.append(i + 1)
    pieces, begin = [], 0
    for cut in cuts[:-1]:  # the last bracket ends the last piece, with whatever follows it
        rest = text[cut:].lstrip("、，,。；; ")
        pieces.append(text[begin:cut])
        begin = len(text) - len(rest)
    pieces.append(text[begin:])
    return [p for p in pieces if p.strip()]


def is_unit_line(line: str) -> bool:
    """A line that only names units and their role, as a task table's 责任单位 cell copied into text
    leaves it below its task: "市金融办、人民银行潍坊市中心支行分别牵头落实".

    No sentence (no 。 inside, no 要/应/须 of an instruction, no 《title》 or 印发/同意/请 of a cover
    notice: "《…》已经区政府同意，现印发给你们，请…认真贯彻落实"), short, every clause ending in a role
    word or naming units before one, and at least one unit.
    """
    text = re.sub(r"\s+", "", line or "").rstrip("。.；;")
    if not text or len(text) > 80 or re.search(r"[。：:（(）)〔〕《》]|要|应当|应|须|将|把|确保|请|印发|同意", text) or RE_RIDER.match(text):
        return False
    clauses = _clauses(text)
    return bool(clauses) and bool(RE_ROLE_END.search(clauses[-1])) and not RE_ROLE_END.fullmatch(clauses[0]) and bool(
        parse_responsibility(text)
    )


RE_RIDER = re.compile(
    r"^[（(〔]?\s*以下(?:各项|所有|全部)?(?:重点)?(?:政策)?(?:任务|工作|事项|措施)(?:均|都|皆)?(?:需要|需|须|要|由)?(?P<body>.+?)\s*[）)〕]?[。.；;]?$"
)


def rider_units(line: str) -> list[tuple[str, str]]:
    """The units a rider such as "以下任务均需各县区人民政府落实" adds to the tasks that follow it.

    Empty when the line is not a rider.  The rider's verb gives the role (落实, 负责, 配合…).
    """
    # "…落实，不再单独列出" / "…，不再一一列出": the closing remark names no unit.
    line = re.sub(r"[，,]\s*(?:不再|不另)[^，,。；;]{0,8}列出[。.；;）)〕]?$", "", re.sub(r"\s+", "", line or ""))
    m = RE_RIDER.match(line)
    if not m or not RE_ROLE_END.search(m.group("body")):
        return []
    return parse_responsibility(m.group("body"))
