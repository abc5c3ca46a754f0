"""What the layers found, weighed (combine) and decided (decide): answer, offer, suggest or decline.

Every weight and threshold is a named field of Policy; docs/matching.md tells how each was chosen. Both
functions take plain numbers (entry indexes, shares, IDFs), so they can be tried without a pack.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.matching.scores import lift


@dataclass(frozen=True)
class Policy:
    """The weights that turn the layers' findings into one score per entry, and the thresholds of the decision."""

    # Coverage: the ceiling times the share held, less the unknown share beyond the allowance.
    coverage_ceiling: float = 0.8
    unknown_allowance: float = 0.25
    # An example question this close (cosine) vouches for its entry at the scale times that closeness.
    example_floor: float = 0.2
    example_scale: float = 0.8
    # A name: its base (written, or heard by pinyin), plus its entry's coverage and up to name_length for a
    # name of name_full_length characters or more.
    exact_name: float = 0.72
    heard_name: float = 0.66
    name_coverage: float = 0.18
    name_length: float = 0.1
    name_full_length: int = 5
    # A near name (rapidfuzz partial ratio from fuzzy_cutoff to 100): its base, up to fuzzy_ratio more as the
    # ratio rises, plus its entry's coverage.
    fuzzy_cutoff: float = 84
    fuzzy_name: float = 0.45
    fuzzy_ratio: float = 0.2
    fuzzy_coverage: float = 0.2
    # A rule's target: the rule's priority plus a little of the target's coverage.
    rule_coverage: float = 0.05

    # Answer from `confident`, or from `clear_winner` with the runner-up `clear_margin` behind …
    confident: float = 0.45
    clear_winner: float = 0.36
    clear_margin: float = 0.04
    # … unless tie_count entries stand within tie_margin of the best and nothing backs it (a guess: ask).
    tie_count: int = 3
    tie_margin: float = 0.01
    # Answer lower, from evidence_floor, when the best entry holds evidence_words of the question's words whose
    # IDFs add up to evidence_idf: a paraphrase in everyday words still names several of the speech's words.
    evidence_floor: float = 0.2
    evidence_words: int = 3
    evidence_idf: float = 9.0
    # Answer lower still, from described_floor, when the question described a distinctive word of the speech
    # (IDF ≥ described_idf) in everyday words and the best entry holds it and described_words in all. A word
    # of that IDF held by a tied best entry also breaks the tie: the entries tied quote one passage.
    described_floor: float = 0.17
    described_idf: float = 3.3
    described_words: int = 2
    # "Did you mean" from `suggest`: up to max_suggestions entries scoring suggest_share of it or more.
    suggest: float = 0.3
    suggest_share: float = 0.8
    max_suggestions: int = 3


DEFAULT_POLICY = Policy()


@dataclass(frozen=True, eq=False)
class Findings:
    """What the layers found for one question, as plain numbers over the pack's `size` entries."""

    size: int
    coverage: np.ndarray  # per entry: the share of the question it holds (0..1)
    unknown: float = 0.0  # the share of the question's token weight that the pack never uses
    examples: np.ndarray | None = None  # per entry: the cosine with its nearest example question
    exact: Sequence[tuple[int, int]] = ()  # (entry, characters) of each name written in the question
    heard: Sequence[tuple[int, int]] = ()  # (entry, characters) of each name heard by pinyin
    fuzzy: Mapping[int, float] = field(default_factory=dict)  # entry → partial ratio of its nearest name
    rules: Mapping[int, float] = field(default_factory=dict)  # entry → the priority a rule gives it


def combine(found: Findings, policy: Policy = DEFAULT_POLICY) -> np.ndarray:
    """One score per entry, -inf for an entry that no layer found: each layer lifts an entry to its own score."""
    p = policy
    values = np.full(found.size, -np.inf)
    cover = found.coverage
    held = cover > 0
    values[held] = p.coverage_ceiling * cover[held] * (1 - max(0.0, found.unknown - p.unknown_allowance))
    if found.examples is not None:
        for index in np.flatnonzero(found.examples >= p.example_floor).tolist():
            lift(values, index, p.example_scale * found.examples.item(index))
    for base, hits in ((p.exact_name, found.exact), (p.heard_name, found.heard)):
        for entry, length in hits:
            length_bonus = p.name_length * min(1.0, length / p.name_full_length)
            lift(values, entry, base + p.name_coverage * cover.item(entry) + length_bonus)
    for entry, ratio in found.fuzzy.items():
        span = p.fuzzy_ratio * (ratio - p.fuzzy_cutoff) / (100 - p.fuzzy_cutoff)
        lift(values, entry, p.fuzzy_name + span + p.fuzzy_coverage * cover.item(entry))
    for entry, priority in found.rules.items():
        lift(values, entry, priority + p.rule_coverage * cover.item(entry))
    return values


@dataclass(frozen=True, eq=False)
class Candidates:
    """The best entries of one question after reranking, and what stands behind the best one."""

    ranked: Sequence[int]  # entry indexes, best first
    scores: Sequence[float]  # their scores, in that order
    backed: bool = False  # a name or a rule found the best entry
    # The question's words that the best entry holds, and the speech's words that the question put in everyday
    # words (the pack's table), each with its IDF.
    held: Mapping[str, float] = field(default_factory=dict)
    described: Mapping[str, float] = field(default_factory=dict)
    shown: Sequence[int] = ()  # what an answer shows, when not the best alone (two entries compared)
    lacking: str | None = None  # what the question asks that the shown entries do not give (unstated's kind)
    # The scope model (bot.matching.scope) reads the question as not about the speech.
    out_of_scope: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome, the best score (rounded), and the entries: shown (answer, unstated) or offered (suggest)."""

    outcome: str  # answer | unstated | suggest | decline
    score: float = 0.0
    entries: tuple[int, ...] = ()
    suggestions: tuple[int, ...] = ()  # an answer's runners-up
    lacking: str | None = None


def decide(candidates: Candidates, policy: Policy = DEFAULT_POLICY) -> Decision:
    """Decline what is out of scope; else answer, offer the entry (the speech does not give what was asked),
    suggest, or decline."""
    p = policy
    c = candidates
    if not c.ranked:
        return Decision("decline")
    best, top = c.ranked[0], c.scores[0]
    score = round(min(1.0, top), 4)
    if (
        c.out_of_scope and not c.backed and score < p.confident
    ):  # a name, a rule or a confident match overrules it
        return Decision("decline", score)
    runner_up = c.scores[1] if len(c.ranked) > 1 else 0.0
    clear_winner = score >= p.clear_winner and score - runner_up >= p.clear_margin
    well_evidenced = not clear_winner and score >= p.described_floor and _well_evidenced(c, score, p)
    tied = sum(1 for value in c.scores[: p.tie_count] if top - value < p.tie_margin)
    distinctive = any(idf >= p.described_idf for idf in c.held.values())
    ambiguous = tied >= p.tie_count and not c.backed and not distinctive
    if (score >= p.confident or clear_winner or well_evidenced) and not ambiguous:
        shown = tuple(c.shown) or (best,)
        if c.lacking is not None:
            return Decision("unstated", score, shown, lacking=c.lacking)
        runners_up = tuple(i for i in c.ranked[1 : 1 + p.max_suggestions] if i not in shown)
        return Decision("answer", score, shown, runners_up)
    if score >= p.suggest:
        offered = zip(c.ranked[: p.max_suggestions], c.scores, strict=False)
        picks = tuple(i for i, value in offered if value >= p.suggest * p.suggest_share)
        return Decision("suggest", score, picks)
    return Decision("decline", score)


def _well_evidenced(c: Candidates, score: float, p: Policy) -> bool:
    """Several distinctive words of the question stand in the best entry, or one it described: a paraphrase,
    however low it scores. Off-topic questions score as low, but share one or two words with an entry, or
    only the domain's common words, whose IDF is small."""
    if (
        score >= p.evidence_floor
        and len(c.held) >= p.evidence_words
        and sum(c.held.values()) >= p.evidence_idf
    ):
        return True
    described = (word for word, idf in c.described.items() if idf >= p.described_idf)
    return (
        score >= p.described_floor
        and len(c.held) >= p.described_words
        and any(w in c.held for w in described)
    )
