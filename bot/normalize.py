"""Question normalisation, table-driven: every rewrite is a row of data, applied in a fixed order.

Both the questions and the knowledge base's own texts go through the same steps, so "3个聚焦", "問題④"
and "三个聚焦" meet on common ground.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

# Markup people paste from web pages or chats: tags and entities go, their text stays.
MARKUP = (
    (re.compile(r"<[^<>]{0,200}>"), " "),
    (re.compile(r"&(?:nbsp|amp|lt|gt|quot|#\d+);"), " "),
)

# Characters that are not text: control characters, lone surrogates, private use, variation selectors.
NOT_TEXT = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufe00-\ufe0f\u200b-\u200f\u2060\ufeff]"
)

# Numeral characters people type for the speech's Chinese numerals (after NFKC, ④ is already "4").
NUMERAL_VARIANTS = str.maketrans(
    {
        "壹": "一",
        "贰": "二",
        "叁": "三",
        "肆": "四",
        "伍": "五",
        "陆": "六",
        "柒": "七",
        "捌": "八",
        "玖": "九",
    }
)
ROMAN_AFTER_DI = {"i": "一", "ii": "二", "iii": "三", "iv": "四", "v": "五"}

# Colloquial words rewritten to the plain form; fillers dropped. Order matters: longer first.
COLLOQUIAL = (
    ("干啥", "做什么"),
    ("干嘛", "做什么"),
    ("咋样", "怎样"),
    ("咋", "怎么"),
    ("啥", "什么"),
    ("哪几条", "哪些"),
    ("这词儿", "这个词"),
    ("仨", "三个"),  # 过去仨月, 那仨问题
    ("俩", "两个"),
)
# Everyday constructions for "now X, now Y", rewritten the way speeches of the genre say it (时X时Y: 时快时慢).
ALTERNATION = re.compile(
    r"(?:一阵儿?|一会儿?|忽而|有时)([\u4e00-\u9fff])(?:，|,|\s)?(?:一阵儿?|一会儿?|忽而|有时)([\u4e00-\u9fff])"
)
FILLERS = re.compile(
    "|".join(
        [
            r"请问一下",
            r"请问",
            r"请教一下",
            r"想问一下",
            r"想问下",
            r"问一下",
            r"我想知道",
            r"想了解一下",
            r"麻烦(?:你|您)|麻烦(?=[问说讲告帮解看给查列])",  # not 麻烦事
            r"哈喽",
            r"你好",
            r"您好",
            r"嗨",
            r"(?:哈)+哈",
            r"(?:呵)+呵",
            r"(?:嘿)+嘿",
            r"讲真(?!话)",
            r"说真的",
            r"那个",
            r"到底(?=[是有说讲咋怎该要能会为指啥哪什多几])",  # 到底是啥, not 一竿子插到底
            r"(?:啊)+",
            r"(?:嗯)+",
            r"(?:呃)+",
            r"(?:哦)+",
            r"呢",
            r"吧",
            r"呀",
            r"嘛",
            r"哇",
            r"咱们",
            r"咱",
            # Chat: interjections, greetings to the group, asides and sign-offs that carry no question.
            r"哎(?:呀|哟)?",
            r"唉",
            r"诶",
            r"欸",
            r"啊这",
            r"e+m+",
            r"h+m+",
            r"(?:兄弟|姐妹|朋友|大佬|各位|小伙伴)们",
            r"各位",
            r"大家好",
            r"(?<![\u3400-\u9fff])话说",  # at the start of a phrase, not 讲话说
            r"说白了",
            r"说实话",
            r"顺便问一下",
            r"求(?:解答|解|助|告知|科普)",
            r"(?:多)?谢谢(?:你|您|啦)?",
            r"多谢",
            r"拜托了",
            r"在线等",
            r"来着",
            r"忘了(?=\s*$)",  # a sign-off (……来着，忘了), not 不能忘了你的职务
            r"有人(?:知道|记得)(?:吗|不)?",
            r"[。？！?!…~～]+$",
        ]
    )
)

# Everything but letters, digits, CJK and "+" (a name such as 监督+) becomes a space.
PUNCTUATION = re.compile(r"[^\w+\u3400-\u9fff]+")
DIGITS = re.compile(r"(?<![\d.])\d{1,2}(?![\d.年])")
ROMAN = re.compile(r"(?<=第)(iii|ii|iv|i|v)(?![a-z])")
SPACE_BETWEEN_CJK = re.compile(r"(?<=[\u3400-\u9fff+])\s+|\s+(?=[\u3400-\u9fff])")


@lru_cache(maxsize=1)
def _opencc() -> OpenCC:
    return OpenCC("t2s")


CHINESE_NUMERALS = "零一二三四五六七八九"


def arabic_to_chinese(number: int) -> str:
    """0–99 in Chinese numerals, the way the speech writes them (五, 十二, 二十); a table, not a library."""
    tens, ones = divmod(number, 10)
    if tens == 0:
        return CHINESE_NUMERALS[ones]
    return ("" if tens == 1 else CHINESE_NUMERALS[tens]) + "十" + (CHINESE_NUMERALS[ones] if ones else "")


def _arabic_to_chinese(match: re.Match[str]) -> str:
    """1–99 become Chinese numerals (the speech writes 五个, 第三); years and long numbers stay as they are."""
    return arabic_to_chinese(int(match.group(0)))


CJK = re.compile(r"[\u3400-\u9fff]+")


def needs_simplifying(text: str) -> bool:
    """True when a character lies outside GB2312, the simplified set: only then is OpenCC loaded and run."""
    try:
        "".join(CJK.findall(text)).encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


def strip_markup(text: str) -> str:
    for pattern, replacement in MARKUP:
        text = pattern.sub(replacement, text)
    return text


def normalize(text: str) -> str:
    """The canonical form of a question or a knowledge-base name, for matching only (never shown)."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = NOT_TEXT.sub(" ", text)
    text = strip_markup(text)
    text = unicodedata.normalize("NFKC", text)
    if needs_simplifying(text):
        text = _opencc().convert(text)
    text = text.lower().translate(NUMERAL_VARIANTS)
    text = ROMAN.sub(lambda m: ROMAN_AFTER_DI[m.group(1)], text)
    text = DIGITS.sub(_arabic_to_chinese, text)
    for old, new in COLLOQUIAL:
        text = text.replace(old, new)
    text = ALTERNATION.sub(r"时\1时\2", text)
    text = PUNCTUATION.sub(" ", text)
    text = FILLERS.sub("", text)
    text = SPACE_BETWEEN_CJK.sub("", text)
    return " ".join(text.split())
