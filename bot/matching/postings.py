"""Flat postings for numpy: term → the entries (or names, or example questions) that hold it, as array slices.

Built once per pack (bot.matching.index) and pickled with it; the layers read them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np


def _spans(where: Mapping[str, Sequence[int]]) -> tuple[dict[str, tuple[int, int]], list[int]]:
    """Each key's positions laid end to end: key → (start, end) into the flat list."""
    spans: dict[str, tuple[int, int]] = {}
    flat: list[int] = []
    for key, positions in where.items():
        spans[key] = (len(flat), len(flat) + len(positions))
        flat.extend(positions)
    return spans, flat


class Postings(NamedTuple):
    """Term → the entries that hold it, flat: entries[start:end] and their field weight × IDF, for numpy."""

    idf: dict[str, float]
    spans: dict[str, tuple[int, int]]
    entries: np.ndarray
    weighted: np.ndarray

    @classmethod
    def of(cls, postings: Mapping[str, Mapping[int, float]], size: int) -> Postings:
        idf = {term: math.log(1 + size / len(held)) for term, held in postings.items()}
        spans: dict[str, tuple[int, int]] = {}
        entries: list[int] = []
        weighted: list[float] = []
        for term, held in postings.items():
            spans[term] = (len(entries), len(entries) + len(held))
            entries.extend(held)
            weighted.extend(weight * idf[term] for weight in held.values())
        return cls(idf, spans, np.array(entries, dtype=np.intp), np.array(weighted, dtype=np.float64))

    def add_shares(self, shares: np.ndarray, terms: Iterable[str], total: float) -> None:
        """shares[entry] += weight × IDF / total for every term, in order (the sums match a plain loop's)."""
        for term in terms:
            span = self.spans.get(term)
            if span is not None:
                start, end = span
                shares[self.entries[start:end]] += self.weighted[start:end] / total

    def holds(self, term: str, entry: int) -> bool:
        start, end = self.spans[term]
        return bool((self.entries[start:end] == entry).any())


class Bigrams(NamedTuple):
    """Character bigram → the names that contain it, once per occurrence: names[start:end]."""

    spans: dict[str, tuple[int, int]]
    names: np.ndarray

    @classmethod
    def of(cls, texts: Iterable[str]) -> Bigrams:
        where: dict[str, list[int]] = defaultdict(list)
        for position, text in enumerate(texts):
            for i in range(len(text) - 1):
                where[text[i : i + 2]].append(position)
        spans, names = _spans(where)
        return cls(spans, np.array(names, dtype=np.intp))

    def shared(self, text: str, count: int) -> np.ndarray:
        """For each of `count` names, how many of its bigrams (by position) also stand in text."""
        spans = [self.spans.get(bigram) for bigram in {text[i : i + 2] for i in range(len(text) - 1)}]
        found = [self.names[start:end] for start, end in filter(None, spans)]
        if not found:
            return np.zeros(count, dtype=np.intp)
        return np.bincount(np.concatenate(found), minlength=count)


class ExampleIndex(NamedTuple):
    """Questions people ask for each entry, as weighted words (bot.matching.layers.examples compares them).

    A word's weight is its IDF over the entries' example sets, so words that many entries' examples share
    (讲话, 要求) weigh little; a question's words that no example uses weigh most, as off-topic questions do.
    """

    idf: dict[str, float]
    owner: np.ndarray  # example → its entry
    norm: np.ndarray  # example → the length of its weighted word vector
    spans: dict[str, tuple[int, int]]  # word → holders[start:end], the examples that use it
    holders: np.ndarray

    @classmethod
    def of(cls, examples: Sequence[tuple[int, Sequence[str]]], size: int) -> ExampleIndex:
        entries_using: dict[str, set[int]] = defaultdict(set)
        for entry, words in examples:
            for word in words:
                entries_using[word].add(entry)
        idf = {word: math.log(1 + size / len(users)) for word, users in entries_using.items()}
        where: dict[str, list[int]] = defaultdict(list)
        for position, (_, words) in enumerate(examples):
            for word in dict.fromkeys(words):
                where[word].append(position)
        spans, holders = _spans(where)
        norm = [math.sqrt(sum(idf[w] ** 2 for w in dict.fromkeys(words))) or 1.0 for _, words in examples]
        return cls(
            idf,
            np.array([entry for entry, _ in examples], dtype=np.intp),
            np.array(norm, dtype=np.float64),
            spans,
            np.array(holders, dtype=np.intp),
        )
