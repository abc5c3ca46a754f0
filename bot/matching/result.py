"""The outcome of matching one question, as the front ends receive it."""

from __future__ import annotations

from dataclasses import dataclass

OUTCOMES = ("answer", "suggest", "unstated", "decline", "empty", "too_long")


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome for one question: an answer, suggestions, or a decline, with the text to show.

    `text` is made by bot.matching.wording, the only module that words a decision.
    """

    question: str
    normalized: str
    answered: bool
    entry_id: str | None
    score: float
    suggestions: tuple[str, ...]
    text: str
    entry_ids: tuple[str, ...] = ()
    outcome: str = "decline"  # answer | suggest | unstated | decline | empty | too_long


def refused(question: str, normalized: str, outcome: str, text: str) -> Match:
    """A question the matcher does not score (empty, too long) or that nothing scored: no entry, score 0."""
    return Match(question, normalized, False, None, 0.0, (), text, (), outcome)
