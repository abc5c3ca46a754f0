"""A whole pack drafted from a speech's text: entries, examples, lists, rules and pack.yaml, as plain data.

Every answer is the speech's own sentences (trimmed at a sentence's end) and every quote is verbatim, so a
drafted pack never says what the speech does not. Kinds of entry:

* sections: the opening, each numbered heading (its points listed, or its text when it has none), an overview
  of each top-level run, the paragraphs between runs, the closing;
* terms: each phrase the speech puts in “…” (its sentences; the items when the speech spells them out; marked
  `mention_only` when a numbered slogan's items are never given); a phrase a heading quotes names that section
  instead. Documents in 《…》 get no entry: measured, they took questions from the sections that cite them;
* facts: each actor the speech asks things of at a sentence's start (局党组要…, 各支部书记要…), its duties
  gathered; and the paragraphs of a heading that has several, by their lead sentence.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pypinyin import lazy_pinyin

from bot.draft.outline import NUMERALS, Heading, Outline, Paragraph, read_outline, title_of
from bot.knowledge import name_key
from bot.outline import WHERE_SEPARATOR

ANSWER_CHARS = 520  # a section's text is cut at the last sentence end before this
QUOTE_CHARS = 160
TERM_CHARS = 16  # a phrase in “…” longer than this is a citation, not a term
MAX_TERM_PLACES = 3  # a term's answer: the first sentences that hold it
LONG_ANSWER = 900
CLAUSE_QUESTIONS = 6  # example questions made from a section's own clauses
CLAUSE = re.compile(r"[^，。；：！？、\n“”《》（）]+")
SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
# A phrase in quotation marks: “…” as the genre writes them, or the "…" and 「…」 of a text typed elsewhere.
QUOTED = re.compile(r"[“\"「]([^”\"」\n]{2,40})[”\"」]")
QUOTE_PAIRS = ("“”", '""', "「」")
COUNTED = re.compile(rf"^(?P<n>[{NUMERALS}两])(?:个|项|大|种|条|点|方面)?")
ANNOUNCES = re.compile(
    r"[^，。；“”]{0,8}?[，,]?(?:即|就是|包括|是指|指的是|分别是|主要是)[：:，,]?|[^，。；“”]{0,8}?[：:]"
)
PROBLEM_WORDS = re.compile(r"问题|不足|短板|差距|薄弱|不够|不到位|缺乏|欠缺")
ACTOR = re.compile(
    r"^(?:各|局|县|市|集团|公司)?[^，。；：、“”]{0,10}?"
    r"(?:党组|党委|党支部|支部书记|书记|班子成员|班子|纪检监察组|纪检组|纪委|监察组|党总支|机关党委|[^，。；、]{1,4}科|"
    r"办公室|科室|中心|学校|单位|部门|党员干部|领导干部|干部)"
)
DUTY = re.compile(r"^(?P<actor>.{2,16}?)(?:要|必须|务必|应当|负责)")
# What stands around an actor's name and is not it: a heading's number before it ((四), 一是, 1.), 的同志 or 既
# after it; and who a sentence criticises (有的单位…) rather than asks something of.
ACTOR_NOISE = re.compile(
    rf"^(?:[（(][{NUMERALS}]+[）)]|[{NUMERALS}]+[、是要]|\d+[.．、]\s*)|(?:的同志们?|同志们?|既|都|也)$"
)
CRITICISED = re.compile("^(?:有的|有些|个别|少数|一些)")
COUNT_WORDS = {n: c for n, c in zip(range(1, 11), "一二三四五六七八九十", strict=True)}
COUNTS = {c: n for n, c in COUNT_WORDS.items()} | {"两": 2}


@dataclass
class Draft:
    """What `kb draft` writes: each file's data, and what it reports."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=dict)
    lists: list[dict[str, Any]] = field(default_factory=list)
    children: dict[str, str] = field(default_factory=dict)
    pack: dict[str, Any] = field(default_factory=dict)
    review: list[str] = field(default_factory=list)

    def kinds(self) -> Counter[str]:
        return Counter(e["kind"] for e in self.entries)


def slug(text: str, taken: set[str], prefix: str) -> str:
    """An ascii id from a phrase's pinyin (`prefix`-wu-ge-bi-you), unique among `taken`."""
    letters = [re.sub(r"[^a-z0-9]", "", p.lower()) for p in lazy_pinyin(text)]
    base = "-".join(p for p in letters if p)[:40].strip("-") or "x"
    candidate, n = f"{prefix}-{base}", 2
    while candidate in taken:
        candidate, n = f"{prefix}-{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def clause_questions(text: str, limit: int = CLAUSE_QUESTIONS) -> list[str]:
    """Questions a reader may ask of a text, made from its own clauses (a figure, a duty, a measure), so that
    the matcher and the out-of-scope model learn how the speech's words are asked about."""
    clauses = [c for c in CLAUSE.findall(text) if 6 <= len(c) <= 18 and not c.startswith(("要", "把", "对"))]
    clauses = sorted(dict.fromkeys(clauses), key=lambda c: -len(set(c)))[:limit]
    shapes = ("讲话里说{c}是怎么回事", "关于{c}有什么要求", "{c}具体指什么", "为什么要{c}")
    return [shapes[k % len(shapes)].format(c=c) for k, c in enumerate(clauses)]


def sentences_of(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def trimmed(text: str, limit: int = ANSWER_CHARS) -> str:
    """The text up to the last sentence end before `limit` (whole when shorter)."""
    if len(text) <= limit:
        return text.strip()
    cut = max(text.rfind(stop, 0, limit) for stop in "。！？；")
    return text[: cut + 1 if cut > 0 else limit].strip()


def _quote(text: str) -> str:
    """A verbatim quote from a text: its first sentence, cut at a pause when long (still verbatim)."""
    first = sentences_of(text)[0] if sentences_of(text) else text
    if len(first) <= QUOTE_CHARS:
        return first
    cut = max(first.rfind(p, 0, QUOTE_CHARS) for p in "，；：、")
    return first[: cut if cut > 10 else QUOTE_CHARS]


def bare(title: str) -> str:
    """A heading without its numbering (一、 （二） 三是 第四， 5.) and its stop."""
    title = re.sub(
        rf"^(?:[{NUMERALS}]{{1,2}}、|[（(][{NUMERALS}]{{1,2}}[）)]|第[{NUMERALS}]{{1,2}}(?:个方面是|个方面，|[，,、：:])|"
        rf"[{NUMERALS}][是要]|\d{{1,2}}[.．、]\s*|首先[，,]|其次[，,]|再次[，,]|最后[，,])",
        "",
        title,
    )
    return title.strip("。；，： ")


class _Builder:
    def __init__(self, speech: str, outline: Outline) -> None:
        self.speech = speech
        self.outline = outline
        self.draft = Draft()
        self.ids: set[str] = set()
        self.names: set[str] = set()
        found = list(SENTENCE.finditer(speech))  # read once: terms and actors ask where each offset stands
        self.sentence_starts = [m.start() for m in found]
        self.sentence_texts = [m.group().strip() for m in found]

    # --- entries ----------------------------------------------------------------------------------------

    def add(self, entry: dict[str, Any], examples: list[str]) -> bool:
        """Add an entry, unless it quotes nothing of the speech or an entry of its title exists: whether added."""
        quotes = [q for q in dict.fromkeys(entry["quotes"]) if q and q in self.speech]
        if not quotes:
            return False
        entry["quotes"] = quotes
        aliases = []
        for name in [entry["title"], *entry.get("aliases", [])]:
            key = name_key(name)
            if key in self.names:
                if name == entry["title"]:
                    return False  # an entry of that name exists: the first one stands
                continue
            self.names.add(key)
            if name != entry["title"]:
                aliases.append(name)
        if aliases:
            entry["aliases"] = aliases
        else:
            entry.pop("aliases", None)
        self.draft.entries.append(entry)
        self.draft.examples[entry["id"]] = list(dict.fromkeys(q for q in examples if q))
        if len(entry["answer"]) > LONG_ANSWER:
            self.draft.review.append(f"{entry['id']}: a long answer ({len(entry['answer'])} characters)")
        return True

    def sections(self) -> None:
        outline = self.outline
        self._bookend(
            "opening",
            "开头",
            outline.opening,
            ["讲话开头", "开头", "会议的主要任务"],
            ["讲话开头说了什么", "这次会议的主要任务是什么", "开这个会是为了什么", "今天开的是什么会"],
        )
        runs = self._top_runs()
        for slug_, label, heads in runs:
            self._overview(slug_, label, heads)
            for n, head in enumerate(heads, 1):
                self._section(head, f"{slug_}-{n}", [], label, n)
        for k, paragraph in enumerate(outline.loose, 1):
            title = bare(title_of(paragraph.text))
            self.add(
                {
                    "id": f"para-{k}",
                    "kind": "section",
                    "title": title,
                    "answer": trimmed(paragraph.text),
                    "quotes": [_quote(paragraph.text)],
                    "where": title,
                },
                [f"{title[:20]}是怎么说的", f"讲话怎么讲{title[:14]}"],
            )
        self._bookend(
            "closing",
            "结尾",
            outline.closing,
            ["结尾", "收尾的话"],
            ["讲话最后号召什么", "结尾怎么说的", "讲话最后讲了什么"],
        )

    def _bookend(
        self,
        entry_id: str,
        where: str,
        paragraphs: tuple[Paragraph, ...],
        aliases: list[str],
        examples: list[str],
    ) -> None:
        """The opening or the closing: its paragraphs' text, named by its first sentence."""
        if not paragraphs:
            return
        self.add(
            {
                "id": entry_id,
                "kind": "section",
                "title": f"{where}：{bare(title_of(paragraphs[0].text))[:30]}",
                "aliases": aliases,
                "answer": trimmed("\n".join(p.text for p in paragraphs)),
                "quotes": [_quote(paragraphs[0].text)],
                "where": where,
            },
            examples,
        )

    def _top_runs(self) -> list[tuple[str, str, list[Heading]]]:
        """The top-level headings in runs (one style each), each with an id and what it is called."""
        runs: list[list[Heading]] = []
        for head in self.outline.headings:
            if runs and runs[-1][-1].style == head.style and head.number != 1:
                runs[-1].append(head)
            else:
                runs.append([head])
        named: list[tuple[str, str, list[Heading]]] = []
        for heads in runs:
            problems = sum(1 for h in heads if PROBLEM_WORDS.search(h.title)) * 2 > len(heads)
            base = "problem" if problems else "part"
            slug_ = base if base not in self.ids else f"{base}{len(named) + 1}"
            self.ids.add(slug_)
            named.append((slug_, "问题" if problems else "部分", heads))
        return named

    def _overview(self, slug_: str, label: str, heads: list[Heading]) -> None:
        count = COUNT_WORDS.get(len(heads), str(len(heads)))
        intro = heads[0].intro
        lines = "\n".join(f"{n}. {head.title}" for n, head in enumerate(heads, 1))
        lead = f"讲话说：“{intro}”" if intro else f"讲话分{count}个{label}："
        title = f"存在的{count}个问题（总览）" if label == "问题" else f"讲话的{count}个部分（总览）"
        aliases = [f"{count}个{label}"] + (
            [f"{count}个方面"] if label == "部分" else [f"{count}个方面的问题"]
        )
        added = self.add(
            {
                "id": slug_,
                "kind": "section",
                "title": title,
                "aliases": aliases,
                "answer": f"{lead}\n{lines}",
                "quotes": ([intro] if intro else []) + [heads[0].title],
                "where": title.removesuffix("（总览）"),
            },
            (
                ["讲话指出了哪些问题", "存在哪些问题", "有哪几个方面的不足", "问题有几个"]
                if label == "问题"
                else [
                    "讲话分几个部分",
                    "讲了哪几个方面",
                    "提了哪几点意见",
                    "下一步有哪些要求",
                    "主要讲了哪几块",
                ]
            ),
        )
        if added:  # a second run of as many parts has the first one's title: its parts stand alone
            self.draft.children[slug_] = f"{slug_}-{{n}}"

    def _section(self, head: Heading, entry_id: str, path: list[str], label: str, n: int) -> None:
        self.ids.add(entry_id)
        where = WHERE_SEPARATOR.join([*path, head.title])
        text = self.speech[head.start : head.end].strip()
        title = head.title
        short = bare(title)
        if head.children:
            lead = self.speech[head.start : head.children[0].start].strip()
            points = "\n".join(f"{k}. {_with_points(child)}" for k, child in enumerate(head.children, 1))
            rest = sentences_of(lead)[1:]
            answer = (
                f"{title}。"
                + ("".join(rest)[:200] if rest else "")
                + f"\n共{len(head.children)}点：\n{points}"
            )
            quotes = [_quote(text)] + ([_quote("".join(rest))] if rest else [])
        else:
            answer = trimmed(text)
            quotes = [_quote(text)] + [s for s in sentences_of(text)[1:3] if len(s) <= QUOTE_CHARS]
        ordinal = COUNT_WORDS.get(n, str(n))
        examples = [f"{short}讲了什么", f"讲话怎么说{short[:16]}", f"{short[:16]}具体要求是什么"]
        examples += clause_questions(
            text if not head.children else self.speech[head.start : head.children[0].start]
        )
        if not path:
            examples.append(f"第{ordinal}个{label}是什么")
        self.add(
            {
                "id": entry_id,
                "kind": "section",
                "title": title if len(title) <= 40 else short[:40],
                "aliases": [short] if short != title and len(short) >= 4 else [],
                "answer": answer,
                "quotes": quotes,
                "where": where,
            },
            examples,
        )
        for k, child in enumerate(head.children, 1):
            self._section(child, f"{entry_id}-{k}", [*path, head.title], "点", k)
        if not head.children:
            self._lead_paragraphs(head, entry_id, where)

    def _lead_paragraphs(self, head: Heading, entry_id: str, where: str) -> None:
        """A heading holding several paragraphs, each opening with a short sentence: one fact per paragraph."""
        paragraphs = [p for p in self.outline.paragraphs if head.start < p.start < head.end]
        for k, paragraph in enumerate(paragraphs, 1):
            lead = title_of(paragraph.text)
            if len(lead) > 24 or len(paragraph.text) < 40:
                continue
            self.add(
                {
                    "id": f"{entry_id}-p{k}",
                    "kind": "fact",
                    "title": lead,
                    "answer": trimmed(paragraph.text),
                    "quotes": [_quote(paragraph.text)],
                    "where": where,
                },
                [f"{lead}是怎么说的", f"讲话怎么讲{lead}", *clause_questions(paragraph.text)],
            )

    # --- terms, documents, actors ------------------------------------------------------------------------

    def terms(self) -> None:
        seen: dict[str, list[int]] = {}
        for match in QUOTED.finditer(self.speech):
            phrase = match.group(1)
            if len(phrase) <= TERM_CHARS and not re.search(r"[，。；：！？]", phrase):
                seen.setdefault(phrase, []).append(match.start())
        for phrase, places in seen.items():
            if not self._heading_alias(phrase):
                self._term(phrase, places)

    def _heading_alias(self, phrase: str) -> bool:
        """A phrase a heading puts in “…” (（二）深化“党建+”融合模式) is that section's other name, not a term
        of its own: what the speech says of it is that section. Its items, when spelled out, still make a term."""
        if _counted_slogan(phrase):
            return False
        for entry in self.draft.entries:
            if entry["kind"] == "section" and any(
                f"{left}{phrase}{right}" in entry["title"] for left, right in QUOTE_PAIRS
            ):
                key = name_key(phrase)
                if key in self.names:
                    return True
                self.names.add(key)
                entry.setdefault("aliases", []).append(phrase)
                self.draft.examples[entry["id"]] += [f"{phrase}是什么", f"讲话怎么说{phrase}的"]
                return True
        return False

    def _heading_items(self, phrase: str) -> tuple[list[str], str]:
        """The points of a heading that quotes a counted slogan and has as many points as it counts
        (（二）牢记“三个X”… then 首先，…；其次，…；最后，…): they are its items, the heading their evidence."""
        counted = _counted_slogan(phrase)
        want = COUNTS.get(counted.group("n"), 0) if counted else 0
        heads = list(self.outline.headings)
        while heads:
            head = heads.pop(0)
            heads.extend(head.children)
            quoted = any(f"{left}{phrase}{right}" in head.title for left, right in QUOTE_PAIRS)
            if want and quoted and len(head.children) == want:
                return [child.title for child in head.children], head.title
        return [], ""

    def _term(self, phrase: str, places: list[int]) -> None:
        items, evidence = next((found for at in places if (found := self._items(phrase, at))[0]), ([], ""))
        if not items:
            items, evidence = self._heading_items(phrase)
        counted = _counted_slogan(phrase)
        sentences = list(dict.fromkeys(self._sentence_at(at) for at in places))[:MAX_TERM_PLACES]
        where = self._where(places[0])
        entry_id = slug(phrase, self.ids, "term")
        examples = [f"{phrase}是什么", f"什么是{phrase}", f"{phrase}指什么", f"讲话怎么说{phrase}的"]
        entry: dict[str, Any] = {"id": entry_id, "kind": "term", "title": f"“{phrase}”", "where": where}
        entry["aliases"] = [phrase]
        if items:
            listed = "\n".join(f"{k}. {item}" for k, item in enumerate(items, 1))
            entry["answer"] = f"讲话说：{evidence}\n“{phrase}”是：\n{listed}"
            entry["quotes"] = [evidence]
            examples += [f"{phrase}是哪几个", f"{phrase}包括哪些", f"{phrase}具体内容"]
            sep = (
                "；"
                if "；".join(items) in self.speech
                else ("、" if "、".join(items) in self.speech else "，")
            )
            if sep.join(items) in self.speech:
                self.draft.lists.append(
                    {
                        "id": entry_id.removeprefix("term-"),
                        "entry": entry_id,
                        "label": f"“{phrase}”",
                        "items": items,
                        "sep": sep,
                    }
                )
        else:
            entry["answer"] = "讲话中说到它的地方：\n" + "\n".join(
                f"{k}. {s}" for k, s in enumerate(sentences, 1)
            )
            entry["quotes"] = sentences[:2]
            if counted:
                entry["mention_only"] = True
                entry["answer"] = f"讲话提到了“{phrase}”，但没有列出具体内容。" + entry["answer"]
                self.draft.review.append(
                    f"{entry_id}: “{phrase}” is named but never spelled out (mention_only)"
                )
        self.add(entry, examples)

    def _items(self, phrase: str, at: int) -> tuple[list[str], str]:
        """The items of a phrase the speech spells out right after it (“三个聚焦”即：A；B；C), and the words
        that hold them; none when it does not."""
        after = self.speech[at + len(phrase) + 2 : at + len(phrase) + 2 + 400]
        sentence_end = min((i for i in (after.find("。"), after.find("\n")) if i >= 0), default=len(after))
        span = after[:sentence_end]
        announced = ANNOUNCES.match(span.lstrip("，, "))
        if not announced:
            return [], ""
        body = span.lstrip("，, ")[announced.end() :]
        counted = _counted_slogan(phrase)
        want = COUNTS.get(counted.group("n"), 0) if counted else 0
        for sep, cut in (("；", "。"), ("、", "，；。"), ("、", "。"), ("，", "。")):
            listed = re.split(f"[{cut}]", body)[0]  # a list in 、 ends at the first ， or ； after it
            parts = [p.strip() for p in listed.split(sep) if p.strip()]
            if len(parts) >= 2 and (not want or len(parts) == want):
                body = listed
                start = at
                end = at + len(phrase) + 2 + self.speech[at + len(phrase) + 2 :].find(body) + len(body)
                return parts, self.speech[start : end + 1].strip("。\n")
        return [], ""

    def actors(self) -> None:
        duties: dict[str, list[int]] = {}
        for match in SENTENCE.finditer(self.speech):
            text = match.group().strip()
            found = DUTY.match(text)
            if found and ACTOR.match(found.group("actor")):
                actor = found.group("actor").strip("，、 ")
                actor = ACTOR_NOISE.sub("", actor).strip("，、 ")
                if 2 <= len(actor) <= 12 and not CRITICISED.match(actor) and ACTOR.match(actor):
                    duties.setdefault(actor, []).append(match.start() + match.group().index(text))
        for actor, places in duties.items():
            sentences = list(dict.fromkeys(self._sentence_at(at) for at in places))[:6]
            self.add(
                {
                    "id": slug(actor, self.ids, "actor"),
                    "kind": "fact",
                    "title": f"{actor}要做什么",
                    "aliases": [f"{actor}的责任", f"对{actor}的要求"],
                    "answer": f"讲话对{actor}的要求：\n"
                    + "\n".join(f"{k}. {s}" for k, s in enumerate(sentences, 1)),
                    "quotes": sentences[:2],
                    "where": self._where(places[0]),
                },
                [f"{actor}要做什么", f"对{actor}有什么要求", f"{actor}的职责是什么", f"{actor}该怎么干"],
            )

    # --- where things stand ------------------------------------------------------------------------------

    def _sentence_at(self, offset: int) -> str:
        at = bisect.bisect_right(self.sentence_starts, offset) - 1
        return self.sentence_texts[at] if at >= 0 else ""

    def _where(self, offset: int) -> str:
        best, depth = "开头", -1
        for entry in self.draft.entries:
            if entry["kind"] != "section" or entry["id"] in self.draft.children:
                continue
            start = self.speech.find(entry["quotes"][0])
            if 0 <= start <= offset and start >= depth:  # the last section to start before it
                best, depth = entry["where"], start
        if self.outline.closing and offset >= self.outline.closing[0].start:
            return "结尾"
        return best


def _with_points(head: Heading) -> str:
    """A heading's title with its own points after it (一是…；二是…), so that a part's answer shows them."""
    if not head.children:
        return head.title
    return f"{head.title}：" + "；".join(child.title for child in head.children)


def _counted_slogan(phrase: str) -> re.Match[str] | None:
    """A slogan that counts its items (三个到位, 五坚持, 四个一; not 一言堂 or 两面人): two or more with a
    measure word, or three or more in a short phrase."""
    found = COUNTED.match(phrase)
    if found is None:
        return None
    n = COUNTS.get(found.group("n"), 0)
    measured = found.end() > 1
    return found if (n >= 2 and measured) or (n >= 3 and len(phrase) <= 5) else None


def draft_pack(speech: str, title: str = "") -> Draft:
    """The whole pack for a speech (deterministic: the same text gives the same pack)."""
    outline = read_outline(speech)
    builder = _Builder(speech, outline)
    builder.sections()
    builder.terms()
    builder.actors()
    draft = builder.draft
    draft.review[:0] = list(outline.unsure)
    draft.pack = pack_info(speech, outline, title)
    for entry in draft.entries:
        draft.examples.setdefault(entry["id"], [])
    return draft


def pack_info(speech: str, outline: Outline, title: str) -> dict[str, Any]:
    """pack.yaml from the text: the meeting's name (the title line, or 召开…会 in the opening), its date, and
    the body that speaks (the party organ the speech names most)."""
    heading = " ".join(p.text for p in outline.title_lines)
    meeting = ""
    if found := re.search(r"在(?P<m>.{4,60}?(?:会议|例会|推进会|座谈会|大会|会))上的讲话", heading):
        meeting = found.group("m")
    opening = " ".join(p.text for p in outline.opening) or speech[:400]
    if not meeting and (
        found := re.search(
            r"召开(?:的)?(?:是)?(?P<m>[^，。；]{4,60}?(?:会议|例会|推进会|座谈会|大会))", opening
        )
    ):
        meeting = found.group("m")
    meeting = title or meeting or "这次会议"
    date = ""
    if found := re.search(r"(?P<y>20\d\d)年(?P<mo>\d{1,2})月(?P<d>\d{1,2})日", heading):
        date = f"{found['y']}-{int(found['mo']):02d}-{int(found['d']):02d}"
    elif found := re.search(r"(?P<y>20\d\d)年(?:第)?(?P<q>[一二三四1-4])季度", meeting + opening):
        quarter = "一二三四".index(found["q"]) + 1 if found["q"] in "一二三四" else int(found["q"])
        date = f"{found['y']}-{quarter * 3:02d}"
    elif found := re.search(r"(20\d\d)年", meeting + opening):
        date = found.group(1)
    bodies = Counter(
        re.findall(r"(?:局|集团|公司|县|市|区|校|院)?(?:党组|党委)(?!织|书记|成员|班子|会议)", speech)
    )
    body = bodies.most_common(1)[0][0] if bodies else ""
    if found := re.search(
        r"(?P<body>[^\s、，]{0,12}?(?:党组|党委|党工委))书记", heading
    ):  # the speaker's line
        body = found.group("body")
    info: dict[str, Any] = {"meeting": meeting, "short_title": meeting[:30]}
    if date:
        info["date"] = date
    info["date_text"] = (
        re.search(r"(20\d\d年\d{1,2}月\d{1,2}日)", heading).group(1)
        if re.search(r"20\d\d年\d{1,2}月\d{1,2}日", heading)
        else "讲话没有写具体日期"
    )
    if body:
        info["body"] = body
    if outline.closing:
        info["closing_marker"] = re.match(r"(同志们|各位同志|各位领导)", outline.closing[0].text).group(1)
    return info
