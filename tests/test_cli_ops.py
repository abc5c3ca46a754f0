"""`python -m bot doctor` and `python -m bot backup`, and the backup module under them.

Doctor runs in-process through a parser holding only `register`'s commands (the same handlers `bot.cli`
dispatches to), in a worker thread so the fake Bot API server keeps answering on the test's event loop.
Backups are taken of real SQLite files in WAL mode while another connection writes to them.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from storage_helpers import damage, fill

from bot.backup import BackupError, TargetExistsError, backup_database, backup_path_for
from bot.cli_ops import register
from bot.doctor import mask, method_url
from bot.knowledge import DEFAULT_DIR, resolve_pack
from bot.settings import MASK
from bot.storage import Store, schema_version
from tests.fake_bot_api import BOT_ID, BOT_USERNAME, TOKEN, FakeBotApiServer

SECRET_HALF = TOKEN.partition(":")[2]


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_DIR)
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def lines(output: str) -> dict[str, str]:
    """Doctor's output as {check name: whole line}."""
    found = {}
    for line in output.splitlines():
        name = line[6:].partition(":")[0]
        found[name] = line
    return found


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the shell, no proxy stands between httpx and 127.0.0.1, the database is fresh."""
    import os

    for name in list(os.environ):
        if name.startswith(("BOT_", "TELEGRAM_")) or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_DB", str(tmp_path / "data" / "bot.sqlite3"))


# ---- doctor ---------------------------------------------------------------------------------------------


async def test_a_good_setup_is_all_ok_and_names_the_bot_but_never_the_token(
    server: FakeBotApiServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", server.base_url)
    code = await asyncio.to_thread(run_cli, "doctor")
    output = capsys.readouterr().out
    assert code == 0, output
    checks = lines(output)
    assert list(checks) == ["settings", "token", "knowledge", "database", "retention", "telegram"]
    assert all(line.startswith("ok    ") for line in checks.values()), output
    assert f"@{BOT_USERNAME}" in checks["telegram"]
    assert f"bot id {BOT_ID}" in checks["token"]
    assert f"schema version {schema_version()}" in checks["database"]
    assert TOKEN not in output and SECRET_HALF not in output
    assert [call.method for call in server.telegram.calls] == ["getMe"]


async def test_a_token_telegram_rejects_fails_without_showing_it(
    server: FakeBotApiServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server.telegram.token = "999:SOMEONE-ELSE"
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", server.base_url)
    code = await asyncio.to_thread(run_cli, "doctor")
    output = capsys.readouterr().out
    assert code == 1
    assert lines(output)["telegram"].startswith("FAIL  telegram: ")
    assert "HTTP 401" in output and "@BotFather" in output
    assert TOKEN not in output and SECRET_HALF not in output


def test_a_broken_knowledge_file_fails_naming_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = shutil.copytree(DEFAULT_DIR, tmp_path / "knowledge")
    broken = copy / resolve_pack(DEFAULT_DIR).name / "entries" / "zz_broken.yaml"
    broken.write_text("- id: broken\n  kind: term\n  title: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("BOT_KNOWLEDGE", str(copy))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    code = run_cli("doctor", "--offline")
    checks = lines(capsys.readouterr().out)
    assert code == 1
    assert checks["knowledge"].startswith("FAIL  knowledge: 1 problem: ")
    assert f"{broken}:4: YAML error" in checks["knowledge"]
    assert checks["database"].startswith("ok    ")  # the other checks still ran


def test_an_explicit_knowledge_folder_wins_over_bot_knowledge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = shutil.copytree(DEFAULT_DIR, tmp_path / "knowledge")
    monkeypatch.setenv("BOT_KNOWLEDGE", str(tmp_path / "nowhere"))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert run_cli("--knowledge", str(copy), "doctor", "--offline") == 0
    pack = copy / resolve_pack(DEFAULT_DIR).name
    assert f" entries in {pack} (" in lines(capsys.readouterr().out)["knowledge"]


@pytest.mark.parametrize(
    "token", ["not-a-token", "123456 TEST-TOKEN-abcdefghij", "abc:TEST-TOKEN-abcdefghij"]
)
def test_a_malformed_token_fails_and_is_not_printed(
    token: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", token)
    code = run_cli("doctor")
    output = capsys.readouterr().out
    checks = lines(output)
    assert code == 1
    assert checks["token"] == (
        "FAIL  token: BOT_TOKEN does not look like a bot token (digits, a colon, then letters)"
    )
    assert checks["settings"].startswith("ok    ")  # the token is judged on its own line, once
    assert checks["telegram"] == "skip  telegram: no well-formed BOT_TOKEN to try"
    assert token not in output and "TEST-TOKEN" not in output


def test_a_missing_token_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("doctor", "--offline") == 1
    assert lines(capsys.readouterr().out)["token"].startswith("FAIL  token: BOT_TOKEN is not set")


def test_an_unreachable_api_is_a_skip_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{free_port()}/bot")
    code = run_cli("doctor", "--timeout", "2")
    output = capsys.readouterr().out
    assert code == 0, output
    assert lines(output)["telegram"].startswith("skip  telegram: cannot reach 127.0.0.1:")
    assert TOKEN not in output and SECRET_HALF not in output


def test_offline_never_calls_telegram(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://telegram.invalid/bot")
    assert run_cli("doctor", "--offline") == 0
    assert lines(capsys.readouterr().out)["telegram"] == "skip  telegram: --offline: Telegram not called"


def test_a_database_folder_that_cannot_be_made_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where the folder should be: unwritable for every user, root included (chmod is not).
    (tmp_path / "taken").write_text("a file, not a folder")
    monkeypatch.setenv("BOT_DB", str(tmp_path / "taken" / "bot.sqlite3"))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    code = run_cli("doctor", "--offline")
    checks = lines(capsys.readouterr().out)
    assert code == 1
    assert checks["database"] == (
        f"FAIL  database: cannot use {tmp_path / 'taken' / 'bot.sqlite3'}: {tmp_path / 'taken'} is a file, "
        "not a folder"
    )


def test_a_file_that_is_not_a_database_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not SQLite at all, but long enough to have a header" * 20)
    monkeypatch.setenv("BOT_DB", str(tmp_path / "notes.txt"))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert run_cli("doctor", "--offline") == 1
    assert lines(capsys.readouterr().out)["database"].startswith("FAIL  database: cannot use ")


def test_a_damaged_database_fails_offline_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.sqlite3"

    async def build() -> None:
        async with Store(path) as store:
            await fill(store)

    asyncio.run(build())
    damage(path, page=2)
    monkeypatch.setenv("BOT_DB", str(path))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert run_cli("doctor", "--offline") == 1
    database = lines(capsys.readouterr().out)["database"]
    assert database.startswith(f"FAIL  database: the database {path} is damaged (quick_check: ")
    assert database.endswith("restore it from a backup: see README, Operations › Backups")


def test_settings_that_do_not_parse_fail_and_the_rest_still_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    assert run_cli("doctor", "--offline") == 1
    checks = lines(capsys.readouterr().out)
    assert checks["settings"].startswith("FAIL  settings: BOT_TIMEZONE 'Mars/Olympus'")
    assert checks["knowledge"].startswith("ok    ") and checks["database"].startswith("ok    ")


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://api.telegram.org/bot", f"https://api.telegram.org/bot{TOKEN}/getMe"),
        ("http://127.0.0.1:8081/bot{token}/test", f"http://127.0.0.1:8081/bot{TOKEN}/test/getMe"),
    ],
)
def test_method_urls_are_built_as_ptb_builds_them(base: str, url: str) -> None:
    assert method_url(base, TOKEN, "getMe") == url


def test_mask_hides_the_token_however_it_is_spelled() -> None:
    text = f"bot id {BOT_ID}: GET /bot{TOKEN}/getMe, /bot{TOKEN.replace(':', '%3A')}, …{SECRET_HALF}"
    masked = mask(text, TOKEN)
    assert (
        masked == f"bot id {BOT_ID}: GET /bot{MASK}/getMe, /bot{MASK}, …{MASK}"
    )  # the id alone is no secret


# ---- backup ---------------------------------------------------------------------------------------------


def wal_database(path: Path, rows: int) -> Path:
    """A SQLite file in WAL mode, as the bot keeps it, holding `rows` committed rows."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        db.executemany("INSERT INTO t (text) VALUES (?)", [("行" * 200,)] * rows)
    db.close()
    return path


def inspect(path: Path) -> tuple[str, int, str]:
    """(integrity_check, row count, journal mode) of a database file."""
    db = sqlite3.connect(path)
    try:
        return (
            db.execute("PRAGMA integrity_check").fetchone()[0],
            db.execute("SELECT count(*) FROM t").fetchone()[0],
            db.execute("PRAGMA journal_mode").fetchone()[0],
        )
    finally:
        db.close()


def test_a_backup_taken_during_a_write_holds_the_committed_rows(tmp_path: Path) -> None:
    source = wal_database(tmp_path / "bot.sqlite3", rows=500)
    writer = sqlite3.connect(source, isolation_level=None)
    try:
        writer.execute("PRAGMA cache_size = 2")  # spill the open transaction's pages into the WAL file
        writer.execute("BEGIN IMMEDIATE")
        writer.executemany("INSERT INTO t (text) VALUES (?)", [("写" * 200,)] * 500)
        size = backup_database(source, tmp_path / "backups" / "copy.sqlite3")
        writer.execute("COMMIT")
    finally:
        writer.close()
    copy = tmp_path / "backups" / "copy.sqlite3"
    assert size == copy.stat().st_size > 0
    assert copy.stat().st_mode & 0o777 == 0o600  # what people wrote, for the owner's eyes only
    assert inspect(copy) == ("ok", 500, "delete")  # one self-contained file, without the uncommitted rows
    assert inspect(source)[:2] == ("ok", 1000)
    assert [p.name for p in copy.parent.iterdir()] == ["copy.sqlite3"]  # no temporary file left behind


def test_a_backup_is_one_consistent_moment_while_commits_keep_coming(tmp_path: Path) -> None:
    source = wal_database(tmp_path / "bot.sqlite3", rows=100)
    stop = threading.Event()
    committed = threading.Event()

    def keep_writing() -> None:
        db = sqlite3.connect(source, isolation_level=None)
        try:
            while not stop.is_set():
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT INTO t (text) VALUES (?)", [("并",)] * 10)
                db.execute("COMMIT")
                committed.set()
        finally:
            db.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        assert committed.wait(5)
        for n in range(5):
            backup_database(source, tmp_path / f"copy-{n}.sqlite3")
    finally:
        stop.set()
        thread.join()
    for n in range(5):
        check, count, _ = inspect(tmp_path / f"copy-{n}.sqlite3")
        assert check == "ok"
        assert count >= 110 and count % 10 == 0  # whole transactions only


def test_a_backup_leaves_no_wal_files_beside_a_database_at_rest(tmp_path: Path) -> None:
    # Files left here by a backup run as root would be root's, and the bot could no longer open its database.
    source = wal_database(tmp_path / "bot.sqlite3", rows=3)
    backup_database(source, tmp_path / "backups" / "copy.sqlite3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "bot.sqlite3"]


def test_a_backup_never_overwrites_unless_asked(tmp_path: Path) -> None:
    source = wal_database(tmp_path / "bot.sqlite3", rows=3)
    target = tmp_path / "old.bak"
    target.write_bytes(b"an older backup")
    with pytest.raises(TargetExistsError, match="already exists"):
        backup_database(source, target)
    assert target.read_bytes() == b"an older backup"
    backup_database(source, target, overwrite=True)
    assert inspect(target)[:2] == ("ok", 3)


def test_the_backup_command_refuses_to_overwrite_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_DB", str(wal_database(tmp_path / "bot.sqlite3", rows=3)))
    target = tmp_path / "copy.bak"
    assert run_cli("backup", str(target)) == 0
    first = capsys.readouterr()
    assert (
        first.out == f"backed up {tmp_path / 'bot.sqlite3'} to {target} ({target.stat().st_size:,} bytes)\n"
    )
    assert run_cli("backup", str(target)) == 1
    assert (
        capsys.readouterr().err
        == f"error: {target} already exists; not overwriting it (--overwrite replaces it)\n"
    )
    assert run_cli("backup", str(target), "--overwrite") == 0


@pytest.mark.parametrize(
    ("make_source", "target", "message"),
    [
        (lambda tmp: tmp / "missing.sqlite3", "copy.bak", "no database at {tmp}/missing.sqlite3"),
        (
            lambda tmp: (tmp / "notes.txt", (tmp / "notes.txt").write_text("hello, not a database"))[0],
            "copy.bak",
            "{tmp}/notes.txt is not a SQLite database",
        ),
        (
            lambda tmp: (tmp / "empty.sqlite3", (tmp / "empty.sqlite3").touch())[0],
            "copy.bak",
            "{tmp}/empty.sqlite3 is empty: there is nothing to back up",
        ),
        (
            lambda tmp: wal_database(tmp / "bot.sqlite3", rows=1),
            "bot.sqlite3",
            "cannot back up {tmp}/bot.sqlite3 onto itself",
        ),
        (
            lambda tmp: wal_database(tmp / "bot.sqlite3", rows=1),
            "taken/copy.bak",  # `taken` is a file: no folder can be made there, whoever runs the test
            "cannot write in the folder {tmp}/taken: {tmp}/taken is a file, not a folder",
        ),
    ],
    ids=["missing", "not-sqlite", "empty", "onto-itself", "folder-is-a-file"],
)
def test_backup_errors_are_one_clear_line(
    tmp_path: Path, make_source: Callable[[Path], Path], target: str, message: str
) -> None:
    source = make_source(tmp_path)
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(BackupError) as raised:
        backup_database(source, tmp_path / target)
    assert str(raised.value) == message.format(tmp=tmp_path)
    assert "\n" not in str(raised.value)


def test_the_command_reports_a_missing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("backup", str(tmp_path / "copy.bak")) == 1
    assert capsys.readouterr().err == f"error: no database at {tmp_path / 'data' / 'bot.sqlite3'}\n"
    assert not (tmp_path / "data").exists()  # a backup never creates the database it copies


@pytest.mark.parametrize(
    "now",
    [
        datetime(2024, 5, 1, 8, 30, 5, tzinfo=UTC),
        datetime(2024, 5, 1, 16, 30, 5, tzinfo=timezone(timedelta(hours=8))),  # the same moment in Beijing
    ],
)
def test_automatic_backups_are_named_by_version_and_utc_time(now: datetime) -> None:
    path = backup_path_for(Path("/data/bot.sqlite3"), 3, now)
    assert path == Path("/data/bot.sqlite3.v3-20240501T083005Z.bak")


def test_an_automatic_backup_name_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        backup_path_for(Path("bot.sqlite3"), 1, datetime(2024, 5, 1, 8, 30))
