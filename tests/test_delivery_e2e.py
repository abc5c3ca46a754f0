"""The whole bot (`python -m bot run`, a subprocess) under crashes, stops and faults, against the fake Bot API.

Each test is one case of the delivery issue, measured from outside as Telegram would see it: the calls that
reached the server. The server confirms updates by getUpdates' offset, as Telegram does, so an update the
bot fetched but never confirmed is delivered again after a restart.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.knowledge import DEFAULT_DIR
from bot.service import Service
from bot.storage import Store
from bot.study import Study
from bot.telegram import texts
from tests.fake_bot_api import FakeBotApiServer, FakeTelegram, message, parse_html
from tests.test_telegram_e2e import Child, bot_env, start_bot

QUESTIONS = ("四风是什么", "五个必由之路是什么", "四明确指什么", "一岗双责是什么")


class SlowServer(FakeBotApiServer):
    """Answers sends after a short delay, so a kill can land while replies are still going out."""

    def __init__(self, telegram: FakeTelegram, delay: float = 0.05) -> None:
        super().__init__(telegram)
        self.delay = delay
        self.conflict = False

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "getUpdates" and self.conflict:
            body = {
                "ok": False,
                "error_code": 409,
                "description": "Conflict: terminated by other getUpdates request; make sure that only one bot"
                " instance is running",
            }
            await asyncio.sleep(0.05)
            return web.json_response(body, status=409)
        if method.startswith("send"):
            await asyncio.sleep(self.delay)
        return await super()._handle(request)


@pytest.fixture
async def slow_server() -> SlowServer:
    server = SlowServer(FakeTelegram())
    await server.start()
    yield server
    await server.stop()


def env(server: FakeBotApiServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    return bot_env(server, tmp_path, BOT_TIMEZONE="UTC", **extra)


async def wait_until(condition, within: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(step)
    return condition()


async def kill(child: Child) -> str:
    child.process.send_signal(signal.SIGKILL)
    _, output = await child.finish()
    return output


async def subscribe(db: Path, chats: list[int], count: int, *, minutes_ago: int = 1) -> None:
    """Chats subscribed yesterday to a daily set whose time today was `minutes_ago` minutes ago."""
    when = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).strftime("%H:%M")
    bank = Service.load(DEFAULT_DIR).questions
    async with Store(db) as store:
        study = Study(store, bank)
        for chat_id in chats:
            await study.subscribe(chat_id, "private", when, count)
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE subscriptions SET created_at = ?", ((datetime.now(UTC) - timedelta(days=1)).isoformat(),)
        )


def polls(server: FakeBotApiServer) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for call in server.telegram.sent("sendPoll"):
        found.setdefault(int(call.params["chat_id"]), []).append(
            str(call.params["question"]).split("\n", 1)[-1]
        )
    return found


def answers(server: FakeBotApiServer) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in server.telegram.sent("sendMessage"))


# ── questions ──────────────────────────────────────────────────────────────────────────────────────────


async def test_questions_fetched_before_a_sigkill_are_answered_after_the_restart_once(
    slow_server: SlowServer, tmp_path: Path
) -> None:
    users = list(range(1001, 1061))
    child = await start_bot(env(slow_server, tmp_path))
    try:
        await slow_server.wait_for("setMyCommands", within=30)
        for n, user in enumerate(users):
            slow_server.push("message", message(QUESTIONS[n % 4], user_id=user, message_id=n + 1))
        assert await wait_until(lambda: len(answers(slow_server)) >= 15, 30)
    finally:
        await kill(child)
    answered_before = len(answers(slow_server))
    assert answered_before < len(users)  # the kill landed with questions still to answer

    child = await start_bot(env(slow_server, tmp_path))
    try:
        assert await wait_until(lambda: set(answers(slow_server)) == set(users), 30), (
            f"never answered: {sorted(set(users) - set(answers(slow_server)))}"
        )
        await asyncio.sleep(0.5)
    finally:
        code, output = await child.stop()
    assert code == 0, output
    # A reply that had reached Telegram when the kill came, but whose answer had not come back, is sent
    # again (losing a question is worse than answering it twice): at most the replies in flight, which the
    # pacer keeps to 30. Here the server still carries out requests whose sender it saw die.
    twice = [user for user, n in answers(slow_server).items() if n > 1]
    assert len(twice) <= 30, twice
    assert "event=updates_replayed" in output


async def test_replies_during_a_burst_of_500s_all_arrive_without_an_error_notice(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    users = list(range(2001, 2021))
    child = await start_bot(env(server, tmp_path))
    try:
        await server.wait_for("setMyCommands", within=30)
        server.telegram.fail_next("sendMessage", times=40)  # the first 40 sends all fail with 500
        for n, user in enumerate(users):
            server.push("message", message(QUESTIONS[n % 4], user_id=user, message_id=n + 1))
        assert await wait_until(lambda: len(delivered_answers(server)) >= len(users), 40)
    finally:
        _, output = await child.stop()
    delivered = delivered_answers(server)
    assert set(delivered) == set(users)
    assert all(texts.ERROR not in parse_html(c.text) for c in server.telegram.sent("sendMessage"))
    assert "event=send_retry" in output and "Traceback" not in output


def delivered_answers(server: FakeBotApiServer) -> dict[int, str]:
    """The replies that got through: the fake records failed calls too, so count past the 40 refused."""
    sends = server.telegram.sent("sendMessage")[40:]
    return {int(c.params["chat_id"]): c.text for c in sends}


async def test_an_unreadable_update_is_skipped_once_and_the_bot_goes_on(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    child = await start_bot(env(server, tmp_path))
    try:
        await server.wait_for("setMyCommands", within=30)
        server.updates.append(
            {"update_id": next(server.update_ids), "message": {"message_id": "x", "date": "?"}}
        )
        server.arrived.set()
        for n, user in enumerate(range(3001, 3011)):
            server.push("message", message(QUESTIONS[n % 4], user_id=user, message_id=n + 1))
        assert await wait_until(lambda: len(answers(server)) == 10, 20)
        cpu_before = cpu_seconds(child)
        await asyncio.sleep(2)
        cpu_used = cpu_seconds(child) - cpu_before
        started = time.monotonic()
    finally:
        code, output = await child.stop()
    assert time.monotonic() - started < 10
    assert code == 0, output
    assert output.count("event=update_unreadable") == 1
    assert "CRITICAL" not in output
    assert cpu_used < 1.0  # idle, not spinning on the bad update


def cpu_seconds(child: Child) -> float:
    fields = Path(f"/proc/{child.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ── daily sets ─────────────────────────────────────────────────────────────────────────────────────────


async def test_a_broadcast_killed_half_way_is_finished_after_the_restart_and_nothing_twice(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    chats = list(range(40_001, 40_061))
    await subscribe(tmp_path / "bot.sqlite3", chats, 2)
    child = await start_bot(env(server, tmp_path))
    try:
        assert await wait_until(lambda: sum(map(len, polls(server).values())) >= 40, 30)
    finally:
        await kill(child)
    child = await start_bot(env(server, tmp_path))
    try:
        await wait_until(lambda: sum(map(len, polls(server).values())) >= 120, 30)
        await asyncio.sleep(1)
    finally:
        code, output = await child.stop()
    assert code == 0, output
    got = polls(server)
    assert all(len(q) == len(set(q)) for q in got.values()), "a chat got a question twice"
    assert all(len(q) <= 2 for q in got.values())
    missing = sum(2 - len(got.get(c, [])) for c in chats)
    assert missing <= 8  # at most the sends in flight at the kill (8 workers), never repeated
    assert "event=daily_resumed" in output


async def test_sigterm_stops_a_broadcast_in_seconds_and_the_next_start_sends_the_rest(
    slow_server: SlowServer, tmp_path: Path
) -> None:
    chats = list(range(50_001, 50_101))
    slow_server.delay = 0.1
    await subscribe(tmp_path / "bot.sqlite3", chats, 3)
    child = await start_bot(env(slow_server, tmp_path))
    try:
        assert await wait_until(lambda: sum(map(len, polls(slow_server).values())) >= 30, 30)
    finally:
        child.process.send_signal(signal.SIGTERM)
        asked = time.monotonic()
        code, output = await child.finish(within=30)
        stop_seconds = time.monotonic() - asked
    assert code == 0, output
    assert stop_seconds < 5, stop_seconds
    sent_before = sum(map(len, polls(slow_server).values()))
    assert sent_before < 300

    child = await start_bot(env(slow_server, tmp_path))
    try:
        await wait_until(lambda: sum(map(len, polls(slow_server).values())) >= 300, 60)
    finally:
        await child.stop()
    got = polls(slow_server)
    assert {c: len(q) for c, q in got.items()} == dict.fromkeys(chats, 3)
    assert all(len(set(q)) == 3 for q in got.values())


# ── one instance ───────────────────────────────────────────────────────────────────────────────────────


async def test_a_second_instance_on_the_same_database_refuses_to_start_in_one_line(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    first = await start_bot(env(server, tmp_path))
    try:
        await server.wait_for("setMyCommands", within=30)
        second = await start_bot(env(server, tmp_path))
        code, output = await second.finish(within=30)
    finally:
        await first.stop()
    assert code == 1
    errors = [line for line in output.splitlines() if "level=ERROR" in line]
    assert len(errors) == 1 and "another instance of the bot (pid" in errors[0], output
    assert "Traceback" not in output


async def test_another_instance_polling_the_token_is_one_line_and_this_one_stops(
    slow_server: SlowServer, tmp_path: Path
) -> None:
    slow_server.conflict = True
    child = await start_bot(env(slow_server, tmp_path))
    code, output = await child.finish(within=30)
    assert code == 1, output
    assert output.count("event=conflict") == 1
    assert "Traceback" not in output and "update None failed" not in output
