"""Wrong options: candidates ranked by how much they look like the right one, and look-alikes mined from the
speech that are not what it lists."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.quiz.text import HAN, digest

# Characters that make a mined "sibling" phrase a fragment of grammar rather than a term.
FUNCTION_CHARS = frozenset("的和与及或是在了把将对为向于以被让使等从就都也而并且又好要能会着得地之其此这那")
# A numbered slogan: a count, an optional measure word, a few characters (三个聚焦, 两个到位).
SLOGAN = re.compile(r"^[两二三四五][个种]?[\u4e00-\u9fff]{1,4}$")


def common_ends(a: str, b: str) -> int:
    """How many characters two phrases share at their start plus at their end."""
    prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    suffix = next(
        (i for i, (x, y) in enumerate(zip(reversed(a), reversed(b), strict=False)) if x != y),
        min(len(a), len(b)),
    )
    return prefix + suffix


def shape(text: str) -> tuple[bool, bool, bool]:
    """Whether the text is a slogan, holds punctuation, holds anything but Han characters."""
    return (
        bool(SLOGAN.match(text)),
        bool(re.search(r"[，、“”《》（）]", text)),
        bool(re.search(rf"[^{HAN}]", text)),
    )


def rank(target: str, pool: Iterable[str], salt: str, *, spread: int | None = None) -> list[str]:
    """Candidates most like `target` first: shared start or end, same shape (slogan, punctuation), similar length,
    earlier in the pool; ties broken by a stable hash."""
    spread = max(1, len(target) // 3) if spread is None else spread
    target_shape = shape(target)
    order = {c: i for i, c in enumerate(dict.fromkeys(pool))}
    candidates = [c for c in order if c and c != target and abs(len(c) - len(target)) <= spread]
    return sorted(
        candidates,
        key=lambda c: (
            -min(common_ends(c, target), len(target) - 1),
            sum(a != b for a, b in zip(shape(c), target_shape, strict=True)),
            abs(len(c) - len(target)),
            order[c] // 40,
            digest(salt, c),
        ),
    )


def unrelated(candidate: str, members: Iterable[str]) -> bool:
    """A distractor must not be a member in other words: no containment, not mostly the same characters."""
    for member in members:
        if candidate in member or member in candidate:
            return False
        if len(set(candidate) & set(member)) >= 0.6 * len(set(candidate)):
            return False
    return True


def siblings(items: Sequence[str], speech: str) -> list[str]:
    """Phrases of the speech shaped like the items (the same two or more opening or closing characters, the
    same length) that are not items: 春季花展 beside 夏季花展、秋季花展、冬季花展."""
    lengths = {len(i) for i in items}
    if len(lengths) != 1:
        return []
    size = lengths.pop()
    prefix = items[0][: min(len(i) for i in items)]
    while prefix and not all(i.startswith(prefix) for i in items):
        prefix = prefix[:-1]
    suffix = items[0]
    while suffix and not all(i.endswith(suffix) for i in items):
        suffix = suffix[1:]
    found = []
    if len(suffix) >= 2 and len(suffix) < size:
        free = size - len(suffix)
        pattern = rf"(?=([{HAN}]{{{free}}}){re.escape(suffix)})"
        found += [m.group(1) + suffix for m in re.finditer(pattern, speech)]
    if len(prefix) >= 2 and len(prefix) < size:
        free = size - len(prefix)
        pattern = rf"{re.escape(prefix)}(?=([{HAN}]{{{free}}}))"
        found += [prefix + m.group(1) for m in re.finditer(pattern, speech)]
    return [
        f
        for f in dict.fromkeys(found)
        if f not in items and not set(f.removeprefix(prefix).removesuffix(suffix)) & FUNCTION_CHARS
    ]
