"""Sending HTML: long texts split under the limit, the keyboard on the last piece, edits in place; a Reply
(bot.present) rendered as Telegram HTML with the entries it offers as buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from telegram import Bot, CallbackQuery, CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.present.html import reply_html as render_html
from bot.present.model import Reply
from bot.telegram.html import split_html
from bot.telegram.keyboards import button, keyboard

ExtraRow = Sequence[InlineKeyboardButton | None]


QUOTED_CHARS = 120  # of the member's question, quoted above the answer in a group
COMMAND_OR_MENTION = re.compile(r"^\s*(?:/\w+(?:@\w+)?|@\w+)[\s,，:：]*")


def question_quote(message: Message) -> dict[str, Any] | bool | None:
    """In a group, the answer replies to the member's message quoting their question (ReplyParameters with
    `quote`: the words after /ask or the @mention, as Telegram requires, a piece of the message's own text);
    in a private chat, no quote (None: PTB's default)."""
    if message.chat.type == ChatType.PRIVATE:
        return None
    text = message.text or ""
    asked = COMMAND_OR_MENTION.sub("", text)[:QUOTED_CHARS].rstrip()
    if not asked or asked not in text:
        return True
    return message.build_reply_arguments(quote=asked)


async def reply_html(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> list[int]:
    """Answer a message (in a group, replying to it with the question quoted); the keyboard goes under the
    last piece. Returns the ids sent."""
    pieces = split_html(text)
    sent: list[int] = []
    for n, piece in enumerate(pieces):
        last = n == len(pieces) - 1
        answer = await message.reply_text(
            piece,
            reply_markup=keyboard if last else None,
            do_quote=question_quote(message) if n == 0 else False,
        )
        if isinstance(answer, Message):
            sent.append(answer.message_id)
    return sent


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


COPY_LIMIT = 256  # what a CopyTextButton may hold (Bot API)
COPY_LABEL = "复制原文"


def copy_button(reply: Reply) -> InlineKeyboardButton | None:
    """复制原文: the speech's words of the answer, with where they stand, for people's notes (None when the
    reply quotes nothing)."""
    quotes = [(q, card.where) for card in reply.cards for q in card.quotes]
    if not quotes:
        return None
    text = "\n".join(f"{q}（{where}）" for q, where in quotes)
    if len(text) > COPY_LIMIT:
        first, where = quotes[0]
        text = f"{first}（{where}）"
        if len(text) > COPY_LIMIT:
            text = first[: COPY_LIMIT - 1] + "…"
    return InlineKeyboardButton(COPY_LABEL, copy_text=CopyTextButton(text))


def choices_keyboard(reply: Reply, *extra_rows: ExtraRow) -> InlineKeyboardMarkup | None:
    """The entries a reply offers, a button each (the same ones the console lists), 复制原文 when it quotes the
    speech, then any extra rows."""
    return keyboard(
        [*([button(c.button, f"e:{c.entry_id}")] for c in reply.choices), [copy_button(reply)], *extra_rows]
    )


async def reply_with(
    message: Message, reply: Reply, *extra_rows: ExtraRow, sent: list[int] | None = None
) -> str:
    """Answer a message with a Reply; returns the HTML sent, for the log (what the person saw). The ids of
    the messages sent are added to `sent` when given."""
    text = render_html(reply)
    ids = await reply_html(message, text, choices_keyboard(reply, *extra_rows))
    if sent is not None:
        sent.extend(ids)
    return text


async def send_reply(bot: Bot, chat_id: int, reply: Reply, *extra_rows: ExtraRow) -> str:
    """A Reply as a new message (a button's answer); returns the HTML sent."""
    text = render_html(reply)
    await send_html(bot, chat_id, text, choices_keyboard(reply, *extra_rows))
    return text
