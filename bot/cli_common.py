"""What every command-line front end shares: loading the pack, or printing every problem in it.

Apart from bot.cli so that the console (a front end) can use it without importing the CLI, which starts the
Telegram bot too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.knowledge import KnowledgeBase, KnowledgeError, find_pack, load_knowledge

PACK_HELP = "the pack (folder name) of a folder of packs to use (default: the newest)"


def load_or_report(
    directory: Path, *, with_lists: bool = False, pack: str | None = None
) -> KnowledgeBase | None:
    """The knowledge base, or None after printing every problem in it (each subcommand then exits 1).
    `with_lists`: the quiz's lists.yaml is checked too (chat and quiz need it; `ask` does not). `pack`
    names one pack of a folder of packs (--pack), else the newest is used."""
    try:
        if pack:
            directory = find_pack(directory, pack)
        kb = load_knowledge(directory)
        if with_lists:
            from bot.quiz import load_lists

            load_lists(kb)
        return kb
    except KnowledgeError as error:
        print_problems(error)
        return None


def print_problems(error: KnowledgeError) -> None:
    print(f"knowledge base is broken ({len(error.problems)} problems):", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)
