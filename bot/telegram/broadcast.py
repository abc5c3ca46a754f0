"""Sending to many chats at once without tripping Telegram's limits, and without losing a chat on the way.

Telegram allows about 30 messages a second overall. PTB's AIORateLimiter keeps the bot near that, but its leaky
bucket lets a burst through (up to twice the rate in the first second), and requests it held back during a
RetryAfter all leave together. `PacedRateLimiter` is AIORateLimiter with a sliding window taken at the moment
each request really leaves, retries included, and held until a second after its answer came back: whatever delays
a send on its way, no second at Telegram's end holds more than 30 (about 29 a second overall on a fast link).

It also retries what Telegram never received. A refused connection, a connection dropped without an answer, a
full pool, or a 5xx from Telegram means the request was not carried out: it is tried again, each attempt in a
slot of its own, with backoff bounded by SEND_RETRY_DELAYS_S (about half a minute in all). A read timeout is
different: the request left and may have arrived. A quiz poll is then not repeated (AT_MOST_ONCE_METHODS): it
raises `DeliveryUncertain`, the caller records it (a daily question is counted as sent, and its first vote
adopts it). Any other send is tried again; if every try times out it too is `DeliveryUncertain`, and no error
notice follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from telegram._utils.types import JSONDict
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

SENDS_PER_SECOND = 30
WINDOW_S = 1.0
WORKERS = 8
MAX_RETRIES = 3
NETWORK_RETRY_S = 1.0
# Waits before each new attempt at a request Telegram did not receive: 27.5 s in all, so an outage of 20 s on
# the sending methods loses no reply; then the error is raised (a reply's update is handled again later).
SEND_RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0, 12.0)
# Sends that are never repeated after a timeout (they may have arrived): a second quiz poll would be a poll
# nobody's votes are recorded for. Any other request is tried again after a timeout too: a text sent twice
# is a small harm beside a reply lost; if every try times out, it is taken as delivered (no error notice).
AT_MOST_ONCE_METHODS = frozenset({"sendPoll"})

# So many chats in a row failing with errors Telegram did not receive is an outage: the broadcast stops and
# the rest (still 'due') goes out at the next catch-up, instead of spending half a minute on every chat.
FAILING_CHATS_IN_A_ROW = 2 * WORKERS

T = TypeVar("T")


# Called once, inside the pacer's slot, just before a request first leaves: a daily question is claimed
# ('sending') there, not before it queued for a slot, so a crash while it waits leaves it due, not uncertain.
LEAVING: ContextVar[Callable[[], Awaitable[bool]] | None] = ContextVar("leaving", default=None)


class Withdrawn(Exception):
    """The request was not sent: its LEAVING hook said no (another sender has the question)."""


class DeliveryUncertain(TimedOut):
    """The request left and no answer came back in time: it may have arrived, so it is not repeated."""


def not_received(error: BaseException) -> bool:
    """Telegram did not carry the request out: no connection, a dropped one without an answer, a full pool,
    or its own 5xx. (A read timeout is not this: the request may have arrived.)"""
    if isinstance(error, RetryAfter | BadRequest | DeliveryUncertain) or not isinstance(error, NetworkError):
        return False
    cause = error.__cause__
    name = type(cause).__name__ if cause is not None else ""
    if isinstance(error, TimedOut):
        return name in ("PoolTimeout", "ConnectTimeout", "WriteTimeout")
    if cause is None:  # Telegram answered with an error status: 5xx (502, 500…) land here
        return True
    return name in ("ConnectError", "RemoteProtocolError", "ReadError", "WriteError", "NetworkError")


def may_have_arrived(error: BaseException) -> bool:
    """A timeout after the request left: Telegram may have carried it out."""
    return isinstance(error, TimedOut) and not not_received(error)


class Pacer:
    """At most `limit` sends reach Telegram in any `window` seconds, whatever delays them on the way.

    A send may arrive any time between the moment it is let go and the moment its answer comes back, and a busy
    process can hold several sends and release them together. So a send occupies its place from the moment it
    is let go until `window` seconds after it finished; a new one goes only while fewer than `limit` do. Then no
    window can hold more than `limit` arrivals: when the last of them was let go, all the others were still in
    flight or had finished less than `window` before.
    """

    def __init__(
        self,
        limit: int = SENDS_PER_SECOND,
        window: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._sends: list[list[float | None]] = []  # [finished at], None while in flight
        self._lock = asyncio.Lock()
        self._finished = asyncio.Event()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for a place, hold it while the send runs, and keep it for `window` seconds after."""
        ticket: list[float | None] = [None]
        async with self._lock:
            while True:
                now = self.clock()
                self._sends = [t for t in self._sends if t[0] is None or now - t[0] < self.window]
                if len(self._sends) < self.limit:
                    self._sends.append(ticket)
                    break
                finished = [t[0] for t in self._sends if t[0] is not None]
                self._finished.clear()
                if finished:
                    await asyncio.sleep(min(finished) + self.window - now)
                else:  # every place is in flight: wait for one to finish
                    await self._finished.wait()
        try:
            yield
        finally:
            ticket[0] = self.clock()
            self._finished.set()


class PacedRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (per-group limits, RetryAfter holds every request) plus a strict sliding window."""

    def __init__(
        self, pacer: Pacer | None = None, retry_delays: Sequence[float] = SEND_RETRY_DELAYS_S, **options: Any
    ) -> None:
        super().__init__(**options)
        self.pacer = pacer or Pacer()
        self.retry_delays = tuple(retry_delays)
        self.stopping: Callable[[], bool] = lambda: False  # the bot is stopping: no more waiting to retry

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint == "getUpdates":  # the polling loop retries it itself
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        paced = callback
        if data.get("chat_id") is not None:  # a message to someone: paced

            async def paced(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
                async with self.pacer.slot():  # taken as the request leaves: a retry takes a slot of its own
                    leaving = LEAVING.get()
                    if leaving is not None:
                        LEAVING.set(None)  # once: a retry of the same request is no new claim
                        if not await leaving():
                            raise Withdrawn(endpoint)
                    return await callback(*call_args, **call_kwargs)

        for attempt, delay in enumerate((*self.retry_delays, None)):
            try:
                return await super().process_request(paced, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                uncertain = may_have_arrived(error)
                if uncertain and (endpoint in AT_MOST_ONCE_METHODS or delay is None or self.stopping()):
                    log.warning("event=send_uncertain method=%s chat=%s", endpoint, data.get("chat_id"))
                    raise DeliveryUncertain(f"{endpoint}: no answer in time; it may have arrived") from error
                if not (uncertain or not_received(error)):
                    raise
                if delay is None or self.stopping():
                    error.retried = True  # type: ignore[attr-defined]  # with_retry: do not start over
                    raise
                log.warning(
                    "event=send_retry method=%s chat=%s attempt=%d wait=%.1f error=%r",
                    endpoint, data.get("chat_id"), attempt + 1, delay, str(error)[:120],
                )  # fmt: skip
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


async def with_retry(send: Callable[[], Awaitable[T]], *, network_wait: float = NETWORK_RETRY_S) -> T:
    """One send, tried again after a RetryAfter that outlasted the rate limiter's own retries. (Failures
    Telegram did not receive are retried by the limiter already; a send that may have arrived and a refusal
    are raised at once.) Without the limiter, as in a bare Bot, a failure not received is retried here."""
    for attempt in range(MAX_RETRIES + 1):
        try:
            return await send()
        except RetryAfter as error:
            if attempt == MAX_RETRIES:
                raise
            seconds = _seconds(error.retry_after)
            log.warning("event=retry_after seconds=%.1f attempt=%d", seconds, attempt + 1)
            await asyncio.sleep(seconds)
        except NetworkError as error:
            if not not_received(error) or attempt == MAX_RETRIES or getattr(error, "retried", False):
                raise
            log.warning("event=send_retry error=%r attempt=%d", str(error), attempt + 1)
            await asyncio.sleep(network_wait * (attempt + 1))
    raise AssertionError("unreachable")


@dataclass
class Report:
    """What a broadcast did: chats served, messages sent, chats gone (blocked the bot), chats that failed."""

    chats: int = 0
    sent: int = 0
    gone: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: int = 0  # chats not started because the bot is stopping (the next start serves them)


def is_gone(error: Exception) -> bool:
    """The chat will never take a message again: the bot was blocked, kicked, or the chat was deleted."""
    if isinstance(error, Forbidden):
        return True
    return isinstance(error, BadRequest) and "chat not found" in error.message.lower()


async def broadcast(
    chat_ids: Sequence[int],
    serve: Callable[[int], Awaitable[int]],
    *,
    on_gone: Callable[[int], Awaitable[None]],
    workers: int = WORKERS,
    should_stop: Callable[[], bool] = lambda: False,
) -> Report:
    """Run `serve(chat_id)` (it returns how many messages it sent) for every chat with a few workers.

    A chat that is gone is passed to `on_gone` (unsubscribe it) and logged; any other failure is logged and
    the rest go on. Every chat is tried once, unless `should_stop()` turns true: then no new chat is started.
    """
    report = Report()
    streak = [0]  # chats in a row Telegram did not receive: an outage, not one chat's trouble

    def stop() -> bool:
        if streak[0] >= FAILING_CHATS_IN_A_ROW:
            return True
        return should_stop()

    queue: asyncio.Queue[int] = asyncio.Queue()
    for chat_id in chat_ids:
        queue.put_nowait(chat_id)

    async def worker() -> None:
        while True:
            if stop():
                report.skipped += queue.qsize()
                while not queue.empty():
                    queue.get_nowait()
                return
            try:
                chat_id = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                sent = await serve(chat_id)  # read report.sent only after the await: other workers add too
                report.sent += sent
                report.chats += 1
                streak[0] = 0
            except Exception as error:  # one chat's trouble must not stop the others
                if not_received(error):
                    streak[0] += 1
                    if streak[0] == FAILING_CHATS_IN_A_ROW:
                        log.warning(
                            "event=broadcast_paused reason=telegram_failing chats_in_a_row=%d", streak[0]
                        )
                if is_gone(error):
                    report.gone.append(chat_id)
                    log.info("event=chat_gone chat=%s reason=%r", chat_id, str(error))
                    await on_gone(chat_id)
                else:
                    report.failed.append(chat_id)
                    log.warning("event=send_failed chat=%s error=%r", chat_id, str(error))

    await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(chat_ids))))))
    return report


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
