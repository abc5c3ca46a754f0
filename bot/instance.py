"""One bot per database: a second `python -m bot run` on the same BOT_DB refuses to start, in one line.

The lock is the operating system's (`flock`) on `<db>.lock` beside the database, so it needs no clean-up:
the kernel releases it when the process ends, however it ends (SIGKILL included), and a stale file left behind
locks nothing. Two instances would otherwise both send every daily set and fight over getUpdates.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import IO, Self


class LockError(Exception):
    """The lock cannot be taken; the message is one line for the person starting the bot."""


class AlreadyRunning(LockError):
    """Another process holds the lock."""


class InstanceLock:
    def __init__(self, db_path: Path) -> None:
        self.path = Path(db_path).with_name(Path(db_path).name + ".lock")
        self._file: IO[str] | None = None

    def acquire(self) -> Self:
        """Take the lock, or raise AlreadyRunning naming the process that has it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as error:
            raise LockError(
                f"cannot create the lock file {self.path}: {(error.strerror or error)!s}"
            ) from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunning(
                f"another instance of the bot (pid {holder}) is running on {self.path.with_suffix('')};"
                " stop it first (or give this one its own BOT_DB and BOT_TOKEN)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
