"""How alike a 附件1 measure and a special-annex task read: TF-IDF cosine over character bigrams, and the phrases they share.

Pure functions over plain strings, so the scoring can be checked and tuned without a ledger
(db.measure_links stores what it suggests).  Chinese has no spaces, so a text is cut into
character bigrams within runs of letters and digits; idf over the plan's own tasks makes the
words every task uses (推进, 优化, 企业) weigh little and the words of one topic (政采贷, 阳光业扩) much.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

# Runs of text between punctuation and spaces: a bigram never spans a comma or a quote.
_RUN = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+")
MIN_PHRASE = 3
MAX_PHRASES = 8
# Phrases any two measures of a plan share without saying the same thing.
STOP_PHRASES = frozenset(
    {
        "进一步", "持续推进", "加快推进", "积极推进", "深入推进", "全面推进", "各县市区", "县市区", "市直相关部门",
        "工作日", "个工作日", "年底前", "2022年", "2022年底", "营商环境", "优化营商环境", "市场主体", "企业和群众",
        "企业群众", "依法依规", "建立健全", "工作机制", "三门峡市", "三门峡", "推动", "提升", "服务水平",
    }
)


def runs(text: str) -> list[str]:
    """The text's runs of CJK characters, letters and digits, punctuation and spaces dropped."""
    return _RUN.findall(text or "")


def bigrams(text: str) -> Counter[str]:
    """Character bigrams within each run; a one-character run counts as itself."""
    grams: Counter[str] = Counter()
    for run in runs(text):
        if len(run) == 1:
            grams[run] += 1
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


@dataclass
class Corpus:
    """Inverse document frequencies of bigrams over one plan's tasks."""

    idf: dict[str, float]
    default_idf: float

    @classmethod
    def of(cls, texts: list[str]) -> Corpus:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(bigrams(text)))
        n = len(texts)
        return cls({g: math.log((n + 1) / (d + 1)) + 1.0 for g, d in df.items()}, math.log(n + 1) + 1.0)

    def vector(self, text: str) -> dict[str, float]:
        """Sublinear tf times idf, scaled to unit length."""
        weights = {g: (1.0 + math.log(c)) * self.idf.get(g, self.default_idf) for g, c in bigrams(text).items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {g: w / norm for g, w in weights.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Dot product of two unit vectors, walking the shorter."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(g, 0.0) for g, w in a.items())


def shared_phrases(a: str, b: str, corpus: Corpus | None = None) -> list[str]:
    """The phrases both texts print (difflib's matching blocks), at least MIN_PHRASE characters, not stop phrases, longest first.

    With a corpus, a phrase made only of bigrams most tasks use (推进工作) is left out too.
    """
    left, right = "".join(f"{r}|" for r in runs(a)), "".join(f"{r}#" for r in runs(b))  # separators never match each other
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    found: dict[str, None] = {}
    for block in matcher.get_matching_blocks():
        for piece in re.split(r"[|#]", left[block.a : block.a + block.size]):
            if len(piece) < MIN_PHRASE or piece in STOP_PHRASES or piece in found:
                continue
            if corpus is not None and not _telling(piece, corpus):
                continue
            found[piece] = None
    phrases = sorted(found, key=len, reverse=True)
    return [p for p in phrases if not any(p != q and p in q for q in phrases)][:MAX_PHRASES]


def _telling(phrase: str, corpus: Corpus) -> bool:
    """A phrase says something when one of its bigrams is rarer than a word nearly every task uses."""
    return max(corpus.idf.get(phrase[i : i + 2], corpus.default_idf) for i in range(len(phrase) - 1)) >= 2.5


@dataclass
class Agreement:
    """How suggested links agree with a hand reading of which tasks truly carry out each measure."""

    top_correct: int = 0
    top_total: int = 0
    correct: int = 0
    suggested: int = 0
    true_links: int = 0

    @property
    def top_precision(self) -> float:
        """Share of measures given any suggestion whose best one is right."""
        return self.top_correct / self.top_total if self.top_total else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.true_links if self.true_links else 0.0

    def lines(self) -> list[str]:
        return [
            f"首选建议准确率 {self.top_correct}/{self.top_total} = {self.top_precision:.1%}",
            f"全部建议准确率 {self.correct}/{self.suggested} = {self.precision:.1%}",
            f"召回率（手工核定的关联被建议出的比例）{self.correct}/{self.true_links} = {self.recall:.1%}",
        ]


def agreement(suggested: dict[str, list[str]], truth: dict[str, list[str]]) -> Agreement:
    """Compare, over the measures of the hand reading, the suggested task codes (best first) with the true ones."""
    result = Agreement()
    for measure, true_codes in truth.items():
        codes = suggested.get(measure, [])
        result.true_links += len(true_codes)
        if codes:
            result.top_total += 1
            result.top_correct += codes[0] in true_codes
        result.suggested += len(codes)
        result.correct += sum(code in true_codes for code in codes)
    return result
