"""Words a question names that the speech never does: a numbered slogan (三严三实, 四个全面, 十个坚持) or a year.

Such a question is about something else however much of the rest it shares with the speech (a number, 方面,
坚持), so the matcher declines it rather than answer with the nearest paragraph. A slogan counts as the
speech's when it, or a word that sounds the same (更佳 for 更加), stands in the speech or in an entry's name;
counting nouns (三个层面, 六个环节) are no slogans. The shapes are of the language, not of any speech.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property

from bot.matching.sounds import primary_reading

NUMERAL = "一二两三四五六七八九十"
SLOGAN = re.compile(
    rf"[{NUMERAL}][\u4e00-\u9fff][{NUMERAL}][\u4e00-\u9fff]"  # 三严三实, 两学一做, 八荣八耻
    rf"|[{NUMERAL}]个[\u4e00-\u9fff]{{2}}"  # 四个全面, 十个坚持, 三个代表
)
OVERLAPPING = re.compile(f"(?=({SLOGAN.pattern}))")  # every slogan-shaped run, overlapping ones too
# What follows N个 in plain counting, not in a slogan: 三个层面, 六个环节, 七个部分 …
COUNTED = re.compile(
    r"^[^个]个(方面|问题|部分|要求|层面|环节|字|点|条|人|会|月|季度|单位|支部|党员|干部|小时|年|事|任务|阶段|目标|重点|措施|办法)"
)
# Characters no slogan is made of after its numeral: words of a question around a counted thing.
FUNCTION = set("是的了讲说什啥干已在有和与也就都还要来么呢吗个共条点年月级次种名些样把被给从对向第这那哪俩")
FUNCTION |= set(NUMERAL)
# A slogan blocks a question only when the question asks about it: what it is or holds (是什么, 哪几个,
# 分别, 内容), what is asked of it (要求), how it relates (关系, 区别), how to do it.
ASKS_CONTENTS = re.compile(
    r"(是什么|是啥|是哪|哪几|哪些|哪[两二三四五六七八九十]|包括|包含|指什么|指啥|指的是|内容|分别|具体|含义|意思|讲的啥|讲的什么|"
    r"什么要求|啥要求|哪些要求|怎么要求|如何要求|有何要求|什么关系|啥关系|区别|怎么理解|怎么开展|怎么落实|如何开展|如何落实)"
)
# An acronym the speech never uses (GDP, NBA): a question about something else. APP is everyday Chinese.
ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{2,5}(?![A-Za-z])")
EVERYDAY_ACRONYMS = frozenset({"APP", "QQ", "PPT", "OK"})
YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def sounds_of(word: str) -> tuple[str, ...]:
    return tuple(primary_reading(c) for c in word)


class Absent:
    """Built once per pack from its speech and its entries' names."""

    def __init__(self, speech: str, names: Iterable[str]) -> None:
        self.texts = "\n".join([speech, *names])
        self.years = set(YEAR.findall(speech))
        self.speech_upper = self.texts.upper()

    @cached_property
    def slogan_sounds(self) -> set[tuple[str, ...]]:
        """How the speech's own slogans sound: read only when a question's slogan is not found as typed."""
        return {sounds_of(slogan) for slogan in _slogans(self.texts)}

    def absent(self, normalized: str, typed: str = "") -> str | None:
        """The first slogan, acronym (in `typed`, the question as written: normalising lowers it) or year of
        the question the speech does not have (None: none)."""
        for acronym in ACRONYM.findall(typed):
            if acronym not in EVERYDAY_ACRONYMS and acronym not in self.speech_upper:
                return acronym
        for year in YEAR.findall(normalized):
            if year not in self.years:
                return year
        if not ASKS_CONTENTS.search(normalized):
            return None
        for slogan in _slogans(normalized):
            short = slogan.replace("个", "")
            if (
                slogan in self.texts
                or short in self.texts
                or short[:2] in self.texts
                or slogan[:3] in self.texts
            ):
                continue  # the speech's, or its start (N个必须管 for N必管, N个学分别 for N个学)
            if sounds_of(slogan) in self.slogan_sounds:
                continue  # typed by sound: 四个更佳 for 四个更加
            return slogan
        return None


def _slogans(text: str) -> list[str]:
    """Slogan-shaped words: not an ordinal (第三个), not a count (一共五条, 三个方面), not pointed at (那两个,
    哪三个), not made of a question's words (四个讲的), not a repetition (一级一级)."""
    found = []
    for match in OVERLAPPING.finditer(text):
        start, word = match.start(), match.group(1)
        if COUNTED.match(word) or text[max(0, start - 1) : start] in ("第", "每", "那", "这", "哪"):
            continue
        if word.startswith("一个"):
            continue  # 一个 is "a": 一个基层点, 一个培养体系
        letters = [word[1], word[3]] if word[1] != "个" else [word[2], word[3]]
        if any(c in FUNCTION for c in letters) or (word[1] != "个" and word[1] == word[3]):
            continue
        found.append(word)
    return found
