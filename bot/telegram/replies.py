"""Sending HTML: long texts split under the limit, the keyboard on the last piece, edits in place."""

from __future__ import annotations

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.matching import Match
from bot.telegram.html import match_html, split_html
from bot.telegram.keyboards import entry_buttons
from bot.telegram.reading import Library

MAX_BUTTONS = 4


async def reply_html(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Answer a message (quoted in groups); the keyboard goes under the last piece."""
    pieces = split_html(text)
    for n, piece in enumerate(pieces):
        last = n == len(pieces) - 1
        await message.reply_text(
            piece, reply_markup=keyboard if last else None, do_quote=None if n == 0 else False
        )


async def send_html(bot: Bot, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    pieces = split_html(text)
    for n, piece in enumerate(pieces):
        await bot.send_message(chat_id, piece, reply_markup=keyboard if n == len(pieces) - 1 else None)


async def edit_html(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Replace a message in place (the outline, search pages); pressing the same button twice is no error."""
    try:
        await query.edit_message_text(split_html(text)[0], reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


def match_keyboard(result: Match, library: Library) -> InlineKeyboardMarkup | None:
    """Related entries under an answer, the candidates under a "did you mean"; nothing under a decline."""
    kb = library.kb
    if result.outcome == "answer":
        ids = [r for shown in result.entry_ids for r in kb[shown].related]
        ids += list(result.suggestions)
        ids = [i for i in dict.fromkeys(ids) if i in kb and i not in result.entry_ids]
        return entry_buttons([kb[i] for i in ids[:MAX_BUTTONS]])
    if result.outcome in ("suggest", "unstated"):
        return entry_buttons([kb[i] for i in result.suggestions if i in kb])
    return None


async def reply_match(message: Message, result: Match, library: Library) -> None:
    await reply_html(message, match_html(result, library.kb), match_keyboard(result, library))


async def send_match(bot: Bot, chat_id: int, result: Match, library: Library) -> None:
    await send_html(bot, chat_id, match_html(result, library.kb), match_keyboard(result, library))
