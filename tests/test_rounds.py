"""Studying together in a group, through `process_update` and the fake Bot API: the roster by choice, a
round from /round to its summary (posted by the bot's own job), /round off, a restart during a round, 纠错
flags, the verdict after a private answer, reminders and the organiser's ledger."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.service import Service
from bot.telegram import texts
from bot.telegram.context import BotContext
from bot.telegram.quiz import REMIND, reminder_due
from bot.telegram.rounds import part_of
from bot.together import BOARD_SETTING, Together, parse_round_args, spread_over_parts
from tests.fake_bot_api import poll_answer, user
from tests.test_telegram_handlers import (  # noqa: F401 - `library` is a fixture used by name
    GROUP,
    USER,
    Bot,
    library,
    only,
    settings_for,
    started,
    stopped,
    visible,
)

ADMIN_OF_GROUP = 500
JOINED, SHY = 501, 502  # a member who joined the roster, and one who did not


@pytest.fixture
async def bot(tmp_path: Path, library: Service) -> AsyncIterator[Bot]:  # noqa: F811
    running = await started(settings_for(tmp_path), library)
    running.telegram.chat_admins.add(ADMIN_OF_GROUP)
    running.telegram.chat_types[GROUP] = "supergroup"
    yield running
    await stopped(running)


async def in_group(bot: Bot, text: str, user_id: int, name: str = "成员"):
    return await bot.text(text, user_id=user_id, chat_type="supergroup", **{"from": user(user_id, name)})


async def start_round(bot: Bot, text: str = "/round 3 5") -> tuple[list, list]:
    calls = await in_group(bot, text, ADMIN_OF_GROUP, "书记")
    return [c for c in calls if c.method == "sendMessage"], [c for c in calls if c.method == "sendPoll"]


def run_at(job) -> datetime:
    """When a job of a JobQueue that is not running (these tests process updates one by one) would run."""
    return job.job.trigger.run_date


async def shown_correct(bot: Bot) -> list[tuple[str, list[int]]]:
    """Each asked question's poll and its right options in the order the poll showed them."""
    rows = await bot.app.bot_data.store.fetchall("SELECT poll_id, correct FROM quiz_asked ORDER BY id")
    return [(poll_id, json.loads(correct)) for poll_id, correct in rows]


def round_job(bot: Bot, round_id: int = 1):
    [job] = bot.app.job_queue.get_jobs_by_name(f"round {round_id}")
    return job


# ── the roster ─────────────────────────────────────────────────────────────────────────────────────────


async def test_joining_the_roster_is_by_choice_and_can_be_undone(bot: Bot) -> None:
    assert visible(only(await in_group(bot, "/join", JOINED, "张三"))) == texts.ROSTER_JOINED
    assert await Together(BotContext(bot.app).study).roster(GROUP) == {JOINED: "张三"}
    assert visible(only(await in_group(bot, "/leave", JOINED, "张三"))) == texts.ROSTER_LEFT
    assert visible(only(await in_group(bot, "/leave", JOINED, "张三"))) == texts.ROSTER_NOT_MEMBER
    assert visible(only(await bot.text("/join"))) == texts.ROSTER_GROUP_ONLY  # a private chat has no roster


# ── a round, end to end ────────────────────────────────────────────────────────────────────────────────


async def test_only_a_group_admin_starts_a_round_and_bad_arguments_get_the_usage(bot: Bot) -> None:
    assert visible(only(await bot.text("/round"))) == texts.ROUND_GROUP_ONLY
    assert visible(only(await in_group(bot, "/round", JOINED))) == texts.ROUND_ADMINS_ONLY
    assert visible(only(await in_group(bot, "/round 99", ADMIN_OF_GROUP))) == texts.ROUND_USAGE
    assert visible(only(await in_group(bot, "/round 3 abc", ADMIN_OF_GROUP))) == texts.ROUND_USAGE
    assert not bot.telegram.sent("sendPoll")


async def test_a_round_sends_polls_that_close_by_themselves_then_the_bots_job_posts_the_summary(
    bot: Bot,
    library: Service,  # noqa: F811
) -> None:
    await in_group(bot, "/join", JOINED, "张三")
    messages, polls = await start_round(bot)
    assert "3 道题" in visible(messages[0]) and "5 分钟" in visible(messages[0])
    assert len(polls) == 3
    for poll in polls:
        assert poll.params["type"] == "quiz" and poll.params["is_anonymous"] is False
        assert int(poll.params["open_period"]) == 300 and poll.params["hide_results_until_closes"] is True
    # Spread over the speech: the three questions stand in three different parts.
    store = bot.app.bot_data.store
    asked = await store.fetchall("SELECT question_id, poll_id FROM quiz_asked WHERE round_id = 1 ORDER BY id")
    study = BotContext(bot.app).study
    assert len({part_of(library, study.by_id[q]) for q, _ in asked}) == 3
    assert visible(only(await in_group(bot, "/round", ADMIN_OF_GROUP))) == texts.ROUND_ALREADY_OPEN

    # The joined member gets all three right; the other member gets the first wrong.
    shown = await shown_correct(bot)
    for poll_id, right in shown:
        await bot.send("poll_answer", poll_answer(poll_id, right, user_id=JOINED))
    first = study.by_id[asked[0][0]]
    wrong = next(i for i in range(len(first.options)) if i not in shown[0][1])
    await bot.send("poll_answer", poll_answer(asked[0][1], [wrong], user_id=SHY))
    assert not bot.telegram.sent("sendMessage", chat_id=JOINED)  # no verdict per vote in a group

    job = round_job(bot)
    assert abs((run_at(job) - datetime.now(UTC)).total_seconds() - (300 + 3)) < 5  # at the closing time
    before = len(bot.telegram.calls)
    await job.run(bot.app)  # the JobQueue job, run now instead of in five minutes
    [summary] = [c for c in bot.telegram.calls[before:] if c.method == "sendMessage"]
    text = visible(summary)
    assert summary.params["chat_id"] == GROUP
    assert "参加：2 人，其中 张三 等 1 位未加入名单的成员不具名" in text
    assert "各题答对：第1题 1/2；第2题 1/1；第3题 1/1" in text
    assert "错得最多的题" in text and first.evidence[:30] in text
    assert "本轮答对题数" not in text  # no ranking: the board is off
    assert not [c for c in bot.telegram.calls[before:] if c.method == "stopPoll"]  # Telegram closed them
    # Once only: the job run again (a catch-up beside it) posts nothing.
    again = len(bot.telegram.calls)
    await job.run(bot.app)
    assert not [c for c in bot.telegram.calls[again:] if c.method == "sendMessage"]
    rows = await store.fetchall("SELECT state, summary_at IS NOT NULL FROM rounds")
    assert [tuple(r) for r in rows] == [("done", 1)]


async def test_a_group_that_turned_its_board_on_sees_a_ranking_of_joined_members_only(bot: Bot) -> None:
    assert visible(only(await in_group(bot, "/top on", JOINED))) == texts.BOARD_ADMINS_ONLY
    assert visible(only(await in_group(bot, "/top on", ADMIN_OF_GROUP))) == texts.BOARD_ON
    assert (await bot.app.bot_data.store.chats_with_setting(BOARD_SETTING)) == {GROUP: True}
    await in_group(bot, "/join", JOINED, "张三")
    await start_round(bot, "/round 2 3")
    for poll_id, right in await shown_correct(bot):
        for voter in (JOINED, SHY):
            await bot.send("poll_answer", poll_answer(poll_id, right, user_id=voter))
    before = len(bot.telegram.calls)
    await round_job(bot).run(bot.app)
    text = visible(only(bot.telegram.calls[before:]))
    assert "本轮答对题数" in text and "1. 张三 — 2 题" in text
    assert "每道题都全对了" in text
    assert text.count("— ") == 1  # the member who did not join is counted, never ranked or named


async def test_round_off_cancels_the_open_round_stops_its_polls_and_posts_no_summary(bot: Bot) -> None:
    await start_round(bot, "/round 2 5")
    assert visible(only(await in_group(bot, "/round off", ADMIN_OF_GROUP))) == texts.ROUND_CANCELLED
    stopped_polls = bot.telegram.sent("stopPoll")
    assert len(stopped_polls) == 2 and {int(c.params["chat_id"]) for c in stopped_polls} == {GROUP}
    assert not bot.app.job_queue.get_jobs_by_name("round 1") or round_job(bot).removed
    rows = await bot.app.bot_data.store.fetchall("SELECT state FROM rounds")
    assert [r[0] for r in rows] == ["cancelled"]
    assert visible(only(await in_group(bot, "/round off", ADMIN_OF_GROUP))) == texts.ROUND_NONE_OPEN


async def test_a_round_longer_than_telegrams_open_period_is_closed_by_the_job(bot: Bot) -> None:
    _, polls = await start_round(bot, "/round 2 20")
    assert all("open_period" not in p.params and p.params["hide_results_until_closes"] is True for p in polls)
    before = len(bot.telegram.calls)
    await round_job(bot).run(bot.app)
    methods = [c.method for c in bot.telegram.calls[before:]]
    assert methods == ["stopPoll", "stopPoll", "sendMessage"]
    assert "这一轮没有人作答" in bot.telegram.calls[-1].text


async def test_a_restart_during_a_round_schedules_its_summary_again(
    tmp_path: Path,
    library: Service,  # noqa: F811
) -> None:
    first = await started(settings_for(tmp_path), library)
    first.telegram.chat_admins.add(ADMIN_OF_GROUP)
    await start_round(first, "/round 1 5")
    await stopped(first)  # a deploy: the job is gone with the process
    second = await started(settings_for(tmp_path), library)
    try:
        job = round_job(second)
        assert run_at(job) > datetime.now(UTC)
        await job.run(second.app)
        assert "本轮学习小结" in visible(second.telegram.sent("sendMessage")[-1])
    finally:
        await stopped(second)


def test_round_arguments() -> None:
    assert parse_round_args([]) == (5, 10)
    assert parse_round_args(["3"]) == (3, 10)
    assert parse_round_args(["8", "15分钟"]) == (8, 15)
    assert parse_round_args(["off"]) == "off"
    for bad in (["0"], ["11"], ["3", "0"], ["3", "61"], ["three"], ["1", "2", "3"]):
        assert parse_round_args(bad) == "usage", bad


def test_a_round_takes_its_questions_from_the_parts_in_turn() -> None:
    questions = [f"{part}{n}" for part in "ABC" for n in range(3)]
    picked = spread_over_parts(questions, 4, lambda q: q[0], seed=1)  # type: ignore[arg-type]
    assert len(picked) == 4 and {q[0] for q in picked[:3]} == {"A", "B", "C"}


# ── after an answer in a private chat ──────────────────────────────────────────────────────────────────


async def quiz_poll(bot: Bot) -> tuple[str, list[int], int]:
    await bot.text("/quiz")
    rows = await bot.app.bot_data.store.fetchall(
        "SELECT poll_id, correct, id FROM quiz_asked ORDER BY id DESC LIMIT 1"
    )
    return rows[0][0], json.loads(rows[0][1]), int(rows[0][2])


async def test_a_private_answer_gets_a_verdict_with_the_speech_and_next_book_and_flag_buttons(
    bot: Bot,
) -> None:
    poll_id, correct, _ = await quiz_poll(bot)
    study = BotContext(bot.app).study
    question_id = (await bot.app.bot_data.store.fetchall("SELECT question_id FROM quiz_asked"))[0][0]
    question = study.by_id[question_id]
    wrong = next(i for i in range(len(question.options)) if i not in correct)
    calls = await bot.send("poll_answer", poll_answer(poll_id, [wrong], user_id=USER))
    verdict = only(calls)
    assert visible(verdict).startswith("✗ 答错了。正确答案：") and "已加入错题本" in visible(verdict)
    assert question.evidence[:20] in visible(verdict)
    labels = [b["text"] for b in verdict.buttons]
    assert labels == ["下一题", "错题本", "纠错"]
    # 下一题: one more poll. 错题本: the question just missed, reviewed at once though not due yet.
    assert only(await bot.press("q:n"), "sendPoll")
    calls = await bot.press("q:b")
    assert (
        "提前复习" in visible(only(calls)) and only(calls, "sendPoll").params["question"] == question.question
    )


async def test_three_flags_keep_a_question_out_until_an_admin_clears_them(bot: Bot) -> None:
    _, _, asked_id = await quiz_poll(bot)
    study = BotContext(bot.app).study
    question_id = (await bot.app.bot_data.store.fetchall("SELECT question_id FROM quiz_asked"))[0][0]
    for person in (USER, 43, 44):
        await bot.press(f"q:f:{asked_id}", user_id=person)
        await bot.press(f"q:f:{asked_id}", user_id=person)  # twice by one person counts once
    assert await study.flagged() == [(question_id, 3, (await study.flagged())[0][2])]
    assert question_id in await study.withdrawn_ids()
    drawn = await study.next_questions(777, len(study.bank))
    assert question_id not in {q.id for q in drawn}
    from tests.test_telegram_handlers import ADMIN

    listing = visible(only(await bot.text("/flagged", user_id=ADMIN)))
    assert question_id in listing and "3 人，已暂停" in listing
    assert "已清除" in visible(only(await bot.text(f"/flagged clear {question_id}", user_id=ADMIN)))
    assert question_id not in await study.withdrawn_ids()


# ── reminders ──────────────────────────────────────────────────────────────────────────────────────────


def test_a_reminder_is_due_once_a_day_after_its_time_when_questions_are_due() -> None:
    morning = datetime(2026, 5, 1, 7, 59)
    assert not reminder_due(morning, "08:00", None, 3)
    assert reminder_due(morning + timedelta(minutes=1), "08:00", None, 3)
    assert not reminder_due(morning + timedelta(minutes=1), "08:00", "2026-05-01", 3)  # nudged today
    assert not reminder_due(morning + timedelta(hours=1), "08:00", "2026-04-30", 0)  # nothing due
    assert reminder_due(morning + timedelta(days=1, minutes=1), "08:00", "2026-05-01", 1)


async def test_remind_on_and_off(bot: Bot) -> None:
    assert "没有开启" in visible(only(await bot.text("/remind")))
    assert "已开启错题提醒" in visible(only(await bot.text("/remind on")))
    assert (await bot.app.bot_data.store.get_user_settings(USER)).get(REMIND) is True
    assert visible(only(await bot.text("/remind off"))) == texts.REMIND_OFF
    assert REMIND not in await bot.app.bot_data.store.get_user_settings(USER)


# ── the ledger ─────────────────────────────────────────────────────────────────────────────────────────


async def test_report_sends_the_groups_ledger_as_a_workbook_naming_only_joined_members(bot: Bot) -> None:
    await in_group(bot, "/join", JOINED, "张三")
    await start_round(bot, "/round 2 3")
    for poll_id, right in await shown_correct(bot):
        for voter in (JOINED, SHY):
            await bot.send("poll_answer", poll_answer(poll_id, right, user_id=voter))
    await round_job(bot).run(bot.app)
    assert visible(only(await in_group(bot, "/report", JOINED))) == texts.REPORT_ADMINS_ONLY
    assert only(await in_group(bot, "/report", ADMIN_OF_GROUP), "sendDocument")
    (_, filename, content), (field, _, png) = bot.telegram.uploads  # the workbook, then its chart
    assert field == "photo" and png.startswith(b"\x89PNG")
    assert only(bot.telegram.calls[-1:], "sendPhoto").params["caption"] == texts.REPORT_CHART
    assert filename.startswith("学习台账-") and filename.endswith(".xlsx")
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        names = workbook.namelist()
        strings = workbook.read("xl/sharedStrings.xml").decode()
        sheets = workbook.read("xl/workbook.xml").decode()
    assert all(f'name="{sheet}"' in sheets for sheet in ("成员", "学习轮次", "讲话各部分"))
    assert "张三" in strings and "未加入名单的成员" in strings and "正确率" in strings
    assert any(name.startswith("xl/charts/chart") for name in names)


async def test_a_daily_set_opens_with_one_line_and_its_last_answer_brings_the_result(bot: Bot) -> None:
    from bot.telegram.quiz import send_daily

    study = BotContext(bot.app).study
    await study.subscribe(USER, "private", "08:00", 2)
    before = len(bot.telegram.calls)
    await send_daily(BotContext(bot.app), "08:00")
    sent = bot.telegram.calls[before:]
    assert [c.method for c in sent] == ["sendMessage", "sendPoll", "sendPoll"]
    assert "今天的每日一练：2 道题" in visible(sent[0])
    shown = await shown_correct(bot)
    first = await bot.send("poll_answer", poll_answer(shown[0][0], shown[0][1], user_id=USER))
    assert "每日一练完成" not in visible(only(first))
    last = await bot.send("poll_answer", poll_answer(shown[1][0], shown[1][1], user_id=USER))
    assert "今天的每日一练完成：2 题答对 2 题。" in visible(only(last))


async def test_a_reminder_goes_once_a_day_to_whom_asked_for_it_when_questions_are_due(bot: Bot) -> None:
    from bot.telegram.quiz import remind_job

    await bot.text("/daily 0:00")  # the person's daily time: always past, whenever this runs
    await bot.text("/remind on")
    poll_id, correct, _ = await quiz_poll(bot)
    study = BotContext(bot.app).study
    question_id = (await bot.app.bot_data.store.fetchall("SELECT question_id FROM quiz_asked"))[0][0]
    wrong = next(i for i in range(len(study.by_id[question_id].options)) if i not in correct)
    await bot.send("poll_answer", poll_answer(poll_id, [wrong], user_id=USER))
    before = len(bot.telegram.calls)
    await remind_job(BotContext(bot.app))
    assert not bot.telegram.calls[before:]  # the card is not due yet: no nudge
    async with bot.app.bot_data.store.transaction() as db:
        await db.execute("UPDATE quiz_cards SET due = '2000-01-01T00:00:00.000000+00:00'")
    await remind_job(BotContext(bot.app))
    await remind_job(BotContext(bot.app))  # the same day again: nothing more
    nudges = [c for c in bot.telegram.calls[before:] if c.method == "sendMessage"]
    assert len(nudges) == 1 and "错题本里有 1 道题到期了" in nudges[0].text


# ── groups: the score is private, the bot's own membership ─────────────────────────────────────────────


async def test_score_asked_in_a_group_goes_to_the_private_chat(bot: Bot) -> None:
    calls = await in_group(bot, "/score", JOINED)
    private = [c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == JOINED]
    in_the_group = [c for c in calls if c.method == "sendMessage" and int(c.params["chat_id"]) == GROUP]
    assert len(private) == 1 and "还没有答过题" in visible(private[0])
    assert [visible(c) for c in in_the_group] == [texts.SCORE_SENT_PRIVATELY]
    bot.telegram.blocked.add(SHY)  # never opened a private chat: the group is told where to ask
    calls = await in_group(bot, "/score", SHY)
    assert "个人成绩只在私聊里显示" in visible([c for c in calls if int(c.params["chat_id"]) == GROUP][-1])


def my_chat_member(old: str, new: str) -> dict:
    member = {"user": {"id": 123456, "is_bot": True, "first_name": "bot"}}
    return {
        "chat": {"id": GROUP, "type": "supergroup", "title": "学习小组"},
        "from": user(ADMIN_OF_GROUP),
        "date": 0,
        "old_chat_member": {**member, "status": old},
        "new_chat_member": {**member, "status": new, **({"until_date": 0} if new == "kicked" else {})},
    }


async def test_added_to_a_group_the_bot_says_how_to_ask_and_removed_it_tidies_the_groups_quiz(
    bot: Bot,
) -> None:
    calls = await bot.send("my_chat_member", my_chat_member("left", "member"))
    assert visible(only(calls)).startswith("在群里这样问我")
    await in_group(bot, "/daily 8:00", ADMIN_OF_GROUP)
    await start_round(bot, "/round 1 5")
    assert await BotContext(bot.app).study.subscription(GROUP) is not None
    assert await bot.send("my_chat_member", my_chat_member("member", "kicked")) == []
    assert await BotContext(bot.app).study.subscription(GROUP) is None
    rows = await bot.app.bot_data.store.fetchall("SELECT state FROM rounds")
    assert [r[0] for r in rows] == ["cancelled"]
    before = len(bot.telegram.calls)
    await round_job(bot).run(bot.app)
    assert len(bot.telegram.calls) == before  # nothing is sent into the group it left
