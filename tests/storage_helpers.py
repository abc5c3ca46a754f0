"""Exchanges for the store tests, the child process and the benchmark: one way to build them, one fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.storage import Exchange, Store

NOW = datetime(2024, 5, 20, 9, 30, tzinfo=UTC)


def make_exchange(**fields: Any) -> Exchange:
    """A plausible answered Telegram exchange; any field can be overridden."""
    values: dict[str, Any] = {
        "front_end": "telegram",
        "update_id": None,
        "chat_id": 1001,
        "chat_type": "private",
        "user_id": 1001,
        "received_at": NOW,
        "question": "四明确指什么",
        "normalized": "四明确指什么",
        "answered": True,
        "entry_id": "term-si-mingque",
        "score": 0.97,
        "suggestions": (),
        "reply": "主体、方式、对象、措施“四明确”。",
        "latency_ms": 3.5,
        "status": "ok",
    }
    values.update(fields)
    if "chat_id" not in fields:
        values["chat_id"] = values["user_id"]
    return Exchange(**values)


# Five people over three days; user 3 asks what the knowledge base cannot answer. Times are UTC.
FIXTURE: tuple[Exchange, ...] = (
    make_exchange(update_id=1, user_id=1, received_at=NOW - timedelta(days=2, hours=1)),
    make_exchange(update_id=2, user_id=1, received_at=NOW - timedelta(days=2), entry_id="term-sanhui"),
    make_exchange(update_id=3, user_id=2, received_at=NOW - timedelta(days=1)),
    make_exchange(
        update_id=4,
        user_id=3,
        received_at=NOW - timedelta(days=1),
        question="谁是局长？",
        normalized="谁是局长",
        answered=False,
        entry_id=None,
        score=0.2,
        suggestions=("opening",),
        reply="讲话里没有提到这一点。",
    ),
    make_exchange(
        update_id=5,
        user_id=3,
        received_at=NOW - timedelta(hours=2),
        question="谁是 局长",
        normalized="谁是局长",
        answered=False,
        entry_id=None,
        score=0.3,
        reply="讲话里没有提到这一点。",
    ),
    make_exchange(
        update_id=6,
        user_id=4,
        received_at=NOW - timedelta(hours=1),
        question="三会是哪三会",
        normalized="三会是哪三会",
        entry_id="term-sanhui",
        score=0.82,
    ),
    make_exchange(update_id=7, user_id=5, received_at=NOW, status="dropped", answered=False, entry_id=None),
    make_exchange(front_end="console", user_id=None, chat_id=None, chat_type=None, received_at=NOW),
)


async def fill(store: Store, exchanges: tuple[Exchange, ...] = FIXTURE) -> None:
    for exchange in exchanges:
        store.log_exchange(exchange)
    await store.flush()


def damage(path: Path, page: int = 2) -> None:
    """Overwrite one page of a database at rest with garbage, as a bad disk or a torn copy would."""
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big") or 65536  # the page size, from the header
    if page < 0:
        page = len(data) // size + 1 + page
    data[(page - 1) * size : page * size] = b"\xde\xad\xbe\xef" * (size // 4)
    path.write_bytes(bytes(data))
