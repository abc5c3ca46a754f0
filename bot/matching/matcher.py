"""The matcher: a question read once, the layers run on it, their findings weighed and decided, the decision
worded. Built once per pack; `match` is then pure and fast."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

import jieba
import numpy as np

from bot.knowledge import Entry, KnowledgeBase
from bot.matching.decide import DEFAULT_POLICY, Candidates, Decision, Findings, Policy, combine, decide
from bot.matching.index import Name, PackIndex, build_index
from bot.matching.layers import coverage, examples, names
from bot.matching.layers.absent import Absent
from bot.matching.layers.rules import Rules, rule_targets
from bot.matching.postings import Postings
from bot.matching.reading import Reading, read
from bot.matching.rerank import Lists, compared, lift_ordinals
from bot.matching.result import Match, refused
from bot.matching.scope import ScopeModel
from bot.matching.scores import ranked, scored
from bot.matching.unstated import lacking
from bot.normalize import normalize

MAX_QUESTION_CHARS = 300


class Matcher:
    """Built once from the knowledge base (jieba loaded, names indexed); `match` is then pure and fast."""

    def __init__(
        self,
        kb: KnowledgeBase,
        rules: Rules | None = None,
        *,
        synonyms: Mapping[str, str] | None = None,
        thesaurus: Iterable[Sequence[str]] | Callable[[], Iterable[Sequence[str]]] = (),
        thesaurus_key: str | None = None,
        examples: Mapping[str, Sequence[str]] | None = None,
        confident: float | None = None,
        suggest: float | None = None,
        clear_winner: float | None = None,
        policy: Policy = DEFAULT_POLICY,
        scope: ScopeModel | None = None,
    ) -> None:
        self.kb = kb
        self.rules = rules or Rules()
        thresholds = {"confident": confident, "suggest": suggest, "clear_winner": clear_winner}
        self.policy = replace(policy, **{k: v for k, v in thresholds.items() if v is not None})
        self.index: PackIndex = build_index(
            kb, synonyms=synonyms, thesaurus=thesaurus, thesaurus_key=thesaurus_key, examples=examples
        )
        self.lists = Lists(self.index.entries, self.rules.children, self.index.index_of)
        self.scope = scope
        self.absent = Absent(normalize(kb.speech), (normalize(n) for e in kb.entries for n in e.names))

    # ---- what other modules read -----------------------------------------------------------------

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.index.entries

    @property
    def confident(self) -> float:
        return self.policy.confident

    @property
    def suggest(self) -> float:
        return self.policy.suggest

    @property
    def clear_winner(self) -> float:
        return self.policy.clear_winner

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        return self.index.lexicon.tokenizer

    @property
    def _tokens(self) -> Postings:  # tests/test_thesaurus.py reads the known words here
        return self.index.tokens

    @property
    def _thesaurus(self) -> Mapping[str, str]:  # … and the thesaurus's mapping here
        return self.index.lexicon.thesaurus

    def read(self, normalized: str) -> Reading:
        """A normalised question read once, for the layers."""
        return read(normalized, self.index.lexicon)

    def tokens(self, normalized: str) -> list[str]:
        """Content tokens of a normalised text (search mode, the pack's table applied), as the entries are read."""
        return self.index.lexicon.tokens(normalized)

    def question_tokens(self, normalized: str) -> list[str]:
        """A question's content tokens, as coverage counts them."""
        return list(self.read(normalized).tokens)

    # ---- the pipeline ----------------------------------------------------------------------------

    def _layers(self, reading: Reading) -> tuple[np.ndarray, names.NameHits, dict[str, tuple[float, str]]]:
        """Every layer on the reading, combined: a score per entry (-inf: none), the names, the rules fired."""
        index = self.index
        found_names = names.find(reading, index, self.policy.fuzzy_cutoff)
        covered = coverage.coverage(reading, index)
        rule_hits = rule_targets(reading, index, self.rules)
        findings = Findings(
            size=len(index.entries),
            coverage=covered.shares,
            unknown=covered.unknown,
            examples=examples.nearest(reading, index),
            exact=[(name.entry, end - start) for start, end, name in found_names.exact],
            heard=[(name.entry, end - start) for start, end, name in found_names.heard],
            fuzzy=found_names.fuzzy,
            rules={index.index_of[entry_id]: priority for entry_id, (priority, _) in rule_hits.items()},
        )
        return combine(findings, self.policy), found_names, rule_hits

    def scores(
        self, normalized: str
    ) -> tuple[dict[int, float], list[tuple[int, int, Name]], dict[str, tuple[float, str]]]:
        """Every candidate entry's score, the name hits (written first, then heard) and the rules that fired."""
        values, found_names, rule_hits = self._layers(self.read(normalized))
        return scored(values), found_names.hits, rule_hits

    def decision(self, normalized: str) -> Decision:
        """The decision on a normalised question, before it is worded."""
        reading = self.read(normalized)
        values, found_names, rule_hits = self._layers(reading)
        hits = found_names.hits
        best_few = ranked(values)
        if not best_few:
            return decide(Candidates((), ()), self.policy)
        lift_ordinals(reading, hits, best_few, values, self.lists, self.rules.ordinal)
        best_few = ranked(values)
        best = best_few[0]
        shown = compared(reading, found_names.entries(), self.rules.compare) or (best,)
        candidates = Candidates(
            ranked=best_few,
            scores=[values.item(i) for i in best_few],
            backed=any(name.entry == best for _, _, name in hits) or self.entries[best].id in rule_hits,
            held=coverage.evidence(reading, self.index, best),
            described=coverage.described(reading, self.index),
            shown=shown,
            lacking=lacking(reading, [self.entries[i] for i in shown]),
            out_of_scope=self.scope is not None and self.scope.declines(normalized),
        )
        return decide(candidates, self.policy)

    def match(self, question: str) -> Match:
        """Best entry for a question, or suggestions, or a decline."""
        if not isinstance(question, str):
            question = str(question)
        normalized = normalize(question[: MAX_QUESTION_CHARS * 20])
        if not any(c.isalnum() for c in normalized):
            return refused(question, normalized, "empty")
        if len(normalized) > MAX_QUESTION_CHARS:
            return refused(question, normalized[:MAX_QUESTION_CHARS], "too_long")
        if self.absent.absent(normalized, question) is not None:
            return refused(question, normalized, "decline")  # a slogan or a year the speech never names
        decision = self.decision(normalized)
        ids = tuple(self.entries[i].id for i in decision.entries)
        if decision.outcome == "answer":
            runners_up = tuple(self.entries[i].id for i in decision.suggestions)
            return Match(question, normalized, True, ids[0], decision.score, runners_up, ids, "answer")
        if decision.outcome == "unstated":
            # The reply says first that the speech does not give it, then what the speech says of it. What is
            # asked (the items of a slogan it only names, a date, a procedure) is not in the speech, so this is
            # no answer, though the reply shows the context: people who label such questions agree.
            lacking = decision.lacking or "contents"
            return Match(question, normalized, False, ids[0], decision.score, ids, ids, "unstated", lacking)
        return Match(question, normalized, False, None, decision.score, ids, (), decision.outcome)
