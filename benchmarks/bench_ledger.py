"""The organiser's ledger measured: a database filled by simulated members through the real Study and
Together APIs (rounds in groups, answers, rosters), then `build_ledger` and `write_xlsx` timed, and the
workbook's size.

    python benchmarks/bench_ledger.py [--members 200] [--days 30] [--out ledger.xlsx]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.knowledge import DEFAULT_DIR, resolve_pack
from bot.ledger import build_ledger, write_xlsx
from bot.service import Service
from bot.storage import Store
from bot.study import Study
from bot.together import Together

GROUPS = 4
ROUND_QUESTIONS = 5
TAKE_PART = 0.6  # a member answers a given day's round with this chance
RIGHT = 0.7
JOINED = 0.7  # members who joined their group's roster (the others are counted, not named)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def fill(store: Store, service: Service, members: int, days: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    clock = Clock(datetime(2026, 3, 1, 1, 0, tzinfo=UTC))
    study = Study(store, service.questions, ZoneInfo("Asia/Shanghai"), clock=clock)
    together = Together(study)
    groups = [-(1000 + g) for g in range(GROUPS)]
    people = {
        chat: [100_000 + g * 1000 + n for n in range(members // GROUPS)] for g, chat in enumerate(groups)
    }
    for chat, users in people.items():
        for user in users:
            if rng.random() < JOINED:
                await together.join(chat, user, f"成员{user % 1000:03d}")
    answers = 0
    for day in range(days):
        clock.now = datetime(2026, 3, 1, 1, 0, tzinfo=UTC) + timedelta(days=day)
        for chat in groups:
            current = await together.open_round(chat, service.kb.pack.id, ROUND_QUESTIONS, 10)
            assert current is not None
            questions = await together.questions_for_round(
                chat, ROUND_QUESTIONS, lambda q: service.kb.part_of(q.entry_id), seed=day
            )
            for question in questions:
                asked = await together.asked_in_round(current.id, chat, question, None, None)
                for user in people[chat]:
                    if rng.random() < TAKE_PART:
                        right = rng.random() < RIGHT
                        chosen = (
                            list(question.correct)
                            if right
                            else [next(i for i in range(len(question.options)) if i not in question.correct)]
                        )
                        await study.answer(asked, user, chosen)
                        answers += 1
            await together.claim_summary(current.id)
            await together.finish(current.id)
    return answers


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    service = Service.load(resolve_pack(DEFAULT_DIR))
    with tempfile.TemporaryDirectory() as folder:
        async with Store(Path(folder) / "bot.sqlite3") as store:
            started = time.perf_counter()
            answers = await fill(store, service, args.members, args.days)
            print(f"filled: {args.members} members, {args.days} days, {answers:,} answers "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
            started = time.perf_counter()
            ledger = await build_ledger(store, [service], ZoneInfo("Asia/Shanghai"))
            built = time.perf_counter() - started
            buffer = io.BytesIO()
            started = time.perf_counter()
            write_xlsx(ledger, buffer)
            written = time.perf_counter() - started
    size = len(buffer.getvalue())
    print(
        f"build_ledger {built * 1000:.0f} ms; write_xlsx {written * 1000:.0f} ms; workbook {size / 1024:.0f} KiB"
    )
    print(f"rows: members {len(ledger.members)}, rounds {len(ledger.rounds)}, parts {len(ledger.parts)}")
    if args.out:
        args.out.write_bytes(buffer.getvalue())
        print(f"wrote {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
