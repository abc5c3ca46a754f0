"""The SQLite store: every exchange logged, user settings, and room for the quiz's tables.

Why it is built this way:

- A reply never waits on the disk. `log_exchange` only appends to an in-memory queue; one writer task commits
  the queue in batches, when `batch_size` rows are waiting or `flush_ms` after the oldest of them arrived,
  each batch in one transaction (the exchanges and the `users` rows they touch together).
- Nothing acknowledged is lost. `flush()` returns only after a commit, and `close()` commits everything
  queued: the front ends call it on SIGTERM and SIGINT, so a normal stop loses nothing. WAL with
  `synchronous=FULL` makes a commit durable even against a power cut.
- SIGKILL (or a crash) loses, by design, only what was still queued: at most the last `flush_ms` of writes,
  plus the one batch being committed, plus whatever piled up while the database refused writes (the writer
  retries with backoff, e.g. while another process holds the lock). The file is never left inconsistent:
  a batch is one transaction, so it is in the database whole or not at all, and `PRAGMA integrity_check`
  passes after any kill.
- Reads go through a second connection, so a long report or export never holds up the writer, and they see
  only committed data.
- The schema is `MIGRATIONS` below, applied in order, each step in one transaction with its
  `PRAGMA user_version`. Values always go in as `?` parameters.

The store is used from one event loop; `log_exchange` must be called from that loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.backup import BackupError, automatic_backups, backup_database, backup_path_for, forget_in_backup
from bot.integrity import check_database, damage_message

logger = logging.getLogger(__name__)

FRONT_ENDS = ("telegram", "console")
STATUSES = ("ok", "dropped", "error")  # "dropped": flood control refused it; "error": the reply failed
RETENTION_INTERVAL_S = 24 * 60 * 60
MAX_BACKOFF_S = 2.0
ATTEMPTS_WHEN_CLOSING = 8  # then close() gives up on a batch, loudly: ~3 s of backoff plus busy waits

Migration = tuple[int, str]

# The schema, in order. Each step runs in one transaction together with `PRAGMA user_version = <number>`.
# Never edit a step that has shipped: append the next one, numbered N + 1 (the quiz adds its tables as 2, 3…).
# Conventions the rest of the module relies on:
# - every table holding a person's data has a `user_id` column (`forget_user` finds them by it), ideally
#   `REFERENCES users (id) ON DELETE CASCADE`;
# - timestamps are UTC ISO 8601 text, `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`: they sort as text and SQLite's
#   date functions read them.
# A step that must rebuild a table (the 12-step ALTER) cannot switch foreign keys off inside its transaction;
# give it `PRAGMA defer_foreign_keys = ON` as its first statement instead.
MIGRATIONS: tuple[Migration, ...] = (
    (
        1,
        """
        CREATE TABLE users (
            id          INTEGER PRIMARY KEY,            -- Telegram user id; the console picks its own
            front_end   TEXT NOT NULL,                  -- 'telegram' | 'console'
            first_seen  TEXT NOT NULL,
            last_seen   TEXT NOT NULL
        );
        CREATE TABLE user_settings (
            user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            key         TEXT NOT NULL,                  -- e.g. 'quiz_time', 'timezone'
            value       TEXT NOT NULL,                  -- JSON
            PRIMARY KEY (user_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX user_settings_by_key ON user_settings (key);
        CREATE TABLE exchanges (
            id          INTEGER PRIMARY KEY,
            front_end   TEXT NOT NULL,
            update_id   INTEGER,                        -- Telegram's; NULL on the console
            chat_id     INTEGER,
            chat_type   TEXT,                           -- 'private' | 'group' | 'supergroup' | …
            user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
            received_at TEXT NOT NULL,
            question    TEXT NOT NULL,                  -- as sent
            normalized  TEXT NOT NULL,                  -- as matched
            answered    INTEGER NOT NULL,               -- 0 | 1
            entry_id    TEXT,
            score       REAL NOT NULL,
            suggestions TEXT NOT NULL,                  -- JSON array of entry ids
            reply       TEXT NOT NULL,
            latency_ms  REAL NOT NULL,
            status      TEXT NOT NULL DEFAULT 'ok',     -- 'ok' | 'dropped' | 'error'
            UNIQUE (front_end, update_id)               -- a redelivered update is logged once
        );
        CREATE INDEX exchanges_by_time ON exchanges (received_at);
        CREATE INDEX exchanges_by_user ON exchanges (user_id);
        """,
    ),
    (
        2,
        """
        -- The study quiz (bot.study). A question sent to a chat, once per poll or console turn:
        CREATE TABLE quiz_asked (
            id          INTEGER PRIMARY KEY,
            chat_id     INTEGER NOT NULL,               -- the console uses 0
            user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,  -- the person in a private chat;
                                                        -- NULL in a group
            question_id TEXT NOT NULL,                  -- bot.quiz.Question.id
            correct     TEXT NOT NULL,                  -- JSON list of option indexes, in the order shown
            source      TEXT NOT NULL,                  -- 'quiz' | 'daily' | 'review'
            poll_id     TEXT UNIQUE,                    -- Telegram's poll id; NULL on the console
            asked_at    TEXT NOT NULL
        );
        CREATE INDEX quiz_asked_by_chat ON quiz_asked (chat_id, asked_at);
        CREATE TABLE quiz_answers (
            id          INTEGER PRIMARY KEY,
            asked_id    INTEGER NOT NULL REFERENCES quiz_asked (id) ON DELETE CASCADE,
            user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            chat_id     INTEGER NOT NULL,
            question_id TEXT NOT NULL,
            chosen      TEXT NOT NULL,                  -- JSON list of option indexes
            correct     INTEGER NOT NULL,               -- 0 | 1
            answered_at TEXT NOT NULL,
            day         TEXT NOT NULL,                  -- the local date (BOT_TIMEZONE) the streaks count
            UNIQUE (asked_id, user_id)                  -- a quiz poll takes one answer per person
        );
        CREATE INDEX quiz_answers_by_user ON quiz_answers (user_id, day);
        CREATE INDEX quiz_answers_by_chat ON quiz_answers (chat_id, user_id);
        -- 错题本: one FSRS card per person and question, made by the first wrong answer.
        CREATE TABLE quiz_cards (
            user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            card        TEXT NOT NULL,                  -- JSON (bot.review.ReviewCard)
            due         TEXT NOT NULL,                  -- copied out of the card, for the index
            PRIMARY KEY (user_id, question_id)
        ) WITHOUT ROWID;
        CREATE INDEX quiz_cards_by_due ON quiz_cards (user_id, due);
        CREATE TABLE subscriptions (
            chat_id     INTEGER PRIMARY KEY,
            chat_type   TEXT NOT NULL,
            user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,  -- the person, for a private chat
            time        TEXT NOT NULL,                  -- 'HH:MM' in BOT_TIMEZONE
            count       INTEGER NOT NULL,
            created_at  TEXT NOT NULL
        );
        CREATE INDEX subscriptions_by_time ON subscriptions (time);
        -- Group leaderboards list only the members who asked to be listed (/top join).
        CREATE TABLE leaderboard_members (
            chat_id     INTEGER NOT NULL,
            user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            name        TEXT NOT NULL,
            joined_at   TEXT NOT NULL,
            PRIMARY KEY (chat_id, user_id)
        ) WITHOUT ROWID;
        """,
    ),
    (
        3,
        """
        -- Updates as Telegram sent them, kept from the moment getUpdates returned them until they are handled
        -- (answered and logged), so a crash loses no question and a redelivered update is answered once.
        CREATE TABLE inbox (
            update_id   INTEGER PRIMARY KEY,            -- Telegram's
            user_id     INTEGER,                        -- who sent it (forget_user finds it); no users row yet
            payload     TEXT NOT NULL,                  -- the update's JSON
            state       TEXT NOT NULL,                  -- 'pending' | 'done' | 'bad' (could not be read)
            received_at TEXT NOT NULL,
            handled_at  TEXT
        );
        CREATE INDEX inbox_by_state ON inbox (state, update_id);
        -- Each chat's daily set, planned once per local day; a question moves due → sending → sent, so a
        -- restart resumes what is due and never sends a question twice (a send cut off mid-way is 'uncertain').
        CREATE TABLE daily_sends (
            chat_id     INTEGER NOT NULL,
            day         TEXT NOT NULL,                  -- the local date (BOT_TIMEZONE) of the set
            position    INTEGER NOT NULL,               -- 1, 2, 3… in the set
            question_id TEXT NOT NULL,
            user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,  -- the person, for a private chat
            state       TEXT NOT NULL,                  -- 'due' | 'sending' | 'sent' | 'uncertain'
            asked_id    INTEGER REFERENCES quiz_asked (id) ON DELETE SET NULL,
            planned_at  TEXT NOT NULL,
            sent_at     TEXT,
            PRIMARY KEY (chat_id, day, position)
        ) WITHOUT ROWID;
        CREATE INDEX daily_sends_by_day ON daily_sends (day, state);
        """,
    ),
    (
        4,
        """
        -- A chat's own choices, whoever made them: the speech it studies (several packs in one bot).
        CREATE TABLE chat_settings (
            chat_id     INTEGER NOT NULL,
            key         TEXT NOT NULL,                  -- e.g. 'pack'
            value       TEXT NOT NULL,                  -- JSON
            user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,  -- the person, for a private chat
            PRIMARY KEY (chat_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX chat_settings_by_key ON chat_settings (key);
        """,
    ),
    (
        5,
        """
        -- Group rounds (/round): N polls at once in a group, closing together; the summary is posted once, by
        -- the bot's own job, when the time is up ('open' → 'summing' → 'done'; /round off: 'cancelled').
        CREATE TABLE rounds (
            id          INTEGER PRIMARY KEY,
            chat_id     INTEGER NOT NULL,
            pack        TEXT NOT NULL,                  -- the speech the questions came from
            questions   INTEGER NOT NULL,
            minutes     INTEGER NOT NULL,
            started_at  TEXT NOT NULL,
            closes_at   TEXT NOT NULL,
            state       TEXT NOT NULL,                  -- 'open' | 'summing' | 'done' | 'cancelled'
            summary_at  TEXT
        );
        CREATE INDEX rounds_by_chat ON rounds (chat_id, started_at);
        CREATE INDEX rounds_by_state ON rounds (state, closes_at);
        ALTER TABLE quiz_asked ADD COLUMN round_id INTEGER REFERENCES rounds (id) ON DELETE SET NULL;
        ALTER TABLE quiz_asked ADD COLUMN message_id INTEGER;  -- a round's poll message, to stop it
        CREATE INDEX quiz_asked_by_round ON quiz_asked (round_id);
        -- 纠错: a member's flag on a bad question; three keep it out until an admin clears them (deletes the rows).
        CREATE TABLE quiz_flags (
            question_id TEXT NOT NULL,
            user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            chat_id     INTEGER NOT NULL,
            flagged_at  TEXT NOT NULL,
            PRIMARY KEY (question_id, user_id)
        ) WITHOUT ROWID;
        """,
    ),
)

EXCHANGE_COLUMNS = (
    "id",
    "received_at",
    "front_end",
    "update_id",
    "chat_id",
    "chat_type",
    "user_id",
    "question",
    "normalized",
    "answered",
    "entry_id",
    "score",
    "suggestions",
    "reply",
    "latency_ms",
    "status",
)

_INSERT_EXCHANGE = """
INSERT INTO exchanges (front_end, update_id, chat_id, chat_type, user_id, received_at, question, normalized,
                       answered, entry_id, score, suggestions, reply, latency_ms, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (front_end, update_id) DO NOTHING
"""

_UPSERT_USER = """
INSERT INTO users (id, front_end, first_seen, last_seen) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    front_end = excluded.front_end,
    first_seen = min(first_seen, excluded.first_seen),
    last_seen = max(last_seen, excluded.last_seen)
"""

_SELECT_EXCHANGES = """
SELECT id, received_at, front_end, update_id, chat_id, chat_type, user_id, question, normalized, answered,
       entry_id, score, suggestions, reply, latency_ms, status
FROM exchanges WHERE received_at >= ? ORDER BY received_at, id
"""

_STATS_TOTALS = """
SELECT count(*),
       count(DISTINCT user_id),
       coalesce(sum(status = 'ok' AND answered), 0),
       coalesce(sum(status = 'ok' AND NOT answered), 0),
       coalesce(sum(status = 'dropped'), 0),
       coalesce(sum(status = 'error'), 0)
FROM exchanges WHERE received_at >= ?
"""

_STATS_TOP_ENTRIES = """
SELECT entry_id, count(*) AS n FROM exchanges
WHERE received_at >= ? AND status = 'ok' AND answered AND entry_id IS NOT NULL
GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?
"""

# UTC hours; turned into local hours and days in Python, so any time zone works.
_STATS_BY_HOUR = """
SELECT substr(received_at, 1, 13), count(*), coalesce(sum(status = 'ok' AND answered), 0)
FROM exchanges WHERE received_at >= ? GROUP BY 1
"""

# `question` is a bare column beside the one max(): SQLite takes it from the latest row of the group.
_UNANSWERED = """
SELECT normalized, count(*) AS asked, sum(NOT answered), max(received_at) AS last_seen, question, avg(score)
FROM exchanges
WHERE status = 'ok' AND (NOT answered OR score < ?) AND normalized != '' AND received_at >= ?
GROUP BY normalized ORDER BY asked DESC, last_seen DESC LIMIT ?
"""

_HANDLED = "handled"  # a queued row that marks an inbox update handled, not an exchange
# A handled update keeps only its id (to know a redelivery): what the person wrote is in the exchange log.
_MARK_HANDLED = (
    "UPDATE inbox SET state = 'done', payload = '', handled_at = ? WHERE update_id = ? AND state = 'pending'"
)
INBOX_KEEP_DAYS = 2  # Telegram keeps an unconfirmed update for 24 hours: a handled one is remembered longer

_TABLES_WITH_USER_ID = """
SELECT m.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND c.name = 'user_id' ORDER BY m.name
"""

_SURROGATE = re.compile("[\ud800-\udfff]")


class StoreError(Exception):
    """The database cannot be used; the message is one line meant for the person starting the bot."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """One message and what the bot did with it, as logged."""

    front_end: str
    update_id: int | None
    chat_id: int | None
    chat_type: str | None
    user_id: int | None
    received_at: datetime
    question: str
    normalized: str
    answered: bool
    entry_id: str | None
    score: float
    suggestions: tuple[str, ...]
    reply: str
    latency_ms: float
    status: str = "ok"

    def __post_init__(self) -> None:
        # Checked here, on the caller's side, so a bad row never reaches (and stalls) the writer.
        if self.front_end not in FRONT_ENDS:
            raise ValueError(f"front_end must be one of {FRONT_ENDS}, not {self.front_end!r}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if self.received_at.utcoffset() is None:
            raise ValueError("received_at must be timezone-aware")
        if not (math.isfinite(self.score) and math.isfinite(self.latency_ms)):
            raise ValueError("score and latency_ms must be finite numbers")


def clean_text(text: str) -> str:
    """The text as UTF-8 can hold it: a lone surrogate becomes U+FFFD, a pair split in two is joined."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def schema_version() -> int:
    """The version this code builds: the number of the last migration."""
    return MIGRATIONS[-1][0]


async def migrate(db: aiosqlite.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the steps the database lacks, each in its own transaction; return the version reached.

    The first transaction also writes the version back unchanged: a file that cannot be written fails here,
    at start, rather than in the writer later.
    """
    numbers = [version for version, _ in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ValueError(f"migrations must be numbered 1, 2, 3… in order, not {numbers}")
    latest = numbers[-1] if numbers else 0
    async with _transaction(db):
        current = await _user_version(db)
        if current > latest:
            raise StoreError(f"the database is at schema version {current}, newer than this code ({latest})")
        await db.execute(f"PRAGMA user_version = {int(current)}")  # PRAGMA takes no parameters
    for version, script in migrations:
        async with _transaction(db):
            # Checked again under the write lock: another process may have just applied this step.
            if await _user_version(db) >= version:
                continue
            for statement in _statements(script):
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {int(version)}")  # PRAGMA takes no parameters
    return await _user_version(db)


class Store:
    """The bot's SQLite database: a queued exchange log, user settings, and the reports built on them."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        batch_size: int = 200,
        flush_ms: float = 50,
        retention_days: int | None = None,
        busy_timeout_ms: int = 5000,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if flush_ms < 0 or busy_timeout_ms < 0:
            raise ValueError("flush_ms and busy_timeout_ms cannot be negative")
        if retention_days is not None and retention_days < 1:
            raise ValueError("retention_days must be at least 1, or None to keep everything")
        self.path = Path(path)
        self.batch_size = batch_size
        self.flush_ms = flush_ms
        self.retention_days = retention_days
        self.busy_timeout_ms = int(busy_timeout_ms)
        self._db: aiosqlite.Connection | None = None  # the writer's connection
        self._reader: aiosqlite.Connection | None = None
        self._pending: list[tuple[float, tuple[Any, ...]]] = []  # (monotonic time queued, row)
        self._queued = 0  # rows ever queued
        self._done = 0  # rows ever taken off the queue and committed (or reported lost)
        # flush() calls waiting: (the row count they wait for, their future)
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._read_lock = asyncio.Lock()
        self._urgent = False  # a queued row should be committed at once (an update marked handled)
        self._closing = False
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- life cycle ----------------------------------------------------------------------------------------

    async def open(self) -> Self:
        """Create the folder and the schema, then start the writer; a path that cannot be used is a StoreError."""
        if self._db is not None:
            raise RuntimeError("the store is already open")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Touching the file first turns "a folder", "permission denied", "read-only file system" into
            # the OS's plain words, before SQLite's vaguer "unable to open database file".
            with self.path.open("ab"):
                pass
        except OSError as error:
            raise StoreError(f"cannot use the database {self.path}: {_reason(error, self.path)}") from None
        try:  # a damaged file would take every later write down with it: refuse it now, in one line
            problems = await asyncio.to_thread(check_database, self.path)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot use the database {self.path}: {_reason(error, self.path)}") from None
        if problems:
            raise StoreError(damage_message(self.path, problems))
        try:
            await asyncio.to_thread(self._backup_before_upgrade)
        except (BackupError, OSError) as error:
            raise StoreError(f"cannot back up {self.path} before upgrading its schema: {error}") from None
        try:
            self._db = await self._connect()
            await migrate(self._db)
            self._reader = await self._connect(query_only=True)
        except (sqlite3.Error, OSError, StoreError) as error:
            await self._close_connections()
            raise StoreError(f"cannot use the database {self.path}: {_reason(error, self.path)}") from None
        except BaseException:
            await self._close_connections()
            raise
        # Created here, not in __init__, so they belong to the loop that runs the store.
        self._wake, self._stop, self._write_lock = asyncio.Event(), asyncio.Event(), asyncio.Lock()
        self._read_lock = asyncio.Lock()
        self._urgent = False  # a queued row should be committed at once (an update marked handled)
        self._closing = False
        self._tasks = [asyncio.create_task(self._write_loop(), name="store-writer")]
        if self.retention_days is not None:
            self._tasks.append(
                asyncio.create_task(self._retention_loop(self.retention_days), name="store-retention")
            )
        return self

    def _backup_before_upgrade(self) -> Path | None:
        """A copy of the database beside it before migrations change it (the way back, see the README).

        Nothing for a new or empty file, or one already at this code's version. Blocking: run it in a thread.
        """
        with self.path.open("rb") as file:
            header = file.read(100)
        if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
            return None  # new and empty; anything else is for migrate() to refuse
        # user_version is the big-endian integer at offset 60 of the header. Read from the file, not through a
        # connection, so nothing is opened or left behind; after a crash the WAL may hold a newer version than
        # the header, which only ever makes a backup that was not needed.
        current = int.from_bytes(header[60:64], "big")
        if current == 0 or current >= schema_version():
            return None
        target = backup_path_for(self.path, current, datetime.now(UTC))
        backup_database(self.path, target)
        logger.info(
            "event=backup_before_migration from=%d to=%d backup=%s", current, schema_version(), target
        )
        return target

    async def close(self) -> None:
        """Commit everything queued, then close: call it on shutdown (SIGTERM, SIGINT) so nothing is lost."""
        if self._db is None:
            return
        self._closing = True
        self._stop.set()
        self._wake.set()
        try:
            for task in self._tasks:
                with contextlib.suppress(Exception):  # already logged by the task
                    await task
        finally:
            self._tasks = []
            await self._close_connections()

    async def _connect(self, *, query_only: bool = False) -> aiosqlite.Connection:
        db = await aiosqlite.connect(self.path, isolation_level=None)  # we write BEGIN and COMMIT ourselves
        try:
            await db.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms:d}")  # an int; PRAGMA has no ?
            await db.execute("PRAGMA foreign_keys = ON")
            mode = await _scalar(db, "PRAGMA journal_mode = WAL")
            if str(mode).lower() != "wal":
                raise StoreError(f"WAL mode refused (journal mode {mode})")
            await db.execute("PRAGMA synchronous = FULL")
            if query_only:
                await db.execute("PRAGMA query_only = ON")
            else:
                await db.execute(
                    "PRAGMA secure_delete = ON"
                )  # deleted text is zeroed, not left in free space
        except BaseException:
            await db.close()
            raise
        return db

    async def _close_connections(self) -> None:
        for db in (self._reader, self._db):
            if db is not None:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await db.close()
        self._db = self._reader = None

    # -- the exchange log --------------------------------------------------------------------------------

    def log_exchange(self, exchange: Exchange) -> None:
        """Queue one exchange and return at once: it never touches the disk, so call it right after replying."""
        if self._db is None or not self._tasks or self._tasks[0].done():
            raise RuntimeError("the store is not open, or its writer stopped (see the log)")
        self._pending.append((time.monotonic(), _exchange_row(exchange)))
        self._queued += 1
        if len(self._pending) == 1 or len(self._pending) >= self.batch_size:
            self._wake.set()

    def mark_handled(self, update_id: int) -> None:
        """Queue "this update is handled" for the inbox, committed with the exchanges queued before it."""
        if self._db is None or not self._tasks or self._tasks[0].done():
            raise RuntimeError("the store is not open, or its writer stopped (see the log)")
        self._pending.append((time.monotonic(), (_HANDLED, int(update_id), timestamp(datetime.now(UTC)))))
        self._queued += 1
        self._urgent = True  # committed now, not after flush_ms: until then a crash would answer it twice
        self._wake.set()

    async def flush(self) -> None:
        """Wait until everything queued so far is committed."""
        target = self._queued
        if self._done >= target:
            return
        if not self._tasks or self._tasks[0].done():
            raise StoreError("the store's writer is not running; queued exchanges were not written")
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((target, future))
        self._wake.set()
        await future

    async def _write_loop(self) -> None:
        """The only code that writes exchanges: commit the queue in batches until closed and empty."""
        try:
            while True:
                if not self._pending:
                    if self._closing:
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                await self._wait_for_batch()
                batch = self._pending[: self.batch_size]
                del self._pending[: self.batch_size]
                await self._write_batch([row for _, row in batch])
                self._done += len(batch)
                self._release_waiters()
        except BaseException as error:
            if self._pending or not isinstance(error, asyncio.CancelledError):
                logger.error(
                    "the exchange writer stopped; %d queued exchanges not written",
                    len(self._pending),
                    exc_info=error,
                )
            for _, future in self._waiters:
                if not future.done():
                    future.set_exception(StoreError(f"the exchange writer stopped: {error!r}"))
            self._waiters.clear()
            raise

    async def _wait_for_batch(self) -> None:
        """Return once a batch is full, a flush or close asks for it, or the oldest row is flush_ms old."""
        while len(self._pending) < self.batch_size and not self._waiters and not self._closing:
            if self._urgent:
                self._urgent = False
                return
            remaining = self._pending[0][0] + self.flush_ms / 1000 - time.monotonic()
            if remaining <= 0:
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._wake.wait()

    async def _write_batch(self, rows: list[tuple[Any, ...]]) -> None:
        """Commit rows and their users in one transaction; retry while the database refuses, never drop quietly."""
        handled = [(at, update_id) for kind, update_id, at in (r for r in rows if r[0] == _HANDLED)]
        rows = [row for row in rows if row[0] != _HANDLED]
        users = _users_seen(rows)
        attempt = 0
        while True:
            try:
                async with self._transaction() as db:
                    await db.executemany(_UPSERT_USER, users)
                    await db.executemany(_INSERT_EXCHANGE, rows)
                    await db.executemany(_MARK_HANDLED, handled)
                return
            except sqlite3.OperationalError as error:  # locked, busy, disk full, I/O: may pass
                attempt += 1
                if self._closing and attempt >= ATTEMPTS_WHEN_CLOSING:
                    logger.error(
                        "lost %d exchanges: the database refused them %d times while closing (%s)",
                        len(rows),
                        attempt,
                        error,
                    )
                    return
                delay = min(MAX_BACKOFF_S, 0.01 * 2**attempt)
                logger.warning(
                    "could not commit %d exchanges (%s); retry %d in %.2f s", len(rows), error, attempt, delay
                )
                await asyncio.sleep(delay)
            except sqlite3.Error as error:  # a row the schema rejects: find it, keep the others
                if handled:
                    await self._write_batch([(_HANDLED, update_id, at) for at, update_id in handled])
                    handled = []
                if len(rows) <= 1:
                    if not rows:
                        return
                    logger.error("dropped one exchange the database rejects (%s): %.300r", error, rows[0])
                    return
                logger.error(
                    "a batch of %d exchanges was rejected (%s); writing them one by one", len(rows), error
                )
                for row in rows:
                    await self._write_batch([row])
                return

    def _release_waiters(self) -> None:
        still_waiting = []
        for target, future in self._waiters:
            if future.done():
                continue
            if target <= self._done:
                future.set_result(None)
            else:
                still_waiting.append((target, future))
        self._waiters = still_waiting

    def transaction(self) -> contextlib.AbstractAsyncContextManager[aiosqlite.Connection]:
        """A write transaction for a module that keeps its own tables (bot.study): the same lock as the log."""
        return self._transaction()

    async def fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows from the reader's connection, which sees every committed write."""
        return await self._fetchall(sql, parameters)

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction at a time on the writer's connection, rolled back on any error."""
        async with self._write_lock, _transaction(self._require_writer()) as db:
            yield db

    # -- reports -----------------------------------------------------------------------------------------

    async def stats(self, days: int | None = None, *, tz: tzinfo = UTC, top: int = 10) -> dict[str, Any]:
        """Totals for the admin: counts, answered rate, top entries, busiest hours and a per-day series.

        Keys: exchanges, users, answered, declined, dropped, errors, answered_rate (answered over answered +
        declined; flood-dropped and failed messages are counted apart), top_entries [(entry_id, count)],
        busiest_hours [(hour, count)] busiest first, per_day [(ISO date, questions, answered)] oldest first,
        days with no exchange left out. `days` limits it to the last N days; hours and dates are in `tz`.
        """
        await self.flush()
        since = _cutoff(days)
        exchanges, users, answered, declined, dropped, errors = await self._fetchone(_STATS_TOTALS, (since,))
        top_entries = [(entry, n) for entry, n in await self._fetchall(_STATS_TOP_ENTRIES, (since, top))]
        hours: dict[int, int] = {}
        per_day: dict[date, list[int]] = {}
        for bucket, n, n_answered in await self._fetchall(_STATS_BY_HOUR, (since,)):
            local = datetime.fromisoformat(f"{bucket}:00+00:00").astimezone(tz)
            hours[local.hour] = hours.get(local.hour, 0) + n
            day = per_day.setdefault(local.date(), [0, 0])
            day[0] += n
            day[1] += n_answered
        return {
            "days": days,
            "exchanges": exchanges,
            "users": users,
            "answered": answered,
            "declined": declined,
            "dropped": dropped,
            "errors": errors,
            "answered_rate": answered / (answered + declined) if answered + declined else 0.0,
            "top_entries": top_entries,
            "busiest_hours": sorted(hours.items(), key=lambda item: (-item[1], item[0])),
            "per_day": [(day.isoformat(), q, a) for day, (q, a) in sorted(per_day.items())],
        }

    async def unanswered(
        self, limit: int = 20, *, below: float = 0.9, days: int | None = None
    ) -> list[dict[str, Any]]:
        """What people ask that the knowledge base does not answer well: declined or answered with a score
        under `below`, grouped by normalised text, most frequent first. The editor's to-do list."""
        await self.flush()
        rows = await self._fetchall(_UNANSWERED, (below, _cutoff(days), limit))
        return [
            {
                "normalized": normalized,
                "count": count,
                "declined": declined,
                "last_seen": last_seen,
                "question": question,
                "mean_score": round(mean_score, 3),
            }
            for normalized, count, declined, last_seen, question, mean_score in rows
        ]

    async def iter_exchanges(self, since: date | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every logged exchange (from `since`, a UTC date or an aware datetime), oldest first, streamed."""
        await self.flush()
        if since is None:
            cutoff = ""
        elif isinstance(since, datetime):
            cutoff = timestamp(since)
        else:
            cutoff = since.isoformat()
        async with self._require_reader().execute(_SELECT_EXCHANGES, (cutoff,)) as cursor:
            async for row in cursor:
                record = dict(zip(EXCHANGE_COLUMNS, row, strict=True))
                record["answered"] = bool(record["answered"])
                record["suggestions"] = json.loads(record["suggestions"])
                yield record

    # -- the inbox of updates -------------------------------------------------------------------------------

    async def receive_updates(self, updates: Sequence[tuple[int, int | None, str, bool]]) -> set[int]:
        """Keep updates (update_id, user_id, JSON, readable) before Telegram is told they arrived; return the
        ids that are new (an update already kept, pending or handled, is a redelivery: not new)."""
        if not updates:
            return set()
        now = timestamp(datetime.now(UTC))
        new: set[int] = set()
        async with self._transaction() as db:
            for update_id, user_id, payload, readable in updates:
                cursor = await db.execute(
                    "INSERT INTO inbox (update_id, user_id, payload, state, received_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (update_id) DO NOTHING",
                    (int(update_id), _optional_int(user_id), clean_text(payload),
                     "pending" if readable else "bad", now),
                )  # fmt: skip
                if cursor.rowcount:
                    new.add(int(update_id))
        return new

    async def pending_updates(self) -> list[tuple[int, str, datetime]]:
        """(update_id, JSON, when received) of the updates received and not yet handled, oldest first; an
        update whose exchange is already logged was answered (its mark was still queued at a crash) and is
        left out."""
        await self.flush()
        rows = await self._fetchall(
            "SELECT i.update_id, i.payload, i.received_at FROM inbox AS i WHERE i.state = 'pending' AND NOT EXISTS"
            " (SELECT 1 FROM exchanges AS e WHERE e.front_end = 'telegram' AND e.update_id = i.update_id)"
            " ORDER BY i.update_id"
        )
        return [(int(u), str(payload), datetime.fromisoformat(at)) for u, payload, at in rows]

    async def prune_inbox(self, days: int = INBOX_KEEP_DAYS) -> int:
        """Forget handled and unreadable updates older than `days` days (pending ones are kept)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM inbox WHERE state != 'pending' AND received_at < ?", (_cutoff(days),)
            )
            return cursor.rowcount

    async def count_exchanges(self) -> int:
        """How many exchanges are stored (after a flush): for tests and health checks."""
        await self.flush()
        return int(await _scalar(self._require_reader(), "SELECT count(*) FROM exchanges"))

    async def schema_version(self) -> int:
        """The version the database file is at (PRAGMA user_version)."""
        return await _user_version(self._require_reader())

    # -- people ------------------------------------------------------------------------------------------

    async def forget_user(self, user_id: int) -> int:
        """Delete everything stored about one person, in every table with a `user_id` column and in `users`.

        Returns the rows deleted (cascades included). Deleted content is zeroed and the WAL checkpointed,
        so the text does not linger in the file. The automatic copies made before migrations, beside the
        database, are cleaned the same way (a copy that cannot be is logged as an error, naming it).
        """
        await self.flush()  # exchanges still queued for this user are written, then deleted with the rest
        async with self._transaction() as db:
            await db.execute("PRAGMA defer_foreign_keys = ON")  # any order of deletes is fine until COMMIT
            before = await _scalar(db, "SELECT total_changes()")
            async with db.execute(_TABLES_WITH_USER_ID) as cursor:
                tables = [name for (name,) in await cursor.fetchall()]
            for table in tables:
                # A table name from our own schema, quoted as an identifier; the value stays a parameter.
                await db.execute(f"DELETE FROM {_identifier(table)} WHERE user_id = ?", (user_id,))
            await db.execute("DELETE FROM users WHERE id = ?", (user_id,))
            deleted = await _scalar(db, "SELECT total_changes()") - before
        async with self._write_lock:
            # The old pages still sit in the WAL until a checkpoint copies the zeroed ones over them.
            await self._require_writer().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for backup in automatic_backups(self.path):
            try:
                await asyncio.to_thread(forget_in_backup, backup, user_id)
            except (sqlite3.Error, OSError) as error:
                logger.error("could not forget user %d in the backup %s: %s", user_id, backup, error)
        return int(deleted)

    async def delete_older_than(self, days: int) -> int:
        """Delete exchanges received more than `days` days ago (BOT_RETENTION_DAYS); return how many."""
        async with self._transaction() as db:
            cursor = await db.execute("DELETE FROM exchanges WHERE received_at < ?", (_cutoff(days),))
            return cursor.rowcount

    async def get_user_settings(self, user_id: int) -> dict[str, Any]:
        """A person's settings (quiz time, time zone…) as a dict; empty when they have none."""
        rows = await self._fetchall(
            "SELECT key, value FROM user_settings WHERE user_id = ? ORDER BY key", (user_id,)
        )
        return {key: json.loads(value) for key, value in rows}

    async def set_user_setting(
        self, user_id: int, key: str, value: Any, *, front_end: str = "telegram"
    ) -> None:
        """Store one setting as JSON (None removes it); creates the person's `users` row on first contact."""
        now = timestamp(datetime.now(UTC))
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO users (id, front_end, first_seen, last_seen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO NOTHING",
                (user_id, front_end, now, now),
            )
            if value is None:
                await db.execute("DELETE FROM user_settings WHERE user_id = ? AND key = ?", (user_id, key))
            else:
                await db.execute(
                    "INSERT INTO user_settings (user_id, key, value) VALUES (?, ?, ?)"
                    " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
                    (user_id, clean_text(key), clean_text(json.dumps(value, ensure_ascii=False))),
                )

    async def users_with_setting(self, key: str) -> list[tuple[int, Any]]:
        """Everyone who has `key` set, with its value: e.g. whom to send the daily quiz to, at start."""
        rows = await self._fetchall(
            "SELECT user_id, value FROM user_settings WHERE key = ? ORDER BY user_id", (key,)
        )
        return [(user_id, json.loads(value)) for user_id, value in rows]

    async def set_chat_setting(
        self, chat_id: int, key: str, value: Any, *, user_id: int | None = None
    ) -> None:
        """Store one setting of a chat as JSON (None removes it); `user_id` is the person of a private chat,
        so that forgetting them forgets it too."""
        async with self._transaction() as db:
            if value is None:
                await db.execute("DELETE FROM chat_settings WHERE chat_id = ? AND key = ?", (chat_id, key))
                return
            if user_id is not None:
                now = timestamp(datetime.now(UTC))
                await db.execute(
                    "INSERT INTO users (id, front_end, first_seen, last_seen) VALUES (?, 'telegram', ?, ?)"
                    " ON CONFLICT (id) DO NOTHING",
                    (user_id, now, now),
                )
            await db.execute(
                "INSERT INTO chat_settings (chat_id, key, value, user_id) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (chat_id, key) DO UPDATE SET value = excluded.value, user_id = excluded.user_id",
                (chat_id, clean_text(key), clean_text(json.dumps(value, ensure_ascii=False)), user_id),
            )

    async def chats_with_setting(self, key: str) -> dict[int, Any]:
        """Every chat that has `key` set, with its value (read once at start)."""
        rows = await self._fetchall(
            "SELECT chat_id, value FROM chat_settings WHERE key = ? ORDER BY chat_id", (key,)
        )
        return {chat_id: json.loads(value) for chat_id, value in rows}

    # -- helpers -----------------------------------------------------------------------------------------

    def _require_writer(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the store is not open")
        return self._db

    def _require_reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("the store is not open")
        return self._reader

    async def _fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        # One query at a time on the reader: two overlapping ones share one read transaction, and the later
        # one would then read the snapshot the earlier one began with, missing what was committed between.
        async with self._read_lock, self._require_reader().execute(sql, parameters) as cursor:
            return list(await cursor.fetchall())

    async def _fetchone(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Row:
        rows = await self._fetchall(sql, parameters)
        return rows[0]

    async def _retention_loop(self, days: int) -> None:
        """Apply the retention period at start, then once a day, until closed."""
        while not self._stop.is_set():
            try:
                deleted = await self.delete_older_than(days)
                if deleted:
                    logger.info("deleted %d exchanges older than %d days (BOT_RETENTION_DAYS)", deleted, days)
            except sqlite3.Error as error:
                logger.warning(
                    "could not delete exchanges older than %d days (%s); next try tomorrow", days, error
                )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(RETENTION_INTERVAL_S):
                    await self._stop.wait()


@contextlib.asynccontextmanager
async def _transaction(db: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """BEGIN IMMEDIATE … COMMIT: the write lock is taken up front, so a busy database waits instead of failing
    half-way; any error (or cancellation) rolls the whole transaction back."""
    await db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        await db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error, ValueError):
            await db.execute("ROLLBACK")
        raise


async def _scalar(db: aiosqlite.Connection, sql: str, parameters: Sequence[Any] = ()) -> Any:
    async with db.execute(sql, parameters) as cursor:
        row = await cursor.fetchone()
    return None if row is None else row[0]


async def _user_version(db: aiosqlite.Connection) -> int:
    return int(await _scalar(db, "PRAGMA user_version"))


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers and quoted semicolons included) so they run in our
    transaction: `executescript` would commit first."""
    statements, start = [], 0
    for end, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            statements.append(script[start : end + 1].strip())
            start = end + 1
    rest = script[start:].strip()
    if rest and not all(line.strip().startswith("--") for line in rest.splitlines() if line.strip()):
        statements.append(rest)
    return statements


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def timestamp(moment: datetime) -> str:
    """A moment as the schema stores it: UTC ISO 8601 with microseconds, so the text sorts as time does."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


async def ensure_user(db: aiosqlite.Connection, user_id: int, now: str, front_end: str) -> None:
    """The person's `users` row, inside the caller's transaction: made on first contact, last_seen moved on."""
    await db.execute(
        "INSERT INTO users (id, front_end, first_seen, last_seen) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)",
        (user_id, front_end, now, now),
    )


def _cutoff(days: int | None) -> str:
    """The timestamp `days` days ago, or '' (before everything) for None."""
    return "" if days is None else timestamp(datetime.now(UTC) - timedelta(days=days))


def _optional_text(value: str | None) -> str | None:
    return None if value is None else clean_text(str(value))


def _optional_int(value: int | None) -> int | None:
    return None if value is None else int(value)


def _exchange_row(e: Exchange) -> tuple[Any, ...]:
    """The parameters for _INSERT_EXCHANGE, converted now so the writer only ever sees well-typed rows."""
    return (
        e.front_end,
        _optional_int(e.update_id),
        _optional_int(e.chat_id),
        _optional_text(e.chat_type),
        _optional_int(e.user_id),
        timestamp(e.received_at),
        clean_text(e.question),
        clean_text(e.normalized),
        1 if e.answered else 0,
        _optional_text(e.entry_id),
        float(e.score),
        clean_text(json.dumps([str(s) for s in e.suggestions], ensure_ascii=False)),
        clean_text(e.reply),
        float(e.latency_ms),
        e.status,
    )


def _users_seen(rows: list[tuple[Any, ...]]) -> list[tuple[int, str, str, str]]:
    """One users upsert per person in a batch: (id, front end, first seen, last seen)."""
    seen: dict[int, tuple[int, str, str, str]] = {}
    for row in rows:
        front_end, user_id, at = row[0], row[4], row[5]
        if user_id is None:
            continue
        known = seen.get(user_id)
        seen[user_id] = (
            (user_id, front_end, min(known[2], at), max(known[3], at))
            if known
            else (user_id, front_end, at, at)
        )
    return list(seen.values())


def _reason(error: BaseException, path: Path) -> str:
    """An OS or SQLite error as a short phrase, naming the file only when it is not the database itself."""
    if isinstance(error, FileExistsError):  # from mkdir: part of the folder path is a file
        return f"{error.filename} is a file, not a folder"
    refused = isinstance(error, PermissionError) and error.filename and Path(error.filename) == path
    if refused or str(error) in _READ_ONLY_ERRORS:
        blocked = _not_writable(path)
        if blocked:
            return blocked
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename and Path(error.filename) != path else ""
        return error.strerror.lower() + where
    return str(error).splitlines()[0] if str(error) else type(error).__name__


# What SQLite says when it cannot write the file, or create the -wal and -shm files beside it.
_READ_ONLY_ERRORS = ("attempt to write a readonly database", "unable to open database file")


def _not_writable(path: Path) -> str | None:
    """Which of the folder, the file, its -wal and -shm this user cannot write, as a phrase; None if all."""
    folder = Path(os.path.abspath(path)).parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the folder {folder} is not writable by this user: SQLite's WAL mode creates {path.name}-wal and "
            f"{path.name}-shm beside the database, so the folder must be writable by the bot's user"
        )
    for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        if file.exists() and not os.access(file, os.W_OK):
            return f"{file} is not writable by this user: give it to the bot's user (chown) while the bot is stopped"
    return None
