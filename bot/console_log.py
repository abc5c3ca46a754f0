"""The SQLite store for the console, without making the console async.

The store runs on its own event loop in a background thread: `log` hands an Exchange over and returns at once;
`run` waits for a coroutine (the quiz's reads and writes) on that loop. With `logging=False` exchanges are not
written, but the quiz still keeps its state in the store.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.service import Answered
from bot.settings import db_path_from_env
from bot.storage import Exchange, Store, StoreError


class ConsoleStore:
    def __init__(self, store: Store, *, logging: bool = True) -> None:
        self.store = store
        self.logging = logging
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="store", daemon=True)

    @classmethod
    def from_env(cls, *, logging: bool = True, path: Path | None = None) -> ConsoleStore:
        return cls(Store(path or db_path_from_env()), logging=logging)

    def __enter__(self) -> ConsoleStore:
        self.thread.start()
        try:
            self.run(self.store.open())
        except StoreError as error:
            self._stop()
            print(f"error: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        return self

    def run(self, coroutine: Awaitable[Any]) -> Any:
        """The coroutine's result, run on the store's loop."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()  # type: ignore[arg-type]

    def log(self, answered: Answered, shown: str, latency_ms: float) -> None:
        """One exchange, with the text the person read."""
        if not self.logging:
            return
        result = answered.match
        exchange = Exchange(
            front_end="console",
            update_id=None,
            chat_id=None,
            chat_type="console",
            user_id=None,
            received_at=datetime.now(UTC),
            question=answered.question,
            normalized=result.normalized if result is not None else "",
            answered=answered.answered,
            entry_id=answered.entry_id,
            score=result.score if result is not None else 1.0,
            suggestions=result.suggestions if result is not None else (),
            reply=shown,
            latency_ms=latency_ms,
        )
        self.loop.call_soon_threadsafe(self.store.log_exchange, exchange)

    def __exit__(self, *exc: object) -> None:
        self.run(self.store.close())
        self._stop()

    def _stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()
