"""The review schedule over FSRS, with the clock passed in."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.review import ReviewCard, ReviewError, is_due, record, review

NOW = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
DAY = timedelta(days=1)


def answer_on_time(answers: list[bool], start: datetime = NOW) -> list[tuple[str, datetime, datetime]]:
    """Answer each time the card falls due; (card, answered at, next due) for each answer."""
    card: str | None = None
    when = start
    log = []
    for correct in answers:
        card, due = record(card, correct, when)
        log.append((card, when, due))
        when = due
    return log


def test_a_question_never_answered_is_due():
    assert is_due(None, NOW)


def test_a_wrong_answer_brings_the_question_back_the_next_day():
    _, due = record(None, False, NOW)
    assert due == NOW + DAY


def test_a_right_answer_comes_back_later_than_a_wrong_one():
    _, after_wrong = record(None, False, NOW)
    _, after_right = record(None, True, NOW)
    assert after_right > after_wrong > NOW


def test_right_answers_in_a_row_space_the_question_out():
    log = answer_on_time([True] * 5)
    intervals = [due - answered for _, answered, due in log]
    assert all(later > earlier for earlier, later in pairwise(intervals))
    assert intervals[-1] > 30 * DAY


def test_a_lapse_after_long_intervals_brings_the_question_back_soon():
    card, answered, due = answer_on_time([True] * 4)[-1]
    lapsed, next_due = record(card, False, due)
    assert next_due == due + DAY < due + (due - answered)
    assert ReviewCard.from_json(lapsed).lapses == 1


def test_the_card_is_due_from_its_due_time_on():
    card, due = record(None, True, NOW)
    assert not is_due(card, NOW)
    assert not is_due(card, due - timedelta(seconds=1))
    assert is_due(card, due) and is_due(card, due + DAY)


def test_the_schedule_depends_only_on_the_answers_and_the_clock():
    assert answer_on_time([True, False, True, True]) == answer_on_time([True, False, True, True])


def test_other_timezones_are_read_as_the_same_moment():
    beijing = timezone(timedelta(hours=8))
    card, due = record(None, True, NOW.astimezone(beijing))
    assert (card, due) == record(None, True, NOW)
    assert due.tzinfo == UTC


def test_a_time_without_a_timezone_is_refused():
    with pytest.raises(ReviewError, match="timezone"):
        record(None, True, datetime(2024, 3, 1, 8, 30))


def test_a_broken_card_is_refused():
    with pytest.raises(ReviewError, match="not a review card"):
        record('{"due": "soon"}', True, NOW)


def test_reviews_raise_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        answer_on_time([True, False, True, True, False])


@settings(max_examples=80, deadline=None)
@given(
    answers=st.lists(st.booleans(), min_size=1, max_size=12),
    gaps=st.lists(st.integers(min_value=0, max_value=400 * 24 * 60), min_size=12, max_size=12),
)
def test_any_history_round_trips_through_json_and_is_due_in_the_future(answers: list[bool], gaps: list[int]):
    card: ReviewCard | None = None
    when = NOW
    for correct, minutes in zip(answers, gaps, strict=False):
        when += timedelta(minutes=minutes)
        card = review(card, correct, when)
        assert ReviewCard.from_json(card.to_json()) == card
        assert card.due > when
        assert card.due <= when + (DAY if not correct else 36500 * DAY)
    assert card is not None and card.reviews == len(answers)
    assert card.lapses == answers.count(False)
