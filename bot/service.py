"""The service both front ends call: ask, explain, an entry, a random term, the outline, a search, the quiz bank.

Each returns one Reply (bot.present) or plain values; the console and Telegram differ only in how they render
a Reply and send it. What is answered, which entries are offered and what the log keeps are decided here, once.
The quiz itself (asking, scoring, the 错题本, the score) is `bot.study`, which both front ends share likewise.
"""

from __future__ import annotations

import bisect
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.knowledge import (
    Entry,
    KnowledgeBase,
    KnowledgeError,
    load_knowledge,
    name_key,
    read_yaml,
    shared_file,
)
from bot.matching import Match, Matcher, build_matcher
from bot.navigate import Step, find_sentence, pointed_phrase, read, step_asked
from bot.nearby import runs
from bot.normalize import normalize
from bot.outline import Hit, Outline, SpeechIndex, build_outline, find_word
from bot.present.model import Card, Choice, Reply
from bot.present.replies import card, entry_reply, match_reply

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
# A question about what a role must do (对书记有什么要求, 负责人要做什么), and a sentence asking something.
ROLE_REQUEST = re.compile(
    r"(要求|要做|该做|怎么做|做什么|干什么|干啥|做啥|职责|责任|任务|应该|应当|需要|注意|怎么办|有啥要|有什么要|提了|带头)"
)
DUTY = re.compile(r"(要|必须|应当|务必|带头|坚持|切实|不能|不得|严禁|做到)")
BARE_KEYWORD_CHARS = 8  # a message this short that asks nothing is a keyword: where the speech speaks of it
ASKS_SOMETHING = re.compile(r"(什么|啥|吗|呢|怎么|如何|为何|为什么|哪|谁|几|多少|[?？])")
DIGEST_PASSAGES = 3  # a keyword's digest: the best few sentences, each with where it stands
ROLE_PASSAGES = 5
# A question about the bot itself, or about who gave the speech (a transcript of the genre names no speaker).
ABOUT_THE_BOT = re.compile(
    r"^(?:请问)?(?:你|您)(?:是谁|叫什么|是什么|是干什么的|能做什么|会什么|是机器人吗|是人吗)"
)
WHO_SPOKE = re.compile(
    r"(?:讲话人|讲话的人|讲话者|发言人|作报告的人)(?:是谁|叫什么)|(?:是)?谁(?:讲|作|做)的(?:这篇)?(?:讲话|报告)|这是谁的讲话"
    r"|^(?:这篇|这次)?讲话的是谁"
)
# A claim to check: "讲话是不是说过…", "…对吧", "我记得…是这样吗".
CLAIM = re.compile(
    r"(是不是说过|是不是讲过|是不是提到|是不是提出|有没有说过|有没有讲过|有没有提到|是这样吗|是这么说的吗|是这样说的吗|"
    r"对吗|对吧|对不对|没错吧|没错吗|是吗|是吧|没记错吧|没说错吧|是不是这样|我记得|印象中|好像说|据说|听说讲话)"
)
CLAIM_OVERLAP = (
    0.35  # the share of the claim's two-character runs a sentence must hold to be the one it retells
)
NUMBER = re.compile(r"\d+|[一二两三四五六七八九十百]+(?=[个项条点次年月天倍%])")
SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
# A long message: its clauses that ask something (the rest tells who asks and why) are asked again alone.
LONG_MESSAGE_CHARS = 40
CLAUSE = re.compile(r"[^，。！？；,.!?;…\n]+[，。！？；,.!?;…]*")
ASKING_CLAUSE = re.compile(r"(吗|呢|什么|啥|怎么|怎样|如何|哪|谁|几|多少|有没有|是不是|是否|能否|[？?])")
TELLING_CLAUSE = re.compile(
    r"^(我是|我们是|我在|我刚|刚从|我要|我打算|领导让|谢谢|麻烦|辛苦|请问一下|想问下|我想问)"
)
SEARCH_SHARE = 0.6  # a sentence found by search holds this share of the question's telling runs, by weight
SEARCH_MIN_RUNS = 3
SEARCH_SENTENCES = 2
RANKED_FLOOR = 0.8  # inline mode lists entries scoring at least this share of the matcher's suggest threshold

if TYPE_CHECKING:  # the quiz loads when first used: `ask` starts faster without it
    from bot.quiz import Question


def _spread(hits: tuple[Hit, ...], limit: int) -> list[Hit]:
    """The first hit of each part, then the rest, up to `limit`."""
    first, seen = [], set()
    for hit in hits:
        if hit.where not in seen:
            seen.add(hit.where)
            first.append(hit)
    return (first + [h for h in hits if h not in first])[:limit]


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
class Role:
    """A role speeches ask things of (knowledge/shared/roles.yaml)."""

    name: str
    asked: tuple[str, ...]  # how people name it, longest first
    speech: tuple[str, ...]  # how speeches name it, longest first
    not_within: tuple[str, ...] = ()  # longer words that hold one of `speech` but are not the role


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
        result = self._asking_part(question, self.matcher.match(question))
        # "about": who the bot is or who spoke; declined, and never read as a follow-up (bot.conversation).
        if ABOUT_THE_BOT.search(result.normalized):
            return Answered(
                question, Reply("about", lead=self.about_the_bot()), replace(result, answered=False)
            )
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
                near = tuple(Choice(i, self.kb[i].title) for i in result.suggestions[:3] if i in self.kb)
                return Answered(question, replace(digest, choices=near), result)
        return Answered(question, match_reply(result, self.kb), result)

    def _asking_part(self, question: str, result: Match) -> Match:
        """For a long message not answered with confidence: its asking clauses alone, when they answer with a
        higher score (the story around a question dilutes it)."""
        if len(result.normalized) <= LONG_MESSAGE_CHARS or result.score >= self.matcher.confident:
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

    # --- the speech's sentences searched, when no entry answers ---------------------------------------------

    @cached_property
    def run_weights(self) -> Mapping[str, float]:
        """How telling each two-character run of the speech is: the fewer sentences hold it, the more."""
        counts: dict[str, int] = {}
        for held in self.sentence_runs.values():
            for run in held:
                counts[run] = counts.get(run, 0) + 1
        total = len(self.sentence_runs) or 1
        return MappingProxyType({run: math.log(1 + total / n) for run, n in counts.items()})

    def sentence_search(self, question: str, result: Match) -> Reply | None:
        """The sentences that hold most of what a question names, when no entry answers it and the speech
        does say it: most of the question's telling runs (`SEARCH_SHARE` of their weight) in one sentence.
        Never for a question the matcher found naming what the speech lacks (a slogan, a year)."""
        if self.matcher.absent.absent(result.normalized, question) is not None:
            return None
        asked = runs(ASKS_SOMETHING.sub("", ROLE_REQUEST.sub("", result.normalized)))
        weights = self.run_weights
        wanted = {r: weights[r] for r in asked if r in weights}
        total = sum(wanted.values())
        if (
            len(wanted) < SEARCH_MIN_RUNS
            or total == 0
            or sum(weights.get(r, 0) > 0 for r in asked) < len(asked) / 2
        ):
            return None
        scored = sorted(
            (
                (sum(w for r, w in wanted.items() if r in held) / total, start)
                for start, held in self.sentence_runs.items()
            ),
            reverse=True,
        )
        best = [start for share, start in scored[:SEARCH_SENTENCES] if share >= SEARCH_SHARE * scored[0][0]]
        if scored[0][0] < SEARCH_SHARE:
            return None
        hits = tuple(self._sentence_hit(self.sentence_index(start)) for start in sorted(best))
        return Reply("digest", hits=hits, lead="讲话中说到这件事的原文：")

    # --- reading sentence by sentence ---------------------------------------------------------------------

    def pointed(self, question: str) -> Reply | None:
        """ "X那句前面一句是什么", "X那句的原话": the sentence a message points at by its words, stepped as
        asked; None when it points at none, or at words no one sentence holds."""
        phrase = pointed_phrase(question, self.kb.speech)
        step = step_asked(question)
        if phrase is None or step is None:
            return None
        index = find_sentence(self.sentences, phrase)
        return None if index is None else self.stepped(index, step, f"“{phrase}”那句", phrase)

    def stepped(self, index: int, step: Step, named: str, phrase: str = "") -> Reply | None:
        """The sentences a step reads from the sentence at `index`, each with where it stands."""
        found = read(self.sentences, index, step, phrase)
        if not found:
            return None
        hits = tuple(self._sentence_hit(i) for i in found)
        what = (
            "前后文"
            if step.around or len(found) > 1
            else {-1: "的前一句", 1: "的后一句", 0: "的原文"}[step.move]
        )
        return Reply("digest", hits=hits, lead=f"讲话中{named}{what}：")

    def sentence_index(self, offset: int) -> int:
        """The index of the sentence an offset of the speech stands in."""
        starts = [start for start, _ in self.sentences]
        return max(0, bisect.bisect_right(starts, offset) - 1)

    def _sentence_hit(self, index: int) -> Hit:
        start, text = self.sentences[index]
        return Hit(start, "", text.strip(), "", self.index.where(start))

    # --- digests: where the speech speaks of a word, or of a role ----------------------------------------

    @cached_property
    def sentences(self) -> tuple[tuple[int, str], ...]:
        """The speech's sentences (to 。！？； or a line's end) with where each starts."""
        return tuple((m.start(), m.group()) for m in SENTENCE.finditer(self.kb.speech) if m.group().strip())

    @cached_property
    def sentence_runs(self) -> Mapping[int, set[str]]:
        """Each sentence's two-character runs, by where it starts: read once, for claims and ranking."""
        return MappingProxyType({start: runs(normalize(sentence)) for start, sentence in self.sentences})

    @cached_property
    def speech_lists(self) -> Mapping[str, tuple[str, tuple[tuple[int, str], ...]]]:
        """lists.yaml's lists by the entry they belong to: (label, items with where each starts)."""
        from bot.quiz.lists import load_lists, parse_lists

        try:
            found = parse_lists(load_lists(self.kb).lists, self.kb.speech)
        except KnowledgeError:
            return MappingProxyType({})
        by_entry: dict[str, tuple[str, tuple[tuple[int, str], ...]]] = {}
        for listed in found:
            if listed.spec.entry and listed.spec.entry not in by_entry:
                items = tuple((item.start, item.text) for item in listed.items)
                by_entry[listed.spec.entry] = (listed.spec.label, items)
        return MappingProxyType(by_entry)

    def list_item(self, entry_id: str, n: int) -> Reply | None:
        """The N-th item (N < 0: from the end, -1 the last) of the list an entry holds in lists.yaml, with where
        it stands."""
        if entry_id not in self.speech_lists:
            return None
        label, items = self.speech_lists[entry_id]
        if not 1 <= abs(n) <= len(items):
            return None
        start, text = items[n - 1] if n > 0 else items[n]
        numeral = "一二三四五六七八九十"[abs(n) - 1] if abs(n) <= 10 else str(abs(n))
        place = f"第{numeral}个" if n > 0 else ("最后一个" if n == -1 else f"倒数第{numeral}个")
        hit = Hit(start, "", text, "", self.index.where(start))
        return Reply("item", lead=f"{label}的{place}是：", hits=(hit,))

    @cached_property
    def section_at(self) -> Mapping[str, str]:
        """Each section by its `where` path: the section an entry with that path stands in."""
        return MappingProxyType({e.where: e.id for e in self.kb.entries if e.kind == "section"})

    @cached_property
    def role_words(self) -> frozenset[str]:
        """Every word people name a role by (支部书记): never foreign to a speech of the genre."""
        return frozenset(name for role in self.roles for name in role.asked)

    @cached_property
    def roles(self) -> tuple[Role, ...]:
        """knowledge/shared/roles.yaml: each role, the words people ask with, the words speeches use."""
        path = shared_file(self.kb, "roles.yaml")
        data = read_yaml(path) if path is not None else {}
        return tuple(
            Role(
                str(name),
                tuple(sorted(map(str, spec.get("asked", ())), key=len, reverse=True)),
                tuple(sorted(map(str, spec.get("speech", ())), key=len, reverse=True)),
                tuple(map(str, spec.get("not_within", ()))),
            )
            for name, spec in (data or {}).items()
            if isinstance(spec, dict)
        )

    def passages(
        self,
        words: tuple[str, ...],
        limit: int,
        *,
        duty: bool = False,
        not_within: tuple[str, ...] = (),
        relevant: set[str] | None = None,
    ) -> tuple[Hit, ...]:
        """Sentences holding one of the words (outside the longer words `not_within`: 书记 in 总书记; and
        asking something, for `duty`), one per part of the speech first, then the rest, in the speech's
        order; each split around its word, with where it stands."""
        found: list[Hit] = []
        starts: list[int] = []  # where each found sentence starts (its runs are read by that)
        for start, sentence in self.sentences:
            plain_sentence = sentence
            for longer in not_within:
                plain_sentence = plain_sentence.replace(longer, "\0" * len(longer))
            word = next((w for w in words if w in plain_sentence), None)
            if word is None or (duty and not DUTY.search(sentence)):
                continue
            at = plain_sentence.index(word)
            before, after = sentence[:at].lstrip(), sentence[at + len(word) :].rstrip()
            found.append(Hit(start + at, before, word, after, self.index.where(start)))
            starts.append(start)
        if relevant:  # the sentences sharing most of the question's words first (then in the speech's order)
            order = sorted(
                zip(found, starts, strict=True), key=lambda f: -len(relevant & self.sentence_runs[f[1]])
            )
            found = [hit for hit, _ in order]
        return tuple(sorted(_spread(tuple(found), limit), key=lambda h: h.offset))

    def claim(self, question: str, result: Match) -> Reply | None:
        """A claim about the speech, checked against the sentence it retells: that sentence first (said to
        differ when a number of the claim is not in it), then the entry that answers, if any."""
        said = CLAIM.sub("", question)
        wanted = runs(normalize(said))
        if len(wanted) < 4:
            return None
        best, best_share = None, 0.0
        for start, sentence in self.sentences:
            share = len(wanted & self.sentence_runs[start]) / len(wanted)
            if share > best_share:
                best, best_share = (start, sentence), share
        if best is None or best_share < CLAIM_OVERLAP:
            return None
        start, sentence = best
        numbers = {n for n in NUMBER.findall(normalize(said))}
        differs = any(n not in normalize(sentence) for n in numbers)
        lead = "讲话原文不是这样说的。原文是：" if differs else "讲话原文是这样说的："
        hit = Hit(start, "", sentence.strip(), "", self.index.where(start))
        shown = match_reply(result, self.kb) if result.answered else Reply("claim")
        return Reply("claim", shown.cards, shown.choices, lead, hits=(hit,))

    def role_digest(self, normalized: str, topic: str = "") -> Reply | None:
        """What the speech asks of the role the question names, when it asks for that role's duties; with a
        `topic` (a follow-up: 那支部书记呢), what the speech says of that role there, ranked by the topic."""
        if not topic and not ROLE_REQUEST.search(normalized):
            return None
        named = [role for role in self.roles if any(a in normalized for a in role.asked)]
        if not named:
            return None
        role = max(named, key=lambda r: max(len(a) for a in r.asked if a in normalized))
        rest = ROLE_REQUEST.sub("", normalized) + topic
        for word in role.asked:
            rest = rest.replace(word, "")
        hits = self.passages(
            role.speech, ROLE_PASSAGES, duty=not topic, not_within=role.not_within, relevant=runs(rest)
        )
        if not hits:
            return None
        if topic:
            return Reply("digest", hits=hits[:3], lead=f"讲话在这方面说到{role.name}的地方，主要有这些：")
        return Reply("digest", hits=hits, lead=f"讲话对{role.name}提出的要求，主要有这些：")

    def keyword_digest(self, question: str) -> Reply | None:
        """A bare keyword (监督, 年轻干部 培养): the best few sentences that hold it, each with where."""
        words = [w for w in re.split(r"[\s,，、;；/]+", question.strip()) if w]
        if not words or len("".join(words)) > BARE_KEYWORD_CHARS or ASKS_SOMETHING.search(question):
            return None
        if not all(w in self.kb.speech for w in words):
            return None
        every = self.passages((words[0],), len(self.sentences))
        hits = tuple(h for h in every if all(w in h.before + h.word + h.after for w in words))
        if not hits:
            return None
        best = tuple(sorted(_spread(hits, DIGEST_PASSAGES), key=lambda h: h.offset))
        return Reply(
            "digest", hits=best, lead=f"讲话中讲到“{' '.join(words)}”的地方主要有这些（共 {len(hits)} 处）："
        )

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
        from bot.quiz import questions_about

        return questions_about(self.questions, topic, self.matcher)
