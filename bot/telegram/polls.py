"""Quiz polls sent and the members who may answer them: shared by the quiz and the group rounds.

Not a handler module: bot.telegram.quiz and bot.telegram.rounds both send through it.
"""

from __future__ import annotations

import logging
import time

from telegram import Chat, Message, Poll
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.quiz import MULTI, Question
from bot.study import Study
from bot.telegram.broadcast import with_retry
from bot.telegram.context import BotContext

log = logging.getLogger(__name__)

MIN_OPEN_PERIOD_S = 5  # what Telegram allows for a poll's open_period
MAX_OPEN_PERIOD_S = 600


async def send_question(
    context: BotContext,
    chat: Chat | int,
    question: Question,
    *,
    source: str,
    heading: str = "",
    study: Study | None = None,
    retry: bool = False,
) -> Message:
    """One question as a quiz poll that is not anonymous (so answers come back as PollAnswer), recorded."""
    chat_id = chat if isinstance(chat, int) else chat.id
    private = chat_id > 0
    message = await send_poll(context, chat_id, question, heading=heading, retry=retry)
    study = study or context.study
    poll_id = message.poll.id if message.poll else None
    await study.record_asked(chat_id, question, source=source, poll_id=poll_id, private=private)
    return message


async def send_poll(
    context: BotContext,
    chat_id: int,
    question: Question,
    *,
    heading: str = "",
    retry: bool = False,
    open_seconds: int | None = None,
) -> Message:
    """The quiz poll itself, not recorded (the caller records it, with what it knows of the send).

    `open_seconds` (a group round): the poll closes by itself after that long (Telegram allows 5–600 s) and
    hides its results until then; a longer round's polls are closed by the round's job (stop_poll)."""
    closing: dict[str, object] = {}
    if open_seconds is not None:
        closing["hide_results_until_closes"] = True
        if MIN_OPEN_PERIOD_S <= open_seconds <= MAX_OPEN_PERIOD_S:
            closing["open_period"] = open_seconds
    text = (
        f"{heading}{question.question}" if len(heading) + len(question.question) <= 300 else question.question
    )

    async def send() -> Message:
        return await context.bot.send_poll(
            chat_id,
            text,
            list(question.options),
            is_anonymous=False,
            type=Poll.QUIZ,
            allows_multiple_answers=question.type == MULTI,  # 多选: all the right options, nothing else
            correct_option_ids=list(question.correct),
            explanation=question.explanation,
            explanation_parse_mode=None,  # plain text: the speech's quotes are not HTML
            question_parse_mode=None,
            **closing,
        )

    return await (with_retry(send) if retry else send())


MEMBER_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER)
MEMBERSHIP_CACHE_S = 600.0


async def is_chat_member(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Whether the person is in the group now (asked of Telegram at most every ten minutes per person)."""
    cache = context.bot_data.members
    known = cache.get((chat_id, user_id))
    now = time.monotonic()
    if known is not None and now - known[1] < MEMBERSHIP_CACHE_S:
        return known[0]
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        log.warning("event=membership_unknown chat=%s user=%s error=%r", chat_id, user_id, str(error)[:120])
        return False
    inside = member.status in MEMBER_STATUSES or (
        member.status == ChatMemberStatus.RESTRICTED and bool(getattr(member, "is_member", False))
    )
    cache[(chat_id, user_id)] = (inside, now)
    return inside


async def is_chat_admin(context: BotContext, chat_id: int, user_id: int | None) -> bool:
    if user_id is None:
        return False
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
