"""How characters sound: toneless pinyin, fuzzed the way pinyin keyboards and southern accents confuse it.

A name typed through a pinyin keyboard comes out as another character of the same sound (两个到为 for
两个到位), so names and the pack's words are also looked up by sound. The table of every character's readings is
built once from pypinyin and cached on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from bot.cache import cached, fingerprint
from bot.matching.language import NEVER_A_TYPO

# Fuzzy pinyin: the pairs that pinyin keyboards and southern accents confuse.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))


def fuzzy(syllable: str) -> str:
    """A syllable with the confusable pairs folded: zh → z, l → n, ing → in …"""
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
            sounds = frozenset(fuzzy(r) for r in found[0])
            table[char] = shared.setdefault(sounds, sounds)
            primary[char] = fuzzy(found[0][0])
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


def sounds(word: str, limit: int = 16) -> list[tuple[str, ...]]:
    """Every way the word can be read (polyphones), fuzzed; at most `limit` of them."""
    found: list[tuple[str, ...]] = [()]
    for char in word:
        found = [(*sound, reading) for sound in found for reading in sorted(readings(char))][:limit]
    return found


def sounds_like(
    typed: str, typed_sounds: Sequence[str], name: str, name_readings: Sequence[frozenset[str]]
) -> bool:
    """Each typed character is the name's, or its common reading (typed_sounds) is one of the name's character's
    readings.

    A pinyin typo comes from typing the intended sound: 到为 (wei) for 到位. The rare readings of the typed
    character do not count: 家 is typed for jia, so it is no typo of a character read jie. Nor do the commonest
    particles, which are what they seem (是 is no typo of 四, though shi and si fuzz alike). And a two-character
    name needs one of its characters written: two wrong characters of two are another word.
    """
    if len(name) == 2 and typed[0] != name[0] and typed[1] != name[1]:
        return False
    return all(
        t == n or (t not in NEVER_A_TYPO and sound in r)
        for t, sound, n, r in zip(typed, typed_sounds, name, name_readings, strict=True)
    )
