"""Is the database file sound? `PRAGMA quick_check` and the schema's tables, before the bot trusts it.

A damaged file (a bad disk, a copy cut short, a `cp` of a live WAL database) is otherwise accepted at start,
and every later write fails with "database disk image is malformed": the bot answers and logs nothing. So
`Store.open` and `doctor` ask here first. A new or empty file is fine; a file at an older schema version is
only expected to hold the tables of the migrations up to its version (the newer ones are still to come).
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
NOT_SQLITE = "not a SQLite database"
SHOWN = 3  # quick_check lines quoted in a problem


def check_database(path: str | Path) -> list[str]:
    """What is wrong with the database file at `path`, one short phrase each; empty when it is fine.

    Blocking (it reads the whole file): run it in a thread from async code. A database that cannot be
    opened or read for other reasons (locked, permissions) raises sqlite3.OperationalError or OSError, as
    opening it would: only damage is reported here.
    """
    path = Path(path)
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if not header:
        return []  # new and empty: migrations build it
    if header != SQLITE_HEADER:
        return [NOT_SQLITE]
    # mode=rw never creates a file and lets the last connection out remove the -wal and -shm (as in
    # bot.backup); query_only: nothing is changed.
    uri = path.resolve().as_uri() + "?mode=rw"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as db:
            db.execute("PRAGMA query_only = ON")
            rows = db.execute(f"PRAGMA quick_check({SHOWN})").fetchall()
            if [row[0] for row in rows] != ["ok"]:
                return [f"quick_check: {_findings(row[0] for row in rows)}"]
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            present = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError:
        raise  # locked, cannot open…: not a verdict on the file
    except sqlite3.DatabaseError as error:  # SQLITE_CORRUPT, SQLITE_NOTADB: what quick_check could not read
        if getattr(error, "sqlite_errorname", None) == "SQLITE_NOTADB":
            return [NOT_SQLITE]
        return [f"quick_check: {_findings([str(error) or type(error).__name__])}"]
    if version > max((number for number, _ in _migrations()), default=0):
        return []  # newer than this code: migrate() refuses it, in its own words
    missing = sorted(expected_tables(version) - present)
    if missing:
        return [f"schema version {version} but the tables {', '.join(missing)} are missing"]
    return []


def expected_tables(version: int, migrations: Sequence[tuple[int, str]] | None = None) -> frozenset[str]:
    """The tables the migrations up to `version` create, as SQLite itself reads them (in memory)."""
    if migrations is None:
        migrations = _migrations()
    return _tables(tuple((number, script) for number, script in migrations if number <= version))


def _migrations() -> Sequence[tuple[int, str]]:
    from bot.storage import MIGRATIONS  # here, not at the top: bot.storage imports this module

    return MIGRATIONS


@functools.lru_cache(maxsize=8)
def _tables(migrations: tuple[tuple[int, str], ...]) -> frozenset[str]:
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        for _, script in migrations:
            db.executescript(script)
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return frozenset(name for (name,) in rows)


def _findings(rows: Iterable[str]) -> str:
    """quick_check's lines on one line, without its "*** in database main ***" heading."""
    lines = [" ".join(line.split()) for row in rows for line in str(row).splitlines()]
    lines = [line for line in lines if line and not line.startswith("*** in database")]
    more = f" (and {len(lines) - SHOWN} more)" if len(lines) > SHOWN else ""
    return "; ".join(lines[:SHOWN]) + more


RESTORE = "stop the bot and restore it from a backup: see README, Operations › Backups"


def damage_message(path: str | Path, problems: Sequence[str]) -> str:
    """The one line for the person starting the bot, from check_database's problems."""
    if NOT_SQLITE in problems:
        return (
            f"cannot use the database {path}: it is not a SQLite database (if BOT_DB names the right file, "
            f"the file is damaged; {RESTORE})"
        )
    return f"the database {path} is damaged ({'; '.join(problems)}); {RESTORE}"
