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
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

import jieba
import numpy as np
from rapidfuzz import fuzz, process

from bot.cache import cached, fingerprint, usable_cache_dir
from bot.knowledge import Entry, KnowledgeBase
from bot.matching import wording
from bot.matching.language import CHINESE_DIGITS, LEADING_VERBS, STOPCHARS, STOPWORDS
from bot.matching.layers.examples import nearest_examples
from bot.matching.layers.rules import Rules
from bot.matching.postings import Bigrams, ExampleIndex, Postings
from bot.matching.result import Match, refused
from bot.matching.sounds import primary_reading, readings, sounds, sounds_like
from bot.normalize import normalize

# The cached coverage index is only valid for the code that built it.
_PACKAGE = Path(__file__).parent
SOURCE_FINGERPRINT = fingerprint(
    [path.read_bytes() for path in sorted(_PACKAGE.rglob("*.py"))]
    + [_PACKAGE.parent.joinpath("normalize.py").read_bytes()]
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
# A question that describes one of the speech's distinctive words in everyday words (the table maps 打马虎眼 to
# a speech's 敷衍塞责) has named the passage as surely as if it quoted it: from DESCRIBED_FLOOR, that word and one more held
# by the best entry are enough (see Matcher.described and docs/matching.md).
DESCRIBED_FLOOR = 0.17
DESCRIBED_IDF = 3.3
DESCRIBED_WORDS = 2
MAX_QUESTION_CHARS = 300
MAX_SUGGESTIONS = 3
TOP = 5  # the decision looks at the five best entries at most (ordinal lifts, suggestions, ties)

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

# A question for the contents of a thing (某报告的主要内容, “三个聚焦”具体是哪三个): an entry the speech only
# mentions (mention_only in the knowledge base) cannot answer it.
CONTENTS_QUESTION = re.compile(
    "(?:主要|具体|核心)内容|内容(?:有|是)|有哪些内容|核心要义|(?:包括|包含|提出了|规定了)哪些|具体措施|分别是(?:什么|哪)"
    f"|(?:具体|都)(?:是|指|有)?哪{_COUNT}*[条项个种些]|是哪{_COUNT}+[条项个种]"
    "|具体(?:是|指)[^，。？！ ]{1,3}什么"  # 具体是亮什么、学什么
)


@dataclass(frozen=True, slots=True)
class _Name:
    text: str
    entry: int
    readings: tuple[frozenset[str], ...]


class _Reading(NamedTuple):
    """A question read once: jieba's plain cut, and its words' synonyms (table, thesaurus, typos)."""

    cut: list[str]
    synonyms: Mapping[str, str]


def _outside(
    hits: list[tuple[int, int, _Name]], taken: Iterable[tuple[int, int]]
) -> list[tuple[int, int, _Name]]:
    """The longest of the hits that overlap no taken span."""
    blocked = {i for start, end in taken for i in range(start, end)}
    return _longest([hit for hit in hits if not blocked.intersection(range(hit[0], hit[1]))])


def _names_of(entry: Entry) -> list[str]:
    return [name for name in dict.fromkeys(normalize(n) for n in entry.names) if name]


def _topic_names(entries: Sequence[Entry], taken: set[str]) -> list[tuple[str, int]]:
    """A section is also called by its topic without the leading verb: 深化三个聚焦 → 三个聚焦.

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


def _lift(values: np.ndarray, index: int, value: float) -> None:
    values[index] = max(_score_of(values, index), value)


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
        self._fuzzy_bigrams = Bigrams.of(self._fuzzy_names)
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
                for sound in sounds(word):
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

    def _example_index(self, examples: Mapping[str, Sequence[str]]) -> ExampleIndex:
        asked = [
            (self._index_of[entry_id], self.plain_words(normalize(question)))
            for entry_id, questions in examples.items()
            if entry_id in self._index_of
            for question in questions
        ]
        return ExampleIndex.of(asked, len(self.entries))

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
        return math.log(1 + n), Postings.of(token_postings, n), Postings.of(gram_postings, n)

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
        """Names whose pinyin stands in the question (两个到为 → 两个到位), outside spans already taken."""
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
                    if sounds_like(normalized[i : i + size], common[i : i + size], name.text, name.readings):
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

        Only the hand-written table counts: its families were written for this speech's words (打马虎眼 → 敷衍塞责),
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

        Several entries quote one sentence that lists several shortcomings, and tie on a
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
            # A longer name heard in the question beats a shorter one written inside it: 三查三该 is 三查三改.
            # Not when the extra sound is a particle of the sentence (的三个聚焦 is no 第三个聚焦).
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
            near = nearest_examples(self._examples, words, len(self.entries))
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

        A named list (三个聚焦 … 第二条) makes its item confident; a list found only by coverage lifts its item,
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
        # The list named nearest before the ordinal first: in “X中第N部分第M点” the M-th point is part N's.
        where = found_at[0][0]
        nearest = sorted(hits, key=lambda hit: (hit[1] > where, abs(where - hit[1])))
        named = list(dict.fromkeys(name.entry for _, _, name in nearest))
        if any(self._position.get(entry) == n for entry in named):
            return  # the ordinal is the named entry's own place (第一部分“深化三个聚焦”), not one of its items
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
            return refused(question, normalized, "empty", wording.empty_text(self.kb))
        if len(normalized) > MAX_QUESTION_CHARS:
            too_long = wording.too_long_text(self.kb, MAX_QUESTION_CHARS)
            return refused(question, normalized[:MAX_QUESTION_CHARS], "too_long", too_long)
        values, hits, rule_hits = self._scores(normalized)
        ranked = _ranked(values)
        if not ranked:
            return refused(question, normalized, "decline", wording.decline_text(self.kb))
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
                    wording.unstated_text(self.kb, ids, lacking),
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
                wording.answer_text(self.kb, ids),
                ids,
                "answer",
            )
        if score >= self.suggest:
            picks = tuple(
                self.entries[i].id for i in ranked[:MAX_SUGGESTIONS] if scores[i] >= self.suggest * 0.8
            )
            return Match(
                question,
                normalized,
                False,
                None,
                score,
                picks,
                wording.suggest_text(self.kb, picks),
                (),
                "suggest",
            )
        return Match(
            question, normalized, False, None, score, (), wording.decline_text(self.kb), (), "decline"
        )

    def unstated(self, normalized: str, entry_ids: tuple[str, ...]) -> str | None:
        """What the question asks for that the entries' text cannot give (a date, contents), or None.

        某大会是哪一天开幕的 names an entry of the speech, but the speech gives no day: the entry is offered,
        not passed off as the answer. So is “三个聚焦”具体是哪三个 when the speech only mentions them.
        """
        if CONTENTS_QUESTION.search(normalized) and all(self.kb[i].mention_only for i in entry_ids):
            return "具体内容"
        text = "".join(self.kb[i].answer + "".join(self.kb[i].quotes) for i in entry_ids)  # no background
        for asks, gives, what in ANSWER_KINDS:
            if asks.search(normalized) and not gives.search(text):
                return what
        return None

    def answer_text(self, entry_ids: tuple[str, ...]) -> str:
        return wording.answer_text(self.kb, entry_ids)


def _longest(hits: list[tuple[int, int, _Name]]) -> list[tuple[int, int, _Name]]:
    """Drop hits inside a longer hit's span (三查 inside 三查三改), keep one hit per entry."""
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    kept: list[tuple[int, int, _Name]] = []
    seen_entries = set()
    for start, end, name in hits:
        if name.entry in seen_entries or any(s <= start and end <= e for s, e, _ in kept):
            continue
        kept.append((start, end, name))
        seen_entries.add(name.entry)
    return kept
