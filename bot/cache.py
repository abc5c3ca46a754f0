"""A small on-disk cache for tables derived from the knowledge base, so a cold start costs little beyond jieba.

Entries are pickles keyed by a hash of everything they derive from; a stale, corrupt or unwritable cache is
ignored and rebuilt, never an error. The folder is ~/.cache/speech-study-bot unless the entry point names
another (`use_folder`, from settings' BOT_CACHE_DIR): this module never reads the environment itself. The
folder is the one piece of process-wide configuration here, set once at start, like logging's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class _Folder:
    chosen: Path | None = None


_FOLDER = _Folder()


def use_folder(folder: Path | str | None) -> None:
    """Where the cache lives from now on (None: the default); called by the entry point with the setting."""
    _FOLDER.chosen = Path(folder) if folder else None


def cache_dir() -> Path:
    return _FOLDER.chosen or Path.home() / ".cache" / "speech-study-bot"


def usable_cache_dir() -> Path | None:
    """The cache folder, created if need be; None when it cannot be (then callers fall back to their own)."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.debug("cache folder %s not usable: %s", folder, error)
        return None
    return folder if os.access(folder, os.W_OK) else None


def fingerprint(parts: Iterable[bytes | str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def cached(name: str, key: str, build: Callable[[], T], *, scope: str = "") -> T:
    """The value stored under name+key, or build() stored for next time. `scope` (a pack's id) keeps one
    pack's tables from replacing another's: only stale files of the same name and scope are removed."""
    if scope:
        name = f"{name}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', scope)}"
    path = cache_dir() / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except FileNotFoundError:
        pass
    except Exception as error:  # a corrupt or foreign file: rebuild
        log.warning("cache %s unreadable (%s); rebuilding", path, error)
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, path)
        for stale in path.parent.glob(f"{name}-*.pickle"):
            if stale != path and len(stale.name) == len(path.name):  # the same name and scope, another key
                stale.unlink(missing_ok=True)
    except OSError as error:
        log.debug("cache %s not written: %s", path, error)
    return value
