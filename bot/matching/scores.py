"""Score arrays: one float per entry of the pack, -inf for an entry that no layer scored."""

from __future__ import annotations

import math

import numpy as np

TOP = 5  # the decision looks at the five best entries at most (ordinal lifts, suggestions, ties)


def ranked(values: np.ndarray, k: int = TOP) -> list[int]:
    """The k best entries, best first, ties by position; -inf marks an entry without a score."""
    if len(values) > k:
        floor = np.partition(values, len(values) - k)[len(values) - k]
        candidates = np.flatnonzero(values >= floor) if floor > -np.inf else np.flatnonzero(values > -np.inf)
    else:
        candidates = np.flatnonzero(values > -np.inf)
    order = np.argsort(-values[candidates], kind="stable")
    return candidates[order][:k].tolist()


def score_of(values: np.ndarray, index: int) -> float:
    """An entry's score, 0.0 when it has none."""
    value = values.item(index)
    return 0.0 if value == -math.inf else value


def lift(values: np.ndarray, index: int, value: float) -> None:
    """Raise an entry's score to value, never lower it."""
    values[index] = max(score_of(values, index), value)


def scored(values: np.ndarray) -> dict[int, float]:
    """Entry index → score, for every entry with a score."""
    found = np.flatnonzero(values > -np.inf)
    return dict(zip(found.tolist(), values[found].tolist(), strict=True))
