"""The quiz on the console: /quiz [词], answered by letter (A/B/C/D) or 对/错, /review and /score.

Scored and remembered through the same `bot.study.Study` as in Telegram, as the person with id 0 (CONSOLE_CHAT).
`run` turns Study's coroutines into plain calls: the console is synchronous, the store runs on its own loop.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.quiz import FALSE, MULTI, TRUE, Question, on_topic
from bot.quiz.answers import NO, YES, looks_like_a_choice
from bot.study import CONSOLE_CHAT, Asked, Study

Runner = Callable[[Awaitable[Any]], Any]
LETTERS = "ABCDEFGHIJKL"  # up to MAX_OPTIONS (12)

MANY_LETTERS = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ][A-Za-zＡ-Ｚａ-ｚ\s,，、]*")  # an attempt at a 多选 answer
NOTHING_LEFT = "这段时间的题目都做过了：两周内做过的题不会重复出现。错题会按时回到 /review。"
NOT_WAITING = "现在没有待答的题。输入 /quiz 出一道题。"


class ConsoleQuiz:
    def __init__(
        self,
        study: Study,
        run: Runner,
        topic_pool: Callable[[str], Sequence[Question]] | None = None,
        example_topic: str = "",
    ) -> None:
        self.study = study
        self.run = run
        self.topic_pool = topic_pool
        self.example_topic = example_topic  # the pack's, offered when a topic has no question
        self.pending: Asked | None = None

    def ask(self, word: str = "", *, source: str = "quiz") -> str:
        """/quiz or /quiz 词: the next question for the console's person (a due review first)."""
        pool = None
        if word:
            pool = self.topic_pool(word) if self.topic_pool else on_topic(self.study.bank, word)
            if not pool:
                example = f"，例如 /quiz {self.example_topic}" if self.example_topic else ""
                return f"没有关于“{word}”的题目。换一个讲话里的词试试{example}，或直接 /quiz。"
        picked = self.run(self.study.next_questions(CONSOLE_CHAT, 1, user_id=CONSOLE_CHAT, pool=pool))
        if not picked:
            return NOTHING_LEFT
        self.pending = self.run(self.study.record_asked(CONSOLE_CHAT, picked[0], source=source))
        return question_text(picked[0])

    def answer(self, text: str) -> str | None:
        """The verdict on an answer to the pending question; None when `text` is not an answer (a question)."""
        if self.pending is None:
            return None
        question = self.pending.question
        chosen = parse_choices(text, question)
        if chosen is None:
            if looks_like_a_choice(text) or (question.type == MULTI and MANY_LETTERS.fullmatch(text.strip())):
                return f"请输入 {answer_hint(question)} 作答；想换一道题输入 /quiz。"
            return None
        asked, self.pending = self.pending, None
        outcome = self.run(self.study.answer(asked.id, CONSOLE_CHAT, chosen, front_end="console"))
        right = "、".join(f"{LETTERS[i]}. {question.options[i]}" for i in question.correct)
        if outcome is None:
            return "这道题已经答过了。"
        lines = ["✓ 答对了！" if outcome.right else f"✗ 答错了。正确答案：{right}", question.explanation]
        if not outcome.right:
            lines.append("已加入错题本，明天用 /review 复习。")
        elif outcome.due is not None:
            lines.append(f"错题本：下次复习在 {outcome.due.astimezone(self.study.timezone):%m月%d日}。")
        if asked.source == "review":
            due = len(self.run(self.study.due_ids(CONSOLE_CHAT)))
            lines.append(f"还有 {due} 道错题到期，输入 /review 继续。" if due else "到期的错题都复习完了。")
        return "\n".join(lines)

    def review(self) -> str:
        """/review: how many 错题本 questions are due, and the first of them."""
        due_ids = self.run(self.study.due_ids(CONSOLE_CHAT))
        if not due_ids:
            _, total = self.run(self.study.review_counts(CONSOLE_CHAT))
            return f"错题本共 {total} 道，现在没有到期的。" if total else "错题本是空的：答错的题会自动加入。"
        question = self.study.by_id[due_ids[0]]
        self.pending = self.run(self.study.record_asked(CONSOLE_CHAT, question, source="review"))
        return f"错题本：{len(due_ids)} 道到期。\n" + question_text(question)

    def score(self) -> str:
        result = self.run(self.study.score(CONSOLE_CHAT))
        if not result.answered:
            return "还没有答过题。输入 /quiz 试一道。"
        return (
            f"积分 {result.points}；答题 {result.answered} 道，答对 {result.right} 道，正确率 {result.accuracy:.0%}；"
            f"连续学习 {result.current_streak} 天（最长 {result.best_streak} 天）；错题本到期 {result.due} 道。"
        )


def question_text(question: Question) -> str:
    lines = [question.question]
    lines += [f"  {LETTERS[i]}. {option}" for i, option in enumerate(question.options)]
    lines.append(f"（输入 {answer_hint(question)} 作答）")
    return "\n".join(lines)


def answer_hint(question: Question) -> str:
    if set(question.options) == {TRUE, FALSE}:
        return "对/错"
    if question.type == MULTI:
        return f"所有正确选项的字母，如 {LETTERS[0]}{LETTERS[2]}"
    return "/".join(LETTERS[: len(question.options)])


def parse_choices(text: str, question: Question) -> tuple[int, ...] | None:
    """The options chosen: one (parse_choice), or for a 多选 question several letters ('AC', 'A C', 'a,c')."""
    if question.type != MULTI:
        single = parse_choice(text, question)
        return None if single is None else (single,)
    letters = re.sub(r"[\s,，、和]+", "", typed_answer(text).upper())
    shown = LETTERS[: len(question.options)]
    if not letters or not letters.isascii() or any(c not in shown for c in letters):
        return None
    return tuple(sorted({shown.index(c) for c in letters}))


def typed_answer(text: str) -> str:
    """A typed answer folded (full-width to ASCII, lower case) without 选/答案是 before it or a full stop."""
    word = unicodedata.normalize("NFKC", text).strip().lower().rstrip("。.!！ ")
    return re.sub(r"^(?:选|答案是?|我选)\s*", "", word)


def parse_choice(text: str, question: Question) -> int | None:
    """'B', 'b', 'Ｂ', '选B', 'B.' → 1; '对'/'错' for true/false questions; None when it is not an answer."""
    word = typed_answer(text)
    if question.options and set(question.options) == {TRUE, FALSE}:
        if word in YES or (word == "a" and question.options[0] == TRUE):
            return question.options.index(TRUE)
        if word in NO or (word == "b" and question.options[1] == FALSE):
            return question.options.index(FALSE)
        return None
    if len(word) == 1 and word.upper() in LETTERS[: len(question.options)]:
        return LETTERS.index(word.upper())
    matches = [i for i, option in enumerate(question.options) if word and word == option.lower()]
    return matches[0] if len(matches) == 1 else None
