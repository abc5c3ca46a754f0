"""Question → entry: normalisation, names (exact, homophone, fuzzy), token coverage and keyword rules.

Each entry gets one score in [0, 1]:

* a name of the entry (title or alias) found in the question: 0.72 + up to 0.28 from coverage and length;
  found by pinyin (a homophone typed through a pinyin keyboard): a little less; by rapidfuzz partial ratio: less;
* otherwise its coverage: the share of the question's information (IDF-weighted jieba tokens, and characters)
  that the entry's text holds, after everyday words are mapped to the speech's (knowledge/synonyms.yaml, then
  the Cilin thesaurus of bot/thesaurus.py);
* an example question (knowledge/examples.yaml) close to the question lifts its entry (0.8 × the cosine);
* a keyword rule (knowledge/rules.yaml) lifts its target to the rule's priority.

Then an ordinal (第三条, 排第三) picks the item of a list entry, and a comparison (X和Y有什么区别) shows both.

Thresholds, chosen on ../shared/eval/dev.yaml (70 questions), see docs/matching.md for the sweep:
CONFIDENT = 0.45 answers, and so does a clear winner from 0.36, or an entry from 0.2 that holds several
distinctive words of the question (EVIDENCE_*), or from 0.17 one that holds a distinctive word the question
described in everyday words (DESCRIBED_*); SUGGEST = 0.3 offers "did you mean"; below, a polite decline.
A question asking for a date the entry does not give gets the entry offered, not passed off as the answer.
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import jieba
import numpy as np
from rapidfuzz import fuzz, process

from bot.cache import cached, fingerprint, usable_cache_dir
from bot.knowledge import Entry, KnowledgeBase, KnowledgeError, read_yaml
from bot.normalize import normalize
from bot.render import entry_text
from bot.thesaurus import cilin_fingerprint, cilin_groups

# The cached coverage index is only valid for the code that built it.
SOURCE_FINGERPRINT = fingerprint(
    Path(__file__).with_name(name).read_bytes() for name in ("matching.py", "normalize.py")
)
CONFIDENT = 0.45
CLEAR_WINNER = 0.36
CLEAR_MARGIN = 0.04
TIE_COUNT = 3  # this many entries within TIE_MARGIN of the best, with no name or rule behind it: ask
TIE_MARGIN = 0.01
# An example question (knowledge/examples.yaml) this close to the question (cosine of weighted words) vouches for
# its entry at EXAMPLE_SCALE times that closeness.
EXAMPLE_FLOOR = 0.2
EXAMPLE_WORDS = 2
EXAMPLE_SCALE = 0.8
STRICT_FLOOR = 0.5  # a strict rule must explain this much of the rest of the question
COVERAGE_CEILING = 0.8
FIELD_WEIGHTS = MappingProxyType({"names": 1.0, "answer": 0.8, "quotes": 0.65})
SUGGEST = 0.3
# A lower score still answers when the best entry holds at least EVIDENCE_WORDS of the question's words whose
# IDFs add up to EVIDENCE_IDF (see Matcher._well_evidenced and docs/matching.md).
EVIDENCE_FLOOR = 0.2
EVIDENCE_WORDS = 3
EVIDENCE_IDF = 9.0
# A question that describes one of the speech's distinctive words in everyday words (往后缩 → 站排头, 推来推去 →
# 推诿扯皮) has named the passage as surely as if it quoted it: from DESCRIBED_FLOOR, that word and one more held
# by the best entry are enough (see Matcher.described and docs/matching.md).
DESCRIBED_FLOOR = 0.17
DESCRIBED_IDF = 3.3
DESCRIBED_WORDS = 2
MAX_QUESTION_CHARS = 300
MAX_SUGGESTIONS = 3
TOP = 5  # the decision looks at the five best entries at most (ordinal lifts, suggestions, ties)
CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# What a question asks for, and what an answer to it must contain: (question pattern, text pattern, what it is).
_NUMERAL = "[0-9〇零一二三四五六七八九十百]"
_COUNT = "[0-9两〇零一二三四五六七八九十百]"  # 哪两个, 哪八条
ANSWER_KINDS = (
    (
        re.compile("哪一?天|哪个月|几月|几号|几日|什么日子"),
        re.compile(f"{_NUMERAL}+[月日号]|今天|明天|昨天"),
        "具体日期",
    ),
    (
        re.compile("哪一?年|什么时候|什么时间|何时"),
        re.compile(f"{_NUMERAL}+[年月日号]|今年|去年|明年|[上下]半年|季度|今天|年底|年初"),
        "具体时间",
    ),
    (  # how often a thing is done: 每季度至少上几次党课, 多久开一次 (not 讲话提到了几次, which counts the speech)
        re.compile(
            "[每一]个?(?:年|季度|季|月|周|星期)[^，。？！]{0,8}(?:几|多少)次|多久[^，。？！]{0,3}一次|多长时间一次|频次|频率"
        ),
        re.compile(f"每个?(?:年|季度|季|月|周|星期)|{_NUMERAL}+次|定期"),
        "具体次数",
    ),
    (  # how to do it: the speech gives duties, never a procedure, an app or an address
        re.compile(
            "哪个(?:小程序|app|APP|网站|平台|公众号|系统)|怎么(?:操作|登记|注册|报名|登录|缴纳|预约)"
            "|(?:办理|申请|报名)(?:流程|步骤|手续)|几点(?:开门|关门|开始|结束)|开放时间|地址|怎么走"
        ),
        re.compile("小程序|网站|平台|公众号|流程|步骤|手续|地址|开放"),
        "具体办法",
    ),
)

# A question for the contents of a thing (二十大报告的主要内容, 八项规定具体是哪八条): an entry the speech only
# mentions (mention_only in the knowledge base) cannot answer it.
CONTENTS_QUESTION = re.compile(
    "(?:主要|具体|核心)内容|内容(?:有|是)|有哪些内容|核心要义|(?:包括|包含|提出了|规定了)哪些|具体措施|分别是(?:什么|哪)"
    f"|(?:具体|都)(?:是|指|有)?哪{_COUNT}*[条项个种些]|是哪{_COUNT}+[条项个种]"
    "|具体(?:是|指)[^，。？！ ]{1,3}什么"  # 具体是亮什么、学什么
)

# Words that say how a question is asked, not what it is about.
# Verbs a section's title starts with, that people leave out when they name its topic (组织建设那部分).
LEADING_VERBS = ("进一步", "强化", "加强", "坚持", "持续", "深化", "推进", "严格", "切实", "全面")
STOPWORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 对 把 被 给 从 向 让 由 将 就 都 也 还 又 而 并 等 之 其 这 那 些 个 位 种 条 点 项
    什么 怎么 怎样 如何 为何 为什么 哪些 哪个 哪几 哪几个 哪一 哪 几 几个 多少 是否 有没有 吗 么 呢 吧 啊
    讲话 讲话中 讲话里 讲话里面 这篇 篇 文中 文章 原文 原话 里 里面 中 上 下 提到 提及 提出 说 说的 说了 讲 讲了
    讲的 谈 谈到 指 指的 指的是 意思 含义 内涵 解释 理解 具体 主要 一下 有 要 会 能 可以 应该 需要 该
    请 问 我 我们 你 您 他 她 它 他们 大家 咱们 一共 分别 各自 都是 是什么 什么样 怎么样 怎么办 做 做什么
    嗯 哦 这个 那个 这些 那些 这词 词 词儿 一词 说法 提法 概念 内容 东西 情况 方面 部分
    看待 认为 评价 描述 批评 怎么说 如何说 形容 表述 阐述 论述 看法 观点 态度 回事 一回事 到底 究竟
    之后 以后 之前 以前 时候 时 后 前 还 再 才 已经 已 所 为 以 于 着 过 得 地 很 最 更 比较 特别
    有人 有的 有些
    听说 问问 提了 提过 说过 是不是 这次 这块 那块 哪块 一块 哪一块 这种 那种 这样 那样 怎么回事 局里 咱局
    """.split()
)
STOPCHARS = frozenset(
    "的了是在和与及或对把被给从向让由将就都也还又而并等之其这那些个吗么呢吧啊什怎样如何哪几多少讲话说提到里中上下要有会能可以该请问我你您他她它们"
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    target: str
    priority: float
    unless: re.Pattern[str] | None = None
    strict: bool = False  # words the knowledge base never uses, left beside the pattern, count against it


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = ()
    children: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ordinal: re.Pattern[str] | None = None
    compare: re.Pattern[str] | None = None


def load_rules(path: Path | str, kb: KnowledgeBase) -> Rules:
    """Read knowledge/rules.yaml; a bad pattern or an unknown target names the file and line."""
    path = Path(path)
    data: Any = read_yaml(path)
    problems: list[str] = []
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: rules file must be a mapping with a 'rules' list"])

    def compile_at(text: Any, line: int, what: str) -> re.Pattern[str] | None:
        try:
            return re.compile(str(text))
        except re.error as error:
            problems.append(f"{path}:{line}: {what}: bad pattern: {error}")
            return None

    def target_exists(template: str) -> bool:
        return all(template.format(n=n) in kb for n in range(1, 2)) if "{n}" in template else template in kb

    lines = data.get("__lines__", {})
    rules: list[Rule] = []
    for raw in data.get("rules") or []:
        line = raw.get("__line__", 0)
        name = str(raw.get("name", "?"))
        pattern = compile_at(raw.get("pattern", ""), line, f"rule {name!r}")
        unless = compile_at(raw["unless"], line, f"rule {name!r}") if raw.get("unless") else None
        target = str(raw.get("target", ""))
        if not target_exists(target):
            problems.append(f"{path}:{line}: rule {name!r}: target {target!r} is not an entry id")
        priority = raw.get("priority", 0.8)
        if not isinstance(priority, int | float) or not 0 <= priority <= 1:
            problems.append(f"{path}:{line}: rule {name!r}: priority must be a number in [0, 1]")
        if pattern is not None:
            rules.append(Rule(name, pattern, target, float(priority), unless, bool(raw.get("strict", False))))
    children = {k: v for k, v in (data.get("children") or {}).items() if not k.startswith("__")}
    for parent, template in children.items():
        if parent not in kb or not target_exists(template):
            problems.append(f"{path}:{lines.get('children', 0)}: children: {parent!r} → {template!r} unknown")
    ordinal = compile_at(data["ordinal"], lines.get("ordinal", 0), "ordinal") if data.get("ordinal") else None
    compare = compile_at(data["compare"], lines.get("compare", 0), "compare") if data.get("compare") else None
    if problems:
        raise KnowledgeError(problems)
    return Rules(tuple(rules), MappingProxyType(children), ordinal, compare)


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome for one question: an answer, suggestions, or a decline, with the text to show."""

    question: str
    normalized: str
    answered: bool
    entry_id: str | None
    score: float
    suggestions: tuple[str, ...]
    text: str
    entry_ids: tuple[str, ...] = ()
    outcome: str = "decline"  # answer | suggest | unstated | decline | empty | too_long


@dataclass(frozen=True, slots=True)
class _Name:
    text: str
    entry: int
    readings: tuple[frozenset[str], ...]


class _Postings(NamedTuple):
    """Term → the entries that hold it, flat: entries[start:end] and their field weight × IDF, for numpy."""

    idf: dict[str, float]
    spans: dict[str, tuple[int, int]]
    entries: np.ndarray
    weighted: np.ndarray

    @classmethod
    def of(cls, postings: Mapping[str, Mapping[int, float]], size: int) -> _Postings:
        idf = {term: math.log(1 + size / len(held)) for term, held in postings.items()}
        spans: dict[str, tuple[int, int]] = {}
        entries: list[int] = []
        weighted: list[float] = []
        for term, held in postings.items():
            spans[term] = (len(entries), len(entries) + len(held))
            entries.extend(held)
            weighted.extend(weight * idf[term] for weight in held.values())
        return cls(idf, spans, np.array(entries, dtype=np.intp), np.array(weighted, dtype=np.float64))

    def add_shares(self, shares: np.ndarray, terms: Iterable[str], total: float) -> None:
        """shares[entry] += weight × IDF / total for every term, in order (the sums match a plain loop's)."""
        for term in terms:
            span = self.spans.get(term)
            if span is not None:
                start, end = span
                shares[self.entries[start:end]] += self.weighted[start:end] / total

    def holds(self, term: str, entry: int) -> bool:
        start, end = self.spans[term]
        return bool((self.entries[start:end] == entry).any())


class _Reading(NamedTuple):
    """A question read once: jieba's plain cut, and its words' synonyms (table, thesaurus, typos)."""

    cut: list[str]
    synonyms: Mapping[str, str]


class _Examples(NamedTuple):
    """Questions people ask for each entry, as weighted words; the nearest one speaks for its entry.

    A word's weight is its IDF over the entries' example sets, so words that many entries' examples share
    (讲话, 要求) weigh little; a question's words that no example uses weigh most, as off-topic questions do.
    """

    idf: dict[str, float]
    owner: np.ndarray
    norm: np.ndarray
    spans: dict[str, tuple[int, int]]
    holders: np.ndarray

    @classmethod
    def of(cls, examples: Sequence[tuple[int, Sequence[str]]], size: int) -> _Examples:
        entries_using: dict[str, set[int]] = defaultdict(set)
        for entry, words in examples:
            for word in words:
                entries_using[word].add(entry)
        idf = {word: math.log(1 + size / len(users)) for word, users in entries_using.items()}
        where: dict[str, list[int]] = defaultdict(list)
        for position, (_, words) in enumerate(examples):
            for word in dict.fromkeys(words):
                where[word].append(position)
        spans: dict[str, tuple[int, int]] = {}
        holders: list[int] = []
        for word, positions in where.items():
            spans[word] = (len(holders), len(holders) + len(positions))
            holders.extend(positions)
        norm = [math.sqrt(sum(idf[w] ** 2 for w in dict.fromkeys(words))) or 1.0 for _, words in examples]
        return cls(
            idf,
            np.array([entry for entry, _ in examples], dtype=np.intp),
            np.array(norm, dtype=np.float64),
            spans,
            np.array(holders, dtype=np.intp),
        )

    def nearest(self, words: Sequence[str], size: int) -> np.ndarray:
        """Per entry, the cosine between the question's words and its nearest example that shares EXAMPLE_WORDS
        of them (0 when none does)."""
        best = np.zeros(size)
        if not len(self.owner):
            return best
        unknown = max(self.idf.values(), default=1.0)
        words = list(dict.fromkeys(words))
        question_norm = math.sqrt(sum(self.idf.get(w, unknown) ** 2 for w in words))
        dots = np.zeros(len(self.owner))
        shared = np.zeros(len(self.owner), dtype=np.intp)
        for word in words:
            span = self.spans.get(word)
            if span is not None:
                dots[self.holders[span[0] : span[1]]] += self.idf[word] ** 2
                shared[self.holders[span[0] : span[1]]] += 1
        dots[shared < EXAMPLE_WORDS] = 0.0  # one word in common is a coincidence, not the same question
        if question_norm:
            np.maximum.at(best, self.owner, dots / (self.norm * question_norm))
        return best


class _Bigrams(NamedTuple):
    """Character bigram → the names that contain it, once per occurrence: names[start:end]."""

    spans: dict[str, tuple[int, int]]
    names: np.ndarray

    @classmethod
    def of(cls, texts: Iterable[str]) -> _Bigrams:
        where: dict[str, list[int]] = defaultdict(list)
        for position, text in enumerate(texts):
            for i in range(len(text) - 1):
                where[text[i : i + 2]].append(position)
        spans: dict[str, tuple[int, int]] = {}
        names: list[int] = []
        for bigram, positions in where.items():
            spans[bigram] = (len(names), len(names) + len(positions))
            names.extend(positions)
        return cls(spans, np.array(names, dtype=np.intp))

    def shared(self, text: str, count: int) -> np.ndarray:
        """For each of `count` names, how many of its bigrams (by position) also stand in text."""
        spans = [self.spans.get(bigram) for bigram in {text[i : i + 2] for i in range(len(text) - 1)}]
        found = [self.names[start:end] for start, end in filter(None, spans)]
        if not found:
            return np.zeros(count, dtype=np.intp)
        return np.bincount(np.concatenate(found), minlength=count)


def _outside(
    hits: list[tuple[int, int, _Name]], taken: Iterable[tuple[int, int]]
) -> list[tuple[int, int, _Name]]:
    """The longest of the hits that overlap no taken span."""
    blocked = {i for start, end in taken for i in range(start, end)}
    return _longest([hit for hit in hits if not blocked.intersection(range(hit[0], hit[1]))])


def _names_of(entry: Entry) -> list[str]:
    return [name for name in dict.fromkeys(normalize(n) for n in entry.names) if name]


def _topic_names(entries: Sequence[Entry], taken: set[str]) -> list[tuple[str, int]]:
    """A section is also called by its topic without the leading verb: 强化组织建设 → 组织建设.

    Only when the shorter name is no entry's name already and only one section gives it.
    """
    found: dict[str, set[int]] = defaultdict(set)
    for index, entry in enumerate(entries):
        if entry.kind != "section":
            continue
        for name in _names_of(entry):
            verb = next((v for v in LEADING_VERBS if name.startswith(v)), None)
            if verb is not None and len(name) - len(verb) >= 4 and not name[len(verb) :].startswith("不"):
                found[name[len(verb) :]].add(index)
    return [
        (name, indexes.pop()) for name, indexes in found.items() if len(indexes) == 1 and name not in taken
    ]


def _covered(word: str, parts: Sequence[str]) -> bool:
    """Whether the other parts, placed where they stand in `word`, cover every character of it."""
    covered = [False] * len(word)
    for part in parts:
        if part == word:
            continue
        start = word.find(part)
        while start != -1:
            covered[start : start + len(part)] = [True] * len(part)
            start = word.find(part, start + 1)
    return len(word) > 1 and all(covered)


@lru_cache(maxsize=8)
def _bigrams_needed(cutoff: float, longest: int) -> np.ndarray:
    """For the shorter string's length s (0..longest): how many of a name's bigrams must stand in the question
    for partial_ratio to reach cutoff. With fewer, no alignment can, so the name need not be scored.

    partial_ratio aligns the shorter string (length s) with a window (length w ≤ s) of the longer one and
    scores 200·L/(s + w), L the longest common subsequence. Between two consecutive matched characters either
    side skips a character (at most (s - L) + (w - L) times) or both advance, and then the name's bigram at
    that place stands in the question; so at least 3L - 1 - s - w of its bigrams do.
    """
    needed = np.zeros(longest + 1, dtype=np.intp)
    for s in range(1, longest + 1):
        bounds = []
        for w in range(1, s + 1):
            least = math.ceil(Fraction(cutoff) * (s + w) / 200)  # the fewest matched characters that reach it
            if least <= w:
                bounds.append(3 * least - 1 - s - w)
        needed[s] = max(0, min(bounds, default=0))
    needed.flags.writeable = False
    return needed


def _ranked(values: np.ndarray, k: int = TOP) -> list[int]:
    """The k best entries, best first, ties by position; -inf marks an entry without a score."""
    if len(values) > k:
        floor = np.partition(values, len(values) - k)[len(values) - k]
        candidates = np.flatnonzero(values >= floor) if floor > -np.inf else np.flatnonzero(values > -np.inf)
    else:
        candidates = np.flatnonzero(values > -np.inf)
    order = np.argsort(-values[candidates], kind="stable")
    return candidates[order][:k].tolist()


def _score_of(values: np.ndarray, index: int) -> float:
    """An entry's score, 0.0 when it has none."""
    value = values.item(index)
    return 0.0 if value == -math.inf else value


def _sounds(word: str, limit: int = 16) -> list[tuple[str, ...]]:
    """Every way the word can be read (polyphones), fuzzed; at most `limit` of them."""
    sounds: list[tuple[str, ...]] = [()]
    for char in word:
        sounds = [(*sound, reading) for sound in sounds for reading in sorted(readings(char))][:limit]
    return sounds


def _lift(values: np.ndarray, index: int, value: float) -> None:
    values[index] = max(_score_of(values, index), value)


# Fuzzy pinyin: the pairs that pinyin keyboards and southern accents confuse.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))


def _fuzzy(syllable: str) -> str:
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    if syllable.startswith("l"):
        syllable = "n" + syllable[1:]
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


def _build_reading_table() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    from pypinyin import Style, pinyin  # only when the cached table is missing: it costs 0.15 s to import

    table = {}
    primary = {}
    # One object per set of readings, so the cached table pickles to half the size and loads twice as fast.
    shared: dict[frozenset[str], frozenset[str]] = {}
    for code in range(0x3400, 0xA000):
        char = chr(code)
        found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
        if found:
            sounds = frozenset(_fuzzy(r) for r in found[0])
            table[char] = shared.setdefault(sounds, sounds)
            primary[char] = _fuzzy(found[0][0])
    return table, primary


@lru_cache(maxsize=1)
def _reading_tables() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    from importlib.metadata import version

    return cached(
        "readings",
        fingerprint([version("pypinyin"), repr(_FUZZY_INITIALS + _FUZZY_FINALS), "shared sets, primary"]),
        _build_reading_table,
    )


def readings(char: str) -> frozenset[str]:
    """Every toneless reading of one character (polyphones kept), fuzzed; a non-Chinese char reads as itself."""
    return _reading_tables()[0].get(char) or frozenset((char,))


def primary_reading(char: str) -> str:
    """The reading a pinyin keyboard gives a typed character: its common one (家 is jia, not jie), fuzzed."""
    return _reading_tables()[1].get(char, char)


NEVER_A_TYPO = frozenset("是的了吗呢吧啊")


def _sounds_like(
    typed: str, typed_sounds: Sequence[str], name: str, name_readings: Sequence[frozenset[str]]
) -> bool:
    """Each typed character is the name's, or its common reading (typed_sounds) is one of the name's character's
    readings.

    A pinyin typo comes from typing the intended sound: 灯下嘿 (hei) for 灯下黑. The rare readings of the typed
    character do not count: 几家单位 (jia, not its rare jie) is no 差单位 (cha or jie). Nor do the commonest
    particles, which are what they seem: 这些问题是怎么来的 is no 问题四. And a two-character name needs one of
    its characters written: two wrong characters of two are another word (垃圾分类 is no 家风).
    """
    if len(name) == 2 and typed[0] != name[0] and typed[1] != name[1]:
        return False
    return all(
        t == n or (t not in NEVER_A_TYPO and sound in r)
        for t, sound, n, r in zip(typed, typed_sounds, name, name_readings, strict=True)
    )


class Matcher:
    """Built once from the knowledge base (jieba loaded, names indexed); `match` is then pure and fast."""

    def __init__(
        self,
        kb: KnowledgeBase,
        rules: Rules | None = None,
        *,
        synonyms: Mapping[str, str] | None = None,
        thesaurus: Iterable[Sequence[str]] | Callable[[], Iterable[Sequence[str]]] = (),
        thesaurus_key: str | None = None,
        examples: Mapping[str, Sequence[str]] | None = None,
        confident: float = CONFIDENT,
        suggest: float = SUGGEST,
        clear_winner: float = CLEAR_WINNER,
    ) -> None:
        self.kb = kb
        self.rules = rules or Rules()
        self.confident = confident
        self.suggest = suggest
        self.clear_winner = clear_winner
        self.entries: tuple[Entry, ...] = kb.entries
        self._index_of = {e.id: i for i, e in enumerate(self.entries)}
        self._synonyms: Mapping[str, str] = {}
        self._thesaurus: Mapping[str, str] = {}
        self.tokenizer = jieba.Tokenizer()
        jieba_cache = usable_cache_dir()  # jieba's dictionary cache beside ours, not in a wiped /tmp
        if jieba_cache is not None:
            self.tokenizer.tmp_dir = str(jieba_cache)
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer.initialize()
        self._names: list[_Name] = []
        self._names_added: list[str] = []
        self._name_lookup: dict[str, list[int]] = defaultdict(list)
        named = [(name, index) for index, entry in enumerate(self.entries) for name in _names_of(entry)]
        for name, index in named + _topic_names(self.entries, {name for name, _ in named}):
            self._name_lookup[name].append(index)
            self._names.append(_Name(name, index, tuple(readings(c) for c in name)))
            if 2 <= len(name) <= 12:
                self.tokenizer.add_word(name, freq=20000)
                self._names_added.append(name)
        self._names_by_text: dict[str, list[_Name]] = defaultdict(list)
        for name in self._names:
            self._names_by_text[name.text].append(name)
        self._name_lengths = sorted({len(name.text) for name in self._names})
        # Names of two or more characters by their first two readings: a homophone is looked up, not sought.
        by_sound: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, name in enumerate(self._names):
            if len(name.text) >= 2:
                for first in name.readings[0]:
                    for second in name.readings[1]:
                        by_sound[first, second].append(position)
        self._by_sound = dict(by_sound)
        self._fuzzy_names = [n.text for n in self._names if len(n.text) >= 4]
        self._fuzzy_owner = [n.entry for n in self._names if len(n.text) >= 4]
        self._fuzzy_lengths = np.array([len(text) for text in self._fuzzy_names], dtype=np.intp)
        self._fuzzy_bigrams = _Bigrams.of(self._fuzzy_names)
        key = fingerprint(
            [SOURCE_FINGERPRINT, np.__version__, repr(kb.entries), repr(sorted(self._names_added))]
        )
        self._max_idf, self._tokens, self._grams = cached(
            "coverage", key, self._build_coverage_index, scope=kb.pack.id
        )
        # Which list entry each item belongs to, and at which position (problem-3 is the 3rd of problems).
        self._position: dict[int, int] = {}
        for entry in self.entries:
            for n in range(1, 11):
                child = self._child(entry.id, n)
                if child is not None:
                    self._position.setdefault(child, n)
        # A typed word maps to the speech's word only when the speech's word is known and the typed one is not.
        self._synonyms = {
            typed: known
            for typed, known in (synonyms or {}).items()
            if known in self._tokens.idf and typed not in self._tokens.idf
        }
        for typed in self._synonyms:
            self.tokenizer.add_word(typed, freq=2000)
        # The speech's words by how they sound, for typos of words that are not names (廉证风险 → 廉政).
        by_sound: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for word in self._tokens.idf:
            if 2 <= len(word) <= 4 and word not in STOPWORDS and all("\u3400" <= c <= "\u9fff" for c in word):
                for sound in _sounds(word):
                    by_sound[sound].add(word)
        self._vocabulary_by_sound = dict(by_sound)
        # The thesaurus is read (and its words matched to the speech's) once per knowledge base and thesaurus file.
        groups = thesaurus if callable(thesaurus) else lambda: thesaurus
        self._thesaurus = (
            self._thesaurus_synonyms(groups())
            if thesaurus_key is None
            else cached(
                "thesaurus",
                fingerprint([key, thesaurus_key]),
                lambda: self._thesaurus_synonyms(groups()),
                scope=kb.pack.id,
            )
        )
        # Example questions are read through the same synonyms and thesaurus as a user's question.
        examples = {entry_id: tuple(asked) for entry_id, asked in (examples or {}).items() if asked}
        self._examples = cached(
            "examples",
            fingerprint(
                [
                    key,
                    thesaurus_key or repr(sorted(self._thesaurus.items())),
                    repr(sorted(self._synonyms.items())),
                ]
                + [
                    f"{entry_id}:{question}"
                    for entry_id, asked in sorted(examples.items())
                    for question in asked
                ]
            ),
            lambda: self._example_index(examples),
            scope=kb.pack.id,
        )

    def _example_index(self, examples: Mapping[str, Sequence[str]]) -> _Examples:
        asked = [
            (self._index_of[entry_id], self.plain_words(normalize(question)))
            for entry_id, questions in examples.items()
            if entry_id in self._index_of
            for question in questions
        ]
        return _Examples.of(asked, len(self.entries))

    def _thesaurus_synonyms(self, groups: Iterable[Sequence[str]]) -> dict[str, str]:
        """Each unknown word of a synonym group → the group's most distinctive word that the speech uses.

        Not added to jieba's dictionary: jieba knows nearly all of them, and 70,000 more words would change how
        the speech itself is cut.
        """
        idf = self._tokens.idf
        mapped: dict[str, str] = {}
        for group in groups:
            known = [w for w in group if len(w) >= 2 and w in idf and w not in STOPWORDS]
            if not known:
                continue
            target = max(known, key=lambda w: (idf[w], w))
            for word in group:
                if len(word) >= 2 and word not in idf and word not in STOPWORDS:
                    mapped.setdefault(word, target)
        return mapped

    # ---- index ---------------------------------------------------------------------------------

    def tokens(self, normalized: str) -> list[str]:
        """Content tokens of a normalised text: jieba (search mode, knowledge-base names as words), no stopwords."""
        words = self.tokenizer.lcut_for_search(normalized)
        words = [self._synonyms.get(w, w) for w in words]
        return [w for w in dict.fromkeys(words) if w.strip() and w not in STOPWORDS and not w.isspace()]

    def question_tokens(self, normalized: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
        """tokens(), less the unknown compounds whose parts are counted already.

        jieba keeps some everyday phrases whole (放在首位); search mode also yields their parts. When the parts
        cover every character of the whole and one of them is an everyday word of synonyms.yaml, the whole adds
        nothing but a second "unknown word" penalty, so it goes (its unknown parts still count). Other unknown
        compounds stay (年终奖, 申请入党): off-topic questions are made of such words.
        """
        raw = [w for w in self.tokenizer.lcut_for_search(normalized) if w.strip() and w not in STOPWORDS]
        if synonyms is None:
            synonyms = self._synonyms_in(normalized)
        idf = self._tokens.idf
        parts = [w for w in raw if len(w) >= 2]
        everyday = [w for w in parts if w in synonyms]
        kept = [
            w
            for w in raw
            if w in idf or w in synonyms or not (_covered(w, parts) and any(e in w for e in everyday))
        ]
        return list(dict.fromkeys(synonyms.get(w, w) for w in kept))

    def plain_words(
        self, normalized: str, synonyms: Mapping[str, str] | None = None, cut: Sequence[str] | None = None
    ) -> list[str]:
        """The words of jieba's plain cut, as the speech says them, two characters or more: how a question is
        compared with the example questions (search mode's fragments, 推来 of 推来推去, would be words of their own).
        """
        if cut is None:
            cut = self.tokenizer.lcut(normalized)
        if synonyms is None:
            synonyms = self._synonyms_in(normalized, cut)
        words = (synonyms.get(w, w) for w in cut if w not in STOPWORDS)
        return [w for w in dict.fromkeys(words) if len(w) >= 2 and w not in STOPWORDS]

    def _synonyms_in(self, normalized: str, cut: Sequence[str] | None = None) -> Mapping[str, str]:
        """The hand-written table, and for the words of jieba's plain cut of this question the thesaurus and
        the speech's words heard in typos (廉证 → 廉政).

        Search mode also yields fragments across word boundaries (今天天气 → 天天), which the thesaurus would
        happily map (天天 → 时时); the hand-written table is small and checked, so it applies to any token.
        """
        plain = {}
        for word in self.tokenizer.lcut(normalized) if cut is None else cut:
            known = self._thesaurus.get(word) or self._heard_word(word)
            if known:
                plain[word] = known
        return {**plain, **self._synonyms} if plain else self._synonyms

    def _heard_word(self, word: str) -> str | None:
        """The one word of the speech that sounds like this word, when this is no word of Chinese at all.

        廉证 is nobody's word, so it is the speech's 廉政 typed through a pinyin keyboard; 天气 is a word of its
        own (jieba's dictionary knows it) and is left alone, as is a sound shared by two of the speech's words.
        """
        if not 2 <= len(word) <= 4 or word in self._tokens.idf or self.tokenizer.FREQ.get(word):
            return None
        # Not 有确, 是头, 一评: a function character or numeral glued to a word by jieba, not a typo.
        if not all(
            "\u3400" <= c <= "\u9fff" and c not in STOPCHARS and c not in CHINESE_DIGITS for c in word
        ):
            return None
        found = set(self._vocabulary_by_sound.get(tuple(primary_reading(c) for c in word), ()))
        return found.pop() if len(found) == 1 else None

    def canonical(
        self, normalized: str, synonyms: Mapping[str, str] | None = None, cut: Sequence[str] | None = None
    ) -> str:
        """The question with everyday words replaced by the speech's words (欠缺 → 缺乏), for character grams."""
        if cut is None:
            cut = self.tokenizer.lcut(normalized)
        if synonyms is None:
            synonyms = self._synonyms_in(normalized, cut)
        if not synonyms:
            return normalized
        return "".join(synonyms.get(w, w) for w in cut)

    @staticmethod
    def grams(normalized: str) -> list[str]:
        """Character unigrams and bigrams of the Chinese text, without the function characters."""
        runs = re.findall(r"[\u3400-\u9fff]+", normalized)
        found: list[str] = []
        for run in runs:
            found.extend(c for c in run if c not in STOPCHARS)
            found.extend(
                run[i : i + 2] for i in range(len(run) - 1) if not STOPCHARS.intersection(run[i : i + 2])
            )
        return list(dict.fromkeys(found))

    def _build_coverage_index(self) -> tuple:
        """Postings with a field weight: a word in an entry's names counts more than one in its quotes."""
        token_postings: dict[str, dict[int, float]] = defaultdict(dict)
        gram_postings: dict[str, dict[int, float]] = defaultdict(dict)
        for index, entry in enumerate(self.entries):
            fields = (
                (normalize(" ".join(entry.names)), FIELD_WEIGHTS["names"]),
                (normalize(entry.answer), FIELD_WEIGHTS["answer"]),
                (normalize(" ".join(entry.quotes)), FIELD_WEIGHTS["quotes"]),
            )
            for text, weight in fields:
                for token in self.tokens(text):
                    postings = token_postings[token]
                    postings[index] = max(postings.get(index, 0.0), weight)
                for gram in self.grams(text):
                    postings = gram_postings[gram]
                    postings[index] = max(postings.get(index, 0.0), weight)
        n = len(self.entries)
        return math.log(1 + n), _Postings.of(token_postings, n), _Postings.of(gram_postings, n)

    # ---- the layers, each usable alone ---------------------------------------------------------

    def exact_names(self, normalized: str) -> list[tuple[int, int, _Name]]:
        """Names that stand in the question as written: (start, end, name), longest spans kept."""
        hits = []
        for (
            length
        ) in self._name_lengths:  # a hash lookup per window: cost grows with the question, not the names
            for start in range(len(normalized) - length + 1):
                for name in self._names_by_text.get(normalized[start : start + length], ()):
                    hits.append((start, start + length, name))
        return _longest(hits)

    def pinyin_names(
        self, normalized: str, taken: Iterable[tuple[int, int]] = ()
    ) -> list[tuple[int, int, _Name]]:
        """Names whose pinyin stands in the question (必有之路 → 必由之路), outside spans already taken."""
        return _outside(self._sound_hits(normalized), taken)

    def _sound_hits(self, normalized: str) -> list[tuple[int, int, _Name]]:
        """Every name heard somewhere in the question, overlapping or not: pinyin_names picks among them."""
        chars = [readings(c) for c in normalized]
        common = [primary_reading(c) for c in normalized]
        hits = []
        for i in range(len(chars) - 1):
            for first in chars[i]:
                buckets = [self._by_sound.get((first, second)) for second in chars[i + 1]]
                buckets = [bucket for bucket in buckets if bucket]
                if not buckets:
                    continue
                # In the order of the names, as if every name read `first` at its start were tried in turn.
                positions = buckets[0] if len(buckets) == 1 else sorted(set().union(*buckets))
                for position in positions:
                    name = self._names[position]
                    size = len(name.readings)
                    if size < 3 and len(normalized) > 12:
                        continue  # two-syllable homophones are too common in long questions
                    if i + size > len(chars):
                        continue
                    if _sounds_like(normalized[i : i + size], common[i : i + size], name.text, name.readings):
                        hits.append((i, i + size, name))
        return hits

    def fuzzy_names(self, normalized: str, cutoff: float = 84) -> dict[int, float]:
        """rapidfuzz partial ratio of long names against the question: entry index → best ratio.

        Only names with enough bigrams in the question are scored: the others cannot reach the cutoff.
        """
        if not self._fuzzy_names or len(normalized) < 4:
            return {}
        needed = _bigrams_needed(cutoff, int(self._fuzzy_lengths.max()))
        shared = self._fuzzy_bigrams.shared(normalized, len(self._fuzzy_names))
        candidates = np.flatnonzero(
            shared >= needed[np.minimum(self._fuzzy_lengths, len(normalized))]
        ).tolist()
        found: dict[int, float] = {}
        for _, ratio, position in process.extract(
            normalized,
            [self._fuzzy_names[c] for c in candidates],
            scorer=fuzz.partial_ratio,
            score_cutoff=cutoff,
            limit=8,
        ):
            owner = self._fuzzy_owner[candidates[position]]
            found[owner] = max(found.get(owner, 0.0), ratio)
        return found

    def coverage(self, normalized: str) -> tuple[dict[int, float], float]:
        """Entry index → share of the question's information the entry holds (0..1); and the unknown share.

        Words the knowledge base never uses count in the denominator at half weight: a paraphrase has a few,
        an off-topic question is mostly made of them.
        """
        cover, unknown, _ = self._coverage(normalized)
        if cover is None:
            return {}, unknown
        held = np.flatnonzero(cover)
        return dict(zip(held.tolist(), cover[held].tolist(), strict=True)), unknown

    def _coverage(self, normalized: str) -> tuple[np.ndarray | None, float, _Reading]:
        """coverage() as an array over all entries, 0 where none of the question's characters is held; and the
        question's plain cut and synonyms, for the other layers."""
        cut = self.tokenizer.lcut(normalized)  # one plain cut and synonym lookup for every layer
        synonyms = self._synonyms_in(normalized, cut)
        tokens = self.question_tokens(normalized, synonyms)
        grams = self.grams(self.canonical(normalized, synonyms, cut))
        unknown_weight = 0.5 * self._max_idf
        token_total = sum(self._tokens.idf.get(t, unknown_weight) for t in tokens)
        gram_total = sum(self._grams.idf.get(g, unknown_weight) for g in grams)
        if not token_total or not gram_total:
            return None, 1.0, _Reading(cut, synonyms)
        unknown = sum(unknown_weight for t in tokens if t not in self._tokens.idf) / token_total
        token_share = np.zeros(len(self.entries))
        self._tokens.add_shares(token_share, tokens, token_total)
        gram_share = np.zeros(len(self.entries))
        self._grams.add_shares(gram_share, grams, gram_total)
        cover = 0.5 * token_share + 0.5 * gram_share
        cover[gram_share == 0] = 0.0  # words alone, without a shared character, are not coverage
        return cover, unknown, _Reading(cut, synonyms)

    def evidence(self, normalized: str, index: int) -> list[str]:
        """The question's own words (two characters or more) that the entry holds, none inside another."""
        idf = self._tokens.idf
        held = [
            t
            for t in self.question_tokens(normalized)
            if len(t) >= 2 and t in idf and self._tokens.holds(t, index)
        ]
        return [t for t in held if not any(t != other and t in other for other in held)]

    def described(self, normalized: str) -> set[str]:
        """The speech's distinctive words that the question reaches through an everyday word of synonyms.yaml.

        Only the hand-written table counts: its families were written for this speech's words (往后躲 → 站排头),
        while the general thesaurus also maps in senses the speech does not have (头儿 → 头脑).
        """
        idf = self._tokens.idf
        return {
            known
            for word in self.tokenizer.lcut_for_search(normalized)
            if (known := self._synonyms.get(word)) is not None and idf.get(known, 0.0) >= DESCRIBED_IDF
        }

    def _distinctive_held(self, normalized: str, index: int) -> bool:
        """The entry holds a distinctive word of the question, so entries tied with it quote the same passage.

        Five entries quote the sentence on this year's survey (两张皮, 灯下黑, 离退休党员教育管理难 …) and tie on a
        question about any of its items: a sure answer, not a guess. A tie on common words alone (的单位是啥)
        still asks.
        """
        idf = self._tokens.idf
        return any(idf[t] >= DESCRIBED_IDF for t in self.evidence(normalized, index))

    def _well_evidenced(self, normalized: str, index: int, score: float) -> bool:
        """Several distinctive words of the question stand in the entry: a paraphrase, however low it scores.

        A question put in everyday words (领导班子里分管某块工作的人……还得对什么负责) scores low because most of
        its words are not the speech's; off-topic questions score as low, but share one or two words with an
        entry, or only the domain's common words (党员 领导 干部 工作), whose IDF is small.
        """
        held = self.evidence(normalized, index)
        if (
            score >= EVIDENCE_FLOOR
            and len(held) >= EVIDENCE_WORDS
            and sum(self._tokens.idf[t] for t in held) >= EVIDENCE_IDF
        ):
            return True
        return (
            score >= DESCRIBED_FLOOR
            and len(held) >= DESCRIBED_WORDS
            and not self.described(normalized).isdisjoint(held)
        )

    def rule_targets(self, normalized: str) -> dict[str, tuple[float, str]]:
        """Entry id → (priority, rule name) for every keyword rule that fires."""
        found: dict[str, tuple[float, str]] = {}
        for rule in self.rules.rules:
            match = rule.pattern.search(normalized)
            if not match or (rule.unless and rule.unless.search(normalized)):
                continue
            target = rule.target
            if "{n}" in target:
                numeral = next((g for g in match.groups() if g), None)
                if numeral is None:
                    continue
                target = target.format(n=CHINESE_DIGITS.get(numeral, 0))
            factor = self._remainder_factor(normalized, match, target, rule.strict)
            if rule.strict and factor < STRICT_FLOOR:
                continue
            priority = rule.priority * factor
            if target in self.kb and found.get(target, (0.0, ""))[0] < priority:
                found[target] = (priority, rule.name)
        return found

    def _remainder_factor(
        self, normalized: str, match: re.Match[str], target: str, strict: bool = False
    ) -> float:
        """How far a rule's target also explains the words its pattern did not consume (1 = fully).

        A strict rule (讲话对足球有什么要求) also counts the words the knowledge base never uses, at the weight
        coverage gives them, and drops to 0.3 when nothing beside its pattern is explained.
        """
        rest = normalized[: match.start()] + " " + normalized[match.end() :]
        idf = self._tokens.idf
        words = self.tokens(rest)
        tokens = [t for t in words if t in idf]
        unknown = [t for t in words if t not in idf and len(t) >= 2] if strict else []
        if not (tokens or unknown) or target not in self._index_of:
            return 1.0
        index = self._index_of[target]
        total = sum(idf[t] for t in tokens) + 0.5 * self._max_idf * len(unknown)
        held = sum(idf[t] for t in tokens if self._tokens.holds(t, index))
        return (0.3 if strict else 0.6) + (0.7 if strict else 0.4) * held / total

    # ---- the whole ---------------------------------------------------------------------------

    def scores(
        self, normalized: str
    ) -> tuple[dict[int, float], list[tuple[int, int, _Name]], dict[str, tuple[float, str]]]:
        """Every candidate entry's score, the name hits (exact first, then pinyin) and the rules that fired."""
        values, hits, rule_hits = self._scores(normalized)
        scored = np.flatnonzero(values > -np.inf)
        return dict(zip(scored.tolist(), values[scored].tolist(), strict=True)), hits, rule_hits

    def _scores(
        self, normalized: str
    ) -> tuple[np.ndarray, list[tuple[int, int, _Name]], dict[str, tuple[float, str]]]:
        """scores() as an array over all entries, -inf for an entry without a score."""
        exact = self.exact_names(normalized)
        heard = self._sound_hits(normalized)
        by_sound = _outside(heard, [(s, e) for s, e, _ in exact])
        if exact:
            # A longer name heard in the question beats a shorter one written inside it: 三会一颗 is 三会一课.
            # Not when the extra sound is a particle of the sentence (的五个必由之路 is no 第五个必由之路).
            longer = [
                hit
                for hit in _longest(list(heard))
                if any(
                    hit[0] <= s
                    and e <= hit[1]
                    and e - s < hit[1] - hit[0]
                    and not STOPCHARS.intersection(normalized[hit[0] : s] + normalized[e : hit[1]])
                    for s, e, _ in exact
                )
            ]
            if longer:
                exact = [x for x in exact if not any(h[0] <= x[0] and x[1] <= h[1] for h in longer)]
                by_sound = by_sound + [h for h in longer if h not in by_sound]
        cover, unknown, reading = self._coverage(normalized)
        values = np.full(len(self.entries), -np.inf)
        if cover is None:
            cover = np.zeros(len(self.entries))
        else:
            held = cover > 0
            values[held] = COVERAGE_CEILING * cover[held] * (1 - max(0.0, unknown - 0.25))
        words = self.plain_words(normalized, reading.synonyms, reading.cut)
        if words:
            near = self._examples.nearest(words, len(self.entries))
            for index in np.flatnonzero(near >= EXAMPLE_FLOOR).tolist():
                _lift(values, index, EXAMPLE_SCALE * near.item(index))
        for bonus, hits in ((0.72, exact), (0.66, by_sound)):
            for start, end, name in hits:
                length_bonus = 0.1 * min(1.0, (end - start) / 5)
                _lift(values, name.entry, bonus + 0.18 * cover.item(name.entry) + length_bonus)
        if not exact and not by_sound:
            for index, ratio in self.fuzzy_names(normalized).items():
                _lift(values, index, 0.45 + 0.2 * (ratio - 84) / 16 + 0.2 * cover.item(index))
        rule_hits = self.rule_targets(normalized)
        for entry_id, (priority, _) in rule_hits.items():
            index = self._index_of[entry_id]
            _lift(values, index, priority + 0.05 * cover.item(index))
        return values, exact + by_sound, rule_hits

    def _ordinal_lifts(self, normalized: str, hits, ranked: list[int], scores: np.ndarray) -> None:
        """An ordinal (第三条, 排第三) lifts the N-th item of a list entry the question names or that ranks high.

        A named list (必由之路 … 第三条) makes its item confident; a list found only by coverage lifts its item,
        and an item that already ranks high and has that position, by a little.
        """
        if self.rules.ordinal is None:
            return
        blocked = set()
        for start, end, _ in hits:
            blocked.update(range(start, end))
        found_at = [
            (found.start(), CHINESE_DIGITS.get(found.group("n"), 0))
            for found in self.rules.ordinal.finditer(normalized)
            if found.start() not in blocked and found.start("n") not in blocked
        ]
        in_order = [n for _, n in found_at]
        ordinals = set(in_order)
        if len(in_order) == 2 and ranked and self._position.get(ranked[0]) == in_order[0]:
            # 第三部分的第二点: the first ordinal found the list (part-3), the second is its item.
            child = self._child(self.entries[ranked[0]].id, in_order[1])
            if child is not None:
                _lift(scores, child, max(0.9, scores.item(ranked[0]) + 0.01))
            return
        if len(ordinals) != 1:
            return  # none, or several (第一条和第三条): the list itself answers
        (n,) = ordinals
        # The list named nearest before the ordinal first: 五方面要求中第五部分第四点 is part 5's fourth point.
        where = found_at[0][0]
        nearest = sorted(hits, key=lambda hit: (hit[1] > where, abs(where - hit[1])))
        named = list(dict.fromkeys(name.entry for _, _, name in nearest))
        if any(self._position.get(entry) == n for entry in named):
            return  # the ordinal is the named entry's own place (第一部分“强化政治统领”), not one of its items
        for parent in named + [i for i in ranked[:TOP] if i not in named]:
            child = self._child(self.entries[parent].id, n)
            if child is not None:
                lifted = (
                    max(0.9, scores.item(parent) + 0.01)
                    if parent in named
                    else min(0.9, max(scores.item(parent), _score_of(scores, child)) + 0.1)
                )
                _lift(scores, child, lifted)
                break
        for candidate in ranked[:TOP]:
            if self._position.get(candidate) == n:
                scores[candidate] = max(scores.item(candidate), min(0.9, scores.item(candidate) + 0.1))

    def _child(self, parent_id: str, n: int) -> int | None:
        template = self.rules.children.get(parent_id, parent_id + "-{n}")
        return self._index_of.get(template.format(n=n))

    def match(self, question: str) -> Match:
        """Best entry for a question, or suggestions, or a decline."""
        if not isinstance(question, str):
            question = str(question)
        normalized = normalize(question[: MAX_QUESTION_CHARS * 20])
        if not any(c.isalnum() for c in normalized):
            return self._refuse(question, normalized, "empty", self.kb.pack.text("empty"))
        if len(normalized) > MAX_QUESTION_CHARS:
            too_long = self.kb.pack.text("too_long", max_chars=MAX_QUESTION_CHARS)
            return self._refuse(question, normalized[:MAX_QUESTION_CHARS], "too_long", too_long)
        values, hits, rule_hits = self._scores(normalized)
        ranked = _ranked(values)
        if not ranked:
            return self._refuse(question, normalized, "decline", self.decline_text())
        self._ordinal_lifts(normalized, hits, ranked, values)
        ranked = _ranked(values)
        scores = {i: values.item(i) for i in ranked}
        best = ranked[0]
        score = round(min(1.0, scores[best]), 4)
        runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
        clear_winner = score >= self.clear_winner and score - runner_up >= CLEAR_MARGIN
        well_evidenced = (
            not clear_winner and score >= DESCRIBED_FLOOR and self._well_evidenced(normalized, best, score)
        )
        tied = sum(1 for i in ranked[:TIE_COUNT] if scores[best] - scores[i] < TIE_MARGIN)
        backed = any(name.entry == best for _, _, name in hits) or self.entries[best].id in rule_hits
        ambiguous = tied >= TIE_COUNT and not backed and not self._distinctive_held(normalized, best)
        if (score >= self.confident or clear_winner or well_evidenced) and not ambiguous:
            shown = [best]
            named = list(dict.fromkeys(name.entry for _, _, name in hits))
            if self.rules.compare and len(named) >= 2 and self.rules.compare.search(normalized):
                shown = named[:2]
            ids = tuple(self.entries[i].id for i in shown)
            lacking = self.unstated(normalized, ids)
            if lacking is not None:
                return Match(
                    question,
                    normalized,
                    False,
                    None,
                    score,
                    ids,
                    self.unstated_text(ids, lacking),
                    (),
                    "unstated",
                )
            suggestions = tuple(self.entries[i].id for i in ranked[1 : 1 + MAX_SUGGESTIONS] if i not in shown)
            return Match(
                question,
                normalized,
                True,
                ids[0],
                score,
                suggestions,
                self.answer_text(ids),
                ids,
                "answer",
            )
        if score >= self.suggest:
            picks = tuple(
                self.entries[i].id for i in ranked[:MAX_SUGGESTIONS] if scores[i] >= self.suggest * 0.8
            )
            return Match(
                question, normalized, False, None, score, picks, self.suggest_text(picks), (), "suggest"
            )
        return Match(question, normalized, False, None, score, (), self.decline_text(), (), "decline")

    def unstated(self, normalized: str, entry_ids: tuple[str, ...]) -> str | None:
        """What the question asks for that the entries' text cannot give (a date, contents), or None.

        党的二十大是哪一天开幕的 names an entry of the speech, but the speech gives no day: the entry is offered,
        not passed off as the answer. So is 中央八项规定具体是哪八条: the speech only mentions them.
        """
        if CONTENTS_QUESTION.search(normalized) and all(self.kb[i].mention_only for i in entry_ids):
            return "具体内容"
        text = "".join(self.kb[i].answer + "".join(self.kb[i].quotes) for i in entry_ids)  # no background
        for asks, gives, what in ANSWER_KINDS:
            if asks.search(normalized) and not gives.search(text):
                return what
        return None

    # ---- texts -------------------------------------------------------------------------------

    def unstated_text(self, entry_ids: tuple[str, ...], what: str) -> str:
        titles = "、".join(_quoted(self.kb[i].title) for i in entry_ids)
        lines = [f"讲话提到了{titles}，但没有讲{what}。讲话中相关的内容是："]
        lines += [f"{n}. {self.kb[i].title}" for n, i in enumerate(entry_ids, 1)]
        lines.append("回复编号查看。")
        return "\n".join(lines)

    def answer_text(self, entry_ids: tuple[str, ...]) -> str:
        if len(entry_ids) == 1:
            return entry_text(self.kb[entry_ids[0]], self.kb)
        return "\n\n".join(entry_text(self.kb[i], self.kb, with_related=False) for i in entry_ids)

    def suggest_text(self, entry_ids: tuple[str, ...]) -> str:
        lines = ["没有找到确切的答案。您是不是想问："]
        lines += [f"{n}. {self.kb[i].title}" for n, i in enumerate(entry_ids, 1)]
        lines.append("回复编号查看，或换个说法再问。")
        return "\n".join(lines)

    def decline_text(self) -> str:
        return self.kb.pack.text("decline")

    @staticmethod
    def _refuse(question: str, normalized: str, outcome: str, text: str) -> Match:
        return Match(question, normalized, False, None, 0.0, (), text, (), outcome)


def _longest(hits: list[tuple[int, int, _Name]]) -> list[tuple[int, int, _Name]]:
    """Drop hits inside a longer hit's span (三会 inside 三会一课), keep one hit per entry."""
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    kept: list[tuple[int, int, _Name]] = []
    seen_entries = set()
    for start, end, name in hits:
        if name.entry in seen_entries or any(s <= start and end <= e for s, e, _ in kept):
            continue
        kept.append((start, end, name))
        seen_entries.add(name.entry)
    return kept


def _quoted(title: str) -> str:
    """A title in “…”, unless it quotes its own term already (“三会一课”, 监督执纪“四种形态”)."""
    return title if "“" in title else f"“{title}”"


def build_matcher(kb: KnowledgeBase, *, with_examples: bool = True, **options: float) -> Matcher:
    """The matcher with the knowledge base's own rules, synonyms and example questions, when it has them."""
    rules_path = (kb.directory or Path(".")) / "rules.yaml"
    rules = load_rules(rules_path, kb) if rules_path.exists() else Rules()
    synonyms_path = (kb.directory or Path(".")) / "synonyms.yaml"
    synonyms = (
        # A thousand words, each normalised: read once per version of the file and of the code.
        cached(
            "synonyms",
            fingerprint([SOURCE_FINGERPRINT, synonyms_path.read_bytes()]),
            lambda: load_synonyms(synonyms_path),
            scope=kb.pack.id,
        )
        if synonyms_path.exists()
        else {}
    )
    examples_path = (kb.directory or Path(".")) / "examples.yaml"
    examples = load_examples(examples_path, kb) if with_examples and examples_path.exists() else {}
    return Matcher(
        kb,
        rules,
        synonyms=synonyms,
        thesaurus=cilin_groups,
        thesaurus_key=cilin_fingerprint(),
        examples=examples,
        **options,
    )


def check_matching_files(kb: KnowledgeBase) -> None:
    """Read the rules, synonyms and examples files beside the entries: a KnowledgeError lists every problem."""
    folder = kb.directory or Path(".")
    problems: list[str] = []
    for name, load in (
        ("rules.yaml", lambda path: load_rules(path, kb)),
        ("synonyms.yaml", load_synonyms),
        ("examples.yaml", lambda path: load_examples(path, kb)),
    ):
        if (folder / name).exists():
            try:
                load(folder / name)
            except KnowledgeError as error:
                problems += error.problems
    if problems:
        raise KnowledgeError(problems)


def load_examples(path: Path | str, kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """knowledge/examples.yaml: entry id → questions people ask for it, in their own words (never shown)."""
    path = Path(path)
    data: Any = read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: examples file must map an entry id to a list of questions"])
    problems = []
    examples: dict[str, tuple[str, ...]] = {}
    for entry_id, questions in data.items():
        if entry_id.startswith("__"):
            continue
        line = data.get("__key_lines__", {}).get(entry_id, 0)
        if entry_id not in kb:
            problems.append(f"{path}:{line}: {entry_id!r} is not an entry id")
        elif not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
            problems.append(f"{path}:{line}: {entry_id!r} must map to a list of questions")
        else:
            examples[entry_id] = tuple(questions)
    if problems:
        raise KnowledgeError(problems)
    return examples


def load_synonyms(path: Path | str) -> dict[str, str]:
    """knowledge/synonyms.yaml: the speech's word → the everyday words people type for it."""
    path = Path(path)
    data: Any = read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: synonyms file must map a word to a list of words"])
    typed_to_known: dict[str, str] = {}
    for known, typed_words in data.items():
        if known.startswith("__"):
            continue
        if not isinstance(typed_words, list) or not all(isinstance(w, str) for w in typed_words):
            line = data.get("__lines__", {}).get(known, 0)
            line = line[0] if isinstance(line, list) else line
            raise KnowledgeError([f"{path}:{line}: {known!r} must map to a list of words"])
        line = data.get("__lines__", {}).get(known, 0)
        line = line[0] if isinstance(line, list) else line
        for word in [known, *typed_words]:
            # A question is normalised before it is matched, so a word that normalisation cuts (打哈哈 → 打:
            # 哈哈 is a filler) would never be seen whole, and its remnant would map every 打 of a question.
            if len(normalize(word)) < len(word):
                raise KnowledgeError(
                    [f"{path}:{line}: {word!r} loses characters to normalisation ({normalize(word)!r})"]
                )
        for typed in typed_words:
            typed_to_known[normalize(typed)] = normalize(known)
    return typed_to_known
