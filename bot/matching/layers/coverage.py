"""The coverage layer: the share of the question's information that each entry's text holds.

The question's information is its IDF-weighted tokens (half) and character unigrams and bigrams (half), read
as the speech says them (bot.matching.reading). Words the pack never uses count in the denominator at half the
weight of the rarest word: a paraphrase has a few, an off-topic question is mostly made of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bot.matching.index import PackIndex
    from bot.matching.reading import Reading

TOKEN_SHARE = 0.5  # the tokens' part of the coverage; the characters' is the rest
UNKNOWN_WEIGHT = 0.5  # a word the pack never uses weighs this times the IDF of a word of one entry


@dataclass(frozen=True, eq=False)
class Coverage:
    """Per entry, the share of the question's information it holds (0..1); and how much of the question's
    token weight is words the pack never uses (1.0 when the question holds no information at all)."""

    shares: np.ndarray
    unknown: float

    def held(self) -> dict[int, float]:
        """Entry index → its share, for the entries that hold some of the question."""
        found = np.flatnonzero(self.shares)
        return dict(zip(found.tolist(), self.shares[found].tolist(), strict=True))


def coverage(reading: Reading, index: PackIndex) -> Coverage:
    """How much of the question each entry holds; 0 for an entry that holds none of its characters."""
    size = len(index.entries)
    unknown_weight = UNKNOWN_WEIGHT * index.max_idf
    tokens, grams = reading.tokens, reading.grams
    token_total = sum(index.tokens.idf.get(t, unknown_weight) for t in tokens)
    gram_total = sum(index.grams.idf.get(g, unknown_weight) for g in grams)
    if not token_total or not gram_total:
        return Coverage(np.zeros(size), 1.0)
    unknown = sum(unknown_weight for t in tokens if t not in index.tokens.idf) / token_total
    token_share = np.zeros(size)
    index.tokens.add_shares(token_share, tokens, token_total)
    gram_share = np.zeros(size)
    index.grams.add_shares(gram_share, grams, gram_total)
    shares = TOKEN_SHARE * token_share + (1 - TOKEN_SHARE) * gram_share
    shares[gram_share == 0] = 0.0  # words alone, without a shared character, are not coverage
    return Coverage(shares, unknown)


def evidence(reading: Reading, index: PackIndex, entry: int) -> dict[str, float]:
    """The question's own words (two characters or more) that the entry holds, none inside another → their IDF."""
    idf = index.tokens.idf
    held = [t for t in reading.tokens if len(t) >= 2 and t in idf and index.tokens.holds(t, entry)]
    return {t: idf[t] for t in held if not any(t != other and t in other for other in held)}


def described(reading: Reading, index: PackIndex) -> dict[str, float]:
    """The speech's words that the question reaches through an everyday word of the pack's table → their IDF.

    Only the hand-written table counts: its families were written for this speech's words, while the general
    thesaurus also maps in senses the speech does not have.
    """
    idf = index.tokens.idf
    table = index.lexicon.synonyms
    return {known: idf.get(known, 0.0) for word in reading.search if (known := table.get(word)) is not None}
