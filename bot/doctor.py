"""The checks behind `python -m bot doctor`: settings, token form, knowledge base, database, Telegram's getMe.

Each check gives one `Check` line; the token never reaches the output (`mask`), because httpx's errors and
SQLite's can quote a URL or a path that holds it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from bot.knowledge import DEFAULT_DIR, KnowledgeError, load_knowledge
from bot.settings import DEFAULT_DB, MASK, TOKEN_PATTERN, Settings, SettingsError
from bot.storage import Store, StoreError, schema_version

OK, FAIL, SKIP = "ok", "FAIL", "skip"
SHOWN_PROBLEMS = 3


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one check: a status, what was checked, and one line of detail."""

    status: str
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<6}{self.name}: {self.detail}"


def diagnose(
    env: Mapping[str, str], *, knowledge: Path | None = None, offline: bool = False, timeout: float = 5.0
) -> Iterator[Check]:
    """Every check in order, each run even when an earlier one failed, so one run shows every problem.

    `knowledge` is an explicit --knowledge folder, which wins over BOT_KNOWLEDGE as it does for `run`.
    """
    token = env.get("BOT_TOKEN", "").strip()
    settings_check, settings = check_settings(env)
    yield settings_check
    yield check_token(token)
    folder = knowledge or (
        settings.knowledge_dir if settings else Path(env.get("BOT_KNOWLEDGE") or DEFAULT_DIR)
    )
    yield check_knowledge(folder)
    yield check_database(settings.db_path if settings else Path(env.get("BOT_DB") or DEFAULT_DB))
    if settings is None:
        yield Check(SKIP, "retention", "the settings did not parse")
    elif settings.retention_days is None:
        yield Check(OK, "retention", "logged exchanges are kept (BOT_RETENTION_DAYS is not set)")
    else:
        yield Check(
            OK, "retention", f"logged exchanges older than {settings.retention_days} days are deleted"
        )
    if offline:
        yield Check(SKIP, "telegram", "--offline: Telegram not called")
    elif settings is None:
        yield Check(SKIP, "telegram", "the settings did not parse")
    elif not TOKEN_PATTERN.match(token):
        yield Check(SKIP, "telegram", "no well-formed BOT_TOKEN to try")
    else:
        yield check_telegram(settings.api_base_url, token, timeout=timeout)


def check_settings(env: Mapping[str, str]) -> tuple[Check, Settings | None]:
    """Every setting but the token (checked on its own line), parsed as `run` parses them."""
    try:
        settings = Settings.from_env({name: value for name, value in env.items() if name != "BOT_TOKEN"})
    except SettingsError as error:
        return Check(FAIL, "settings", str(error)), None
    admins = f"{len(settings.admins)} admins" if settings.admins else "no admins"
    return Check(OK, "settings", f"parsed (time zone {settings.timezone.key}, {admins})"), settings


def check_token(token: str) -> Check:
    """Present and of the form `<bot id>:<secret>`; only the bot id is ever shown."""
    if not token:
        return Check(FAIL, "token", "BOT_TOKEN is not set: `run` needs the token from @BotFather")
    if not TOKEN_PATTERN.match(token):
        return Check(
            FAIL, "token", "BOT_TOKEN does not look like a bot token (digits, a colon, then letters)"
        )
    return Check(OK, "token", f"BOT_TOKEN is set, bot id {token.partition(':')[0]}")


def check_knowledge(folder: Path) -> Check:
    """The entries, and the rules, synonyms and examples files the matcher reads beside them."""
    from bot.matching import check_matching_files  # imports jieba: only when a doctor runs

    try:
        kb = load_knowledge(folder)
        check_matching_files(kb)
    except KnowledgeError as error:
        problems = error.problems
        shown = "; ".join(problems[:SHOWN_PROBLEMS])
        more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        return Check(FAIL, "knowledge", f"{count}: {shown}{more}; `python -m bot kb check` lists them all")
    except OSError as error:
        return Check(FAIL, "knowledge", f"cannot read {folder}: {(error.strerror or str(error)).lower()}")
    return Check(OK, "knowledge", f"{len(kb)} entries in {kb.directory or folder} ({kb.pack.title})")


def check_database(path: Path) -> Check:
    """The folder can be written, and the file passes quick_check, opens and migrates to this code's version."""
    blocked = _unwritable(path.parent)
    if blocked:
        return Check(FAIL, "database", f"cannot use {path}: {blocked}")
    try:
        version = asyncio.run(_open_and_migrate(path))
    except StoreError as error:
        return Check(FAIL, "database", str(error))
    latest = schema_version()
    if version != latest:
        return Check(FAIL, "database", f"{path} is at schema version {version}; this code needs {latest}")
    return Check(OK, "database", f"{path} opens, schema version {version} (the latest)")


def check_telegram(base_url: str, token: str, *, timeout: float) -> Check:
    """getMe: the bot's @username when the token works; `skip`, not a failure, when Telegram is unreachable."""
    import httpx  # a python-telegram-bot dependency; imported here, as only this check needs it

    host = urlsplit(base_url).netloc
    try:
        response = httpx.get(method_url(base_url, token, "getMe"), timeout=timeout)
    except (httpx.TimeoutException, httpx.NetworkError, httpx.ProxyError) as error:
        return Check(SKIP, "telegram", f"cannot reach {host}: {_describe(error, token)}")
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return Check(FAIL, "telegram", f"no proper answer from {host}: {_describe(error, token)}")
    status = response.status_code
    if status in (401, 404):
        return Check(
            FAIL,
            "telegram",
            f"{host} rejected the token (HTTP {status}): check BOT_TOKEN with @BotFather"
            + (" and TELEGRAM_API_BASE_URL" if status == 404 else ""),
        )
    if status == 429 or status >= 500:
        return Check(SKIP, "telegram", f"{host} is unavailable for now (HTTP {status})")
    try:
        body = response.json()
        me = body["result"] if status == 200 and body.get("ok") else None
        username = me["username"] if me else None
    except (ValueError, KeyError, TypeError, AttributeError):
        username = None
    if username is None:
        return Check(FAIL, "telegram", f"{host} did not answer getMe as the Bot API does (HTTP {status})")
    return Check(OK, "telegram", f"the token works: this is @{username}")


def method_url(base_url: str, token: str, method: str) -> str:
    """A Bot API method's URL as PTB builds it: the token at `{token}` in the base URL, or appended to it."""
    base = base_url.replace("{token}", token) if "{token}" in base_url else base_url + token
    return f"{base}/{method}"


def mask(text: str, token: str) -> str:
    """The text with the token (as is, URL-quoted, or its secret half alone) replaced by the mask."""
    if not token:
        return text
    secret = token.partition(":")[2]
    for value in (token, quote(token, safe=""), secret if len(secret) >= 6 else ""):
        if value:  # (a secret half of a few letters would mask ordinary words; the whole token still goes)
            text = text.replace(value, MASK)
    return text


async def _open_and_migrate(path: Path) -> int:
    async with Store(path) as store:
        return await store.schema_version()


def _unwritable(folder: Path) -> str | None:
    """Why the database's folder cannot be created or written to, or None when it can."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"the folder {existing} is not writable by this user"
    return None


def _describe(error: Exception, token: str) -> str:
    """An httpx error in a few words, without its URL (which holds the token)."""
    first = str(error).splitlines()[0] if str(error) else ""
    return mask(f"{type(error).__name__}: {first}" if first else type(error).__name__, token)
