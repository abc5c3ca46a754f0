"""The example-questions layer: how close the question is to the questions people ask for each entry.

A pack's examples.yaml gives every entry a few questions in people's own words; each was read like a user's
question into weighted words (bot.matching.index). The nearest example, by the cosine of weighted words, speaks
for its entry; bot.matching.decide decides how far.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.matching.postings import ExampleIndex

if TYPE_CHECKING:
    from bot.matching.index import PackIndex
    from bot.matching.reading import Reading

# One word in common is a coincidence, not the same question: an example must share this many.
EXAMPLE_WORDS = 2


def nearest_examples(examples: ExampleIndex, words: Sequence[str], size: int) -> np.ndarray:
    """Per entry (of `size`), the cosine between the words and its nearest example that shares EXAMPLE_WORDS of
    them (0 when none does)."""
    best = np.zeros(size)
    if not len(examples.owner):
        return best
    unknown = max(examples.idf.values(), default=1.0)
    words = list(dict.fromkeys(words))
    question_norm = math.sqrt(sum(examples.idf.get(w, unknown) ** 2 for w in words))
    dots = np.zeros(len(examples.owner))
    shared = np.zeros(len(examples.owner), dtype=np.intp)
    for word in words:
        span = examples.spans.get(word)
        if span is not None:
            dots[examples.holders[span[0] : span[1]]] += examples.idf[word] ** 2
            shared[examples.holders[span[0] : span[1]]] += 1
    dots[shared < EXAMPLE_WORDS] = 0.0
    if question_norm:
        np.maximum.at(best, examples.owner, dots / (examples.norm * question_norm))
    return best


def nearest(reading: Reading, index: PackIndex) -> np.ndarray:
    """Entry index → the cosine of the question's plain words with the entry's nearest example (0..1)."""
    if not reading.words:
        return np.zeros(len(index.entries))
    return nearest_examples(index.examples, reading.words, len(index.entries))
