"""The flood gate itself, kept apart from the handler that uses it (bot.telegram.flood) so that the bot's
context can hold one without importing a handler module. Pure: a clock in, a verdict out."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum

PRUNE_EVERY = 1024  # checks between two sweeps of people who went quiet


class Verdict(Enum):
    PASS = "pass"
    WARN = "warn"  # the first message over the limit: say "slow down" once
    DROP = "drop"


TAP_FACTOR = 3  # button taps get this many times the messages' allowance: reading /sections is tapping


class FloodGate:
    """A sliding window per user: the last `limit` arrivals that passed are all it keeps for anyone. An
    arrival over the limit is not counted, so ignored messages never extend the wait."""

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
        arrivals = self._arrivals.setdefault(user_id, deque(maxlen=self.limit))
        while arrivals and arrivals[0] <= now - self.seconds:
            arrivals.popleft()
        self._checks += 1
        if self._checks % PRUNE_EVERY == 0:
            self._prune(now)
        if len(arrivals) < self.limit:
            arrivals.append(now)
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
