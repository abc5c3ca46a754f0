"""A general Chinese thesaurus, so that everyday words reach the speech's words without a hand-written table.

The groups come from 哈工大《同义词词林》扩展版 (HIT-SCIR's Tongyici Cilin, extended), as shipped by the
WordSimilarity package: 17,817 lines such as ``Hj67B01= 后退 退 退回 … 退缩 打退堂鼓 退后``. Only lines
ending in ``=`` are groups of synonyms; ``#`` lines hold words of one kind that are not synonyms (父亲 母亲) and
``@`` lines a single word, so both are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

CILIN_DISTRIBUTION = "WordSimilarity"
CILIN_FILE = "data/cilin_ex.txt"


def cilin_path() -> Path | None:
    """Where the installed package keeps the thesaurus, or None when it is not installed."""
    try:
        path = Path(str(metadata.distribution(CILIN_DISTRIBUTION).locate_file(CILIN_FILE)))
    except metadata.PackageNotFoundError:
        return None
    return path if path.is_file() else None


def cilin_fingerprint() -> str:
    """What the derived table depends on: the installed file (path, size, time), or its absence."""
    path = cilin_path()
    if path is None:
        return "none"
    stat = path.stat()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def synonym_groups(lines: Iterable[str]) -> Iterator[tuple[str, ...]]:
    """The groups of synonyms in Cilin's format: a code ending in '=', then the words."""
    for line in lines:
        code, _, words = line.strip().partition(" ")
        if code.endswith("=") and words:
            yield tuple(words.split())


def cilin_groups() -> list[tuple[str, ...]]:
    """Every synonym group of the installed Cilin; none (and a warning) when it is missing."""
    path = cilin_path()
    if path is None:
        log.warning("%s is not installed: matching goes on without the thesaurus", CILIN_DISTRIBUTION)
        return []
    with path.open(encoding="utf-8") as lines:
        return list(synonym_groups(lines))
