"""The speech's enumerations, read from the pack's lists.yaml: where each list stands and how to ask about it.

lists.yaml is a mapping:

    headings:                   # what a question calls a run of numbered headings standing under no heading
      parts: 讲话的几点要求        # the parts (一、 二、 …); default 讲话
      other: 讲话提到的情况        # any other run (（一）（二）…, 一是、二是 …); default 讲话
    lists:                      # one mapping per list
      - id: three-focuses       # a slug; it also seeds the choices made for the list, so keep it stable
        entry: term-sange-jujiao  # the entry its questions fall back to when none names or quotes them
        label: “三个聚焦”          # fits "根据讲话原文，下列哪一项属于{label}？"
        name: 三个聚焦             # optional: the slogan the speech calls the list by, standing in the match
        pattern: '“三个聚焦”即(?P<items>[^。]+)。'  # a regex; its group `items` holds the items
        items: [聚焦甲, 聚焦乙, 聚焦丙]  # the items as they stand in the speech (checked; alone, they locate it)
        sep: 、                   # a regex splitting the items (default 、)
        strip: '^[一二三]是'        # optional: a regex cut from the start of each item
        pair: '^(?P<left>..)(?P<right>.+)$'  # optional: splits an item into two halves
        ask_right: …{left_raw}…？  # optional: ask for the right half given the left ({left} {right} quoted,
        ask_left: …{right}…？      #   {left_raw} {right_raw} bare), and the other way round
        statements: false         # true: each item is a full statement, asked as true or false
        members: true             # false: no "which belongs / which is not / fill the gap" questions

Without `pattern`, the list is where its `items` stand one after another, separated by `sep`. A pack without
lists.yaml has no list questions. Every problem is reported as `file:line: …` (KnowledgeError).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge import ID_PATTERN, KnowledgeBase, KnowledgeError, read_yaml
from bot.quiz.text import window

LISTS_FILE = "lists.yaml"
DEFAULT_SCOPE = "讲话"
TEXT_FIELDS = ("id", "entry", "label", "name", "pattern", "sep", "strip", "pair", "ask_right", "ask_left")
FLAG_FIELDS = ("statements", "members")
LIST_FIELDS = (*TEXT_FIELDS, "items", *FLAG_FIELDS)
HEADING_FIELDS = ("parts", "other")
TOP_FIELDS = ("headings", "lists")
_SAMPLE_HALVES = {"left": "“甲”", "right": "“乙”", "left_raw": "甲", "right_raw": "乙"}


@dataclass(frozen=True)
class ListSpec:
    """Where one enumerated list stands in the speech, and how to ask about it.

    `pattern` is a regex over the speech: its group `items` holds the items, split on `sep`; the whole match is
    the evidence. `pair` splits an item into `left` and `right` halves: swapping halves between items gives
    false look-alikes, and `ask_right`/`ask_left` ask for one half given the other ({left}, {right} quoted;
    {left_raw}, {right_raw} bare).
    """

    id: str
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
    entry: str = ""  # the entry its questions fall back to
    items: tuple[str, ...] = ()  # as they stand in the speech, when the file gives them
    source: str = field(default="", compare=False)  # "file:line"


@dataclass(frozen=True)
class ListsFile:
    """A pack's lists.yaml: its lists, and what questions call the runs of headings under no other heading."""

    lists: tuple[ListSpec, ...] = ()
    parts_scope: str = DEFAULT_SCOPE
    other_scope: str = DEFAULT_SCOPE


# ─────────────────────────── a list, found in the speech ───────────────────────────


@dataclass(frozen=True)
class Item:
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
class SpeechList:
    spec: ListSpec
    start: int
    evidence: str
    items: tuple[Item, ...]

    @property
    def span(self) -> tuple[int, int]:
        return self.items[0].start, self.items[-1].start + len(self.items[-1].text)

    def swaps(self, speech: str) -> list[tuple[Item, str]]:
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


def find_list(spec: ListSpec, speech: str) -> SpeechList | str:
    """The list where it stands in the speech, or why it cannot be found there."""
    match = re.search(spec.pattern, speech)
    if match is None:
        return "not found in the speech"
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
                return f"item {len(items) + 1} ({text[:20]!r}) does not split by `pair`"
            left, right = halves.span("left"), halves.span("right")
        items.append(Item(text, base + at + lead, right=right, left=left))
    if len(items) < 2:
        return f"found, but with {len(items)} item (a list needs two or more): {block[:30]!r}"
    first, last = (match.start(), match.end()) if spec.name else (match.start("items"), match.end("items"))
    start, end = window(speech, first, last, limit=max(60, last - first + 24))
    return SpeechList(spec, start, speech[start:end], tuple(items))


def parse_lists(specs: tuple[ListSpec, ...], speech: str) -> tuple[SpeechList, ...]:
    """The lists that stand in the speech (load_lists has checked that all of them do)."""
    return tuple(found for spec in specs if isinstance(found := find_list(spec, speech), SpeechList))


# ─────────────────────────── lists.yaml ───────────────────────────


def load_lists(kb: KnowledgeBase) -> ListsFile:
    """The pack's lists.yaml, checked against its speech and entries (none when the pack has no such file);
    raises KnowledgeError listing every problem as `file:line: …`."""
    if kb.directory is None:
        return ListsFile()
    path = Path(kb.directory) / LISTS_FILE
    if not path.exists():
        return ListsFile()
    return read_lists(path, kb.speech, frozenset(kb.by_id))


def read_lists(path: Path, speech: str, entry_ids: frozenset[str]) -> ListsFile:
    data = read_yaml(path)
    if data is None:
        return ListsFile()
    problems: list[str] = []
    if not isinstance(data, dict):
        raise KnowledgeError([f"{path}:1: lists.yaml must be a mapping (headings: …, lists: …)"])
    for key in _keys(data):
        if key not in TOP_FIELDS:
            problems.append(
                f"{path}:{_line(data, key)}: unknown field {key!r} (known: {', '.join(TOP_FIELDS)})"
            )
    scopes = _headings(data.get("headings"), path, _line(data, "headings"), problems)
    raw_lists = data.get("lists") or []
    specs: list[ListSpec] = []
    if not isinstance(raw_lists, list):
        problems.append(f"{path}:{_line(data, 'lists')}: lists must be a list of mappings, one per list")
        raw_lists = []
    item_lines = data.get("__lines__", {}).get("lists")
    first_of: dict[str, str] = {}
    for index, raw in enumerate(raw_lists):
        if not isinstance(raw, dict):
            line = item_lines[index] if isinstance(item_lines, list) else _line(data, "lists")
            problems.append(
                f"{path}:{line}: every list must be a mapping with id, entry, label and a pattern"
            )
            continue
        spec = _spec_from_raw(raw, path, speech, entry_ids, problems)
        if spec is None:
            continue
        if spec.id in first_of:
            problems.append(f"{spec.source}: list {spec.id!r}: duplicate id (first at {first_of[spec.id]})")
            continue
        first_of[spec.id] = spec.source
        specs.append(spec)
    if problems:
        raise KnowledgeError(sorted(problems, key=lambda p: int(p[len(str(path)) + 1 :].split(":", 1)[0])))
    return ListsFile(tuple(specs), *scopes)


def _keys(raw: dict[str, Any]) -> list[str]:
    return [key for key in raw if not (isinstance(key, str) and key.startswith("__"))]


def _line(raw: dict[str, Any], key: str, index: int | None = None) -> int:
    lines = raw.get("__lines__", {}).get(key)
    if isinstance(lines, list):
        return lines[index] if index is not None and index < len(lines) else raw.get("__line__", 1)
    return lines or raw.get("__line__", 1)


def _headings(raw: Any, path: Path, line: int, problems: list[str]) -> tuple[str, str]:
    if raw is None:
        return DEFAULT_SCOPE, DEFAULT_SCOPE
    if not isinstance(raw, dict):
        problems.append(f"{path}:{line}: headings must be a mapping (parts: …, other: …)")
        return DEFAULT_SCOPE, DEFAULT_SCOPE
    for key in _keys(raw):
        if key not in HEADING_FIELDS:
            problems.append(
                f"{path}:{_line(raw, key)}: unknown field headings.{key} (known: {', '.join(HEADING_FIELDS)})"
            )
        elif not isinstance(raw[key], str) or not raw[key].strip():
            problems.append(f"{path}:{_line(raw, key)}: headings.{key} must be non-empty text")
    parts, other = (raw.get(key) for key in HEADING_FIELDS)
    return (
        parts.strip() if isinstance(parts, str) and parts.strip() else DEFAULT_SCOPE,
        other.strip() if isinstance(other, str) and other.strip() else DEFAULT_SCOPE,
    )


Fail = Callable[..., None]  # fail(key, message, index=None): one problem at that key's line


def _spec_from_raw(
    raw: dict[str, Any], path: Path, speech: str, entry_ids: frozenset[str], problems: list[str]
) -> ListSpec | None:
    """One list of the file, or None after adding its problems: its fields, its regexes, then the speech."""
    label = f"list {raw.get('id')!r}"

    def fail(key: str, message: str, index: int | None = None) -> None:
        line = _line(raw, key, index) if key else raw.get("__line__", 1)
        problems.append(f"{path}:{line}: {label}: {message}")

    before = len(problems)
    _check_fields(raw, fail)
    if len(problems) > before:
        return None
    if raw["entry"] not in entry_ids:
        fail("entry", f"entry id {raw['entry']!r} does not exist")
    items = tuple(raw.get("items", ()))
    sep = raw.get("sep", "、")
    pattern = raw.get("pattern") or "(?P<items>" + f"(?:{sep})".join(re.escape(i) for i in items) + ")"
    _check_regexes(raw, pattern, sep, fail)
    if len(problems) > before:
        return None
    spec = ListSpec(
        id=raw["id"],
        label=raw["label"],
        pattern=pattern,
        sep=sep,
        strip=raw.get("strip", ""),
        pair=raw.get("pair", ""),
        ask_right=raw.get("ask_right", ""),
        ask_left=raw.get("ask_left", ""),
        name=raw.get("name", ""),
        statements=raw.get("statements", False),
        members=raw.get("members", True),
        entry=raw["entry"],
        items=items,
        source=f"{path}:{raw['__line__']}",
    )
    _check_in_speech(spec, "pattern" if "pattern" in raw else "items", speech, fail)
    return None if len(problems) > before else spec


def _check_fields(raw: dict[str, Any], fail: Fail) -> None:
    """Known fields only; id, entry, label and a pattern or items; text, flags and items of the right types."""
    for key in _keys(raw):
        if key not in LIST_FIELDS:
            fail(key, f"unknown field {key!r} (known: {', '.join(LIST_FIELDS)})")
    for key in ("id", "entry", "label"):
        if key not in raw:
            fail("", f"missing field {key!r}")
    if "pattern" not in raw and "items" not in raw:
        fail("", "give its pattern or its items")
    for key in TEXT_FIELDS:
        if key in raw and (not isinstance(raw[key], str) or not raw[key]):
            fail(key, f"{key} must be non-empty text")
    if isinstance(raw.get("id"), str) and not ID_PATTERN.match(raw["id"]):
        fail("id", "id must be an ascii slug like 'three-focuses'")
    for key in FLAG_FIELDS:
        if key in raw and not isinstance(raw[key], bool):
            fail(key, f"{key} must be true or false")
    items = raw.get("items", [])
    if not isinstance(items, list) or ("items" in raw and not items):
        fail("items", "items must be a non-empty list of the items as they stand in the speech")
        return
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            fail("items", f"items[{index}] must be non-empty text", index)


def _check_regexes(raw: dict[str, Any], pattern: str, sep: str, fail: Fail) -> None:
    """Each regex compiles and has its groups; an ask template needs `pair` and fills its placeholders."""
    for key, value, groups in (
        ("pattern", pattern, ("items",)),
        ("sep", sep, ()),
        ("strip", raw.get("strip", ""), ()),
        ("pair", raw.get("pair", ""), ("left", "right")),
    ):
        try:
            compiled = re.compile(value)
        except re.error as error:
            fail(key if key in raw else "items", f"{key} is not a valid regex: {error}")
            continue
        for group in groups:
            if value and group not in compiled.groupindex:
                fail(key, f"{key} needs a group (?P<{group}>…)")
    for key in ("ask_right", "ask_left"):
        if key not in raw:
            continue
        if "pair" not in raw:
            fail(key, f"{key} asks for a half of an item: give `pair` too")
            continue
        try:
            raw[key].format(**_SAMPLE_HALVES)
        except (KeyError, IndexError, ValueError) as error:
            fail(key, f"{key} has a placeholder it cannot fill ({error}; known: {', '.join(_SAMPLE_HALVES)})")


def _check_in_speech(spec: ListSpec, key: str, speech: str, fail: Fail) -> None:
    """The list stands in the speech, split into its items (as the file gives them), its name beside it."""
    found = find_list(spec, speech)
    if isinstance(found, str):
        fail(key, found)
        return
    if spec.name and spec.name not in found.evidence:
        fail("name", f"the name {spec.name!r} does not stand where the list is found")
    texts = [item.text for item in found.items]
    if spec.items and texts != list(spec.items):
        wrong = next(
            (i for i, (a, b) in enumerate(zip(texts, spec.items, strict=False)) if a != b), len(texts)
        )
        shown = texts[wrong] if wrong < len(texts) else "nothing more"
        fail("items", f"items[{wrong}] is not what the speech has there ({shown[:30]!r})", wrong)
