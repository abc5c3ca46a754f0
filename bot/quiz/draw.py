"""The bank of a knowledge base, and quizzes drawn from it: by seed, by topic, by what is due."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.knowledge import KnowledgeBase, name_key
from bot.quiz.bank import build_bank
from bot.quiz.lists import load_lists
from bot.quiz.model import FALSE, TRUEFALSE, TYPES, Question

if TYPE_CHECKING:
    from bot.matching import Matcher


def all_questions(kb: KnowledgeBase) -> tuple[Question, ...]:
    """The whole question bank for a knowledge base, in a fixed order; the same pack gives the same bank.

    Raises KnowledgeError when the pack's lists.yaml is broken.
    """
    return build_bank(kb.speech, kb.entries, load_lists(kb), kb.pack.closing_marker)


def mentions(question: Question, topic: str) -> bool:
    """Whether a question is about `topic`: its entry's names, its text or its right answer hold the word.

    Wrong options do not count: a question is not about 两个到位 because 两个到位 is offered as a wrong answer;
    nor does the swapped part of a false statement.
    """
    word = name_key(topic)
    # A false statement names its topic in the swapped, wrong part: only the speech's words behind it count.
    shown = (
        question.evidence
        if question.type == TRUEFALSE and question.answers == (FALSE,)
        else question.question
    )
    text = " ".join((question.about, shown, *question.answers))
    return bool(word) and word in name_key(text)


def shuffled(question: Question, seed: int) -> Question:
    """The question with its options in an order fixed by the seed (true/false keeps 正确 before 错误)."""
    if question.type == TRUEFALSE:
        return question
    order = list(range(len(question.options)))
    random.Random(f"{seed}/{question.id}").shuffle(order)
    options = tuple(question.options[i] for i in order)
    return replace(question, options=options, correct=tuple(sorted(order.index(i) for i in question.correct)))


def draw(
    source: KnowledgeBase | Sequence[Question],
    count: int,
    seed: int = 0,
    *,
    topic: str | None = None,
    exclude_ids: Collection[str] = (),
) -> list[Question]:
    """Up to `count` questions for one quiz, the types taking turns; the same seed gives the same quiz.

    `topic` keeps the questions that mention the word; `exclude_ids` leaves out questions already asked. Fewer
    than `count` come back when fewer are left; none when nothing matches.
    """
    bank = all_questions(source) if isinstance(source, KnowledgeBase) else tuple(source)
    excluded = set(exclude_ids)
    pool = [q for q in bank if q.id not in excluded and (not topic or mentions(q, topic))]
    rng = random.Random(seed)
    by_type = {kind: [q for q in pool if q.type == kind] for kind in TYPES}
    for questions in by_type.values():
        rng.shuffle(questions)
    order = list(TYPES)
    rng.shuffle(order)
    picked: list[Question] = []
    while len(picked) < count and any(by_type.values()):
        for kind in order:
            if by_type[kind] and len(picked) < count:
                picked.append(by_type[kind].pop())
    return [shuffled(q, seed) for q in picked]


def plan(
    bank: Sequence[Question],
    count: int,
    seed: int = 0,
    *,
    due: Sequence[str] = (),
    seen: Collection[str] = (),
    recent: Collection[str] = (),
) -> list[Question]:
    """A study set: the questions due for review first (in the order given), then questions never seen, then
    seen ones; a question asked recently comes back only when it is due.

    `bank` may already be narrowed to a topic; ids not in it are ignored. The same arguments give the same set.
    """
    by_id = {q.id: q for q in bank}
    picked = [shuffled(by_id[i], seed) for i in dict.fromkeys(due) if i in by_id][:count]
    taken = {q.id for q in picked} | set(recent)
    unseen = [q for q in bank if q.id not in taken and q.id not in seen]
    picked += draw(unseen, count - len(picked), seed)
    if len(picked) < count:
        taken |= {q.id for q in picked}
        picked += draw([q for q in bank if q.id not in taken], count - len(picked), seed)
    return picked


def on_topic(bank: Sequence[Question], word: str, entry_ids: Collection[str] = ()) -> list[Question]:
    """The questions about a word: those that mention it, and those of the entries a matcher found for it."""
    ids = set(entry_ids)
    return [q for q in bank if q.entry_id in ids or mentions(q, word)]


def questions_about(bank: Sequence[Question], word: str, matcher: Matcher) -> list[Question]:
    """`/quiz 词` in either front end: the entries the matcher answers (or suggests) for the word, on_topic."""
    result = matcher.match(word)
    return on_topic(bank, word, result.entry_ids if result.answered else result.suggestions)
