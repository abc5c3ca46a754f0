"""After the layers: an ordinal (第三条, 排第三) picks the item of a list entry, a comparison shows two entries.

Both read patterns of the pack's rules.yaml (`ordinal`, `compare`) and its `children` (which entry is the N-th
item of which list); they move entries within the best few, they do not score the question again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from bot.knowledge import Entry
from bot.matching.language import CHINESE_DIGITS
from bot.matching.layers.names import Hit
from bot.matching.reading import Reading
from bot.matching.scores import TOP, lift, score_of

NAMED_ITEM = 0.9  # the item of a list the question names: at least this …
ABOVE_LIST = 0.01  # … and a little above its list
ITEM_LIFT = 0.1  # an item of a list found otherwise, or an entry in the ordinal's place: this much more, to NAMED_ITEM
MAX_ITEMS = 10  # a list's items are looked for up to this position


class Lists:
    """Which entry is the N-th item of which list entry: the pack's `children` templates, else "<id>-<n>"."""

    def __init__(self, entries: Sequence[Entry], children: Mapping[str, str], index_of: Mapping[str, int]):
        self._entries = entries
        self._children = children
        self._index_of = index_of
        self._position: dict[int, int] = {}
        self._parent: dict[int, int] = {}
        for parent in range(len(entries)):
            for n in range(1, MAX_ITEMS + 1):
                child = self.child(parent, n)
                if child is not None:
                    self._position.setdefault(child, n)
                    self._parent.setdefault(child, parent)

    def child(self, parent: int, n: int) -> int | None:
        """The N-th item of the entry, when it is a list."""
        parent_id = self._entries[parent].id
        template = self._children.get(parent_id, parent_id + "-{n}")
        return self._index_of.get(template.format(n=n))

    def position(self, entry: int) -> int | None:
        """The entry's place in its list, when it is an item."""
        return self._position.get(entry)

    def parent(self, entry: int) -> int | None:
        """The list the entry is an item of, when it is one."""
        return self._parent.get(entry)

    def items(self, parent: int) -> list[int]:
        """The list's items in order (empty when the entry is no list)."""
        found = []
        for n in range(1, MAX_ITEMS + 1):
            child = self.child(parent, n)
            if child is None:
                break
            found.append(child)
        return found


def lift_ordinals(
    reading: Reading,
    hits: Sequence[Hit],
    ranked: Sequence[int],
    scores: np.ndarray,
    lists: Lists,
    ordinal: re.Pattern[str] | None,
) -> None:
    """An ordinal lifts the N-th item of a list entry the question names or that ranks high (in place).

    A named list (三个聚焦 … 第二条) makes its item confident; a list found only by coverage lifts its item,
    and an item that already ranks high and has that position, by a little.
    """
    if ordinal is None:
        return
    normalized = reading.normalized
    blocked = set()
    for start, end, _ in hits:
        blocked.update(range(start, end))
    found_at = [
        (found.start(), CHINESE_DIGITS.get(found.group("n"), 0))
        for found in ordinal.finditer(normalized)
        if found.start() not in blocked and found.start("n") not in blocked
    ]
    in_order = [n for _, n in found_at]
    ordinals = set(in_order)
    if len(in_order) == 2 and ranked and lists.position(ranked[0]) == in_order[0]:
        # 第N部分的第M点: the first ordinal found the list, the second is its item.
        child = lists.child(ranked[0], in_order[1])
        if child is not None:
            lift(scores, child, max(NAMED_ITEM, scores.item(ranked[0]) + ABOVE_LIST))
        return
    if len(ordinals) != 1:
        return  # none, or several (第一条和第三条): the list itself answers
    (n,) = ordinals
    # The list named nearest before the ordinal first: in “X中第N部分第M点” the M-th point is part N's.
    where = found_at[0][0]
    nearest = sorted(hits, key=lambda hit: (hit[1] > where, abs(where - hit[1])))
    named = list(dict.fromkeys(name.entry for _, _, name in nearest))
    if any(lists.position(entry) == n for entry in named):
        return  # the ordinal is the named entry's own place (第一部分“深化三个聚焦”), not one of its items
    for parent in named + [i for i in ranked[:TOP] if i not in named]:
        child = lists.child(parent, n)
        if child is not None:
            lifted = (
                max(NAMED_ITEM, scores.item(parent) + ABOVE_LIST)
                if parent in named
                else min(NAMED_ITEM, max(scores.item(parent), score_of(scores, child)) + ITEM_LIFT)
            )
            lift(scores, child, lifted)
            break
    for candidate in ranked[:TOP]:
        if lists.position(candidate) == n:
            scores[candidate] = max(
                scores.item(candidate), min(NAMED_ITEM, scores.item(candidate) + ITEM_LIFT)
            )


def compared(
    reading: Reading, named: Sequence[int], compare: re.Pattern[str] | None
) -> tuple[int, ...] | None:
    """The two entries a question asks to tell apart (X和Y有什么区别): the first two it names, or None."""
    if compare is not None and len(named) >= 2 and compare.search(reading.normalized):
        return tuple(named[:2])
    return None
