"""The speech as something to read: its outline of sections, and where a word stands (for sections, search).

Plain data in, frozen values out: part of the pure core, shared by both front ends through `bot.service`.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.knowledge import Entry, KnowledgeBase
from bot.normalize import normalize

SEARCH_CONTEXT = 30
MAX_SEARCH_CHARS = 40
WHERE_SEPARATOR = " › "


@dataclass(frozen=True)
class Outline:
    """The speech's sections as a tree, siblings in the order the speech runs; "" is the root."""

    children: Mapping[str, tuple[str, ...]]
    parent: Mapping[str, str]

    def siblings(self, entry_id: str) -> tuple[str, ...]:
        return self.children.get(self.parent.get(entry_id, ""), ())

    def neighbours(self, entry_id: str) -> tuple[str | None, str | None]:
        """The previous and the next section at the same level (None at either end)."""
        row = self.siblings(entry_id)
        if entry_id not in row:
            return None, None
        at = row.index(entry_id)
        return (row[at - 1] if at > 0 else None), (row[at + 1] if at + 1 < len(row) else None)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.parent


def build_outline(kb: KnowledgeBase, list_children: Mapping[str, str] | None = None) -> Outline:
    """Parent of each section: the earlier section whose `where` path is the longest prefix of its own.

    `list_children` (rules.yaml's `children`, e.g. requirements → part-{n}) names parents the paths cannot:
    the five parts of the requirements each start a path of their own.
    """
    sections = sorted(
        (e for e in kb.entries if e.kind == "section"),
        key=lambda e: (_position(kb, e), e.where.count(WHERE_SEPARATOR)),
    )
    paths = {e.id: tuple(e.where.split(WHERE_SEPARATOR)) for e in sections}
    ids = {e.id for e in sections}
    forced: dict[str, str] = {}
    for parent, template in (list_children or {}).items():
        for n in range(1, 10):
            child = template.format(n=n)
            if parent in ids and child in ids:
                forced[child] = parent
    parent_of: dict[str, str] = {}
    for index, entry in enumerate(sections):
        if entry.id in forced:
            parent_of[entry.id] = forced[entry.id]
            continue
        path = paths[entry.id]
        best, best_depth = "", 0
        for earlier in sections[:index]:
            other = paths[earlier.id]
            if len(other) > best_depth and path[: len(other)] == other:
                best, best_depth = earlier.id, len(other)
        parent_of[entry.id] = best
    children: dict[str, list[str]] = {"": []}
    for entry in sections:
        children.setdefault(parent_of[entry.id], []).append(entry.id)
    return Outline(
        children=MappingProxyType({k: tuple(v) for k, v in children.items()}),
        parent=MappingProxyType(parent_of),
    )


def _position(kb: KnowledgeBase, entry: Entry) -> int:
    found = [kb.locate(q) for q in entry.quotes]
    return min((p for p in found if p >= 0), default=len(kb.speech))


@dataclass(frozen=True, slots=True)
class Hit:
    """One place a word stands in the speech: the text around it, split so the word can be marked."""

    offset: int
    before: str
    word: str
    after: str
    where: str


def find_word(speech: str, query: str) -> tuple[int, int] | None:
    """Where a word first stands in the speech, as (offset, length), trying the word as typed, then folded."""
    query = query.strip()[:MAX_SEARCH_CHARS]
    for form in dict.fromkeys((query, unicodedata.normalize("NFKC", query), normalize(query))):
        if form and (at := speech.find(form)) != -1:
            return at, len(form)
    return None


SENTENCE_ENDS = ("。", "！", "？", "\n")


def part_of_where(where: str) -> tuple[str, str]:
    """A place split into its part (the first step) and the rest, for hits grouped by part."""
    part, _, rest = where.partition(WHERE_SEPARATOR)
    return part, rest


@dataclass(frozen=True)
class SpeechIndex:
    """Sections by where they start in the speech, to say where any offset stands."""

    speech: str
    starts: tuple[int, ...]
    wheres: tuple[str, ...]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> SpeechIndex:
        marks = sorted(
            (_position(kb, e), e.where.count(WHERE_SEPARATOR), e.where)
            for e in kb.entries
            if e.kind == "section"
        )
        return cls(kb.speech, tuple(m[0] for m in marks), tuple(m[2] for m in marks))

    def where(self, offset: int) -> str:
        at = bisect.bisect_right(self.starts, offset) - 1
        return self.wheres[at] if at >= 0 else "开头"

    def hits(self, offset: int, length: int) -> list[Hit]:
        """Every sentence the word at `speech[offset:offset + length]` stands in, once (a word three times in
        one sentence is one hit), with context around its first place there."""
        word = self.speech[offset : offset + length]
        found: list[Hit] = []
        start = self.speech.find(word) if word else -1
        last_sentence = -2  # rfind gives -1 for the first sentence
        while start != -1:
            end = start + len(word)
            sentence = max(self.speech.rfind(stop, 0, start) for stop in SENTENCE_ENDS)
            if sentence == last_sentence:
                start = self.speech.find(word, end)
                continue
            last_sentence = sentence
            before = self.speech[max(0, start - SEARCH_CONTEXT) : start].split("\n")[-1]
            after = self.speech[end : end + SEARCH_CONTEXT].split("\n")[0]
            found.append(Hit(start, before, word, after, self.where(start)))
            start = self.speech.find(word, end)
        return found
