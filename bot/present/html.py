"""Telegram HTML for a reply: the cards with the speech's words in a blockquote, or the one line that leads
to the buttons (the offered entries become buttons: bot.telegram.replies). Every text is escaped here."""

from __future__ import annotations

import html as _html

from bot.present.model import BACKGROUND_LABEL, Card, Reply

SUGGEST_LINE = "没有找到确切的答案。您是不是想问下面这些？点一下查看，或换个说法再问。"
UNSTATED_END = "点一下查看。"
DECLINE_END = "\n\n发送 /help 查看我能做什么。"


def escape(text: str) -> str:
    return _html.escape(text, quote=False)


def card_html(card: Card) -> str:
    quotes = "\n".join(f"“{escape(q)}”" for q in card.quotes)
    parts = [
        f"<b>{escape(card.title)}</b>",
        escape(card.text),
        f"<blockquote>{quotes}\n— {escape(card.where)}</blockquote>",
    ]
    if card.background:
        parts.append(f"<i>{escape(BACKGROUND_LABEL)}：{escape(card.background)}</i>")
    return "\n\n".join(parts)


def reply_html(reply: Reply) -> str:
    if reply.cards:
        return "\n\n".join(card_html(c) for c in reply.cards)
    if reply.outcome == "suggest":
        return SUGGEST_LINE
    if reply.outcome == "unstated":
        return escape(reply.lead) + UNSTATED_END
    return escape(reply.lead) + DECLINE_END
