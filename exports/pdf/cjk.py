"""Chinese line breaking for reportlab paragraphs: any two CJK characters may part, 避头尾 kept."""

from __future__ import annotations

from reportlab.platypus import Paragraph
from reportlab.platypus import paragraph as rl_paragraph

# 避头尾: what may not start a line (closing marks) or end one (opening marks) in Chinese text.
NO_LINE_START = "，。、；：？！）》〉」』】〕］｝”’…—·％,.;:?!)]}%"
NO_LINE_END = "（《〈「『【〔［｛“‘([{"


def _glyph_width(u, max_width: float) -> float:
    width = u.width
    if hasattr(width, "normalizedValue"):
        width._normalizer = max_width
        width = width.normalizedValue(max_width)
    return width


def _break_before(chars, start: int, first_out: int) -> int:
    """Where a full line ends: before first_out, moved back so no closing mark starts and no opening
    mark ends a line, and a Latin word or number (A03-01, 2022) is not cut."""
    end = first_out
    while end > start + 1 and end - first_out < 20 and _latin(chars[end]) and _latin(chars[end - 1]):
        end -= 1
    if end <= start + 1 or first_out - end >= 20:
        end = first_out
    while end > max(start + 1, first_out - 4) and (chars[end] in NO_LINE_START or chars[end - 1] in NO_LINE_END):
        end -= 1
    return end if end > start else first_out


def _latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-._/%")


def _cjk_split(frags, maxWidths, calcBounds, encoding="utf8"):
    """Lines of at most maxWidths, broken between any two CJK characters but not against 避头尾."""
    chars = []
    for frag in frags:
        text = frag.text.decode(encoding) if isinstance(frag.text, bytes) else frag.text
        chars.extend([rl_paragraph.cjkU(ch, frag, encoding) for ch in text] if text else [rl_paragraph.cjkU(text, frag, encoding)])
    lines, start, used, i = [], 0, 0.0, 0
    max_width = maxWidths[0]
    while i < len(chars):
        used += _glyph_width(chars[i], max_width)
        i += 1
        forced = hasattr(chars[i - 1].frag, "lineBreak")
        if not forced and not used > max_width + rl_paragraph._FUZZ:
            continue
        end = i if forced or i - 1 <= start else _break_before(chars, start, i - 1)
        width = sum(_glyph_width(ch, max_width) for ch in chars[start:end])
        lines.append(rl_paragraph.makeCJKParaLine(chars[start:end], max_width, width, max_width - width, forced, calcBounds))
        max_width = maxWidths[min(len(lines), len(maxWidths) - 1)]
        start = i = end
        used = 0.0
    if start < len(chars):
        width = sum(_glyph_width(ch, max_width) for ch in chars[start:])
        lines.append(rl_paragraph.makeCJKParaLine(chars[start:], max_width, width, max_width - width, False, calcBounds))
    return rl_paragraph.ParaLines(kind=1, lines=lines)


class CJKParagraph(Paragraph):
    """A Paragraph whose CJK line breaking keeps Chinese 避头尾 (reportlab's own knows Japanese marks only)."""

    def breakLinesCJK(self, maxWidths):
        if not self.frags or getattr(self, "_splitpara", 0) and hasattr(self, "blPara"):
            return super().breakLinesCJK(maxWidths)
        self.height = 0
        return _cjk_split(self.frags, maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths], False)
