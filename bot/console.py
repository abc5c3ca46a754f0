"""The console front end: `ask` (one question, or JSON lines on stdin) and `chat` (an interactive session).

Thin on purpose: read a line, call the matcher, print. Logging of exchanges goes through the same store as the
Telegram bot (front end "console") unless --no-log is given.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli_common import PACK_HELP
from bot.conversation import Context, follow
from bot.knowledge import DEFAULT_DIR, PackInfo
from bot.matching import Matcher, build_matcher
from bot.present.plain import plain
from bot.service import Answered, Service

if TYPE_CHECKING:  # the quiz and the store load only for `chat`: `ask` starts faster without them
    from bot.console_log import ConsoleStore
    from bot.console_quiz import ConsoleQuiz

CHAT_HELP_REST = """\
出现“您是不是想问”时，输入编号查看对应条目。
/sections 讲话结构（输入编号逐级阅读）   /search 词 这个词在讲话中出现的地方   /random 随机一个术语
/quiz 答一道题（/quiz {topic}：只出这方面的题），输入 A/B/C/D 或 对/错 作答
/review 复习到期的错题   /score 我的积分、正确率和连续学习天数
/help 显示本帮助   /quit 退出（也可按 Ctrl-D）"""


def chat_help(pack: PackInfo) -> str:
    """The console's /help: the pack's first line (with its examples), then the commands."""
    return pack.text("console_help_first") + "\n" + CHAT_HELP_REST.format(topic=pack.example_topic or "词")


MAX_LINE_BYTES = 1 << 20


def load_matcher(args: argparse.Namespace, *, with_lists: bool = False) -> Matcher | None:
    """The matcher for the CLI, or None after printing the knowledge-base errors."""
    from bot.cli_common import load_or_report

    kb = load_or_report(
        getattr(args, "knowledge", DEFAULT_DIR), with_lists=with_lists, pack=getattr(args, "pack", None)
    )
    return None if kb is None else build_matcher(kb)


def match_json(answered: Answered, shown: str) -> str:
    result = answered.match
    return json.dumps(
        {
            "question": answered.question,
            "answered": answered.answered,
            "answer": shown,
            "entry": answered.entry_id,
            "score": result.score if result is not None else 1.0,
            "suggestions": list(result.suggestions) if result is not None else [],
        },
        ensure_ascii=False,
    )


def session_line(line: str) -> tuple[str | None, str]:
    """A line of `ask --json`: a plain question (no session), or {"session": ID, "q": TEXT}, whose answers
    carry context within that session."""
    if line.startswith("{"):
        try:
            value = json.loads(line)
        except ValueError:
            return None, line
        if isinstance(value, dict) and isinstance(value.get("q"), str):
            session = value.get("session")
            return (str(session) if session is not None else None), value["q"]
    return None, line


def binary_lines(stream: TextIO) -> Iterator[str]:
    """Lines of stdin decoded leniently: binary garbage becomes U+FFFD, never an exception."""
    source = getattr(stream, "buffer", None)
    if source is None:
        yield from (line.rstrip("\r\n") for line in stream)
        return
    for raw in iter(lambda: source.readline(MAX_LINE_BYTES), b""):
        yield raw.rstrip(b"\r\n").decode("utf-8", "replace")


def timed_answer(
    service: Service, question: str, sessions: dict[str, Context] | None = None, session: str | None = None
) -> tuple[Answered, str, float]:
    """The answer (read in its session's context, when it has one), the plain text a reader sees, and the
    milliseconds it took."""
    started = time.perf_counter()
    if session is None or sessions is None:
        answered = service.ask(question)
    else:
        answered, context = follow(service, question, sessions.get(session), datetime.now(UTC))
        if context is None:
            sessions.pop(session, None)
        else:
            sessions[session] = context
    return answered, plain(answered.reply), (time.perf_counter() - started) * 1000


def cmd_ask(args: argparse.Namespace) -> int:
    matcher = load_matcher(args)
    if matcher is None:
        return 1
    service = Service(matcher.kb, matcher)
    with exchange_log(args) as store:
        if args.json:
            sessions: dict[str, Context] = {}
            for line in binary_lines(sys.stdin):
                session, question = session_line(line)
                answered, shown, latency = timed_answer(service, question, sessions, session)
                store.log(answered, shown, latency)
                sys.stdout.write(match_json(answered, shown) + "\n")
                sys.stdout.flush()
            return 0
        if not args.question:
            print("usage: python -m bot ask 问题   (or --json with questions on stdin)", file=sys.stderr)
            return 2
        answered, shown, latency = timed_answer(service, " ".join(args.question))
        store.log(answered, shown, latency)
        print(shown)
    return 0


class ChatSession:
    """One console conversation: remembers the entries last offered so that typing "2" opens the second (a
    suggestion, or a part of the outline), and the quiz question waiting for an answer."""

    def __init__(self, service: Service, quiz: ConsoleQuiz | None = None) -> None:
        self.service = service
        self.quiz = quiz
        self.last_suggestions: tuple[str, ...] = ()
        self.context: Context | None = None  # what was last shown, for follow-ups (bot.conversation)
        self.reading_sections = False  # the numbers offered are parts of the outline

    def reply(self, line: str) -> Answered | str | None:
        """The answer to a question, a plain string for a command or a quiz turn, None to quit."""
        text = line.strip()
        pack = self.service.kb.pack
        if text in ("/quit", "/exit", "/q"):
            return None
        if text in ("/help", "/start", "?", "？"):
            return chat_help(pack)
        command, _, rest = text.partition(" ")
        if command in ("/sections", "/search", "/random"):
            return self.read(command, rest.strip())
        if self.quiz is not None:
            if command in ("/quiz", "/review", "/score"):
                self.last_suggestions = ()
                if command == "/quiz":
                    return self.quiz.ask(rest.strip())
                return self.quiz.review() if command == "/review" else self.quiz.score()
            verdict = self.quiz.answer(text)
            if verdict is not None:
                return verdict
        if text.isdigit() and self.last_suggestions and 1 <= int(text) <= len(self.last_suggestions):
            entry_id = self.last_suggestions[int(text) - 1]
            self.last_suggestions = ()
            if self.reading_sections:
                return self.read("/sections", entry_id)
            opened = self.service.entry(entry_id)
            return plain(opened) if opened is not None else ""
        if text.startswith("/"):
            return f"不认识的命令 {text.split()[0]}。{chat_help(pack)}"
        answered, self.context = follow(self.service, line, self.context, datetime.now(UTC))
        offered = answered.reply.outcome == "suggest"
        self.offer(tuple(c.entry_id for c in answered.reply.choices) if offered else (), sections=False)
        return answered

    def read(self, command: str, argument: str) -> str:
        """/sections [part], /search 词, /random: the same service calls and Replies as Telegram's."""
        if command == "/search":
            self.offer((), sections=False)
            if not argument:
                return "用法：/search 词"
            return plain(self.service.search(argument))
        if command == "/random":
            shown = self.service.random_term()
            self.offer(tuple(c.entry_id for c in shown.choices), sections=False)
            return plain(shown)
        shown = self.service.sections(argument) or self.service.sections()
        assert shown is not None  # the top level always exists
        self.offer(tuple(c.entry_id for c in shown.choices), sections=True)
        return plain(shown)

    def offer(self, entry_ids: tuple[str, ...], *, sections: bool) -> None:
        self.last_suggestions, self.reading_sections = entry_ids, sections


def cmd_chat(args: argparse.Namespace) -> int:
    matcher = load_matcher(args, with_lists=True)
    if matcher is None:
        return 1
    interactive = sys.stdin.isatty()
    if interactive:
        try:
            import readline  # noqa: F401 - line editing and history for input()
        except ImportError:
            pass
    from bot.console_quiz import ConsoleQuiz
    from bot.study import Study

    print(matcher.kb.pack.text("console_welcome"), flush=True)
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(chat_store(args, stack))
        service = Service(matcher.kb, matcher)
        study = Study(store.store, service.questions, _local_zone())
        quiz = ConsoleQuiz(study, store.run, service.quiz_pool, example_topic=matcher.kb.pack.example_topic)
        session = ChatSession(service, quiz)
        lines = _prompted_lines() if interactive else binary_lines(sys.stdin)
        for line in lines:
            started = time.perf_counter()
            reply = session.reply(line)
            if reply is None:
                break
            if isinstance(reply, Answered):
                shown = plain(reply.reply)
                store.log(reply, shown, (time.perf_counter() - started) * 1000)
                reply = shown
            print(reply + "\n", flush=True)
    if interactive:
        print("再见！")
    return 0


def chat_store(args: argparse.Namespace, stack: contextlib.ExitStack) -> ConsoleStore:
    """BOT_DB, as in Telegram; with --no-log a temporary database holds the quiz for this session only."""
    from bot.console_log import ConsoleStore

    if getattr(args, "no_log", False):
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="speech-bot-"))
        return ConsoleStore.from_env(logging=False, path=Path(folder) / "session.sqlite3")
    return ConsoleStore.from_env()


def _local_zone() -> tzinfo:
    """BOT_TIMEZONE when it is valid (the day a streak counts), else Asia/Shanghai."""
    from bot.settings import timezone_from_env

    return timezone_from_env()


def _prompted_lines() -> Iterator[str]:
    while True:
        try:
            yield input("问> ")
        except EOFError:
            print()
            return


class _NoLog:
    def __enter__(self) -> _NoLog:
        return self

    def log(self, answered: Answered, shown: str, latency_ms: float) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def exchange_log(args: argparse.Namespace):
    """Where console exchanges go: the SQLite store, unless --no-log."""
    if getattr(args, "no_log", True):
        return _NoLog()
    from bot.console_log import ConsoleStore

    return ConsoleStore.from_env()


def register(commands: argparse._SubParsersAction) -> None:
    ask = commands.add_parser("ask", help="answer one question, or JSON lines for questions on stdin")
    ask.add_argument("question", nargs="*", help="the question (omit with --json)")
    ask.add_argument(
        "--json", action="store_true", help="read questions from stdin, write one JSON object per line"
    )
    ask.add_argument("--no-log", action="store_true", help="do not log the exchanges to the database")
    ask.add_argument("--pack", metavar="NAME", help=PACK_HELP)
    ask.set_defaults(handler=cmd_ask)
    chat = commands.add_parser(
        "chat", help="interactive console chat (the default of `make run` without BOT_TOKEN)"
    )
    chat.add_argument("--no-log", action="store_true", help="do not log the exchanges to the database")
    chat.add_argument("--pack", metavar="NAME", help=PACK_HELP)
    chat.set_defaults(handler=cmd_chat)
