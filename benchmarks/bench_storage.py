"""How fast the exchange log is, and how long a reply waits on it.

    python benchmarks/bench_storage.py [--count 20000] [--dir FOLDER]

Logs COUNT exchanges through the store's queue the way the handlers do (call `log_exchange` after a reply,
yield to the event loop between replies), then waits for the last commit. Prints a table: exchanges per
second through the queue (target at least 5,000/s) and the time a reply spends inside `log_exchange`
(target p99 at most 1 ms). The database is a fresh file in FOLDER (default: a temporary folder), with the
store's real settings: WAL, synchronous=FULL, default batch size and flush interval.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage import Exchange, Store

REPLIES_BETWEEN_YIELDS = 10  # a handler awaits Telegram between replies; here every 10th yields


def exchanges(count: int) -> list[Exchange]:
    """Built beforehand, so the clock measures the store, not the dataclass."""
    start = datetime.now(UTC)
    return [
        Exchange(
            front_end="telegram",
            update_id=number,
            chat_id=number % 500,
            chat_type="private",
            user_id=number % 500,
            received_at=start + timedelta(milliseconds=number),
            question=f"四明确指什么？第{number}问",
            normalized=f"四明确指什么第{number}问",
            answered=number % 5 != 0,
            entry_id="term-si-mingque" if number % 5 else None,
            score=0.93,
            suggestions=("term-si-mingque", "term-sanhui") if number % 5 == 0 else (),
            reply="坚持做到主体、方式、对象、措施“四明确”。" * 3,
            latency_ms=4.2,
        )
        for number in range(count)
    ]


async def measure(folder: Path, count: int) -> tuple[float, list[float], Store]:
    batch = exchanges(count)
    waits_ms: list[float] = []
    async with Store(folder / "bench.sqlite3") as store:
        started = time.perf_counter()
        for number, exchange in enumerate(batch):
            before = time.perf_counter_ns()
            store.log_exchange(exchange)
            waits_ms.append((time.perf_counter_ns() - before) / 1e6)
            if number % REPLIES_BETWEEN_YIELDS == 0:
                await asyncio.sleep(0)
        await store.flush()
        elapsed = time.perf_counter() - started
        assert await store.count_exchanges() == count, "exchanges were lost"
    return count / elapsed, waits_ms, store


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, help="folder for the database (default: a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        rate, waits, store = asyncio.run(measure(Path(folder), args.count))
    cuts = statistics.quantiles(waits, n=100)
    rows = [
        (f"exchanges/s through the queue ({args.count:,})", f"{rate:,.0f}", "≥ 5,000", rate >= 5_000),
        ("reply wait in log_exchange, p50 (ms)", f"{cuts[49]:.4f}", "", None),
        ("reply wait in log_exchange, p99 (ms)", f"{cuts[98]:.4f}", "≤ 1", cuts[98] <= 1),
        ("reply wait in log_exchange, max (ms)", f"{max(waits):.4f}", "", None),
    ]
    print(f"store: batch_size={store.batch_size}, flush_ms={store.flush_ms}, WAL, synchronous=FULL")
    width = max(len(name) for name, *_ in rows)
    print(f"| {'measure':<{width}} | {'result':>10} | {'target':>7} | ok  |")
    print(f"|{'-' * (width + 2)}|{'-' * 12}|{'-' * 9}|-----|")
    for name, result, target, ok in rows:
        verdict = "" if ok is None else ("yes" if ok else "NO")
        print(f"| {name:<{width}} | {result:>10} | {target:>7} | {verdict:<3} |")
    print("(the max includes Python's garbage-collector pauses, which any code on the event loop can hit)")


if __name__ == "__main__":
    main()
