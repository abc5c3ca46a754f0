"""The rules every question meets: Telegram's limits, and the speech's own words proving its answer."""

from __future__ import annotations

from bot.quiz.model import (
    BLANK,
    FALSE,
    MAX_EXPLANATION,
    MAX_EXPLANATION_LINE_FEEDS,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    MULTI,
    MULTI_RIGHT,
    NOT,
    SINGLE,
    TRUE,
    TRUEFALSE,
    TRUEFALSE_PREFIX,
    Question,
)


def check(question: Question, speech: str) -> list[str]:
    """Every rule a question must meet; the bank drops a question that breaks one.

    For single-choice, multi-answer and fill-in-the-blank questions every right option stands in the evidence and no wrong
    option does; for "which is NOT" questions the roles flip; a true/false statement is true exactly when the
    speech says it.
    """
    problems = []
    if not 0 < len(question.question) <= MAX_QUESTION:
        problems.append("question length")
    if not MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS:
        problems.append("option count")
    if any(not o.strip() or len(o) > MAX_OPTION for o in question.options):
        problems.append("option length")
    if len(set(question.options)) != len(question.options):
        problems.append("repeated option")
    if not question.correct or any(not 0 <= i < len(question.options) for i in question.correct):
        problems.append("correct index")
    if (
        len(question.explanation) > MAX_EXPLANATION
        or question.explanation.count("\n") > MAX_EXPLANATION_LINE_FEEDS
    ):
        problems.append("explanation length")
    if not question.evidence or question.evidence not in speech:
        problems.append("evidence not in the speech")
    wrong = [o for i, o in enumerate(question.options) if i not in question.correct]
    if question.type == MULTI and not MULTI_RIGHT[0] <= len(question.correct) < len(question.options):
        problems.append("multi needs several right options and a wrong one")
    if question.type in (SINGLE, BLANK, MULTI):
        if any(a not in question.evidence for a in question.answers):
            problems.append("answer not in the evidence")
        if any(o in question.evidence for o in wrong):
            problems.append("distractor in the evidence")
    elif question.type == NOT:
        if any(a in question.evidence for a in question.answers):
            problems.append("odd one out stands in the evidence")
        if any(o not in question.evidence for o in wrong):
            problems.append("member not in the evidence")
    elif question.type == TRUEFALSE:
        statement = question.question.removeprefix(TRUEFALSE_PREFIX)
        if question.options != (TRUE, FALSE) or (statement in speech) != (question.answers == (TRUE,)):
            problems.append("true/false does not match the speech")
    else:
        problems.append("unknown type")
    return problems
