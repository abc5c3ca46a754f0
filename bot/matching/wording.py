"""The only module that words a decision: what a reader is shown for an answer, suggestions or a decline.

The sentences that name a speech come from its pack (pack.yaml's texts); the rest is generic wording.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.knowledge import KnowledgeBase
from bot.render import entry_text

# What a question asked for that the speech does not give (bot.matching.unstated's kinds), as the reply says it.
LACKING = {
    "date": "具体日期",
    "time": "具体时间",
    "frequency": "具体次数",
    "procedure": "具体办法",
    "contents": "具体内容",
}


def quoted(title: str) -> str:
    """A title in “…”, unless it quotes its own term already (“两个到位”, 纪律“三道防线”)."""
    return title if "“" in title else f"“{title}”"


def answer_text(kb: KnowledgeBase, entry_ids: Sequence[str]) -> str:
    """The entry's full reply; for two entries shown together (a comparison), both without their related."""
    if len(entry_ids) == 1:
        return entry_text(kb[entry_ids[0]], kb)
    return "\n\n".join(entry_text(kb[i], kb, with_related=False) for i in entry_ids)


def unstated_text(kb: KnowledgeBase, entry_ids: Sequence[str], lacking: str) -> str:
    """The entries offered, saying that the speech names them but does not give what was asked."""
    titles = "、".join(quoted(kb[i].title) for i in entry_ids)
    lines = [f"讲话提到了{titles}，但没有讲{LACKING[lacking]}。讲话中相关的内容是："]
    lines += [f"{n}. {kb[i].title}" for n, i in enumerate(entry_ids, 1)]
    lines.append("回复编号查看。")
    return "\n".join(lines)


def suggest_text(kb: KnowledgeBase, entry_ids: Sequence[str]) -> str:
    lines = ["没有找到确切的答案。您是不是想问："]
    lines += [f"{n}. {kb[i].title}" for n, i in enumerate(entry_ids, 1)]
    lines.append("回复编号查看，或换个说法再问。")
    return "\n".join(lines)


def decline_text(kb: KnowledgeBase) -> str:
    return kb.pack.text("decline")


def empty_text(kb: KnowledgeBase) -> str:
    return kb.pack.text("empty")


def too_long_text(kb: KnowledgeBase, max_chars: int) -> str:
    return kb.pack.text("too_long", max_chars=max_chars)


def decision_text(
    kb: KnowledgeBase, outcome: str, entry_ids: Sequence[str], lacking: str | None = None
) -> str:
    """The text for a decision (bot.matching.decide): its outcome and the entries it shows or offers."""
    if outcome == "answer":
        return answer_text(kb, entry_ids)
    if outcome == "unstated":
        return unstated_text(kb, entry_ids, lacking or "contents")
    if outcome == "suggest":
        return suggest_text(kb, entry_ids)
    return decline_text(kb)
