"""The daily study quiz: questions generated from the speech's own structure, deterministic for a seed.

Lists, numbered headings and quoted phrases are parsed from the speech text; the table below only says where a
list stands and how to ask about it. Every question carries `evidence`, a verbatim excerpt of the speech that
proves its answer: for single-choice and fill-in-the-blank questions the right option stands in it and no wrong
option does; for "which is NOT" questions the roles flip. A generator that cannot make a question meet every
rule skips it. Nothing here imports Telegram or SQLite.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.knowledge import Entry, KnowledgeBase, name_key

if TYPE_CHECKING:
    from bot.matching import Matcher

SINGLE = "single"
BLANK = "blank"
TRUEFALSE = "truefalse"
NOT = "not"
TYPES = (SINGLE, BLANK, TRUEFALSE, NOT)

# Telegram's limits for a quiz poll.
MAX_QUESTION = 300
MAX_OPTION = 100
MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_EXPLANATION = 200
MAX_EXPLANATION_LINE_FEEDS = 2

TRUE = "正确"
FALSE = "错误"
TRUEFALSE_PREFIX = "判断正误（以讲话原文为准）：\n"
BLANK_PREFIX = "填空（选出讲话原文的用语）：\n"
GAP = "____"
WRONG_OPTIONS = 3  # a choice question shows the right option and up to three wrong ones
MAX_STATEMENT = 80  # a true/false statement longer than this is hard to judge on a phone

CHINESE_DIGITS = "一二三四五六七八九十"
HAN = "\u4e00-\u9fff"
# Characters that make a mined "sibling" phrase a fragment of grammar rather than a term.
FUNCTION_CHARS = frozenset("的和与及或是在了把将对为向于以被让使等从就都也而并且又好要能会着得地之其此这那")
HEADING_START = re.compile(rf"^(?:[{CHINESE_DIGITS}][是要、]|（[{CHINESE_DIGITS}]）)")
SLOGAN = re.compile(r"^[两二三四五][个种]?[\u4e00-\u9fff]{1,4}$")


@dataclass(frozen=True, slots=True)
class Question:
    """One quiz question; `correct` indexes `options`, `evidence` is verbatim speech text proving the answer."""

    id: str
    type: str
    question: str
    options: tuple[str, ...]
    correct: tuple[int, ...]
    explanation: str
    evidence: str
    entry_id: str
    about: str = field(default="", compare=False, repr=False)  # the entry's names, for topic search

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(self.options[i] for i in self.correct)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of `python -m bot quiz --json`."""
        return {
            "id": self.id,
            "type": self.type,
            "question": self.question,
            "options": list(self.options),
            "correct": list(self.correct),
            "explanation": self.explanation,
            "evidence": self.evidence,
            "entry": self.entry_id,
        }


# ─────────────────────────── where the speech's lists stand ───────────────────────────


@dataclass(frozen=True)
class ListSpec:
    """Where one enumerated list stands in the speech, and how to ask about it.

    `pattern` is a regex over the speech: its group `items` holds the items, split on `sep`; the whole match is
    the evidence. `pair` splits an item into `left` and `right` halves: swapping halves between items gives
    false look-alikes, and `ask_right`/`ask_left` ask for one half given the other ({left}, {right} quoted;
    {left_raw}, {right_raw} bare).
    """

    key: str
    label: str  # fits "根据讲话原文，下列哪一项属于{label}？"
    pattern: str
    sep: str = "、"
    strip: str = ""
    pair: str = ""
    ask_right: str = ""
    ask_left: str = ""
    name: str = ""  # the quoted slogan naming the list, standing in the match
    statements: bool = False  # each item is a full statement: true/false questions on it
    members: bool = True  # ask which item belongs / is not / fills a gap


LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        "five-paths",
        "“五个必由之路”",
        r"“五个必由之路”即：(?P<items>[^。]+?)。",
        sep="；",
        pair=r"^(?P<left>.+?)是(?P<right>.+)的必由之路$",
        ask_right="按照“五个必由之路”的表述，{left_raw}是什么的必由之路？",
        ask_left="按照“五个必由之路”的表述，什么是{right_raw}的必由之路？",
        name="五个必由之路",
        statements=True,
    ),
    ListSpec(
        "four-more-conscious",
        "“四个更加自觉”",
        r"“四个更加自觉上”用劲用力。(?P<items>一是[^。]+)。",
        sep="；",
        strip=rf"^[{CHINESE_DIGITS}]是",
        pair=r"^(?P<left>更加自觉地把.+?起来)，(?P<right>坚决.+)$",
        ask_right="“四个更加自觉”中，{left}之后紧接的是？",
        ask_left="“四个更加自觉”中，与{right}相对应的是？",
        name="四个更加自觉",
        statements=True,
    ),
    ListSpec("si-mingque", "“四明确”", r"做到(?P<items>[^，。“]+)“四明确”", name="四明确"),
    ListSpec("sanhui", "要开好的“三会”", r"开好“三会”，即(?P<items>[^，。]+)", name="三会"),
    ListSpec(
        "jijian-supervision",
        "“纪检+”监督模式下要发挥合力作用的监督",
        r"“纪检\+”监督模式，充分发挥(?P<items>[^，。]+?)等监督合力",
    ),
    ListSpec(
        "five-firsts",
        "学习习近平新时代中国特色社会主义思想的“第一”定位",
        r"坚持把学习习近平新时代中国特色社会主义思想作为(?P<items>[^，。]+)，将",
        pair=r"^(?P<left>.+?)的?“(?P<right>第一..)”$",
        ask_right="讲话要求把学习习近平新时代中国特色社会主义思想作为{left_raw}的哪一个“第一”？",
        ask_left="讲话要求把学习习近平新时代中国特色社会主义思想作为哪一方面的“{right_raw}”？",
        members=False,
    ),
    ListSpec(
        "five-ways-to-learn",
        "讲话对学习贯彻十九届六中全会、全国两会精神要求切实做到的学习方式",
        r"切实做到(?P<items>[^，。]+?学)，",
        pair=r"^(?P<left>.+?)(?P<right>..学)$",
        ask_right="讲话要求学习贯彻十九届六中全会、全国两会精神，{left_raw}要怎样学？",
        ask_left="讲话要求学习贯彻十九届六中全会、全国两会精神，谁要“{right_raw}”？",
    ),
    ListSpec("three-consciousness", "讲话要求切实做到的几个“自觉”", r"切实做到(?P<items>[^，。]+?自觉)。"),
    ListSpec(
        "four-jiang",
        "做保持清正廉洁政治本色的表率要“讲”的内容",
        r"政治本色的表率，(?P<items>讲[^，。]+)，",
    ),
    ListSpec(
        "three-examples",
        "领导干部要做的表率",
        r"(?P<items>要做[^。]+?的表率，[^。]+。(?:要做[^。]+?的表率，[^。]+。)+)",
        sep=r"(?<=。)",
        pair=r"^要做(?P<left>.+?)的表率，(?P<right>.+)。$",
        ask_right="讲话要求领导干部做“{left_raw}的表率”，具体要求是？",
        ask_left="讲话要求领导干部{right}，这是要做哪方面的表率？",
        members=False,
    ),
    ListSpec(
        "discipline-equal",
        "做严明党的政治纪律的表率所要坚持的",
        r"政治纪律的表率，坚持(?P<items>[^。]+)。",
        sep="，",
        pair=r"^(?P<left>.{4})(?P<right>.+)$",
    ),
    ListSpec(
        "red-face",
        "“红脸”与“脸红”",
        r"(?P<items>“[^”]{2}”，就是要[^。]+。“[^”]{2}”，就是要[^。]+。)",
        sep=r"(?<=。)",
        pair=r"^“(?P<left>[^”]+)”，就是要(?P<right>.+)。$",
        ask_right="讲话中，“{left_raw}”就是要怎样？",
        ask_left="讲话中，就是要{right}的是？",
        members=False,
    ),
    ListSpec(
        "four-facing",
        "讲话要求党员干部做到的几个“面对”",
        r"做到(?P<items>面对[^。]+)。",
        sep=r"[、，](?=面对)",
        pair=r"^面对(?P<left>.+)(?P<right>.{4})$",
        ask_right="讲话要求党员干部面对{left_raw}要怎样？",
        ask_left="讲话要求党员干部面对什么要“{right_raw}”？",
    ),
    ListSpec(
        "three-orientations", "讲话指出政治理论学习缺乏的导向", r"缺乏(?P<items>[^，。]+?导向)的学习动力"
    ),
    ListSpec(
        "study-systems", "各级党组织要严格规范执行的学习制度", r"严格规范执行(?P<items>[^。]+?)等学习制度"
    ),
    ListSpec(
        "responsible-subjects", "局党委已明确抓党建责任事项的责任主体", r"明确(?P<items>[^。]+?)等责任主体"
    ),
    ListSpec(
        "hard-problems",
        "党建工作大调研要切实解决的突出难题",
        r"切实解决(?P<items>[^。]+?)等当前存在的一些突出难题",
    ),
    ListSpec(
        "contact-points",
        "各级班子成员在基层党建联系点要做的工作",
        r"建立基层党建联系点，(?P<items>[^。]+)。",
        sep="，",
    ),
    ListSpec(
        "know-the-risks",
        "对廉政风险点摸清摸透后要做到的",
        r"摸清摸透，做到(?P<items>[^，。]+?)、持续精准发力",
        pair=r"^(?P<left>..)(?P<right>有.)$",
    ),
    ListSpec(
        "new-situation",
        "“纪检+”监督模式要形成的新局面",
        r"形成(?P<items>[^。]+?)的新局面",
        pair=r"^(?P<left>..)(?P<right>..)$",
    ),
    ListSpec(
        "risk-posts",
        "要紧盯的廉政风险较高的部位、岗位和风险点",
        r"紧盯廉政风险较高的(?P<items>[^，。]+?)，",
        sep="、|和",
    ),
    ListSpec("benchmarks", "讲话查找问题时对照的标准", r"但(?P<items>对[^：]+?)，仍然存在", sep="，"),
    ListSpec(
        "past-measures",
        "过去3个月提升基层党组织政治功能与组织力的举措",
        r"通过(?P<items>[^，。]+?)，基层党组织政治功能",
    ),
    ListSpec(
        "find-direction",
        "讲话要求在对标对表中做到的",
        r"在对标对表中(?P<items>[^，。]+?)，",
        pair=r"^(?P<left>.)(?P<right>.+)$",
    ),
    ListSpec(
        "people-interests",
        "讲话要求对最广大人民的根本利益着力做到的",
        r"着力(?P<items>[^，。]+?好)最广大人民",
    ),
    ListSpec("three-unities", "围绕贯彻今年各项工作部署要做到的“统一”", r"工作部署(?P<items>统一[^。]+)。"),
    ListSpec("org-life-systems", "讲话要求严格落实的党内组织生活制度", r"要严格落实(?P<items>[^。]+?)等制度"),
    ListSpec(
        "right-from-wrong",
        "“红脸”要求在党内政治生活中做到的",
        r"就是要在党内政治生活中(?P<items>[^，。]+)，",
    ),
    ListSpec("warning-activities", "讲话要求灵活运用的警示教育活动", r"灵活运用(?P<items>[^，。]+?)等活动"),
    ListSpec(
        "family-documents",
        "家风建设要认真学习贯彻的文件",
        r"认真学习贯彻中央(?P<items>《[^。]+?》)推进",
        sep=r"(?<=》)(?=《)",
    ),
    ListSpec(
        "two-educations", "廉政教育要坚持相结合的两种教育", r"一要坚持(?P<items>[^，。]+?)相结合", sep="和"
    ),
    ListSpec("local-work", "讲话要求积极助力的所在地工作", r"积极助力所在地(?P<items>[^，。]+?)等工作"),
    ListSpec("enforce-discipline", "讲话要求坚持的执纪原则", r"坚持(?P<items>[^，。]+?)，维护纪律和规矩"),
    ListSpec(
        "grip",
        "在改进作风问题上各级党组织必须保持的",
        r"必须保持(?P<items>[^，。]+?)，党员干部",
        pair=r"^(?P<left>.+?的)(?P<right>.+)$",
    ),
    ListSpec(
        "study-habits",
        "讲话批评的学习上被动、应付的表现",
        r"往往(?P<items>[^，。]+?)，结果",
        pair=r"^(?P<left>一.)(?P<right>..)$",
    ),
    ListSpec(
        "goals-directions",
        "党建工作重点任务完成情况纳入绩效考评要达到的效果",
        r"让各单位(?P<items>[^，。]+?)。",
        pair=r"^(?P<left>.)(?P<right>有..)$",
    ),
    ListSpec(
        "layer-by-layer",
        "抓基层要坚持的“逐级下抓、层层深抓”",
        r"坚持“(?P<items>[^”]+)”，局党委",
        pair=r"^(?P<left>..)(?P<right>..)$",
    ),
    ListSpec(
        "brands",
        "要持续推进的“一单位一品牌、一支部一特色”创建",
        r"持续推进“(?P<items>[^”]+)”创建",
        pair=r"^(?P<left>一..)(?P<right>一..)$",
    ),
    ListSpec(
        "missing-abilities", "讲话指出有的干部特别是领导干部缺乏的能力", r"缺乏(?P<items>[^，。]+?)的能力"
    ),
    ListSpec(
        "decision-traits",
        "讲话所说上级党委一些决策部署的特性",
        r"上级党委一些(?P<items>[^，。]+?性)的决策部署",
    ),
    ListSpec(
        "seek-truth",
        "讲话要求班子成员在组织生活中做到的",
        r"敢于坚持真理，(?P<items>[^。]+?)，围绕",
        sep="，",
    ),
)


# ─────────────────────────── the speech, parsed ───────────────────────────


@dataclass(frozen=True)
class _Item:
    text: str
    start: int
    right: tuple[int, int] | None = None  # span of the right half inside `text`
    left: tuple[int, int] | None = None

    @property
    def right_text(self) -> str:
        return self.text[self.right[0] : self.right[1]] if self.right else ""

    @property
    def left_text(self) -> str:
        return self.text[self.left[0] : self.left[1]] if self.left else ""


@dataclass(frozen=True)
class _List:
    spec: ListSpec
    start: int
    evidence: str
    items: tuple[_Item, ...]

    @property
    def span(self) -> tuple[int, int]:
        return self.items[0].start, self.items[-1].start + len(self.items[-1].text)

    def swaps(self, speech: str) -> list[tuple[_Item, str]]:
        """Each item with its right half taken from another item: false look-alikes, absent from the speech."""
        out = []
        for item in self.items:
            for other in self.items:
                if other is item or not item.right or not other.right:
                    continue
                fake = item.text[: item.right[0]] + other.right_text + item.text[item.right[1] :]
                if fake not in speech and fake not in (f for _, f in out):
                    out.append((item, fake))
        return out

    def recombinations(self, speech: str) -> list[str]:
        return [fake for _, fake in self.swaps(speech)]


@dataclass(frozen=True)
class _Heading:
    ordinal: int
    marker: str  # 、 for parts, （） for points, 是 or 要 for numbered items
    text: str  # without its ordinal
    full: str  # as it stands in the speech
    start: int
    body_end: int


@dataclass(frozen=True)
class _Run:
    headings: tuple[_Heading, ...]
    scope: str  # what the run enumerates, for question text


@dataclass(frozen=True)
class _Parsed:
    speech: str
    sentences: tuple[tuple[int, int], ...]
    phrases: tuple[tuple[str, int], ...]  # quoted phrases (without the marks) and where each stands
    lists: tuple[_List, ...]
    runs: tuple[_Run, ...]
    enumerated: tuple[str, ...]  # clean items of every 、-separated enumeration in the speech

    @property
    def phrase_pool(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for p, _ in self.phrases))

    @property
    def item_pool(self) -> tuple[str, ...]:
        """Items of the listed lists, of other enumerations, then quoted phrases: candidates for wrong options."""
        items = (i.text for lst in self.lists for i in lst.items)
        return tuple(dict.fromkeys((*items, *self.enumerated, *self.phrase_pool)))

    def paragraph(self, position: int) -> str:
        start = self.speech.rfind("\n", 0, position) + 1
        end = self.speech.find("\n", position)
        return self.speech[start : end if end != -1 else len(self.speech)]


def _sentences(speech: str) -> tuple[tuple[int, int], ...]:
    """Spans of the speech's sentences and clauses ending in 。；！？ or a line end (the stop kept)."""
    spans = []
    start = 0
    for stop in re.finditer(r"[。；！？\n]", speech + "\n"):
        end = stop.start() if stop.group() == "\n" else stop.end()
        text = speech[start:end]
        lead = len(text) - len(text.lstrip())
        if text.strip():
            spans.append((start + lead, start + len(text.rstrip())))
        start = stop.end()
    return tuple(spans)


def _quoted_phrases(speech: str) -> tuple[tuple[str, int], ...]:
    return tuple((m.group(1), m.start(1)) for m in re.finditer(r"“([^”\n]{2,20})”", speech))


def _enumerated(speech: str) -> tuple[str, ...]:
    """Inner items of each enumeration A、B、C… (the outer two may carry the words around the list)."""
    found = []
    for run in re.finditer(rf"[{HAN}“”]+(?:、[{HAN}“”]+){{2,}}", speech):
        found += [p for p in run.group().split("、")[1:-1] if p.count("“") == p.count("”") and len(p) >= 2]
    return tuple(dict.fromkeys(found))


def _parse_list(spec: ListSpec, speech: str) -> _List | None:
    match = re.search(spec.pattern, speech)
    if match is None:
        return None
    base = match.start("items")
    items = []
    offset = 0
    block = match.group("items")
    for piece in re.split(spec.sep, block):
        at = block.find(piece, offset)
        offset = at + len(piece)
        text = piece
        if spec.strip:
            cut = re.match(spec.strip, text)
            if cut:
                at += cut.end()
                text = text[cut.end() :]
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if not text:
            continue
        left = right = None
        if spec.pair:
            halves = re.match(spec.pair, text)
            if halves is None:
                return None
            left, right = halves.span("left"), halves.span("right")
        items.append(_Item(text, base + at + lead, right=right, left=left))
    if len(items) < 2:
        return None
    first, last = (match.start(), match.end()) if spec.name else (match.start("items"), match.end("items"))
    start, end = _window(speech, first, last, limit=max(60, last - first + 24))
    return _List(spec, start, speech[start:end], tuple(items))


def _headings(speech: str) -> list[_Heading]:
    """Every numbered heading: parts (一、), points (（一）) and numbered items (一是, 一要) at a clause start."""
    found: list[tuple[int, int, str, str, str]] = []
    for m in re.finditer(rf"^([{CHINESE_DIGITS}])、([^\n]+?)\s*$", speech, re.M):
        found.append((m.start(), CHINESE_DIGITS.index(m.group(1)) + 1, "、", m.group(2), m.group().strip()))
    for m in re.finditer(rf"^（([{CHINESE_DIGITS}])）([^。\n]+)", speech, re.M):
        found.append((m.start(), CHINESE_DIGITS.index(m.group(1)) + 1, "（）", m.group(2), m.group()))
    for m in re.finditer(rf"(?:^|(?<=[。；]))([{CHINESE_DIGITS}])([是要])([^。；\n]+)", speech, re.M):
        text = m.group(3)
        if len(text) > 40:
            text = text.split("，")[0]
        marker = m.group(2)
        found.append(
            (m.start(), CHINESE_DIGITS.index(m.group(1)) + 1, marker, text, m.group(1) + marker + text)
        )
    found.sort()
    return [_Heading(o, mk, t, f, s, -1) for s, o, mk, t, f in found]


def _runs(speech: str) -> tuple[_Run, ...]:
    """Numbered headings grouped into runs (一, 二, 三 … of one kind), each with the span it governs."""
    runs: list[list[_Heading]] = []
    open_run: dict[str, list[_Heading]] = {}
    for heading in _headings(speech):
        current = open_run.get(heading.marker)
        if heading.ordinal == 1:
            open_run[heading.marker] = [heading]
            runs.append(open_run[heading.marker])
        elif current and current[-1].ordinal == heading.ordinal - 1:
            current.append(heading)
    closing = speech.rfind("\n同志们")
    finished: list[tuple[_Heading, ...]] = []
    for run in runs:
        if len(run) < 2:
            continue
        bounded = []
        for index, heading in enumerate(run):
            if index + 1 < len(run):
                end = run[index + 1].start
            elif heading.marker == "、":
                end = closing + 1 if closing > heading.start else len(speech)
            else:
                end = speech.find("\n", heading.start)
                end = end if end != -1 else len(speech)
            bounded.append(replace(heading, body_end=end))
        finished.append(tuple(bounded))
    all_headings = [h for run in finished for h in run]
    result = []
    for run in finished:
        first = run[0]
        parents = [h for h in all_headings if h.start < first.start < h.body_end and h not in run]
        if parents:
            parent = min(parents, key=lambda h: h.body_end - h.start)
            scope = f"{_q(parent.text)}这一部分"
        elif first.marker == "、":
            scope = "讲话对下一阶段工作提出的要求"
        else:
            scope = "讲话指出的问题"
        result.append(_Run(run, scope))
    return tuple(result)


def _parse(speech: str) -> _Parsed:
    lists = tuple(parsed for spec in LISTS if (parsed := _parse_list(spec, speech)) is not None)
    return _Parsed(
        speech, _sentences(speech), _quoted_phrases(speech), lists, _runs(speech), _enumerated(speech)
    )


# ─────────────────────────── small text helpers ───────────────────────────


def _q(text: str) -> str:
    """Quote a phrase for a question, with corner brackets when it already holds quotation marks."""
    return f"「{text}」" if "“" in text or "”" in text else f"“{text}”"


def _quoted(text: str) -> str:
    return text if text.startswith("“") and text.endswith("”") else _q(text)


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _excerpt(text: str, focus: str | None, limit: int) -> str:
    """At most `limit` characters of one line of `text` around `focus`, cut ends marked with …."""
    text = text.strip()
    if "\n" in text:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        text = next((line for line in lines if focus and focus in line), lines[-1])
    if len(text) <= limit:
        return text
    at = text.find(focus) if focus else -1
    width = len(focus) if focus and at >= 0 else 0
    at = max(at, 0)
    room = limit - 2
    start = at if width >= room else max(0, at - (room - width) // 2)
    end = min(len(text), start + room)
    start = max(0, end - room)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def _explain(verdict: str, quote: str, focus: str | None = None) -> str:
    """A verdict line, then the speech's words: at most MAX_EXPLANATION characters, one line feed."""
    head = f"{_clip(verdict, 90)}\n原文：“"
    return head + _excerpt(quote, focus, MAX_EXPLANATION - len(head) - 1) + "”"


def _common_ends(a: str, b: str) -> int:
    prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    suffix = next(
        (i for i, (x, y) in enumerate(zip(reversed(a), reversed(b), strict=False)) if x != y),
        min(len(a), len(b)),
    )
    return prefix + suffix


def _shape(text: str) -> tuple[bool, bool, bool]:
    return (
        bool(SLOGAN.match(text)),
        bool(re.search(r"[，、“”《》（）]", text)),
        bool(re.search(rf"[^{HAN}]", text)),
    )


def _rank(target: str, pool: Iterable[str], salt: str, *, spread: int | None = None) -> list[str]:
    """Candidates most like `target` first: shared start or end, same shape (slogan, punctuation), similar length,
    earlier in the pool; ties broken by a stable hash."""
    spread = max(1, len(target) // 3) if spread is None else spread
    shape = _shape(target)
    order = {c: i for i, c in enumerate(dict.fromkeys(pool))}
    candidates = [c for c in order if c and c != target and abs(len(c) - len(target)) <= spread]
    return sorted(
        candidates,
        key=lambda c: (
            -min(_common_ends(c, target), len(target) - 1),
            sum(a != b for a, b in zip(_shape(c), shape, strict=True)),
            abs(len(c) - len(target)),
            order[c] // 40,
            _digest(salt, c),
        ),
    )


def _unrelated(candidate: str, members: Iterable[str]) -> bool:
    """A distractor must not be a member in other words: no containment, not mostly the same characters."""
    for member in members:
        if candidate in member or member in candidate:
            return False
        if len(set(candidate) & set(member)) >= 0.6 * len(set(candidate)):
            return False
    return True


def _siblings(items: Sequence[str], speech: str) -> list[str]:
    """Phrases of the speech shaped like the items (the same two or more opening or closing characters, the
    same length) that are not items: 实干导向 beside 目标导向、问题导向、实践导向."""
    lengths = {len(i) for i in items}
    if len(lengths) != 1:
        return []
    size = lengths.pop()
    prefix = items[0][: min(len(i) for i in items)]
    while prefix and not all(i.startswith(prefix) for i in items):
        prefix = prefix[:-1]
    suffix = items[0]
    while suffix and not all(i.endswith(suffix) for i in items):
        suffix = suffix[1:]
    found = []
    if len(suffix) >= 2 and len(suffix) < size:
        free = size - len(suffix)
        pattern = rf"(?=([{HAN}]{{{free}}}){re.escape(suffix)})"
        found += [m.group(1) + suffix for m in re.finditer(pattern, speech)]
    if len(prefix) >= 2 and len(prefix) < size:
        free = size - len(prefix)
        pattern = rf"{re.escape(prefix)}(?=([{HAN}]{{{free}}}))"
        found += [prefix + m.group(1) for m in re.finditer(pattern, speech)]
    return [
        f
        for f in dict.fromkeys(found)
        if f not in items and not set(f.removeprefix(prefix).removesuffix(suffix)) & FUNCTION_CHARS
    ]


def _window(speech: str, start: int, end: int, limit: int = 100) -> tuple[int, int]:
    """The sentence around [start, end), narrowed to whole clauses when longer than `limit`."""
    left = max(speech.rfind(stop, 0, start) for stop in "。；！？\n") + 1
    right = min((i for stop in "。；！？\n" if (i := speech.find(stop, end)) != -1), default=len(speech))
    right = right + 1 if right < len(speech) and speech[right] != "\n" else right
    while left < start and speech[left].isspace():
        left += 1
    if right - left <= limit:
        return left, _trim_end(speech, left, right)
    depth, breaks = 0, []
    for i in range(left, right):
        char = speech[i]
        depth += {"“": 1, "”": -1, "《": 1, "》": -1}.get(char, 0)
        if depth == 0 and char in "，：":
            breaks.append(i + 1)
    cuts = [left, *breaks, right]
    lo = max(i for i, c in enumerate(cuts) if c <= start)
    hi = min(i for i, c in enumerate(cuts) if c >= end)
    while True:
        if hi + 1 < len(cuts) and cuts[hi + 1] - cuts[lo] <= limit:
            hi += 1
        elif lo > 0 and cuts[hi] - cuts[lo - 1] <= limit:
            lo -= 1
        else:
            break
    return cuts[lo], _trim_end(speech, cuts[lo], cuts[hi])


def _trim_end(speech: str, start: int, end: int) -> int:
    """Drop a trailing comma, colon or space, so an excerpt does not end mid-breath."""
    while end > start and (speech[end - 1] in "，：、" or speech[end - 1].isspace()):
        end -= 1
    return end


# ─────────────────────────── drafts and their checks ───────────────────────────


@dataclass(frozen=True)
class _Draft:
    type: str
    question: str
    answers: tuple[str, ...]
    others: tuple[str, ...]
    explanation: str
    evidence: str
    start: int  # where the evidence stands in the speech
    focus: tuple[str, ...] = ()  # names that point at the entry
    # The span of the speech the question is about, when that is less than all of the evidence.
    about: tuple[int, int] | None = None


def _choice(
    kind: str,
    question: str,
    answer: str,
    candidates: Iterable[str],
    evidence: str,
    start: int,
    explanation: str,
    *,
    focus: tuple[str, ...] = (),
    about: tuple[int, int] | None = None,
    fits: str | None = None,
    speech: str = "",
) -> _Draft | None:
    """A single-choice or blank draft: wrong options are the first candidates absent from the evidence.

    With `fits`, the question's gap stands in `fits` (a piece of the evidence): a candidate that would turn it
    into other words of the speech is also right, so it is left out.
    """
    others: list[str] = []
    for candidate in dict.fromkeys(candidates):
        if len(others) == WRONG_OPTIONS:
            break
        if candidate == answer or not candidate or candidate in evidence or answer in candidate:
            continue
        if fits is not None and fits.replace(answer, candidate, 1) in speech:
            continue
        others.append(candidate)
    if not others:
        return None
    return _Draft(kind, question, (answer,), tuple(others), explanation, evidence, start, focus, about)


def _check(question: Question, speech: str) -> list[str]:
    """Every rule a question must meet; the generator drops a question that breaks one."""
    problems = []
    if not 0 < len(question.question) <= MAX_QUESTION:
        problems.append("question length")
    if not MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS:
        problems.append("option count")
    if any(not o.strip() or len(o) > MAX_OPTION for o in question.options):
        problems.append("option length")
    if len(set(question.options)) != len(question.options):
        problems.append("repeated option")
    if not question.correct or any(not 0 <= i < len(question.options) for i in question.correct):
        problems.append("correct index")
    if (
        len(question.explanation) > MAX_EXPLANATION
        or question.explanation.count("\n") > MAX_EXPLANATION_LINE_FEEDS
    ):
        problems.append("explanation length")
    if not question.evidence or question.evidence not in speech:
        problems.append("evidence not in the speech")
    wrong = [o for i, o in enumerate(question.options) if i not in question.correct]
    if question.type in (SINGLE, BLANK):
        if any(a not in question.evidence for a in question.answers):
            problems.append("answer not in the evidence")
        if any(o in question.evidence for o in wrong):
            problems.append("distractor in the evidence")
    elif question.type == NOT:
        if any(a in question.evidence for a in question.answers):
            problems.append("odd one out stands in the evidence")
        if any(o not in question.evidence for o in wrong):
            problems.append("member not in the evidence")
    elif question.type == TRUEFALSE:
        statement = question.question.removeprefix(TRUEFALSE_PREFIX)
        if question.options != (TRUE, FALSE) or (statement in speech) != (question.answers == (TRUE,)):
            problems.append("true/false does not match the speech")
    else:
        problems.append("unknown type")
    return problems


# ─────────────────────────── generators ───────────────────────────


def _list_questions(parsed: _Parsed) -> Iterator[_Draft]:
    for lst in parsed.lists:
        if lst.spec.members:
            yield from _membership(lst, parsed)
        if lst.spec.ask_right or lst.spec.ask_left:
            yield from _halves(lst)
        if lst.spec.statements:
            yield from _item_statements(lst, parsed.speech)
        if lst.spec.name:
            yield from _list_name(lst, parsed)


def _membership(lst: _List, parsed: _Parsed) -> Iterator[_Draft]:
    """Which item belongs, which is not an item, and a gap for each short item."""
    spec, speech = lst.spec, parsed.speech
    members = [item.text for item in lst.items]
    outsiders = lst.recombinations(speech) + _siblings(members, speech)
    foreign = [c for c in parsed.item_pool if c not in members and _unrelated(c, members)]
    focus = (spec.name,) if spec.name else ()

    pick = min(members, key=lambda m: _digest(spec.key, m))
    draft = _choice(
        SINGLE,
        f"根据讲话原文，下列哪一项属于{spec.label}？",
        pick,
        outsiders + _rank(pick, foreign, spec.key, spread=max(2, len(pick) // 2)),
        lst.evidence,
        lst.start,
        _explain(f"答案：{_q(pick)}。", lst.evidence, pick),
        focus=focus,
        about=lst.span,
    )
    if draft:
        yield draft

    odd = next(
        iter(outsiders + _rank(members[0], foreign, spec.key, spread=max(2, len(members[0]) // 2))), ""
    )
    if odd and odd not in lst.evidence:
        shown = tuple(sorted(members, key=lambda m: _digest(spec.key, "not", m))[:WRONG_OPTIONS])
        verdict = f"{_q(odd)}不在其中。"
        yield _Draft(
            NOT,
            f"根据讲话原文，下列哪一项不属于{spec.label}？",
            (odd,),
            shown,
            _explain(verdict, lst.evidence, shown[0]),
            lst.evidence,
            lst.start,
            focus,
            lst.span,
        )

    for item in lst.items:
        if 2 <= len(item.text) <= 16:
            yield from _gap_question(parsed, item.text, item.start, outsiders, foreign, spec.key)


def _halves(lst: _List) -> Iterator[_Draft]:
    """Given one half of an item, which other half goes with it (the rest of the list supplies wrong ones)."""
    focus = (lst.spec.name,) if lst.spec.name else ()
    for item in lst.items:
        values = {
            "left": _q(item.left_text),
            "right": _q(item.right_text),
            "left_raw": item.left_text,
            "right_raw": item.right_text,
        }
        for template, answer, pool in (
            (lst.spec.ask_right, item.right_text, [i.right_text for i in lst.items]),
            (lst.spec.ask_left, item.left_text, [i.left_text for i in lst.items]),
        ):
            if not template:
                continue
            draft = _choice(
                SINGLE,
                template.format(**values),
                answer,
                sorted(pool, key=lambda p, key=item.text: _digest(key, p)),
                item.text,
                item.start,
                _explain(f"答案：{_q(answer)}。", item.text, answer),
                focus=focus,
            )
            if draft:
                yield draft


def _item_statements(lst: _List, speech: str) -> Iterator[_Draft]:
    """Each item as a true statement, and each swap of halves between items as a false one."""
    focus = (lst.spec.name,) if lst.spec.name else ()
    for item in lst.items:
        yield _Draft(
            TRUEFALSE,
            TRUEFALSE_PREFIX + item.text,
            (TRUE,),
            (FALSE,),
            _explain("正确。", item.text),
            item.text,
            item.start,
            focus,
        )
    for item, fake in lst.swaps(speech):
        yield _Draft(
            TRUEFALSE,
            TRUEFALSE_PREFIX + fake,
            (FALSE,),
            (TRUE,),
            _explain(f"错误：原文是{_q(item.right_text)}。", item.text, item.right_text),
            item.text,
            item.start,
            focus,
        )


def _list_name(lst: _List, parsed: _Parsed) -> Iterator[_Draft]:
    """What the speech calls the list, among the speech's other numbered slogans."""
    name = lst.spec.name
    slogans = [p for p in parsed.phrase_pool if SLOGAN.match(p) and p != name]
    draft = _choice(
        SINGLE,
        f"讲话中，{_q('、'.join(i.text for i in lst.items))}合称为？",
        name,
        _rank(name, slogans, lst.spec.key, spread=3),
        lst.evidence,
        lst.start,
        _explain(f"答案：“{name}”。", lst.evidence, name),
        focus=(name,),
    )
    if draft:
        yield draft


def _gap_question(
    parsed: _Parsed, answer: str, at: int, preferred: Sequence[str], pool: Sequence[str], salt: str
) -> Iterator[_Draft]:
    """A fill-in-the-blank question on the phrase standing at `at`."""
    speech = parsed.speech
    start, end = _window(speech, at, at + len(answer), limit=max(64, len(answer) + 30))
    window = speech[start:end]
    if window.count(answer) != 1 or len(window) < len(answer) + 6:
        return
    blanked = window.replace(answer, GAP, 1)
    candidates = [p for p in preferred if abs(len(p) - len(answer)) <= 2] + _rank(answer, pool, salt)
    draft = _choice(
        BLANK,
        BLANK_PREFIX + blanked,
        answer,
        candidates,
        window,
        start,
        _explain(f"答案：{_q(answer)}。", window, answer),
        focus=(answer,),
        fits=window,
        speech=speech,
    )
    if draft:
        yield draft


def _phrase_gaps(parsed: _Parsed) -> Iterator[_Draft]:
    pool = parsed.phrase_pool
    for phrase, at in parsed.phrases:
        yield from _gap_question(parsed, phrase, at, (), [p for p in pool if _unrelated(p, [phrase])], phrase)


def _run_questions(parsed: _Parsed) -> Iterator[_Draft]:
    speech = parsed.speech
    units = {
        "、": ("方面", "第{n}方面"),
        "（）": ("点", "第（{n}）点"),
        "是": ("条", "第{n}条"),
        "要": ("项", "第{n}项"),
    }
    for run in parsed.runs:
        unit, ordinal = units[run.headings[0].marker]
        texts = [h.text for h in run.headings]
        fulls = [h.full for h in run.headings]
        for heading in run.headings:
            n = CHINESE_DIGITS[heading.ordinal - 1]
            draft = _choice(
                SINGLE,
                f"{run.scope}中，{ordinal.format(n=n)}是？",
                heading.text,
                sorted(texts, key=lambda t: _digest(heading.full, t)),
                heading.full,
                heading.start,
                _explain(f"{ordinal.format(n=n)}是{_q(heading.text)}。", heading.full),
                focus=(heading.text, heading.full),
            )
            if draft:
                yield draft
            for s, e in parsed.sentences:
                if (
                    not heading.start + len(heading.full) < s < e <= heading.body_end
                    or e - heading.start > 600
                ):
                    continue
                sentence = speech[s:e]
                if not 12 <= len(sentence) <= 150 or HEADING_START.match(sentence):
                    continue
                draft = _choice(
                    SINGLE,
                    f"下面这句话出自{run.scope}中的哪一{unit}？\n「{sentence}」",
                    heading.full,
                    sorted(fulls, key=lambda f: _digest(sentence, f)),
                    speech[heading.start : e],
                    heading.start,
                    _explain(f"出自{_q(heading.full)}。", sentence),
                    focus=(heading.text, heading.full),
                )
                if draft:
                    yield draft


def _statements(parsed: _Parsed) -> Iterator[_Draft]:
    """True/false on sentences of the speech holding a quoted phrase or a list item, and one altered copy."""
    speech = parsed.speech
    pool = parsed.phrase_pool
    swaps = [(f"“{p}”", [f"“{c}”" for c in _rank(p, pool, p, spread=1)]) for p in pool]
    for lst in parsed.lists:
        members = [item.text for item in lst.items]
        outsiders = lst.recombinations(speech) + _siblings(members, speech)
        swaps += [(m, [o for o in outsiders if abs(len(o) - len(m)) <= 1]) for m in members if len(m) <= 16]
    for s, e in parsed.sentences:
        raw = speech[s:e]
        cut = re.match(rf"^[{CHINESE_DIGITS}][是要]", raw)
        statement = raw[cut.end() :] if cut else raw
        if not 12 <= len(statement) <= MAX_STATEMENT or (HEADING_START.match(raw) and not cut):
            continue
        usable = [(p, alts) for p, alts in swaps if p in statement and alts]
        if not usable:
            continue
        start = s + (cut.end() if cut else 0)
        yield _Draft(
            TRUEFALSE,
            TRUEFALSE_PREFIX + statement,
            (TRUE,),
            (FALSE,),
            _explain("正确。", statement),
            statement,
            start,
        )
        paragraph = parsed.paragraph(s)
        for phrase, alternatives in usable:
            alt = next(
                (
                    a
                    for a in alternatives
                    if a not in paragraph and statement.replace(phrase, a, 1) not in speech
                ),
                None,
            )
            if alt is None:
                continue
            yield _Draft(
                TRUEFALSE,
                TRUEFALSE_PREFIX + statement.replace(phrase, alt, 1),
                (FALSE,),
                (TRUE,),
                _explain(f"错误：原文是{_quoted(phrase)}，不是{_quoted(alt)}。", statement, phrase),
                statement,
                start,
                (phrase.strip("“”"),),
            )
            break


GENERATORS = (_list_questions, _run_questions, _phrase_gaps, _statements)


# ─────────────────────────── entries ───────────────────────────


@dataclass(frozen=True)
class _Entries:
    """The knowledge base indexed for finding a question's entry: by name, and by where its quotes stand."""

    by_name: dict[str, tuple[Entry, ...]]
    spans: tuple[tuple[Entry, tuple[tuple[int, int], ...], tuple[str, ...]], ...]

    @classmethod
    def build(cls, kb: KnowledgeBase) -> _Entries:
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
        return cls({k: tuple(v) for k, v in by_name.items()}, tuple(spans))

    def find(self, start: int, evidence: str, focus: Sequence[str]) -> Entry | None:
        """The most specific entry: one named by the focus, else the one whose quotes cover the evidence."""
        named = [e for f in focus if f for e in self.by_name.get(name_key(f), ())]
        if named:
            return min(named, key=lambda e: (sum(map(len, e.quotes)), e.id))
        end = start + len(evidence)
        text = name_key(evidence)
        kinds = {"term": 0, "fact": 1, "section": 2}
        best: tuple[tuple[int, int, int, int], Entry] | None = None
        for entry, spans, keys in self.spans:
            overlap = max((min(end, b) - max(start, a) for a, b in spans), default=0)
            if overlap <= 0:
                continue
            named_inside = any(k in text for k in keys)
            score = (-int(named_inside), -overlap, kinds.get(entry.kind, 3), sum(map(len, entry.quotes)))
            if best is None or score < best[0]:
                best = (score, entry)
        return best[1] if best else None


# ─────────────────────────── the bank ───────────────────────────


def _finish(draft: _Draft, entries: _Entries, speech: str) -> Question | None:
    start, end = draft.about or (draft.start, draft.start + len(draft.evidence))
    entry = entries.find(start, speech[start:end], draft.focus)
    if entry is None:
        return None
    if draft.type == TRUEFALSE:
        options: list[str] = [TRUE, FALSE]
    else:
        options = [*draft.answers, *draft.others]
        random.Random(_digest(draft.question, *options)).shuffle(options)
    digest = _digest(draft.type, draft.question, *sorted(options))[:10]
    question = Question(
        id=f"{draft.type}-{entry.id}-{digest}",
        type=draft.type,
        question=draft.question,
        options=tuple(options),
        correct=tuple(i for i, o in enumerate(options) if o in draft.answers),
        explanation=draft.explanation,
        evidence=draft.evidence,
        entry_id=entry.id,
        about=" ".join(entry.names),
    )
    return None if _check(question, speech) else question


@lru_cache(maxsize=4)
def _bank(speech: str, entries: tuple[Entry, ...]) -> tuple[Question, ...]:
    index = _Entries.build(KnowledgeBase(speech=speech, entries=entries))
    parsed = _parse(speech)
    seen_ids: set[str] = set()
    seen_texts: set[str] = set()
    bank = []
    for generate in GENERATORS:
        for draft in generate(parsed):
            if draft.question in seen_texts:
                continue
            question = _finish(draft, index, speech)
            if question is None or question.id in seen_ids:
                continue
            seen_ids.add(question.id)
            seen_texts.add(question.question)
            bank.append(question)
    return tuple(bank)


def all_questions(kb: KnowledgeBase) -> tuple[Question, ...]:
    """The whole question bank for a knowledge base, in a fixed order; the same speech gives the same bank."""
    return _bank(kb.speech, kb.entries)


def mentions(question: Question, topic: str) -> bool:
    """Whether a question is about `topic`: its entry's names, its text or its right answer hold the word.

    Wrong options do not count: a question is not about 四风 because 四风 is offered as a wrong answer.
    """
    word = name_key(topic)
    text = " ".join((question.about, question.question, *question.answers))
    return bool(word) and word in name_key(text)


def shuffled(question: Question, seed: int) -> Question:
    """The question with its options in an order fixed by the seed (true/false keeps 正确 before 错误)."""
    if question.type == TRUEFALSE:
        return question
    order = list(range(len(question.options)))
    random.Random(f"{seed}/{question.id}").shuffle(order)
    options = tuple(question.options[i] for i in order)
    return replace(question, options=options, correct=tuple(sorted(order.index(i) for i in question.correct)))


def draw(
    source: KnowledgeBase | Sequence[Question],
    count: int,
    seed: int = 0,
    *,
    topic: str | None = None,
    exclude_ids: Collection[str] = (),
) -> list[Question]:
    """Up to `count` questions for one quiz, the types taking turns; the same seed gives the same quiz.

    `topic` keeps the questions that mention the word; `exclude_ids` leaves out questions already asked. Fewer
    than `count` come back when fewer are left; none when nothing matches.
    """
    bank = all_questions(source) if isinstance(source, KnowledgeBase) else tuple(source)
    excluded = set(exclude_ids)
    pool = [q for q in bank if q.id not in excluded and (not topic or mentions(q, topic))]
    rng = random.Random(seed)
    by_type = {kind: [q for q in pool if q.type == kind] for kind in TYPES}
    for questions in by_type.values():
        rng.shuffle(questions)
    order = list(TYPES)
    rng.shuffle(order)
    picked: list[Question] = []
    while len(picked) < count and any(by_type.values()):
        for kind in order:
            if by_type[kind] and len(picked) < count:
                picked.append(by_type[kind].pop())
    return [shuffled(q, seed) for q in picked]


def plan(
    bank: Sequence[Question],
    count: int,
    seed: int = 0,
    *,
    due: Sequence[str] = (),
    seen: Collection[str] = (),
    recent: Collection[str] = (),
) -> list[Question]:
    """A study set: the questions due for review first (in the order given), then questions never seen, then
    seen ones; a question asked recently comes back only when it is due.

    `bank` may already be narrowed to a topic; ids not in it are ignored. The same arguments give the same set.
    """
    by_id = {q.id: q for q in bank}
    picked = [shuffled(by_id[i], seed) for i in dict.fromkeys(due) if i in by_id][:count]
    taken = {q.id for q in picked} | set(recent)
    unseen = [q for q in bank if q.id not in taken and q.id not in seen]
    picked += draw(unseen, count - len(picked), seed)
    if len(picked) < count:
        taken |= {q.id for q in picked}
        picked += draw([q for q in bank if q.id not in taken], count - len(picked), seed)
    return picked


def on_topic(bank: Sequence[Question], word: str, entry_ids: Collection[str] = ()) -> list[Question]:
    """The questions about a word: those that mention it, and those of the entries a matcher found for it."""
    ids = set(entry_ids)
    return [q for q in bank if q.entry_id in ids or mentions(q, word)]


def questions_about(bank: Sequence[Question], word: str, matcher: Matcher) -> list[Question]:
    """`/quiz 词` in either front end: the entries the matcher answers (or suggests) for the word, on_topic."""
    result = matcher.match(word)
    return on_topic(bank, word, result.entry_ids if result.answered else result.suggestions)
