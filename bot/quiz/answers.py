"""What an answer to a quiz question looks like when it is typed: a letter, 对 or 错. The console reads such
answers; Telegram, whose polls are answered by tapping, tells a person who types one to tap instead."""

from __future__ import annotations

import unicodedata

YES = ("对", "正确", "是", "√", "✓", "t", "true", "y", "yes")
NO = ("错", "错误", "不对", "否", "×", "✗", "x", "f", "false", "n", "no")


def looks_like_a_choice(text: str) -> bool:
    """A lone letter or 对/错: meant as an answer, even if it does not fit this question."""
    word = unicodedata.normalize("NFKC", text).strip().lower().rstrip("。.!！ ")
    return (len(word) == 1 and word.isascii() and word.isalpha()) or word in YES or word in NO
