"""The quiz as people use it: what to ask a chat next, answers scored, 错题本 reviews, streaks, subscriptions.

The questions come from `bot.quiz` (pure) and the review schedule from `bot.review` (pure); this module keeps
their state in the Store's quiz tables (migration 2). Both front ends use it: Telegram with poll ids, the
console with the id `ask` returns. The clock is injected so that a test can live through two weeks in a second.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from bot import review
from bot.daily import DEFAULT_DAILY_COUNT
from bot.quiz import Question, plan
from bot.storage import Store, clean_text, ensure_user, timestamp

RECENT_DAYS = 14  # a question asked in the last two weeks is not asked again unless it is due for review
CONSOLE_CHAT = 0  # the console's chat and user id: no Telegram id is 0
POINTS_PER_RIGHT_ANSWER = 1
UNCERTAIN_SENDS_KEPT = timedelta(days=2)  # how long a question sent without a known poll id can be adopted
PAUSE_AFTER_IGNORED_SETS = 7  # a chat that answered none of its last 7 daily sets is not sent an eighth
FLAGS_TO_WITHDRAW = 3  # a question flagged (纠错) by this many people is not asked until an admin clears it

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Asked:
    """One question put to a chat: what was shown and which options are right, in the order shown."""

    id: int
    chat_id: int
    question: Question
    source: str


@dataclass(frozen=True, slots=True)
class PollTarget:
    """Where a poll went: its quiz_asked row, the chat, and the person who owns that chat (None: a group)."""

    asked_id: int
    chat_id: int
    owner: int | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One scored answer. `due` is when the question comes back (None: right the first time, no card)."""

    question: Question
    chosen: tuple[int, ...]
    right: bool
    due: datetime | None


@dataclass(frozen=True, slots=True)
class Score:
    points: int
    answered: int
    right: int
    current_streak: int  # days in a row, up to today or yesterday, with at least one answer
    best_streak: int
    due: int  # review questions due now

    @property
    def accuracy(self) -> float:
        return self.right / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    chat_type: str
    time: str  # HH:MM in the bot's time zone
    count: int


@dataclass(frozen=True, slots=True)
class Standing:
    user_id: int
    name: str
    points: int
    answered: int


class Study:
    """The quiz's memory over one Store. `bank` is the whole question bank (bot.quiz.all_questions)."""

    def __init__(
        self,
        store: Store,
        bank: Sequence[Question],
        timezone: tzinfo = UTC,
        clock: Clock = lambda: datetime.now(UTC),
        *,
        bank_of: Callable[[int], Sequence[Question]] | None = None,
        known: Sequence[Question] = (),
    ) -> None:
        """`bank_of` gives a chat's own bank (the speech it studies, when the bot serves several); `known` are
        the other speeches' questions, so that an answer, a daily set or a 错题本 card made in one speech is
        still read after the chat switched to another (a question's id names the speech it came from)."""
        self.store = store
        self.bank = tuple(bank)
        self.bank_of = bank_of
        self.by_id = {q.id: q for q in (*known, *self.bank)}
        self.timezone = timezone
        self.clock = clock

    # -- what to ask -------------------------------------------------------------------------------------

    async def next_questions(
        self,
        chat_id: int,
        count: int,
        *,
        user_id: int | None = None,
        pool: Sequence[Question] | None = None,
        seed: int | None = None,
    ) -> list[Question]:
        """A set for one chat: the person's due reviews first (private chats), then unseen questions; nothing
        asked in this chat in the last RECENT_DAYS days unless due. `pool` narrows the bank (a topic)."""
        now = self.clock()
        due = await self.due_ids(user_id) if user_id is not None else []
        rows = await self.store.fetchall(
            "SELECT question_id, max(asked_at) FROM quiz_asked WHERE chat_id = ? GROUP BY question_id",
            (chat_id,),
        )
        cutoff = timestamp(now - timedelta(days=RECENT_DAYS))
        seen = {question_id for question_id, _ in rows}
        recent = {question_id for question_id, last in rows if last >= cutoff}
        if seed is None:
            seed = random.Random(f"{chat_id}/{now.isoformat()}").randrange(1 << 30)
        bank = self.bank_of(chat_id) if self.bank_of is not None else self.bank
        withdrawn = await self.withdrawn_ids()
        usable = [q for q in (bank if pool is None else pool) if q.id not in withdrawn]
        return plan(usable, count, seed, due=due, seen=seen, recent=recent)

    async def record_asked(
        self,
        chat_id: int,
        question: Question,
        *,
        source: str = "quiz",
        poll_id: str | None = None,
        private: bool = True,
        round_id: int | None = None,
    ) -> Asked:
        """Remember that `question` (options in the order shown) went to a chat, so its answer can be scored."""
        async with self.store.transaction() as db:
            asked_id = await self._insert_asked(db, chat_id, question, source, poll_id, private, round_id)
        return Asked(asked_id, chat_id, question, source)

    async def _insert_asked(
        self,
        db: Any,
        chat_id: int,
        question: Question,
        source: str,
        poll_id: str | None,
        private: bool,
        round_id: int | None = None,
    ) -> int:
        now = timestamp(self.clock())
        user_id = chat_id if private else None
        if user_id is not None:
            await ensure_user(db, user_id, now, "console" if chat_id == CONSOLE_CHAT else "telegram")
        cursor = await db.execute(
            "INSERT INTO quiz_asked (chat_id, user_id, question_id, correct, source, poll_id, asked_at, round_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                chat_id,
                user_id,
                question.id,
                json.dumps(list(question.correct)),
                source,
                poll_id,
                now,
                round_id,
            ),
        )
        return int(cursor.lastrowid or 0)

    # -- the daily set, durable --------------------------------------------------------------------------
    # A chat's set for a day is planned once (daily_sends rows, state 'due'); each question is claimed
    # ('sending') before it leaves and marked 'sent' with its quiz_asked row in one transaction after. A crash
    # between the two leaves 'sending', which the next start turns into 'uncertain': it may have arrived, so
    # it is never sent again. A send that surely failed goes back to 'due' for the next try.

    def local_day(self, moment: datetime | None = None) -> str:
        """The date in the bot's time zone, as daily sets are keyed."""
        return (moment or self.clock()).astimezone(self.timezone).date().isoformat()

    async def plan_daily(self, subscription: Subscription, day: str) -> int:
        """The chat's set for `day`, chosen now unless it already was; returns how many questions it holds."""
        chat_id = subscription.chat_id
        rows = await self.store.fetchall(
            "SELECT count(*) FROM daily_sends WHERE chat_id = ? AND day = ?", (chat_id, day)
        )
        if int(rows[0][0]):
            return int(rows[0][0])
        private = subscription.chat_type == "private"
        questions = await self.next_questions(
            chat_id, subscription.count, user_id=chat_id if private else None
        )
        now = timestamp(self.clock())
        async with self.store.transaction() as db:
            if private:
                await ensure_user(db, chat_id, now, "telegram")
            await db.executemany(
                "INSERT INTO daily_sends (chat_id, day, position, question_id, user_id, state, planned_at)"
                " VALUES (?, ?, ?, ?, ?, 'due', ?) ON CONFLICT DO NOTHING",
                [
                    (chat_id, day, n, q.id, chat_id if private else None, now)
                    for n, q in enumerate(questions, 1)
                ],
            )
        return len(questions)

    async def daily_planned(self, chat_id: int, day: str) -> bool:
        rows = await self.store.fetchall(
            "SELECT 1 FROM daily_sends WHERE chat_id = ? AND day = ? LIMIT 1", (chat_id, day)
        )
        return bool(rows)

    async def daily_due(self, chat_id: int, day: str) -> list[tuple[int, int, Question]]:
        """(position, size of the set, question) of the chat's questions still to send for `day`."""
        rows = await self.store.fetchall(
            "SELECT position, question_id, state FROM daily_sends WHERE chat_id = ? AND day = ? ORDER BY position",
            (chat_id, day),
        )
        return [
            (int(position), len(rows), self.by_id[question_id])
            for position, question_id, state in rows
            if state == "due" and question_id in self.by_id
        ]

    async def claim_daily(self, chat_id: int, day: str, position: int) -> bool:
        """Take one due question for sending; False when it is not due (sent, or another sender has it)."""
        async with self.store.transaction() as db:
            cursor = await db.execute(
                "UPDATE daily_sends SET state = 'sending' WHERE chat_id = ? AND day = ? AND position = ?"
                " AND state = 'due'",
                (chat_id, day, position),
            )
            return cursor.rowcount == 1

    async def daily_sent(
        self,
        chat_id: int,
        day: str,
        position: int,
        question: Question,
        *,
        poll_id: str | None,
        private: bool,
        uncertain: bool = False,
    ) -> None:
        """The question left (or may have: `uncertain`, no poll id): recorded as asked, never sent again."""
        async with self.store.transaction() as db:
            asked_id = await self._insert_asked(db, chat_id, question, "daily", poll_id, private)
            await db.execute(
                "UPDATE daily_sends SET state = ?, asked_id = ?, sent_at = ? WHERE chat_id = ? AND day = ?"
                " AND position = ?",
                (
                    "uncertain" if uncertain else "sent",
                    asked_id,
                    timestamp(self.clock()),
                    chat_id,
                    day,
                    position,
                ),
            )

    async def daily_not_sent(self, chat_id: int, day: str, position: int) -> None:
        """The send surely failed (Telegram did not receive it): due again, for the next try."""
        async with self.store.transaction() as db:
            await db.execute(
                "UPDATE daily_sends SET state = 'due' WHERE chat_id = ? AND day = ? AND position = ?"
                " AND state = 'sending'",
                (chat_id, day, position),
            )

    async def recover_daily(self) -> int:
        """At start: sends cut off by a crash may have arrived; they become 'uncertain', never repeated."""
        async with self.store.transaction() as db:
            cursor = await db.execute("UPDATE daily_sends SET state = 'uncertain' WHERE state = 'sending'")
            return cursor.rowcount

    async def daily_unfinished(self, day: str, time: str, made_before: datetime) -> bool:
        """Whether a chat subscribed at `time` (before `made_before`) has questions of `day` due, or no set."""
        rows = await self.store.fetchall(
            "SELECT 1 FROM subscriptions AS s WHERE s.time = ? AND s.created_at <= ? AND (NOT EXISTS"
            " (SELECT 1 FROM daily_sends AS d WHERE d.chat_id = s.chat_id AND d.day = ?) OR EXISTS"
            " (SELECT 1 FROM daily_sends AS d WHERE d.chat_id = s.chat_id AND d.day = ? AND d.state = 'due'))"
            " LIMIT 1",
            (time, timestamp(made_before), day, day),
        )
        return bool(rows)

    # -- answers -----------------------------------------------------------------------------------------

    async def poll_target(self, poll_id: str) -> PollTarget | None:
        """Where one of our polls went (None: a poll we did not send, or forgot)."""
        rows = await self.store.fetchall(
            "SELECT id, chat_id, user_id FROM quiz_asked WHERE poll_id = ?", (poll_id,)
        )
        if not rows:
            return None
        asked_id, chat_id, owner = rows[0]
        return PollTarget(int(asked_id), int(chat_id), None if owner is None else int(owner))

    async def adopt_poll(
        self, poll_id: str, text: str, options: Sequence[str], *, voter: int | None = None
    ) -> PollTarget | None:
        """Give a poll id to the question it shows, when that question was sent without one (the send timed
        out after it left, so whether it arrived was unknown): the first vote on it proves it did. Adopted
        only when exactly one such question fits the text, the options and (in a private chat) the voter."""
        cutoff = timestamp(self.clock() - UNCERTAIN_SENDS_KEPT)
        rows = await self.store.fetchall(
            "SELECT id, chat_id, user_id, question_id FROM quiz_asked WHERE poll_id IS NULL AND chat_id != ?"
            " AND asked_at >= ? ORDER BY id",
            (CONSOLE_CHAT, cutoff),
        )
        fits = [
            PollTarget(int(asked_id), int(chat_id), None if owner is None else int(owner))
            for asked_id, chat_id, owner, question_id in rows
            if question_id in self.by_id
            and text.endswith(self.by_id[question_id].question)
            and tuple(options) == self.by_id[question_id].options
        ]
        if voter is not None:
            fits = [t for t in fits if t.owner in (None, voter)]
        if len(fits) != 1:
            return None
        async with self.store.transaction() as db:
            cursor = await db.execute(
                "UPDATE quiz_asked SET poll_id = ? WHERE id = ? AND poll_id IS NULL",
                (poll_id, fits[0].asked_id),
            )
            if cursor.rowcount != 1:
                return None
        return fits[0]

    async def answer_poll(
        self, poll_id: str, user_id: int, chosen: Sequence[int], *, front_end: str = "telegram"
    ) -> Outcome | None:
        """Score a PollAnswer; None for a poll we did not send (or forgot), a retracted vote, or a person who
        is not the owner of the private chat the poll went to."""
        target = await self.poll_target(poll_id)
        if target is None or not chosen or (target.owner is not None and target.owner != user_id):
            return None
        return await self.answer(target.asked_id, user_id, chosen, front_end=front_end)

    async def answer(
        self, asked_id: int, user_id: int, chosen: Sequence[int], *, front_end: str = "telegram"
    ) -> Outcome | None:
        """Score one person's answer to one asked question; a second answer to the same one is not counted."""
        rows = await self.store.fetchall(
            "SELECT chat_id, question_id, correct FROM quiz_asked WHERE id = ?", (asked_id,)
        )
        if not rows:
            return None
        chat_id, question_id, correct_json = rows[0]
        question = self.by_id.get(question_id)
        if question is None:  # the speech changed and the question with it: nothing to score against
            return None
        if not chosen or len(set(chosen)) != len(chosen):
            return None
        if any(not isinstance(i, int) or not 0 <= i < len(question.options) for i in chosen):
            return None  # option ids the question never had: forged, or a different poll
        picked = tuple(sorted(set(chosen)))
        right = picked == tuple(json.loads(correct_json))
        moment = self.clock()
        now = timestamp(moment)
        day = moment.astimezone(self.timezone).date().isoformat()
        due: datetime | None = None
        async with self.store.transaction() as db:
            await ensure_user(db, user_id, now, front_end)
            cursor = await db.execute(
                "INSERT INTO quiz_answers (asked_id, user_id, chat_id, question_id, chosen, correct,"
                " answered_at, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (asked_id, user_id) DO NOTHING",
                (asked_id, user_id, chat_id, question_id, json.dumps(list(picked)), int(right), now, day),
            )
            if cursor.rowcount == 0:
                return None
            async with db.execute(
                "SELECT card FROM quiz_cards WHERE user_id = ? AND question_id = ?", (user_id, question_id)
            ) as found:
                card = await found.fetchone()
            if card is not None or not right:  # a card is made by the first wrong answer
                card_json, due = review.record(card[0] if card else None, right, moment)
                await db.execute(
                    "INSERT INTO quiz_cards (user_id, question_id, card, due) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (user_id, question_id) DO UPDATE SET card = excluded.card, due = excluded.due",
                    (user_id, question_id, card_json, timestamp(due)),
                )
        return Outcome(question, picked, right, due)

    # -- reviews and scores ------------------------------------------------------------------------------

    async def due_ids(self, user_id: int) -> list[str]:
        """The person's 错题本 questions due now, the most overdue first (only those still in the bank)."""
        rows = await self.store.fetchall(
            "SELECT question_id FROM quiz_cards WHERE user_id = ? AND due <= ? ORDER BY due, question_id",
            (user_id, timestamp(self.clock())),
        )
        return [question_id for (question_id,) in rows if question_id in self.by_id]

    async def book_ids(self, user_id: int, limit: int) -> list[str]:
        """The person's 错题本 questions, due first and then by how soon they come due: what "错题本" (the
        button, or /review with nothing due) reviews at once, on request."""
        rows = await self.store.fetchall(
            "SELECT question_id FROM quiz_cards WHERE user_id = ? ORDER BY due, question_id", (user_id,)
        )
        return [question_id for (question_id,) in rows if question_id in self.by_id][:limit]

    async def next_due(self, user_id: int) -> datetime | None:
        """When the person's next 错题本 question comes due (None: the book is empty)."""
        rows = await self.store.fetchall("SELECT min(due) FROM quiz_cards WHERE user_id = ?", (user_id,))
        return datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None

    async def review_counts(self, user_id: int) -> tuple[int, int]:
        """(due now, all cards): what /review shows."""
        due = len(await self.due_ids(user_id))
        rows = await self.store.fetchall("SELECT count(*) FROM quiz_cards WHERE user_id = ?", (user_id,))
        return due, int(rows[0][0])

    async def score(self, user_id: int) -> Score:
        rows = await self.store.fetchall(
            "SELECT count(*), coalesce(sum(correct), 0) FROM quiz_answers WHERE user_id = ?", (user_id,)
        )
        answered, right = int(rows[0][0]), int(rows[0][1])
        days = [
            date.fromisoformat(day)
            for (day,) in await self.store.fetchall(
                "SELECT DISTINCT day FROM quiz_answers WHERE user_id = ? ORDER BY day", (user_id,)
            )
        ]
        today = self.clock().astimezone(self.timezone).date()
        current, best = streaks(days, today)
        due, _ = await self.review_counts(user_id)
        return Score(right * POINTS_PER_RIGHT_ANSWER, answered, right, current, best, due)

    async def polled_lately(self, chat_id: int, within: timedelta = timedelta(hours=1)) -> bool:
        """Whether a quiz question went to the chat lately (a typed "B" is then meant for it)."""
        rows = await self.store.fetchall(
            "SELECT 1 FROM quiz_asked WHERE chat_id = ? AND asked_at >= ? LIMIT 1",
            (chat_id, timestamp(self.clock() - within)),
        )
        return bool(rows)

    async def source_of(self, asked_id: int) -> str:
        """Where an asked question came from: 'quiz', 'daily', 'review' or 'round'."""
        rows = await self.store.fetchall("SELECT source FROM quiz_asked WHERE id = ?", (asked_id,))
        return str(rows[0][0]) if rows else ""

    async def daily_result(self, chat_id: int, user_id: int) -> tuple[int, int] | None:
        """(answered, right) of the chat's latest daily set once the person has answered all of it (None
        before, or without a set): the set's one-line result is sent then."""
        rows = await self.store.fetchall(
            "SELECT s.asked_id, a.correct FROM daily_sends AS s"
            " LEFT JOIN quiz_answers AS a ON a.asked_id = s.asked_id AND a.user_id = ?"
            " WHERE s.chat_id = ? AND s.day = (SELECT max(day) FROM daily_sends WHERE chat_id = ?)",
            (user_id, chat_id, chat_id),
        )
        if not rows or any(asked is None or right is None for asked, right in rows):
            return None
        return len(rows), sum(int(right) for _, right in rows)

    # -- 纠错: members flag bad questions ----------------------------------------------------------------

    async def flag(self, asked_id: int, user_id: int) -> int | None:
        """One person's flag on the question they were asked (once per person); how many flagged it, or None
        for a question we did not ask."""
        rows = await self.store.fetchall(
            "SELECT chat_id, question_id FROM quiz_asked WHERE id = ?", (asked_id,)
        )
        if not rows:
            return None
        chat_id, question_id = int(rows[0][0]), str(rows[0][1])
        now = timestamp(self.clock())
        async with self.store.transaction() as db:
            await ensure_user(db, user_id, now, "telegram")
            await db.execute(
                "INSERT INTO quiz_flags (question_id, user_id, chat_id, flagged_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (question_id, user_id) DO NOTHING",
                (question_id, user_id, chat_id, now),
            )
        counted = await self.store.fetchall(
            "SELECT count(*) FROM quiz_flags WHERE question_id = ?", (question_id,)
        )
        return int(counted[0][0])

    async def flagged(self) -> list[tuple[str, int, str]]:
        """Every flagged question: (id, flags, last flagged), the most flagged first (/flagged)."""
        rows = await self.store.fetchall(
            "SELECT question_id, count(*) AS n, max(flagged_at) FROM quiz_flags GROUP BY question_id"
            " ORDER BY n DESC, 3 DESC"
        )
        return [(str(q), int(n), str(last)) for q, n, last in rows]

    async def withdrawn_ids(self) -> set[str]:
        """Questions flagged by FLAGS_TO_WITHDRAW people or more: not asked again until cleared."""
        rows = await self.store.fetchall(
            "SELECT question_id FROM quiz_flags GROUP BY question_id HAVING count(*) >= ?",
            (FLAGS_TO_WITHDRAW,),
        )
        return {str(q) for (q,) in rows}

    async def clear_flags(self, question_id: str) -> int:
        """An admin's verdict that the question is fine: its flags are gone, so it is asked again."""
        async with self.store.transaction() as db:
            cursor = await db.execute("DELETE FROM quiz_flags WHERE question_id = ?", (question_id,))
            return cursor.rowcount

    # -- daily subscriptions -----------------------------------------------------------------------------

    async def subscribe(
        self, chat_id: int, chat_type: str, time: str, count: int = DEFAULT_DAILY_COUNT
    ) -> None:
        now = timestamp(self.clock())
        user_id = chat_id if chat_type == "private" else None
        async with self.store.transaction() as db:
            if user_id is not None:
                await ensure_user(db, user_id, now, "telegram")
            await db.execute(
                "INSERT INTO subscriptions (chat_id, chat_type, user_id, time, count, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
                " time = excluded.time, count = excluded.count, chat_type = excluded.chat_type",
                (chat_id, chat_type, user_id, time, count, now),
            )

    async def ignores_daily(self, chat_id: int, sets: int = PAUSE_AFTER_IGNORED_SETS) -> bool:
        """Whether the chat's last `sets` daily sets all went unanswered: time to stop, not to keep nagging."""
        rows = await self.store.fetchall(
            "SELECT min(asked_at) FROM (SELECT substr(asked_at, 1, 10) AS day, min(asked_at) AS asked_at"
            " FROM quiz_asked WHERE chat_id = ? AND source = 'daily' GROUP BY day ORDER BY day DESC LIMIT ?)"
            " HAVING count(*) = ?",
            (chat_id, sets, sets),
        )
        if not rows or rows[0][0] is None:
            return False
        answered = await self.store.fetchall(
            "SELECT 1 FROM quiz_answers WHERE chat_id = ? AND answered_at >= ? LIMIT 1", (chat_id, rows[0][0])
        )
        return not answered

    async def unsubscribe(self, chat_id: int) -> bool:
        """Stop the chat's daily set; False when it had none."""
        async with self.store.transaction() as db:
            cursor = await db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            return cursor.rowcount > 0

    async def subscription(self, chat_id: int) -> Subscription | None:
        found = await self.subscriptions(chat_id=chat_id)
        return found[0] if found else None

    async def subscriptions(
        self, *, time: str | None = None, chat_id: int | None = None, made_before: datetime | None = None
    ) -> list[Subscription]:
        """Every subscription, or those at one time of day, or one chat's (or those made before a moment)."""
        sql = "SELECT chat_id, chat_type, time, count FROM subscriptions"
        where, parameters = [], []
        if made_before is not None:
            where.append("created_at <= ?")
            parameters.append(timestamp(made_before))
        if time is not None:
            where.append("time = ?")
            parameters.append(time)
        if chat_id is not None:
            where.append("chat_id = ?")
            parameters.append(chat_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = await self.store.fetchall(sql + " ORDER BY chat_id", parameters)
        return [Subscription(int(c), str(t), str(hm), int(n)) for c, t, hm, n in rows]

    # -- group leaderboards ------------------------------------------------------------------------------

    async def join_leaderboard(self, chat_id: int, user_id: int, name: str) -> None:
        now = timestamp(self.clock())
        async with self.store.transaction() as db:
            await ensure_user(db, user_id, now, "telegram")
            await db.execute(
                "INSERT INTO leaderboard_members (chat_id, user_id, name, joined_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (chat_id, user_id) DO UPDATE SET name = excluded.name",
                (chat_id, user_id, clean_text(name)[:64], now),
            )

    async def leave_leaderboard(self, chat_id: int, user_id: int) -> bool:
        async with self.store.transaction() as db:
            cursor = await db.execute(
                "DELETE FROM leaderboard_members WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
            )
            return cursor.rowcount > 0

    async def leaderboard(self, chat_id: int, limit: int = 10) -> list[Standing]:
        """The members who joined, by points won in this chat's quizzes."""
        rows = await self.store.fetchall(
            "SELECT m.user_id, m.name, coalesce(sum(a.correct), 0) AS points, count(a.id) AS answered"
            " FROM leaderboard_members AS m"
            " LEFT JOIN quiz_answers AS a ON a.chat_id = m.chat_id AND a.user_id = m.user_id"
            " WHERE m.chat_id = ? GROUP BY m.user_id ORDER BY points DESC, answered, m.joined_at LIMIT ?",
            (chat_id, limit),
        )
        return [Standing(int(u), str(n), int(p) * POINTS_PER_RIGHT_ANSWER, int(a)) for u, n, p, a in rows]


def streaks(days: Collection[date], today: date) -> tuple[int, int]:
    """(current, best) runs of consecutive days; the current run may end yesterday (today is not over)."""
    ordered = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    current = run if previous is not None and (today - previous).days <= 1 else 0
    return current, best
