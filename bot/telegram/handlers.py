"""The public commands, questions and buttons. Each handler: parse, call the core, format, reply, log.

Private chat: any text is a question. Group: commands, mentions of the bot and replies to it only (ADDRESSED).
`add_handlers` registers them; `add_fallbacks` (unknown command, stale button) must be registered last, after
every other module's handlers, so they only catch what nothing else took.
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.conversation import Context, follow
from bot.present.html import reply_html as render_html
from bot.quiz.answers import looks_like_a_choice
from bot.service import Service
from bot.storage import clean_text
from bot.telegram import texts
from bot.telegram.commands import ADMIN_COMMANDS, COMMANDS
from bot.telegram.context import BotContext
from bot.telegram.filters import ADDRESSED, CHATS, HAS_TEXT, MEDIA, NEW, TARGETED_COMMAND, without_mention
from bot.telegram.html import entry_html, split_html
from bot.telegram.keyboards import (
    button,
    examples_keyboard,
    forget_keyboard,
    outline_keyboard,
    search_keyboard,
)
from bot.telegram.replies import edit_html, reply_html, reply_with, send_reply

HITS_PER_PAGE = 5
INLINE_RESULTS = 10


async def start(update: Update, context: BotContext) -> None:
    """Welcome, what to ask, example buttons, and what is stored; in a group, how to ask there."""
    pack = context.library.kb.pack
    if update.effective_chat.type != ChatType.PRIVATE:
        text = texts.group_help(context.bot.username, pack)
        await reply_html(update.effective_message, text)
    else:
        text = texts.welcome(pack)
        await reply_html(update.effective_message, text, examples_keyboard(pack.examples))
    context.log(update, text)


async def help_command(update: Update, context: BotContext) -> None:
    """The commands; an admin's private /help adds the admin commands; in a group, how to ask there."""
    user = update.effective_user
    if update.effective_chat.type != ChatType.PRIVATE:
        text = texts.group_help(context.bot.username, context.library.kb.pack)
    else:
        admin = ADMIN_COMMANDS if user is not None and context.settings.is_admin(user.id) else ()
        text = texts.help_text(COMMANDS, context.bot.username, admin)
    await reply_html(update.effective_message, text)
    context.log(update, text)


async def about(update: Update, context: BotContext) -> None:
    """The meeting and the speech as a member wants to know them: when, who, its parts."""
    library = context.library
    parts = [library.kb[c].title for c in library.outline.children.get("", ())]
    text = texts.about_text(library.kb, parts)
    await reply_html(update.effective_message, text)
    context.log(update, text)


async def question(update: Update, context: BotContext) -> None:
    """Free text in a private chat, or a message in a group that mentions the bot or replies to it."""
    asked = without_mention(update.effective_message.text or "", context.bot.username)
    if looks_like_a_choice(asked) and await context.study.polled_lately(update.effective_chat.id):
        await reply_html(update.effective_message, texts.TAP_THE_POLL)  # "B", "对": meant for the poll above
        context.log(update, texts.TAP_THE_POLL, question=asked, answered=False)
        return
    await answer_in_context(update, context, asked)


async def answer_in_context(update: Update, context: BotContext, asked: str) -> None:
    """A question read with what this person was just shown (bot.conversation), answered, remembered, logged."""
    answered, now_shown = follow(context.library, asked, context.conversation(update), context.received_at)
    sent: list[int] = []
    shown = await reply_with(update.effective_message, answered.reply, sent=sent)
    context.remember(update, now_shown, sent)
    context.log_answer(update, shown, asked, answered)


async def guest(update: Update, context: BotContext) -> None:
    """Guest mode (Bot API 10.0): someone @mentions the bot in a chat it has not joined, where its owner
    enabled guest mode with BotFather; the answer card goes back through answerGuestQuery."""
    message = update.guest_message
    if message is None or not message.guest_query_id:
        return
    asked = without_mention(message.text or message.caption or "", context.bot.username)
    answered = context.library.ask(asked)
    text = split_html(render_html(answered.reply))[0]
    title = answered.reply.cards[0].title if answered.reply.cards else texts.GUEST_TITLE
    result = InlineQueryResultArticle(
        id=(answered.entry_id or "reply")[:64],
        title=title[:64],
        input_message_content=InputTextMessageContent(text, parse_mode=ParseMode.HTML),
    )
    await context.bot.answer_guest_query(message.guest_query_id, result)
    context.log_answer(update, text, asked, answered)


async def ask(update: Update, context: BotContext) -> None:
    """/ask 问题: the same as writing the question, and the way to ask in a group."""
    asked = " ".join(context.args or ())
    if not asked:
        usage = texts.usage_ask(context.library.kb.pack)
        await reply_html(update.effective_message, usage)
        context.log(update, usage, answered=False)
        return
    await answer_in_context(update, context, asked)


async def explain(update: Update, context: BotContext) -> None:
    """/explain 术语: the entry of that exact name when there is one, else the best match."""
    term = " ".join(context.args or ())
    if not term:
        usage = texts.usage_explain(context.library.kb.pack)
        await reply_html(update.effective_message, usage)
        context.log(update, usage, answered=False)
        return
    answered = context.library.explain(term)
    shown = await reply_with(update.effective_message, answered.reply)
    context.log(update, shown, question=term, match=answered.match, entry_id=answered.entry_id)


async def not_text(update: Update, context: BotContext) -> None:
    """A sticker, photo, voice… : say politely that only text works."""
    text = texts.text_only(context.library.kb.pack)
    await reply_html(update.effective_message, text)
    context.log(update, text, answered=False)


async def sections(update: Update, context: BotContext) -> None:
    """The outline as buttons; a tap shows a part in place (see `section_button`)."""
    library = context.library
    text = render_html(library.sections())
    await reply_html(update.effective_message, text, outline_keyboard(library.outline, library.kb))
    context.log(update, text)


async def section_button(update: Update, context: BotContext) -> None:
    """s:<id> shows a part with ‹ ↑ › around it; s: goes back to the outline."""
    query, library = update.callback_query, context.library
    entry_id = query.data.removeprefix("s:")
    shown = library.sections(entry_id)
    if shown is None:
        return await stale_button(update, context)
    await query.answer()
    text = render_html(shown)
    await edit_html(query, text, outline_keyboard(library.outline, library.kb, entry_id))
    context.log(update, text, entry_id=entry_id or None)


async def entry_button(update: Update, context: BotContext) -> None:
    """e:<id> (a related entry, a "did you mean") sends that entry as a new message."""
    query, library = update.callback_query, context.library
    reply = library.entry(query.data.removeprefix("e:"))
    if reply is None or update.effective_chat is None:
        return await stale_button(update, context)
    await query.answer()
    shown = await send_reply(context.bot, update.effective_chat.id, reply)
    entry = library.kb[reply.entry_ids[0]]
    context.remember(update, Context(entry.id, entry.title, context.received_at), [])  # follow-ups read it
    context.log(update, shown, entry_id=entry.id)


async def example_button(update: Update, context: BotContext) -> None:
    """x:<n> asks the n-th example question of /start."""
    query = update.callback_query
    number = query.data.removeprefix("x:")
    examples = context.library.kb.pack.examples
    if not number.isdigit() or int(number) >= len(examples) or update.effective_chat is None:
        return await stale_button(update, context)
    await query.answer()
    answered = context.library.ask(examples[int(number)])
    shown = await send_reply(context.bot, update.effective_chat.id, answered.reply)
    context.log(update, shown, question=answered.question, match=answered.match)


async def search(update: Update, context: BotContext) -> None:
    """/search 词: every place the word stands in the speech, with context, five to a page."""
    word = clean_text(" ".join(context.args or ()))  # echoed when not found: a lone surrogate cannot be sent
    found = context.library.search(word) if word.strip() else None
    if found is None or not found.hits:
        text = render_html(found) if found is not None else texts.usage_search(context.library.kb.pack)
        await reply_html(update.effective_message, text)
        context.log(update, text, answered=False)
        return
    first = found.hits[0]
    text, keyboard = search_page(context.library, first.offset, len(first.word), page=0)
    await reply_html(update.effective_message, text, keyboard)
    context.log(update, text)


async def search_button(update: Update, context: BotContext) -> None:
    """f:<offset>:<length>:<page> turns the page of a search."""
    query = update.callback_query
    parts = query.data.split(":")[1:]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return await stale_button(update, context)
    await query.answer()
    text, keyboard = search_page(context.library, *map(int, parts))
    await edit_html(query, text, keyboard)
    context.log(update, text)


async def random_card(update: Update, context: BotContext) -> None:
    """/random and the "再来一张" button: a term card, with its related entries."""
    reply = context.library.random_term()
    again = [button("再来一张", "r")]
    if update.callback_query:
        await update.callback_query.answer()
        shown = await send_reply(context.bot, update.effective_chat.id, reply, again)
    else:
        shown = await reply_with(update.effective_message, reply, again)
    context.log(update, shown, entry_id=reply.entry_ids[0])


async def forget(update: Update, context: BotContext) -> None:
    """/forget asks first. Not logged: logging it would store something about the person who asks us not to."""
    await reply_html(update.effective_message, texts.FORGET_ASK, forget_keyboard())


async def forget_button(update: Update, context: BotContext) -> None:
    """d:yes deletes everything stored about whoever pressed it; d:no leaves it all."""
    query = update.callback_query
    await query.answer()
    if query.data == "d:yes":
        deleted = await context.store.forget_user(query.from_user.id)
        await edit_html(query, texts.forgotten(deleted))
    else:
        await edit_html(query, texts.FORGET_CANCELLED)


async def inline_query(update: Update, context: BotContext) -> None:
    """@bot 术语 in any chat: up to ten answer cards. Not logged: each keystroke is an update of its own."""
    library = context.library
    entries = library.ranked(update.inline_query.query, INLINE_RESULTS)
    results = [
        InlineQueryResultArticle(
            id=entry.id,
            title=entry.title,
            description=entry.answer[:80],
            input_message_content=InputTextMessageContent(
                split_html(entry_html(entry, library.kb))[0], parse_mode=ParseMode.HTML
            ),
        )
        for entry in entries
    ]
    await update.inline_query.answer(results, cache_time=60)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command nobody handles (admin commands included, for anyone not in BOT_ADMINS)."""
    await reply_html(update.effective_message, texts.UNKNOWN_COMMAND)
    context.log(update, texts.UNKNOWN_COMMAND, answered=False)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button whose target is gone (after /reload, or from an old message)."""
    await update.callback_query.answer(texts.STALE_BUTTON, show_alert=False)
    context.log(update, texts.STALE_BUTTON, answered=False)


def search_page(
    library: Service, offset: int, length: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and the ‹ › keyboard of one page of hits for `speech[offset:offset + length]`."""
    found = library.search_at(offset, length)
    if not found.hits:
        return render_html(found), None
    pages = -(-len(found.hits) // HITS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    return render_html(found, page, HITS_PER_PAGE), search_keyboard(offset, length, page, pages)


def add_handlers(application: Application) -> None:
    command = {
        "start": start,
        "help": help_command,
        "ask": ask,
        "explain": explain,
        "sections": sections,
        "search": search,
        "random": random_card,
        "about": about,
        "forget": forget,
    }
    application.add_handler(
        MessageHandler(filters.UpdateType.GUEST_MESSAGE, guest)
    )  # before any other reads it
    for name, callback in command.items():
        application.add_handler(CommandHandler(name, callback, filters=NEW & CHATS))
    application.add_handler(MessageHandler(CHATS & ADDRESSED & HAS_TEXT & ~filters.COMMAND, question))
    application.add_handler(MessageHandler(NEW & CHATS & ADDRESSED & MEDIA, not_text))
    application.add_handler(CallbackQueryHandler(section_button, pattern=r"^s:"))
    application.add_handler(CallbackQueryHandler(entry_button, pattern=r"^e:"))
    application.add_handler(CallbackQueryHandler(example_button, pattern=r"^x:"))
    application.add_handler(CallbackQueryHandler(search_button, pattern=r"^f:"))
    application.add_handler(CallbackQueryHandler(random_card, pattern=r"^r$"))
    application.add_handler(CallbackQueryHandler(forget_button, pattern=r"^d:(yes|no)$"))
    application.add_handler(InlineQueryHandler(inline_query))


def add_fallbacks(application: Application) -> None:
    """Registered after every module's handlers: whatever they did not take."""
    application.add_handler(MessageHandler(NEW & CHATS & TARGETED_COMMAND, unknown_command))
    application.add_handler(CallbackQueryHandler(stale_button))
