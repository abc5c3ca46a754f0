"""Spaced repetition for quiz questions: a thin, pure wrapper over the `fsrs` library.

A question's review state travels as JSON text (a column in SQLite later). The clock is always passed in, so a
schedule can be replayed and tested; nothing here reads the time or draws random numbers. The scheduler works in
whole days, since the quiz comes once a day: a wrong answer brings the question back the next day, a right one
lets FSRS space it out; no minute-long learning steps, no random fuzz on intervals.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

RIGHT = Rating.Good
WRONG = Rating.Again
RELEARN_AFTER = timedelta(days=1)


class ReviewError(ValueError):
    """A review state or a clock reading that cannot be used."""


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """Where one question stands in the schedule; `due` and `last_review` are in UTC."""

    due: datetime
    state: int = State.Learning.value
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None
    reviews: int = 0
    lapses: int = 0  # wrong answers

    @classmethod
    def new(cls, now: datetime) -> ReviewCard:
        """A question never answered, due at once."""
        return cls(due=_utc(now))

    def to_json(self) -> str:
        data = asdict(self)
        data["due"] = self.due.isoformat()
        data["last_review"] = self.last_review.isoformat() if self.last_review else None
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ReviewCard:
        try:
            data = json.loads(text)
            return cls(
                due=_utc(datetime.fromisoformat(data["due"])),
                state=State(int(data["state"])).value,
                step=None if data["step"] is None else int(data["step"]),
                stability=None if data["stability"] is None else float(data["stability"]),
                difficulty=None if data["difficulty"] is None else float(data["difficulty"]),
                last_review=_time_or_none(data["last_review"]),
                reviews=int(data.get("reviews", 0)),
                lapses=int(data.get("lapses", 0)),
            )
        except (TypeError, KeyError, ValueError) as error:
            raise ReviewError(f"not a review card: {text[:80]!r} ({error})") from None

    def _to_fsrs(self) -> Card:
        # card_id is given so fsrs neither reads the clock nor sleeps to make one; the quiz keys cards itself.
        return Card(
            card_id=0,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


def _time_or_none(text: str | None) -> datetime | None:
    return _utc(datetime.fromisoformat(text)) if text else None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ReviewError(f"a time without a timezone cannot be scheduled: {moment.isoformat()}")
    return moment.astimezone(UTC)


def _scheduler() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(RELEARN_AFTER,), enable_fuzzing=False)


def review(card: ReviewCard | None, correct: bool, now: datetime) -> ReviewCard:
    """The card after one answer at `now`: Good when right, Again when wrong."""
    now = _utc(now)
    before = card or ReviewCard.new(now)
    after, _ = _scheduler().review_card(before._to_fsrs(), RIGHT if correct else WRONG, now)
    return ReviewCard(
        due=_utc(after.due),
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        last_review=_utc(after.last_review) if after.last_review else None,
        reviews=before.reviews + 1,
        lapses=before.lapses + (not correct),
    )


def record(card_json: str | None, correct: bool, now: datetime) -> tuple[str, datetime]:
    """Record one answer on a stored card (None: never answered); return the new card and when it is due."""
    card = review(ReviewCard.from_json(card_json) if card_json else None, correct, now)
    return card.to_json(), card.due


def is_due(card_json: str | None, now: datetime) -> bool:
    """Whether the question should be asked again at `now`; a question never answered is due."""
    return card_json is None or ReviewCard.from_json(card_json).due <= _utc(now)
