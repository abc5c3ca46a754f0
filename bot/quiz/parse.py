"""The speech, parsed for the quiz: its sentences, numbered headings and their runs, quoted phrases, other
enumerations, and the pack's lists where they stand."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.quiz.lists import DEFAULT_SCOPE, ListsFile, SpeechList, parse_lists
from bot.quiz.text import HAN, q

CHINESE_DIGITS = "一二三四五六七八九十"
SEQUENCE_WORDS = ("首先", "其次", "再次", "然后", "最后")  # 首先… 其次… 最后…: the 1st, 2nd … and last point
HEADING_START = re.compile(
    rf"^(?:[{CHINESE_DIGITS}][是要、]|（[{CHINESE_DIGITS}]）|第[{CHINESE_DIGITS}][，,]|(?:{'|'.join(SEQUENCE_WORDS)})[，,])"
)


@dataclass(frozen=True)
class Heading:
    ordinal: int
    marker: (
        str  # 、 for parts, （） for points, 是 or 要 for numbered items, 第 (第一，) and 首先 (首先，其次，)
    )
    text: str  # without its ordinal
    full: str  # as it stands in the speech
    start: int
    body_end: int


@dataclass(frozen=True)
class Run:
    headings: tuple[Heading, ...]
    scope: str  # what the run enumerates, for question text


@dataclass(frozen=True)
class Parsed:
    speech: str
    sentences: tuple[tuple[int, int], ...]
    phrases: tuple[tuple[str, int], ...]  # quoted phrases (without the marks) and where each stands
    lists: tuple[SpeechList, ...]
    runs: tuple[Run, ...]
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


def parse(speech: str, lists: ListsFile | None = None, closing_marker: str = "") -> Parsed:
    """Everything the generators read; `closing_marker` opens the speech's last paragraph (none: no closing)."""
    lists = lists or ListsFile()
    return Parsed(
        speech,
        sentences(speech),
        quoted_phrases(speech),
        parse_lists(lists.lists, speech),
        runs(speech, closing_marker, lists.parts_scope, lists.other_scope),
        enumerated(speech),
    )


def sentences(speech: str) -> tuple[tuple[int, int], ...]:
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


def quoted_phrases(speech: str) -> tuple[tuple[str, int], ...]:
    return tuple((m.group(1), m.start(1)) for m in re.finditer(r"“([^”\n]{2,20})”", speech))


def enumerated(speech: str) -> tuple[str, ...]:
    """Inner items of each enumeration A、B、C… (the outer two may carry the words around the list)."""
    found = []
    for run in re.finditer(rf"[{HAN}“”]+(?:、[{HAN}“”]+){{2,}}", speech):
        found += [p for p in run.group().split("、")[1:-1] if p.count("“") == p.count("”") and len(p) >= 2]
    return tuple(dict.fromkeys(found))


def headings(speech: str) -> list[Heading]:
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
    # Paragraphs opening 第一，第二，… or 首先，其次，…最后，: the numbering other speeches of the genre use.
    for m in re.finditer(rf"^第([{CHINESE_DIGITS}])[，,]([^。；\n]+)", speech, re.M):
        found.append((m.start(), CHINESE_DIGITS.index(m.group(1)) + 1, "第", _clause(m.group(2)), m.group()))
    ordinal = 0
    for m in re.finditer(rf"^({'|'.join(SEQUENCE_WORDS)})[，,]([^。；\n]+)", speech, re.M):
        ordinal = 1 if m.group(1) == SEQUENCE_WORDS[0] else ordinal + 1 if ordinal else 0
        if ordinal:
            found.append((m.start(), ordinal, "首先", _clause(m.group(2)), m.group()))
    found.sort()
    return [Heading(o, mk, t, f, s, -1) for s, o, mk, t, f in found]


def _clause(text: str) -> str:
    """A heading's text: the sentence, or its first clause when the sentence is long."""
    return text.split("，")[0] if len(text) > 40 else text


def runs(
    speech: str, closing_marker: str = "", parts_scope: str = DEFAULT_SCOPE, other_scope: str = DEFAULT_SCOPE
) -> tuple[Run, ...]:
    """Numbered headings grouped into runs (一, 二, 三 … of one kind), each with the span it governs.

    The last part ends where the closing begins: the last paragraph opening with `closing_marker`. A run under
    another heading is that heading's; the others are called `parts_scope` (parts) or `other_scope`.
    """
    grouped: list[list[Heading]] = []
    open_run: dict[str, list[Heading]] = {}
    for heading in headings(speech):
        current = open_run.get(heading.marker)
        if heading.ordinal == 1:
            open_run[heading.marker] = [heading]
            grouped.append(open_run[heading.marker])
        elif current and current[-1].ordinal == heading.ordinal - 1:
            current.append(heading)
    closing = speech.rfind("\n" + closing_marker) if closing_marker else -1
    finished: list[tuple[Heading, ...]] = []
    for run in grouped:
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
            scope = f"{q(parent.text)}这一部分"
        elif first.marker == "、":
            scope = parts_scope
        else:
            scope = other_scope
        result.append(Run(run, scope))
    return tuple(result)
