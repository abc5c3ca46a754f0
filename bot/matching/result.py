"""The outcome of matching one question, as the front ends receive it."""

from __future__ import annotations

from dataclasses import dataclass

OUTCOMES = ("answer", "suggest", "unstated", "decline", "empty", "too_long")


@dataclass(frozen=True, slots=True)
class Match:
    """The decision on one question: an answer, entries offered, or a decline. No display text: bot.present
    words it (a plain text for the console, HTML for Telegram).

    `suggestions` are the runners-up under an answer, the candidates of a "did you mean", or the entries an
    `unstated` reply offers; `lacking` names what the speech does not give (bot.matching.unstated's kinds).
    """

    question: str
    normalized: str
    answered: bool
    entry_id: str | None
    score: float
    suggestions: tuple[str, ...]
    entry_ids: tuple[str, ...] = ()
    outcome: str = "decline"  # answer | suggest | unstated | decline | empty | too_long
    lacking: str = ""


def refused(question: str, normalized: str, outcome: str) -> Match:
    """A question the matcher does not score (empty, too long) or that nothing scored: no entry, score 0."""
    return Match(question, normalized, False, None, 0.0, (), (), outcome)
