"""End to end: `python -m bot run` as a subprocess against a fake Bot API server (aiohttp on 127.0.0.1).

The bot finds the server through TELEGRAM_API_BASE_URL, as it would a self-hosted Bot API server. The test
delivers updates through getUpdates, reads what the bot sends, stops it with SIGTERM, and searches all it
printed for the token.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from storage_helpers import damage, fill

from bot.storage import Store
from tests.fake_bot_api import (
    TOKEN,
    FakeBotApiServer,
    callback_query,
    message,
    parse_html,
)

ROOT = Path(__file__).resolve().parent.parent
USER = 42
GROUP = -100777
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")


class Child:
    """The bot process, its output collected as it comes so a full pipe never blocks it."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stdout = asyncio.create_task(process.stdout.read())
        self.stderr = asyncio.create_task(process.stderr.read())

    async def stop(self, within: float = 15) -> tuple[int, str]:
        """SIGTERM, then the exit code and everything the process printed."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.finish(within)

    async def finish(self, within: float = 15) -> tuple[int, str]:
        try:
            code = await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise
        output = (await self.stdout).decode(errors="replace") + (await self.stderr).decode(errors="replace")
        return code, output


async def start_bot(env: dict[str, str], *args: str) -> Child:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=ROOT,
        env={**clean, "PYTHONUNBUFFERED": "1", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    return Child(process)


def bot_env(server: FakeBotApiServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "BOT_DB": str(tmp_path / "bot.sqlite3"),
        **extra,
    }


async def test_the_bot_answers_over_long_polling_and_stops_cleanly(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    child = await start_bot(bot_env(server, tmp_path))
    try:
        asked = server.push("message", message("四明确指什么", user_id=USER, message_id=1))
        [answer] = await server.wait_for("sendMessage", chat_id=USER, within=25)
        assert "主体、方式、对象、措施" in parse_html(answer.text)
        assert answer.params["parse_mode"] == "HTML"
        commands = server.telegram.sent("setMyCommands")[0].params["commands"]
        assert {"command": "ask", "description": "提问：/ask 问题"} in commands

        shown = {"message_id": 1000, "date": 0, "chat": {"id": USER, "type": "private"}, "text": "…"}
        pressed = server.push(
            "callback_query", callback_query(answer.callback_data()[0], user_id=USER, on_message=shown)
        )
        await server.wait_for("answerCallbackQuery")
        await server.wait_for("sendMessage", chat_id=USER, count=2)

        server.push("message", message("四明确指什么", chat_type="group", chat_id=GROUP, message_id=2))
        about = server.push("message", message("/about", user_id=USER, message_id=3))
        await server.wait_for("sendMessage", chat_id=USER, count=3)
        await asyncio.sleep(0.3)
        assert server.telegram.sent("sendMessage", chat_id=GROUP) == []
    finally:
        code, output = await child.stop()
    assert code == 0, output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "event=ready" in output and "stopped" in output
    # One key=value line per event; what people wrote stays out of the log unless BOT_LOG_USER_TEXT=1.
    assert all(line.startswith("ts=") for line in output.splitlines() if line.strip())
    assert "event=exchange" in output and "四明确" not in output
    async with Store(tmp_path / "bot.sqlite3") as store:
        logged = [row["update_id"] async for row in store.iter_exchanges()]
    assert sorted(logged) == [asked, pressed, about]  # the group message was not for the bot


async def test_a_token_telegram_rejects_is_one_clear_line(server: FakeBotApiServer, tmp_path: Path) -> None:
    server.telegram.token = "999:SOMEONE-ELSE"
    child = await start_bot(bot_env(server, tmp_path))
    code, output = await child.finish()
    assert code == 1
    assert "Telegram rejected BOT_TOKEN" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


async def test_no_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    child = await start_bot({"BOT_DB": str(tmp_path / "bot.sqlite3")})
    code, output = await child.finish()
    assert code == 2
    assert output.strip().splitlines() == [
        "error: BOT_TOKEN is not set: get a token from @BotFather and export BOT_TOKEN=…"
    ]


async def test_a_damaged_database_stops_the_bot_with_one_line(
    server: FakeBotApiServer, tmp_path: Path
) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Store(path) as store:
        await fill(store)
    damage(path, page=2)
    child = await start_bot(bot_env(server, tmp_path))
    code, output = await child.finish()
    assert code != 0, output
    assert f"the database {path} is damaged (quick_check: " in output
    assert "Traceback" not in output
    [failure] = [line for line in output.splitlines() if "level=ERROR" in line]
    assert failure.endswith('restore it from a backup: see README, Operations › Backups"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_mode_checks_the_secret_token(server: FakeBotApiServer, tmp_path: Path) -> None:
    pytest.importorskip("tornado", reason="webhook mode needs python-telegram-bot[webhooks]")
    port = free_port()
    env = bot_env(server, tmp_path, BOT_WEBHOOK_SECRET="test-secret_1")
    child = await start_bot(
        env, "--webhook-url", "https://bot.example.org/hook", "--listen", "127.0.0.1", "--port", str(port)
    )
    try:
        [hook] = await server.wait_for("setWebhook", within=25)
        assert hook.params["url"] == "https://bot.example.org/hook"
        assert hook.params["secret_token"] == "test-secret_1"
        update = {"update_id": 9, "message": message("四明确指什么", user_id=USER)}
        url = f"http://127.0.0.1:{port}/hook"
        async with aiohttp.ClientSession() as session:
            for _ in range(50):  # the webhook server starts right after setWebhook
                try:
                    async with session.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
                    ) as r:
                        assert r.status == 403
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            async with session.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "test-secret_1"}
            ) as r:
                assert r.status == 200
        [answer] = await server.wait_for("sendMessage", chat_id=USER)
        assert "主体、方式、对象、措施" in parse_html(answer.text)
    finally:
        code, output = await child.stop()
    assert code == 0, output
    assert TOKEN not in output and "test-secret_1" not in output


async def test_webhook_mode_without_tornado_says_what_to_install(tmp_path: Path) -> None:
    try:
        import tornado  # noqa: F401

        pytest.skip("tornado is installed: webhook mode is tested for real above")
    except ImportError:
        pass
    child = await start_bot({"BOT_TOKEN": TOKEN}, "--webhook-url", "https://bot.example.org/hook")
    code, output = await child.finish()
    assert code == 2 and "python-telegram-bot[webhooks]" in output and TOKEN not in output
