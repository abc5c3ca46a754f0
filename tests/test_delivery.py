"""Nothing lost in delivery: daily sets that survive a crash or a stop, updates kept until handled, poll
answers only from those who may give them, one instance per database.

Driven through `process_update` and the bot's own functions against the fake Bot API; the whole bot under
SIGKILL and faults over HTTP is in tests/test_delivery_e2e.py and benchmarks/bench_delivery.py.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Update
from telegram.error import Conflict, NetworkError

from bot.instance import AlreadyRunning, InstanceLock
from bot.service import Service
from bot.telegram import texts
from bot.telegram.app import polling_failed
from bot.telegram.context import BotContext
from bot.telegram.quiz import catch_up_daily, last_occurrence, send_daily
from tests.fake_bot_api import message, poll_answer
from tests.test_telegram_handlers import (  # noqa: F401 - `library` is a fixture used by name
    GROUP,
    USER,
    Bot,
    library,
    settings_for,
    started,
    stopped,
    visible,
)

OTHER = 77
CHATS = list(range(20_001, 20_021))


@pytest.fixture
async def bot(tmp_path: Path, library: Service) -> AsyncIterator[Bot]:  # noqa: F811
    running = await started(utc_settings(tmp_path), library)
    yield running
    await stopped(running)


async def restarted(tmp_path: Path, library: Service) -> Bot:  # noqa: F811
    """The next process on the same database (Telegram's poll ids go on where the first one's stopped)."""
    running = await started(utc_settings(tmp_path), library)
    running.telegram.poll_ids = itertools.count(10_000)
    running.telegram.message_ids = itertools.count(50_000)
    return running


def utc_settings(tmp_path: Path):
    return settings_for(tmp_path, BOT_TIMEZONE="UTC")


def minutes_ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%H:%M")


async def subscribe_all(bot: Bot, when: str, count: int = 3, chats: list[int] = CHATS) -> None:
    study = BotContext(bot.app).study
    for chat_id in chats:
        await study.subscribe(chat_id, "private", when, count)
    async with bot.app.bot_data.store.transaction() as db:  # as if subscribed yesterday
        await db.execute(
            "UPDATE subscriptions SET created_at = ?", ((datetime.now(UTC) - timedelta(days=1)).isoformat(),)
        )


def polls_per_chat(*bots: Bot) -> Counter[int]:
    return Counter(c.params["chat_id"] for b in bots for c in b.telegram.sent("sendPoll"))


def questions_per_chat(*bots: Bot) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for b in bots:
        for c in b.telegram.sent("sendPoll"):
            found.setdefault(c.params["chat_id"], []).append(c.params["question"].split("\n", 1)[-1])
    return found


# ── daily sets ─────────────────────────────────────────────────────────────────────────────────────────


async def test_a_stop_in_the_middle_of_a_broadcast_leaves_the_rest_to_the_next_start(
    tmp_path: Path,
    library: Service,  # noqa: F811
) -> None:
    first = await started(utc_settings(tmp_path), library)
    when = minutes_ago(10)
    await subscribe_all(first, when)
    answer = first.telegram.answer

    def stop_after_25_polls(method, params, files=()):  # SIGTERM arrives while the 25th poll is out
        if method == "sendPoll" and len(first.telegram.sent("sendPoll")) == 24:
            first.app.bot_data.stopping = True
        return answer(method, params, files)

    first.telegram.answer = stop_after_25_polls
    report = await send_daily(BotContext(first.app), when)
    assert 25 <= report.sent <= 25 + 8  # workers finish the question they hold, start nothing more
    assert report.skipped > 0
    await stopped(first)

    second = await restarted(tmp_path, library)
    try:
        await catch_up_daily(BotContext(second.app))
        per_chat = questions_per_chat(first, second)
        assert set(per_chat) == set(CHATS)
        assert all(len(q) == 3 and len(set(q)) == 3 for q in per_chat.values()), per_chat
        again = await send_daily(BotContext(second.app), when)  # the job firing too: nothing is sent twice
        assert again.sent == 0 and polls_per_chat(first, second) == Counter({c: 3 for c in CHATS})
    finally:
        await stopped(second)


async def test_a_send_cut_off_by_a_crash_is_never_repeated(tmp_path: Path, library: Service) -> None:  # noqa: F811
    first = await started(utc_settings(tmp_path), library)
    when = minutes_ago(5)
    await subscribe_all(first, when, count=2)
    study = BotContext(first.app).study
    day = study.local_day()
    # The crash: chat 1's first question was taken for sending, and the process died before the answer came.
    await study.plan_daily((await study.subscriptions(chat_id=CHATS[0]))[0], day)
    assert await study.claim_daily(CHATS[0], day, 1)
    await stopped(first)

    second = await restarted(tmp_path, library)
    try:
        await catch_up_daily(BotContext(second.app))
        sent = polls_per_chat(second)
        assert sent[CHATS[0]] == 1  # only its second question: the first may have arrived
        assert all(sent[c] == 2 for c in CHATS[1:])
        rows = await second.app.bot_data.store.fetchall(
            "SELECT position, state FROM daily_sends WHERE chat_id = ? ORDER BY position", (CHATS[0],)
        )
        assert [tuple(r) for r in rows] == [(1, "uncertain"), (2, "sent")]
    finally:
        await stopped(second)


async def test_a_chat_telegram_could_not_reach_gets_its_set_at_the_next_try(
    tmp_path: Path,
    library: Service,  # noqa: F811
) -> None:
    bot = await started(utc_settings(tmp_path), library)
    try:
        when = minutes_ago(1)
        chats = list(range(30_001, 30_041))
        await subscribe_all(bot, when, count=1, chats=chats)
        bot.app.bot.rate_limiter.retry_delays = (0.01,) * 3  # the real ones add up to half a minute
        bot.telegram.fail_next("sendPoll", times=10**6)  # longer than every retry: an outage
        report = await send_daily(BotContext(bot.app), when)
        assert report.sent == 0 and report.failed and report.skipped  # it stopped trying: an outage
        assert len(report.failed) + report.skipped == len(chats)
        bot.telegram.failures.clear()
        before = len(bot.telegram.sent("sendPoll"))
        await catch_up_daily(BotContext(bot.app))
        delivered = bot.telegram.sent("sendPoll")[before:]
        assert Counter(c.params["chat_id"] for c in delivered) == Counter(dict.fromkeys(chats, 1))
    finally:
        await stopped(bot)


async def test_the_catch_up_keeps_to_the_grace_period_and_to_chats_subscribed_before_the_time(
    tmp_path: Path,
    library: Service,  # noqa: F811
) -> None:
    bot = await started(utc_settings(tmp_path), library)
    try:
        study = BotContext(bot.app).study
        await study.subscribe(1, "private", minutes_ago(4 * 60), 1)  # four hours ago: past the grace
        await study.subscribe(2, "private", minutes_ago(30), 1)  # subscribed just now, after the time
        await catch_up_daily(BotContext(bot.app))
        assert bot.telegram.sent("sendPoll") == []
    finally:
        await stopped(bot)


async def test_a_poll_whose_send_timed_out_is_not_sent_again_and_its_first_vote_adopts_it(
    tmp_path: Path,
    library: Service,  # noqa: F811
) -> None:
    bot = await started(utc_settings(tmp_path), library)
    try:
        when = minutes_ago(2)
        await subscribe_all(bot, when, count=2, chats=[USER])
        bot.telegram.time_outs["sendPoll"] = 1  # the first poll arrives, its answer does not
        report = await send_daily(BotContext(bot.app), when)
        polls = bot.telegram.sent("sendPoll")
        assert len(polls) == 2 and report.sent == 2  # the first was not repeated
        rows = await bot.app.bot_data.store.fetchall(
            "SELECT d.state, a.poll_id FROM daily_sends AS d JOIN quiz_asked AS a ON a.id = d.asked_id"
            " ORDER BY d.position"
        )
        assert [r[0] for r in rows] == ["uncertain", "sent"] and rows[0][1] is None
        # The person votes on it: Telegram sends the poll's new state and the answer.
        shown = polls[0].params
        correct = list(shown["correct_option_ids"])
        poll = {
            "id": "poll-lost",
            "question": shown["question"],
            "options": [
                {"text": o["text"] if isinstance(o, dict) else o, "voter_count": 0, "persistent_id": f"o{n}"}
                for n, o in enumerate(shown["options"])
            ],
            "total_voter_count": 1,
            "is_closed": False,
            "is_anonymous": False,
            "type": "quiz",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        await bot.send("poll_answer", poll_answer("poll-lost", correct, user_id=USER))
        await bot.send("poll", poll)
        assert await answers(bot) == [(USER, str(correct))]
        rows = await bot.app.bot_data.store.fetchall("SELECT poll_id FROM quiz_asked ORDER BY id")
        assert rows[0][0] == "poll-lost"
    finally:
        await stopped(bot)


async def test_a_reply_that_timed_out_is_sent_again_and_never_brings_the_error_notice(
    bot: Bot, caplog
) -> None:
    bot.telegram.time_outs["sendMessage"] = 1  # the first try arrives, but its answer never comes back
    calls = await bot.text("四风是什么")
    assert [c.method for c in calls] == ["sendMessage", "sendMessage"]  # a text may come twice, never lost
    assert all("四风" in visible(c) and texts.ERROR not in visible(c) for c in calls)


async def test_a_reply_that_always_times_out_is_taken_as_delivered_without_an_error_notice(
    bot: Bot, caplog
) -> None:
    bot.app.bot.rate_limiter.retry_delays = (0.01, 0.01)
    bot.telegram.time_outs["sendMessage"] = 10
    calls = await bot.text("四风是什么")
    assert [c.method for c in calls] == ["sendMessage"] * 3 and all(
        texts.ERROR not in visible(c) for c in calls
    )
    assert any("reply_uncertain" in r.getMessage() for r in caplog.records)


def test_the_last_occurrence_of_a_time_may_be_yesterday() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 3, 2, 0, 20, tzinfo=zone)
    assert last_occurrence("23:30", now, zone) == datetime(2026, 3, 1, 23, 30, tzinfo=zone)
    assert last_occurrence("00:10", now, zone) == datetime(2026, 3, 2, 0, 10, tzinfo=zone)


# ── poll answers ───────────────────────────────────────────────────────────────────────────────────────


async def _poll(bot: Bot, chat_type: str = "private") -> tuple[str, list[int]]:
    options = {} if chat_type == "private" else {"chat_type": "group"}
    calls = await bot.text("/quiz", **options)
    [call] = [c for c in calls if c.method == "sendPoll"]
    rows = await bot.app.bot_data.store.fetchall("SELECT poll_id FROM quiz_asked ORDER BY id DESC LIMIT 1")
    return rows[0][0], list(call.params["correct_option_ids"])


async def answers(bot: Bot) -> list[tuple]:
    rows = await bot.app.bot_data.store.fetchall("SELECT user_id, chosen FROM quiz_answers ORDER BY id")
    return [tuple(r) for r in rows]


async def test_only_the_owner_of_a_private_chat_scores_its_poll(bot: Bot) -> None:
    poll_id, correct = await _poll(bot)
    await bot.send("poll_answer", poll_answer(poll_id, correct, user_id=OTHER))  # the poll, forwarded
    assert await answers(bot) == []
    await bot.send("poll_answer", poll_answer(poll_id, correct, user_id=USER))
    assert await answers(bot) == [(USER, str(correct))]


async def test_option_ids_a_poll_never_had_are_not_scored_and_make_no_card(bot: Bot) -> None:
    poll_id, _ = await _poll(bot)
    for forged in ([-1, 99], [99], [0, 0]):
        await bot.send("poll_answer", poll_answer(poll_id, forged))
    assert await answers(bot) == []
    assert await bot.app.bot_data.store.fetchall("SELECT * FROM quiz_cards") == []


async def test_in_a_group_only_members_score(bot: Bot) -> None:
    poll_id, correct = await _poll(bot, "group")
    bot.telegram.outsiders.add(OTHER)
    await bot.send("poll_answer", poll_answer(poll_id, correct, user_id=OTHER))
    await bot.send("poll_answer", poll_answer(poll_id, correct, user_id=USER))
    assert await answers(bot) == [(USER, str(correct))]


@pytest.mark.parametrize("arguments", ["8:00 -1", "8:00 abc", "8:00 ３", "8:00 0", "8:00 11"])
async def test_a_daily_count_that_is_no_count_shows_the_usage(bot: Bot, arguments: str) -> None:
    calls = await bot.text(f"/daily {arguments}")
    assert visible(calls[-1]) == visible_usage()
    assert await bot.app.bot_data.store.fetchall("SELECT * FROM subscriptions") == []


def visible_usage() -> str:
    from bot.telegram.html import visible_text

    return visible_text(texts.DAILY_USAGE)


# ── the inbox of updates ───────────────────────────────────────────────────────────────────────────────


def raw_question(update_id: int, text: str, user_id: int) -> dict:
    return {"update_id": update_id, "message": message(text, user_id=user_id, message_id=update_id)}


async def test_updates_fetched_but_not_handled_are_answered_after_a_crash_and_only_once(
    tmp_path: Path,
    library: Service,  # noqa: F811
) -> None:
    first = await started(utc_settings(tmp_path), library)
    fetched = [raw_question(500 + n, "四风是什么", 1000 + n) for n in range(5)]
    assert len(await first.app.bot.read_updates(fetched)) == 5
    # Only the first two are handled before the crash.
    for raw in fetched[:2]:
        await first.app.process_update(Update.de_json(raw, first.app.bot))
    await first.app.bot_data.store.flush()
    await stopped(first)

    second = await restarted(tmp_path, library)
    try:
        queue = second.app.update_queue
        assert queue.qsize() == 3  # replayed at start
        while not queue.empty():
            await second.app.process_update(queue.get_nowait())
        # Telegram delivers all five again (they were never confirmed): none is new.
        assert await second.app.bot.read_updates(fetched) == ()
        answered = Counter(
            c.params["chat_id"] for b in (first, second) for c in b.telegram.sent("sendMessage")
        )
        assert answered == Counter({1000 + n: 1 for n in range(5)})
        await second.app.bot_data.store.flush()
        kept = await second.app.bot_data.store.fetchall("SELECT state, payload FROM inbox")
        assert [tuple(r) for r in kept] == [("done", "")] * 5  # the words are in the exchange log, not here
    finally:
        await stopped(second)


async def test_an_unreadable_update_is_logged_once_and_skipped(bot: Bot, caplog) -> None:
    broken = {"update_id": 900, "message": {"message_id": "x", "date": "never"}}
    good = raw_question(901, "四风是什么", USER)
    with caplog.at_level(logging.INFO):
        updates = await bot.app.bot.read_updates([broken, good])
        again = await bot.app.bot.read_updates([broken])
    assert [u.update_id for u in updates] == [901] and again == ()
    assert [r.getMessage() for r in caplog.records].count(
        next(r.getMessage() for r in caplog.records if "update_unreadable" in r.getMessage())
    ) == 1
    assert bot.app.bot._next_offset == 902
    rows = await bot.app.bot_data.store.fetchall("SELECT update_id, state FROM inbox ORDER BY update_id")
    assert [tuple(r) for r in rows] == [(900, "bad"), (901, "pending")]


# ── polling trouble and a second instance ─────────────────────────────────────────────────────────────


async def test_an_outage_is_one_line_and_a_conflict_stops_this_instance(bot: Bot, caplog) -> None:
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            polling_failed(bot.app, NetworkError("httpx.ConnectError: All connection attempts failed"))
        bot.app.bot._on_poll_success()
        polling_failed(bot.app, Conflict("Conflict: terminated by other getUpdates request"))
        polling_failed(bot.app, Conflict("Conflict: terminated by other getUpdates request"))
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.app"]
    assert [line.split()[0] for line in lines] == [
        "event=telegram_unreachable",
        "event=telegram_reachable",
        "event=conflict",
    ]
    assert bot.app.bot_data.exit_code == 1


def test_a_second_instance_on_the_same_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    with InstanceLock(db), pytest.raises(AlreadyRunning, match=r"another instance of the bot \(pid \d+\)"):
        InstanceLock(db).acquire()
    with InstanceLock(db):  # released at exit: the next start takes it
        pass


async def test_an_update_still_waiting_in_the_queue_is_not_queued_again_by_the_retry_job(bot: Bot) -> None:
    from bot.telegram import inbox

    [update] = await bot.app.bot.read_updates([raw_question(700, "四风是什么", USER)])
    store = bot.app.bot_data.store
    async with store.transaction() as db:  # as if it had waited three minutes behind a long queue
        await db.execute(
            "UPDATE inbox SET received_at = ?", ((datetime.now(UTC) - timedelta(minutes=3)).isoformat(),)
        )
    assert await inbox.replay(bot.app, older_than_s=inbox.RETRY_PENDING_AFTER_S) == 0
    await bot.app.process_update(update)
    await store.flush()
    assert await inbox.replay(bot.app, older_than_s=inbox.RETRY_PENDING_AFTER_S) == 0  # handled: done
    assert [tuple(r) for r in await store.fetchall("SELECT state FROM inbox")] == [("done",)]


async def test_a_catch_up_while_that_time_s_broadcast_runs_sends_nothing(
    tmp_path: Path,
    library: Service,  # noqa: F811
) -> None:
    bot = await started(utc_settings(tmp_path), library)
    try:
        when = minutes_ago(3)
        await subscribe_all(bot, when, count=1)
        bot.app.bot_data.broadcasting.add(when)  # the daily job is sending this time's sets right now
        await catch_up_daily(BotContext(bot.app))
        assert bot.telegram.sent("sendPoll") == []
        bot.app.bot_data.broadcasting.clear()
        await catch_up_daily(BotContext(bot.app))
        assert len(bot.telegram.sent("sendPoll")) == len(CHATS)
    finally:
        await stopped(bot)


async def test_forget_also_deletes_the_person_s_updates_and_daily_sets(bot: Bot) -> None:
    await bot.app.bot.read_updates(
        [raw_question(800, "四风是什么", USER), raw_question(801, "四风是什么", OTHER)]
    )
    study = BotContext(bot.app).study
    await study.subscribe(USER, "private", "08:00", 1)
    await study.plan_daily((await study.subscriptions(chat_id=USER))[0], study.local_day())
    store = bot.app.bot_data.store
    await store.forget_user(USER)
    assert [tuple(r) for r in await store.fetchall("SELECT user_id FROM inbox")] == [(OTHER,)]
    assert await store.fetchall("SELECT * FROM daily_sends") == []
