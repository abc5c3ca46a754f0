"""Plain-text rendering of entries, shared by the console, `ask` and `kb show`.

The answer, then the speech's own words with where they stand, then background kept apart and labelled.
"""

from __future__ import annotations

from bot.knowledge import Entry, KnowledgeBase

BACKGROUND_LABEL = "背景（非讲话原文，供参考）"
MAX_RELATED = 3


def related_entries(entry: Entry, kb: KnowledgeBase, limit: int = MAX_RELATED) -> list[Entry]:
    return [kb[r] for r in entry.related if r in kb][:limit]


def entry_text(entry: Entry, kb: KnowledgeBase, *, with_related: bool = True) -> str:
    """The full reply a reader sees for one entry."""
    lines = [f"【{entry.title}】", entry.answer, ""]
    lines.append("讲话原文：")
    lines.extend(f"“{quote}”" for quote in entry.quotes)
    lines.append(f"出处：{entry.where}")
    if entry.background:
        lines.append(f"{BACKGROUND_LABEL}：{entry.background}")
    related = related_entries(entry, kb) if with_related else []
    if related:
        lines.append("相关：" + "｜".join(r.title for r in related))
    return "\n".join(lines)
