"""The quiz in Telegram, through `process_update` and, for the broadcast, the fake Bot API over HTTP."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.warnings import PTBDeprecationWarning

from bot.service import Service
from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.app import build_application
from bot.telegram.context import BotContext
from bot.telegram.floodgate import FloodGate
from bot.telegram.quiz import send_daily
from tests.fake_bot_api import FakeBotApiProcess, poll_answer
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
MEMBER = 501


@pytest.fixture
async def bot(tmp_path: Path, library: Service) -> AsyncIterator[Bot]:  # noqa: F811
    running = await started(settings_for(tmp_path), library)
    running.telegram.chat_admins.add(ADMIN_OF_GROUP)
    yield running
    await stopped(running)


async def answer(bot: Bot, poll_id: str, option: int | list[int], user_id: int = USER) -> None:
    """A vote: one option, or (a 多选 poll) several."""
    chosen = option if isinstance(option, list) else [option]
    await bot.send("poll_answer", poll_answer(poll_id, chosen, user_id=user_id))


async def quiz_poll(bot: Bot, text: str = "/quiz", **options) -> tuple[str, list[int], dict]:
    calls = await bot.text(text, **options)
    call = only(calls, "sendPoll")
    rows = await bot.app.bot_data.store.fetchall("SELECT poll_id FROM quiz_asked ORDER BY id DESC LIMIT 1")
    return rows[0][0], list(call.params["correct_option_ids"]), call.params


# ── /quiz ──────────────────────────────────────────────────────────────────────────────────────────────


async def test_quiz_sends_a_native_quiz_poll_that_is_not_anonymous(bot: Bot) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        poll_id, correct, params = await quiz_poll(bot)
    assert params["type"] == "quiz" and params["is_anonymous"] is False
    assert (
        "correct_option_id" not in params
        and correct
        and all(0 <= i < len(params["options"]) for i in correct)
    )
    assert params["explanation"] and poll_id.startswith("poll-")
    assert not [w for w in caught if issubclass(w.category, PTBDeprecationWarning)]
    [logged] = await bot.exchanges()
    assert logged["question"] == "/quiz" and logged["reply"].startswith("[quiz] ")


async def test_a_multi_answer_question_is_a_quiz_poll_with_several_right_options_scored_all_or_nothing(
    bot: Bot,
) -> None:
    bot.app.bot_data.flood = FloodGate(1000, 10)  # eighty quizzes in a row are this test's, not a flood
    for _ in range(80):  # /quiz on a topic until its 多选 question comes (each draw is new)
        poll_id, correct, params = await quiz_poll(bot, "/quiz 必由之路")
        if len(correct) > 1:
            break
    else:
        pytest.fail("no multi-answer question on the topic")
    assert params["allows_multiple_answers"] is True and params["question"].startswith("多选")
    assert len(params["options"]) > len(correct)
    await answer(bot, poll_id, correct[:-1])  # all but one of the right options
    assert "答对 0 道" in visible(only(await bot.text("/score")))


async def test_a_poll_answer_is_scored_once(bot: Bot) -> None:
    poll_id, correct, _ = await quiz_poll(bot)
    await answer(bot, poll_id, correct)
    await answer(bot, poll_id, correct)  # Telegram does not allow it; a redelivered update must not count
    text = visible(only(await bot.text("/score")))
    assert "积分：1" in text and "答题：1 道，答对 1 道，正确率 100%" in text and "连续学习：1 天" in text


async def test_a_wrong_answer_goes_into_the_review_book(bot: Bot) -> None:
    poll_id, correct, params = await quiz_poll(bot)
    wrong = next(i for i in range(len(params["options"])) if i not in correct)
    await answer(bot, poll_id, wrong)
    text = visible(only(await bot.text("/review")))
    assert text == texts.review_none(1, text.split("下一道在 ")[1].split(" 到期")[0])
    store = bot.app.bot_data.store
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    async with store.transaction() as db:
        await db.execute("UPDATE quiz_cards SET due = ?", (yesterday,))
    calls = await bot.text("/review")
    assert "错题本：1 道到期" in visible(only(calls))
    again = only(calls, "sendPoll")
    assert again.params["question"] == params["question"]
    rows = await store.fetchall("SELECT source FROM quiz_asked ORDER BY id")
    assert [r[0] for r in rows] == ["quiz", "review"]


async def test_quiz_on_a_topic_asks_about_that_topic(bot: Bot, library: Service) -> None:  # noqa: F811
    await quiz_poll(bot, "/quiz 四风")
    [asked_id] = [r[0] for r in await bot.app.bot_data.store.fetchall("SELECT question_id FROM quiz_asked")]
    question = next(q for q in library.questions if q.id == asked_id)
    result = library.matcher.match("四风")
    assert "四风" in question.about + question.question + "".join(question.answers) or (
        question.entry_id in result.entry_ids
    )


async def test_quiz_on_an_unknown_topic_says_so(bot: Bot) -> None:
    calls = await bot.text("/quiz 宫保鸡丁")
    assert not [c for c in calls if c.method == "sendPoll"]
    assert "没有关于“宫保鸡丁”的题目" in visible(only(calls))


async def test_a_group_poll_scores_each_member(bot: Bot) -> None:
    poll_id, correct, params = await quiz_poll(bot, chat_type="group", user_id=MEMBER)
    wrong = next(i for i in range(len(params["options"])) if i not in correct)
    await answer(bot, poll_id, correct, user_id=MEMBER)
    await answer(bot, poll_id, wrong, user_id=ADMIN_OF_GROUP)
    await bot.text("/top join", chat_type="group", user_id=MEMBER)
    board = visible(only(await bot.text("/top", chat_type="group", user_id=ADMIN_OF_GROUP)))
    assert "1. 学习者 — 1 分（答 1 题）" in board and "/top join" in board  # the admin did not join
    assert visible(only(await bot.text("/top"))) == texts.TOP_PRIVATE


# ── /daily ─────────────────────────────────────────────────────────────────────────────────────────────


async def test_daily_subscribes_and_schedules_a_job_at_that_time(bot: Bot) -> None:
    text = visible(only(await bot.text("/daily 7:30")))
    assert "每天 07:30（Asia/Shanghai）发 3 道题" in text
    [job] = bot.app.job_queue.get_jobs_by_name("daily 07:30")
    assert job.data == "07:30"
    assert "每日一练：每天 07:30" in visible(only(await bot.text("/daily")))
    assert visible(only(await bot.text("/daily off"))) == texts.DAILY_OFF
    assert visible(only(await bot.text("/daily off"))) == texts.DAILY_WAS_OFF


async def test_daily_alone_subscribes_at_the_defaults(bot: Bot) -> None:
    text = visible(only(await bot.text("/daily")))
    assert "每天 08:00（Asia/Shanghai）发 3 道题" in text
    assert bot.app.job_queue.get_jobs_by_name("daily 08:00")


@pytest.mark.parametrize("args", ["25:00", "明早", "8:00 99", "8:00 3 extra"])
async def test_daily_with_a_bad_time_explains_the_usage(bot: Bot, args: str) -> None:
    assert visible(only(await bot.text(f"/daily {args}"))) == texts.DAILY_USAGE
    assert await bot.app.bot_data.store.fetchall("SELECT * FROM subscriptions") == []


async def test_in_a_group_only_admins_set_the_daily_quiz(bot: Bot) -> None:
    refused = visible(only(await bot.text("/daily 8:00", chat_type="group", user_id=MEMBER)))
    assert refused == texts.DAILY_ADMINS_ONLY
    accepted = visible(only(await bot.text("/daily 8:00 2", chat_type="group", user_id=ADMIN_OF_GROUP)))
    assert "发 2 道题" in accepted
    rows = await bot.app.bot_data.store.fetchall(
        "SELECT chat_id, chat_type, user_id, count FROM subscriptions"
    )
    assert [tuple(r) for r in rows] == [(GROUP, "group", None, 2)]


async def test_subscriptions_and_their_jobs_survive_a_restart(tmp_path: Path, library: Service) -> None:  # noqa: F811
    first = await started(settings_for(tmp_path), library)
    await first.text("/daily 21:15 2")
    await first.text("/daily 6:05", user_id=MEMBER)
    await stopped(first)

    second = await started(settings_for(tmp_path), library)
    try:
        jobs = {job.name: job for job in second.app.job_queue.jobs()}
        assert {j for j in jobs if j.startswith("daily")} == {"daily 21:15", "daily 06:05"}
        trigger = jobs["daily 21:15"].job.trigger
        assert "hour='21'" in str(trigger) and "minute='15'" in str(trigger)
        context = BotContext(second.app)
        report = await send_daily(context, "21:15")
        assert (report.chats, report.sent) == (1, 2)
        polls = second.telegram.sent("sendPoll", chat_id=USER)
        assert [p.params["question"].split("\n")[0] for p in polls] == [
            "【每日一练 1/2】",
            "【每日一练 2/2】",
        ]
    finally:
        await stopped(second)


async def test_the_daily_set_puts_due_reviews_first(bot: Bot) -> None:
    poll_id, correct, params = await quiz_poll(bot)
    wrong = next(i for i in range(len(params["options"])) if i not in correct)
    await answer(bot, poll_id, wrong)
    store = bot.app.bot_data.store
    async with store.transaction() as db:
        await db.execute(
            "UPDATE quiz_cards SET due = ?", ((datetime.now(UTC) - timedelta(hours=1)).isoformat(),)
        )
    await bot.text("/daily 8:00")
    await send_daily(BotContext(bot.app), "08:00")
    daily = bot.telegram.sent("sendPoll")[1:]
    assert len(daily) == 3
    assert daily[0].params["question"].endswith(params["question"])
    assert len({c.params["question"].split("\n", 1)[1] for c in daily}) == 3


# ── the broadcast, over HTTP ───────────────────────────────────────────────────────────────────────────


async def test_a_broadcast_to_500_chats_loses_none_and_keeps_to_30_a_second(
    tmp_path: Path,
    library: Service,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    chats = list(range(10_001, 10_501))
    blocked = chats[123]
    # The server runs in a process of its own, so the arrival times it records are the bot's real pace.
    with FakeBotApiProcess(blocked={blocked}, flood_waits=[1]) as server:  # and one RetryAfter on the way
        settings: Settings = settings_for(tmp_path, TELEGRAM_API_BASE_URL=server.base_url)
        app = build_application(settings)
        app.bot_data.library = library
        try:
            await app.initialize()
            await app.post_init(app)
            study = BotContext(app).study
            for chat_id in chats:
                await study.subscribe(chat_id, "private", "08:00", 1)
            report = await send_daily(BotContext(app), "08:00")
        finally:
            await app.post_shutdown(app)
            await app.shutdown()
        calls = server.calls()

    polls = [c for c in calls if c.method in ("sendPoll", "sendMessage")]  # a set's opening line, its poll
    delivered = [c for c in polls if c.params["chat_id"] != blocked]
    received = Counter(c.params["chat_id"] for c in delivered)
    assert (report.chats, report.sent, report.gone, report.failed) == (499, 499, [blocked], []), caplog.text[
        -3000:
    ]
    assert set(received) == set(chats) - {blocked}
    # Every chat got its opening and its question once; the one that met the RetryAfter shows the refused call
    # and the retry.
    assert sorted(received.values()) == [2] * 498 + [3]
    assert {c.params["chat_id"] for c in delivered if c.method == "sendPoll"} == set(chats) - {blocked}
    times = sorted(c.at for c in polls)
    busiest = max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))
    assert busiest <= 30
    assert [s.chat_id for s in await _subscriptions(tmp_path)] == [c for c in chats if c != blocked]


async def _subscriptions(tmp_path: Path):
    from bot.storage import Store
    from bot.study import Study

    async with Store(tmp_path / "bot.sqlite3") as store:
        return await Study(store, ()).subscriptions()


async def test_an_ignored_daily_quiz_pauses_itself_with_one_message(bot: Bot) -> None:
    await bot.text("/daily 8:00 1")
    store = bot.app.bot_data.store
    for days_ago in range(7, 0, -1):
        day = (datetime.now(UTC) - timedelta(days=days_ago)).date().isoformat()
        await send_daily(BotContext(bot.app), "08:00", day=day)
        moment = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
        async with store.transaction() as db:  # as if that set had gone out `days_ago` days ago
            await db.execute("UPDATE quiz_asked SET asked_at = ? WHERE asked_at > ?", (moment, moment))
    before = len(bot.telegram.sent("sendPoll"))
    report = await send_daily(BotContext(bot.app), "08:00")
    assert len(bot.telegram.sent("sendPoll")) == before == 7
    assert bot.telegram.sent("sendMessage")[-1].text == texts.DAILY_PAUSED
    assert report.chats == 1
    assert await store.fetchall("SELECT * FROM subscriptions") == []
