"""A process that logs a burst of exchanges until it is stopped; the store tests kill it mid-burst.

    python tests/storage_child.py DB MODE

MODE "term": nothing commits on its own (huge batch, long flush_ms); SIGTERM/SIGINT stop the burst and
close the store, which must commit everything. Prints `queued N` once N rows are queued, and
`closed N` with the final count after close().
MODE "kill": small batches; after every 500 rows it awaits flush() and prints `committed N`, the rows it was
told are durable. The test sends SIGKILL.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from itertools import count

from storage_helpers import make_exchange

from bot.storage import Store

READY_AFTER = 2_000
LIMIT = 1_000_000  # safety net: the burst ends on its own if nobody stops it


async def burst(path: str, mode: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if mode == "term":
        store = Store(path, batch_size=10_000_000, flush_ms=600_000)
    else:
        store = Store(path, batch_size=100, flush_ms=5)
    async with store:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        queued = 0
        for update_id in count(1):
            if stop.is_set() or queued >= LIMIT:
                break
            store.log_exchange(
                make_exchange(update_id=update_id, user_id=update_id % 50, question=f"问题 {update_id}")
            )
            queued += 1
            if queued == READY_AFTER:
                print(f"queued {queued}", flush=True)
            if mode == "kill" and queued % 500 == 0:
                await store.flush()
                print(f"committed {queued}", flush=True)
            if queued % 50 == 0:
                await asyncio.sleep(0)  # let the signal handler (and in "kill" mode the writer) run
    print(f"closed {queued}", flush=True)


if __name__ == "__main__":
    asyncio.run(burst(sys.argv[1], sys.argv[2]))
