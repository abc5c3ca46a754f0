"""Admin commands (BOT_ADMINS only): /stats, /unanswered, /reload.

They are registered with a `filters.User` for the admins, so for anyone else they do not exist and the
"unknown command" fallback answers, exactly as for a typo. /unanswered quotes what people wrote, so it
answers only in a private chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, filters

from bot.knowledge import KnowledgeBase, KnowledgeError
from bot.library import Library
from bot.quiz import Question
from bot.study import FLAGS_TO_WITHDRAW
from bot.telegram import texts
from bot.telegram.chart import DAYS, daily_chart
from bot.telegram.context import BotContext
from bot.telegram.html import escape
from bot.telegram.replies import reply_html

UNANSWERED_LIMIT = 20
MAX_PROBLEMS_SHOWN = 15


async def stats(update: Update, context: BotContext) -> None:
    """The figures of the last 30 days, then the chart of questions per day and the answered share."""
    zone = context.settings.timezone
    figures = await context.store.stats(DAYS, tz=zone)
    text = stats_html(figures, context.library.kb)
    await reply_html(update.effective_message, text)
    png = await daily_chart(figures["per_day"], datetime.now(zone).date())
    await update.effective_message.reply_photo(
        png, caption=f"最近 {DAYS} 天：每天的提问数（柱）和回答率（线）"
    )
    context.log(update, text)


async def unanswered(update: Update, context: BotContext) -> None:
    """What people asked that the knowledge base does not answer well: the editor's to-do list.

    Only in a private chat: it quotes people's own words, which a group's other members must not see.
    """
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        await reply_html(update.effective_message, texts.PEOPLES_WORDS_PRIVATE_ONLY)
        context.log(update, texts.PEOPLES_WORDS_PRIVATE_ONLY, answered=False)
        return
    rows = await context.store.unanswered(UNANSWERED_LIMIT)
    text = unanswered_html(rows)
    await reply_html(update.effective_message, text)
    context.log(update, text)


async def flagged(update: Update, context: BotContext) -> None:
    """/flagged: the questions members flagged (纠错), the most flagged first; /flagged clear ID puts one back
    into the quiz (a question three people flagged is not asked until then)."""
    study = context.study
    args = context.args or []
    if len(args) == 2 and args[0].lower() in ("clear", "清除"):
        cleared = await study.clear_flags(args[1])
        text = texts.flags_cleared(args[1], cleared)
    else:
        text = flagged_html(await study.flagged(), study.by_id, FLAGS_TO_WITHDRAW)
    await reply_html(update.effective_message, text)
    context.log(update, text)


def flagged_html(rows: list[tuple[str, int, str]], by_id: Mapping[str, Question], withdraw_at: int) -> str:
    if not rows:
        return "没有被标记有误的题。"
    lines = [
        f"<b>成员标记有误的题</b>（{withdraw_at} 人以上标记的暂停出题；核对后发送 /flagged clear 题号 恢复）"
    ]
    for question_id, flags, _ in rows[:30]:
        question = by_id.get(question_id)
        shown = question.question.splitlines()[-1][:60] if question else "（已不在题库中）"
        state = "，已暂停" if flags >= withdraw_at else ""
        lines.append(f"• <code>{escape(question_id)}</code> {flags} 人{state}：{escape(shown)}")
        if question:
            lines.append(
                f"  答案：{escape('、'.join(question.answers))}；原文：{escape(question.evidence[:80])}"
            )
    return "\n".join(lines)


async def reload(update: Update, context: BotContext) -> None:
    """Read the knowledge folder again; a broken file keeps the running version and says file:line."""
    data = context.bot_data
    try:
        packs = await asyncio.to_thread(Library.load, context.settings.knowledge_dir, data.packs)
    except KnowledgeError as error:
        text = problems_html(error)
    else:
        data.packs, data.library = packs, packs.newest
        text = f"知识库已重新加载：{len(packs.newest.kb)} 条。"
        if len(packs) > 1:
            text += f"共 {len(packs)} 篇讲话，默认是最新的：{escape(packs.newest.kb.pack.meeting)}。"
    await reply_html(update.effective_message, text)
    context.log(update, text)


def stats_html(figures: dict[str, Any], kb: KnowledgeBase) -> str:
    lines = [
        f"<b>最近 {figures['days']} 天</b>",
        f"消息 {figures['exchanges']} 条，来自 {figures['users']} 人",
        f"回答 {figures['answered']}，未答 {figures['declined']}，回答率 {figures['answered_rate']:.0%}",
        f"限流丢弃 {figures['dropped']}，出错 {figures['errors']}",
    ]
    if figures["top_entries"]:
        lines.append("\n<b>看得最多的条目</b>")
        for number, (entry_id, count) in enumerate(figures["top_entries"][:5], 1):
            title = kb[entry_id].title if entry_id in kb else entry_id
            lines.append(f"{number}. {escape(title)} ×{count}")
    if figures["busiest_hours"]:
        busiest = "、".join(f"{hour} 时（{count}）" for hour, count in figures["busiest_hours"][:3])
        lines.append(f"\n最忙的时段：{busiest}")
    return "\n".join(lines)


def unanswered_html(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "还没有没答好的问题。"
    lines = [f"<b>没答好的问题</b>（前 {len(rows)} 个，按次数）"]
    for number, row in enumerate(rows, 1):
        lines.append(
            f"{number}. {escape(row['question'][:100])} ×{row['count']}"
            f"（未答 {row['declined']}，平均分 {row['mean_score']:.2f}）"
        )
    return "\n".join(lines)


def problems_html(error: KnowledgeError) -> str:
    shown = error.problems[:MAX_PROBLEMS_SHOWN]
    more = len(error.problems) - len(shown)
    lines = [f"知识库有 {len(error.problems)} 处错误，继续使用原来的版本："]
    lines += [f"<code>{escape(problem)}</code>" for problem in shown]
    if more:
        lines.append(f"……还有 {more} 处，运行 python -m bot kb check 查看全部。")
    return "\n".join(lines)


def add_handlers(application: Application) -> None:
    admins = filters.User(user_id=application.bot_data.settings.admins)
    only_admins = filters.UpdateType.MESSAGE & admins
    application.add_handler(CommandHandler("stats", stats, filters=only_admins))
    application.add_handler(CommandHandler("unanswered", unanswered, filters=only_admins))
    application.add_handler(CommandHandler("reload", reload, filters=only_admins))
    application.add_handler(CommandHandler("flagged", flagged, filters=only_admins))
