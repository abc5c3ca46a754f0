"""The question bank: each draft given its entry, an option order and an id, kept when it meets every check."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.knowledge import Entry, KnowledgeBase, name_key
from bot.quiz.checks import check
from bot.quiz.generators import GENERATORS
from bot.quiz.lists import ListsFile
from bot.quiz.model import FALSE, TRUE, TRUEFALSE, Draft, Question
from bot.quiz.parse import parse
from bot.quiz.text import digest

KIND_ORDER = {"term": 0, "fact": 1, "section": 2}  # the most specific kind of entry first


@dataclass(frozen=True)
class EntryIndex:
    """The knowledge base indexed for finding a question's entry: by name, and by where its quotes stand."""

    by_name: dict[str, tuple[Entry, ...]]
    spans: tuple[tuple[Entry, tuple[tuple[int, int], ...], tuple[str, ...]], ...]
    by_id: Mapping[str, Entry]

    @classmethod
    def build(cls, kb: KnowledgeBase) -> EntryIndex:
        by_name: dict[str, list[Entry]] = {}
        spans = []
        for entry in kb.entries:
            keys = tuple(dict.fromkeys(name_key(n) for n in entry.names))
            for key in keys:
                by_name.setdefault(key, []).append(entry)
            found = []
            for quote in entry.quotes:
                at = kb.speech.find(quote)
                while at != -1:
                    found.append((at, at + len(quote)))
                    at = kb.speech.find(quote, at + 1)
            spans.append((entry, tuple(found), tuple(k for k in keys if len(k) >= 2)))
        return cls({k: tuple(v) for k, v in by_name.items()}, tuple(spans), kb.by_id)

    def find(self, start: int, evidence: str, focus: Sequence[str]) -> Entry | None:
        """The most specific entry: one named by the focus, else the one whose quotes cover the evidence."""
        named = [e for f in focus if f for e in self.by_name.get(name_key(f), ())]
        if named:
            return min(named, key=lambda e: (sum(map(len, e.quotes)), e.id))
        end = start + len(evidence)
        text = name_key(evidence)
        best: tuple[tuple[int, int, int, int], Entry] | None = None
        for entry, spans, keys in self.spans:
            overlap = max((min(end, b) - max(start, a) for a, b in spans), default=0)
            if overlap <= 0:
                continue
            named_inside = any(k in text for k in keys)
            score = (-int(named_inside), -overlap, KIND_ORDER.get(entry.kind, 3), sum(map(len, entry.quotes)))
            if best is None or score < best[0]:
                best = (score, entry)
        return best[1] if best else None


def finish(draft: Draft, entries: EntryIndex, speech: str) -> Question | None:
    """The question a draft makes, or None when it has no entry or breaks a check."""
    start, end = draft.about or (draft.start, draft.start + len(draft.evidence))
    entry = entries.find(start, speech[start:end], draft.focus) or entries.by_id.get(draft.entry)
    if entry is None:
        return None
    if draft.type == TRUEFALSE:
        options: list[str] = [TRUE, FALSE]
    else:
        options = [*draft.answers, *draft.others]
        random.Random(digest(draft.question, *options)).shuffle(options)
    question_digest = digest(draft.type, draft.question, *sorted(options))[:10]
    question = Question(
        id=f"{draft.type}-{entry.id}-{question_digest}",
        type=draft.type,
        question=draft.question,
        options=tuple(options),
        correct=tuple(i for i, o in enumerate(options) if o in draft.answers),
        explanation=draft.explanation,
        evidence=draft.evidence,
        entry_id=entry.id,
        about=" ".join(entry.names),
    )
    return None if check(question, speech) else question


@lru_cache(maxsize=4)
def build_bank(
    speech: str, entries: tuple[Entry, ...], lists: ListsFile, closing_marker: str
) -> tuple[Question, ...]:
    """Every question the generators make that meets every check, in a fixed order, without repeats."""
    index = EntryIndex.build(KnowledgeBase(speech=speech, entries=entries))
    parsed = parse(speech, lists, closing_marker)
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    bank = []
    for generate in GENERATORS:
        for draft in generate(parsed):
            if draft.question in seen_texts:
                continue
            question = finish(draft, index, speech)
            if question is None or question.id in seen_ids:
                continue
            seen_ids.add(question.id)
            seen_texts.add(question.question)
            bank.append(question)
    return balanced(bank)


def balanced(bank: Sequence[Question]) -> tuple[Question, ...]:
    """The bank with as many true statements as false ones (the generators make more false ones, and a quiz
    where 错误 is right two times in three teaches guessing): the surplus of one verdict is left out, by a
    fixed digest, so the same pack keeps the same questions."""
    verdicts = {
        verdict: [q for q in bank if q.type == TRUEFALSE and q.answers == (verdict,)]
        for verdict in (TRUE, FALSE)
    }
    keep = min(len(group) for group in verdicts.values())
    dropped = {q.id for group in verdicts.values() for q in sorted(group, key=lambda q: digest(q.id))[keep:]}
    return tuple(q for q in bank if q.id not in dropped)
