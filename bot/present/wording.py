"""The sentences a decision is worded with, besides the cards: what the speech does not give, the decline,
the empty and the too-long question. Those that name a speech come from its pack (pack.yaml's texts)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.knowledge import KnowledgeBase
from bot.matching import MAX_QUESTION_CHARS, Match

# What a question asked for that the speech does not give (bot.matching.unstated's kinds), as the reply says it.
LACKING = {
    "date": "具体日期",
    "time": "具体时间",
    "frequency": "具体次数",
    "procedure": "具体办法",
    "contents": "具体内容",
    "person": "具体是谁",
    "title": "具体名称",
    "amount": "具体数字",
    "place": "具体地点",
    "sanction": "具体的奖惩",
    "rules": "具体的细则",
    "units": "具体是哪些单位",
    "times": "具体次数",
    "origin": "最早由谁提出",
}


def quoted(title: str) -> str:
    """A title in “…”, unless it quotes its own term already (“两个到位”, 纪律“三道防线”)."""
    return title if "“" in title else f"“{title}”"


def unstated_lead(kb: KnowledgeBase, entry_ids: Sequence[str], lacking: str) -> str:
    """The speech names these entries but does not give what was asked: said first, before the entries."""
    titles = "、".join(quoted(kb[i].title) for i in entry_ids if i in kb)
    return (
        f"讲话提到了{titles}，但没有讲{LACKING.get(lacking, LACKING['contents'])}。讲话中与此相关的内容如下。"
    )


def lead(kb: KnowledgeBase, result: Match) -> str:
    """The one sentence a reply without cards opens with ("did you mean" has its own, per front end)."""
    if result.outcome == "unstated":
        return unstated_lead(kb, result.suggestions, result.lacking)
    if result.outcome == "empty":
        return kb.pack.text("empty")
    if result.outcome == "too_long":
        return kb.pack.text("too_long", max_chars=MAX_QUESTION_CHARS)
    if result.outcome == "suggest":
        return ""
    return kb.pack.text("decline")
