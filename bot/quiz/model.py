"""What a quiz question is: its types, Telegram's limits for a quiz poll, and the draft a generator makes."""

from __future__ import annotations

from dataclasses import dataclass, field

SINGLE = "single"
BLANK = "blank"
TRUEFALSE = "truefalse"
NOT = "not"
MULTI = "multi"  # 多选: several right options, scored all or nothing
TYPES = (SINGLE, BLANK, TRUEFALSE, NOT, MULTI)

# Telegram's limits for a quiz poll.
MAX_QUESTION = 300
MAX_OPTION = 100
MIN_OPTIONS = 2
MAX_OPTIONS = 12  # Bot API 9.1
MAX_EXPLANATION = 200
MAX_EXPLANATION_LINE_FEEDS = 2

TRUE = "正确"
FALSE = "错误"
TRUEFALSE_PREFIX = "判断正误（以讲话原文为准）：\n"
BLANK_PREFIX = "填空（选出讲话原文的用语）：\n"
MULTI_RIGHT = (2, 4)  # a 多选 question has at least two and at most four right options …
MULTI_OPTIONS = 6  # … among this many
GAP = "____"
WRONG_OPTIONS = 3  # a choice question shows the right option and up to three wrong ones
MAX_STATEMENT = 80  # a true/false statement longer than this is hard to judge on a phone


@dataclass(frozen=True, slots=True)
class Question:
    """One quiz question; `correct` indexes `options`, `evidence` is verbatim speech text proving the answer."""

    id: str
    type: str
    question: str
    options: tuple[str, ...]
    correct: tuple[int, ...]
    explanation: str
    evidence: str
    entry_id: str
    about: str = field(default="", compare=False, repr=False)  # the entry's names, for topic search

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(self.options[i] for i in self.correct)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of `python -m bot quiz --json`."""
        return {
            "id": self.id,
            "type": self.type,
            "question": self.question,
            "options": list(self.options),
            "correct": list(self.correct),
            "explanation": self.explanation,
            "evidence": self.evidence,
            "entry": self.entry_id,
        }


@dataclass(frozen=True)
class Draft:
    """A question before it has an entry, an option order and an id (bank.finish gives them)."""

    type: str
    question: str
    answers: tuple[str, ...]
    others: tuple[str, ...]
    explanation: str
    evidence: str
    start: int  # where the evidence stands in the speech
    focus: tuple[str, ...] = ()  # names that point at the entry
    # The span of the speech the question is about, when that is less than all of the evidence.
    about: tuple[int, int] | None = None
    entry: str = ""  # the entry it falls back to when no entry names it or quotes its evidence (a list's)
