"""Copies of the SQLite database that are consistent even while the bot is writing to it.

SQLite's online backup API copies the pages under one read transaction, so a copy taken while the bot
commits (WAL mode) is the database as of one instant, never a torn file; `cp` of a live WAL database is not.
The copy is written to a temporary file beside the target and renamed into place, so a target path holds a
complete backup or nothing. It is switched out of WAL mode, so a backup is one self-contained file, and it is
readable by its owner only (0600), as it holds what people wrote.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import sqlite3
import stat
import tempfile
from datetime import UTC, datetime
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
# As in bot.storage: every table holding a person's data has a `user_id` column.
_TABLES_WITH_USER_ID = """
SELECT m.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND c.name = 'user_id' ORDER BY m.name
"""


class BackupError(Exception):
    """The backup cannot be made; the message is one line naming the file and the reason."""


class TargetExistsError(BackupError):
    """The target already exists and overwriting was not allowed."""


def backup_path_for(db: Path, version: int, now: datetime) -> Path:
    """Where the automatic copy goes before a migration: `<db>.v<version>-<UTC time>.bak` beside the database."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (e.g. datetime.now(UTC)): the name is in UTC")
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return db.with_name(f"{db.name}.v{version}-{stamp}.bak")


def automatic_backups(db: Path) -> list[Path]:
    """The copies `backup_path_for` made beside the database, oldest first (the names sort by time)."""
    name = re.compile(re.escape(db.name) + r"\.v\d+-\d{8}T\d{6}Z\.bak")
    return sorted(
        path for path in db.parent.glob(f"{glob.escape(db.name)}.v*.bak") if name.fullmatch(path.name)
    )


def forget_in_backup(path: Path, user_id: int) -> int:
    """Delete one person from a backup file as `Store.forget_user` does from the live database; return the rows.

    Every table with a `user_id` column and the `users` row (cascades included), with secure_delete on and a
    VACUUM after, so the text is gone from the file, whose permissions are kept. Blocking: run it in a thread.
    """
    mode = stat.S_IMODE(path.stat().st_mode)
    with contextlib.closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as db:
        db.execute("PRAGMA secure_delete = ON")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("PRAGMA defer_foreign_keys = ON")
            before = db.total_changes
            for (table,) in db.execute(_TABLES_WITH_USER_ID).fetchall():
                quoted = '"' + table.replace('"', '""') + '"'
                db.execute(f"DELETE FROM {quoted} WHERE user_id = ?", (user_id,))
            if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone():
                db.execute("DELETE FROM users WHERE id = ?", (user_id,))
            deleted = db.total_changes - before
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        if deleted:
            db.execute("VACUUM")  # rewritten in place: no free page keeps what was deleted
    if stat.S_IMODE(path.stat().st_mode) != mode:
        os.chmod(path, mode)
    return deleted


def backup_database(source: Path, target: Path, *, overwrite: bool = False) -> int:
    """Copy the database at `source` to `target` safely while others write to it; return the copy's size in bytes."""
    source, target = Path(source), Path(target)
    _check_source(source)
    if target.is_dir():
        raise BackupError(f"cannot back up to {target}: it is a folder; give a file name")
    if _same_file(source, target):
        raise BackupError(f"cannot back up {source} onto itself")
    if target.exists() and not overwrite:
        raise TargetExistsError(f"{target} already exists; not overwriting it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(handle)
    except OSError as error:
        raise BackupError(f"cannot write in the folder {target.parent}: {_reason(error)}") from None
    try:
        _copy(source, Path(temporary))
        _put_in_place(Path(temporary), target, overwrite=overwrite)
        _sync_folder(target.parent)
        return target.stat().st_size
    finally:
        Path(temporary).unlink(missing_ok=True)


def _check_source(source: Path) -> None:
    try:
        with source.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise BackupError(f"no database at {source}") from None
    except IsADirectoryError:
        raise BackupError(f"{source} is a folder, not a database file") from None
    except OSError as error:
        raise BackupError(f"cannot read {source}: {_reason(error)}") from None
    if not header:
        raise BackupError(f"{source} is empty: there is nothing to back up")
    if header != SQLITE_HEADER:
        raise BackupError(f"{source} is not a SQLite database")


def _copy(source: Path, destination: Path) -> None:
    """One backup step over all pages: a single read transaction, so the copy is one consistent snapshot."""
    # mode=rw never creates a missing file and, unlike mode=ro, lets the last connection out checkpoint and
    # remove the -wal and -shm files: run by root while the bot is stopped, a read-only backup would leave
    # them behind owned by root, and the bot could no longer open its database. query_only: no data changes.
    uri = source.resolve().as_uri() + "?mode=rw"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as reader:
            reader.execute("PRAGMA query_only = ON")
            with contextlib.closing(sqlite3.connect(destination)) as writer:
                reader.backup(writer)
                writer.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                writer.commit()
            with destination.open("rb+") as file:
                os.fsync(file.fileno())
    except sqlite3.Error as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BackupError(f"cannot copy {source}: {message}") from None
    except OSError as error:
        raise BackupError(f"cannot write the copy in {destination.parent}: {_reason(error)}") from None


def _put_in_place(temporary: Path, target: Path, *, overwrite: bool) -> None:
    """Rename the finished copy to its name; without overwrite, a hard link makes "only if absent" atomic."""
    try:
        if overwrite:
            os.replace(temporary, target)
            return
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise TargetExistsError(f"{target} already exists; not overwriting it") from None
        except OSError:  # a file system without hard links: check, then rename
            if target.exists():
                raise TargetExistsError(f"{target} already exists; not overwriting it") from None
            os.replace(temporary, target)
    except OSError as error:
        raise BackupError(f"cannot write {target}: {_reason(error)}") from None


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; not every system can open a folder, and then there is nothing to do."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def _reason(error: OSError) -> str:
    if isinstance(error, FileExistsError) and error.filename:  # mkdir: the folder's name is taken by a file
        return f"{error.filename} is a file, not a folder"
    if isinstance(error, NotADirectoryError):
        return "part of the path is a file, not a folder"
    return (error.strerror or str(error)).lower()
