"""The study quiz in Telegram: /quiz as native quiz polls, answers scored from PollAnswer updates, /daily sets
sent by the JobQueue, /review (错题本), /score and the opt-in group leaderboard /top.

Subscriptions live in SQLite; PTB persists no jobs, so `on_start` re-creates one daily job per time of day
from the table. The daily job broadcasts through `bot.telegram.broadcast` (paced, RetryAfter-aware; a blocked
chat unsubscribed).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, tzinfo
from datetime import time as time_of_day

from telegram import Chat, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    PollAnswerHandler,
    PollHandler,
)

from bot.daily import MAX_DAILY_COUNT, parse_time
from bot.quiz import questions_about
from bot.study import PollTarget, Study
from bot.telegram import texts
from bot.telegram.broadcast import LEAVING, DeliveryUncertain, Report, Withdrawn, broadcast, with_retry
from bot.telegram.context import BotContext, service_of, study_of
from bot.telegram.filters import CHATS, NEW, without_mention
from bot.telegram.keyboards import button, keyboard
from bot.telegram.polls import is_chat_admin, is_chat_member, send_poll, send_question
from bot.telegram.replies import reply_html, send_html
from bot.together import BOARD_SETTING, Together

log = logging.getLogger(__name__)

REVIEW_BATCH = 10  # questions /review (or the 错题本 button) sends at once, at most
NEXT, BOOK, FLAG = "q:n", "q:b", "q:f:"  # callback data of the buttons under an answer's verdict
DAILY_JOB_PREFIX = "daily "
# A set whose time passed while the bot was down (a crash, a deploy) is still sent if it starts within this;
# later, that day's set is skipped (a quiz at 08:00 arriving in the evening helps nobody).
DAILY_GRACE = timedelta(hours=3)
CATCH_UP_EVERY_S = 600  # at start, then every ten minutes: sets a Telegram outage held back go out
REMIND_EVERY_S = 600  # how often the reminders are looked at: a nudge comes within ten minutes of its time
REMIND, REMINDED_ON = "remind", "reminded_on"  # user_settings keys: the choice, and the last day nudged


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
    if outcome is None:
        return
    log.info("event=quiz_answer user=%s question=%s right=%s", voter, outcome.question.id, outcome.right)
    if target.owner is None:
        return  # a group: the round's summary speaks for everyone, not a message per vote
    text = texts.answer_verdict(outcome.right, outcome.question)
    if await study.source_of(target.asked_id) == "daily" and (result := await study.daily_result(
        target.chat_id, voter
    )):  # fmt: skip
        text += "\n" + texts.daily_result(*result)
    await send_html(context.bot, target.chat_id, text, verdict_keyboard(target.asked_id))


def verdict_keyboard(asked_id: int) -> InlineKeyboardMarkup | None:
    return keyboard([[button("下一题", NEXT), button("错题本", BOOK), button("纠错", f"{FLAG}{asked_id}")]])


async def next_button(update: Update, context: BotContext) -> None:
    """下一题: one more question, as /quiz would send it."""
    query = update.callback_query
    await query.answer()
    user = query.from_user
    chat_id = query.message.chat.id if query.message else user.id
    study = context.study
    picked = await study.next_questions(chat_id, 1, user_id=user.id if chat_id == user.id else None)
    if not picked:
        await send_html(context.bot, chat_id, texts.QUIZ_NOTHING_LEFT)
        return
    await send_question(context, chat_id, picked[0], source="quiz", study=study)
    context.log(update, f"[quiz] {picked[0].question}")


async def book_button(update: Update, context: BotContext) -> None:
    """错题本: review now, due or not (the due ones first), at most REVIEW_BATCH."""
    query = update.callback_query
    await query.answer()
    user = query.from_user
    chat_id = query.message.chat.id if query.message else user.id
    if chat_id != user.id:
        await send_html(context.bot, chat_id, texts.QUIZ_PRIVATE_ONLY)
        return
    await send_review(context, update, user.id, early=True)


async def flag_button(update: Update, context: BotContext) -> None:
    """纠错: the person thinks the question is wrong; three people keep it out until an admin clears it."""
    query = update.callback_query
    asked_id = int(query.data.removeprefix(FLAG)) if query.data.removeprefix(FLAG).isdecimal() else 0
    flags = await context.study.flag(asked_id, query.from_user.id)
    await query.answer(
        texts.FLAGGED if flags is not None else texts.STALE_BUTTON, show_alert=flags is not None
    )
    if flags is not None:
        log.info("event=question_flagged asked=%s flags=%s", asked_id, flags)


async def review(update: Update, context: BotContext) -> None:
    """/review: the 错题本 questions due now, a few at a time, and how many are due."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type != Chat.PRIVATE or user is None:
        await reply_html(update.effective_message, texts.QUIZ_PRIVATE_ONLY)
        context.log(update, texts.QUIZ_PRIVATE_ONLY, answered=False)
        return
    await send_review(context, update, user.id, early=False)


async def send_review(context: BotContext, update: Update, user_id: int, *, early: bool) -> None:
    """The 错题本's due questions (at most REVIEW_BATCH). With none due: when the next comes due and a
    button to review now; `early` (that button, or 错题本 under a verdict) reviews the nearest ones at once."""
    study = context.study
    due_ids = await study.due_ids(user_id)
    _, total = await study.review_counts(user_id)
    if not due_ids and not (early and total):
        due = await study.next_due(user_id)
        when = due.astimezone(context.settings.timezone).strftime("%m月%d日 %H:%M") if due else None
        text = texts.review_none(total, when)
        buttons = keyboard([[button("现在复习", BOOK)]]) if total else None
        await send_html(context.bot, user_id, text, buttons)
        context.log(update, text)
        return
    batch = (due_ids or await study.book_ids(user_id, REVIEW_BATCH))[:REVIEW_BATCH]
    text = texts.review_intro(len(batch), len(due_ids)) if due_ids else texts.review_early(len(batch), total)
    await send_html(context.bot, user_id, text)
    for question_id in batch:
        await send_question(context, user_id, study.by_id[question_id], source="review", study=study)
    context.log(update, text)


async def score(update: Update, context: BotContext) -> None:
    """/score: points, accuracy, current and best streak of days, reviews due. A person's score is theirs:
    asked in a group, it goes to their private chat (or the group is told to ask there)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None:
        return
    result = await context.study.score(user.id)
    text = texts.score_text(
        result.points, result.answered, result.right, result.current_streak, result.best_streak, result.due
    )
    if chat.type != Chat.PRIVATE:
        try:
            await context.bot.send_message(user.id, text)
            note = texts.SCORE_SENT_PRIVATELY
        except Forbidden:  # never started a private chat with the bot
            note = texts.score_private(context.bot.username)
        await reply_html(update.effective_message, note)
        context.log(update, note)
        return
    await reply_html(update.effective_message, text)
    context.log(update, text)


async def membership(update: Update, context: BotContext) -> None:
    """The bot added to a group: it says how to ask there. Removed (or the group gone): the group's daily
    set stops and its open round is called off, so nothing is sent into a chat the bot left."""
    change = update.my_chat_member
    if change is None or change.chat.type == Chat.PRIVATE:
        return
    chat_id = change.chat.id
    before, after = change.old_chat_member.status, change.new_chat_member.status
    gone = after in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    if gone:
        unsubscribed = await context.study.unsubscribe(chat_id)
        cancelled = await Together(context.study).cancel(chat_id)  # its job then finds nothing to sum up
        log.info(
            "event=left_group chat=%s unsubscribed=%s round_cancelled=%s",
            chat_id,
            unsubscribed,
            bool(cancelled),
        )
    elif before in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        text = texts.group_help(context.bot.username, context.library.kb.pack)
        try:
            await context.bot.send_message(chat_id, text)
        except TelegramError as error:
            log.info("event=greeting_failed chat=%s error=%r", chat_id, str(error)[:80])
        log.info("event=joined_group chat=%s", chat_id)


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


async def top(update: Update, context: BotContext) -> None:
    """/top: the group's leaderboard of members who opted in; /top join, /top leave; /top on|off (admins):
    whether round summaries show a ranking (off unless the group turns it on)."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == Chat.PRIVATE or user is None:
        await reply_html(update.effective_message, texts.TOP_PRIVATE)
        context.log(update, texts.TOP_PRIVATE, answered=False)
        return
    study = context.study
    action = (context.args or [""])[0].lower()
    if action in ("on", "off", "开", "关"):
        if not await is_chat_admin(context, chat.id, user.id):
            text = texts.BOARD_ADMINS_ONLY
        else:
            on = action in ("on", "开")
            await context.store.set_chat_setting(chat.id, BOARD_SETTING, on)
            text = texts.BOARD_ON if on else texts.BOARD_OFF
    elif action in ("join", "加入"):
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


async def remind(update: Update, context: BotContext) -> None:
    """/remind on|off (private): a nudge at the person's daily time when 错题本 questions are due, at most
    once a day; /remind alone says whether it is on."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type != Chat.PRIVATE or user is None:
        await reply_html(update.effective_message, texts.QUIZ_PRIVATE_ONLY)
        context.log(update, texts.QUIZ_PRIVATE_ONLY, answered=False)
        return
    action = (context.args or [""])[0].lower()
    when = await reminder_time(context.study, context.settings.daily_time, user.id)
    if action in ("on", "开", "开启"):
        await context.store.set_user_setting(user.id, REMIND, True)
        text = texts.remind_on(when)
    elif action in ("off", "关", "关闭"):
        await context.store.set_user_setting(user.id, REMIND, None)
        text = texts.REMIND_OFF
    else:
        on = bool((await context.store.get_user_settings(user.id)).get(REMIND))
        text = texts.remind_status(on, when)
    await reply_html(update.effective_message, text)
    context.log(update, text)


async def reminder_time(study: Study, default: str, user_id: int) -> str:
    """The person's daily time: their private /daily subscription's, else the bot's default."""
    subscription = await study.subscription(user_id)
    return subscription.time if subscription is not None else default


def reminder_due(now: datetime, when: str, last_day: str | None, due: int) -> bool:
    """Whether to nudge now (local time `now`): past today's time, not nudged today, something due."""
    hour, minute = (int(part) for part in when.split(":"))
    return due > 0 and last_day != now.date().isoformat() and (now.hour, now.minute) >= (hour, minute)


async def remind_job(context: BotContext) -> None:
    """Every REMIND_EVERY_S: the people who asked for reminders and have questions due get one nudge a day.
    The day is marked before the send: a send that fails costs one nudge, never a second one."""
    store, study = context.store, context.study
    zone = context.settings.timezone
    now = study.clock().astimezone(zone)
    for user_id, on in await store.users_with_setting(REMIND):
        if not on:
            continue
        settings = await store.get_user_settings(user_id)
        when = await reminder_time(study, context.settings.daily_time, user_id)
        due = len(await study.due_ids(user_id))
        if not reminder_due(now, when, settings.get(REMINDED_ON), due):
            continue
        await store.set_user_setting(user_id, REMINDED_ON, now.date().isoformat())
        try:
            await context.bot.send_message(user_id, texts.reminder(due))
        except Forbidden:  # blocked the bot: no more reminders
            await store.set_user_setting(user_id, REMIND, None)
        except TelegramError as error:
            log.info("event=reminder_failed user=%s error=%r", user_id, str(error)[:80])


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
        application.job_queue.run_repeating(remind_job, interval=REMIND_EVERY_S, first=5, name="reminders")


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
            if (
                position == 1
            ):  # the set opens with one line (a resumed set, past its first question, does not)
                opening = texts.daily_opening(size, service_of(data, chat_id).kb.pack.meeting)
                await with_retry(lambda opening=opening: context.bot.send_message(chat_id, opening))
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
        ("remind", remind),
    ):
        application.add_handler(CommandHandler(name, callback, filters=NEW & CHATS))
    application.add_handler(PollAnswerHandler(poll_answer))
    application.add_handler(ChatMemberHandler(membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(CallbackQueryHandler(next_button, pattern=rf"^{NEXT}$"))
    application.add_handler(CallbackQueryHandler(book_button, pattern=rf"^{BOOK}$"))
    application.add_handler(CallbackQueryHandler(flag_button, pattern=rf"^{FLAG}\d+$"))
    application.add_handler(PollHandler(poll_update))
