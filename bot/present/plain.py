"""Plain text: the console, `ask`, `kb show`, and what the log keeps of a console reply.

The answer, then the speech's own words with where they stand, then background kept apart and labelled, then
the entries offered. In the console a number opens an offered entry.
"""

from __future__ import annotations

from bot.outline import part_of_where
from bot.present.model import BACKGROUND_LABEL, FOCUS_LEAD, Card, Reply

SUGGEST_LEAD = "没有找到确切的答案。您是不是想问："
SUGGEST_END = "回复编号查看，或换个说法再问。"
OUTLINE_TITLE = "讲话结构"
OPEN_BY_NUMBER = "回复编号阅读。"
SEARCH_SHOWN = 10  # the console lists the first hits; Telegram pages them all


def not_found_text(word: str) -> str:
    return f"讲话原文中没有找到“{word[:40]}”。可以换一个更短的词，或直接提问。"


def hits_text(reply: Reply, shown: int = SEARCH_SHOWN) -> str:
    hits = reply.hits
    lines = [f"“{hits[0].word}”在讲话的 {len(hits)} 句话里出现，按部分列出："]
    part_shown = ""
    for number, hit in enumerate(hits[:shown], 1):
        part, rest = part_of_where(hit.where)
        if part != part_shown:
            lines.append(f"〔{part}〕")
            part_shown = part
        lines.append(f"{number}. …{hit.before}【{hit.word}】{hit.after}…" + (f"（{rest}）" if rest else ""))
    if len(hits) > shown:
        lines.append(f"……另有 {len(hits) - shown} 处。")
    return "\n".join(lines)


def card_text(card: Card) -> str:
    lines = [f"【{card.title}】", card.text, "", "讲话原文："]
    lines.extend(f"“{quote}”" for quote in card.quotes)
    lines.append(f"出处：{card.where}")
    if card.background:
        lines.append(f"{BACKGROUND_LABEL}：{card.background}")
    return "\n".join(lines)


def plain(reply: Reply) -> str:
    """The whole reply as one text."""
    if reply.outcome == "sections":
        numbered = [f"{n}. {c.label}" for n, c in enumerate(reply.choices, 1)]
        head = card_text(reply.cards[0]) if reply.cards else OUTLINE_TITLE
        return "\n".join([head, *numbered, OPEN_BY_NUMBER] if numbered else [head])
    if reply.outcome == "search":
        return hits_text(reply)
    if reply.outcome == "not_found":
        return not_found_text(reply.lead)
    if reply.outcome in ("claim", "item"):
        lines = [reply.lead, *(f"“{h.word}”（{h.where}）" for h in reply.hits)]
        return "\n\n".join(["\n".join(lines), *(card_text(c) for c in reply.cards)])
    if reply.outcome == "digest":
        lines = [reply.lead]
        lines += [f"{n}. {h.before}{h.word}{h.after}（{h.where}）" for n, h in enumerate(reply.hits, 1)]
        if reply.choices:
            lines.append("相关：" + "｜".join(c.label for c in reply.choices))
        return "\n".join(lines)
    if reply.cards:
        text = "\n\n".join([reply.lead] * bool(reply.lead) + [card_text(c) for c in reply.cards])
        if reply.hits:  # the sentences that say what was asked, when the cards do not show them
            text += "\n\n" + "\n".join([FOCUS_LEAD, *(f"“{h.word}”（{h.where}）" for h in reply.hits)])
        if reply.choices:
            text += "\n相关：" + "｜".join(c.label for c in reply.choices)
        return text
    numbered = [f"{n}. {c.label}" for n, c in enumerate(reply.choices, 1)]
    if reply.outcome == "suggest":
        return "\n".join([SUGGEST_LEAD, *numbered, SUGGEST_END])
    return reply.lead
