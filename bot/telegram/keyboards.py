"""Inline keyboards. Buttons carry ids, never text, so callback_data stays under Telegram's 64 bytes.

| callback_data | meaning |
| --- | --- |
| `e:<entry id>` | show an entry as a new message (related entries, "did you mean") |
| `s:<entry id>`, `s:` | show a section of the outline in place; `s:` is the outline itself |
| `f:<offset>:<length>:<page>` | a page of /search hits; the word is `speech[offset:offset + length]` |
| `x:<n>` | ask the n-th example question of /start |
| `r` | another random term card |
| `d:yes`, `d:no` | confirm or cancel /forget |
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.knowledge import LABEL_CHARS, Entry, KnowledgeBase
from bot.outline import Outline

CALLBACK_LIMIT = 64

log = logging.getLogger(__name__)


def button(label: str, data: str) -> InlineKeyboardButton | None:
    """A callback button, or None (and a warning) when its data would not fit."""
    if len(data.encode()) > CALLBACK_LIMIT:
        log.warning("callback data over %d bytes dropped: %r", CALLBACK_LIMIT, data[:80])
        return None
    if len(label) > LABEL_CHARS:
        label = label[: LABEL_CHARS - 1] + "…"
    return InlineKeyboardButton(label, callback_data=data)


def keyboard(rows: Iterable[Iterable[InlineKeyboardButton | None]]) -> InlineKeyboardMarkup | None:
    kept = [row for row in ([b for b in r if b is not None] for r in rows) if row]
    return InlineKeyboardMarkup(kept) if kept else None


def entry_buttons(
    entries: Sequence[Entry], *extra_rows: Sequence[InlineKeyboardButton | None]
) -> InlineKeyboardMarkup | None:
    """One button per entry, one per row, then any extra rows."""
    return keyboard([*([button(e.short_title, f"e:{e.id}")] for e in entries), *extra_rows])


def outline_keyboard(outline: Outline, kb: KnowledgeBase, entry_id: str = "") -> InlineKeyboardMarkup | None:
    """The parts under a section, then ‹ previous, ↑ up, › next (the root shows only the parts)."""
    rows = [[button(kb[c].short_title, f"s:{c}")] for c in outline.children.get(entry_id, ())]
    if entry_id:
        before, after = outline.neighbours(entry_id)
        rows.append(
            [
                button("‹", f"s:{before}") if before else None,
                button("↑", f"s:{outline.parent.get(entry_id, '')}"),
                button("›", f"s:{after}") if after else None,
            ]
        )
    return keyboard(rows)


def search_keyboard(offset: int, length: int, page: int, pages: int) -> InlineKeyboardMarkup | None:
    return keyboard(
        [
            [
                button("‹", f"f:{offset}:{length}:{page - 1}") if page > 0 else None,
                button(f"{page + 1}/{pages}", f"f:{offset}:{length}:{page}") if pages > 1 else None,
                button("›", f"f:{offset}:{length}:{page + 1}") if page + 1 < pages else None,
            ]
        ]
    )


def examples_keyboard(examples: Sequence[str]) -> InlineKeyboardMarkup | None:
    return keyboard([button(text, f"x:{n}")] for n, text in enumerate(examples))


def forget_keyboard() -> InlineKeyboardMarkup | None:
    return keyboard([[button("确认删除", "d:yes"), button("取消", "d:no")]])
