"""The one place the Application is built: settings in, a ready Application out.

To add a handler module (the quiz, say): give it `add_handlers(application)` and list it in HANDLER_MODULES;
put its commands in `bot.telegram.commands.COMMANDS`; an optional `async on_start(application)` runs at the end
of post_init (the quiz re-creates its daily jobs there). The fallbacks are registered after all of them.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommandScopeChat, Update
from telegram.constants import ParseMode
from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.library import Library
from bot.settings import Settings, opt_into_ptb_timedelta
from bot.storage import Store
from bot.telegram import admin, flood, handlers, inbox, quiz, rounds, speeches, texts
from bot.telegram.broadcast import DeliveryUncertain, PacedRateLimiter, not_received
from bot.telegram.commands import ADMIN_COMMANDS, COMMANDS, bot_commands
from bot.telegram.context import BotContext, BotData
from bot.telegram.floodgate import TAP_FACTOR, FloodGate
from bot.telegram.inbox import DurableBot, InboxApplication

# A RetryAfter from Telegram holds every request for as long as it asks, then the request is tried again.
RATE_LIMIT_RETRIES = 2
# How long a send waits for Telegram's answer. PTB's 5 s made a slow answer (8 s) a timeout, and the retry a
# duplicate; past this, a send is taken as "may have arrived" and not repeated (broadcast.DeliveryUncertain).
SEND_READ_TIMEOUT_S = 30.0
CONNECTION_POOL_SIZE = 256  # as PTB's default for the sending request
HANDLER_MODULES = (flood, handlers, admin, quiz, rounds, speeches)
ALLOWED_UPDATES = (
    "message", "edited_message", "callback_query", "inline_query", "poll_answer", "poll", "my_chat_member",
    "guest_message",
)  # fmt: skip

log = logging.getLogger(__name__)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> Application:
    """The bot, configured; `request`s replace PTB's HTTP client (the tests record calls with one)."""
    opt_into_ptb_timedelta()
    bot = DurableBot(
        token=settings.require_token(),
        base_url=settings.api_base_url,
        base_file_url=settings.file_base_url,
        request=request
        or HTTPXRequest(connection_pool_size=CONNECTION_POOL_SIZE, read_timeout=SEND_READ_TIMEOUT_S),
        get_updates_request=updates_request or request or HTTPXRequest(connection_pool_size=1),
        defaults=Defaults(
            parse_mode=ParseMode.HTML, tzinfo=settings.timezone, allow_sending_without_reply=True
        ),
        rate_limiter=PacedRateLimiter(max_retries=RATE_LIMIT_RETRIES),
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .application_class(InboxApplication)
        .concurrent_updates(True)
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    application = builder.build()
    application.bot_data.settings = settings
    for module in HANDLER_MODULES:
        module.add_handlers(application)
    handlers.add_fallbacks(application)
    application.add_error_handler(on_error)
    return application


async def post_init(application: Application) -> None:
    """Before the first update: the knowledge base and jieba loaded, the store open, the commands set."""
    data: BotData = application.bot_data
    settings = data.settings
    if data.library is None:
        data.packs = await asyncio.to_thread(Library.load, settings.knowledge_dir)
        data.library = data.packs.newest
    data.flood = FloodGate(settings.flood_messages, settings.flood_seconds)
    data.tap_flood = FloodGate(settings.flood_messages * TAP_FACTOR, settings.flood_seconds)
    data.store = await Store(settings.db_path, retention_days=settings.retention_days).open()
    if data.packs is not None and len(data.packs) > 1:
        data.chat_packs = {
            c: p for c, p in (await data.store.chats_with_setting("pack")).items() if isinstance(p, str)
        }
    bot = application.bot
    if isinstance(bot, DurableBot):
        bot.attach(data.store, on_poll_success=lambda: _reachable_again(data))
    if isinstance(bot.rate_limiter, PacedRateLimiter):
        bot.rate_limiter.stopping = lambda: data.stopping
        await data.store.prune_inbox()
    await application.bot.set_my_commands(bot_commands(COMMANDS))
    try:  # what a person reads before the first message (the bot's profile and its empty chat)
        library = data.library
        await application.bot.set_my_description(texts.description(library.kb.pack) if library else None)
        await application.bot.set_my_short_description(texts.SHORT_DESCRIPTION)
    except TelegramError as error:
        log.warning("event=description_not_set error=%r", str(error)[:120])
    for admin_id in sorted(settings.admins):
        try:
            scope = BotCommandScopeChat(admin_id)
            await application.bot.set_my_commands(bot_commands(COMMANDS + ADMIN_COMMANDS), scope=scope)
        except TelegramError as error:  # an admin who never opened a chat with the bot: not fatal
            log.warning("admin commands not set for %s: %s", admin_id, error)
    for module in HANDLER_MODULES:
        on_start = getattr(module, "on_start", None)
        if on_start is not None:
            await on_start(application)
    await inbox.replay(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _retry_pending, interval=inbox.RETRY_PENDING_EVERY_S, first=inbox.RETRY_PENDING_EVERY_S
        )
    log.info(
        "event=ready entries=%d questions=%d db=%s",
        len(data.library.kb),
        len(data.library.questions),
        settings.db_path,
    )


async def _retry_pending(context: BotContext) -> None:
    """Updates whose reply failed (Telegram down longer than the retries) are handled again; handled ones
    older than two days are forgotten."""
    await inbox.replay(context.application, older_than_s=inbox.RETRY_PENDING_AFTER_S)
    await context.store.prune_inbox()


def _reachable_again(data: BotData) -> None:
    if data.telegram_unreachable:
        data.telegram_unreachable = False
        log.info("event=telegram_reachable")


async def post_shutdown(application: Application) -> None:
    """After the last update: everything queued for the store is written, then it closes."""
    data: BotData = application.bot_data
    if data.store is not None:
        await data.store.close()
        data.store = None


async def on_error(update: object, context: BotContext) -> None:
    """The one error handler. Polling trouble is one line; a reply that may have arrived is no failure;
    a reply Telegram did not receive is handled again later; anything else is a traceback in the log and a
    short word to the person."""
    error = context.error
    if update is None:
        polling_failed(context.application, error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, DeliveryUncertain):
        log.warning(
            "event=reply_uncertain update=%s: no answer from Telegram in time; not repeated", update_id
        )
        return
    if isinstance(update, Update) and error is not None and not_received(error):
        log.warning("event=reply_failed update=%s error=%r: handled again later", update_id, str(error)[:160])
        context.bot_data.failed_updates.add(update.update_id)
        return
    log.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer()
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR)
    except TelegramError as error:
        log.warning("could not tell update %s about the failure: %s", update_id, error)
    context.log(update, texts.ERROR, status="error")


def polling_failed(application: Application, error: BaseException | None) -> None:
    """getUpdates failed: another instance polling the token stops this one; an outage is one line."""
    data: BotData = application.bot_data
    if isinstance(error, Conflict):
        if data.exit_code == 0:
            log.error(
                "event=conflict another instance is polling this token (Telegram: %s); this one stops",
                error.message,
            )
            data.exit_code = 1
            if isinstance(application.bot, DurableBot):
                application.bot.halt()
            application.stop_running()
    elif isinstance(error, NetworkError):
        if not data.telegram_unreachable:
            data.telegram_unreachable = True
            log.warning("event=telegram_unreachable retrying error=%r", str(error)[:160])
    else:
        log.error("event=polling_failed error=%r", str(error)[:200])
