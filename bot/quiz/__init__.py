"""The daily study quiz: questions generated from the speech's own structure, deterministic for a seed.

Numbered headings, quoted phrases and enumerations are parsed from the speech text (parse); the pack's
lists.yaml says where its lists stand and how to ask about them (lists); each kind of question has its
generator (generators); every question carries `evidence`, a verbatim excerpt of the speech that proves its
answer, and meets every rule (checks) or is dropped; the bank gives each its entry (bank); quizzes are drawn
from the bank (draw). Nothing here imports Telegram, SQLite, settings or a front end.
"""

from bot.quiz.draw import all_questions, draw, mentions, on_topic, plan, questions_about, shuffled
from bot.quiz.lists import LISTS_FILE, ListsFile, ListSpec, load_lists
from bot.quiz.model import (
    BLANK,
    BLANK_PREFIX,
    FALSE,
    GAP,
    MAX_EXPLANATION,
    MAX_EXPLANATION_LINE_FEEDS,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MAX_STATEMENT,
    MIN_OPTIONS,
    MULTI,
    NOT,
    SINGLE,
    TRUE,
    TRUEFALSE,
    TRUEFALSE_PREFIX,
    TYPES,
    WRONG_OPTIONS,
    Question,
)

__all__ = [
    "BLANK",
    "BLANK_PREFIX",
    "FALSE",
    "GAP",
    "LISTS_FILE",
    "MAX_EXPLANATION",
    "MAX_EXPLANATION_LINE_FEEDS",
    "MAX_OPTION",
    "MAX_OPTIONS",
    "MAX_QUESTION",
    "MAX_STATEMENT",
    "MIN_OPTIONS",
    "MULTI",
    "NOT",
    "SINGLE",
    "TRUE",
    "TRUEFALSE",
    "TRUEFALSE_PREFIX",
    "TYPES",
    "WRONG_OPTIONS",
    "ListSpec",
    "ListsFile",
    "Question",
    "all_questions",
    "draw",
    "load_lists",
    "mentions",
    "on_topic",
    "plan",
    "questions_about",
    "shuffled",
]
