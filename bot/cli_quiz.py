"""`python -m bot quiz`: draw the day's questions on the console, or as JSON lines for other tools."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.cli_common import PACK_HELP, load_or_report

if TYPE_CHECKING:  # the question bank loads only for `quiz`
    from bot.quiz import Question

LETTERS = "ABCDEFGHIJKL"  # up to MAX_OPTIONS (12)


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    quiz = commands.add_parser("quiz", help="draw quiz questions generated from the speech")
    quiz.add_argument("--json", action="store_true", help="one JSON object per line instead of readable text")
    quiz.add_argument("--count", type=_count, default=5, metavar="N", help="how many questions (default: 5)")
    quiz.add_argument("--seed", type=int, default=0, metavar="S", help="the same seed draws the same quiz")
    quiz.add_argument("--topic", metavar="WORD", help="only questions that mention WORD (a slogan, a topic)")
    quiz.add_argument("--pack", metavar="NAME", help=PACK_HELP)
    quiz.set_defaults(handler=cmd_quiz)


def question_text(number: int, question: Question) -> str:
    """One question as a reader sees it on the console, answer and explanation below the options."""
    lines = [f"{number}. [{question.type}] {question.question}"]
    lines += [f"   {LETTERS[i]}. {option}" for i, option in enumerate(question.options)]
    lines.append("   答案：" + "、".join(LETTERS[i] for i in question.correct))
    lines += [f"   {line}" for line in question.explanation.splitlines()]
    return "\n".join(lines)


def cmd_quiz(args: argparse.Namespace) -> int:
    from bot.quiz import draw

    kb = load_or_report(args.knowledge, with_lists=True, pack=args.pack)
    if kb is None:
        return 1
    questions = draw(kb, args.count, args.seed, topic=args.topic)
    if not questions:
        print(f"no question mentions {args.topic!r}", file=sys.stderr)
        return 1
    for number, question in enumerate(questions, 1):
        if args.json:
            print(json.dumps(question.as_dict(), ensure_ascii=False))
        else:
            print(question_text(number, question), end="\n\n")
    return 0
