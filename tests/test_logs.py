"""Log lines: one per event, key=value or JSON, secrets masked, user text only when the operator enables it."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot.logs import MASK, EventFormatter, user_text

SECRET = "123456:SECRET-token-value"


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    made = logging.LogRecord("bot.test", logging.INFO, __file__, 1, message, args, None)
    if exc:
        try:
            raise ValueError(f"boom with {SECRET}\nsecond line")
        except ValueError:
            made.exc_info = sys.exc_info()
    return made


def test_key_value_messages_keep_their_pairs() -> None:
    line = EventFormatter("kv", [SECRET]).format(record("event=daily_sent chats=%d gone=%d", 3, 1))
    assert line.startswith("ts=") and " level=INFO logger=bot.test event=daily_sent chats=3 gone=1" in line


def test_json_lines_parse_and_carry_the_pairs() -> None:
    line = EventFormatter("json", [SECRET]).format(record('event=x text="他说：\\"好\\"" n=2'))
    data = json.loads(line)
    assert data["event"] == "x" and data["text"] == '他说："好"'
    assert data["n"] == "2" and data["level"] == "INFO"


@pytest.mark.parametrize("kind", ["kv", "json"])
def test_a_traceback_stays_on_the_one_line_and_secrets_are_masked(kind: str) -> None:
    line = EventFormatter(kind, [SECRET]).format(record("failed for /bot%s/getMe", SECRET, exc=True))
    assert "\n" not in line and SECRET not in line and line.count(MASK) == 2
    assert "ValueError" in line


def test_a_plain_message_becomes_msg() -> None:
    line = EventFormatter("kv", []).format(record("starting with long polling at %s", "http://x/bot"))
    assert line.endswith('msg="starting with long polling at http://x/bot"')


def test_user_text_only_when_enabled() -> None:
    assert user_text("四明确指什么", enabled=False) == "chars=6"
    assert user_text("四明确指什么", enabled=True) == 'chars=6 text="四明确指什么"'


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="kv or json"):
        EventFormatter("xml", [])
