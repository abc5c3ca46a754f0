"""`python -m bot`: one entry point, a subcommand for each job."""

from __future__ import annotations

import argparse
import faulthandler
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.cli_common import load_or_report, print_problems
from bot.knowledge import KnowledgeBase, KnowledgeError
from bot.render import entry_text
from bot.settings import knowledge_dir_from_env

Handler = Callable[[argparse.Namespace], int]


def quoted_phrases(speech: str) -> list[str]:
    """Every phrase the speech puts in “…”, in order, without repeats."""
    import re

    return list(dict.fromkeys(re.findall(r"“([^”]{1,40})”", speech)))


def coverage(kb: KnowledgeBase) -> tuple[float, int, int]:
    """Share of the speech's characters inside some quote, and how many quoted phrases have an entry name."""
    covered = bytearray(len(kb.speech))
    for entry in kb.entries:
        for quote in entry.quotes:
            start = kb.speech.find(quote)
            while start != -1:
                covered[start : start + len(quote)] = b"\x01" * len(quote)
                start = kb.speech.find(quote, start + 1)
    text_chars = [i for i, ch in enumerate(kb.speech) if not ch.isspace()]
    share = sum(covered[i] for i in text_chars) / max(1, len(text_chars))
    names = {n for e in kb.entries for n in e.names}
    phrases = quoted_phrases(kb.speech)
    named = sum(1 for p in phrases if any(p in n or n in p for n in names))
    return share, named, len(phrases)


def cmd_kb_check(args: argparse.Namespace) -> int:
    from bot.matching import check_matching_files  # imports jieba: only for this subcommand
    from bot.quiz import ListsFile, load_lists

    kb = load_or_report(args.knowledge)
    if kb is None:
        return 1
    problems: list[str] = []
    lists = ListsFile()
    try:
        check_matching_files(kb)
    except KnowledgeError as error:
        problems += error.problems
    try:  # lists.yaml: each list found in the speech with its items, each entry id known
        lists = load_lists(kb)
    except KnowledgeError as error:
        problems += error.problems
    if problems:
        print_problems(KnowledgeError(problems))
        return 1
    kinds = Counter(e.kind for e in kb.entries)
    share, named, phrases = coverage(kb)
    print(f"knowledge base OK: {len(kb)} entries in {args.knowledge}")
    for kind in ("section", "term", "fact"):
        print(f"  {kind:8s} {kinds.get(kind, 0):4d}")
    print(f"  aliases  {sum(len(e.aliases) for e in kb.entries):4d}")
    print(f"  quotes   {sum(len(e.quotes) for e in kb.entries):4d}")
    print(f"  background notes {sum(1 for e in kb.entries if e.background):4d}")
    print(f"  quiz lists {len(lists.lists):4d}")
    print(f"coverage: {share:.1%} of the speech's characters quoted; {named}/{phrases} quoted phrases named")
    return 0 if expected_ok(kb) else 1


def expected_ok(kb: KnowledgeBase) -> bool:
    """The pack's expected.yaml (its pinned questions), asked of its matcher: a miss is a line, and exit 1."""
    path = (kb.directory or Path(".")) / "expected.yaml"
    if not path.exists():
        return True
    from bot.knowledge import read_yaml
    from bot.matching import build_matcher

    data = read_yaml(path)
    if not isinstance(data, dict):
        print(f"{path}:1: expected.yaml must map answers:, unstated: and declines:", file=sys.stderr)
        return False
    matcher = build_matcher(kb)
    answers = {k: v for k, v in (data.get("answers") or {}).items() if not str(k).startswith("__")}
    declines = list(data.get("declines") or [])
    misses = []
    for question, entry_id in answers.items():
        result = matcher.match(str(question))
        if (result.outcome, result.entry_id) != ("answer", entry_id):
            misses.append(
                f"{question!r}: expected {entry_id}, got {result.outcome} {result.entry_id or ''}".rstrip()
            )
    unstated = {k: v for k, v in (data.get("unstated") or {}).items() if not str(k).startswith("__")}
    for question, pinned in unstated.items():
        if not (isinstance(pinned, list) and len(pinned) == 2):
            misses.append(f"{question!r}: unstated wants [entry, what is missing], got {pinned!r}")
            continue
        entry_id, lacking = pinned
        result = matcher.match(str(question))
        if (result.outcome, result.suggestions[:1], result.lacking) != ("unstated", (entry_id,), lacking):
            got = f"{result.outcome} {result.suggestions[:1]} {result.lacking}"
            misses.append(f"{question!r}: expected unstated {entry_id} ({lacking}), got {got}")
    for question in declines:
        result = matcher.match(str(question))
        if result.outcome != "decline":
            misses.append(
                f"{question!r}: expected a decline, got {result.outcome} {result.entry_id or ''}".rstrip()
            )
    total = len(answers) + len(unstated) + len(declines)
    print(f"expected answers: {total - len(misses)} of {total} ({path.name})")
    if matcher.scope is not None:
        r = matcher.scope.report
        print(
            f"out of scope: threshold {r['threshold']:.2f} by cross-validation over {r['in_scope']} in-scope and "
            f"{r['out_of_scope']} off-topic questions; held out, it declines {r['in_scope_declined']:.1%} "
            f"of in-scope and {r['out_of_scope_declined']:.0%} of off-topic ones"
        )
    for miss in misses:
        print(f"  {miss}", file=sys.stderr)
    return not misses


def cmd_kb_show(args: argparse.Namespace) -> int:
    kb = load_or_report(args.knowledge)
    if kb is None:
        return 1
    entry = kb.get(args.id)
    if entry is None:
        print(f"no entry {args.id!r}; `python -m bot kb list` shows the ids", file=sys.stderr)
        return 1
    print(entry_text(entry, kb))
    return 0


def cmd_kb_list(args: argparse.Namespace) -> int:
    kb = load_or_report(args.knowledge)
    if kb is None:
        return 1
    for entry in kb.entries:
        print(f"{entry.id:32s} {entry.kind:8s} {entry.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="A study bot for the speeches of party meetings: Q&A, the quiz and the Telegram bot over a pack.",
    )
    parser.add_argument(
        "--knowledge",
        type=Path,
        default=knowledge_dir_from_env(),
        help="folder holding speech.txt and the YAML entries (default: BOT_KNOWLEDGE, else %(default)s)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    kb = commands.add_parser("kb", help="check, list or show the knowledge base")
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    kb_commands.add_parser("check", help="validate every file; print a summary or the errors").set_defaults(
        handler=cmd_kb_check
    )
    kb_commands.add_parser("list", help="list ids, kinds and titles").set_defaults(handler=cmd_kb_list)
    show = kb_commands.add_parser("show", help="print one entry as a user sees it")
    show.add_argument("id", help="entry id, e.g. term-si-mingque")
    show.set_defaults(handler=cmd_kb_show)
    from bot.cli_draft import register_draft

    register_draft(kb_commands)

    for register in _extra_commands():
        register(commands)
    return parser


def _extra_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Subcommands that live beside their front end or store, registered here in one list."""
    import bot.cli_ops
    import bot.cli_quiz
    import bot.cli_storage
    import bot.console
    import bot.telegram.run

    return [
        bot.console.register,
        bot.cli_storage.register,
        bot.telegram.run.register,
        bot.cli_quiz.register,
        bot.cli_ops.register,
    ]


def enable_crash_reports() -> None:
    """On a fatal signal (SIGSEGV, SIGBUS, SIGABRT…) print "Fatal Python error" and every thread's traceback.

    SQLite maps its -shm file into memory: when that file can no longer be written (a full or vanished
    tmpfs, a changed owner), the next access is SIGBUS, which would otherwise kill the bot without a line.
    """
    if faulthandler.is_enabled():  # PYTHONFAULTHANDLER, -X faulthandler, or a test runner did it already
        return
    for stream in (sys.stderr, sys.__stderr__):  # sys.stderr may be replaced by something with no file
        if stream is None:
            continue
        try:
            faulthandler.enable(file=stream, all_threads=True)
        except (OSError, ValueError):  # io.UnsupportedOperation (no fileno) is both
            continue
        return


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    enable_crash_reports()  # for every subcommand: run and chat above all, but any of them opens SQLite
    from bot.cache import use_folder
    from bot.settings import cache_dir_from_env

    use_folder(cache_dir_from_env())  # the derived tables' folder, from BOT_CACHE_DIR
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
