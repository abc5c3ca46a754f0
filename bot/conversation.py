"""Follow-ups: a question read with what the same person was just shown ("那第二条呢", "详细说说", "还有呢").

A `Context` is the last reply's entry and the words that set its topic; it lives in memory only (a front end
keeps one per chat and person, or per `ask --json` session) and is forgotten after `FORGET_AFTER` of silence.
`follow` decides, in this order:

1. an ordinal that names no list of its own (第三个, 最后一条, 二要) is the item of the list just shown;
2. "还有呢", "下一条" is the next item, or the next part at the same level;
3. a question that names a topic of its own and is answered alone switches the topic;
4. otherwise the question is asked again with the topic's words before it (谁来落实 → "<the topic> 谁来落实");
5. "原文怎么说", "在哪一部分", "详细说说" with nothing better show the last entry again (its quotes, where it
   stands);
6. else the question alone.

The patterns are of the language, not of a speech; every entry they reach comes from the pack.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.matching.language import CHINESE_DIGITS
from bot.matching.unstated import ANSWER_KINDS
from bot.navigate import pointed_phrase, step_asked
from bot.nearby import asked_kinds, nearby, runs
from bot.normalize import normalize
from bot.outline import WHERE_SEPARATOR, Hit
from bot.present.model import Reply
from bot.present.replies import entry_reply
from bot.reading import ASKS_SOMETHING
from bot.service import Answered, Service

FORGET_AFTER = timedelta(minutes=20)
SHORT_FOLLOW_UP = 14  # characters: a message at most this long that names no entry leans on the context

NUMERAL = "一二三四五六七八九十"
ORDINAL = re.compile(
    rf"(?:(?P<back>倒数)?第(?P<n>[{NUMERAL}])(?:个?(?P<level>部分|方面)|(?P<small>小)?(?:个|条|点|项)|大(?:个|条|点|项)|是|种|大|(?=[呢吗啊呀？?，,。]|$))"
    rf"|(?P<m>[{NUMERAL}])(?P<mark>要|是)(?!求|务|事|点|否|不是)"
    r"|(?P<last>最后(?:一)?(?:个?(?P<lastlevel>部分|方面)|个|条|点|项)|最后(?=[呢吗？?]|$)))"
)
MORE = re.compile(
    r"^(?:那|那么|嗯|哦)?(?:还有呢|还有吗|还有什么|还有啥|还有别的|还有其他|然后呢|接着呢|下一[个条点项]|再往下|其他的呢|其余的呢|别的呢)"
)
PREVIOUS = re.compile(
    r"^(?:那|那么|嗯|哦)?(?:上一|前一|前面一|再往前一)[个条点项](?:呢|是什么|是啥|讲的啥|说的啥)?[？?]*$"
)
AGAIN = re.compile(
    r"(原文|原话|原句|怎么说的|怎么讲的|出处|出自|哪[一个]?部[分份]|哪一段|哪一块|哪个大标题|在哪(?:里|儿)?(?:说|讲|提)|哪里说|"
    r"详细|展开|具体说说|具体讲讲|说说看|再说一遍)"
)
# What a follow-up asks of the topic: why, who, how, what for, its requirements, its consequences, an example.
ASKING = re.compile(
    r"(为什么|为啥|为何|什么原因|原因|谁|哪些人|由谁|怎么做|怎么办|怎么抓|怎么落实|如何|意义|作用|目的|为了|干啥|干嘛|"
    r"要求|后果|影响|措施|办法|举例|例子|比如|依据|根据|重点|具体)"
)
# The small words of a follow-up, taken out to see whether a message names a topic of its own.
FOLLOW_WORDS = re.compile(
    r"那么|那|对于|对|呢|吗|啊|呀|吧|的|了|是|在|有|还|要|应该|应当|需要|怎么样|怎么|如何|什么|啥|哪些|哪个|哪|谁|"
    r"为什么|为啥|为何|主要|具体|一下|说说|讲讲|详细|人|些|个|都|又|再|呢|么|讲话|里|中|上|方面|"
    r"下面|下边|底下|分了|分为|分成|包括|包含|几[条点项个]|内容"  # what a point holds: 第三项底下包括什么
)
# A follow-up asking what an item holds (第三项底下包括什么): the next bare ordinal is among its own points.
BELOW = re.compile(r"下面|下边|底下|分了|分为|分成|包括|包含|有几[条点项个]|有哪几|有哪些")
TOPIC_LETTERS = 3
# What the speech goes on to say after the part just shown (接下来讲了什么, 讲完问题之后说了啥).
NEXT_PART = re.compile(
    r"接下来(?:又)?讲(?:了|的)?(?:什么|啥)|后面(?:又)?讲(?:了|的)?(?:什么|啥)|(?:讲完|说完)[^，。？]{0,6}(?:接着|又|还)?(?:讲|说)了?(?:什么|啥)"
    r"|接着(?:讲|说)了?(?:什么|啥)"
)
MODAL = "要该得能会想"  # a word these begin is the speech's word after them (要学, 该抓)
# A follow-up about the part just shown as a whole (这部分讲了几点, 这段话出自哪里): read over that part.
SCOPE = re.compile(r"这一?(?:部分|段|块|节|方面)|本部分|该部分|这部分|同一?(?:部分|段|块|节)")
LIST_MARK = re.compile(rf"^(?:[（(][{NUMERAL}]+[）)]|[{NUMERAL}]+[、是要]|第[{NUMERAL}]+[，、]?|\d+[.、])")
HEAD_LETTERS = 6  # an item counts as listed in an answer when its title's first letters stand there
NEW_TOPIC = re.compile(
    r"^(?:另外|另一个问题|再问一下|再问个|换个问题|换个话题|还有个问题|还有一个问题|我还想问)"
)
LEANING = re.compile(
    r"^(?:那|那么|那这|这|它|其|他们|她们|他|她|该|此)|(?:呢|吗|么)[？?]*$|它|这个|这些|这条|这段|这点|这项|其中|上面|上述|前面|刚才"
)
# Words that point back at what was just shown (not a bare 那 or a closing 呢: "那X呢" names its own X).
POINTING = re.compile(
    r"它|这个|这些|这条|这段|这点|这项|这句|这里|这是|这在|这一|其中|上面|上述|前面说|刚才|他们|该项|同一?(?:部分|段|块|节)"
)


@dataclass(frozen=True, slots=True)
class Context:
    """What one person was last shown: the entry, the list it belongs to, and the words of its topic."""

    entry_id: str
    topic: str  # the question that last set the topic (a follow-up keeps it)
    at: datetime
    from_list: str = ""  # the list the entry was picked from (第二个, 下一条): a bare ordinal goes on in it
    sentence: int = -1  # where the sentence last read starts, when the reply was sentences (下一句 goes on)

    def fresh(self, now: datetime) -> bool:
        return now - self.at <= FORGET_AFTER


def follow(
    service: Service, question: str, context: Context | None, now: datetime
) -> tuple[Answered, Context | None]:
    """The reply to a question asked after `context` (None, or stale: the question alone), and the new context."""
    if context is not None and (not context.fresh(now) or context.entry_id not in service.kb):
        context = None
    alone = service.ask(question)
    if alone.reply.outcome == "courtesy":  # 谢谢, 好的: the topic stays for the next question
        return alone, context
    if context is None or alone.reply.outcome == "about":  # who the bot is, who spoke: never the topic's
        return alone, _context_of(alone, question, context, now)
    typed = unicodedata.normalize("NFKC", question).strip()  # fillers kept: 呢, 那 and 还有 are the signs
    named = service.named_in(normalize(question))
    short = len(typed) <= SHORT_FOLLOW_UP
    item = _ordinal_item(service, typed, context, named)
    if item is not None:
        below = BELOW.search(typed) is not None and bool(service.matcher.lists.items(item))
        return _picked(service, question, item, now, below)
    listed = _listed_item(service, typed, context, named)
    if listed is not None:
        return Answered(question, listed), _kept(context, listed, now)
    stepped = _stepped(service, typed, context) if short else None
    if stepped is not None:
        return Answered(question, stepped), _kept(context, stepped, now)
    if NEXT_PART.search(typed) and short:
        following = _next_part(service, context.entry_id)
        if following is not None:
            return _shown(service, question, following, now)
    if PREVIOUS.search(typed):
        before = _previous_of(service, context.entry_id)
        if before is not None:
            return _picked(service, question, service.matcher.index.index_of[before], now)
    if MORE.search(typed) and short:
        following = _next_of(service, context.entry_id)
        if following is not None:
            return _picked(service, question, service.matcher.index.index_of[following], now)
    leaning = short and (not named or LEANING.search(typed) is not None) and not NEW_TOPIC.search(typed)
    # A message that names an entry and is answered alone stands alone, unless it points back (这个, 其中).
    # So does one the matcher answers with confidence alone (a topic named in other words: 配偶, 党总支).
    confident = alone.match is not None and alone.match.score >= service.matcher.confident
    stands_alone = (
        alone.answered and (named or (confident and _names_a_topic(typed))) and not POINTING.search(typed)
    )
    if alone.match is not None and alone.match.outcome == "unstated":
        return alone, _context_of(alone, question, context, now)  # it asks what the speech does not give
    if alone.answered and (not leaning or alone.entry_id in named or stands_alone):
        return alone, _context_of(
            alone, question, None if alone.entry_id else context, now
        )  # a digest keeps it
    foreign = _foreign_words(service, question)
    asks = (
        leaning
        or ASKING.search(typed) is not None
        or bool(asked_kinds(typed))
        or SCOPE.search(typed) is not None
    )
    if asks and not stands_alone and _asks_of_it(service, typed, foreign):
        near = _nearby_reply(service, typed, context)
        if near is not None:
            return Answered(question, near), _kept(context, near, now)
    if leaning and not named and _within_shown(service, typed, context.entry_id):
        return _shown(
            service, question, context.entry_id, now
        )  # 支部那条对应哪个: asked of a line just shown
    if (leaning or ASKING.search(typed)) and not foreign:
        for topic in _topics(service, context):
            joined = service.ask(f"{topic} {question}")
            if not joined.answered:
                continue
            same = context.entry_id in joined.reply.entry_ids
            if same and AGAIN.search(typed):
                return _shown(service, question, context.entry_id, now)
            # The topic alone answers with its own entry: the new words must add something (a sign of a
            # follow-up, or another entry), or "今天天气怎么样" after a term would be answered with that term.
            if same and not LEANING.search(typed) and not ASKING.search(typed):
                continue
            return Answered(question, joined.reply, joined.match), _context_of(joined, question, context, now)
    if AGAIN.search(typed) and (short or (POINTING.search(typed) and not named)):
        return _shown(service, question, context.entry_id, now)
    if short and not alone.answered and not _foreign_words(service, question):
        # 那支部书记呢: what the speech says of that role, in the topic's terms.
        role = service.role_digest(normalize(question), topic=normalize(_topics(service, context)[0]))
        if role is not None:
            return Answered(question, role), _kept(context, role, now)
        if POINTING.search(typed) or (ASKS_SOMETHING.search(typed) and _speech_words(service, question)):
            # 用它是为了干啥, 要搞啥活动: asked of what was just shown, which nothing else answered.
            return _shown(service, question, context.entry_id, now)
    return alone, _context_of(alone, question, context if not alone.answered else None, now)


def _asks_of_it(service: Service, typed: str, foreign: list[str]) -> bool:
    """Whether a follow-up asks something of what was shown (能举个例子吗, 这话是冲着什么说的), not of something
    else (红烧肉怎么做): its words the speech never uses are only the words of the asking, or it points back,
    or it also names something the speech speaks of."""
    if any(word in typed for word in service.role_words):
        return False  # 那党员呢: what the speech asks of that role (the role digest), not the sentences here
    if any(asks.search(normalize(typed)) for asks, _, _ in ANSWER_KINDS):
        return False  # 哪天截止, 站长叫什么: a fact no sentence near it gives
    rest = [
        w
        for w in foreign
        if not asked_kinds(w) and not (w[0] in MODAL and w[1:] in service.kb.speech)  # 要学: 学
    ]
    return not rest or POINTING.search(typed) is not None or bool(_speech_words(service, typed))


def _nearby_reply(service: Service, typed: str, context: Context) -> Reply | None:
    """The speech's sentences next to what was just shown that answer a follow-up (why, an example, who, what
    for), with where they stand; None when the follow-up asks no such thing or no sentence reads like it."""
    if not asked_kinds(typed) and not SCOPE.search(typed):
        return None
    entry = service.kb[context.entry_id]
    anchors = [at for quote in entry.quotes if (at := service.kb.locate(quote)) >= 0]
    anchors = [at for at in anchors if service.index.where(at) == entry.where] or anchors  # where it stands
    # What the topic's question named (“三个聚焦” when the part holding it was shown): its quotes within the entry's place.
    for other in service.named_in(normalize(context.topic)):
        for quote in service.kb[other].quotes if other != entry.id else ():
            at = service.kb.locate(quote)
            if at >= 0 and service.index.where(at).startswith(entry.where):
                anchors.append(at)
    region = _part_of(service, entry.where) if SCOPE.search(typed) else None
    rest = typed
    for pattern in (POINTING, FOLLOW_WORDS):
        rest = pattern.sub("", rest)
    shown = runs(normalize(entry.answer + "".join(entry.quotes)))
    found = nearby(
        service.sentences,
        service.sentence_runs,
        service.kb.speech,
        anchors,
        typed,
        runs(normalize(rest)),
        shown,
        region,
    )
    if not found:
        return None
    text = dict(service.sentences)
    hits = tuple(Hit(at, "", text[at].strip(), "", service.index.where(at)) for at in found)
    return Reply("digest", hits=hits, lead=f"关于“{entry.title}”，讲话在那里还说：")


def _stepped(service: Service, typed: str, context: Context) -> Reply | None:
    """下一句, 上一句, 前后文 (and 然后呢 after sentences): read on from the sentence last read, or from the
    last quote of the entry shown; None when the message asks no step or points at a sentence of its own."""
    step = step_asked(typed)
    if step is None or not (step.move or step.around) or pointed_phrase(typed, service.kb.speech) is not None:
        return None
    if context.sentence < 0 and MORE.search(typed):
        return None  # 然后呢 after a card: its list's next item (MORE)
    cursor = context.sentence
    if cursor < 0:
        entry = service.kb[context.entry_id]
        found = [at for quote in entry.quotes if (at := service.kb.locate(quote)) >= 0]
        if not found:
            return None
        cursor = max(found) if step.move > 0 else min(found)
    return service.stepped(service.sentence_index(cursor), step, "那句")


def _next_part(service: Service, entry_id: str) -> str | None:
    """接下来讲了什么: the section after the one the entry stands in (or after its parent, at the end)."""
    section = (
        entry_id
        if service.kb[entry_id].kind == "section"
        else service.section_at.get(service.kb[entry_id].where)
    )
    while section:
        following = service.outline.neighbours(section)[1]
        if following is not None:
            return following
        section = service.outline.parent.get(section, "")
    return None


def _within_shown(service: Service, typed: str, entry_id: str) -> bool:
    """Whether the message's own words (two letters or more, a follow-up's words taken out) all stand in the
    answer just shown: it asks of a line of it."""
    rest = typed
    for pattern in (ASKING, AGAIN, MORE, POINTING, FOLLOW_WORDS):
        rest = pattern.sub(" ", rest)
    words = [w for w in service.matcher.index.lexicon.tokens(normalize(rest)) if len(w) >= 2]
    shown = normalize(service.kb[entry_id].answer)
    return bool(words) and all(w in shown for w in words)


def _part_of(service: Service, where: str) -> tuple[int, int] | None:
    """Where the part of the speech a `where` path begins with starts and ends (its top-level section)."""
    top = where.split(WHERE_SEPARATOR)[0]
    starts = list(zip(service.index.starts, service.index.wheres, strict=True))
    inside = [start for start, w in starts if w.split(WHERE_SEPARATOR)[0] == top]
    if not inside:
        return None
    after = [start for start, w in starts if start > max(inside) and w.split(WHERE_SEPARATOR)[0] != top]
    return min(inside), min(after, default=len(service.kb.speech))


def _names_a_topic(typed: str) -> bool:
    """Whether a message says more than a follow-up's words (为什么, 具体怎么做, 那…呢): three letters or more
    left once those are taken out ("那对党总支呢" leaves 党总支; "依据是什么" leaves nothing)."""
    rest = typed
    for pattern in (ASKING, AGAIN, MORE, POINTING, FOLLOW_WORDS):
        rest = pattern.sub("", rest)
    return sum(1 for c in rest if "\u4e00" <= c <= "\u9fff") >= TOPIC_LETTERS


def _foreign_words(service: Service, question: str) -> list[str]:
    """Words of the question the speech never uses, not even as a known synonym or a sound-alike (红烧肉,
    地点): a question about something else, never to be read as a follow-up of the topic."""
    lexicon, speech = service.matcher.index.lexicon, service.kb.speech
    roles = service.role_words  # 支部书记: a role the genre knows
    words = [
        w for w in lexicon.tokens(normalize(question)) if len(w) >= 2 and w in question and w not in roles
    ]
    return [
        w
        for w in words
        if w not in speech
        and w not in lexicon.idf
        and w not in lexicon.thesaurus
        and lexicon.heard_word(w) is None
        and not any(p.search(w) for p in (ASKING, AGAIN, LEANING, MORE, ORDINAL))
        and not any(w in longer and longer in speech for longer in words if longer != w)
    ]


def _speech_words(service: Service, question: str) -> list[str]:
    """The question's words of two letters or more that the speech uses (活动 in 要搞啥活动; none in 你是谁)."""
    words = service.matcher.index.lexicon.tokens(normalize(question))
    return [w for w in words if len(w) >= 2 and w in service.kb.speech and not FOLLOW_WORDS.fullmatch(w)]


def _topics(service: Service, context: Context) -> tuple[str, ...]:
    """The words a follow-up is read with: the question that set the topic, the entry's title, its list's."""
    lists, entries = service.matcher.lists, service.kb.entries
    parent = lists.parent(service.matcher.index.index_of[context.entry_id])
    above = (entries[parent].title,) if parent is not None else ()
    return tuple(dict.fromkeys((context.topic, service.kb[context.entry_id].title, *above)))


def _context_of(answered: Answered, question: str, before: Context | None, now: datetime) -> Context | None:
    """After an answer: its entry, with the question as topic (or the earlier topic, for a follow-up)."""
    if not answered.answered or answered.entry_id is None:
        return _kept(before, answered.reply, now) if before is not None else None
    topic = before.topic if before is not None else question
    return Context(answered.entry_id, topic, now, sentence=_last_sentence(answered.reply))


def _kept(context: Context, reply: Reply, now: datetime) -> Context:
    """The same topic after a reply of the speech's sentences: they are where 下一句 goes on from."""
    return replace(context, at=now, from_list="", sentence=_last_sentence(reply))


def _last_sentence(reply: Reply) -> int:
    return reply.hits[-1].offset if reply.hits else -1


def _shown(
    service: Service, question: str, entry_id: str, now: datetime, from_list: str = ""
) -> tuple[Answered, Context]:
    """An entry the context points to (an item, the next one, the same again): its title is the topic now."""
    entry = service.kb[entry_id]
    return Answered(question, entry_reply(entry, service.kb)), Context(entry_id, entry.title, now, from_list)


def _picked(
    service: Service, question: str, item: int, now: datetime, below: bool = False
) -> tuple[Answered, Context]:
    """An item picked from a list (by its ordinal, or as the next one): the list is remembered with it, or the
    item itself when the question asked what it holds (`below`: its points are the next ordinal's list)."""
    lists, entries = service.matcher.lists, service.kb.entries
    parent = item if below else lists.parent(item)
    return _shown(service, question, entries[item].id, now, entries[parent].id if parent is not None else "")


def _standing(service: Service, entry_id: str) -> int:
    """The entry's place among the lists: itself when it is a list or an item of one, else the section it
    stands in (a fact quoted from 一要… reads 二要 as that section's sibling)."""
    lists, index_of = service.matcher.lists, service.matcher.index.index_of
    at = index_of[entry_id]
    if lists.parent(at) is not None or lists.items(at):
        return at
    section = service.section_at.get(service.kb[entry_id].where)
    return index_of[section] if section is not None else at


def _displays(service: Service, entry_id: str, items: list[int]) -> bool:
    """Whether the entry's answer lists these items (most of their titles' first words stand in it)."""
    shown = normalize(service.kb[entry_id].answer)
    heads = [normalize(LIST_MARK.sub("", service.kb.entries[i].title))[:HEAD_LETTERS] for i in items]
    return sum(1 for head in heads if head and head in shown) * 2 >= len(heads)


def _ordinal_item(service: Service, typed: str, context: Context, named: list[str]) -> int | None:
    """第N个 / 最后一条 / N要 of the list just shown (or of the list the shown entry is an item of), unless the
    question names a topic of its own (then the matcher reads its ordinal)."""
    found = ORDINAL.search(typed)
    rest = typed[: found.start()] + typed[found.end() :] if found else ""
    if found is None or (not named and _names_a_topic(rest) and _speech_words(service, rest)):
        return None
    if not named and _named_list(service, rest, context, shown_only=True) is not None:
        return None  # 最后一个X: an item of the list so named, which _listed_item reads
    lists, entries, index_of = service.matcher.lists, service.kb.entries, service.matcher.index.index_of
    marker = found.group("mark")
    at = index_of[context.entry_id]
    if not (lists.parent(at) is not None or lists.items(at)):
        if not marker:  # a term's own list (lists.yaml) is read by _listed_item; 二要 is of its section
            return None
        at = _standing(service, context.entry_id)
    own, parent = lists.items(at), lists.parent(at)
    picked_from = context.from_list in index_of and not found.group("small")  # 第二小点: the points below
    rows = [lists.items(index_of[context.from_list])] if picked_from else []
    # The list the reply just showed first: its own items when its answer lists them, else its siblings.
    rows += [own] if own and _displays(service, context.entry_id, own) else []
    rows += [lists.items(parent)] if parent is not None else []
    rows += [own] if own else []
    level = found.group("level") or found.group("lastlevel")
    above = parent
    while level and above is not None and (above := lists.parent(above)) is not None:
        rows.append(lists.items(above))  # 第一个方面 after a point of a part: the parts' list
    rows = [row for n, row in enumerate(rows) if row and row not in rows[:n]]
    if marker:  # 二要, 三是: the list whose items are numbered so
        rows.sort(key=lambda row: not all(entries[i].title[1:2] == marker for i in row))
    elif level:  # 最后一个方面: the list whose entry calls its items so
        rows.sort(key=lambda row: level not in _owner_title(service, row))
    related = {entries[i].id for row in rows for i in row} | {context.entry_id, entries[at].id}
    related |= {entries[p].id for row in rows if (p := lists.parent(row[0])) is not None}
    if any(entry_id not in related for entry_id in named):
        return None
    n = _place(found)
    for items in rows:
        if 1 <= abs(n) <= len(items):
            return items[n - 1] if n > 0 else items[n]
    return None


def _place(found: re.Match[str]) -> int:
    """The place an ordinal names: 1 for 第一, -1 for 最后 or 倒数第一, -2 for 倒数第二; 0 for none."""
    if found.group("last"):
        return -1
    n = CHINESE_DIGITS.get(found.group("n") or found.group("m") or "", 0)
    return -n if found.group("back") else n


def _owner_title(service: Service, row: list[int]) -> str:
    parent = service.matcher.lists.parent(row[0])
    return service.kb.entries[parent].title if parent is not None else ""


def _listed_item(service: Service, typed: str, context: Context, named: list[str]) -> Reply | None:
    """第N个 of a list the shown entry holds as text (lists.yaml), when its items are no entries of their own."""
    found = ORDINAL.search(typed)
    if found is None or any(entry_id != context.entry_id for entry_id in named):
        return None
    n = _place(found)
    rest = typed[: found.start()] + typed[found.end() :]
    named_list = _named_list(service, rest, context) if n else None
    if named_list is not None:  # 第二个X: the list the words name
        return service.list_item(named_list, n)
    return service.list_item(context.entry_id, n) if n else None


def _named_list(service: Service, rest: str, context: Context, shown_only: bool = False) -> str | None:
    """The list (lists.yaml, by its entry) that a follow-up's words name (X in 最后一个X): one list whose
    label holds them, or of several (or always, with `shown_only`), the one whose items the entry just shown
    holds; never the shown entry's own."""
    words = [w for w in service.matcher.index.lexicon.tokens(normalize(rest)) if len(w) >= 2]
    naming = [e for e, (label, _) in service.speech_lists.items() if any(w in label for w in words)]
    if (len(naming) > 1 or shown_only) and context.entry_id in service.kb:
        entry = service.kb[context.entry_id]
        shown = normalize(entry.answer + "".join(entry.quotes))
        naming = [e for e in naming if _holds_items(shown, service.speech_lists[e][1])]
    if (
        len(naming) > 1
    ):  # … and of those, the one whose label ends in the word: a list of X, not of the Y each X holds
        naming = [e for e in naming if service.speech_lists[e][0].endswith(tuple(words))] or naming
    return naming[0] if len(naming) == 1 and naming[0] != context.entry_id else None


def _previous_of(service: Service, entry_id: str) -> str | None:
    """The item before the entry in its list (上一个), when it is an item and not the first."""
    lists = service.matcher.lists
    at = service.matcher.index.index_of[entry_id]
    parent = lists.parent(at)
    items = lists.items(parent) if parent is not None else []
    if at in items and items.index(at) > 0:
        return service.kb.entries[items[items.index(at) - 1]].id
    return None


def _holds_items(text: str, items: tuple[tuple[int, str], ...]) -> bool:
    """Whether a normalised text holds every item of a list, by letters near its start (past a leading 要做,
    which an answer retelling the items may leave out)."""
    keys = (normalize(item) for _, item in items)
    return all((key[2 : 2 + HEAD_LETTERS] if len(key) >= HEAD_LETTERS + 2 else key) in text for key in keys)


def _next_of(service: Service, entry_id: str) -> str | None:
    """The next item of the entry's list, else the next part at its level of the outline; after a term or a
    fact, the section it stands in (还有什么现象: more of what the speech says there)."""
    lists = service.matcher.lists
    at = service.matcher.index.index_of[entry_id]
    if not (lists.parent(at) is not None or lists.items(at)):  # a term or fact: the section around it
        section = service.section_at.get(service.kb[entry_id].where)
        if section is not None and section != entry_id:
            return section
    parent = lists.parent(at)
    if parent is not None:
        items = lists.items(parent)
        if at in items and items.index(at) + 1 < len(items):
            return service.kb.entries[items[items.index(at) + 1]].id
    items = lists.items(at)
    if items:
        return service.kb.entries[items[0]].id
    _, following = service.outline.neighbours(entry_id)
    if following is not None:
        return following
    return next((r for r in service.kb[entry_id].related if r in service.kb), None)
