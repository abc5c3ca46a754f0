"""The service both front ends call: ask, explain, an entry, a random term, the outline, a search, the quiz bank.

Each returns one Reply (bot.present) or plain values; the console and Telegram differ only in how they render
a Reply and send it. What is answered, which entries are offered and what the log keeps are decided here, once.
The quiz itself (asking, scoring, the 错题本, the score) is `bot.study`, which both front ends share likewise.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.courtesy import REPLIES as COURTESY_REPLIES
from bot.courtesy import courtesy
from bot.knowledge import (
    Entry,
    KnowledgeBase,
    load_knowledge,
    name_key,
)
from bot.matching import Match, Matcher, build_matcher
from bot.matching.result import refused
from bot.matching.unstated import gives
from bot.normalize import normalize
from bot.outline import Outline, SpeechIndex, build_outline, find_word
from bot.present.model import Card, Reply
from bot.present.replies import card, choice_of, entry_reply, match_reply
from bot.reading import CLAIM, SpeechReading

# A question about the speech as a whole: what it is about, its parts, its structure, its main points.
WHOLE_SPEECH = re.compile(
    r"(这篇讲话|这次讲话|整篇讲话|讲话全文|讲话|这篇|这次会议|会议|报告)"
    r"(?:的|主要|大概|大致|一共|总共|总体|整体|都|分|有|包括|包含|上|里|中|是|从)*"
    r"(讲了什么|讲了啥|讲的什么|讲的啥|说了什么|说了啥|讲了哪些|主要内容|内容是什么|内容有哪些|结构|框架|脉络|要点|"
    r"几个部分|几部分|哪几部分|哪些部分|哪几块|几块|先讲什么|提纲|梗概)"
    r"|(概括|总结|梳理|归纳|介绍)一下.{0,6}(讲话|会议|报告|这篇)(?:的)?(内容|要点|主要内容|结构)?"
)
OVERVIEW_TITLE = "讲话的结构"
OVERVIEW_QUOTE_CHARS = 60  # each part's quote in the overview is its first, cut at a pause to this length
# A question about the bot itself, or about who gave the speech (a transcript of the genre names no speaker).
ABOUT_THE_BOT = re.compile(
    r"^(?:请问)?(?:你|您)(?:是谁|叫什么|是什么|是干什么的|能做什么|会什么|是机器人吗|是人吗)"
)
WHO_SPOKE = re.compile(
    r"(?:讲话人|讲话的人|讲话者|发言人|作报告的人)[^。？！]{0,12}(?:是谁|叫什么|名字)|(?:是)?谁(?:讲|作|做)的(?:这篇)?(?:讲话|报告)|这是谁的讲话"
    r"|^(?:这篇|这次)?讲话的是谁"
)
# A task the bot does not do, however much of the speech it quotes: translating it (译成日文, 英语翻译).
TRANSLATION = re.compile(r"翻译成|译成|翻成[英日法俄德]|(?:用|的)英[文语](?:怎么|是|翻译)|英[文语]翻译")
# A long message: its clauses that ask something (the rest tells who asks and why) are asked again alone.
LONG_MESSAGE_CHARS = 40
MID_MESSAGE_CHARS = 24  # … and one this long, when it is not answered at all
CLAUSE = re.compile(r"[^，。！？；,.!?;…\s]+[，。！？；,.!?;…\s]*")
ASKING_CLAUSE = re.compile(r"(吗|呢|什么|啥|怎么|怎样|如何|哪|谁|几|多少|有没有|是不是|是否|能否|[？?])")
TELLING_CLAUSE = re.compile(
    r"^(我是|我们是|我在|我刚|刚从|我要|我打算|领导让|谢谢|麻烦|辛苦|请问一下|想问下|我想问)"
)
RANKED_FLOOR = 0.8  # inline mode lists entries scoring at least this share of the matcher's suggest threshold

if TYPE_CHECKING:  # the quiz loads when first used: `ask` starts faster without it
    from bot.quiz import Question


def _short_quote(quotes: tuple[str, ...]) -> str:
    """The first quote (where the part begins), cut at a pause (，；：、) when longer than OVERVIEW_QUOTE_CHARS:
    still verbatim."""
    if not quotes:
        return ""
    quote = quotes[0]
    if len(quote) <= OVERVIEW_QUOTE_CHARS:
        return quote
    cut = max(quote.rfind(p, 0, OVERVIEW_QUOTE_CHARS) for p in "，；：、")
    return quote[:cut] if cut > 10 else quote[:OVERVIEW_QUOTE_CHARS]


# Replies built here from the speech's own sentences, whatever the matcher decided: answers all.
ANSWERING_OUTCOMES = frozenset({"digest", "claim", "item"})


@dataclass(frozen=True, slots=True)
class Answered:
    """A question and its reply; `match` is None when the reply is an entry asked for by its exact name."""

    question: str
    reply: Reply
    match: Match | None = None

    @property
    def answered(self) -> bool:
        if self.reply.outcome in ANSWERING_OUTCOMES:
            return True
        return self.match.answered if self.match is not None else True

    @property
    def entry_id(self) -> str | None:
        if self.match is not None:
            return self.match.entry_id
        return self.reply.entry_ids[0] if self.reply.entry_ids else None


NUMERALS = set("0123456789一二两三四五六七八九十百第个条项点")


def numeral_only(entry: Entry, normalized: str) -> bool:
    """Whether all the entry's names share with the question is numerals (三个, 第二): such an entry is no
    answer to offer. One that shares nothing literally (found through synonyms or sound) is kept."""
    shared = set()
    for name in entry.names:
        key = normalize(name)
        shared |= {key[i : i + 2] for i in range(len(key) - 1) if key[i : i + 2] in normalized}
    return bool(shared) and all(set(pair) & NUMERALS for pair in shared)


@dataclass(frozen=True)
class Service(SpeechReading):
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
        _ = self.outline, self.index, self.questions, self.sentence_runs
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
        from bot.quiz import all_questions

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
        kind = courtesy(question)
        if kind is not None:  # thanks, 好的, 🙏: a kind word back, not a search of the speech
            said = refused(question, normalize(question), "courtesy")  # nothing to match: no entry, score 0
            return Answered(question, Reply("courtesy", lead=COURTESY_REPLIES[kind]), said)
        result = self._asking_part(question, self.matcher.match(question))
        # "about": who the bot is or who spoke; declined, and never read as a follow-up (bot.conversation).
        if ABOUT_THE_BOT.search(result.normalized):
            return Answered(
                question, Reply("about", lead=self.about_the_bot()), replace(result, answered=False)
            )
        # A task, not a question about the speech: said so, and declined.
        if TRANSLATION.search(result.normalized):
            lead = f"{self.about_the_bot()}翻译不在我能做的范围内。"
            return Answered(question, Reply("about", lead=lead), replace(result, answered=False))
        if WHO_SPOKE.search(result.normalized):
            return Answered(question, Reply("about", lead=self.who_spoke()), replace(result, answered=False))
        if WHOLE_SPEECH.search(result.normalized) and not self.named_in(result.normalized):
            return Answered(question, Reply("answer", (self.overview(),), ()))
        pointed = self.pointed(question)
        if pointed is not None:
            return Answered(question, pointed, result)
        claim = self.claim(question, result) if CLAIM.search(question) else None
        if claim is not None:
            return Answered(question, claim, result)
        if not result.answered and result.outcome in ("suggest", "decline"):
            digest = (
                self.role_digest(result.normalized)
                or self.keyword_digest(question)
                or self.sentence_search(question, result)
            )
            if digest is not None:  # the entries the matcher found nearest are offered under it
                near = tuple(
                    choice_of(self.kb[i])
                    for i in result.suggestions[:3]
                    if i in self.kb and not numeral_only(self.kb[i], result.normalized)
                )
                return Answered(question, replace(digest, choices=near), result)
        if result.outcome == "suggest":  # "did you mean": only entries that share words, not a bare 三
            near = tuple(
                i
                for i in result.suggestions
                if i in self.kb and not numeral_only(self.kb[i], result.normalized)
            )
            result = replace(result, suggestions=near, outcome="suggest" if near else "decline")
        return self._focused(question, result)

    def _focused(self, question: str, result: Match) -> Answered:
        """The matcher's reply, with the sentences that say what was asked when its cards do not show them;
        an entry offered because its card lacks a date or a figure is the answer when such a sentence gives it."""
        if result.outcome not in ("answer", "unstated") or not result.entry_ids:
            return Answered(question, match_reply(result, self.kb), result)
        cards = [self.kb[i] for i in result.entry_ids if i in self.kb]
        shown = "".join(
            c for c in normalize("".join(e.answer + "".join(e.quotes) for e in cards)) if c.isalnum()
        )
        hits = self.focus(result.normalized, shown)
        if hits and result.outcome == "unstated" and gives(result.lacking, "".join(h.word for h in hits)):
            result = replace(
                result, answered=True, entry_id=result.entry_ids[0], outcome="answer", lacking=""
            )
        reply = match_reply(result, self.kb)
        if hits and reply.outcome == "answer":
            reply = replace(reply, hits=hits)
        return Answered(question, reply, result)

    def _asking_part(self, question: str, result: Match) -> Match:
        """For a long message not answered with confidence: its asking clauses alone, when they answer with a
        higher score (the story around a question dilutes it)."""
        if result.score >= self.matcher.confident or len(result.normalized) <= MID_MESSAGE_CHARS:
            return result
        if len(result.normalized) <= LONG_MESSAGE_CHARS and result.answered:
            return result
        clauses = [c for c in CLAUSE.findall(question) if c.strip()]
        asking = [c for c in clauses if ASKING_CLAUSE.search(c)]
        if not asking or len(asking) == len(clauses):
            return result
        # The first asking clause with the ones after it that ask too; a clause that only tells is left out.
        core = "".join(
            c for c in clauses[clauses.index(asking[0]) :] if c in asking and not TELLING_CLAUSE.match(c)
        )
        core = core or asking[0]
        narrowed = self.matcher.match(core)
        if narrowed.answered and (not result.answered or narrowed.score > result.score):
            return replace(narrowed, question=question)
        return result

    def about_the_bot(self) -> str:
        pack = self.kb.pack
        return f"我是讲话学习助手，只讲{pack.meeting}上的讲话：每个回答都引用讲话原文，并注明出处。"

    def who_spoke(self) -> str:
        """The transcript names no speaker: say so first, then what the pack knows (the body spoken for)."""
        body = self.kb.pack.body
        said = f"讲话是代表{body}作的，" if body else ""
        return f"讲话原文没有写讲话人的姓名和职务。{said}会议是{self.kb.pack.meeting}。"

    def overview(self) -> Card:
        """The speech as a whole, from its outline: each top-level part in order, with its own parts' titles,
        and a short quote of each where it stands."""
        lines, quotes = [], []
        for number, part_id in enumerate(self.outline.children.get("", ()), 1):
            part = self.kb[part_id]
            lines.append(f"{number}. {part.title}")
            for child_id in self.outline.children.get(part_id, ()):
                child = self.kb[child_id]
                below = "；".join(self.kb[g].title for g in self.outline.children.get(child_id, ()))
                lines.append(f"   · {child.title}" + (f"：{below}" if below else ""))
            # A quote of the part, and of each of its parts that is a list of its own (the requirements).
            listed = [c for c in self.outline.children.get(part_id, ()) if self.outline.children.get(c)]
            for shown in (part_id, *listed):
                quote = _short_quote(self.kb[shown].quotes)
                if quote and quote not in quotes:
                    quotes.append(quote)
        # No entry of the pack: "" keeps it out of the statistics and of the follow-up context.
        return Card("", OVERVIEW_TITLE, "讲话依次讲了：\n" + "\n".join(lines), tuple(quotes), "全文")

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
        children = tuple(choice_of(self.kb[c]) for c in self.outline.children.get(entry_id, ()))
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
        from bot.quiz import questions_about

        return questions_about(self.questions, topic, self.matcher)
