"""Small talk a study bot should answer kindly rather than search the speech for: thanks, "好的", a greeting,
an emoji alone. Pure: a message in, a short reply (or None) out; the same in both front ends."""

from __future__ import annotations

import re
import unicodedata

TAIL = r"[!！。.~～\s啊呀哈啦了的]*"
THANKS = re.compile(
    rf"^(?:谢谢|多谢|感谢|谢了|谢啦|辛苦了|thanks?(?: you)?|thx|3q)(?:你|您|啦|了|哈|呀|老师|助手|小助手)*{TAIL}$",
    re.I,
)
ACK = re.compile(
    rf"^(?:好的?|好滴|好嘞|嗯+|哦+|噢+|明白了?|知道了|收到|懂了|了解|行|可以|ok|okay|got it){TAIL}$", re.I
)
GREETING = re.compile(rf"^(?:你好|您好|hi|hello|早上好|上午好|下午好|晚上好|早|在吗|在不在){TAIL}$", re.I)
BYE = re.compile(rf"^(?:再见|拜拜|bye|晚安|回头见){TAIL}$", re.I)

REPLIES = {
    "thanks": "不客气！还想了解讲话的哪部分，直接问我就行。",
    "ack": "好的。有问题随时问我，或者发 /quiz 做一道题。",
    "greeting": "您好！我是讲话学习助手。直接问讲话里的内容就行，发 /help 看我能做什么。",
    "bye": "再见！学习路上随时来找我。",
    "emoji": "🙏 收到！有问题随时问我。",
}


def only_emoji(text: str) -> bool:
    """A message of symbols alone (🙏, 👍👍): no letter, no digit, no Chinese character."""
    stripped = "".join(c for c in text if not c.isspace() and c not in "\ufe0f\u200d")
    return (
        bool(stripped)
        and all(unicodedata.category(c) in ("So", "Sk", "Sm", "Po") for c in stripped)
        and any(unicodedata.category(c) == "So" for c in stripped)
    )


def courtesy(text: str) -> str | None:
    """The kind of small talk a message is ("thanks", "ack", "greeting", "bye", "emoji"), or None."""
    said = unicodedata.normalize("NFKC", text).strip()
    if not said or len(said) > 20:
        return None
    for kind, pattern in (("thanks", THANKS), ("ack", ACK), ("greeting", GREETING), ("bye", BYE)):
        if pattern.match(said):
            return kind
    return "emoji" if only_emoji(said) else None
