"""The daily broadcast's pace: N chats served through the real Application and rate limiter, against the fake
Bot API over HTTP on 127.0.0.1. Prints the elapsed time, the rate, and the busiest one-second window as the
server saw it (Telegram's limit is about 30 messages a second).

Run: .venv/bin/python benchmarks/bench_broadcast.py [--chats N] [--count K]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.service import Service  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from bot.telegram.context import BotContext  # noqa: E402
from bot.telegram.quiz import send_daily  # noqa: E402
from tests.fake_bot_api import TOKEN, FakeBotApiServer, FakeTelegram  # noqa: E402


async def run(chats: int, count: int) -> None:
    telegram = FakeTelegram()
    server = FakeBotApiServer(telegram)
    await server.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env(
            {"BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url, "BOT_DB": f"{folder}/bot.sqlite3"}
        )
        app = build_application(settings)
        app.bot_data.library = Service.load(settings.knowledge_dir)
        await app.initialize()
        await app.post_init(app)
        try:
            study = BotContext(app).study
            for chat_id in range(1, chats + 1):
                await study.subscribe(chat_id, "private", "08:00", count)
            started = time.perf_counter()
            report = await send_daily(BotContext(app), "08:00")
            elapsed = time.perf_counter() - started
        finally:
            await app.post_shutdown(app)
            await app.shutdown()
            await server.stop()
    times = sorted(c.at for c in telegram.sent("sendPoll"))
    busiest = max(sum(1 for t in times[i : i + 60] if t < start + 1.0) for i, start in enumerate(times))
    print(f"{'chats':>8} {'messages':>9} {'seconds':>8} {'msg/s':>7} {'busiest 1 s':>12} {'lost':>5}")
    lost = chats * count - report.sent
    print(
        f"{report.chats:>8} {report.sent:>9} {elapsed:>8.1f} {report.sent / elapsed:>7.1f} {busiest:>12} {lost:>5}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--count", type=int, default=1, help="questions per chat")
    args = parser.parse_args()
    asyncio.run(run(args.chats, args.count))


if __name__ == "__main__":
    main()
