"""The study quiz in Telegram: /quiz as native quiz polls, answers scored from PollAnswer updates, /daily sets
sent by the JobQueue, /review (错题本), /score and the opt-in group leaderboard /top.

Subscriptions live in SQLite; PTB persists no jobs, so `on_start` re-creates one daily job per time of day
from the table. The daily job broadcasts through `bot.telegram.broadcast` (paced, RetryAfter-aware; a blocked
chat unsubscribed).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, tzinfo
from datetime import time as time_of_day

from telegram import Chat, Message, Poll, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, PollAnswerHandler, PollHandler

from bot.daily import MAX_DAILY_COUNT, parse_time
from bot.quiz import Question, questions_about
from bot.study import PollTarget, Study
from bot.telegram import texts
from bot.telegram.broadcast import LEAVING, DeliveryUncertain, Report, Withdrawn, broadcast, with_retry
from bot.telegram.context import BotContext, study_of
from bot.telegram.filters import CHATS, NEW, without_mention
from bot.telegram.replies import reply_html

log = logging.getLogger(__name__)

REVIEW_BATCH = 3  # questions /review sends at once: a few, so it never floods the chat
DAILY_JOB_PREFIX = "daily "
# A set whose time passed while the bot was down (a crash, a deploy) is still sent if it starts within this;
# later, that day's set is skipped (a quiz at 08:00 arriving in the evening helps nobody).
DAILY_GRACE = timedelta(hours=3)
CATCH_UP_EVERY_S = 600  # at start, then every ten minutes: sets a Telegram outage held back go out


# ── sending questions ──────────────────────────────────────────────────────────────────────────────────


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
    context: BotContext, chat_id: int, question: Question, *, heading: str = "", retry: bool = False
) -> Message:
    """The quiz poll itself, not recorded (the caller records it, with what it knows of the send)."""
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
            correct_option_ids=list(question.correct),
            explanation=question.explanation,
            explanation_parse_mode=None,  # plain text: the speech's quotes are not HTML
            question_parse_mode=None,
        )

    return await (with_retry(send) if retry else send())


# ── commands ───────────────────────────────────────────────────────────────────────────────────────────


async def quiz(update: Update, context: BotContext) -> None:
    """/quiz: one question (a due review first in a private chat); /quiz 词: one about that word."""
    chat, user = update.effective_chat, update.effective_user
    word = without_mention(" ".join(context.args or ()), context.bot.username).strip()
    pool = questions_about(context.library.questions, word, context.library.matcher) if word else None
    if word and not pool:
        text = texts.quiz_no_topic(word, context.library.kb.pack)
        await reply_html(update.effective_message, text)
        context.log(update, text, answered=False)
        return
    private = chat.type == Chat.PRIVATE
    study = context.study
    picked = await study.next_questions(chat.id, 1, user_id=user.id if private and user else None, pool=pool)
    if not picked:
        await reply_html(update.effective_message, texts.QUIZ_NOTHING_LEFT)
        context.log(update, texts.QUIZ_NOTHING_LEFT, answered=False)
        return
    await send_question(context, chat, picked[0], source="quiz", study=study)
    context.log(update, f"[quiz] {picked[0].question}")


async def poll_answer(update: Update, context: BotContext) -> None:
    """A vote in one of our quiz polls: scored once per person; Telegram itself shows right/wrong.

    Only polls the bot sent count, only from a person who may answer them: the owner of the private chat it
    went to (a poll forwarded elsewhere keeps its id), or a member of the group it went to."""
    answer = update.poll_answer
    if answer is None or answer.user is None:  # an anonymous voter (a channel): nobody to score
        return
    study = context.study
    voter = answer.user.id
    target = await study.poll_target(answer.poll_id)
    if target is None:
        target = await _reconcile(context, answer.poll_id, voter=voter, answer=tuple(answer.option_ids))
    if target is None:
        return
    if target.owner is not None and voter != target.owner:
        log.info("event=poll_answer_refused poll=%s user=%s reason=not_the_chat", answer.poll_id, voter)
        return
    if target.owner is None and not await is_chat_member(context, target.chat_id, voter):
        log.info("event=poll_answer_refused poll=%s user=%s reason=not_a_member", answer.poll_id, voter)
        return
    outcome = await study.answer(target.asked_id, voter, answer.option_ids)
    if outcome is not None:
        log.info(
            "event=quiz_answer user=%s question=%s right=%s",
            answer.user.id,
            outcome.question.id,
            outcome.right,
        )


async def review(update: Update, context: BotContext) -> None:
    """/review: the 错题本 questions due now, a few at a time, and how many are due."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type != Chat.PRIVATE or user is None:
        await reply_html(update.effective_message, texts.QUIZ_PRIVATE_ONLY)
        context.log(update, texts.QUIZ_PRIVATE_ONLY, answered=False)
        return
    study = context.study
    due_ids = await study.due_ids(user.id)
    if not due_ids:
        _, total = await study.review_counts(user.id)
        due = await study.next_due(user.id)
        when = due.astimezone(context.settings.timezone).strftime("%m月%d日 %H:%M") if due else None
        text = texts.review_none(total, when)
        await reply_html(update.effective_message, text)
        context.log(update, text)
        return
    batch = due_ids[:REVIEW_BATCH]
    text = texts.review_intro(len(batch), len(due_ids))
    await reply_html(update.effective_message, text)
    for question_id in batch:
        await send_question(context, chat, study.by_id[question_id], source="review", study=study)
    context.log(update, text)


async def score(update: Update, context: BotContext) -> None:
    """/score: points, accuracy, current and best streak of days, reviews due."""
    user = update.effective_user
    if user is None:
        return
    result = await context.study.score(user.id)
    text = texts.score_text(
        result.points, result.answered, result.right, result.current_streak, result.best_streak, result.due
    )
    await reply_html(update.effective_message, text)
    context.log(update, text)


async def daily(update: Update, context: BotContext) -> None:
    """/daily HH:MM [N] subscribes the chat, /daily off stops it; /daily alone subscribes at the defaults
    (08:00, 3 questions) or, when subscribed, shows the setting."""
    chat, user = update.effective_chat, update.effective_user
    args = [a for a in (context.args or ()) if not a.startswith("@")]
    study = context.study
    settings = context.settings
    zone = str(settings.timezone)
    if not args:
        current = await study.subscription(chat.id)
        if current is not None:
            text = texts.daily_status(current.time, current.count, zone)
            await reply_html(update.effective_message, text)
            context.log(update, text)
            return
        args = ["on"]  # not subscribed yet: /daily alone subscribes at the defaults (BOT_DAILY_TIME, _COUNT)
    if chat.type != Chat.PRIVATE and not await is_chat_admin(context, chat.id, user.id if user else None):
        await reply_html(update.effective_message, texts.DAILY_ADMINS_ONLY)
        context.log(update, texts.DAILY_ADMINS_ONLY, answered=False)
        return
    if args[0].lower() in ("off", "stop", "关", "关闭", "停止", "取消"):
        text = texts.DAILY_OFF if await study.unsubscribe(chat.id) else texts.DAILY_WAS_OFF
        await reply_html(update.effective_message, text)
        context.log(update, text)
        return
    when = parse_time(args[0]) if args[0] not in ("on", "开", "开启") else settings.daily_time
    count = settings.daily_count
    if len(args) > 1:
        count = int(args[1]) if args[1].isascii() and args[1].isdecimal() else 0  # -1, abc: the usage
    if when is None or not 1 <= count <= MAX_DAILY_COUNT or len(args) > 2:
        await reply_html(update.effective_message, texts.DAILY_USAGE)
        context.log(update, texts.DAILY_USAGE, answered=False)
        return
    await study.subscribe(chat.id, chat.type, when, count)
    schedule_daily(context.application, when)
    text = texts.daily_on(when, count, zone)
    await reply_html(update.effective_message, text)
    context.log(update, text)


MAX_UNKNOWN_POLLS = 1000  # polls and answers kept in memory while waiting to be reconciled


async def poll_update(update: Update, context: BotContext) -> None:
    """A poll's new state (Telegram sends it for the bot's own polls as people vote): if the question it
    shows went out without a poll id (a send that timed out), this is the proof it arrived: adopt it."""
    poll = update.poll
    if poll is None or await context.study.poll_target(poll.id) is not None:
        return
    unknown = context.bot_data.unknown_polls
    unknown[poll.id] = (poll.question, tuple(o.text for o in poll.options))
    while len(unknown) > MAX_UNKNOWN_POLLS:
        unknown.pop(next(iter(unknown)))
    await _reconcile(context, poll.id)


async def _reconcile(
    context: BotContext, poll_id: str, *, voter: int | None = None, answer: tuple[int, ...] = ()
) -> PollTarget | None:
    """Adopt an unknown poll once its text (from a poll update) is known, then score the answers that
    came before it; an answer to a still-unknown poll waits (in memory) for the text."""
    data = context.bot_data
    waiting = data.orphan_answers.setdefault(poll_id, [])
    if voter is not None:
        waiting.append((voter, answer))
    while len(data.orphan_answers) > MAX_UNKNOWN_POLLS:
        data.orphan_answers.pop(next(iter(data.orphan_answers)))
    shown = data.unknown_polls.get(poll_id)
    if shown is None:
        return None
    study = context.study
    voters = {v for v, _ in waiting}
    target = await study.adopt_poll(
        poll_id, shown[0], shown[1], voter=next(iter(voters)) if len(voters) == 1 else None
    )
    if target is None:
        return None
    log.info("event=poll_reconciled poll=%s chat=%s asked=%s", poll_id, target.chat_id, target.asked_id)
    data.unknown_polls.pop(poll_id, None)
    earlier = [(v, a) for v, a in data.orphan_answers.pop(poll_id, []) if (v, a) != (voter, answer)]
    for earlier_voter, chosen in earlier:
        if target.owner in (None, earlier_voter):
            await study.answer(target.asked_id, earlier_voter, chosen)
    return target


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


async def top(update: Update, context: BotContext) -> None:
    """/top: the group's leaderboard of members who opted in; /top join, /top leave."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == Chat.PRIVATE or user is None:
        await reply_html(update.effective_message, texts.TOP_PRIVATE)
        context.log(update, texts.TOP_PRIVATE, answered=False)
        return
    study = context.study
    action = (context.args or [""])[0].lower()
    if action in ("join", "加入"):
        await study.join_leaderboard(chat.id, user.id, user.full_name or str(user.id))
        text = texts.TOP_JOINED
    elif action in ("leave", "退出"):
        text = texts.TOP_LEFT if await study.leave_leaderboard(chat.id, user.id) else texts.TOP_NOT_MEMBER
    else:
        board = await study.leaderboard(chat.id)
        joined = any(s.user_id == user.id for s in board)
        text = texts.leaderboard_text([(s.name, s.points, s.answered) for s in board], joined)
    await reply_html(update.effective_message, text)
    context.log(update, text)


# ── the daily set ──────────────────────────────────────────────────────────────────────────────────────


def schedule_daily(application: Application, when: str) -> None:
    """One repeating job per time of day; every chat subscribed at that time is served by it."""
    name = DAILY_JOB_PREFIX + when
    if application.job_queue is None or application.job_queue.get_jobs_by_name(name):
        return
    hour, minute = (int(part) for part in when.split(":"))
    zone = application.bot_data.settings.timezone
    application.job_queue.run_daily(
        daily_job,
        time_of_day(hour, minute, tzinfo=zone),
        name=name,
        data=when,
        job_kwargs={"misfire_grace_time": int(DAILY_GRACE.total_seconds())},
    )


async def on_start(application: Application) -> None:
    """Re-create the daily jobs from the subscriptions table (PTB keeps no jobs across restarts), settle the
    sends a crash cut off, and resume the day's unsent sets (DAILY_GRACE)."""
    data = application.bot_data
    rows = await data.store.fetchall("SELECT DISTINCT time FROM subscriptions ORDER BY time")
    for (when,) in rows:
        schedule_daily(application, when)
    study = study_of(data, data.library.questions)
    uncertain = await study.recover_daily()
    log.info("event=daily_jobs_restored times=%d interrupted_sends=%d", len(rows), uncertain)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            catch_up_daily, interval=CATCH_UP_EVERY_S, first=0.5, name="catch up on daily sets"
        )


def last_occurrence(when: str, now: datetime, zone: tzinfo) -> datetime:
    """The latest moment at `when` (HH:MM in `zone`) not after `now`."""
    hour, minute = (int(part) for part in when.split(":"))
    local = now.astimezone(zone)
    moment = datetime.combine(local.date(), time_of_day(hour, minute), tzinfo=zone)
    if moment > local:
        moment = datetime.combine(local.date() - timedelta(days=1), time_of_day(hour, minute), tzinfo=zone)
    return moment


async def catch_up_daily(context: BotContext) -> None:
    """Sets whose time passed less than DAILY_GRACE ago and are not finished: sent now (after a restart, a
    crash, or an outage that stopped the broadcast)."""
    study = context.study
    now = study.clock()
    zone = context.settings.timezone
    times = [when for (when,) in await context.store.fetchall("SELECT DISTINCT time FROM subscriptions")]
    for when in sorted(times):
        moment = last_occurrence(when, now, zone)
        day = moment.date().isoformat()
        if now - moment > DAILY_GRACE or not await study.daily_unfinished(day, when, moment):
            continue
        log.info("event=daily_resumed time=%s day=%s", when, day)
        report = await send_daily(context, when, day=day, made_before=moment)
        _log_report(when, report)


async def daily_job(context: BotContext) -> None:
    when = str(context.job.data)
    _log_report(when, await send_daily(context, when))


def _log_report(when: str, report: Report) -> None:
    log.info(
        "event=daily_sent time=%s chats=%d messages=%d gone=%d failed=%d left_for_next_start=%d",
        when, report.chats, report.sent, len(report.gone), len(report.failed), report.skipped,
    )  # fmt: skip


async def send_daily(
    context: BotContext, when: str, *, day: str | None = None, made_before: datetime | None = None
) -> Report:
    """The daily set to every chat subscribed at `when`: due reviews first, then unseen questions.

    Durable: each chat's set is planned once per day in the database and each question marked as it leaves,
    so a restart resumes what is left and nothing goes twice. When the bot is stopping, no new question
    leaves: the rest waits for the next start."""
    study = context.study
    data = context.bot_data
    day = day or study.local_day()
    if when in data.broadcasting:  # the job and a catch-up at once: the one running serves every chat
        log.info("event=daily_skipped time=%s reason=already_sending", when)
        return Report()
    subscriptions = {s.chat_id: s for s in await study.subscriptions(time=when, made_before=made_before)}

    def stopping() -> bool:
        return data.stopping

    async def serve(chat_id: int) -> int:
        subscription = subscriptions[chat_id]
        if not await study.daily_planned(chat_id, day) and await study.ignores_daily(chat_id):
            await with_retry(lambda: context.bot.send_message(chat_id, texts.DAILY_PAUSED))
            await study.unsubscribe(chat_id)
            log.info("event=daily_paused chat=%s reason=unanswered", chat_id)
            return 1
        await study.plan_daily(subscription, day)
        private = subscription.chat_type == Chat.PRIVATE
        sent = 0
        for position, size, question in await study.daily_due(chat_id, day):
            if stopping():
                break
            heading = f"【每日一练 {position}/{size}】\n"
            claimed = False

            async def claim(position: int = position) -> bool:  # as the request leaves (broadcast.LEAVING)
                nonlocal claimed
                claimed = await study.claim_daily(chat_id, day, position)
                return claimed

            token = LEAVING.set(claim)
            try:
                message = await send_poll(context, chat_id, question, heading=heading, retry=True)
            except Withdrawn:
                continue  # another sender (a catch-up beside the job) has it
            except DeliveryUncertain:
                await study.daily_sent(chat_id, day, position, question, poll_id=None, private=private,
                                       uncertain=True)  # fmt: skip
                sent += 1
                continue
            except BaseException:
                if claimed:
                    await study.daily_not_sent(chat_id, day, position)
                raise
            finally:
                LEAVING.reset(token)
            poll_id = message.poll.id if message.poll else None
            await study.daily_sent(chat_id, day, position, question, poll_id=poll_id, private=private)
            sent += 1
        return sent

    async def gone(chat_id: int) -> None:
        await study.unsubscribe(chat_id)

    data.broadcasting.add(when)
    try:
        return await broadcast(list(subscriptions), serve, on_gone=gone, should_stop=stopping)
    finally:
        data.broadcasting.discard(when)


def add_handlers(application: Application) -> None:
    for name, callback in (
        ("quiz", quiz),
        ("daily", daily),
        ("review", review),
        ("score", score),
        ("top", top),
    ):
        application.add_handler(CommandHandler(name, callback, filters=NEW & CHATS))
    application.add_handler(PollAnswerHandler(poll_answer))
    application.add_handler(PollHandler(poll_update))
