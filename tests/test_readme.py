"""The README stays true: its first commands are the two that do everything, and every subcommand is in it."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(action.choices)


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_every_subcommand_is_documented() -> None:
    missing = [name for name in subcommands() if f"python -m bot {name}" not in README]
    assert missing == []


def table_rows(marker: str) -> list[tuple[str, str]]:
    """The `| \\`/name\\` | description |` rows of README tables."""
    import re

    return re.findall(rf"^\| `{marker}([a-z_]+)` \| (.+?) \|$", README, re.M)


def test_the_bot_command_tables_are_the_commands_registered_with_telegram() -> None:
    from bot.telegram.commands import ADMIN_COMMANDS, COMMANDS

    assert table_rows("/") == list(COMMANDS + ADMIN_COMMANDS)


def test_every_setting_is_in_the_readme() -> None:
    import re

    import bot.settings

    documented = re.findall(r"`((?:BOT|TELEGRAM)_[A-Z_]+)`", bot.settings.__doc__ or "")
    assert documented and [name for name in documented if f"`{name}`" not in README] == []
