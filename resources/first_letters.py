"""Pinyin first letters of Chinese text from a per-character table, so 住建局 is found by typing zjj.

The table (first_letters.txt) holds the first letter of each character's first reading in pypinyin's
per-character dictionary (pypinyin/pinyin_dict.py), which is what `lazy_pinyin(text, style=FIRST_LETTER)`
gives a character outside any phrase.  pypinyin itself loads its phrase dictionary on import (about
0.3 s and 250,000 objects at start-up); the table loads in about a millisecond.  Phrases change a
character's reading only for a polyphone: in the unit names that is 行 in 银行 and 行业, listed in WORDS
(kept short: a word matched across a phrase boundary, as 中行 in 集中行动, would give a wrong letter).
tests/test_first_letters.py checks every unit name and alias against pypinyin itself.

Regenerate the table after a pypinyin upgrade with `python -m resources.first_letters`.
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from pathlib import Path

TABLE = Path(__file__).with_name("first_letters.txt")
NO_READING = "."
# Gaps up to this long between characters with a reading are padded with NO_READING instead of starting a new line.
_MAX_GAP = 64
# Words whose polyphone reads otherwise than its first per-character reading (pypinyin's phrase readings).
WORDS = {"银行": "yh", "行业": "hy"}

_blocks: tuple[list[int], list[str]] | None = None


def _load() -> tuple[list[int], list[str]]:
    """The table as block starts (code points) and letter strings, read once."""
    global _blocks
    if _blocks is None:
        starts, letters = [], []
        for line in TABLE.read_text(encoding="ascii").splitlines():
            if line and not line.startswith("#"):
                start, run = line.split(" ", 1)
                starts.append(int(start, 16))
                letters.append(run)
        _blocks = (starts, letters)
    return _blocks


def _letter(char: str, starts: list[int], letters: list[str]) -> str:
    code = ord(char)
    block = bisect_right(starts, code) - 1
    if block >= 0:
        offset = code - starts[block]
        run = letters[block]
        if offset < len(run) and run[offset] != NO_READING:
            return run[offset]
    return char  # not a character with a reading (Latin, digits, punctuation): kept as it is, as pypinyin does


def first_letters(text: str) -> str:
    """The pinyin first letters of text in lower case, other characters kept: 市住建局（人防办） → szjj（rfb）."""
    starts, letters = _load()
    out, i = [], 0
    while i < len(text):
        word = next((w for w in WORDS if text.startswith(w, i)), None)
        if word is not None:
            out.append(WORDS[word])
            i += len(word)
        else:
            out.append(_letter(text[i], starts, letters))
            i += 1
    return "".join(out).lower()


def write_table(path: Path = TABLE) -> int:
    """Write the table from pypinyin's per-character dictionary; returns the number of characters."""
    import pypinyin
    from pypinyin import Style, lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    letters = {}
    for code in sorted(pinyin_dict):
        first = "".join(lazy_pinyin(chr(code), style=Style.FIRST_LETTER))
        if first != chr(code):
            if len(first) != 1 or not ("a" <= first.lower() <= "z"):
                raise ValueError(f"U+{code:04X}: first letter {first!r} is not one Latin letter")
            letters[code] = first.lower()
    lines = [
        f"# Pinyin first letters per character, from pypinyin {pypinyin.__version__}'s pinyin_dict (python -m resources.first_letters).",
        f"# Each line: the hex code point of its first character, a space, one letter per code point ('{NO_READING}' = no reading).",
    ]
    start = previous = None
    run: list[str] = []
    for code, letter in letters.items():
        if previous is not None and code - previous - 1 <= _MAX_GAP:
            run.extend(NO_READING * (code - previous - 1))
        else:
            if run:
                lines.append(f"{start:x} {''.join(run)}")
            start, run = code, []
        run.append(letter)
        previous = code
    lines.append(f"{start:x} {''.join(run)}")
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return len(letters)


if __name__ == "__main__":
    print(f"{write_table()} characters written to {TABLE}", file=sys.stderr)
