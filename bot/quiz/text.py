"""Small text helpers: quoting a phrase, ids from a digest, excerpts and explanations, sentence windows."""

from __future__ import annotations

import hashlib

from bot.quiz.model import MAX_EXPLANATION

HAN = "\u4e00-\u9fff"  # the Han characters, for character classes
STOPS = "。；！？\n"  # what ends a sentence or a clause


def q(text: str) -> str:
    """Quote a phrase for a question, with corner brackets when it already holds quotation marks."""
    return f"「{text}」" if "“" in text or "”" in text else f"“{text}”"


def quoted(text: str) -> str:
    """The text as it is when it already stands in quotation marks, else quoted."""
    return text if text.startswith("“") and text.endswith("”") else q(text)


def digest(*parts: str) -> str:
    """A stable hash of the parts (string hashing varies between runs; this does not)."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(text: str, focus: str | None, limit: int) -> str:
    """At most `limit` characters of one line of `text` around `focus`, cut ends marked with …."""
    text = text.strip()
    if "\n" in text:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        text = next((line for line in lines if focus and focus in line), lines[-1])
    if len(text) <= limit:
        return text
    at = text.find(focus) if focus else -1
    width = len(focus) if focus and at >= 0 else 0
    at = max(at, 0)
    room = limit - 2
    start = at if width >= room else max(0, at - (room - width) // 2)
    end = min(len(text), start + room)
    start = max(0, end - room)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def explain(verdict: str, quote: str, focus: str | None = None) -> str:
    """A verdict line, then the speech's words: at most MAX_EXPLANATION characters, one line feed."""
    head = f"{clip(verdict, 90)}\n原文：“"
    return head + excerpt(quote, focus, MAX_EXPLANATION - len(head) - 1) + "”"


def window(speech: str, start: int, end: int, limit: int = 100) -> tuple[int, int]:
    """The sentence around [start, end), narrowed to whole clauses when longer than `limit`."""
    left = max(speech.rfind(stop, 0, start) for stop in STOPS) + 1
    right = min((i for stop in STOPS if (i := speech.find(stop, end)) != -1), default=len(speech))
    right = right + 1 if right < len(speech) and speech[right] != "\n" else right
    while left < start and speech[left].isspace():
        left += 1
    if right - left <= limit:
        return left, trim_end(speech, left, right)
    depth, breaks = 0, []
    for i in range(left, right):
        char = speech[i]
        depth += {"“": 1, "”": -1, "《": 1, "》": -1}.get(char, 0)
        if depth == 0 and char in "，：":
            breaks.append(i + 1)
    cuts = [left, *breaks, right]
    lo = max(i for i, c in enumerate(cuts) if c <= start)
    hi = min(i for i, c in enumerate(cuts) if c >= end)
    while True:
        if hi + 1 < len(cuts) and cuts[hi + 1] - cuts[lo] <= limit:
            hi += 1
        elif lo > 0 and cuts[hi] - cuts[lo - 1] <= limit:
            lo -= 1
        else:
            break
    return cuts[lo], trim_end(speech, cuts[lo], cuts[hi])


def trim_end(speech: str, start: int, end: int) -> int:
    """Drop a trailing comma, colon or space, so an excerpt does not end mid-breath."""
    while end > start and (speech[end - 1] in "，：、" or speech[end - 1].isspace()):
        end -= 1
    return end
