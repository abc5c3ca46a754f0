"""`printable` and `json_text`: people's text on the operator's terminal, never a command to it."""

from __future__ import annotations

import json

import pytest

from bot.terminal import json_text, printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("四明确指什么", "四明确指什么"),
        ("\x1b]0;pwned\x07\x1b[2J", "\\x1b]0;pwned\\x07\\x1b[2J"),
        ("覆盖\r\x08掉", "覆盖\\x0d\\x08掉"),
        ("\x9b31m红\x7f", "\\x9b31m红\\x7f"),
        ("\u202e反了\u2066\u2069", "\\u202e反了\\u2066\\u2069"),
        ("一行\n两行\t", "一行\\x0a两行\\x09"),
    ],
)
def test_printable_shows_control_and_bidi_characters_as_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_keeps_what_the_format_needs() -> None:
    assert printable("一行\n两行\t\x1b", keep="\n\t") == "一行\n两行\t\\x1b"


def test_json_text_is_the_same_json_with_nothing_raw() -> None:
    value = {"q": "谁是\x1b]0;x\x07\x9b\u202e局长\x7f", "n": [1, None]}
    text = json_text(value, indent=2)
    assert json.loads(text) == value
    assert printable(text, keep="\n") == text  # nothing left for a terminal to obey
