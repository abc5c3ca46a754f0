"""/speech: the speeches this bot serves, with a button each; a tap makes it the chat's current speech.

Answers, /sections, /search, /quiz and /about then read that speech (BotContext.library); the choice is kept
in the store (chat_settings), so a restart keeps it. With one speech, /speech says which it is.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.library import Library
from bot.telegram.context import BotContext
from bot.telegram.filters import CHATS, NEW
from bot.telegram.replies import edit_html, reply_html

BUTTON_CHARS = 16  # a label a phone shows whole
PREFIX = "p:"


def label(library: Library, pack_id: str, current: str) -> str:
    pack = library.services[pack_id].kb.pack
    name = (pack.short_title or pack.meeting)[:BUTTON_CHARS]
    return f"✓ {name}" if pack_id == current else name


def speeches_html(library: Library, current: str) -> str:
    lines = ["<b>本机器人可以学习的讲话</b>（点按钮切换）："]
    for pack_id, service in library.services.items():
        pack = service.kb.pack
        mark = "（当前）" if pack_id == current else ""
        when = f"，{escape(pack.date_text or pack.date)}" if (pack.date_text or pack.date) else ""
        lines.append(f"• {escape(pack.meeting)}{when}{mark}")
    return "\n".join(lines)


def keyboard(library: Library, current: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label(library, p, current), callback_data=f"{PREFIX}{p}")]
            for p in library.services
        ]
    )


def current_of(context: BotContext, chat_id: int) -> str:
    library = context.bot_data.packs
    chosen = context.bot_data.chat_packs.get(chat_id)
    return (
        chosen if library is not None and chosen in library.services else (library.default if library else "")
    )


async def speech(update: Update, context: BotContext) -> None:
    library = context.bot_data.packs
    chat = update.effective_chat
    if library is None or chat is None or len(library) < 2:
        text = f"本机器人目前只讲一篇讲话：{escape(context.library.kb.pack.meeting)}上的讲话。"
        await reply_html(update.effective_message, text)
        context.log(update, text)
        return
    current = current_of(context, chat.id)
    text = speeches_html(library, current)
    await reply_html(update.effective_message, text, keyboard(library, current))
    context.log(update, text)


async def choose(update: Update, context: BotContext) -> None:
    query = update.callback_query
    library = context.bot_data.packs
    chat = update.effective_chat
    pack_id = (query.data or "").removeprefix(PREFIX)
    if library is None or chat is None or pack_id not in library.services:
        await query.answer("这篇讲话已不再提供，请重新发送 /speech。")
        return
    context.bot_data.chat_packs[chat.id] = pack_id
    user_id = update.effective_user.id if update.effective_user and chat.type == "private" else None
    await context.store.set_chat_setting(chat.id, "pack", pack_id, user_id=user_id)
    meeting = library.services[pack_id].kb.pack.meeting
    await query.answer(f"已切换到：{meeting}"[:200])
    await edit_html(
        query,
        speeches_html(library, pack_id) + f"\n\n已切换到：<b>{escape(meeting)}</b>。直接提问即可。",
        keyboard(library, pack_id),
    )


def add_handlers(application: Application) -> None:
    application.add_handler(CommandHandler("speech", speech, filters=NEW & CHATS))
    application.add_handler(CallbackQueryHandler(choose, pattern=rf"^{PREFIX}"))
