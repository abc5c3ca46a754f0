"""Settings from the environment, the masked token, flood control, the outline and the /stats chart."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from bot.knowledge import DEFAULT_DIR, load_knowledge, resolve_pack
from bot.logs import RedactingFormatter
from bot.matching import load_rules
from bot.outline import build_outline, find_word
from bot.settings import MASK, Secret, Settings, SettingsError, file_url_for
from bot.telegram.chart import (
    CHINESE,
    ENGLISH,
    cjk_font,
    daily_series,
    labels,
    render_chart,
    render_parts_chart,
)
from bot.telegram.floodgate import FloodGate, Verdict
from tests.fake_bot_api import TOKEN

# ---- settings --------------------------------------------------------------------------------------------


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.token is None
    assert settings.admins == frozenset()
    assert settings.db_path == Path("data/bot.sqlite3")
    assert settings.knowledge_dir == DEFAULT_DIR
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.file_base_url == "https://api.telegram.org/file/bot"
    assert settings.timezone.key == "Asia/Shanghai"
    assert (settings.flood_messages, settings.flood_seconds) == (8, 10.0)


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "BOT_TOKEN": TOKEN,
            "BOT_ADMINS": " 1, 22 ,333",
            "BOT_DB": "/tmp/x.sqlite3",
            "BOT_KNOWLEDGE": "/tmp/kb",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "BOT_TIMEZONE": "Europe/Berlin",
            "BOT_FLOOD_MESSAGES": "3",
            "BOT_FLOOD_SECONDS": "2.5",
            "BOT_RETENTION_DAYS": "90",
            "BOT_WEBHOOK_SECRET": "s3cret_-x",
        }
    )
    assert settings.require_token() == TOKEN
    assert settings.admins == {1, 22, 333} and settings.is_admin(22) and not settings.is_admin(None)
    assert settings.db_path == Path("/tmp/x.sqlite3") and settings.knowledge_dir == Path("/tmp/kb")
    assert settings.file_base_url == "http://127.0.0.1:8081/file/bot"
    assert settings.timezone.key == "Europe/Berlin"
    assert (settings.flood_messages, settings.flood_seconds, settings.retention_days) == (3, 2.5, 90)
    assert settings.webhook_secret.reveal() == "s3cret_-x"


def test_the_token_never_shows() -> None:
    settings = Settings.from_env({"BOT_TOKEN": TOKEN, "BOT_WEBHOOK_SECRET": "hidden-secret"})
    for shown in (
        repr(settings),
        str(settings),
        f"{settings.token}",
        str(settings.token),
        repr(settings.token),
    ):
        assert TOKEN not in shown and "hidden-secret" not in shown
    assert MASK in repr(settings)
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings.from_env({}).admins = frozenset({1})  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"BOT_ADMINS": "1,two"}, "BOT_ADMINS"),
        ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE"),
        ({"BOT_FLOOD_MESSAGES": "0"}, "BOT_FLOOD_MESSAGES"),
        ({"BOT_FLOOD_SECONDS": "soon"}, "BOT_FLOOD_SECONDS"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org"}, "TELEGRAM_API_BASE_URL"),
        ({"BOT_TOKEN": "not a token"}, "BOT_TOKEN"),
        ({"BOT_WEBHOOK_SECRET": "has space"}, "BOT_WEBHOOK_SECRET"),
        ({"BOT_RETENTION_DAYS": "-1"}, "BOT_RETENTION_DAYS"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env)
    assert names in str(error.value) and "\n" not in str(error.value)


def test_a_missing_token_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="BOT_TOKEN is not set"):
        Settings.from_env({}).require_token()


@pytest.mark.parametrize(
    ("base", "file"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://localhost:8081/bot", "http://localhost:8081/file/bot"),
        ("https://api.telegram.org/bot{token}/test", "https://api.telegram.org/file/bot{token}/test"),
        ("http://proxy.local/telegram", "http://proxy.local/telegram/file"),
    ],
)
def test_the_file_url_is_derived_from_the_base_url(base: str, file: str) -> None:
    assert file_url_for(base) == file


def test_the_log_formatter_masks_the_token_even_in_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s", [TOKEN])
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url /bot%s/getMe", (TOKEN,), None)
        import sys

        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert TOKEN not in text and text.count(MASK) == 2


# ---- flood control -----------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_flood_allows_n_messages_in_t_seconds_then_warns_once_then_drops() -> None:
    clock = Clock()
    gate = FloodGate(3, 10, clock)
    verdicts = [gate.check(1) for _ in range(6)]
    assert verdicts == [Verdict.PASS] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert gate.check(2) is Verdict.PASS  # someone else is not slowed down
    clock.now = 10.5  # the window has passed
    assert gate.check(1) is Verdict.PASS


def test_ignored_messages_do_not_extend_the_wait() -> None:
    clock = Clock()
    gate = FloodGate(3, 10, clock)
    for second in range(10):  # one a second: three pass, the rest are over the limit
        clock.now = float(second)
        gate.check(1)
    clock.now = 10.5  # the first message left the window: the dropped ones never counted
    assert gate.check(1) is Verdict.PASS


def test_flood_keeps_memory_for_active_people_only() -> None:
    clock = Clock()
    gate = FloodGate(2, 1, clock)
    for user in range(2000):
        clock.now += 0.01
        gate.check(user)
    assert len(gate._arrivals) < 1100


def test_flood_limits_must_make_sense() -> None:
    with pytest.raises(ValueError):
        FloodGate(0, 10)


# ---- outline and search ----------------------------------------------------------------------------------

KB = load_knowledge(DEFAULT_DIR)
RULES = load_rules(resolve_pack(DEFAULT_DIR) / "rules.yaml", KB)


def test_the_outline_holds_every_section_once_in_speech_order() -> None:
    outline = build_outline(KB, RULES.children)
    sections = [e.id for e in KB.entries if e.kind == "section"]
    placed = [child for row in outline.children.values() for child in row]
    assert sorted(placed) == sorted(sections)
    assert outline.children[""] == ("opening", "review", "problems", "situation", "closing")
    assert outline.children["requirements"] == tuple(f"part-{n}" for n in range(1, 6))
    assert outline.parent["part-5-2-3"] == "part-5-2"
    assert outline.neighbours("part-1") == (None, "part-2")
    assert outline.neighbours("closing") == ("situation", None)


def test_find_word_tries_the_word_as_typed_then_folded() -> None:
    assert find_word(KB.speech, "一岗双责") == (KB.speech.find("一岗双责"), 4)
    assert find_word(KB.speech, "黨建") is not None  # traditional characters fold to simplified
    assert find_word(KB.speech, "量子计算") is None
    assert find_word(KB.speech, "   ") is None


# ---- chart -----------------------------------------------------------------------------------------------


def test_the_series_covers_thirty_days_with_zeros_for_quiet_days() -> None:
    series = daily_series([("2024-03-30", 5, 4)], date(2024, 3, 31))
    assert len(series) == 30 and series[0][0] == date(2024, 3, 2)
    assert series[-2] == (date(2024, 3, 30), 5, 4) and series[-1] == (date(2024, 3, 31), 0, 0)


def test_the_chart_is_a_png() -> None:
    png = render_chart(daily_series([("2024-03-30", 5, 4), ("2024-03-12", 2, 0)], date(2024, 3, 31)))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


def test_the_parts_chart_is_a_png_labelled_in_chinese_where_a_cjk_font_is_installed() -> None:
    png = render_parts_chart([("一、强化政治统领，坚持党的全面领导", 0.68), ("存在的问题", 0.55)])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert labels() == (CHINESE if cjk_font() else ENGLISH)  # never boxes: English without a CJK font
