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
