"""Studying together in a group: the roster members join by choice, group rounds and their summaries.

Records are of content covered and sessions taken part in, never of time online: only the members who joined
(/join) are named, the others are counted; a ranking is shown only where the group turned its board on. A
round's state lives in the `rounds` table (migration 5), so a restart resumes its closing and its summary.
Telegram-free: the handlers in bot.telegram.rounds send the polls and the summary.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.quiz import Question
from bot.storage import timestamp
from bot.study import Study

DEFAULT_ROUND_QUESTIONS = 5
MAX_ROUND_QUESTIONS = 10
DEFAULT_ROUND_MINUTES = 10
MAX_ROUND_MINUTES = 60
MOST_MISSED = 3  # questions a summary quotes the speech for
BOARD_SETTING = "board"  # chat_settings key: the group shows rankings (off unless its admins turn it on)
ROUND = "round"  # quiz_asked.source of a round's questions


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    chat_id: int
    pack: str
    questions: int
    minutes: int
    started_at: datetime
    closes_at: datetime
    state: str


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question: Question
    answered: int
    right: int


@dataclass(frozen=True, slots=True)
class RoundSummary:
    round: Round
    participants: int  # everyone who answered at least one question
    named: tuple[str, ...]  # the participants who joined the roster, by name
    results: tuple[QuestionResult, ...]  # in the order asked
    ranking: tuple[tuple[str, int], ...]  # (name, right answers) of joined participants; empty: board off

    @property
    def most_missed(self) -> list[QuestionResult]:
        """The questions most got wrong (of those answered), worst first."""
        missed = [r for r in self.results if r.answered and r.right < r.answered]
        missed.sort(key=lambda r: (r.right / r.answered, -r.answered))
        return missed[:MOST_MISSED]


def spread_over_parts(
    candidates: Sequence[Question], count: int, part_of: Callable[[Question], str], seed: int
) -> list[Question]:
    """`count` questions taken from the parts in turn (candidates keep their order within a part), so a round
    covers the speech rather than one part of it."""
    by_part: dict[str, list[Question]] = {}
    for question in candidates:
        by_part.setdefault(part_of(question), []).append(question)
    parts = list(by_part)
    random.Random(seed).shuffle(parts)
    picked: list[Question] = []
    while len(picked) < count and any(by_part.values()):
        for part in parts:
            if by_part[part] and len(picked) < count:
                picked.append(by_part[part].pop(0))
    return picked


class Together:
    """Rosters, boards and rounds over the quiz's Study (the same Store)."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.store = study.store

    # -- the roster, by choice ---------------------------------------------------------------------------

    async def join(self, chat_id: int, user_id: int, name: str) -> None:
        await self.study.join_leaderboard(chat_id, user_id, name)

    async def leave(self, chat_id: int, user_id: int) -> bool:
        return await self.study.leave_leaderboard(chat_id, user_id)

    async def roster(self, chat_id: int) -> dict[int, str]:
        rows = await self.store.fetchall(
            "SELECT user_id, name FROM leaderboard_members WHERE chat_id = ? ORDER BY joined_at", (chat_id,)
        )
        return {int(u): str(n) for u, n in rows}

    async def board_on(self, chat_id: int) -> bool:
        return bool((await self.store.chats_with_setting(BOARD_SETTING)).get(chat_id, False))

    async def set_board(self, chat_id: int, on: bool) -> None:
        await self.store.set_chat_setting(chat_id, BOARD_SETTING, on)

    # -- rounds ------------------------------------------------------------------------------------------

    async def questions_for_round(
        self, chat_id: int, count: int, part_of: Callable[[Question], str], seed: int | None = None
    ) -> list[Question]:
        """Unseen questions first (as the daily set), spread over the speech's parts."""
        bank_size = len(self.study.bank_of(chat_id) if self.study.bank_of else self.study.bank)
        candidates = await self.study.next_questions(chat_id, bank_size, seed=seed)
        seed = (
            seed if seed is not None else random.Random(f"{chat_id}/{self.study.clock()}").randrange(1 << 30)
        )
        return spread_over_parts(candidates, count, part_of, seed)

    async def open_round(self, chat_id: int, pack: str, questions: int, minutes: int) -> Round | None:
        """A new round for the chat; None while one is still open there."""
        now = self.study.clock()
        closes = now + timedelta(minutes=minutes)
        async with self.store.transaction() as db:
            async with db.execute(
                "SELECT 1 FROM rounds WHERE chat_id = ? AND state IN ('open', 'summing')", (chat_id,)
            ) as found:
                if await found.fetchone() is not None:
                    return None
            cursor = await db.execute(
                "INSERT INTO rounds (chat_id, pack, questions, minutes, started_at, closes_at, state)"
                " VALUES (?, ?, ?, ?, ?, ?, 'open')",
                (chat_id, pack, questions, minutes, timestamp(now), timestamp(closes)),
            )
            round_id = int(cursor.lastrowid or 0)
        return Round(round_id, chat_id, pack, questions, minutes, now, closes, "open")

    async def asked_in_round(
        self, round_id: int, chat_id: int, question: Question, poll_id: str | None, message_id: int | None
    ) -> int:
        asked = await self.study.record_asked(
            chat_id, question, source=ROUND, poll_id=poll_id, private=False, round_id=round_id
        )
        async with self.store.transaction() as db:
            await db.execute("UPDATE quiz_asked SET message_id = ? WHERE id = ?", (message_id, asked.id))
        return asked.id

    async def round(self, round_id: int) -> Round | None:
        found = await self._rounds("id = ?", (round_id,))
        return found[0] if found else None

    async def open_round_in(self, chat_id: int) -> Round | None:
        found = await self._rounds("chat_id = ? AND state IN ('open', 'summing')", (chat_id,))
        return found[0] if found else None

    async def unfinished_rounds(self) -> list[Round]:
        """Rounds whose summary is not posted yet: a restart schedules their closing again."""
        return await self._rounds("state IN ('open', 'summing')", ())

    async def poll_messages(self, round_id: int) -> list[int]:
        """The message ids of the round's polls (to stop them when the round ends early or runs long)."""
        rows = await self.store.fetchall(
            "SELECT message_id FROM quiz_asked WHERE round_id = ? AND message_id IS NOT NULL ORDER BY id",
            (round_id,),
        )
        return [int(m) for (m,) in rows]

    async def claim_summary(self, round_id: int) -> bool:
        """open → summing, once: the job and a restart's catch-up never both post it. A round left
        'summing' by a crash is claimed again (its summary may not have gone out)."""
        async with self.store.transaction() as db:
            cursor = await db.execute(
                "UPDATE rounds SET state = 'summing' WHERE id = ? AND state IN ('open', 'summing')",
                (round_id,),
            )
            return cursor.rowcount == 1

    async def finish(self, round_id: int) -> None:
        async with self.store.transaction() as db:
            await db.execute(
                "UPDATE rounds SET state = 'done', summary_at = ? WHERE id = ? AND state = 'summing'",
                (timestamp(self.study.clock()), round_id),
            )

    async def cancel(self, chat_id: int) -> Round | None:
        """/round off: the chat's open round is cancelled (no summary); None when none was open."""
        current = await self.open_round_in(chat_id)
        if current is None:
            return None
        async with self.store.transaction() as db:
            cursor = await db.execute(
                "UPDATE rounds SET state = 'cancelled', summary_at = ? WHERE id = ? AND state = 'open'",
                (timestamp(self.study.clock()), current.id),
            )
        return current if cursor.rowcount == 1 else None

    async def summary(self, current: Round) -> RoundSummary:
        """How the round went: who took part (named only if they joined), each question's right answers, a
        ranking of joined participants where the board is on."""
        round_id = current.id
        asked = await self.store.fetchall(
            "SELECT id, question_id FROM quiz_asked WHERE round_id = ? ORDER BY id", (round_id,)
        )
        answers = await self.store.fetchall(
            "SELECT a.asked_id, a.user_id, a.correct FROM quiz_answers AS a"
            " JOIN quiz_asked AS q ON q.id = a.asked_id WHERE q.round_id = ?",
            (round_id,),
        )
        per_asked: dict[int, list[int]] = {}
        per_user: dict[int, int] = {}
        for asked_id, user_id, right in answers:
            per_asked.setdefault(int(asked_id), []).append(int(right))
            per_user[int(user_id)] = per_user.get(int(user_id), 0) + int(right)
        results = tuple(
            QuestionResult(
                self.study.by_id[q], len(per_asked.get(int(a), [])), sum(per_asked.get(int(a), []))
            )
            for a, q in asked
            if q in self.study.by_id
        )
        roster = await self.roster(current.chat_id)
        joined = [(roster[u], n) for u, n in per_user.items() if u in roster]
        ranking: tuple[tuple[str, int], ...] = ()
        if await self.board_on(current.chat_id):
            ranking = tuple(sorted(joined, key=lambda pair: (-pair[1], pair[0])))
        return RoundSummary(current, len(per_user), tuple(sorted(n for n, _ in joined)), results, ranking)

    async def _rounds(self, where: str, parameters: Sequence[object]) -> list[Round]:
        rows = await self.store.fetchall(
            "SELECT id, chat_id, pack, questions, minutes, started_at, closes_at, state FROM rounds"
            f" WHERE {where} ORDER BY id",
            parameters,
        )
        return [
            Round(
                int(i),
                int(c),
                str(p),
                int(n),
                int(m),
                datetime.fromisoformat(s),
                datetime.fromisoformat(e),
                str(st),
            )
            for i, c, p, n, m, s, e, st in rows
        ]


def parse_round_args(args: Sequence[str]) -> tuple[int, int] | str:
    """`/round [N] [minutes]` → (N, minutes), or 'off', or 'usage'."""
    if args and args[0].lower() in ("off", "stop", "cancel", "取消", "停止", "结束"):
        return "off"
    numbers = []
    for arg in args[:2]:
        text = arg.removesuffix("分钟").removesuffix("分").removesuffix("题").removesuffix("道")
        if not (text.isascii() and text.isdecimal()):
            return "usage"
        numbers.append(int(text))
    if len(args) > 2:
        return "usage"
    count = numbers[0] if numbers else DEFAULT_ROUND_QUESTIONS
    minutes = numbers[1] if len(numbers) > 1 else DEFAULT_ROUND_MINUTES
    if not 1 <= count <= MAX_ROUND_QUESTIONS or not 1 <= minutes <= MAX_ROUND_MINUTES:
        return "usage"
    return count, minutes
