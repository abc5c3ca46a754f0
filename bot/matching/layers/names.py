"""The names layer: an entry's name (title, alias, a section's topic) written in the question, heard in it by
pinyin (a homophone typed through a pinyin keyboard), or, when neither, nearly written (rapidfuzz)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from bot.matching.index import FUZZY_NAME_LENGTH, Name
from bot.matching.language import STOPCHARS
from bot.matching.sounds import sounds_like

if TYPE_CHECKING:
    from bot.matching.index import PackIndex
    from bot.matching.reading import Reading

Hit = tuple[int, int, Name]  # (start, end, name): where in the normalised question the name stands

FUZZY_CUTOFF = 84  # rapidfuzz's partial ratio a near name must reach
FUZZY_LIMIT = 8  # near names kept at most
HEARD_SHORT = 3  # names heard by pinyin with fewer characters …
HEARD_SHORT_QUESTION = 12  # … are only heard in questions this long or shorter: in long ones they are chance


@dataclass(frozen=True, eq=False)
class NameHits:
    """The names found in one question: written, heard, and (only when neither) near ones."""

    exact: list[Hit]
    heard: list[Hit]
    fuzzy: dict[int, float]  # entry index → best partial ratio

    @property
    def hits(self) -> list[Hit]:
        """The names written, then the names heard."""
        return self.exact + self.heard

    def entries(self) -> list[int]:
        """The entries named, in the order of hits, each once."""
        return list(dict.fromkeys(name.entry for _, _, name in self.hits))


def longest(hits: list[Hit]) -> list[Hit]:
    """Drop hits inside a longer hit's span (三查 inside 三查三改), keep one hit per entry."""
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    kept: list[Hit] = []
    seen_entries = set()
    for start, end, name in hits:
        if name.entry in seen_entries or any(s <= start and end <= e for s, e, _ in kept):
            continue
        kept.append((start, end, name))
        seen_entries.add(name.entry)
    return kept


def outside(hits: list[Hit], taken: Iterable[tuple[int, int]]) -> list[Hit]:
    """The longest of the hits that overlap no taken span."""
    blocked = {i for start, end in taken for i in range(start, end)}
    return longest([hit for hit in hits if not blocked.intersection(range(hit[0], hit[1]))])


def exact(reading: Reading, index: PackIndex) -> list[Hit]:
    """Names that stand in the question as written: (start, end, name), longest spans kept."""
    normalized = reading.normalized
    by_text = index.names.by_text
    hits = []
    for (
        length
    ) in index.names.lengths:  # a hash lookup per window: cost grows with the question, not the names
        for start in range(len(normalized) - length + 1):
            for name in by_text.get(normalized[start : start + length], ()):
                hits.append((start, start + length, name))
    return longest(hits)


def sound_hits(reading: Reading, index: PackIndex) -> list[Hit]:
    """Every name heard somewhere in the question, overlapping or not: heard() picks among them."""
    normalized = reading.normalized
    chars = reading.sounds
    common = reading.common
    names = index.names
    hits = []
    for i in range(len(chars) - 1):
        for first in chars[i]:
            buckets = [names.by_sound.get((first, second)) for second in chars[i + 1]]
            buckets = [bucket for bucket in buckets if bucket]
            if not buckets:
                continue
            # In the order of the names, as if every name read `first` at its start were tried in turn.
            positions = buckets[0] if len(buckets) == 1 else sorted(set().union(*buckets))
            for position in positions:
                name = names.names[position]
                size = len(name.readings)
                if size < HEARD_SHORT and len(normalized) > HEARD_SHORT_QUESTION:
                    continue  # two-syllable homophones are too common in long questions
                if i + size > len(chars):
                    continue
                if sounds_like(normalized[i : i + size], common[i : i + size], name.text, name.readings):
                    hits.append((i, i + size, name))
    return hits


def heard(reading: Reading, index: PackIndex, taken: Iterable[tuple[int, int]] = ()) -> list[Hit]:
    """Names whose pinyin stands in the question (两个到为 → 两个到位), outside spans already taken."""
    return outside(sound_hits(reading, index), taken)


@lru_cache(maxsize=8)
def bigrams_needed(cutoff: float, length: int) -> np.ndarray:
    """For the shorter string's length s (0..length): how many of a name's bigrams must stand in the question
    for partial_ratio to reach cutoff. With fewer, no alignment can, so the name need not be scored.

    partial_ratio aligns the shorter string (length s) with a window (length w ≤ s) of the longer one and
    scores 200·L/(s + w), L the longest common subsequence. Between two consecutive matched characters either
    side skips a character (at most (s - L) + (w - L) times) or both advance, and then the name's bigram at
    that place stands in the question; so at least 3L - 1 - s - w of its bigrams do.
    """
    needed = np.zeros(length + 1, dtype=np.intp)
    for s in range(1, length + 1):
        bounds = []
        for w in range(1, s + 1):
            least = math.ceil(Fraction(cutoff) * (s + w) / 200)  # the fewest matched characters that reach it
            if least <= w:
                bounds.append(3 * least - 1 - s - w)
        needed[s] = max(0, min(bounds, default=0))
    needed.flags.writeable = False
    return needed


def fuzzy(reading: Reading, index: PackIndex, cutoff: float = FUZZY_CUTOFF) -> dict[int, float]:
    """rapidfuzz partial ratio of long names against the question: entry index → best ratio.

    Only names with enough bigrams in the question are scored: the others cannot reach the cutoff.
    """
    normalized = reading.normalized
    names = index.names
    if not names.fuzzy_texts or len(normalized) < FUZZY_NAME_LENGTH:
        return {}
    needed = bigrams_needed(cutoff, int(names.fuzzy_lengths.max()))
    shared = names.fuzzy_bigrams.shared(normalized, len(names.fuzzy_texts))
    candidates = np.flatnonzero(shared >= needed[np.minimum(names.fuzzy_lengths, len(normalized))]).tolist()
    found: dict[int, float] = {}
    for _, ratio, position in process.extract(
        normalized,
        [names.fuzzy_texts[c] for c in candidates],
        scorer=fuzz.partial_ratio,
        score_cutoff=cutoff,
        limit=FUZZY_LIMIT,
    ):
        owner = names.fuzzy_owner[candidates[position]]
        found[owner] = max(found.get(owner, 0.0), ratio)
    return found


def find(reading: Reading, index: PackIndex, cutoff: float = FUZZY_CUTOFF) -> NameHits:
    """The names of the question: written ones, heard ones outside them, near ones only when there are none."""
    written = exact(reading, index)
    every_heard = sound_hits(reading, index)
    by_sound = outside(every_heard, [(s, e) for s, e, _ in written])
    if written:
        # A longer name heard in the question beats a shorter one written inside it: 三查三该 is 三查三改.
        # Not when the extra sound is a particle of the sentence (的三个聚焦 is no 第三个聚焦).
        normalized = reading.normalized
        longer = [
            hit
            for hit in longest(list(every_heard))
            if any(
                hit[0] <= s
                and e <= hit[1]
                and e - s < hit[1] - hit[0]
                and not STOPCHARS.intersection(normalized[hit[0] : s] + normalized[e : hit[1]])
                for s, e, _ in written
            )
        ]
        if longer:
            written = [x for x in written if not any(h[0] <= x[0] and x[1] <= h[1] for h in longer)]
            by_sound = by_sound + [h for h in longer if h not in by_sound]
    near = fuzzy(reading, index, cutoff) if not written and not by_sound else {}
    return NameHits(written, by_sound, near)
