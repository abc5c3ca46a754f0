"""The quiz's memory: what a chat is asked next, scoring, the 错题本 schedule, streaks, subscriptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.daily import parse_time
from bot.quiz import SINGLE, Question, plan
from bot.storage import Store
from bot.study import RECENT_DAYS, Study, streaks

SHANGHAI = ZoneInfo("Asia/Shanghai")


def question(number: int) -> Question:
    return Question(
        id=f"q{number:02d}",
        type=SINGLE,
        question=f"第{number}题？",
        options=("甲", "乙", "丙"),
        correct=(0,),
        explanation="原文：甲。",
        evidence="甲",
        entry_id=f"entry-{number % 3}",
    )


BANK = tuple(question(n) for n in range(1, 13))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 09:00 in Shanghai


@pytest.fixture
async def study(tmp_path: Path, clock: Clock):
    async with Store(tmp_path / "bot.sqlite3") as store:
        yield Study(store, BANK, SHANGHAI, clock)


async def ask_and_answer(study: Study, chat_id: int, question: Question, chosen: int) -> None:
    asked = await study.record_asked(chat_id, question)
    await study.answer(asked.id, chat_id, [chosen])


# ── what to ask ────────────────────────────────────────────────────────────────────────────────────────


def test_plan_puts_due_questions_first_then_unseen_ones() -> None:
    picked = plan(BANK, 4, seed=1, due=["q07", "q03"], seen={"q01", "q02"})
    assert [q.id for q in picked[:2]] == ["q07", "q03"]
    assert not {"q01", "q02"} & {q.id for q in picked}


def test_plan_falls_back_to_seen_questions_but_never_recent_ones() -> None:
    seen = {q.id for q in BANK}
    recent = {q.id for q in BANK[:10]}
    picked = plan(BANK, 5, seed=1, seen=seen, recent=recent)
    assert sorted(q.id for q in picked) == ["q11", "q12"]


def test_plan_is_deterministic_for_a_seed() -> None:
    assert plan(BANK, 5, seed=3) == plan(BANK, 5, seed=3)
    assert [q.id for q in plan(BANK, 5, seed=3)] != [q.id for q in plan(BANK, 5, seed=4)]


async def test_a_question_does_not_come_back_within_two_weeks(study: Study, clock: Clock) -> None:
    first = await study.next_questions(7, 6, seed=1)
    for q in first:
        await study.record_asked(7, q)
    clock.advance(days=RECENT_DAYS - 1)
    second = await study.next_questions(7, 12, seed=2)
    assert not {q.id for q in first} & {q.id for q in second}
    assert len(second) == 6
    clock.advance(days=2)
    third = await study.next_questions(7, 12, seed=3)
    assert len(third) == 12  # everything may come back once two weeks have passed


async def test_a_wrong_answer_comes_back_first_when_due_even_if_recent(study: Study, clock: Clock) -> None:
    await ask_and_answer(study, 7, BANK[4], chosen=2)  # wrong
    assert await study.due_ids(7) == []  # due tomorrow, not now
    clock.advance(days=1, hours=1)
    assert await study.due_ids(7) == [BANK[4].id]
    picked = await study.next_questions(7, 3, user_id=7, seed=5)
    assert picked[0].id == BANK[4].id


async def test_other_chats_history_does_not_limit_a_chat(study: Study) -> None:
    for q in BANK:
        await study.record_asked(1, q)
    assert len(await study.next_questions(2, 12, seed=1)) == 12


# ── answers ────────────────────────────────────────────────────────────────────────────────────────────


async def test_a_right_answer_scores_and_makes_no_review_card(study: Study) -> None:
    asked = await study.record_asked(7, BANK[0])
    outcome = await study.answer(asked.id, 7, [0])
    assert outcome is not None and outcome.right and outcome.due is None
    assert await study.review_counts(7) == (0, 0)


async def test_a_wrong_answer_makes_a_card_due_the_next_day(study: Study, clock: Clock) -> None:
    asked = await study.record_asked(7, BANK[0])
    outcome = await study.answer(asked.id, 7, [1])
    assert outcome is not None and not outcome.right
    assert outcome.due == clock.now + timedelta(days=1)
    assert await study.review_counts(7) == (0, 1)


async def test_a_right_review_spaces_the_card_out(study: Study, clock: Clock) -> None:
    await ask_and_answer(study, 7, BANK[0], chosen=1)
    clock.advance(days=1)
    asked = await study.record_asked(7, BANK[0], source="review")
    outcome = await study.answer(asked.id, 7, [0])
    assert outcome is not None and outcome.right
    assert outcome.due is not None and outcome.due - clock.now >= timedelta(days=2)


async def test_only_the_first_answer_to_a_question_counts(study: Study) -> None:
    asked = await study.record_asked(7, BANK[0])
    assert await study.answer(asked.id, 7, [1]) is not None
    assert await study.answer(asked.id, 7, [0]) is None
    score = await study.score(7)
    assert (score.answered, score.right) == (1, 0)


async def test_poll_answers_are_found_by_poll_id(study: Study) -> None:
    await study.record_asked(-100, BANK[0], poll_id="poll-1", private=False)
    outcome = await study.answer_poll("poll-1", 55, [0])
    assert outcome is not None and outcome.right
    assert await study.answer_poll("poll-unknown", 55, [0]) is None
    assert await study.answer_poll("poll-1", 56, []) is None  # a retracted vote scores nothing


async def test_every_member_of_a_group_answers_the_same_poll(study: Study) -> None:
    await study.record_asked(-100, BANK[0], poll_id="poll-1", private=False)
    for user_id, chosen in ((1, 0), (2, 1), (3, 0)):
        await study.answer_poll("poll-1", user_id, [chosen])
    assert [(await study.score(u)).right for u in (1, 2, 3)] == [1, 0, 1]


# ── scores ─────────────────────────────────────────────────────────────────────────────────────────────


async def test_score_counts_points_accuracy_and_streaks(study: Study, clock: Clock) -> None:
    for day, chosen in enumerate((0, 1, 0, 0)):
        await ask_and_answer(study, 7, BANK[day], chosen)
        clock.advance(days=1)
    clock.advance(days=1)  # a day missed: the streak is broken
    await ask_and_answer(study, 7, BANK[5], 0)
    score = await study.score(7)
    assert (score.points, score.answered, score.right) == (4, 5, 4)
    assert score.accuracy == pytest.approx(0.8)
    assert (score.current_streak, score.best_streak) == (1, 4)


async def test_streak_days_follow_the_bot_time_zone(study: Study, clock: Clock) -> None:
    clock.now = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    await ask_and_answer(study, 7, BANK[0], 0)
    clock.advance(hours=1)  # 00:30 the next day in Shanghai, still 2 March in UTC
    await ask_and_answer(study, 7, BANK[1], 0)
    assert (await study.score(7)).current_streak == 2


def test_streaks_from_plain_dates() -> None:
    d = date(2026, 1, 10)
    days = [d, d + timedelta(1), d + timedelta(2), d + timedelta(5), d + timedelta(6)]
    assert streaks(days, d + timedelta(6)) == (2, 3)
    assert streaks(days, d + timedelta(7)) == (2, 3)  # yesterday still counts
    assert streaks(days, d + timedelta(8)) == (0, 3)
    assert streaks([], d) == (0, 0)


# ── subscriptions and leaderboards ─────────────────────────────────────────────────────────────────────


async def test_subscriptions_are_kept_changed_and_removed(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "bot.sqlite3"
    async with Store(path) as store:
        study = Study(store, BANK, SHANGHAI, clock)
        await study.subscribe(7, "private", "08:00")
        await study.subscribe(-100, "group", "08:00", 5)
        await study.subscribe(7, "private", "21:30", 2)
    async with Store(path) as store:  # a restart
        study = Study(store, BANK, SHANGHAI, clock)
        assert [(s.chat_id, s.time, s.count) for s in await study.subscriptions()] == [
            (-100, "08:00", 5),
            (7, "21:30", 2),
        ]
        assert [s.chat_id for s in await study.subscriptions(time="08:00")] == [-100]
        assert await study.unsubscribe(7) is True
        assert await study.unsubscribe(7) is False
        assert await study.subscription(7) is None


async def test_leaderboard_lists_only_members_who_joined(study: Study) -> None:
    for user_id, chosen in ((1, 0), (2, 0), (3, 1)):
        await study.record_asked(-100, BANK[user_id], poll_id=f"p{user_id}", private=False)
        await study.answer_poll(f"p{user_id}", user_id, [chosen])
    await study.join_leaderboard(-100, 2, "小王")
    await study.join_leaderboard(-100, 3, "小李")
    board = await study.leaderboard(-100)
    assert [(s.name, s.points) for s in board] == [("小王", 1), ("小李", 0)]
    assert await study.leave_leaderboard(-100, 2) is True
    assert [s.name for s in await study.leaderboard(-100)] == ["小李"]


async def test_forget_user_removes_their_quiz_history(study: Study) -> None:
    await ask_and_answer(study, 7, BANK[0], 1)
    await study.subscribe(7, "private", "08:00")
    await study.join_leaderboard(-100, 7, "我")
    await study.record_asked(-100, BANK[1], poll_id="p", private=False)
    assert await study.store.forget_user(7) > 0
    score = await study.score(7)
    assert (score.answered, score.due) == (0, 0)
    assert await study.subscription(7) is None
    assert await study.leaderboard(-100) == []
    assert await study.answer_poll("p", 8, [0]) is not None  # the group's poll is not the person's data


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8:00", "08:00"), ("08:05", "08:05"), ("20：30", "20:30"), ("7点", "07:00"), ("7点半", "07:30"),
     ("21点15分", "21:15"), ("24:00", None), ("8:60", None), ("明天", None), ("", None)],
)  # fmt: skip
def test_parse_time(text: str, expected: str | None) -> None:
    assert parse_time(text) == expected


async def test_next_due_is_the_earliest_card(study: Study, clock: Clock) -> None:
    assert await study.next_due(7) is None
    await ask_and_answer(study, 7, BANK[0], chosen=1)
    first = clock.now + timedelta(days=1)
    clock.advance(hours=5)
    await ask_and_answer(study, 7, BANK[1], chosen=1)
    assert await study.next_due(7) == first


async def test_a_chat_that_ignores_seven_daily_sets_is_not_nagged(study: Study, clock: Clock) -> None:
    for _ in range(6):
        await study.record_asked(7, BANK[0], source="daily")
        clock.advance(days=1)
    assert await study.ignores_daily(7) is False  # six sets: not yet
    await study.record_asked(7, BANK[1], source="daily")
    assert await study.ignores_daily(7) is True
    asked = await study.record_asked(7, BANK[2], source="quiz")
    await study.answer(asked.id, 7, [0])  # answering anything shows the chat is there
    assert await study.ignores_daily(7) is False
