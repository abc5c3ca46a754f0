"""What the service reads in the speech's own sentences, whatever the matcher decided: digests of where a word
or a role stands, the check of a claim, a list's N-th item, the sentence search, and reading sentence by
sentence. A mixin of `bot.service.Service` (it uses the pack, the matcher and the index the service holds).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.knowledge import KnowledgeError, read_yaml, shared_file
from bot.navigate import Step, find_sentence, pointed_phrase, read, step_asked
from bot.nearby import runs
from bot.normalize import normalize
from bot.outline import Hit
from bot.present.model import Reply
from bot.present.replies import match_reply

if TYPE_CHECKING:
    from bot.knowledge import KnowledgeBase
    from bot.matching import Match, Matcher
    from bot.outline import SpeechIndex

# A question about what a role must do (对书记有什么要求, 负责人要做什么), and a sentence asking something.
ROLE_REQUEST = re.compile(
    r"(要求|要做|该做|怎么做|做什么|干什么|干啥|做啥|职责|责任|任务|应该|应当|需要|注意|怎么办|有啥要|有什么要|提了|带头)"
)
DUTY = re.compile(r"(要|必须|应当|务必|带头|坚持|切实|不能|不得|严禁|做到)")
# How a request for the speech's words is framed (原文是什么, 想引用): no words of what is asked.
FRAMING = re.compile(
    r"讲话|原话|原文|原句|怎么说的?|怎么讲的?|咋说的?|(?:想|要|直接)?引用|给我|帮我|我想|想讲讲|讲讲|说说|写材料|材料里|稿子?里"
)
BARE_KEYWORD_CHARS = 8  # a message this short that asks nothing is a keyword: where the speech speaks of it
ASKS_SOMETHING = re.compile(r"(什么|啥|吗|呢|怎么|如何|为何|为什么|哪|谁|几|多少|[?？])")
DIGEST_PASSAGES = 3  # a keyword's digest: the best few sentences, each with where it stands
ROLE_PASSAGES = 5
# A claim to check: "讲话是不是说过…", "…对吧", "我记得…是这样吗".
CLAIM_OVERLAP = (
    0.35  # the share of the claim's two-character runs a sentence must hold to be the one it retells
)
NUMBER = re.compile(r"\d+|[一二两三四五六七八九十百]+(?=[个项条点次年月天倍%])")
SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
SEARCH_SHARE = 0.6  # a sentence found by search holds this share of the question's telling runs, by weight
SEARCH_MIN_RUNS = 3
SEARCH_KNOWN = 0.5  # … and this share of its runs are the speech's words
# A question for a figure or a date (多少, 几个, 什么时候, 哪天) is searched among the sentences that give one,
# needing less of its runs held and known.
FIGURE_ASKED = re.compile(
    r"多少|(?<!哪)几[个项次名条件人天年月号日家所批轮期]|百分之几|比例|占比|[完成整改达标合格]率|哪一?天|几月|几号|什么时候|什么时间|何时|截止|期限|时限"
)
FIGURE = re.compile(
    r"\d|[一二两三四五六七八九十百千万]+(?:[个项次名条件人天年月日号家所批轮期]|个百分点)|百分之"
)
FIGURE_SHARE = 0.6
FIGURE_KNOWN = 0.3
SEARCH_SENTENCES = 2
FOCUS_SHARE = 0.7  # a sentence added under an answer holds this share of the question's telling runs
FOCUS_SENTENCES = 2
FOCUS_MIN_RUNS = 2  # a sentence under an answer changes no decision: two telling runs may find it


def _spread(hits: tuple[Hit, ...], limit: int) -> list[Hit]:
    """The first hit of each part, then the rest, up to `limit`."""
    first, seen = [], set()
    for hit in hits:
        if hit.where not in seen:
            seen.add(hit.where)
            first.append(hit)
    return (first + [h for h in hits if h not in first])[:limit]


@dataclass(frozen=True, slots=True)
class Role:
    """A role speeches ask things of (knowledge/shared/roles.yaml)."""

    name: str
    asked: tuple[str, ...]  # how people name it, longest first
    speech: tuple[str, ...]  # how speeches name it, longest first
    not_within: tuple[str, ...] = ()  # longer words that hold one of `speech` but are not the role


CLAIM = re.compile(
    r"(是不是说过|是不是讲过|是不是提到|是不是提出|有没有说过|有没有讲过|有没有提到|是这样吗|是这么说的吗|是这样说的吗|"
    r"对吗|对吧|对不对|没错吧|没错吗|是吗|是吧|没记错吧|没说错吧|是不是这样|我记得|印象中|好像说|据说|听说讲话)"
)


class SpeechReading:
    """The sentence-level readings of a service; `kb`, `matcher` and `index` are the service's."""

    kb: KnowledgeBase
    matcher: Matcher
    index: SpeechIndex

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

    @cached_property
    def figure_sentences(self) -> frozenset[int]:
        """Where the sentences that give a figure or a date start: the only ones a question for one can want."""
        return frozenset(start for start, sentence in self.sentences if FIGURE.search(sentence))

    def sentence_shares(
        self, normalized: str, among: frozenset[int] | None = None
    ) -> tuple[int, float, list[tuple[float, int]]]:
        """The question's telling runs (how many the speech writes; the share of all its runs that are
        known) and every sentence's share of their weight (or only those starting `among`), best first, as
        (share, where it starts)."""
        asked = runs(ASKS_SOMETHING.sub("", ROLE_REQUEST.sub("", FRAMING.sub("", normalized))))
        weights = self.run_weights
        wanted = {r: weights[r] for r in asked if r in weights}
        total = sum(wanted.values())
        if not wanted or total == 0:
            return 0, 0.0, []
        scored = sorted(
            (
                (sum(w for r, w in wanted.items() if r in held) / total, start)
                for start, held in self.sentence_runs.items()
                if among is None or start in among
            ),
            reverse=True,
        )
        return len(wanted), len(wanted) / len(asked), scored

    def _shares_for(self, normalized: str) -> tuple[int, float, list[tuple[float, int]], float, float]:
        """sentence_shares for a question, with the share and the known share it needs: a question for a
        figure or a date is searched among the sentences that give one, and its asking words (多少, 什么时候)
        may be everyday ones, so it needs less (FIGURE_SHARE, FIGURE_KNOWN)."""
        if FIGURE_ASKED.search(normalized):
            return (*self.sentence_shares(normalized, self.figure_sentences), FIGURE_SHARE, FIGURE_KNOWN)
        return (*self.sentence_shares(normalized), SEARCH_SHARE, SEARCH_KNOWN)

    def sentence_search(self, question: str, result: Match) -> Reply | None:
        """The sentences that hold most of what a question names, when no entry answers it and the speech
        does say it: most of the question's telling runs (`SEARCH_SHARE` of their weight) in one sentence,
        and half its runs words of the speech.
        Never for a question the matcher found naming what the speech lacks (a slogan, a year)."""
        if self.matcher.absent.absent(result.normalized, question) is not None:
            return None
        wanted, known, scored, needed, known_needed = self._shares_for(result.normalized)
        if wanted < SEARCH_MIN_RUNS or not scored or scored[0][0] < needed:
            return None
        if known < known_needed:  # a question mostly in words the speech never writes is about something else
            return None
        best = [start for share, start in scored[:SEARCH_SENTENCES] if share >= SEARCH_SHARE * scored[0][0]]
        hits = tuple(self._sentence_hit(self.sentence_index(start)) for start in sorted(best))
        return Reply("digest", hits=hits, lead="讲话中说到这件事的原文：")

    def focus(self, normalized: str, shown: str) -> tuple[Hit, ...]:
        """The sentences that say what a question asks, when the answer's cards do not show them: an entry
        stands for a whole passage, and its card may not reach the one sentence asked about (a figure, a
        deadline, a sub-point). At most FOCUS_SENTENCES, each holding FOCUS_SHARE of the question's telling
        runs (FIGURE_SHARE, among the sentences giving one, for a figure); none already in `shown` (the cards'
        text, normalised)."""
        wanted, _, scored, _, _ = self._shares_for(normalized)
        needed = FIGURE_SHARE if FIGURE_ASKED.search(normalized) else FOCUS_SHARE
        if wanted < FOCUS_MIN_RUNS or not scored or scored[0][0] < needed:
            return ()
        sentences = self.sentences
        picked = []
        for share, start in scored[:FOCUS_SENTENCES]:
            if share < needed or share < SEARCH_SHARE * scored[0][0]:
                break
            index = self.sentence_index(start)
            said = "".join(c for c in normalize(sentences[index][1]) if c.isalnum())
            if said and said not in shown:
                picked.append(self._sentence_hit(index))
        return tuple(picked)

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
        return max(0, bisect.bisect_right(self.sentence_starts, offset) - 1)

    @cached_property
    def sentence_starts(self) -> tuple[int, ...]:
        return tuple(start for start, _ in self.sentences)

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
