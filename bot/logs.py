"""Logs an operator can grep and a collector can parse: one line per event, key=value or JSON.

A message like "event=daily_sent chats=3" keeps its own pairs; anything else becomes msg="…". A traceback is
folded into the same line (exc="…\\n…"), so one event is always one line. Every secret given (the token, the
webhook secret) is masked in the finished line, tracebacks included. What people wrote is not logged at INFO
unless BOT_LOG_USER_TEXT=1: `user_text` gives the text or only its length.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

MASK = "**********"
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler")  # httpx logs request URLs, and the token is in them
PAIRS = re.compile(r"^(?:[a-z_][a-z0-9_]*=(?:\"(?:[^\"\\\\]|\\\\.)*\"|\S*)\s*)+$")
PAIR = re.compile(r"([a-z_][a-z0-9_]*)=(\"(?:[^\"\\\\]|\\\\.)*\"|\S*)")


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks each secret wherever it appears, tracebacks included."""

    def __init__(self, fmt: str | None, secrets_: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = sorted({s for s in secrets_ if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


class EventFormatter(RedactingFormatter):
    """One line per record: `ts=… level=… logger=… key=value…` (kv) or one JSON object (json)."""

    def __init__(self, kind: str, secrets_: Iterable[str]) -> None:
        if kind not in ("kv", "json"):
            raise ValueError(f"log format must be kv or json, not {kind!r}")
        super().__init__(None, secrets_)
        self.kind = kind

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        message = self.redact(record.getMessage())
        if PAIRS.match(message):
            fields.update((key, _unquote(value)) for key, value in PAIR.findall(message))
        else:
            fields["msg"] = message
        if record.exc_info:
            fields["exc"] = self.redact(self.formatException(record.exc_info))
        if self.kind == "json":
            return json.dumps(fields, ensure_ascii=False, default=str)
        return " ".join(f"{key}={_kv(value)}" for key, value in fields.items())


def configure(*, kind: str = "kv", level: str | int = "INFO", secrets_: Iterable[str] = ()) -> None:
    """Root logging to stderr in one format, secrets masked; Python warnings go through it too."""
    handler = logging.StreamHandler()
    handler.setFormatter(EventFormatter(kind, secrets_))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


def user_text(text: str, enabled: bool) -> str:
    """The pairs that describe what someone wrote: the text itself only when the operator enabled it."""
    if enabled:
        return f"chars={len(text)} text={_kv(text[:200])}"
    return f"chars={len(text)}"


def _kv(value: object) -> str:
    text = str(value)
    if text and re.fullmatch(r"[\w.:/+@-]+", text, re.ASCII):
        return text
    return json.dumps(text, ensure_ascii=False)


def _unquote(value: str) -> str:
    return json.loads(value) if value.startswith('"') else value
