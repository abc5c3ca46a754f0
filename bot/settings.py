"""The bot's settings: read once from the environment into one frozen object, the token masked.

| variable | meaning | default |
| --- | --- | --- |
| `BOT_TOKEN` | the token from @BotFather (required by `run`) | — |
| `BOT_ADMINS` | comma-separated Telegram user ids allowed /stats, /unanswered, /reload | none |
| `BOT_DB` | the SQLite file of the store | `data/bot.sqlite3` |
| `BOT_KNOWLEDGE` | the folder holding speech.txt and the YAML entries | the repository's `knowledge/` |
| `TELEGRAM_API_BASE_URL` | the Bot API base URL in PTB's sense (the token is appended, or put at `{token}`) | `https://api.telegram.org/bot` |
| `BOT_TIMEZONE` | the time zone of dates shown to users and of the daily statistics | `Asia/Shanghai` |
| `BOT_FLOOD_MESSAGES`, `BOT_FLOOD_SECONDS` | more than this many messages in this many seconds is a flood | 8, 10 |
| `BOT_RETENTION_DAYS` | delete logged exchanges older than this many days | keep them |
| `BOT_WEBHOOK_SECRET` | the webhook's secret token (A–Z, a–z, 0–9, _ and -) | a new random one per start |
| `BOT_DAILY_TIME` | the time `/daily on` subscribes to (HH:MM in BOT_TIMEZONE) | `08:00` |
| `BOT_DAILY_COUNT` | questions in a daily set when `/daily` names no count (1–10) | 3 |
| `BOT_LOG_FORMAT` | `kv` (key=value) or `json`, one line per event | `kv` |
| `BOT_LOG_LEVEL` | DEBUG, INFO, WARNING or ERROR | `INFO` |
| `BOT_LOG_USER_TEXT` | 1 to include what people wrote in INFO lines (off: only lengths and ids) | 0 |
| `BOT_CACHE_DIR` | where the matcher's derived tables and jieba's dictionary cache are kept between starts | `~/.cache/speech-study-bot` |
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.daily import DEFAULT_DAILY_COUNT, DEFAULT_DAILY_TIME, MAX_DAILY_COUNT, parse_time
from bot.knowledge import DEFAULT_DIR

DEFAULT_DB = Path("data/bot.sqlite3")
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_TIMEZONE = "Asia/Shanghai"
MASK = "**********"
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOG_FORMATS = ("kv", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming the variable."""


class Secret:
    """A string that never shows itself: `repr`, `str` and f-strings give '**********'."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return repr(MASK)

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def environment() -> dict[str, str]:
    """A copy of the environment, for `doctor`, which reports on every setting (only this module reads it)."""
    return dict(os.environ)


def knowledge_dir_from_env(environ: Mapping[str, str] | None = None) -> Path:
    """BOT_KNOWLEDGE, or the repository's folder of packs."""
    env = os.environ if environ is None else environ
    return Path(env.get("BOT_KNOWLEDGE") or DEFAULT_DIR)


def cache_dir_from_env(environ: Mapping[str, str] | None = None) -> Path | None:
    """BOT_CACHE_DIR, or None for the default (~/.cache/speech-study-bot)."""
    env = os.environ if environ is None else environ
    return Path(env["BOT_CACHE_DIR"]) if env.get("BOT_CACHE_DIR") else None


def opt_into_ptb_timedelta() -> None:
    """PTB 22 reads durations (RetryAfter.retry_after…) as timedelta once PTB_TIMEDELTA is set, and warns
    otherwise; set here so that settings stay the one module that touches the environment."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def db_path_from_env(environ: Mapping[str, str] | None = None) -> Path:
    """Where the database lives: BOT_DB, or ./data/bot.sqlite3 (for the CLI reports, which need no token)."""
    env = os.environ if environ is None else environ
    return Path(env.get("BOT_DB") or DEFAULT_DB)


def timezone_from_env(environ: Mapping[str, str] | None = None) -> ZoneInfo:
    """BOT_TIMEZONE for the console, which needs no other setting; a bad name falls back to the default."""
    env = os.environ if environ is None else environ
    try:
        return ZoneInfo(env.get("BOT_TIMEZONE") or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def file_url_for(base_url: str) -> str:
    """The file download URL beside a Bot API base URL: `…/bot` → `…/file/bot`, as Telegram lays them out."""
    head, found, tail = base_url.rpartition("/bot")
    if not found:
        return base_url.rstrip("/") + "/file"
    return f"{head}/file/bot{tail}"


@dataclass(frozen=True)
class Settings:
    token: Secret | None
    admins: frozenset[int] = frozenset()
    db_path: Path = DEFAULT_DB
    knowledge_dir: Path = DEFAULT_DIR
    api_base_url: str = DEFAULT_API_BASE_URL
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    flood_messages: int = 8
    flood_seconds: float = 10.0
    retention_days: int | None = None
    webhook_secret: Secret | None = None
    daily_time: str = DEFAULT_DAILY_TIME
    daily_count: int = DEFAULT_DAILY_COUNT
    log_format: str = "kv"
    log_level: str = "INFO"
    log_user_text: bool = False

    @property
    def file_base_url(self) -> str:
        return file_url_for(self.api_base_url)

    def require_token(self) -> str:
        """The token itself, for the one place that hands it to PTB."""
        if self.token is None:
            raise SettingsError("BOT_TOKEN is not set: get a token from @BotFather and export BOT_TOKEN=…")
        return self.token.reveal()

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting; a malformed value raises SettingsError naming the variable."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("BOT_TOKEN")
        if token is not None and not TOKEN_PATTERN.match(token):
            raise SettingsError("BOT_TOKEN does not look like a bot token (digits, a colon, then letters)")
        secret = get("BOT_WEBHOOK_SECRET")
        if secret is not None and not SECRET_PATTERN.match(secret):
            raise SettingsError(
                "BOT_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters)"
            )
        retention = get("BOT_RETENTION_DAYS")
        return cls(
            token=Secret(token) if token else None,
            admins=_admins(get("BOT_ADMINS")),
            db_path=Path(get("BOT_DB") or DEFAULT_DB),
            knowledge_dir=Path(get("BOT_KNOWLEDGE") or DEFAULT_DIR),
            api_base_url=_base_url(get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL),
            timezone=_timezone(get("BOT_TIMEZONE") or DEFAULT_TIMEZONE),
            flood_messages=int(_positive("BOT_FLOOD_MESSAGES", get("BOT_FLOOD_MESSAGES"), 8, integer=True)),
            flood_seconds=_positive("BOT_FLOOD_SECONDS", get("BOT_FLOOD_SECONDS"), 10.0),
            retention_days=int(_positive("BOT_RETENTION_DAYS", retention, 0, integer=True)) or None,
            webhook_secret=Secret(secret) if secret else None,
            daily_time=_daily_time(get("BOT_DAILY_TIME")),
            daily_count=_daily_count(get("BOT_DAILY_COUNT")),
            log_format=_choice("BOT_LOG_FORMAT", (get("BOT_LOG_FORMAT") or "kv").lower(), LOG_FORMATS),
            log_level=_choice("BOT_LOG_LEVEL", (get("BOT_LOG_LEVEL") or "INFO").upper(), LOG_LEVELS),
            log_user_text=_flag("BOT_LOG_USER_TEXT", get("BOT_LOG_USER_TEXT")),
        )


def _admins(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    ids = [part.strip() for part in value.split(",") if part.strip()]
    bad = [part for part in ids if not re.fullmatch(r"-?\d+", part)]
    if bad:
        raise SettingsError(f"BOT_ADMINS must be comma-separated numeric user ids; not a number: {bad[0]!r}")
    return frozenset(int(part) for part in ids)


def _base_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise SettingsError(
            "TELEGRAM_API_BASE_URL must be an http(s) URL such as https://api.telegram.org/bot"
        )
    return value


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"BOT_TIMEZONE {name!r} is not a known IANA time zone (e.g. Asia/Shanghai)"
        ) from None


def _positive(name: str, value: str | None, default: float, *, integer: bool = False) -> float:
    if value is None:
        return default
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        number = 0
    if number <= 0:
        kind = "a positive whole number" if integer else "a positive number"
        raise SettingsError(f"{name} must be {kind}, not {value!r}")
    return number


def _daily_time(value: str | None) -> str:
    if value is None:
        return DEFAULT_DAILY_TIME
    parsed = parse_time(value)
    if parsed is None:
        raise SettingsError(f"BOT_DAILY_TIME must be a time of day such as 08:00, not {value!r}")
    return parsed


def _daily_count(value: str | None) -> int:
    if value is None:
        return DEFAULT_DAILY_COUNT
    if not value.isdecimal() or not 1 <= int(value) <= MAX_DAILY_COUNT:
        raise SettingsError(
            f"BOT_DAILY_COUNT must be a whole number from 1 to {MAX_DAILY_COUNT}, not {value!r}"
        )
    return int(value)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _flag(name: str, value: str | None) -> bool:
    if value is None or value.lower() in ("0", "false", "no", "off"):
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1 or 0, not {value!r}")
