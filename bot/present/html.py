"""Telegram HTML for a reply: the cards with the speech's words in a blockquote, or the one line that leads
to the buttons (the offered entries become buttons: bot.telegram.replies). Every text is escaped here."""

from __future__ import annotations

import html as _html
import re
from collections.abc import Sequence

from bot.knowledge import LABEL_CHARS, short_title
from bot.outline import Hit, part_of_where
from bot.present.model import BACKGROUND_LABEL, FOCUS_LEAD, Card, Reply
from bot.present.plain import not_found_text

SUGGEST_LINE = "没有找到确切的答案。您是不是想问下面这些？点一下查看，或换个说法再问。"
DECLINE_END = "\n\n发送 /help 查看我能做什么。"
OUTLINE = "<b>讲话结构</b>\n点一个部分阅读；‹ › 前后翻，↑ 回到上一级。"
SEARCH_GONE = "讲话原文已更新，这个搜索已过期，请重新 /search。"


def escape(text: str) -> str:
    return _html.escape(text, quote=False)


QUOTE_MARKS = str.maketrans("", "", "“”‘’\"'「」『』 \n\t")
CLAUSE = re.compile(r"[，,；;。！？!?：:、（）()\d.]+")


def restated(text: str, elsewhere: str) -> bool:
    """Whether every clause of `text` stands word for word in `elsewhere` (quotation marks, spaces, numbering
    aside): then showing `text` too would say the same words twice."""
    there = elsewhere.translate(QUOTE_MARKS)
    clauses = [c for c in CLAUSE.split(text.translate(QUOTE_MARKS)) if len(c) >= 2]
    return bool(clauses) and all(clause in there for clause in clauses)


def card_html(card: Card) -> str:
    """The card for a phone: the title, the answer, then the speech's words in an expandable blockquote (three
    lines until tapped) with where they stand. What is said twice is said once: a quote the answer already
    gives (its list, its sentence) leaves the blockquote, and an answer that only repeats the quotes gives way
    to them (a single-sentence card). The blockquote marks the quotation, so no quotation marks are added."""
    quoted = "\n".join(card.quotes)
    body = "" if card.quotes and restated(card.text, quoted) else card.text
    quotes = [q for q in card.quotes if not (body and restated(q, body))]
    title = card.title
    if len(title) > LABEL_CHARS and restated(title, body + quoted):
        title = short_title(title)  # the long sentence that names the card stands below in full
    words = "\n".join(escape(q) for q in quotes)
    parts = [f"<b>{escape(title)}</b>"]
    if body:
        parts.append(escape(body))
    if words:
        parts.append(f"<blockquote expandable>{words}\n— {escape(card.where)}</blockquote>")
    else:  # the answer gave the speech's words already: where they stand is enough
        parts.append(f"<i>出处：{escape(card.where)}</i>")
    if card.background:
        parts.append(f"<i>{escape(BACKGROUND_LABEL)}：{escape(card.background)}</i>")
    return "\n\n".join(parts)


def hits_html(hits: Sequence[Hit], page: int, per_page: int) -> str:
    """One page of search hits: the word marked in its sentence, and where that sentence stands."""
    total = len(hits)
    pages = max(1, -(-total // per_page))
    word = escape(hits[0].word) if hits else ""
    lines = [f"“<b>{word}</b>”在讲话的 {total} 句话里出现（第 {page + 1}/{pages} 页），按部分列出："]
    part_shown = ""
    for number, hit in enumerate(hits[page * per_page : (page + 1) * per_page], page * per_page + 1):
        part, rest = part_of_where(hit.where)
        if part != part_shown:
            lines.append(f"\n<b>{escape(part)}</b>")
            part_shown = part
        lines.append(f"{number}. …{escape(hit.before)}<b>{escape(hit.word)}</b>{escape(hit.after)}…")
        if rest:
            lines.append(f"<i>{escape(rest)}</i>")
    return "\n".join(lines)


def reply_html(reply: Reply, page: int = 0, per_page: int = 5) -> str:
    """The reply as Telegram HTML; a search shows one page of its hits (the keyboard turns the pages)."""
    if reply.outcome == "sections":
        return card_html(reply.cards[0]) if reply.cards else OUTLINE
    if reply.outcome == "search":
        return hits_html(reply.hits, page, per_page)
    if reply.outcome in ("claim", "item"):
        said = [f"<blockquote>{escape(h.word)}\n— {escape(h.where)}</blockquote>" for h in reply.hits]
        return "\n\n".join([escape(reply.lead), *said, *(card_html(c) for c in reply.cards)])
    if reply.outcome == "digest":
        lines = [escape(reply.lead)]
        for number, hit in enumerate(reply.hits, 1):
            lines.append(
                f"\n{number}. {escape(hit.before)}<b>{escape(hit.word)}</b>{escape(hit.after)}\n"
                f"<i>{escape(hit.where)}</i>"
            )
        return "\n".join(lines)
    if reply.outcome == "not_found":
        return escape(not_found_text(reply.lead)) if reply.lead else SEARCH_GONE
    if reply.cards:
        parts = [escape(reply.lead)] * bool(reply.lead) + [card_html(c) for c in reply.cards]
        if reply.hits:  # the sentences that say what was asked, when the cards do not show them
            said = (f"<blockquote>{escape(h.word)}\n— {escape(h.where)}</blockquote>" for h in reply.hits)
            parts.append("\n".join([escape(FOCUS_LEAD), *said]))
        return "\n\n".join(parts)
    if reply.outcome == "suggest":
        return SUGGEST_LINE
    if reply.outcome == "courtesy":
        return escape(reply.lead)
    return escape(reply.lead) + DECLINE_END
