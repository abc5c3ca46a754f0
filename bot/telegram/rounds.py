"""Studying together in a group: /join and /leave (the roster, by choice), /round (N quiz polls at once,
closing together, then a summary the bot posts itself) and /report (the organiser's ledger as a spreadsheet).

A round is kept in the store (bot.together): its closing job is a JobQueue job made again at start for every
round not summed up yet, so a restart or a deploy during a round still posts its summary.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime, timedelta

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot.quiz import Question
from bot.service import Service
from bot.telegram import texts
from bot.telegram.broadcast import with_retry
from bot.telegram.chart import parts_chart
from bot.telegram.context import BotContext, BotData, service_of, study_of
from bot.telegram.filters import CHATS, NEW, without_mention
from bot.telegram.html import escape
from bot.telegram.polls import MAX_OPEN_PERIOD_S, is_chat_admin, send_poll
from bot.telegram.replies import reply_html, send_html
from bot.together import Round, RoundSummary, Together, parse_round_args

log = logging.getLogger(__name__)

ROUND_JOB_PREFIX = "round "
SUMMARY_DELAY_S = 3  # after the polls close, so the last votes are in


def part_of(service: Service, question: Question) -> str:
    return service.kb.part_of(question.entry_id)


def together_of(data: BotData) -> Together:
    return Together(study_of(data, data.library.questions if data.library else ()))


# ── the roster ─────────────────────────────────────────────────────────────────────────────────────────


async def join(update: Update, context: BotContext) -> None:
    """/join: the member is named in this group's summaries and ledger (only those who joined are)."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == Chat.PRIVATE or user is None:
        text = texts.ROSTER_GROUP_ONLY
    else:
        await Together(context.study).join(chat.id, user.id, user.full_name or str(user.id))
        text = texts.ROSTER_JOINED
    await reply_html(update.effective_message, text)
    context.log(update, text)


async def leave(update: Update, context: BotContext) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat.type == Chat.PRIVATE or user is None:
        text = texts.ROSTER_GROUP_ONLY
    else:
        left = await Together(context.study).leave(chat.id, user.id)
        text = texts.ROSTER_LEFT if left else texts.ROSTER_NOT_MEMBER
    await reply_html(update.effective_message, text)
    context.log(update, text)


# ── rounds ─────────────────────────────────────────────────────────────────────────────────────────────


async def round_command(update: Update, context: BotContext) -> None:
    """/round [N] [minutes] (group admins): N quiz polls at once from the chat's speech, spread over its
    parts, each closing by itself; /round off cancels the open one."""
    chat = update.effective_chat
    message = update.effective_message
    if not await _group_admin(update, context, texts.ROUND_GROUP_ONLY, texts.ROUND_ADMINS_ONLY):
        return
    args = [without_mention(a, context.bot.username) for a in (context.args or ())]
    parsed = parse_round_args([a for a in args if a])
    together = Together(context.study)
    if parsed == "off":
        cancelled = await together.cancel(chat.id)
        if cancelled is not None:
            _unschedule(context.application, cancelled.id)
            await _stop_polls(context, cancelled, together)
        await _say(update, context, texts.ROUND_CANCELLED if cancelled else texts.ROUND_NONE_OPEN)
        return
    if parsed == "usage":
        await _say(update, context, texts.ROUND_USAGE, answered=False)
        return
    count, minutes = parsed
    service = context.library
    questions = await together.questions_for_round(chat.id, count, lambda q: part_of(service, q))
    if not questions:
        await _say(update, context, texts.QUIZ_NOTHING_LEFT, answered=False)
        return
    current = await together.open_round(chat.id, service.kb.pack.id, len(questions), minutes)
    if current is None:
        await _say(update, context, texts.ROUND_ALREADY_OPEN, answered=False)
        return
    await reply_html(message, texts.round_opening(len(questions), minutes, service.kb.pack.meeting))
    seconds = minutes * 60
    for number, question in enumerate(questions, 1):
        heading = f"【第 {number}/{len(questions)} 题】\n"
        try:
            sent = await send_poll(
                context, chat.id, question, heading=heading, retry=True, open_seconds=seconds
            )
        except TelegramError as error:
            log.warning(
                "event=round_poll_failed chat=%s round=%s error=%r", chat.id, current.id, str(error)[:120]
            )
            break
        poll_id = sent.poll.id if sent.poll else None
        await together.asked_in_round(current.id, chat.id, question, poll_id, sent.message_id)
    schedule_close(context.application, current)
    context.log(update, f"[round] {len(questions)} 题 {minutes} 分钟")


async def _say(update: Update, context: BotContext, text: str, *, answered: bool = True) -> None:
    await reply_html(update.effective_message, text)
    context.log(update, text, answered=answered)


async def _group_admin(update: Update, context: BotContext, group_only: str, admins_only: str) -> bool:
    """Whether a command for group admins may go on; if not, the person is told why (a group's, an admin's)."""
    chat, user = update.effective_chat, update.effective_user
    if chat.type == Chat.PRIVATE:
        await _say(update, context, group_only, answered=False)
        return False
    if not await is_chat_admin(context, chat.id, user.id if user else None):
        await _say(update, context, admins_only, answered=False)
        return False
    return True


def schedule_close(application: Application, current: Round, *, now: datetime | None = None) -> None:
    """The round's summary job, at its closing time (at once for a round that closed while the bot was down)."""
    if application.job_queue is None:
        return
    name = f"{ROUND_JOB_PREFIX}{current.id}"
    if application.job_queue.get_jobs_by_name(name):
        return
    now = now or datetime.now(UTC)
    delay = max((current.closes_at - now).total_seconds(), 0) + SUMMARY_DELAY_S
    application.job_queue.run_once(close_round, timedelta(seconds=delay), data=current.id, name=name)


def _unschedule(application: Application, round_id: int) -> None:
    if application.job_queue is not None:
        for job in application.job_queue.get_jobs_by_name(f"{ROUND_JOB_PREFIX}{round_id}"):
            job.schedule_removal()


async def close_round(context: BotContext) -> None:
    """Time is up: the polls are closed (Telegram closes those within its 600 s; longer ones are stopped
    here), and the summary is posted once."""
    await post_summary(context, int(context.job.data))


async def post_summary(context: BotContext, round_id: int) -> bool:
    together = together_of(context.bot_data)
    if not await together.claim_summary(round_id):
        return False
    current = await together.round(round_id)
    if current is None:
        return False
    if current.minutes * 60 > MAX_OPEN_PERIOD_S:
        await _stop_polls(context, current, together)
    summary = await together.summary(current)
    text = summary_html(summary, service_of(context.bot_data, current.chat_id))
    await with_retry(lambda: send_html(context.bot, current.chat_id, text))
    await together.finish(round_id)
    log.info(
        "event=round_summary chat=%s round=%s participants=%d",
        current.chat_id,
        round_id,
        summary.participants,
    )
    return True


async def _stop_polls(context: BotContext, current: Round, together: Together) -> None:
    for message_id in await together.poll_messages(current.id):
        try:
            await context.bot.stop_poll(current.chat_id, message_id)
        except TelegramError as error:  # closed already, or deleted by an admin
            log.info(
                "event=stop_poll_skipped chat=%s message=%s error=%r",
                current.chat_id,
                message_id,
                str(error)[:80],
            )


def summary_html(summary: RoundSummary, service: Service) -> str:
    """The round's result for the group: who took part (named only if they joined), each question's right
    answers, the most-missed questions with the speech's sentence; a ranking only where the board is on."""
    current = summary.round
    lines = [
        f"<b>本轮学习小结</b>（{current.questions} 题 · {current.minutes} 分钟 · {escape(service.kb.pack.meeting)}）"
    ]
    if not summary.participants:
        lines.append("这一轮没有人作答。下次可以试试少几道题、多留些时间。")
        return "\n".join(lines)
    unnamed = summary.participants - len(summary.named)
    who = f"参加：{summary.participants} 人"
    if summary.named:
        who += "，其中 " + "、".join(escape(n) for n in summary.named)
        who += f" 等 {unnamed} 位未加入名单的成员不具名" if unnamed else ""
    lines.append(who + "。")
    lines.append(
        "各题答对：" + "；".join(f"第{n}题 {r.right}/{r.answered}" for n, r in enumerate(summary.results, 1))
    )
    missed = summary.most_missed
    if missed:
        lines.append("\n<b>错得最多的题</b>")
        for result in missed:
            lines.append(
                f"• {escape(result.question.question.splitlines()[-1][:80])}（答对 {result.right}/{result.answered}）"
            )
            lines.append(f"  正确答案：{escape('、'.join(result.question.answers))}")
            lines.append(f"<blockquote>{escape(result.question.evidence[:200])}</blockquote>")
    else:
        lines.append("每道题都全对了！")
    if summary.ranking:
        lines.append("\n<b>本轮答对题数</b>（本群开启了排行，只列出加入名单的成员）")
        lines += [f"{n}. {escape(name)} — {right} 题" for n, (name, right) in enumerate(summary.ranking, 1)]
    lines.append("\n想在小结里署名的成员发送 /join；错题可在私聊中 /review 复习。")
    return "\n".join(lines)


# ── the ledger ─────────────────────────────────────────────────────────────────────────────────────────


async def report(update: Update, context: BotContext) -> None:
    """/report (group admins): the group's 学习台账 as a spreadsheet, sent as a document."""
    from bot.ledger import build_ledger, write_xlsx

    chat = update.effective_chat
    if not await _group_admin(update, context, texts.REPORT_GROUP_ONLY, texts.REPORT_ADMINS_ONLY):
        return
    data = context.bot_data
    services = list(data.packs.services.values()) if data.packs else [context.library]
    ledger = await build_ledger(context.store, services, context.settings.timezone, chat_id=chat.id)
    buffer = io.BytesIO()
    await asyncio.to_thread(write_xlsx, ledger, buffer)
    stamp = datetime.now(context.settings.timezone).strftime("%Y%m%d")
    await context.bot.send_document(
        chat.id, buffer.getvalue(), filename=f"学习台账-{stamp}.xlsx", caption=texts.REPORT_CAPTION
    )
    shares = [(p.part, p.right / p.answered) for p in ledger.parts if p.answered]
    if shares:
        await context.bot.send_photo(chat.id, await parts_chart(shares), caption=texts.REPORT_CHART)
    context.log(update, "[report]")


# ── start ──────────────────────────────────────────────────────────────────────────────────────────────


async def on_start(application: Application) -> None:
    """Every round not summed up yet gets its closing job again (after a restart or a deploy)."""
    together = together_of(application.bot_data)
    unfinished = await together.unfinished_rounds()
    for current in unfinished:
        schedule_close(application, current)
    log.info("event=rounds_restored rounds=%d", len(unfinished))


def add_handlers(application: Application) -> None:
    for name, callback in (("join", join), ("leave", leave), ("round", round_command), ("report", report)):
        application.add_handler(CommandHandler(name, callback, filters=NEW & CHATS))
