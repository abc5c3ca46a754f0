"""The service both front ends call: ask, explain, an entry, a random term, the outline, a search, the quiz bank.

Each returns one Reply (bot.present) or plain values; the console and Telegram differ only in how they render
a Reply and send it. What is answered, which entries are offered and what the log keeps are decided here, once.
The quiz itself (asking, scoring, the 错题本, the score) is `bot.study`, which both front ends share likewise.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from bot.knowledge import Entry, KnowledgeBase, load_knowledge, name_key
from bot.matching import Match, Matcher, build_matcher
from bot.normalize import normalize
from bot.outline import Outline, SpeechIndex, build_outline, find_word
from bot.present.model import Choice, Reply
from bot.present.replies import card, entry_reply, match_reply
from bot.quiz import Question, all_questions, questions_about

RANKED_FLOOR = 0.8  # inline mode lists entries scoring at least this share of the matcher's suggest threshold


@dataclass(frozen=True, slots=True)
class Answered:
    """A question and its reply; `match` is None when the reply is an entry asked for by its exact name."""

    question: str
    reply: Reply
    match: Match | None = None

    @property
    def answered(self) -> bool:
        return self.match.answered if self.match is not None else True

    @property
    def entry_id(self) -> str | None:
        if self.match is not None:
            return self.match.entry_id
        return self.reply.entry_ids[0] if self.reply.entry_ids else None


@dataclass(frozen=True)
class Service:
    """One pack and its matcher, made once per pack (and again on /reload); what is derived from them (the
    outline, the search index, the quiz bank) is built when first used, or at once by `warm`."""

    kb: KnowledgeBase
    matcher: Matcher
    names: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names: dict[str, str] = {}
        for entry in self.kb.entries:
            for name in entry.names:
                names.setdefault(name_key(name), entry.id)
        object.__setattr__(self, "names", MappingProxyType(names))

    @classmethod
    def load(cls, directory: Path) -> Service:
        """Read and check the folder, load jieba, build everything: blocking, so call it in a thread.
        Raises KnowledgeError."""
        return cls.of(load_knowledge(directory)).warm()

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Service:
        return cls(kb, build_matcher(kb))

    def warm(self) -> Service:
        """Build the derived tables now (a bot builds them in a thread before it serves, not on a question)."""
        _ = self.outline, self.index, self.questions
        return self

    @cached_property
    def outline(self) -> Outline:
        return build_outline(self.kb, self.matcher.rules.children)

    @cached_property
    def index(self) -> SpeechIndex:
        return SpeechIndex.of(self.kb)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """The quiz bank of this pack."""
        return tuple(all_questions(self.kb))

    @cached_property
    def name_list(self) -> tuple[tuple[str, str], ...]:
        """Every name of two characters or more, normalised, with its entry: longest first."""
        pairs = {
            (normalize(name), entry.id) for entry in self.kb.entries for name in entry.names if len(name) >= 2
        }
        return tuple(sorted((p for p in pairs if len(p[0]) >= 2), key=lambda p: (-len(p[0]), p)))

    def named_in(self, normalized: str) -> list[str]:
        """The entries whose own names (title, aliases) a normalised question contains, longest name first."""
        return list(dict.fromkeys(entry_id for name, entry_id in self.name_list if name in normalized))

    @cached_property
    def terms(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.kb.entries if e.kind == "term")

    # --- answers -------------------------------------------------------------------------------------------

    def ask(self, question: str) -> Answered:
        result = self.matcher.match(question)
        return Answered(question, match_reply(result, self.kb), result)

    def entry(self, entry_id: str) -> Reply | None:
        entry = self.kb.get(entry_id)
        return entry_reply(entry, self.kb) if entry is not None else None

    def by_name(self, text: str) -> Entry | None:
        """The entry called exactly this (title or alias; width, case and quote marks ignored)."""
        entry_id = self.names.get(name_key(text))
        return self.kb.get(entry_id) if entry_id else None

    def explain(self, term: str) -> Answered:
        """The entry of that exact name when there is one, else the answer to it as a question."""
        entry = self.by_name(term)
        if entry is None:
            return self.ask(term)
        return Answered(term, entry_reply(entry, self.kb))

    def random_term(self, rng: random.Random | None = None) -> Reply:
        """A term card (for /random); any entry when the pack has no terms."""
        terms = [self.kb[t] for t in self.terms] or list(self.kb.entries)
        return entry_reply((rng or random).choice(terms), self.kb)

    def ranked(self, question: str, limit: int = 10) -> list[Entry]:
        """The best entries for a question, best first, for inline mode's list of cards."""
        normalized = normalize(question[:300])
        if not any(c.isalnum() for c in normalized):
            return []
        scores, _, _ = self.matcher.scores(normalized)
        floor = self.matcher.suggest * RANKED_FLOOR
        order = sorted((i for i, s in scores.items() if s >= floor), key=lambda i: (-scores[i], i))
        return [self.matcher.entries[i] for i in order[:limit]]

    # --- reading -------------------------------------------------------------------------------------------

    def sections(self, entry_id: str = "") -> Reply | None:
        """The outline ("" : its top level) or one part: the part's card, and its own parts as choices.
        None when `entry_id` is no section (a stale button)."""
        if entry_id and entry_id not in self.outline:
            return None
        children = tuple(Choice(c, self.kb[c].title) for c in self.outline.children.get(entry_id, ()))
        cards = (card(self.kb[entry_id]),) if entry_id else ()
        return Reply("sections", cards, children)

    def search(self, word: str) -> Reply:
        """Every place a word stands in the speech, in order, each with where it stands; `not_found` else."""
        found = find_word(self.kb.speech, word) if word.strip() else None
        if found is None:
            return Reply("not_found", lead=word.strip())
        return Reply("search", hits=tuple(self.index.hits(*found)), lead=word.strip())

    def search_at(self, offset: int, length: int) -> Reply:
        """The same search by where its word first stands (a page button keeps only that)."""
        hits = tuple(self.index.hits(offset, length))
        return Reply("search", hits=hits) if hits else Reply("not_found")

    def quiz_pool(self, topic: str) -> list[Question]:
        """The bank's questions on a topic (none when the speech does not speak of it): /quiz 词 in both front
        ends."""
        return questions_about(self.questions, topic, self.matcher)
