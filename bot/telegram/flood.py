"""Flood control per person: more than N messages in T seconds gets one polite "slow down", the rest are dropped.

It runs before every other handler (group -1). A dropped update is logged with status "dropped" and stops
there; other people are never slowed down by one person's flood. Button taps are counted apart, with a
higher allowance (floodgate.TAP_FACTOR): a tap over it is answered without a word and never posts the notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.telegram.filters import is_addressed
from bot.telegram.floodgate import Verdict

if TYPE_CHECKING:
    from bot.telegram.context import BotContext

SLOW_DOWN = "您发得太快了，请稍等几秒再问。这期间的消息我不会回复。"
GROUP = -1


async def guard(update: Update, context: BotContext) -> None:
    """Let the update through, or answer "slow down" once, or drop it; either way a flood is logged."""
    user = update.effective_user
    message = update.message or update.edited_message
    if user is None or not (update.callback_query or (message and is_addressed(message))):
        return
    if update.callback_query:
        if context.bot_data.tap_flood is None or context.bot_data.tap_flood.check(user.id) is Verdict.PASS:
            return
        await update.callback_query.answer()  # the spinner stops; nothing is posted for a tap
        context.log(update, "", status="dropped")
        raise ApplicationHandlerStop
    verdict = context.flood.check(user.id)
    if verdict is Verdict.PASS:
        return
    if verdict is Verdict.WARN and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, SLOW_DOWN)
    context.log(update, SLOW_DOWN if verdict is Verdict.WARN else "", status="dropped")
    raise ApplicationHandlerStop


def add_handlers(application: Application) -> None:
    application.add_handler(TypeHandler(Update, guard), group=GROUP)
