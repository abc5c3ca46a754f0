"""A question read once: its normalised text, jieba's cuts, the speech's words it reaches, its characters' sounds.

`read` is called once per question and its Reading passed to every layer, so no layer cuts the question again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.matching.language import STOPCHARS, STOPWORDS
from bot.matching.lexicon import Lexicon
from bot.matching.sounds import primary_reading, readings

CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


@dataclass(frozen=True, slots=True, eq=False)
class Reading:
    """What every layer needs of one question."""

    normalized: str  # bot.normalize's canonical form of the question
    cut: tuple[str, ...]  # jieba's plain cut
    search: tuple[str, ...]  # jieba's search-mode cut: the words and their parts
    synonyms: Mapping[str, str]  # typed word → the speech's word, for this question (table, thesaurus, typos)
    tokens: tuple[str, ...]  # the question's content tokens, as the speech says them (coverage, evidence)
    grams: tuple[str, ...]  # character unigrams and bigrams, as the speech says them (coverage)
    words: tuple[str, ...]  # the plain cut's words of two characters or more (example questions)
    sounds: tuple[frozenset[str], ...]  # every reading of each character (names heard by pinyin)
    common: tuple[str, ...]  # the reading a pinyin keyboard gives each character


def read(normalized: str, lexicon: Lexicon) -> Reading:
    """Read a normalised question with the pack's lexicon."""
    cut = lexicon.tokenizer.lcut(normalized)
    synonyms = lexicon.synonyms_in(cut)
    search = lexicon.tokenizer.lcut_for_search(normalized)
    return Reading(
        normalized,
        tuple(cut),
        tuple(search),
        synonyms,
        tuple(question_tokens(search, synonyms, lexicon.idf)),
        tuple(grams(canonical(normalized, cut, synonyms))),
        tuple(plain_words(cut, synonyms)),
        tuple(readings(c) for c in normalized),
        tuple(primary_reading(c) for c in normalized),
    )


def question_tokens(
    search: Sequence[str], synonyms: Mapping[str, str], idf: Mapping[str, float]
) -> list[str]:
    """The search cut's content tokens, synonyms applied, less the unknown compounds whose parts count already.

    jieba keeps some everyday phrases whole (放在首位); search mode also yields their parts. When the parts
    cover every character of the whole and one of them is an everyday word of the pack's table, the whole adds
    nothing but a second "unknown word" penalty, so it goes (its unknown parts still count). Other unknown
    compounds stay (年终奖, 申请入党): off-topic questions are made of such words.
    """
    raw = [w for w in search if w.strip() and w not in STOPWORDS]
    parts = [w for w in raw if len(w) >= 2]
    everyday = [w for w in parts if w in synonyms]
    kept = [
        w
        for w in raw
        if w in idf or w in synonyms or not (covered(w, parts) and any(e in w for e in everyday))
    ]
    return list(dict.fromkeys(synonyms.get(w, w) for w in kept))


def plain_words(cut: Sequence[str], synonyms: Mapping[str, str]) -> list[str]:
    """The words of jieba's plain cut, as the speech says them, two characters or more: how a question is
    compared with the example questions (search mode's fragments of a reduplicated phrase would be words of
    their own)."""
    words = (synonyms.get(w, w) for w in cut if w not in STOPWORDS)
    return [w for w in dict.fromkeys(words) if len(w) >= 2 and w not in STOPWORDS]


def canonical(normalized: str, cut: Sequence[str], synonyms: Mapping[str, str]) -> str:
    """The question with everyday words replaced by the speech's words (欠缺 → 缺乏), for character grams."""
    if not synonyms:
        return normalized
    return "".join(synonyms.get(w, w) for w in cut)


def grams(normalized: str) -> list[str]:
    """Character unigrams and bigrams of the Chinese text, without the function characters."""
    found: list[str] = []
    for run in CJK_RUN.findall(normalized):
        found.extend(c for c in run if c not in STOPCHARS)
        found.extend(
            run[i : i + 2] for i in range(len(run) - 1) if not STOPCHARS.intersection(run[i : i + 2])
        )
    return list(dict.fromkeys(found))


def covered(word: str, parts: Sequence[str]) -> bool:
    """Whether the other parts, placed where they stand in `word`, cover every character of it."""
    marks = [False] * len(word)
    for part in parts:
        if part == word:
            continue
        start = word.find(part)
        while start != -1:
            marks[start : start + len(part)] = [True] * len(part)
            start = word.find(part, start + 1)
    return len(word) > 1 and all(marks)


def plain_words_of(normalized: str, lexicon: Lexicon) -> list[str]:
    """plain_words() of a text read alone (an example question), without the rest of a Reading."""
    cut = lexicon.tokenizer.lcut(normalized)
    return plain_words(cut, lexicon.synonyms_in(cut))
