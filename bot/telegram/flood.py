"""Flood control per person: more than N messages in T seconds gets one polite "slow down", the rest are dropped.

It runs before every other handler (group -1). A dropped update is logged with status "dropped" and stops
there; other people are never slowed down by one person's flood.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.telegram.filters import is_addressed

if TYPE_CHECKING:
    from bot.telegram.context import BotContext

SLOW_DOWN = "您发得太快了，请稍等几秒再问。这期间的消息我不会回复。"
GROUP = -1
PRUNE_EVERY = 1024


class Verdict(Enum):
    PASS = "pass"
    WARN = "warn"  # the first message over the limit: say "slow down" once
    DROP = "drop"


class FloodGate:
    """A sliding window per user: the last `limit + 1` arrival times are all it keeps for anyone."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or seconds <= 0:
            raise ValueError("the flood limit needs at least one message in a positive number of seconds")
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._arrivals: dict[int, deque[float]] = {}
        self._warned: set[int] = set()
        self._checks = 0

    def check(self, user_id: int) -> Verdict:
        now = self.clock()
        arrivals = self._arrivals.setdefault(user_id, deque(maxlen=self.limit + 1))
        while arrivals and arrivals[0] <= now - self.seconds:
            arrivals.popleft()
        arrivals.append(now)
        self._checks += 1
        if self._checks % PRUNE_EVERY == 0:
            self._prune(now)
        if len(arrivals) <= self.limit:
            self._warned.discard(user_id)
            return Verdict.PASS
        if user_id in self._warned:
            return Verdict.DROP
        self._warned.add(user_id)
        return Verdict.WARN

    def _prune(self, now: float) -> None:
        """Forget people whose last message left the window, so memory follows the active users only."""
        idle = [
            user for user, times in self._arrivals.items() if not times or times[-1] <= now - self.seconds
        ]
        for user in idle:
            del self._arrivals[user]
            self._warned.discard(user)


async def guard(update: Update, context: BotContext) -> None:
    """Let the update through, or answer "slow down" once, or drop it; either way a flood is logged."""
    user = update.effective_user
    message = update.message or update.edited_message
    if user is None or not (update.callback_query or (message and is_addressed(message))):
        return
    verdict = context.flood.check(user.id)
    if verdict is Verdict.PASS:
        return
    if verdict is Verdict.WARN and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, SLOW_DOWN)
    if update.callback_query:
        await update.callback_query.answer(SLOW_DOWN if verdict is Verdict.WARN else None)
    context.log(update, SLOW_DOWN if verdict is Verdict.WARN else "", status="dropped")
    raise ApplicationHandlerStop


def add_handlers(application: Application) -> None:
    application.add_handler(TypeHandler(Update, guard), group=GROUP)
