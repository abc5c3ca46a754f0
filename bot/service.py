"""The service both front ends call: a question, an entry, a term → one Reply (bot.present), and what to log.

The console and Telegram differ only in how they render a Reply and send it; what is answered, which entries
are offered and what the log keeps are decided here, once.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.knowledge import Entry, KnowledgeBase, name_key
from bot.matching import Match, Matcher
from bot.present.model import Reply
from bot.present.replies import entry_reply, match_reply


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
    """One pack and its matcher; made once per pack (and again on /reload)."""

    kb: KnowledgeBase
    matcher: Matcher
    names: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names: dict[str, str] = {}
        for entry in self.kb.entries:
            for name in entry.names:
                names.setdefault(name_key(name), entry.id)
        object.__setattr__(self, "names", MappingProxyType(names))

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
        terms = [e for e in self.kb.entries if e.kind == "term"] or list(self.kb.entries)
        return entry_reply((rng or random).choice(terms), self.kb)
