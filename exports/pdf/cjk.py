"""Chinese line breaking for reportlab paragraphs: any two CJK characters may part, 避头尾 kept.

A style may carry ``tracking`` (points added after every character, negative to condense): GB/T 9704
asks for 28 characters of 3号 (16 pt) on a 156 mm line, 15.79 pt each, which 16 pt glyphs fill only
with -0.21 pt of character spacing.  The breaker counts it and the text is drawn with it (PDF Tc).
"""

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
    mark ends a line, and a Latin word or number (A03-01, 16.4%) is not cut; the two rules are applied
    until neither moves the break (16.4%； must not break as 16. | 4%；)."""
    end = first_out
    for _ in range(4):
        before = end
        end = _before_word(chars, start, end)
        floor = max(start + 1, end - 4)
        while end > floor and (chars[end] in NO_LINE_START or chars[end - 1] in NO_LINE_END):
            end -= 1
        if end == before:
            break
    return end if end > start else first_out


def _before_word(chars, start: int, end: int) -> int:
    """end moved back to the start of the Latin word it would cut, unless the word is too long to keep whole."""
    back = end
    while back > start + 1 and end - back < 20 and _latin(chars[back]) and _latin(chars[back - 1]):
        back -= 1
    if back <= start + 1 or end - back >= 20:
        return end
    return back


def _latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-._/%")


def _cjk_split(frags, maxWidths, calcBounds, encoding="utf8", tracking: float = 0.0):
    """Lines of at most maxWidths, broken between any two CJK characters but not against 避头尾."""
    chars = []
    for frag in frags:
        text = frag.text.decode(encoding) if isinstance(frag.text, bytes) else frag.text
        chars.extend([rl_paragraph.cjkU(ch, frag, encoding) for ch in text] if text else [rl_paragraph.cjkU(text, frag, encoding)])
    lines, start, used, i = [], 0, 0.0, 0
    max_width = maxWidths[0]
    while i < len(chars):
        used += _glyph_width(chars[i], max_width) + tracking
        i += 1
        forced = hasattr(chars[i - 1].frag, "lineBreak")
        if not forced and not used > max_width + rl_paragraph._FUZZ:
            continue
        end = i if forced or i - 1 <= start else _break_before(chars, start, i - 1)
        width = sum(_glyph_width(ch, max_width) + tracking for ch in chars[start:end])
        lines.append(rl_paragraph.makeCJKParaLine(chars[start:end], max_width, width, max_width - width, forced, calcBounds))
        max_width = maxWidths[min(len(lines), len(maxWidths) - 1)]
        start = i = end
        used = 0.0
    if start < len(chars):
        width = sum(_glyph_width(ch, max_width) + tracking for ch in chars[start:])
        lines.append(rl_paragraph.makeCJKParaLine(chars[start:], max_width, width, max_width - width, False, calcBounds))
    return rl_paragraph.ParaLines(kind=1, lines=lines)


class CJKParagraph(Paragraph):
    """A Paragraph whose CJK line breaking keeps Chinese 避头尾 (reportlab's own knows Japanese marks only)."""

    def breakLinesCJK(self, maxWidths):
        if not self.frags or getattr(self, "_splitpara", 0) and hasattr(self, "blPara"):
            return super().breakLinesCJK(maxWidths)
        self.height = 0
        widths = maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        return _cjk_split(self.frags, widths, False, tracking=tracking_of(self.style))

    def _get_split_blParaFunc(self):  # noqa: N802 - reportlab's name
        return _split_lines if self.blPara.kind == 1 else super()._get_split_blParaFunc()

    def beginText(self, x, y):  # noqa: N802 - reportlab's name
        text = super().beginText(x, y)
        if tracking_of(self.style):
            # Flowable.drawOn saves and restores the graphics state, so the spacing ends with the paragraph.
            text.setCharSpace(tracking_of(self.style))
        return text


def _split_lines(blPara, start: int, stop: int) -> list:
    """The frags of lines start..stop for the two parts of a paragraph split across pages.

    reportlab's own joins the lines with a space, as Latin lines break at spaces; between Chinese
    characters that space shows as a gap (宣传力度 有待加大) once the rest is broken again.
    """
    return [word for line in blPara.lines[start:stop] for word in line.words]


def tracking_of(style) -> float:
    """The character spacing a style asks for (0 for reportlab's own styles)."""
    return getattr(style, "tracking", 0.0)
