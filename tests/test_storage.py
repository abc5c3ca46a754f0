"""The store, on real SQLite files: migrations, the queued log, kills mid-burst, hostile text, the reports."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_helpers import FIXTURE, NOW, damage, fill, make_exchange

from bot import storage
from bot.integrity import check_database, expected_tables
from bot.storage import (
    MIGRATIONS,
    Exchange,
    Store,
    StoreError,
    clean_text,
    migrate,
    schema_version,
)

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def rows(path: Path, sql: str, parameters: tuple = ()) -> list[tuple]:
    """Read the file with plain sqlite3, as another process would."""
    with sqlite3.connect(path) as db:
        return db.execute(sql, parameters).fetchall()


def count(path: Path) -> int:
    return rows(path, "SELECT count(*) FROM exchanges")[0][0]


async def eventually(condition: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> bool:
    """Poll a condition the writer or a background task makes true on its own time."""
    for _ in range(int(seconds / 0.01)):
        if await condition():
            return True
        await asyncio.sleep(0.01)
    return False


@pytest.fixture
async def store(tmp_path: Path):
    async with Store(tmp_path / "bot.sqlite3") as store:
        yield store


# -- migrations ----------------------------------------------------------------------------------------------


def test_migrations_are_numbered_in_order():
    assert [version for version, _ in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert schema_version() == MIGRATIONS[-1][0]


async def test_open_builds_the_schema_from_an_empty_file(tmp_path: Path):
    path = tmp_path / "new" / "folder" / "bot.sqlite3"
    async with Store(path) as store:
        assert await store.schema_version() == schema_version()
    assert rows(path, "PRAGMA user_version") == [(schema_version(),)]
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    tables = {name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "user_settings", "exchanges"} <= tables
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(path, "PRAGMA foreign_key_check") == []


@pytest.mark.parametrize("start", range(len(MIGRATIONS)))
async def test_open_migrates_from_each_earlier_version(tmp_path: Path, start: int):
    path = tmp_path / "bot.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as db:
        assert await migrate(db, MIGRATIONS[:start]) == start
        if start >= 1:
            await db.execute(
                "INSERT INTO users (id, front_end, first_seen, last_seen) VALUES (7, 'telegram', '2024', '2024')"
            )
    async with Store(path) as store:
        assert await store.schema_version() == schema_version()
    if start >= 1:
        assert rows(path, "SELECT id FROM users") == [(7,)]


async def test_a_failing_step_leaves_the_previous_version_whole(tmp_path: Path):
    broken = (*MIGRATIONS, (len(MIGRATIONS) + 1, "CREATE TABLE half (a); INSERT INTO nowhere VALUES (1);"))
    path = tmp_path / "bot.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as db:
        with pytest.raises(sqlite3.OperationalError, match="nowhere"):
            await migrate(db, broken)
    assert rows(path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'half'") == []


async def test_a_step_may_hold_triggers_and_semicolons_in_strings(tmp_path: Path):
    step = """
        CREATE TABLE notes (user_id INTEGER, text TEXT DEFAULT 'a; b');  -- a comment; with a semicolon
        CREATE TRIGGER notes_trim AFTER INSERT ON notes BEGIN
            UPDATE notes SET text = trim(text) WHERE rowid = new.rowid;
        END;
    """
    async with aiosqlite.connect(tmp_path / "bot.sqlite3", isolation_level=None) as db:
        assert await migrate(db, (*MIGRATIONS, (len(MIGRATIONS) + 1, step))) == len(MIGRATIONS) + 1


async def test_a_newer_database_is_refused(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")
    with pytest.raises(StoreError, match="newer than this code"):
        await Store(path).open()


# -- paths ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["parent is a file", "path is a folder", "not a database"])
async def test_an_unusable_path_is_one_clear_line(tmp_path: Path, case: str):
    if case == "parent is a file":
        (tmp_path / "file").write_text("x")
        path = tmp_path / "file" / "bot.sqlite3"
    elif case == "path is a folder":
        path = tmp_path / "folder"
        path.mkdir()
    else:
        path = tmp_path / "bot.sqlite3"
        path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError) as caught:
        await Store(path).open()
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message


RESTORE = "stop the bot and restore it from a backup: see README, Operations › Backups"


@pytest.mark.parametrize("page", [2, -1], ids=["users table", "last page"])
async def test_a_damaged_database_is_refused_at_open_in_one_line(tmp_path: Path, page: int):
    path = tmp_path / "bot.sqlite3"
    async with Store(path) as store:
        await fill(store)
    damage(path, page)
    with pytest.raises(StoreError) as caught:
        await Store(path).open()
    message = str(caught.value)
    assert message.startswith(f"the database {path} is damaged (quick_check: ")
    assert message.endswith(f"); {RESTORE}")
    assert "\n" not in message and "***" not in message


async def test_a_file_that_is_not_sqlite_is_refused_in_one_line(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError) as caught:
        await Store(path).open()
    assert str(caught.value) == (
        f"cannot use the database {path}: it is not a SQLite database (if BOT_DB names the right file, "
        f"the file is damaged; {RESTORE})"
    )


async def test_check_database_passes_new_older_and_current_files(tmp_path: Path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert check_database(empty) == []
    older = tmp_path / "v1.sqlite3"
    async with aiosqlite.connect(older, isolation_level=None) as db:
        await migrate(db, MIGRATIONS[:1])  # lacks the quiz's tables, which are still to come
    assert check_database(older) == []
    current = tmp_path / "bot.sqlite3"
    async with Store(current):
        pass
    assert check_database(current) == []
    assert {"users", "exchanges", "quiz_cards", "leaderboard_members"} <= expected_tables(schema_version())
    assert expected_tables(1) == {"users", "user_settings", "exchanges"}


async def test_check_database_names_a_missing_table(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    async with Store(path):
        pass
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE quiz_cards")
    assert check_database(path) == [
        f"schema version {schema_version()} but the tables quiz_cards are missing"
    ]
    with pytest.raises(StoreError, match=r"is damaged \(schema version .* quiz_cards are missing\)"):
        await Store(path).open()


WAL_NEEDS_THE_FOLDER = (
    "SQLite's WAL mode creates bot.sqlite3-wal and bot.sqlite3-shm beside the database, so the folder must be "
    "writable by the bot's user"
)


@pytest.mark.parametrize("file_writable", [True, False], ids=["file writable", "file read-only"])
async def test_a_read_only_folder_is_one_line_naming_it(tmp_path: Path, file_writable: bool):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere: see the simulated test below")
    folder = tmp_path / "data"
    path = folder / "bot.sqlite3"
    async with Store(path):
        pass
    path.chmod(0o644 if file_writable else 0o444)
    folder.chmod(0o555)
    try:
        with pytest.raises(StoreError) as caught:
            await Store(path).open()
    finally:
        folder.chmod(0o755)
    assert str(caught.value).startswith(
        f"cannot use the database {path}: the folder {folder} is not writable"
    )
    assert str(caught.value).endswith(WAL_NEEDS_THE_FOLDER)


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("attempt to write a readonly database"),
        sqlite3.OperationalError("unable to open database file"),
        PermissionError(13, "Permission denied"),
    ],
    ids=["readonly", "cannot open", "permission denied"],
)
def test_a_folder_the_bot_cannot_write_is_named_as_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
):
    # Simulated, as chmod does not stop root: this user may write anywhere but in the folder.
    path = tmp_path / "data" / "bot.sqlite3"
    if isinstance(error, OSError):
        error.filename = str(path)
    with monkeypatch.context() as patched:
        patched.setattr(os, "access", lambda name, mode, **_: Path(name) != path.parent)
        reason = storage._reason(error, path)
    assert reason == f"the folder {path.parent} is not writable by this user: {WAL_NEEDS_THE_FOLDER}"


def test_a_wal_file_left_by_another_user_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "bot.sqlite3"
    (tmp_path / "bot.sqlite3-shm").touch()
    with monkeypatch.context() as patched:
        patched.setattr(os, "access", lambda name, mode, **_: Path(name).name != "bot.sqlite3-shm")
        reason = storage._reason(sqlite3.OperationalError("attempt to write a readonly database"), path)
    assert reason == (
        f"{tmp_path / 'bot.sqlite3-shm'} is not writable by this user: give it to the bot's user (chown) "
        "while the bot is stopped"
    )
    assert storage._reason(sqlite3.OperationalError("database is locked"), path) == "database is locked"


def test_the_database_path_comes_from_bot_db_and_defaults_to_data() -> None:
    from bot.settings import db_path_from_env

    assert db_path_from_env({}) == Path("data/bot.sqlite3")
    assert db_path_from_env({"BOT_DB": "/srv/bot/db.sqlite3"}) == Path("/srv/bot/db.sqlite3")


# -- the queued log ------------------------------------------------------------------------------------------


async def test_log_exchange_queues_and_flush_commits(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    async with Store(path, flush_ms=60_000) as store:
        store.log_exchange(make_exchange(update_id=1))
        assert count(path) == 0  # queued, not yet written
        await store.flush()
        assert count(path) == 1
        assert rows(path, "SELECT id, front_end FROM users") == [(1001, "telegram")]


async def test_a_batch_commits_after_flush_ms_without_being_asked(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    async with Store(path, flush_ms=20) as store:
        store.log_exchange(make_exchange(update_id=1))
        await asyncio.sleep(0.3)
        assert count(path) == 1


async def test_a_full_batch_commits_at_once(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    async with Store(path, batch_size=10, flush_ms=60_000) as store:
        for update_id in range(25):
            store.log_exchange(make_exchange(update_id=update_id))

        async def two_batches() -> bool:
            return count(path) >= 20

        assert await eventually(two_batches)
        assert count(path) == 20  # two full batches; five wait for flush_ms or close
    assert count(path) == 25


async def test_close_commits_everything_queued(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    store = await Store(path, batch_size=100_000, flush_ms=600_000).open()
    for update_id in range(3_000):
        store.log_exchange(make_exchange(update_id=update_id))
    await store.close()
    assert count(path) == 3_000
    with pytest.raises(RuntimeError):
        store.log_exchange(make_exchange(update_id=99_999))


async def test_the_same_update_is_stored_once(store: Store):
    store.log_exchange(make_exchange(update_id=42))
    store.log_exchange(make_exchange(update_id=42))  # same batch
    await store.flush()
    store.log_exchange(make_exchange(update_id=42))  # redelivered later
    store.log_exchange(make_exchange(update_id=42, front_end="console"))  # another front end's 42
    store.log_exchange(make_exchange(update_id=None, front_end="console"))  # no update id: each is kept
    store.log_exchange(make_exchange(update_id=None, front_end="console"))
    assert await store.count_exchanges() == 4


async def test_users_are_seen_first_and_last(store: Store):
    store.log_exchange(make_exchange(update_id=2, user_id=5, received_at=NOW))
    store.log_exchange(make_exchange(update_id=1, user_id=5, received_at=NOW - timedelta(days=3)))
    await store.flush()
    store.log_exchange(make_exchange(update_id=3, user_id=5, received_at=NOW + timedelta(hours=1)))
    await store.flush()
    [(first, last)] = rows(store.path, "SELECT first_seen, last_seen FROM users WHERE id = 5")
    assert datetime.fromisoformat(first) == NOW - timedelta(days=3)
    assert datetime.fromisoformat(last) == NOW + timedelta(hours=1)


async def test_2000_concurrent_exchanges_none_lost_never_locked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """Two stores on one file (the bot and a CLI command), 2,000 replies at once, with reads and writes between."""
    path = tmp_path / "bot.sqlite3"
    caplog.set_level(logging.WARNING)
    async with (
        Store(path, batch_size=50, flush_ms=5) as first,
        Store(path, batch_size=50, flush_ms=5) as second,
    ):

        async def reply(number: int) -> None:
            await asyncio.sleep(random.random() / 100)
            store = first if number % 2 else second
            store.log_exchange(make_exchange(update_id=number, user_id=number % 97))
            if number % 100 == 0:
                await store.set_user_setting(number % 97, "quiz_time", "08:00")
                await store.stats(None)

        await asyncio.gather(*(reply(number) for number in range(2_000)))
        await first.flush()
        await second.flush()
        assert await first.count_exchanges() == 2_000
    assert count(path) == 2_000
    assert rows(path, "SELECT count(*) FROM users") == [(97,)]
    assert not [r for r in caplog.records if "locked" in r.getMessage() or r.levelno >= logging.WARNING]


async def test_the_writer_retries_while_another_process_holds_the_lock(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "bot.sqlite3"
    caplog.set_level(logging.WARNING, logger="bot.storage")
    async with Store(path, flush_ms=1, busy_timeout_ms=20) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        for update_id in range(300):
            store.log_exchange(make_exchange(update_id=update_id))
        await asyncio.sleep(0.3)
        blocker.execute("ROLLBACK")
        blocker.close()
        await store.flush()
        assert await store.count_exchanges() == 300
    assert any("retry" in record.getMessage() for record in caplog.records)


def test_exchange_refuses_what_cannot_be_stored():
    with pytest.raises(ValueError, match="timezone"):
        make_exchange(received_at=datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="front_end"):
        make_exchange(front_end="irc")
    with pytest.raises(ValueError, match="status"):
        make_exchange(status="lost")
    with pytest.raises(ValueError, match="finite"):
        make_exchange(score=float("nan"))


# -- kills ---------------------------------------------------------------------------------------------------


def start_child(path: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)])}
    return subprocess.Popen(
        [sys.executable, str(TESTS / "storage_child.py"), str(path), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def wait_for_line(child: subprocess.Popen[str], prefix: str, at_least: int = 0) -> int:
    assert child.stdout is not None
    for line in child.stdout:
        word, number = line.split()
        if word == prefix and int(number) >= at_least:
            return int(number)
    raise AssertionError(
        f"the child ended without printing {prefix!r}: {child.stderr.read() if child.stderr else ''}"
    )


def test_sigterm_during_a_burst_loses_nothing(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    child = start_child(path, "term")
    try:
        wait_for_line(child, "queued")  # nothing is committed yet: all of it sits in the queue
        child.send_signal(signal.SIGTERM)
        closed = wait_for_line(child, "closed")
        assert child.wait(timeout=15) == 0
    finally:
        child.kill()
    assert closed >= 2_000
    assert count(path) == closed
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
def test_sigkill_during_a_burst_keeps_what_was_acknowledged_and_a_sound_file(tmp_path: Path, delay: float):
    path = tmp_path / "bot.sqlite3"
    child = start_child(path, "kill")
    try:
        acknowledged = wait_for_line(child, "committed", at_least=2_000)
        time.sleep(delay)  # so the kill lands at different points of a commit
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=15)
    finally:
        child.kill()
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert count(path) >= acknowledged
    assert rows(path, "PRAGMA foreign_key_check") == []


# -- text ----------------------------------------------------------------------------------------------------

EVERY_PLANE = "".join(chr(plane * 0x10000 + offset) for plane in range(17) for offset in (0x41, 0xFFFD))
HOSTILE = [
    "",
    "'; DROP TABLE exchanges; --",
    'Robert"); DELETE FROM users WHERE ("1"="1',
    "' OR '1'='1",
    "%s %d {0} {} ? :name $1",
    "\x00NUL\x00 inside",
    "\ufeffBOM \u202eRTL override\u202c \u200bzero width",
    "e\u0301 combining, 𠮷 astral, 👩‍👩‍👧 joined emoji",
    "\r\n\t line\nbreaks\r",
    "\\ backslash \\\\",
    EVERY_PLANE,
    "\ufffe\uffff\U0010ffff noncharacters",
    "四明确" * 35_000,  # about 100 kB as UTF-8
    '=HYPERLINK("http://example.com","x")',
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_text_is_stored_and_read_back_exactly(store: Store, text: str):
    store.log_exchange(
        make_exchange(
            update_id=1, question=text, normalized=text, reply=text, chat_type=text, suggestions=(text,)
        )
    )
    [record] = [record async for record in store.iter_exchanges()]
    assert record["question"] == record["normalized"] == record["reply"] == record["chat_type"] == text
    assert record["suggestions"] == [text]


async def test_lone_surrogates_are_replaced(store: Store):
    store.log_exchange(
        make_exchange(update_id=1, question="a\ud800b\udfffc", reply="split pair \ud83d\ude00")
    )
    [record] = [record async for record in store.iter_exchanges()]
    assert record["question"] == "a\ufffdb\ufffdc"
    assert record["reply"] == "split pair 😀"


@given(st.text(st.characters(codec=None, exclude_categories=())))
def test_clean_text_changes_only_surrogates(text: str):
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # always storable
    if not any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        assert cleaned == text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=300), min_size=1, max_size=20))
def test_any_text_round_trips(texts: list[str]):
    async def round_trip(path: Path) -> list[str]:
        async with Store(path) as store:
            for update_id, text in enumerate(texts):
                store.log_exchange(make_exchange(update_id=update_id, question=text))
            return [record["question"] async for record in store.iter_exchanges()]

    with tempfile.TemporaryDirectory() as folder:
        assert asyncio.run(round_trip(Path(folder) / "bot.sqlite3")) == texts


# -- reports -------------------------------------------------------------------------------------------------


async def test_stats_on_the_fixture(store: Store):
    await fill(store)
    stats = await store.stats(None)
    assert {
        key: stats[key] for key in ("exchanges", "users", "answered", "declined", "dropped", "errors")
    } == {
        "exchanges": 8,
        "users": 5,
        "answered": 5,
        "declined": 2,
        "dropped": 1,
        "errors": 0,
    }
    assert stats["answered_rate"] == pytest.approx(5 / 7)
    assert stats["top_entries"] == [("term-si-mingque", 3), ("term-sanhui", 2)]
    assert stats["busiest_hours"] == [(9, 5), (8, 2), (7, 1)]
    assert stats["per_day"] == [("2024-05-18", 2, 2), ("2024-05-19", 2, 1), ("2024-05-20", 4, 2)]
    shanghai = await store.stats(None, tz=ZoneInfo("Asia/Shanghai"))
    assert shanghai["busiest_hours"] == [(17, 5), (16, 2), (15, 1)]
    json.dumps(stats)  # the admin command and --json print it as is


async def test_stats_for_the_last_days(store: Store):
    now = datetime.now(UTC)
    store.log_exchange(make_exchange(update_id=1, received_at=now - timedelta(days=10)))
    store.log_exchange(make_exchange(update_id=2, received_at=now - timedelta(hours=1)))
    assert (await store.stats(7))["exchanges"] == 1
    assert (await store.stats(None))["exchanges"] == 2


async def test_unanswered_groups_declined_and_weak_answers(store: Store):
    await fill(store)
    groups = await store.unanswered(10)
    assert [(g["normalized"], g["count"], g["declined"]) for g in groups] == [
        ("谁是局长", 2, 2),
        ("三会是哪三会", 1, 0),
    ]
    assert groups[0]["question"] == "谁是 局长"  # the latest wording
    assert groups[0]["last_seen"].startswith((NOW - timedelta(hours=2)).date().isoformat())
    assert await store.unanswered(1) == groups[:1]
    assert [g["normalized"] for g in await store.unanswered(10, below=0.5)] == ["谁是局长"]


async def test_iter_exchanges_streams_oldest_first_from_a_date(store: Store):
    await fill(store)
    records = [record async for record in store.iter_exchanges()]
    assert len(records) == len(FIXTURE)
    assert [r["received_at"] for r in records] == sorted(r["received_at"] for r in records)
    recent = [record async for record in store.iter_exchanges(date(2024, 5, 20))]
    assert {r["update_id"] for r in recent} == {5, 6, 7, None}
    assert recent[0]["answered"] is False and recent[0]["suggestions"] == []


# -- people --------------------------------------------------------------------------------------------------


async def test_settings_round_trip(store: Store):
    assert await store.get_user_settings(9) == {}
    await store.set_user_setting(9, "quiz_time", "08:30")
    await store.set_user_setting(9, "timezone", "Asia/Shanghai")
    await store.set_user_setting(9, "quiz_time", "07:00")
    await store.set_user_setting(10, "quiz_time", "21:00", front_end="console")
    assert await store.get_user_settings(9) == {"quiz_time": "07:00", "timezone": "Asia/Shanghai"}
    assert await store.users_with_setting("quiz_time") == [(9, "07:00"), (10, "21:00")]
    await store.set_user_setting(9, "quiz_time", None)
    assert await store.get_user_settings(9) == {"timezone": "Asia/Shanghai"}


async def test_forget_user_deletes_them_everywhere(store: Store):
    # A later migration may add tables; forget must find them without being told.
    async with aiosqlite.connect(store.path) as db:
        await db.executescript(
            """
            CREATE TABLE extra_results (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE);
            CREATE TABLE extra_answers (result_id INTEGER REFERENCES extra_results (id) ON DELETE CASCADE);
            """
        )
    await fill(store)
    await store.set_user_setting(3, "quiz_time", "08:00")
    await store.set_user_setting(1, "quiz_time", "09:00")
    async with aiosqlite.connect(store.path) as db:
        await db.execute("INSERT INTO extra_results (id, user_id) VALUES (1, 3), (2, 1)")
        await db.execute("INSERT INTO extra_answers (result_id) VALUES (1), (1), (2)")
        await db.commit()
    store.log_exchange(make_exchange(update_id=99, user_id=3))  # still queued when forget is called

    # 3 exchanges + 1 setting + 1 result + 2 answers (by cascade) + the users row
    assert await store.forget_user(3) == 8
    assert await store.forget_user(3) == 0
    assert await store.get_user_settings(3) == {}
    assert await store.get_user_settings(1) == {"quiz_time": "09:00"}
    path = store.path
    assert rows(path, "SELECT count(*) FROM exchanges WHERE user_id = 3") == [(0,)]
    assert rows(path, "SELECT user_id FROM extra_results") == [(1,)]
    assert rows(path, "SELECT count(*) FROM extra_answers") == [(1,)]
    assert rows(path, "SELECT id FROM users ORDER BY id") == [(1,), (2,), (4,), (5,)]
    files = b"".join(file.read_bytes() for file in path.parent.glob("bot.sqlite3*"))
    assert "谁是局长".encode() not in files  # zeroed and checkpointed, not just unlinked


async def test_forget_user_also_cleans_the_automatic_backups_beside_the_database(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as db:
        await migrate(db, MIGRATIONS[:1])
        await db.execute(
            "INSERT INTO users (id, front_end, first_seen, last_seen)"
            " VALUES (3, 'telegram', '2024', '2024'), (4, 'telegram', '2024', '2024')"
        )
        await db.execute(
            "INSERT INTO user_settings (user_id, key, value) VALUES (3, 'quiz_time', '\"08:00\"')"
        )
        for update_id, user_id, question in ((1, 3, "我的秘密问题是什么"), (2, 4, "别人的问题还在吗")):
            await db.execute(
                "INSERT INTO exchanges (front_end, update_id, chat_id, user_id, received_at, question,"
                " normalized, answered, score, suggestions, reply, latency_ms)"
                " VALUES ('telegram', ?, ?, ?, '2024-05-20', ?, ?, 0, 0.1, '[]', '没有', 1.0)",
                (update_id, user_id, user_id, question, question),
            )
    async with Store(path) as store:  # an upgrade: the v1 file is copied beside the database first
        [backup] = backups(tmp_path, "bot.sqlite3.v1-*.bak")
        backup.chmod(0o640)
        secret = "我的秘密问题是什么".encode()
        assert backup.read_bytes().count(secret) == 2  # as sent and as normalised
        assert await store.forget_user(3) == 3  # the live rows: an exchange, a setting, the users row
    assert backup.read_bytes().count(secret) == 0 and backup.read_bytes().count(b"08:00") == 0
    assert rows(backup, "SELECT id FROM users") == [(4,)]
    assert rows(backup, "SELECT user_id, question FROM exchanges") == [(4, "别人的问题还在吗")]
    assert rows(backup, "PRAGMA user_version") == [(1,)]
    assert rows(backup, "PRAGMA integrity_check") == [("ok",)]
    assert backup.stat().st_mode & 0o777 == 0o640
    left = sorted(name for name in os.listdir(tmp_path) if not name.startswith("bot.sqlite3-"))
    assert left == ["bot.sqlite3", backup.name]  # no journal or temporary file left behind


async def test_old_exchanges_are_deleted_after_the_retention_period(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    now = datetime.now(UTC)
    async with Store(path) as store:
        store.log_exchange(make_exchange(update_id=1, received_at=now - timedelta(days=40)))
        store.log_exchange(make_exchange(update_id=2, received_at=now - timedelta(days=20)))
        store.log_exchange(make_exchange(update_id=3, received_at=now))
        await store.flush()
        assert await store.delete_older_than(30) == 1
    async with Store(path, retention_days=10) as store:  # applied at start, then daily

        async def purged() -> bool:
            return await store.count_exchanges() == 1

        assert await eventually(purged)


def exchange_fields() -> set[str]:
    return set(Exchange.__dataclass_fields__)


def test_exchange_has_the_fields_the_front_ends_fill():
    assert exchange_fields() == {
        "front_end",
        "update_id",
        "chat_id",
        "chat_type",
        "user_id",
        "received_at",
        "question",
        "normalized",
        "answered",
        "entry_id",
        "score",
        "suggestions",
        "reply",
        "latency_ms",
        "status",
    }


async def test_an_upgrade_backs_the_database_up_beside_it_first(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as db:
        await migrate(db, MIGRATIONS[:1])
        await db.execute(
            "INSERT INTO users (id, front_end, first_seen, last_seen) VALUES (7, 'telegram', '2024', '2024')"
        )
    async with Store(path) as store:
        assert await store.schema_version() == schema_version()
    [backup] = backups(tmp_path, "bot.sqlite3.v1-*.bak")
    assert rows(backup, "PRAGMA user_version") == [(1,)]
    assert rows(backup, "SELECT id FROM users") == [(7,)]
    async with Store(path):  # already at this version: no second copy
        pass
    assert len(backups(tmp_path)) == 1


async def test_a_new_database_needs_no_backup(tmp_path: Path):
    async with Store(tmp_path / "bot.sqlite3"):
        pass
    assert backups(tmp_path) == []


def backups(folder: Path, pattern: str = "*.bak") -> list[Path]:
    return sorted(folder.glob(pattern))
