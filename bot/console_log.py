"""Logging console exchanges to the SQLite store without making the console async.

The store runs on its own event loop in a background thread; `log` hands an Exchange over and returns at once.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from datetime import UTC, datetime

from bot.matching import Match
from bot.storage import Exchange, Store, StoreError, db_path_from_env


class ConsoleLog:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="store", daemon=True)

    @classmethod
    def from_env(cls) -> ConsoleLog:
        return cls(Store(db_path_from_env()))

    def __enter__(self):
        self.thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.store.open(), self.loop).result()
        except StoreError as error:
            self._stop()
            print(f"error: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        return self.log

    def log(self, result: Match, latency_ms: float) -> None:
        exchange = Exchange(
            front_end="console",
            update_id=None,
            chat_id=None,
            chat_type="console",
            user_id=None,
            received_at=datetime.now(UTC),
            question=result.question,
            normalized=result.normalized,
            answered=result.answered,
            entry_id=result.entry_id,
            score=result.score,
            suggestions=result.suggestions,
            reply=result.text,
            latency_ms=latency_ms,
        )
        self.loop.call_soon_threadsafe(self.store.log_exchange, exchange)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.store.close(), self.loop).result()
        self._stop()

    def _stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()
