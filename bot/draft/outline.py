"""A speech's structure read from its text alone: paragraphs, numbered headings in any style of the genre,
the opening and the closing. Pure: text in, frozen values out.

Heading styles and their ranks (the genre's conventions: 一、 above （一） above 1. and the inline 一是…):

* rank 1: 一、 at a line's start, 第一， at a line's start;
* rank 2: （一） or (一) at a line's start;
* rank 3: 1. 2. (or 1、) at a line's start;
* inline: 一是 / 一要 / 第一个方面是 / 首先…其次…最后, at a line's start or inside a paragraph after a full stop.

A numbered style counts only when it runs 一, 二, … (at least `MIN_RUN` items). A ranked heading holds the text
up to the next heading of its rank or above; an inline item holds its own paragraph (or, inside a paragraph,
the text up to the next item). The closing is the last paragraphs from one that opens with an address
(同志们) after every heading; the opening is what stands before the first heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NUMERALS = "一二三四五六七八九十"
MIN_RUN = 2
TITLE_CHARS = 60  # a heading's title is its first sentence, when that is no longer than this
ADDRESS = re.compile(r"^(?:同志们|各位同志|各位领导)")
LINE_STYLES = (  # (style, rank, pattern at a line's start: group `n` is the number)
    ("cn、", 1, re.compile(rf"^(?P<n>[{NUMERALS}]{{1,2}})、")),
    ("第cn，", 1, re.compile(rf"^第(?P<n>[{NUMERALS}]{{1,2}})[，,、：:]")),
    ("第cn个方面，", 1, re.compile(rf"^第(?P<n>[{NUMERALS}]{{1,2}})个?(?:方面|部分)[，,、：:]")),
    ("（cn）", 2, re.compile(rf"^[（(](?P<n>[{NUMERALS}]{{1,2}})[）)]")),
    ("（d）", 3, re.compile(r"^[（(](?P<n>\d{1,2})[）)]")),
    ("d.", 3, re.compile(r"^(?P<n>\d{1,2})[.．、](?!\d)")),
)
INLINE_STYLES = (  # (style, pattern after a line's start or a full stop)
    ("cn是", re.compile(rf"(?P<n>[{NUMERALS}])是(?![否不])")),
    ("cn要", re.compile(rf"(?P<n>[{NUMERALS}])要(?![求务点])")),
    ("第cn个方面", re.compile(rf"第(?P<n>[{NUMERALS}])个?方面(?:是|，|：)")),
    ("首先", re.compile(r"(?P<n>首先|其次|再次|然后|最后)[，,]")),
)
SEQUENCE_WORDS = {"首先": 1, "其次": 2, "再次": 3, "然后": 3, "最后": 9}
SENTENCE_END = re.compile(r"[。！？；]")


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Heading:
    """A numbered heading: its style and number, its title (verbatim), and the span of speech it holds."""

    style: str
    number: int
    title: str
    start: int
    end: int
    rank: int  # 1–3 for line styles, 4 for inline items
    children: list[Heading] = field(default_factory=list)
    intro: str = ""  # the sentence before the first item of a run, when it announces the run (下面，我讲三点)


@dataclass(frozen=True)
class Outline:
    """The speech read as a tree: the runs of top-level headings, the opening, the closing, and the
    paragraphs at the top level that no heading holds."""

    paragraphs: tuple[Paragraph, ...]
    headings: tuple[Heading, ...]  # the top level, in the speech's order
    opening: tuple[Paragraph, ...]
    closing: tuple[Paragraph, ...]
    loose: tuple[Paragraph, ...]  # top-level paragraphs between headings that no heading holds
    title_lines: tuple[Paragraph, ...]  # the title, date and speaker lines before the address
    unsure: tuple[str, ...] = ()  # what a reviewer should look at


def paragraphs_of(speech: str) -> tuple[Paragraph, ...]:
    found, at = [], 0
    for line in speech.split("\n"):
        stripped = line.strip()
        if stripped:
            found.append(Paragraph(at + line.index(stripped[0]), stripped))
        at += len(line) + 1
    return tuple(found)


def title_of(text: str) -> str:
    """A heading's title: its first sentence (without the stop), or its first clause when that is long."""
    stop = SENTENCE_END.search(text)
    sentence = text[: stop.start()] if stop else text
    if len(sentence) <= TITLE_CHARS:
        return sentence.strip()
    comma = max(sentence.rfind("，", 0, TITLE_CHARS), sentence.rfind("：", 0, TITLE_CHARS))
    return sentence[: comma if comma > 8 else TITLE_CHARS].strip()


def _number(raw: str) -> int:
    if raw.isdigit():
        return int(raw)
    if raw in SEQUENCE_WORDS:
        return SEQUENCE_WORDS[raw]
    if raw == "十":
        return 10
    if raw.startswith("十"):
        return 10 + NUMERALS.index(raw[1]) + 1
    return NUMERALS.index(raw[0]) + 1 + (9 if len(raw) == 2 and raw[1] == "十" else 0)


def _runs(marks: list[tuple[int, int, str]]) -> list[list[tuple[int, int, str]]]:
    """Consecutive numbers 1, 2, 3 … of one style (marks: (offset, number, style)), each run of MIN_RUN+."""
    runs: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] = []
    for mark in marks:
        if mark[1] == 1:
            if len(current) >= MIN_RUN:
                runs.append(current)
            current = [mark]
        elif current and (mark[1] == current[-1][1] + 1 or (mark[2] == "首先" and mark[1] == 9)):
            current.append(mark)
        else:
            if len(current) >= MIN_RUN:
                runs.append(current)
            current = []
    if len(current) >= MIN_RUN:
        runs.append(current)
    return runs


def read_outline(speech: str) -> Outline:
    paragraphs = paragraphs_of(speech)
    unsure: list[str] = []
    # The title lines: those before the address (同志们：), when the speech has one near its start.
    address = next((i for i, p in enumerate(paragraphs[:6]) if ADDRESS.match(p.text)), None)
    title_lines = paragraphs[:address] if address is not None else ()
    body = paragraphs[address + 1 :] if address is not None else paragraphs
    if address is not None and len(paragraphs[address].text) > 8:  # 同志们：今天… on one line
        body = paragraphs[address:]

    # Line headings by style, then the runs each style makes.
    marks: dict[str, list[tuple[int, int, str]]] = {}
    for paragraph in body:
        for style, _, pattern in LINE_STYLES:
            if found := pattern.match(paragraph.text):
                marks.setdefault(style, []).append((paragraph.start, _number(found.group("n")), style))
                break
    ranks = {style: rank for style, rank, _ in LINE_STYLES}
    if not any(ranks[s] == 1 for s in marks):  # no 一、: the next style up is the top
        for style in list(ranks):
            ranks[style] = max(1, ranks[style] - 1)
    heads: list[Heading] = []
    by_start = {p.start: p for p in paragraphs}
    for style, found in marks.items():
        for run in _runs(found):
            for start, number, _ in run:
                text = by_start[start].text
                heads.append(Heading(style, number, title_of(text), start, 0, ranks[style]))
        if not _runs(found):
            unsure.append(f"{style} headings that do not run 1, 2, 3 were read as text")
    heads.sort(key=lambda h: h.start)

    # The closing: from the last paragraph after every heading that opens with an address.
    last_heading = heads[-1].start if heads else -1
    closing_at = next(
        (
            i
            for i in range(len(body) - 1, -1, -1)
            if body[i].start > last_heading and ADDRESS.match(body[i].text)
        ),
        None,
    )
    closing = body[closing_at:] if closing_at is not None else ()
    end_of_body = closing[0].start if closing else len(speech)

    # Each ranked heading holds the text up to the next heading of its rank or above.
    for i, head in enumerate(heads):
        head.end = next((h.start for h in heads[i + 1 :] if h.rank <= head.rank), end_of_body)
    # Inline items inside each heading's own text (or at the top level), as children of the deepest heading.
    inline = _inline_items(body, speech, heads, end_of_body)
    every = sorted(heads + inline, key=lambda h: (h.start, h.rank))
    top = _nest(every)
    _intros(top, speech)
    first = every[0].start if every else end_of_body
    opening = tuple(p for p in body if p.end <= first and p.start < end_of_body)
    held = [(h.start, h.end) for h in _walk(top)]
    loose = tuple(
        p
        for p in body
        if p.start >= first and p.start < end_of_body and not any(s <= p.start < e for s, e in held)
    )
    if not heads and not inline:
        unsure.append("no numbered headings found: the speech is one section")
    return Outline(paragraphs, tuple(top), opening, tuple(closing), loose, tuple(title_lines), tuple(unsure))


def _inline_items(body, speech: str, heads: list[Heading], end_of_body: int) -> list[Heading]:
    """一是…二是…, 一要…二要…, 首先…其次…: at a line's start or after a full stop, each run within one span
    (a paragraph's text, or consecutive paragraphs that open with the marks)."""
    found: list[Heading] = []
    lines = {head.start for head in heads}
    for style, pattern in INLINE_STYLES:
        marks: list[tuple[int, int, str]] = []
        for paragraph in body:
            if paragraph.start >= end_of_body:
                break
            for match in pattern.finditer(paragraph.text):
                at = match.start()
                if at == 0 and paragraph.start in lines:
                    continue  # the line's own heading (第一个方面，… read as a line style already)
                if at == 0 or paragraph.text[at - 1] in "。；！？：":
                    marks.append((paragraph.start + at, _number(match.group("n")), style))
        for run in _runs(marks):
            for k, (start, number, _) in enumerate(run):
                line_end = speech.find("\n", start)
                line_end = len(speech) if line_end == -1 else line_end
                following = run[k + 1][0] if k + 1 < len(run) else line_end
                end = min(following, line_end)
                text = speech[start:end]
                found.append(Heading(style, number, title_of(text), start, end, 4))
    return found


def _nest(every: list[Heading]) -> list[Heading]:
    """Each heading under the nearest earlier one that holds it; the rest at the top."""
    top: list[Heading] = []
    stack: list[Heading] = []
    for head in every:
        while stack and not (stack[-1].start < head.start < stack[-1].end and _above(stack[-1], head)):
            stack.pop()
        (stack[-1].children if stack else top).append(head)
        stack.append(head)
    return top


def _above(outer: Heading, inner: Heading) -> bool:
    """Whether a heading that holds another may be its parent: a higher rank, or another inline style."""
    return outer.rank < inner.rank or (outer.rank == inner.rank == 4 and outer.style != inner.style)


def _walk(heads: list[Heading]):
    for head in heads:
        yield head
        yield from _walk(head.children)


def _intros(heads: list[Heading], speech: str) -> None:
    """The sentence that announces a run (下面，我讲三点意见), kept on the run's first item."""
    for head in _walk_runs(heads):
        before = speech[max(0, head.start - 80) : head.start].rstrip()
        sentences = [s for s in re.split(r"(?<=[。：:！？])", before) if s.strip()]
        if sentences and re.search(
            r"下面|以下|几点|几个方面|方面的|意见|要求|问题|表现在|主要是", sentences[-1]
        ):
            head.intro = sentences[-1].split("\n")[-1].strip()


def _walk_runs(heads: list[Heading]):
    """The first item of every run (a run's items are siblings numbered from one)."""
    for i, head in enumerate(heads):
        if head.number == 1 and (i + 1 < len(heads) and heads[i + 1].style == head.style):
            yield head
        yield from _walk_runs(head.children)
